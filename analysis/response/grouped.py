"""Count, mean and linear-interpolation quantiles of many groups at once: one sort of the
values instead of one ``np.quantile`` per group, with numpy's own interpolation so every figure
equals the per-group computation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The quantiles of a response-time table: median, p90, p95.
QUANTILES: tuple[float, ...] = (0.5, 0.9, 0.95)


@dataclass(frozen=True)
class GroupedStats:
    """Per group code ``0 .. groups-1``: the count of non-NaN values, their mean and the
    ``QUANTILES`` (NaN where a group has no value)."""

    count: np.ndarray  # int64
    mean: np.ndarray  # float64
    quantiles: tuple[np.ndarray, ...]  # one float64 array per quantile


def grouped_stats(codes: np.ndarray, values: np.ndarray, groups: int,
                  quantiles: tuple[float, ...] = QUANTILES) -> GroupedStats:
    """The statistics of ``values`` (NaN = no value) per group ``codes`` (ints in
    ``0 .. groups-1``), equal to ``np.quantile(v, q)`` and ``v.mean()`` of each group's values."""
    values = np.asarray(values, dtype=float)
    codes = np.asarray(codes, dtype=np.int64)
    finite = ~np.isnan(values)
    codes, values = _small(codes[finite], groups), values[finite]
    # by group, then by value: a stable radix sort of the small group codes after a value sort
    by_value = np.argsort(values)
    ordered = values[by_value][np.argsort(codes[by_value], kind="stable")]
    count = np.bincount(codes, minlength=groups).astype(np.int64)
    start = np.concatenate(([0], np.cumsum(count)[:-1])).astype(np.int64)
    has = count > 0
    mean = np.full(groups, np.nan)
    if has.any():
        # each group's values in their original order, as the per-group np.mean sums them
        in_order = values[np.argsort(codes, kind="stable")]
        mean[has] = _group_means(in_order, start[has], count[has])
    found = []
    for q in quantiles:
        out = np.full(groups, np.nan)
        n = count[has]
        virtual = (n - 1) * q
        previous = np.floor(virtual).astype(np.int64)
        following = np.minimum(previous + 1, n - 1)
        previous = np.minimum(previous, n - 1)
        gamma = virtual - np.floor(virtual)
        a = ordered[start[has] + previous]
        b = ordered[start[has] + following]
        out[has] = _lerp(a, b, gamma)
        found.append(out)
    return GroupedStats(count, mean, tuple(found))


def _small(codes: np.ndarray, groups: int) -> np.ndarray:
    """``codes`` in the narrowest integer type, which numpy sorts stably by radix."""
    for kind in (np.int8, np.int16):
        if groups <= np.iinfo(kind).max:
            return codes.astype(kind)
    return codes


def _group_means(values: np.ndarray, start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Each group's mean as ``np.mean`` of its slice gives it: below 8 values numpy adds them
    in order (as ``bincount`` does), from 8 on pairwise (a different rounding), so those slices
    are averaged by np.mean itself."""
    slot = np.repeat(np.arange(len(start)), count)
    means: np.ndarray = np.bincount(slot, weights=values, minlength=len(start)) / count
    for i in np.flatnonzero(count >= 8):
        means[i] = values[start[i]:start[i] + count[i]].mean()
    return means


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's quantile interpolation (``numpy.lib._function_base_impl._lerp``)."""
    diff = b - a
    out: np.ndarray = a + diff * t
    np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
    return out
