"""Co-firing across teams and sources, the direction of a duplicate pair, and episodes whose
alerts add nothing to their lead (tiny inline frames; a storm; a merge; an echo)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alertlens.analysis.noise import cofiring as co
from alertlens.analysis.noise.analysis import NoiseSteps, noise_analysis
from alertlens.analysis.noise.signals import REDUNDANT
from alertlens.ingest.schema import Alerts, Incidents, Notifications, Rules, Scored
from tests.analysis.test_noise_frames import T0, alerts_frame, notifications_frame

W = pd.Timedelta(minutes=10)
DAY = 24 * 60


def _pair_world(n: int = 8, lag: float = 2.0, **shadow: object) -> pd.DataFrame:
    """``n`` firings of "main" (team a), each shadowed ``lag`` minutes later by "shadow" (team
    b), a day apart, plus a loner."""
    rows: list[dict[str, object]] = []
    for i in range(n):
        rows.append(
            {
                Alerts.source: "generic",
                Alerts.rule_key: "main",
                Alerts.team: "a",
                Alerts.created_at: DAY * i + 100,
                Alerts.resolved_at: DAY * i + 160,
                Alerts.resolved_by: "auto",
            }
        )
        rows.append(
            {
                Alerts.source: "generic",
                Alerts.rule_key: "shadow",
                Alerts.team: "b",
                Alerts.created_at: DAY * i + 100 + lag,
                Alerts.resolved_at: DAY * i + 161,
                Alerts.resolved_by: "auto",
                **shadow,
            }
        )
    rows.append({Alerts.source: "generic", Alerts.rule_key: "loner", Alerts.created_at: 50})
    return alerts_frame(rows)


def _scored(alerts: pd.DataFrame, incidents: pd.DataFrame | None = None) -> pd.DataFrame:
    result = noise_analysis(alerts, None, incidents)
    return result.alerts_scored.assign(
        redundant=[REDUNDANT in r for r in result.alerts_scored[Scored.noise_reasons]]
    )


def test_candidate_pairs_cross_teams_and_skip_chance() -> None:
    alerts = _pair_world()
    codes, names = co.rule_codes(alerts)
    pairs = co.candidate_pairs(codes, co.ns(alerts[Alerts.created_at]), W, min_count=3, min_lift=5)
    found = {(names[a], names[b]) for a, b in pairs}
    assert found == {("main", "shadow"), ("shadow", "main")}


def test_links_share_and_lift_of_a_pair() -> None:
    alerts = _pair_world()
    codes, names = co.rule_codes(alerts)
    times = co.ns(alerts[Alerts.created_at])
    pairs = co.candidate_pairs(codes, times, W, min_count=3, min_lift=5)
    links = co.alert_links(codes, times, pairs, W)
    table = co.pair_table(alerts, codes, names, links, np.zeros(len(alerts), bool), W)
    row = table.set_index([co.RULE_A, co.RULE_B]).loc[("shadow", "main")]
    assert row[co.COFIRINGS] == 8 and row[co.SHARE_A] == 1.0
    assert row[co.LIFT] > 50
    assert row[co.LAG_S] == pytest.approx(-120)  # main fired two minutes before shadow


def test_the_later_rule_of_a_pair_is_the_redundant_one() -> None:
    scored = _scored(_pair_world())
    by_rule = scored.groupby(Alerts.rule_key)["redundant"].mean()
    assert by_rule["shadow"] == 1.0 and by_rule["main"] == 0.0 and by_rule["loner"] == 0.0


def test_acknowledgement_beats_firing_order() -> None:
    """The duplicate sometimes fires first, but people acknowledge the primary: the
    acknowledgements say which one is the duplicate."""
    alerts = _pair_world(lag=-1.0)
    acked = alerts[Alerts.rule_key] == "shadow"
    alerts.loc[acked, Alerts.acknowledged_at] = alerts.loc[acked, Alerts.created_at] + pd.Timedelta(
        minutes=3
    )
    scored = _scored(alerts)
    by_rule = scored.groupby(Alerts.rule_key)["redundant"].mean()
    assert by_rule["main"] == 1.0 and by_rule["shadow"] == 0.0


def test_a_merge_names_the_duplicate_even_once() -> None:
    """A single co-firing proves nothing, but a merged-away incident is a duplicate."""
    rows = [
        {
            Alerts.alert_id: "p",
            Alerts.rule_key: "primary",
            Alerts.incident_id: "P1",
            Alerts.created_at: 0,
            Alerts.source: "generic",
        },
        # PagerDuty moved the merged incident's alert into the surviving incident P1
        {
            Alerts.alert_id: "d",
            Alerts.rule_key: "dup",
            Alerts.incident_id: "P1",
            Alerts.created_at: 1,
            Alerts.source: "generic",
            Alerts.team: "other",
        },
    ]
    incidents = pd.DataFrame(
        {
            Incidents.source: ["generic", "generic"],
            Incidents.incident_id: ["P1", "P2"],
            Incidents.created_at: [T0, T0 + pd.Timedelta(minutes=1)],
            Incidents.merged_into: [None, "P1"],
            Incidents.team: ["team-a", "other"],
        }
    )
    scored = _scored(alerts_frame(rows), incidents).set_index(Alerts.alert_id)
    assert scored.loc["d", "redundant"] and not scored.loc["p", "redundant"]


def test_an_alertmanager_alert_and_the_pagerduty_alert_it_made_are_one_event() -> None:
    labels = '{"alertname":"DiskFull","severity":"critical"}'
    rows = []
    for i in range(6):
        for source, lag in (("alertmanager", 0.0), ("pagerduty", 0.5)):
            rows.append(
                {
                    Alerts.source: source,
                    Alerts.labels: labels,
                    Alerts.service: "db",
                    Alerts.created_at: DAY * i + lag,
                    Alerts.resolved_at: DAY * i + 90,
                }
            )
    scored = _scored(alerts_frame(rows))
    assert not scored["redundant"].any()


def test_a_storm_keeps_its_root_and_flags_the_symptoms() -> None:
    rng = np.random.default_rng(3)
    rows: list[dict[str, object]] = []
    for storm in range(6):
        t0 = DAY * storm * 1.3 + 600
        rows.append(
            {
                Alerts.source: "generic",
                Alerts.rule_key: "NodeDown",
                Alerts.team: "infra",
                Alerts.created_at: t0,
                Alerts.resolved_at: t0 + 40,
            }
        )
        for symptom, team in (("ApiErrors", "web"), ("QueueLag", "data"), ("DbConns", "db")):
            start = t0 + float(rng.uniform(0.5, 6))
            rows.append(
                {
                    Alerts.source: "generic",
                    Alerts.rule_key: symptom,
                    Alerts.team: team,
                    Alerts.created_at: start,
                    Alerts.resolved_at: t0 + 45,
                }
            )
    # ApiErrors also fires alone once: that firing told something new
    rows.append(
        {
            Alerts.source: "generic",
            Alerts.rule_key: "ApiErrors",
            Alerts.team: "web",
            Alerts.created_at: DAY * 20,
            Alerts.resolved_at: DAY * 20 + 50,
        }
    )
    result = noise_analysis(alerts_frame(rows), None)
    scored = result.alerts_scored
    redundant = scored[Scored.noise_reasons].map(lambda r: REDUNDANT in r)
    rule = scored[Alerts.rule_key]
    assert not redundant[rule == "NodeDown"].any()
    assert redundant[
        (rule != "NodeDown") & (scored[Alerts.created_at] < T0 + pd.Timedelta(days=19))
    ].all()
    assert not scored[Scored.is_noise].iloc[-1]
    assert result.summary["compression_ratio"] == pytest.approx(25 / 7)
    fixes = result.rules.set_index(Rules.rule_key)
    assert str(fixes.loc["QueueLag", Rules.recommendation]).startswith("Merge into NodeDown")


def test_a_worked_alert_in_an_episode_is_not_redundant() -> None:
    alerts = _pair_world()
    shadows = alerts[alerts[Alerts.rule_key] == "shadow"][Alerts.alert_id].tolist()
    notes = notifications_frame(
        [
            {
                Notifications.source: "generic",
                Notifications.alert_id: shadows[0],
                Notifications.kind: "annotate",
                Notifications.at: DAY * 0 + 110,
            }
        ]
    )
    result = noise_analysis(alerts, notes)
    redundant = result.alerts_scored.set_index(Alerts.alert_id)[Scored.noise_reasons].map(
        lambda r: REDUNDANT in r
    )
    assert not redundant[shadows[0]] and redundant[shadows[1:]].all()


def test_without_episodes_pairwise_duplicates_remain() -> None:
    result = noise_analysis(_pair_world(), None, steps=NoiseSteps(episodes=False))
    redundant = result.alerts_scored[Scored.noise_reasons].map(lambda r: REDUNDANT in r)
    assert redundant.sum() == 8
