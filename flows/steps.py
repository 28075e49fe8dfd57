"""Engine-free pipeline steps: load -> compute -> render -> write. The CLI calls them directly
(fast, no Prefect start-up); the Prefect flows in flows/nightly.py wrap the same functions as
tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alertlens.analysis.pipeline import MetricsAnalysis, analysis_results
from alertlens.analysis.review import ReviewError, ReviewInputs, review_figures
from alertlens.flows.config import Config
from alertlens.ingest.lake import Lake
from alertlens.ingest.outputs import AnalysisStore
from alertlens.ingest.schema import (
    WHATIF_FILE,
    Alerts,
    Incidents,
    Manifest,
    Notifications,
    Quarantine,
    Rules,
    Scored,
    Summary,
)
from alertlens.reports.html import render_html
from alertlens.reports.model import Report
from alertlens.reports.pdf import PAPERS, render_pdf
from alertlens.reports.sections import report_model
from alertlens.reports.write import ReportPaths, write_report

#: The metrics tables the report reads back instead of recomputing them.
STORED_METRICS = ("recurrences", "fix_status", "interruptions", "oncall_weekly")


@dataclass(frozen=True)
class AnalysisOutputs:
    """Where ``analyze`` published its results, and the summary it wrote."""

    directory: Path
    files: list[Path]
    summary: dict[str, Any]


def analyze(lake: Lake, config: Config) -> AnalysisOutputs:
    """Analyse the whole lake and publish ``<lake>/analysis/`` as one set."""
    results = analysis_results(
        lake.read(Alerts.table),
        lake.read(Incidents.table),
        lake.read(Notifications.table),
        thresholds=config.noise,
        settings=config.metrics,
    )
    store = AnalysisStore(lake)
    files = store.publish(results.tables, results.summary)
    return AnalysisOutputs(store.current, files, results.summary)


def review_inputs(lake: Lake, config: Config) -> ReviewInputs:
    """The lake's tables and the outputs ``alertlens analyze`` stored (the noise analysis is
    run here, with the configured thresholds, when they are missing)."""
    if not lake.root.is_dir():
        raise FileNotFoundError(f"{lake.root}: no such lake (run `alertlens ingest` first)")
    alerts, incidents = lake.read(Alerts.table), lake.read(Incidents.table)
    if alerts.empty and incidents.empty:
        raise ReviewError(f"{lake.root}: the lake has no alerts or incidents to report on")
    notifications = lake.read(Notifications.table)
    store = AnalysisStore(lake)
    notes: list[str] = []
    if store.has(Scored.file, Rules.file, WHATIF_FILE):
        scored, rules = store.table(Scored.file), store.table(Rules.file)
        whatif = store.table(WHATIF_FILE)
    else:
        noise = analysis_results(
            alerts,
            incidents,
            notifications,
            thresholds=config.noise,
            settings=config.metrics,
        ).noise
        scored, rules, whatif = noise.alerts_scored, noise.rules, noise.whatif
        notes.append(
            f"No analysis outputs in {store.current}: the noise analysis was run for this "
            "report (run `alertlens analyze` to keep them)."
        )
    stored = None
    if store.has(Summary.file, *STORED_METRICS):
        stored = MetricsAnalysis({n: store.table(n) for n in STORED_METRICS}, store.summary())
    return ReviewInputs(
        alerts=alerts,
        incidents=incidents,
        notifications=notifications,
        manifest=lake.read(Manifest.table),
        quarantine=lake.read(Quarantine.table),
        scored=scored,
        rules=rules,
        whatif=whatif,
        metrics=stored,
        notes=tuple(notes),
    )


def weekly_report(
    lake: Lake, config: Config, week: str | None = None, *, now: datetime | None = None
) -> Report:
    """The weekly review of ``week`` (default: the last complete week) as the report model."""
    settings, metrics = config.report, config.metrics
    figures = review_figures(
        review_inputs(lake, config),
        week=week,
        settings=metrics,
        trend_weeks=settings.trend_weeks,
        spread_weeks=settings.spread_weeks,
    )
    return report_model(
        figures,
        generated_at=now or datetime.now(UTC),
        title=settings.title,
        budget=metrics.sre_budget,
        shift_hours=metrics.shift_hours,
    )


def report(
    lake_root: Path,
    out_dir: Path,
    config: Config,
    week: str | None = None,
    *,
    pdf: bool | None = None,
    paper: str | None = None,
    now: datetime | None = None,
) -> ReportPaths:
    """Review ``week`` of the lake at ``lake_root`` and write it under ``out_dir/<today>/``
    (report.html, report.pdf unless ``pdf`` is False), refreshing the index and ``latest``."""
    settings = config.report
    paper = paper or settings.paper
    if paper not in PAPERS:
        raise ReviewError(f"unknown paper {paper!r}; choose one of {', '.join(PAPERS)}")
    now = now or datetime.now(UTC)
    model = weekly_report(Lake(lake_root), config, week, now=now)
    html = render_html(model, paper=paper)
    document = render_pdf(html, paper=paper) if (settings.pdf if pdf is None else pdf) else None
    return write_report(
        out_dir, html, document, run_date=now.date(), week=model.week, generated_at=now
    )


__all__ = [
    "AnalysisOutputs",
    "analyze",
    "report",
    "review_inputs",
    "weekly_report",
]
