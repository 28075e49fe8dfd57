"""``alertlens report``: render the weekly operational review (HTML and PDF) from the lake."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.flows.commands.common import add_lake_option, lake_path
from alertlens.flows.errors import UsageError
from alertlens.reports.pdf import PAPERS

if TYPE_CHECKING:
    from alertlens.flows.config import Config


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "report",
        help="render the weekly operational review (HTML + PDF)",
        description="Render the weekly operational review of one ISO week from the lake and its "
        "analysis outputs into <out>/<today>/report.html and report.pdf, refresh <out>/index.html "
        "and point <out>/latest at it. Prints the HTML report's path.",
    )
    add_lake_option(p)
    p.add_argument(
        "--out", type=Path, help="reports directory (default: $ALERTLENS_REPORTS or data/reports)"
    )
    p.add_argument(
        "--week",
        metavar="YYYY-Www",
        help="ISO week to review, e.g. 2026-W47 (default: the last complete week)",
    )
    p.add_argument("--no-pdf", action="store_true", help="write the HTML report only")
    p.add_argument("--paper", choices=PAPERS, help="PDF paper size (default: [report] paper, a4)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Render and write the report; print where the HTML went."""
    from alertlens.analysis.review import ReviewError
    from alertlens.flows.console import console
    from alertlens.flows.steps import report

    out = Path(args.out) if args.out else config.reports
    try:
        paths = report(
            lake_path(args, config),
            out,
            config,
            week=args.week,
            pdf=False if args.no_pdf else None,
            paper=args.paper,
        )
    except ReviewError as err:
        raise UsageError(str(err)) from err
    if paths.pdf is not None:
        console.print(f"pdf: {paths.pdf}")
    console.print(f"index: {paths.index}")
    print(paths.html)
    return 0
