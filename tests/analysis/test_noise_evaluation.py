"""Pooling evaluation scores over worlds: micro-averaged counts, mean absolute errors."""

from __future__ import annotations

import pandas as pd
import pytest

from alertlens.analysis.noise import evaluation as ev
from alertlens.analysis.noise.analysis import noise_analysis
from alertlens.analysis.noise.evaluation import POOLED, verdict, with_pooled_rows
from alertlens.ingest.schema import Alerts
from tests.analysis.test_noise_frames import alerts_frame


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


def test_unobservable_labels_and_undecided_rules_are_not_scored() -> None:
    """A label the exports carry no evidence for is left out; a rule the analysis says it
    needs more data on is neither a hit nor a miss."""
    rows = [
        {
            Alerts.source: "generic",
            Alerts.rule_key: "blip",
            Alerts.created_at: 37 * i,
            Alerts.resolved_at: 37 * i + 2,
            Alerts.resolved_by: "auto",
        }
        for i in range(6)
    ] + [
        {
            Alerts.source: "generic",
            Alerts.rule_key: "once",
            Alerts.created_at: 999,
            Alerts.resolved_at: 1100,
            Alerts.resolved_by: "auto",
        }
    ]
    alerts = alerts_frame(rows)
    analysis = noise_analysis(alerts, None)
    truth_alerts = pd.DataFrame(
        {
            Alerts.source: "generic",
            Alerts.alert_id: alerts[Alerts.alert_id],
            "rule": alerts[Alerts.rule_key],
            "is_noise": ["true"] * 5 + ["false", "true"],
            "observable": ["true"] * 5 + ["false", "true"],
        }
    )
    truth = {
        "rules": [
            {"rule": "blip", "is_noise": True, "expected_fix": "raise_threshold"},
            {"rule": "once", "is_noise": True, "expected_fix": "route"},
        ],
        "expected": {
            "noise_share": 1.0,
            "pages_per_week_after_fixes": 0.0,
            "incidents_per_week_after_fixes": None,
        },
    }
    scores = ev.evaluation(analysis, truth_alerts, truth)
    assert scores[ev.SCORED_SHARE] == pytest.approx(6 / 7)
    assert scores[ev.ALERT_PRECISION] == 1.0 and scores[ev.ALERT_RECALL] == pytest.approx(5 / 6)
    # "once" fired once: needs more data, so only "blip" is judged
    assert scores[ev.DECIDED_SHARE] == 0.5
    assert (scores[ev.RULE_TP], scores[ev.RULE_FP], scores[ev.RULE_FN]) == (1, 0, 0)
    assert scores[ev.INCIDENTS_AFTER_ERROR] != scores[ev.INCIDENTS_AFTER_ERROR]  # NaN
