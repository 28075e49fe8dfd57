"""The generator's files have the shapes of the real vendor files (fixtures in shared/realdata)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from alertlens.ingest.readers.alertmanager import fingerprint
from alertlens.synthetic.world import generate

PD = Path("fixtures") / "pagerduty"
WEBHOOKS = Path("captured-prometheus-alertmanager") / "webhooks.jsonl"
AM_ID = re.compile(r"^[0-9a-f]{16}@\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PD_ID = re.compile(r"^[A-Z][0-9A-Z]{6,13}$")

#: Keys of the real files, kept here so the shape checks also run where realdata is absent.
FALLBACK = {
    "envelope": {"limit", "offset", "more"},
    "incident": {
        "id",
        "incident_number",
        "title",
        "summary",
        "created_at",
        "updated_at",
        "status",
        "urgency",
        "service",
        "teams",
        "priority",
        "escalation_policy",
        "last_status_change_at",
        "resolved_at",
        "acknowledgements",
        "resolve_reason",
        "alert_counts",
    },
    "alert": {
        "id",
        "summary",
        "created_at",
        "status",
        "alert_key",
        "service",
        "incident",
        "severity",
        "body",
    },
    "log_entry": {"id", "type", "created_at", "agent", "channel", "incident"},
    "webhook": {
        "alerts",
        "commonAnnotations",
        "commonLabels",
        "externalURL",
        "groupKey",
        "groupLabels",
        "receiver",
        "status",
        "truncatedAlerts",
        "version",
    },
    "webhook_alert": {
        "status",
        "labels",
        "annotations",
        "startsAt",
        "endsAt",
        "generatorURL",
        "fingerprint",
    },
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("multi")
    generate("multi-team", out, seed=11, weeks=3)
    return out


def _pages(world: Path, kind: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((world / "pagerduty" / kind).glob("*.json"))]


@pytest.mark.parametrize("kind", ["incidents", "alerts", "log_entries"])
def test_pagerduty_envelopes_match_the_fallback_keys(world: Path, kind: str) -> None:
    pages = _pages(world, kind)
    assert pages
    for page in pages:
        assert set(page) == {kind} | FALLBACK["envelope"]
        assert 0 < len(page[kind]) <= page["limit"]
    assert [p["more"] for p in pages].count(False) >= 1


def test_pagerduty_records_carry_the_documented_fields(world: Path) -> None:
    for kind, name in (
        ("incidents", "incident"),
        ("alerts", "alert"),
        ("log_entries", "log_entry"),
    ):
        for page in _pages(world, kind):
            for record in page[kind]:
                assert FALLBACK[name] <= set(record), (kind, FALLBACK[name] - set(record))
                assert PD_ID.match(record["id"])
                assert record["created_at"].endswith("Z")


def test_resolved_incidents_have_no_acknowledgements(world: Path) -> None:
    incidents = [i for p in _pages(world, "incidents") for i in p["incidents"]]
    assert all(not i["acknowledgements"] for i in incidents if i["status"] == "resolved")
    assert all(i["acknowledgements"] for i in incidents if i["status"] == "acknowledged")
    for i in incidents:
        if i["resolve_reason"]:
            assert i["resolve_reason"]["type"] == "merge_resolve_reason"
            assert PD_ID.match(i["resolve_reason"]["incident"]["id"])


def test_log_entries_use_real_types_and_agents(world: Path) -> None:
    entries = [e for p in _pages(world, "log_entries") for e in p["log_entries"]]
    types = {e["type"] for e in entries}
    assert {
        "trigger_log_entry",
        "notify_log_entry",
        "resolve_log_entry",
        "assign_log_entry",
    } <= types
    for e in entries:
        if e["type"] == "notify_log_entry":
            assert e["channel"]["type"] in {"sms", "phone", "push_notification", "email"}
            assert e["user"]["id"]
        if e["type"] == "resolve_log_entry" and e["channel"]["type"] == "timeout":
            assert e["agent"] is None
        if e["type"] == "trigger_log_entry":
            assert e["agent"]["type"] == "service_reference" and e["channel"] == {"type": "api"}


@pytest.mark.realdata
def test_pagerduty_keys_are_those_of_the_real_fixtures(world: Path, realdata: Path) -> None:
    for kind, fixture in (
        ("incidents", "pd_rest_v2_list_incidents.example.json"),
        ("alerts", "pd_rest_v2_incident_alerts.example.json"),
        ("log_entries", "pd_rest_v2_list_log_entries.example.json"),
    ):
        real = json.loads((realdata / PD / fixture).read_text())
        ours = _pages(world, kind)[0]
        assert set(ours) == set(real)
        real_keys = set(real[kind][0])
        for record in ours[kind]:
            # every real field we emit is a real field; extras are fields the real API also has
            extras = set(record) - real_keys
            assert extras <= {
                "resolved_at",
                "assignees",
                "user",
                "acknowledgement_timeout",
                "event_details",
            }, extras


def _webhooks(world: Path) -> list[dict]:
    return [
        json.loads(line)
        for p in sorted((world / "alertmanager").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]


def test_webhook_lines_have_the_payload_keys_and_stable_fingerprints(world: Path) -> None:
    payloads = _webhooks(world)
    assert payloads
    seen: dict[str, set[str]] = {}
    for payload in payloads:
        assert set(payload) == FALLBACK["webhook"] and payload["version"] == "4"
        for alert in payload["alerts"]:
            assert set(alert) == FALLBACK["webhook_alert"]
            assert alert["fingerprint"] == fingerprint(alert["labels"])
            assert {"severity", "team"} <= set(alert["labels"])
            if alert["status"] == "firing":
                assert alert["endsAt"] == "0001-01-01T00:00:00Z"
            else:
                assert alert["endsAt"] > alert["startsAt"]
            seen.setdefault(alert["fingerprint"], set()).add(alert["status"])
    assert any(s == {"firing", "resolved"} for s in seen.values())
    assert payload["receiver"].endswith(("-pager", "-slack"))


def test_webhooks_repeat_firing_alerts_before_resolving(world: Path) -> None:
    counts: dict[tuple[str, str], int] = {}
    for payload in _webhooks(world):
        for a in payload["alerts"]:
            if a["status"] == "firing":
                key = (a["fingerprint"], a["startsAt"])
                counts[key] = counts.get(key, 0) + 1
    assert max(counts.values()) > 1


@pytest.mark.realdata
def test_webhook_keys_are_those_of_the_captured_payloads(world: Path, realdata: Path) -> None:
    real = json.loads((realdata / WEBHOOKS).read_text().splitlines()[0])
    ours = _webhooks(world)[0]
    assert list(ours) == list(real)  # same keys in Go's order
    assert list(ours["alerts"][0]) == list(real["alerts"][0])
    assert fingerprint(real["alerts"][0]["labels"]) == real["alerts"][0]["fingerprint"]


def test_alertmanager_alert_ids_are_fingerprint_at_whole_seconds(world: Path) -> None:
    rows = (world / "ground_truth_alerts.csv").read_text().splitlines()[1:]
    am = [r.split(",")[1] for r in rows if r.startswith("alertmanager,")]
    assert am and all(AM_ID.match(i) for i in am)
    starts = {(a["fingerprint"], a["startsAt"]) for p in _webhooks(world) for a in p["alerts"]}
    truncated = {f"{fp}@{s[:19]}Z" for fp, s in starts}
    # only firings that start in the last group_wait before the window's end are never sent
    assert len(set(am) - truncated) <= 2
