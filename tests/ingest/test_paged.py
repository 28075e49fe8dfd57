"""What counts as a page, per source: a high-urgency notification that reached a person.

PagerDuty: a notify entry by phone, SMS or push (an e-mail is not a page), else the incident's
urgency when the export has no notify entries; Alertmanager: a paging receiver got the alert
while it fired, in any file of any ingest; Opsgenie: the logs show a voice, SMS or mobile
notification, else the priority says so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from alertlens.ingest.lake import Lake
from alertlens.ingest.readers import opsgenie
from alertlens.ingest.schema import Alerts
from alertlens.ingest.service import ingest_paths

UUID = "0f5e3c1a-9b2d-4c8e-a7f6-3d2b1c0e9f8a"


def _ref(kind: str, id_: str, summary: str) -> dict[str, str]:
    return {"id": id_, "type": f"{kind}_reference", "summary": summary}


def _incident(id_: str, urgency: str, minute: int) -> dict[str, Any]:
    at = f"2026-03-02T01:{minute:02d}:00Z"
    return {
        "id": id_,
        "type": "incident",
        "incident_number": minute,
        "title": f"Queue orders depth {minute}",
        "created_at": at,
        "updated_at": at,
        "status": "triggered",
        "urgency": urgency,
        "service": _ref("service", "PSVC1", "orders"),
        "teams": [_ref("team", "PT1", "Orders")],
    }


def _alert(id_: str, incident: str, minute: int) -> dict[str, Any]:
    return {
        "id": id_,
        "type": "alert",
        "summary": f"Queue orders depth {minute}",
        "created_at": f"2026-03-02T01:{minute:02d}:00Z",
        "status": "triggered",
        "service": _ref("service", "PSVC1", "orders"),
        "incident": {"id": incident, "type": "incident_reference"},
    }


def _notify(id_: str, incident: str, minute: int, channel: str) -> dict[str, Any]:
    return {
        "id": id_,
        "type": "notify_log_entry",
        "created_at": f"2026-03-02T01:{minute:02d}:30Z",
        "channel": {"type": channel},
        "user": _ref("user", "PU1", "Ana"),
        "incident": {"id": incident, "type": "incident_reference"},
    }


def _write(folder: Path, name: str, key: str, records: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page = {key: records, "limit": 100, "offset": 0, "more": False, "total": len(records)}
    (folder / name).write_text(json.dumps(page))


def _paged(lake: Lake, source: str) -> dict[str, bool | None]:
    alerts = lake.read(Alerts.table, sources=[source])
    paged = alerts[Alerts.paged].astype("boolean")
    return {
        a: None if pd.isna(p) else bool(p)
        for a, p in zip(alerts[Alerts.alert_id], paged, strict=True)
    }


def test_pagerduty_page_is_a_high_urgency_notification(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    incidents = [
        _incident("PI1", "high", 1),  # pushed: a page
        _incident("PI2", "low", 2),  # e-mailed only: not a page
        _incident("PI3", "high", 3),  # in a full log, nobody notified (a schedule gap)
    ]
    _write(inbox, "incidents.json", "incidents", incidents)
    _write(inbox, "alerts.json", "alerts", [_alert(f"A{i}", f"PI{i}", i) for i in (1, 2, 3)])
    notes = [_notify("R1", "PI1", 1, "push_notification"), _notify("R2", "PI2", 2, "email")]
    trigger = {**_notify("R3", "PI3", 3, "api"), "type": "trigger_log_entry", "user": None}
    notes.append(trigger)
    _write(inbox, "log_entries.json", "log_entries", notes)
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [inbox])
    assert _paged(lake, "pagerduty") == {"A1": True, "A2": False, "A3": False}


def test_pagerduty_without_notify_entries_goes_by_urgency(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    _write(inbox, "incidents.json", "incidents", [_incident("PI1", "high", 1),
                                                   _incident("PI2", "low", 2)])
    _write(inbox, "alerts.json", "alerts", [_alert("A1", "PI1", 1), _alert("A2", "PI2", 2)])
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [inbox])
    assert _paged(lake, "pagerduty") == {"A1": True, "A2": False}


def _am_payload(receiver: str, status: str) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "status": status,
        "labels": {"alertname": "DiskFull", "instance": "db-1"},
        "startsAt": "2026-01-01T00:00:00Z",
        "endsAt": "2026-01-01T00:09:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
    }
    return {"version": "4", "groupKey": "k", "status": status, "receiver": receiver,
            "alerts": [alert]}


@pytest.mark.parametrize("one_run", [True, False])
def test_alertmanager_page_survives_a_chat_copy(tmp_path: Path, one_run: bool) -> None:
    """The pager file and the chat file of one firing, ingested together or apart, in
    either order: the firing paged."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    pager = inbox / "team-pager.jsonl"
    chat = inbox / "team-slack.jsonl"
    pager.write_text(json.dumps(_am_payload("team-pager", "firing")) + "\n")
    chat.write_text(
        json.dumps(_am_payload("team-slack", "firing"))
        + "\n"
        + json.dumps(_am_payload("team-slack", "resolved"))
        + "\n"
    )
    lake = Lake(tmp_path / "lake")
    if one_run:
        ingest_paths(lake, [inbox])
    else:
        ingest_paths(lake, [pager])
        ingest_paths(lake, [chat])
    (paged,) = _paged(lake, "alertmanager").values()
    assert paged is True
    resolved = lake.read(Alerts.table)[Alerts.resolved_at]
    assert resolved.notna().all()


