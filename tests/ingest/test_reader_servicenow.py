"""ServiceNow exports: event logs fold into incidents with exact accounting; dates never guessed."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alertlens.ingest.readers import servicenow
from alertlens.ingest.records import InputError, ParsedFile
from alertlens.ingest.schema import Incidents
from alertlens.ingest.shape import file_shape

UCI_OPTIONS = {"date_format": "%d/%m/%Y %H:%M", "timezone": "UTC"}


def _by_id(parsed: ParsedFile) -> dict[str, dict]:
    return {r[Incidents.incident_id]: r for r in parsed.rows[Incidents.table]}


def _balanced(parsed: ParsedFile) -> bool:
    return (
        parsed.read
        == len(parsed.rows.get(Incidents.table, [])) + len(parsed.rejected) + parsed.deduplicated
    )


def test_uci_excerpt_folds_events_into_incidents(fixtures: Path) -> None:
    path = fixtures / "servicenow" / "uci_incident_event_log_excerpt.csv"
    parsed = servicenow.read(path, UCI_OPTIONS)
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (
        102,
        12,
        0,
        90,
    )
    assert _balanced(parsed)
    first = _by_id(parsed)["INC0000045"]
    assert first[Incidents.created_at] == datetime(2016, 2, 29, 1, 16, tzinfo=UTC)
    assert first[Incidents.acknowledged_at] == datetime(2016, 2, 29, 8, 53, tzinfo=UTC)
    assert first[Incidents.resolved_at] == datetime(2016, 2, 29, 11, 29, tzinfo=UTC)
    assert first[Incidents.closed_at] == datetime(2016, 3, 5, 12, 0, tzinfo=UTC)
    assert (first[Incidents.priority], first[Incidents.severity]) == ("3 - Moderate", "warning")
    assert (first[Incidents.status], first[Incidents.team]) == ("Closed", "Group 56")


def test_uci_reopen_and_reassignment_counts_survive(fixtures: Path) -> None:
    parsed = servicenow.read(
        fixtures / "servicenow" / "uci_incident_event_log_excerpt.csv", UCI_OPTIONS
    )
    reopened = _by_id(parsed)["INC0000102"]
    assert (reopened[Incidents.reopen_count], reopened[Incidents.reassignment_count]) == (1, 4)
    assert reopened[Incidents.acknowledged_at] == datetime(2016, 2, 29, 20, 9, tzinfo=UTC)
    assert reopened[Incidents.version_at] == datetime(2016, 3, 24, 18, 59, tzinfo=UTC)
    junk_state = _by_id(parsed)["INC0028089"]
    assert junk_state[Incidents.status] == "Closed"


def test_day_first_dates_are_decided_from_the_whole_column(fixtures: Path) -> None:
    path = fixtures / "servicenow" / "uci_incident_event_log_excerpt.csv"
    parsed = servicenow.read(path, {})  # no configuration at all
    configured = servicenow.read(path, UCI_OPTIONS)
    assert (parsed.read, parsed.accepted, len(parsed.rejected)) == (102, 12, 0)
    assert parsed.rows == configured.rows
    assert "column opened_at read day first (from its values)" in parsed.notes
    assert any("read as UTC" in note for note in parsed.notes)


def test_a_wholly_ambiguous_column_asks_for_date_format(tmp_path: Path) -> None:
    path = tmp_path / "sn.csv"
    path.write_text(
        "number,opened_at,sys_updated_at\n"
        "INC1,03/04/2016 10:00,2016-04-03T10:00:00Z\n"
        "INC2,05/06/2016 11:00,2016-06-05T11:00:00Z\n"
    )
    with pytest.raises(InputError) as err:
        servicenow.read(path, {})
    message = str(err.value)
    assert "column 'opened_at'" in message and "date_format" in message
    assert "'03/04/2016 10:00'" in message and "'05/06/2016 11:00'" in message
    parsed = servicenow.read(path, {"date_format": "%d/%m/%Y %H:%M", "timezone": "UTC"})
    assert parsed.accepted == 2


def test_table_api_json_uses_values_and_rejects_ambiguous_dates(fixtures: Path) -> None:
    parsed = servicenow.read(fixtures / "servicenow" / "table_api_incidents_shaped.json", {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected)) == (3, 2, 1)
    assert parsed.rejected[0].locator == "/result/2"
    mail = _by_id(parsed)["INC0010001"]
    assert mail[Incidents.created_at] == datetime(2024, 3, 4, 8, 15, tzinfo=UTC)
    assert mail[Incidents.resolved_at] == datetime(2024, 3, 4, 9, 45, 30, tzinfo=UTC)
    assert (mail[Incidents.service], mail[Incidents.team], mail[Incidents.assignee]) == (
        "mail-01",
        "Messaging",
        "Dana Ops",
    )
    assert (mail[Incidents.severity], mail[Incidents.reported_by], mail[Incidents.resolved_by]) == (
        "critical",
        "alert",
        "human",
    )
    assert _by_id(parsed)["INC0010002"][Incidents.reopen_count] == 1


def test_bpi2013_shaped_log_lifecycle_and_counts(fixtures: Path) -> None:
    path = fixtures / "servicenow" / "bpi2013_shaped_synthetic.csv"
    assert servicenow.detect(file_shape(path)) == "servicenow.bpi2013"
    parsed = servicenow.read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (8, 2, 1, 5)
    assert parsed.rejected[0].locator == "line 9"
    sr = _by_id(parsed)["1-100"]
    assert sr[Incidents.created_at] == datetime(2011, 1, 3, 8, 0, tzinfo=UTC)
    assert sr[Incidents.acknowledged_at] == datetime(2011, 1, 3, 8, 10, tzinfo=UTC)
    assert sr[Incidents.resolved_at] == datetime(2011, 1, 3, 11, 0, tzinfo=UTC)
    assert sr[Incidents.closed_at] == datetime(2011, 1, 4, 8, 0, tzinfo=UTC)
    assert (
        sr[Incidents.reassignment_count],
        sr[Incidents.escalation_count],
        sr[Incidents.reopen_count],
    ) == (1, 1, 1)
    assert sr[Incidents.severity] == "critical"


def test_gzip_is_read_transparently(fixtures: Path, tmp_path: Path) -> None:
    import gzip

    plain = fixtures / "servicenow" / "uci_incident_event_log_excerpt.csv"
    packed = tmp_path / "export.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert servicenow.detect(file_shape(packed)) == "servicenow.csv"
    assert servicenow.read(packed, UCI_OPTIONS).accepted == 12


def test_unknown_option_and_unreadable_file(fixtures: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="date_fromat"):
        servicenow.read(
            fixtures / "servicenow" / "uci_incident_event_log_excerpt.csv", {"date_fromat": "x"}
        )
    bad = tmp_path / "bad.json"
    shutil.copy(fixtures / "servicenow" / "table_api_incidents_shaped.json", bad)
    bad.write_bytes(bad.read_bytes()[:200])
    with pytest.raises(InputError, match="not valid JSON"):
        servicenow.read(bad, {})


@pytest.mark.realdata
def test_uci_full_file_exact_accounting(realdata: Path) -> None:
    parsed = servicenow.read(
        realdata / "uci-incident-event-log" / "incident_event_log.csv.gz", UCI_OPTIONS
    )
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (
        141_712,
        24_918,
        0,
        116_794,
    )
    rows = _by_id(parsed)
    assert sum(1 for r in rows.values() if r[Incidents.reopen_count]) == 275
    assert sum(1 for r in rows.values() if r[Incidents.resolved_at] is None) > 0


@pytest.mark.realdata
def test_bpi2013_full_file_exact_accounting(realdata: Path) -> None:
    path = realdata / "bpi2013-volvo-incidents" / "VINST-new.csv.gz"
    assert servicenow.detect(file_shape(path)) == "servicenow.bpi2013"
    parsed = servicenow.read(path, {})
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (
        65_533,
        7_554,
        0,
        57_979,
    )
    first = _by_id(parsed)["1-364285768"]
    assert first[Incidents.created_at] == datetime(2010, 3, 31, 14, 59, 42, tzinfo=UTC)
