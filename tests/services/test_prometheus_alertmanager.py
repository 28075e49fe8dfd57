"""End to end with real Debian Prometheus and Alertmanager, no mocks: a rule fires on a value this
test serves, Alertmanager posts webhooks to ``alertlens receive``, the ingest lands the alert in
the lake, the rule stops firing and the resolved notification closes it; the ``ALERTS`` series is
pulled back through the Prometheus puller. Settings follow the capture documented in
shared/realdata/captured-prometheus-alertmanager/README.md, with 1 s intervals."""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from alertlens.flows.serve import free_port
from alertlens.ingest.lake import Lake
from alertlens.ingest.pull import prometheus as prom_pull
from alertlens.ingest.pull.http import PullSettings
from alertlens.ingest.schema import Alerts
from alertlens.ingest.service import ingest_paths
from tests.conftest import needs_programs

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = shutil.which("prometheus")
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
ALERT = "AlertlensProbeHigh"

pytestmark = [
    pytest.mark.services,
    needs_programs("prometheus", "prometheus-alertmanager"),
]


class Probe:
    """A /metrics target whose one gauge the test sets."""

    def __init__(self) -> None:
        self.value = 0.0
        probe = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (
                    f"# TYPE alertlens_probe_value gauge\nalertlens_probe_value {probe.value}\n"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.1,), daemon=True)


def _wait(what: str, check: Callable[[], object], timeout: float, procs: dict) -> object:
    """``check()``'s first truthy value, polling; fails naming ``what`` and any dead process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, (proc, log) in procs.items():
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        value = check()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def _up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict]:
    """Probe target, ``alertlens receive``, Alertmanager and Prometheus on free loopback ports;
    every process is stopped at the end, pass or fail."""
    probe = Probe()
    probe.thread.start()
    ports = {name: free_port() for name in ("receiver", "alertmanager", "prometheus")}
    inbox = tmp_path / "inbox"
    (tmp_path / "alertmanager.yml").write_text(
        f"""
global:
  resolve_timeout: 10s
route:
  receiver: alertlens
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1m
receivers:
  - name: alertlens
    webhook_configs:
      - url: http://127.0.0.1:{ports["receiver"]}/webhook
        send_resolved: true
"""
    )
    (tmp_path / "rules.yml").write_text(
        f"""
groups:
  - name: alertlens-e2e
    interval: 1s
    rules:
      - alert: {ALERT}
        expr: alertlens_probe_value > 0
        for: 0s
        labels: {{severity: critical, team: platform, service: probe}}
        annotations: {{summary: "probe value is {{{{ $value }}}}"}}
"""
    )
    (tmp_path / "prometheus.yml").write_text(
        f"""
global: {{scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s}}
rule_files: [{tmp_path / "rules.yml"}]
alerting:
  alertmanagers:
    - api_version: v2
      static_configs: [{{targets: ["127.0.0.1:{ports["alertmanager"]}"]}}]
scrape_configs:
  - job_name: probe
    static_configs: [{{targets: ["127.0.0.1:{probe.port}"]}}]
