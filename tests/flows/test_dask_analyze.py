"""``analyze`` with its per-team shards as mapped Prefect tasks on Dask gives exactly the
one-process result, table by table: on an existing scheduler (a small LocalCluster started
here, its workers threads of this process) that the real CLI is pointed at."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alertlens.flows.cli import main
from alertlens.ingest.lake import Lake
from alertlens.ingest.outputs import AnalysisStore
from alertlens.synthetic.lake_writer import write_lake

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-25T00:00:00Z"

pytestmark = [pytest.mark.prefect]


def _published(lake: Path) -> Path:
    return AnalysisStore(Lake(lake)).current.resolve()


def _same_outputs(one: Path, other: Path) -> int:
    files = sorted(p.name for p in one.glob("*.parquet"))
    assert files == sorted(p.name for p in other.glob("*.parquet")) and len(files) >= 15
    for name in files:
        pd.testing.assert_frame_equal(pd.read_parquet(one / name), pd.read_parquet(other / name),
                                      check_exact=True, obj=name)
    summary = json.loads((one / "summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads((other / "summary.json").read_text(encoding="utf-8"))
    return len(files)


def test_sharded_analyze_on_an_existing_scheduler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import Client, LocalCluster, get_task_stream

    lake = tmp_path / "lake"
    write_lake("large-org", lake, seed=5, weeks=3, target_alerts=2500)
    monkeypatch.setenv("ALERTLENS_NOW", NOW)
    monkeypatch.chdir(tmp_path)  # no alertlens.toml: every setting at its default
    assert main(["analyze", "--lake", str(lake)]) == 0
    one = _published(lake)
    teams = pd.read_parquet(one / "response_times.parquet").query("dimension == 'team'")
    assert teams["group"].nunique() >= 3

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / ".prefect"), ALERTLENS_NOW=NOW,
               PYTHONPATH=str(ROOT))
    # tcp, not in-process comms, so the CLI's own process can reach the scheduler
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                           protocol="tcp", host="127.0.0.1", dashboard_address=None)
    with cluster, Client(cluster) as client, get_task_stream(client=client) as stream:
        done = subprocess.run(
            [sys.executable, "-m", "alertlens.flows.cli", "analyze", "--lake", str(lake),
             "--dask-address", cluster.scheduler_address],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600,
        )
    ran = {str(task.get("key", "")) for task in stream.data}
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Review week" in done.stdout
    # every team's shard ran on the cluster's workers
    assert len(ran) >= teams["group"].nunique(), ran
    sharded = _published(lake)
    assert sharded != one
    _same_outputs(one, sharded)
