"""Engine-free pipeline steps: load -> compute -> render -> write. The CLI calls them directly
(fast, no Prefect start-up); the Prefect flows in flows/nightly.py wrap the same functions as
tasks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from alertlens.analysis.calendar import ReviewError
from alertlens.analysis.frames import COLUMNS, Frames
from alertlens.analysis.pipeline import (
    MetricsAnalysis,
    ResponseEngine,
    analysis_results,
    local_response,
)
from alertlens.analysis.review import ReviewInputs, ReviewRequest, review_figures, stored_noise
from alertlens.flows.config import Config, ConfigError
from alertlens.ingest.lake import Lake, LakeNotFoundError
from alertlens.ingest.outputs import AnalysisStore
from alertlens.ingest.schema import (
    CORRELATION_FILE,
    Alerts,
    Incidents,
    Manifest,
    Notifications,
    Quarantine,
    Rules,
    Scored,
    Summary,
    SummaryJson,
)
from alertlens.reports.html import render_html
from alertlens.reports.model import Report
from alertlens.reports.pdf import PAPERS, render_pdf
from alertlens.reports.sections import report_model
from alertlens.reports.tables import report_tables
from alertlens.reports.write import ReportPaths, ReviewFiles, csv_links, write_report

#: The clock the default review week is judged by, for reproducible runs and tests
#: (an ISO timestamp; default: the system clock).
NOW_ENV = "ALERTLENS_NOW"


@dataclass(frozen=True)
class AnalysisOutputs:
    """Where ``analyze`` published its results, and the summary it wrote; and, for a review in
    the same process, the records it analysed and the organisation's metrics it computed."""

    directory: Path
    files: list[Path]
    summary: SummaryJson
    frames: Frames | None = field(default=None, repr=False, compare=False)
    metrics: MetricsAnalysis | None = field(default=None, repr=False, compare=False)


def clock(now: datetime | None = None, env: Mapping[str, str] | None = None) -> datetime:
    """``now``, else ``$ALERTLENS_NOW``, else the system clock (aware UTC)."""
    if now is not None:
        return now
    text = (os.environ if env is None else env).get(NOW_ENV)
    if text:
        try:
            stamp = pd.Timestamp(text)
        except ValueError as err:
            raise ConfigError(f"${NOW_ENV}: not a timestamp: {text!r}") from err
        return (stamp if stamp.tzinfo else stamp.tz_localize("UTC")).to_pydatetime()
    return datetime.now(UTC)


def lake_frames(lake: Lake) -> Frames:
    """The lake's alerts, incidents and notifications; LakeNotFoundError for a missing lake,
    ReviewError for one without alerts or incidents."""
    if not lake.exists:
        raise LakeNotFoundError(f"{lake.root}: no such lake (run `alertlens ingest` first)")
    frames = Frames(*(lake.read(table, columns=COLUMNS[table])
                      for table in (Alerts.table, Incidents.table, Notifications.table)))
    if frames.empty:
        raise ReviewError(f"{lake.root}: the lake has no alerts or incidents to analyse")
    return frames


def analyze(lake: Lake, config: Config, *, now: datetime | None = None,
            response_engine: ResponseEngine = local_response) -> AnalysisOutputs:
    """Analyse the counted weeks of the lake and publish ``<lake>/analysis/`` as one set (the
    response metrics by ``response_engine``: here, or per team on Dask, flows/dask_analyze.py)."""
    frames = lake_frames(lake)
    results = analysis_results(
        frames,
        now=pd.Timestamp(clock(now)),
        thresholds=config.noise,
        settings=config.metrics,
        response_engine=response_engine,
    )
    store = AnalysisStore(lake)
    files = store.publish(results.tables, dict(results.summary))
    return AnalysisOutputs(store.current, files, results.summary, frames, results.metrics)


