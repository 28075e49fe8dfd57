"""Ingest files into the lake: detect, parse, reconcile, commit. The engine-free core that the
CLI and the Prefect flows both call."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from alertlens.ingest.fields import file_sha256
from alertlens.ingest.lake import Lake
from alertlens.ingest.readers import reader, source_names
from alertlens.ingest.readers._common import head_text, read_text
from alertlens.ingest.reconcile import reconciled_batches
from alertlens.ingest.records import InputError, ParsedFile, RecordError, rows_to_table
from alertlens.ingest.schema import (
    MANIFEST_SCHEMA,
    QUARANTINE_SCHEMA,
    RECORD_TABLES,
    Common,
    Manifest,
    Quarantine,
)

#: Files a directory walk passes over: documentation, configuration and generator ground truth.
SKIPPED_NAMES = ("README*", "*.md", "*.txt", "*.toml", "ground_truth*", ".*")


@dataclass(frozen=True)
class FileReport:
    """What happened to one input file."""

    path: str
    sha256: str
    source: str
    kind: str
    read: int
    accepted: int
    quarantined: int
    deduplicated: int
    truncated_alerts: int = 0
    skipped: bool = False  # already in the manifest: nothing was read again
    error: str | None = None  # the file could not be read at all (quarantined whole)

    @property
    def balanced(self) -> bool:
        """read == accepted + quarantined + deduplicated."""
        return self.read == self.accepted + self.quarantined + self.deduplicated


def input_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the export files below named directories, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(p.match(g) for g in SKIPPED_NAMES)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(path, "no such file or directory")
    return found


def detected_source(path: Path, forced: str | None = None) -> tuple[str, str]:
    """(source, kind) of a file, from its content; ``forced`` restricts it to one source."""
    head = head_text(path)
    if forced is not None:
        if forced not in source_names():
            raise InputError(
                path, f"unknown source {forced!r} (known: {', '.join(source_names())})"
            )
        kind = reader(forced).detect(path, head)
        if kind is None:
            raise InputError(path, f"does not look like a {forced} export")
        return forced, kind
    claims = [(name, kind) for name in source_names() if (kind := reader(name).detect(path, head))]
    if not claims:
        raise InputError(path, _unrecognised(path, head))
    if len(claims) > 1:
        names = " and ".join(f"{n} ({k})" for n, k in claims)
        raise InputError(path, f"ambiguous: looks like {names}; pass --source")
    return claims[0]


def _unrecognised(path: Path, head: str) -> str:
    """Why no reader took a file: not text, broken JSON, or simply an unknown shape."""
    text = read_text(path)  # raises InputError naming the encoding problem
    if head.lstrip()[:1] in ("{", "["):
        try:
            json.loads(text)
        except json.JSONDecodeError as err:
            lines = [ln for ln in text.splitlines() if ln.strip()]
            if len(lines) < 2 or not lines[0].strip().endswith("}"):
                return f"not valid JSON ({err.msg} at line {err.lineno} column {err.colno})"
    if not text.strip():
        return "file is empty"
    return f"no source recognises this file (known: {', '.join(source_names())})"


def parsed_file(
    path: Path, config_sources: Mapping[str, Mapping[str, Any]], forced: str | None = None
) -> ParsedFile:
    """The parse of one file by the reader of its (detected or forced) source."""
    source, kind = detected_source(path, forced)
    options = config_sources.get(source, {})
    try:
        return reader(source).read(path, options, kind=kind)
    except RecordError as err:  # a record-level problem a reader let through: still one line
        raise InputError(path, str(err)) from err
    except ValueError as err:  # a bad [sources.<name>] option
        raise InputError(path, f"[sources.{source}]: {err}") from err


@dataclass(frozen=True)
class PendingFile:
    """A file to ingest: its path and the sha256 that identifies it in the manifest."""

    path: Path
    sha256: str


@dataclass
class ParsedInput:
    """A pending file after parsing: its records, or why it could not be read at all."""

    file: PendingFile
    parsed: ParsedFile | None
    error: str | None = None
    tables: dict[str, pa.Table] = field(default_factory=dict)  # the parsed rows, as Arrow


def pending_files(
    lake: Lake, paths: Sequence[Path], *, force: bool = False
) -> tuple[list[PendingFile], list[FileReport]]:
    """Files under ``paths`` the manifest does not have yet (all of them with ``force``), and a
    skipped report for each of the others. A file given twice is taken once."""
    done = set() if force or not lake.exists else lake.ingested_hashes()
    pending: list[PendingFile] = []
    skipped: list[FileReport] = []
    seen: set[str] = set()
    for path in input_files(paths):
        sha = file_sha256(path)
        if sha in done or sha in seen:
            skipped.append(FileReport(str(path), sha, "", "", 0, 0, 0, 0, skipped=True))
            continue
        seen.add(sha)
        pending.append(PendingFile(path, sha))
    return pending, skipped


def parsed_input(
    file: PendingFile,
    config_sources: Mapping[str, Mapping[str, Any]],
    source: str | None = None,
    *,
    strict: bool = True,
) -> ParsedInput:
    """One pending file parsed. Strict: an unreadable file raises InputError; otherwise the
    error is kept, and the commit quarantines the whole file so it is not retried forever."""
    try:
        parsed = parsed_file(file.path, config_sources, source)
    except InputError as err:
        if strict:
            raise
        return ParsedInput(file, None, err.reason)
    # Arrow columns hold a file's records in a fraction of the memory of Python dicts, and a
    # nightly run keeps every parsed file until the one commit.
    tables = {
        table: _with_origin(rows_to_table(table, rows), file.sha256)
        for table, rows in parsed.rows.items()
        if rows
    }
    parsed.rows = {}
    return ParsedInput(file, parsed, tables=tables)


def _with_origin(table: pa.Table, sha256: str) -> pa.Table:
    """``table`` with ``ingested_from`` set to the file's sha256 on every row."""
    index = table.schema.get_field_index(Common.ingested_from)
    origin = pa.array([sha256] * table.num_rows, pa.string())
    return table.set_column(index, Common.ingested_from, origin)


