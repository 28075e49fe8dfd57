"""Writing API pages to files: one JSON page per file, or several pages per JSONL file."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

Record = dict[str, Any]


def _dumps(value: object) -> bytes:
    # orjson: compact UTF-8, keys in insertion order, ~5x faster than json for 1M-record worlds
    return orjson.dumps(value)


def _pages(records: Iterable[Record], key: str, page_size: int) -> Iterator[Record]:
    """API-style pages ``{key: [...], "limit", "offset", "more"}`` over ``records``."""
    batch: list[Record] = []
    offset = 0
    for record in records:
        if len(batch) == page_size:
            yield {key: batch, "limit": page_size, "offset": offset, "more": True}
            offset += page_size
            batch = []
        batch.append(record)
    yield {key: batch, "limit": page_size, "offset": offset, "more": False}


def write_monthly_pages(
    directory: Path,
    key: str,
    records: Iterable[tuple[str, Record]],
    *,
    page_size: int,
    pages_per_file: int,
) -> list[Path]:
    """Files holding ``records`` (``(month, record)`` pairs in month order) as paged API answers.

    Each month is one query (offsets restart at 0). ``pages_per_file == 1`` writes
    ``<month>-<n>.json`` files holding one page each; larger values write ``<month>-<n>.jsonl``
    files with one page per line."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for month, group in itertools.groupby(records, key=lambda pair: pair[0]):
        pages = _pages((record for _, record in group), key, page_size)
        for number, chunk in enumerate(_batched(pages, pages_per_file), start=1):
            if pages_per_file == 1:
                path = directory / f"{month}-{number:04d}.json"
                path.write_bytes(_dumps(chunk[0]) + b"\n")
            else:
                path = directory / f"{month}-{number:03d}.jsonl"
                path.write_bytes(b"".join(_dumps(page) + b"\n" for page in chunk))
            written.append(path)
    return written


def _batched(items: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while batch := list(itertools.islice(items, size)):
        yield batch
