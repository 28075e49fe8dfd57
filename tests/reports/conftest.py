"""A small hand-built Report for renderer tests, with hostile text where data can put it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from alertlens.reports.charts import team_colors
from alertlens.reports.model import (
    BurnoutRow,
    Criterion,
    DataQuality,
    Headline,
    IncidentRow,
    LoadPoint,
    Maturity,
    NoiseAudit,
    NoisyRuleRow,
    OnCallLoad,
    ProjectionRow,
    QuarantineRow,
    RecurrenceRow,
    Report,
    ResponderRow,
    Response,
    ResponseRow,
    RunbookRow,
    SourceRow,
    SpreadRow,
    StormRow,
    WeekPoint,
)

XSS = "<script>alert(1)</script>"
DOLLAR = "Cost $5 per $GB exceeded"
HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
WEEKS = tuple(f"2026-W{w}" for w in range(36, 48))


def _rule(key: str, title: str, team: str, service: str, source: str, firings: int, pages: int,
          share: float, noise: int, reason: str, fix: str, kind: str) -> NoisyRuleRow:
    return NoisyRuleRow(key, title, team, service, source, firings, pages, share, noise, noise,
                        (reason,), fix, kind, "1")


def small_report() -> Report:
    """A Report with two teams, three noisy rules (one titled with a script tag), every section."""
    start = datetime(2026, 11, 16, tzinfo=UTC)
    teams = ("payments", "search")
    rules = (
        _rule("r1", XSS, "payments", "api", "pagerduty", 120, 90, 0.93, 84,
              "Resolved by itself within 5 minutes in 88 of 120 firings.",
              "Raise the threshold from 80 % to 90 % and require 10 minutes.", "threshold"),
        _rule("r2", DOLLAR, "search", "indexer", "opsgenie", 60, 40, 0.75, 30,
              "Flaps: 31 open/close cycles in 24 hours.", "Add hysteresis.", "flapping"),
        _rule("r3", "Disk <PATH> <PCT> full on <*>", "search", "db", "alertmanager", 20, 10, 0.5,
              5, "Never acknowledged.", "Route to a ticket instead of a page.", "route"),
    )
    weekly = tuple(
        WeekPoint(w, date(2026, 8, 31) + timedelta(weeks=i), 20 - i, 1500 - 30 * i,
                  0.45 - 0.01 * i, 200.0 + 5 * i, 3600.0 - 60 * i)
        for i, w in enumerate(WEEKS)
    )
    return Report(
        label="2026-W47",
        start=date(2026, 11, 16),
        end=date(2026, 11, 22),
        previous_label="2026-W46",
        is_week=True,
        generated_at=datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
        timezone="UTC",
        weeks_counted=12,
        first_week="2026-W36",
        last_week="2026-W47",
        window=WEEKS,
        headline=(
            Headline("incidents", "Incidents", "count", 17, 21, 19.5, None, "no clear change",
                     12, "Mann–Kendall p = 0.41 over 12 weeks"),
            Headline("pages", "Pages", "count", 1234, 1500, 1480.25, "better",
                     "getting better, confident", 12, "Mann–Kendall p = 0.004 over 12 weeks"),
            Headline("noise_share", "Noise share", "share", 0.412, 0.39, 0.40, "worse",
                     "getting worse, tentative", 12, "Mann–Kendall p = 0.03 over 12 weeks"),
            Headline("mtta_median", "Time to acknowledge (median)", "seconds", 252, 300, 290,
                     None, "not enough data", 4, "4 of 12 weeks have a value"),
            Headline("mttr_median", "Time to resolve (median)", "seconds", 7380, 6000, None,
                     note="3 of 17 incidents were resolved the instant they were created"),
        ),
        weekly=weekly,
        incidents=(
            IncidentRow("INC-1", XSS, "api", "payments", "critical", start + timedelta(hours=3),
                        120.0, 3600.0, "human", "resolved", True, False),
            IncidentRow(HASH, "Search latency", "indexer", "search", "high",
                        start + timedelta(days=2), None, None, "unknown", "open", False, True),
        ),
        noise=NoiseAudit(
            rules=rules,
            projections=(ProjectionRow("payments", 42.0, 12.5, 5.0, 4.0),
                         ProjectionRow("search", 20.0, 15.0, 3.0, 3.0)),
            noise_share=0.412,
            rules_total=12,
            noise_pages_total=130,
            noise_firings_total=130,
            window="2026-W36 to 2026-W47 (12 weeks)",
            pages_per_week=62.0,
            projected_pages_per_week=27.5,
            compression_ratio=1.8,
            storms=(StormRow("g1", (DOLLAR, "Disk <PATH> <PCT> full on <*>"), 80, 30, 2.67),),
            runbooks=(RunbookRow("r1", XSS, "payments", "pagerduty", 120, 90),),
        ),
        response=Response(
            incidents=17, human_handled=12, auto_resolved=4, handling_unknown=1, still_open=1,
            acknowledged=12, never_acknowledged=5, ack_unknown=0, escalated=3,
            escalation_unknown=0, acknowledged_share=12 / 17, escalation_rate=3 / 17,
            mtta_median=252, mtta_p90=900, mttr_median=7380, mttr_p90=20000, mttr_censored=1,
            mttr_auto_median=300,
            warnings=("3 of 17 incidents were resolved the instant they were created",),
            by_team=(ResponseRow("payments", 10, 8, 8, 120, 600, 3600, 9000, 0),
                     ResponseRow("search", 7, 4, 4, 300, 900, 1800, 7200, 1)),
            by_service=(ResponseRow("api", 10, 8, 8, 120, 600, 3600, 9000, 0),),
            by_severity=(ResponseRow("critical", 4, 4, 4, 60, 200, 2000, 5000, 0),),
            spread_weeks=WEEKS[-4:],
            ack_spread=(SpreadRow("payments", 10, 30, 60, 120, 300, 600),
                        SpreadRow("search", 7, 60, 120, 300, 600, 900)),
            resolve_spread=(SpreadRow("payments", 10, 600, 1200, 3600, 6000, 9000),
                            SpreadRow("search", 7, 300, 900, 1800, 3600, 7200)),
        ),
        recurrences=(
            RecurrenceRow("Disk <PATH> full on <*>", "db", "search", 6, 4, 2,
                          start + timedelta(days=4), datetime(2026, 11, 2, tzinfo=UTC),
                          "postmortem", "PRB0042 on INC-7", "recurred"),
            RecurrenceRow("Clock skew on <*>", "api", "payments", 3, 2, 0,
                          datetime(2026, 9, 10, tzinfo=UTC), None, "", "", "no fix recorded"),
        ),
        oncall=OnCallLoad(
            responders=(ResponderRow("alice", "payments", "Europe/Berlin", 10, 6, 4, 2),
                        ResponderRow("bob", "search", "Europe/London", 3, 1, 0, 0)),
            load=tuple(LoadPoint(name, w, (i + k) % 4, (i + k) % 2)
                       for i, w in enumerate(WEEKS) for k, name in enumerate(("alice", "bob"))),
            hour_of_week=tuple(tuple((d * 24 + h) % 5 for h in range(24)) for d in range(7)),
            heatmap_subject="interruptions",
            heatmap_zones=("Europe/Berlin", "Europe/London"),
            burnout=(BurnoutRow("alice", 4, 6.5, 3.0, 1.5, 2, True,
                                "3.0 sleep-hour interruptions a week over the last 4 weeks"),
                     BurnoutRow("bob", 4, 1.0, 0.0, 0.25, 0, False, "")),
            budget=2,
            shift_hours=12,
        ),
        maturity=Maturity(
            2,
            "Responsive",
            4,
            (
                Criterion("Incidents found by alerting", 2, "met", "100.0 % (needs 50%)"),
                Criterion("Noise under control", 3, "not met", "41.2 % of firings were noise"),
            ),
        ),
        quality=DataQuality(
            sources=(SourceRow("pagerduty", 2, 1000, 990, 7, 3),),
            reasons=(QuarantineRow("pagerduty", "created_at missing", 7,
                                   "incidents.json: /incidents/3"),),
        ),
        team_colors=team_colors(teams),
    )


def quiet_report() -> Report:
    """The small report of a quiet week with nothing in any section."""
    report = small_report()
    return replace(
        report,
        quiet=True,
        incidents=(),
        noise=replace(report.noise, rules=(), projections=(), rules_total=0, storms=(),
                      runbooks=None, noise_pages_total=0, noise_firings_total=0),
        response=replace(report.response, incidents=0, by_team=(), by_service=(),
                         by_severity=(), ack_spread=(), resolve_spread=()),
        recurrences=(),
        oncall=replace(report.oncall, responders=(), load=(), burnout=(),
                       hour_of_week=tuple(tuple(0 for _ in range(24)) for _ in range(7))),
    )


@pytest.fixture
def report() -> Report:
    """A fresh small Report."""
    return small_report()
