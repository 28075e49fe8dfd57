"""The shipped samples ingest with exact accounting and agree with their ground truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import VOCABULARIES, Alerts, Manifest
from alertlens.ingest.service import ingest_paths

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.mark.parametrize("scenario", ["unlucky-team", "multi-team"])
def test_sample_ingests_exactly(scenario: str, tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    reports = ingest_paths(lake, [SAMPLES / scenario])
    assert reports and all(r.balanced and r.quarantined == 0 for r in reports)
    manifest = lake.read(Manifest.table)
    assert len(manifest) == len(reports)
    truth = pd.read_csv(SAMPLES / scenario / "ground_truth_alerts.csv")
    alerts = lake.read(Alerts.table)
    joined = truth.merge(alerts, on=[Alerts.source, Alerts.alert_id], how="outer", indicator=True)
    assert (joined["_merge"] == "both").all(), "every ground-truth firing, and only those"
    # paged is derived from notify log entries, including pages of merged-away incidents
    assert (joined["paged_x"] == joined["paged_y"].astype(bool)).all()
    for (table, column), allowed in VOCABULARIES.items():
        assert set(lake.read(table)[column].dropna()) <= set(allowed), (table, column)
