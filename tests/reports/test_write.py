"""The writer: a folder per scope and period that no other review overwrites, CSV tables beside
the page, an index of every review, and ``latest`` pointing at the newest organisation one."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from alertlens.reports import write
from alertlens.reports.tables import INCIDENTS, RECURRENCE, report_tables
from tests.reports.conftest import small_report

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _review(label: str, body: str, *, team: str | None = None, pdf: bytes | None = b"%PDF",
            start: date = date(2026, 11, 16)) -> write.ReviewFiles:
    return write.ReviewFiles(label=label, week=label if "W" in label else None, start=start,
                             end=start, team=team, generated_at=NOW, html=f"<p>{body}</p>",
                             pdf=pdf, tables={})


def test_reviews_are_filed_by_week_and_team_never_by_run_date(tmp_path: Path) -> None:
    w46 = write.write_report(tmp_path, _review("2026-W46", "46", start=date(2026, 11, 9)))
    w47 = write.write_report(tmp_path, _review("2026-W47", "47"))
    team = write.write_report(tmp_path, _review("2026-W47", "pay", team="Payments"))
    month = write.write_report(tmp_path, _review("2026-10-01 to 2026-10-31", "oct",
                                                 start=date(2026, 10, 1)))
    assert w46.html == tmp_path / "organisation" / "2026-W46" / "report.html"
    assert (w46.html.read_text(), w47.html.read_text()) == ("<p>46</p>", "<p>47</p>")
    assert team.folder.parent.name.startswith("payments-")  # case kept apart by a hash
    assert month.folder.name == "2026-10-01_2026-10-31"
    assert (tmp_path / "latest" / "report.html").read_text() == "<p>47</p>"
    index = (tmp_path / "index.html").read_text()
    assert index.index("organisation/2026-W47/") < index.index("organisation/2026-W46/")
    assert index.index("organisation/2026-W46/") < index.index("teams/payments-")
    assert "Payments" in index and "2026-10-01 to 2026-10-31" in index


def test_the_same_review_run_again_replaces_only_itself(tmp_path: Path) -> None:
    write.write_report(tmp_path, _review("2026-W46", "46"))
    write.write_report(tmp_path, _review("2026-W47", "old"))
    paths = write.write_report(tmp_path, _review("2026-W47", "new", pdf=None))
    assert paths.pdf is None and not (paths.folder / "report.pdf").exists()
    assert paths.html.read_text() == "<p>new</p>"
    assert (tmp_path / "organisation" / "2026-W46" / "report.pdf").exists()
    assert len(write.history(tmp_path)) == 2


def test_tables_are_written_as_csv_next_to_the_page(tmp_path: Path) -> None:
    report = small_report()
    tables = report_tables(report)
    review = write.ReviewFiles("2026-W47", "2026-W47", date(2026, 11, 16), date(2026, 11, 22),
                               None, NOW, "<p>x</p>", None, tables)
    paths = write.write_report(tmp_path, review)
    names = {p.stem for p in paths.tables}
    assert {INCIDENTS, RECURRENCE, "noisy_rules", "weekly", "burnout"} <= names
    with (paths.folder / "tables" / f"{INCIDENTS}.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(report.incidents)
    assert rows[0]["title"] == report.incidents[0].title  # raw text, not HTML-escaped
    assert rows[0]["time_to_ack"] == "120.0"  # seconds, as in the model
    assert write.csv_links(tables)[INCIDENTS] == "tables/incidents.csv"


def test_earlier_run_dated_reports_stay_listed(tmp_path: Path) -> None:
    old = tmp_path / "2026-11-20"
    old.mkdir()
    (old / "report.html").write_text("<p>old</p>")
    write.write_report(tmp_path, _review("2026-W47", "new"))
    scopes = [e.scope for e in write.history(tmp_path)]
    assert scopes == ["Organisation", write.LEGACY]


def test_latest_is_a_copy_where_symlinks_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("symlinks not supported")

    monkeypatch.setattr(Path, "symlink_to", refuse)
    for label, body, start in (("2026-W46", "old", date(2026, 11, 9)),
                               ("2026-W47", "new", date(2026, 11, 16))):
        paths = write.write_report(tmp_path, _review(label, body, start=start))
    assert not paths.latest.is_symlink()
    assert (paths.latest / "report.html").read_text() == "<p>new</p>"
    assert [e.label for e in write.history(tmp_path)] == ["2026-W47", "2026-W46"]
