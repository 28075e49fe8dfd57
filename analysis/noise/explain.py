"""Why a rule is noise, in sentences carrying the rule's own numbers, and the one fix to apply."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from alertlens.analysis.noise.features import (
    ACK_RECORDED_SHARE,
    DURATION_P50,
    DURATION_P90,
    NIGHT_SHARE,
    OFF_HOURS_SHARE,
    REASSIGN_RATE,
    SEVERITY,
    rate_column,
)
from alertlens.analysis.noise.signals import (
    ACK_AND_FORGET,
    FLAPPING,
    INFORMATIONAL,
    LONG_STANDING,
    LOW_URGENCY,
    REDUNDANT,
    SCHEDULED,
    TRANSIENT,
    UNACKED_PAGE,
)
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.noise.verdict import NEEDS_DATA, QUIET
from alertlens.ingest.schema import Rules

DUPLICATE_OF = "duplicate_of"  # the rule that led most of this rule's redundant firings
DOMINANT_SIGNAL = "dominant_signal"
RUNBOOK_SHARE = "runbook_share"
ACK_RATE = "ack_rate"
PERIOD = "schedule"  # hourly, daily, weekly … when the rule fires on a schedule

MERGE = "merge"
ADD_FOR_DURATION = "add_for_duration"
RAISE_THRESHOLD = "raise_threshold"
DELETE = "delete"
DEMOTE = "demote"
ROUTE = "route"
ADD_RUNBOOK = "add_runbook"
KEEP = "keep"

#: The fix each dominant signal calls for.
FIX_FOR_SIGNAL: dict[str, str] = {
    REDUNDANT: MERGE,
    FLAPPING: ADD_FOR_DURATION,
    TRANSIENT: RAISE_THRESHOLD,
    ACK_AND_FORGET: DELETE,
    INFORMATIONAL: DEMOTE,
    SCHEDULED: DEMOTE,
    UNACKED_PAGE: DEMOTE,
    LOW_URGENCY: DEMOTE,
    LONG_STANDING: ROUTE,
}

#: When several signals are strong, the most specific one names the fix: a duplicate is also
#: transient, a flapping rule's episodes are also transient, and so on.
PRECEDENCE: tuple[str, ...] = (
    REDUNDANT,
    FLAPPING,
    INFORMATIONAL,
    SCHEDULED,
    ACK_AND_FORGET,
    LONG_STANDING,
    LOW_URGENCY,
    TRANSIENT,
    UNACKED_PAGE,
)

#: A signal is worth a sentence once it covers this share of a rule's firings.
MENTION_SHARE = 0.2


def dominant_signal(rule: Mapping[str, Any], thresholds: NoiseThresholds) -> str | None:
    """The signal that names a rule's fix: the first in ``PRECEDENCE`` covering at least the
    rule noise share of its firings, else the most frequent one (None when it has none)."""
    rates = {s: float(rule[rate_column(s)]) for s in PRECEDENCE}
    if rates[REDUNDANT] > 0 and rule.get(DUPLICATE_OF) is None:
        rates[REDUNDANT] = 0.0
    for signal in PRECEDENCE:
        if rates[signal] >= thresholds.rule_noise_share:
            return signal
    best = max(PRECEDENCE, key=lambda s: rates[s])
    return best if rates[best] > 0 else None


def reasons(rule: Mapping[str, Any], thresholds: NoiseThresholds) -> list[str]:
    """Sentences with the rule's own numbers: every signal covering at least ``MENTION_SHARE``
    of its firings (dominant first), then when it fires."""
    dominant = rule.get(DOMINANT_SIGNAL)
    ordered = sorted(PRECEDENCE, key=lambda s: (s != dominant, PRECEDENCE.index(s)))
    out = [
        _SENTENCES[s](rule, thresholds)
        for s in ordered
        if float(rule[rate_column(s)]) >= MENTION_SHARE
        and (s != REDUNDANT or rule.get(DUPLICATE_OF))
    ]
    if out and float(rule[OFF_HOURS_SHARE]) >= MENTION_SHARE:
        out.append(
            f"{_pct(rule[OFF_HOURS_SHARE])} of its firings came outside business hours, "
            f"{_pct(rule[NIGHT_SHARE])} at night"
        )
    return out


def recommendation(rule: Mapping[str, Any], thresholds: NoiseThresholds) -> tuple[str, str]:
    """(kind, sentence): the one fix for a noisy rule; for a kept rule a runbook or routing fix
    when its data shows the need, else ``keep``."""
    n = int(rule[Rules.firings])
    if bool(rule[Rules.is_noisy]):
        kind = FIX_FOR_SIGNAL.get(rule.get(DOMINANT_SIGNAL) or "", DEMOTE)
        text = _FIXES[kind](rule, thresholds)
        verdict = str(rule.get(Rules.verdict) or "")
        if verdict.startswith(QUIET):
            date = verdict.removeprefix(QUIET).strip()
            lowered = text[0].lower() + text[1:]
            return kind, f"Quiet since {date}: check that the fix held (it was: {lowered})"
        if verdict == NEEDS_DATA:
            return kind, f"Needs more data ({n} firings); if it goes on like this: {text}"
        return kind, text
    if float(rule[REASSIGN_RATE]) >= 0.5:
        return ROUTE, (
            f"Route to the owning team: {_pct(rule[REASSIGN_RATE])} of its {n} firings were "
            "reassigned or escalated before anyone worked on them."
        )
    runbooks = rule.get(RUNBOOK_SHARE)
    if runbooks is not None and not pd.isna(runbooks) and float(runbooks) == 0.0:
        acked = rule.get(ACK_RATE)
        known = acked is not None and not pd.isna(acked)
        why = f"people act on it ({_pct(acked)} of {n} firings acknowledged) but " if known else ""
        return ADD_RUNBOOK, f"Add a runbook: {why}none of its {n} firings links one."
    if _people_recorded(rule):
        return KEEP, "Keep: its firings lead to human work."
    return KEEP, (
        "Keep: none of the noise signals its export can show marks it (the export records no "
        "acknowledgements, so whether people acted is unknown)."
    )


def _demote(rule: Mapping[str, Any], thresholds: NoiseThresholds) -> str:
    pages = int(rule[Rules.pages])
    if pages == 0 and rule.get(DOMINANT_SIGNAL) == SCHEDULED:
        schedule = _SENTENCES[SCHEDULED](rule, thresholds)
        return f"Turn it into a scheduled report or ticket: it {schedule}."
    if pages == 0:
        return (
            "Demote further to a ticket or dashboard: it never paged, and nobody acted on "
            f"{_pct(rule[rate_column(LOW_URGENCY)])} of its notifications."
        )
    return (
        f"Demote to a non-paging notification or ticket: {pages} pages, "
        f"{_pct(rule[rate_column(INFORMATIONAL)])} at severity {rule[SEVERITY]}, "
        f"{_pct(rule[rate_column(UNACKED_PAGE)])} never acknowledged, "
        f"{_pct(rule[rate_column(SCHEDULED)])} on a schedule."
    )


def _pct(share: Any) -> str:
    return f"{round(100 * float(share))}%"


def _minutes(value: Any) -> str:
    if value is None or pd.isna(value):
        return "unknown"
    v = float(value)
    if v < 1:
        return f"{60 * v:.0f} s"
    return f"{v / 60:.1f} h" if v >= 120 else f"{v:.0f} min"


def _people_recorded(rule: Mapping[str, Any]) -> bool:
    """Whether the rule's source records what people did for most of its firings."""
    share = rule.get(ACK_RECORDED_SHARE)
    return share is not None and not pd.isna(share) and float(share) >= 0.5


