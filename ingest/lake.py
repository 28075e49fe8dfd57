"""The lake: hive-partitioned Parquet, upserted by key, committed atomically.

Layout::

    <lake>/<table>/source=<source>/month=<YYYY-MM>/part-0.parquet   record tables
    <lake>/quarantine/source=<source>/month=<YYYY-MM>/part-0.parquet
    <lake>/manifest/part-0.parquet
    <lake>/analysis/…                                              analysis outputs
    <lake>/_journal/commit.json                                   present only mid-commit
    <lake>/.lock                                                  writers' lock

Why this design (see docs/lake.md for the measurements): plain hive Parquet stays readable by
pandas, pyarrow, DuckDB, Spark and Dask with no special connector, and a partition rewrite with
temp file + ``os.replace`` upserts about 3x faster than Delta Lake here. What plain renames do not
give is all-or-nothing across partitions, so a commit is journalled: every new partition file is
first written as a hidden temp file and fsynced, then a journal listing the renames is fsynced
(the commit point), then the renames are applied. A crash before the journal leaves only hidden
temp files (swept later); a crash after it is rolled forward by the next writer or reader.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from alertlens.ingest.durable import atomic_write, fsync_dir
from alertlens.ingest.schema import (
    MANIFEST_SCHEMA,
    PARTITION_TIME,
    QUARANTINE_SCHEMA,
    RECORD_TABLES,
    Common,
    Manifest,
    Quarantine,
)

PART_FILE = "part-0.parquet"
#: Rows per Parquet row group of a part file (the unit ``read_where`` reads or skips).
ROW_GROUP_ROWS = 1 << 17
JOURNAL_DIR = "_journal"
JOURNAL_FILE = "commit.json"
LOCK_FILE = ".lock"
TMP_MARK = ".tmp-"

#: Tables with their schema, key and the column whose month partitions them (None: unpartitioned).
_QUARANTINE_KEY = (Quarantine.file_sha256, Quarantine.locator)
_MANIFEST_KEY = (Manifest.file_sha256,)


@dataclass(frozen=True)
class TableSpec:
    """How one lake table is stored."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    month_of: str | None  # timestamp column giving the month partition; None for no month
    by_source: bool = True
    version: str | None = Common.version_at


def table_specs() -> dict[str, TableSpec]:
    """Every table the lake stores, by name."""
    specs = {
        name: TableSpec(name, schema, key, PARTITION_TIME[name])
        for name, (schema, key) in RECORD_TABLES.items()
    }
    specs[Quarantine.table] = TableSpec(
        Quarantine.table,
        QUARANTINE_SCHEMA,
        _QUARANTINE_KEY,
        Quarantine.quarantined_at,
        version=Quarantine.quarantined_at,
    )
    specs[Manifest.table] = TableSpec(
        Manifest.table,
        MANIFEST_SCHEMA,
        _MANIFEST_KEY,
        None,
        by_source=False,
        version=Manifest.ingested_at,
    )
    return specs


SPECS = table_specs()


#: Arrow types read as pandas' nullable dtypes, so a null int or bool stays one.
_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def lake_frame(table: pa.Table) -> pd.DataFrame:
    """``table`` (canonical columns) as pandas, typed as every read of the lake types it: a
    null int or bool stays one (nullable dtypes), timestamps ``datetime64[us, UTC]``."""
    return table.to_pandas(types_mapper=_NULLABLE.get)


class LakeBusy(Exception):
    """Another process holds the lake's write lock."""


#: (resolved lake root, thread id) of the writer locks this process holds: a writer reads the
#: lake under its own exclusive lock, so its reads must not wait for a shared one.
_HELD: dict[tuple[Path, int], int] = {}


class LakeNotFoundError(FileNotFoundError):
    """Reading a lake that does not exist: an error, never an empty result."""


