"""The hand-made bad inputs: each ends as a quarantined record with a precise reason (the rest of
the file still loads) or as one InputError for the file. Deep nesting, NaN / Infinity, lone
surrogates, year 9999 at -14:00, epoch 1e300, wrong value types, broken encodings and gzip
streams, bombs, empty documents."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from alertlens.ingest import limits
from alertlens.ingest.records import InputError, ParsedFile, rows_to_table
from alertlens.ingest.schema import Manifest
from alertlens.ingest.service import detected_source, parsed_file

#: (fixture, JSON pointer of its first record, a time field of that record, a text field)
JSON_FIXTURES = [
    ("alertmanager/alertmonitor_webhook_v4_firing_server_not_monitored.json", ["alerts"],
     "startsAt", ("labels", "alertname")),
    ("opsgenie/list_alerts_page.json", ["data"], "createdAt", ("message",)),
    ("prometheus/alertmonitor_prometheus_api_v1_alerts_excerpt.json", ["data", "alerts"],
     "activeAt", ("labels", "alertname")),
    ("pagerduty/analytics_raw_incidents_shaped.json", ["data"], "created_at", ("description",)),
    ("servicenow/table_api_incidents_shaped.json", ["result"], "opened_at", ("short_description",)),
]

HOSTILE_TIMES = {
    "nan": "NaN",
    "infinity": "Infinity",
    "year-9999-minus-14": '"9999-12-31T23:59:59-14:00"',
    "epoch-1e300": "1e300",
    "epoch-int-1e30": str(10**30),
    "digits-1e20": '"999999999999999999999"',
    "a-list": "[1, 2]",
    "an-object": '{"at": 1}',
    "true": "true",
}


def _records(doc: Any, path: list[str]) -> list[Any]:
    for key in path:
        doc = doc[key]
    return doc  # type: ignore[no-any-return]


def _with_second_record(fixture: Path, path: list[str], change: str) -> tuple[str, int]:
    """The fixture with its first record duplicated (new id) and ``change`` spliced into the
    copy as raw JSON text; the index of the changed record."""
    doc = json.loads(fixture.read_text())
    records = _records(doc, path)
    first = json.loads(json.dumps(records[0]))
    first["__marker__"] = "MARK"
    records.insert(1, first)
    return json.dumps(doc).replace('"__marker__": "MARK"', change), 1


def _accounted(parsed: ParsedFile) -> None:
    assert parsed.read == (
        parsed.accepted + len(parsed.rejected) + parsed.deduplicated + parsed.skipped
    )
    for table, rows in parsed.rows.items():
        rows_to_table(table, rows)
    for r in parsed.rejected:
        (r.reason + r.raw + r.locator).encode("utf-8")


@pytest.mark.parametrize(("fixture", "path", "time_key", "text_path"), JSON_FIXTURES)
@pytest.mark.parametrize("what", list(HOSTILE_TIMES))
def test_a_hostile_time_quarantines_its_record_only(
    fixtures: Path,
    tmp_path: Path,
    fixture: str,
    path: list[str],
    time_key: str,
    text_path: tuple[str, ...],
    what: str,
) -> None:
    doc = json.loads((fixtures / fixture).read_text())
    records = _records(doc, path)
    baseline = parsed_file(fixtures / fixture, {})
    target = records[0]
    target[time_key] = "__HOSTILE__"
    file = tmp_path / Path(fixture).name
    file.write_text(json.dumps(doc).replace('"__HOSTILE__"', HOSTILE_TIMES[what]))
    parsed = parsed_file(file, {})
    _accounted(parsed)
    assert parsed.read == baseline.read
    assert len(parsed.rejected) == len(baseline.rejected) + 1, [r.reason for r in parsed.rejected]
    reason = parsed.rejected[0].reason
    assert reason and "unexpected value" not in reason, reason


@pytest.mark.parametrize(("fixture", "path", "time_key", "text_path"), JSON_FIXTURES)
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ('"x": ' + "[" * 10_000 + "]" * 10_000, "nested deeper than"),
        ('"x": ' + "[" * 100 + "]" * 100, "nested deeper than"),
        ('"x": NaN', "NaN is not a JSON value"),
        ('"x": -Infinity', "-Infinity is not a JSON value"),
        ('"x": 1e400', "number out of range"),
        ('"x": "a\\ud800b"', "lone UTF-16 surrogate"),
        ('"k\\udfff": 1', "lone UTF-16 surrogate"),
        ('"x": "' + "y" * (limits.MAX_FIELD_CHARS + 1) + '"', "characters (limit"),
    ],
    ids=["deep-10000", "deep-100", "nan", "-infinity", "1e400", "surrogate", "surrogate-key",
         "huge-field"],
)
def test_an_unstorable_value_quarantines_its_record_with_the_pointer(
    fixtures: Path,
    tmp_path: Path,
    fixture: str,
    path: list[str],
    time_key: str,
    text_path: tuple[str, ...],
    change: str,
    reason: str,
) -> None:
    text, _ = _with_second_record(fixtures / fixture, path, change)
    file = tmp_path / Path(fixture).name
    file.write_text(text)
    parsed = parsed_file(file, {})
    _accounted(parsed)
    bad = [r for r in parsed.rejected if reason in r.reason]
    assert len(bad) == 1, [r.reason for r in parsed.rejected]
    assert ("/1" in bad[0].locator and "/x" in bad[0].reason) or "key" in bad[0].reason
    assert parsed.accepted >= 1  # the rest of the file loads


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "file is empty"),
        (b" \n\t\n", "file is empty"),
        (b"\xef\xbb\xbf", "file is empty"),
        (b"null", "neither JSON nor CSV"),
        (b"{}", "no reader recognises JSON: an object with keys "),
        (b'"text"', "neither JSON nor CSV"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text (byte 0x89)"),
        (b"\x00\x00\x00\x01binary", "binary data"),
        (b"\xff\xfe{\x00}\x00", "UTF-16"),
        (b'{"alerts": [', "not valid JSON"),
        (b'[{"a": 1},', "not valid JSON"),
    ],
)
def test_a_file_no_reader_can_take_is_one_line(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        parsed_file(path, {})
    assert reason in str(err.value) and str(err.value).startswith(str(path))


def test_an_empty_list_is_an_empty_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text("[]\n")
    assert detected_source(path) == ("", Manifest.EMPTY)
    parsed = parsed_file(path, {})
    assert (parsed.kind, parsed.read) == (Manifest.EMPTY, 0)


def _webhook(fixtures: Path) -> bytes:
    name = "alertmanager/alertmonitor_webhook_v4_firing_server_not_monitored.json"
    return (fixtures / name).read_bytes()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda b: gzip.compress(b)[: len(gzip.compress(b)) // 2], "corrupt gzip data"),
        (lambda b: gzip.compress(b)[:-8] + b"\0\0\0\0" + gzip.compress(b)[-4:], "corrupt gzip"),
        (lambda b: gzip.compress(gzip.compress(b)), "a gzip file inside a gzip file"),
        (lambda b: gzip.compress(b"  "), "file is empty"),
        (lambda b: zlib.compress(b), "binary data"),
    ],
    ids=["truncated", "bad-crc", "double", "empty-member", "zlib"],
)
def test_broken_gzip_is_one_line(fixtures: Path, tmp_path: Path, make: Any, reason: str) -> None:
    path = tmp_path / "case.json.gz"
    path.write_bytes(make(_webhook(fixtures)))
    with pytest.raises(InputError, match=reason):
        parsed_file(path, {})


def test_gzip_is_streamed_and_a_bomb_is_refused_not_loaded(
    fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "GZIP_RATIO_FLOOR", 1 << 20)
    bomb = tmp_path / "bomb.json.gz"
    with gzip.open(bomb, "wb") as fh:  # a webhook's opening, then 64 MiB of spaces
        fh.write(_webhook(fixtures)[:200])
        chunk = b" " * (1 << 20)
        for _ in range(64):
            fh.write(chunk)
    with pytest.raises(InputError, match="gzip bomb"):
        parsed_file(bomb, {})
    lines = tmp_path / "blank.jsonl.gz"
    with gzip.open(lines, "wb") as fh:
        for _ in range(64):
            fh.write(b"\n" * (1 << 20))
    with pytest.raises(InputError, match="gzip bomb"):
        parsed_file(lines, {})
    monkeypatch.setattr(limits, "MAX_DECOMPRESSED_BYTES", 1000)
    plain = tmp_path / "webhook.json.gz"
    plain.write_bytes(gzip.compress(_webhook(fixtures)))
    with pytest.raises(InputError, match="decompresses to more than"):
        parsed_file(plain, {})


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (b'INC9,2016-03-01T10:00:00Z,"' + b"x" * (limits.MAX_FIELD_CHARS + 10) + b'"',
         "field larger than"),
        (b"INC9,2016-03-01T10:00:00Z,caf\xe9", "not UTF-8"),
        (b"INC9,2016-03-01T10:00:00Z", "2 fields, header has 4"),
    ],
    ids=["huge-field", "latin-1", "ragged"],
)
def test_a_bad_csv_row_is_quarantined_and_the_rest_loads(
    tmp_path: Path, row: bytes, reason: str
) -> None:
    path = tmp_path / "sn.csv"
    path.write_bytes(
        b"number,opened_at,short_description,sys_updated_at\n"
        b"INC1,2016-03-01T09:00:00Z,ok,2016-03-01T09:00:00Z\n"
        + row.replace(b"INC9,2016-03-01T10:00:00Z", b"INC9,2016-03-01T10:00:00Z", 1)
        + (b",2016-03-01T10:00:00Z" if reason != "2 fields, header has 4" else b"")
        + b"\nINC2,2016-03-01T11:00:00Z,ok,2016-03-01T11:00:00Z\n"
    )
    parsed = parsed_file(path, {})
    _accounted(parsed)
    assert [r.locator for r in parsed.rejected if reason in r.reason] == ["line 3"], [
        r.reason for r in parsed.rejected
    ]
    assert parsed.accepted == 2


@pytest.mark.parametrize(("fixture", "path", "time_key", "text_path"), JSON_FIXTURES)
def test_a_lone_surrogate_in_a_text_field_never_reaches_a_row(
    fixtures: Path,
    tmp_path: Path,
    fixture: str,
    path: list[str],
    time_key: str,
    text_path: tuple[str, ...],
) -> None:
    """Also not through a value derived from several records (Opsgenie's title templates)."""
    doc = json.loads((fixtures / fixture).read_text())
    target = _records(doc, path)[0]
    for key in text_path[:-1]:
        target = target[key]
    target[text_path[-1]] = "__TEXT__"
    file = tmp_path / Path(fixture).name
    file.write_text(json.dumps(doc).replace('"__TEXT__"', '"a\\ud800b"'))
    parsed = parsed_file(file, {})
    _accounted(parsed)
    assert any("surrogate" in r.reason for r in parsed.rejected)


def test_values_of_the_wrong_type_in_the_envelope_or_counts(fixtures: Path, tmp_path: Path) -> None:
    """Found by the wrong-type matrix: a count past 64 bits, a receivers field that is not a
    list, a digit that int() refuses."""
    from alertlens.ingest.readers._common import int_or_none

    assert int_or_none(10**30) is None and int_or_none("²") is None and int_or_none("12") == 12
    name = "alertmanager/alertmonitor_webhook_v4_firing_server_not_monitored.json"
    webhook = json.loads((fixtures / name).read_text())
    webhook["truncatedAlerts"] = 10**30
    path = tmp_path / "webhook.json"
    path.write_text(json.dumps(webhook))
    parsed = parsed_file(path, {})
    assert (parsed.truncated_alerts, parsed.accepted) == (0, 10)
    snapshot = [
        {
            "fingerprint": "ab",
            "labels": {"alertname": "A"},
            "startsAt": "2026-01-01T00:00:00Z",
            "status": {"state": "active"},
            "receivers": receivers,
        }
        for receivers in (True, -1, 1.5, "x", None, [{"name": "pager"}])
    ]
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot))
    parsed = parsed_file(path, {})
    _accounted(parsed)
    assert (parsed.read, len(parsed.rejected)) == (6, 0)
    csv = tmp_path / "sn.csv"
    csv.write_text(
        "number,opened_at,sys_updated_at,reopen_count,sys_mod_count\n"
        f"INC1,2016-03-01T09:00:00Z,2016-03-01T09:00:00Z,{10**30},²\n"
    )
    parsed = parsed_file(csv, {})
    _accounted(parsed)
    assert parsed.accepted == 1
