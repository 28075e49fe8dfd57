"""The one writer of report files: a folder per scope and period, its CSV tables, the history
index, and ``latest``. Reviews of different periods or teams never overwrite each other; the
same review run again replaces its own folder with what the data says now.

Layout under the output folder::

    index.html                               every review, by scope, newest period first
    latest -> organisation/2026-W47          the newest organisation-wide review
    organisation/2026-W47/report.html        report.pdf, meta.json and tables/*.csv beside it
    organisation/2026-10-01_2026-10-31/      a --since/--until review
    teams/<team>/2026-W47/                   a --team review

Folders named by run date (``2026-11-24/``) that earlier versions wrote are still listed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final

from alertlens.reports.html import render_index
from alertlens.reports.model import IndexEntry
from alertlens.reports.tables import Row

HTML_NAME: Final = "report.html"
PDF_NAME: Final = "report.pdf"
META_NAME: Final = "meta.json"
TABLES_DIR: Final = "tables"
INDEX_NAME: Final = "index.html"
LATEST_NAME: Final = "latest"
ORGANISATION_DIR: Final = "organisation"
TEAMS_DIR: Final = "teams"
ORGANISATION: Final = "Organisation"
LEGACY: Final = "Earlier reports (filed by run date)"
_DATED: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNSAFE: Final = re.compile(r"[^a-z0-9]+")

#: meta.json keys
META_LABEL: Final = "label"
META_WEEK: Final = "week"
META_START: Final = "start"
META_END: Final = "end"
META_TEAM: Final = "team"
META_GENERATED: Final = "generated_at"


@dataclass(frozen=True)
class ReviewFiles:
    """One rendered review: the page, the PDF, the tables and what it covers."""

    label: str  # "2026-W47" or "2026-10-01 to 2026-10-31"
    week: str | None
    start: date
    end: date  # inclusive
    team: str | None
    generated_at: datetime
    html: str
    pdf: bytes | None
    tables: Mapping[str, Sequence[Row]]


@dataclass(frozen=True)
class ReportPaths:
    """Where one review's files were written."""

    html: Path
    pdf: Path | None
    folder: Path
    tables: tuple[Path, ...]
    index: Path
    latest: Path


def team_slug(team: str) -> str:
    """A folder name for ``team``: lowercase letters, digits and dashes, with a short hash when
    that changed the name (so "Ops" and "ops" never share a folder)."""
    slug = _UNSAFE.sub("-", team.lower()).strip("-") or "team"
    if slug != team:
        slug += "-" + hashlib.sha256(team.encode()).hexdigest()[:6]
    return slug


def review_folder(out_dir: Path, label: str, team: str | None) -> Path:
    """Where the review of ``label`` (of ``team``, or of the organisation) is filed."""
    scope = out_dir / ORGANISATION_DIR if team is None else out_dir / TEAMS_DIR / team_slug(team)
    return scope / label.replace(" to ", "_")


def csv_links(tables: Mapping[str, Sequence[Row]]) -> dict[str, str]:
    """The relative link of each table's CSV file from the report page."""
    return {name: f"{TABLES_DIR}/{name}.csv" for name in tables}


def write_report(out_dir: Path, review: ReviewFiles) -> ReportPaths:
    """Write one review into its folder, then refresh the index and ``latest``."""
    folder = review_folder(out_dir, review.label, review.team)
    folder.mkdir(parents=True, exist_ok=True)
    tables_dir = folder / TABLES_DIR
    if tables_dir.is_dir():
        shutil.rmtree(tables_dir)  # a table that is empty now must not survive from a re-run
    written = []
    if review.tables:
        tables_dir.mkdir()
        for name, rows in review.tables.items():
            path = tables_dir / f"{name}.csv"
            _write_atomic(path, _csv(rows).encode("utf-8"))
            written.append(path)
    _write_atomic(folder / HTML_NAME, review.html.encode("utf-8"))
    pdf_path: Path | None = folder / PDF_NAME
    if review.pdf is None:
        # A re-run without PDF must not leave an older PDF that disagrees with the HTML.
        (folder / PDF_NAME).unlink(missing_ok=True)
        pdf_path = None
    else:
        _write_atomic(folder / PDF_NAME, review.pdf)
    meta = {META_LABEL: review.label, META_WEEK: review.week,
            META_START: review.start.isoformat(), META_END: review.end.isoformat(),
            META_TEAM: review.team,
            META_GENERATED: review.generated_at.isoformat(timespec="seconds")}
    _write_atomic(folder / META_NAME, json.dumps(meta, indent=2).encode("utf-8"))
    entries = history(out_dir)
    index = out_dir / INDEX_NAME
    _write_atomic(index, render_index(entries).encode("utf-8"))
    newest = next((e for e in entries if e.scope == ORGANISATION), entries[0])
    latest = _point_latest(out_dir, Path(newest.href).parent.as_posix())
    return ReportPaths(folder / HTML_NAME, pdf_path, folder, tuple(written), index, latest)


def history(out_dir: Path) -> list[IndexEntry]:
    """Every review under ``out_dir``: the organisation's first, then each team's, then the
    run-dated ones of earlier versions; newest period first within each."""
    entries: list[IndexEntry] = []
    pages = sorted(out_dir.glob(f"{ORGANISATION_DIR}/*/{HTML_NAME}")) + sorted(
        out_dir.glob(f"{TEAMS_DIR}/*/*/{HTML_NAME}"))
    for html in pages:
        meta = _meta(html.parent)
        entries.append(IndexEntry(
            str(meta.get(META_TEAM) or ORGANISATION), str(meta.get(META_LABEL, html.parent.name)),
            str(meta.get(META_START, "")), html.relative_to(out_dir).as_posix(),
            _pdf(out_dir, html.parent), str(meta.get(META_GENERATED, ""))))
    for folder in sorted(out_dir.iterdir()) if out_dir.is_dir() else ():
        if (_DATED.match(folder.name) and folder.is_dir() and not folder.is_symlink()
                and (folder / HTML_NAME).is_file()):
            meta = _meta(folder)
            entries.append(IndexEntry(LEGACY, str(meta.get(META_WEEK, "?")), folder.name,
                                      f"{folder.name}/{HTML_NAME}", _pdf(out_dir, folder),
                                      str(meta.get(META_GENERATED, ""))))
    entries.sort(key=lambda e: e.start, reverse=True)

    def rank(e: IndexEntry) -> tuple[int, str]:
        return (0, "") if e.scope == ORGANISATION else (2, "") if e.scope == LEGACY else (1,
                                                                                         e.scope)

    return sorted(entries, key=rank)  # stable: newest first within each scope


def _csv(rows: Sequence[Row]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


def _pdf(out_dir: Path, folder: Path) -> str | None:
    pdf = folder / PDF_NAME
    return pdf.relative_to(out_dir).as_posix() if pdf.is_file() else None


def _meta(folder: Path) -> dict[str, object]:
    try:
        loaded = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


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
