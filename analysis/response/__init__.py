"""Response times: time to acknowledge, mitigate and resolve (MTTA / MTTM / MTTR) per incident,
their distributions by dimension, and the headline figures with their populations. Entry:
:func:`response_metrics`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from alertlens.analysis.response.durations import (
    response_durations,
    response_summary,
    response_times,
)

__all__ = ["ResponseMetrics", "response_metrics"]


@dataclass(frozen=True)
class ResponseMetrics:
    """Per-incident durations, the long table by dimension and the headline distributions."""

    durations: pd.DataFrame  # indexed like the population: <metric>_seconds, <metric>_excluded
    table: pd.DataFrame
    mtta: dict[str, Any]
    mttm: dict[str, Any]
    mttr: dict[str, Any]


def response_metrics(population: pd.DataFrame, *, mode: str) -> ResponseMetrics:
    """MTTA, MTTM and MTTR of ``population`` under the population rule ``mode``."""
    durations = response_durations(population, mode=mode)
    return ResponseMetrics(
        durations=durations,
        table=response_times(population, durations, mode=mode),
        mtta=response_summary(durations, mode=mode, metric="mtta"),
        mttm=response_summary(durations, mode=mode, metric="mttm"),
        mttr=response_summary(durations, mode=mode, metric="mttr"),
    )
