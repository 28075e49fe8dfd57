"""Each per-firing noise signal on tiny inline frames, including its threshold edges."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from alertlens.analysis.noise.signals import (
    ACK_AND_FORGET,
    ENGAGED,
    HUMAN_ACK,
    INFORMATIONAL,
    LONG_STANDING,
    TRANSIENT,
    UNACKED_SELF_RESOLVING,
    firing_signals,
    flapping_firings,
    human_activity,
)
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.ingest.schema import Alerts, Notifications
from tests.analysis.test_noise_frames import alerts_frame, notifications_frame

T = NoiseThresholds()
# a second source with an acknowledgement, so "nobody acked" is known for pagerduty rows
ACKED_ELSEWHERE = {Alerts.created_at: 10_000, Alerts.acknowledged_at: 10_001}


def signals_of(
    rows: list[dict], notifications: pd.DataFrame | None = None, **kw: Any
) -> pd.DataFrame:
    alerts = alerts_frame([*rows, ACKED_ELSEWHERE])
    thresholds = NoiseThresholds(**kw) if kw else T
    activity = human_activity(alerts, notifications)
    return firing_signals(alerts, activity, np.zeros(len(alerts), dtype=bool), thresholds).iloc[:-1]


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
        [{Notifications.at: 1.5, Notifications.kind: "annotate", Notifications.alert_id: "x"}]
    )
    alerts = alerts_frame([row])
    activity = human_activity(alerts, events)
    assert activity[ENGAGED].tolist() == [1]
    signals = firing_signals(alerts, activity, np.zeros(1, dtype=bool), T)
    assert signals[ACK_AND_FORGET].tolist() == [False]


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


def test_unacknowledged_self_resolving_page() -> None:
    base = {Alerts.created_at: 0, Alerts.resolved_at: 60, Alerts.resolved_by: "timeout"}
    rows = [base, {**base, Alerts.paged: False}, {**base, Alerts.acknowledged_at: 5}]
    assert signals_of(rows)[UNACKED_SELF_RESOLVING].tolist() == [True, False, False]


def test_a_source_that_never_records_acks_gets_no_unacknowledged_signal() -> None:
    row = {Alerts.created_at: 0, Alerts.resolved_at: 60, Alerts.resolved_by: "auto"}
    alerts = alerts_frame([row])
    activity = human_activity(alerts, None)
    signals = firing_signals(alerts, activity, np.zeros(1, dtype=bool), T)
    assert signals[UNACKED_SELF_RESOLVING].tolist() == [False]


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
    rows = [{Alerts.created_at: 0}, {Alerts.created_at: 25 * 60, Alerts.resolved_at: 25 * 60 + 1}]
    assert signals_of(rows)[LONG_STANDING].tolist() == [True, False]
