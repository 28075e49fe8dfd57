"""The figures of the weekly review: every number the report shows for one week, computed from
the lake's tables and the stored analysis outputs. Each table's columns are named after the
fields of the report model they become (``reports/model.py``), so the report only shapes rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.frequency import paged_alerts
from alertlens.analysis.incidents.population import (
    RECURRENCE_KEY,
    WEEK,
    incident_population,
    iso_week,
)
from alertlens.analysis.noise.whatif import ALL, TEAM
from alertlens.analysis.oncall.load import BUSINESS, OFF_HOURS, SLEEP
from alertlens.analysis.pipeline import MetricsAnalysis, metrics_analysis
from alertlens.analysis.response.durations import UNKNOWN_GROUP, response_durations
from alertlens.analysis.review.week import (
    ReviewError,
    last_complete_week,
    week_start,
    weeks_up_to,
)
from alertlens.analysis.review.weekly import weekly_review
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.summary import noise_share_by_week
from alertlens.ingest.schema import Alerts, Incidents, Manifest, Quarantine, Rules, Scored

__all__ = ["ReviewFigures", "ReviewInputs", "review_figures"]

#: Quantiles of the response-time spreads, by model field.
SPREAD_QUANTILES = {"p10": 0.1, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p90": 0.9}


@dataclass(frozen=True)
class ReviewInputs:
    """What a review is made from: the lake's tables and what ``alertlens analyze`` stored."""

    alerts: pd.DataFrame
    incidents: pd.DataFrame
    notifications: pd.DataFrame
    manifest: pd.DataFrame
    quarantine: pd.DataFrame
    scored: pd.DataFrame
    rules: pd.DataFrame
    whatif: pd.DataFrame
    metrics: MetricsAnalysis | None = None  # the stored metrics tables, when analyze wrote them
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewFigures:
    """Every figure of one week's review, as tables named after the report model's fields."""

    week: str
    review: dict[str, Any]  # analysis.review.weekly.weekly_review
    incidents: pd.DataFrame
    noisy_rules: pd.DataFrame
    projections: pd.DataFrame
    noise_share: float | None
    rules_total: int
    noise_pages_total: int
    noise_window: str
    response_by: dict[str, pd.DataFrame]  # "team" / "service" / "severity" -> rows
    ack_spread: pd.DataFrame
    resolve_spread: pd.DataFrame
    response_trend: pd.DataFrame
    recurrences: pd.DataFrame
    responders: pd.DataFrame
    hour_of_week: np.ndarray  # 7 x 24 page counts, Monday first, UTC
    maturity: dict[str, Any] | None
    sources: pd.DataFrame
    quarantine_reasons: pd.DataFrame
    teams: list[str]
    notes: tuple[str, ...] = field(default_factory=tuple)


