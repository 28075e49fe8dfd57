"""The figures of one review: a week (or any period) of the organisation or of one team, against
the period before and the counted weeks' trend, with every table the report shows.

Everything is computed from one population: the records created from the first counted week up
to the end of the reviewed period (``Frames.before``), scoped to the team when one is asked for.
The headline, the sections and the charts all read the tables of one ``metrics_analysis`` run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

import pandas as pd

from alertlens.analysis.calendar import (
    History,
    Period,
    ReviewError,
    check_period,
    day_period,
    default_week,
    history,
    iso_week,
    week_period,
    weeks_up_to,
)
from alertlens.analysis.frames import Frames
from alertlens.analysis.incidents.frequency import counted_incidents, paged_alerts
from alertlens.analysis.jsonable import optional_float
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.pipeline import MetricsAnalysis, NoiseFacts, metrics_analysis
from alertlens.analysis.projection import overall
from alertlens.analysis.response.durations import SECONDS
from alertlens.analysis.response.populations import ResponseFigures, response_figures
from alertlens.analysis.review import tables as t
from alertlens.analysis.review.noise import StoredNoise, period_noise, team_noise
from alertlens.analysis.review.quality import quarantine_rows, source_rows
from alertlens.analysis.review.rows import (
    BurnoutRow,
    IncidentRow,
    LoadPoint,
    NoisyRuleRow,
    ProjectionRow,
    QuarantineRow,
    RecurrenceRow,
    ResponderRow,
    ResponseRow,
    RunbookRow,
    SourceRow,
    SpreadRow,
    StormRow,
)
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.summary import MetricsSummary
from alertlens.analysis.trends.mann_kendall import Comparison, TrendResult, period_comparison
from alertlens.analysis.trends.maturity import MaturityResult
from alertlens.analysis.trends.weekly import HEADLINES, headline_table
from alertlens.ingest.metrics_schema import (
    Interruptions,
    Population,
    Projection,
    WeeklyHeadlines,
)
from alertlens.ingest.schema import Alerts, Incidents

__all__ = ["HeadlineFigure", "NoiseFigures", "ReviewFigures", "ReviewInputs", "ReviewRequest",
           "review_figures"]

THIS: Final = "this"
PREVIOUS: Final = "previous"
INTERRUPTIONS: Final = "interruptions"
PAGES: Final = "pages"
#: The dimensions of the response tables.
RESPONSE_BY: Final = (Incidents.team, Incidents.service, Incidents.severity)


@dataclass(frozen=True)
class ReviewInputs:
    """What a review is made from: the lake's tables and what ``alertlens analyze`` stored."""

    frames: Frames
    manifest: pd.DataFrame
    quarantine: pd.DataFrame
    stored: StoredNoise | None = None
    thresholds: NoiseThresholds = field(default_factory=NoiseThresholds)
    notes: tuple[str, ...] = ()
    #: The organisation's metrics as ``analyze`` computed them from these same ``frames`` in
    #: this process (the nightly): the review of the week they end with uses them instead of
    #: computing them again, which is most of a review's time.
    analysed: MetricsAnalysis | None = None


@dataclass(frozen=True)
class ReviewRequest:
    """Which review: a week (default: the newest ended week with data) or the days ``since`` to
    ``until``; the whole organisation or one team."""

    week: str | None = None
    since: date | None = None
    until: date | None = None
    team: str | None = None


@dataclass(frozen=True)
class HeadlineFigure:
    """One headline figure: this period against the one before (and the 4-week average), and
    its trend over the counted weeks' window."""

    key: str
    comparison: Comparison
    trend: TrendResult


@dataclass(frozen=True)
class NoiseFigures:
    """The noise audit over the counted weeks."""

    noise_share: float | None
    rules_total: int
    rules: tuple[NoisyRuleRow, ...]
    noise_pages_total: int
    noise_firings_total: int
    projections: tuple[ProjectionRow, ...]
    pages_per_week: float | None
    projected_pages_per_week: float | None
    compression_ratio: float | None
    storms: tuple[StormRow, ...]
    runbooks: tuple[RunbookRow, ...] | None  # None: no source links runbooks
    recomputed: bool  # computed for this review rather than read from the stored analysis


