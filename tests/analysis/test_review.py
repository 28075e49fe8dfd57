"""The review: which week, what it counts, how it compares, and the maturity level it reports."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from alertlens.analysis.calendar import ReviewError
from alertlens.analysis.frames import Frames
from alertlens.analysis.pipeline import metrics_analysis
from alertlens.analysis.review import ReviewFigures, ReviewInputs, ReviewRequest, review_figures
from alertlens.analysis.settings import MetricsSettings, metrics_settings
from alertlens.analysis.summary import summary_json
from alertlens.analysis.trends.maturity import runbook_share
from alertlens.ingest.metrics_schema import Summary, WeeklyHeadlines
from alertlens.ingest.schema import MANIFEST_SCHEMA, QUARANTINE_SCHEMA
from tests.analysis import metrics_frames as mf

W40_MONDAY = pd.Timestamp("2026-09-28T10:00:00Z")
RULES = ("DiskFull", "CPUHigh", "MemHigh")
NOW = pd.Timestamp("2026-12-01T12:00:00Z")
W = WeeklyHeadlines


def _eight_weeks(teams: tuple[str, ...] = ("ops",)) -> Frames:
    """3 incidents a week per team for weeks 40–47 of 2026, MTTR falling 400 s a week from
    3600 s; each paged by one alert of its rule and notifying alice at 03:00 UTC."""
    incidents, alerts, notes = [], [], []
    for team in teams:
        for week in range(8):
            for n, rule in enumerate(RULES):
                created = W40_MONDAY + pd.Timedelta(days=7 * week, hours=n)
                iid = f"{team}-w{week}-{n}"
                incidents.append({
                    "incident_id": iid, "team": team, "service": "api",
                    "title": f"{rule} alarm", "severity": "high" if n == 0 else "warning",
                    "reported_by": "alert", "resolved_by": "human",
                    "created_at": created.isoformat(),
                    "acknowledged_at": (created + pd.Timedelta(seconds=300)).isoformat(),
                    "resolved_at": (created + pd.Timedelta(seconds=3600 - 400 * week)).isoformat(),
                })
                labels = {"runbook_url": "https://runbooks/disk"} if rule == "DiskFull" else {}
                alerts.append({"source": "pagerduty", "alert_id": f"a-{iid}", "incident_id": iid,
                               "rule_key": f"{team}-{rule}", "title": f"{rule} alarm",
                               "service": "api", "team": team, "created_at": created.isoformat(),
                               "paged": True, "labels": json.dumps(labels)})
                night = created.normalize() + pd.Timedelta(hours=3)
                notes.append({"at": night.isoformat(), "user": f"alice-{team}", "channel": "phone",
                              "incident_id": iid})
    return Frames(mf.alerts(alerts), mf.incidents(incidents), mf.notifications(notes))


def _inputs(frames: Frames) -> ReviewInputs:
    return ReviewInputs(frames, MANIFEST_SCHEMA.empty_table().to_pandas(),
                        QUARANTINE_SCHEMA.empty_table().to_pandas())


def _review(frames: Frames, request: ReviewRequest | None = None, *,
            settings: MetricsSettings | None = None, now: pd.Timestamp = NOW) -> ReviewFigures:
    return review_figures(_inputs(frames), request or ReviewRequest(),
                          settings=settings or MetricsSettings(), now=now)


def _headline(figures: ReviewFigures, key: str) -> tuple[float | None, ...]:
    h = next(h for h in figures.headlines if h.key == key)
    return h.comparison.this, h.comparison.previous, h.comparison.average_4w


@pytest.fixture(scope="module")
def week47() -> ReviewFigures:
    return _review(_eight_weeks(), ReviewRequest(week="2026-W47"))


def test_review_compares_with_last_week_and_the_four_week_average(week47: ReviewFigures) -> None:
    assert _headline(week47, W.mttr_median) == (800.0, 1200.0, 1800.0)  # W43–46: 2400…1200
    mttr = next(h for h in week47.headlines if h.key == W.mttr_median)
    assert mttr.trend.verdict == "getting better, confident" and mttr.trend.n == 8
    assert _headline(week47, W.incidents) == (3.0, 3.0, 3.0)
    incidents = next(h for h in week47.headlines if h.key == W.incidents)
    assert incidents.trend.verdict == "no clear change"
    assert _headline(week47, W.sleep_interruptions)[0] == 3.0
    assert [i.incident_id for i in week47.incidents] == ["ops-w7-0", "ops-w7-1", "ops-w7-2"]
    assert all(i.repeat for i in week47.incidents)  # each rule fired 7 days before


def test_every_figure_of_the_week_comes_from_one_population(week47: ReviewFigures) -> None:
    """The headline, the weekly table's row, the response section and the summary agree."""
    row = week47.weekly.set_index(W.week).loc["2026-W47"]
    for h in week47.headlines:
        assert h.comparison.this == (None if pd.isna(row[h.key]) else row[h.key]), h.key
    assert week47.response.incidents == len(week47.incidents) == row[W.incidents]
    assert week47.response.mttr.median == row[W.mttr_median]
    assert week47.response.acknowledged_share == row[W.acknowledged_share]
    summary = summary_json(week47.summary)
    assert summary[Summary.review_week] == "2026-W47" and summary[Summary.weeks] == 8
    assert summary[Summary.incidents] == 24 and summary[Summary.incidents_per_week] == 3.0
    for h in week47.headlines:
        assert summary[Summary.trends][h.key]["verdict"] == h.trend.verdict


