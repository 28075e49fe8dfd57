"""Learning from failures: are high-severity incidents followed up, and does follow-up help?

Only sources that record follow-up at all (any non-empty ``postmortem`` value: a postmortem link,
a Statuspage postmortem, a ServiceNow problem/change/caused-by reference) are judged; elsewhere
the answer is "unknown", never "no". High severity means severity critical or high, or ``major``.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.ingest.schema import Incidents

HIGH_SEVERITIES: Final = ("critical", "high")


def has_postmortem(population: pd.DataFrame) -> pd.Series:
    """True where the incident carries a postmortem / problem record."""
    text = population[Incidents.postmortem].astype(object).fillna("").astype(str).str.strip()
    return text.ne("") & ~text.str.lower().isin({"none", "null", "no", "false"})


def is_high_severity(population: pd.DataFrame) -> pd.Series:
    """True for critical/high severity or major incidents."""
    major = population[Incidents.major].astype("boolean").fillna(False).astype(bool)
    return population[Incidents.severity].isin(HIGH_SEVERITIES) | major


def postmortem_sources(population: pd.DataFrame) -> list[str]:
    """Sources that record postmortems for at least one incident."""
    marked = population[has_postmortem(population)]
    return sorted(set(marked[Incidents.source].dropna()))


def learning_summary(population: pd.DataFrame, recurring: pd.DataFrame) -> dict[str, Any]:
    """high_severity, with_postmortem, postmortem_share, and the recurrence rate after incidents
    with vs without a postmortem; every figure None with status "unknown" when no source records
    postmortems."""
    counted = counted_incidents(population)
    sources = postmortem_sources(counted)
    if not sources:
        return {"status": "unknown", "sources": [], "high_severity": None, "with_postmortem": None,
                "postmortem_share": None, "recurred_after_with_postmortem": None,
                "recurred_after_without_postmortem": None,
                "detail": "no source records postmortems or problem records"}
    judged = counted[counted[Incidents.source].isin(sources)]
    high = judged[is_high_severity(judged)]
    marked = has_postmortem(high)
    keyed = recurring[recurring[Incidents.source].isin(sources)]
    by_key = has_postmortem(judged.set_index([Incidents.source, Incidents.incident_id]))
    keys = pd.MultiIndex.from_frame(keyed[[Incidents.source, Incidents.incident_id]])
    flags = by_key.groupby(level=[0, 1]).any().reindex(keys)
    marks = flags.fillna(False).to_numpy(dtype=bool)
    after = keyed["recurred_after"].to_numpy(dtype=bool)
    return {
        "status": "known", "sources": sources, "high_severity": len(high),
        "with_postmortem": int(marked.sum()),
        "postmortem_share": float(marked.mean()) if len(high) else None,
        "recurred_after_with_postmortem": _share(after[marks]),
        "recurred_after_without_postmortem": _share(after[~marks]),
        "incidents_with_postmortem": int(marks.sum()),
        "incidents_without_postmortem": int((~marks).sum()),
        "detail": "recurred_after: share of keyed incidents whose key fired again within the "
                  "recurrence window after they were resolved",
    }


def _share(flags: np.ndarray) -> float | None:
    return float(flags.mean()) if len(flags) else None
