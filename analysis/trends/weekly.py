"""The headline figures per bucket of time (every counted week, or a period and the one before),
and their trend verdicts over the trend window.

One function computes every headline figure of any bucket from the same populations, so a week's
row in the weekly table, the week's headline card and the period comparison can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.recurrence import repeat_share_by
from alertlens.analysis.oncall.load import SLEEP
from alertlens.analysis.response.populations import bucket_figures
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.trends.mann_kendall import TrendResult, trend
from alertlens.ingest.metrics_schema import Interruptions, Trends, WeeklyHeadlines
from alertlens.ingest.schema import Alerts, Incidents, Scored

_W = WeeklyHeadlines
#: headline -> whether a lower value is better.
HEADLINES: Final[dict[str, bool]] = {
    _W.incidents: True, _W.pages: True, _W.noise_share: True, _W.acknowledged_share: False,
    _W.escalation_rate: True, _W.mtta_median: True, _W.mtta_p90: True, _W.mttr_median: True,
    _W.mttr_p90: True, _W.recurrence_rate: True, _W.interruptions: True,
    _W.sleep_interruptions: True,
}
#: Headlines that are counts (zero in a quiet bucket, unknown without any such source); the
#: others are NaN in a bucket without data.
COUNTS: Final = (_W.incidents, _W.pages, _W.interruptions, _W.sleep_interruptions)

Bucket = Callable[[pd.Series], pd.Series]


@dataclass(frozen=True)
class HeadlineInputs:
    """The populations behind the headline figures, each with its own time column."""

    response: pd.DataFrame  # counted incidents with handling flags and durations
    pages: pd.Series  # created_at of the paged alerts
    noise: pd.DataFrame | None  # created_at and is_noise per alert; None: noise unknown
    recurring: pd.DataFrame  # the recurrences table
    interruptions: pd.DataFrame
    as_of: pd.Timestamp | None
    settings: MetricsSettings
    has_alerts: bool = True  # False: no alert source, pages are unknown rather than zero
    has_notifications: bool = True  # False: no event log, interruptions are unknown


def headline_table(inputs: HeadlineInputs, labels: list[str], bucket: Bucket) -> pd.DataFrame:
    """One row per label (index ``week``): every headline figure of the records ``bucket``
    assigns to it (``bucket`` maps a time column to labels; None leaves a record out)."""
    table = pd.DataFrame(index=pd.Index(labels, name=_W.week), columns=list(HEADLINES),
                         dtype=float)
    response = inputs.response
    keys = bucket(response[Incidents.created_at]) if len(response) else pd.Series(dtype=object)
    table[_W.incidents] = keys.value_counts().reindex(labels, fill_value=0).astype(float)
    table[_W.pages] = _counts(bucket, inputs.pages, labels) if inputs.has_alerts else np.nan
    if len(response):
        figures = bucket_figures(response, keys, labels, as_of=inputs.as_of,
                                 mode=inputs.settings.mode,
                                 min_resolved_share=inputs.settings.mttr_min_resolved_share)
        for column in figures.columns:
            table[column] = figures[column].to_numpy()
    recurring = inputs.recurring
    if len(recurring):
        table[_W.recurrence_rate] = repeat_share_by(
            recurring, bucket(recurring[Incidents.created_at]), labels).to_numpy()
    if inputs.noise is not None and len(inputs.noise):
        noise = inputs.noise
        share = noise[Scored.is_noise].astype(float).groupby(bucket(noise[Alerts.created_at]))
        table[_W.noise_share] = share.mean().reindex(labels).to_numpy()
    interrupts = inputs.interruptions
    if inputs.has_notifications:
        table[_W.interruptions] = _counts(bucket, interrupts[Interruptions.at], labels)
        sleep = interrupts[interrupts[Interruptions.period] == SLEEP]
        table[_W.sleep_interruptions] = _counts(bucket, sleep[Interruptions.at], labels)
    return table.reset_index()


def _counts(bucket: Bucket, times: pd.Series, labels: list[str]) -> np.ndarray:
    if times.empty:
        return np.zeros(len(labels))
    return bucket(times).value_counts().reindex(labels, fill_value=0).to_numpy(dtype=float)


def headline_trends(weekly: pd.DataFrame, window: list[str], *, alpha: float,
                    min_points: int) -> dict[str, TrendResult]:
    """The trend test of every headline series over the weeks of ``window``."""
    rows = weekly.set_index(_W.week).reindex(window)
    return {name: trend(rows[name], alpha=alpha, lower_is_better=lower, min_points=min_points)
            for name, lower in HEADLINES.items()}


def trends_table(results: dict[str, TrendResult]) -> pd.DataFrame:
    """``Trends``: one row per headline."""
    t = Trends
    rows = [{t.metric: name, t.n: r.n, t.weeks: r.weeks, t.slope_per_week: r.slope_per_week,
             t.p_value: r.p_value, t.mk_s: r.mk_s, t.direction: r.direction,
             t.confidence: r.confidence, t.verdict: r.verdict, t.alpha: r.alpha}
            for name, r in results.items()]
    table = pd.DataFrame(rows, columns=[t.metric, t.n, t.weeks, t.slope_per_week, t.p_value,
                                        t.mk_s, t.direction, t.confidence, t.verdict, t.alpha])
    return table.astype({t.slope_per_week: "float64", t.p_value: "float64", t.n: "int64",
                         t.weeks: "int64", t.mk_s: "Int64"})
