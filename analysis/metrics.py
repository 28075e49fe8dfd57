"""Entry point of the incident metrics: response times, frequency, recurrence, on-call load,
trends, learning and maturity in one pass, as tables for the lake plus a JSON-able summary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alertlens.analysis.frequency import (
    counted_incidents,
    incidents_per_week,
    mtbf_by_service,
    observed_weeks,
    paged_alerts,
    severity_mix,
)
from alertlens.analysis.jsonable import jsonable
from alertlens.analysis.learning import learning_summary
from alertlens.analysis.maturity import maturity
from alertlens.analysis.metrics_settings import MetricsSettings, SettingsError
from alertlens.analysis.oncall import (
    burnout_risk,
    interruptions,
    load_per_responder_week,
    shift_load,
)
from alertlens.analysis.population import ORIGIN, alert_only_sources, incident_population, iso_week
from alertlens.analysis.recurrence import (
    fix_cutoff,
    fix_status,
    recurrence_by_team,
    recurrences,
    repeat_offenders,
    repeat_share,
)
from alertlens.analysis.response import response_durations, response_summary, response_times
from alertlens.analysis.review import weekly_review
from alertlens.analysis.weekly import TRENDED, headline_trends, weekly_headlines
from alertlens.ingest.schema import Alerts, Incidents

__all__ = ["MetricsAnalysis", "MetricsSettings", "SettingsError", "incident_metrics",
           "weekly_review"]

_PER_INCIDENT = [Incidents.source, Incidents.incident_id, ORIGIN, Incidents.title,
                 Incidents.team, Incidents.service, Incidents.severity, Incidents.priority,
                 Incidents.urgency, Incidents.resolved_by, Incidents.created_at, "week",
                 "month_utc", "recurrence_key"]


@dataclass(frozen=True)
class MetricsAnalysis:
    """Named result tables (each written as ``<lake>/analysis/<name>.parquet``) and a summary."""

    tables: dict[str, pd.DataFrame]
    summary: dict


def incident_metrics(
    incidents: pd.DataFrame, alerts: pd.DataFrame, notifications: pd.DataFrame, *,
    settings: MetricsSettings = MetricsSettings(),  # noqa: B008 - frozen, immutable default
    noise_share_by_week: pd.Series | None = None, noise_share: float | None = None,
) -> MetricsAnalysis:
    """All incident metrics over the canonical frames.

    Args:
        incidents, alerts, notifications: canonical frames (ingest/schema.py); not modified.
        settings: population mode, windows, hours, zones, alpha …
        noise_share_by_week: share of alerts classed as noise per ISO week (from the noise
            analysis); without it noise criteria and trends are "unknown".
        noise_share: overall noise share; defaults to the alert-weighted mean of the weekly one.

    Returns:
        MetricsAnalysis with tables response_times, incident_response, incidents_weekly,
        severity_mix, mtbf_by_service, recurrences, recurrence_by_team, repeat_offenders,
        fix_status, interruptions, oncall_weekly, shift_load, burnout_risk, weekly_headlines,
        trends; and the summary (see docs/metrics.md).
    """
    population = incident_population(incidents, alerts)
    durations = response_durations(population, mode=settings.mode)
    weeks = observed_weeks(population, alerts)
    recurring = recurrences(population, window=settings.recurrence_window)
    interrupts = interruptions(notifications, settings)
    oncall_weekly = load_per_responder_week(interrupts, settings)
    weekly = weekly_headlines(population, durations, alerts, recurring, oncall_weekly, weeks,
                              noise_share_by_week,
                              min_resolved_share=settings.mttr_min_resolved_share)
    trends = headline_trends(weekly, alpha=settings.alpha, min_points=settings.trend_min_weeks)
    cutoff = fix_cutoff(population, quiet_period=settings.fix_quiet_period)
    learning = learning_summary(population, recurring)
    noise = noise_share if noise_share is not None else _overall_noise(noise_share_by_week,
                                                                       alerts)
    by_metric = trends.set_index("metric")
    trend_results = {key: _trend_dict(by_metric.loc[col]) for key, col in TRENDED.items()
                     if not (key == "noise" and noise_share_by_week is None)}
    mtta = response_summary(durations, mode=settings.mode, metric="mtta")
    level = maturity(population, alerts, mtta_median=mtta["median"], trends=trend_results,
                     noise_share=noise, postmortem_share=learning["postmortem_share"],
                     settings=settings)
    counted = counted_incidents(population)
    burnout = burnout_risk(oncall_weekly, weeks, settings)
    tables = {
        "response_times": response_times(population, durations, mode=settings.mode),
        "incident_response": pd.concat([population[_PER_INCIDENT], durations], axis=1),
        "incidents_weekly": incidents_per_week(population, alerts, weeks),
        "severity_mix": severity_mix(population),
        "mtbf_by_service": mtbf_by_service(population),
        "recurrences": recurring,
        "recurrence_by_team": recurrence_by_team(recurring),
        "repeat_offenders": repeat_offenders(recurring, top_n=settings.top_n),
        "fix_status": fix_status(recurring, since=cutoff),
        "interruptions": interrupts,
        "oncall_weekly": oncall_weekly,
        "shift_load": shift_load(interrupts, settings),
        "burnout_risk": burnout,
        "weekly_headlines": weekly,
        "trends": trends,
    }
    n_weeks = len(weeks)
    summary = {
        "mode": settings.mode,
        "mtta_seconds": mtta,
        "mttm_seconds": response_summary(durations, mode=settings.mode, metric="mttm"),
        "mttr_seconds": response_summary(durations, mode=settings.mode, metric="mttr"),
        "incidents": len(counted),
        "incidents_by_origin": {str(k): int(v) for k, v in
                                counted[ORIGIN].value_counts().sort_index().items()},
        "merged_away": int(population[Incidents.merged_into].notna().sum()),
        "alert_only_sources": alert_only_sources(incidents, alerts),
        "weeks": n_weeks,
        "first_week": weeks[0] if weeks else None,
        "last_week": weeks[-1] if weeks else None,
        "incidents_per_week": len(counted) / n_weeks if n_weeks else None,
        "pages_per_week": len(paged_alerts(alerts)) / n_weeks if n_weeks else None,
        "recurrence_rate": repeat_share(recurring),
        "recurrence_window_seconds": settings.recurrence_window.total_seconds(),
        "fix_cutoff": None if cutoff is None else cutoff.isoformat(),
        "interruptions": len(interrupts),
        "responders_at_burnout_risk": sorted(burnout.loc[burnout["at_risk"], "user"]),
        "noise_share": noise,
        "trends": {key: _trend_dict(by_metric.loc[col]) for key, col in TRENDED.items()},
        "learning": learning,
        "maturity": level,
    }
    return MetricsAnalysis(tables=tables, summary=jsonable(summary))


def _overall_noise(by_week: pd.Series | None, alerts: pd.DataFrame) -> float | None:
    if by_week is None or by_week.dropna().empty:
        return None
    weights = (iso_week(alerts[Alerts.created_at]).value_counts() if len(alerts)
               else pd.Series(dtype=float)).reindex(by_week.index).fillna(0)
    known = by_week.notna()
    if weights[known].sum() > 0:
        return float(np.average(by_week[known], weights=weights[known]))
    return float(by_week[known].mean())


def _trend_dict(row: pd.Series) -> dict:
    return {"n": int(row["n"]), "slope_per_week": _num(row["slope_per_week"]),
            "p_value": _num(row["p_value"]), "verdict": row["verdict"], "alpha": row["alpha"]}


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
