"""``alertlens analyze``: noise analysis and incident metrics over the lake."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from alertlens.flows.commands.common import add_lake_option, lake_path

if TYPE_CHECKING:
    from alertlens.flows.config import Config


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "analyze",
        help="find noisy alerts and compute incident metrics",
        description="Analyse the lake's counted weeks (from the first week with data to the "
        "newest week that has ended and holds data): noise detection per alert and rule, "
        "what-if projection, MTTA/MTTR, recurrence, on-call load, trends and maturity. Writes "
        "<lake>/analysis/. A missing or empty lake is an error.",
    )
    add_lake_option(p)
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
    try:
        with console.status("analysing"):
            outputs = analyze(lake, config)
    except ReviewError as err:
        raise UsageError(str(err)) from err
    for line in headline_lines(outputs.summary):
        console.print(line)
    console.print(f"analysis: {outputs.directory}")
    return 0
