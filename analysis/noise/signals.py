"""Per-firing noise signals: each an explainable test of "nobody needed to act on it", with
the facts it needs. A signal whose facts are not recorded for a firing is *unknown* there, not
false and not true (``activity`` says what is recorded). docs/noise.md defines each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.noise.activity import (
    ACK_RECORDED,
    DURATION_MIN,
    ENGAGED,
    HUMAN_ACK,
    HUMAN_RESOLVED,
    PAGED_RECORDED,
    RESOLUTION_MIN,
    RESOLVE_RECORDED,
)
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.ingest.schema import Alerts

REDUNDANT: Final = "redundant"
FLAPPING: Final = "flapping"
TRANSIENT: Final = "transient"
UNACKED_PAGE: Final = "unacked_self_resolving_page"
ACK_AND_FORGET: Final = "ack_and_forget"
INFORMATIONAL: Final = "informational_page"
SCHEDULED: Final = "scheduled"
LOW_URGENCY: Final = "low_urgency"
LONG_STANDING: Final = "long_standing"
#: Every signal, in the order explanations prefer when several apply.
SIGNALS: Final = (
    REDUNDANT,
    FLAPPING,
    TRANSIENT,
    UNACKED_PAGE,
    ACK_AND_FORGET,
    INFORMATIONAL,
    SCHEDULED,
    LOW_URGENCY,
    LONG_STANDING,
)
#: The facts each signal needs (docs/noise.md, and each verdict's ``evidence``).
NEEDS: Final[dict[str, tuple[str, ...]]] = {
    REDUNDANT: ("start times",),
    FLAPPING: ("start times", "resolve times"),
    TRANSIENT: ("resolve times",),
    UNACKED_PAGE: ("paging", "acknowledgements", "resolve times"),
    ACK_AND_FORGET: ("acknowledgements", "resolve times"),
    INFORMATIONAL: ("paging", "severity"),
    SCHEDULED: (f"at least {5} firings",),
    LOW_URGENCY: ("paging", "acknowledgements", "resolve times"),
    LONG_STANDING: ("resolve times",),
}
#: Signals that speak about one firing by themselves, from what people did: they flag a firing
#: as noise even in a rule whose other firings are real problems. (A quick acknowledge-and-close
#: is not among them: one fast fix of a real rule looks the same.)
FIRING_LEVEL: Final = frozenset({REDUNDANT, UNACKED_PAGE, LOW_URGENCY})
#: Signals about a firing's lifetime or the response to it: a rule none of whose firings could
#: be evaluated for any of these has no evidence either way (its verdict is "cannot tell").
RESPONSE_SIGNALS: Final = (
    FLAPPING,
    TRANSIENT,
    UNACKED_PAGE,
    ACK_AND_FORGET,
    LOW_URGENCY,
    LONG_STANDING,
)


@dataclass(frozen=True)
class Signals:
    """``value``: one boolean column per signal; ``known``: where it could be evaluated."""

    value: pd.DataFrame
    known: pd.DataFrame


def firing_signals(
    alerts: pd.DataFrame,
    activity: pd.DataFrame,
    redundant: np.ndarray,
    on_schedule: np.ndarray,
    schedule_testable: np.ndarray,
    thresholds: NoiseThresholds,
) -> Signals:
    """Every signal per alert (same index), with where it is known."""
    t = thresholds
    ack_rec = activity[ACK_RECORDED].to_numpy(dtype=bool)
    resolve_rec = activity[RESOLVE_RECORDED].to_numpy(dtype=bool)
    paged_rec = activity[PAGED_RECORDED].to_numpy(dtype=bool)
    untouched = ~activity[HUMAN_ACK].to_numpy(dtype=bool) & (activity[ENGAGED].to_numpy() == 0)
    # where people are not recorded, nobody can be shown to have acted: time alone decides
    quiet = untouched | ~ack_rec
    duration = activity[DURATION_MIN].to_numpy(dtype=float)
    has_end = ~np.isnan(duration)
    resolved_by = alerts[Alerts.resolved_by].astype(object).to_numpy()
    paged = alerts[Alerts.paged].astype("boolean").fillna(False).to_numpy(dtype=bool)
    severity = alerts[Alerts.severity].astype(object).to_numpy()
    info = np.isin(severity, t.informational_severities)
    after_ack = alerts[Alerts.resolved_at] - alerts[Alerts.acknowledged_at].fillna(
        alerts[Alerts.created_at]
    )
    after_ack_min = after_ack.dt.total_seconds().to_numpy(dtype=float, na_value=np.nan) / 60
    age_min = _age_minutes(alerts)
    human_response = ack_rec & paged_rec & resolve_rec
    resolution = activity[RESOLUTION_MIN].to_numpy(dtype=float)
    # a schedule without any record of people is noise only when it also cleared by itself
    cleared_alone = has_end & (resolved_by != "human")
    value = {
        REDUNDANT: np.asarray(redundant, dtype=bool),
        FLAPPING: flapping_firings(alerts, pd.Timedelta(minutes=t.flap_window_minutes)),
        TRANSIENT: has_end & (resolved_by != "human") & (duration <= t.transient_minutes) & quiet,
        UNACKED_PAGE: paged & untouched & has_end,
        # without acknowledgement times the minutes count from the start, which hides the time
        # to acknowledge: the transient window stands in for the ack-and-forget one
        ACK_AND_FORGET: activity[HUMAN_RESOLVED].to_numpy(dtype=bool)
        & (after_ack_min <= np.where(ack_rec, t.ack_forget_minutes, t.transient_minutes))
        & (activity[ENGAGED].to_numpy() == 0),
        INFORMATIONAL: paged & info,
        SCHEDULED: np.asarray(on_schedule, dtype=bool)
        & np.where(ack_rec, untouched, cleared_alone),
        # an info-severity alert is informational by its own rule's account: ended and left
        # alone (or where people are not recorded) it is non-paging noise without an ack log
        LOW_URGENCY: ~paged & has_end & (untouched | (info & quiet)),
        LONG_STANDING: (age_min >= t.long_standing_hours * 60) & quiet,
    }
    known = {
        REDUNDANT: resolution <= t.episode_window_minutes,
        FLAPPING: resolve_rec & (resolution <= t.flap_window_minutes),
        TRANSIENT: has_end & (resolution <= t.transient_minutes),
        UNACKED_PAGE: human_response,
        # a person closing it within minutes of its start leaves no room for work even where
        # the other actions are not recorded
        ACK_AND_FORGET: (ack_rec | (resolved_by == "human")) & has_end,
        INFORMATIONAL: paged_rec & (severity != "unknown"),
        SCHEDULED: np.asarray(schedule_testable, dtype=bool) & (ack_rec | has_end),
        LOW_URGENCY: human_response | (paged_rec & ~paged & info),
        LONG_STANDING: resolve_rec,
    }
    index = alerts.index
    values = pd.DataFrame(value, index=index)
    knowns = pd.DataFrame(known, index=index)
    return Signals(value=values & knowns, known=knowns)


def flapping_firings(alerts: pd.DataFrame, window: pd.Timedelta) -> np.ndarray:
    """True where the same rule on the same service re-fired within ``window`` after every
    earlier firing had resolved, for both the re-firing and the firing it follows."""
    keys = [Alerts.source, Alerts.rule_key, Alerts.service]
    code = alerts.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    created = pd.DatetimeIndex(alerts[Alerts.created_at]).as_unit("ns").asi8
    resolved = pd.DatetimeIndex(alerts[Alerts.resolved_at]).as_unit("ns")
    # an unresolved firing never ends: nothing re-fires after it
    resolved_ns = np.where(resolved.isna(), np.iinfo(np.int64).max, resolved.asi8)
    order = np.lexsort((created, code))
    c, t0, t1 = code[order], created[order], resolved_ns[order]
    latest_end = pd.Series(t1).groupby(c).cummax().to_numpy()
    prev_end = np.empty_like(latest_end)
    prev_end[1:] = latest_end[:-1]
    same = np.zeros(len(order), dtype=bool)
    same[1:] = c[1:] == c[:-1]
    refire = same & (prev_end <= t0) & (t0 - prev_end <= window.value)
    # the firing just before a re-fire is half of the flap too
    before = np.zeros(len(order), dtype=bool)
    before[:-1] = refire[1:]
    flagged = np.empty(len(order), dtype=bool)
    flagged[order] = refire | before
    return flagged


def _age_minutes(alerts: pd.DataFrame) -> np.ndarray:
    """Minutes each alert stayed open; open alerts count until the latest time in the data."""
    created = alerts[Alerts.created_at]
    if created.empty:
        return np.array([], dtype=float)
    end = pd.concat([created, alerts[Alerts.resolved_at].dropna()]).max()
    age = alerts[Alerts.resolved_at].fillna(end) - created
    return np.asarray(age.dt.total_seconds().to_numpy(dtype=float) / 60, dtype=float)
