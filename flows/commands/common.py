"""Argument helpers the command modules share (standard library only: see flows/cli.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alertlens.flows.config import Config


def add_lake_option(parser: argparse.ArgumentParser) -> None:
    """``--lake DIR`` (default: $ALERTLENS_LAKE, [paths] lake, data/lake)."""
    parser.add_argument(
        "--lake", type=Path, help="lake directory (default: $ALERTLENS_LAKE or data/lake)"
    )


def lake_path(args: argparse.Namespace, config: Config) -> Path:
    """The lake directory: the flag, else the configuration. UsageError when it exists and is
    not a directory."""
    from alertlens.flows.errors import UsageError

    path = Path(args.lake) if getattr(args, "lake", None) else config.lake
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path}: the lake must be a directory, and this is a file")
    return path
