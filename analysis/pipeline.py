"""The analysis, end to end: the lake's canonical frames in, every table and the summary that
``alertlens analyze`` publishes out. This module is the table of contents of ``analysis/``: the
data goes through each concept once, in this order.

    alerts, notifications, incidents
      -> noise            which firings are noise, per rule why and the fix, the what-if
      -> incidents        the incident population, frequency, recurrence
      -> response         MTTA / MTTM / MTTR with their populations
      -> oncall           interruptions, shifts, burnout risk
      -> trends           weekly headlines, trend verdicts, learning, maturity
      -> summary          summary.json
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from alertlens.analysis.incidents import incident_metrics
from alertlens.analysis.incidents.frequency import counted_incidents, paged_alerts
from alertlens.analysis.incidents.population import ORIGIN, alert_only_sources, iso_week
from alertlens.analysis.incidents.recurrence import repeat_share
from alertlens.analysis.jsonable import jsonable_dict
from alertlens.analysis.noise import NoiseAnalysis, noise_analysis
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.oncall import oncall_load
from alertlens.analysis.response import response_metrics
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.summary import combined_summary, noise_share_by_week, weeks_observed
from alertlens.analysis.trends import trend_metrics
from alertlens.ingest.schema import CORRELATION_FILE, WHATIF_FILE, Alerts, Incidents, Rules, Scored

__all__ = ["AnalysisResults", "MetricsAnalysis", "analysis_results", "metrics_analysis"]

_PER_INCIDENT = [
    Incidents.source,
    Incidents.incident_id,
    ORIGIN,
    Incidents.title,
    Incidents.team,
    Incidents.service,
    Incidents.severity,
    Incidents.priority,
    Incidents.urgency,
    Incidents.resolved_by,
    Incidents.created_at,
    "week",
    "month_utc",
    "recurrence_key",
]


@dataclass(frozen=True)
class MetricsAnalysis:
    """Named result tables (each written as ``<lake>/analysis/<name>.parquet``) and a summary."""

    tables: dict[str, pd.DataFrame]
    summary: dict[str, Any]


@dataclass(frozen=True)
class AnalysisResults:
    """Everything ``alertlens analyze`` publishes: the noise analysis, the metrics tables and
    summary.json."""

    noise: NoiseAnalysis
    metrics: MetricsAnalysis
    summary: dict[str, Any]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by the name of its parquet file (without ``.parquet``)."""
        return {
            Scored.file.removesuffix(".parquet"): self.noise.alerts_scored,
            Rules.file.removesuffix(".parquet"): self.noise.rules,
            CORRELATION_FILE.removesuffix(".parquet"): self.noise.correlation,
            WHATIF_FILE.removesuffix(".parquet"): self.noise.whatif,
            **self.metrics.tables,
        }


def analysis_results(
    alerts: pd.DataFrame,
    incidents: pd.DataFrame,
    notifications: pd.DataFrame,
    *,
    thresholds: NoiseThresholds = NoiseThresholds(),  # noqa: B008 - frozen, immutable default
    settings: MetricsSettings = MetricsSettings(),  # noqa: B008 - frozen, immutable default
) -> AnalysisResults:
    """The noise analysis, then the incident metrics fed with its weekly noise share, then the
    summary joining both. Inputs are canonical frames (ingest/schema.py), not modified."""
    weeks = weeks_observed(incidents, alerts) or None
    noise = noise_analysis(alerts, notifications, incidents, thresholds=thresholds, weeks=weeks)
    metrics = metrics_analysis(
        incidents,
        alerts,
        notifications,
        settings=settings,
        noise_share_by_week=noise_share_by_week(noise.alerts_scored),
    )
    summary = combined_summary(noise.summary, metrics.summary, alerts=len(alerts))
    return AnalysisResults(noise, metrics, summary)


def metrics_analysis(
    incidents: pd.DataFrame,
    alerts: pd.DataFrame,
    notifications: pd.DataFrame,
    *,
    settings: MetricsSettings = MetricsSettings(),  # noqa: B008 - frozen, immutable default
    noise_share_by_week: pd.Series | None = None,
    noise_share: float | None = None,
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
    found = incident_metrics(incidents, alerts, settings)
    population, weeks = found.population, found.weeks
    response = response_metrics(population, mode=settings.mode)
    oncall = oncall_load(notifications, weeks, settings)
    noise = noise_share if noise_share is not None else _overall_noise(noise_share_by_week, alerts)
    trends = trend_metrics(
        found,
        response,
        oncall,
        alerts,
        noise_share_by_week=noise_share_by_week,
        noise_share=noise,
        settings=settings,
    )
    counted = counted_incidents(population)
    tables = {
        "response_times": response.table,
        "incident_response": pd.concat([population[_PER_INCIDENT], response.durations], axis=1),
        "incidents_weekly": found.incidents_weekly,
        "severity_mix": found.severity_mix,
        "mtbf_by_service": found.mtbf_by_service,
        "recurrences": found.recurrences,
        "recurrence_by_team": found.recurrence_by_team,
        "repeat_offenders": found.repeat_offenders,
        "fix_status": found.fix_status,
        "interruptions": oncall.interruptions,
        "oncall_weekly": oncall.weekly,
        "shift_load": oncall.shifts,
        "burnout_risk": oncall.burnout_risk,
        "weekly_headlines": trends.weekly,
        "trends": trends.trends,
    }
    n_weeks = len(weeks)
    burnout = oncall.burnout_risk
    summary = {
        "mode": settings.mode,
        "mtta_seconds": response.mtta,
        "mttm_seconds": response.mttm,
        "mttr_seconds": response.mttr,
        "incidents": len(counted),
        "incidents_by_origin": {
            str(k): int(v) for k, v in counted[ORIGIN].value_counts().sort_index().items()
        },
        "merged_away": int(population[Incidents.merged_into].notna().sum()),
        "alert_only_sources": alert_only_sources(incidents, alerts),
        "weeks": n_weeks,
        "first_week": weeks[0] if weeks else None,
        "last_week": weeks[-1] if weeks else None,
        "incidents_per_week": len(counted) / n_weeks if n_weeks else None,
        "pages_per_week": len(paged_alerts(alerts)) / n_weeks if n_weeks else None,
        "recurrence_rate": repeat_share(found.recurrences),
        "recurrence_window_seconds": settings.recurrence_window.total_seconds(),
        "fix_cutoff": None if found.fix_cutoff is None else found.fix_cutoff.isoformat(),
        "interruptions": len(oncall.interruptions),
        "responders_at_burnout_risk": sorted(burnout.loc[burnout["at_risk"], "user"]),
        "noise_share": noise,
        "trends": trends.verdicts,
        "learning": trends.learning,
        "maturity": trends.maturity,
    }
    return MetricsAnalysis(tables=tables, summary=jsonable_dict(summary))


def _overall_noise(by_week: pd.Series | None, alerts: pd.DataFrame) -> float | None:
    if by_week is None or by_week.dropna().empty:
        return None
    weights = (
        (
            iso_week(alerts[Alerts.created_at]).value_counts()
            if len(alerts)
            else pd.Series(dtype=float)
        )
        .reindex(by_week.index)
        .fillna(0)
    )
    known = by_week.notna()
    if weights[known].sum() > 0:
        return float(np.average(by_week[known], weights=weights[known]))
    return float(by_week[known].mean())
