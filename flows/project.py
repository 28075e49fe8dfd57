"""Where the project's lake is: a path resolved from the project root, so the command line and
a notebook run from ``notebooks/`` read the same lake; a missing lake is an error."""

from __future__ import annotations

import os
from pathlib import Path

from alertlens.flows.config import load_config
from alertlens.ingest.lake import Lake, LakeNotFoundError

__all__ = ["lake_path", "open_lake", "project_root"]

CONFIG_FILE = "alertlens.toml"
PROJECT_FILE = "pyproject.toml"
ENV_LAKE = "ALERTLENS_LAKE"
DEFAULT_LAKE = Path("data/lake")


def project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) that holds an
    alertlens.toml or a pyproject.toml; ``start`` itself when none does. A notebook run from
    ``notebooks/`` thus finds the same lake as the command line run from the checkout."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file() or (folder / PROJECT_FILE).is_file():
            return folder
    return here


def lake_path(path: str | Path | None = None, *, start: Path | None = None) -> Path:
    """The lake to read: ``path``, else ``$ALERTLENS_LAKE``, else ``[paths] lake`` of the
    project's alertlens.toml, else ``data/lake``; a relative path is taken from the project
    root (``project_root``)."""
    root = project_root(start)
    chosen = Path(path) if path is not None else None
    if chosen is None and os.environ.get(ENV_LAKE):
        chosen = Path(os.environ[ENV_LAKE])
    if chosen is None:
        config = root / CONFIG_FILE
        chosen = load_config(config if config.is_file() else None, env={}).lake
    return chosen if chosen.is_absolute() else root / chosen


def open_lake(path: str | Path | None = None, *, start: Path | None = None) -> Lake:
    """The lake at ``lake_path(path)``; ``LakeNotFoundError`` (a FileNotFoundError) when there
    is none: a missing lake is never read as an empty one."""
    lake = Lake(lake_path(path, start=start))
    if not lake.exists:
        raise LakeNotFoundError(
            f"{lake.root}: no such lake (run `alertlens ingest` or `make demo` first, or set "
            f"${ENV_LAKE})"
        )
    return lake
