"""The report step end to end on a small simulated world: the lake and its analysis outputs in,
reviews filed by scope and period out (HTML, PDF, CSV), with the analysis's own numbers in them
and hostile titles escaped."""

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

from alertlens.analysis.calendar import week_start
from alertlens.flows.commands import report as report_command
from alertlens.flows.config import Config
from alertlens.flows.errors import UsageError
from alertlens.flows.steps import NOW_ENV, analyze
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import ANALYSIS_DIR, INCIDENTS_SCHEMA, Incidents, Rules, Summary
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic.world import generate
from tests.conftest import needs_programs, once_per_run

XSS = "<script>alert(1)</script>"
END = datetime(2026, 11, 23, tzinfo=UTC)  # the world ends on Sunday night: W47 is its last week
NOW = "2026-12-01T09:00:00Z"


@dataclass(frozen=True)
class Rendered:
    lake: Path
    out: Path
    html: str
    pdf_text: str
    pdf_pages: int
    printed: str
    summary: dict[str, object]


def _xss_incident(week: str) -> pa.Table:
    monday = week_start(week) + pd.Timedelta(minutes=1)
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


def _run(lake: Path, out: Path, *extra: str) -> str:
    top = argparse.ArgumentParser()
    report_command.add_parser(top.add_subparsers())
    args = top.parse_args(["report", "--lake", str(lake), "--out", str(out), *extra])
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.MonkeyPatch.context() as patch:
        patch.setenv(NOW_ENV, NOW)
        assert args.handler(args, Config()) == 0
    return buffer.getvalue()


def _rendered(root: Path) -> dict[str, object]:
    generate("multi-team", root / "exports", seed=3, weeks=8, end=END, target_alerts=3000)
    lake = Lake(root / "lake")
    ingest_paths(lake, [root / "exports" / "pagerduty", root / "exports" / "alertmanager"])
    with lake.locked():
        lake.upsert({Incidents.table: _xss_incident("2026-W47")})
    outputs = analyze(lake, Config(), now=datetime.fromisoformat(NOW))
    out = root / "reports"
    printed = _run(lake.root, out)
    latest = out / "latest"
    pdf = latest / "report.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    html = (latest / "report.html").read_text(encoding="utf-8")
    summary = json.loads(json.dumps(dict(outputs.summary), default=str))
    return {"lake": str(lake.root), "out": str(out), "html": html, "pdf_text": text,
            "pdf_pages": pages, "printed": printed, "summary": summary}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """One simulated world ingested, analysed and reported once (HTML, PDF and CSV) for every
    test of this module on whichever worker (tests/conftest.py ``once_per_run``)."""
    _, result = once_per_run(tmp_path_factory, "report-step", _rendered)
    result.update(lake=Path(result["lake"]), out=Path(result["out"]))
    return Rendered(**result)


pytestmark = needs_programs("pdftotext", "pdfinfo")


def test_the_default_review_is_the_newest_ended_week_and_the_summary_agrees(
    rendered: Rendered,
) -> None:
    html = rendered.out / "organisation" / "2026-W47" / "report.html"
    assert rendered.printed.strip().splitlines()[-1] == str(html)
    assert rendered.summary[Summary.review_week] == "2026-W47"
    assert "Week 2026-W47: Monday 16 Nov 2026 to Sunday 22 Nov 2026" in rendered.html
    assert f"Counted: {rendered.summary[Summary.weeks]} weeks" in rendered.html
    trends = rendered.summary[Summary.trends]
    assert isinstance(trends, dict)
    for key, verdict in re.findall(r'data-field="headline\.(\w+)\.verdict_text">([^<]*)<',
                                   rendered.html):
        assert trends[key]["verdict"] == verdict, key
    headlines = rendered.summary[Summary.headlines]
    assert isinstance(headlines, dict)
    card = re.search(r'data-field="headline.incidents.value">([^<]*)<', rendered.html)
    assert card is not None and card.group(1) == str(int(headlines["incidents"]["this_week"]))


def test_numbers_come_from_the_analysis_outputs(rendered: Rendered) -> None:
    rules = pd.read_parquet(rendered.lake / ANALYSIS_DIR / Rules.file)
    noisy = rules[rules[Rules.is_noisy]]
    assert len(noisy) > 0
    lead = (f'<span data-field="noise.rules">{len(noisy)}</span> of '
            f'<span data-field="noise.rules_total">{len(rules)}</span> alert rules are noisy')
    assert lead in rendered.html
    assert f"{len(noisy)} of {len(rules)} alert rules are noisy" in rendered.pdf_text
    assert "noise analysis was run for this review" not in rendered.html  # the stored one fits
    top = noisy.sort_values(Rules.pages, ascending=False).iloc[0]
    escaped = top[Rules.recommendation].replace("&", "&amp;").replace("<", "&lt;")
    assert escaped.replace(">", "&gt;") in rendered.html


