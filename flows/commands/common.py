"""Pieces the command modules share: lake option, console, ingest summary table."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from alertlens.flows.config import Config
from alertlens.ingest.service import FileReport

console = Console(highlight=False)
if not console.is_terminal:  # logs and pipes: rich's 80 columns would fold every file name
    console.width = 120
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
    """Read / accepted / quarantined / deduplicated per new file (paths relative to what they
    share), a total row, and one line for the files the manifest already had."""
    table = Table(title="Ingest", show_lines=False)
    table.add_column("file", overflow="fold")
    table.add_column("kind", overflow="fold")
    for name in ("read", "accepted", "quarantined", "dedup"):
        table.add_column(name, justify="right")
    new = [r for r in reports if not r.skipped]
    base = _common_parent([Path(r.path) for r in new])
    totals = [0, 0, 0, 0]
    for r in new:
        counts = [r.read, r.accepted, r.quarantined, r.deduplicated]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        name = str(Path(r.path).relative_to(base)) if base else r.path
        kind = r.kind if r.error is None else f"unreadable: {r.error}"
        table.add_row(name, kind, *map(str, counts))
    table.add_row(f"total ({len(new)} new files)", "", *map(str, totals), style="bold")
    skipped = len(reports) - len(new)
    if skipped:
        table.caption = f"{skipped} file(s) already ingested (same sha256): skipped"
    return table


def _common_parent(paths: Sequence[Path]) -> Path | None:
    if not paths:
        return None
    parents = [p.parent for p in paths]
    common = parents[0]
    while not all(common == p or common in p.parents for p in parents):
        common = common.parent
    return common
