"""Each per-firing noise signal on tiny inline frames, including its threshold edges, and where
each is unknown because the data lacks the facts it needs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from alertlens.analysis.noise.activity import ENGAGED, HUMAN_ACK, human_activity
from alertlens.analysis.noise.signals import (
    ACK_AND_FORGET,
    INFORMATIONAL,
    LONG_STANDING,
    LOW_URGENCY,
    REDUNDANT,
    SCHEDULED,
    TRANSIENT,
    UNACKED_PAGE,
    Signals,
    firing_signals,
    flapping_firings,
)
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.ingest.schema import Alerts, Notifications
from tests.analysis.test_noise_frames import alerts_frame, notifications_frame

FLAPPING_SIGNAL = "flapping"

T = NoiseThresholds()
#: A source that records people (its alerts carry acknowledgements), unlike Alertmanager.
PEOPLE = "opsgenie"
# another alert of that source with an acknowledgement: "nobody acked" is known for its rows
ACKED_ELSEWHERE = {
    Alerts.source: PEOPLE,
    Alerts.created_at: 10_000,
    Alerts.acknowledged_at: 10_001,
    Alerts.resolved_at: 10_002,
}


def all_of(rows: list[dict], notifications: pd.DataFrame | None = None, **kw: Any) -> Signals:
    alerts = alerts_frame([*({Alerts.source: PEOPLE} | r for r in rows), ACKED_ELSEWHERE])
    thresholds = NoiseThresholds(**kw) if kw else T
    activity = human_activity(alerts, notifications)
    none = np.zeros(len(alerts), dtype=bool)
    found = firing_signals(alerts, activity, none, none, none, thresholds)
    return Signals(found.value.iloc[:-1], found.known.iloc[:-1])


def signals_of(
    rows: list[dict], notifications: pd.DataFrame | None = None, **kw: Any
) -> pd.DataFrame:
    return all_of(rows, notifications, **kw).value


@pytest.mark.parametrize(("minutes", "expected"), [(14.9, True), (15.0, True), (15.1, False)])
def test_transient_is_an_auto_resolve_within_the_threshold(minutes: float, expected: bool) -> None:
    row = {Alerts.created_at: 0, Alerts.resolved_at: minutes, Alerts.resolved_by: "auto"}
    assert signals_of([row])[TRANSIENT].tolist() == [expected]


def test_transient_needs_nobody_to_act() -> None:
    base = {Alerts.created_at: 0, Alerts.resolved_at: 3, Alerts.resolved_by: "auto"}
    acked = {**base, Alerts.acknowledged_at: 1}
    human = {**base, Alerts.resolved_by: "human"}
    assert signals_of([base, acked, human])[TRANSIENT].tolist() == [True, False, False]


def test_transient_threshold_is_configurable() -> None:
    row = {Alerts.created_at: 0, Alerts.resolved_at: 4, Alerts.resolved_by: "auto"}
    assert signals_of([row], transient_minutes=3.0)[TRANSIENT].tolist() == [False]


def test_flapping_marks_a_refire_within_the_window_and_the_firing_before_it() -> None:
    rows = [
        {Alerts.created_at: 0, Alerts.resolved_at: 5},
        {Alerts.created_at: 35, Alerts.resolved_at: 40},  # 30 min after: edge, flaps
        {Alerts.created_at: 71, Alerts.resolved_at: 75},  # 31 min after: no
    ]
    assert flapping_firings(alerts_frame(rows), pd.Timedelta(minutes=30)).tolist() == [
        True,
        True,
        False,
    ]


def test_flapping_ignores_overlaps_other_rules_and_other_services() -> None:
    rows: list[dict[str, Any]] = [
        {Alerts.created_at: 0, Alerts.resolved_at: 50},
        {Alerts.created_at: 10, Alerts.resolved_at: 20},  # still open before: a second host
        {Alerts.created_at: 55, Alerts.resolved_at: 60, Alerts.rule_key: "other"},
        {Alerts.created_at: 56, Alerts.resolved_at: 60, Alerts.service: "elsewhere"},
    ]
    assert not flapping_firings(alerts_frame(rows), pd.Timedelta(minutes=30)).any()


def test_flapping_does_not_follow_an_unresolved_firing() -> None:
    rows = [{Alerts.created_at: 0}, {Alerts.created_at: 5, Alerts.resolved_at: 6}]
    assert not flapping_firings(alerts_frame(rows), pd.Timedelta(minutes=30)).any()


@pytest.mark.parametrize(("minutes", "expected"), [(5.0, True), (5.5, False)])
def test_ack_and_forget_is_ack_then_resolve_within_the_threshold(
    minutes: float, expected: bool
) -> None:
    row = {
        Alerts.created_at: 0,
        Alerts.acknowledged_at: 2,
        Alerts.resolved_at: 2 + minutes,
        Alerts.resolved_by: "human",
    }
    assert signals_of([row])[ACK_AND_FORGET].tolist() == [expected]


def test_ack_and_forget_is_cancelled_by_any_other_human_action() -> None:
    row = {
        Alerts.created_at: 0,
        Alerts.acknowledged_at: 1,
        Alerts.resolved_at: 2,
        Alerts.resolved_by: "human",
        Alerts.alert_id: "x",
    }
    events = notifications_frame(
        [
            {
                Notifications.source: PEOPLE,
                Notifications.at: 1.5,
                Notifications.kind: "annotate",
                Notifications.alert_id: "x",
            }
        ]
    )
    activity = human_activity(alerts_frame([{**row, Alerts.source: PEOPLE}]), events)
    assert activity[ENGAGED].tolist() == [1]
    assert signals_of([row], events)[ACK_AND_FORGET].tolist() == [False]


def test_incident_level_events_reach_every_alert_of_the_incident() -> None:
    rows = [
        {Alerts.created_at: 0, Alerts.incident_id: "P1"},
        {Alerts.created_at: 1, Alerts.incident_id: "P1"},
        {Alerts.created_at: 2, Alerts.incident_id: "P2"},
    ]
    events = notifications_frame(
        [
            {
                Notifications.at: 3,
                Notifications.kind: "acknowledge",
                Notifications.incident_id: "P1",
            },
            # a system escalation is not a human action
            {
                Notifications.at: 3,
                Notifications.kind: "escalate",
                Notifications.incident_id: "P2",
                Notifications.agent_type: "timeout",
                Notifications.user: None,
            },
        ]
    )
    activity = human_activity(alerts_frame(rows), events)
    assert activity[HUMAN_ACK].tolist() == [True, True, False]
    assert activity[ENGAGED].tolist() == [0, 0, 0]


def test_unacknowledged_page_however_long_it_lived() -> None:
    base = {Alerts.created_at: 0, Alerts.resolved_at: 60, Alerts.resolved_by: "timeout"}
    rows = [
        base,
        {**base, Alerts.resolved_at: 9 * 60},  # long-lived, nobody looked: still noise
        {**base, Alerts.paged: False},
        {**base, Alerts.acknowledged_at: 5},
    ]
    assert signals_of(rows)[UNACKED_PAGE].tolist() == [True, True, False, False]


def test_low_urgency_is_a_notification_nobody_acted_on() -> None:
    base = {Alerts.created_at: 0, Alerts.resolved_at: 45, Alerts.paged: False}
    rows = [
        {**base, Alerts.resolved_by: "auto"},
        {**base, Alerts.resolved_by: "human"},  # closed next morning, never acknowledged
        {**base, Alerts.acknowledged_at: 30, Alerts.resolved_by: "human"},
        {**base, Alerts.paged: True, Alerts.resolved_by: "auto"},
    ]
    assert signals_of(rows)[LOW_URGENCY].tolist() == [True, True, False, False]


def test_no_acknowledgement_data_is_not_unacknowledged() -> None:
    """Alertmanager knows nothing of people: every response signal is unknown there, and so
    is it for a PagerDuty incident whose log was not exported."""
    row = {Alerts.created_at: 0, Alerts.resolved_at: 60, Alerts.resolved_by: "auto"}
    alerts = alerts_frame(
        [{**row, Alerts.source: "alertmanager"}, {**row, Alerts.incident_id: "P"}]
    )
    activity = human_activity(alerts, None)
    none = np.zeros(2, dtype=bool)
    found = firing_signals(alerts, activity, none, none, none, T)
    for signal in (UNACKED_PAGE, LOW_URGENCY):
        assert found.known[signal].tolist() == [False, False]
        assert found.value[signal].tolist() == [False, False]
    logged = notifications_frame(
        [
            {
                Notifications.at: 0,
                Notifications.kind: "trigger",
                Notifications.incident_id: "P",
                Notifications.agent_type: "service",
                Notifications.user: None,
            }
        ]
    )
    found = firing_signals(alerts, human_activity(alerts, logged), none, none, none, T)
    assert found.known[UNACKED_PAGE].tolist() == [False, True]
    assert found.value[UNACKED_PAGE].tolist() == [False, True]


def test_no_resolve_time_is_not_open() -> None:
    """A source that never records resolve times (a mapped CSV of events) cannot show an
    alert staying open: long-standing, flapping and transient are unknown, not true."""
    rows = [
        {Alerts.source: "csv", Alerts.created_at: 0},
        {Alerts.source: "csv", Alerts.created_at: 60 * 48 + 7.5},
    ]
    alerts = alerts_frame(rows)
    none = np.zeros(2, dtype=bool)
    found = firing_signals(alerts, human_activity(alerts, None), none, none, none, T)
    for signal in (LONG_STANDING, FLAPPING_SIGNAL, TRANSIENT):
        assert not found.known[signal].any()
        assert not found.value[signal].any()
    assert found.known[REDUNDANT].all()


def test_scheduled_needs_a_testable_rule_and_nobody_acting() -> None:
    rows = [{Alerts.created_at: 0}, {Alerts.created_at: 0, Alerts.acknowledged_at: 1}]
    alerts = alerts_frame([{Alerts.source: PEOPLE} | r for r in rows])
    activity = human_activity(alerts, None)
    on = np.ones(2, dtype=bool)
    none = np.zeros(2, dtype=bool)
    found = firing_signals(alerts, activity, none, on, on, T)
    assert found.value[SCHEDULED].tolist() == [True, False]
    assert not firing_signals(alerts, activity, none, on, none, T).known[SCHEDULED].any()


def test_informational_is_a_low_severity_page() -> None:
    rows = [
        {Alerts.created_at: 0, Alerts.severity: "info"},
        {Alerts.created_at: 0, Alerts.severity: "info", Alerts.paged: False},
        {Alerts.created_at: 0, Alerts.severity: "info", Alerts.paged: None},
        {Alerts.created_at: 0, Alerts.severity: "critical"},
    ]
    assert signals_of(rows)[INFORMATIONAL].tolist() == [True, False, False, False]
    warning = [{Alerts.created_at: 0, Alerts.severity: "warning"}]
    assert signals_of(warning, informational_severities=("info", "warning"))[INFORMATIONAL].all()


@pytest.mark.parametrize(("hours", "expected"), [(23.9, False), (24.0, True)])
def test_long_standing_is_open_past_the_threshold_untouched(hours: float, expected: bool) -> None:
    row = {Alerts.created_at: 0, Alerts.resolved_at: hours * 60, Alerts.resolved_by: "timeout"}
    assert signals_of([row])[LONG_STANDING].tolist() == [expected]


def test_an_open_alert_ages_until_the_end_of_the_data() -> None:
    """Where the source records resolve times, an alert without one is still open."""
    rows = [{Alerts.created_at: 0}, {Alerts.created_at: 25 * 60, Alerts.resolved_at: 25 * 60 + 1}]
    assert signals_of(rows)[LONG_STANDING].tolist() == [True, False]


def test_times_bucketed_by_the_hour_cannot_show_minutes() -> None:
    """An export that records starts to the hour cannot tell a co-firing within minutes."""
    rows = [{Alerts.source: "csv", Alerts.created_at: 60 * h} for h in range(3)]
    alerts = alerts_frame(rows)
    none = np.zeros(3, dtype=bool)
    found = firing_signals(alerts, human_activity(alerts, None), none, none, none, T)
    assert not found.known[REDUNDANT].any()
