"""The headline summary (``summary.json``): one typed record of the figures the console, the
nightly message and the report's headline all show, over one population and one set of weeks.
Its fields are the keys of ``ingest.metrics_schema.SummaryJson``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import cast

import pandas as pd

from alertlens.analysis.jsonable import jsonable
from alertlens.analysis.response.durations import DurationStats
from alertlens.analysis.trends.learning import LearningSummary
from alertlens.analysis.trends.mann_kendall import Comparison, TrendResult
from alertlens.analysis.trends.maturity import MaturityResult
from alertlens.ingest.metrics_schema import (
    HeadlineJson,
    NotCountedJson,
    ResponseJson,
    Summary,
    SummaryJson,
    TrendJson,
)


@dataclass(frozen=True)
class MetricsSummary:
    """Every figure of ``summary.json`` (see ``SummaryJson`` for each key's meaning)."""

    alerts: int
    incidents: int
    weeks: int
    noise_share: float | None
    pages_per_week: float | None
    projected_pages_per_week_after_fixes: float | None
    incidents_per_week: float | None
    projected_incidents_per_week_after_fixes: float | None
    mtta_seconds: DurationStats
    mttr_seconds: DurationStats
    review_week: str | None
    review_week_ended: bool
    first_week: str | None
    last_week: str | None
    timezone: str
    as_of: pd.Timestamp | None
    not_counted: NotCountedJson
    mode: str
    pages: int
    incidents_by_origin: dict[str, int]
    merged_away: int
    alert_only_sources: list[str]
    mttm_seconds: DurationStats
    mttr_auto_seconds: DurationStats
    acknowledged_share: float | None
    escalation_rate: float | None
    response: ResponseJson
    recurrence_rate: float | None
    recurrence_window_seconds: float
    fixes: dict[str, int]
    interruptions: int
    responders_at_burnout_risk: list[str]
    noisy_rules: int
    rules: int
    compression_ratio: float | None
    trend_weeks: list[str]
    trends: dict[str, TrendResult]
    headlines: dict[str, Comparison]
    learning: LearningSummary
    maturity: MaturityResult


def summary_json(summary: MetricsSummary) -> SummaryJson:
    """``summary`` as the plain JSON document ``SummaryJson`` describes."""
    document = {f: getattr(summary, f) for f in SummaryJson.__annotations__}
    plain: dict[str, object] = {}
    for key, value in document.items():
        if isinstance(value, DurationStats | LearningSummary | MaturityResult):
            plain[key] = asdict(value)
        else:
            plain[key] = value
    plain[Summary.trends] = {
        name: trend_json(name, result) for name, result in summary.trends.items()
    }
    plain[Summary.headlines] = {name: headline_json(c) for name, c in summary.headlines.items()}
    return cast(SummaryJson, jsonable(plain))


def trend_json(name: str, result: TrendResult) -> TrendJson:
    """One trend result as JSON."""
    return TrendJson(metric=name, n=result.n, weeks=result.weeks,
                     slope_per_week=result.slope_per_week, p_value=result.p_value,
                     mk_s=result.mk_s, direction=result.direction,
                     confidence=result.confidence, verdict=result.verdict, alpha=result.alpha)


def headline_json(comparison: Comparison) -> HeadlineJson:
    """One headline comparison as JSON."""
    return HeadlineJson(this_week=comparison.this, previous_week=comparison.previous,
                        four_week_average=comparison.average_4w)
