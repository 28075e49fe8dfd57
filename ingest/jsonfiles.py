"""Reading JSON and JSON Lines exports (optionally gzip-compressed) with a locator for every
document, whatever their size or nesting.

- A file whose first line is a whole JSON object or array is JSON Lines (one document a line,
  streamed); otherwise it is one JSON document (read whole, up to the document size limit).
- ``NaN`` / ``Infinity`` literals parse to :class:`~ingest.limits.NonFinite` markers and values
  nested deeper than the depth limit to :data:`~ingest.limits.TOO_DEEP`, so the record holding
  them is quarantined (``ParsedFile.checked``) while the rest of the file loads.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]
from json.scanner import NUMBER_RE
from pathlib import Path
from typing import Any

from alertlens.ingest import limits
from alertlens.ingest.readers._common import read_text, text_lines, undecodable
from alertlens.ingest.records import Bad, InputError

_WS = re.compile(r"[ \t\n\r]*")
_LITERALS = {
    "true": True,
    "false": False,
    "null": None,
    "NaN": limits.NonFinite("NaN"),
    "Infinity": limits.NonFinite("Infinity"),
    "-Infinity": limits.NonFinite("-Infinity"),
}


def loads(text: str) -> Any:
    """``text`` parsed as JSON: NaN/Infinity become NonFinite markers, and any nesting depth is
    read (past the limit, containers become TOO_DEEP). JSONDecodeError when it is not JSON."""
    try:
        return json.loads(text, parse_constant=limits.NonFinite)
    except RecursionError:
        return _loads_deep(text)


#: The first document of the file detection looked at last (per thread), keyed by path, size
#: and modification time: the reader that follows takes it instead of parsing it again (a
#: one-line export is one document, so detection would double its parse).
_DETECTED = threading.local()


def _file_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


def _remembered(path: Path) -> Any:
    entry = getattr(_DETECTED, "entry", None)
    if entry is None:
        return None
    _DETECTED.entry = None  # handed out once: a reader may change what it is given
    key, doc = entry
    return doc if key == _file_key(path) else None


def json_documents(path: Path, *, remember: bool = False) -> Iterator[tuple[str, Any]]:
    """Every JSON document in ``path`` with its locator prefix.

    One JSON document gives locator ``""``; JSON Lines give ``"line N"`` per line, and a line
    that is not a JSON object or array comes as a :class:`Bad` placeholder (the reader counts
    and quarantines it). InputError when the file is empty or not JSON at all.
    """
    first = _first_line(path)
    if first is None:
        raise InputError(path, "file is empty")
    _number, line = first
    head = _remembered(path)
    if head is None:
        head = _document(line)
    if head is not None:  # handed on, so the first line is parsed once, not twice
        if remember:
            _DETECTED.entry = (_file_key(path), head)
        yield from _lines(path, single_prefix=True, first=head)
        return
    text = read_text(path)
    try:
        yield "", loads(text)
        return
    except json.JSONDecodeError as whole_err:
        good = bad = 0
        for _, doc in _lines(path, single_prefix=False):
            good, bad = (good + 1, bad) if not isinstance(doc, Bad) else (good, bad + 1)
        if good == 0 or good < bad:
            raise InputError(
                path,
                f"not valid JSON ({whole_err.msg} at line {whole_err.lineno} "
                f"column {whole_err.colno})",
            ) from whole_err
    yield from _lines(path, single_prefix=False)


def first_document(path: Path) -> tuple[str, Any]:
    """("jsonl", first document) for JSON Lines, or ("json", the document) for one document.
    InputError when the file is empty or not JSON."""
    for prefix, doc in json_documents(path, remember=True):
        if isinstance(doc, Bad):
            continue
        return ("jsonl" if prefix else "json"), doc
    raise InputError(path, "no JSON document in the file")


def locator(prefix: str, pointer: str) -> str:
    """A locator joining a line prefix and a JSON pointer: ``"line 3 /alerts/0"``."""
    return f"{prefix} {pointer}".strip() if prefix else pointer


def _first_line(path: Path) -> tuple[int, str] | None:
    for number, line in text_lines(path):
        if line.strip():
            return number, line
    return None


def _document(line: str, *, checked: bool = False) -> Any:
    """The JSON object or array on one line, or None. ``checked``: the line is known to be
    UTF-8 (``undecodable`` said so)."""
    stripped = line.strip()
    if not stripped.startswith(("{", "[")) or (not checked and undecodable(stripped)):
        return None
    try:
        doc = loads(stripped)
    except json.JSONDecodeError:
        return None
    return doc if isinstance(doc, dict | list) else None


def _lines(path: Path, *, single_prefix: bool, first: Any = None) -> Iterator[tuple[str, Any]]:
    """(locator prefix, document or Bad) per non-blank line. With ``single_prefix``, a file of
    one line is one document (prefix ""). ``first``: the first non-blank line's document, when
    the caller has parsed it already."""
    pending: tuple[str, Any] | None = None
    count = 0
    for number, line in text_lines(path):
        if not line.strip():
            continue
        count += 1
        if pending is not None:
            yield pending
        if count == 1 and first is not None:
            pending = (f"line {number}", first)
            continue
        problem = undecodable(line)
        if problem:
            pending = (f"line {number}", Bad(problem, line.strip()))
            continue
        doc = _document(line, checked=True)
        if doc is None:
            try:
                loads(line.strip())
                reason = "line is not a JSON object or array"
            except json.JSONDecodeError as err:
                reason = f"not JSON ({err.msg})"
            pending = (f"line {number}", Bad(reason, line.strip()))
            continue
        pending = (f"line {number}", doc)
    if pending is not None:
        yield ("", pending[1]) if single_prefix and count == 1 else pending


def _loads_deep(text: str) -> Any:
    """An iterative JSON parser for documents too deep for the json module: containers deeper
    than MAX_DEPTH are parsed and replaced by TOO_DEEP."""
    # frames: [container or None (too deep), pending dict key]
    stack: list[list[Any]] = []
    idx = _WS.match(text, 0).end()  # type: ignore[union-attr]
    while True:
        if idx >= len(text):
            raise json.JSONDecodeError("Expecting value", text, idx)
        char = text[idx]
        value: Any
        if char in "{[":
            keep = len(stack) < limits.MAX_DEPTH and (not stack or stack[-1][0] is not None)
            stack.append([({} if char == "{" else []) if keep else None, None])
            idx = _WS.match(text, idx + 1).end()  # type: ignore[union-attr]
            closing = "}" if char == "{" else "]"
            if idx < len(text) and text[idx] == closing:
                idx += 1
                value = _closed(stack)
            elif char == "{":
                idx = _key(text, idx, stack)
                continue
            else:
                continue
        elif char == '"':
            value, idx = scanstring(text, idx + 1)
        else:
            number = NUMBER_RE.match(text, idx)
            if number is not None:
                whole, frac, exp = number.groups()
                value = float(whole + (frac or "") + (exp or "")) if frac or exp else int(whole)
                idx = number.end()
            else:
                word = next((w for w in _LITERALS if text.startswith(w, idx)), None)
                if word is None:
                    raise json.JSONDecodeError("Expecting value", text, idx)
                value, idx = _LITERALS[word], idx + len(word)
        # a value is complete: store it, then close every container that ends here
        while True:
            if not stack:
                end = _WS.match(text, idx).end()  # type: ignore[union-attr]
                if end != len(text):
                    raise json.JSONDecodeError("Extra data", text, end)
                return value
            frame = stack[-1]
            if isinstance(frame[0], dict):
                frame[0][frame[1]] = value
            elif isinstance(frame[0], list):
                frame[0].append(value)
            idx = _WS.match(text, idx).end()  # type: ignore[union-attr]
            if idx >= len(text):
                raise json.JSONDecodeError("Unterminated container", text, idx)
            is_object = (frame[0] is None and frame[1] is not None) or isinstance(frame[0], dict)
            if text[idx] == ",":
                idx = _WS.match(text, idx + 1).end()  # type: ignore[union-attr]
                if is_object:
                    idx = _key(text, idx, stack)
                break
            if text[idx] in "]}":
                idx += 1
                value = _closed(stack)
                continue
            raise json.JSONDecodeError("Expecting ',' delimiter", text, idx)


def _closed(stack: list[list[Any]]) -> Any:
    container = stack.pop()[0]
    return limits.TOO_DEEP if container is None else container


def _key(text: str, idx: int, stack: list[list[Any]]) -> int:
    """Parse ``"key":`` at ``idx`` into the top frame; the index of the value after it."""
    if idx >= len(text) or text[idx] != '"':
        raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, idx)
    key, idx = scanstring(text, idx + 1)
    idx = _WS.match(text, idx).end()  # type: ignore[union-attr]
    if idx >= len(text) or text[idx] != ":":
        raise json.JSONDecodeError("Expecting ':' delimiter", text, idx)
    stack[-1][1] = key if stack[-1][0] is not None else (key or " ")
    return _WS.match(text, idx + 1).end()  # type: ignore[union-attr]
