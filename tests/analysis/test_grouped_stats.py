"""Grouped statistics equal numpy's per-group mean and quantiles, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alertlens.analysis.response.grouped import QUANTILES, grouped_stats


def _per_group(codes: np.ndarray, values: np.ndarray, group: int) -> np.ndarray:
    mine = values[codes == group]
    return mine[~np.isnan(mine)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.one_of(
    st.floats(0, 1e7, allow_nan=False), st.just(float("nan")), st.integers(0, 50).map(float)
)), max_size=300))
def test_every_group_equals_numpy_on_its_own_values(rows: list[tuple[int, float]]) -> None:
    codes = np.array([c for c, _ in rows], dtype=np.int64)
    values = np.array([v for _, v in rows], dtype=float)
    found = grouped_stats(codes, values, 6)
    for group in range(6):
        mine = _per_group(codes, values, group)
        assert found.count[group] == len(mine)
        if not len(mine):
            assert np.isnan(found.mean[group])
            assert all(np.isnan(q[group]) for q in found.quantiles)
            continue
        assert found.mean[group] == mine.mean()
        for q, column in zip(QUANTILES, found.quantiles, strict=True):
            assert column[group] == np.quantile(mine, q)


def test_long_groups_are_averaged_as_numpy_does() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 3, 50_000)
    values = rng.exponential(900.0, 50_000) * 1.000001
    found = grouped_stats(codes, values, 4)
    for group in range(3):
        assert found.mean[group] == values[codes == group].mean()
        assert found.quantiles[2][group] == pytest.approx(
            np.quantile(values[codes == group], 0.95), rel=0, abs=0)
    assert found.count[3] == 0 and np.isnan(found.mean[3])