def review_figures(
    inputs: ReviewInputs,
    *,
    week: str | None,
    settings: MetricsSettings,
    trend_weeks: int,
    spread_weeks: int,
) -> ReviewFigures:
    """The figures of ``week`` (default: the last complete week in the data).

    Raises ReviewError when the lake holds neither alerts nor incidents.
    """
    if inputs.alerts.empty and inputs.incidents.empty:
        raise ReviewError("the lake has no alerts or incidents to report on")
    latest = pd.concat(
        [inputs.alerts[Alerts.created_at], inputs.incidents[Incidents.created_at]]
    ).max()
    week = week or last_complete_week(latest)
    week_start(week)  # a malformed week is a ReviewError before any work
    noise_by_week = noise_share_by_week(inputs.scored)
    review = weekly_review(
        inputs.incidents,
        inputs.alerts,
        inputs.notifications,
        week=week,
        settings=settings,
        noise_share_by_week=noise_by_week,
        rules=inputs.rules,
    )
    population = incident_population(inputs.incidents, inputs.alerts)
    metrics = inputs.metrics or metrics_analysis(
        inputs.incidents,
        inputs.alerts,
        inputs.notifications,
        settings=settings,
        noise_share_by_week=noise_by_week,
    )
    notes = list(inputs.notes)
    seen = set(population[WEEK].dropna()) | set(iso_week(inputs.alerts[Alerts.created_at]))
    if week not in seen:
        notes.append(f"The lake has no incidents or alerts in {week}.")
    durations = pd.concat([population, response_durations(population, mode=settings.mode)], axis=1)
    durations = durations[durations[Incidents.merged_into].isna()]
    this = durations[durations[WEEK] == week]
    pooled = durations[durations[WEEK].isin(weeks_up_to(week, spread_weeks))]
    team = pooled[Incidents.team].fillna(UNKNOWN_GROUP)
    noisy, noise_pages = noisy_rules(inputs.scored, inputs.rules)
    created = inputs.scored[Alerts.created_at]
    responders, hours = oncall_figures(
        metrics.tables["interruptions"],
        metrics.tables["oncall_weekly"],
        inputs.incidents,
        inputs.alerts,
        week,
    )
    sources, reasons = data_quality(inputs.manifest, inputs.quarantine)
    return ReviewFigures(
        week=week,
        review=review,
        incidents=week_incidents(review["incidents"], inputs.incidents),
        noisy_rules=noisy,
        projections=inputs.whatif[inputs.whatif[TEAM] != ALL].reset_index(drop=True),
        noise_share=(
            float(inputs.scored[Scored.is_noise].astype(bool).mean())
            if len(inputs.scored)
            else None
        ),
        rules_total=len(inputs.rules),
        noise_pages_total=noise_pages,
        noise_window=f"{created.min():%Y-%m-%d} to {created.max():%Y-%m-%d}"
        if len(created)
        else "",
        response_by={
            name: response_rows(this, column)
            for name, column in (
                ("team", Incidents.team),
                ("service", Incidents.service),
                ("severity", Incidents.severity),
            )
        },
        ack_spread=spreads(pooled["mtta_seconds"], team),
        resolve_spread=spreads(pooled["mttr_seconds"], team),
        response_trend=weekly_medians(durations, weeks_up_to(week, trend_weeks)),
        recurrences=recurrence_rows(metrics.tables, week),
        responders=responders,
        hour_of_week=hours,
        maturity=metrics.summary.get("maturity"),
        sources=sources,
        quarantine_reasons=reasons,
        teams=_teams(inputs),
        notes=tuple(notes),
    )


def week_incidents(records: list[dict[str, Any]], incidents: pd.DataFrame) -> pd.DataFrame:
    """The review's incidents of the week, oldest first, with status and major flag from the
    lake: incident_id, title, service, team, severity, created_at, time_to_ack,
    time_to_resolve, status, major."""
    columns = [
        "incident_id",
        "title",
        "service",
        "team",
        "severity",
        "created_at",
        "time_to_ack",
        "time_to_resolve",
        "status",
        "major",
    ]
    if not records:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(records)
    frame[Incidents.created_at] = pd.to_datetime(
        frame[Incidents.created_at], utc=True, format="ISO8601"
    )
    extra = incidents[[Incidents.source, Incidents.incident_id, Incidents.status, Incidents.major]]
    extra = extra.drop_duplicates([Incidents.source, Incidents.incident_id])
    frame = frame.merge(extra, on=[Incidents.source, Incidents.incident_id], how="left")
    frame = frame.sort_values(Incidents.created_at, kind="mergesort")
    return pd.DataFrame(
        {
            "incident_id": frame[Incidents.incident_id],
            "title": frame[Incidents.title],
            "service": frame[Incidents.service],
            "team": frame[Incidents.team],
            "severity": frame[Incidents.severity],
            "created_at": frame[Incidents.created_at],
            "time_to_ack": frame["mtta_seconds"],
            "time_to_resolve": frame["mttr_seconds"],
            "status": frame[Incidents.status],
            "major": frame[Incidents.major].astype("boolean").fillna(False).astype(bool),
        }
    ).reset_index(drop=True)


