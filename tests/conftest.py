"""Shared fixtures. Tests that read ../shared/realdata take the ``realdata`` fixture and are marked
``realdata``; they skip cleanly when the folder is absent (a user's machine)."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from alertlens.flows.config import Config
    from alertlens.flows.steps import AnalysisOutputs
    from alertlens.ingest.lake import Lake

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REALDATA = Path(os.environ.get("ALERTLENS_REALDATA", ROOT.parent / "shared" / "realdata"))
#: The shipped sample export, with its alertlens.toml.
SAMPLE = ROOT / "data" / "samples" / "unlucky-team"

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def realdata() -> Path:
    """The shared real-data folder; skips the test when it is not on this machine."""
    if not REALDATA.is_dir():
        pytest.skip(f"real data not present at {REALDATA}")
    return REALDATA


@pytest.fixture
def fixtures() -> Path:
    """tests/fixtures: small real excerpts shipped with the project."""
    return FIXTURES


def needs_programs(*names: str) -> pytest.MarkDecorator:
    """Skip when a program is missing on a user's machine; under CI (``CI`` set) a missing
    program is a broken setup, so the test is not skipped and fails loudly instead."""
    import shutil

    missing = [n for n in names if shutil.which(n) is None]
    if missing and os.environ.get("CI"):
        return pytest.mark.usefixtures()
    return pytest.mark.skipif(
        bool(missing), reason=f"not installed: {', '.join(missing)} (run make setup)"
    )


def analysed_sample(folder: Path, now: datetime) -> tuple[Lake, Config, AnalysisOutputs]:
    """The shipped sample ingested with its configuration into ``folder/lake`` and analysed as
    of ``now``: the lake, the configuration and what ``analyze`` returned."""
    from alertlens.flows.config import load_config
    from alertlens.flows.steps import analyze
    from alertlens.ingest.lake import Lake
    from alertlens.ingest.service import ingest_paths

    config = load_config(SAMPLE / "alertlens.toml", env={})
    lake = Lake(folder / "lake")
    ingest_paths(lake, [SAMPLE], config_sources=config.sources)
    return lake, config, analyze(lake, config, now=now)


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], dict[str, Any]]
) -> tuple[Path, dict[str, Any]]:
    """``build(folder)`` run once for the whole test run, however many xdist workers ask: the
    first one builds under a lock in the run's shared temp folder, the others wait and reuse its
    folder and the JSON result. (A session fixture alone runs once per worker, and xdist's
    group scheduling does not reliably keep a group on one worker.)"""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the basetemp every worker's own one sits in
    folder = shared / f"once-{name}"
    result = folder / "result.json"
    with open(shared / f"once-{name}.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            if not result.is_file():
                folder.mkdir(parents=True, exist_ok=True)
                result.write_text(json.dumps(build(folder)), encoding="utf-8")
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    return folder, json.loads(result.read_text(encoding="utf-8"))



#: Tests that start servers, Prefect runs or killed processes. They go to the front of the run
#: so they overlap the many quick tests instead of trailing after them: with ``--maxschedchunk 1``
#: xdist hands each worker two tests to start with, then one at a time as workers free up, so the
#: three longest (a server waiting for its cron slot, the nightly, the Dask run) come first in
#: each pair and land on different workers.
SLOW_FIRST: tuple[str, ...] = (
    "tests/flows/test_serve_embedded.py",
    "tests/ingest/test_concurrency.py::test_killed_ingest",
    "tests/flows/test_nightly.py::test_a_failed_pull",  # builds the shared nightly run
    "tests/ingest/test_lake.py::test_sigkill",
    "tests/flows/test_dask_analyze.py",
    "tests/flows/test_report_step.py",
    "tests/ingest/test_concurrency.py",
    "tests/ingest/test_realdata_zero_config.py",
    "tests/ingest/test_batches.py",
    "tests/services/",
    "tests/reports/test_browser.py",
    "tests/reports/test_review_datasets.py",
)
#: The other readers of the shared nightly run go last, when it is long built: earlier, a
#: worker would sit waiting for its lock.
LAST: tuple[str, ...] = ("tests/flows/test_nightly.py",)


def _start_rank(item: pytest.Item) -> int:
    first = (i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix))
    rank = next(first, None)
    if rank is not None:
        return rank
    return len(SLOW_FIRST) + 1 if item.nodeid.startswith(LAST) else len(SLOW_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_start_rank)  # stable: every other test keeps pytest's order