def test_alertmanager_pager_that_only_saw_it_resolved_paged_nobody(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "team-pager.jsonl").write_text(json.dumps(_am_payload("team-pager", "resolved")))
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [inbox])
    (paged,) = _paged(lake, "alertmanager").values()
    assert paged is False


def _og_alert(id_: str, priority: str, closed_by: str | None = None) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "id": id_,
        "tinyId": "1",
        "alias": "queue-depth",
        "message": "Queue orders depth 12",
        "status": "closed" if closed_by else "open",
        "createdAt": "2024-04-03T19:32:52.353Z",
        "updatedAt": "2024-04-03T19:42:52.353Z",
        "source": "Datadog",
        "priority": priority,
        "integration": {"id": "i1", "name": "Orders Datadog", "type": "Datadog"},
        "report": {"closeTime": 60000, "closedBy": closed_by} if closed_by else {},
    }
    return alert


def test_opsgenie_page_from_logs_else_priority(tmp_path: Path, fixtures: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    emailed = "1b2c3d4e-0000-4000-8000-000000000001"
    alerts = [_og_alert(UUID, "P4"), _og_alert(emailed, "P2"),
              _og_alert("1b2c3d4e-0000-4000-8000-000000000002", "P2", closed_by="Datadog")]
    page = {"data": alerts, "paging": {}, "took": 0.1, "requestId": "r1"}
    (inbox / "alerts.json").write_text(json.dumps(page))
    log = fixtures / "opsgenie" / "70413a06-38d6-4c85-92b8-5ebc900d42e2.logs.json"
    shutil.copy(log, inbox / f"{UUID}.logs.json")  # voiced, although P4
    text = log.read_text().replace("Sent [voice]", "Sent [email]")
    (inbox / f"{emailed}.logs.json").write_text(text)  # e-mailed only, although P2
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [inbox])
    paged = _paged(lake, "opsgenie")
    assert paged == {UUID: True, emailed: False, "1b2c3d4e-0000-4000-8000-000000000002": True}
    closed = lake.read(Alerts.table).set_index(Alerts.alert_id)
    # "Datadog" closing a Datadog alert is its integration: the condition cleared by itself
    assert closed.loc["1b2c3d4e-0000-4000-8000-000000000002", Alerts.resolved_by] == "auto"


def test_opsgenie_labels_keep_alias_and_integration(tmp_path: Path) -> None:
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps({"data": [_og_alert(UUID, "P3")], "requestId": "r"}))
    (row,) = opsgenie.read(path, {}).rows[Alerts.table]
    labels = json.loads(row[Alerts.labels])
    assert (labels["alias"], labels["integration_type"]) == ("queue-depth", "Datadog")
