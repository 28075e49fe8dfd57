"""Opsgenie alerts pages, alert logs and webhook payloads (fixtures shaped like the API docs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alertlens.ingest.readers import opsgenie
from alertlens.ingest.records import InputError
from alertlens.ingest.schema import Alerts, Notifications
from alertlens.ingest.shape import file_shape

ALERT = "70413a06-38d6-4c85-92b8-5ebc900d42e2"


def test_alerts_page(fixtures: Path) -> None:
    path = fixtures / "opsgenie" / "list_alerts_page.json"
    assert opsgenie.detect(file_shape(path)) == "opsgenie.alerts"
    parsed = opsgenie.read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (3, 2, 1, 0)
    assert parsed.rejected[0].locator == "/data/2"
    rows = {r[Alerts.alert_id]: r for r in parsed.rows[Alerts.table]}
    disk = rows[ALERT]
    created = datetime(2024, 4, 3, 19, 32, 52, 353000, tzinfo=UTC)
    assert disk[Alerts.created_at] == created
    assert disk[Alerts.acknowledged_at] == created + timedelta(milliseconds=15702)
    assert disk[Alerts.resolved_at] == created + timedelta(milliseconds=60503)
    assert (disk[Alerts.dedup_count], disk[Alerts.severity], disk[Alerts.resolved_by]) == (
        79,
        "critical",
        "human",
    )
    assert disk[Alerts.rule_key] == "disk-full-db-3"
    cpu = rows["9a3c7b10-1f2e-4d5c-8b6a-0e9f8d7c6b5a"]
    assert cpu[Alerts.rule_key] == "CPU <PCT> on <*>"  # alias is the id: the template stands in
    assert cpu[Alerts.resolved_at] is None and cpu[Alerts.severity] == "warning"


def test_report_time_unit_option(fixtures: Path) -> None:
    parsed = opsgenie.read(
        fixtures / "opsgenie" / "list_alerts_page.json", {"report_time_unit": "s"}
    )
    disk = next(r for r in parsed.rows[Alerts.table] if r[Alerts.alert_id] == ALERT)
    assert disk[Alerts.acknowledged_at] - disk[Alerts.created_at] == timedelta(seconds=15702)
    with pytest.raises(ValueError, match="report_time_unit"):
        opsgenie.read(fixtures / "opsgenie" / "list_alerts_page.json", {"report_time_unit": "h"})


def test_alert_logs_named_by_alert_id(fixtures: Path, tmp_path: Path) -> None:
    path = fixtures / "opsgenie" / f"{ALERT}.logs.json"
    assert opsgenie.detect(file_shape(path)) == "opsgenie.logs"
    parsed = opsgenie.read(path, {})
    assert (parsed.read, parsed.accepted) == (5, 5)
    notes = parsed.rows[Notifications.table]
    assert [n[Notifications.kind] for n in notes] == [
        "trigger",
        "notify",
        "acknowledge",
        "annotate",
        "resolve",
    ]
    assert {n[Notifications.alert_id] for n in notes} == {ALERT}
    assert notes[2][Notifications.channel] == "web" and notes[2][Notifications.agent_type] == "user"
    anonymous = tmp_path / "logs.json"
    anonymous.write_text(path.read_text())
    with pytest.raises(InputError, match="alert id"):
        opsgenie.read(anonymous, {})
    assert opsgenie.read(anonymous, {"alert_id": "A1"}).accepted == 5


def test_webhook_payloads_fold_into_alerts(fixtures: Path) -> None:
    path = fixtures / "opsgenie" / "webhook_payloads.jsonl"
    assert opsgenie.detect(file_shape(path)) == "opsgenie.webhook"
    parsed = opsgenie.read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (5, 2, 1, 2)
    assert parsed.rejected[0].locator == "line 5"
    rows = {r[Alerts.alert_id]: r for r in parsed.rows[Alerts.table]}
    queue = rows["052652ac-5d1c-464a-812a-7dd18bbfba8c"]
    # createdAt is epoch ms, updatedAt epoch ns: both read by magnitude.
    assert queue[Alerts.created_at] == datetime(2024, 4, 1, 19, 33, 20, 104000, tzinfo=UTC)
    assert queue[Alerts.acknowledged_at] == datetime(2024, 4, 1, 19, 35, 20, 500000, tzinfo=UTC)
    assert queue[Alerts.resolved_at] == datetime(2024, 4, 1, 19, 48, 20, tzinfo=UTC)
    assert (queue[Alerts.resolved_by], queue[Alerts.service], queue[Alerts.rule_key]) == (
        "human",
        "orders",
        "queue-backlog-orders",
    )
    assert (
        rows["7f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"][Alerts.rule_key]
        == "Queue backlog <*> on billing"
    )
    assert len(parsed.rows[Notifications.table]) == 4


def test_not_opsgenie(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"data": [], "took": 1}')
    assert opsgenie.detect(file_shape(path)) is None
    with pytest.raises(InputError):
        opsgenie.read(path, {})
