"""weeks_observed agrees with the metrics' own week range without building the population."""

from __future__ import annotations

from pathlib import Path

from alertlens.analysis.incidents.frequency import observed_weeks
from alertlens.analysis.incidents.population import incident_population
from alertlens.analysis.summary import weeks_observed
from alertlens.ingest.lake import Lake
from alertlens.ingest.service import ingest_paths

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "multi-team"


def test_weeks_observed_matches_the_population_weeks(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [SAMPLE])
    incidents, alerts = lake.read("incidents"), lake.read("alerts")
    expected = len(observed_weeks(incident_population(incidents, alerts), alerts))
    assert weeks_observed(incidents, alerts) == expected == 8
    assert weeks_observed(incidents.iloc[:0], alerts.iloc[:0]) == 0
