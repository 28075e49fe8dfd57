"""The per-team shards of ``analyze`` (analysis/shards.py): each team's rows read from the lake
with partition pruning and row filters, its shard computed, the shards combined centrally.

Engine-free: :func:`sharded_response` takes the function that runs the shards, so the same code
runs them in this process (tests) or as mapped Prefect tasks on Dask (flows/dask_analyze.py).
A shard gets only the lake's path, its team and the org-wide facts, and reads its own rows, so
workers on other machines need the lake at the same path (a shared filesystem), nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

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
from alertlens.ingest.lake import PART_FILE, SPECS, Lake
from alertlens.ingest.schema import Alerts, Common, Incidents

#: Runs every shard: (lake root, the teams of each shard, facts) -> the shards, in any order.
ShardRunner = Callable[[str, Sequence[tuple[str, ...]], ShardFacts], list[TeamResponse]]
#: Arrow types read as pandas' nullable dtypes, as ``Lake.read`` reads them.
_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def team_rows(lake: Lake, table: str, columns: Sequence[str], rows: pc.Expression,
              end: pd.Timestamp) -> pd.DataFrame:
    """The ``columns`` of the rows of ``table`` that ``rows`` selects, created before ``end``,
    as ``Lake.read`` types them. Only the month partitions before ``end`` are opened, and
    only the row groups whose statistics can match are read."""
    spec = SPECS[table]
    wanted = pa.schema([spec.schema.field(c) for c in columns])
    folder = lake.table_dir(table)
    with lake.shared():
        files = [str(p) for p in sorted(folder.rglob(PART_FILE))] if folder.is_dir() else []
        if not files:
            return wanted.empty_table().to_pandas(types_mapper=_NULLABLE.get)
        stored = pa.schema([f for f in spec.schema if f.name != Common.source])
        partitions = pa.schema([(Common.source, pa.string()), (Common.month, pa.string())])
        dataset = ds.dataset(
            files, format="parquet", partition_base_dir=str(folder),
            partitioning=ds.partitioning(partitions, flavor="hive"),
            schema=pa.unify_schemas([stored, partitions]),
        )
        # The month of a record is that of its created_at in UTC.
        last_month = (end - pd.Timedelta(microseconds=1)).tz_convert("UTC").strftime("%Y-%m")
        found = dataset.to_table(columns=list(columns),
                                 filter=rows & (pc.field(Common.month) <= last_month))
    return found.cast(wanted).to_pandas(types_mapper=_NULLABLE.get)


def team_shard(lake_root: str, teams: tuple[str, ...], facts: ShardFacts) -> TeamResponse:
    """The shard of ``teams`` computed from their own rows of the lake at ``lake_root``."""
    lake = Lake(Path(lake_root))
    incidents = team_rows(lake, Incidents.table, INCIDENT_COLUMNS, incident_rows(teams, facts),
                          facts.end)
    alerts = team_rows(lake, Alerts.table, ALERT_COLUMNS, alert_rows(teams, facts), facts.end)
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


__all__ = ["ShardRunner", "sharded_response", "shards_here", "team_rows", "team_shard"]
