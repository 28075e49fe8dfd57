"""The Prefect flows: ``ingest``, ``analyze``, ``report`` and ``nightly`` (which composes them).

Tasks are thin wrappers around the engine-free steps the CLI also calls. Retries sit on the IO
tasks only (API pulls). Files are parsed by mapped tasks, so a Dask task runner spreads parsing
over processes; each batch of files (``ingest.service.file_batches``) is committed by one task,
because the lake takes one writer at a time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import State, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait
from prefect.runtime import task_run
from prefect.states import Failed

from alertlens.analysis.review import ReviewError
from alertlens.flows import nightly_steps as steps
from alertlens.flows.config import Config, DaskSettings, load_config
from alertlens.flows.steps import AnalysisOutputs
from alertlens.flows.steps import analyze as analyze_step
from alertlens.flows.steps import report as report_step
from alertlens.ingest.lake import Lake
from alertlens.ingest.service import (
    FileReport,
    ParsedInput,
    PendingFile,
    commit_inputs,
    file_batches,
    parsed_input,
    pending_files,
)


@dataclass(frozen=True)
class NightlyResult:
    """What one nightly run did."""

    files: list[FileReport]
    pulls: list[steps.PullOutcome]
    summary: dict[str, Any]
    report_html: str | None


def _config(config_path: str | None) -> Config:
    return load_config(Path(config_path) if config_path else None)


@task(name="parse-file")
def parse_task(file: PendingFile, config_path: str | None) -> ParsedInput:
    """One inbox file parsed (an unreadable one is kept for whole-file quarantine)."""
    return parsed_input(file, _config(config_path).sources, strict=False)


@task(name="commit")
def commit_task(lake: str, inputs: Sequence[ParsedInput]) -> list[FileReport]:
    """A batch of parsed files written into the lake in one atomic commit."""
    return commit_inputs(Lake(lake), inputs)


@task(name="pull")
def pull_task(source: str, inbox: str, config_path: str | None, retries: int) -> steps.PullOutcome:
    """Raw API pages of one configured source written to the inbox. A failure is raised while
    retries remain (Prefect retries the task) and returned as a failed outcome after the last."""
    try:
        return steps.pull_source(source, Path(inbox), _config(config_path))
    except Exception as err:
        if task_run.run_count <= retries:
            raise
        return steps.PullOutcome.failed(source, f"{type(err).__name__}: {err}")


@task(name="analyze")
def analyze_task(
    lake: str, config_path: str | None
) -> tuple[AnalysisOutputs | None, str | None]:
    """(outputs, None) for the noise analysis and incident metrics written under <lake>/analysis,
    or (None, why) when there is nothing to analyse (an empty lake)."""
    try:
        return analyze_step(Lake(lake), _config(config_path)), None
    except ReviewError as err:
        return None, str(err)


# The analysis handed over is large: its inputs are not hashed for a cache key.
@task(name="report", cache_policy=NO_CACHE)
def report_task(
    lake: str, out: str, config_path: str | None, week: str | None,
    analysed: AnalysisOutputs | None = None,
) -> tuple[str | None, str | None]:
    """(HTML path, None) for the weekly review written under ``out``, or (None, why) when there
    is nothing to review (an empty lake, a week with no data). With ``analysed`` (this run's
    analysis) the review reuses its records and metrics (``flows.steps.review_inputs``)."""
    try:
        paths = report_step(Path(lake), Path(out), _config(config_path), week, analysed=analysed)
    except ReviewError as err:
        return None, str(err)
    return str(paths.html), None


@flow(name="ingest", log_prints=False)
def ingest_flow(paths: list[str], lake: str, config_path: str | None = None) -> list[FileReport]:
    """Ingest files or directories into the lake: files already ingested with the same settings
    are not read again; a file no reader takes is listed and recorded, the rest is ingested."""
    sources = _config(config_path).sources
    pending, already = pending_files(Lake(lake), [Path(p) for p in paths], config_sources=sources)
    reports: list[FileReport] = []
    for batch in file_batches(pending):  # one commit per batch: memory is one batch's
        futures = parse_task.map(batch, config_path=config_path)
        wait(futures)
        reports += commit_task(lake, [f.result() for f in futures])
    return reports + already


def sharded_analyze_step(
    lake: str, config_path: str | None, config: Config
) -> tuple[AnalysisOutputs | None, str | None]:
    """``analyze_task``'s result, with the per-team shards as mapped tasks on the Dask cluster
    of ``[dask]`` (a subflow: the shards are tasks of their own)."""
    from alertlens.flows.dask_analyze import dask_task_runner, sharded_analyze_flow

    run = sharded_analyze_flow.with_options(task_runner=dask_task_runner(config.dask))
    try:
        return run(lake, config_path), None
    except ReviewError as err:
        return None, str(err)


@flow(name="analyze")
def analyze_flow(lake: str, config_path: str | None = None) -> dict[str, Any] | None:
    """Analyse the lake; its summary, None when there is nothing to analyse."""
    outputs = analyze_task(lake, config_path)[0]
    return None if outputs is None else dict(outputs.summary)


@flow(name="report")
def report_flow(
    lake: str, out: str, config_path: str | None = None, week: str | None = None
) -> str | None:
    """Render the weekly review; the HTML path, or None when there is nothing to review."""
    return report_task(lake, out, config_path, week)[0]


def dask_runner(workers: int) -> Any:
    """A local Dask cluster of ``workers`` processes for mapped tasks (quiet, no dashboard)."""
    from alertlens.flows.dask_analyze import dask_task_runner

    return dask_task_runner(DaskSettings(workers=workers, threads_per_worker=1))


@flow(name="nightly")
def nightly_flow(
    inbox: str = "data/inbox",
    lake: str = "data/lake",
    out: str = "data/reports",
    config_path: str | None = None,
    week: str | None = None,
    dask_workers: int | None = None,
) -> NightlyResult | State:
    """Pull configured sources, ingest new inbox files, analyse, report; publish an artifact.

    A failed pull does not stop the others or the rest of the run; the run still ends in a
    failed state naming it. With ``dask_workers`` (or ``[nightly] dask_workers``) the inbox files
    are parsed on a local Dask cluster; the commit stays a single writer. With ``[dask]`` the
    analysis runs its per-team shards on that cluster.
    """
    logger = get_run_logger()
    config = _config(config_path)
    settings = config.nightly
    pull = pull_task.with_options(
        retries=settings.pull_retries, retry_delay_seconds=settings.pull_retry_delay_seconds
    )
    pulls = []
    for source in settings.pull:
        state = pull(source, inbox, config_path, settings.pull_retries, return_state=True)
        pulls.append(
            state.result()
            if state.is_completed()
            else steps.PullOutcome.failed(source, state.message)
        )
    workers = settings.dask_workers if dask_workers is None else dask_workers
    ingest = ingest_flow.with_options(task_runner=dask_runner(workers)) if workers else ingest_flow
    files = ingest([inbox], lake, config_path) if Path(inbox).exists() else []
    analysed, why_not = (sharded_analyze_step(lake, config_path, config) if config.dask.enabled
                         else analyze_task(lake, config_path))
    if analysed is None:
        return Failed(message=f"no report written: {why_not}")
    summary = dict(analysed.summary)
    html, why_not = report_task(lake, out, config_path, week, analysed)
    if html is None:
        return Failed(message=f"no report written: {why_not}")
    markdown = steps.run_markdown(summary, files, pulls, html)
    create_markdown_artifact(
        markdown, key="alertlens-nightly", description="alertlens nightly summary"
    )
    steps.post_webhook(config, summary, html, pulls, env=os.environ)
    failed = [p for p in pulls if p.error]
    if failed:
        names = ", ".join(f"{p.source} ({p.error})" for p in failed)
        logger.error("pull failed: %s", names)
        # A returned Failed state ends the run failed without a traceback in the log.
        return Failed(message=f"report {html} written, but these pulls failed: {names}")
    return NightlyResult(files, pulls, summary, html)
