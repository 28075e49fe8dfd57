"""Alertmanager webhook payloads: the project's own capture and alertmonitor's real payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alertlens.ingest.readers.alertmanager import (
    KIND_API,
    KIND_WEBHOOK,
    detect,
    fingerprint,
    read,
    rule_key,
)
from alertlens.ingest.schema import Alerts
from alertlens.ingest.shape import file_shape


@pytest.fixture
def capture(fixtures: Path) -> Path:
    return fixtures / "alertmanager" / "captured_webhooks.jsonl"


def test_capture_collapses_repeats_into_25_firings(capture: Path) -> None:
    parsed = read(capture, {})
    alerts = parsed.rows[Alerts.table]
    # The capture's README: 92 alert entries, 25 distinct (fingerprint, startsAt) episodes.
    assert (parsed.read, parsed.accepted, parsed.deduplicated, len(parsed.rejected)) == (
        92,
        25,
        67,
        0,
    )
    assert len(alerts) == 25
    assert parsed.truncated_alerts == 23


def test_resolved_notification_closes_the_firing(capture: Path) -> None:
    alerts = {r[Alerts.alert_id]: r for r in read(capture, {}).rows[Alerts.table]}
    down_a = alerts["91d037e0a2874250@2026-11-26T15:28:47Z"]
    assert down_a[Alerts.resolved_at] == datetime(2026, 11, 26, 15, 30, 21, 330000, tzinfo=UTC)
    assert down_a[Alerts.resolved_by] == "auto"
    assert sum(r[Alerts.resolved_at] is not None for r in alerts.values()) == 14
    # AlwaysFiring never resolved: Go's zero endsAt must not become a time.
    always = next(r for r in alerts.values() if r[Alerts.rule_key].startswith("AlwaysFiring"))
    assert always[Alerts.resolved_at] is None


def test_flapping_rule_keeps_one_rule_key_over_eight_episodes(capture: Path) -> None:
    alerts = read(capture, {}).rows[Alerts.table]
    flapping = [r for r in alerts if r[Alerts.rule_key].startswith("FlappingDemo")]
    assert len(flapping) == 8
    assert len({r[Alerts.rule_key] for r in flapping}) == 1


def test_fingerprint_matches_alertmanager(capture: Path, fixtures: Path) -> None:
    payloads = [json.loads(line) for line in capture.read_text().splitlines()]
    files = sorted((fixtures / "alertmanager").glob("alertmonitor_webhook_*.json"))
    payloads += [json.loads(f.read_text()) for f in files]
    alerts = [a for p in payloads for a in p["alerts"]]
    assert len(alerts) == 112
    assert all(fingerprint(a["labels"]) == a["fingerprint"] for a in alerts)


def test_nanosecond_starts_and_external_labels(fixtures: Path) -> None:
    parsed = read(
        fixtures / "alertmanager" / "alertmonitor_webhook_v4_firing_thanos_ruler.json", {}
    )
    row = parsed.rows[Alerts.table][0]
    assert row[Alerts.created_at].microsecond == 66423  # .066423235 truncated, never rounded
    assert row[Alerts.alert_id].endswith("@2021-12-07T14:26:49Z")
    assert "cluster" not in row[Alerts.rule_key] or 'cluster="' in row[Alerts.rule_key]
    assert row[Alerts.created_at].tzinfo is UTC


def test_rule_key_drops_instance_like_labels() -> None:
    key = rule_key(
        {"alertname": "DiskFull", "instance": "web-3:9100", "severity": "page", "team": "db"}
    )
    assert key == 'DiskFull{severity="page",team="db"}'


def test_per_alert_status_wins_over_group_status(tmp_path: Path) -> None:
    payload = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": "firing",
        "receiver": "team-pager",
        "alerts": [
            {
                "status": "resolved",
                "labels": {"alertname": "A"},
                "startsAt": "2026-01-01T00:00:00Z",
                "endsAt": "2026-01-01T00:05:00Z",
            },
            {
                "status": "firing",
                "labels": {"alertname": "B"},
                "startsAt": "2026-01-01T00:00:00Z",
                "endsAt": "2026-01-01T00:09:00Z",
            },
        ],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(payload))
    rows = {r[Alerts.rule_key]: r for r in read(path, {}).rows[Alerts.table]}
    assert rows["A{}"][Alerts.resolved_at] == datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    assert rows["B{}"][Alerts.resolved_at] is None  # a firing alert's endsAt is only an expiry
    # a paging receiver that only saw A resolved interrupted nobody; B reached it firing
    assert rows["A{}"][Alerts.paged] is False
    assert rows["B{}"][Alerts.paged] is True


def test_bad_alert_is_quarantined_and_the_rest_loads(tmp_path: Path) -> None:
    payload = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": "firing",
        "receiver": "x",
        "alerts": [
            {"status": "firing", "labels": {"alertname": "A"}, "startsAt": "not a time"},
            {"status": "firing", "labels": {"alertname": "B"}, "startsAt": "2026-01-01T00:00:00Z"},
        ],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(payload))
    parsed = read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected)) == (2, 1, 1)
    assert parsed.rejected[0].locator == "/alerts/0"
    assert "ISO-8601" in parsed.rejected[0].reason


def test_paging_receivers_option(tmp_path: Path) -> None:
    payload = {
        "version": "4",
        "groupKey": "k",
        "status": "firing",
        "receiver": "db-phone",
        "alerts": [
            {"status": "firing", "labels": {"alertname": "A"}, "startsAt": "2026-01-01T00:00:00Z"}
        ],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(payload))
    assert read(path, {}).rows[Alerts.table][0][Alerts.paged] is False
    assert read(path, {"paging_receivers": ["*-phone"]}).rows[Alerts.table][0][Alerts.paged] is True
    with pytest.raises(ValueError, match="unknown key 'paging'"):
        read(path, {"paging": ["x"]})


def test_detect_kinds(capture: Path, tmp_path: Path) -> None:
    assert detect(file_shape(capture)) == KIND_WEBHOOK
    snapshot = tmp_path / "s.json"
    snapshot.write_text(
        json.dumps([{"fingerprint": "ab", "status": {"state": "active"}, "labels": {}}])
    )
    assert detect(file_shape(snapshot)) == KIND_API


@pytest.mark.realdata
def test_api_v2_snapshots_read(realdata: Path) -> None:
    snaps = sorted(
        (realdata / "captured-prometheus-alertmanager" / "snapshots").glob(
            "*_am_api_v2_alerts.json"
        )
    )
    total = sum(read(s, {}).read for s in snaps)
    assert total == 130  # the capture's README: 130 alert records over 18 snapshots
