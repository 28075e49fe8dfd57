"""Is it getting better? Week-over-week comparisons and a robust trend test.

The trend test is a Theil–Sen slope (``scipy.stats.theilslopes``) with a two-sided Mann–Kendall
p-value (normal approximation with continuity and ties correction). A report may say "getting
better" or "getting worse" only when p < alpha; otherwise the verdict is "no significant trend".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy import stats

BETTER: Final = "getting better"
WORSE: Final = "getting worse"
FLAT: Final = "no significant trend"
TOO_FEW: Final = "insufficient data"


@dataclass(frozen=True)
class MannKendall:
    """The Mann–Kendall statistic S, its tie-corrected variance, z score and two-sided p."""

    s: int
    var_s: float
    z: float
    p_value: float


def mann_kendall(values: np.ndarray | list[float]) -> MannKendall:
    """The Mann–Kendall test of a monotonic trend in ``values`` (in time order, no NaN).

    >>> mann_kendall([1, 2, 3, 4, 5]).s
    10
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    diffs = np.sign(x[None, :] - x[:, None])
    s = int(np.triu(diffs, k=1).sum())
    _, tie_sizes = np.unique(x, return_counts=True)
    ties = sum(t * (t - 1) * (2 * t + 5) for t in tie_sizes if t > 1)
    var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    if var_s <= 0 or s == 0:
        return MannKendall(s, float(var_s), 0.0, 1.0)
    z = (s - 1) / math.sqrt(var_s) if s > 0 else (s + 1) / math.sqrt(var_s)
    return MannKendall(s, float(var_s), float(z), float(2 * stats.norm.sf(abs(z))))


def trend(series: pd.Series, *, alpha: float, lower_is_better: bool = True,
          min_points: int = 6) -> dict[str, Any]:
    """Slope per step (Theil–Sen), Mann–Kendall p, n and a verdict for a weekly series.

    Missing weeks (NaN) are left out; the x axis keeps their position so gaps stay gaps.
    """
    values = series.astype(float).to_numpy()
    x = np.arange(len(values), dtype=float)
    present = ~np.isnan(values)
    x, y = x[present], values[present]
    result: dict[str, Any] = {"n": len(y), "slope_per_week": None, "p_value": None, "mk_s": None,
                    "verdict": TOO_FEW, "alpha": alpha}
    if len(y) < max(min_points, 3):
        return result
    mk = mann_kendall(y)
    slope = float(stats.theilslopes(y, x).slope)
    verdict = FLAT
    # The direction is the Mann–Kendall sign: with many tied weeks the Theil–Sen median slope can
    # be exactly 0 while the trend is still significant.
    if mk.p_value < alpha and mk.s != 0:
        verdict = BETTER if (mk.s < 0) == lower_is_better else WORSE
    return {**result, "slope_per_week": slope, "p_value": mk.p_value, "mk_s": mk.s,
            "verdict": verdict}


def period_comparison(series: pd.Series, week: str) -> dict[str, Any]:
    """this week, the previous week and the mean of the 4 weeks before this one, with changes.

    ``series`` is indexed by ISO week label in time order; missing weeks count as missing.
    """
    labels = list(series.index)
    if week not in labels:
        return {"this_week": None, "previous_week": None, "four_week_average": None,
                "change_vs_previous": None, "change_vs_four_week_average": None}
    i = labels.index(week)
    this = _number(series.iloc[i])
    previous = _number(series.iloc[i - 1]) if i > 0 else None
    window = series.iloc[max(0, i - 4):i].astype(float).dropna()
    average = float(window.mean()) if len(window) else None
    return {"this_week": this, "previous_week": previous, "four_week_average": average,
            "change_vs_previous": _relative_change(this, previous),
            "change_vs_four_week_average": _relative_change(this, average)}


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _relative_change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before
