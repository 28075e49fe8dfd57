"""Time to acknowledge, mitigate and resolve (MTTA / MTTM / MTTR) with their populations.

Two population rules (``mode``):

- ``pagerduty`` (default): MTTA over acknowledged incidents, MTTR over resolved incidents
  (acknowledged or not), MTTM over incidents with a mitigation time.
- ``opsgenie``: every figure over closed (resolved) incidents only; an incident closed without an
  acknowledgement uses its close time as its acknowledgement time.

Both modes drop merged-away incidents. Records whose times run backwards (resolved before created,
acknowledged before created, acknowledged after resolved) are excluded and counted per reason, so
no duration is ever negative. All durations are seconds; percentiles use linear interpolation.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.population import MONTH, ORIGIN, RESOLVE_TIME, WEEK
from alertlens.ingest.schema import Incidents

METRICS: Final = ("mtta", "mttm", "mttr")
DIMENSIONS: Final = (
    "all", Incidents.team, Incidents.service, Incidents.severity, Incidents.priority,
    Incidents.urgency, Incidents.resolved_by, Incidents.source, ORIGIN, WEEK, MONTH,
)
UNKNOWN_GROUP: Final = "(unknown)"
STATS: Final = ("count", "mean", "median", "p90", "p95")

MERGED: Final = "merged away"
RESOLVED_BEFORE_CREATED: Final = "resolved before created"
ACK_BEFORE_CREATED: Final = "acknowledged before created"
ACK_AFTER_RESOLVED: Final = "acknowledged after resolved"
MITIGATED_BEFORE_CREATED: Final = "mitigated before created"

RULES: Final[dict[str, dict[str, str]]] = {
    "pagerduty": {
        "mtta": "pagerduty: acknowledged incidents, created -> first acknowledgement; merged-away "
                "and acknowledged-after-resolved excluded",
        "mttm": "pagerduty: incidents with a mitigation time, created -> mitigated; merged-away "
                "excluded",
        "mttr": "pagerduty: resolved incidents (acknowledged or not, auto-resolved included), "
                "created -> resolved (closed when no resolve time); merged-away excluded",
    },
    "opsgenie": {
        "mtta": "opsgenie: closed incidents only, created -> acknowledgement, or -> close when "
                "never acknowledged before close; merged-away excluded",
        "mttm": "opsgenie: closed incidents with a mitigation time, created -> mitigated; "
                "merged-away excluded",
        "mttr": "opsgenie: closed incidents, created -> close; merged-away excluded",
    },
}


def response_durations(population: pd.DataFrame, *, mode: str = "pagerduty") -> pd.DataFrame:
    """Per incident: ``<metric>_seconds`` (NaN = not in that population) and
    ``<metric>_excluded`` (the reason an otherwise eligible record was dropped, else None)."""
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
        "mttr": (resolved, [(resolved < created, RESOLVED_BEFORE_CREATED)]),
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
        out[f"{metric}_seconds"] = np.where(keep, seconds, np.nan)
        out[f"{metric}_excluded"] = reason
    return out


def distribution(seconds: pd.Series) -> dict[str, float | int | None]:
    """count, mean, median, p90 and p95 of the non-null values (None when there are none)."""
    values = seconds.dropna().to_numpy(dtype=float)
    if not len(values):
        return {"count": 0, "mean": None, "median": None, "p90": None, "p95": None}
    p50, p90, p95 = np.percentile(values, [50, 90, 95])
    return {"count": len(values), "mean": float(values.mean()), "median": float(p50),
            "p90": float(p90), "p95": float(p95)}


def response_summary(durations: pd.DataFrame, *, mode: str, metric: str) -> dict[str, Any]:
    """The headline distribution of one metric with its population rule and exclusion counts."""
    stats = distribution(durations[f"{metric}_seconds"])
    excluded = durations[f"{metric}_excluded"].dropna().value_counts().sort_index()
    return {**stats, "population": RULES[mode][metric],
            "excluded": {str(k): int(v) for k, v in excluded.items()}}


def response_times(
    population: pd.DataFrame, durations: pd.DataFrame, *, mode: str,
    dimensions: tuple[str, ...] = DIMENSIONS,
) -> pd.DataFrame:
    """Long table: metric, dimension, group, count, mean, median, p90, p95, excluded, population.

    Every incident falls in exactly one group per dimension (missing keys are "(unknown)"), so
    per-group counts sum to the dimension total.
    """
    rows = []
    for dimension in dimensions:
        keys = (pd.Series("all", index=population.index) if dimension == "all"
                else population[dimension].astype(object).where(population[dimension].notna(),
                                                                UNKNOWN_GROUP).astype(str))
        for metric in METRICS:
            seconds = durations[f"{metric}_seconds"]
            excluded = durations[f"{metric}_excluded"].notna()
            for group, index in keys.groupby(keys, sort=True).groups.items():
                stats = distribution(seconds.loc[index])
                if stats["count"] == 0 and not excluded.loc[index].any():
                    continue
                rows.append({"metric": metric, "dimension": dimension, "group": group, **stats,
                             "excluded": int(excluded.loc[index].sum()),
                             "population": RULES[mode][metric]})
    columns = ["metric", "dimension", "group", *STATS, "excluded", "population"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"count": "int64", "excluded": "int64",
                         **{s: "float64" for s in STATS[1:]}})
