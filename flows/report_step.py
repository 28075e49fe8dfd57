"""The report step (engine-free): lake tables and analysis outputs in, the weekly review's HTML
and PDF written to a dated folder out.

This module is the one adapter from analysis results to ``reports.model``: it loads the lake and
``<lake>/analysis/``, calls the analysis functions for the chosen week, shapes their results
into the model, and hands that to the renderer and the writer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.frequency import paged_alerts
from analysis.metrics import MetricsSettings, incident_metrics
from analysis.noise import NoiseThresholds, noise_analysis
from analysis.oncall import BUSINESS, OFF_HOURS, SLEEP
from analysis.overview import noise_share_by_week, weeks_observed
from analysis.population import RECURRENCE_KEY, WEEK, incident_population, iso_week
from analysis.response import UNKNOWN_GROUP, response_durations
from analysis.review import weekly_review
from analysis.trends import BETTER, WORSE
from analysis.whatif import ALL, whatif_by_team
from flows.config import Config
from ingest.lake import Lake
from ingest.schema import (
    ANALYSIS_DIR,
    WHATIF_FILE,
    Alerts,
    Incidents,
    Manifest,
    Notifications,
    Quarantine,
    Rules,
    Scored,
)
from ingest.settings_table import settings_from_table
from reports import model as m
from reports.charts import team_colors
from reports.html import render_html
from reports.model import Headline, Report, Unit
from reports.pdf import PAPERS, render_pdf
from reports.write import ReportPaths, write_report

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

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


class ReportError(ValueError):
    """The report cannot be made from what is in the lake (empty lake, bad week)."""


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


def week_start(week: str) -> date:
    """The Monday of ISO week ``week`` ("2026-W47"); ReportError when it is no such week."""
    match = _WEEK.match(week)
    if not match:
        raise ReportError(f"week must look like 2026-W47, got {week!r}")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as err:
        raise ReportError(f"{week} is not an ISO week ({err})") from err


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
    metrics = incident_metrics(
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


def trend_evidence(result: Mapping[str, Any]) -> str:
    """The trend test behind a verdict, in words."""
    verdict, n = result.get("verdict"), result.get("n", 0)
    if result.get("p_value") is None:
        return f"{verdict or 'no trend test'} ({n} weeks)"
    return (
        f"{verdict}: Theil–Sen {result['slope_per_week']:+.3g}/week, "
        f"Mann–Kendall p={result['p_value']:.3f}, {n} weeks"
    )


def week_incidents(
    records: list[dict[str, Any]], incidents: pd.DataFrame
) -> tuple[m.WeekIncident, ...]:
    """The review's incidents of the week, with status and major flag from the lake."""
    extra = incidents.set_index([Incidents.source, Incidents.incident_id])
    rows = []
    for r in sorted(records, key=lambda r: r[Incidents.created_at]):
        key = (r[Incidents.source], r[Incidents.incident_id])
        found = extra.loc[key] if key in extra.index else None
        status = "" if found is None else _text(found[Incidents.status])
        major = False if found is None else bool(_value(found[Incidents.major]) or False)
        rows.append(
            m.WeekIncident(
                _text(r[Incidents.incident_id]),
                _text(r[Incidents.title]),
                _text(r[Incidents.service]),
                _text(r[Incidents.team]),
                _text(r[Incidents.severity]),
                pd.Timestamp(r[Incidents.created_at]).to_pydatetime(),
                _value(r.get("mtta_seconds")),
                _value(r.get("mttr_seconds")),
                status,
                major,
            )
        )
    return tuple(rows)


def noise_audit(scored: pd.DataFrame, rules: pd.DataFrame, whatif: pd.DataFrame) -> m.NoiseAudit:
    """Noisy rules with their noise pages (Pareto order), reasons and fixes, and the what-if."""
    noise_paged = scored[Scored.is_noise].astype(bool) & scored[Alerts.paged].fillna(False).astype(
        bool
    )
    noise_pages = noise_paged.groupby(scored[Alerts.rule_key]).sum()
    noisy = rules[rules[Rules.is_noisy].astype(bool)]
    shaped = [
        m.NoisyRule(
            rule_key=_text(r[Rules.rule_key]),
            title=_text(r[Rules.title_template]),
            team=_text(r[Rules.team]),
            service=_text(r[Rules.service]),
            source=_text(r[Rules.source]),
            firings=int(r[Rules.firings]),
            pages=int(r[Rules.pages]),
            noise_share=float(r[Rules.noise_share]),
            noise_pages=int(noise_pages.get(r[Rules.rule_key], 0)),
            reasons=tuple(
                str(x) for x in (r[Rules.reasons] if r[Rules.reasons] is not None else ())
            ),
            recommendation=_text(r[Rules.recommendation]),
            recommendation_kind=_text(r[Rules.recommendation_kind]),
            family=_text(r[Rules.family]),
        )
        for r in noisy.to_dict("records")
    ]
    shaped.sort(key=lambda r: (-r.noise_pages, -r.firings, r.rule_key))
    created = scored[Alerts.created_at]
    window = f"{created.min():%Y-%m-%d} to {created.max():%Y-%m-%d}" if len(created) else ""
    projections = tuple(
        m.TeamProjection(
            _text(w["team"]),
            float(w["pages_per_week"]),
            float(w["projected_pages_per_week_after_fixes"]),
            float(w["incidents_per_week"]),
            float(w["projected_incidents_per_week_after_fixes"]),
        )
        for w in whatif.to_dict("records")
    )
    return m.NoiseAudit(
        rules=tuple(shaped),
        projections=projections,
        noise_share=float(scored[Scored.is_noise].astype(bool).mean()) if len(scored) else None,
        rules_total=len(rules),
        noise_pages_total=int(noise_paged.sum()),
        window=window,
    )


