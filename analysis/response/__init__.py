"""Response times: time to acknowledge, mitigate and resolve (MTTA / MTTM / MTTR) per incident,
who handled each incident, their distributions by dimension, and the headline figures with their
populations and censoring. Entry: :func:`response_metrics`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.analysis.response.durations import response_durations, response_times
from alertlens.analysis.response.populations import (
    ResponseFigures,
    response_figures,
    with_response_flags,
)
from alertlens.analysis.settings import MetricsSettings

__all__ = ["ResponseFigures", "ResponseMetrics", "response_frame", "response_metrics"]


@dataclass(frozen=True)
class ResponseMetrics:
    """Per-incident durations and flags, the long table by dimension and the overall figures."""

    frame: pd.DataFrame  # the population with handling flags and IncidentResponse durations
    table: pd.DataFrame
    figures: ResponseFigures  # over every counted incident


def response_frame(population: pd.DataFrame, notifications: pd.DataFrame, *,
                   mode: str) -> pd.DataFrame:
    """The population with its handling flags and durations under population rule ``mode``."""
    flagged = with_response_flags(population, notifications)
    return pd.concat([flagged, response_durations(flagged, mode=mode)], axis=1)


def response_metrics(
    population: pd.DataFrame, notifications: pd.DataFrame, *, settings: MetricsSettings,
    as_of: pd.Timestamp | None,
) -> ResponseMetrics:
    """MTTA, MTTM and MTTR of ``population`` with who handled it; still-open incidents are
    censored at ``as_of``."""
    frame = response_frame(population, notifications, mode=settings.mode)
    return ResponseMetrics(
        frame=frame,
        table=response_times(population, frame, mode=settings.mode),
        figures=response_figures(counted_incidents(frame), as_of=as_of, mode=settings.mode,
                                 min_resolved_share=settings.mttr_min_resolved_share),
    )
