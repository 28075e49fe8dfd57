"""The noise analysis on real data (read in place from /work/shared/realdata, never copied;
skipped when the folder is absent): the anonymised Velocity NY 2013 PagerDuty stream gets no
verdict that rests on a field it lacks, and the captured Prometheus + Alertmanager run finds its
flapping rule."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from alertlens.analysis.noise.analysis import noise_analysis
from alertlens.analysis.noise.verdict import CANNOT_TELL
from alertlens.ingest.readers import alertmanager, csv_mapped
from alertlens.ingest.records import rows_to_table
from alertlens.ingest.schema import Alerts, Rules, Scored


@pytest.mark.realdata
def test_velocity_stream_claims_nothing_its_export_cannot_show(
    realdata: Path, fixtures: Path
) -> None:
    """No acknowledgements, no resolve times, hour-bucketed starts: no signal can be
    evaluated, so every rule is "cannot tell" (it came out 95-99.9% noise when a missing resolve
    time counted as open and every hashed name masked to ``<*>``)."""
    path = realdata / "velocity2013-pagerduty-alerts" / "alerts.csv"
    if not path.is_file():
        pytest.skip("velocity2013 alerts.csv not present")
    mapping = tomllib.loads((fixtures / "csv" / "velocity2013_mapping.toml").read_text())
    parsed = csv_mapped.read(path, mapping["sources"]["csv"])
    alerts = rows_to_table(Alerts.table, parsed.rows[Alerts.table]).to_pandas()
    result = noise_analysis(alerts, None)
    rules = result.rules
    assert len(rules) == 673
    assert (rules[Rules.verdict] == CANNOT_TELL).all()
    assert rules[Rules.evidence].map(len).eq(0).all()
    assert not rules[Rules.is_noisy].any()
    assert result.summary["noise_share"] == 0.0
    assert not result.alerts_scored[Scored.noise_reasons].map(len).any()
    # the hashed names stay names: one template per rule, none a bare slot
    assert rules[Rules.title_template].nunique() == 673
    assert not rules[Rules.title_template].str.contains("<", regex=False).any()


@pytest.mark.realdata
def test_captured_alertmanager_run_finds_its_flapping_rule(realdata: Path) -> None:
    """FlappingDemo fired 8 times, 20 s each, 20 s apart (captured README); AlwaysFiring
    fired once and stayed."""
    path = realdata / "captured-prometheus-alertmanager" / "webhooks.jsonl"
    parsed = alertmanager.read(path, {})
    alerts = rows_to_table(Alerts.table, parsed.rows[Alerts.table]).to_pandas()
    result = noise_analysis(alerts, None)
    rules = result.rules.set_index(Rules.rule_name)
    flapper = rules.loc["FlappingDemo · flapper"]
    assert flapper[Rules.firings] == 8 and flapper[Rules.is_noisy]
    assert flapper["dominant_signal"] == "flapping"
    assert flapper[Rules.recommendation_kind] == "add_for_duration"
    assert flapper[Rules.confidence] > 0.9
    # Alertmanager records no people: nothing rests on acknowledgements
    assert "unacked_self_resolving_page" not in flapper[Rules.evidence]
    assert not rules.loc["AlwaysFiring · demo", Rules.is_noisy]