def _unattended(rule: Mapping[str, Any]) -> str:
    """" with nobody acting" where the source records people; nothing where it cannot say."""
    return " with nobody acting" if _people_recorded(rule) else ""


def _for_minutes(rule: Mapping[str, Any]) -> int:
    """A ``for:`` duration, rounded up to 5 min, that outlasts 90% of the rule's firings."""
    p90 = rule.get(DURATION_P90)
    p90 = 5.0 if p90 is None or pd.isna(p90) else float(p90)
    return int(max(5, 5 * math.ceil(min(p90, 60.0) / 5)))


def _rate(rule: Mapping[str, Any], signal: str) -> str:
    return f"{_pct(rule[rate_column(signal)])} of {int(rule[Rules.firings])} firings"


_SENTENCES: dict[str, Callable[[Mapping[str, Any], NoiseThresholds], str]] = {
    REDUNDANT: lambda r, t: (
        f"added nothing to an alert of {r[DUPLICATE_OF]} firing within "
        f"{t.episode_window_minutes:g} min before it in {_rate(r, REDUNDANT)}"
    ),
    FLAPPING: lambda r, t: (
        f"re-fired within {t.flap_window_minutes:g} min of resolving in {_rate(r, FLAPPING)} "
        f"(median lifetime {_minutes(r[DURATION_P50])})"
    ),
    TRANSIENT: lambda r, t: (
        f"auto-resolved within {t.transient_minutes:g} min "
        f"{'with nobody acting' if _people_recorded(r) else 'before anyone could act'} in "
        f"{_rate(r, TRANSIENT)} (median lifetime {_minutes(r[DURATION_P50])})"
    ),
    ACK_AND_FORGET: lambda r, t: (
        f"acknowledged and resolved within {t.ack_forget_minutes:g} min with no other action in "
        f"{_rate(r, ACK_AND_FORGET)}"
    ),
    UNACKED_PAGE: lambda r, t: (
        f"paged, went unacknowledged and resolved itself in {_rate(r, UNACKED_PAGE)} "
        f"(median lifetime {_minutes(r[DURATION_P50])})"
    ),
    SCHEDULED: lambda r, t: (
        f"fires on a schedule ({r.get(PERIOD) or 'regularly'}) and "
        f"{'nobody acted' if _people_recorded(r) else 'it cleared by itself'} in "
        f"{_rate(r, SCHEDULED)}"
    ),
    LOW_URGENCY: lambda r, t: (
        f"notified without paging, nobody acted and it cleared by itself in "
        f"{_rate(r, LOW_URGENCY)} (median lifetime {_minutes(r[DURATION_P50])})"
    ),
    INFORMATIONAL: lambda r, t: (
        f"severity {r[SEVERITY]} yet paged in {_rate(r, INFORMATIONAL)} "
        f"({int(r[Rules.pages])} pages)"
    ),
    LONG_STANDING: lambda r, t: (
        f"stayed open over {t.long_standing_hours:g} h{_unattended(r)} in "
        f"{_rate(r, LONG_STANDING)} (median lifetime {_minutes(r[DURATION_P50])})"
    ),
}

