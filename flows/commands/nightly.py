"""``alertlens nightly``: pull, ingest the inbox, analyse and report, as the Prefect flow."""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.flows.commands.common import add_lake_option, lake_path

if TYPE_CHECKING:
    from alertlens.flows.config import Config

#: Prefect offline and quiet (see docs/running.md): no telemetry, no analytics, patient start-up.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}
RUN_LOCK = ".nightly.lock"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "nightly",
        help="the scheduled job: ingest new inbox files, analyse, report",
        description="Pull the configured sources, ingest every inbox file not yet ingested "
        "with the current settings (source detected from its structure), analyse and write the "
        "report. Runs as a Prefect flow (an ephemeral local engine unless PREFECT_API_URL points "
        "at a server). Exit status: 0 done; 1 the run failed; 2 an error before it started; "
        "3 done, but some inbox files were not read (each listed with the reason).",
    )
    p.add_argument("--inbox", type=Path, help="directory of new exports (default: data/inbox)")
    add_lake_option(p)
    p.add_argument("--out", type=Path, help="reports directory (default: data/reports)")
    p.add_argument("--week", help="ISO week to review, e.g. 2026-W47 (default: last complete week)")
    p.add_argument(
        "--no-wait", action="store_true", help="exit at once if another run holds the lake"
    )
    p.add_argument(
        "--dask-workers",
        type=int,
        metavar="N",
        help="parse inbox files on a local Dask cluster of N processes (default: [nightly])",
    )
    p.set_defaults(handler=run)


def prefect_environment(lake: Path) -> None:
    """Quiet offline Prefect defaults, without overriding what the user set."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_HOME", str(lake.parent / ".prefect"))


@contextlib.contextmanager
def run_lock(lake: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the lake's nightly lock; yields False when ``wait`` is off and another run has it."""
    lake.mkdir(parents=True, exist_ok=True)
    with open(lake / RUN_LOCK, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as err:
            if err.errno in (errno.EAGAIN, errno.EACCES):
                yield False
                return
            raise
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def run(args: argparse.Namespace, config: Config) -> int:
    """Run the nightly flow; print the ingest table and the report path."""
    from alertlens.flows.commands.ingest import SKIPPED_FILES
    from alertlens.flows.console import console, err_console, ingest_table, not_read_lines

    lake = lake_path(args, config)
    inbox = args.inbox or config.inbox
    out = args.out or config.reports
    why_not = nothing_to_run_on(inbox, lake, config)
    if why_not:
        err_console.print(f"alertlens: nightly failed: no report written: {why_not}")
        return 1
    prefect_environment(lake)
    with run_lock(lake, wait=not args.no_wait) as held:
        if not held:
            err_console.print(f"alertlens: another nightly run is using {lake}; nothing done")
            return 0
        console.print("starting the nightly flow (Prefect)…")
        from alertlens.flows.nightly import NightlyResult, nightly_flow  # Prefect loads only here
        from alertlens.flows.nightly_steps import headline_lines

        config_path = str(config.path) if config.path else None
        workers = config.nightly.dask_workers if args.dask_workers is None else args.dask_workers
        with _one_prefect_api(bool(workers) or config.dask.enabled):
            state = nightly_flow(
                str(inbox),
                str(lake),
                str(out),
                config_path,
                args.week,
                args.dask_workers,
                return_state=True,
            )
        if not state.is_completed():
            err_console.print(f"alertlens: nightly failed: {state.message}")
            return 1
        result = state.result()
    assert isinstance(result, NightlyResult)  # a completed run returns its result
    if result.files:
        console.print(ingest_table(result.files))
    for line in headline_lines(result.summary):
        console.print(line)
    console.print(f"report: {result.report_html}")
    lines = not_read_lines(result.files)
    for line in lines:
        err_console.print(line)
    return SKIPPED_FILES if lines else 0


def nothing_to_run_on(inbox: Path, lake: Path, config: Config) -> str | None:
    """Why no run could write a report, when that is known before Prefect starts (which costs
    seconds): nothing to pull, no export in the inbox and no alerts or incidents in the lake.
    None when a run may find something."""
    from alertlens.ingest.lake import Lake
    from alertlens.ingest.records import InputError
    from alertlens.ingest.schema import Alerts, Incidents
    from alertlens.ingest.service import input_files

    if config.nightly.pull:
        return None
    try:
        if inbox.exists() and input_files([inbox]):
            return None
    except InputError:
        return None  # the run reports what is wrong with it
    store = Lake(lake)
    keys = ((Alerts.table, Alerts.alert_id), (Incidents.table, Incidents.incident_id))
    if store.exists and any(store.read_arrow(t, columns=[k]).num_rows for t, k in keys):
        return None
    return (f"nothing to pull, no exports in {inbox}, and {lake} has no alerts or incidents "
            "to analyse")


@contextlib.contextmanager
def _one_prefect_api(dask: bool) -> Iterator[None]:
    """With Dask, one Prefect API named to every worker (else each worker process starts a
    server of its own); without, Prefect's own ephemeral one."""
    if not dask:
        yield
        return
    from alertlens.flows.dask_analyze import prefect_api

    with prefect_api():
        yield
