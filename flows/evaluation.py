"""Scoring the noise analysis on generated worlds: generate (or reuse) a world, ingest it into a
scratch lake, run the noise analysis and compare with the ground truth."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from alertlens.analysis.noise.analysis import noise_analysis
from alertlens.analysis.noise.evaluation import ALERTS, SECONDS, evaluation
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import Alerts, Incidents, Notifications
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic.world import generate

TRUTH_JSON = "ground_truth.json"
TRUTH_CSV = "ground_truth_alerts.csv"


def evaluated_world(
    work: Path,
    scenario: str,
    seed: int,
    weeks: float,
    target_alerts: int,
    thresholds: NoiseThresholds,
) -> dict[str, Any]:
    """Generate (unless already there), ingest and analyse one world; its scores."""
    folder = work / f"{scenario}-seed{seed}"
    exports, lake_dir = folder / "exports", folder / "lake"
    if not (exports / TRUTH_JSON).is_file():
        generate(scenario, exports, seed=seed, weeks=weeks, target_alerts=target_alerts)
    lake = Lake(lake_dir)
    if not (lake_dir / Alerts.table).exists():
        ingest_paths(lake, [exports])  # the folder walk skips ground truth and alertlens.toml
    alerts = lake.read(Alerts.table)
    notifications = lake.read(Notifications.table)
    incidents = lake.read(Incidents.table)
    truth = json.loads((exports / TRUTH_JSON).read_text(encoding="utf-8"))
    truth_alerts = pd.read_csv(exports / TRUTH_CSV, dtype=str, keep_default_na=False)
    started = time.perf_counter()
    analysis = noise_analysis(alerts, notifications, incidents, thresholds=thresholds)
    seconds = time.perf_counter() - started
    scores = evaluation(analysis, truth_alerts, truth)
    return {"scenario": scenario, "seed": seed, ALERTS: len(alerts), SECONDS: seconds, **scores}
