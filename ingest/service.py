"""Ingest files into the lake: detect, parse, reconcile, commit. The engine-free core that the
CLI and the Prefect flows both call."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from alertlens.ingest.fields import file_sha256
from alertlens.ingest.lake import Lake
from alertlens.ingest.readers import checked_options, reader, source_names
from alertlens.ingest.readers._common import is_gzip
from alertlens.ingest.reconcile import reconciled_batches
from alertlens.ingest.records import (
    InputError,
    NotConfigured,
    OptionsError,
    ParsedFile,
    rows_to_table,
)
from alertlens.ingest.schema import (
    MANIFEST_SCHEMA,
    QUARANTINE_SCHEMA,
    RECORD_TABLES,
    Common,
    Manifest,
    Quarantine,
)
from alertlens.ingest.shape import file_shape

#: Files a directory walk passes over silently: documentation, configuration, ground truth.
SKIPPED_NAMES = ("README*", "*.md", "*.txt", "*.toml", "ground_truth*", ".*")

#: Bumped when a reader change means files must be read again (part of every settings hash).
READER_VERSION = "2"

#: Input bytes parsed before they are committed: an ingest holds one batch of parsed files in
#: memory, never the whole input (a 1M-alert world is 4.3 GB of JSON; see docs/lake.md).
BATCH_BYTES = 384 << 20
#: A gzip file counts as this many times its size towards a batch (exports compress 5-30x).
GZIP_FACTOR = 10


@dataclass(frozen=True)
class FileReport:
    """What happened to one input file.

    ``status``: ``ingested`` (read into the lake), ``already`` (in the manifest with the same
    settings: nothing read), ``unrecognised`` (no reader knows it, or it waits for settings,
    e.g. a CSV without a column map) or ``unreadable`` (broken as a whole); ``reason`` says why
    for the last two. ``skipped`` counts records read and deliberately left out (pending alerts).
    """

    path: str
    sha256: str
    source: str
    kind: str
    read: int
    accepted: int
    quarantined: int
    deduplicated: int
    skipped: int = 0
    truncated_alerts: int = 0
    status: str = "ingested"
    reason: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        """read == accepted + quarantined + deduplicated + skipped."""
        return self.read == self.accepted + self.quarantined + self.deduplicated + self.skipped

    @property
    def already_ingested(self) -> bool:
        """The manifest had this file with the same settings: nothing was read again."""
        return self.status == "already"

    @property
    def not_ingested(self) -> bool:
        """The file was listed but not read (unrecognised or unreadable)."""
        return self.status in (Manifest.UNRECOGNISED, Manifest.UNREADABLE)


class Unrecognised(InputError):
    """No reader recognises a file (or the one that does waits for settings)."""


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
        elif path.exists():
            raise InputError(path, "not a regular file or directory")
        else:
            raise InputError(path, "no such file or directory")
    return found


def detected_source(path: Path, forced: str | None = None) -> tuple[str, str]:
    """(source, kind) of a file, from its structure; ``forced`` restricts it to one source
    (and the kind is still taken from the structure, never re-detected later). An empty JSON
    list is ("", "empty"). Unrecognised when no reader claims it; InputError when it is not
    readable as JSON or CSV at all."""
    if forced is not None and forced not in source_names():
        raise InputError(path, f"unknown source {forced!r} (known: {', '.join(source_names())})")
    shape = file_shape(path)
    if shape.format == "json" and shape.sample == []:
        return forced or "", Manifest.EMPTY
    if forced is not None:
        kind = reader(forced).detect(shape)
        if kind is None:
            raise Unrecognised(path, f"does not look like a {forced} export ({shape.describe()})")
        return forced, kind
    claims = [(name, kind) for name in source_names() if (kind := reader(name).detect(shape))]
    if not claims:
        raise Unrecognised(path, f"no reader recognises {shape.describe()}")
    if len(claims) > 1:
        names = " and ".join(f"{n} ({k})" for n, k in claims)
        raise InputError(path, f"ambiguous: looks like {names}; pass --source")
    return claims[0]


def parsed_file(
    path: Path, config_sources: Mapping[str, Mapping[str, Any]], forced: str | None = None
) -> ParsedFile:
    """The parse of one file by the reader of its (detected or forced) source. OptionsError
    (a configuration error) passes through; a file-level problem is an InputError."""
    source, kind = detected_source(path, forced)
    if kind == Manifest.EMPTY:
        return ParsedFile(source=source, kind=kind)
    options = config_sources.get(source, {})
    try:
        parsed = reader(source).read(path, options, kind=kind)
    except (OptionsError, InputError):
        raise
    except RecursionError as err:
        raise InputError(path, "nested too deeply to read") from err
    except MemoryError as err:
        raise InputError(path, "too large to read into memory") from err
    parsed.finish_notes()
    return parsed


def settings_hash(source: str | None, config_sources: Mapping[str, Any]) -> str:
    """A short hash of the settings a file of ``source`` is read with (all of [sources] for a
    file no reader took: any section could make a reader take it)."""
    options = config_sources if not source else config_sources.get(source, {})
    text = json.dumps(
        {"reader": READER_VERSION, "source": source, "options": options},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_sources(config_sources: Mapping[str, Any]) -> None:
    """OptionsError for an unknown ``[sources.<name>]`` or a bad option in one of them."""
    if not isinstance(config_sources, Mapping):
        raise OptionsError("[sources] must be a table of [sources.<name>] tables")
    for name, options in config_sources.items():
        checked_options(name, options)


@dataclass(frozen=True)
class PendingFile:
    """A file to ingest: its path and the sha256 that identifies it in the manifest;
    ``reread`` when the manifest has it from other settings (its old rows are replaced)."""

    path: Path
    sha256: str
    reread: bool = False


@dataclass
class ParsedInput:
    """A pending file after parsing: its records, or why it could not be read at all."""

    file: PendingFile
    parsed: ParsedFile | None
    error: str | None = None
    tables: dict[str, pa.Table] = field(default_factory=dict)  # the parsed rows, as Arrow
    settings: str | None = None  # settings_hash the file was read with
    status: str = "ingested"  # or Manifest.UNRECOGNISED / UNREADABLE when parsed is None


def pending_files(
    lake: Lake,
    paths: Sequence[Path],
    *,
    force: bool = False,
    config_sources: Mapping[str, Any] | None = None,
) -> tuple[list[PendingFile], list[FileReport]]:
    """Files under ``paths`` to read, and a report for each of the others. A file is read when
    the manifest does not have it, when it was read with other settings than the current ones
    (a changed [sources.<name>] section, or any change for a file no reader took), or always
    with ``force``. A file given twice is taken once."""
    config_sources = config_sources or {}
    done = lake.ingested_settings() if lake.exists else {}
    pending: list[PendingFile] = []
    already: list[FileReport] = []
    seen: set[str] = set()
    for path in input_files(paths):
        sha = file_sha256(path)
        if sha in seen:
            continue
        seen.add(sha)
        if sha in done:
            source, stored = done[sha]
            same = stored is None or stored == settings_hash(source, config_sources)
            if same and not force:
                report = FileReport(str(path), sha, source or "", "", 0, 0, 0, 0, status="already")
                already.append(report)
                continue
            pending.append(PendingFile(path, sha, reread=True))
            continue
        pending.append(PendingFile(path, sha))
    return pending, already


def parsed_input(
    file: PendingFile,
    config_sources: Mapping[str, Mapping[str, Any]],
    source: str | None = None,
    *,
    strict: bool = True,
) -> ParsedInput:
    """One pending file parsed. Strict: an unreadable or unrecognised file raises InputError;
    otherwise the reason is kept and the commit records the file as skipped. A bad setting
    (OptionsError) always raises."""
    try:
        parsed = parsed_file(file.path, config_sources, source)
    except InputError as err:
        if strict:
            raise
        status = (
            Manifest.UNRECOGNISED
            if isinstance(err, Unrecognised | NotConfigured)
            else Manifest.UNREADABLE
        )
        return ParsedInput(
            file, None, err.reason, settings=settings_hash(None, config_sources), status=status
        )
    # Arrow columns hold a file's records in a fraction of the memory of Python dicts, and a
    # batch of parsed files waits for its commit.
    tables = {
        table: _with_origin(rows_to_table(table, rows), file.sha256)
        for table, rows in parsed.rows.items()
        if rows
    }
    parsed.rows = {}
    return ParsedInput(
        file, parsed, tables=tables, settings=settings_hash(parsed.source, config_sources)
    )


def _with_origin(table: pa.Table, sha256: str) -> pa.Table:
    """``table`` with ``ingested_from`` set to the file's sha256 on every row."""
    index = table.schema.get_field_index(Common.ingested_from)
    origin = pa.array([sha256] * table.num_rows, pa.string())
    return table.set_column(index, Common.ingested_from, origin)