def test_tables_are_exported_next_to_the_page(rendered: Rendered) -> None:
    tables = rendered.out / "organisation" / "2026-W47" / "tables"
    names = {p.stem for p in tables.glob("*.csv")}
    assert {"headline", "weekly", "incidents", "noisy_rules", "recurrence", "sources"} <= names
    assert 'href="tables/incidents.csv"' in rendered.html
    weekly = pd.read_csv(tables / "weekly.csv")
    assert len(weekly) == 8 and weekly["week"].iloc[-1] == "2026-W47"


def test_pdf_has_every_section_and_page_numbers(rendered: Rendered) -> None:
    for heading in ("1. Headline", "2. Noise audit", "3. Response", "4. Recurrence",
                    "5. On-call load", "6. Maturity", "7. Data quality"):
        assert heading in rendered.pdf_text
    assert 4 <= rendered.pdf_pages <= 20
    assert f"Page {rendered.pdf_pages} of {rendered.pdf_pages}" in rendered.pdf_text


def test_hostile_titles_are_text(rendered: Rendered) -> None:
    assert XSS not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "<script>alert(1)</" in rendered.pdf_text  # literal text (a narrow column wraps)


def test_data_quality_shows_the_manifest(rendered: Rendered) -> None:
    manifest = Lake(rendered.lake).read("manifest")
    read = int(manifest[manifest["source"] == "pagerduty"]["read"].sum())
    assert f"{read:,}".replace(",", "\u202f") in rendered.html


def test_a_past_week_is_filed_beside_the_others(rendered: Rendered) -> None:
    _run(rendered.lake, rendered.out, "--week", "2026-W44", "--no-pdf")
    folder = rendered.out / "organisation" / "2026-W44"
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Week 2026-W44" in page and "noise analysis was run for this review" in page
    assert json.loads((folder / "meta.json").read_text())["week"] == "2026-W44"
    assert (rendered.out / "organisation" / "2026-W47" / "report.html").is_file()
    assert (rendered.out / "latest").resolve().name == "2026-W47"


@pytest.mark.parametrize(("week", "message"), [
    ("2026-47", "week"), ("2026-W54", "week"), ("2030-W01", "outside the data"),
])
def test_bad_week_is_a_usage_error(rendered: Rendered, tmp_path: Path, week: str,
                                   message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _run(rendered.lake, tmp_path, "--week", week, "--no-pdf")


def test_a_review_per_team_and_an_index_of_all(rendered: Rendered, tmp_path: Path) -> None:
    printed = _run(rendered.lake, tmp_path, "--each-team", "--no-pdf")
    pages = [line for line in printed.splitlines() if line.endswith("report.html")]
    teams = sorted(p.parent.parent.name for p in map(Path, pages[1:]))
    assert Path(pages[0]).parent.parent.name == "organisation" and len(teams) >= 2
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for page in map(Path, pages):
        assert page.relative_to(tmp_path).as_posix() in index
    platform = next(Path(p) for p in pages if "/teams/platform" in p)
    assert "team Platform" in platform.read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="no team named 'nobody'"):
        _run(rendered.lake, tmp_path, "--team", "nobody", "--no-pdf")


def test_a_period_against_the_period_before(rendered: Rendered, tmp_path: Path) -> None:
    printed = _run(rendered.lake, tmp_path, "--since", "2026-11-02", "--until", "2026-11-15",
                   "--no-pdf")
    page = Path(printed.strip().splitlines()[-1])
    assert page.parent.name == "2026-11-02_2026-11-15"
    text = page.read_text(encoding="utf-8")
    assert "compared with 2026-10-19 to 2026-11-01" in text
    with pytest.raises(UsageError, match="exclude each other"):
        _run(rendered.lake, tmp_path, "--week", "2026-W44", "--since", "2026-11-02")
    with pytest.raises(UsageError, match="--since must be a date"):
        _run(rendered.lake, tmp_path, "--since", "yesterday", "--until", "2026-11-15")


def test_empty_lake_is_refused(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    with pytest.raises(UsageError, match="no alerts or incidents"):
        _run(tmp_path / "lake", tmp_path / "out", "--no-pdf")
