"""Pieces the command modules share: lake option, console, ingest summary table."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from flows.config import Config
from ingest.service import FileReport

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def add_lake_option(parser: argparse.ArgumentParser) -> None:
    """``--lake DIR`` (default: $ALERTLENS_LAKE, [paths] lake, data/lake)."""
    parser.add_argument(
        "--lake", type=Path, help="lake directory (default: $ALERTLENS_LAKE or data/lake)"
    )


def lake_path(args: argparse.Namespace, config: Config) -> Path:
    """The lake directory: the flag, else the configuration."""
    return Path(args.lake) if getattr(args, "lake", None) else config.lake


def ingest_table(reports: Sequence[FileReport]) -> Table:
    """A table of read / accepted / quarantined / deduplicated per file, with a total row."""
    table = Table(title="Ingest", show_lines=False)
    for name in ("file", "source", "kind", "read", "accepted", "quarantined", "dedup"):
        table.add_column(
            name,
            justify="right" if name in ("read", "accepted", "quarantined", "dedup") else "left",
        )
    totals = [0, 0, 0, 0]
    for r in reports:
        if r.skipped:
            table.add_row(Path(r.path).name, "", "already ingested", "-", "-", "-", "-")
            continue
        counts = [r.read, r.accepted, r.quarantined, r.deduplicated]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        table.add_row(Path(r.path).name, r.source, r.kind, *map(str, counts))
    table.add_row("total", "", "", *map(str, totals), style="bold")
    return table
