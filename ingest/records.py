"""What a reader returns: canonical rows per table, rejected records, and the file's accounting."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from alertlens.ingest.schema import RECORD_TABLES, Common, Quarantine

Row = dict[str, Any]


class InputError(Exception):
    """A whole file cannot be read (not JSON, wrong format, wrong encoding, …).

    The message names the file and the reason; the CLI prints it as one line.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class RecordError(ValueError):
    """One record is bad; the reader quarantines it and goes on."""


@dataclass(frozen=True)
class Rejected:
    """A record that could not be accepted."""

    locator: str
    reason: str
    raw: str

    @staticmethod
    def of(locator: str, reason: str, raw: object) -> Rejected:
        """A rejection whose raw text is the record serialised and truncated."""
        text = raw if isinstance(raw, str) else json.dumps(raw, default=str, ensure_ascii=False)
        return Rejected(locator, reason, text[: Quarantine.RAW_LIMIT])


@dataclass
class ParsedFile:
    """Everything one input file yields.

    ``read`` counts the file's records (incidents, alerts, log entries, CSV rows, alerts inside
    webhook payloads …). Every one of them ends up in exactly one of: accepted rows, ``rejected``,
    or ``deduplicated`` (collapsed into another record of the same key in the same file), so
    ``read == accepted + len(rejected) + deduplicated`` holds per file.
    """

    source: str
    kind: str
    rows: dict[str, list[Row]] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0
    deduplicated: int = 0
    truncated_alerts: int = 0
    notes: list[str] = field(default_factory=list)
    _positions: dict[tuple[str, Any], int] = field(default_factory=dict, repr=False)

    def add(self, table: str, row: Row) -> None:
        """Append one canonical row to ``table``."""
        self.rows.setdefault(table, []).append(row)

    def add_newest(self, table: str, row: Row, key: str) -> bool:
        """Append ``row``, or fold it into the earlier row of ``table`` with the same ``key``
        (counted as deduplicated): the newer ``version_at`` stays in place, a tie goes to the
        later row. True when ``row`` is now the one kept."""
        rows = self.rows.setdefault(table, [])
        k = (table, row.get(key))
        at = self._positions.get(k)
        if at is None:
            self._positions[k] = len(rows)
            rows.append(row)
            return True
        self.deduplicated += 1
        if _version_key(row.get(Common.version_at)) < _version_key(rows[at].get(Common.version_at)):
            return False
        rows[at] = row
        return True

    def reject(self, locator: str, reason: str, raw: object) -> None:
        """Record one rejected record."""
        self.rejected.append(Rejected.of(locator, reason, raw))

    @property
    def accepted(self) -> int:
        """Records accepted: the file's records that were neither rejected nor deduplicated."""
        return self.read - len(self.rejected) - self.deduplicated


class SourceReader(Protocol):
    """What every module under ``ingest/readers/`` provides."""

    NAME: str

    def detect(self, path: Path, head: str) -> str | None:
        """The export kind if this reader recognises the file from its first 64 KiB, else None."""
        ...

    def read(self, path: Path, options: Mapping[str, Any]) -> ParsedFile:
        """Parse the whole file. Raises InputError when the file as a whole is unreadable."""
        ...


def rows_to_table(table: str, rows: Iterable[Row]) -> pa.Table:
    """Rows as an Arrow table with the canonical schema of ``table``; missing columns are null."""
    schema, _ = RECORD_TABLES[table]
    rows = list(rows)
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.table(columns, schema=schema)


def collapse_duplicates(
    rows: list[Row], key: tuple[str, ...], version: str
) -> tuple[list[Row], int]:
    """Rows with one row per key (the newest ``version`` wins, later rows win ties), and how many
    rows were folded away."""
    best: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        k = tuple(row.get(c) for c in key)
        old = best.get(k)
        if old is None or _version_key(row.get(version)) >= _version_key(old.get(version)):
            best[k] = row
    return list(best.values()), len(rows) - len(best)


def _version_key(v: Any) -> tuple[int, Any]:
    return (0, 0) if v is None else (1, v)
