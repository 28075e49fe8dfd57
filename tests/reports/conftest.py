"""A small hand-built Report for renderer tests, with hostile text where data can put it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from alertlens.reports.charts import team_colors
from alertlens.reports.model import (
    Criterion,
    DataQuality,
    Headline,
    Maturity,
    NoiseAudit,
    NoisyRule,
    OnCallLoad,
    QuarantineReason,
    Recurrence,
    Report,
    ResponderLoad,
    Response,
    ResponseRow,
    SourceQuality,
    Spread,
    TeamProjection,
    WeekIncident,
    WeeklyPoint,
)

XSS = "<script>alert(1)</script>"
DOLLAR = "Cost $5 per $GB exceeded"


def small_report() -> Report:
    """A Report with two teams, three noisy rules (one titled with a script tag), every section."""
    start = datetime(2026, 11, 16, tzinfo=UTC)
    teams = ("payments", "search")
    rules = (
        NoisyRule(
            "r1",
            XSS,
            "payments",
            "api",
            "pagerduty",
            120,
            90,
            0.93,
            84,
            ("Resolved by itself within 5 minutes in 88 of 120 firings.",),
            "Raise the threshold from 80 % to 90 % and require 10 minutes.",
            "threshold",
        ),
        NoisyRule(
            "r2",
            DOLLAR,
            "search",
            "indexer",
            "opsgenie",
            60,
            40,
            0.75,
            30,
            ("Flaps: 31 open/close cycles in 24 hours.",),
            "Add hysteresis.",
            "flapping",
        ),
        NoisyRule(
            "r3",
            "Disk <PATH> <PCT> full on <*>",
            "search",
            "db",
            "alertmanager",
            20,
            10,
            0.5,
            5,
            ("Never acknowledged.",),
            "Route to a ticket instead of a page.",
            "route",
        ),
    )
    return Report(
        week="2026-W47",
        week_start=date(2026, 11, 16),
        week_end=date(2026, 11, 22),
        generated_at=datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
        headline=(
            Headline("incidents", "Incidents", "count", 17, 21, 19.5, None, "p=0.41"),
            Headline("pages", "Pages", "count", 1234, 1500, 1480.25, "better", "p=0.004"),
            Headline("noise_share", "Noise share", "share", 0.412, 0.39, 0.40, "worse", "p=0.03"),
            Headline("mtta_median", "MTTA median", "seconds", 252, 300, 290),
            Headline("mttr_p90", "MTTR p90", "seconds", 7380, 6000, None),
        ),
        incidents=(
            WeekIncident(
                "INC-1",
                XSS,
                "api",
                "payments",
                "critical",
                start + timedelta(hours=3),
                120.0,
                3600.0,
                "resolved",
                True,
            ),
            WeekIncident(
                "INC-2",
                "Search latency",
                "indexer",
                "search",
                "high",
                start + timedelta(days=2),
                None,
                None,
                "open",
            ),
        ),
        noise=NoiseAudit(
            rules=rules,
            projections=(
                TeamProjection("payments", 42.0, 12.5, 5.0, 4.0),
                TeamProjection("search", 20.0, 15.0, 3.0, 3.0),
            ),
            noise_share=0.412,
            rules_total=12,
            noise_pages_total=130,
            window="2026-09-01 to 2026-11-22",
        ),
        response=Response(
            by_team=(
                ResponseRow("payments", 10, 120, 600, 3600, 9000),
                ResponseRow("search", 7, 300, 900, 1800, 7200),
            ),
            by_service=(ResponseRow("api", 10, 120, 600, 3600, 9000),),
            by_severity=(ResponseRow("critical", 4, 60, 200, 2000, 5000),),
            ack_spread=(
                Spread("payments", 10, 30, 60, 120, 300, 600),
                Spread("search", 7, 60, 120, 300, 600, 900),
            ),
            resolve_spread=(
                Spread("payments", 10, 600, 1200, 3600, 6000, 9000),
                Spread("search", 7, 300, 900, 1800, 3600, 7200),
            ),
            trend=tuple(
                WeeklyPoint(
                    date(2026, 10, 26) + timedelta(weeks=w),
                    team,
                    100 + 20 * w + i,
                    3000 - 100 * w,
                    5,
                )
                for w in range(4)
                for i, team in enumerate(teams)
            ),
        ),
        recurrences=(
            Recurrence(
                "Disk <PATH> full on <*>",
                "db",
                "search",
                6,
                2,
                start + timedelta(days=4),
                False,
                "fix deployed 2026-11-02",
            ),
        ),
        oncall=OnCallLoad(
            responders=(
                ResponderLoad("alice", "payments", 10, 6, 4, 2),
                ResponderLoad("bob", "search", 3, 1, 0, 0),
            ),
            hour_of_week=tuple(tuple((d * 24 + h) % 5 for h in range(24)) for d in range(7)),
            budget=2,
            shift_hours=12,
        ),
        maturity=Maturity(
            2,
            "Reactive",
            4,
            (
                Criterion(
                    "Incidents acknowledged within 5 minutes (median)", 1, "met", "median 4m 12s"
                ),
                Criterion("Noise share below 30 %", 2, "not met", "41.2 % of firings were noise"),
            ),
        ),
        quality=DataQuality(
            sources=(SourceQuality("pagerduty", 2, 1000, 990, 7, 3),),
            reasons=(
                QuarantineReason(
                    "pagerduty", "created_at missing", 7, "incidents.json: /incidents/3"
                ),
            ),
        ),
        team_colors=team_colors(teams),
    )


@pytest.fixture
def report() -> Report:
    """A fresh small Report."""
    return small_report()
