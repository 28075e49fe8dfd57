"""Writes that survive a crash: a file appears whole under its final name or not at all."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (a create or a rename) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(final: Path, data: bytes, *, tmp: Path | None = None) -> Path:
    """``final`` after writing ``data`` to a hidden temp file beside it (or ``tmp``), fsyncing
    it, renaming it into place and fsyncing the directory.

    Hidden temp names keep readers' globs (``*.parquet``, ``*.json``) from seeing half a file.
    """
    tmp = tmp or final.with_name(f".{final.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):  # a failed write leaves nothing behind
            tmp.unlink()
        raise
    fsync_dir(final.parent)
    return final
