"""Scoring the noise analysis on generated worlds: generate (or reuse) a world of either family,
ingest it into a scratch lake, run the noise analysis and compare with the ground truth; the
ablation reruns the analysis with one step turned off at a time."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from alertlens.analysis.noise.analysis import NoiseSteps, noise_analysis
from alertlens.analysis.noise.evaluation import (
    ALERT_F1,
    ALERTS,
    DECIDED_SHARE,
    KEYS_PER_RULE,
    NOISE_SHARE_ERROR,
    PAGES_AFTER_ERROR,
    RULE_PRECISION,
    RULE_RECALL,
    SECONDS,
    WORLD_FAMILY,
    evaluation,
    meets_targets,
    pooled,
)
from alertlens.analysis.noise.identity import IdentitySteps
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import Alerts, Incidents, Notifications
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic.families import generate_world
from alertlens.synthetic.names import family_of
from alertlens.synthetic.scenarios import DEFAULT_END

TRUTH_JSON = "ground_truth.json"
TRUTH_CSV = "ground_truth_alerts.csv"

#: The ablation: each clustering or identity step turned off on its own.
ABLATIONS: dict[str, NoiseSteps] = {
    "all steps": NoiseSteps(),
    "without episodes (pairwise duplicates only)": NoiseSteps(episodes=False),
    "without families (organisation-wide prior)": NoiseSteps(families=False),
    "without schedules": NoiseSteps(schedules=False),
    "without rule names (titles only)": NoiseSteps(identity=IdentitySteps(names=False)),
    "without slot learning (plain templates)": NoiseSteps(identity=IdentitySteps(slots=False)),
}


@dataclass(frozen=True)
class World:
    """One generated world's lake frames and ground truth."""

    scenario: str
    family: str
    seed: int
    alerts: pd.DataFrame
    notifications: pd.DataFrame
    incidents: pd.DataFrame
    truth: dict[str, Any]
    truth_alerts: pd.DataFrame


def world(
    work: Path,
    scenario: str,
    seed: int,
    weeks: float,
    target_alerts: int,
    end: datetime = DEFAULT_END,
) -> World:
    """Generate (unless already there) and ingest (unless already there) one world."""
    folder = work / f"{scenario}-seed{seed}"
    exports, lake_dir = folder / "exports", folder / "lake"
    if not (exports / TRUTH_JSON).is_file():
        generate_world(
            scenario, exports, seed=seed, weeks=weeks, end=end, target_alerts=target_alerts
        )
    lake = Lake(lake_dir)
    if not (lake_dir / Alerts.table).exists():
        ingest_paths(lake, [exports])  # the folder walk skips ground truth and alertlens.toml
    return World(
        scenario=scenario,
        family=family_of(scenario),
        seed=seed,
        alerts=lake.read(Alerts.table),
        notifications=lake.read(Notifications.table),
        incidents=lake.read(Incidents.table),
        truth=json.loads((exports / TRUTH_JSON).read_text(encoding="utf-8")),
        truth_alerts=pd.read_csv(exports / TRUTH_CSV, dtype=str, keep_default_na=False),
    )


def evaluated(
    data: World,
    thresholds: NoiseThresholds,
    steps: NoiseSteps = NoiseSteps(),  # noqa: B008
) -> dict[str, Any]:
    """The noise analysis of ``data`` scored against its truth (one table row)."""
    started = time.perf_counter()
    analysis = noise_analysis(
        data.alerts, data.notifications, data.incidents, thresholds=thresholds, steps=steps
    )
    seconds = time.perf_counter() - started
    scores = evaluation(analysis, data.truth_alerts, data.truth)
    return {
        "scenario": data.scenario,
        WORLD_FAMILY: data.family,
        "seed": data.seed,
        ALERTS: len(data.alerts),
        SECONDS: seconds,
        **scores,
    }


def ablation(worlds: Sequence[World], thresholds: NoiseThresholds) -> list[dict[str, Any]]:
    """Per ablation variant and family: worlds meeting every target, pooled alert F1, rule
    precision and recall, mean absolute noise share and pages-after errors, rule keys per world
    rule and the mean share of rules decided (a step may help by deciding more rules)."""
    out: list[dict[str, Any]] = []
    for name, steps in ABLATIONS.items():
        rows = [evaluated(w, thresholds, steps) for w in worlds]
        for family in dict.fromkeys(r[WORLD_FAMILY] for r in rows):
            mine = [r for r in rows if r[WORLD_FAMILY] == family]
            total = pooled(mine)
            out.append(
                {
                    "variant": name,
                    WORLD_FAMILY: family,
                    "worlds": len(mine),
                    "met": sum(meets_targets(r) for r in mine),
                    ALERT_F1: total[ALERT_F1],
                    RULE_PRECISION: total[RULE_PRECISION],
                    RULE_RECALL: total[RULE_RECALL],
                    NOISE_SHARE_ERROR: total[NOISE_SHARE_ERROR],
                    PAGES_AFTER_ERROR: total[PAGES_AFTER_ERROR],
                    KEYS_PER_RULE: sum(r[KEYS_PER_RULE] for r in mine) / len(mine),
                    DECIDED_SHARE: sum(r[DECIDED_SHARE] for r in mine) / len(mine),
                }
            )
    return out
