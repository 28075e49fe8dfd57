"""Is it getting better? A robust trend test and week-over-week comparisons.

The trend test is a Theil–Sen slope (``scipy.stats.theilslopes``) with a two-sided Mann–Kendall
p-value (normal approximation with continuity and ties correction). A verdict names a direction
only when p < alpha: "getting better, confident" when p < alpha / 5, "getting better, tentative"
when p < alpha; otherwise "no clear change"; with fewer weekly values than the minimum, "not
enough data". The report shows the words; the numbers stay in the table and the footnote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
from scipy import stats

from alertlens.analysis.jsonable import optional_float

BETTER: Final = "getting better"
WORSE: Final = "getting worse"
FLAT: Final = "no clear change"
TOO_FEW: Final = "not enough data"
CONFIDENT: Final = "confident"
TENTATIVE: Final = "tentative"
#: p below alpha / CONFIDENT_FACTOR reads "confident".
CONFIDENT_FACTOR: Final = 5.0

Direction = Literal["better", "worse"]
Confidence = Literal["confident", "tentative"]


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


@dataclass(frozen=True)
class TrendResult:
    """One trend test over a weekly series (``Trends`` columns)."""

    n: int  # weeks with a value
    weeks: int  # weeks in the window
    slope_per_week: float | None
    p_value: float | None
    mk_s: int | None
    direction: Direction | None
    confidence: Confidence | None
    alpha: float
    min_weeks: int

    @property
    def verdict(self) -> str:
        """The verdict in words: "getting better, confident", "no clear change" …"""
        if self.p_value is None:
            return TOO_FEW
        if self.direction is None:
            return FLAT
        return f"{BETTER if self.direction == 'better' else WORSE}, {self.confidence}"


def trend(series: pd.Series, *, alpha: float, lower_is_better: bool = True,
          min_points: int = 6) -> TrendResult:
    """Slope per step (Theil–Sen), Mann–Kendall p, n and a verdict for a weekly series.

    Missing weeks (NaN) are left out; the x axis keeps their position so gaps stay gaps.
    """
    values = series.astype(float).to_numpy()
    x = np.arange(len(values), dtype=float)
    present = ~np.isnan(values)
    x, y = x[present], values[present]
    minimum = max(min_points, 3)
    if len(y) < minimum:
        return TrendResult(len(y), len(values), None, None, None, None, None, alpha, minimum)
    mk = mann_kendall(y)
    slope = float(stats.theilslopes(y, x).slope)
    direction: Direction | None = None
    confidence: Confidence | None = None
    # The direction is the Mann–Kendall sign: with many tied weeks the Theil–Sen median slope can
    # be exactly 0 while the trend is still significant.
    if mk.p_value < alpha and mk.s != 0:
        direction = "better" if (mk.s < 0) == lower_is_better else "worse"
        confidence = CONFIDENT if mk.p_value < alpha / CONFIDENT_FACTOR else TENTATIVE
    return TrendResult(len(y), len(values), slope, mk.p_value, mk.s, direction, confidence,
                       alpha, minimum)


@dataclass(frozen=True)
class Comparison:
    """This period against the one before and, for a week, the 4 weeks before."""

    this: float | None
    previous: float | None
    average_4w: float | None

    @property
    def change_vs_previous(self) -> float | None:
        """Relative change against the previous period (None when unknown or from zero)."""
        return _relative_change(self.this, self.previous)

    @property
    def change_vs_average(self) -> float | None:
        """Relative change against the 4-week average."""
        return _relative_change(self.this, self.average_4w)


def period_comparison(series: pd.Series, week: str) -> Comparison:
    """this week, the previous week and the mean of the 4 weeks before this one.

    ``series`` is indexed by ISO week label in time order; missing weeks count as missing.
    """
    labels = list(series.index)
    if week not in labels:
        return Comparison(None, None, None)
    i = labels.index(week)
    this = _number(series.iloc[i])
    previous = _number(series.iloc[i - 1]) if i > 0 else None
    window = series.iloc[max(0, i - 4):i].astype(float).dropna()
    average = float(window.mean()) if len(window) else None
    return Comparison(this, previous, average)


def _number(value: object) -> float | None:
    return optional_float(value)


def _relative_change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before
