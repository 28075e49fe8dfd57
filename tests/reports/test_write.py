"""The writer: dated folders, an index of them, and ``latest`` pointing at the newest."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from alertlens.reports import write

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_history_index_and_latest(tmp_path: Path) -> None:
    first = write.write_report(
        tmp_path,
        "<p>one</p>",
        b"%PDF-1",
        run_date=date(2026, 11, 23),
        week="2026-W47",
        generated_at=NOW,
    )
    second = write.write_report(
        tmp_path,
        "<p>two</p>",
        b"%PDF-2",
        run_date=date(2026, 11, 24),
        week="2026-W47",
        generated_at=NOW,
    )
    assert first.html == tmp_path / "2026-11-23" / "report.html"
    assert second.pdf == tmp_path / "2026-11-24" / "report.pdf"
    assert (tmp_path / "latest" / "report.html").read_text() == "<p>two</p>"
    assert (tmp_path / "latest").is_symlink()
    index = (tmp_path / "index.html").read_text()
    assert index.index("2026-11-24/report.html") < index.index("2026-11-23/report.html")
    assert "2026-11-23/report.pdf" in index and "2026-W47" in index


def test_rerun_without_pdf_drops_the_stale_pdf(tmp_path: Path) -> None:
    day = date(2026, 11, 24)
    write.write_report(
        tmp_path, "<p>a</p>", b"%PDF", run_date=day, week="2026-W47", generated_at=NOW
    )
    paths = write.write_report(
        tmp_path, "<p>b</p>", None, run_date=day, week="2026-W47", generated_at=NOW
    )
    assert paths.pdf is None
    assert not (tmp_path / "2026-11-24" / "report.pdf").exists()
    assert "report.pdf" not in (tmp_path / "index.html").read_text()


def test_latest_is_a_copy_where_symlinks_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("symlinks not supported")

    monkeypatch.setattr(Path, "symlink_to", refuse)
    for day, body in ((date(2026, 11, 23), "old"), (date(2026, 11, 24), "new")):
        paths = write.write_report(
            tmp_path, f"<p>{body}</p>", None, run_date=day, week="2026-W47", generated_at=NOW
        )
    assert not paths.latest.is_symlink()
    assert (paths.latest / "report.html").read_text() == "<p>new</p>"
    assert [e.run_date for e in write.history(tmp_path)] == ["2026-11-24", "2026-11-23"]