@dataclass(frozen=True)
class ReviewFigures:
    """Every figure of one review."""

    period: Period
    team: str | None
    history: History
    window: tuple[str, ...]  # the weeks of the trend tests and the trend charts
    quiet: bool  # no incident and no alert in the period
    in_progress: bool  # the period has not ended yet
    headlines: tuple[HeadlineFigure, ...]
    weekly: pd.DataFrame  # WeeklyHeadlines of the window's weeks
    incidents: tuple[IncidentRow, ...]
    response: ResponseFigures
    response_by: dict[str, tuple[ResponseRow, ...]]  # Incidents.team / .service / .severity
    spread_weeks: tuple[str, ...]
    ack_spread: tuple[SpreadRow, ...]
    resolve_spread: tuple[SpreadRow, ...]
    recurrences: tuple[RecurrenceRow, ...]
    noise: NoiseFigures
    responders: tuple[ResponderRow, ...]
    load: tuple[LoadPoint, ...]
    hour_of_week: tuple[tuple[int, ...], ...]
    heatmap_subject: str  # INTERRUPTIONS (each in its responder's zone) or PAGES
    heatmap_zones: tuple[str, ...]
    burnout: tuple[BurnoutRow, ...]
    maturity: MaturityResult
    sources: tuple[SourceRow, ...]
    quarantine: tuple[QuarantineRow, ...]
    summary: MetricsSummary  # the counted weeks' summary of the same population
    teams: tuple[str, ...]
    notes: tuple[str, ...]


def review_period(frames: Frames, request: ReviewRequest, settings: MetricsSettings,
                  now: pd.Timestamp) -> tuple[Period, History]:
    """The reviewed period and the counted weeks; ReviewError when the lake is empty or the
    period lies outside the weeks the data covers."""
    created = frames.created()
    zone = settings.timezone
    if created.empty:
        raise ReviewError("the lake has no alerts or incidents to report on")
    as_of = frames.as_of()
    if request.since is not None or request.until is not None:
        if request.since is None or request.until is None:
            raise ReviewError("--since and --until go together")
        period = day_period(request.since, request.until, zone)
        weeks = iso_week(created, zone)
        data_weeks = (str(weeks.min()), str(weeks.max()))
        check_period(period, data_weeks)
        return period, history(created, min(period.last_week, data_weeks[1]), zone, as_of)
    week = request.week or default_week(created, now, zone)
    return week_period(week, zone), history(created, week, zone, as_of)


def review_figures(inputs: ReviewInputs, request: ReviewRequest, *, settings: MetricsSettings,
                   now: pd.Timestamp, spread_weeks: int = 4) -> ReviewFigures:
    """The figures of the requested review (see ``ReviewRequest``)."""
    frames = inputs.frames
    period, counted = review_period(frames, request, settings, now)
    teams = tuple(frames.teams())
    if request.team is not None and request.team not in teams:
        raise ReviewError(f"no team named {request.team!r}; teams: {', '.join(teams) or 'none'}")
    assert counted.last_week is not None
    cut = frames.before(period.end)
    noise, recomputed = period_noise(inputs.stored, cut, counted.last_week, len(counted.weeks),
                                     inputs.thresholds)
    scoped = cut if request.team is None else cut.of_team(request.team)
    noise = team_noise(noise, request.team)
    ended = period.end <= now
    metrics = _analysed(inputs, request, period, counted, ended, recomputed) or metrics_analysis(
        scoped, settings=settings, history=counted, noise=noise, ended=ended)
    return _figures(inputs, request, metrics, period, scoped, noise, recomputed, settings, now,
                    spread_weeks, teams)


def _analysed(inputs: ReviewInputs, request: ReviewRequest, period: Period, counted: History,
              ended: bool, recomputed: bool) -> MetricsAnalysis | None:
    """``inputs.analysed`` when it is what this review would compute: the organisation, the
    week the analysis ends with, the same counted weeks, the stored noise analysis."""
    analysed = inputs.analysed
    if (analysed is None or request.team is not None or recomputed
            or period.week is None or period.week != counted.last_week
            or analysed.history != counted or analysed.summary.review_week_ended != ended):
        return None
    return analysed


