"""PagerDuty REST v2 pages: incidents, alerts, log entries, and what only the log knows."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from alertlens.ingest.lake import Lake
from alertlens.ingest.readers.pagerduty import (
    KIND_ALERTS,
    KIND_INCIDENTS,
    KIND_LOG_ENTRIES,
    detect,
    read,
)
from alertlens.ingest.schema import Alerts, Incidents
from alertlens.ingest.service import ingest_paths
from alertlens.ingest.shape import file_shape
from tests.ingest.pd_pages import write_pages


def _t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_detect_each_kind(tmp_path: Path) -> None:
    files = write_pages(tmp_path)
    for key, kind in (
        ("incidents", KIND_INCIDENTS),
        ("alerts", KIND_ALERTS),
        ("log_entries", KIND_LOG_ENTRIES),
    ):
        path = files[key][0]
        assert detect(file_shape(path)) == kind


def test_derived_fields(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    files = write_pages(tmp_path / "in")
    ingest_paths(lake, [tmp_path / "in"])
    inc = lake.read(Incidents.table).set_index(Incidents.incident_id)
    # acknowledgements[] is empty once resolved: MTTA comes from the first acknowledge entry.
    assert inc.loc["PINC1", Incidents.acknowledged_at] == _t("2026-03-02T01:04:00Z")
    assert inc.loc["PINC1", Incidents.resolved_by] == "human"
    assert inc.loc["PINC2", Incidents.resolved_by] == "auto"
    assert inc.loc["PINC1", Incidents.escalation_count] == 1
    assert inc.loc["PINC2", Incidents.merged_into] == "PINC1"
    assert inc.loc["PINC2", Incidents.severity] == "warning"  # no priority: worst alert severity
    alerts = lake.read(Alerts.table).set_index(Alerts.alert_id)
    assert alerts.loc["PAL1", Alerts.paged] is True or alerts.loc["PAL1", Alerts.paged] == True  # noqa: E712
    assert not alerts.loc["PAL2", Alerts.paged]  # grouped into an open incident: no new page
    assert not alerts.loc["PAL3", Alerts.paged]  # nobody was notified
    assert alerts.loc["PAL1", Alerts.team] == "Storage"
    assert alerts.loc["PAL2", Alerts.severity] == "high"
    assert alerts.loc["PAL1", Alerts.rule_key] == alerts.loc["PAL2", Alerts.rule_key]
    assert len(files) == 3


def _derived(lake: Lake) -> tuple[list[tuple], list[tuple]]:
    inc = lake.read(Incidents.table).sort_values(Incidents.incident_id)
    alerts = lake.read(Alerts.table).sort_values(Alerts.alert_id)
    inc_cols = [
        Incidents.incident_id,
        Incidents.acknowledged_at,
        Incidents.resolved_by,
        Incidents.escalation_count,
        Incidents.severity,
        Incidents.reported_by,
    ]
    alert_cols = [
        Alerts.alert_id,
        Alerts.team,
        Alerts.acknowledged_at,
        Alerts.resolved_at,
        Alerts.resolved_by,
        Alerts.paged,
    ]
    return (
        [tuple(map(str, r)) for r in inc[inc_cols].itertuples(index=False)],
        [tuple(map(str, r)) for r in alerts[alert_cols].itertuples(index=False)],
    )


def test_derived_fields_do_not_depend_on_file_order_or_grouping(tmp_path: Path) -> None:
    files = write_pages(tmp_path / "in", split=True)
    reference_lake = Lake(tmp_path / "ref")
    ingest_paths(reference_lake, [tmp_path / "in"])
    expected = _derived(reference_lake)
    groups = [files["incidents"], files["alerts"], files["log_entries"]]
    for n, order in enumerate(itertools.permutations(range(3))):
        lake = Lake(tmp_path / f"lake{n}")
        for g in order:  # one ingest run per kind, in every order
            ingest_paths(lake, list(reversed(groups[g])))
        assert _derived(lake) == expected, order


def test_resolved_before_created_is_quarantined(tmp_path: Path) -> None:
    bad = {
        "incidents": [
            {
                "id": "P1",
                "created_at": "2026-01-02T00:00:00Z",
                "resolved_at": "2026-01-01T00:00:00Z",
                "status": "resolved",
                "incident_number": 1,
            },
            {
                "id": "P2",
                "created_at": "2026-01-02T00:00:00Z",
                "status": "triggered",
                "incident_number": 2,
            },
            {"created_at": "2026-01-02T00:00:00Z", "incident_number": 3},
        {"id": "P4", "created_at": "0001-01-01T00:00:00Z", "incident_number": 4},
        ],
        "limit": 3,
        "offset": 0,
        "more": False,
    }
    path = tmp_path / "i.json"
    path.write_text(json.dumps(bad))
    parsed = read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected)) == (4, 1, 3)
    assert parsed.rejected[0].locator == "/incidents/0"
    assert "before created_at" in parsed.rejected[0].reason
    assert parsed.rejected[1].reason == "missing 'id'"
    assert parsed.rejected[2].reason.startswith("'created_at' is not a time")  # Go's zero time


def test_jsonl_of_pages_and_duplicate_records(tmp_path: Path) -> None:
    page = {
        "incidents": [
            {
                "id": "P1",
                "created_at": "2026-01-02T00:00:00Z",
                "incident_number": 1,
                "status": "triggered",
                "updated_at": "2026-01-02T00:00:00Z",
            }
        ]
    }
    later = {
        "incidents": [
            {
                "id": "P1",
                "created_at": "2026-01-02T00:00:00Z",
                "incident_number": 1,
                "status": "resolved",
                "resolved_at": "2026-01-02T01:00:00Z",
                "updated_at": "2026-01-02T01:00:00Z",
            }
        ]
    }
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(later) + "\n" + json.dumps(page) + "\n{broken\n")
    parsed = read(path, {})
    assert (parsed.read, parsed.accepted, parsed.deduplicated, len(parsed.rejected)) == (3, 1, 1, 1)
    (row,) = parsed.rows[Incidents.table]
    assert row[Incidents.status] == "resolved"  # the newest version wins whatever the line order
    assert row[Incidents.resolved_at] == datetime(2026, 1, 2, 1, tzinfo=UTC)
    assert parsed.rejected[0].locator == "line 3"


@pytest.mark.realdata
def test_vendor_examples(realdata: Path, tmp_path: Path) -> None:
    folder = realdata / "fixtures" / "pagerduty"
    lake = Lake(tmp_path / "lake")
    rest = [
        folder / f"pd_rest_v2_{n}.example.json"
        for n in ("list_incidents", "incident_alerts", "list_log_entries")
    ]
    reports = ingest_paths(lake, rest)
    assert [(r.read, r.accepted) for r in reports] == [(1, 1), (1, 1), (1, 1)]
    inc = lake.read(Incidents.table).iloc[0]
    assert inc[Incidents.incident_id] == "PT4KHLK"
    assert inc[Incidents.resolved_at] == _t("2015-10-06T21:38:23Z")
    assert inc[Incidents.team] == "Engineering"
    assert inc[Incidents.priority] == "P2"
