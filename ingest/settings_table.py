"""Typed settings from one ``alertlens.toml`` table: the checks every section shares."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def settings_from_table(
    cls: type[T],
    table: Mapping[str, Any],
    section: str,
    *,
    convert: Mapping[str, Callable[[Any], Any]] | None = None,
) -> T:
    """An instance of the frozen dataclass ``cls`` from the TOML ``[section]`` table.

    Unknown keys are refused by name. Each value must have the type of its field's default (an
    integer is accepted for a float, a list for a tuple; a bool is never a number); ``convert``
    maps a key to a function that parses its value instead. Raises ValueError naming the key.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class S:
    ...     hours: float = 48.0
    >>> settings_from_table(S, {"hours": 24}, "pull")
    S(hours=24.0)
    """
    known = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ValueError(
            f"[{section}]: unknown key(s) {', '.join(unknown)}; known: {', '.join(known)}"
        )
    convert = convert or {}
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name in convert:
            values[name] = convert[name](value)
            continue
        default = known[name].default
        values[name] = _typed(section, name, value, default)
    return cls(**values)


def _typed(section: str, name: str, value: Any, default: Any) -> Any:
    expected = type(default)
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and (isinstance(default, float) or isinstance(value, int))
    elif isinstance(default, tuple):
        ok = isinstance(value, list | tuple)
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise ValueError(f"[{section}] {name}: expected {expected.__name__}, got {value!r}")
    return tuple(value) if isinstance(default, tuple) else expected(value)
