"""Is it getting better? The headline figures week by week, their trend verdicts over the trend
window, learning from failures (postmortems) and the maturity level they add up to. Entry:
:func:`trend_metrics`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from alertlens.analysis.calendar import iso_week
from alertlens.analysis.incidents import IncidentMetrics
from alertlens.analysis.incidents.frequency import counted_incidents, paged_alerts
from alertlens.analysis.oncall import OnCallLoad
from alertlens.analysis.response import ResponseMetrics
from alertlens.analysis.response.populations import time_to_acknowledge_all
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.trends.learning import LearningSummary, learning_summary
from alertlens.analysis.trends.mann_kendall import TrendResult
from alertlens.analysis.trends.maturity import AckEvidence, MaturityResult, maturity
from alertlens.analysis.trends.weekly import (
    HeadlineInputs,
    headline_table,
    headline_trends,
    trends_table,
)
from alertlens.ingest.metrics_schema import WeeklyHeadlines
from alertlens.ingest.schema import Alerts

__all__ = ["TrendMetrics", "headline_inputs", "trend_metrics"]


@dataclass(frozen=True)
class TrendMetrics:
    """Weekly headline figures, one trend test per figure, learning and the maturity level."""

    weekly: pd.DataFrame  # WeeklyHeadlines over every counted week
    window: tuple[str, ...]  # the weeks the trend tests and trend charts use
    trends: dict[str, TrendResult]  # headline -> its trend over the window
    table: pd.DataFrame  # Trends
    learning: LearningSummary
    maturity: MaturityResult


def headline_inputs(
    incidents: IncidentMetrics, response: ResponseMetrics, oncall: OnCallLoad,
    alerts: pd.DataFrame, noise: pd.DataFrame | None, *, settings: MetricsSettings,
    as_of: pd.Timestamp | None, has_notifications: bool,
) -> HeadlineInputs:
    """The populations every headline figure is computed from."""
    return HeadlineInputs(
        response=counted_incidents(response.frame),
        pages=paged_alerts(alerts[[Alerts.created_at, Alerts.paged]],
                           settings.timezone)[Alerts.created_at],
        noise=noise,
        recurring=incidents.recurrences,
        interruptions=oncall.interruptions,
        as_of=as_of,
        settings=settings,
        has_alerts=not alerts.empty,
        has_notifications=has_notifications,
    )


def trend_metrics(
    incidents: IncidentMetrics, response: ResponseMetrics, inputs: HeadlineInputs,
    alerts: pd.DataFrame, *, noise_share: float | None, settings: MetricsSettings,
) -> TrendMetrics:
    """Weekly headlines over ``incidents.weeks``, their trends over the last ``trend_weeks``
    of them, and the maturity from all of it."""
    weeks = incidents.weeks
    weekly = headline_table(inputs, weeks, lambda t: iso_week(t, settings.timezone))
    window = weeks[-settings.trend_weeks:]
    results = headline_trends(weekly, window, alpha=settings.alpha,
                              min_points=settings.trend_min_weeks)
    known = {k: v for k, v in results.items()
             if inputs.noise is not None or k != WeeklyHeadlines.noise_share}
    learning = learning_summary(incidents.population, incidents.recurrences)
    median, acked, judged = time_to_acknowledge_all(counted_incidents(response.frame))
    level = maturity(
        incidents.population,
        alerts,
        ack=AckEvidence(median, acked, judged),
        trends=known,
        noise_share=noise_share,
        postmortem_share=learning.postmortem_share,
        settings=settings,
    )
    return TrendMetrics(weekly, tuple(window), results, trends_table(results), learning, level)
