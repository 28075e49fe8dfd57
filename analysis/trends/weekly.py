"""The headline figures week by week, and their trend verdicts."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.frequency import (
    counted_incidents,
    incidents_per_week,
    weekly_totals,
)
from alertlens.analysis.incidents.population import RESOLVE_TIME, WEEK
from alertlens.analysis.incidents.recurrence import recurrence_by_week
from alertlens.analysis.oncall.load import SLEEP
from alertlens.analysis.trends.mann_kendall import trend

#: headline -> whether a lower value is better (all of them are).
HEADLINES: Final = {
    "incidents": True, "pages": True, "noise_share": True, "mtta_median": True, "mtta_p90": True,
    "mttr_median": True, "mttr_p90": True, "recurrence_rate": True, "interruptions": True,
    "sleep_interruptions": True,
}
#: The series whose trend the maturity model and the report judge.
TRENDED: Final = {"mttr": "mttr_median", "incidents": "incidents",
                  "recurrence": "recurrence_rate", "noise": "noise_share"}


def weekly_headlines(
    population: pd.DataFrame, durations: pd.DataFrame, alerts: pd.DataFrame,
    recurring: pd.DataFrame, oncall_weekly: pd.DataFrame, weeks: list[str],
    noise_share_by_week: pd.Series | None, *, min_resolved_share: float = 0.9,
) -> pd.DataFrame:
    """One row per ISO week (every week in ``weeks``): the headline figures.

    Incident counts and pages are zero-filled; medians and rates are NaN in weeks without data;
    MTTA/MTTR belong to the week the incident was created in (UTC). A week's MTTR is NaN
    ("pending") while fewer than ``min_resolved_share`` of its incidents are resolved: only the
    quick ones would be measured, which would fake an improving trend at the end of the data.
    """
    totals = weekly_totals(incidents_per_week(population, alerts, weeks), weeks).set_index("week")
    counted = counted_incidents(population)
    table = totals.astype(float)
    for metric in ("mtta", "mttr"):
        seconds = durations.loc[counted.index, f"{metric}_seconds"]
        by_week = seconds.groupby(counted[WEEK])
        median, p90 = by_week.median().reindex(weeks), by_week.quantile(0.9).reindex(weeks)
        if metric == "mttr":
            resolved = counted[RESOLVE_TIME].notna().groupby(counted[WEEK]).mean()
            pending = resolved.reindex(weeks).fillna(0.0) < min_resolved_share
            median, p90 = median.mask(pending), p90.mask(pending)
        table[f"{metric}_median"] = median
        table[f"{metric}_p90"] = p90
    table["recurrence_rate"] = recurrence_by_week(recurring, weeks)
    if oncall_weekly.empty:
        table["interruptions"] = 0.0
        table["sleep_interruptions"] = 0.0
    else:
        load = oncall_weekly.groupby("week")[["interruptions", SLEEP]].sum()
        load = load.reindex(weeks, fill_value=0).astype(float)
        table["interruptions"] = load["interruptions"]
        table["sleep_interruptions"] = load[SLEEP]
    noise = (pd.Series(np.nan, index=weeks) if noise_share_by_week is None
             else noise_share_by_week.astype(float).reindex(weeks))
    table["noise_share"] = noise.to_numpy()
    return table.rename_axis("week").reset_index()[["week", *HEADLINES]]


def headline_trends(weekly: pd.DataFrame, *, alpha: float, min_points: int) -> pd.DataFrame:
    """metric, n, slope_per_week, p_value, mk_s, verdict, alpha for every headline series."""
    rows = []
    for name, lower_is_better in HEADLINES.items():
        result = trend(weekly[name], alpha=alpha, lower_is_better=lower_is_better,
                       min_points=min_points)
        rows.append({"metric": name, **result})
    table = pd.DataFrame(rows, columns=["metric", "n", "slope_per_week", "p_value", "mk_s",
                                        "verdict", "alpha"])
    return table.astype({"slope_per_week": "float64", "p_value": "float64", "n": "int64",
                         "mk_s": "Int64"})
