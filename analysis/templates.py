"""Alert title templates: the variable parts of a title masked into a stable shape.

Vectorised with pyarrow.compute over the unique titles only, so millions of alerts with a few
thousand distinct titles cost a few thousand regex passes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: (pattern, replacement) applied in order; earlier, more specific shapes win.
MASKS: tuple[tuple[str, str], ...] = (
    (r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", "<TS>"),
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<UUID>"),
    (r"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b", "<IP>"),
    (r"\"[^\"]*\"|'[^']*'", "<Q>"),
    (r"(^|\s)(/[^\s/]+)+/?", r"\1<PATH>"),
    (r"\b0x[0-9a-fA-F]+\b|\b[0-9a-f]{7,}\b", "<HEX>"),
    (r"-?\d+(\.\d+)?\s?%", "<PCT>"),
    (r"[^\s()<>\[\]{},;=]*\d[^\s()<>\[\]{},;=]*", "<*>"),
)


def title_templates(titles: Iterable[str | None]) -> pd.Series:
    """The template of each title (None stays None), in input order.

    >>> list(title_templates(["Disk /var/lib 91% full on web-03", "CPU 97.5% on db-1"]))
    ['Disk <PATH> <PCT> full on <*>', 'CPU <PCT> on <*>']
    """
    series = pd.Series(list(titles), dtype="object")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    masked = _masked(pa.array(list(uniques), type=pa.string()))
    mapped = [masked[c] if c >= 0 else None for c in codes]
    return pd.Series(mapped, index=series.index, dtype="object")


def template_ids(templates: Iterable[str | None]) -> pd.Series:
    """A short stable id (12 hex chars of sha1) per template."""
    return pd.Series(
        [None if t is None else hashlib.sha1(t.encode()).hexdigest()[:12] for t in templates],
        dtype="object",
    )


def _masked(unique_titles: pa.Array) -> list[str | None]:
    out = pc.utf8_trim_whitespace(unique_titles)
    for pattern, replacement in MASKS:
        out = pc.replace_substring_regex(out, pattern=pattern, replacement=replacement)
    out = pc.replace_substring_regex(out, pattern=r"\s+", replacement=" ")
    return out.to_pylist()
