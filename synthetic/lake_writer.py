"""Write a simulated world straight into a lake: the rows ingesting its exports would give, in
the lake's own layout, without writing or parsing a byte of JSON.

The world is simulated once (numpy arrays, a few hundred bytes per firing); then each month is
turned into Arrow rows a partition at a time (one (table, source, month) partition is in memory
at once, titles rendered in chunks of firings) and written through ``Lake.bulk_load``: one
atomic commit, the lake's partition files and sort order, a manifest row per source saying
which generator run the rows came from (their ``ingested_from``). See docs/generator.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alertlens.ingest.lake import PART_FILE, Lake
from alertlens.ingest.schema import (
    MANIFEST_SCHEMA,
    RECORD_TABLES,
    Alerts,
    Incidents,
    Manifest,
    Notifications,
)
from alertlens.synthetic import model as m
from alertlens.synthetic.lake_alertmanager import RESOLVE, TRIGGER, AlertmanagerWorld, event_rows
from alertlens.synthetic.lake_pagerduty import PagerDutyWorld
from alertlens.synthetic.pagerduty_log import LogTable, active_incidents, log_table
from alertlens.synthetic.scenarios import DEFAULT_END
from alertlens.synthetic.texts import firing_texts
from alertlens.synthetic.truth import expected_numbers
from alertlens.synthetic.world import ExportLayout, export_layout, simulated_world

Progress = Callable[[str, int, int], None]  # (stage, done, total)

#: Firings whose titles are rendered at once: bounds the Python objects alive.
CHUNK = 200_000


@dataclass(frozen=True)
class LakeWritten:
    """What ``write_lake`` wrote: rows per table and the world's headline numbers."""

    world: m.World
    rows: dict[str, int]
    expected: dict[str, object]


class LakeNotEmpty(ValueError):
    """The target lake already holds records: a generated lake is only written fresh."""


def origin(description: str, source: str) -> tuple[str, str]:
    """(file, sha256) of the manifest row of ``source`` rows made by a generator run."""
    file = f"generated: {description} ({source})"
    return file, hashlib.sha256(file.encode()).hexdigest()


