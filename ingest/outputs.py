"""The analysis outputs of a lake, published as one set.

Layout::

    <lake>/analysis -> .analysis/<generation>     a symlink: the current set
    <lake>/.analysis/<generation>/rules.parquet    one file per result table
    <lake>/.analysis/<generation>/summary.json

``publish`` writes a whole new generation folder, fsyncs it, then switches the ``analysis``
symlink with one atomic rename, so a reader that resolves ``<lake>/analysis`` sees the old set
or the new one, never a mix (a kill mid-write leaves only an unreferenced folder, swept by the
next publish). The previous generation is kept until the one after, so a reader that resolved
the link just before a switch can still finish reading.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from alertlens.ingest.durable import atomic_write, fsync_dir
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import ANALYSIS_DIR, Summary

GENERATIONS_DIR = ".analysis"


class AnalysisStore:
    """The analysis outputs of ``lake``. Every read of one store comes from one generation:
    the one ``<lake>/analysis`` pointed at on the store's first read, so a publish in between
    never mixes two sets (the previous generation is kept until the next publish)."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake
        self._pinned: Path | None = None

    @property
    def current(self) -> Path:
        """``<lake>/analysis``: the folder of the current set (through the symlink)."""
        return self.lake.root / ANALYSIS_DIR

    def generation(self) -> Path:
        """The folder this store reads from, resolved once."""
        if self._pinned is None:
            link = self.current
            self._pinned = link.parent / os.readlink(link) if link.is_symlink() else link
        return self._pinned

    def path(self, name: str) -> Path:
        """The file of result table ``name`` (``rules`` or ``rules.parquet``) or of
        ``summary.json`` in this store's generation."""
        file = name if name.endswith((".json", ".parquet")) else f"{name}.parquet"
        return self.generation() / file

    def has(self, *names: str) -> bool:
        """Whether the current set holds every one of ``names``."""
        return all(self.path(n).is_file() for n in names)

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Result table ``name`` of the current set (FileNotFoundError when it has none)."""
        return pd.read_parquet(self.path(name), columns=columns)

    def summary(self) -> dict[str, Any]:
        """summary.json of the current set (FileNotFoundError when there is none)."""
        loaded: dict[str, Any] = json.loads(self.path(Summary.file).read_text(encoding="utf-8"))
        return loaded

    def publish(self, tables: Mapping[str, pd.DataFrame], summary: Mapping[str, Any]) -> list[Path]:
        """Write ``tables`` (name -> frame) and ``summary`` as the new current set, atomically,
        under the lake's writer lock. Returns the published files (under ``<lake>/analysis``)."""
        generations = self.lake.root / GENERATIONS_DIR
        with self.lake.locked():
            generations.mkdir(parents=True, exist_ok=True)
            name = uuid.uuid4().hex[:12]
            folder = generations / name
            folder.mkdir()
            for table, frame in tables.items():
                atomic_write(
                    folder / f"{table}.parquet",
                    frame.reset_index(drop=True).to_parquet(index=False),
                )
            text = json.dumps(summary, indent=2, default=str) + "\n"
            atomic_write(folder / Summary.file, text.encode())
            fsync_dir(generations)
            previous = self._switch(folder)
            self._sweep(keep={name, previous})
        self._pinned = folder
        return sorted(self.current / p.name for p in folder.iterdir())

    def _switch(self, folder: Path) -> str | None:
        """Point ``<lake>/analysis`` at ``folder``; the name of the generation it pointed at."""
        link = self.current
        previous = None
        if link.is_symlink():
            previous = Path(os.readlink(link)).name
        elif link.is_dir():  # a lake from before generations: its folder becomes one
            previous = f"legacy-{uuid.uuid4().hex[:8]}"
            os.replace(link, folder.parent / previous)
        tmp = link.with_name(f".{ANALYSIS_DIR}.tmp-{uuid.uuid4().hex[:8]}")
        os.symlink(Path(GENERATIONS_DIR) / folder.name, tmp)
        os.replace(tmp, link)
        fsync_dir(link.parent)
        return previous

    def _sweep(self, keep: set[str | None]) -> None:
        for old in (self.lake.root / GENERATIONS_DIR).iterdir():
            if old.name not in keep:
                with contextlib.suppress(FileNotFoundError):
                    shutil.rmtree(old)