"""
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ALERTLENS_RECEIVER_TOKEN", None)
    commands = {
        "receiver": [
            sys.executable,
            "-m",
            "alertlens.flows.cli",
            "receive",
            "--port",
            str(ports["receiver"]),
            "--inbox",
            str(inbox),
        ],
        "alertmanager": [
            str(ALERTMANAGER),
            f"--config.file={tmp_path / 'alertmanager.yml'}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{ports['alertmanager']}",
            "--cluster.listen-address=",
        ],
        "prometheus": [
            str(PROMETHEUS),
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
            # the first alert batch can precede Alertmanager discovery; resend every second
            "--rules.alert.resend-delay=1s",
        ],
    }
    procs: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    try:
        for name, cmd in commands.items():
            log = tmp_path / f"{name}.log"
            with open(log, "wb") as out:
                procs[name] = (
                    subprocess.Popen(
                        cmd,
                        cwd=tmp_path if name != "receiver" else ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    ),
                    log,
                )
        urls = {
            "receiver": f"http://127.0.0.1:{ports['receiver']}/healthz",
            "alertmanager": f"http://127.0.0.1:{ports['alertmanager']}/-/ready",
            "prometheus": f"http://127.0.0.1:{ports['prometheus']}/-/ready",
        }
        for name, url in urls.items():
            _wait(f"{name} ready", functools.partial(_up, url), 20, procs)
        yield {
            "probe": probe,
            "inbox": inbox,
            "lake": Lake(tmp_path / "lake"),
            "prometheus": f"http://127.0.0.1:{ports['prometheus']}",
            "procs": procs,
            "tmp": tmp_path,
        }
    finally:
        for proc, _ in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        probe.server.shutdown()
        probe.server.server_close()


def _payloads(inbox: Path) -> list[dict]:
    if not inbox.is_dir():
        return []
    return [
        json.loads(line)
        for p in sorted(inbox.glob("am-*.jsonl"))
        for line in p.read_text().splitlines()
    ]


def _alert_statuses(inbox: Path) -> list[str]:
    return [
        a["status"]
        for p in _payloads(inbox)
        for a in p["alerts"]
        if a["labels"]["alertname"] == ALERT
    ]


def _probe_alerts(lake: Lake):
    alerts = lake.read(Alerts.table)
    return alerts[
        alerts[Alerts.title].astype(str).str.contains(ALERT)
        | alerts[Alerts.rule_key].astype(str).str.contains(ALERT)
    ]


def test_alert_fires_lands_in_the_lake_and_resolves(stack: dict) -> None:
    started = time.monotonic()
    t0 = datetime.now(UTC)
    procs, inbox, lake = stack["procs"], stack["inbox"], stack["lake"]
    stack["probe"].value = 5.0

    _wait("a firing webhook", lambda: "firing" in _alert_statuses(inbox), 30, procs)
    fired = time.monotonic() - started
    ingest_paths(lake, [inbox])
    rows = _probe_alerts(lake)
    assert len(rows) == 1, rows
    assert rows[Alerts.resolved_at].isna().all()
    assert rows[Alerts.created_at].iloc[0] >= t0 - timedelta(seconds=5)

    stack["probe"].value = 0.0
    _wait("a resolved webhook", lambda: "resolved" in _alert_statuses(inbox), 30, procs)
    resolved = time.monotonic() - started
    reports = ingest_paths(lake, [inbox])
    assert sum(r.quarantined for r in reports) == 0
    rows = _probe_alerts(lake)
    assert len(rows) == 1, rows
    assert rows[Alerts.resolved_at].notna().all(), rows.T
    assert rows[Alerts.resolved_at].iloc[0] > rows[Alerts.created_at].iloc[0]

    # the same firing, read back from Prometheus' ALERTS series through the live puller
    with prom_pull.client(PullSettings(), stack["prometheus"]) as api:
        result = prom_pull.pull(
            api, stack["tmp"] / "pulled", t0 - timedelta(seconds=30), datetime.now(UTC), step=1
        )
    series = [
        s["metric"]
        for f in result.files
        if "query_range" in f.name
        for s in json.loads(f.read_bytes())["data"]["result"]
    ]
    assert any(m.get("alertname") == ALERT for m in series), series
    assert result.records["samples"] >= 1
    pulled = ingest_paths(lake, result.files)
    assert {r.source for r in pulled} == {"prometheus"}

    # the receiver shuts down cleanly on SIGTERM
    receiver, log = procs["receiver"]
    receiver.send_signal(signal.SIGTERM)
    assert receiver.wait(10) == 0, log.read_text()
    total = time.monotonic() - started
    print(
        f"firing webhook after {fired:.1f} s, resolved after {resolved:.1f} s, total {total:.1f} s"
    )
