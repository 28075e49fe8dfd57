"""``analyze`` with its per-team shards as mapped Prefect tasks on prefect-dask's task runner:
a local Dask cluster (``[dask] workers``) or an existing scheduler (``[dask] address``).

The org-wide steps (noise, population, recurrence, on-call, trends, summary) run in the flow's
own process; every team's shard (analysis/shards.py) is one task that reads its team's rows from
the lake itself (flows/team_shards.py), so only the lake's path, the team and a few org-wide
facts travel to a worker, and only the team's durations and rows come back. The result is the
one-process result, table for table (tests/flows/test_dask_analyze.py).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait

from alertlens.analysis.shards import ShardFacts, TeamResponse
from alertlens.flows.config import Config, DaskSettings, load_config
from alertlens.flows.steps import AnalysisOutputs
from alertlens.flows.steps import analyze as analyze_step
from alertlens.flows.team_shards import sharded_response, team_shard
from alertlens.ingest.lake import Lake


@task(name="team-shard", cache_policy=NO_CACHE)
def team_shard_task(lake_root: str, teams: tuple[str, ...], facts: ShardFacts) -> TeamResponse:
    """One shard of teams, computed from their own rows of the lake."""
    return team_shard(lake_root, teams, facts)


def mapped_shards(lake_root: str, shards: Sequence[tuple[str, ...]],
                  facts: ShardFacts) -> list[TeamResponse]:
    """Every shard as one task of a mapped task on the flow's task runner."""
    futures = team_shard_task.map(lake_root=unmapped(lake_root), teams=list(shards),
                                  facts=unmapped(facts))
    wait(futures)
    return [f.result() for f in futures]


def dask_task_runner(settings: DaskSettings, *, processes: bool = True) -> Any:
    """prefect-dask's task runner on the scheduler at ``settings.address``, else on a new local
    cluster of ``settings.workers`` (quiet, no dashboard). ``processes=False`` keeps a local
    cluster's workers as threads of this process (tests)."""
    # A local cluster's own log reaches the user as tracebacks of shutdown races (a worker's
    # heartbeat to a scheduler that just closed); a failing task is reported by Prefect anyway.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "critical")
    from prefect_dask.task_runners import DaskTaskRunner

    if settings.address:
        return DaskTaskRunner(address=settings.address)
    return DaskTaskRunner(cluster_kwargs={
        "n_workers": max(settings.workers, 1),
        "threads_per_worker": settings.threads_per_worker,
        "processes": processes,
        "dashboard_address": None,
    })


@flow(name="analyze-sharded")
def sharded_analyze_flow(lake: str, config_path: str | None = None,
                         now: datetime | None = None) -> AnalysisOutputs:
    """Analyse the lake with its per-team shards as mapped tasks; publish as ``analyze`` does."""
    config = load_config(Path(config_path) if config_path else None)
    engine = sharded_response(lake, mapped_shards, shards=config.dask.shards)
    return analyze_step(Lake(lake), config, now=now, response_engine=engine)


@contextlib.contextmanager
def prefect_api() -> Iterator[str]:
    """The Prefect API every worker reports its tasks to: ``PREFECT_API_URL`` when set (a
    server that remote workers can reach), else a temporary local server started here and named
    in the settings the task runner ships with every task. Without that each worker process
    would start a server of its own (tens of seconds each)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield str(PREFECT_API_URL.value())
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        server.stop()


def sharded_analyze(lake: Path, config: Config, *, now: datetime | None = None,
                    processes: bool = True) -> AnalysisOutputs:
    """``analyze`` of ``lake`` with its team shards on the Dask cluster ``config.dask`` names."""
    config_path = str(config.path) if config.path else None
    with prefect_api():
        runner = dask_task_runner(config.dask, processes=processes)
        run = sharded_analyze_flow.with_options(task_runner=runner)
        outputs: AnalysisOutputs = run(str(lake), config_path, now)
    return outputs


__all__ = ["dask_task_runner", "mapped_shards", "prefect_api", "sharded_analyze",
           "sharded_analyze_flow", "team_shard_task"]
