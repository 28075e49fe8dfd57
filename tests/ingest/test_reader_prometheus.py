"""Prometheus alert snapshots and ALERTS query_range results become firings."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alertlens.ingest.readers import prometheus
from alertlens.ingest.records import InputError
from alertlens.ingest.schema import Alerts
from alertlens.ingest.shape import file_shape

DIR = "prometheus"


def _name(row: dict) -> str:
    return json.loads(row[Alerts.labels])["alertname"]


def test_captured_alerts_snapshot(fixtures: Path) -> None:
    path = fixtures / DIR / "captured_prom_api_v1_alerts_t025s.json"
    assert prometheus.detect(file_shape(path)) == "prometheus.alerts"
    parsed = prometheus.read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (8, 8, 0, 0)
    flapping = next(r for r in parsed.rows[Alerts.table] if _name(r) == "FlappingDemo")
    assert flapping[Alerts.created_at] == datetime(2026, 11, 26, 15, 28, 1, 330155, tzinfo=UTC)
    assert flapping[Alerts.alert_id].endswith("@2026-11-26T15:28:01Z")
    assert (flapping[Alerts.severity], flapping[Alerts.severity_raw]) == ("critical", "page")
    assert flapping[Alerts.rule_key].startswith("FlappingDemo{")
    scrape = [r for r in parsed.rows[Alerts.table] if _name(r) == "ScrapeTargetUp"]
    # 4 targets in 3 jobs: instance is not part of the rule, job is
    assert len({r[Alerts.rule_key] for r in scrape}) == 3
    assert len({r[Alerts.alert_id] for r in scrape}) == 4


def test_pending_alerts_are_counted_as_skipped(fixtures: Path) -> None:
    parsed = prometheus.read(
        fixtures / DIR / "alertmonitor_prometheus_api_v1_alerts_excerpt.json", {}
    )
    assert (parsed.read, parsed.accepted, parsed.skipped) == (5, 4, 1)
    assert parsed.notes == ["1 record(s) skipped: pending alert (not firing yet)"]
    assert {r[Alerts.severity] for r in parsed.rows[Alerts.table]} == {"warning"}


def test_fingerprint_matches_alertmanager_for_the_same_labels(
    fixtures: Path, tmp_path: Path
) -> None:
    webhook = json.loads(
        (fixtures / "alertmanager" / "captured_webhooks.jsonl").read_text().splitlines()[0]
    )
    alert = webhook["alerts"][0]
    doc = {
        "status": "success",
        "data": {
            "alerts": [
                {
                    "labels": alert["labels"],
                    "annotations": {},
                    "state": "firing",
                    "activeAt": alert["startsAt"],
                    "value": "1e+00",
                }
            ]
        },
    }
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps(doc))
    row = prometheus.read(path, {}).rows[Alerts.table][0]
    assert row[Alerts.alert_id] == f"{alert['fingerprint']}@2026-11-26T15:27:47Z"


def test_query_range_becomes_firing_intervals(fixtures: Path) -> None:
    path = fixtures / DIR / "captured_prom_query_range_ALERTS_firing.json"
    assert prometheus.detect(file_shape(path)) == "prometheus.query_range"
    parsed = prometheus.read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (
        25,
        25,
        0,
        0,
    )
    rows = parsed.rows[Alerts.table]
    assert Counter(_name(r) for r in rows) == {
        "FlappingDemo": 8,
        "ScrapeTargetUp": 7,
        "SlowPendingDemo": 4,
        "InstanceDown": 3,
        "FlakyTargetScraped": 2,
        "AlwaysFiring": 1,
    }
    down_a = sorted(
        (
            r
            for r in rows
            if _name(r) == "InstanceDown"
            and json.loads(r[Alerts.labels])["instance"] == "127.0.0.1:19101"
        ),
        key=lambda r: r[Alerts.created_at],
    )
    # Grid points every 2 s at .28: firing from 15:28:49.28; first absent sample 15:30:23.28.
    assert down_a[0][Alerts.created_at] == datetime(2026, 11, 26, 15, 28, 49, 280000, tzinfo=UTC)
    assert down_a[0][Alerts.resolved_at] == datetime(2026, 11, 26, 15, 30, 23, 280000, tzinfo=UTC)
    assert down_a[0][Alerts.alert_id].split("@")[0] == down_a[1][Alerts.alert_id].split("@")[0]
    always = next(r for r in rows if _name(r) == "AlwaysFiring")
    assert always[Alerts.resolved_at] is None  # still firing at the end of the query


def test_explicit_step_changes_interval_cutting(fixtures: Path) -> None:
    path = fixtures / DIR / "captured_prom_query_range_ALERTS_firing.json"
    # With a 60 s step the 20 s gaps of FlappingDemo no longer split its episodes.
    parsed = prometheus.read(path, {"step": 60})
    assert Counter(_name(r) for r in parsed.rows[Alerts.table])["FlappingDemo"] == 1
    with pytest.raises(ValueError, match="step"):
        prometheus.read(path, {"step": -1})


def test_intervals_and_inferred_step() -> None:
    assert prometheus.inferred_step([[0.0, 2.0, 4.0], [10.0, 15.0]]) == 2.0
    assert prometheus.firing_intervals([0.0, 2.0, 4.0, 10.0, 12.0], 2.0) == [
        (0.0, 4.0),
        (10.0, 12.0),
    ]


def test_bad_series_is_quarantined_and_bad_file_raises(tmp_path: Path) -> None:
    doc = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {
                    "metric": {"__name__": "ALERTS", "alertname": "A", "alertstate": "firing"},
                    "values": [[100, "1"], [102, "1"]],
                },
                {"metric": {"__name__": "ALERTS", "alertstate": "firing"}, "values": [[100, "1"]]},
            ],
        },
    }
    path = tmp_path / "range.json"
    path.write_text(json.dumps(doc))
    parsed = prometheus.read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected)) == (2, 1, 1)
    assert parsed.rejected[0].locator == "/data/result/1"
    path.write_text("{not json")
    with pytest.raises(InputError):
        prometheus.read(path, {})


@pytest.mark.realdata
def test_all_captured_snapshots_and_alertmonitor(realdata: Path) -> None:
    snapshots = sorted(
        (realdata / "captured-prometheus-alertmanager" / "snapshots").glob(
            "*prom_api_v1_alerts.json"
        )
    )
    assert len(snapshots) == 18
    totals = [prometheus.read(p, {}) for p in snapshots]
    assert sum(p.read for p in totals) == 138  # 133 firing, 5 pending
    assert sum(p.accepted for p in totals) == 133
    assert sum(p.skipped for p in totals) == 5
    assert all(p.read == p.accepted + p.skipped for p in totals)
    monitor = prometheus.read(
        realdata / "fixtures" / "alertmanager" / "alertmonitor_prometheus_api_v1_alerts.json", {}
    )
    assert (monitor.read, monitor.accepted, monitor.skipped) == (146, 137, 9)
    assert monitor.notes == ["9 record(s) skipped: pending alert (not firing yet)"]