class Lake:
    """A lake rooted at ``root``. Readers take a shared file lock, the writer an exclusive one,
    so a read sees the lake before a commit or after it, never half of it."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    # --- paths --------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        """Whether the lake's folder exists (a missing lake is never read as an empty one)."""
        return self.root.is_dir()

    def table_dir(self, table: str) -> Path:
        """The directory of ``table``."""
        return self.root / table

    def partition_dir(self, table: str, source: str | None, month: str | None) -> Path:
        """The directory of one partition."""
        path = self.table_dir(table)
        if source is not None:
            path = path / f"source={source}"
        if month is not None:
            path = path / f"month={month}"
        return path

    # --- reading -------------------------------------------------------------------------

    def read_arrow(self, table: str, *, sources: Sequence[str] | None = None,
                   columns: Sequence[str] | None = None) -> pa.Table:
        """All rows of ``table`` (optionally only some sources, and only ``columns``, in the
        schema's order) with the canonical schema, read under the shared lock: the state after
        the last whole commit."""
        spec = SPECS[table]
        schema = _projected(spec.schema, columns)
        if not self.root.is_dir():
            raise LakeNotFoundError(f"{self.root}: no such lake (run `alertlens ingest` first)")
        with self.shared():
            parts = []
            for path in sorted(self.table_dir(table).rglob(PART_FILE)):
                source = _partition_value(path, "source")
                if sources is not None and source not in sources:
                    continue
                parts.append(_read_part(path, spec, source, schema))
        if not parts:
            return schema.empty_table()
        return pa.concat_tables(parts)

    @contextlib.contextmanager
    def shared(self, *, timeout: float = 600.0) -> Iterator[None]:
        """Hold the shared reader lock (nothing when this thread holds the writer lock, or
        the lake does not exist yet). A crashed commit is finished first."""
        if self._held() or not self.root.is_dir():
            yield
            return
        if (self.root / JOURNAL_DIR / JOURNAL_FILE).exists():
            with self.locked(timeout=timeout):  # roll the crashed commit forward
                pass
        try:
            fh = open(self.root / LOCK_FILE, "a+")  # noqa: SIM115 (held across the yield)
        except OSError:  # a read-only lake nobody can write to: nothing to wait for
            yield
            return
        with fh:
            _flock(fh.fileno(), fcntl.LOCK_SH, self.root, wait=True, timeout=timeout)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _held(self) -> bool:
        return (self.root.resolve(), threading.get_ident()) in _HELD

    def read(self, table: str, *, sources: Sequence[str] | None = None,
             columns: Sequence[str] | None = None) -> pd.DataFrame:
        """All rows of ``table`` (only ``columns`` when given) as a pandas frame (timestamps
        ``datetime64[us, UTC]``)."""
        return lake_frame(self.read_arrow(table, sources=sources, columns=columns))

    def read_where(
        self, table: str, source: str, matches: dict[str, Iterable[str]]
    ) -> pd.DataFrame:
        """The rows of ``table`` from ``source`` whose value in one of the ``matches`` columns
        is one of its values (a row matches when any column does), as :meth:`read` gives them.

        Only the source's partitions are opened, and of each only the key columns and then
        the row groups holding a match are read, so reconciling a batch does not read whole
        stored tables into memory."""
        spec = SPECS[table]
        wanted = {c: pa.array(sorted(set(v)), pa.string()) for c, v in matches.items()}
        wanted = {c: v for c, v in wanted.items() if len(v)}
        if not self.root.is_dir():
            raise LakeNotFoundError(f"{self.root}: no such lake (run `alertlens ingest` first)")
        stored = _stored_schema(spec)
        parts = []
        with self.shared():
            files = sorted(self.partition_dir(table, source, None).rglob(PART_FILE))
            for path in files if wanted else []:
                found = _matching_rows(path, stored, wanted)
                if found is not None:
                    parts.append(found)
        rows = pa.concat_tables(parts) if parts else None
        if rows is None:
            return lake_frame(spec.schema.empty_table())
        if spec.by_source:
            rows = rows.append_column(
                pa.field(Common.source, pa.string()),
                pa.array([source] * rows.num_rows, pa.string()),
            )
        return lake_frame(rows.select(spec.schema.names).cast(spec.schema))

    def read_filtered(self, table: str, columns: Sequence[str], rows: pc.Expression,
                      before: pd.Timestamp) -> pd.DataFrame:
        """The ``columns`` of the rows of ``table`` that ``rows`` selects among those created
        before ``before``, as :meth:`read` types them. Only the month partitions before
        ``before`` are opened, and only the row groups whose statistics can match are read
        (``rows`` may name any column, ``source`` and ``month`` included)."""
        spec = SPECS[table]
        wanted = pa.schema([spec.schema.field(c) for c in columns])
        folder = self.table_dir(table)
        with self.shared():
            files = [str(p) for p in sorted(folder.rglob(PART_FILE))] if folder.is_dir() else []
            if not files:
                return lake_frame(wanted.empty_table())
            partitions = pa.schema([(Common.source, pa.string()), (Common.month, pa.string())])
            dataset = ds.dataset(
                files, format="parquet", partition_base_dir=str(folder),
                partitioning=ds.partitioning(partitions, flavor="hive"),
                schema=pa.unify_schemas([_stored_schema(spec), partitions]),
            )
            # a record's month is that of its created_at in UTC
            last = (before - pd.Timedelta(microseconds=1)).tz_convert("UTC").strftime("%Y-%m")
            found = dataset.to_table(columns=list(columns),
                                     filter=rows & (pc.field(Common.month) <= last))
        return lake_frame(found.cast(wanted))

    def ingested_hashes(self) -> set[str]:
        """sha256 of every file the manifest records."""
        manifest = self.read_arrow(Manifest.table)
        return set(manifest.column(Manifest.file_sha256).to_pylist())

    def ingested_settings(self) -> dict[str, tuple[str | None, str | None]]:
        """sha256 -> (source, settings hash) of every file the manifest records."""
        m = self.read_arrow(Manifest.table)
        return dict(
            zip(
                m.column(Manifest.file_sha256).to_pylist(),
                zip(
                    m.column(Manifest.source).to_pylist(),
                    m.column(Manifest.settings).to_pylist(),
                    strict=True,
                ),
                strict=True,
            )
        )

    def row_counts(self) -> dict[str, int]:
        """Rows per table, for quick checks and the CLI."""
        return {name: self.read_arrow(name).num_rows for name in SPECS}

    # --- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, *, wait: bool = True, timeout: float = 600.0) -> Iterator[None]:
        """Hold the exclusive writer lock; recover a crashed commit first."""
        if self._held():
            yield  # re-entered by the thread that holds it
            return
        self.root.mkdir(parents=True, exist_ok=True)
        key = (self.root.resolve(), threading.get_ident())
        with open(self.root / LOCK_FILE, "a+") as fh:
            _flock(fh.fileno(), fcntl.LOCK_EX, self.root, wait=wait, timeout=timeout)
            _HELD[key] = 1
            try:
                self._recover()
                yield
            finally:
                del _HELD[key]
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def upsert(
        self, batches: dict[str, pa.Table], *, replace_files: Set[str] = frozenset()
    ) -> dict[str, int]:
        """Merge ``batches`` (table name -> rows) into the lake in one atomic commit.

        Within a key the row with the newest version wins; on a tie the incoming row wins, so
        re-ingesting the same rows changes nothing. The rows that files ``replace_files`` (sha256)
        gave before — records (``ingested_from``) and quarantine rows — are removed in the same
        commit: a file read again tells one story. Must be called while holding ``locked()``.
        Returns the number of rows written per table.
        """
        staged: list[tuple[Path, Path]] = []
        removed: list[Path] = []
        written: dict[str, int] = {}
        commit_id = uuid.uuid4().hex[:12]
        committed = False
        try:
            for table, spec in SPECS.items():
                batch = batches.get(table)
                drop = _replaced_column(table) if replace_files else None
                if (batch is None or batch.num_rows == 0) and drop is None:
                    continue
                parts: dict[Path, tuple[str | None, pa.Table | None]] = {}
                if batch is not None and batch.num_rows:
                    batch = _conform(batch, spec.schema)
                    written[table] = batch.num_rows
                    for (source, month), part in _split_partitions(batch, spec):
                        final = self.partition_dir(table, source, month) / PART_FILE
                        parts[final] = (source, part)
                if drop is not None:
                    for final in self.table_dir(table).rglob(PART_FILE):
                        parts.setdefault(final, (_partition_value(final, "source"), None))
                for final, (source, part) in parts.items():
                    merged = _merge(part, final, spec, source, drop, replace_files)
                    if merged is None:
                        continue  # nothing of the replaced files in it: left as it is
                    if merged.num_rows == 0:
                        removed.append(final)
                    else:
                        staged.append((_write_temp(merged, final, commit_id), final))
            if staged or removed:
                self._write_journal(staged, removed)
                committed = True
                self._roll_forward()
        except BaseException:
            if committed:  # past the commit point: the journal finishes it, keep the files
                raise
            for tmp, _ in staged:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
            raise
        return written

    def bulk_load(self, partitions: Iterable[tuple[str, pa.Table]]) -> dict[str, int]:
        """Write whole new partitions in one atomic commit.

        ``partitions`` yields (table, rows) where the rows are all of one (source, month)
        partition that the lake does not have yet: a generator filling a fresh lake, one
        partition at a time, so memory stays that of one partition (``upsert`` would merge,
        deduplicate and copy the whole batch). Rows are stored sorted as ``upsert`` stores
        them. A partition that exists already (or comes twice) or a key that repeats is a
        ValueError, and then nothing is written. Must be called while holding ``locked()``.
        Returns the number of rows written per table.
        """
        staged: list[tuple[Path, Path]] = []
        written: dict[str, int] = {}
        commit_id = uuid.uuid4().hex[:12]
        committed = False
        try:
            for table, rows in partitions:
                if rows.num_rows:
                    tmp, final = self._staged_partition(table, rows, commit_id)
                    staged.append((tmp, final))
                    if final in {f for _, f in staged[:-1]}:
                        raise ValueError(f"{final}: two batches of one partition")
                    written[table] = written.get(table, 0) + rows.num_rows
                del rows  # written: let the generator build the next one without it
            if staged:
                self._write_journal(staged, [])
                committed = True
                self._roll_forward()
        except BaseException:
            if not committed:  # past the commit point the journal finishes it: keep the files
                for tmp, _ in staged:
                    with contextlib.suppress(FileNotFoundError):
                        tmp.unlink()
            raise
        return written

    def _staged_partition(self, table: str, rows: pa.Table, commit_id: str) -> tuple[Path, Path]:
        spec = SPECS[table]
        rows = _conform(rows, spec.schema)
        source = _single_value(rows, Common.source) if spec.by_source else None
        month = None
        if spec.month_of is not None:
            times = rows.column(spec.month_of)
            months = pc.strftime(pa.array([pc.min(times), pc.max(times)]), format="%Y-%m")
            month = _single_value(pa.table({"m": months}), "m")
        final = self.partition_dir(table, source, month) / PART_FILE
        if final.exists():
            raise ValueError(f"{final}: bulk_load writes new partitions only; this one exists")
        own = [k for k in spec.key if not (spec.by_source and k == Common.source)]
        if len(own) == 1:  # the usual case: one id column within a partition of one source
            distinct = pc.count_distinct(rows.column(own[0])).as_py()
        else:
            distinct = rows.select(own).group_by(own).aggregate([]).num_rows
        if distinct != rows.num_rows:
            raise ValueError(f"{table} source={source} month={month}: a key repeats")
        return _write_temp(_in_partition_order(rows, spec), final, commit_id), final

    def _write_journal(self, staged: list[tuple[Path, Path]], removed: list[Path]) -> None:
        """Make the commit durable: once this returns, the renames (and removals) will happen."""
        journal_dir = self.root / JOURNAL_DIR
        journal_dir.mkdir(parents=True, exist_ok=True)
        entries = [
            [str(t.relative_to(self.root)), str(f.relative_to(self.root))] for t, f in staged
        ]
        gone = [str(f.relative_to(self.root)) for f in removed]
        journal = journal_dir / JOURNAL_FILE
        tmp = journal_dir / f".{JOURNAL_FILE}{TMP_MARK}{uuid.uuid4().hex[:8]}"
        atomic_write(journal, json.dumps({"renames": entries, "removes": gone}).encode(), tmp=tmp)

    def _roll_forward(self) -> None:
        journal = self.root / JOURNAL_DIR / JOURNAL_FILE
        if not journal.exists():
            return
        try:
            entry = json.loads(journal.read_text())
            renames, removes = entry["renames"], entry.get("removes", [])
        except (ValueError, KeyError):
            # A journal that never finished writing is not a commit: the rename to its final
            # name is the commit point, so a torn file here cannot come from this code.
            renames, removes = [], []
        dirs: set[Path] = set()
        for tmp_rel, final_rel in renames:
            tmp, final = self.root / tmp_rel, self.root / final_rel
            if tmp.exists():
                os.replace(tmp, final)
                dirs.add(final.parent)
        for gone_rel in removes:
            gone = self.root / gone_rel
            with contextlib.suppress(FileNotFoundError):
                gone.unlink()
                dirs.add(gone.parent)
        for d in dirs:
            fsync_dir(d)
        journal.unlink()
        fsync_dir(journal.parent)

    def _recover(self) -> None:
        self._roll_forward()
        for tmp in self.root.rglob(f".*{TMP_MARK}*"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


# --- helpers ------------------------------------------------------------------------------


def _flock(fd: int, mode: int, root: Path, *, wait: bool, timeout: float) -> None:
    """Take ``mode`` (LOCK_SH / LOCK_EX) on ``fd``, polling until ``timeout``; LakeBusy after."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if not wait or time.monotonic() > deadline:
                raise LakeBusy(f"{root}: another alertlens run holds the lake lock") from err
            time.sleep(0.05)


def _replaced_column(table: str) -> str | None:
    """The column naming the file a row came from, for tables a re-read file replaces."""
    if table == Quarantine.table:
        return Quarantine.file_sha256
    return Common.ingested_from if table in RECORD_TABLES else None


def _partition_value(path: Path, name: str) -> str | None:
    for part in path.parts:
        if part.startswith(f"{name}="):
            return part.split("=", 1)[1]
    return None


def _stored_schema(spec: TableSpec) -> pa.Schema:
    """The schema inside part files: the partition column ``source`` lives in the path only."""
    if not spec.by_source:
        return spec.schema
    return pa.schema([f for f in spec.schema if f.name != Common.source])


def _projected(schema: pa.Schema, columns: Sequence[str] | None) -> pa.Schema:
    """``schema`` narrowed to ``columns`` (kept in the schema's order); KeyError names an
    unknown column."""
    if columns is None:
        return schema
    unknown = sorted(set(columns) - set(schema.names))
    if unknown:
        raise KeyError(f"no such column(s): {', '.join(unknown)}")
    wanted = set(columns)
    return pa.schema([f for f in schema if f.name in wanted])


def _read_part(path: Path, spec: TableSpec, source: str | None,
               schema: pa.Schema | None = None) -> pa.Table:
    schema = spec.schema if schema is None else schema
    stored_schema = _stored_schema(spec)
    # only the columns asked for are decoded (Parquet is columnar)
    stored_columns = [n for n in schema.names if n in stored_schema.names]
    stored = pq.read_table(path, schema=stored_schema, columns=stored_columns)
    if spec.by_source and Common.source in schema.names:
        stored = stored.append_column(
            pa.field(Common.source, pa.string()),
            pa.repeat(pa.scalar(source, pa.string()), stored.num_rows),
        )
    return stored.select(schema.names).cast(schema)


def _matching_rows(path: Path, stored: pa.Schema, wanted: dict[str, pa.Array]) -> pa.Table | None:
    """The rows of one part file whose value in a ``wanted`` column is one of its values, or
    None when there is none. The key columns are read first; then only the row groups that
    hold a match (a partition is stored in time order, so a batch's keys cluster in a few)."""
    with pq.ParquetFile(path) as part:
        present = [c for c in wanted if c in part.schema_arrow.names]  # older files may lack one
        keys = part.read(columns=present)
        match = None
        for column in present:
            values = wanted[column]
            one = pc.fill_null(pc.is_in(keys.column(column), value_set=values), False)
            match = one if match is None else pc.or_(match, one)
        if match is None or not pc.any(match).as_py():
            return None
        groups, masks, start = [], [], 0
        for index in range(part.num_row_groups):
            size = part.metadata.row_group(index).num_rows
            mask = match.slice(start, size)
            if pc.any(mask).as_py():
                groups.append(index)
                masks.append(mask)
            start += size
        rows = part.read_row_groups(groups)
    mask = pa.chunked_array([c for m in masks for c in m.chunks], pa.bool_())
    return _conform(rows.filter(mask), stored)


def _conform(batch: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    for field in schema:
        if field.name in batch.column_names:
            columns.append(batch.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(batch.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _split_partitions(
    batch: pa.Table, spec: TableSpec
) -> Iterable[tuple[tuple[str | None, str | None], pa.Table]]:
    sources = batch.column(Common.source).to_pylist() if spec.by_source else [None] * batch.num_rows
    if spec.month_of is not None:
        months = pc.strftime(batch.column(spec.month_of), format="%Y-%m").to_pylist()
    else:
        months = [None] * batch.num_rows
    frame = pd.DataFrame({"s": sources, "m": months, "i": range(batch.num_rows)})
    for (source, month), group in frame.groupby(["s", "m"], dropna=False, sort=True):
        yield (_none_if_nan(source), _none_if_nan(month)), batch.take(group["i"].to_numpy())


def _none_if_nan(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def _merge(
    part: pa.Table | None,
    final: Path,
    spec: TableSpec,
    source: str | None,
    drop: str | None = None,
    drop_values: Set[str] = frozenset(),
) -> pa.Table | None:
    """The partition's rows after removing the rows whose ``drop`` column is in
    ``drop_values`` and upserting ``part``: newest version per key, incoming wins ties. None
    when there is nothing to change."""
    frames = []
    if final.exists():
        old = _read_part(final, spec, source)
        if drop is not None:
            gone = pc.is_in(old.column(drop), value_set=pa.array(sorted(drop_values), pa.string()))
            if part is None and not pc.any(gone).as_py():
                return None
            old = old.filter(pc.invert(pc.fill_null(gone, False)))
        frames.append(old)
    elif part is None:
        return None
    if part is None:
        return frames[0]
    untouched = None
    own = [k for k in spec.key if not (spec.by_source and k == Common.source)]
    if frames and len(own) == 1:
        # Only the stored rows whose key comes again are contested: the rest of the partition
        # (most of it, for a batch of a long export) is kept as it is, not sorted and deduped.
        stored = frames[0]
        keys = pc.unique(part.column(own[0]))
        contested = pc.fill_null(pc.is_in(stored.column(own[0]), value_set=keys), False)
        untouched = stored.filter(pc.invert(contested))
        frames = [stored.filter(contested)]
    frames.append(part)
    combined = pa.concat_tables(frames) if len(frames) > 1 else part
    n_old = combined.num_rows - part.num_rows
    positions = np.arange(combined.num_rows, dtype=np.int64)
    order = pa.array(positions)
    incoming = pa.array(positions >= n_old)
    keyed = combined.append_column("__order", order).append_column("__incoming", incoming)
    sort = [(k, "ascending") for k in spec.key]
    if spec.version is not None:
        sort.append((spec.version, "descending"))
    sort += [("__incoming", "descending"), ("__order", "descending")]
    ordered = keyed.sort_by(sort)
    keys = ordered.select(list(spec.key)).to_pandas()
    first = ~keys.duplicated(keep="first").to_numpy()
    kept = ordered.filter(pa.array(first)).drop_columns(["__order", "__incoming"])
    if untouched is not None:
        kept = pa.concat_tables([untouched, kept])
    return _in_partition_order(kept, spec)


def _in_partition_order(rows: pa.Table, spec: TableSpec) -> pa.Table:
    """Rows in the order a partition stores them: by time, then key."""
    return rows.sort_by(
        [(spec.month_of or spec.key[0], "ascending"), *[(k, "ascending") for k in spec.key]]
    )


def _single_value(rows: pa.Table, column: str) -> str | None:
    """The one value of ``column`` (ValueError when the rows hold several)."""
    values = pc.unique(rows.column(column)).to_pylist()
    if len(values) != 1:
        raise ValueError(f"rows of one partition hold {len(values)} values of {column}")
    return None if values[0] is None else str(values[0])


def _write_temp(table: pa.Table, final: Path, commit_id: str) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}{TMP_MARK}{commit_id}"
    in_path = _partition_value(final, "source") is not None
    stored = table.drop_columns([Common.source]) if in_path else table
    # row groups of ROW_GROUP_ROWS: reconciliation reads only the groups holding its keys
    pq.write_table(stored, tmp, compression="zstd", row_group_size=ROW_GROUP_ROWS)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    return tmp
