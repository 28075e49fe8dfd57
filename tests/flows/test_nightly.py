"""End to end: a generated world through the real ``alertlens nightly`` (Prefect, ephemeral)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from alertlens.flows.cli import main
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import Alerts, Rules, Scored, Summary
from alertlens.ingest.service import ingest_paths
from tests.conftest import once_per_run

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.prefect]


def _world(out: Path) -> dict[str, Any]:
    argv = ["generate", "--scenario", "unlucky-team", "--seed", "1", "--weeks", "12"]
    assert main([*argv, "--out", str(out)]) == 0
    return {}


def _nightly(base: Path) -> dict[str, Any]:
    world = base / "world"
    _world(world)
    # A source that cannot be pulled (nothing listens on port 9) must not stop the rest.
    config = base / "alertlens.toml"
    config.write_text(
        '[nightly]\npull = ["prometheus"]\nprometheus_url = "http://127.0.0.1:9"\n'
        "pull_retries = 0\n[pull]\nmax_retries = 0\n"
    )
    env = {**os.environ, "PREFECT_HOME": str(base / ".prefect"), "MPLBACKEND": "Agg"}
    env.pop("PREFECT_API_URL", None)
    cmd = [
        sys.executable,
        "-m",
        "alertlens.flows.cli",
        "--config",
        str(config),
        "nightly",
        "--inbox",
        str(world),
        "--lake",
        str(base / "lake"),
        "--out",
        str(base / "reports"),
        # parse on a local Dask cluster: the scale-out path (files shipped to another process;
        # one worker: a second costs 18 CPU s of start-up, and tests/flows/test_dask_analyze.py
        # runs tasks on two)
        "--dask-workers",
        "1",
    ]
    done = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=900, cwd=ROOT
    )
    return {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


@pytest.fixture(scope="session")
def nightly_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimpleNamespace]:
    """The generated world run once through the real nightly, for every test of this module
    on whichever worker (tests/conftest.py ``once_per_run``)."""
    base, result = once_per_run(tmp_path_factory, "nightly", _nightly)
    done = SimpleNamespace(**result)
    assert done.returncode == 1, done.stderr[-3000:]
    return base, done


@pytest.fixture(scope="session")
def world(nightly_run: tuple[Path, SimpleNamespace]) -> Path:
    return nightly_run[0] / "world"


def test_a_failed_pull_fails_the_run_after_everything_else(nightly_run) -> None:
    base, done = nightly_run
    assert "nightly failed" in done.stderr and "prometheus" in done.stderr
    assert "Traceback" not in done.stderr
    assert (base / "lake" / "analysis" / Summary.file).is_file()


def test_nightly_writes_analysis_and_report_matching_ground_truth(nightly_run, world: Path) -> None:
    base, done = nightly_run
    truth = json.loads((world / "ground_truth.json").read_text())["expected"]
    summary = json.loads((base / "lake" / "analysis" / Summary.file).read_text())
    for key in (
        Summary.alerts,
        Summary.incidents,
        Summary.weeks,
        Summary.noise_share,
        Summary.pages_per_week,
        Summary.projected_pages_per_week_after_fixes,
        Summary.mtta_seconds,
        Summary.mttr_seconds,
    ):
        assert key in summary
    assert set(summary[Summary.mttr_seconds]) >= {"mean", "median", "p90"}
    assert summary[Summary.alerts] == truth["alerts"]
    assert summary[Summary.weeks] == truth["weeks"]
    assert abs(summary[Summary.noise_share] - truth["noise_share"]) <= 0.05
    assert summary[Summary.pages_per_week] == pytest.approx(truth["pages_per_week"], rel=0.2)
    assert summary[Summary.projected_pages_per_week_after_fixes] == pytest.approx(
        truth["pages_per_week_after_fixes"], rel=0.35, abs=0.5
    )
    scored = pd.read_parquet(base / "lake" / "analysis" / Scored.file)
    assert {
        Alerts.source,
        Alerts.alert_id,
        Alerts.rule_key,
        Alerts.created_at,
        Scored.is_noise,
        Scored.noise_reasons,
    } <= set(scored.columns)
    rules = pd.read_parquet(base / "lake" / "analysis" / Rules.file)
    assert {
        Rules.rule_key,
        Rules.title_template,
        Rules.service,
        Rules.team,
        Rules.firings,
        Rules.noise_share,
        Rules.is_noisy,
        Rules.reasons,
        Rules.recommendation,
    } <= set(rules.columns)
    html_path = Path(done.stderr.split("report ", 1)[1].split(" written", 1)[0])
    assert html_path.is_file() and html_path.suffix == ".html"
    assert html_path.parents[2] == base / "reports"  # reports/organisation/<week>/
    assert html_path.parent.name == summary[Summary.review_week] == "2026-W47"


def test_ingest_accounting_holds_for_every_file(nightly_run) -> None:
    base, _ = nightly_run
    manifest = Lake(base / "lake").read("manifest")
    assert len(manifest) > 3
    assert (
        manifest["read"]
        == manifest["accepted"] + manifest["quarantined"] + manifest["deduplicated"]
    ).all()


def test_reingesting_the_same_files_changes_no_row(nightly_run, world: Path) -> None:
    base, _ = nightly_run
    lake = Lake(base / "lake")
    before = lake.row_counts()
    reports = ingest_paths(lake, [world])
    assert all(r.already_ingested for r in reports)
    forced = ingest_paths(lake, [world], force=True)
    assert not any(r.already_ingested for r in forced)
    assert lake.row_counts() == before
