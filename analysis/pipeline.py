"""The analysis, end to end: the lake's canonical frames in, every table and the summary that
``alertlens analyze`` publishes out. This module is the table of contents of ``analysis/``: the
data goes through each concept once, in this order.

    alerts, notifications, incidents
      -> calendar         the counted weeks: first week with data to the reviewed week
      -> noise            which firings are noise, per rule why and the fix, the what-if
      -> incidents        the incident population, frequency, recurrence and fixes
      -> response         who handled what; MTTA / MTTM / MTTR with their populations
      -> oncall           interruptions, shifts, burnout risk
      -> trends           weekly headlines, trend verdicts, learning, maturity
      -> summary          summary.json

Every figure is computed over the records created in the counted weeks; records of a week that
has not ended yet are left out (and counted in ``not_counted``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from alertlens.analysis.calendar import (
    History,
    default_week,
    ended_week,
    history,
    iso_week,
    week_period,
)
from alertlens.analysis.frames import Frames
from alertlens.analysis.incidents import IncidentMetrics, incident_metrics
from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.analysis.incidents.population import ORIGIN, alert_only_sources
from alertlens.analysis.incidents.recurrence import repeat_share
from alertlens.analysis.jsonable import optional_float
from alertlens.analysis.noise import NoiseAnalysis, noise_analysis
from alertlens.analysis.noise.analysis import COMPRESSION_RATIO
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.oncall import OnCallLoad, oncall_load
from alertlens.analysis.oncall.load import has_person_notifications
from alertlens.analysis.projection import overall, projection
from alertlens.analysis.response import ResponseMetrics, response_metrics
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.summary import MetricsSummary, summary_json
from alertlens.analysis.trends import TrendMetrics, headline_inputs, trend_metrics
from alertlens.analysis.trends.mann_kendall import period_comparison
from alertlens.analysis.trends.weekly import HeadlineInputs
from alertlens.ingest.metrics_schema import (
    FIX_STATUSES,
    BurnoutRisk,
    FixStatus,
    IncidentResponse,
    IncidentsWeekly,
    Interruptions,
    MtbfByService,
    NotCountedJson,
    OncallWeekly,
    Projection,
    RecurrenceByTeam,
    Recurrences,
    RepeatOffenders,
    ResponseJson,
    ResponseTimes,
    SeverityMix,
    ShiftLoad,
    SummaryJson,
    Trends,
    WeeklyHeadlines,
)
from alertlens.ingest.schema import (
    CORRELATION_FILE,
    WHATIF_FILE,
    Alerts,
    Incidents,
    Rules,
    Scored,
)

__all__ = ["AnalysisResults", "MetricsAnalysis", "NoiseFacts", "ResponseEngine",
           "analysis_results", "counted_history", "local_response", "metrics_analysis"]

#: How the response metrics of the incident population are computed: (the counted frames, the
#: population, settings, the counted weeks) -> ResponseMetrics. ``local_response`` computes them
#: in this process; flows/team_shards.py per team (on a Dask cluster: flows/dask_analyze.py),
#: with the same result.
ResponseEngine = Callable[[Frames, pd.DataFrame, MetricsSettings, History], ResponseMetrics]


def local_response(frames: Frames, population: pd.DataFrame, settings: MetricsSettings,
                   counted: History) -> ResponseMetrics:
    """The response metrics of ``population`` computed here, in one process."""
    return response_metrics(population, frames.notifications, settings=settings,
                            as_of=counted.as_of)


@dataclass(frozen=True)
class NoiseFacts:
    """What the metrics read from the noise analysis."""

    scored: pd.DataFrame  # alerts_scored
    rules: pd.DataFrame
    correlation: pd.DataFrame
    compression_ratio: float | None

    @staticmethod
    def of(noise: NoiseAnalysis) -> NoiseFacts:
        """The facts of a noise analysis just run."""
        ratio = noise.summary.get(COMPRESSION_RATIO)
        return NoiseFacts(noise.alerts_scored, noise.rules, noise.correlation,
                          None if ratio is None else float(ratio))


@dataclass(frozen=True)
class MetricsAnalysis:
    """The incident metrics: each concept's result, the tables ``analyze`` writes (by file
    stem) and the summary."""

    history: History
    incidents: IncidentMetrics
    response: ResponseMetrics
    oncall: OnCallLoad
    inputs: HeadlineInputs
    trends: TrendMetrics
    projection: pd.DataFrame
    summary: MetricsSummary

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every metrics table by the stem of its parquet file."""
        found, oncall = self.incidents, self.oncall
        return {
            ResponseTimes.table: self.response.table,
            IncidentResponse.table: self.response.frame,
            IncidentsWeekly.table: found.incidents_weekly,
            SeverityMix.table: found.severity_mix,
            MtbfByService.table: found.mtbf_by_service,
            Recurrences.table: found.recurrences,
            RecurrenceByTeam.table: found.recurrence_by_team,
            RepeatOffenders.table: found.repeat_offenders,
            FixStatus.table: found.fix_status,
            Interruptions.table: oncall.interruptions,
            OncallWeekly.table: oncall.weekly,
            ShiftLoad.table: oncall.shifts,
            BurnoutRisk.table: oncall.burnout_risk,
            WeeklyHeadlines.table: self.trends.weekly,
            Trends.table: self.trends.table,
            Projection.table: self.projection,
        }