def noisy_rules(scored: pd.DataFrame, rules: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The noisy rules with their noise pages (the Pareto measure), most noise pages first, and
    the noise pages of all rules."""
    noise_paged = scored[Scored.is_noise].astype(bool) & scored[Alerts.paged].fillna(False).astype(
        bool
    )
    per_rule = noise_paged.groupby(scored[Alerts.rule_key]).sum()
    noisy = rules[rules[Rules.is_noisy].astype(bool)].copy()
    noisy["noise_pages"] = noisy[Rules.rule_key].map(per_rule).fillna(0).astype(int)
    noisy = noisy.sort_values(
        ["noise_pages", Rules.firings, Rules.rule_key],
        ascending=[False, False, True],
        kind="mergesort",
    )
    return noisy.reset_index(drop=True), int(noise_paged.sum())


def response_rows(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """group, incidents, mtta_median, mtta_p90, mttr_median, mttr_p90 per value of ``column``,
    most incidents first."""
    groups = frame[column].astype(object).where(frame[column].notna(), UNKNOWN_GROUP)
    grouped = frame.groupby(groups)
    table = (
        pd.DataFrame(
            {
                "incidents": grouped.size(),
                "mtta_median": grouped["mtta_seconds"].median(),
                "mtta_p90": grouped["mtta_seconds"].quantile(0.9),
                "mttr_median": grouped["mttr_seconds"].median(),
                "mttr_p90": grouped["mttr_seconds"].quantile(0.9),
            }
        )
        .rename_axis("group")
        .reset_index()
    )
    table["group"] = table["group"].astype(str)
    return table.sort_values(["incidents", "group"], ascending=[False, True]).reset_index(drop=True)


def spreads(seconds: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """group, n and the ``SPREAD_QUANTILES`` of ``seconds`` per group that has any value."""
    known = seconds.notna()
    values, keys = seconds[known], groups[known].astype(str)
    grouped = values.groupby(keys)
    table = pd.DataFrame({"n": grouped.size()})
    for name, q in SPREAD_QUANTILES.items():
        table[name] = grouped.quantile(q)
    return table.rename_axis("group").reset_index()


def weekly_medians(durations: pd.DataFrame, weeks: list[str]) -> pd.DataFrame:
    """week, team, mtta_median, mttr_median, incidents per team and week of ``weeks``."""
    trend = durations[durations[WEEK].isin(weeks)]
    team = trend[Incidents.team].astype(object).where(trend[Incidents.team].notna(), UNKNOWN_GROUP)
    table = trend.groupby([trend[WEEK], team]).agg(
        mtta_median=("mtta_seconds", "median"),
        mttr_median=("mttr_seconds", "median"),
        incidents=(WEEK, "size"),
    )
    return table.rename_axis(["week", "team"]).reset_index()


def recurrence_rows(tables: dict[str, pd.DataFrame], week: str) -> pd.DataFrame:
    """key, service, team, occurrences, this_week, last_seen, fix_held per recurrence key that
    repeated, worst first (most repeats this week, then overall)."""
    columns = ["key", "service", "team", "occurrences", "this_week", "last_seen", "fix_held"]
    recurring = tables["recurrences"]
    repeats = recurring[recurring["is_repeat"].astype(bool)]
    if repeats.empty:
        return pd.DataFrame(columns=columns)
    status = tables["fix_status"].set_index(RECURRENCE_KEY)["status"]
    grouped = repeats.groupby(RECURRENCE_KEY, sort=True)
    last = grouped.tail(1).set_index(RECURRENCE_KEY)
    table = pd.DataFrame(
        {
            "key": last[Incidents.title].where(last[Incidents.title].notna(), last.index),
            "service": last[Incidents.service],
            "team": last[Incidents.team],
            "occurrences": grouped.size(),
            "this_week": grouped[WEEK].agg(lambda w: int((w == week).sum())),
            "last_seen": grouped[Incidents.created_at].max(),
        }
    )
    held = status.reindex(table.index)
    table["fix_held"] = held.map({"held": True, "still recurring": False}).astype(object)
    table["fix_held"] = table["fix_held"].where(held.notna(), None)
    table = table.sort_values(
        ["this_week", "occurrences", "key"], ascending=[False, False, True], kind="mergesort"
    )
    return table.reset_index(drop=True)[columns]


def oncall_figures(
    interrupts: pd.DataFrame,
    weekly: pd.DataFrame,
    incidents: pd.DataFrame,
    alerts: pd.DataFrame,
    week: str,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Per responder of ``week``: responder, team, business_hours, off_hours, sleep_hours,
    shifts_over_budget (most interrupted first); and the 7 x 24 pages by hour of week (UTC)."""
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
    rows = weekly[weekly["week"] == week]
    responders = pd.DataFrame(
        {
            "responder": rows["user"].astype(str),
            "team": rows["user"].map(team_of_user).fillna(UNKNOWN_GROUP).astype(str),
            "business_hours": rows[BUSINESS].astype(int),
            "off_hours": rows[OFF_HOURS].astype(int),
            "sleep_hours": rows[SLEEP].astype(int),
            "shifts_over_budget": rows["shifts_over_budget"].astype(int),
        }
    )
    total = responders[["business_hours", "off_hours", "sleep_hours"]].sum(axis=1)
    responders = responders.assign(_total=total).sort_values(
        ["_total", "responder"], ascending=[False, True], kind="mergesort"
    )
    pages = paged_alerts(alerts)
    at = pages.loc[pages[WEEK] == week, Alerts.created_at]
    counts = pd.crosstab(at.dt.day_of_week, at.dt.hour).reindex(
        index=range(7), columns=range(24), fill_value=0
    )
    return responders.drop(columns="_total").reset_index(drop=True), counts.to_numpy(dtype=int)


def data_quality(
    manifest: pd.DataFrame, quarantine: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per source: source, files, read, accepted, quarantined, deduplicated, skipped (records
    read and deliberately left out, e.g. pending alerts); and per source and reason: source,
    reason, records, example ("file: locator" of one record), most first. Files that were not
    read (unrecognised) count as files of source "unknown" with no records."""
    source = (
        manifest[Manifest.source]
        .astype(object)
        .where(manifest[Manifest.source].notna(), UNKNOWN_GROUP)
    )
    skipped = (
        manifest[Manifest.skipped]
        if Manifest.skipped in manifest
        else pd.Series(0, index=manifest.index)
    )
    sources = manifest.assign(**{Manifest.skipped: skipped.fillna(0)}).groupby(source).agg(
        files=(Manifest.file_sha256, "nunique"),
        read=(Manifest.read, "sum"),
        accepted=(Manifest.accepted, "sum"),
        quarantined=(Manifest.quarantined, "sum"),
        deduplicated=(Manifest.deduplicated, "sum"),
        skipped=(Manifest.skipped, "sum"),
    )
    sources = sources.astype("int64").rename_axis("source").reset_index()
    q_source = (
        quarantine[Quarantine.source]
        .astype(object)
        .where(quarantine[Quarantine.source].notna(), UNKNOWN_GROUP)
    )
    grouped = quarantine.groupby([q_source, quarantine[Quarantine.reason]])
    first = grouped.head(1).set_index([q_source, quarantine[Quarantine.reason]])
    files = first[Quarantine.file].astype(str).map(lambda f: f.rsplit("/", 1)[-1])
    reasons = pd.DataFrame(
        {"records": grouped.size(), "example": files + ": " + first[Quarantine.locator].astype(str)}
    )
    reasons = reasons.rename_axis(["source", "reason"]).reset_index()
    reasons = reasons.sort_values(
        ["records", "source", "reason"], ascending=[False, True, True], kind="mergesort"
    )
    return sources, reasons.reset_index(drop=True)


def _teams(inputs: ReviewInputs) -> list[str]:
    teams = pd.concat(
        [
            inputs.alerts[Alerts.team],
            inputs.incidents[Incidents.team],
            inputs.rules[Rules.team],
            inputs.whatif[TEAM],
        ]
    )
    return [str(t) for t in teams.dropna().unique() if str(t) != ALL]
