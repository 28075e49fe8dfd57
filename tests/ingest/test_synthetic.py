"""The simulated world: determinism, headline numbers, behaviours and the ground truth."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from alertlens.flows.commands import generate as generate_command
from alertlens.flows.config import Config
from alertlens.ingest.settings_table import settings_from_table
from alertlens.synthetic import model as m
from alertlens.synthetic.settings import GeneratorSettings
from alertlens.synthetic.truth import expected_numbers
from alertlens.synthetic.world import generate, simulated_world


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate("multi-team", tmp_path / name, seed=seed, weeks=2)
    a, b, c = (_digests(tmp_path / n) for n in "abc")
    assert a == b
    assert len(a) > 5
    assert a["ground_truth.json"] != c["ground_truth.json"]
    assert a["ground_truth_alerts.csv"] != c["ground_truth_alerts.csv"]


def test_unlucky_team_pages_about_five_times_a_week_mostly_noise() -> None:
    numbers = [
        expected_numbers(*simulated_world("unlucky-team", seed=s, weeks=12)) for s in range(12)
    ]
    pages = np.mean([n["pages_per_week"] for n in numbers])
    noise = np.mean([n["paged_noise_share"] for n in numbers])
    after = np.mean([n["pages_per_week_after_fixes"] for n in numbers])
    assert 4.0 <= pages <= 6.5
    assert 0.72 <= noise <= 0.88
    assert 0.6 <= after <= 1.5
    assert all(n["incidents"] == round(n["incidents_per_week"] * 12) for n in numbers)


def test_healthy_team_has_little_noise() -> None:
    numbers = [
        expected_numbers(*simulated_world("healthy-team", seed=s, weeks=12)) for s in range(6)
    ]
    assert np.mean([n["noise_share"] for n in numbers]) < 0.1


def test_half_fixed_noise_stops_at_the_fix_date() -> None:
    world, assembly = simulated_world("half-fixed", seed=3, weeks=12)
    f = assembly.firings
    middle = (world.start + (world.end - world.start) / 2).timestamp() * 1000
    fixed = np.array([r.active_until is not None and r.is_noise for r in world.rules])[f.rule]
    assert fixed.any()
    assert (f.start[fixed] < middle).all()
    late_noise = np.array([r.is_noise for r in world.rules])[f.rule] & (f.start >= middle)
    assert late_noise.sum() < 0.5 * (~late_noise & (f.start >= middle)).sum() + 20


def test_multi_team_has_every_behaviour_both_sources_and_several_time_zones() -> None:
    world, assembly = simulated_world("multi-team", seed=1, weeks=8)
    fired = {world.rules[i].behaviour for i in np.unique(assembly.firings.rule)}
    assert fired == set(m.BEHAVIOURS)
    assert {t.source for t in world.teams} == {m.PAGERDUTY, m.ALERTMANAGER}
    assert len({t.time_zone for t in world.teams}) >= 4
    assert 4 <= len(world.teams) <= 6


def test_some_duplicates_are_grouped_or_merged_into_their_partner_incident() -> None:
    _, assembly = simulated_world("multi-team", seed=1, weeks=12)
    inc = assembly.incidents
    merged = inc.merged_into >= 0
    assert merged.any()
    assert (inc.alerts[merged] == 0).all() and (inc.resolved[merged] > 0).all()
    on_pd = assembly.incident >= 0
    assert (on_pd & ~assembly.paged).any()  # grouped alerts join an open incident silently
    assert inc.alerts.sum() == on_pd.sum()


def test_durations_of_noise_and_real_incidents_overlap() -> None:
    world, assembly = simulated_world("multi-team", seed=2, weeks=12)
    f = assembly.firings
    done = f.end > 0
    noise = np.array([r.is_noise for r in world.rules])[f.rule]
    minutes = (f.end - f.start) / 60_000
    assert (minutes[done & ~noise] < 10).sum() > 0  # some real problems are fixed fast
    assert (minutes[done & noise] > 60).sum() > 0  # some noise lingers


def test_ground_truth_rows_match_the_firings(tmp_path: Path) -> None:
    result = generate("unlucky-team", tmp_path, seed=2, weeks=4)
    doc = json.loads((tmp_path / "ground_truth.json").read_text())
    with (tmp_path / "ground_truth_alerts.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == doc["expected"]["alerts"] == result.expected["alerts"]
    assert sum(r["paged"] == "true" for r in rows) == doc["expected"]["pages"]
    assert len({r["alert_id"] for r in rows}) == len(rows)
    fixes = {r["behaviour"]: r["expected_fix"] for r in doc["rules"]}
    assert fixes["flapping"] == "add_for_duration" and fixes["duplicate"] == "merge"
    assert doc["teams"][0]["responders"][0]["time_zone"]
    noise = {r["rule"]: r["is_noise"] for r in doc["rules"]}
    assert all((r["is_noise"] == "true") == noise[r["rule"]] for r in rows)


def test_pagerduty_alert_ids_in_truth_are_the_exported_alert_ids(tmp_path: Path) -> None:
    generate("unlucky-team", tmp_path, seed=4, weeks=4)
    exported = {
        a["id"]
        for p in (tmp_path / "pagerduty" / "alerts").glob("*.json")
        for a in json.loads(p.read_text())["alerts"]
    }
    with (tmp_path / "ground_truth_alerts.csv").open() as handle:
        truth = {r["alert_id"] for r in csv.DictReader(handle) if r["source"] == "pagerduty"}
    assert exported == truth


def test_settings_reject_unknown_keys_and_parse_dates() -> None:
    with pytest.raises(ValueError, match="unknown key"):
        settings_from_table(GeneratorSettings, {"sead": 1}, "generate")
    settings = settings_from_table(GeneratorSettings, {"end": "2025-01-06", "weeks": 3}, "generate")
    assert settings.end.isoformat() == "2025-01-06T00:00:00+00:00"
    with pytest.raises(ValueError, match="scenario"):
        settings_from_table(GeneratorSettings, {"scenario": "nope"}, "generate")


def test_generate_command_writes_the_world(tmp_path: Path) -> None:
    top = argparse.ArgumentParser(prog="alertlens")
    generate_command.add_parser(top.add_subparsers(dest="command"))
    args = top.parse_args(
        [
            "generate",
            "--scenario",
            "healthy-team",
            "--weeks",
            "2",
            "--out",
            str(tmp_path),
            "--end",
            "2025-03-03",
        ]
    )
    assert args.handler(args, Config()) == 0
    doc = json.loads((tmp_path / "ground_truth.json").read_text())
    assert doc["end"] == "2025-03-03T00:00:00Z" and doc["scenario"] == "healthy-team"
