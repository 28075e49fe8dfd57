"""Rule identity from the strongest evidence an alert carries, and template slots learnt from
the titles (tiny inline frames)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from alertlens.analysis.noise.identity import (
    BASIS,
    RULE_NAME,
    TEMPLATE,
    IdentitySteps,
    rule_identity,
)
from alertlens.ingest.schema import Alerts
from tests.analysis.test_noise_frames import alerts_frame

HASH_A = "3fa2b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6"
HASH_B = "0bd1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a63fa2b9"


def _identity(
    rows: Sequence[Mapping[str, Any]], steps: IdentitySteps | None = None
) -> pd.DataFrame:
    return rule_identity(alerts_frame(rows), steps or IdentitySteps())


def _labels(**labels: str) -> str:
    return json.dumps(labels, sort_keys=True, separators=(",", ":"))


def test_alertname_service_and_severity_name_a_prometheus_rule() -> None:
    """Topic, queue, instance and pod say where the rule fired, not which rule."""
    rows = [
        {
            Alerts.source: "alertmanager",
            Alerts.service: "orders",
            Alerts.title: f"Consumer lag 120 on {topic}",
            Alerts.labels: _labels(
                alertname="KafkaConsumerLag",
                severity="warning",
                topic=topic,
                instance=f"kafka-{i}:9100",
            ),
        }
        for i, topic in enumerate(["orders.v2", "payments.events", "shipments", "orders.v2"])
    ]
    rows.append(
        {
            **rows[0],
            Alerts.labels: _labels(
                alertname="KafkaConsumerLag", severity="critical", topic="orders.v2"
            ),
        }
    )
    out = _identity(rows)
    assert out[Alerts.rule_key].nunique() == 2  # the warning rule and the critical one
    assert (out[BASIS] == "alertname").all()
    assert out.loc[0, RULE_NAME] == "KafkaConsumerLag · orders"


def test_pagerduty_event_details_name_the_rule() -> None:
    rows = [
        {
            Alerts.title: "Queue depth 1200 on email-outbound",
            Alerts.labels: _labels(alertname="QueueDepthHigh", queue="email-outbound"),
        },
        {
            Alerts.title: "Queue depth 90 on webhook-retry",
            Alerts.labels: _labels(alertname="QueueDepthHigh", queue="webhook-retry"),
        },
        {Alerts.title: "p99 latency 900ms", Alerts.labels: _labels(monitor_id="123456")},
        {Alerts.title: "p99 latency 950ms", Alerts.labels: _labels(monitor_id="654321")},
    ]
    out = _identity(rows)
    assert out[Alerts.rule_key].nunique() == 3
    assert out[BASIS].tolist() == ["alertname", "alertname", "monitor", "monitor"]
    assert out.loc[0, RULE_NAME] == "QueueDepthHigh · svc"
    assert out.loc[0, TEMPLATE] == "Queue depth <*> on <*>"  # the queue varies across the rule


def test_hashed_titles_stay_apart_and_never_become_a_bare_slot() -> None:
    """Anonymised exports name their alerts by a 40-hex digest: each digest is a rule."""
    rows = [{Alerts.title: HASH_A}] * 3 + [{Alerts.title: HASH_B}] * 2
    out = _identity(rows)
    assert out[Alerts.rule_key].nunique() == 2
    assert set(out[TEMPLATE]) == {HASH_A, HASH_B}
    assert (out[BASIS] == "template").all()


def test_a_hash_that_changes_every_firing_is_a_slot() -> None:
    hashes = [f"{i:040x}".replace("0", "a", 3) for i in range(5)]
    out = _identity([{Alerts.title: f"Stream {h} stalled"} for h in hashes])
    assert out[Alerts.rule_key].nunique() == 1
    assert out.loc[0, TEMPLATE] == "Stream <*> stalled"


def test_a_word_that_varies_across_otherwise_equal_titles_is_a_slot() -> None:
    topics = ["orders", "payments", "shipments", "clicks"]
    rows = [{Alerts.title: f"Consumer lag high on topic {t} partition 3"} for t in topics]
    rows.append({Alerts.title: "Disk almost full on db"})
    merged = _identity(rows)
    assert merged[Alerts.rule_key].nunique() == 2
    assert merged.loc[0, TEMPLATE] == "Consumer lag high on topic <*> partition <*>"
    plain = _identity(rows, IdentitySteps(slots=False))
    assert plain[Alerts.rule_key].nunique() == 5


def test_two_values_are_two_rules_not_a_slot() -> None:
    rows = [{Alerts.title: "Replica lag on primary"}, {Alerts.title: "Replica lag on standby"}]
    assert _identity(rows)[Alerts.rule_key].nunique() == 2


def test_a_measured_subject_is_not_a_slot() -> None:
    """CPU, Memory and Disk in the first position are different checks."""
    rows = [{Alerts.title: f"{what} high on web-01"} for what in ("CPU", "Memory", "Disk")]
    assert _identity(rows)[Alerts.rule_key].nunique() == 3


def test_opsgenie_alias_shared_by_firings_names_the_rule() -> None:
    base = {Alerts.source: "opsgenie", Alerts.service: None, Alerts.team: "shop"}
    rows = [
        {**base, Alerts.title: "Checkout errors 3%", Alerts.labels: _labels(alias="checkout/5xx")},
        {**base, Alerts.title: "Checkout errors 7%", Alerts.labels: _labels(alias="checkout/5xx")},
        # an alias that is the alert's own id names nothing
        {
            **base,
            Alerts.alert_id: "id-1",
            Alerts.title: "Disk full on db-1",
            Alerts.labels: _labels(alias="id-1"),
        },
    ]
    out = _identity(rows)
    assert out[BASIS].tolist() == ["alias", "alias", "template"]
    assert out.loc[0, RULE_NAME] == "checkout/5xx"


def test_a_source_without_names_keeps_the_reader_key() -> None:
    rows = [{Alerts.source: "csv", Alerts.rule_key: "mapped-name", Alerts.title: "x 1"}]
    out = _identity(rows)
    assert out.loc[0, Alerts.rule_key] == "mapped-name"
    assert out.loc[0, BASIS] == "source"


def test_without_names_the_titles_decide() -> None:
    rows = [{Alerts.title: "Queue depth high", Alerts.labels: _labels(alertname="Q")}]
    out = _identity(rows, IdentitySteps(names=False))
    assert out.loc[0, BASIS] == "template"
