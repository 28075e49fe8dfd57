"""Typed settings from one ``alertlens.toml`` table: the one mechanism every section uses.

A section is a frozen pydantic dataclass declared with :func:`settings_dataclass`: its fields
carry the defaults (documented in docs/config.md) and the constraints (as annotations), so the
class itself is the validator. :func:`settings_from_table` builds one from a TOML table and turns
pydantic's errors into one line naming the key, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Annotated, Any, TypeVar, cast, dataclass_transform
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, PlainValidator
from pydantic import ValidationError as _ValidationError
from pydantic.dataclasses import dataclass as _pydantic_dataclass

from alertlens.ingest.schema import SEVERITIES

T = TypeVar("T")

#: Strict: TOML has real types, so "5" is never silently a 5 and true never a 1.
SETTINGS_CONFIG = ConfigDict(extra="forbid", strict=True)


class SettingsError(ValueError):
    """A settings table has an unknown key or a bad value; the message names both."""


@dataclass_transform(frozen_default=True, field_specifiers=(Field,))
def settings_dataclass(cls: type[T]) -> type[T]:
    """``cls`` as a frozen pydantic dataclass that refuses unknown keys and wrong types."""
    made: Any = _pydantic_dataclass(frozen=True, config=SETTINGS_CONFIG)(cls)
    return cast(type[T], made)


def settings_from_table(cls: type[T], table: Mapping[str, Any], section: str) -> T:
    """An instance of the settings dataclass ``cls`` from the TOML ``[section]`` table.

    Raises SettingsError naming every bad key, its value and what is allowed.

    >>> @settings_dataclass
    ... class Pull:
    ...     hours: float = 48.0
    >>> settings_from_table(Pull, {"hours": 24}, "pull")
    Pull(hours=24.0)
    >>> settings_from_table(Pull, {"hour": 24}, "pull")
    Traceback (most recent call last):
    ...
    alertlens.ingest.settings_table.SettingsError: [pull] unknown key 'hour' (known: hours)
    """
    if not isinstance(table, Mapping):
        raise SettingsError(f"[{section}] must be a table, got {table!r}")
    try:
        return cls(**{str(k): v for k, v in table.items()})
    except _ValidationError as err:
        raise SettingsError(_described(err, cls, section)) from None


def overridden(settings: T, section: str, **changes: Any) -> T:
    """``settings`` with the ``changes`` that are not None (command-line flags override the
    file), validated like the file's own values."""
    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        return settings
    values = {f: getattr(settings, f) for f in getattr(settings, "__dataclass_fields__", {})}
    return settings_from_table(type(settings), {**values, **given}, section)


def _described(err: _ValidationError, cls: type[Any], section: str) -> str:
    fields = getattr(cls, "__dataclass_fields__", {})
    lines = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"])
        if e["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
            lines.append(f"[{section}] unknown key {loc!r} (known: {', '.join(fields)})")
            continue
        message = str(e["msg"]).removeprefix("Value error, ")
        value = "" if isinstance(e["input"], Mapping) else f" = {e['input']!r}"
        where = f"[{section}] {loc}{value}" if loc else f"[{section}]"
        lines.append(f"{where}: {message}")
    return "; ".join(lines)


def _duration(value: Any) -> timedelta:
    """A duration from pandas-style text ("7D", "15min", "90s") or a timedelta."""
    import pandas as pd  # pandas parses the durations users already write in pandas terms

    if isinstance(value, timedelta):
        return pd.Timedelta(value)
    if not isinstance(value, str):
        raise ValueError("expected a duration such as '7D', '12h' or '15min'")
    try:
        return pd.Timedelta(value)
    except ValueError as err:
        raise ValueError(f"not a duration ({err}); write e.g. '7D', '12h' or '15min'") from err


def _time_zone(value: Any) -> str:
    """An IANA time zone name that this machine knows."""
    if not isinstance(value, str):
        raise ValueError("expected an IANA time zone name such as 'Europe/Berlin'")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(
            f"unknown time zone; use an IANA name such as 'Europe/Berlin' ({err})"
        ) from None
    return value


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def one_of(*choices: str) -> Callable[[Any], str]:
    """A validator accepting exactly one of ``choices``."""

    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(repr(c) for c in choices)}")
        return str(value)

    return check


#: A pandas Timedelta given as text in the TOML file ("7D", "15min").
Duration = Annotated[Any, PlainValidator(_duration)]
#: An IANA time zone name, checked against the zone database.
TimeZone = Annotated[str, PlainValidator(_time_zone)]
#: A list of strings in TOML, a tuple in Python.
Names = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]
#: A clock hour 0-24 (24 meaning the end of the day).
Hour = Annotated[int, Field(ge=0, le=24)]
Positive = Annotated[float, Field(gt=0)]
#: One character, e.g. a CSV field separator.
Delimiter = Annotated[str, Field(min_length=1, max_length=1)]
NonNegative = Annotated[float, Field(ge=0)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]
#: One of the canonical severities (ingest.schema.SEVERITIES).
Severity = Annotated[str, AfterValidator(one_of(*SEVERITIES))]
