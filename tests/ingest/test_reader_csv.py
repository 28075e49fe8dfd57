"""The generic csv source: any CSV through a TOML column mapping."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alertlens.ingest.readers import csv_mapped
from alertlens.ingest.records import InputError, NotConfigured
from alertlens.ingest.schema import Alerts
from alertlens.ingest.shape import file_shape


def _options(fixtures: Path, name: str) -> dict:
    return tomllib.loads((fixtures / "csv" / name).read_text())["sources"]["csv"]


def test_direct_mapping_with_date_format_and_severity_map(fixtures: Path) -> None:
    path = fixtures / "csv" / "generic_tool_alerts.csv"
    assert csv_mapped.detect(file_shape(path)) == "csv.mapped"
    parsed = csv_mapped.read(path, _options(fixtures, "generic_tool_mapping.toml"))
    assert (parsed.read, parsed.accepted, len(parsed.rejected), parsed.deduplicated) == (5, 2, 2, 1)
    assert [r.locator for r in parsed.rejected] == ["line 4", "line 6"]
    assert "does not match format" in parsed.rejected[0].reason
    rows = {r[Alerts.alert_id]: r for r in parsed.rows[Alerts.table]}
    cpu = rows["a-1"]  # Paris is UTC+2 in April; the later duplicate (cleared 10:07) wins
    assert cpu[Alerts.created_at] == datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    assert cpu[Alerts.resolved_at] == datetime(2024, 3, 4, 9, 7, tzinfo=UTC)
    assert (cpu[Alerts.severity], cpu[Alerts.severity_raw]) == ("critical", "CRIT")
    assert cpu[Alerts.rule_key] == "CPU <PCT> on <*>"
    assert json.loads(cpu[Alerts.labels]) == {"Region": "eu"}


def test_named_mappings_are_chosen_by_header(fixtures: Path) -> None:
    direct = _options(fixtures, "generic_tool_mapping.toml")
    velocity = _options(fixtures, "velocity2013_mapping.toml")["mappings"]["velocity2013"]
    options = {"mappings": {"tool": direct, "velocity2013": velocity}}
    parsed = csv_mapped.read(fixtures / "csv" / "generic_tool_alerts.csv", options)
    assert parsed.accepted == 2
    with pytest.raises(InputError, match="no CSV mapping named"):
        csv_mapped.read(
            fixtures / "csv" / "generic_tool_alerts.csv", {**options, "mapping": "nope"}
        )


def test_bad_configuration_is_refused(fixtures: Path) -> None:
    path = fixtures / "csv" / "generic_tool_alerts.csv"
    with pytest.raises(ValueError, match="titel"):
        csv_mapped.read(
            path, {"columns": {"alert_id": "Alert ID", "created_at": "Fired At", "titel": "x"}}
        )
    with pytest.raises(ValueError, match="created_at must be mapped"):
        csv_mapped.read(path, {"columns": {"alert_id": "Alert ID"}})
    with pytest.raises(ValueError, match="severity_map"):
        csv_mapped.read(
            path, {"columns": {"alert_id": "a", "created_at": "b"}, "severity_map": {"x": "p1"}}
        )
    with pytest.raises(NotConfigured, match=r"no \[sources.csv\] mapping fits"):
        csv_mapped.read(path, {"columns": {"alert_id": "id", "created_at": "Fired At"}})
    with pytest.raises(NotConfigured, match=r"map its columns in \[sources.csv\]"):
        csv_mapped.read(path, {})


def test_detect_leaves_vendor_csv_and_non_csv_alone(tmp_path: Path) -> None:
    log = tmp_path / "am.log"
    log.write_text(
        'ts=2026-11-26T15:27:38Z caller=main.go:240 level=info msg="Starting", version=0.25\n'
    )
    assert csv_mapped.detect(file_shape(log)) is None
    sn = tmp_path / "sn.csv"
    sn.write_text("number,opened_at,sys_updated_at\nINC1,2024-01-01 00:00,2024-01-01 00:00\n")
    assert csv_mapped.detect(file_shape(sn)) is None


@pytest.mark.realdata
def test_velocity2013_pagerduty_alert_stream(realdata: Path, fixtures: Path) -> None:
    path = realdata / "velocity2013-pagerduty-alerts" / "alerts.csv"
    assert csv_mapped.detect(file_shape(path)) == "csv.mapped"
    options = _options(fixtures, "velocity2013_mapping.toml")
    mapping = options["mappings"]["velocity2013"]
    plain = {"mappings": {"v": {k: v for k, v in mapping.items() if k != "recovery"}}}
    every = csv_mapped.read(path, plain)  # without the recovery rule: every row an alert
    assert (every.read, every.accepted, len(every.rejected), every.deduplicated) == (
        3596,
        3596,
        0,
        0,
    )
    rows = every.rows[Alerts.table]
    assert Counter(r[Alerts.severity_raw] for r in rows) == {
        "success": 1524,
        "error": 1223,
        "warning": 849,
    }
    assert len({r[Alerts.rule_key] for r in rows}) == 673
    assert len({r[Alerts.service] for r in rows}) == 11
    first = next(r for r in rows if r[Alerts.alert_id] == "14143")
    assert first[Alerts.created_at] == datetime(2013, 3, 9, 4, 0, tzinfo=UTC)
    assert (first[Alerts.severity], json.loads(first[Alerts.labels])["id"]) == ("info", "1")
    assert min(r[Alerts.created_at] for r in rows) == datetime(2013, 3, 1, 0, 0, tzinfo=UTC)
    # with it, a success resolves the open firing of the same name and service
    parsed = csv_mapped.read(path, options)
    assert (parsed.read, parsed.accepted, parsed.deduplicated, parsed.skipped) == (
        3596,
        2072,
        563,
        961,
    )
    firings = parsed.rows[Alerts.table]
    assert {r[Alerts.severity_raw] for r in firings} == {"error", "warning"}
    resolved = [r for r in firings if r.get(Alerts.resolved_at) is not None]
    assert len(resolved) == 563
    assert all(r[Alerts.resolved_at] >= r[Alerts.created_at] for r in resolved)
    assert {r[Alerts.resolved_by] for r in resolved} == {"auto"}


def test_a_recovery_resolves_the_latest_open_firing_of_its_match(tmp_path: Path) -> None:
    path = tmp_path / "stream.csv"
    path.write_text(
        "id,ts,typ,name\n"
        "1,2024-01-01 10:00:00,error,disk\n"
        "2,2024-01-01 10:00:00,success,disk\n"  # same hour bucket: after its firing
        "3,2024-01-01 11:00:00,success,cpu\n"  # nothing open for cpu: skipped
        "4,2024-01-01 12:00:00,warning,cpu\n"  # stays open
    )
    options = {
        "columns": {"alert_id": "id", "created_at": "ts", "title": "name", "severity": "typ"},
        "recovery": {"column": "typ", "values": ["Success"], "match": ["name"]},
    }
    parsed = csv_mapped.read(path, options)
    assert (parsed.read, parsed.accepted, parsed.deduplicated, parsed.skipped) == (4, 2, 1, 1)
    rows = {r[Alerts.alert_id]: r for r in parsed.rows[Alerts.table]}
    assert rows["1"][Alerts.resolved_at] == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert rows["4"].get(Alerts.resolved_at) is None
    assert parsed.notes[0] == "1 record(s) skipped: recovery with no open firing before it"
