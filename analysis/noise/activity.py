"""What people did about each firing, and which facts the data can tell at all.

Missing data is not evidence: an export without acknowledgements cannot show that nobody
acknowledged, and one without resolve times cannot show that an alert stayed open. So next to
the human activity per firing this module says, per firing, which facts are *recorded*:

- ``ack_recorded``: whether the firing's source records acknowledgements and human actions for
  it. Alertmanager and Prometheus know nothing of people. PagerDuty empties an incident's
  ``acknowledgements[]`` once it resolves, so only an incident whose log entries were exported
  (or that was still acknowledged at export time) shows them. Any other source records them
  when it recorded at least one acknowledgement or human action anywhere.
- ``resolve_recorded``: whether the firing's end is known: it has a resolve time, or its
  source records resolve times (so a firing without one is still open at the end of the data).
- ``paged_recorded``: whether the source says if it paged.

Human activity per firing: acknowledgement (``acknowledged_at`` or a human acknowledge event),
human resolve, *engaged* actions (escalate, assign, reassign, annotate, reopen, snooze, merge,
priority, unacknowledge by a person). Events link by alert id, or by incident id to every alert
of the incident. Human = ``agent_type == "user"`` (or no agent type but a user).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from alertlens.ingest.schema import Alerts, Notifications

HUMAN_ACK: Final = "human_ack"
ENGAGED: Final = "engaged_actions"  # human actions beyond ack and resolve (escalate, annotate …)
REASSIGNED: Final = "reassignments"
HUMAN_RESOLVED: Final = "human_resolved"
HUMAN_ACTION: Final = "human_action"
ACK_RECORDED: Final = "ack_recorded"
RESOLVE_RECORDED: Final = "resolve_recorded"
PAGED_RECORDED: Final = "paged_recorded"
DURATION_MIN: Final = "duration_minutes"
ACK_MIN: Final = "ack_minutes"
RESOLUTION_MIN: Final = "time_resolution_minutes"  # how finely the source's clock is recorded

#: Sources that never record people (a webhook or rule evaluation knows nothing of them).
NO_PEOPLE: Final = frozenset({"alertmanager", "prometheus"})
#: Sources whose acknowledgements only their log shows once an incident has resolved.
ACKS_IN_LOG: Final = frozenset({"pagerduty"})

#: Human notification kinds that show someone worked on the alert, not just silenced it.
ENGAGED_KINDS: Final = frozenset(
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
REASSIGN_KINDS: Final = frozenset({"reassign", "escalate"})


def human_activity(alerts: pd.DataFrame, notifications: pd.DataFrame | None) -> pd.DataFrame:
    """Per alert (same index): human ack, engaged and reassign counts, human resolve, any human
    action, which facts are recorded, lifetime and minutes to acknowledge."""
    counts = _human_event_counts(alerts, notifications)
    acked = alerts[Alerts.acknowledged_at].notna().to_numpy() | (counts["acknowledge"] > 0)
    resolved_by_human = (alerts[Alerts.resolved_by] == "human").to_numpy() | (counts["resolve"] > 0)
    engaged = counts["engaged"]
    duration = (alerts[Alerts.resolved_at] - alerts[Alerts.created_at]).dt.total_seconds() / 60
    to_ack = (alerts[Alerts.acknowledged_at] - alerts[Alerts.created_at]).dt.total_seconds() / 60
    human_any = acked | resolved_by_human | (engaged > 0)
    return pd.DataFrame(
        {
            HUMAN_ACK: acked,
            ENGAGED: engaged,
            REASSIGNED: counts["reassign"],
            HUMAN_RESOLVED: resolved_by_human,
            HUMAN_ACTION: human_any,
            ACK_RECORDED: _ack_recorded(alerts, human_any, counts["logged"] > 0),
            RESOLVE_RECORDED: _resolve_recorded(alerts),
            PAGED_RECORDED: alerts[Alerts.paged].notna().to_numpy(),
            DURATION_MIN: duration.to_numpy(dtype=float, na_value=np.nan),
            ACK_MIN: to_ack.to_numpy(dtype=float, na_value=np.nan),
            RESOLUTION_MIN: time_resolution(alerts),
        },
        index=alerts.index,
    )


def time_resolution(alerts: pd.DataFrame) -> np.ndarray:
    """Per alert, in minutes: how finely its source records times (60 when every start of the
    source falls on the hour, as in an export bucketed by hour; 1 on the minute; else 0). A
    test whose window is finer than that cannot be made on its times."""
    created = pd.DatetimeIndex(alerts[Alerts.created_at])
    on_minute = (created.second == 0) & (created.microsecond == 0)
    on_hour = on_minute & (created.minute == 0)
    frame = pd.DataFrame(
        {"s": alerts[Alerts.source].to_numpy(dtype=object), "m": on_minute, "h": on_hour}
    )
    by_source = frame.groupby("s")[["m", "h"]].transform("all")
    resolution = np.where(by_source["h"], 60.0, np.where(by_source["m"], 1.0, 0.0))
    return np.asarray(resolution, dtype=float)


def _ack_recorded(alerts: pd.DataFrame, human_any: np.ndarray, logged: np.ndarray) -> np.ndarray:
    source = alerts[Alerts.source].astype(object).to_numpy()
    own = alerts[Alerts.acknowledged_at].notna().to_numpy()
    records_people = np.isin(source, np.unique(source[human_any]))
    by_log = np.isin(source, list(ACKS_IN_LOG))
    never = np.isin(source, list(NO_PEOPLE))
    out = np.where(by_log, logged | own, records_people)
    return np.asarray(out & ~never, dtype=bool)


def _resolve_recorded(alerts: pd.DataFrame) -> np.ndarray:
    """Resolved, or open in a source that records resolve times (so the gap means "open").

    A source records them when most of its firings carry one: an event stream whose recovery
    notices cover a quarter of its firings says nothing about how long the rest lasted."""
    source = pd.Series(alerts[Alerts.source].astype(object).to_numpy())
    resolved = alerts[Alerts.resolved_at].notna().to_numpy()
    share = pd.Series(resolved).groupby(source).transform("mean").to_numpy(dtype=float)
    return np.asarray(resolved | (share >= 0.5), dtype=bool)


def _human_event_counts(
    alerts: pd.DataFrame, notifications: pd.DataFrame | None
) -> dict[str, np.ndarray]:
    """Per alert position: counts of human acknowledge, resolve, engaged and reassign events,
    and of logged events of any kind (which show that its log was exported)."""
    columns = ("acknowledge", "resolve", "engaged", "reassign", "logged")
    out = {c: np.zeros(len(alerts), dtype=np.int64) for c in columns}
    if notifications is None or notifications.empty or alerts.empty:
        return out
    n = notifications
    agent = n[Notifications.agent_type].astype(object)
    human = ((agent == "user") | (agent.isna() & n[Notifications.user].notna())).to_numpy(bool)
    n = n[
        [
            Notifications.source,
            Notifications.alert_id,
            Notifications.incident_id,
            Notifications.kind,
        ]
    ].assign(human=human)
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
        [
            by_alert[["pos", Notifications.kind, "human"]],
            by_incident[["pos", Notifications.kind, "human"]],
        ]
    )
    kind = events[Notifications.kind].astype(object)
    human_event = events["human"].to_numpy(dtype=bool)
    flags = pd.DataFrame(
        {
            "pos": events["pos"].to_numpy(),
            "acknowledge": ((kind == "acknowledge").to_numpy() & human_event).astype(int),
            "resolve": ((kind == "resolve").to_numpy() & human_event).astype(int),
            "engaged": (kind.isin(ENGAGED_KINDS).to_numpy() & human_event).astype(int),
            "reassign": (kind.isin(REASSIGN_KINDS).to_numpy() & human_event).astype(int),
            "logged": np.ones(len(events), dtype=int),
        }
    )
    summed = flags.groupby("pos").sum()
    for column in columns:
        out[column][summed.index.to_numpy()] = summed[column].to_numpy()
    return out
