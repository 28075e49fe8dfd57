"""[metrics] / [responders] parsing."""

from __future__ import annotations

import pandas as pd
import pytest

from alertlens.analysis.settings import MetricsSettings, SettingsError, metrics_settings


def test_defaults_follow_pagerduty_and_the_google_sre_budget() -> None:
    s = MetricsSettings()
    assert (s.mode, s.sre_budget, s.shift_hours, s.alpha) == ("pagerduty", 2, 12, 0.05)
    assert s.zone_of("anyone") == "UTC"


def test_from_mapping_reads_durations_and_zones() -> None:
    s = metrics_settings(
        {"mode": "opsgenie", "recurrence_window": "3D", "notification_dedup_window": "5min"},
        {"alice": "Europe/Berlin", "default_timezone": "America/New_York"},
    )
    assert s.mode == "opsgenie"
    assert s.recurrence_window == pd.Timedelta(days=3)
    assert s.notification_dedup_window == pd.Timedelta(minutes=5)
    assert s.zone_of("alice") == "Europe/Berlin"
    assert s.zone_of("bob") == "America/New_York"


@pytest.mark.parametrize(
    ("metrics", "responders", "message"),
    [
        ({"mttr_mode": "x"}, {}, "unknown key"),
        ({"mode": "grafana"}, {}, "mode = 'grafana': expected one of"),
        ({"recurrence_window": "soon"}, {}, "not a duration"),
        ({}, {"alice": "Mars/Olympus"}, "unknown time zone"),
        ({"shift_hours": 7}, {}, "shift_hours"),
        ({"alpha": 2}, {}, "alpha"),
        ({"sre_budget": "2"}, {}, "sre_budget = '2': Input should be a valid integer"),
        ({"alpha": True}, {}, "alpha = True: Input should be a valid number"),
    ],
)
def test_bad_settings_are_rejected_with_a_clear_message(metrics, responders, message) -> None:
    with pytest.raises(SettingsError, match=message):
        metrics_settings(metrics, responders)
