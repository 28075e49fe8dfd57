"""The limits every input is held to, and the check that keeps a hostile JSON value out of a row.

A file past a size limit is refused whole (one line naming the limit); a record past the depth
or field limit, or holding a value no canonical row can store (NaN, Infinity, a lone UTF-16
surrogate), is quarantined with the JSON pointer of the offending value.
"""

from __future__ import annotations

import math
from typing import Any

#: Nesting levels a record may have (an Alertmanager alert has 3).
MAX_DEPTH = 64
#: Characters one JSON string or CSV field may hold.
MAX_FIELD_CHARS = 1 << 20
#: Bytes a file may decompress to (gzip), and bytes one JSON document may have.
MAX_DECOMPRESSED_BYTES = 512 << 20
MAX_DOCUMENT_BYTES = 256 << 20
#: Past this many decompressed bytes, a gzip stream expanding more than MAX_GZIP_RATIO times
#: its compressed size is a bomb: exports compress 5-30 times, never 200.
GZIP_RATIO_FLOOR = 16 << 20
MAX_GZIP_RATIO = 200


class NonFinite:
    """A ``NaN`` / ``Infinity`` literal: Python's json reads it, no other JSON parser does."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class TooDeep:
    """Stands in for a value nested deeper than MAX_DEPTH (it was parsed and dropped)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<too deep>"


TOO_DEEP = TooDeep()


def json_value_problem(value: Any, limit_depth: int = MAX_DEPTH) -> str | None:
    """Why ``value`` (a parsed JSON record) cannot become a row, or None when it is fine.

    Walks the value without recursion, so any depth is safe to check.
    """
    if _fine(value, 0, limit_depth):  # every record is checked: answer the usual case fast
        return None
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, pointer, depth = stack.pop()
        if depth > limit_depth or isinstance(item, TooDeep):
            return f"nested deeper than {limit_depth} levels at {pointer or '/'}"
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                return f"{problem} at {pointer or '/'}"
        elif isinstance(item, NonFinite):
            return f"{item.text} is not a JSON value at {pointer or '/'}"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"number out of range at {pointer or '/'}"
        elif isinstance(item, dict):
            for key, child in item.items():
                name = str(key)
                problem = _text_problem(name)
                if problem:
                    return f"{problem} in a key at {pointer or '/'}"
                stack.append((child, f"{pointer}/{_escaped(name)}", depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{pointer}/{i}", depth + 1) for i, child in enumerate(item))
    return None


def _fine(value: Any, depth: int, limit: int) -> bool:
    """True when ``json_value_problem`` would find nothing; False when it might (then the slow
    walk finds what). Recursion stops at ``limit`` levels, so it is safe at any depth."""
    kind = type(value)
    if kind is str:
        return len(value) <= MAX_FIELD_CHARS and (value.isascii() or _text_problem(value) is None)
    if kind is dict:
        if value and depth >= limit:
            return False
        for key, child in value.items():
            if type(key) is not str or not _fine(key, depth, limit):
                return False
            if not _fine(child, depth + 1, limit):
                return False
        return True
    if kind is list:
        if value and depth >= limit:
            return False
        for child in value:  # noqa: SIM110 (a loop: all() over a generator is slower here)
            if not _fine(child, depth + 1, limit):
                return False
        return True
    if kind is float:
        return math.isfinite(value)
    return kind is int or kind is bool or value is None


def _text_problem(text: str) -> str | None:
    if len(text) > MAX_FIELD_CHARS:
        return f"text of {len(text):,} characters (limit {MAX_FIELD_CHARS:,})"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as err:
            return f"lone UTF-16 surrogate {text[err.start]!r}"
    return None


def _escaped(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def printable(text: str) -> str:
    """``text`` safe to store as UTF-8: lone surrogates become ``\\udXXX`` escapes."""
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