def response(
    population: pd.DataFrame, week: str, mode: str, *, trend_weeks: int, spread_weeks: int
) -> m.Response:
    """Response times of the week by team, service and severity, spreads over the last
    ``spread_weeks`` and weekly medians per team over the last ``trend_weeks``."""
    times = pd.concat([population, response_durations(population, mode=mode)], axis=1)
    times = times[times[Incidents.merged_into].isna()]
    weeks = _weeks_up_to(week, max(trend_weeks, spread_weeks))
    this = times[times[WEEK] == week]
    pooled = times[times[WEEK].isin(weeks[-spread_weeks:])]
    team = pooled[Incidents.team].fillna(UNKNOWN_GROUP)
    trend = times[times[WEEK].isin(weeks[-trend_weeks:])]
    medians = trend.groupby([trend[WEEK], trend[Incidents.team].fillna(UNKNOWN_GROUP)]).agg(
        mtta=("mtta_seconds", "median"), mttr=("mttr_seconds", "median"), n=(WEEK, "size")
    )
    return m.Response(
        by_team=_response_rows(this, Incidents.team),
        by_service=_response_rows(this, Incidents.service),
        by_severity=_response_rows(this, Incidents.severity),
        ack_spread=_spreads(pooled["mtta_seconds"], team),
        resolve_spread=_spreads(pooled["mttr_seconds"], team),
        trend=tuple(
            m.WeeklyPoint(week_start(w), str(t), _value(r["mtta"]), _value(r["mttr"]), int(r["n"]))
            for (w, t), r in medians.iterrows()
        ),
    )


def _response_rows(frame: pd.DataFrame, column: str) -> tuple[m.ResponseRow, ...]:
    groups = frame.groupby(frame[column].fillna(UNKNOWN_GROUP))
    rows = [
        m.ResponseRow(
            str(name), len(g), *_median_p90(g["mtta_seconds"]), *_median_p90(g["mttr_seconds"])
        )
        for name, g in groups
    ]
    return tuple(sorted(rows, key=lambda r: (-r.incidents, r.group)))


def _median_p90(seconds: pd.Series) -> tuple[float | None, float | None]:
    values = seconds.dropna()
    if values.empty:
        return None, None
    return float(values.median()), float(values.quantile(0.9))


def _spreads(seconds: pd.Series, groups: pd.Series) -> tuple[m.Spread, ...]:
    out = []
    for name, values in seconds.groupby(groups):
        v = values.dropna()
        if len(v):
            q = v.quantile([0.1, 0.25, 0.5, 0.75, 0.9]).to_numpy(dtype=float)
            out.append(m.Spread(str(name), len(v), *map(float, q)))
    return tuple(out)


def _weeks_up_to(week: str, count: int) -> list[str]:
    monday = pd.Timestamp(week_start(week), tz="UTC")
    mondays = pd.Series([monday - pd.Timedelta(weeks=k) for k in range(count - 1, -1, -1)])
    return list(iso_week(mondays))


def recurrences(tables: Mapping[str, pd.DataFrame], week: str) -> tuple[m.Recurrence, ...]:
    """Keys that repeated, with repeats this week and whether the fix held, worst first."""
    recurring = tables["recurrences"]
    repeats = recurring[recurring["is_repeat"].astype(bool)]
    if repeats.empty:
        return ()
    fix = tables["fix_status"].set_index(RECURRENCE_KEY)["status"]
    rows = []
    for key, group in repeats.groupby(RECURRENCE_KEY):
        status = fix.get(key)
        held = None if status is None else status == "held"
        last = group.iloc[-1]
        rows.append(
            m.Recurrence(
                key=_text(last[Incidents.title]) or str(key),
                service=_text(last[Incidents.service]),
                team=_text(last[Incidents.team]),
                occurrences=len(group),
                this_week=int((group[WEEK] == week).sum()),
                last_seen=pd.Timestamp(group[Incidents.created_at].max()).to_pydatetime(),
                fix_held=held,
                detail="repeats only recently: too early to judge a fix" if held is None else "",
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.this_week, -r.occurrences, r.key)))


