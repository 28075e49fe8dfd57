"""How often things break: incidents and pages per week, the severity mix, MTBF per service."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.calendar import iso_week
from alertlens.analysis.incidents.population import RESOLVE_TIME, UNKNOWN_GROUP, WEEK
from alertlens.ingest.metrics_schema import IncidentsWeekly, MtbfByService, SeverityMix
from alertlens.ingest.schema import Alerts, Incidents

UNKNOWN_SEVERITY: Final = "unknown"


def counted_incidents(population: pd.DataFrame) -> pd.DataFrame:
    """The population minus merged-away incidents (they are folded into another incident)."""
    kept = population[Incidents.merged_into].isna().to_numpy(dtype=bool)
    return population if kept.all() else population[kept]  # a no-op filter would copy


def paged_alerts(alerts: pd.DataFrame, timezone: str = "UTC") -> pd.DataFrame:
    """Alerts that paged someone (``paged`` true), with their ISO week on ``timezone``'s clock."""
    if alerts.empty:
        return alerts.assign(**{WEEK: pd.Series(dtype=object)})
    paged = alerts[alerts[Alerts.paged].astype("boolean").fillna(False).astype(bool)]
    return paged.assign(**{WEEK: iso_week(paged[Alerts.created_at], timezone)})


def incidents_per_week(
    population: pd.DataFrame, alerts: pd.DataFrame, weeks: list[str], timezone: str = "UTC"
) -> pd.DataFrame:
    """``IncidentsWeekly``: one row per week x team x service that had incidents or pages."""
    w = IncidentsWeekly
    counted = counted_incidents(population)
    inc = _grouped_counts(counted, WEEK, Incidents.team, Incidents.service, w.incidents)
    # the columns it counts by: filtering every column of the alerts would copy them all
    pages = paged_alerts(alerts[[Alerts.created_at, Alerts.paged, Alerts.team, Alerts.service]],
                         timezone)
    pag = _grouped_counts(pages, WEEK, Alerts.team, Alerts.service, w.pages)
    table = inc.merge(pag, on=[w.week, w.team, w.service], how="outer")
    table = table[table[w.week].isin(weeks)]
    table[[w.incidents, w.pages]] = table[[w.incidents, w.pages]].fillna(0).astype("int64")
    return table.sort_values([w.week, w.team, w.service]).reset_index(drop=True)


def severity_mix(population: pd.DataFrame) -> pd.DataFrame:
    """``SeverityMix``: how incidents split across severities."""
    counted = counted_incidents(population)
    sev = counted[Incidents.severity].fillna(UNKNOWN_SEVERITY).astype(str)
    counts = sev.value_counts().sort_index()
    total = int(counts.sum())
    return pd.DataFrame({SeverityMix.severity: counts.index.astype(str),
                         SeverityMix.incidents: counts.to_numpy(),
                         SeverityMix.share: counts.to_numpy() / total if total else []})


def mtbf_by_service(population: pd.DataFrame) -> pd.DataFrame:
    """``MtbfByService``: service, incidents, mtbf_seconds, mean_seconds_between_starts.

    MTBF is the mean up-time between failures: for each incident after the first, the time from
    the latest resolution so far to its start (0 when it started while an earlier one was still
    open; an unresolved incident counts as ending when it started). Services with a
    single incident have no MTBF.
    """
    m = MtbfByService
    counted = counted_incidents(population)
    rows = []
    service = counted[Incidents.service].fillna(UNKNOWN_GROUP).astype(str)
    for name, group in counted.groupby(service, sort=True):
        created = group[Incidents.created_at].to_numpy(dtype="datetime64[us]").astype("int64")
        ended = (group[RESOLVE_TIME].fillna(group[Incidents.created_at])
                 .to_numpy(dtype="datetime64[us]").astype("int64"))
        latest_end = np.maximum.accumulate(ended)[:-1]
        gaps = np.clip(created[1:] - latest_end, 0, None) / 1e6
        starts = np.diff(created) / 1e6
        rows.append({
            m.service: name, m.incidents: len(group),
            m.mtbf_seconds: float(gaps.mean()) if len(gaps) else np.nan,
            m.mean_seconds_between_starts: float(starts.mean()) if len(starts) else np.nan,
        })
    return pd.DataFrame(rows, columns=[m.service, m.incidents, m.mtbf_seconds,
                                       m.mean_seconds_between_starts])


def _grouped_counts(frame: pd.DataFrame, week: str, team: str, service: str,
                    name: str) -> pd.DataFrame:
    w = IncidentsWeekly
    keys = pd.DataFrame({
        w.week: frame[week].astype(object),
        w.team: frame[team].astype(object).where(frame[team].notna(), UNKNOWN_GROUP),
        w.service: frame[service].astype(object).where(frame[service].notna(), UNKNOWN_GROUP),
    })
    counts = keys.groupby([w.week, w.team, w.service]).size()
    return counts.rename(name).reset_index()
