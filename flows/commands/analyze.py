"""``alertlens analyze``: noise analysis and incident metrics over the lake."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from alertlens.flows.commands.common import add_lake_option, lake_path

if TYPE_CHECKING:
    from alertlens.flows.config import Config
    from alertlens.flows.steps import AnalysisOutputs
    from alertlens.ingest.lake import Lake


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "analyze",
        help="find noisy alerts and compute incident metrics",
        description="Analyse the lake's counted weeks (from the first week with data to the "
        "newest week that has ended and holds data): noise detection per alert and rule, "
        "what-if projection, MTTA/MTTR, recurrence, on-call load, trends and maturity. Writes "
        "<lake>/analysis/. A missing or empty lake is an error. With a Dask cluster ([dask] in "
        "alertlens.toml, or the flags below) the per-team shards run as mapped Prefect tasks on "
        "it, with the same results.",
    )
    add_lake_option(p)
    p.add_argument(
        "--dask-workers",
        type=int,
        metavar="N",
        help="run the per-team shards on a local Dask cluster of N processes (default: [dask])",
    )
    p.add_argument(
        "--dask-address",
        metavar="ADDRESS",
        help="run the per-team shards on an existing Dask scheduler, e.g. tcp://host:8786 "
        "(default: [dask])",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Analyse and print the headline numbers."""
    from alertlens.analysis.calendar import ReviewError
    from alertlens.flows.console import console
    from alertlens.flows.errors import UsageError
    from alertlens.flows.nightly_steps import headline_lines
    from alertlens.flows.steps import analyze
    from alertlens.ingest.lake import Lake

    lake = Lake(lake_path(args, config))
    config = _with_dask_flags(args, config)
    try:
        if config.dask.enabled:
            outputs = _sharded(lake, config)
        else:
            with console.status("analysing"):
                outputs = analyze(lake, config)
    except ReviewError as err:
        raise UsageError(str(err)) from err
    for line in headline_lines(outputs.summary):
        console.print(line)
    console.print(f"analysis: {outputs.directory}")
    return 0


def _with_dask_flags(args: argparse.Namespace, config: Config) -> Config:
    from dataclasses import replace

    from alertlens.flows.config import ConfigError, DaskSettings
    from alertlens.ingest.settings_table import SettingsError, overridden

    try:
        dask: DaskSettings = overridden(config.dask, "dask", workers=args.dask_workers,
                                        address=args.dask_address)
    except SettingsError as err:
        raise ConfigError(f"--dask-workers/--dask-address: {err}") from None
    return replace(config, dask=dask)


def _sharded(lake: Lake, config: Config) -> AnalysisOutputs:
    """Run the analysis as the Prefect flow whose team shards go to Dask."""
    from alertlens.flows.commands.nightly import prefect_environment

    prefect_environment(lake.root)
    from alertlens.flows.dask_analyze import sharded_analyze

    return sharded_analyze(lake.root, config)
