"""Time to acknowledge, mitigate and resolve (MTTA / MTTM / MTTR) with their populations.

Two population rules (``mode``):

- ``pagerduty`` (default): MTTA over acknowledged incidents, MTTR over resolved incidents
  (acknowledged or not), MTTM over incidents with a mitigation time.
- ``opsgenie``: every figure over closed (resolved) incidents only; an incident closed without an
  acknowledgement uses its close time as its acknowledgement time.

Both modes drop merged-away incidents. Records whose times run backwards (resolved before created,
acknowledged before created, acknowledged after resolved) are excluded and counted per reason, so
no duration is ever negative. An incident resolved at the very instant it was created (a
backfilled record: 839 of GitHub's 1,282 status incidents) has no time to resolve and is left out
of MTTR, counted as "resolved when created". All durations are seconds; percentiles use linear
interpolation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.population import (
    MONTH,
    ORIGIN,
    RESOLVE_TIME,
    UNKNOWN_GROUP,
    WEEK,
)
from alertlens.analysis.response.grouped import grouped_stats
from alertlens.analysis.response.survival import km_quantile
from alertlens.ingest.metrics_schema import IncidentResponse, ResponseTimes
from alertlens.ingest.schema import Incidents

METRICS: Final = ("mtta", "mttm", "mttr")
SECONDS: Final = {
    "mtta": IncidentResponse.mtta_seconds,
    "mttm": IncidentResponse.mttm_seconds,
    "mttr": IncidentResponse.mttr_seconds,
}
EXCLUDED: Final = {
    "mtta": IncidentResponse.mtta_excluded,
    "mttm": IncidentResponse.mttm_excluded,
    "mttr": IncidentResponse.mttr_excluded,
}
ALL: Final = "all"
DIMENSIONS: Final = (
    ALL, Incidents.team, Incidents.service, Incidents.severity, Incidents.priority,
    Incidents.urgency, Incidents.resolved_by, Incidents.source, ORIGIN, WEEK, MONTH,
)
STATS: Final = (ResponseTimes.count, ResponseTimes.mean, ResponseTimes.median, ResponseTimes.p90,
                ResponseTimes.p95)

MERGED: Final = "merged away"
RESOLVED_BEFORE_CREATED: Final = "resolved before created"
ACK_BEFORE_CREATED: Final = "acknowledged before created"
ACK_AFTER_RESOLVED: Final = "acknowledged after resolved"
MITIGATED_BEFORE_CREATED: Final = "mitigated before created"
RESOLVED_WHEN_CREATED: Final = "resolved when created"

RULES: Final[dict[str, dict[str, str]]] = {
    "pagerduty": {
        "mtta": "pagerduty: acknowledged incidents, created -> first acknowledgement; merged-away "
                "and acknowledged-after-resolved excluded",
        "mttm": "pagerduty: incidents with a mitigation time, created -> mitigated; merged-away "
                "excluded",
        "mttr": "pagerduty: resolved incidents (acknowledged or not, auto-resolved included), "
                "created -> resolved (closed when no resolve time); merged-away and "
                "resolved-when-created excluded",
    },
    "opsgenie": {
        "mtta": "opsgenie: closed incidents only, created -> acknowledgement, or -> close when "
                "never acknowledged before close; merged-away excluded",
        "mttm": "opsgenie: closed incidents with a mitigation time, created -> mitigated; "
                "merged-away excluded",
        "mttr": "opsgenie: closed incidents, created -> close; merged-away and "
                "resolved-when-created excluded",
    },
}


def response_durations(population: pd.DataFrame, *, mode: str = "pagerduty") -> pd.DataFrame:
    """Per incident (``IncidentResponse``): ``<metric>_seconds`` (NaN = not in that population)
    and ``<metric>_excluded`` (the reason an otherwise eligible record was dropped, else None)."""
    created = population[Incidents.created_at]
    resolved = population[RESOLVE_TIME]
    acked = population[Incidents.acknowledged_at]
    mitigated = population[Incidents.mitigated_at]
    merged = population[Incidents.merged_into].notna().to_numpy()
    closed = resolved.notna().to_numpy()
    eligible_base = ~merged if mode == "pagerduty" else ~merged & closed
    if mode == "opsgenie":
        acked_live = acked.notna() & ~(acked > resolved)
        acked = acked.where(acked_live, resolved)
    out = pd.DataFrame(index=population.index)
    checks = {
        "mtta": (acked, [(acked < created, ACK_BEFORE_CREATED),
                         (acked > resolved, ACK_AFTER_RESOLVED)]),
        "mttm": (mitigated, [(mitigated < created, MITIGATED_BEFORE_CREATED)]),
        "mttr": (resolved, [(resolved < created, RESOLVED_BEFORE_CREATED),
                            (resolved == created, RESOLVED_WHEN_CREATED)]),
    }
    for metric, (end, bad_checks) in checks.items():
        has_end = end.notna().to_numpy()
        reason = np.full(len(population), None, dtype=object)
        reason[merged & has_end] = MERGED
        for bad, text in reversed(bad_checks):
            hit = bad.fillna(False).to_numpy(dtype=bool) & eligible_base & has_end
            reason[hit] = text
        keep = eligible_base & has_end & pd.isna(reason)
        seconds = (end - created).dt.total_seconds().to_numpy(dtype=float)
        out[SECONDS[metric]] = np.where(keep, seconds, np.nan)
        out[EXCLUDED[metric]] = reason
    return out


@dataclass(frozen=True)
class DurationStats:
    """One response-time figure over its population (``DurationJson`` in summary.json)."""

    count: int  # measured durations
    censored: int = 0  # still running at the end of the data
    mean: float | None = None  # of the measured durations
    median: float | None = None  # Kaplan–Meier when some are censored
    p90: float | None = None
    p95: float | None = None
    population: str = ""
    excluded: dict[str, int] = field(default_factory=dict)


def distribution(seconds: pd.Series | np.ndarray, censored_at: pd.Series | np.ndarray | None = None,
                 *, population: str = "", excluded: pd.Series | None = None) -> DurationStats:
    """The distribution of the non-null ``seconds``; ``censored_at`` holds the ages of the still
    running ones (NaN elsewhere), which enter the quantiles as Kaplan–Meier censorings.
    ``excluded`` holds the reason each left-out record was excluded."""
    measured = _finite(seconds)
    running = np.zeros(0) if censored_at is None else _finite(censored_at)
    reasons: dict[str, int] = {}
    if excluded is not None and excluded.notna().any():
        reasons = {str(k): int(v) for k, v in
                   excluded.dropna().value_counts().sort_index().items()}
    if not len(measured):
        return DurationStats(0, len(running), population=population, excluded=reasons)
    if not len(running):
        p50, p90, p95 = np.quantile(measured, [0.5, 0.9, 0.95])
        return DurationStats(len(measured), 0, float(measured.mean()), float(p50), float(p90),
                             float(p95), population, reasons)
    values = np.concatenate([measured, running])
    ended = np.concatenate([np.ones(len(measured), bool), np.zeros(len(running), bool)])
    return DurationStats(
        count=len(measured), censored=len(running), mean=float(measured.mean()),
        median=km_quantile(values, ended, 0.5), p90=km_quantile(values, ended, 0.9),
        p95=km_quantile(values, ended, 0.95), population=population, excluded=reasons,
    )


def _finite(values: pd.Series | np.ndarray) -> np.ndarray:
    array: np.ndarray = np.asarray(values, dtype=float)
    finite: np.ndarray = array[~np.isnan(array)]
    return finite


def response_summary(durations: pd.DataFrame, *, mode: str, metric: str) -> DurationStats:
    """The distribution of one metric over every incident, with its population rule and
    exclusion counts (no censoring: the mode's own population)."""
    return distribution(durations[SECONDS[metric]], population=RULES[mode][metric],
                        excluded=durations[EXCLUDED[metric]])


def group_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each value's group as a code into the sorted group names: the value as text, a missing
    one "(unknown)". Factorised before turning into text, so only the distinct values are."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    names = np.array([*(str(u) for u in uniques), UNKNOWN_GROUP], dtype=object)
    codes = np.where(codes < 0, len(names) - 1, codes)
    # values that read alike (1 and "1") are one group, as their text is
    final, groups = pd.factorize(names, sort=True)
    return final[codes], np.asarray(groups, dtype=object)


#: The text columns of the response times table, typed as pandas' strings however built.
TEXT_COLUMNS: tuple[str, ...] = (ResponseTimes.metric, ResponseTimes.dimension,
                                 ResponseTimes.group, ResponseTimes.population)


def response_times(
    population: pd.DataFrame, durations: pd.DataFrame, *, mode: str,
    dimensions: tuple[str, ...] = DIMENSIONS,
) -> pd.DataFrame:
    """Long table (``ResponseTimes``): metric, dimension, group, count, mean, median, p90, p95,
    excluded, population.

    Every incident falls in exactly one group per dimension (missing keys are "(unknown)"), so
    per-group counts sum to the dimension total.
    """
    rows: list[pd.DataFrame] = []
    for dimension in dimensions:
        if dimension == ALL:
            codes, groups = np.zeros(len(population), dtype=np.int64), np.array([ALL], object)
        else:
            codes, groups = group_codes(population[dimension])
        for metric in METRICS:
            # every group at once (grouped.py): one sort instead of a quantile per group
            stats = grouped_stats(codes, durations[SECONDS[metric]].to_numpy(dtype=float),
                                  len(groups))
            excluded = np.bincount(codes, weights=durations[EXCLUDED[metric]].notna().to_numpy(),
                                   minlength=len(groups)).astype(np.int64)
            keep = (stats.count > 0) | (excluded > 0)
            median, p90, p95 = stats.quantiles
            rows.append(pd.DataFrame({
                ResponseTimes.metric: metric, ResponseTimes.dimension: dimension,
                ResponseTimes.group: groups[keep], ResponseTimes.count: stats.count[keep],
                ResponseTimes.mean: stats.mean[keep], ResponseTimes.median: median[keep],
                ResponseTimes.p90: p90[keep], ResponseTimes.p95: p95[keep],
                ResponseTimes.excluded: excluded[keep],
                ResponseTimes.population: RULES[mode][metric],
            }))
    columns = [ResponseTimes.metric, ResponseTimes.dimension, ResponseTimes.group, *STATS,
               ResponseTimes.excluded, ResponseTimes.population]
    return typed_response_table(
        (pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()).reindex(columns=columns))


def typed_response_table(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (the ``ResponseTimes`` columns) with the column types it is stored with,
    however its rows were put together."""
    return table.astype({ResponseTimes.count: "int64", ResponseTimes.excluded: "int64",
                         **{s: "float64" for s in STATS[1:]},
                         **dict.fromkeys(TEXT_COLUMNS, "str")})
