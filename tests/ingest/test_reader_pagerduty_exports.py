"""PagerDuty Analytics raw incidents and the web UI incidents CSV."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alertlens.ingest.readers import pagerduty_exports as pde
from alertlens.ingest.records import InputError
from alertlens.ingest.schema import Incidents
from alertlens.ingest.shape import file_shape

ANALYTICS = "pd_analytics_raw_incidents.example.json"


def test_web_ui_csv(fixtures: Path) -> None:
    path = fixtures / "pagerduty" / "incidents_report_shaped.csv"
    assert pde.detect_exports(file_shape(path)) == "pagerduty.csv"
    parsed = pde.read_exports(path, "pagerduty.csv", {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (4, 2, 1, 1)
    assert parsed.rejected[0].locator == "line 4"
    assert "before created_at" in parsed.rejected[0].reason
    rows = {r[Incidents.incident_id]: r for r in parsed.rows[Incidents.table]}
    disk = rows["Q1ABCDEF"]
    assert disk[Incidents.created_at] == datetime(2024, 5, 2, 8, 0, tzinfo=UTC)
    assert disk[Incidents.acknowledged_at] == datetime(2024, 5, 2, 8, 2, tzinfo=UTC)
    assert disk[Incidents.resolved_at] == datetime(2024, 5, 2, 8, 45, tzinfo=UTC)
    assert (disk[Incidents.priority], disk[Incidents.severity], disk[Incidents.service]) == (
        "P2",
        "high",
        "Database",
    )
    assert (disk[Incidents.resolved_by], rows["Q2BCDEFG"][Incidents.resolved_by]) == (
        "human",
        "auto",
    )


def test_analytics_shaped_fixture(fixtures: Path) -> None:
    path = fixtures / "pagerduty" / "analytics_raw_incidents_shaped.json"
    assert pde.detect_exports(file_shape(path)) == "pagerduty.analytics"
    parsed = pde.read_exports(path, "pagerduty.analytics", {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (3, 2, 1, 0)
    assert parsed.rejected[0].locator == "/data/1"
    rows = {r[Incidents.incident_id]: r for r in parsed.rows[Incidents.table]}
    first = rows["QAN0001"]  # Europe/Berlin is UTC+1 in February
    assert first[Incidents.created_at] == datetime(2024, 2, 10, 2, 0, tzinfo=UTC)
    assert first[Incidents.acknowledged_at] == datetime(2024, 2, 10, 2, 1, 30, tzinfo=UTC)
    assert first[Incidents.resolved_at] == datetime(2024, 2, 10, 2, 40, tzinfo=UTC)
    assert (
        first[Incidents.severity],
        first[Incidents.major],
        first[Incidents.escalation_count],
    ) == (
        "critical",
        True,
        2,
    )
    assert first[Incidents.version_at] == datetime(2024, 2, 10, 23, 0, tzinfo=UTC)
    assert rows["QAN0003"][Incidents.resolved_at] is None


@pytest.mark.realdata
def test_analytics_vendor_example(realdata: Path, tmp_path: Path) -> None:
    path = tmp_path / ANALYTICS
    shutil.copy(realdata / "fixtures" / "pagerduty" / ANALYTICS, path)
    assert pde.detect_exports(file_shape(path)) == "pagerduty.analytics"
    parsed = pde.read_exports(path, "pagerduty.analytics", {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (2, 1, 1, 0)
    assert parsed.rejected[0].locator == "/data/1"
    assert "before created_at" in parsed.rejected[0].reason
    assert parsed.notes == ["2 malformed key(s) with stray quotes were cleaned"]
    row = parsed.rows[Incidents.table][0]
    assert row[Incidents.incident_id] == "PYC0H08"
    assert row[Incidents.created_at] == datetime(2023, 5, 31, 10, 5, tzinfo=UTC)
    assert row[Incidents.acknowledged_at] == datetime(2023, 5, 31, 10, 5, 5, tzinfo=UTC)
    assert row[Incidents.resolved_at] == datetime(2023, 5, 31, 10, 15, tzinfo=UTC)
    assert (row[Incidents.urgency], row[Incidents.severity], row[Incidents.resolved_by]) == (
        "low",
        "unknown",
        "human",
    )


def test_analytics_time_zone_applies(tmp_path: Path) -> None:
    doc = {
        "data": [
            {
                "id": "P1",
                "incident_number": 1,
                "created_at": "2023-05-31T10:05:00",
                "resolved_at": None,
                "seconds_to_resolve": None,
                "status": "triggered",
            }
        ],
        "time_zone": "America/New_York",
    }
    path = tmp_path / "analytics.json"
    path.write_text(json.dumps(doc))
    row = pde.read_exports(path, "pagerduty.analytics", {}).rows[Incidents.table][0]
    assert row[Incidents.created_at] == datetime(2023, 5, 31, 14, 5, tzinfo=UTC)
    doc.pop("time_zone")
    path.write_text(json.dumps(doc))
    parsed = pde.read_exports(path, "pagerduty.analytics", {})  # no zone anywhere: UTC, noted
    assert parsed.rows[Incidents.table][0][Incidents.created_at] == datetime(
        2023, 5, 31, 10, 5, tzinfo=UTC
    )
    assert any("read as UTC" in note for note in parsed.notes)
    path.write_text("[1, 2")
    with pytest.raises(InputError):
        pde.read_exports(path, "pagerduty.analytics", {})
