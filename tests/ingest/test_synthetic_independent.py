"""The independent world family (``alertlens.synthetic.independent``): deterministic, varied,
consistent ground truth, vendor formats the real readers accept with the truth's ids and pages,
and labels marked observable only where the exports carry evidence for them."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from alertlens.ingest.lake import Lake
from alertlens.ingest.readers.alertmanager import fingerprint
from alertlens.ingest.schema import Alerts
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic.independent.scenarios import SCENARIOS
from alertlens.synthetic.independent.world import generate
from alertlens.synthetic.names import INDEPENDENT_SCENARIOS

WEEKS = 3.0


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _truth(folder: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    doc = json.loads((folder / "ground_truth.json").read_text())
    with (folder / "ground_truth_alerts.csv").open() as handle:
        return doc, list(csv.DictReader(handle))


def _jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("independent")
    for name in INDEPENDENT_SCENARIOS:
        generate(name, base / name, seed=3, weeks=WEEKS)
    return {name: base / name for name in INDEPENDENT_SCENARIOS}


def test_the_cli_names_every_scenario() -> None:
    assert set(INDEPENDENT_SCENARIOS) == set(SCENARIOS)


def test_same_seed_same_bytes_other_seed_other_world(tmp_path: Path) -> None:
    generate("startup-mixed", tmp_path / "a", seed=5, weeks=2)
    generate("startup-mixed", tmp_path / "b", seed=5, weeks=2)
    generate("startup-mixed", tmp_path / "c", seed=6, weeks=2)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    ids = [{r["alert_id"] for r in _truth(tmp_path / x)[1]} for x in "ac"]
    assert not ids[0] & ids[1]


@pytest.mark.parametrize("name", INDEPENDENT_SCENARIOS)
def test_truth_counts_are_consistent(worlds: dict[str, Path], name: str) -> None:
    doc, rows = _truth(worlds[name])
    e = doc["expected"]
    assert e["alerts"] == len(rows) > 0
    assert len({(r["source"], r["alert_id"]) for r in rows}) == len(rows)
    paged = [r["paged"] == "true" for r in rows]
    noise = [r["is_noise"] == "true" for r in rows]
    assert e["pages"] == sum(paged)
    assert e["noise_share"] == round(sum(noise) / len(rows), 4)
    assert e["pages_per_week_after_fixes"] <= e["pages_per_week"]
    scored = e["scored"]
    assert scored["alerts"] + scored["unobservable_alerts"] == len(rows)
    assert scored["alerts"] == sum(r["observable"] == "true" for r in rows)
    rules = {r["rule"]: r for r in doc["rules"]}
    assert {r["rule"] for r in rows} <= set(rules)
    for rule in doc["rules"]:
        assert rule["is_noise"] == (rule["behaviour"] != "actionable")
        assert (rule["expected_fix"] is None) == (not rule["is_noise"])


def test_alertmanager_payloads_ids_and_pages(worlds: dict[str, Path]) -> None:
    _, rows = _truth(worlds["am-storms"])
    truth_ids = {r["alert_id"] for r in rows if r["source"] == "alertmanager"}
    seen, pager_firing = set(), set()
    for path in sorted((worlds["am-storms"] / "alertmanager").glob("*.jsonl")):
        for payload in _jsonl(path):
            assert list(payload)[:3] == ["receiver", "status", "alerts"]
            for alert in payload["alerts"]:
                assert alert["fingerprint"] == fingerprint(alert["labels"])
                alert_id = f"{alert['fingerprint']}@{alert['startsAt'][:19]}Z"
                seen.add(alert_id)
                if alert["status"] == "firing" and payload["receiver"].endswith("-pager"):
                    pager_firing.add(alert_id)
    assert seen == truth_ids
    paged = {r["alert_id"] for r in rows if r["source"] == "alertmanager" and r["paged"] == "true"}
    assert paged == pager_firing


def test_pagerduty_email_notifications_are_not_pages(worlds: dict[str, Path]) -> None:
    channels: dict[str, set[str]] = {}
    for path in (worlds["enterprise-pd"] / "pagerduty" / "log_entries").glob("*.jsonl"):
        for page in _jsonl(path):
            for entry in page["log_entries"]:
                if entry["type"] == "notify_log_entry":
                    channels.setdefault(entry["incident"]["id"], set()).add(
                        entry["channel"]["type"]
                    )
    assert any(c == {"email"} for c in channels.values())


def test_opsgenie_list_pages_carry_request_id_last(worlds: dict[str, Path]) -> None:
    for path in (worlds["opsgenie-shop"] / "opsgenie").glob("alerts-*.jsonl"):
        for page in _jsonl(path):
            assert list(page) == ["data", "paging", "took", "requestId"]
            assert all(a["priority"] in ("P1", "P2", "P3", "P4", "P5") for a in page["data"])


def test_sparse_data_lacks_what_it_says(worlds: dict[str, Path]) -> None:
    doc, _ = _truth(worlds["sparse-data"])
    for path in (worlds["sparse-data"] / "pagerduty" / "alerts").glob("*.jsonl"):
        for page in _jsonl(path):
            assert all("resolved_at" not in a for a in page["alerts"])
    assert "hashed" in {r["title_style"] for r in doc["rules"]}


def test_labels_without_evidence_are_not_observable(worlds: dict[str, Path]) -> None:
    """Alertmanager records no people, so its false alarms and low-urgency notifications
    cannot be told apart from real problems; PagerDuty's, with a log, can."""
    doc = pd.read_csv(worlds["steady-sre"] / "ground_truth_alerts.csv", dtype=str)
    am = doc[doc["source"] == "alertmanager"]
    hidden = am[am["behaviour"].isin(["false_alarm", "low_urgency"])]
    assert (hidden["observable"] == "false").all()
    shown = am[am["behaviour"].isin(["flapping", "duplicate", "informational", "actionable"])]
    assert (shown["observable"] == "true").all()


@pytest.mark.parametrize("name", INDEPENDENT_SCENARIOS)
def test_the_real_readers_take_every_file_with_the_truth_ids_and_pages(
    worlds: dict[str, Path], tmp_path: Path, name: str
) -> None:
    lake = Lake(tmp_path / "lake")
    reports = ingest_paths(lake, [worlds[name]])
    assert sum(r.quarantined for r in reports) == 0
    alerts = lake.read(Alerts.table)
    _, rows = _truth(worlds[name])
    lake_ids = set(zip(alerts[Alerts.source], alerts[Alerts.alert_id], strict=True))
    assert lake_ids == {(r["source"], r["alert_id"]) for r in rows}
    paged = alerts.set_index([Alerts.source, Alerts.alert_id])[Alerts.paged]
    truth = {(r["source"], r["alert_id"]): r["paged"] == "true" for r in rows}
    wrong = [k for k, v in truth.items() if bool(paged.get(k, False) or False) != v]
    # PagerDuty's schedule gaps (1% of incidents: nobody on call) page nobody, which a log
    # export shows but an export without notify entries cannot (its urgency says high)
    assert len(wrong) <= 0.03 * len(rows)
