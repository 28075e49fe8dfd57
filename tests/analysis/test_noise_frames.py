"""Builders of tiny canonical frames for the noise tests, plus a small seeded world with one rule
per behaviour (tests of the builders themselves are at the bottom)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from alertlens.ingest.schema import ALERTS_SCHEMA, NOTIFICATIONS_SCHEMA, Alerts, Notifications

T0 = pd.Timestamp("2025-03-03 00:00", tz="UTC")  # a Monday


def at(minutes: float) -> pd.Timestamp:
    """T0 plus ``minutes``."""
    return T0 + pd.Timedelta(minutes=minutes)


def alerts_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A canonical Alerts frame from partial rows; times may be given as minutes after T0."""
    defaults: dict[str, Any] = {
        Alerts.source: "pagerduty",
        Alerts.incident_id: None,
        Alerts.rule_key: "rule",
        Alerts.title: "Something on host-01",
        Alerts.service: "svc",
        Alerts.team: "team-a",
        Alerts.severity: "critical",
        Alerts.severity_raw: None,
        Alerts.acknowledged_at: None,
        Alerts.resolved_at: None,
        Alerts.resolved_by: "unknown",
        Alerts.paged: True,
        Alerts.labels: None,
        Alerts.dedup_count: 1,
        Alerts.version_at: None,
        Alerts.ingested_from: None,
    }
    records = []
    for i, row in enumerate(rows):
        record = {**defaults, Alerts.alert_id: f"a{i}", **row}
        for column in (Alerts.created_at, Alerts.acknowledged_at, Alerts.resolved_at):
            value = record.get(column)
            if isinstance(value, int | float) and not isinstance(value, bool):
                record[column] = at(value)
        records.append(record)
    frame = pd.DataFrame(records, columns=ALERTS_SCHEMA.names)
    for column in (
        Alerts.created_at,
        Alerts.acknowledged_at,
        Alerts.resolved_at,
        Alerts.version_at,
    ):
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    frame[Alerts.paged] = frame[Alerts.paged].astype("boolean")
    frame[Alerts.dedup_count] = frame[Alerts.dedup_count].astype("Int64")
    return frame


def notifications_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A canonical Notifications frame from partial rows (``at`` may be minutes after T0)."""
    defaults = {
        Notifications.source: "pagerduty",
        Notifications.user: "alice",
        Notifications.channel: None,
        Notifications.incident_id: None,
        Notifications.alert_id: None,
        Notifications.agent_type: "user",
        Notifications.version_at: None,
        Notifications.ingested_from: None,
    }
    records = []
    for i, row in enumerate(rows):
        record = {**defaults, Notifications.event_id: f"e{i}", **row}
        if isinstance(record[Notifications.at], int | float):
            record[Notifications.at] = at(record[Notifications.at])
        records.append(record)
    frame = pd.DataFrame(records, columns=NOTIFICATIONS_SCHEMA.names)
    for column in (Notifications.at, Notifications.version_at):
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    return frame


#: behaviour -> (firings per week, severity); every noisy behaviour of the brief plus real rules
BEHAVIOURS: dict[str, tuple[float, str]] = {
    "actionable": (6, "critical"),
    "transient": (30, "high"),
    "flapping": (8, "critical"),
    "ack_and_forget": (20, "high"),
    "duplicate": (0, "critical"),
    "informational": (15, "info"),
    "long_standing": (3, "warning"),
}


def small_world(seed: int, weeks: int = 4, copies: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(alerts, truth): ``copies`` rules of every behaviour over ``weeks`` weeks; duplicates
    shadow the actionable rule of the same copy. ``truth`` maps rule_key -> behaviour."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    truth: dict[str, str] = {}
    minutes = weeks * 7 * 24 * 60
    for copy in range(copies):
        actionable_starts: np.ndarray = np.array([])
        for behaviour, (rate, severity) in BEHAVIOURS.items():
            rule = f"{behaviour}-{copy}"
            truth[rule] = behaviour
            if behaviour == "duplicate":
                starts = actionable_starts + rng.uniform(0.1, 1.0, len(actionable_starts))
            else:
                starts = np.sort(rng.uniform(0, minutes, rng.poisson(rate * weeks)))
            if behaviour == "actionable":
                actionable_starts = starts
            for start in starts:
                rows.extend(_firings(rng, behaviour, rule, severity, float(start)))
    alerts = alerts_frame(rows)
    return alerts, pd.DataFrame({"rule_key": list(truth), "behaviour": list(truth.values())})


def _firings(
    rng: np.random.Generator, behaviour: str, rule: str, severity: str, start: float
) -> list[dict[str, Any]]:
    """The firing rows one start of ``behaviour`` produces (flapping gives a burst)."""
    base = {
        # a source the analysis has no rule names for keeps the given rule keys
        Alerts.source: "generic",
        Alerts.rule_key: rule,
        Alerts.severity: severity,
        Alerts.title: f"{rule} on web-0{rng.integers(9)}",
    }
    if behaviour in ("actionable", "duplicate"):
        ack = start + rng.uniform(1, 8)
        return [
            {
                **base,
                Alerts.created_at: start,
                Alerts.acknowledged_at: ack,
                Alerts.resolved_at: ack + rng.uniform(20, 120),
                Alerts.resolved_by: "human",
            }
        ]
    if behaviour == "transient":
        return [
            {
                **base,
                Alerts.created_at: start,
                Alerts.resolved_at: start + rng.uniform(1, 6),
                Alerts.resolved_by: "auto",
            }
        ]
    if behaviour == "flapping":
        out, t = [], start
        for _ in range(rng.integers(2, 6)):
            out.append(
                {
                    **base,
                    Alerts.created_at: t,
                    Alerts.resolved_at: t + rng.uniform(1, 4),
                    Alerts.resolved_by: "auto",
                }
            )
            t += rng.uniform(5, 12)
        return out
    if behaviour == "ack_and_forget":
        ack = start + rng.uniform(1, 5)
        return [
            {
                **base,
                Alerts.created_at: start,
                Alerts.acknowledged_at: ack,
                Alerts.resolved_at: ack + rng.uniform(0.5, 3),
                Alerts.resolved_by: "human",
            }
        ]
    if behaviour == "informational":
        return [
            {
                **base,
                Alerts.created_at: start,
                Alerts.resolved_at: start + rng.uniform(15, 90),
                Alerts.resolved_by: "auto",
            }
        ]
    return [
        {
            **base,
            Alerts.created_at: start,
            Alerts.resolved_at: start + rng.uniform(30, 80) * 60,
            Alerts.resolved_by: "timeout",
        }
    ]


def test_alerts_frame_has_the_canonical_columns_and_dtypes() -> None:
    frame = alerts_frame([{Alerts.created_at: 5, Alerts.resolved_at: 7}])
    assert list(frame.columns) == ALERTS_SCHEMA.names
    assert str(frame[Alerts.created_at].dtype) == "datetime64[us, UTC]"
    assert frame.loc[0, Alerts.resolved_at] - frame.loc[0, Alerts.created_at] == pd.Timedelta(
        minutes=2
    )


def test_small_world_is_reproducible_and_has_every_behaviour() -> None:
    alerts, truth = small_world(3)
    again, _ = small_world(3)
    pd.testing.assert_frame_equal(alerts, again)
    assert set(truth["behaviour"]) == set(BEHAVIOURS)
    assert alerts[Alerts.rule_key].nunique() == len(truth)
