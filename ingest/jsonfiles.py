"""Reading JSON and JSONL exports (optionally gzip-compressed) with locators for every document."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.records import InputError, ParsedFile

HEAD_BYTES = 64 * 1024


def file_text(path: Path) -> str:
    """The whole file decoded as UTF-8 (gzip is unpacked); InputError when it cannot be."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start}: {err.reason})") from err
    except (OSError, EOFError) as err:
        raise InputError(path, f"cannot be read ({err})") from err


def head_text(path: Path) -> str:
    """The first 64 KiB of a file as text (gzip unpacked); undecodable bytes are replaced."""
    with path.open("rb") as fh:
        start = fh.read(2)
    opener = gzip.open if start == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as fh:  # type: ignore[operator]
            return fh.read(HEAD_BYTES).decode("utf-8-sig", errors="replace")
    except (OSError, EOFError) as err:
        raise InputError(path, f"cannot be read ({err})") from err


def json_documents(path: Path, parsed: ParsedFile | None = None) -> Iterator[tuple[str, Any]]:
    """Every JSON document in ``path`` with its locator prefix.

    A ``.json`` file is one document (locator ``""``); a JSON Lines file gives one document a line
    (locator ``"line N"``). A JSONL line that is not JSON is quarantined into ``parsed`` (and
    counted as read) when one is given; a file that is neither JSON nor JSONL raises InputError.
    """
    text = file_text(path)
    if not text.strip():
        raise InputError(path, "file is empty")
    try:
        yield "", json.loads(text)
        return
    except json.JSONDecodeError as whole_err:
        lines = text.splitlines()
        if len([ln for ln in lines if ln.strip()]) < 2:
            raise InputError(
                path, f"not valid JSON ({whole_err.msg} at line {whole_err.lineno})"
            ) from whole_err
    good = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as err:
            if parsed is None:
                raise InputError(path, f"line {number} is not JSON ({err.msg})") from err
            parsed.read += 1
            parsed.reject(f"line {number}", f"not JSON ({err.msg})", line)
            continue
        good += 1
        yield f"line {number}", doc
    if good == 0:
        raise InputError(path, "neither JSON nor JSON Lines")


def locator(prefix: str, pointer: str) -> str:
    """A locator joining a line prefix and a JSON pointer: ``"line 3 /alerts/0"``."""
    return f"{prefix} {pointer}".strip() if prefix else pointer