def commit_inputs(lake: Lake, inputs: Sequence[ParsedInput]) -> list[FileReport]:
    """Write parsed inputs into the lake in one atomic commit (records reconciled with what the
    lake already holds, quarantine and manifest rows included); one report per input. A file
    read again replaces everything it gave before: its records and its quarantine rows."""
    good = [i for i in inputs if i.parsed is not None]
    unread = [i for i in inputs if i.parsed is None]
    now = datetime.now(UTC)
    replaced = {i.file.sha256 for i in inputs if i.file.reread}
    with lake.locked():
        batches = reconciled_batches(lake, _record_batches(inputs))
        batches[Quarantine.table] = _quarantine_table(good, unread, now)
        batches[Manifest.table] = _manifest_table(inputs, now)
        lake.upsert(batches, replace_files=replaced)
    return [_report(i) for i in inputs]


def _report(i: ParsedInput) -> FileReport:
    p = i.parsed
    if p is None:
        path, sha = str(i.file.path), i.file.sha256
        return FileReport(path, sha, "", i.status, 0, 0, 0, 0, status=i.status, reason=i.error)
    return FileReport(
        str(i.file.path),
        i.file.sha256,
        p.source,
        p.kind,
        p.read,
        p.accepted,
        len(p.rejected),
        p.deduplicated,
        p.skipped,
        p.truncated_alerts,
        notes=tuple(p.notes),
    )


