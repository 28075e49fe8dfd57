"""Mann–Kendall with ties, Theil–Sen verdicts and week-over-week comparisons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alertlens.analysis.trends.mann_kendall import (
    BETTER,
    CONFIDENT,
    FLAT,
    TENTATIVE,
    TOO_FEW,
    WORSE,
    mann_kendall,
    period_comparison,
    trend,
)


def test_mann_kendall_without_ties_matches_the_textbook_formula() -> None:
    result = mann_kendall([1, 2, 3, 4, 5, 6, 7, 8])
    assert result.s == 28  # n(n-1)/2: every pair rises
    assert result.var_s == pytest.approx(8 * 7 * 21 / 18)
    assert result.z == pytest.approx(27 / math.sqrt(8 * 7 * 21 / 18))


def test_mann_kendall_ties_correction_by_hand() -> None:
    # S = 4 + 4 + 1 + 1 + 1 = 11; var = (6*5*17 - [2*1*9 + 3*2*11]) / 18 = 426/18.
    result = mann_kendall([1, 1, 2, 2, 2, 3])
    assert result.s == 11
    assert result.var_s == pytest.approx(426 / 18)
    z = 10 / math.sqrt(426 / 18)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert result.p_value == pytest.approx(0.0398, abs=1e-4)


def test_mann_kendall_of_a_constant_series_is_no_trend() -> None:
    assert mann_kendall([3, 3, 3, 3]).p_value == 1.0


def _weekly(values: list[float]) -> pd.Series:
    return pd.Series(values, index=[f"2026-W{w:02d}" for w in range(1, len(values) + 1)])


def test_trend_verdicts_follow_slope_sign_and_significance() -> None:
    falling = _weekly([900, 850, 800, 790, 700, 650, 600, 580, 500, 450])
    result = trend(falling, alpha=0.05)
    assert result.direction == "better" and result.verdict == f"{BETTER}, {CONFIDENT}"
    assert trend(falling, alpha=0.05, lower_is_better=False).verdict == f"{WORSE}, {CONFIDENT}"
    assert result.slope_per_week == pytest.approx(
        stats.theilslopes(falling.to_numpy(), np.arange(10)).slope)
    noisy = _weekly([5, 9, 4, 8, 5, 9, 4, 8, 6, 7])
    assert trend(noisy, alpha=0.05).verdict == FLAT
    too_few = trend(_weekly([3, 2, 1]), alpha=0.05)
    assert too_few.verdict == TOO_FEW and too_few.p_value is None and too_few.weeks == 3


def test_verdict_words_say_how_sure_the_test_is() -> None:
    """p < alpha / 5 reads "confident", p < alpha "tentative"."""
    series = _weekly([5, 4, 6, 3, 4, 2, 3, 2])
    result = trend(series, alpha=0.05)
    assert result.p_value is not None and 0.01 <= result.p_value < 0.05
    assert result.verdict == f"{BETTER}, {TENTATIVE}"
    assert trend(series, alpha=0.01).verdict == FLAT


def test_trend_keeps_gaps_on_the_time_axis() -> None:
    series = _weekly([10, np.nan, 8, 7, np.nan, 5, 4, 3, 2])
    result = trend(series, alpha=0.05)
    assert result.n == 7 and result.weeks == 9
    assert result.slope_per_week == pytest.approx(-1.0)


def test_empty_weeks_are_not_enough_data() -> None:
    """A series that is all gaps (no incidents to take a median of) never yields a verdict."""
    result = trend(_weekly([np.nan] * 12), alpha=0.05)
    assert result.verdict == TOO_FEW and result.n == 0 and result.weeks == 12


def test_period_comparison_against_previous_and_four_week_average() -> None:
    series = _weekly([1, 2, 3, 4, 5, 6, 12])
    result = period_comparison(series, "2026-W07")
    assert (result.this, result.previous, result.average_4w) == (12.0, 6.0, 4.5)  # W03..W06
    assert result.change_vs_previous == 1.0
    assert result.change_vs_average == pytest.approx(12 / 4.5 - 1)
    assert period_comparison(series, "2026-W01").previous is None
    assert period_comparison(series, "2030-W01").this is None


def test_significant_trend_with_a_zero_median_slope_still_has_a_direction() -> None:
    # Mostly-flat weekly rates: Theil–Sen's median slope is 0, Mann–Kendall is significant.
    series = _weekly([0.0] * 20 + [1.0] * 5)  # 200 zero pair slopes, 100 positive
    result = trend(series, alpha=0.05)
    assert result.slope_per_week == 0.0
    assert result.p_value is not None and result.p_value < 0.05
    assert result.direction == "worse"