_FIXES: dict[str, Callable[[Mapping[str, Any], NoiseThresholds], str]] = {
    MERGE: lambda r, t: (
        f"Merge into {r[DUPLICATE_OF]}: {_pct(r[rate_column(REDUNDANT)])} of its firings came "
        "after it in the same episode; page on that rule only (inhibit or group this one)."
    ),
    ADD_FOR_DURATION: lambda r, t: (
        f"Add a `for: {_for_minutes(r)}m` duration (or hysteresis) so a condition must hold "
        f"before it pages; {_pct(r[rate_column(FLAPPING)])} of its firings re-fired within "
        f"{t.flap_window_minutes:g} min of clearing."
    ),
    RAISE_THRESHOLD: lambda r, t: (
        f"Raise the threshold (or add `for: {_for_minutes(r)}m`): "
        f"{_pct(r[rate_column(TRANSIENT)])} of its firings cleared by themselves within "
        f"{t.transient_minutes:g} min."
    ),
    DELETE: lambda r, t: (
        f"Delete it: in {_pct(r[rate_column(ACK_AND_FORGET)])} of {int(r[Rules.firings])} "
        f"firings someone acknowledged and resolved it within {t.ack_forget_minutes:g} min and "
        "did nothing else."
    ),
    DEMOTE: _demote,
    ROUTE: lambda r, t: (
        f"Route it to the owning team's ticket queue instead of the pager: "
        f"{_pct(r[rate_column(LONG_STANDING)])} of its firings stayed open over "
        f"{t.long_standing_hours:g} h{_unattended(r)}, "
        f"a median {_minutes(r[DURATION_P50])}."
    ),
}
