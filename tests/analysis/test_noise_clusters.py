"""Rule families: BIC picks the family count, the partition and numbering survive a new seed."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score

from alertlens.analysis.noise.families import family_means, rule_families


def blobs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0, 0, 0], [5, 5, 0, 0], [0, 5, 5, 0], [5, 0, 0, 5]])
    truth = np.repeat(np.arange(4), 15)
    return centres[truth] + rng.normal(0, 0.3, (len(truth), 4)), truth


def test_bic_finds_the_families() -> None:
    matrix, truth = blobs(0)
    labels = rule_families(matrix, matrix[:, 0], max_families=8, restarts=4, seed=0)
    assert adjusted_rand_score(truth, labels) == 1.0


def test_families_and_their_numbers_do_not_depend_on_the_seed() -> None:
    matrix, _ = blobs(1)
    order_key = matrix[:, 1] + matrix[:, 2]
    runs = [rule_families(matrix, order_key, max_families=8, restarts=4, seed=s) for s in range(5)]
    for labels in runs[1:]:
        assert (labels == runs[0]).all()
    # family 0 is the one with the highest mean order key
    means = [order_key[runs[0] == f].mean() for f in np.unique(runs[0])]
    assert means == sorted(means, reverse=True)


def test_a_single_rule_is_one_family() -> None:
    assert rule_families(
        np.ones((1, 3)), np.ones(1), max_families=8, restarts=2, seed=0
    ).tolist() == [0]


def test_family_means_are_weighted_by_firings() -> None:
    labels = np.array([0, 0, 1])
    out = family_means(labels, np.array([1.0, 0.0, 0.5]), np.array([3.0, 1.0, 2.0]))
    assert out.tolist() == [0.75, 0.75, 0.5]
