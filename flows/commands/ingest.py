"""``alertlens ingest``: read exports into the lake."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.flows.commands.common import add_lake_option, lake_path
from alertlens.ingest.readers import source_names

if TYPE_CHECKING:
    from alertlens.flows.config import Config


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "ingest",
        help="read exports into the lake",
        description="Read exports (files or directories) into the lake. Each file's source is "
        "detected from its content unless --source is given. Re-ingesting a file changes nothing.",
    )
    p.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="export files or directories"
    )
    p.add_argument("--source", choices=source_names(), help="read every file as this source")
    p.add_argument("--force", action="store_true", help="re-read files the manifest already has")
    add_lake_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Ingest and print the per-file accounting."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from alertlens.flows.console import console, ingest_table
    from alertlens.ingest.lake import Lake
    from alertlens.ingest.service import ingest_paths, input_files

    lake = Lake(lake_path(args, config))
    files = input_files(args.paths)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("reading", total=len(files))

        def on_file(path: Path) -> None:
            progress.update(task, description=f"reading {path.name}", advance=1)

        reports = ingest_paths(
            lake,
            files,
            source=args.source,
            force=args.force,
            config_sources=config.sources,
            on_file=on_file,
        )
    console.print(ingest_table(reports))
    console.print(f"lake: {lake.root}")
    return 0
