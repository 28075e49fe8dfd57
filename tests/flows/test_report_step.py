"""The report step end to end on a small simulated world: the lake and its analysis outputs in,
an HTML and PDF review out, with the analysis's own numbers in it and hostile titles escaped."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from alertlens.analysis.noise.analysis import noise_analysis
from alertlens.analysis.review.week import last_complete_week, week_start
from alertlens.flows.commands import report as report_command
from alertlens.flows.config import Config
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import ANALYSIS_DIR, INCIDENTS_SCHEMA, Incidents, Rules, Scored
from alertlens.ingest.service import ingest_paths
from alertlens.ingest.settings_table import settings_from_table
from alertlens.reports.html import percent
from alertlens.reports.settings import ReportSettings
from alertlens.synthetic.world import generate
from tests.conftest import needs_programs

XSS = "<script>alert(1)</script>"
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Rendered:
    lake: Path
    out: Path
    html: str
    pdf_text: str
    pdf_pages: int
    printed: str


def _xss_incident(week: str) -> pa.Table:
    monday = pd.Timestamp(week_start(week), tz="UTC") + pd.Timedelta(minutes=1)
    row = {
        Incidents.source: "pagerduty",
        Incidents.incident_id: "PXSS",
        Incidents.title: XSS,
        Incidents.service: "web",
        Incidents.team: "Platform",
        Incidents.severity: "critical",
        Incidents.resolved_by: "human",
        Incidents.created_at: monday.to_pydatetime(),
        Incidents.status: "resolved",
        Incidents.resolved_at: (monday + pd.Timedelta(minutes=30)).to_pydatetime(),
        Incidents.version_at: monday.to_pydatetime(),
    }
    return pa.Table.from_pylist([row], schema=INCIDENTS_SCHEMA)


def _run(lake: Path, out: Path, *extra: str) -> tuple[int, str]:
    top = argparse.ArgumentParser()
    report_command.add_parser(top.add_subparsers())
    args = top.parse_args(["report", "--lake", str(lake), "--out", str(out), *extra])
    return args.handler(args, Config()), ""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """One simulated world ingested, analysed and reported once (HTML and PDF)."""
    root = tmp_path_factory.mktemp("world")
    generate("multi-team", root / "exports", seed=3, weeks=8, end=NOW, target_alerts=3000)
    lake = Lake(root / "lake")
    ingest_paths(lake, [root / "exports" / "pagerduty", root / "exports" / "alertmanager"])
    week = last_complete_week(pd.Timestamp(NOW))
    with lake.locked():
        lake.upsert({Incidents.table: _xss_incident(week)})
    noise = noise_analysis(lake.read("alerts"), lake.read("notifications"), lake.read("incidents"))
    (lake.root / ANALYSIS_DIR).mkdir()
    noise.alerts_scored.to_parquet(lake.root / ANALYSIS_DIR / Scored.file)
    noise.rules.to_parquet(lake.root / ANALYSIS_DIR / Rules.file)
    out = root / "reports"
    args = argparse.ArgumentParser()
    report_command.add_parser(args.add_subparsers())
    parsed = args.parse_args(["report", "--lake", str(lake.root), "--out", str(out)])
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert parsed.handler(parsed, Config()) == 0
    latest = out / "latest"
    pdf = latest / "report.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    return Rendered(
        lake.root,
        out,
        (latest / "report.html").read_text(encoding="utf-8"),
        text,
        pages,
        buffer.getvalue(),
    )


pytestmark = needs_programs("pdftotext", "pdfinfo")


def test_command_prints_the_html_path(rendered: Rendered) -> None:
    last = rendered.printed.strip().splitlines()[-1]
    assert Path(last).is_file() and last.endswith("report.html")
    assert (rendered.out / "index.html").is_file()


def test_numbers_come_from_the_analysis_outputs(rendered: Rendered) -> None:
    rules = pd.read_parquet(rendered.lake / ANALYSIS_DIR / Rules.file)
    scored = pd.read_parquet(rendered.lake / ANALYSIS_DIR / Scored.file)
    noisy = rules[rules[Rules.is_noisy]]
    assert len(noisy) > 0
    lead = f"{len(noisy)} of {len(rules)} rules are noisy"
    assert lead in rendered.html and lead in rendered.pdf_text
    assert percent(float(scored[Scored.is_noise].mean())) in rendered.html
    top = noisy.sort_values(Rules.pages, ascending=False).iloc[0]
    escaped = top[Rules.recommendation].replace("&", "&amp;").replace("<", "&lt;")
    assert escaped.replace(">", "&gt;") in rendered.html


def test_headline_matches_the_weekly_review(rendered: Rendered) -> None:
    from alertlens.analysis.review.weekly import weekly_review

    lake = Lake(rendered.lake)
    week = last_complete_week(pd.Timestamp(NOW))
    review = weekly_review(
        lake.read("incidents"), lake.read("alerts"), lake.read("notifications"), week=week
    )
    incidents = int(review["headlines"]["incidents"]["this_week"])
    card = re.search(r'data-key="incidents">.*?class="value">([^<]*)<', rendered.html, re.S)
    assert card is not None and card.group(1).strip() == str(incidents)
    assert f"Week {week}" in rendered.html


def test_pdf_has_every_section_and_page_numbers(rendered: Rendered) -> None:
    for heading in (
        "1. Headline",
        "2. Noise audit",
        "3. Response",
        "4. Recurrence",
        "5. On-call load",
        "6. Maturity",
        "7. Data quality",
    ):
        assert heading in rendered.pdf_text
    assert 4 <= rendered.pdf_pages <= 20
    assert f"Page {rendered.pdf_pages} of {rendered.pdf_pages}" in rendered.pdf_text


def test_hostile_titles_are_text(rendered: Rendered) -> None:
    assert XSS not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert XSS in rendered.pdf_text


def test_data_quality_shows_the_manifest(rendered: Rendered) -> None:
    manifest = Lake(rendered.lake).read("manifest")
    read = int(manifest[manifest["source"] == "pagerduty"]["read"].sum())
    assert f"{read:,}".replace(",", "\u202f") in rendered.html


def test_past_week_and_html_only(rendered: Rendered, tmp_path: Path) -> None:
    code, _ = _run(rendered.lake, tmp_path, "--week", "2026-W44", "--no-pdf")
    assert code == 0
    folder = tmp_path / "latest"
    assert "Week 2026-W44" in (folder / "report.html").read_text(encoding="utf-8")
    assert not (folder / "report.pdf").exists()
    assert json.loads((folder / "meta.json").read_text())["week"] == "2026-W44"


@pytest.mark.parametrize("week", ["2026-47", "2026-W54"])
def test_bad_week_is_a_usage_error(rendered: Rendered, tmp_path: Path, week: str) -> None:
    from alertlens.flows.errors import UsageError

    with pytest.raises(UsageError, match="week"):
        _run(rendered.lake, tmp_path, "--week", week, "--no-pdf")


def test_last_complete_week() -> None:
    assert last_complete_week(pd.Timestamp("2026-11-22T23:00Z")) == "2026-W47"  # a Sunday
    assert last_complete_week(pd.Timestamp("2026-11-25T10:00Z")) == "2026-W47"  # a Wednesday
    assert last_complete_week(pd.Timestamp("2026-01-02T10:00Z")) == "2025-W52"


def test_report_settings_refuse_unknown_keys() -> None:
    assert settings_from_table(ReportSettings, {"paper": "letter"}, "report").paper == "letter"
    with pytest.raises(ValueError, match="unknown key"):
        settings_from_table(ReportSettings, {"papr": "a4"}, "report")
    with pytest.raises(ValueError, match="paper"):
        settings_from_table(ReportSettings, {"paper": "a3"}, "report")


def test_empty_lake_is_refused(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    from alertlens.flows.errors import UsageError

    with pytest.raises(UsageError, match="no alerts or incidents"):
        _run(tmp_path / "lake", tmp_path / "out", "--no-pdf")
