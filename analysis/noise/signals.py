"""Per-firing noise signals: one boolean column per signal, one row per alert (same index).

Each signal is an explainable test with a threshold from ``NoiseThresholds``; docs/noise.md
defines them. Human activity comes from the alert's own ack/resolve columns plus the
notification log (events linked by alert id, or by incident id to every alert of the incident).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alertlens.analysis.noise.cofiring import PARTNER, POS, rule_codes
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.ingest.schema import Alerts, Notifications

TRANSIENT = "transient"
FLAPPING = "flapping"
ACK_AND_FORGET = "ack_and_forget"
UNACKED_SELF_RESOLVING = "unacked_self_resolving_page"
DUPLICATE = "duplicate"
INFORMATIONAL = "informational_page"
LONG_STANDING = "long_standing"
#: Every signal, in the order explanations prefer when several apply.
SIGNALS: tuple[str, ...] = (
    DUPLICATE,
    FLAPPING,
    TRANSIENT,
    UNACKED_SELF_RESOLVING,
    ACK_AND_FORGET,
    INFORMATIONAL,
    LONG_STANDING,
)

#: Columns of the per-alert activity frame.
HUMAN_ACK = "human_ack"
ENGAGED = "engaged_actions"  # human actions beyond ack and resolve (escalate, annotate, …)
REASSIGNED = "reassignments"
HUMAN_RESOLVED = "human_resolved"
HUMAN_ACTION = "human_action"
ACK_KNOWN = "ack_known"  # the alert's source records acknowledgements at all
DURATION_MIN = "duration_minutes"
ACK_MIN = "ack_minutes"

#: Human notification kinds that show someone worked on the alert, not just silenced it.
ENGAGED_KINDS = frozenset(
    {
        "escalate",
        "assign",
        "reassign",
        "annotate",
        "reopen",
        "snooze",
        "merge",
        "priority",
        "unacknowledge",
    }
)
REASSIGN_KINDS = frozenset({"reassign", "escalate"})
SELF_RESOLVED = ("auto", "timeout")


def human_activity(alerts: pd.DataFrame, notifications: pd.DataFrame | None) -> pd.DataFrame:
    """Per alert: human ack, count of engaged human actions and reassignments, human resolve,
    any human action, whether its source records acks, lifetime and minutes to acknowledge.

    A source without a single acknowledgement or human event (Alertmanager webhooks) cannot
    say whether anybody acted, so signals that need "nobody acted" treat it as unknown."""
    counts = _human_event_counts(alerts, notifications)
    acked = alerts[Alerts.acknowledged_at].notna().to_numpy() | (counts["acknowledge"] > 0)
    resolved_by_human = (alerts[Alerts.resolved_by] == "human").to_numpy() | (counts["resolve"] > 0)
    engaged = counts["engaged"]
    duration = (alerts[Alerts.resolved_at] - alerts[Alerts.created_at]).dt.total_seconds() / 60
    to_ack = (alerts[Alerts.acknowledged_at] - alerts[Alerts.created_at]).dt.total_seconds() / 60
    source = alerts[Alerts.source].to_numpy(dtype=object)
    human_any = acked | resolved_by_human | (engaged > 0)
    ack_known = np.isin(source, np.unique(source[human_any]))
    return pd.DataFrame(
        {
            HUMAN_ACK: acked,
            ACK_KNOWN: ack_known,
            ENGAGED: engaged,
            REASSIGNED: counts["reassign"],
            HUMAN_RESOLVED: resolved_by_human,
            HUMAN_ACTION: acked | resolved_by_human | (engaged > 0),
            DURATION_MIN: duration.to_numpy(dtype=float, na_value=np.nan),
            ACK_MIN: to_ack.to_numpy(dtype=float, na_value=np.nan),
        },
        index=alerts.index,
    )


def firing_signals(
    alerts: pd.DataFrame,
    activity: pd.DataFrame,
    duplicate_firing: np.ndarray,
    thresholds: NoiseThresholds,
) -> pd.DataFrame:
    """One boolean column per signal in ``SIGNALS``, indexed like ``alerts``.

    ``duplicate_firing`` marks firings that co-fired with the rule their rule duplicates
    (see ``correlation.duplicate_partners``)."""
    t = thresholds
    ack_known = activity[ACK_KNOWN].to_numpy(dtype=bool)
    # where acks are not recorded nobody can be shown to have acted: the duration decides alone
    untouched = ~ack_known | (~activity[HUMAN_ACK].to_numpy() & (activity[ENGAGED].to_numpy() == 0))
    duration = activity[DURATION_MIN].to_numpy()
    resolved_by = alerts[Alerts.resolved_by].to_numpy(dtype=object)
    paged = alerts[Alerts.paged].fillna(False).to_numpy(dtype=bool)
    after_ack = alerts[Alerts.resolved_at] - alerts[Alerts.acknowledged_at].fillna(
        alerts[Alerts.created_at]
    )
    after_ack_min = after_ack.dt.total_seconds().to_numpy(dtype=float, na_value=np.nan) / 60
    age_min = _age_minutes(alerts)
    signals = {
        TRANSIENT: (resolved_by == "auto") & (duration <= t.transient_minutes) & untouched,
        FLAPPING: flapping_firings(alerts, pd.Timedelta(minutes=t.flap_window_minutes)),
        ACK_AND_FORGET: activity[HUMAN_RESOLVED].to_numpy()
        & (after_ack_min <= t.ack_forget_minutes)
        & (activity[ENGAGED].to_numpy() == 0),
        UNACKED_SELF_RESOLVING: paged & ack_known & untouched & np.isin(resolved_by, SELF_RESOLVED),
        DUPLICATE: np.asarray(duplicate_firing, dtype=bool),
        INFORMATIONAL: paged
        & np.isin(alerts[Alerts.severity].to_numpy(dtype=object), t.informational_severities),
        LONG_STANDING: (age_min >= t.long_standing_hours * 60) & untouched,
    }
    return pd.DataFrame(signals, index=alerts.index)


def flapping_firings(alerts: pd.DataFrame, window: pd.Timedelta) -> np.ndarray:
    """True where the same rule on the same service re-fired within ``window`` after every earlier
    firing had resolved, for both the re-firing and the firing it follows."""
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


def duplicate_firings(alerts: pd.DataFrame, links: pd.DataFrame, partners: pd.Series) -> np.ndarray:
    """True where the alert's rule duplicates a partner rule and the partner fired with it
    (``links`` from ``correlation.cofiring_links``, already cut to the duplicate window)."""
    flagged = np.zeros(len(alerts), dtype=bool)
    if partners.empty or links.empty:
        return flagged
    codes, names = rule_codes(alerts)
    code_of = pd.Series(np.arange(len(names)), index=names)
    wanted = np.full(len(names), -1, dtype=np.int64)
    wanted[code_of[partners.index].to_numpy()] = code_of[partners.to_numpy()].to_numpy()
    pos = links[POS].to_numpy()
    hit = wanted[codes[pos]] == links[PARTNER].to_numpy()
    flagged[pos[hit]] = True
    return flagged


def _age_minutes(alerts: pd.DataFrame) -> np.ndarray:
    """Minutes each alert stayed open; open alerts count until the latest time in the data."""
    created = alerts[Alerts.created_at]
    if created.empty:
        return np.array([], dtype=float)
    end = pd.concat([created, alerts[Alerts.resolved_at].dropna()]).max()
    age = alerts[Alerts.resolved_at].fillna(end) - created
    return age.dt.total_seconds().to_numpy(dtype=float) / 60


def _human_event_counts(
    alerts: pd.DataFrame, notifications: pd.DataFrame | None
) -> dict[str, np.ndarray]:
    """Per alert position: counts of human acknowledge, resolve, engaged and reassign events."""
    columns = ("acknowledge", "resolve", "engaged", "reassign")
    out = {c: np.zeros(len(alerts), dtype=np.int64) for c in columns}
    if notifications is None or notifications.empty or alerts.empty:
        return out
    n = notifications
    agent = n[Notifications.agent_type].astype(object)
    human = (agent == "user") | (agent.isna() & n[Notifications.user].notna())
    n = n.loc[
        human.to_numpy(dtype=bool),
        [
            Notifications.source,
            Notifications.alert_id,
            Notifications.incident_id,
            Notifications.kind,
        ],
    ]
    keyed = pd.DataFrame(
        {
            "pos": np.arange(len(alerts)),
            Alerts.source: alerts[Alerts.source].to_numpy(dtype=object),
            Alerts.alert_id: alerts[Alerts.alert_id].to_numpy(dtype=object),
            Alerts.incident_id: alerts[Alerts.incident_id].to_numpy(dtype=object),
        }
    )
    by_alert = n[n[Notifications.alert_id].notna()].merge(
        keyed[["pos", Alerts.source, Alerts.alert_id]],
        left_on=[Notifications.source, Notifications.alert_id],
        right_on=[Alerts.source, Alerts.alert_id],
    )
    by_incident = n[n[Notifications.alert_id].isna() & n[Notifications.incident_id].notna()].merge(
        keyed.loc[keyed[Alerts.incident_id].notna(), ["pos", Alerts.source, Alerts.incident_id]],
        left_on=[Notifications.source, Notifications.incident_id],
        right_on=[Alerts.source, Alerts.incident_id],
    )
    events = pd.concat(
        [by_alert[["pos", Notifications.kind]], by_incident[["pos", Notifications.kind]]]
    )
    kind = events[Notifications.kind].astype(object)
    flags = pd.DataFrame(
        {
            "pos": events["pos"].to_numpy(),
            "acknowledge": (kind == "acknowledge").to_numpy(dtype=int),
            "resolve": (kind == "resolve").to_numpy(dtype=int),
            "engaged": kind.isin(ENGAGED_KINDS).to_numpy(dtype=int),
            "reassign": kind.isin(REASSIGN_KINDS).to_numpy(dtype=int),
        }
    )
    summed = flags.groupby("pos").sum()
    for column in columns:
        out[column][summed.index.to_numpy()] = summed[column].to_numpy()
    return out
