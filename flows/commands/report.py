"""``alertlens report``: render the weekly operational review (HTML and PDF) from the lake."""

from __future__ import annotations

import argparse
from datetime import date
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
        help="render the weekly operational review (HTML + PDF + CSV tables)",
        description="Render the operational review of one ISO week (default: the newest week that "
        "has ended and holds data) or of the days --since to --until against the period before, "
        "for the organisation or per team, from the lake and its analysis outputs. Each review is "
        "filed under <out>/organisation/<week>/ (or teams/<team>/<week>/) as report.html, "
        "report.pdf and tables/*.csv; <out>/index.html lists them all and <out>/latest points at "
        "the newest organisation-wide one. Prints each HTML report's path.",
    )
    add_lake_option(p)
    p.add_argument(
        "--out", type=Path, help="reports directory (default: $ALERTLENS_REPORTS or data/reports)"
    )
    p.add_argument(
        "--week",
        metavar="YYYY-Www",
        help="ISO week to review, e.g. 2026-W47 (default: the newest week that has ended and "
        "holds data)",
    )
    p.add_argument("--since", metavar="YYYY-MM-DD",
                   help="review the days from this date (with --until) against the period before")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="last day of the --since period")
    p.add_argument("--team", action="append", metavar="NAME",
                   help="review one team (repeat for several; default: the whole organisation)")
    p.add_argument("--each-team", action="store_true",
                   help="the organisation's review and one for every team")
    p.add_argument("--no-pdf", action="store_true", help="write the HTML report only")
    p.add_argument("--paper", choices=PAPERS, help="PDF paper size (default: [report] paper, a4)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Render and write the reviews; print where the HTML went."""
    from alertlens.analysis.review import ReviewError, ReviewRequest
    from alertlens.flows.console import console
    from alertlens.flows.steps import reports

    out = Path(args.out) if args.out else config.reports
    if args.week and (args.since or args.until):
        raise UsageError("--week and --since/--until exclude each other")
    try:
        request = ReviewRequest(week=args.week, since=_day(args.since, "--since"),
                                until=_day(args.until, "--until"))
        written = reports(
            lake_path(args, config),
            out,
            config,
            request,
            teams=tuple(args.team or ()),
            each_team=args.each_team,
            pdf=False if args.no_pdf else None,
            paper=args.paper,
        )
    except ReviewError as err:
        raise UsageError(str(err)) from err
    for paths in written:
        if paths.pdf is not None:
            console.print(f"pdf: {paths.pdf}")
        if paths.tables:
            console.print(f"tables: {paths.tables[0].parent}")
    console.print(f"index: {written[-1].index}")
    for paths in written:
        print(paths.html)
    return 0


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise UsageError(f"{flag} must be a date like 2026-10-01, got {text!r}") from err