def ingest_paths(
    lake: Lake,
    paths: Sequence[Path],
    *,
    source: str | None = None,
    config_sources: Mapping[str, Mapping[str, Any]] | None = None,
    force: bool = False,
    strict: bool = True,
    on_file: Callable[[Path], None] | None = None,
    batch_bytes: int = BATCH_BYTES,
) -> list[FileReport]:
    """Ingest ``paths`` (files or directories) into ``lake``, one atomic commit per batch.

    The [sources] settings are checked first (OptionsError: nothing is read). Files are parsed
    in batches of about ``batch_bytes`` of input (:func:`file_batches`); each batch is one
    commit, with the manifest rows of its files, so memory stays that of one batch and a run
    cut short leaves the lake at its last whole batch (a re-run reads only the files the
    manifest lacks). Strict: an unreadable or unrecognised file raises InputError and nothing
    of its batch is written (batches committed before it stay). Not strict (folders, nightly):
    such a file is listed with the reason and recorded in the manifest, and the rest is
    ingested. Files the manifest has with the same settings are not read again unless
    ``force``. Returns one report per file.
    """
    config_sources = config_sources or {}
    check_sources(config_sources)
    files = input_files(paths)
    pending, already = pending_files(lake, files, force=force, config_sources=config_sources)
    reports: list[FileReport] = []
    for batch in file_batches(pending, batch_bytes):
        inputs = []
        for file in batch:
            if on_file is not None:
                on_file(file.path)
            inputs.append(parsed_input(file, config_sources, source, strict=strict))
        reports += commit_inputs(lake, inputs)
        del inputs  # committed: the next batch is parsed without this one in memory
    reports += already
    order = {str(p): i for i, p in enumerate(files)}
    return sorted(reports, key=lambda r: order.get(r.path, 0))


def file_batches(
    files: Sequence[PendingFile], budget: int = BATCH_BYTES
) -> list[list[PendingFile]]:
    """``files`` in order, cut into runs of at most ``budget`` input bytes (a gzip file
    counted GZIP_FACTOR times; a larger file is a batch of its own). Files come sorted by
    path, so an export's files (usually in time order) share a batch with their neighbours,
    and a batch touches few month partitions."""
    batches: list[list[PendingFile]] = []
    size = 0
    for file in files:
        try:
            weight = file.path.stat().st_size * (GZIP_FACTOR if is_gzip(file.path) else 1)
        except OSError:
            weight = 0  # the read reports it
        if batches and size + weight <= budget:
            batches[-1].append(file)
            size += weight
        else:
            batches.append([file])
            size = weight
    return batches


def _record_batches(inputs: Sequence[ParsedInput]) -> dict[str, pa.Table]:
    batches: dict[str, pa.Table] = {}
    for table in RECORD_TABLES:
        parts = [i.tables[table] for i in inputs if table in i.tables]
        if parts:
            batches[table] = pa.concat_tables(parts)
    return batches


def _quarantine_table(
    good: Sequence[ParsedInput], unread: Sequence[ParsedInput], now: datetime
) -> pa.Table:
    rows = [
        {
            Quarantine.source: i.parsed.source,
            Quarantine.file: str(i.file.path),
            Quarantine.file_sha256: i.file.sha256,
            Quarantine.locator: r.locator,
            Quarantine.reason: r.reason,
            Quarantine.raw: r.raw,
            Quarantine.quarantined_at: now,
        }
        for i in good
        if i.parsed is not None
        for r in i.parsed.rejected
    ]
    rows += [  # a broken file is quarantined whole, so the data-quality figures show it
        {
            Quarantine.source: "unknown",
            Quarantine.file: str(i.file.path),
            Quarantine.file_sha256: i.file.sha256,
            Quarantine.locator: "(whole file)",
            Quarantine.reason: i.error,
            Quarantine.raw: None,
            Quarantine.quarantined_at: now,
        }
        for i in unread
        if i.status == Manifest.UNREADABLE
    ]
    return pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA)


def _manifest_table(inputs: Sequence[ParsedInput], now: datetime) -> pa.Table:
    rows = []
    for i in inputs:
        p = i.parsed
        rows.append(
            {
                Manifest.file_sha256: i.file.sha256,
                Manifest.file: str(i.file.path),
                Manifest.source: (p.source or None) if p is not None else None,
                Manifest.kind: p.kind if p is not None else i.status,
                Manifest.ingested_at: now,
                Manifest.read: p.read if p is not None else 0,
                Manifest.accepted: p.accepted if p is not None else 0,
                Manifest.quarantined: len(p.rejected) if p is not None else 0,
                Manifest.deduplicated: p.deduplicated if p is not None else 0,
                Manifest.skipped: p.skipped if p is not None else 0,
                Manifest.truncated_alerts: p.truncated_alerts if p is not None else 0,
                Manifest.settings: i.settings,
                Manifest.reason: i.error,
            }
        )
    return pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)
