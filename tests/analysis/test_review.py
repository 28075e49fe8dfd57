"""The weekly operational review dataset and the maturity level it reports."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from alertlens.analysis.pipeline import metrics_analysis
from alertlens.analysis.review.weekly import weekly_review
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.trends.maturity import runbook_share
from alertlens.ingest.schema import Rules
from tests.analysis import metrics_frames as mf

W40_MONDAY = pd.Timestamp("2026-09-28T10:00:00Z")
RULES = ("DiskFull", "CPUHigh", "MemHigh")


def _eight_weeks() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """3 incidents a week for weeks 40–47 of 2026, MTTR falling 400 s a week from 3600 s;
    each paged by one alert of its rule and notifying alice at 03:00 UTC."""
    incidents, alerts, notes = [], [], []
    for week in range(8):
        for n, rule in enumerate(RULES):
            created = W40_MONDAY + pd.Timedelta(days=7 * week, hours=n)
            iid = f"w{week}-{n}"
            incidents.append(
                {
                    "incident_id": iid,
                    "team": "ops",
                    "service": "api",
                    "title": f"{rule} alarm",
                    "severity": "high" if n == 0 else "warning",
                    "reported_by": "alert",
                    "created_at": created.isoformat(),
                    "acknowledged_at": (created + pd.Timedelta(seconds=300)).isoformat(),
                    "resolved_at": (created + pd.Timedelta(seconds=3600 - 400 * week)).isoformat(),
                }
            )
            labels = {"runbook_url": "https://runbooks/disk"} if rule == "DiskFull" else {}
            alerts.append(
                {
                    "source": "pagerduty",
                    "alert_id": f"a-{iid}",
                    "incident_id": iid,
                    "rule_key": rule,
                    "title": f"{rule} alarm",
                    "service": "api",
                    "created_at": created.isoformat(),
                    "paged": True,
                    "labels": json.dumps(labels),
                }
            )
            night = created.normalize() + pd.Timedelta(hours=3)
            notes.append(
                {"at": night.isoformat(), "user": "alice", "channel": "phone", "incident_id": iid}
            )
    return mf.incidents(incidents), mf.alerts(alerts), mf.notifications(notes)


def test_weekly_review_compares_this_week_with_the_last_and_the_four_week_average() -> None:
    incidents, alerts, notes = _eight_weeks()
    rules = pd.DataFrame(
        {Rules.rule_key: ["DiskFull", "CPUHigh", "MemHigh"], Rules.noise_share: [0.1, 0.9, 0.5]}
    )
    review = weekly_review(incidents, alerts, notes, week="2026-W47", rules=rules)
    json.dumps(review, allow_nan=False)
    mttr = review["headlines"]["mttr_median"]
    assert mttr["this_week"] == 800.0  # 3600 - 7 * 400
    assert mttr["previous_week"] == 1200.0
    assert mttr["four_week_average"] == 1800.0  # weeks 43–46: 2400, 2000, 1600, 1200
    assert mttr["trend"]["verdict"] == "getting better"
    assert review["headlines"]["incidents"]["this_week"] == 3.0
    assert review["headlines"]["incidents"]["trend"]["verdict"] == "no significant trend"
    assert review["headlines"]["sleep_interruptions"]["this_week"] == 3.0
    assert review["headlines"]["noise_share"]["this_week"] is None  # not given
    assert [i["incident_id"] for i in review["incidents"]] == ["w7-0", "w7-1", "w7-2"]
    assert all(i["is_repeat"] for i in review["incidents"])  # each rule fired 7 days before
    assert {r["previous_id"] for r in review["recurrences"]} == {"w6-0", "w6-1", "w6-2"}
    assert [r["rule_key"] for r in review["noisiest_rules"]] == ["CPUHigh", "MemHigh", "DiskFull"]


def test_weekly_review_only_looks_at_history_up_to_its_week() -> None:
    incidents, alerts, notes = _eight_weeks()
    review = weekly_review(incidents, alerts, notes, week="2026-W42")
    assert review["weeks_of_history"] == 3
    assert review["headlines"]["mttr_median"]["this_week"] == 2800.0
    assert review["headlines"]["mttr_median"]["trend"]["verdict"] == "insufficient data"
    with pytest.raises(ValueError, match="2026-W47"):
        weekly_review(incidents, alerts, notes, week="2026-47")


def test_maturity_level_shows_each_criterion_with_its_numbers() -> None:
    incidents, alerts, notes = _eight_weeks()
    result = metrics_analysis(incidents, alerts, notes, noise_share=0.2)
    maturity = result.summary["maturity"]
    by_name = {c["name"]: c for c in maturity["criteria"]}
    assert by_name["incidents found by alerting"]["value"] == 1.0
    assert by_name["fast acknowledgement"]["value"] == 300.0
    assert by_name["severity levels in use"]["status"] == "met"
    assert by_name["runbooks linked from alerts"]["value"] == pytest.approx(1 / 3)
    assert by_name["runbooks linked from alerts"]["status"] == "not met"
    assert by_name["noise under control"]["status"] == "met"
    assert by_name["noise share trending down"]["status"] == "unknown"  # no weekly series
    assert by_name["postmortems on high-severity incidents"]["status"] == "unknown"
    assert maturity["level"] == 2
    assert maturity["next_level_blocked_by"] == ["runbooks linked from alerts"]


def test_unknown_criteria_stop_the_level_without_guessing() -> None:
    incidents, _, _ = _eight_weeks()
    unreported = incidents.assign(reported_by=None)
    result = metrics_analysis(unreported, mf.alerts([]), mf.notifications([]))
    maturity = result.summary["maturity"]
    assert maturity["level"] == 1
    assert maturity["next_level_undetermined"] is True
    assert maturity["next_level_blocked_by"] == ["incidents found by alerting (unknown)"]


def test_runbook_share_reads_labels_json() -> None:
    alerts = mf.alerts(
        [
            {"rule_key": "a", "created_at": "2026-11-16T10:00:00Z", "labels": '{"runbook": "x"}'},
            {"rule_key": "a", "created_at": "2026-11-16T11:00:00Z", "labels": "{}"},
            {"rule_key": "b", "created_at": "2026-11-16T10:00:00Z", "labels": "not json"},
        ]
    )
    assert runbook_share(alerts) == (0.5, 2)
    assert runbook_share(mf.alerts([])) == (None, 0)


def test_settings_mode_changes_the_review_population() -> None:
    incidents, alerts, notes = _eight_weeks()
    review = weekly_review(
        incidents, alerts, notes, week="2026-W47", settings=MetricsSettings(mode="opsgenie")
    )
    assert review["mode"] == "opsgenie"


def test_weeks_with_too_few_resolved_incidents_have_no_mttr() -> None:
    incidents, alerts, notes = _eight_weeks()
    last_week_open = incidents.assign(
        resolved_at=incidents["resolved_at"].where(~incidents["incident_id"].isin(["w7-1", "w7-2"]))
    )
    review = weekly_review(last_week_open, alerts, notes, week="2026-W47")
    assert review["headlines"]["mttr_median"]["this_week"] is None  # 1 of 3 resolved
    lenient = MetricsSettings(mttr_min_resolved_share=0.3)
    review = weekly_review(last_week_open, alerts, notes, week="2026-W47", settings=lenient)
    assert review["headlines"]["mttr_median"]["this_week"] == 800.0