def test_the_review_counts_history_up_to_its_week_only() -> None:
    early = _review(_eight_weeks(), ReviewRequest(week="2026-W42"))
    assert early.history.weeks == ("2026-W40", "2026-W41", "2026-W42")
    assert _headline(early, W.mttr_median)[0] == 2800.0
    mttr = next(h for h in early.headlines if h.key == W.mttr_median)
    assert mttr.trend.verdict == "not enough data" and mttr.trend.n == 3


@pytest.mark.parametrize(("week", "message"), [
    ("2026-47", "2026-W47"), ("2030-W01", "outside the data"), ("2026-W30", "outside the data"),
])
def test_a_week_outside_the_data_is_an_error(week: str, message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        _review(_eight_weeks(), ReviewRequest(week=week))


def test_a_quiet_week_inside_the_data_is_a_report_of_a_quiet_week() -> None:
    frames = _eight_weeks()
    quiet = frames.incidents[~frames.incidents["incident_id"].str.contains("-w5-")]
    alerts = frames.alerts[~frames.alerts["alert_id"].str.contains("-w5-")]
    figures = _review(Frames(alerts, quiet, frames.notifications),
                      ReviewRequest(week="2026-W45"))
    assert figures.quiet and figures.incidents == ()
    assert _headline(figures, W.incidents)[0] == 0.0
    assert any(n.startswith("A quiet week") for n in figures.notes)


@pytest.mark.parametrize(("now", "week"), [
    ("2026-12-01T12:00Z", "2026-W47"),  # W47 ended on Sunday 22 Nov
    ("2026-11-20T12:00Z", "2026-W46"),  # W47 still running
    ("2026-11-23T00:30Z", "2026-W47"),  # just past Sunday midnight UTC
])
def test_the_default_week_is_the_newest_ended_week_with_data(now: str, week: str) -> None:
    assert _review(_eight_weeks(), now=pd.Timestamp(now)).period.week == week


def test_the_week_ends_on_the_organisations_clock() -> None:
    """At 23:30 UTC on Sunday it is already Monday in Berlin (W47 ended) but not in New York."""
    now = pd.Timestamp("2026-11-22T23:30Z")
    berlin = metrics_settings({"timezone": "Europe/Berlin"})
    york = metrics_settings({"timezone": "America/New_York"})
    assert _review(_eight_weeks(), settings=berlin, now=now).period.week == "2026-W47"
    assert _review(_eight_weeks(), settings=york, now=now).period.week == "2026-W46"


def test_no_ended_week_yet_is_an_error_naming_the_week_to_ask_for() -> None:
    frames = _eight_weeks()
    last = frames.incidents[frames.incidents["incident_id"].str.contains("-w7-")]
    alerts = frames.alerts[frames.alerts["alert_id"].str.contains("-w7-")]
    with pytest.raises(ReviewError, match="--week 2026-W47"):
        _review(Frames(alerts, last, frames.notifications), now=pd.Timestamp("2026-11-19T12:00Z"))


def test_a_team_review_counts_only_that_team() -> None:
    frames = _eight_weeks(("ops", "web"))
    web = _review(frames, ReviewRequest(week="2026-W47", team="web"))
    assert web.team == "web" and {i.team for i in web.incidents} == {"web"}
    assert _headline(web, W.incidents)[0] == 3.0
    assert web.summary.incidents == 24 and {r.responder for r in web.responders} == {"alice-web"}
    everyone = _review(frames, ReviewRequest(week="2026-W47"))
    assert _headline(everyone, W.incidents)[0] == 6.0
    with pytest.raises(ReviewError, match="no team named 'db'; teams: ops, web"):
        _review(frames, ReviewRequest(team="db"))


def test_a_period_is_compared_with_the_period_before() -> None:
    figures = _review(_eight_weeks(), ReviewRequest(since=date(2026, 11, 2),
                                                    until=date(2026, 11, 15)))
    assert figures.period.label == "2026-11-02 to 2026-11-15"
    assert figures.period.previous.label == "2026-10-19 to 2026-11-01"
    assert _headline(figures, W.incidents) == (6.0, 6.0, None)
    # weeks 45 and 46 resolve in 1600 and 1200 s; 43 and 44 in 2400 and 2000 s
    assert _headline(figures, W.mttr_median) == (1400.0, 2200.0, None)
    with pytest.raises(ReviewError, match="outside the data"):
        _review(_eight_weeks(), ReviewRequest(since=date(2027, 1, 1), until=date(2027, 1, 31)))


def test_weeks_with_too_few_resolved_incidents_have_no_mttr() -> None:
    frames = _eight_weeks()
    open_last = frames.incidents.assign(resolved_at=frames.incidents["resolved_at"].where(
        ~frames.incidents["incident_id"].isin(["ops-w7-1", "ops-w7-2"])))
    frames = Frames(frames.alerts, open_last, frames.notifications)
    figures = _review(frames, ReviewRequest(week="2026-W47"))
    assert _headline(figures, W.mttr_median)[0] is None  # 1 of 3 resolved: pending
    assert figures.response.mttr.censored == 2
    assert any("pending" in text for _, text in figures.response.warnings)
    lenient = _review(frames, ReviewRequest(week="2026-W47"),
                      settings=MetricsSettings(mttr_min_resolved_share=0.3))
    # Kaplan–Meier: the data ends when the last incident opened (12:00), so the open ones are
    # censored at 1 h and 0 s: 800 s is where survival first halves.
    assert _headline(lenient, W.mttr_median)[0] == 800.0
    assert lenient.response.mttr.censored == 2 and lenient.response.mttr.count == 1


def test_settings_mode_changes_the_population() -> None:
    figures = _review(_eight_weeks(), ReviewRequest(week="2026-W47"),
                      settings=MetricsSettings(mode="opsgenie"))
    assert figures.summary.mode == "opsgenie"


def test_maturity_level_shows_each_criterion_with_its_numbers() -> None:
    result = metrics_analysis(_eight_weeks())
    maturity = result.summary.maturity
    by_name = {c.name: c for c in maturity.criteria}
    assert by_name["incidents found by alerting"].value == 1.0
    assert by_name["fast acknowledgement"].value == 300.0
    assert by_name["severity levels in use"].status == "met"
    assert by_name["runbooks linked from alerts"].value == pytest.approx(1 / 3)
    assert by_name["runbooks linked from alerts"].status == "not met"
    assert by_name["noise share trending down"].status == "unknown"  # no noise analysis
    assert by_name["postmortems on high-severity incidents"].status == "unknown"
    assert maturity.level == 2
    assert maturity.next_level_blocked_by == ("runbooks linked from alerts",
                                              "noise under control (unknown)")


def test_fast_acknowledgement_needs_half_of_all_incidents_acknowledged() -> None:
    frames = _eight_weeks()
    half = frames.incidents.assign(acknowledged_at=frames.incidents["acknowledged_at"].where(
        frames.incidents["severity"] == "high"))
    result = metrics_analysis(Frames(frames.alerts, half, frames.notifications))
    fast = next(c for c in result.summary.maturity.criteria if c.name == "fast acknowledgement")
    assert fast.status == "not met" and fast.value is None
    assert "8 of 24" in fast.detail


def test_unknown_criteria_stop_the_level_without_guessing() -> None:
    frames = _eight_weeks()
    unreported = frames.incidents.assign(reported_by=None)
    result = metrics_analysis(Frames(mf.alerts([]), unreported, mf.notifications([])))
    maturity = result.summary.maturity
    assert maturity.level == 1
    assert maturity.next_level_undetermined is True
    assert maturity.next_level_blocked_by == ("incidents found by alerting (unknown)",)


def test_runbook_share_reads_labels_json() -> None:
    alerts = mf.alerts([
        {"rule_key": "a", "created_at": "2026-11-16T10:00:00Z", "labels": '{"runbook": "x"}'},
        {"rule_key": "a", "created_at": "2026-11-16T11:00:00Z", "labels": "{}"},
        {"rule_key": "b", "created_at": "2026-11-16T10:00:00Z", "labels": "not json"},
    ])
    assert runbook_share(alerts) == (0.5, 2)
    assert runbook_share(mf.alerts([])) == (None, 0)
