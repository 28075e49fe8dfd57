"""The default review of the shipped sample and of three real data sets: consistent (every figure
on the page traces to one model field, the model agrees with summary.json and the CSV tables, no
section contradicts another), free of warnings, and rendered cleanly by headless Chromium.

The real data sets (../shared/realdata) are ingested as a user would, with the configuration
each needs today: the UCI log's day-first dates (``[sources.servicenow] date_format``) and, of
the captured Prometheus + Alertmanager run, the webhook log and the Prometheus alert snapshots.
"""

from __future__ import annotations

import contextlib
import io
import json
import pickle
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from alertlens.flows.config import Config, config_from_tables, load_config
from alertlens.flows.steps import analyze, review
from alertlens.ingest.lake import Lake
from alertlens.ingest.service import ingest_paths
from alertlens.reports.html import render_html
from alertlens.reports.model import Report
from alertlens.reports.tables import report_tables
from alertlens.reports.write import ReviewFiles, csv_links, write_report
from tests.conftest import REALDATA, ROOT, needs_programs, once_per_run
from tests.reports.consistency import assert_consistent

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SAMPLE = ROOT / "data" / "samples" / "unlucky-team"
CAPTURE = "captured-prometheus-alertmanager"


def _sample_config() -> Config:
    return load_config(SAMPLE / "alertlens.toml", env={})


def _uci_config() -> Config:
    return config_from_tables({"sources": {"servicenow": {"date_format": "%d/%m/%Y %H:%M",
                                                          "timezone": "UTC"}}})


def _capture_files() -> list[Path]:
    folder = REALDATA / CAPTURE
    return [folder / "webhooks.jsonl", *sorted((folder / "snapshots").glob("*prom_api_v1_alerts*"))]


@dataclass(frozen=True)
class Dataset:
    name: str
    config: Callable[[], Config]
    paths: Callable[[], list[Path]]
    week: str  # the default review week on 1 Dec 2026
    real: bool = True


DATASETS = {
    "sample": Dataset("sample", _sample_config, lambda: [SAMPLE], "2026-W47", real=False),
    "uci": Dataset("uci", _uci_config, lambda: [REALDATA / "uci-incident-event-log"], "2017-W07"),
    "capture": Dataset("capture", Config, _capture_files, "2026-W48"),
    "github": Dataset("github", Config, lambda: [REALDATA / "github-status-incidents"],
                      "2023-W40"),
}


@dataclass(frozen=True)
class Rendered:
    report: Report
    page: str
    folder: Path
    summary: dict[str, Any]
    warnings: list[str]
    stderr: str


def _built(folder: Path, dataset: Dataset) -> dict[str, Any]:
    """The data set ingested, analysed and reviewed; the review pickled for every worker."""
    config = dataset.config()
    lake = Lake(folder / "lake")
    ingest_paths(lake, dataset.paths(), config_sources=config.sources)
    summary = json.loads(json.dumps(dict(analyze(lake, config, now=NOW).summary)))
    stderr = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(stderr):
        warnings.simplefilter("always")
        report = review(lake, config, now=NOW)
        tables = report_tables(report)
        page = render_html(report, csv_files=csv_links(tables))
        paths = write_report(folder / "reports", ReviewFiles(
            report.label, report.label, report.start, report.end, None, NOW, page, None, tables))
    rendered = Rendered(report, page, paths.folder, summary,
                        [f"{w.category.__name__}: {w.message}" for w in caught], stderr.getvalue())
    (folder / PICKLE).write_bytes(pickle.dumps(rendered))
    return {}


PICKLE = "rendered.pickle"
_BUILT: dict[str, Rendered] = {}


@pytest.fixture(params=sorted(DATASETS))
def rendered(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Each data set's review, built once per test run (tests/conftest.py ``once_per_run``)
    whichever worker asks first, in whatever order the tests run."""
    dataset = DATASETS[request.param]
    if dataset.real and not REALDATA.is_dir():
        pytest.skip(f"real data not present at {REALDATA}")
    if dataset.name not in _BUILT:
        base, _ = once_per_run(tmp_path_factory, f"review-{dataset.name}",
                               lambda folder: _built(folder, dataset))
        loaded = pickle.loads((base / PICKLE).read_bytes())
        assert isinstance(loaded, Rendered)
        _BUILT[dataset.name] = loaded
    return _BUILT[dataset.name]


pytestmark = [pytest.mark.realdata]


def test_the_default_review_week(rendered: Rendered) -> None:
    dataset = next(d for d in DATASETS.values() if rendered.folder.name == d.week)
    assert rendered.report.label == dataset.week


def test_no_figure_contradicts_another(rendered: Rendered) -> None:
    checked = assert_consistent(rendered.report, rendered.page, rendered.folder,
                                rendered.summary)
    assert checked >= 40  # every card's seven fields at least


def test_rendering_warns_about_nothing(rendered: Rendered) -> None:
    assert rendered.warnings == [] and rendered.stderr == ""


def test_the_sample_shows_no_held_fix_for_a_rule_that_fired_lately(rendered: Rendered) -> None:
    if rendered.report.label != "2026-W47":
        pytest.skip("the sample's own check")
    recent = rendered.report.end - timedelta(days=13)
    fired_lately = [r for r in rendered.report.recurrences if r.last_seen.date() >= recent]
    assert fired_lately, "the sample has rules that fired in the last two weeks"
    assert all(r.status != "held" for r in fired_lately)
    clock_skew = next(r for r in rendered.report.recurrences if r.key.startswith("Clock skew"))
    assert clock_skew.last_seen.date().isoformat() == "2026-11-16"  # its latest page
    assert clock_skew.status == "no fix recorded"


@needs_programs("chromium")
@pytest.mark.services
def test_headless_chromium_renders_it_cleanly(rendered: Rendered, tmp_path: Path) -> None:
    from tests.reports.test_browser import probed

    seen = probed(rendered.page, tmp_path)
    assert seen["seen"] == []
    assert seen["scripts"] == 1  # the probe itself
    assert len(seen["images"]) == rendered.page.count('src="data:image/png;base64,') >= 1
    for width, height, shown in seen["images"]:
        assert width > 300 and height > 100 and shown > 300
    json.dumps(seen)
