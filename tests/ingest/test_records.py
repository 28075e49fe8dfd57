"""ParsedFile.add_newest: one row per key, newest version kept in place, folds counted."""

from __future__ import annotations

from datetime import UTC, datetime

from alertlens.ingest.records import ParsedFile
from alertlens.ingest.schema import Common, Incidents


def _row(key: str, day: int | None, title: str) -> dict:
    at = None if day is None else datetime(2026, 1, day, tzinfo=UTC)
    return {Incidents.incident_id: key, Common.version_at: at, Incidents.title: title}


def test_newest_version_wins_in_place_and_folds_are_counted() -> None:
    parsed = ParsedFile("x", "x.kind")
    assert parsed.add_newest(Incidents.table, _row("a", 2, "a2"), Incidents.incident_id)
    assert parsed.add_newest(Incidents.table, _row("b", 1, "b1"), Incidents.incident_id)
    assert not parsed.add_newest(Incidents.table, _row("a", 1, "a1"), Incidents.incident_id)
    assert parsed.add_newest(Incidents.table, _row("b", 1, "b1-later"), Incidents.incident_id)
    assert parsed.add_newest(Incidents.table, _row("a", 3, "a3"), Incidents.incident_id)
    assert not parsed.add_newest(Incidents.table, _row("a", None, "a-none"), Incidents.incident_id)
    titles = [r[Incidents.title] for r in parsed.rows[Incidents.table]]
    assert titles == ["a3", "b1-later"]
    assert parsed.deduplicated == 4


def test_ragged_csv_rows_are_read_and_quarantined(tmp_path) -> None:
    from alertlens.ingest.readers._common import csv_rows, full_rows

    path = tmp_path / "x.csv"
    path.write_text("id,title\n1,a\n2,b,extra\n3\n4,d\n")
    parsed = ParsedFile("x", "x.kind")
    header, rows = csv_rows(path)
    kept = [loc for loc, _ in parsed.checked(full_rows(rows, len(header)), check_json=False)]
    assert kept == ["line 2", "line 5"]
    assert parsed.read == 4
    assert [(r.locator, r.reason) for r in parsed.rejected] == [
        ("line 3", "3 fields, header has 2"),
        ("line 4", "1 fields, header has 2"),
    ]
