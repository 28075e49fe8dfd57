"""Alert title templates: the variable parts of a title masked into a stable shape.

Vectorised with pyarrow.compute over the unique titles only, so millions of alerts with a few
thousand distinct titles cost a few thousand regex passes. pyarrow uses RE2: no look-arounds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: (pattern, replacement) applied in order; earlier, more specific shapes win. After them every
#: remaining token holding a digit (web-03, pod-7f9c8d-x2kq, 5m, v2) becomes ``<*>`` (``VALUE``),
#: so changing a number never changes a template, except a hash-like name (``HASH_NAME``): an
#: anonymised export names its alerts by a 40-hex digest, and masking those would make every
#: such alert of a service one rule. Whether a hash names a rule or varies per firing is learnt
#: from the data by the noise analysis (``analysis.noise.identity``).
MASKS: tuple[tuple[str, str], ...] = (
    (r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+", "<URL>"),
    (r"\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?", "<TS>"),
    (r"\b\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\b", "<TS>"),
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<UUID>"),
    (r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b", "<EMAIL>"),
    (r"\b\d{1,3}(\.\d{1,3}){3}(/\d{1,2})?(:\d+)?\b", "<IP>"),
    (r"\"[^\"]*\"", "<Q>"),
    # a single-quoted value must open after a separator, so "can't" and "don't" survive
    (r"(^|[\s=:(\[,])'[^'\n]*'", r"\1<Q>"),
    (r"(^|[\s=:(])(/[^\s/,;)]+)+/?", r"\1<PATH>"),
    # a lone "/" is the root mount after "free space:", "on", "for", "mount"…; elsewhere a fraction
    (r"(:|\bon|\bfor|\bat|\bin|\bunder|\bof|\bmount|\bmountpoint|\bfilesystem|\bfs|\b[Dd]isk|\b[Vv]olume)\s+/(\s|$)",
     r"\1 <PATH>\2"),
    (r"\b0x[0-9a-fA-F]+\b", "<HEX>"),
    (r"[-+]?\d+(\.\d+)?\s?%", "<PCT>"),
)
#: A token: what lies between separators; one holding a digit is a value unless it is a hash.
TOKEN = re.compile(r"[^\s()<>\[\]{},;=:\"']+")
VALUE = "<*>"
#: A hex digest of 16 or more characters (md5, sha1, sha256 …) with at least one letter.
HASH_NAME = re.compile(r"(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{16,}")


def title_templates(titles: Iterable[str | None]) -> pd.Series:
    """The template of each title (None stays None), in input order.

    >>> list(title_templates(["Disk /var/lib 91% full on web-03", "CPU 97.5% on db-1"]))
    ['Disk <PATH> <PCT> full on <*>', 'CPU <PCT> on <*>']
    """
    series = titles if isinstance(titles, pd.Series) else pd.Series(list(titles), dtype="object")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    masked = _masked(pa.array([str(u) for u in uniques], type=pa.string()))
    lookup = pd.Series([*masked, None], dtype="object")
    # code -1 (a missing title) picks the trailing None
    values = lookup.to_numpy()[codes]
    return pd.Series(values, index=series.index, dtype="object")


def template_ids(templates: Iterable[str | None]) -> pd.Series:
    """A short stable id (12 hex chars of sha1) per template; None stays None."""
    series = (
        templates
        if isinstance(templates, pd.Series)
        else pd.Series(list(templates), dtype="object")
    )
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    hashed = [hashlib.sha1(str(t).encode()).hexdigest()[:12] for t in uniques]
    lookup = pd.Series([*hashed, None], dtype="object").to_numpy()
    return pd.Series(lookup[codes], index=series.index, dtype="object")


#: Every token holding a digit (the vectorised pass; hash names are redone one by one).
DIGIT_TOKEN = r"[^\s()<>\[\]{},;=:\"']*\d[^\s()<>\[\]{},;=:\"']*"


def _masked(unique_titles: pa.Array) -> list[str | None]:
    out = pc.utf8_trim_whitespace(unique_titles)
    for pattern, replacement in MASKS:
        out = pc.replace_substring_regex(out, pattern=pattern, replacement=replacement)
    out = pc.replace_substring_regex(out, pattern=r"\s+", replacement=" ")
    plain = pc.replace_substring_regex(out, pattern=DIGIT_TOKEN, replacement=VALUE)
    # the few titles holding a hash name, or left without a word, take the slow path
    hashed = pc.match_substring_regex(unique_titles, pattern=r"[0-9a-fA-F]{16,}")
    wordless = pc.invert(
        pc.match_substring_regex(
            pc.replace_substring_regex(plain, pattern=r"<[A-Z*]+>", replacement=""),
            pattern=r"[A-Za-z]",
        )
    )
    slow = pc.fill_null(pc.or_(hashed, wordless), False).to_numpy(zero_copy_only=False)
    result: list[str | None] = plain.to_pylist()
    if slow.any():
        raw, template = unique_titles.to_pylist(), out.to_pylist()
        for i in slow.nonzero()[0]:
            result[i] = _values_masked(template[i], raw[i])
    return result


def _values_masked(template: str | None, title: str | None) -> str | None:
    """``template`` with every token holding a digit as ``<*>``, hash names kept. A title made of
    values only keeps its letters (``web-<N>``): a template is never just ``<*>``."""
    if template is None:
        return None
    masked = TOKEN.sub(_token_mask, template)
    if re.search(r"[A-Za-z]", re.sub(r"<[A-Z*]+>", "", masked)) or title is None:
        return masked
    return re.sub(r"\d+", "<N>", " ".join(title.split())) or masked


def _token_mask(match: re.Match[str]) -> str:
    token = match.group(0)
    if not any(c.isdigit() for c in token) or HASH_NAME.fullmatch(token):
        return token
    return VALUE
