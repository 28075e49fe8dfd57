"""Per-team MTTA and MTTR of one lake computed two ways: by alertlens' own analysis code and by
one DuckDB query straight over the Parquet files (``team_response.sql``).

It is the metrics baseline of ``benchmarks/run.py`` (target: alertlens within 1.5x of DuckDB)
and the independent computation ``tests/analysis/test_team_response_sql.py`` holds alertlens
to (equal to 1e-9).

Run: ``.venv/bin/python benchmarks/team_response.py --lake DIR --engine duckdb [--repeat 3]
[--threads 2] [--json OUT]``; prints the timings (and writes them with the figures to OUT).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

SQL = Path(__file__).with_name("team_response.sql")
METRICS = ("mtta", "mttr")
STATS = ("count", "mean", "median", "p90", "p95")
COLUMNS = ["team", *[f"{m}_{s}" for m in METRICS for s in STATS]]


def duckdb_team_response(lake: Path, *, threads: int | None = None) -> pd.DataFrame:
    """The per-team figures of ``team_response.sql`` over ``lake`` (one row per team)."""
    import duckdb

    from alertlens.ingest.lake import SPECS

    with duckdb.connect() as con:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        query = SQL.read_text(encoding="utf-8")
        for table in ("incidents", "alerts"):
            folder = Path(lake).resolve() / table
            if any(folder.rglob("*.parquet")):
                source = f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
            else:  # a lake without this table: the same columns, no rows
                con.register(f"empty_{table}", SPECS[table].schema.empty_table())
                source = f"empty_{table}"
            query = query.replace("{" + table + "}", source)
        frame = con.execute(query).df()
    return _wide(frame)


def alertlens_team_response(lake: Path) -> pd.DataFrame:
    """The per-team figures as ``alertlens analyze`` computes them (the population's rows,
    response_durations, response_times by team, mode pagerduty), shaped like
    ``duckdb_team_response``. Like the query it reads only the columns the figures need and
    leaves out what per-team response times never use (the sort, weeks, recurrence keys)."""
    from alertlens.analysis.incidents.population import (
        RESPONSE_ALERT_COLUMNS,
        RESPONSE_COLUMNS,
        population_rows,
    )
    from alertlens.analysis.response.durations import response_durations, response_times
    from alertlens.ingest.lake import Lake
    from alertlens.ingest.schema import Alerts, Incidents

    store = Lake(lake)
    population = population_rows(
        store.read(Incidents.table, columns=RESPONSE_COLUMNS),
        store.read(Alerts.table, columns=RESPONSE_ALERT_COLUMNS),
        carried=RESPONSE_COLUMNS, rules=False,
    )
    durations = response_durations(population, mode="pagerduty")
    table = response_times(population, durations, mode="pagerduty", dimensions=("team",))
    wide = pd.DataFrame({"team": sorted(set(table["group"]))})
    for metric in METRICS:
        rows = table[table["metric"] == metric].set_index("group")
        for stat in STATS:
            wide[f"{metric}_{stat}"] = wide["team"].map(rows[stat])
    return _wide(wide)


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    """Teams with at least one MTTA or MTTR value, sorted; counts as int, the rest float."""
    frame = frame.reindex(columns=COLUMNS)
    for metric in METRICS:
        frame[f"{metric}_count"] = frame[f"{metric}_count"].fillna(0).astype("int64")
        for stat in STATS[1:]:
            frame[f"{metric}_{stat}"] = frame[f"{metric}_{stat}"].astype("float64")
    counted = (frame["mtta_count"] > 0) | (frame["mttr_count"] > 0)
    frame["team"] = frame["team"].astype(str)
    return frame[counted].sort_values("team", ignore_index=True)


def largest_difference(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """The largest absolute difference between two results of the same teams (inf when the
    teams or counts differ, so a mismatch is never hidden as a small number)."""
    if list(a["team"]) != list(b["team"]):
        return float("inf")
    worst = 0.0
    for column in COLUMNS[1:]:
        x, y = a[column].to_numpy(dtype=float), b[column].to_numpy(dtype=float)
        both_nan = pd.isna(x) & pd.isna(y)
        if (pd.isna(x) != pd.isna(y)).any():
            return float("inf")
        diff = abs(x[~both_nan] - y[~both_nan])
        worst = max(worst, float(diff.max()) if len(diff) else 0.0)
    return worst


def timed(engine: str, lake: Path, threads: int | None) -> tuple[pd.DataFrame, dict[str, float]]:
    """One computation with its wall and CPU seconds (this process, imports excluded)."""
    wall, cpu = time.perf_counter(), time.process_time()
    if engine == "duckdb":
        result = duckdb_team_response(lake, threads=threads)
    else:
        result = alertlens_team_response(lake)
    return result, {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Time one engine ``--repeat`` times; print (and write) the timings and the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path, required=True)
    parser.add_argument("--engine", choices=("duckdb", "alertlens"), required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    parser.add_argument("--json", type=Path, help="write timings and figures here")
    args = parser.parse_args(argv)
    if args.engine == "duckdb":
        import duckdb  # noqa: F401  (imports are not part of the query's time)
    else:
        import alertlens.analysis.pipeline  # noqa: F401  (the package order: no import cycle)
    runs, result = [], pd.DataFrame()
    for _ in range(args.repeat):
        result, timing = timed(args.engine, args.lake, args.threads)
        runs.append(timing)
    out: dict[str, Any] = {
        "engine": args.engine,
        "runs": runs,
        "teams": len(result),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(out))
    if args.json:
        out["figures"] = json.loads(result.to_json(orient="records"))
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
