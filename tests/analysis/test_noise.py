"""The noise analysis end to end on a small seeded world: verdicts, fixes, explanations carrying
the rule's own numbers, the output contract, and inputs left untouched."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from alertlens.analysis.noise import NoiseThresholds, noise_analysis
from alertlens.analysis.noise.explain import DOMINANT_SIGNAL
from alertlens.ingest.schema import Alerts, Rules, Scored, Summary
from alertlens.ingest.settings_table import settings_from_table
from tests.analysis.test_noise_frames import alerts_frame, small_world

EXPECTED_FIX = {
    "transient": "raise_threshold",
    "flapping": "add_for_duration",
    "ack_and_forget": "delete",
    "duplicate": "merge",
    "informational": "demote",
    "long_standing": "route",
}


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, pd.DataFrame]:
    return small_world(7)


@pytest.fixture(scope="module")
def result(world: tuple[pd.DataFrame, pd.DataFrame]):  # type: ignore[no-untyped-def]
    return noise_analysis(world[0], None)


def test_every_noisy_behaviour_is_found_and_real_rules_are_kept(result, world) -> None:  # type: ignore[no-untyped-def]
    rules = result.rules.merge(world[1], on=Rules.rule_key)
    noisy = rules["behaviour"] != "actionable"
    assert rules.loc[noisy, Rules.is_noisy].all()
    assert not rules.loc[~noisy, Rules.is_noisy].any()


def test_each_noisy_rule_gets_the_fix_its_behaviour_calls_for(result, world) -> None:  # type: ignore[no-untyped-def]
    rules = result.rules.merge(world[1], on=Rules.rule_key)
    noisy = rules[rules["behaviour"] != "actionable"]
    assert (noisy[Rules.recommendation_kind] == noisy["behaviour"].map(EXPECTED_FIX)).all()


def test_a_duplicate_is_merged_into_the_rule_it_shadows(result) -> None:  # type: ignore[no-untyped-def]
    row = result.rules.set_index(Rules.rule_key).loc["duplicate-1"]
    assert "actionable-1" in row[Rules.recommendation]
    assert any("actionable-1" in reason for reason in row[Rules.reasons])


def test_reasons_carry_the_rule_s_own_numbers(result) -> None:  # type: ignore[no-untyped-def]
    for row in result.rules[result.rules[Rules.is_noisy]].itertuples():
        text = " ".join(getattr(row, Rules.reasons))
        assert f"of {getattr(row, Rules.firings)} firings" in text
        assert re.search(r"\d+%", text)
        assert getattr(row, Rules.recommendation)


def test_transient_reason_states_its_share(world) -> None:  # type: ignore[no-untyped-def]
    # irregular starts: a blip every hour on the dot would be a schedule
    starts = [0, 47, 130, 171, 260, 333, 349, 460, 512]
    rows = [
        {
            Alerts.source: "generic",
            Alerts.rule_key: "blip",
            Alerts.created_at: start,
            Alerts.resolved_at: start + 2,
            Alerts.resolved_by: "auto",
        }
        for start in starts
    ] + [
        {
            Alerts.source: "generic",
            Alerts.rule_key: "blip",
            Alerts.created_at: 600,
            Alerts.resolved_at: 700,
            Alerts.resolved_by: "auto",
        }
    ]
    result = noise_analysis(alerts_frame(rows), None)
    reasons = result.rules.loc[0, Rules.reasons]
    assert reasons[0].startswith(
        # nobody's acknowledgements are recorded here: the time alone speaks
        "auto-resolved within 15 min before anyone could act in 90% of 10 firings"
    )


def test_output_contract(result, world) -> None:  # type: ignore[no-untyped-def]
    scored = result.alerts_scored
    for column in (
        Alerts.source,
        Alerts.alert_id,
        Alerts.rule_key,
        Alerts.created_at,
        Alerts.team,
        Alerts.service,
        Alerts.paged,
        Scored.is_noise,
        Scored.noise_reasons,
        Scored.title_template,
        Scored.template_id,
        Scored.correlation_group,
    ):
        assert column in scored.columns
    assert len(scored) == len(world[0])
    noise_rows = scored[scored[Scored.is_noise]]
    assert noise_rows[Scored.noise_reasons].map(len).gt(0).all()
    for column in (
        Rules.rule_key,
        Rules.title_template,
        Rules.service,
        Rules.team,
        Rules.source,
        Rules.firings,
        Rules.pages,
        Rules.noise_share,
        Rules.is_noisy,
        Rules.reasons,
        Rules.recommendation,
        Rules.recommendation_kind,
        Rules.family,
    ):
        assert column in result.rules.columns
    assert result.summary[Summary.noise_share] == pytest.approx(scored[Scored.is_noise].mean())
    assert result.summary["noisy_rules"] == int(result.rules[Rules.is_noisy].sum())
    assert result.whatif["team"].tolist() == ["team-a", "all"]


def test_inputs_are_not_mutated(world) -> None:  # type: ignore[no-untyped-def]
    alerts = world[0].set_index(pd.RangeIndex(100, 100 + len(world[0])))
    before = pd.util.hash_pandas_object(alerts).sum(), list(alerts.columns), alerts.index.copy()
    noise_analysis(alerts, None)
    assert (pd.util.hash_pandas_object(alerts).sum(), list(alerts.columns)) == before[:2]
    assert alerts.index.equals(before[2])


def test_verdicts_do_not_depend_on_the_cluster_seed(world, result) -> None:  # type: ignore[no-untyped-def]
    for seed in (1, 2, 3):
        other = noise_analysis(world[0], None, thresholds=NoiseThresholds(cluster_seed=seed))
        pd.testing.assert_series_equal(
            other.rules.set_index(Rules.rule_key)[Rules.is_noisy].sort_index(),
            result.rules.set_index(Rules.rule_key)[Rules.is_noisy].sort_index(),
        )


def test_only_noisy_rules_name_a_dominant_signal(result) -> None:  # type: ignore[no-untyped-def]
    kept = result.rules[~result.rules[Rules.is_noisy]]
    assert kept[DOMINANT_SIGNAL].isna().all()


def test_empty_input_gives_empty_results() -> None:
    result = noise_analysis(alerts_frame([]), None)
    assert result.rules.empty and result.alerts_scored.empty
    assert result.summary[Summary.noise_share] == 0.0


def test_thresholds_from_mapping() -> None:
    t = settings_from_table(
        NoiseThresholds,
        {"transient_minutes": 5, "informational_severities": ["info", "warning"]},
        "noise",
    )
    assert t.transient_minutes == 5.0 and t.informational_severities == ("info", "warning")
    with pytest.raises(ValueError, match=r"unknown key.*transient_minute\b"):
        settings_from_table(NoiseThresholds, {"transient_minute": 5}, "noise")
    with pytest.raises(ValueError, match="duplicate_min_cofirings"):
        settings_from_table(NoiseThresholds, {"duplicate_min_cofirings": 2.5}, "noise")
    with pytest.raises(ValueError, match="informational_severities"):
        settings_from_table(NoiseThresholds, {"informational_severities": "info"}, "noise")
