"""A generated world goes through the real readers: every firing lands under its truth id."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import Alerts, Incidents
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic.world import generate


def test_generated_world_ingests_with_the_truth_ids_and_numbers(tmp_path: Path) -> None:
    out = tmp_path / "world"
    generate("multi-team", out, seed=8, weeks=3)
    lake = Lake(tmp_path / "lake")
    reports = ingest_paths(lake, [out / "pagerduty", out / "alertmanager"])
    assert sum(r.quarantined for r in reports) == 0
    alerts = lake.read(Alerts.table)
    incidents = lake.read(Incidents.table)
    with (out / "ground_truth_alerts.csv").open() as handle:
        truth = list(csv.DictReader(handle))
    expected = json.loads((out / "ground_truth.json").read_text())["expected"]
    assert set(zip(alerts[Alerts.source], alerts[Alerts.alert_id], strict=True)) == {
        (r["source"], r["alert_id"]) for r in truth
    }
    assert len(incidents) == expected["incidents"]
    acked = incidents[Incidents.acknowledged_at].notna()
    mtta = (incidents[Incidents.acknowledged_at] - incidents[Incidents.created_at])[acked]
    assert mtta.dt.total_seconds().median() == expected["mtta_seconds"]
