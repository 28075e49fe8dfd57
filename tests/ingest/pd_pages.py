"""Tiny hand-written PagerDuty REST v2 pages (shapes from the public API reference)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _ref(kind: str, id_: str, summary: str) -> dict[str, str]:
    return {"id": id_, "type": f"{kind}_reference", "summary": summary}


INCIDENTS: list[dict[str, Any]] = [
    {
        "id": "PINC1",
        "type": "incident",
        "incident_number": 1,
        "title": "Disk 91% full on db-3",
        "created_at": "2026-03-02T01:00:00Z",
        "updated_at": "2026-03-02T01:30:00Z",
        "status": "resolved",
        "urgency": "high",
        "resolved_at": "2026-03-02T01:30:00Z",
        "last_status_change_at": "2026-03-02T01:30:00Z",
        "acknowledgements": [],
        "service": _ref("service", "PSVC1", "orders-db"),
        "teams": [_ref("team", "PT1", "Storage")],
        "priority": {"summary": "P2"},
        "resolve_reason": None,
        "alert_counts": {"all": 2},
        "first_trigger_log_entry": {"summary": "Triggered through the API"},
    },
    {
        "id": "PINC2",
        "type": "incident",
        "incident_number": 2,
        "title": "CPU 97% on web-1",
        "created_at": "2026-03-02T02:00:00Z",
        "updated_at": "2026-03-02T02:03:00Z",
        "status": "resolved",
        "urgency": "high",
        "resolved_at": "2026-03-02T02:03:00Z",
        "last_status_change_at": "2026-03-02T02:03:00Z",
        "acknowledgements": [],
        "service": _ref("service", "PSVC2", "web"),
        "teams": [_ref("team", "PT2", "Web")],
        "priority": None,
        "alert_counts": {"all": 1},
        "resolve_reason": {"type": "merge_resolve_reason", "incident": {"id": "PINC1"}},
    },
]

ALERTS: list[dict[str, Any]] = [
    {
        "id": "PAL1",
        "type": "alert",
        "summary": "Disk 91% full on db-3",
        "created_at": "2026-03-02T01:00:00Z",
        "status": "resolved",
        "severity": "critical",
        "service": _ref("service", "PSVC1", "orders-db"),
        "incident": {"id": "PINC1", "type": "incident_reference"},
        "alert_key": "k1",
        "body": {"details": {"host": "db-3"}},
    },
    {
        "id": "PAL2",
        "type": "alert",
        "summary": "Disk 95% full on db-4",
        "created_at": "2026-03-02T01:02:00Z",
        "status": "resolved",
        "severity": "error",
        "service": _ref("service", "PSVC1", "orders-db"),
        "incident": {"id": "PINC1", "type": "incident_reference"},
        "alert_key": "k2",
    },
    {
        "id": "PAL3",
        "type": "alert",
        "summary": "CPU 97% on web-1",
        "created_at": "2026-03-02T02:00:00Z",
        "status": "resolved",
        "severity": "warning",
        "service": _ref("service", "PSVC2", "web"),
        "incident": {"id": "PINC2", "type": "incident_reference"},
        "alert_key": "k3",
    },
]


def _entry(id_: str, type_: str, at: str, incident: str, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "type": type_, "created_at": at, "incident": {"id": incident}, **extra}


LOG_ENTRIES: list[dict[str, Any]] = [
    _entry(
        "L1",
        "trigger_log_entry",
        "2026-03-02T01:00:00Z",
        "PINC1",
        agent=_ref("service", "PSVC1", "orders-db"),
        channel={"type": "api"},
    ),
    _entry(
        "L2",
        "notify_log_entry",
        "2026-03-02T01:00:05Z",
        "PINC1",
        user=_ref("user", "PU1", "Ada"),
        channel={"type": "sms"},
    ),
    _entry(
        "L3",
        "notify_log_entry",
        "2026-03-02T01:00:05Z",
        "PINC1",
        user=_ref("user", "PU1", "Ada"),
        channel={"type": "phone"},
    ),
    _entry(
        "L4",
        "acknowledge_log_entry",
        "2026-03-02T01:04:00Z",
        "PINC1",
        agent=_ref("user", "PU1", "Ada"),
        channel={"type": "mobile"},
    ),
    _entry(
        "L5",
        "acknowledge_log_entry",
        "2026-03-02T01:09:00Z",
        "PINC1",
        agent=_ref("user", "PU1", "Ada"),
        channel={"type": "mobile"},
    ),
    _entry("L6", "escalate_log_entry", "2026-03-02T01:10:00Z", "PINC1", channel={"type": "auto"}),
    _entry(
        "L7",
        "resolve_log_entry",
        "2026-03-02T01:30:00Z",
        "PINC1",
        agent=_ref("user", "PU1", "Ada"),
        channel={"type": "web_ui"},
    ),
    _entry(
        "L8",
        "trigger_log_entry",
        "2026-03-02T02:00:00Z",
        "PINC2",
        agent=_ref("service", "PSVC2", "web"),
        channel={"type": "api"},
    ),
    _entry(
        "L9",
        "resolve_log_entry",
        "2026-03-02T02:03:00Z",
        "PINC2",
        agent=_ref("service", "PSVC2", "web"),
        channel={"type": "api"},
    ),
]


def write_pages(folder: Path, *, split: bool = False) -> dict[str, list[Path]]:
    """Write the three kinds as REST v2 envelopes (one page each, or one record a page)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}
    for key, records in (
        ("incidents", INCIDENTS),
        ("alerts", ALERTS),
        ("log_entries", LOG_ENTRIES),
    ):
        chunks = [[r] for r in records] if split else [records]
        paths = []
        for i, chunk in enumerate(chunks):
            path = folder / f"{key}-{i}.json"
            body = {key: chunk, "limit": 100, "offset": i, "more": i < len(chunks) - 1}
            path.write_text(json.dumps(body))
            paths.append(path)
        out[key] = paths
    return out
