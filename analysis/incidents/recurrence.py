"""Repeat incidents: the same rule (or title template on the same service) firing again soon.

An incident is a *repeat* when the previous incident with the same recurrence key (the rule of
its first alert, else source + service + title template) was resolved at most ``window`` before
it started — or was still open when it started. An unresolved previous incident is measured from
its start. Incidents with no key (no rule and no title) are never repeats and are left out of the
rates' denominators.

Whether a fix held (``fixes.py``) needs a fix date from evidence; "last seen" is always the
latest occurrence of the key, repeat or not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.analysis.incidents.population import (
    RECURRENCE_KEY,
    RESOLVE_TIME,
    UNKNOWN_GROUP,
    WEEK,
)
from alertlens.ingest.metrics_schema import RecurrenceByTeam, Recurrences, RepeatOffenders
from alertlens.ingest.schema import Incidents

_COLUMNS = [Incidents.source, Incidents.incident_id, Incidents.title, Incidents.team,
            Incidents.service, RECURRENCE_KEY, Incidents.created_at, WEEK]
_R = Recurrences


def recurrences(population: pd.DataFrame, *, window: pd.Timedelta) -> pd.DataFrame:
    """Per keyed incident (``Recurrences``): previous_id, gap_seconds, is_repeat and
    recurred_after (the next incident with the same key was a repeat of this one)."""
    keyed = counted_incidents(population).dropna(subset=[RECURRENCE_KEY])
    frame = keyed[_COLUMNS].copy()
    # A resolve time before the start is bad data; fall back to the start like unresolved ones.
    reference = keyed[RESOLVE_TIME].where(keyed[RESOLVE_TIME] >= keyed[Incidents.created_at],
                                          keyed[Incidents.created_at])
    grouped = frame.groupby(RECURRENCE_KEY, sort=False)
    previous_ref = reference.groupby(keyed[RECURRENCE_KEY], sort=False).shift(1)
    frame[_R.previous_id] = grouped[Incidents.incident_id].shift(1)
    frame[_R.gap_seconds] = (frame[Incidents.created_at] - previous_ref).dt.total_seconds()
    frame[_R.is_repeat] = (
        (frame[_R.gap_seconds] <= window.total_seconds()).fillna(False).astype(bool)
    )
    frame[_R.recurred_after] = (
        frame.groupby(RECURRENCE_KEY, sort=False)[_R.is_repeat].shift(-1).fillna(False)
        .astype(bool)
    )
    return frame.reset_index(drop=True)


def recurrence_by_team(recurring: pd.DataFrame) -> pd.DataFrame:
    """``RecurrenceByTeam``: team, incidents, repeats, recurrence_rate (repeats / keyed)."""
    t = RecurrenceByTeam
    team = recurring[Incidents.team].astype(object).where(recurring[Incidents.team].notna(),
                                                          UNKNOWN_GROUP)
    repeats = recurring[_R.is_repeat].groupby(team)
    table = pd.DataFrame({t.incidents: repeats.size(), t.repeats: repeats.sum()})
    table = table.rename_axis(t.team).reset_index().astype({t.repeats: "int64"})
    table[t.recurrence_rate] = table[t.repeats] / table[t.incidents]
    return table


def repeat_share_by(recurring: pd.DataFrame, buckets: pd.Series, labels: list[str]) -> pd.Series:
    """Share of each bucket's keyed incidents that were repeats (NaN for buckets with none);
    ``buckets`` labels each row of ``recurring``."""
    rate = recurring[_R.is_repeat].astype(float).groupby(buckets).mean()
    return rate.reindex(labels).astype(float)


def repeat_offenders(recurring: pd.DataFrame, *, top_n: int = 10) -> pd.DataFrame:
    """``RepeatOffenders``: the keys with the most repeats, with first and last occurrence."""
    o = RepeatOffenders
    grouped = recurring.groupby(RECURRENCE_KEY, sort=True)
    table = grouped.agg(**{
        o.source: (Incidents.source, "first"), o.service: (Incidents.service, "first"),
        o.team: (Incidents.team, "first"), o.title: (Incidents.title, "last"),
        o.incidents: (Incidents.incident_id, "size"), o.repeats: (_R.is_repeat, "sum"),
        o.first_seen: (Incidents.created_at, "min"), o.last_seen: (Incidents.created_at, "max"),
    }).reset_index()
    table = table[table[o.repeats] > 0].astype({o.repeats: "int64"})
    ordered = table.sort_values([o.repeats, o.incidents, RECURRENCE_KEY],
                                ascending=[False, False, True], kind="mergesort")
    return ordered.head(top_n).reset_index(drop=True)


def repeat_share(recurring: pd.DataFrame) -> float | None:
    """Share of keyed incidents that were repeats (None when there are none)."""
    return float(np.mean(recurring[_R.is_repeat])) if len(recurring) else None