@dataclass(frozen=True)
class AnalysisResults:
    """Everything ``alertlens analyze`` publishes: the noise analysis, the metrics tables and
    summary.json."""

    noise: NoiseAnalysis
    metrics: MetricsAnalysis
    summary: SummaryJson

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by the name of its parquet file (without ``.parquet``)."""
        return {
            Scored.file.removesuffix(".parquet"): self.noise.alerts_scored,
            Rules.file.removesuffix(".parquet"): self.noise.rules,
            CORRELATION_FILE.removesuffix(".parquet"): self.noise.correlation,
            WHATIF_FILE.removesuffix(".parquet"): self.noise.whatif,
            **self.metrics.tables,
        }


def counted_history(frames: Frames, settings: MetricsSettings, now: pd.Timestamp,
                    week: str | None = None) -> History:
    """The counted weeks ending with ``week`` (default: the newest week that has ended by
    ``now`` and holds data, else — when no such week exists yet — the newest week with data)."""
    created = frames.created()
    zone = settings.timezone
    if week is None:
        try:
            week = default_week(created, now, zone)
        except ValueError:
            if created.empty:
                raise
            week = str(iso_week(created, zone).max())
    return history(created, week, zone, as_of=frames.as_of())


def analysis_results(
    frames: Frames,
    *,
    now: pd.Timestamp,
    thresholds: NoiseThresholds = NoiseThresholds(),  # noqa: B008 - frozen, immutable default
    settings: MetricsSettings = MetricsSettings(),  # noqa: B008 - frozen, immutable default
    response_engine: ResponseEngine = local_response,
) -> AnalysisResults:
    """The counted history as of ``now``, the noise analysis of its records, then the incident
    metrics fed with it (response metrics by ``response_engine``), then the summary of both.
    ReviewError on an empty lake."""
    counted = counted_history(frames, settings, now)
    assert counted.last_week is not None
    cut = frames.before(week_period(counted.last_week, settings.timezone).end)
    noise = noise_analysis(cut.alerts, cut.notifications, cut.incidents, thresholds=thresholds,
                           weeks=float(len(counted.weeks)))
    metrics = metrics_analysis(cut, settings=settings, history=counted,
                               noise=NoiseFacts.of(noise), not_counted=_not_counted(frames, cut),
                               ended=counted.last_week <= ended_week(now, settings.timezone),
                               response_engine=response_engine)
    return AnalysisResults(noise, metrics, summary_json(metrics.summary))


def _not_counted(frames: Frames, cut: Frames) -> NotCountedJson:
    return NotCountedJson(alerts=len(frames.alerts) - len(cut.alerts),
                          incidents=len(frames.incidents) - len(cut.incidents))


def metrics_analysis(
    frames: Frames,
    *,
    settings: MetricsSettings = MetricsSettings(),  # noqa: B008 - frozen, immutable default
    history: History | None = None,
    noise: NoiseFacts | None = None,
    not_counted: NotCountedJson | None = None,
    ended: bool = True,
    response_engine: ResponseEngine = local_response,
) -> MetricsAnalysis:
    """All incident metrics over the canonical ``frames``.

    Args:
        frames: canonical frames (ingest/schema.py) of the counted records; not modified.
        settings: population mode, windows, hours, zones, alpha …
        history: the counted weeks; default: every week from the first to the last record.
        noise: the noise analysis's outputs; without them noise figures are unknown.
        not_counted: records left out because their week has not ended.
        ended: whether the last counted week has ended.
        response_engine: computes the response metrics (default: in this process).
    """
    if history is None:
        created = frames.created()
        last = str(iso_week(created, settings.timezone).max()) if len(created) else None
        history = (History((), (), None, settings.timezone) if last is None else
                   _all_weeks(frames, settings, last))
    frames = identified(frames, None if noise is None else noise.scored)
    found = incident_metrics(frames.incidents, frames.alerts, settings, history)
    response = response_engine(frames, found.population, settings, history)
    oncall = oncall_load(frames.notifications, found.weeks, settings)
    scored = None if noise is None else noise.scored
    noise_frame = None if scored is None else scored[[Alerts.created_at, Scored.is_noise]]
    inputs = headline_inputs(found, response, oncall, frames.alerts, noise_frame,
                             settings=settings, as_of=history.as_of,
                             has_notifications=has_person_notifications(frames.notifications))
    noise_share = (float(scored[Scored.is_noise].astype(bool).mean())
                   if scored is not None and len(scored) else None)
    trends = trend_metrics(found, response, inputs, frames.alerts, noise_share=noise_share,
                           settings=settings)
    weeks = len(found.weeks)
    projected = projection(found.population, frames.alerts, scored, weeks)
    summary = _summary(frames, found, response, oncall, trends, projected, noise, settings,
                       history, not_counted, ended, noise_share)
    return MetricsAnalysis(history, found, response, oncall, inputs, trends, projected, summary)


def identified(frames: Frames, scored: pd.DataFrame | None) -> Frames:
    """``frames`` with each alert's rule key as the noise analysis named it (its identity from
    the strongest evidence an alert carries), so recurrence, trends and the review speak of
    the same rules as the noise audit. Alerts it did not score keep theirs."""
    if scored is None or scored.empty or frames.alerts.empty:
        return frames
    keys = [Alerts.source, Alerts.alert_id]
    named = scored[[*keys, Alerts.rule_key]].drop_duplicates(keys)
    found = frames.alerts[keys].merge(named, on=keys, how="left")[Alerts.rule_key]
    rule_key = found.where(found.notna(), frames.alerts[Alerts.rule_key].to_numpy()).to_numpy()
    return replace(frames, alerts=frames.alerts.assign(**{Alerts.rule_key: rule_key}))


def _all_weeks(frames: Frames, settings: MetricsSettings, last: str) -> History:
    return history(frames.created(), last, settings.timezone, as_of=frames.as_of())


def _summary(
    frames: Frames, found: IncidentMetrics, response: ResponseMetrics, oncall: OnCallLoad,
    trends: TrendMetrics, projected: pd.DataFrame, noise: NoiseFacts | None,
    settings: MetricsSettings, counted: History, not_counted: NotCountedJson | None,
    ended: bool, noise_share: float | None,
) -> MetricsSummary:
    figures = response.figures
    everything = overall(projected)
    incidents = counted_incidents(found.population)
    weeks = len(found.weeks)
    review = counted.last_week
    fixes = found.fix_status[FixStatus.status].value_counts()
    burnout = oncall.burnout_risk
    weekly = trends.weekly.set_index(WeeklyHeadlines.week)
    rules = None if noise is None else noise.rules
    return MetricsSummary(
        alerts=len(frames.alerts),
        incidents=len(incidents),
        weeks=weeks,
        noise_share=noise_share,
        pages_per_week=_rate(everything[Projection.pages_per_week]),
        projected_pages_per_week_after_fixes=_rate(
            everything[Projection.projected_pages_per_week_after_fixes]),
        incidents_per_week=_rate(everything[Projection.incidents_per_week]),
        projected_incidents_per_week_after_fixes=_rate(
            everything[Projection.projected_incidents_per_week_after_fixes]),
        mtta_seconds=figures.mtta,
        mttr_seconds=figures.mttr,
        review_week=review,
        first_week=counted.first_week,
        last_week=review,
        timezone=settings.timezone,
        as_of=counted.as_of,
        not_counted=not_counted or NotCountedJson(alerts=0, incidents=0),
        mode=settings.mode,
        pages=int(everything[Projection.pages]),
        incidents_by_origin={str(k): int(v) for k, v in
                             incidents[ORIGIN].value_counts().sort_index().items()},
        merged_away=int(found.population[Incidents.merged_into].notna().sum()),
        alert_only_sources=alert_only_sources(frames.incidents, frames.alerts),
        mttm_seconds=figures.mttm,
        mttr_auto_seconds=figures.mttr_auto,
        acknowledged_share=figures.acknowledged_share,
        escalation_rate=figures.escalation_rate,
        response=_response_json(response),
        recurrence_rate=repeat_share(found.recurrences),
        recurrence_window_seconds=settings.recurrence_window.total_seconds(),
        fixes={status: int(fixes.get(status, 0)) for status in FIX_STATUSES},
        interruptions=len(oncall.interruptions[
            oncall.interruptions[Interruptions.week].isin(found.weeks)]),
        responders_at_burnout_risk=sorted(
            burnout.loc[burnout[BurnoutRisk.at_risk].astype(bool), BurnoutRisk.user]),
        noisy_rules=0 if rules is None else int(rules[Rules.is_noisy].astype(bool).sum()),
        rules=0 if rules is None else len(rules),
        compression_ratio=None if noise is None else noise.compression_ratio,
        trend_weeks=list(trends.window),
        trends=trends.trends,
        review_week_ended=ended,
        headlines={} if review is None else {
            name: period_comparison(weekly[name], review) for name in trends.trends
        },
        learning=trends.learning,
        maturity=trends.maturity,
    )


def _rate(value: object) -> float | None:
    return optional_float(value)


def _response_json(response: ResponseMetrics) -> ResponseJson:
    f = response.figures
    return ResponseJson(
        incidents=f.incidents, human_handled=f.human_handled, auto_resolved=f.auto_resolved,
        handling_unknown=f.handling_unknown, still_open=f.still_open,
        acknowledged=f.acknowledged, never_acknowledged=f.never_acknowledged,
        ack_unknown=f.ack_unknown, escalated=f.escalated,
        escalation_unknown=f.escalation_unknown,
        zero_duration_resolves=f.zero_duration_resolves,
        resolved_before_created=f.resolved_before_created,
        warnings=[f"{figure}: {text}" for figure, text in f.warnings],
    )
