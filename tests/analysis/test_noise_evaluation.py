"""Pooling evaluation scores over worlds: micro-averaged counts, mean absolute errors."""

from __future__ import annotations

import pytest

from alertlens.analysis.noise import evaluation as ev
from alertlens.analysis.noise.evaluation import POOLED, verdict, with_pooled_rows


def _row(seed: int, tp: int, fp: int, fn: int, rule: tuple[int, int, int], err: float) -> dict:
    return {
        "scenario": "healthy-team",
        "seed": seed,
        "alerts": 100,
        "analysis_seconds": 0.1,
        ev.ALERT_TP: tp,
        ev.ALERT_FP: fp,
        ev.ALERT_FN: fn,
        ev.RULE_TP: rule[0],
        ev.RULE_FP: rule[1],
        ev.RULE_FN: rule[2],
        ev.FIX_HITS: rule[0],
        ev.FIX_TOTAL: rule[0] + rule[2],
        ev.NOISE_SHARE_ERROR: err,
        ev.PAGES_AFTER_ERROR: err / 100,
        ev.INCIDENTS_AFTER_ERROR: -err / 100,
        # per-seed ratios as evaluation() would give them
        ev.ALERT_F1: 2 * tp / (2 * tp + fp + fn),
        ev.RULE_PRECISION: rule[0] / (rule[0] + rule[1]),
        ev.RULE_RECALL: rule[0] / (rule[0] + rule[2]),
    }


def test_pooled_scores_sum_counts_before_dividing() -> None:
    rows = [_row(1, 9, 1, 0, (2, 0, 1), -6.0), _row(2, 30, 0, 10, (3, 0, 0), 2.0)]
    out = ev.pooled(rows)
    assert out[ev.ALERT_PRECISION] == pytest.approx(39 / 40)
    assert out[ev.ALERT_RECALL] == pytest.approx(39 / 49)
    assert out[ev.RULE_RECALL] == pytest.approx(5 / 6)
    assert out[ev.FIX_AGREEMENT] == pytest.approx(5 / 6)
    # signed errors of opposite sign must not cancel
    assert out[ev.NOISE_SHARE_ERROR] == pytest.approx(4.0)
    assert out[ev.INCIDENTS_AFTER_ERROR] == pytest.approx(0.04)


def test_every_seed_is_judged_and_the_pooled_row_is_only_shown() -> None:
    good = [_row(s, 20, 0, 0, (3, 0, 0), 0.0) for s in range(1, 5)]
    unlucky = _row(5, 20, 0, 0, (2, 0, 1), 0.0)  # one noisy rule missed: rule recall 0.67
    table = with_pooled_rows([*good, unlucky])
    assert [r["seed"] for r in table] == [1, 2, 3, 4, 5, POOLED]
    assert [verdict(r) for r in table] == ["met"] * 4 + ["MISSED", "pooled"]


@pytest.mark.parametrize(
    ("key", "value", "met"),
    [
        (ev.ALERT_F1, 0.949, False),
        (ev.ALERT_F1, 0.95, True),
        (ev.NOISE_SHARE_ERROR, -3.01, False),
        (ev.NOISE_SHARE_ERROR, 3.0, True),
        (ev.PAGES_AFTER_ERROR, 0.151, False),
        (ev.INCIDENTS_AFTER_ERROR, -0.15, True),
        (ev.INCIDENTS_AFTER_ERROR, float("nan"), True),  # a world without incidents
    ],
)
def test_the_targets_of_the_issue(key: str, value: float, met: bool) -> None:
    row = {**_row(1, 20, 0, 0, (9, 0, 0), 0.0), key: value}
    assert ev.meets_targets(row) is met
