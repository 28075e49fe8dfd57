"""Fields that span files, recomputed from everything the lake holds plus what arrives.

PagerDuty's incidents, alerts and log entries come as separate exports in any order, and one
Alertmanager firing reaches several receivers in several files. Before a commit, the records a
batch touches are merged with their stored versions (newest wins, as in the lake) and the
cross-file fields are derived again, so the stored result never depends on file order.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alertlens.ingest.lake import Lake
from alertlens.ingest.readers.pagerduty_lifecycle import (
    incident_log_facts,
    reconciled_alerts,
    reconciled_incidents,
)
from alertlens.ingest.schema import RECORD_TABLES, Alerts, Common, Incidents, Notifications


def reconciled_batches(lake: Lake, batches: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Batches with the cross-file fields of PagerDuty and Alertmanager records recomputed."""
    batches = _reconciled_pagerduty(lake, batches)
    batches = _reconciled_opsgenie(lake, batches)
    return _reconciled_alertmanager(lake, batches)


def _of_source(batch: pa.Table | None, source: str) -> pd.DataFrame:
    if batch is None or batch.num_rows == 0:
        return pd.DataFrame()
    # filtered in Arrow first: only the source's rows are converted
    return batch.filter(_is_source(batch, source)).to_pandas()


def _is_source(batch: pa.Table, source: str) -> pa.ChunkedArray:
    return pc.fill_null(pc.equal(batch.column(Common.source), source), False)


