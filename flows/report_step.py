"""The report step (engine-free): lake tables and analysis outputs in, the weekly review's HTML
and PDF written to a dated folder out.

This module is the one adapter from analysis results to ``reports.model``: it loads the lake and
``<lake>/analysis/``, calls the analysis functions for the chosen week, shapes their results
into the model, and hands that to the renderer and the writer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from alertlens.analysis.metrics import MetricsAnalysis, MetricsSettings, incident_metrics
from alertlens.analysis.noise import NoiseThresholds, noise_analysis
from alertlens.analysis.overview import noise_share_by_week, weeks_observed
from alertlens.analysis.population import WEEK, incident_population, iso_week
from alertlens.analysis.review import weekly_review
from alertlens.analysis.trends import BETTER, WORSE
from alertlens.analysis.whatif import ALL, whatif_by_team
from alertlens.flows.config import Config
from alertlens.flows.report_sections import (
    ReportError,
    data_quality,
    maturity,
    noise_audit,
    oncall,
    recurrences,
    response,
    trend_evidence,
    week_incidents,
    week_start,
)
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import (
    ANALYSIS_DIR,
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
from alertlens.ingest.settings_table import settings_from_table
from alertlens.reports.charts import team_colors
from alertlens.reports.html import render_html
from alertlens.reports.model import Headline, Report, Unit
from alertlens.reports.pdf import PAPERS, render_pdf
from alertlens.reports.write import ReportPaths, write_report

#: Headline figures in display order: review key -> (label, unit).
HEADLINES: dict[str, tuple[str, Unit]] = {
    "incidents": ("Incidents", "count"),
    "pages": ("Pages", "count"),
    "noise_share": ("Noise share", "share"),
    "mtta_median": ("MTTA median", "seconds"),
    "mtta_p90": ("MTTA p90", "seconds"),
    "mttr_median": ("MTTR median", "seconds"),
    "mttr_p90": ("MTTR p90", "seconds"),
    "interruptions": ("Interruptions", "count"),
    "sleep_interruptions": ("Sleep-hours interruptions", "count"),
}


@dataclass(frozen=True)
class ReportSettings:
    """The ``[report]`` table. Defaults are documented in docs/config.md."""

    paper: str = "a4"  # "a4" or "letter"
    pdf: bool = True  # also write report.pdf
    title: str = "Weekly operational review"
    top_rules: int = 15  # noisy rules shown in the Pareto chart
    trend_weeks: int = 12  # weeks shown in the response trend lines
    spread_weeks: int = 4  # weeks pooled for the response-time box plots

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ReportError(f"[report] paper must be one of {PAPERS}, got {self.paper!r}")
        for name in ("top_rules", "trend_weeks", "spread_weeks"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ReportError(f"[report] {name} must be a positive integer")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ReportSettings:
        """Settings from the ``[report]`` table; unknown keys are refused by name."""
        try:
            return settings_from_table(cls, data, "report")
        except ValueError as err:
            raise ReportError(str(err)) from err


@dataclass(frozen=True)
class Inputs:
    """What the report is made from: the lake's tables and the noise analysis outputs."""

    alerts: pd.DataFrame
    incidents: pd.DataFrame
    notifications: pd.DataFrame
    manifest: pd.DataFrame
    quarantine: pd.DataFrame
    scored: pd.DataFrame
    rules: pd.DataFrame
    whatif: pd.DataFrame
    notes: tuple[str, ...] = ()
    metrics: MetricsAnalysis | None = None  # as `alertlens analyze` wrote it, when it did


#: The metrics tables the report reads back from <lake>/analysis/ instead of recomputing them.
STORED_METRICS = ("recurrences", "fix_status", "interruptions", "oncall_weekly")


def stored_metrics(folder: Path) -> MetricsAnalysis | None:
    """The metrics tables and summary ``alertlens analyze`` wrote, or None when any is missing."""
    paths = [folder / f"{name}.parquet" for name in STORED_METRICS]
    summary = folder / Summary.file
    if not summary.is_file() or not all(p.is_file() for p in paths):
        return None
    tables = {name: pd.read_parquet(p) for name, p in zip(STORED_METRICS, paths, strict=True)}
    return MetricsAnalysis(tables=tables, summary=json.loads(summary.read_text()))


