"""Incident-management maturity level 1–4 from evidence, each criterion with its own numbers.

1 reactive — the floor: incidents are mostly reported by people.
2 responsive — alerting finds most incidents and the median time to acknowledge is short.
3 proactive — severity levels are in use, alert rules link runbooks, noise is under control.
4 elite — MTTR, recurrence and noise trend down significantly; high-severity incidents get
  postmortems.

A level is reached when every criterion of it and of the levels below is met. A criterion the
data cannot judge is "unknown" (never guessed); the level then stops below it and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.analysis.incidents.population import ALERT_REPORTER
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.trends.mann_kendall import TrendResult
from alertlens.ingest.metrics_schema import WeeklyHeadlines
from alertlens.ingest.schema import Alerts, Incidents

NAMES: Final = {1: "reactive", 2: "responsive", 3: "proactive", 4: "elite"}
MET: Final = "met"
NOT_MET: Final = "not met"
UNKNOWN: Final = "unknown"
UNKNOWN_SEVERITY: Final = "unknown"
#: The trend criteria of level 4: headline series -> its name in words.
TRENDED: Final = {WeeklyHeadlines.mttr_median: "MTTR", WeeklyHeadlines.recurrence_rate:
                  "recurrence", WeeklyHeadlines.noise_share: "noise share"}


@dataclass(frozen=True)
class Criterion:
    """One maturity criterion with its value, the threshold and the evidence in words."""

    level: int
    name: str
    status: str  # MET, NOT_MET or UNKNOWN
    value: float | None
    threshold: str
    detail: str


@dataclass(frozen=True)
class MaturityResult:
    """The level reached, each criterion, and what blocks the next level."""

    level: int
    name: str
    criteria: tuple[Criterion, ...]
    next_level_blocked_by: tuple[str, ...]
    next_level_undetermined: bool


@dataclass(frozen=True)
class AckEvidence:
    """What the fast-acknowledgement criterion judges."""

    median_seconds: float | None  # never-acknowledged incidents count as never acknowledged
    acknowledged: int
    known: int  # incidents of sources that record acknowledgements


def _status(ok: bool | None) -> str:
    return UNKNOWN if ok is None else (MET if ok else NOT_MET)


def alert_reported_share(population: pd.DataFrame) -> tuple[float | None, int]:
    """Share of incidents reported by monitoring among those whose reporter is known, and n.

    An incident with no recorded reporter but with alerts attached counts as found by alerting.
    """
    counted = counted_incidents(population)
    alerted = pd.to_numeric(counted[Incidents.alert_count], errors="coerce").fillna(0) > 0
    reporter = counted[Incidents.reported_by].astype(object)
    reporter = reporter.where(reporter.notna() | ~alerted, ALERT_REPORTER).dropna()
    return (float((reporter == ALERT_REPORTER).mean()) if len(reporter) else None), len(reporter)


def runbook_share(alerts: pd.DataFrame) -> tuple[float | None, int]:
    """Share of alert rules whose firings carry a runbook/runbook_url label, and the rule count."""
    if alerts.empty or alerts[Alerts.labels].isna().all():
        return None, 0
    linked = pd.Series(_have_runbook(alerts[Alerts.labels]), index=alerts.index)
    per_rule = linked.groupby(alerts[Alerts.rule_key]).any()
    return float(per_rule.mean()), len(per_rule)


@cache
def _labels_have_runbook(text: str) -> bool:
    try:
        labels = json.loads(text)
    except (TypeError, ValueError):
        return False
    return isinstance(labels, dict) and any(
        "runbook" in str(k).lower() and str(v).strip() for k, v in labels.items()
    )


def _have_runbook(labels: pd.Series) -> np.ndarray:
    """``_has_runbook`` of every labels text, parsed once per distinct text that can hold a
    runbook key at all (one naming "runbook", or with an escape that could spell it)."""
    codes, texts = pd.factorize(labels, use_na_sentinel=True)
    if not len(texts):
        return np.zeros(len(labels), dtype=bool)
    array = pa.array(np.asarray(texts, dtype=object), type=pa.string())
    maybe = pc.or_(pc.match_substring(array, "runbook", ignore_case=True),
                   pc.match_substring(array, "\\u")).to_numpy(zero_copy_only=False)
    found = np.zeros(len(texts) + 1, dtype=bool)  # the last slot: missing labels
    found[:-1][maybe] = [_has_runbook(t) for t in np.asarray(texts, dtype=object)[maybe]]
    return found[codes]


def _has_runbook(text: object) -> bool:
    return isinstance(text, str) and _labels_have_runbook(text)


def severity_in_use(population: pd.DataFrame) -> tuple[float | None, int]:
    """Share of incidents with a known severity, and how many distinct known severities occur."""
    severity = counted_incidents(population)[Incidents.severity].fillna(UNKNOWN_SEVERITY)
    if not len(severity):
        return None, 0
    known = severity[severity != UNKNOWN_SEVERITY]
    return float(len(known) / len(severity)), int(known.nunique())


def maturity(
    population: pd.DataFrame, alerts: pd.DataFrame, *, ack: AckEvidence,
    trends: dict[str, TrendResult], noise_share: float | None, postmortem_share: float | None,
    settings: MetricsSettings,
) -> MaturityResult:
    """The level and each criterion's evidence. ``trends`` maps headline names to their trend
    results (a missing key means that series is unknown)."""
    s = settings
    criteria = []
    share, n = alert_reported_share(population)
    criteria.append(Criterion(
        2, "incidents found by alerting",
        _status(None if share is None else share >= s.alert_reported_share), share,
        f"at least {s.alert_reported_share:.0%}", f"of {n} incidents with a known reporter"))
    fast = s.fast_mtta.total_seconds()
    criteria.append(Criterion(
        2, "fast acknowledgement",
        _status(None if not ack.known else
                ack.median_seconds is not None and ack.median_seconds <= fast),
        ack.median_seconds, f"half of all incidents acknowledged within {fast / 60:g} min",
        _ack_detail(ack)))
    known, levels = severity_in_use(population)
    criteria.append(Criterion(
        3, "severity levels in use",
        _status(None if known is None else known >= 0.5 and levels >= 2), known,
        "at least 50% of incidents with a known severity, 2 or more levels",
        f"{levels} distinct levels"))
    runbooks, rules = runbook_share(alerts)
    criteria.append(Criterion(
        3, "runbooks linked from alerts",
        _status(None if runbooks is None else runbooks >= s.runbook_share), runbooks,
        f"at least {s.runbook_share:.0%} of rules", f"of {rules} alert rules with labels"))
    criteria.append(Criterion(
        3, "noise under control",
        _status(None if noise_share is None else noise_share <= s.max_noise_share), noise_share,
        f"noise share at most {s.max_noise_share:.0%}", "share of alert firings judged noise"))
    for key, label in TRENDED.items():
        result = trends.get(key)
        judged = result is not None and result.p_value is not None
        criteria.append(Criterion(
            4, f"{label} trending down",
            _status(result.direction == "better" if judged and result is not None else None),
            None if result is None else result.slope_per_week,
            f"a significant downward trend (p < {s.alpha:g})",
            "no data" if result is None else f"{result.verdict} over {result.n} weeks"))
    criteria.append(Criterion(
        4, "postmortems on high-severity incidents",
        _status(None if postmortem_share is None else postmortem_share >= s.postmortem_share),
        postmortem_share, f"at least {s.postmortem_share:.0%}",
        "of critical/high/major incidents with a postmortem or problem record"))
    return _level(tuple(criteria))


def _ack_detail(ack: AckEvidence) -> str:
    if not ack.known:
        return "no source records acknowledgements"
    if ack.median_seconds is None:
        return (f"fewer than half of the incidents were ever acknowledged ({ack.acknowledged} of "
                f"{ack.known})")
    return f"{ack.acknowledged} of {ack.known} incidents were ever acknowledged"


def _level(criteria: tuple[Criterion, ...]) -> MaturityResult:
    level, blocked, undetermined = 1, [], False
    for candidate in (2, 3, 4):
        these = [c for c in criteria if c.level == candidate]
        failing = [c.name for c in these if c.status == NOT_MET]
        unknown = [c.name for c in these if c.status == UNKNOWN]
        if failing or unknown:
            blocked = failing + [f"{name} (unknown)" for name in unknown]
            undetermined = not failing
            break
        level = candidate
    return MaturityResult(level, NAMES[level], criteria, tuple(blocked), undetermined)
