"""The figures ``alertlens analyze`` publishes equal an independent computation in DuckDB over
the lake's Parquet files (tests/flows/sql/, written from docs/lake.md and the documented
population rules, never calling alertlens' analysis): MTTA and MTTR (count, mean, median, p90,
p95) per team and overall, the headline MTTR with its censoring, and the noise share overall and
per week. On the shipped samples and on an evaluation world of the independent generator."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from alertlens.flows.cli import main
from alertlens.ingest.lake import SPECS, Lake
from alertlens.ingest.outputs import AnalysisStore
from alertlens.ingest.service import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
SQL = Path(__file__).with_name("sql")
STATS = ("count", "mean", "median", "p90", "p95")


def _read(con: duckdb.DuckDBPyConnection, lake: Path, table: str) -> str:
    folder = lake.resolve() / table
    if any(folder.rglob("*.parquet")):
        return f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
    con.register(f"empty_{table}", SPECS[table].schema.empty_table())  # no such table yet
    return f"empty_{table}"


def _query(name: str, **values: str) -> str:
    text = (SQL / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def sql_figures(lake: Path, now: str, scored: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(response figures, noise shares) of the lake by the SQL of tests/flows/sql/."""
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        tables = {t: _read(con, lake, t) for t in ("alerts", "incidents", "notifications")}
        con.execute(_query("lake_views.sql", now=f"TIMESTAMPTZ '{now}'", **tables))
        response = con.execute(_query("response_figures.sql")).df()
        noise = con.execute(_query("noise_share.sql",
                                   scored=f"read_parquet('{scored}')")).df()
    return response, noise


def _close(ours: Any, theirs: Any, what: str) -> None:
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (ours, theirs)]
    assert missing[0] == missing[1], f"{what}: {ours} != {theirs}"
    if not missing[0]:
        assert math.isclose(float(ours), float(theirs), rel_tol=1e-9, abs_tol=1e-9), (
            f"{what}: {ours} != {theirs}")


def _analyzed(lake: Path, now: str, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALERTLENS_NOW", now)
    monkeypatch.chdir(tmp)  # no alertlens.toml: every setting at its default
    assert main(["analyze", "--lake", str(lake)]) == 0
    return AnalysisStore(Lake(lake)).current.resolve()


def check_against_sql(lake: Path, now: str, tmp: Path,
                      monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Every compared figure equal; returns how many of each kind were compared."""
    out = _analyzed(lake, now, tmp, monkeypatch)
    response, noise = sql_figures(lake, now, out / "alerts_scored.parquet")
    times = pd.read_parquet(out / "response_times.parquet")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    compared = {"teams": 0, "figures": 0, "weeks": 0}
    for metric in ("mtta", "mttr"):
        for scope, dimension in (("all", "all"), ("team", "team")):
            theirs = response[(response["scope"] == scope) & (response["metric"] == metric)]
            ours = times[(times["dimension"] == dimension) & (times["metric"] == metric)]
            ours = ours.set_index("group")
            for row in theirs.to_dict("records"):
                group = str(row["grp"])
                if group not in ours.index:  # a group with nothing measured or excluded
                    assert row["count"] == 0, (metric, group)
                    continue
                for stat in STATS:
                    _close(ours.loc[group, stat], row[stat], f"{metric} {group} {stat}")
                    compared["figures"] += 1
                compared["teams"] += scope == "team"
            assert set(ours.index) <= set(theirs["grp"]), (metric, dimension)
    everything = response[(response["scope"] == "all") & (response["metric"] == "mtta")].iloc[0]
    headline = response[response["scope"] == "headline"].iloc[0]
    for key, line in (("mtta_seconds", everything), ("mttr_seconds", headline)):
        for stat in (*STATS, "censored"):
            _close(summary[key][stat], line[stat], f"summary {key} {stat}")
            compared["figures"] += 1
    total = noise[noise["week"] == "all"].iloc[0]
    assert total["alerts"] == total["scored"] == total["verdicts"] == summary["alerts"]
    _close(summary["noise_share"], total["noise_share"], "summary noise_share")
    weekly = pd.read_parquet(out / "weekly_headlines.parquet").set_index("week")
    for week in noise[noise["week"] != "all"].to_dict("records"):
        _close(weekly.loc[week["week"], "noise_share"], week["noise_share"],
               f"noise share {week['week']}")
        compared["weeks"] += 1
    return compared


def test_shipped_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = tmp_path / "lake"
    samples = ROOT / "data" / "samples"
    ingest_paths(Lake(lake), [samples / "unlucky-team", samples / "multi-team"])
    compared = check_against_sql(lake, "2026-12-01 00:00:00+00", tmp_path, monkeypatch)
    assert compared["teams"] >= 8 and compared["weeks"] >= 4


def test_independent_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A world of the independent generator (PagerDuty, Alertmanager, Opsgenie), reviewed in
    the middle of its data, so some records are not counted yet and some incidents are open."""
    world, lake = tmp_path / "world", tmp_path / "lake"
    assert main(["generate", "--scenario", "startup-mixed", "--weeks", "5", "--seed", "3",
                 "--out", str(world)]) == 0
    monkeypatch.chdir(world)  # the world's alertlens.toml holds its reader settings
    assert main(["ingest", "--lake", str(lake), str(world)]) == 0
    compared = check_against_sql(lake, "2026-11-19 12:00:00+00", tmp_path, monkeypatch)
    assert compared["teams"] >= 4 and compared["weeks"] >= 3


def test_own_family_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A larger world of the own generator, written straight into a lake: many teams, merged
    incidents, Alertmanager firings as incidents, incidents still open at the end."""
    lake = tmp_path / "lake"
    assert main(["generate", "--scenario", "large-org", "--weeks", "3", "--seed", "4",
                 "--target-alerts", "3000", "--lake", str(lake)]) == 0
    compared = check_against_sql(lake, "2026-11-23 00:00:00+00", tmp_path, monkeypatch)
    assert compared["teams"] >= 6


@pytest.mark.realdata
@pytest.mark.parametrize("folder", ["github-status-incidents", "captured-prometheus-alertmanager"])
def test_real_data(folder: str, realdata: Path, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub's status incidents (839 of 1,282 resolved the instant they were created, none with
    a team) and captured Alertmanager firings (an alert-only source), as they lie."""
    lake = tmp_path / "lake"
    ingest_paths(Lake(lake), [realdata / folder], strict=False)
    compared = check_against_sql(lake, "2026-12-01 00:00:00+00", tmp_path, monkeypatch)
    assert compared["figures"] >= 20
