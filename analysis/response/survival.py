"""Quantiles of durations when some are still running (right-censored): Kaplan–Meier.

An incident still open at the end of the data has lasted *at least* its age; dropping it would
keep only the quick ones and make the median look better than it is. The Kaplan–Meier estimate
counts it in every risk set up to its age. Without censored values the plain (linearly
interpolated) quantile is returned, so figures stay comparable with the uncensored tables.
"""

from __future__ import annotations

import numpy as np


def km_quantile(durations: np.ndarray, ended: np.ndarray, q: float) -> float | None:
    """The ``q`` quantile (0.5 = median) of ``durations`` where ``ended`` is False for censored
    values: the smallest time at which the Kaplan–Meier survival drops to ``1 - q`` or below.
    None when there is nothing to estimate from or the curve never gets that low (the quantile
    lies beyond the longest observation).

    >>> km_quantile(np.array([1.0, 2.0, 3.0]), np.array([True, True, True]), 0.5)
    2.0
    >>> km_quantile(np.array([1.0, 5.0, 5.0, 5.0]), np.array([True, False, False, False]), 0.5)
    """
    values = np.asarray(durations, dtype=float)
    done = np.asarray(ended, dtype=bool)
    keep = ~np.isnan(values)
    values, done = values[keep], done[keep]
    if not len(values) or not done.any():
        return None
    if done.all():
        return float(np.quantile(values, q))
    order = np.lexsort((~done, values))  # events before censorings at the same time
    values, done = values[order], done[order]
    at_risk = len(values) - np.arange(len(values))
    factors = np.where(done, 1.0 - 1.0 / at_risk, 1.0)
    survival = np.cumprod(factors)
    below = np.flatnonzero(done & (survival <= 1.0 - q + 1e-12))
    return float(values[below[0]]) if len(below) else None
