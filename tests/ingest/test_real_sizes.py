"""Real exports at real sizes: detection and reading do not depend on size or key order.

The payloads are built from the real fixtures with the senders' own key order: Alertmanager
writes ``groupKey`` after a long ``alerts`` array (Go's json.Encoder, struct order), Opsgenie's
List Alerts API ends its page with ``requestId``.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from alertlens.flows.cli import main
from alertlens.ingest.lake import Lake
from alertlens.ingest.readers import alertmanager, opsgenie
from alertlens.ingest.schema import Alerts, Manifest
from alertlens.ingest.service import detected_source, ingest_paths, parsed_file

AM_FIXTURE = "alertmanager/alertmonitor_webhook_v4_firing_server_not_monitored.json"
OG_FIXTURE = "opsgenie/list_alerts_page.json"


def am_group(fixtures: Path, alerts: int) -> dict[str, Any]:
    """One Alertmanager group of ``alerts`` alerts (the fixture's 10 cycled, each with its own
    instance and startsAt, fingerprint recomputed), keys in Alertmanager's order."""
    real = json.loads((fixtures / AM_FIXTURE).read_text())
    start = datetime.fromisoformat(real["alerts"][0]["startsAt"].replace("Z", "+00:00"))
    made = []
    for i in range(alerts):
        alert = json.loads(json.dumps(real["alerts"][i % len(real["alerts"])]))
        alert["labels"]["instance"] = f"node-{i:04d}.example:9100"
        at = start + timedelta(seconds=7 * i)
        alert["startsAt"] = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        alert["fingerprint"] = alertmanager.fingerprint(alert["labels"])
        made.append(alert)
    order = ["receiver", "status", "alerts", "groupLabels", "commonLabels"]
    order += ["commonAnnotations", "externalURL", "version", "groupKey", "truncatedAlerts"]
    body = {**real, "alerts": made}
    assert list(real) == order  # the fixture is Alertmanager's own order: groupKey last
    return {key: body[key] for key in order}


def og_page(fixtures: Path, page: int, size: int = 100) -> dict[str, Any]:
    """One List Alerts page of ``size`` alerts with the fixture's full field set and
    ``requestId`` last, as the API sends it."""
    real = json.loads((fixtures / OG_FIXTURE).read_text())
    template = real["data"][0]
    alerts = []
    for i in range(size):
        n = page * size + i
        alert = json.loads(json.dumps(template))
        alert["id"] = f"{n:08d}-0000-4000-8000-{n:012d}"
        alert["tinyId"] = str(1000 + n)
        alert["alias"] = f"disk-full-db-{n % 17}"
        alert["message"] = f"Disk /var {80 + n % 20}% full on db-{n % 17}"
        alerts.append(alert)
    paging = {"next": f"https://api.opsgenie.com/v2/alerts?offset={(page + 1) * size}"}
    return {"data": alerts, "paging": paging, "took": 0.31, "requestId": f"req-{page}"}


def _compact(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


def test_a_300_alert_webhook_is_detected_and_read_whole(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "group.json"
    path.write_text(_compact(am_group(fixtures, 300)) + "\n")
    assert path.stat().st_size > 200_000 and path.read_text().index('"groupKey"') > 200_000
    assert detected_source(path) == ("alertmanager", alertmanager.KIND_WEBHOOK)
    assert detected_source(path, "alertmanager") == ("alertmanager", alertmanager.KIND_WEBHOOK)
    parsed = parsed_file(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected)) == (300, 300, 0)


def test_an_indented_group_and_a_multi_mb_webhook_read(fixtures: Path, tmp_path: Path) -> None:
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(am_group(fixtures, 300), indent=2))
    big = tmp_path / "big.json.gz"
    with gzip.open(big, "wt") as fh:
        fh.write(_compact(am_group(fixtures, 3600)))
    assert parsed_file(pretty, {}).accepted == 300
    parsed = parsed_file(big, {})
    assert (parsed.kind, parsed.read, parsed.accepted) == (alertmanager.KIND_WEBHOOK, 3600, 3600)


def test_a_long_webhook_log_reads_every_line(fixtures: Path, tmp_path: Path) -> None:
    group = am_group(fixtures, 40)
    log = tmp_path / "webhooks.jsonl"
    with log.open("w") as fh:  # 500 notifications of one group: repeats fold into 40 firings
        for _ in range(500):
            fh.write(_compact(group) + "\n")
    parsed = parsed_file(log, {})
    assert (parsed.read, parsed.accepted, parsed.deduplicated) == (20_000, 40, 19_960)


def test_100_alert_opsgenie_pages_with_request_id_last(fixtures: Path, tmp_path: Path) -> None:
    pages = [og_page(fixtures, p) for p in range(3)]
    one = tmp_path / "page.json"
    one.write_text(json.dumps(pages[0], indent=4))
    assert one.read_text().rstrip().endswith('"requestId": "req-0"\n}')
    assert detected_source(one) == ("opsgenie", opsgenie.KIND_ALERTS)
    assert detected_source(one, "opsgenie") == ("opsgenie", opsgenie.KIND_ALERTS)
    assert parsed_file(one, {}).accepted == 100
    lines = tmp_path / "pages.jsonl"
    lines.write_text("".join(_compact(p) + "\n" for p in pages))
    parsed = parsed_file(lines, {})
    assert (parsed.kind, parsed.read, parsed.accepted) == (opsgenie.KIND_ALERTS, 300, 300)


def test_the_cli_ingests_them_named_and_complete(
    fixtures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "group.json").write_text(_compact(am_group(fixtures, 300)))
    for p in range(2):
        (inbox / f"og-{p}.json").write_text(_compact(og_page(fixtures, p)))
    lake = tmp_path / "lake"
    assert main(["ingest", "--lake", str(lake), str(inbox)]) == 0
    out = capsys.readouterr().out
    assert "alertmanager.webhook" in out and "opsgenie.alerts" in out
    manifest = Lake(lake).read(Manifest.table)
    assert sorted(manifest[Manifest.accepted]) == [100, 100, 300]
    alerts = Lake(lake).read(Alerts.table)
    assert alerts.groupby(Alerts.source).size().to_dict() == {"alertmanager": 300, "opsgenie": 200}


def test_forced_source_reads_with_the_structure_it_found(fixtures: Path, tmp_path: Path) -> None:
    """--source never re-detects: the kind comes from the structure, once."""
    path = tmp_path / "group.json"
    path.write_text(_compact(am_group(fixtures, 300)))
    reports = ingest_paths(Lake(tmp_path / "lake"), [path], source="alertmanager")
    assert [(r.kind, r.accepted) for r in reports] == [(alertmanager.KIND_WEBHOOK, 300)]
