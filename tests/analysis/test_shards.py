"""Per-team shards of the response metrics (analysis/shards.py) give exactly the one-process
result, whichever team owns what: the shards are cut here from in-memory tables with the same
row filters the lake reader uses (flows/team_shards.py reads them from a real lake)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from alertlens.analysis.calendar import History, week_period
from alertlens.analysis.frames import Frames
from alertlens.analysis.incidents.population import incident_population
from alertlens.analysis.pipeline import ResponseEngine, analysis_results
from alertlens.analysis.response import ResponseMetrics, response_metrics
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.shards import (
    ALERT_COLUMNS,
    INCIDENT_COLUMNS,
    NO_TEAM,
    ShardFacts,
    TeamResponse,
    alert_rows,
    combined_response,
    incident_rows,
    shard_facts,
    team_response,
    team_shards,
    teams_of,
)
from alertlens.ingest.lake import lake_frame
from alertlens.ingest.schema import ALERTS_SCHEMA, INCIDENTS_SCHEMA
from tests.analysis import metrics_frames as mf


def _rows(frame: pd.DataFrame, schema: pa.Schema, rows: object,
          columns: tuple[str, ...]) -> pd.DataFrame:
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    return lake_frame(table.filter(rows).select(list(columns)))


def in_memory_shards(count: int) -> ResponseEngine:
    """The shard engine with at most ``count`` shards, each shard's rows filtered from the
    frames in memory."""

    def engine(frames: Frames, population: pd.DataFrame, settings: MetricsSettings,
               counted: History) -> ResponseMetrics:
        assert counted.last_week is not None
        end = week_period(counted.last_week, settings.timezone).end
        facts = shard_facts(frames.alerts, frames.incidents, end=end, settings=settings)
        shards = [_shard(frames, teams, facts) for teams in team_shards(population, count)]
        return combined_response(population, frames.notifications, shards, settings=settings,
                                 as_of=counted.as_of)

    return engine


def _shard(frames: Frames, teams: tuple[str, ...], facts: ShardFacts) -> TeamResponse:
    return team_response(
        _rows(frames.incidents, INCIDENTS_SCHEMA, incident_rows(teams, facts), INCIDENT_COLUMNS),
        _rows(frames.alerts, ALERTS_SCHEMA, alert_rows(teams, facts), ALERT_COLUMNS),
        teams, facts)


def _same(one: ResponseMetrics, other: ResponseMetrics) -> None:
    pd.testing.assert_frame_equal(one.frame, other.frame, check_exact=True)
    pd.testing.assert_frame_equal(one.table, other.table, check_exact=True)
    assert one.figures == other.figures


def _tricky() -> Frames:
    """Teams that only make sense org-wide: pagerduty has incidents in team a but only alerts in
    team b (so b's pagerduty alerts are no incidents); alertmanager says whether a firing paged
    in team a only (so b's unknown ones do not count); prometheus never says (all count);
    records with no team and a team literally named "(unknown)" are one group; acknowledgements
    and escalations are recorded by pagerduty only in team a."""
    t0 = "2026-11-02T10:00:00+00:00"
    incidents = mf.incidents([
        {"team": "a", "created_at": t0, "acknowledged_at": "2026-11-02T10:05:00+00:00",
         "resolved_at": "2026-11-02T11:00:00+00:00", "escalation_count": 1},
        {"team": "a", "created_at": "2026-11-03T10:00:00+00:00",
         "resolved_at": "2026-11-03T10:00:00+00:00"},  # resolved when created
        {"team": "b", "created_at": "2026-11-04T10:00:00+00:00",
         "resolved_at": "2026-11-04T12:00:00+00:00", "resolved_by": "auto"},
        {"team": None, "created_at": "2026-11-05T10:00:00+00:00",
         "resolved_at": "2026-11-05T10:30:00+00:00", "merged_into": "id0"},
        {"team": NO_TEAM, "created_at": "2026-11-05T11:00:00+00:00",
         "acknowledged_at": "2026-11-05T11:01:00+00:00"},
        {"team": "c", "created_at": "2026-11-16T10:00:00+00:00"},  # after the counted weeks
    ])
    alerts = mf.alerts([
        {"source": "pagerduty", "team": "b", "created_at": t0, "paged": True},
        {"team": "a", "created_at": t0, "paged": True,
         "acknowledged_at": "2026-11-02T10:02:00+00:00",
         "resolved_at": "2026-11-02T10:20:00+00:00"},
        {"team": "a", "created_at": "2026-11-02T11:00:00+00:00", "paged": False},
        {"team": "b", "created_at": "2026-11-03T11:00:00+00:00", "paged": None,
         "resolved_at": "2026-11-03T11:10:00+00:00"},
        {"source": "prometheus", "team": "b", "created_at": "2026-11-04T09:00:00+00:00",
         "resolved_at": "2026-11-04T09:30:00+00:00"},
        {"source": "prometheus", "team": None, "created_at": "2026-11-06T09:00:00+00:00",
         "resolved_at": "2026-11-06T09:00:00+00:00"},
        {"source": "prometheus", "team": "b", "created_at": "2026-11-09T09:00:00+00:00"},
    ])
    return Frames(alerts, incidents, mf.notifications([]))


@pytest.mark.parametrize("count", [1, 2, 10])
def test_org_wide_facts_decide_each_team(count: int) -> None:
    frames = _tricky()
    settings = MetricsSettings()
    now = pd.Timestamp("2026-11-17T00:00:00Z")
    one = analysis_results(frames, now=now, settings=settings)
    sharded = analysis_results(frames, now=now, settings=settings,
                               response_engine=in_memory_shards(count))
    _same(one.metrics.response, sharded.metrics.response)
    for name, table in one.tables.items():
        pd.testing.assert_frame_equal(table, sharded.tables[name], check_exact=True)
    assert dict(one.summary) == dict(sharded.summary)
    teams = one.metrics.response.table.query("dimension == 'team'")
    assert set(teams["group"]) == {"a", "b", NO_TEAM}
    population = incident_population(frames.incidents, frames.alerts)
    assert teams_of(population) == [NO_TEAM, "a", "b", "c"]


def test_shards_are_teams_of_about_equal_size() -> None:
    population = pd.DataFrame({"team": ["a"] * 6 + ["b"] * 3 + ["c"] * 3 + [None] * 2})
    assert team_shards(population, 2) == [("(unknown)", "a"), ("b", "c")]  # 8 and 6
    assert team_shards(population, 9) == [("(unknown)",), ("a",), ("b",), ("c",)]
    assert team_shards(population.iloc[:0], 3) == []


def test_shards_must_cover_the_population() -> None:
    frames = _tricky()
    settings = MetricsSettings()
    population = incident_population(frames.incidents, frames.alerts)
    whole = response_metrics(population, frames.notifications, settings=settings, as_of=None)
    end = pd.Timestamp("2026-12-01T00:00:00Z")
    facts = shard_facts(frames.alerts, frames.incidents, end=end, settings=settings)
    shards = [_shard(frames, (team,), facts) for team in teams_of(population)]
    _same(whole, combined_response(population, frames.notifications, shards,
                                   settings=settings, as_of=None))
    for broken, why in ((shards[1:], "in no team shard"), (shards + shards[:1], "same incident")):
        try:
            combined_response(population, frames.notifications, broken, settings=settings,
                              as_of=None)
        except ValueError as err:
            assert why in str(err)
        else:
            raise AssertionError("an incomplete set of shards was combined")


def test_generated_world(tmp_path: object) -> None:
    from pathlib import Path

    from alertlens.ingest.lake import Lake
    from alertlens.synthetic.lake_writer import write_lake

    root = Path(str(tmp_path)) / "lake"
    write_lake("large-org", root, seed=7, weeks=3, target_alerts=2500)
    lake = Lake(root)
    frames = Frames(lake.read("alerts"), lake.read("incidents"), lake.read("notifications"))
    now = pd.Timestamp("2026-11-25T00:00:00Z")
    one = analysis_results(frames, now=now)
    sharded = analysis_results(frames, now=now, response_engine=in_memory_shards(3))
    _same(one.metrics.response, sharded.metrics.response)
    assert dict(one.summary) == dict(sharded.summary)
    assert len(teams_of(one.metrics.response.frame)) >= 3
