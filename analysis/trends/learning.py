"""Learning from failures: are high-severity incidents followed up, and does follow-up help?

Only sources that record follow-up at all (any non-empty ``postmortem`` value: a postmortem link,
a Statuspage postmortem, a ServiceNow problem/change/caused-by reference) are judged; elsewhere
the answer is "unknown", never "no". High severity means severity critical or high, or ``major``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.analysis.incidents.population import has_postmortem
from alertlens.ingest.metrics_schema import Recurrences
from alertlens.ingest.schema import Incidents

HIGH_SEVERITIES: Final = ("critical", "high")
KNOWN: Final = "known"
UNKNOWN: Final = "unknown"


def is_high_severity(population: pd.DataFrame) -> pd.Series:
    """True for critical/high severity or major incidents."""
    major = population[Incidents.major].astype("boolean").fillna(False).astype(bool)
    return population[Incidents.severity].isin(HIGH_SEVERITIES) | major


def postmortem_sources(population: pd.DataFrame) -> list[str]:
    """Sources that record postmortems for at least one incident."""
    marked = population[has_postmortem(population)]
    return sorted(set(marked[Incidents.source].dropna()))


@dataclass(frozen=True)
class LearningSummary:
    """Follow-up of high-severity incidents and whether it helps (None where unknown)."""

    status: str  # "known" or "unknown" (no source records postmortems)
    sources: tuple[str, ...]
    high_severity: int | None
    with_postmortem: int | None
    postmortem_share: float | None
    recurred_after_with_postmortem: float | None
    recurred_after_without_postmortem: float | None
    incidents_with_postmortem: int | None
    incidents_without_postmortem: int | None
    detail: str


def learning_summary(population: pd.DataFrame, recurring: pd.DataFrame) -> LearningSummary:
    """The share of high-severity incidents with a postmortem, and the recurrence rate after
    incidents with vs without one; every figure None with status "unknown" when no source
    records postmortems."""
    counted = counted_incidents(population)
    sources = postmortem_sources(counted)
    if not sources:
        return LearningSummary(UNKNOWN, (), None, None, None, None, None, None, None,
                               "no source records postmortems or problem records")
    judged = counted[counted[Incidents.source].isin(sources)]
    high = judged[is_high_severity(judged)]
    marked = has_postmortem(high)
    keyed = recurring[recurring[Incidents.source].isin(sources)]
    by_key = has_postmortem(judged.set_index([Incidents.source, Incidents.incident_id]))
    keys = pd.MultiIndex.from_frame(keyed[[Incidents.source, Incidents.incident_id]])
    flags = by_key.groupby(level=[0, 1]).any().reindex(keys).fillna(False).to_numpy(dtype=bool)
    after = keyed[Recurrences.recurred_after].to_numpy(dtype=bool)
    return LearningSummary(
        KNOWN, tuple(sources), len(high), int(marked.sum()),
        float(marked.mean()) if len(high) else None,
        _share(after[flags]), _share(after[~flags]), int(flags.sum()), int((~flags).sum()),
        "recurred after: share of keyed incidents whose key fired again within the recurrence "
        "window after they were resolved",
    )


def _share(flags: np.ndarray) -> float | None:
    return float(flags.mean()) if len(flags) else None
