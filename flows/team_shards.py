"""The per-team shards of ``analyze`` (analysis/shards.py): each team's rows read from the lake
with partition pruning and row filters (``Lake.read_filtered``), its shard computed, the shards
combined centrally.

Engine-free: :func:`sharded_response` takes the function that runs the shards, so the same code
runs them in this process (tests) or as mapped Prefect tasks on Dask (flows/dask_analyze.py).
A shard gets only the lake's path, its team and the org-wide facts, and reads its own rows, so
workers on other machines need the lake at the same path (a shared filesystem), nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from alertlens.analysis.calendar import History, week_period
from alertlens.analysis.frames import Frames
from alertlens.analysis.pipeline import ResponseEngine
from alertlens.analysis.response import ResponseMetrics
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.shards import (
    ALERT_COLUMNS,
    INCIDENT_COLUMNS,
    ShardFacts,
    TeamResponse,
    alert_rows,
    combined_response,
    incident_rows,
    shard_facts,
    team_response,
    team_shards,
)
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import Alerts, Incidents

#: Runs every shard: (lake root, the teams of each shard, facts) -> the shards, in any order.
ShardRunner = Callable[[str, Sequence[tuple[str, ...]], ShardFacts], list[TeamResponse]]
def team_shard(lake_root: str, teams: tuple[str, ...], facts: ShardFacts) -> TeamResponse:
    """The shard of ``teams`` computed from their own rows of the lake at ``lake_root``."""
    lake = Lake(Path(lake_root))
    incidents = lake.read_filtered(Incidents.table, INCIDENT_COLUMNS,
                                   incident_rows(teams, facts), facts.end)
    alerts = lake.read_filtered(Alerts.table, ALERT_COLUMNS, alert_rows(teams, facts), facts.end)
    return team_response(incidents, alerts, teams, facts)


def shards_here(lake_root: str, shards: Sequence[tuple[str, ...]],
                facts: ShardFacts) -> list[TeamResponse]:
    """Every shard, one after the other in this process."""
    return [team_shard(lake_root, teams, facts) for teams in shards]


def sharded_response(lake_root: str, run: ShardRunner = shards_here, *,
                     shards: int = 8) -> ResponseEngine:
    """The response engine that computes the response metrics from at most ``shards`` shards
    of teams of the lake at ``lake_root`` (run by ``run``), combined with the org-wide flags and
    dimensions."""

    def engine(frames: Frames, population: pd.DataFrame, settings: MetricsSettings,
               counted: History) -> ResponseMetrics:
        if counted.last_week is None or population.empty:
            done: list[TeamResponse] = []
        else:
            end = week_period(counted.last_week, settings.timezone).end
            facts = shard_facts(frames.alerts, frames.incidents, end=end, settings=settings)
            done = run(lake_root, team_shards(population, shards), facts)
        return combined_response(population, frames.notifications, done, settings=settings,
                                 as_of=counted.as_of)

    return engine


__all__ = ["ShardRunner", "sharded_response", "shards_here", "team_shard"]