def write_lake(
    scenario: str,
    root: Path,
    *,
    seed: int = 1,
    weeks: float = 12,
    end: datetime = DEFAULT_END,
    target_alerts: int = 1_000_000,
    until: datetime | None = None,
    layout: ExportLayout | None = None,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> LakeWritten:
    """Simulate ``scenario`` and write the lake ingesting its exports would give, at ``root``.

    Args:
        scenario, seed, weeks, end, target_alerts: as for ``world.generate``.
        root: the lake; it must hold no records yet (LakeNotEmpty).
        until: keep only the records created before this instant (notifications: sent), each
            in its final state: the lake a nightly finds when the exports of
            ``generate(..., since=until)`` arrive; ingesting those gives the whole world's lake.
        layout: the export file layout the rows should match (``dedup_count`` of Alertmanager
            alerts depends on it); default ``export_layout`` of the world's size.
        progress: called as ``progress(stage, done, total)``.
        chunk: firings rendered at once.
    """
    report = progress or (lambda _s, _d, _t: None)
    lake = Lake(root)
    _refuse_filled(lake)
    report("simulating", 0, 1)
    world, assembly = simulated_world(
        scenario, seed=seed, weeks=weeks, end=end, target_alerts=target_alerts
    )
    n = len(assembly.firings)
    shape = layout or export_layout(n)
    description = (
        f"alertlens generate --scenario {scenario} --seed {seed} --weeks {weeks:g} "
        f"--end {end.date().isoformat()} --target-alerts {target_alerts}"
        + ("" if until is None else f" --until {until.isoformat()}")
    )
    report("deriving", 0, 1)
    writer = _MonthWriter(
        world,
        PagerDutyWorld(world, assembly),
        AlertmanagerWorld(world, assembly, shape.lines_per_file),
        description,
        None if until is None else int(until.timestamp() * 1000),
        chunk,
        report,
    )
    with lake.locked():
        rows = lake.bulk_load(writer.partitions())
    return LakeWritten(world, rows, expected_numbers(world, assembly))


def _refuse_filled(lake: Lake) -> None:
    for table in (*RECORD_TABLES, Manifest.table):
        if any(lake.table_dir(table).rglob(PART_FILE)):
            raise LakeNotEmpty(
                f"{lake.root} already holds {table}: a generated lake is written into an empty "
                "directory (ingest adds exports to an existing lake)"
            )


class _MonthWriter:
    """The partitions of a world, month by month."""

    def __init__(
        self,
        world: m.World,
        pd: PagerDutyWorld,
        am: AlertmanagerWorld,
        description: str,
        until_ms: int | None,
        chunk: int,
        report: Progress,
    ) -> None:
        self.world, self.pd, self.am = world, pd, am
        self.until_ms = until_ms
        self.chunk = chunk
        self.report = report
        self.origins = {s: origin(description, s) for s in (m.PAGERDUTY, m.ALERTMANAGER)}
        self.rows = {s: 0 for s in self.origins}
        self.done = 0

    def partitions(self) -> Iterator[tuple[str, pa.Table]]:
        """(table, rows of one partition) for every partition, then the manifest."""
        f = self.pd.assembly.firings
        on_pd = self.pd.assembly.incident >= 0
        opened = np.full(len(f), -1, dtype=np.int64)
        incidents = self.pd.assembly.incidents
        opened[incidents.trigger] = np.arange(len(incidents))
        log_offset = 0
        resolves: dict[int, list[pa.Table]] = {}  # month -> resolve events of older alerts
        for month, start_ms, end_ms in _months(self.world):
            stop = end_ms if self.until_ms is None else min(end_ms, self.until_ms)
            block = np.arange(*np.searchsorted(f.start, [start_ms, max(start_ms, stop)]))
            pd_firings, am_firings = block[on_pd[block]], block[self.am.listed[block]]
            yield from self._pagerduty(pd_firings, opened)
            active = active_incidents(self.pd.assembly, start_ms, end_ms)
            log = _rows_between(log_table(self.world, self.pd.assembly, active), start_ms, end_ms)
            kept = log.at < stop
            first_id, log_offset = log_offset, log_offset + len(log)
            if kept.any():
                log = _subset(log, kept)
                notes = self.pd.log_rows(log, first_id, self._sha(m.PAGERDUTY))
                del log, active
                yield self._counted(Notifications.table, m.PAGERDUTY, notes)
                del notes
            events = []
            alerts = self._alertmanager(am_firings)
            if alerts is not None:
                yield self._counted(Alerts.table, m.ALERTMANAGER, alerts)
                sha = self._sha(m.ALERTMANAGER)
                events.append(event_rows(alerts, TRIGGER, sha))
                for later, part in _by_month(event_rows(alerts, RESOLVE, sha)):
                    resolves.setdefault(later, []).append(part)
                del alerts
            events += resolves.pop(month, [])
            notes = pa.concat_tables(events) if events else None
            if notes is not None and self.until_ms is not None:
                notes = notes.filter(pc.less(notes.column(Notifications.at), _ts(self.until_ms)))
            if notes is not None and notes.num_rows:
                yield self._counted(Notifications.table, m.ALERTMANAGER, notes)
        yield Manifest.table, self._manifest()

    def _pagerduty(self, firings: np.ndarray, opened: np.ndarray) -> Iterator[tuple[str, pa.Table]]:
        alerts, incidents = [], []
        sha = self._sha(m.PAGERDUTY)
        for part in _chunks(firings, self.chunk):
            texts = firing_texts(self.world, self.pd.assembly.firings.take(part))
            alerts.append(self.pd.alert_rows(part, texts, sha))
            opener = opened[part] >= 0
            titles = [t.pd for t, o in zip(texts.rendered, opener.tolist(), strict=True) if o]
            incidents.append(self.pd.incident_rows(opened[part][opener], titles, sha))
            self._tick(len(part))
        if alerts:
            yield self._counted(Alerts.table, m.PAGERDUTY, pa.concat_tables(alerts))
            table = pa.concat_tables(incidents)
            if table.num_rows:
                yield self._counted(Incidents.table, m.PAGERDUTY, table)

    def _alertmanager(self, firings: np.ndarray) -> pa.Table | None:
        parts = []
        for part in _chunks(firings, self.chunk):
            texts = firing_texts(self.world, self.am.assembly.firings.take(part))
            parts.append(self.am.alert_rows(part, texts, self._sha(m.ALERTMANAGER)))
            self._tick(len(part))
        return pa.concat_tables(parts) if parts else None

    def _sha(self, source: str) -> str:
        return self.origins[source][1]

    def _counted(self, table: str, source: str, rows: pa.Table) -> tuple[str, pa.Table]:
        self.rows[source] += rows.num_rows
        # what the previous partition left in Arrow's allocator goes back to the system
        pa.default_memory_pool().release_unused()
        return table, rows

    def _tick(self, count: int) -> None:
        self.done += count
        self.report("writing", self.done, len(self.pd.assembly.firings))

    def _manifest(self) -> pa.Table:
        now = datetime.now(UTC)
        rows = [
            {
                Manifest.file_sha256: sha,
                Manifest.file: file,
                Manifest.source: source,
                Manifest.kind: f"{source}.generated",
                Manifest.ingested_at: now,
                Manifest.read: self.rows[source],
                Manifest.accepted: self.rows[source],
                Manifest.quarantined: 0,
                Manifest.deduplicated: 0,
                Manifest.skipped: 0,
                Manifest.truncated_alerts: 0,
            }
            for source, (file, sha) in self.origins.items()
            if self.rows[source]
        ]
        return pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)


