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
from functools import cache
from typing import Any, Final

import pandas as pd

from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.trends.mann_kendall import BETTER, TOO_FEW
from alertlens.ingest.schema import Alerts, Incidents

NAMES: Final = {1: "reactive", 2: "responsive", 3: "proactive", 4: "elite"}
MET, NOT_MET, UNKNOWN = "met", "not met", "unknown"


def _criterion(level: int, name: str, status: str, value: object, threshold: str,
               detail: str) -> dict[str, Any]:
    return {"level": level, "name": name, "status": status, "value": value,
            "threshold": threshold, "detail": detail}


def _status(ok: bool | None) -> str:
    return UNKNOWN if ok is None else (MET if ok else NOT_MET)


def alert_reported_share(population: pd.DataFrame) -> tuple[float | None, int]:
    """Share of incidents reported by monitoring among those whose reporter is known, and n.

    An incident with no recorded reporter but with alerts attached counts as found by alerting.
    """
    counted = counted_incidents(population)
    alerted = pd.to_numeric(counted[Incidents.alert_count], errors="coerce").fillna(0) > 0
    reporter = counted[Incidents.reported_by].astype(object)
    reporter = reporter.where(reporter.notna() | ~alerted, "alert").dropna()
    return (float((reporter == "alert").mean()) if len(reporter) else None), len(reporter)


def runbook_share(alerts: pd.DataFrame) -> tuple[float | None, int]:
    """Share of alert rules whose firings carry a runbook/runbook_url label, and the rule count."""
    if alerts.empty or alerts[Alerts.labels].isna().all():
        return None, 0
    linked = alerts[Alerts.labels].map(_has_runbook)
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


def _has_runbook(text: object) -> bool:
    return isinstance(text, str) and _labels_have_runbook(text)


def severity_in_use(population: pd.DataFrame) -> tuple[float | None, int]:
    """Share of incidents with a known severity, and how many distinct known severities occur."""
    severity = counted_incidents(population)[Incidents.severity].fillna("unknown")
    if not len(severity):
        return None, 0
    known = severity[severity != "unknown"]
    return float(len(known) / len(severity)), int(known.nunique())


def maturity(
    population: pd.DataFrame, alerts: pd.DataFrame, *, mtta_median: float | None,
    trends: dict[str, dict[str, Any]], noise_share: float | None, postmortem_share: float | None,
    settings: MetricsSettings,
) -> dict[str, Any]:
    """level, name, criteria (each with value, threshold, status, detail), and what blocks the
    next level. ``trends`` maps "mttr", "recurrence", "noise" to ``analysis.trends.trend``
    results (a missing key means that series is unknown)."""
    s = settings
    criteria = []
    share, n = alert_reported_share(population)
    criteria.append(_criterion(
        2, "incidents found by alerting", _status(None if share is None else
                                                  share >= s.alert_reported_share),
        share, f">= {s.alert_reported_share:.0%}", f"{n} incidents with a known reporter"))
    fast = s.fast_mtta.total_seconds()
    criteria.append(_criterion(
        2, "fast acknowledgement", _status(None if mtta_median is None else mtta_median <= fast),
        mtta_median, f"median MTTA <= {fast:g} s", "median seconds from created to acknowledged"))
    known, levels = severity_in_use(population)
    criteria.append(_criterion(
        3, "severity levels in use",
        _status(None if known is None else known >= 0.5 and levels >= 2), known,
        ">= 50% of incidents with a known severity, >= 2 levels", f"{levels} distinct levels"))
    runbooks, rules = runbook_share(alerts)
    criteria.append(_criterion(
        3, "runbooks linked from alerts",
        _status(None if runbooks is None else runbooks >= s.runbook_share), runbooks,
        f">= {s.runbook_share:.0%} of rules", f"{rules} alert rules with labels"))
    criteria.append(_criterion(
        3, "noise under control",
        _status(None if noise_share is None else noise_share <= s.max_noise_share), noise_share,
        f"noise share <= {s.max_noise_share:.0%}", "share of alerts classed as noise"))
    for key, label in (("mttr", "MTTR"), ("recurrence", "recurrence"), ("noise", "noise share")):
        result = trends.get(key)
        known_trend = result is not None and result["verdict"] != TOO_FEW
        criteria.append(_criterion(
            4, f"{label} trending down",
            _status(result["verdict"] == BETTER if result is not None and known_trend else None),
            None if result is None else result.get("slope_per_week"),
            f"Theil–Sen slope < 0 with Mann–Kendall p < {s.alpha}",
            "no data" if result is None else
            f"{result['verdict']} (n={result['n']} weeks, p={result['p_value']})"))
    criteria.append(_criterion(
        4, "postmortems on high-severity incidents",
        _status(None if postmortem_share is None else postmortem_share >= s.postmortem_share),
        postmortem_share, f">= {s.postmortem_share:.0%}",
        "share of critical/high/major incidents with a postmortem or problem record"))
    return _level(criteria)


def _level(criteria: list[dict[str, Any]]) -> dict[str, Any]:
    level, blocked, undetermined = 1, [], False
    for candidate in (2, 3, 4):
        these = [c for c in criteria if c["level"] == candidate]
        failing = [c["name"] for c in these if c["status"] == NOT_MET]
        unknown = [c["name"] for c in these if c["status"] == UNKNOWN]
        if failing or unknown:
            blocked = failing + [f"{name} (unknown)" for name in unknown]
            undetermined = not failing
            break
        level = candidate
    return {"level": level, "name": NAMES[level], "criteria": criteria,
            "next_level_blocked_by": blocked, "next_level_undetermined": undetermined}
