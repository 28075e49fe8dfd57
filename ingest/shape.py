"""What a file is, structurally: the input of every reader's ``detect``.

Detection never looks at a byte window. A JSON document is parsed whole (so a key after a
290 KB ``alerts`` array counts as much as one before it), JSON Lines by their first document,
and a CSV by its header and first row. Readers decide from keys and shapes, never key order.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alertlens.ingest.jsonfiles import first_document
from alertlens.ingest.readers._common import is_gzip, open_bytes, text_lines, undecodable
from alertlens.ingest.records import InputError

#: Elements of a list kept in a sample: enough to see what the records look like.
SAMPLE_ITEMS = 3
_SAMPLE_DEPTH = 8


@dataclass(frozen=True)
class FileShape:
    """A file's format and a small sample of its structure.

    - ``format``: ``json`` (one document), ``jsonl`` (one document a line) or ``csv``.
    - ``sample``: the (first) JSON document with every list cut to its first few elements and
      nesting cut at a few levels; all keys of every object are kept.
    - ``header`` / ``row``: a CSV's header and first data row.
    """

    path: Path
    format: str
    sample: Any = None
    header: tuple[str, ...] = ()
    row: tuple[str, ...] = ()
    delimiter: str = ","
    compressed: bool = False

    @property
    def is_json(self) -> bool:
        """True for one JSON document or JSON Lines."""
        return self.format in ("json", "jsonl")

    def describe(self) -> str:
        """The structure in a few words, for "no reader recognises" messages."""
        if self.format == "csv":
            if any(len(h) > 64 or "=" in h for h in self.header):
                return "text that is neither JSON nor a CSV with a header"
            names = ", ".join(self.header[:8]) + (" …" if len(self.header) > 8 else "")
            return f"a CSV with columns {names}"
        what = "JSON Lines of" if self.format == "jsonl" else "JSON:"
        sample = self.sample
        if isinstance(sample, dict):
            return f"{what} an object with keys {_keys(sample)}"
        if isinstance(sample, list):
            if not sample:
                return f"{what} an empty list"
            inner = sample[0]
            if isinstance(inner, dict):
                return f"{what} a list of objects with keys {_keys(inner)}"
            return f"{what} a list of {type(inner).__name__}"
        return f"{what} a {type(sample).__name__}"


def _keys(obj: Mapping[str, Any]) -> str:
    names = sorted(obj)
    return ", ".join(names[:8]) + (" …" if len(names) > 8 else "")


def file_shape(path: Path) -> FileShape:
    """The shape of ``path``; InputError naming why when it is neither JSON nor CSV text
    (empty, binary, not UTF-8, corrupt gzip, over a size limit)."""
    compressed = is_gzip(path)
    with open_bytes(path) as fh:
        start = fh.read(4096)
        if start[:2] == b"\x1f\x8b":
            raise InputError(path, "a gzip file inside a gzip file: decompress it once")
        while not start.strip() and start:
            start = fh.read(1 << 20)  # blank so far: a long run of whitespace
    if not start.strip():
        raise InputError(path, "file is empty")
    head = start[:4096]
    first_line = head.lstrip().split(b"\n", 1)[0]
    if (b"\x00" in first_line or head.count(b"\x00") > 8) and head[:2] not in (
        b"\xff\xfe",
        b"\xfe\xff",
    ):
        raise InputError(path, "binary data, not text")  # a stray NUL in a row is its problem
    lead = start.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(path, "UTF-16 text: alertlens reads UTF-8 (re-save the file as UTF-8)")
    if lead in (b"{", b"["):
        fmt, doc = first_document(path)
        return FileShape(path, fmt, sample(doc), compressed=compressed)
    return _csv_shape(path, compressed)


def _csv_shape(path: Path, compressed: bool) -> FileShape:
    lines: list[str] = []
    for _, line in text_lines(path):
        if line.strip():
            lines.append(line)
        if len(lines) == 2:
            break
    if not lines:
        raise InputError(path, "file is empty")
    problem = undecodable(lines[0])
    if problem:
        raise InputError(path, problem)
    delimiter = next((d for d in (",", ";", "\t", "|") if d in lines[0]), None)
    if delimiter is None:
        raise InputError(path, "neither JSON nor CSV (no delimiter in the first line)")
    try:
        rows = list(csv.reader(lines, delimiter=delimiter))
    except csv.Error as err:
        raise InputError(path, f"not CSV ({err})") from err
    header = tuple(h.replace("\ufeff", "") for h in rows[0])
    row = tuple(rows[1]) if len(rows) > 1 else ()
    return FileShape(
        path, "csv", header=header, row=row, delimiter=delimiter, compressed=compressed
    )


def sample(value: Any, depth: int = 0) -> Any:
    """``value`` with lists cut to their first SAMPLE_ITEMS elements and nesting cut at a few
    levels (what detection needs; the reader reads everything)."""
    if depth >= _SAMPLE_DEPTH:
        return None
    if isinstance(value, dict):
        return {str(k): sample(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [sample(v, depth + 1) for v in value[:SAMPLE_ITEMS]]
    if isinstance(value, str):
        return value[:256]
    return value


# --- helpers detectors share --------------------------------------------------------------


def first(value: Any) -> Any:
    """The first element of a list (None for an empty list or a non-list)."""
    return value[0] if isinstance(value, list) and value else None


def has(obj: Any, *keys: str) -> bool:
    """True when ``obj`` is an object holding every one of ``keys``."""
    return isinstance(obj, dict) and all(k in obj for k in keys)