def _figures(inputs: ReviewInputs, request: ReviewRequest, metrics: MetricsAnalysis,
             period: Period, scoped: Frames, noise: NoiseFacts, recomputed: bool,
             settings: MetricsSettings, now: pd.Timestamp, spread_weeks: int,
             teams: tuple[str, ...]) -> ReviewFigures:
    counted = metrics.history
    frame = counted_incidents(metrics.response.frame)
    created = frame[Incidents.created_at]
    inside = frame[(created >= period.start) & (created < period.end)]
    alerts = scoped.alerts[(scoped.alerts[Alerts.created_at] >= period.start)
                           & (scoped.alerts[Alerts.created_at] < period.end)]
    quiet = inside.empty and alerts.empty
    spread_window = weeks_up_to(period.last_week, spread_weeks)
    pooled = frame[frame[Population.week].isin(spread_window)]
    interrupts = metrics.oncall.interruptions
    at = interrupts[Interruptions.at]
    in_period = interrupts[(at >= period.start) & (at < period.end)]
    subject = INTERRUPTIONS if metrics.inputs.has_notifications else PAGES
    pages = paged_alerts(alerts[[Alerts.created_at, Alerts.paged]],
                         settings.timezone)[Alerts.created_at]
    notes = list(inputs.notes) + _notes(period, quiet, recomputed and inputs.stored is not None,
                                        now, request, counted)
    return ReviewFigures(
        period=period,
        team=request.team,
        history=counted,
        window=metrics.trends.window,
        quiet=quiet,
        in_progress=period.end > now,
        headlines=_headlines(metrics, period),
        weekly=metrics.trends.weekly[
            metrics.trends.weekly[WeeklyHeadlines.week].isin(metrics.trends.window)
        ].reset_index(drop=True),
        incidents=t.period_incidents(inside, metrics.incidents.recurrences),
        response=response_figures(inside, as_of=counted.as_of, mode=settings.mode,
                                  min_resolved_share=settings.mttr_min_resolved_share),
        response_by={column: t.response_rows(inside, column, as_of=counted.as_of,
                                             settings=settings) for column in RESPONSE_BY},
        spread_weeks=tuple(spread_window),
        ack_spread=t.spreads(pooled[SECONDS["mtta"]], pooled[Incidents.team]),
        resolve_spread=t.spreads(t.resolve_seconds(pooled), pooled[Incidents.team]),
        recurrences=t.recurrence_rows(metrics.incidents.fix_status,
                                      metrics.incidents.recurrences, period),
        noise=_noise(noise, metrics, recomputed),
        responders=t.responder_rows(in_period, t.team_of_targets(scoped.incidents,
                                                                 scoped.alerts), settings),
        load=t.load_points(metrics.oncall.weekly, metrics.trends.window),
        hour_of_week=(t.hour_of_week(in_period) if subject == INTERRUPTIONS
                      else t.pages_hour_of_week(pages, settings.timezone)),
        heatmap_subject=subject,
        heatmap_zones=(tuple(sorted(set(interrupts[Interruptions.timezone])))
                       if subject == INTERRUPTIONS else (settings.timezone,)),
        burnout=t.burnout_rows(metrics.oncall.burnout_risk),
        maturity=metrics.trends.maturity,
        sources=source_rows(inputs.manifest),
        quarantine=quarantine_rows(inputs.quarantine),
        summary=metrics.summary,
        teams=teams,
        notes=tuple(notes),
    )

def _headlines(metrics: MetricsAnalysis, period: Period) -> tuple[HeadlineFigure, ...]:
    trends = metrics.trends.trends
    if period.week is not None:
        weekly = metrics.trends.weekly.set_index(WeeklyHeadlines.week)
        return tuple(HeadlineFigure(key, period_comparison(weekly[key], period.week),
                                    trends[key]) for key in HEADLINES)
    previous = period.previous

    def bucket(times: pd.Series) -> pd.Series:
        this = (times >= period.start) & (times < period.end)
        before = (times >= previous.start) & (times < previous.end)
        labels = pd.Series(None, index=times.index, dtype=object)
        return labels.mask(this, THIS).mask(before, PREVIOUS)

    table = headline_table(metrics.inputs, [THIS, PREVIOUS], bucket).set_index(
        WeeklyHeadlines.week)
    return tuple(HeadlineFigure(key, Comparison(_num(table.loc[THIS, key]),
                                                _num(table.loc[PREVIOUS, key]), None),
                                trends[key]) for key in HEADLINES)


_num = optional_float


def _noise(facts: NoiseFacts, metrics: MetricsAnalysis, recomputed: bool) -> NoiseFigures:
    rules, noise_pages, noise_firings = t.noisy_rules(facts)
    everything = overall(metrics.projection)
    return NoiseFigures(
        noise_share=metrics.summary.noise_share,
        rules_total=len(facts.rules),
        rules=rules,
        noise_pages_total=noise_pages,
        noise_firings_total=noise_firings,
        projections=t.projection_rows(metrics.projection),
        pages_per_week=_num(everything[Projection.pages_per_week]),
        projected_pages_per_week=_num(everything[Projection.projected_pages_per_week_after_fixes]),
        compression_ratio=t.compression_ratio(facts.scored),
        storms=t.storms(facts),
        runbooks=t.runbook_rows(facts.rules),
        recomputed=recomputed,
    )


def _notes(period: Period, quiet: bool, recomputed: bool, now: pd.Timestamp,
           request: ReviewRequest, counted: History) -> list[str]:
    notes = []
    who = f"team {request.team}" if request.team else "the lake"
    if quiet:
        notes.append(f"A quiet {'week' if period.week else 'period'}: {who} has no incident and "
                     f"no alert in {period.label}.")
    if period.end > now:
        notes.append(f"{period.label} has not ended yet: its figures cover it up to now.")
    if recomputed:
        notes.append(f"The noise analysis was run for this review over {counted.first_week} to "
                     f"{counted.last_week} (the stored one covers other weeks).")
    return notes
