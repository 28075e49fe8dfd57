"""``alertlens serve`` for real: an embedded Prefect server, a ``* * * * *`` deployment, and one
scheduled run that completes. Slow (a server start plus up to a minute to the next slot)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from alertlens.flows.serve import server_healthy

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "tests.flows.serve_probe:probe_flow"

# until flows.cli registers the command, build the sub-command from its module directly
_SHIM = """
import argparse, sys
from alertlens.flows.commands import serve
from alertlens.flows.config import load_config
top = argparse.ArgumentParser(prog="alertlens")
serve.add_parser(top.add_subparsers(dest="command", required=True))
args = top.parse_args(sys.argv[1:])
sys.exit(args.handler(args, load_config(None)))
"""


def _command() -> list[str]:
    from alertlens.flows import cli

    if "alertlens.flows.commands.serve" in cli.COMMANDS:
        return [sys.executable, "-m", "alertlens.flows.cli", "serve"]
    return [sys.executable, "-c", _SHIM, "serve"]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PYTHONPATH=str(ROOT))
    log = tmp_path / "serve.log"
    cmd = [*_command(), "--cron", "* * * * *", "--port", "0", "--flow", ENTRY]
    cmd += ["--inbox", str(tmp_path / "inbox"), "--lake", str(tmp_path / "lake")]
    cmd += ["--out", str(tmp_path / "out")]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc, log
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


@pytest.mark.services
@pytest.mark.prefect
def test_serve_schedules_and_completes_a_run(served, tmp_path: Path) -> None:
    proc, log = served
    api_url = None
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and api_url is None:
        assert proc.poll() is None, log.read_text()
        m = re.search(r"against (http://127\.0\.0\.1:\d+/api)", log.read_text())
        api_url = m.group(1) if m else None
        time.sleep(0.5)
    assert api_url, log.read_text()
    started = time.monotonic()
    marker = tmp_path / "out" / "ran.txt"
    states: list[str] = []
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        query = {"flow_runs": {"state": {"type": {"any_": ["COMPLETED", "FAILED", "CRASHED"]}}}}
        runs = httpx.post(f"{api_url}/flow_runs/filter", json=query, timeout=10).json()
        states = [r["state_type"] for r in runs]
        if "COMPLETED" in states and marker.exists():
            break
        time.sleep(2)
    assert "COMPLETED" in states, (states, log.read_text())
    assert marker.read_text().splitlines()[0] == str((tmp_path / "inbox").resolve())
    deployments = httpx.post(f"{api_url}/deployments/filter", json={}, timeout=10).json()
    assert [d["name"] for d in deployments] == ["alertlens-nightly"]
    assert deployments[0]["schedules"][0]["schedule"]["cron"] == "* * * * *"
    print(f"first scheduled run completed {time.monotonic() - started:.0f} s after serving began")

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(40) == 0, log.read_text()
    assert not server_healthy(api_url, timeout=1), "embedded server still up after serve exited"
