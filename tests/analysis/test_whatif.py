"""What-if arithmetic: pages and incidents per week before and after the fixes."""

from __future__ import annotations

import pandas as pd
import pytest

from alertlens.analysis.noise.whatif import weeks_covered, whatif_by_team
from alertlens.ingest.schema import INCIDENTS_SCHEMA, Alerts, Incidents, Scored
from tests.analysis.test_noise_frames import T0, alerts_frame


def scored(rows: list[dict]) -> pd.DataFrame:
    frame = alerts_frame(rows)
    return frame.assign(
        **{
            Scored.is_noise: [r.get("noise", False) for r in rows],
            Scored.correlation_group: [r.get("group", f"g{i}") for i, r in enumerate(rows)],
        }
    )


def incidents_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=INCIDENTS_SCHEMA.names)
    frame[Incidents.source] = "pagerduty"
    frame[Incidents.created_at] = T0
    return frame


def test_pages_per_week_before_and_after() -> None:
    rows = [
        {Alerts.created_at: 0, Alerts.team: "a", "noise": True},
        {Alerts.created_at: 1, Alerts.team: "a", "noise": True},
        {Alerts.created_at: 2, Alerts.team: "a"},
        {Alerts.created_at: 3, Alerts.team: "b", Alerts.paged: False},
        {Alerts.created_at: 4, Alerts.team: "b"},
    ]
    out = whatif_by_team(scored(rows), None, weeks=2.0).set_index("team")
    assert out.loc["a", "pages_per_week"] == 1.5
    assert out.loc["a", "projected_pages_per_week_after_fixes"] == 0.5
    assert out.loc["b", "pages_per_week"] == 0.5
    assert out.loc["all", "pages_per_week"] == 2.0
    assert out.loc["all", "projected_pages_per_week_after_fixes"] == 1.0
    # no incident table: each paged correlation episode is an incident
    assert out.loc["all", "incidents_per_week"] == 2.0


def test_incidents_disappear_only_when_all_their_alerts_are_noise() -> None:
    rows = [
        {Alerts.created_at: 0, Alerts.incident_id: "P1", "noise": True},
        {Alerts.created_at: 1, Alerts.incident_id: "P1", "noise": False},
        {Alerts.created_at: 2, Alerts.incident_id: "P2", "noise": True},
    ]
    incidents = incidents_frame(
        [{Incidents.incident_id: i, Incidents.team: "Team A"} for i in ("P1", "P2", "P3")]
    )
    out = whatif_by_team(scored(rows), incidents, weeks=1.0).set_index("team")
    # P3 has no alert (a human reported it): it stays
    assert out.loc["all", "incidents_per_week"] == 3
    assert out.loc["all", "projected_incidents_per_week_after_fixes"] == 2
    # the alerts' team wins over the incident's display name
    assert out.loc["team-a", "incidents_per_week"] == 2
    assert out.loc["Team A", "incidents_per_week"] == 1


def test_weeks_covered_corrects_the_span_of_few_events() -> None:
    alerts = alerts_frame([{Alerts.created_at: 0}, {Alerts.created_at: 7 * 24 * 60 * 2}])
    assert weeks_covered(alerts) == pytest.approx(2 * 3 / 1)
    many = alerts_frame([{Alerts.created_at: i * 60.0} for i in range(1001)])
    assert weeks_covered(many) == pytest.approx(1000 * 60 / (60 * 24 * 7) * 1002 / 1000)
    assert weeks_covered(alerts_frame([{Alerts.created_at: 0}])) == pytest.approx(1 / 7)


def test_a_merged_away_incident_counts_by_the_alert_it_opened() -> None:
    """PagerDuty moves a merged incident's alert to the surviving one; the merged-away incident
    paged before the merge, and disappears after the fixes only if its own alert was noise."""
    rows = [
        {Alerts.created_at: 0, Alerts.incident_id: "P1", "noise": False},
        {Alerts.created_at: 1, Alerts.incident_id: "P1", "noise": True},  # opened P2
    ]
    merged = incidents_frame(
        [
            {Incidents.incident_id: "P1", Incidents.team: "Team A"},
            {Incidents.incident_id: "P2", Incidents.team: "Team A", Incidents.merged_into: "P1"},
        ]
    )
    merged[Incidents.created_at] = [T0, T0 + pd.Timedelta(minutes=1)]
    out = whatif_by_team(scored(rows), merged, weeks=1.0).set_index("team")
    assert out.loc["all", "incidents_per_week"] == 2
    assert out.loc["all", "projected_incidents_per_week_after_fixes"] == 1
