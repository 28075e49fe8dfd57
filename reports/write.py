"""The one writer of report files: a dated folder per run, the history index, and ``latest``.

Layout under the output folder::

    index.html              every dated report, newest first
    latest -> 2026-11-24    the newest run (a symlink, or a copy where symlinks are impossible)
    2026-11-24/report.html
    2026-11-24/report.pdf
    2026-11-24/meta.json    the week shown and when it was generated (read back by the index)
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from alertlens.reports.html import IndexEntry, render_index

HTML_NAME = "report.html"
PDF_NAME = "report.pdf"
META_NAME = "meta.json"
INDEX_NAME = "index.html"
LATEST_NAME = "latest"
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ReportPaths:
    """Where one run's report files were written."""

    html: Path
    pdf: Path | None
    folder: Path
    index: Path
    latest: Path


def write_report(
    out_dir: Path,
    html: str,
    pdf: bytes | None,
    *,
    run_date: date,
    week: str,
    generated_at: datetime,
) -> ReportPaths:
    """Write one run's report into ``out_dir/<run_date>/``, then refresh the index and latest."""
    folder = out_dir / run_date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / HTML_NAME, html.encode("utf-8"))
    pdf_path: Path | None = folder / PDF_NAME
    if pdf is None:
        # A same-day rerun without PDF must not leave an older PDF that disagrees with the HTML.
        (folder / PDF_NAME).unlink(missing_ok=True)
        pdf_path = None
    else:
        _write_atomic(folder / PDF_NAME, pdf)
    meta = {"week": week, "generated_at": generated_at.isoformat(timespec="seconds")}
    _write_atomic(folder / META_NAME, json.dumps(meta, indent=2).encode("utf-8"))
    entries = history(out_dir)
    index = out_dir / INDEX_NAME
    _write_atomic(index, render_index(entries).encode("utf-8"))
    latest = _point_latest(out_dir, max(e.run_date for e in entries))
    return ReportPaths(folder / HTML_NAME, pdf_path, folder, index, latest)


def history(out_dir: Path) -> list[IndexEntry]:
    """Every dated report under ``out_dir``, newest first."""
    entries = []
    for folder in out_dir.iterdir() if out_dir.is_dir() else ():
        if not (_DATED.match(folder.name) and folder.is_dir() and not folder.is_symlink()):
            continue
        if not (folder / HTML_NAME).is_file():
            continue
        try:
            meta = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        entries.append(
            IndexEntry(
                run_date=folder.name,
                week=str(meta.get("week", "?")),
                href=f"{folder.name}/{HTML_NAME}",
                pdf_href=f"{folder.name}/{PDF_NAME}" if (folder / PDF_NAME).is_file() else None,
                generated_at=str(meta.get("generated_at", "")),
            )
        )
    return sorted(entries, key=lambda e: e.run_date, reverse=True)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _point_latest(out_dir: Path, newest: str) -> Path:
    """``out_dir/latest`` pointing at the ``newest`` folder: a relative symlink swapped in
    atomically, or a fresh copy where the file system refuses symlinks."""
    latest = out_dir / LATEST_NAME
    tmp = out_dir / f".{LATEST_NAME}.tmp-{os.getpid()}"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(newest, target_is_directory=True)
        if latest.is_dir() and not latest.is_symlink():
            shutil.rmtree(latest)  # a copy left by an earlier run on a symlink-less file system
        os.replace(tmp, latest)
    except OSError:
        tmp.unlink(missing_ok=True)
        if latest.is_symlink() or latest.is_file():
            latest.unlink()
        elif latest.is_dir():
            shutil.rmtree(latest)
        shutil.copytree(out_dir / newest, latest)
    return latest
