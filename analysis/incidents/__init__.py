"""Incidents: the population every incident metric is computed over, how often things break
(incidents and pages per week, severity mix, MTBF) and what keeps coming back (repeats, whether
fixes held). Entry: :func:`incident_metrics`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from alertlens.analysis.calendar import History, week_period, week_start
from alertlens.analysis.incidents.fixes import fix_status
from alertlens.analysis.incidents.frequency import (
    incidents_per_week,
    mtbf_by_service,
    severity_mix,
)
from alertlens.analysis.incidents.population import incident_population
from alertlens.analysis.incidents.recurrence import (
    recurrence_by_team,
    recurrences,
    repeat_offenders,
)
from alertlens.analysis.settings import MetricsSettings

__all__ = ["IncidentMetrics", "incident_metrics", "incident_population"]


@dataclass(frozen=True)
class IncidentMetrics:
    """The population and the frequency and recurrence tables computed from it."""

    population: pd.DataFrame
    weeks: list[str]  # every counted ISO week, gaps included
    incidents_weekly: pd.DataFrame
    severity_mix: pd.DataFrame
    mtbf_by_service: pd.DataFrame
    recurrences: pd.DataFrame
    recurrence_by_team: pd.DataFrame
    repeat_offenders: pd.DataFrame
    fix_status: pd.DataFrame


def incident_metrics(
    incidents: pd.DataFrame, alerts: pd.DataFrame, settings: MetricsSettings, history: History
) -> IncidentMetrics:
    """Frequency and recurrence of the incident population of ``incidents`` and ``alerts`` over
    the counted ``history``."""
    population = incident_population(incidents, alerts, settings.timezone)
    weeks = list(history.weeks)
    recurring = recurrences(population, window=settings.recurrence_window)
    start = end = pd.Timestamp(0, tz="UTC")
    if weeks:
        start = week_start(weeks[0], settings.timezone)
        end = week_period(weeks[-1], settings.timezone).end
    return IncidentMetrics(
        population=population,
        weeks=weeks,
        incidents_weekly=incidents_per_week(population, alerts, weeks, settings.timezone),
        severity_mix=severity_mix(population),
        mtbf_by_service=mtbf_by_service(population),
        recurrences=recurring,
        recurrence_by_team=recurrence_by_team(recurring),
        repeat_offenders=repeat_offenders(recurring, top_n=settings.top_n),
        fix_status=fix_status(recurring, population, alerts, start=start, end=end,
                              alpha=settings.alpha, quiet_period=settings.fix_quiet_period),
    )
