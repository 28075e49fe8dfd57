"""Repeat incidents: the same rule (or title template on the same service) firing again soon.

An incident is a *repeat* when the previous incident with the same recurrence key (the rule of
its first alert, else source + service + title template) was resolved at most ``window`` before
it started — or was still open when it started. An unresolved previous incident is measured from
its start. Incidents with no key (no rule and no title) are never repeats and are left out of the
rates' denominators.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.analysis.incidents.population import RECURRENCE_KEY, RESOLVE_TIME, WEEK
from alertlens.analysis.response.durations import UNKNOWN_GROUP
from alertlens.ingest.schema import Incidents

_COLUMNS = [Incidents.source, Incidents.incident_id, Incidents.title, Incidents.team,
            Incidents.service, RECURRENCE_KEY, Incidents.created_at, WEEK]


def recurrences(population: pd.DataFrame, *, window: pd.Timedelta) -> pd.DataFrame:
    """Per keyed incident: previous_id, gap_seconds, is_repeat and recurred_after (the next
    incident with the same key was a repeat of this one)."""
    keyed = counted_incidents(population).dropna(subset=[RECURRENCE_KEY])
    frame = keyed[_COLUMNS].copy()
    # A resolve time before the start is bad data; fall back to the start like unresolved ones.
    reference = keyed[RESOLVE_TIME].where(keyed[RESOLVE_TIME] >= keyed[Incidents.created_at],
                                          keyed[Incidents.created_at])
    grouped = frame.groupby(RECURRENCE_KEY, sort=False)
    previous_ref = reference.groupby(keyed[RECURRENCE_KEY], sort=False).shift(1)
    frame["previous_id"] = grouped[Incidents.incident_id].shift(1)
    frame["gap_seconds"] = (frame[Incidents.created_at] - previous_ref).dt.total_seconds()
    frame["is_repeat"] = (frame["gap_seconds"] <= window.total_seconds()).fillna(False).astype(bool)
    frame["recurred_after"] = (
        frame.groupby(RECURRENCE_KEY, sort=False)["is_repeat"].shift(-1).fillna(False).astype(bool)
    )
    return frame.reset_index(drop=True)


def recurrence_by_team(recurring: pd.DataFrame) -> pd.DataFrame:
    """team, incidents, repeats, recurrence_rate (repeats / keyed incidents)."""
    team = recurring[Incidents.team].astype(object).where(recurring[Incidents.team].notna(),
                                                          UNKNOWN_GROUP)
    counts = recurring.groupby(team)["is_repeat"].agg(["size", "sum"])
    table = pd.DataFrame(
        {"team": counts.index, "incidents": counts["size"].to_numpy(),
         "repeats": counts["sum"].to_numpy(dtype="int64")}
    )
    table["recurrence_rate"] = table["repeats"] / table["incidents"]
    return table


def recurrence_by_week(recurring: pd.DataFrame, weeks: list[str]) -> pd.Series:
    """Share of each week's keyed incidents that were repeats (NaN for weeks with none)."""
    rate = recurring.groupby(WEEK)["is_repeat"].mean()
    return rate.reindex(weeks).astype(float).rename("recurrence_rate")


def repeat_offenders(recurring: pd.DataFrame, *, top_n: int = 10) -> pd.DataFrame:
    """The keys with the most repeats: key, source, service, team, title, incidents, repeats,
    first_seen, last_seen."""
    grouped = recurring.groupby(RECURRENCE_KEY, sort=True)
    table = grouped.agg(
        source=(Incidents.source, "first"), service=(Incidents.service, "first"),
        team=(Incidents.team, "first"), title=(Incidents.title, "last"),
        incidents=(Incidents.incident_id, "size"), repeats=("is_repeat", "sum"),
        first_seen=(Incidents.created_at, "min"), last_seen=(Incidents.created_at, "max"),
    ).reset_index()
    table = table[table["repeats"] > 0].astype({"repeats": "int64"})
    ordered = table.sort_values(["repeats", "incidents", RECURRENCE_KEY],
                                ascending=[False, False, True], kind="mergesort")
    return ordered.head(top_n).reset_index(drop=True)


def fix_status(recurring: pd.DataFrame, *, since: pd.Timestamp | None) -> pd.DataFrame:
    """Did the fix hold? Keys that repeated before ``since``: repeats_before, repeats_after,
    last_repeat and status "held" (no repeat since) or "still recurring" (empty without since)."""
    repeats = recurring[recurring["is_repeat"]]
    if since is None:
        repeats = repeats.iloc[0:0]
        since = pd.Timestamp(0, tz="UTC")
    after = repeats[Incidents.created_at] >= since
    before_keys = set(repeats.loc[~after, RECURRENCE_KEY])
    rows = []
    for key, group in repeats.groupby(RECURRENCE_KEY, sort=True):
        if key not in before_keys:
            continue
        n_after = int((group[Incidents.created_at] >= since).sum())
        rows.append({RECURRENCE_KEY: key, "service": group[Incidents.service].iloc[-1],
                     "team": group[Incidents.team].iloc[-1],
                     "repeats_before": len(group) - n_after, "repeats_after": n_after,
                     "last_repeat": group[Incidents.created_at].max(),
                     "status": "still recurring" if n_after else "held"})
    columns = [RECURRENCE_KEY, "service", "team", "repeats_before", "repeats_after",
               "last_repeat", "status"]
    table = pd.DataFrame(rows, columns=columns)
    table["last_repeat"] = pd.to_datetime(table["last_repeat"], utc=True)
    return table


def fix_cutoff(population: pd.DataFrame, *, quiet_period: pd.Timedelta) -> pd.Timestamp | None:
    """The date a fix must have held since: the last incident's start minus ``quiet_period``."""
    latest = population[Incidents.created_at].max()
    return None if pd.isna(latest) else latest - quiet_period


def repeat_share(recurring: pd.DataFrame) -> float | None:
    """Share of keyed incidents that were repeats (None when there are none)."""
    return float(np.mean(recurring["is_repeat"])) if len(recurring) else None