def oncall(
    interrupts: pd.DataFrame,
    weekly: pd.DataFrame,
    incidents: pd.DataFrame,
    alerts: pd.DataFrame,
    week: str,
    settings: MetricsSettings,
) -> m.OnCallLoad:
    """Interruptions per responder in ``week`` and pages by hour of week (UTC)."""
    team_of_target = pd.concat(
        [
            incidents.set_index(Incidents.incident_id)[Incidents.team],
            alerts.set_index(Alerts.alert_id)[Alerts.team],
        ]
    ).dropna()
    team_of_target = team_of_target[~team_of_target.index.duplicated()]
    this = interrupts[interrupts["week"] == week]
    teams = this["target"].map(team_of_target).fillna(UNKNOWN_GROUP)
    team_of_user = teams.groupby(this["user"]).agg(lambda t: t.mode().iloc[0])
    responders = tuple(
        m.ResponderLoad(
            str(r["user"]),
            str(team_of_user.get(r["user"], UNKNOWN_GROUP)),
            int(r[BUSINESS]),
            int(r[OFF_HOURS]),
            int(r[SLEEP]),
            int(r["shifts_over_budget"]),
        )
        for r in weekly[weekly["week"] == week].to_dict("records")
    )
    pages = paged_alerts(alerts)
    at = pages.loc[pages[WEEK] == week, Alerts.created_at]
    counts = pd.crosstab(at.dt.day_of_week, at.dt.hour).reindex(
        index=range(7), columns=range(24), fill_value=0
    )
    return m.OnCallLoad(
        responders=tuple(sorted(responders, key=lambda r: (-r.total, r.responder))),
        hour_of_week=tuple(tuple(int(v) for v in row) for row in counts.to_numpy()),
        budget=settings.sre_budget,
        shift_hours=settings.shift_hours,
        timezone="UTC",
    )


def maturity(result: Mapping[str, Any] | None) -> m.Maturity | None:
    """The maturity level and each criterion's evidence, from the metrics summary."""
    if not result:
        return None
    criteria = tuple(
        m.Criterion(
            name=str(c["name"]).capitalize(),
            level=int(c["level"]),
            status=str(c["status"]),
            evidence=f"{_criterion_value(c)} (needs {c['threshold']}); {c['detail']}",
        )
        for c in result["criteria"]
    )
    blocked = tuple(str(b) for b in result.get("next_level_blocked_by", ()))
    return m.Maturity(int(result["level"]), str(result["name"]).capitalize(), 4, criteria, blocked)


def _criterion_value(c: Mapping[str, Any]) -> str:
    value = c.get("value")
    if value is None:
        return "unknown"
    if "MTTA" in str(c["threshold"]):
        return f"{float(value) / 60:.1f} min"
    if "%" in str(c["threshold"]):
        return f"{float(value) * 100:.1f} %"
    return f"{float(value):+.3g}/week"


def data_quality(manifest: pd.DataFrame, quarantine: pd.DataFrame) -> m.DataQuality:
    """Records read, accepted, quarantined and deduplicated per source, and why quarantined."""
    source = manifest[Manifest.source].fillna(UNKNOWN_GROUP)
    sums = manifest.groupby(source).agg(
        files=(Manifest.file_sha256, "nunique"),
        read=(Manifest.read, "sum"),
        accepted=(Manifest.accepted, "sum"),
        quarantined=(Manifest.quarantined, "sum"),
        deduplicated=(Manifest.deduplicated, "sum"),
    )
    sources = tuple(m.SourceQuality(str(s), *(int(v) for v in r)) for s, r in sums.iterrows())
    q_source = quarantine[Quarantine.source].fillna(UNKNOWN_GROUP)
    reasons = []
    for (s, reason), g in quarantine.groupby([q_source, quarantine[Quarantine.reason]]):
        first = g.iloc[0]
        reasons.append(
            m.QuarantineReason(
                str(s),
                str(reason),
                len(g),
                f"{Path(str(first[Quarantine.file])).name}: {first[Quarantine.locator]}",
            )
        )
    reasons.sort(key=lambda q: (-q.records, q.source, q.reason))
    return m.DataQuality(sources, tuple(reasons))


def _value(x: object) -> Any:
    return None if x is None or (not isinstance(x, str | list | tuple) and pd.isna(x)) else x


def _text(x: object) -> str:
    v = _value(x)
    return "" if v is None else str(v)
