"""The weekly operational review dataset: one ISO week against the previous week and the 4-week
average for every headline figure, with trend verdicts, plus the week's incidents, repeats and
noisiest rules."""

from __future__ import annotations

from typing import Any

import pandas as pd

from alertlens.analysis.incidents.frequency import counted_incidents, observed_weeks, week_range
from alertlens.analysis.incidents.population import (
    RECURRENCE_KEY,
    WEEK,
    incident_population,
    iso_week,
)
from alertlens.analysis.incidents.recurrence import recurrences
from alertlens.analysis.jsonable import jsonable_dict, records
from alertlens.analysis.oncall.load import interruptions, load_per_responder_week
from alertlens.analysis.response.durations import response_durations
from alertlens.analysis.review.week import week_start
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.trends.mann_kendall import period_comparison, trend
from alertlens.analysis.trends.weekly import HEADLINES, weekly_headlines
from alertlens.ingest.schema import Alerts, Incidents, Rules

_INCIDENT_FIELDS = [Incidents.source, Incidents.incident_id, Incidents.title, Incidents.service,
                    Incidents.team, Incidents.severity, Incidents.priority, Incidents.created_at,
                    "mtta_seconds", "mttr_seconds", "is_repeat"]


def weekly_review(
    incidents: pd.DataFrame, alerts: pd.DataFrame, notifications: pd.DataFrame, *, week: str,
    settings: MetricsSettings = MetricsSettings(),  # noqa: B008 - frozen, immutable default
    noise_share_by_week: pd.Series | None = None, rules: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The review of ISO week ``week`` ("2026-W47") as a JSON-able dict.

    ``headlines`` holds, per figure, this week, the previous week, the average of the 4 weeks
    before, the relative changes and the trend verdict over every week up to this one.
    ``rules`` (the noise analysis's rules.parquet) adds each rule's noise share to the noisiest
    rules; without it rules are ranked by firings alone.
    """
    week_start(week)  # ReviewError unless an ISO week
    population = incident_population(incidents, alerts)
    durations = response_durations(population, mode=settings.mode)
    observed = observed_weeks(population, alerts)
    start = min(observed[0], week) if observed else week
    weeks = week_range(start, week)
    recurring = recurrences(population, window=settings.recurrence_window)
    oncall_weekly = load_per_responder_week(interruptions(notifications, settings), settings)
    weekly = weekly_headlines(population, durations, alerts, recurring, oncall_weekly, weeks,
                              noise_share_by_week,
                              min_resolved_share=settings.mttr_min_resolved_share).set_index("week")
    headlines = {}
    for name, lower_is_better in HEADLINES.items():
        verdict = trend(weekly[name], alpha=settings.alpha, lower_is_better=lower_is_better,
                        min_points=settings.trend_min_weeks)
        headlines[name] = {**period_comparison(weekly[name], week), "trend": verdict}
    return jsonable_dict({
        "week": week, "mode": settings.mode, "weeks_of_history": len(weeks),
        "headlines": headlines,
        "incidents": records(_week_incidents(population, durations, recurring, week)),
        "recurrences": records(_week_repeats(recurring, week)),
        "noisiest_rules": records(noisiest_rules(alerts, week, rules, top_n=settings.top_n)),
    })


def _week_incidents(population: pd.DataFrame, durations: pd.DataFrame,
                    recurring: pd.DataFrame, week: str) -> pd.DataFrame:
    counted = counted_incidents(population)
    frame = pd.concat([counted, durations.loc[counted.index]], axis=1)
    frame = frame[frame[WEEK] == week]
    repeat = recurring.set_index([Incidents.source, Incidents.incident_id])["is_repeat"]
    keys = pd.MultiIndex.from_frame(frame[[Incidents.source, Incidents.incident_id]])
    frame = frame.assign(is_repeat=repeat.reindex(keys).fillna(False).to_numpy(dtype=bool))
    return frame[_INCIDENT_FIELDS].reset_index(drop=True)


def _week_repeats(recurring: pd.DataFrame, week: str) -> pd.DataFrame:
    repeats = recurring[(recurring[WEEK] == week) & recurring["is_repeat"]]
    return repeats[[Incidents.source, Incidents.incident_id, Incidents.title, Incidents.service,
                    Incidents.team, RECURRENCE_KEY, Incidents.created_at, "previous_id",
                    "gap_seconds"]].reset_index(drop=True)


def noisiest_rules(alerts: pd.DataFrame, week: str, rules: pd.DataFrame | None, *,
                   top_n: int = 10) -> pd.DataFrame:
    """rule_key, title, service, firings, pages, noise_share, noisy_firings for ``week``,
    ranked by noisy firings (firings × the rule's noise share) when rules are given, else by
    firings."""
    columns = ["rule_key", "title", "service", "firings", "pages", "noise_share", "noisy_firings"]
    if alerts.empty:
        return pd.DataFrame(columns=columns)
    this = alerts[iso_week(alerts[Alerts.created_at]) == week]
    paged = this[Alerts.paged].astype("boolean").fillna(False).astype(bool)
    table = this.assign(_paged=paged).groupby(Alerts.rule_key, sort=True).agg(
        title=(Alerts.title, "last"), service=(Alerts.service, "last"),
        firings=(Alerts.alert_id, "size"), pages=("_paged", "sum"),
    ).rename_axis("rule_key").reset_index()
    if rules is not None and len(rules):
        share = rules.drop_duplicates(Rules.rule_key).set_index(Rules.rule_key)[Rules.noise_share]
        table["noise_share"] = table["rule_key"].map(share).astype(float)
        table["noisy_firings"] = table["firings"] * table["noise_share"].fillna(0.0)
    else:
        table["noise_share"] = float("nan")
        table["noisy_firings"] = float("nan")
    rank = "noisy_firings" if rules is not None and len(rules) else "firings"
    table = table.sort_values([rank, "firings", "rule_key"], ascending=[False, False, True],
                              kind="mergesort")
    return table.head(top_n).reset_index(drop=True)[columns].astype({"pages": "int64"})