def last_complete_week(latest: pd.Timestamp) -> str:
    """The last complete ISO week of data whose newest record is ``latest``: its own week when
    it falls on that week's Sunday (the day is covered), else the week before."""
    day = latest.tz_convert("UTC")
    if day.isoweekday() != 7:
        day = day - pd.Timedelta(days=7)
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def load_inputs(lake: Lake, config: Config) -> Inputs:
    """The lake's tables plus the noise outputs of ``<lake>/analysis/`` (computed here, with the
    configured thresholds, when ``alertlens analyze`` has not written them)."""
    if not lake.root.is_dir():
        raise FileNotFoundError(f"{lake.root}: no such lake (run `alertlens ingest` first)")
    tables = {
        t: lake.read(t)
        for t in (
            Alerts.table,
            Incidents.table,
            Notifications.table,
            Manifest.table,
            Quarantine.table,
        )
    }
    alerts, incidents = tables[Alerts.table], tables[Incidents.table]
    if alerts.empty and incidents.empty:
        raise ReportError(f"{lake.root}: the lake has no alerts or incidents to report on")
    folder = lake.root / ANALYSIS_DIR
    notes: list[str] = []
    if (folder / Scored.file).is_file() and (folder / Rules.file).is_file():
        scored = pd.read_parquet(folder / Scored.file)
        rules = pd.read_parquet(folder / Rules.file)
        whatif_file = folder / WHATIF_FILE
        whatif = (
            pd.read_parquet(whatif_file)
            if whatif_file.is_file()
            else whatif_by_team(scored, incidents, weeks_observed(incidents, alerts))
        )
    else:
        noise = noise_analysis(
            alerts,
            tables[Notifications.table],
            incidents,
            thresholds=NoiseThresholds.from_mapping(config.section("noise")),
            weeks=weeks_observed(incidents, alerts) or None,
        )
        scored, rules, whatif = noise.alerts_scored, noise.rules, noise.whatif
        notes.append(
            f"No analysis outputs in {folder}: the noise analysis was run for this "
            "report (run `alertlens analyze` to keep them)."
        )
    return Inputs(
        alerts,
        incidents,
        tables[Notifications.table],
        tables[Manifest.table],
        tables[Quarantine.table],
        scored,
        rules,
        whatif,
        tuple(notes),
        stored_metrics(folder),
    )


def build_report(
    inputs: Inputs, config: Config, *, week: str | None = None, now: datetime | None = None
) -> Report:
    """The weekly review of ``week`` (default: the last complete week in the data)."""
    settings = ReportSettings.from_mapping(config.section("report"))
    metrics_settings = MetricsSettings.from_mapping(
        config.section("metrics"), config.section("responders")
    )
    latest = pd.concat(
        [inputs.alerts[Alerts.created_at], inputs.incidents[Incidents.created_at]]
    ).max()
    week = week or last_complete_week(latest)
    start = week_start(week)
    noise_by_week = noise_share_by_week(inputs.scored)
    review = weekly_review(
        inputs.incidents,
        inputs.alerts,
        inputs.notifications,
        week=week,
        settings=metrics_settings,
        noise_share_by_week=noise_by_week,
        rules=inputs.rules,
    )
    population = incident_population(inputs.incidents, inputs.alerts)
    metrics = inputs.metrics or incident_metrics(
        inputs.incidents,
        inputs.alerts,
        inputs.notifications,
        settings=metrics_settings,
        noise_share_by_week=noise_by_week,
    )
    colors = team_colors(_teams(inputs))
    notes = list(inputs.notes)
    if week not in set(population[WEEK].dropna()) | set(iso_week(inputs.alerts[Alerts.created_at])):
        notes.append(f"The lake has no incidents or alerts in {week}.")
    return Report(
        week=week,
        week_start=start,
        week_end=date.fromordinal(start.toordinal() + 6),
        generated_at=now or datetime.now(UTC),
        headline=tuple(
            _headline(key, review["headlines"][key])
            for key in HEADLINES
            if key in review["headlines"]
        ),
        incidents=week_incidents(review["incidents"], inputs.incidents),
        noise=noise_audit(inputs.scored, inputs.rules, inputs.whatif[inputs.whatif["team"] != ALL]),
        response=response(
            population,
            week,
            metrics_settings.mode,
            trend_weeks=settings.trend_weeks,
            spread_weeks=settings.spread_weeks,
        ),
        recurrences=recurrences(metrics.tables, week),
        oncall=oncall(
            metrics.tables["interruptions"],
            metrics.tables["oncall_weekly"],
            inputs.incidents,
            inputs.alerts,
            week,
            metrics_settings,
        ),
        maturity=maturity(metrics.summary.get("maturity")),
        quality=data_quality(inputs.manifest, inputs.quarantine),
        team_colors=colors,
        title=settings.title,
        notes=tuple(notes),
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
    """Build the review of ``week`` from the lake at ``lake_root`` and write it under
    ``out_dir/<today>/`` (report.html, report.pdf unless ``pdf`` is False), refreshing
    ``out_dir/index.html`` and ``out_dir/latest``."""
    settings = ReportSettings.from_mapping(config.section("report"))
    paper = paper or settings.paper
    if paper not in PAPERS:
        raise ReportError(f"unknown paper {paper!r}; choose one of {', '.join(PAPERS)}")
    now = now or datetime.now(UTC)
    model = build_report(load_inputs(Lake(lake_root), config), config, week=week, now=now)
    html = render_html(model, paper=paper)
    document = render_pdf(html, paper=paper) if (settings.pdf if pdf is None else pdf) else None
    return write_report(
        out_dir, html, document, run_date=now.date(), week=model.week, generated_at=now
    )


def _headline(key: str, figure: Mapping[str, Any]) -> Headline:
    label, unit = HEADLINES[key]
    result = figure.get("trend") or {}
    verdict = {BETTER: "better", WORSE: "worse"}.get(result.get("verdict"))
    return Headline(
        key,
        label,
        unit,
        figure.get("this_week"),
        figure.get("previous_week"),
        figure.get("four_week_average"),
        verdict,
        trend_evidence(result),
    )


def _teams(inputs: Inputs) -> list[str]:
    teams = pd.concat(
        [
            inputs.alerts[Alerts.team],
            inputs.incidents[Incidents.team],
            inputs.rules[Rules.team],
            inputs.whatif["team"],
        ]
    )
    return [str(t) for t in teams.dropna().unique() if str(t) != ALL]


# --- shaping analysis results into the model -----------------------------------------------
