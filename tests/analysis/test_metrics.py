"""Golden cases (tests/fixtures/metrics_cases.json) through analysis.pipeline.metrics_analysis."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from alertlens.analysis.frames import Frames
from alertlens.analysis.pipeline import metrics_analysis
from alertlens.analysis.settings import metrics_settings
from alertlens.analysis.summary import MetricsSummary, summary_json
from alertlens.ingest.metrics_schema import METRICS_TABLES, DurationJson, Summary, SummaryJson
from tests.analysis import metrics_frames as mf

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "metrics_cases.json").read_text())


def _dig(summary: Mapping[str, Any], dotted: str) -> Any:
    # Keys may themselves contain dots only at the last level (e.g. "excluded" reason texts).
    node: Any = summary
    for part in dotted.split("."):
        node = node[part]
    return node


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def _selected_rows(table: pd.DataFrame, spec: dict) -> list[list[Any]]:
    for column, wanted in spec.get("where", {}).items():
        table = table[table[column] == wanted]
    rows = [[_plain(v) for v in row] for row in table[spec["columns"]].itertuples(index=False)]
    return sorted(rows, key=lambda r: [str(v) for v in r])


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_golden_case(case: dict) -> None:
    settings = metrics_settings(case.get("settings"), case.get("responders"))
    result = metrics_analysis(
        Frames(mf.alerts(case.get("alerts", [])), mf.incidents(case.get("incidents", [])),
               mf.notifications(case.get("notifications", []))),
        settings=settings,
    )
    summary = summary_json(result.summary)
    for dotted, expected in case["expect"].get("summary", {}).items():
        assert _dig(summary, dotted) == pytest.approx(expected), dotted
    for name, spec in case["expect"].get("tables", {}).items():
        expected_rows = sorted(spec["rows"], key=lambda r: [str(v) for v in r])
        actual_rows = _selected_rows(result.tables[name], spec)
        assert len(actual_rows) == len(expected_rows), (name, actual_rows)
        for actual, expected in zip(actual_rows, expected_rows, strict=True):
            assert actual == pytest.approx(expected), (name, actual_rows)


def _frames(incidents: list[dict], alerts: list[dict] | None = None,
            notifications: list[dict] | None = None) -> Frames:
    return Frames(mf.alerts(alerts or []), mf.incidents(incidents),
                  mf.notifications(notifications or []))


def test_summary_is_plain_json_with_the_contract_keys() -> None:
    case = CASES["cases"][0]
    result = metrics_analysis(_frames(case["incidents"]))
    text = json.dumps(summary_json(result.summary), allow_nan=False)
    summary = json.loads(text)
    assert set(summary) == set(SummaryJson.__annotations__)
    for key in (Summary.mtta_seconds, Summary.mttr_seconds):
        assert set(summary[key]) == set(DurationJson.__annotations__)
    assert summary[Summary.mtta_seconds]["population"].startswith("pagerduty:")
    assert summary[Summary.mttr_seconds]["population"].startswith("incidents not resolved by")
    assert summary[Summary.maturity]["level"] in (1, 2, 3, 4)


def test_summary_keys_are_declared_once() -> None:
    """The dataclass, the TypedDict and the Summary namespace name the same keys."""
    declared = {v for k, v in vars(Summary).items() if not k.startswith("_") and k != "file"}
    assert declared == set(SummaryJson.__annotations__) == {f.name for f in fields(MetricsSummary)}


def test_tables_round_trip_through_parquet(tmp_path: Path) -> None:
    cases = {c["name"]: c for c in CASES["cases"]}
    case = cases["recurrence-by-template-and-by-rule"]
    zones = cases["responders-in-different-zones-and-channel-fanout"]
    result = metrics_analysis(
        _frames(case["incidents"], case["alerts"], zones["notifications"]),
        settings=metrics_settings({}, zones["responders"]),
    )
    assert set(result.tables) == set(METRICS_TABLES)
    for name, table in result.tables.items():
        path = tmp_path / f"{name}.parquet"
        table.to_parquet(path)
        assert len(pd.read_parquet(path)) == len(table), name


def test_empty_inputs_give_empty_results() -> None:
    result = metrics_analysis(_frames([]))
    assert result.summary.incidents == 0
    assert result.summary.mttr_seconds.count == 0
    assert result.summary.weeks == 0
    assert result.summary.maturity.level == 1
