"""MTTR by priority/impact on three real incident logs: the reader -> canonical frame ->
metrics_analysis path against an independent plain-Python computation over the raw file."""

from __future__ import annotations

import csv
import gzip
import json
import statistics
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from alertlens.analysis.frames import Frames
from alertlens.analysis.pipeline import metrics_analysis
from alertlens.ingest.lake import lake_frame
from alertlens.ingest.metrics_schema import ResponseTimes
from alertlens.ingest.schema import INCIDENTS_SCHEMA, Incidents
from tests.analysis import metrics_frames as mf

UCI = "uci-incident-event-log/incident_event_log.csv.gz"
BPI = "bpi2013-volvo-incidents/VINST-new.csv.gz"
GITHUB = "github-status-incidents/githubstatus_incidents.jsonl.gz"

Durations = dict[str, list[float]]


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (the numpy default), written out."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _stats(durations: Durations) -> dict[str, dict[str, float]]:
    return {
        group: {"count": len(v), "mean": statistics.fmean(v), "median": statistics.median(v),
                "p90": _percentile(v, 0.9), "p95": _percentile(v, 0.95)}
        for group, v in durations.items() if v
    }


def uci_ttr_by_priority(path: Path) -> Durations:
    """Per priority, seconds from opened_at to resolved_at (closed_at when never resolved), using
    each incident's last row by sys_mod_count (the incident-level fields repeat on every row);
    an incident resolved the minute it opened has no time to resolve and is left out."""
    latest: dict[str, tuple[int, int, dict[str, str]]] = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle)):
            version = (int(row["sys_mod_count"]), line)
            if row["number"] not in latest or version >= latest[row["number"]][:2]:
                latest[row["number"]] = (*version, row)

    def parse(text: str) -> datetime | None:
        return None if text == "?" else datetime.strptime(text, "%d/%m/%Y %H:%M")

    out: Durations = {}
    for _, _, row in latest.values():
        opened = parse(row["opened_at"])
        end = parse(row["resolved_at"]) or parse(row["closed_at"])
        if opened is not None and end is not None and end > opened:
            out.setdefault(row["priority"], []).append((end - opened).total_seconds())
    return out


def bpi_ttr_by_impact(path: Path) -> Durations:
    """Per SR Latest Impact (of the last event), seconds from the first event to the first
    Completed/Resolved event (the last Completed/Closed one when never resolved)."""
    events: dict[str, list[tuple[datetime, int, dict[str, str]]]] = {}
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle)):
            at = datetime.fromisoformat(row["Change Date+Time"])
            events.setdefault(row["SR Number"], []).append((at, line, row))
    out: Durations = {}
    for history in events.values():
        history.sort(key=lambda e: (e[0], e[1]))
        resolved = next((at for at, _, r in history
                         if (r["Status"], r["Sub Status"]) == ("Completed", "Resolved")), None)
        closed = [at for at, _, r in history if (r["Status"], r["Sub Status"]) ==
                  ("Completed", "Closed")]
        end = resolved or (closed[-1] if closed else None)
        if end is not None and end > history[0][0]:
            impact = history[-1][2]["SR Latest Impact"]
            out.setdefault(impact, []).append((end - history[0][0]).total_seconds())
    return out


def github_ttr_by_impact(path: Path) -> Durations:
    """Per impact, seconds from created_at to resolved_at of each status-page incident."""
    out: Durations = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            incident = json.loads(line)["incident"]
            created = datetime.fromisoformat(incident["created_at"].replace("Z", "+00:00"))
            resolved = datetime.fromisoformat(incident["resolved_at"].replace("Z", "+00:00"))
            if resolved > created:  # resolved the instant it was created: no time to resolve
                out.setdefault(incident["impact"], []).append(
                    (resolved - created).total_seconds())
    return out


def _library_mttr(reader: Callable[[Path, dict], Any], path: Path,
                  options: dict) -> pd.DataFrame:
    parsed = reader(path, options)
    rows = parsed.rows.get(Incidents.table, [])
    table = pa.Table.from_pylist(rows, schema=INCIDENTS_SCHEMA)
    incidents = lake_frame(table)
    result = metrics_analysis(Frames(mf.alerts([]), incidents, mf.notifications([])))
    times = result.tables[ResponseTimes.table]
    return times[(times["metric"] == "mttr") & (times["dimension"] == "priority")]


def _assert_same(library: pd.DataFrame, independent: dict[str, dict[str, float]]) -> None:
    got = {str(row["group"]): row for row in library.to_dict("records")}
    assert set(got) == set(independent)
    for group, expected in independent.items():
        row = got[group]
        assert row["count"] == expected["count"], group
        for stat in ("mean", "median", "p90", "p95"):
            assert row[stat] == pytest.approx(expected[stat], rel=1e-9), (group, stat)


@pytest.mark.realdata
def test_uci_servicenow_mttr_by_priority(realdata: Path) -> None:
    from alertlens.ingest.readers import servicenow

    independent = _stats(uci_ttr_by_priority(realdata / UCI))
    assert {g: s["count"] for g, s in independent.items()} == {
        "1 - Critical": 270, "2 - High": 408, "3 - Moderate": 23438, "4 - Low": 754}
    assert independent["1 - Critical"]["median"] == 288870.0  # 80.2 hours
    library = _library_mttr(servicenow.read, realdata / UCI,
                            {"date_format": "%d/%m/%Y %H:%M", "timezone": "UTC"})
    _assert_same(library, independent)


@pytest.mark.realdata
def test_bpi2013_volvo_mttr_by_impact(realdata: Path) -> None:
    from alertlens.ingest.readers import servicenow

    independent = _stats(bpi_ttr_by_impact(realdata / BPI))
    assert independent["Major"]["count"] == 3
    library = _library_mttr(servicenow.read, realdata / BPI, {})
    _assert_same(library, independent)


@pytest.mark.realdata
def test_github_status_mttr_by_impact(realdata: Path) -> None:
    from alertlens.ingest.readers import statuspage

    durations = github_ttr_by_impact(realdata / GITHUB)
    independent = _stats(durations)
    # 839 of the 1,282 incidents resolve the instant they were created (backfilled history)
    assert sum(s["count"] for s in independent.values()) == 1282 - 839
    assert {g: s["count"] for g, s in independent.items()} == {
        "minor": 356, "major": 56, "none": 29, "critical": 2}
    library = _library_mttr(statuspage.read, realdata / GITHUB, {})
    _assert_same(library, independent)
