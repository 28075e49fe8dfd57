"""Per-team MTTA/MTTR: alertlens' figures equal an independent DuckDB query over the lake's
Parquet files (benchmarks/team_response.sql, the metrics baseline of the benchmarks)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from alertlens.ingest.lake import Lake
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic.lake_writer import write_lake

ROOT = Path(__file__).resolve().parents[2]


def _team_response() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "team_response", ROOT / "benchmarks" / "team_response.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def team_response() -> ModuleType:
    return _team_response()


def _same(team_response: ModuleType, lake: Path, *, teams: int = 2) -> None:
    ours = team_response.alertlens_team_response(lake)
    theirs = team_response.duckdb_team_response(lake)
    assert len(ours) >= teams and (ours["mtta_count"] > 0).any() and (ours["mttr_count"] > 0).any()
    assert list(ours["team"]) == list(theirs["team"])
    assert (ours["mtta_count"] == theirs["mtta_count"]).all()
    assert (ours["mttr_count"] == theirs["mttr_count"]).all()
    assert team_response.largest_difference(ours, theirs) <= 1e-9


def test_sample_lake(team_response: ModuleType, tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    samples = ROOT / "data" / "samples"
    ingest_paths(lake, [samples / "unlucky-team", samples / "multi-team"])
    _same(team_response, lake.root)


def test_generated_world(team_response: ModuleType, tmp_path: Path) -> None:
    """PagerDuty incidents (merged ones left out) and Alertmanager paged firings."""
    write_lake("large-org", tmp_path / "lake", seed=5, weeks=3, target_alerts=4000)
    _same(team_response, tmp_path / "lake")


def test_a_difference_is_never_small(team_response: ModuleType, tmp_path: Path) -> None:
    write_lake("large-org", tmp_path / "lake", seed=6, weeks=2, target_alerts=2000)
    ours = team_response.alertlens_team_response(tmp_path / "lake")
    other = ours.copy()
    other.loc[0, "mttr_p90"] += 1e-6
    assert 0 < team_response.largest_difference(ours, other) < 1e-5
    assert team_response.largest_difference(ours, other.iloc[1:]) == float("inf")


@pytest.mark.realdata
@pytest.mark.parametrize(("folder", "teams"), [("github-status-incidents", 1),
                                               ("uci-incident-event-log", 40)])
def test_real_data(team_response: ModuleType, folder: str, teams: int, realdata: Path,
                   tmp_path: Path) -> None:
    """Real records as they lie: GitHub's status incidents (839 of 1,282 resolved the instant
    they were created, which no MTTR counts) and a ServiceNow event log with dozens of groups."""
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [realdata / folder], strict=False)
    _same(team_response, lake.root, teams=teams)


def test_analyze_publishes_the_figures_of_the_query(team_response: ModuleType,
                                                     tmp_path: Path) -> None:
    """What ``alertlens analyze`` stores (response_times.parquet, dimension team), read from the
    columns it reads, equals the independent query: the whole path, not only the benchmark's."""
    from datetime import UTC, datetime

    from alertlens.flows.config import Config
    from alertlens.flows.steps import analyze
    from alertlens.ingest.metrics_schema import ResponseTimes
    from alertlens.ingest.outputs import AnalysisStore

    write_lake("large-org", tmp_path / "lake", seed=7, weeks=3, target_alerts=3000)
    lake = Lake(tmp_path / "lake")
    analyze(lake, Config(), now=datetime(2030, 1, 1, tzinfo=UTC))  # every week has ended
    table = AnalysisStore(lake).table(ResponseTimes.table)
    by_team = table[table[ResponseTimes.dimension] == "team"]
    theirs = team_response.duckdb_team_response(lake.root)
    assert len(theirs) >= 2
    for metric in ("mtta", "mttr"):
        rows = by_team[by_team[ResponseTimes.metric] == metric].set_index(ResponseTimes.group)
        counted = theirs[theirs[f"{metric}_count"] > 0]
        assert sorted(rows.index[rows[ResponseTimes.count] > 0]) == list(counted["team"])
        for stat in ("count", "mean", "median", "p90", "p95"):
            ours = rows.loc[counted["team"], stat].to_numpy(dtype=float)
            assert abs(ours - counted[f"{metric}_{stat}"].to_numpy(dtype=float)).max() <= 1e-9
