"""Is it getting better? The headline figures week by week, their trend verdicts, learning from
failures (postmortems) and the maturity level they add up to. Entry: :func:`trend_metrics`."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from alertlens.analysis.incidents import IncidentMetrics
from alertlens.analysis.oncall import OnCallLoad
from alertlens.analysis.response import ResponseMetrics
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.trends.learning import learning_summary
from alertlens.analysis.trends.maturity import maturity
from alertlens.analysis.trends.weekly import TRENDED, headline_trends, weekly_headlines

__all__ = ["TrendMetrics", "trend_metrics"]


@dataclass(frozen=True)
class TrendMetrics:
    """Weekly headline figures, one trend test per figure, learning and the maturity level."""

    weekly: pd.DataFrame
    trends: pd.DataFrame
    verdicts: dict[str, dict[str, Any]]  # TRENDED key -> n, slope_per_week, p_value, verdict
    learning: dict[str, Any]
    maturity: dict[str, Any]


def trend_metrics(
    incidents: IncidentMetrics,
    response: ResponseMetrics,
    oncall: OnCallLoad,
    alerts: pd.DataFrame,
    *,
    noise_share_by_week: pd.Series | None,
    noise_share: float | None,
    settings: MetricsSettings,
) -> TrendMetrics:
    """Weekly headlines and their trends over ``incidents.weeks``; maturity from all of it."""
    weekly = weekly_headlines(
        incidents.population,
        response.durations,
        alerts,
        incidents.recurrences,
        oncall.weekly,
        incidents.weeks,
        noise_share_by_week,
        min_resolved_share=settings.mttr_min_resolved_share,
    )
    trends = headline_trends(weekly, alpha=settings.alpha, min_points=settings.trend_min_weeks)
    by_metric = {str(row["metric"]): row for row in trends.to_dict("records")}
    verdicts = {key: _verdict(by_metric[column]) for key, column in TRENDED.items()}
    known = {
        k: v for k, v in verdicts.items() if not (k == "noise" and noise_share_by_week is None)
    }
    learning = learning_summary(incidents.population, incidents.recurrences)
    level = maturity(
        incidents.population,
        alerts,
        mtta_median=response.mtta["median"],
        trends=known,
        noise_share=noise_share,
        postmortem_share=learning["postmortem_share"],
        settings=settings,
    )
    return TrendMetrics(weekly, trends, verdicts, learning, level)


def _verdict(row: Mapping[Hashable, Any]) -> dict[str, Any]:
    return {
        "n": int(row["n"]),
        "slope_per_week": _number(row["slope_per_week"]),
        "p_value": _number(row["p_value"]),
        "verdict": row["verdict"],
        "alpha": row["alpha"],
    }


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
