"""Across every registered reader, exactly one claims each fixture and real sample (and none
claims a file that is not an export)."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import pytest

from alertlens.ingest.readers import READER_MODULES, pagerduty_exports
from alertlens.ingest.records import InputError, rows_to_table
from alertlens.ingest.schema import VOCABULARIES, Common
from alertlens.ingest.shape import file_shape

FIXTURE_SOURCES = {
    "alertmanager": "alertmanager",
    "servicenow": "servicenow",
    "statuspage": "statuspage",
    "prometheus": "prometheus",
    "opsgenie": "opsgenie",
    "pagerduty": "pagerduty",
}


def _claims(path: Path) -> list[str]:
    try:
        shape = file_shape(path)
    except InputError:
        return []
    claims = []
    for name, module_path in READER_MODULES.items():
        module = importlib.import_module(module_path)
        if module.detect(shape):
            claims.append(name)
    return claims


def _fixture_expectation(path: Path) -> str | None:
    if path.suffix == ".toml" or path.parent.name == "fixtures":
        return None
    if path.parent.name == "csv":
        return "csv"
    return FIXTURE_SOURCES[path.parent.name]


def _realdata_expectation(relative: str) -> str | None:
    name = relative.rsplit("/", 1)[-1]
    rules = (
        ("VINST-new.csv.gz", "servicenow"),
        ("incident_event_log.csv.gz", "servicenow"),
        ("githubstatus_incidents.jsonl.gz", "statuspage"),
        ("alerts.csv", "csv"),
        ("webhooks.jsonl", "alertmanager"),
        ("alertmonitor_webhook", "alertmanager"),
        ("alertmonitor_prometheus_api_v1_alerts.json", "prometheus"),
        ("pd_", "pagerduty"),
        ("prom_api_v1_alerts.json", "prometheus"),
        ("prom_query_range_ALERTS.json", "prometheus"),
        ("prom_query_range_ALERTS_firing.json", "prometheus"),
    )
    for pattern, source in rules:
        if pattern in name:
            return source
    if "am_api_v2_alerts" in name and not name.startswith("01_"):  # 01_ snapshots are "[]"
        return "alertmanager"  # /api/v2/alerts and /api/v2/alerts/groups
    return None


def _fixture_files() -> list[Path]:
    root = Path(__file__).resolve().parents[1] / "fixtures"
    dirs = set(FIXTURE_SOURCES) | {"csv"}
    return sorted(p for p in root.rglob("*") if p.is_file() and p.parent.name in dirs)


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_fixture_is_claimed_by_exactly_its_reader(path: Path) -> None:
    expected = _fixture_expectation(path)
    assert _claims(path) == ([expected] if expected else [])


@pytest.mark.realdata
def test_each_real_sample_is_claimed_by_exactly_its_reader(realdata: Path) -> None:
    wrong = {}
    checked = 0
    for path in sorted(p for p in realdata.rglob("*") if p.is_file() and p.name != "README.md"):
        relative = str(path.relative_to(realdata))
        expected = _realdata_expectation(relative)
        claims = _claims(path)
        checked += expected is not None
        if claims != ([expected] if expected else []):
            wrong[relative] = claims
    assert wrong == {}
    assert checked >= 50


@pytest.mark.parametrize(
    "path",
    [p for p in _fixture_files() if _fixture_expectation(p) is not None],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_rows_fit_the_canonical_schema(path: Path) -> None:
    source = _fixture_expectation(path)
    assert source is not None
    options = _FIXTURE_OPTIONS.get(path.name, {})
    if source == "pagerduty":
        kind = pagerduty_exports.detect_exports(file_shape(path))
        assert kind is not None
        parsed = pagerduty_exports.read_exports(path, kind, options)
    else:
        parsed = importlib.import_module(READER_MODULES[source]).read(path, options)
    assert parsed.read == (
        parsed.accepted + len(parsed.rejected) + parsed.deduplicated + parsed.skipped
    )
    for table, rows in parsed.rows.items():
        arrow = rows_to_table(table, rows)
        assert arrow.num_rows == len(rows)
        assert all(row[Common.version_at] is not None for row in rows)
        assert all(row[Common.source] == source for row in rows)
        for (vocab_table, column), allowed in VOCABULARIES.items():
            if vocab_table == table:
                assert {row.get(column) for row in rows} <= set(allowed), column


_FIXTURE_OPTIONS: dict[str, dict] = {
    "uci_incident_event_log_excerpt.csv": {"date_format": "%d/%m/%Y %H:%M", "timezone": "UTC"},
    "generic_tool_alerts.csv": tomllib.loads(
        (
            Path(__file__).resolve().parents[1] / "fixtures" / "csv" / "generic_tool_mapping.toml"
        ).read_text()
    )["sources"]["csv"],
}