def commit_inputs(lake: Lake, inputs: Sequence[ParsedInput]) -> list[FileReport]:
    """Write parsed inputs into the lake in one atomic commit (records reconciled with what the
    lake already holds, quarantine and manifest rows included); one report per input."""
    good = [(i.file.path, i.file.sha256, i.parsed) for i in inputs if i.parsed is not None]
    unreadable = [i for i in inputs if i.parsed is None]
    now = datetime.now(UTC)
    with lake.locked():
        batches = reconciled_batches(lake, _record_batches(inputs))
        quarantine = _quarantine_table(good, now)
        manifest = _manifest_table(good, now)
        if unreadable:
            quarantine = pa.concat_tables([quarantine, _unreadable_quarantine(unreadable, now)])
            manifest = pa.concat_tables([manifest, _unreadable_manifest(unreadable, now)])
        batches[Quarantine.table] = quarantine
        batches[Manifest.table] = manifest
        lake.upsert(batches)
    reports = [
        FileReport(
            str(path),
            sha,
            p.source,
            p.kind,
            p.read,
            p.accepted,
            len(p.rejected),
            p.deduplicated,
            p.truncated_alerts,
        )
        for path, sha, p in good
    ]
    reports += [
        FileReport(str(i.file.path), i.file.sha256, "", "unreadable", 0, 0, 0, 0, error=i.error)
        for i in unreadable
    ]
    return reports


def ingest_paths(
    lake: Lake,
    paths: Sequence[Path],
    *,
    source: str | None = None,
    config_sources: Mapping[str, Mapping[str, Any]] | None = None,
    force: bool = False,
    strict: bool = True,
    on_file: Callable[[Path], None] | None = None,
) -> list[FileReport]:
    """Ingest ``paths`` (files or directories) into ``lake`` in one atomic commit.

    Every file is parsed before anything is written. Strict (the CLI's ``ingest``): one
    unreadable file raises InputError and the lake is left untouched. Not strict (nightly): an
    unreadable file is quarantined whole and the rest is ingested. Files already in the
    manifest (same sha256) are skipped unless ``force``. Returns one report per file.
    """
    files = input_files(paths)
    pending, skipped = pending_files(lake, files, force=force)  # files are files: no second walk
    inputs = []
    for file in pending:
        if on_file is not None:
            on_file(file.path)
        inputs.append(parsed_input(file, config_sources or {}, source, strict=strict))
    reports = commit_inputs(lake, inputs) + skipped
    order = {str(p): i for i, p in enumerate(files)}
    return sorted(reports, key=lambda r: order.get(r.path, 0))


def _record_batches(inputs: Sequence[ParsedInput]) -> dict[str, pa.Table]:
    batches: dict[str, pa.Table] = {}
    for table in RECORD_TABLES:
        parts = [i.tables[table] for i in inputs if table in i.tables]
        if parts:
            batches[table] = pa.concat_tables(parts)
    return batches


def _quarantine_table(parsed_all: list[tuple[Path, str, ParsedFile]], now: datetime) -> pa.Table:
    rows = [
        {
            Quarantine.source: parsed.source,
            Quarantine.file: str(path),
            Quarantine.file_sha256: sha,
            Quarantine.locator: r.locator,
            Quarantine.reason: r.reason,
            Quarantine.raw: r.raw,
            Quarantine.quarantined_at: now,
        }
        for path, sha, parsed in parsed_all
        for r in parsed.rejected
    ]
    return pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA)


def _manifest_table(parsed_all: list[tuple[Path, str, ParsedFile]], now: datetime) -> pa.Table:
    rows = [
        {
            Manifest.file_sha256: sha,
            Manifest.file: str(path),
            Manifest.source: p.source,
            Manifest.kind: p.kind,
            Manifest.ingested_at: now,
            Manifest.read: p.read,
            Manifest.accepted: p.accepted,
            Manifest.quarantined: len(p.rejected),
            Manifest.deduplicated: p.deduplicated,
            Manifest.truncated_alerts: p.truncated_alerts,
        }
        for path, sha, p in parsed_all
    ]
    return pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)


def _unreadable_quarantine(inputs: Sequence[ParsedInput], now: datetime) -> pa.Table:
    rows = [
        {
            Quarantine.source: "unknown",
            Quarantine.file: str(i.file.path),
            Quarantine.file_sha256: i.file.sha256,
            Quarantine.locator: "(whole file)",
            Quarantine.reason: i.error,
            Quarantine.raw: None,
            Quarantine.quarantined_at: now,
        }
        for i in inputs
    ]
    return pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA)


def _unreadable_manifest(inputs: Sequence[ParsedInput], now: datetime) -> pa.Table:
    rows = [
        {
            Manifest.file_sha256: i.file.sha256,
            Manifest.file: str(i.file.path),
            Manifest.source: None,
            Manifest.kind: "unreadable",
            Manifest.ingested_at: now,
            Manifest.read: 0,
            Manifest.accepted: 0,
            Manifest.quarantined: 0,
            Manifest.deduplicated: 0,
            Manifest.truncated_alerts: 0,
        }
        for i in inputs
    ]
    return pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)
