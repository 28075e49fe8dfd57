"""The canonical frames an analysis reads, and the slices a review takes of them: the records
created before the end of the reviewed period, and one team's records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from alertlens.ingest.schema import (
    ALERTS_SCHEMA,
    INCIDENTS_SCHEMA,
    NOTIFICATIONS_SCHEMA,
    Alerts,
    Common,
    Incidents,
    Notifications,
)

#: Columns no analysis reads: the lake's bookkeeping (partition month, version, the file a row
#: came from) and fields kept for the record only. At 1M alerts they are 42 % of the bytes.
UNREAD: Final = frozenset({
    Common.month, Common.version_at, Common.ingested_from, Alerts.severity_raw,
    Alerts.dedup_count, Incidents.incident_number, Incidents.reassignment_count,
})
#: The columns of each lake table the analysis reads (in the schema's order).
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    schema_table: tuple(n for n in schema.names if n not in UNREAD)
    for schema_table, schema in ((Alerts.table, ALERTS_SCHEMA),
                                 (Incidents.table, INCIDENTS_SCHEMA),
                                 (Notifications.table, NOTIFICATIONS_SCHEMA))
}

_ALERT_TIMES = (Alerts.created_at, Alerts.acknowledged_at, Alerts.resolved_at)
_INCIDENT_TIMES = (Incidents.created_at, Incidents.acknowledged_at, Incidents.mitigated_at,
                   Incidents.resolved_at, Incidents.closed_at)


@dataclass(frozen=True)
class Frames:
    """Canonical alerts, incidents and notifications (ingest/schema.py); never modified."""

    alerts: pd.DataFrame
    incidents: pd.DataFrame
    notifications: pd.DataFrame

    @property
    def empty(self) -> bool:
        """No alert and no incident."""
        return self.alerts.empty and self.incidents.empty

    def created(self) -> pd.Series:
        """The creation time of every alert and incident."""
        parts = [s for s in (self.alerts[Alerts.created_at], self.incidents[Incidents.created_at])
                 if len(s)]
        if not parts:
            return pd.Series(dtype="datetime64[us, UTC]")
        return pd.concat(parts, ignore_index=True)

    def as_of(self) -> pd.Timestamp | None:
        """The newest time anywhere in the data: what is still open was open then."""
        times = [self.alerts[c] for c in _ALERT_TIMES] + [
            self.incidents[c] for c in _INCIDENT_TIMES
        ] + [self.notifications[Notifications.at]]
        latest = [s.max() for s in times if len(s) and s.notna().any()]
        return pd.Timestamp(max(latest)) if latest else None

    def before(self, end: pd.Timestamp) -> Frames:
        """Alerts and incidents created before ``end`` (with their whole later lifecycle), and
        the notifications about them or, when unlinked, sent before ``end``."""
        # a filter that keeps every row would still copy every column: skip it
        alerts = _kept(self.alerts, self.alerts[Alerts.created_at] < end)
        incidents = _kept(self.incidents, self.incidents[Incidents.created_at] < end)
        return Frames(alerts, incidents, self._notifications_of(alerts, incidents, end))

    def of_team(self, team: str) -> Frames:
        """``team``'s alerts and incidents and the notifications about them."""
        alerts = self.alerts[self.alerts[Alerts.team] == team]
        incidents = self.incidents[self.incidents[Incidents.team] == team]
        return Frames(alerts, incidents, self._notifications_of(alerts, incidents, None))

    def teams(self) -> list[str]:
        """Every team named by an alert or an incident, sorted."""
        names = pd.concat([self.alerts[Alerts.team], self.incidents[Incidents.team]])
        return sorted({str(t) for t in names.dropna() if str(t)})

    def _notifications_of(self, alerts: pd.DataFrame, incidents: pd.DataFrame,
                          end: pd.Timestamp | None) -> pd.DataFrame:
        notes = self.notifications
        if notes.empty:
            return notes
        linked = _linked(notes, incidents, alerts)
        unlinked = notes[Notifications.incident_id].isna() & notes[Notifications.alert_id].isna()
        if end is None:
            return _kept(notes, linked)
        return _kept(notes, linked | (unlinked & (notes[Notifications.at] < end)).to_numpy())


def _linked(notes: pd.DataFrame, incidents: pd.DataFrame, alerts: pd.DataFrame) -> np.ndarray:
    """Which ``notes`` name one of ``incidents`` or of ``alerts`` (by source and id)."""
    # every (source, id) pair as one integer: one factorisation of all the sources and one
    # of all the ids, instead of a MultiIndex (a factorisation per level) per lookup
    codes, _ = pd.factorize(pd.concat([notes[Notifications.source],
                                       incidents[Incidents.source], alerts[Alerts.source]],
                                      ignore_index=True))
    sources = codes.astype(np.int64)
    ids, uniques = pd.factorize(pd.concat([notes[Notifications.incident_id],
                                           notes[Notifications.alert_id],
                                           incidents[Incidents.incident_id],
                                           alerts[Alerts.alert_id]], ignore_index=True))
    n, k = len(notes), len(incidents)
    width = len(uniques) + 1

    def keys(source: np.ndarray, ident: np.ndarray) -> np.ndarray:
        return np.where((source >= 0) & (ident >= 0), source * width + ident, -1)

    note_incident = keys(sources[:n], ids[:n])
    note_alert = keys(sources[:n], ids[n:2 * n])
    incident_keys = keys(sources[n:n + k], ids[2 * n:2 * n + k])
    alert_keys = keys(sources[n + k:], ids[2 * n + k:])
    incident_keys, alert_keys = incident_keys[incident_keys >= 0], alert_keys[alert_keys >= 0]
    by_incident = np.isin(note_incident, incident_keys)
    by_alert = np.isin(note_alert, alert_keys)
    # An alert-only source's firing is the incident, so its notifications may name the
    # alert id in the incident column.
    by_firing = np.isin(note_incident, alert_keys)
    return by_incident | by_alert | by_firing


def _kept(frame: pd.DataFrame, keep: pd.Series | np.ndarray) -> pd.DataFrame:
    """The rows of ``frame`` where ``keep``; ``frame`` itself when that is every row."""
    mask = np.asarray(keep, dtype=bool)
    return frame if mask.all() else frame[mask]
