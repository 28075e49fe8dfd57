"""Co-firing links, duplicate partners and correlation groups on tiny frames."""

from __future__ import annotations

import pandas as pd

from alertlens.analysis.noise import cofiring as corr
from alertlens.ingest.schema import Alerts
from tests.analysis.test_noise_frames import alerts_frame

W = pd.Timedelta(minutes=2)


def pair_world(n: int = 6, lag: float = 0.5) -> pd.DataFrame:
    """``n`` firings of "main", each shadowed ``lag`` minutes later by "shadow", plus a loner."""
    rows = []
    for i in range(n):
        rows.append({Alerts.rule_key: "main", Alerts.created_at: 100 * i})
        rows.append({Alerts.rule_key: "shadow", Alerts.created_at: 100 * i + lag})
    rows.append({Alerts.rule_key: "loner", Alerts.created_at: 50})
    return alerts_frame(rows)


def test_links_join_alerts_of_different_rules_within_the_window() -> None:
    alerts = pair_world(2)
    links = corr.cofiring_links(alerts, W)
    _, names = corr.rule_codes(alerts)
    pairs = zip(links[corr.POS], names[links[corr.PARTNER]], strict=True)
    assert sorted(pairs) == [
        (0, "shadow"),
        (1, "main"),
        (2, "shadow"),
        (3, "main"),
    ]


def test_links_keep_the_smallest_gap_and_serve_narrower_windows() -> None:
    rows = [
        {Alerts.rule_key: "a", Alerts.created_at: 0},
        {Alerts.rule_key: "b", Alerts.created_at: 4},
        {Alerts.rule_key: "b", Alerts.created_at: 1},
    ]
    links = corr.cofiring_links(alerts_frame(rows), pd.Timedelta(minutes=5))
    first = links[links[corr.POS] == 0]
    assert first[corr.GAP].tolist() == [pd.Timedelta(minutes=1).value]
    assert len(corr.within(links, pd.Timedelta(minutes=2))) == 2


def test_window_edge_is_inclusive() -> None:
    assert len(corr.cofiring_links(pair_world(1, lag=2.0), W)) == 2
    assert corr.cofiring_links(pair_world(1, lag=2.01), W).empty


def test_pair_shares_and_lift() -> None:
    alerts = pair_world(6)
    pairs = corr.cofiring_pairs(alerts, corr.cofiring_links(alerts, W), W).set_index(
        [corr.RULE_A, corr.RULE_B]
    )
    assert pairs.loc[("shadow", "main"), corr.COFIRINGS] == 6
    assert pairs.loc[("shadow", "main"), corr.SHARE_A] == 1.0
    assert float(pairs.loc[("shadow", "main"), corr.LIFT]) > 5  # type: ignore[arg-type]


def test_the_rule_with_less_human_action_is_the_duplicate() -> None:
    alerts = pair_world(6)
    pairs = corr.cofiring_pairs(alerts, corr.cofiring_links(alerts, W), W)
    keep = pd.Series({"main": 0.9, "shadow": 0.1})
    partners = corr.duplicate_partners(pairs, keep, min_share=0.8, min_cofirings=3, min_lift=5)
    assert partners.to_dict() == {"shadow": "main"}
    flipped = corr.duplicate_partners(
        pairs, pd.Series({"main": 0.1, "shadow": 0.9}), min_share=0.8, min_cofirings=3, min_lift=5
    )
    assert flipped.to_dict() == {"main": "shadow"}


def test_too_few_cofirings_make_no_duplicate() -> None:
    alerts = pair_world(2)
    pairs = corr.cofiring_pairs(alerts, corr.cofiring_links(alerts, W), W)
    partners = corr.duplicate_partners(
        pairs, pd.Series(dtype=float), min_share=0.8, min_cofirings=3, min_lift=5
    )
    assert partners.empty


def test_correlation_groups_compress_pairs_into_episodes() -> None:
    alerts = pair_world(6)
    pairs = corr.cofiring_pairs(alerts, corr.cofiring_links(alerts, W), W)
    result = corr.correlation_groups(alerts, pairs, W, min_share=0.5, min_cofirings=3, min_lift=5)
    assert len(result.groups) == 1
    group = result.groups.iloc[0]
    assert group[corr.RULES_IN_GROUP] == ["main", "shadow"]
    assert (group[corr.FIRINGS], group[corr.EPISODES]) == (12, 6)
    assert result.compression_ratio == 13 / 7  # 6 pair episodes + the loner
    labels = result.alert_group
    assert labels.iloc[0] == labels.iloc[1] != labels.iloc[2]