def _newest(frames: list[pd.DataFrame], key: tuple[str, ...]) -> pd.DataFrame:
    """One row per key: newest version_at, later frames winning ties (the lake's upsert rule)."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame()
    both = pd.concat(frames, ignore_index=True)
    both["__order"] = range(len(both))
    both = both.sort_values([Common.version_at, "__order"], na_position="first", kind="stable")
    return both.drop_duplicates(list(key), keep="last").drop(columns="__order")


def _reconciled_pagerduty(lake: Lake, batches: dict[str, pa.Table]) -> dict[str, pa.Table]:
    src = "pagerduty"
    new_inc = _of_source(batches.get(Incidents.table), src)
    new_alerts = _of_source(batches.get(Alerts.table), src)
    new_notes = _of_source(batches.get(Notifications.table), src)
    if new_inc.empty and new_alerts.empty and new_notes.empty:
        return batches
    affected: set[str] = set()
    for frame, col in (
        (new_inc, Incidents.incident_id),
        (new_alerts, Alerts.incident_id),
        (new_notes, Notifications.incident_id),
    ):
        if not frame.empty:
            affected.update(frame[col].dropna())

    # A merged-away incident's alert moves to the incident it was merged into; its page stays
    # with the merged one, so both sides of every merge are reconciled together. Only the
    # stored incidents on either side of a merge with an affected one are read: those of the
    # affected ids first, then those of the merge targets this adds.
    def stored_incidents(ids: set[str]) -> pd.DataFrame:
        return lake.read_where(
            Incidents.table, src, {Incidents.incident_id: ids, Incidents.merged_into: ids}
        )

    known = [stored_incidents(affected), new_inc]
    every_inc = _newest(known, Incidents.key)
    if not every_inc.empty:
        merged = every_inc[Incidents.merged_into].notna()
        touched = every_inc[Incidents.incident_id].isin(affected)
        targets = set(every_inc.loc[merged & touched, Incidents.merged_into]) - affected
        affected.update(targets)
        if targets:
            every_inc = _newest([stored_incidents(targets), *known], Incidents.key)
            merged = every_inc[Incidents.merged_into].notna()
        affected.update(
            every_inc.loc[
                merged & every_inc[Incidents.merged_into].isin(affected), Incidents.incident_id
            ]
        )

    def stored(table: str, col: str) -> pd.DataFrame:
        return lake.read_where(table, src, {col: affected})

    incidents = (
        every_inc[every_inc[Incidents.incident_id].isin(affected)]
        if not every_inc.empty
        else every_inc
    )
    alerts = _newest([stored(Alerts.table, Alerts.incident_id), new_alerts], Alerts.key)
    notes = _newest(
        [stored(Notifications.table, Notifications.incident_id), new_notes], Notifications.key
    )
    facts = incident_log_facts(notes)
    if not incidents.empty:
        incidents = reconciled_incidents(incidents, alerts, facts)
    if not alerts.empty:
        alerts = reconciled_alerts(
            alerts, incidents if not incidents.empty else _empty(Incidents.table), facts
        )
    out = dict(batches)
    for table, frame in ((Incidents.table, incidents), (Alerts.table, alerts)):
        others = _others(batches.get(table), src)
        parts = [p for p in (others, _to_arrow(table, frame)) if p is not None and p.num_rows]
        if parts:
            out[table] = pa.concat_tables(parts)
    return out


def _reconciled_alertmanager(lake: Lake, batches: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """A firing paged if any of its notifications, in any file of this batch or of an earlier
    ingest, went to a paging receiver."""
    src = "alertmanager"
    new = _of_source(batches.get(Alerts.table), src)
    if new.empty:
        return batches
    old = lake.read_where(Alerts.table, src, {Alerts.alert_id: set(new[Alerts.alert_id])})
    seen = pd.concat([f for f in (old, new) if not f.empty], ignore_index=True)
    paged_anywhere = (
        seen[Alerts.paged].astype("boolean").fillna(False).groupby(seen[Alerts.alert_id]).any()
    )
    newest = _newest([old, new], Alerts.key)
    newest[Alerts.paged] = newest[Alerts.alert_id].map(paged_anywhere).astype(bool)
    out = dict(batches)
    out[Alerts.table] = pa.concat_tables(
        [
            p
            for p in (_others(batches.get(Alerts.table), src), _to_arrow(Alerts.table, newest))
            if p is not None
        ]
    )
    return out


#: Opsgenie log channels ("Sent [voice] notification to …") that interrupt a person.
OPSGENIE_PAGING_CHANNELS = frozenset({"voice", "sms", "mobile", "push", "phone"})


def _reconciled_opsgenie(lake: Lake, batches: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """An Opsgenie alert paged when its logs show a notification by voice, SMS or mobile push;
    notified by e-mail only, it did not. The logs come in files of their own, in any order; an
    alert without logged notifications keeps what its priority says (the reader's default)."""
    src = "opsgenie"
    new_alerts = _of_source(batches.get(Alerts.table), src)
    new_notes = _of_source(batches.get(Notifications.table), src)
    if new_alerts.empty and new_notes.empty:
        return batches
    affected = set(new_alerts[Alerts.alert_id]) if not new_alerts.empty else set()
    if not new_notes.empty:
        affected |= set(new_notes[Notifications.alert_id].dropna())
    stored = lake.read_where(Alerts.table, src, {Alerts.alert_id: affected})
    alerts = _newest([stored, new_alerts], Alerts.key)
    if alerts.empty:
        return batches
    stored_notes = lake.read_where(Notifications.table, src, {Notifications.alert_id: affected})
    notes = _newest([stored_notes, new_notes], Notifications.key)
    notify = notes[notes[Notifications.kind] == "notify"] if not notes.empty else notes
    if not notify.empty:
        channel = notify[Notifications.channel].astype(object).str.lower()
        paging = channel.isin(OPSGENIE_PAGING_CHANNELS).groupby(notify[Notifications.alert_id])
        by_logs = alerts[Alerts.alert_id].map(paging.any())
        alerts[Alerts.paged] = by_logs.where(by_logs.notna(), alerts[Alerts.paged])
    out = dict(batches)
    parts = [_others(batches.get(Alerts.table), src), _to_arrow(Alerts.table, alerts)]
    out[Alerts.table] = pa.concat_tables([p for p in parts if p is not None and p.num_rows])
    return out


def _others(batch: pa.Table | None, source: str) -> pa.Table | None:
    if batch is None:
        return None
    return batch.filter(pc.invert(_is_source(batch, source)))


def _empty(table: str) -> pd.DataFrame:
    return RECORD_TABLES[table][0].empty_table().to_pandas()


def _to_arrow(table: str, frame: pd.DataFrame) -> pa.Table | None:
    if frame.empty:
        return None
    return _to_arrow_frame(RECORD_TABLES[table][0], frame)


def _to_arrow_frame(schema: pa.Schema, frame: pd.DataFrame) -> pa.Table:
    missing = {
        f.name: pd.Series([None] * len(frame), index=frame.index, dtype=object)
        for f in schema
        if f.name not in frame
    }
    full = frame.assign(**missing) if missing else frame
    return pa.Table.from_pandas(full[schema.names], schema=schema, preserve_index=False)