def _months(world: m.World) -> Iterator[tuple[int, int, int]]:
    """(month number, start ms, end ms) of every calendar month (UTC) a record may fall in:
    from the window's start to a day past its end (an assignment logged after the last
    incident opened)."""
    first = np.datetime64(world.start.replace(tzinfo=None), "M")
    last = np.datetime64((world.end + timedelta(days=1)).replace(tzinfo=None), "M")
    for month in range(int(first.astype(np.int64)), int(last.astype(np.int64)) + 1):
        start = np.datetime64(month, "M").astype("datetime64[ms]").astype(np.int64)
        end = np.datetime64(month + 1, "M").astype("datetime64[ms]").astype(np.int64)
        yield month, int(start), int(end)


def _rows_between(log: LogTable, start_ms: int, end_ms: int) -> LogTable:
    return _subset(log, (log.at >= start_ms) & (log.at < end_ms))


def _subset(log: LogTable, keep: np.ndarray) -> LogTable:
    return LogTable(
        incident=log.incident[keep],
        kind=log.kind[keep],
        at=log.at[keep],
        user=log.user[keep],
        channel=log.channel[keep],
        resolver=log.resolver[keep],
        channel_names=log.channel_names,
    )


def _by_month(events: pa.Table) -> Iterator[tuple[int, pa.Table]]:
    """``events`` split by the UTC month (as a month number) of their time."""
    if not events.num_rows:
        return
    at = events.column(Notifications.at).to_numpy()
    months = at.astype("datetime64[M]").astype(np.int64)
    for month in np.unique(months).tolist():
        yield month, events.filter(pa.array(months == month))


def _chunks(values: np.ndarray, size: int) -> Iterator[np.ndarray]:
    for first in range(0, len(values), size):
        yield values[first : first + size]


def _ts(ms: int) -> pa.Scalar:
    return pa.scalar(ms * 1000, pa.timestamp("us", tz="UTC"))