def review_inputs(lake: Lake, config: Config,
                  analysed: AnalysisOutputs | None = None) -> ReviewInputs:
    """The lake's tables and the noise outputs ``alertlens analyze`` stored (a review runs the
    noise analysis itself when they are missing or cover other weeks). With ``analysed`` (the
    ``analyze`` of this process that just published them) its records and metrics instead of
    reading and computing them again: the review shows the same snapshot the analysis does."""
    same = analysed.frames if analysed is not None else None
    frames = same if same is not None else lake_frames(lake)
    store = AnalysisStore(lake)
    notes: list[str] = []
    stored = None
    if store.has(Scored.file, Rules.file, CORRELATION_FILE, Summary.file):
        summary = store.summary()
        ratio = summary.get(Summary.compression_ratio)
        stored = stored_noise(store.table(Scored.file), store.table(Rules.file),
                              store.table(CORRELATION_FILE),
                              None if ratio is None else float(ratio),
                              summary.get(Summary.last_week))
    else:
        notes.append(f"No analysis outputs in {store.current}: the noise analysis was run for "
                     "this report (run `alertlens analyze` to keep them).")
    return ReviewInputs(
        frames=frames,
        manifest=lake.read(Manifest.table),
        quarantine=lake.read(Quarantine.table),
        stored=stored,
        thresholds=config.noise,
        notes=tuple(notes),
        analysed=analysed.metrics if analysed is not None and same is not None else None,
    )


def review(lake: Lake, config: Config, request: ReviewRequest | None = None, *,
           now: datetime | None = None, inputs: ReviewInputs | None = None) -> Report:
    """The review asked for (default: the organisation's newest ended week with data) as the
    report model."""
    settings, metrics = config.report, config.metrics
    moment = clock(now)
    figures = review_figures(
        inputs or review_inputs(lake, config),
        request or ReviewRequest(),
        settings=metrics,
        now=pd.Timestamp(moment),
        spread_weeks=settings.spread_weeks,
    )
    return report_model(
        figures,
        generated_at=moment,
        title=settings.title,
        budget=metrics.sre_budget,
        shift_hours=metrics.shift_hours,
        burnout_weeks=metrics.burnout_weeks,
        alpha=metrics.alpha,
        min_weeks=metrics.trend_min_weeks,
    )


def weekly_report(lake: Lake, config: Config, week: str | None = None, *,
                  now: datetime | None = None, team: str | None = None) -> Report:
    """The weekly review of ``week`` (default: the newest ended week with data)."""
    return review(lake, config, ReviewRequest(week=week, team=team), now=now)


def report(
    lake_root: Path,
    out_dir: Path,
    config: Config,
    week: str | ReviewRequest | None = None,
    *,
    pdf: bool | None = None,
    paper: str | None = None,
    now: datetime | None = None,
    analysed: AnalysisOutputs | None = None,
) -> ReportPaths:
    """Render the review asked for (a week label or a ``ReviewRequest``) and file it under
    ``out_dir`` by scope and period, with its CSV tables; refresh the index and ``latest``
    (``analysed``: see ``review_inputs``)."""
    return reports(lake_root, out_dir, config,
                   week if isinstance(week, ReviewRequest) else ReviewRequest(week=week),
                   pdf=pdf, paper=paper, now=now, analysed=analysed)[0]


def reports(
    lake_root: Path,
    out_dir: Path,
    config: Config,
    request: ReviewRequest,
    *,
    teams: tuple[str, ...] = (),
    each_team: bool = False,
    pdf: bool | None = None,
    paper: str | None = None,
    now: datetime | None = None,
    analysed: AnalysisOutputs | None = None,
) -> list[ReportPaths]:
    """The review of ``request``, or one review per team of ``teams`` (every team with
    ``each_team``, after the organisation's), each filed in its own folder."""
    settings = config.report
    paper = paper or settings.paper
    if paper not in PAPERS:
        raise ReviewError(f"unknown paper {paper!r}; choose one of {', '.join(PAPERS)}")
    with_pdf = settings.pdf if pdf is None else pdf
    moment = clock(now)
    lake = Lake(lake_root)
    inputs = review_inputs(lake, config, analysed)
    scopes: list[str | None] = list(teams) or [request.team]
    if each_team:
        scopes = [None, *inputs.frames.teams()]
    written = []
    for team in scopes:
        model = review(lake, config, replace(request, team=team), now=moment, inputs=inputs)
        tables = report_tables(model)
        html = render_html(model, paper=paper, csv_files=csv_links(tables))
        written.append(write_report(out_dir, ReviewFiles(
            label=model.label, week=model.label if model.is_week else None, start=model.start,
            end=model.end, team=model.team, generated_at=moment, html=html,
            pdf=render_pdf(html, paper=paper) if with_pdf else None, tables=tables,
        )))
    return written


__all__ = [
    "NOW_ENV",
    "AnalysisOutputs",
    "analyze",
    "clock",
    "lake_frames",
    "report",
    "reports",
    "review",
    "review_inputs",
    "weekly_report",
]
