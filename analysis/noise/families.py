"""Rule families: rules that behave alike, found by a Gaussian mixture over the scaled per-rule
features with the number of families chosen by BIC.

Why a Gaussian mixture: the rule table is small (tens to a few thousand rows), the families are
compact blobs in rate space (a flapping rule looks like every other flapping rule), BIC gives a
principled family count without a distance threshold to tune, and with several restarts the
fitted partition does not depend on the seed (tests/analysis/test_noise_clusters.py).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

#: Fewer rules than this per candidate family makes a mixture component meaningless.
MIN_RULES_PER_FAMILY = 3
#: Keeps diagonal variances away from zero when a feature is constant inside a family.
REG_COVAR = 1e-2


def rule_families(
    matrix: np.ndarray,
    order_key: np.ndarray,
    *,
    max_families: int,
    restarts: int,
    seed: int,
) -> np.ndarray:
    """Family number per row of ``matrix`` (0..k-1), k chosen by BIC among 1..``max_families``.

    Families are numbered by descending mean ``order_key`` (e.g. the rules' signal share), so
    family 0 is the noisiest whatever the seed."""
    n = len(matrix)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    scaled = StandardScaler().fit_transform(np.nan_to_num(matrix.astype(float)))
    most = max(1, min(max_families, n // MIN_RULES_PER_FAMILY))
    best_labels, best_bic = np.zeros(n, dtype=np.int64), np.inf
    for k in range(1, most + 1):
        model = GaussianMixture(
            n_components=k,
            covariance_type="diag",
            reg_covar=REG_COVAR,
            # k-means++ seeding, not a full k-means per restart: 10x faster, same optimum here
            init_params="k-means++",
            n_init=restarts,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(scaled)
        bic = model.bic(scaled)
        if bic < best_bic:
            best_bic, best_labels = bic, model.predict(scaled)
    return _renumbered(best_labels, order_key)


def family_means(labels: np.ndarray, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row: the ``weights``-weighted mean of ``values`` over the row's family."""
    totals = np.bincount(labels, weights=values * weights)
    mass = np.bincount(labels, weights=weights)
    return (totals / np.maximum(mass, 1e-12))[labels]


def _renumbered(labels: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """``labels`` renamed 0..k-1 by descending mean ``order_key`` (ties: larger family first)."""
    found = np.unique(labels)
    means = np.array([order_key[labels == f].mean() for f in found])
    sizes = np.array([(labels == f).sum() for f in found])
    ranking = np.lexsort((-sizes, -means))
    mapping = np.empty(found.max() + 1, dtype=np.int64)
    mapping[found[ranking]] = np.arange(len(found))
    return mapping[labels]
