"""Reading JSON and JSONL exports (optionally gzip-compressed) with locators for every document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alertlens.ingest.readers._common import read_text
from alertlens.ingest.records import InputError, ParsedFile


def json_documents(path: Path, parsed: ParsedFile | None = None) -> Iterator[tuple[str, Any]]:
    """Every JSON document in ``path`` with its locator prefix.

    A ``.json`` file is one document (locator ``""``); a JSON Lines file gives one document a line
    (locator ``"line N"``). A JSONL line that is not JSON is quarantined into ``parsed`` (and
    counted as read) when one is given; a file that is neither JSON nor JSONL raises InputError.
    """
    text = read_text(path)
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
