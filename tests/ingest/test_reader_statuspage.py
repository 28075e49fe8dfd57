"""Statuspage incidents: updates give the lifecycle, impact gives severity."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alertlens.ingest.readers import statuspage
from alertlens.ingest.records import InputError
from alertlens.ingest.schema import Incidents, Notifications
from alertlens.ingest.shape import file_shape

EXCERPT = "statuspage/githubstatus_incidents_excerpt.jsonl"


def test_excerpt_lifecycle_severity_and_updates(fixtures: Path) -> None:
    parsed = statuspage.read(fixtures / EXCERPT, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (5, 5, 0, 0)
    rows = {r[Incidents.incident_id]: r for r in parsed.rows[Incidents.table]}
    outage = rows["lc8s9rtyjmgq"]
    assert outage[Incidents.created_at] == datetime(2021, 8, 10, 20, 9, 3, 904000, tzinfo=UTC)
    assert outage[Incidents.acknowledged_at] == datetime(2021, 8, 10, 22, 24, 5, 186000, tzinfo=UTC)
    assert outage[Incidents.mitigated_at] == datetime(2021, 8, 10, 22, 37, 2, 850000, tzinfo=UTC)
    assert outage[Incidents.resolved_at] == datetime(2021, 8, 10, 23, 10, 51, 289000, tzinfo=UTC)
    assert (outage[Incidents.severity], outage[Incidents.reported_by]) == ("high", "human")
    assert {r[Incidents.severity] for r in rows.values()} == {"critical", "high", "warning", "info"}
    kinds = [
        n[Notifications.kind]
        for n in parsed.rows[Notifications.table]
        if n[Notifications.incident_id] == "lc8s9rtyjmgq"
    ]
    assert kinds == ["trigger", "notify", "acknowledge", "annotate", "resolve"]


def test_incidents_list_document_and_bad_records(tmp_path: Path, fixtures: Path) -> None:
    docs = [json.loads(line) for line in (fixtures / EXCERPT).read_text().splitlines()]
    incidents = [d["incident"] for d in docs[:2]] + [{"name": "no id"}, docs[0]["incident"]]
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps({"page": docs[0]["page"], "incidents": incidents}))
    assert statuspage.detect(file_shape(path)) == "statuspage.incidents"
    parsed = statuspage.read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (4, 2, 1, 1)
    assert parsed.rejected[0].locator == "/incidents/2"


def test_postmortem_and_unreadable(tmp_path: Path) -> None:
    doc = {
        "page": {"id": "p", "time_zone": "Etc/UTC"},
        "incident": {
            "id": "x1",
            "name": "DB",
            "status": "postmortem",
            "impact": "critical",
            "created_at": "2024-01-01T10:00:00-06:00",
            "resolved_at": "2024-01-01T11:00:00-06:00",
            "postmortem_body": "Root cause: disk",
            "incident_updates": [],
        },
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc))
    row = statuspage.read(path, {}).rows[Incidents.table][0]
    assert row[Incidents.postmortem] == "Root cause: disk"
    assert row[Incidents.created_at] == datetime(2024, 1, 1, 16, 0, tzinfo=UTC)
    path.write_text('{"page": {"time_zone": "x"}, "incident": {"incident_updates": [')
    with pytest.raises(InputError):
        statuspage.read(path, {})


@pytest.mark.realdata
def test_github_status_full_history(realdata: Path) -> None:
    path = realdata / "github-status-incidents" / "githubstatus_incidents.jsonl.gz"
    assert statuspage.detect(file_shape(path)) == "statuspage.incidents"
    parsed = statuspage.read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (
        1282,
        1282,
        0,
        0,
    )
    assert len(parsed.rows[Notifications.table]) == 2801
    severities = [r[Incidents.severity] for r in parsed.rows[Incidents.table]]
    assert (
        severities.count("warning"),
        severities.count("high"),
        severities.count("info"),
        severities.count("critical"),
    ) == (1048, 199, 33, 2)
