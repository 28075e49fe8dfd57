"""How often things break: incidents and pages per week, the severity mix, MTBF per service."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.population import RESOLVE_TIME, WEEK, iso_week
from alertlens.analysis.response.durations import UNKNOWN_GROUP
from alertlens.ingest.schema import Alerts, Incidents


def counted_incidents(population: pd.DataFrame) -> pd.DataFrame:
    """The population minus merged-away incidents (they are folded into another incident)."""
    return population[population[Incidents.merged_into].isna()]


def paged_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """Alerts that paged someone (``paged`` true), with their ISO week."""
    if alerts.empty:
        return alerts.assign(**{WEEK: pd.Series(dtype=object)})
    paged = alerts[alerts[Alerts.paged].astype("boolean").fillna(False).astype(bool)]
    return paged.assign(**{WEEK: iso_week(paged[Alerts.created_at])})


def week_range(first: str, last: str) -> list[str]:
    """Every ISO week label from ``first`` to ``last`` inclusive."""
    start = pd.Timestamp.fromisocalendar(int(first[:4]), int(first[6:]), 1)
    end = pd.Timestamp.fromisocalendar(int(last[:4]), int(last[6:]), 1)
    mondays = pd.date_range(start, end, freq="7D", tz="UTC")
    return list(iso_week(pd.Series(mondays)))


def observed_weeks(population: pd.DataFrame, alerts: pd.DataFrame) -> list[str]:
    """All weeks between the first and the last incident or alert, gaps included."""
    labels = list(population[WEEK].dropna())
    if not alerts.empty:
        labels += list(iso_week(alerts[Alerts.created_at]).dropna())
    return week_range(min(labels), max(labels)) if labels else []


def incidents_per_week(
    population: pd.DataFrame, alerts: pd.DataFrame, weeks: list[str]
) -> pd.DataFrame:
    """week, team, service, incidents, pages: one row per week × team × service that had any.

    Weeks with nothing are absent here; ``weekly_totals`` fills them with zeros.
    """
    counted = counted_incidents(population)
    inc = _grouped_counts(counted, WEEK, Incidents.team, Incidents.service, "incidents")
    pages = paged_alerts(alerts)
    pag = _grouped_counts(pages, WEEK, Alerts.team, Alerts.service, "pages")
    table = inc.merge(pag, on=["week", "team", "service"], how="outer")
    table = table[table["week"].isin(weeks)]
    table[["incidents", "pages"]] = table[["incidents", "pages"]].fillna(0).astype("int64")
    return table.sort_values(["week", "team", "service"]).reset_index(drop=True)


def weekly_totals(per_week: pd.DataFrame, weeks: list[str]) -> pd.DataFrame:
    """week, incidents, pages over every week (zero-filled)."""
    totals = per_week.groupby("week")[["incidents", "pages"]].sum()
    totals = totals.reindex(weeks, fill_value=0).rename_axis("week").reset_index()
    return totals.astype({"incidents": "int64", "pages": "int64"})


def severity_mix(population: pd.DataFrame) -> pd.DataFrame:
    """severity, incidents, share: how incidents split across severities."""
    counted = counted_incidents(population)
    sev = counted[Incidents.severity].fillna("unknown").astype(str)
    counts = sev.value_counts().sort_index()
    total = int(counts.sum())
    return pd.DataFrame({"severity": counts.index.astype(str), "incidents": counts.to_numpy(),
                         "share": counts.to_numpy() / total if total else []})


def mtbf_by_service(population: pd.DataFrame) -> pd.DataFrame:
    """service, incidents, mtbf_seconds, mean_seconds_between_starts.

    MTBF is the mean up-time between failures: for each incident after the first, the time from
    the latest resolution so far to its start (0 when it started while an earlier one was still
    open; an unresolved incident counts as ending when it started). Services with a
    single incident have no MTBF.
    """
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
            "service": name, "incidents": len(group),
            "mtbf_seconds": float(gaps.mean()) if len(gaps) else np.nan,
            "mean_seconds_between_starts": float(starts.mean()) if len(starts) else np.nan,
        })
    return pd.DataFrame(rows, columns=["service", "incidents", "mtbf_seconds",
                                       "mean_seconds_between_starts"])


def _grouped_counts(frame: pd.DataFrame, week: str, team: str, service: str,
                    name: str) -> pd.DataFrame:
    keys = pd.DataFrame({
        "week": frame[week].astype(object),
        "team": frame[team].astype(object).where(frame[team].notna(), UNKNOWN_GROUP),
        "service": frame[service].astype(object).where(frame[service].notna(), UNKNOWN_GROUP),
    })
    counts = keys.groupby(["week", "team", "service"]).size()
    return counts.rename(name).reset_index()
