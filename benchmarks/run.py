"""Whole-process benchmarks of alertlens on large-org worlds: generate, ingest (fresh, no-op
re-ingest, --force), analyze, report (HTML only, then with PDF). Each step runs as its own
process under GNU time (wall, CPU, peak RSS). Results go to <workdir>/results.json and a markdown
table on stdout.

Run: ``.venv/bin/python benchmarks/run.py [--alerts 100000 1000000] [--workdir DIR]
[--skip-generate] [--repeat 2] [--profile]``. Needs /usr/bin/time (Debian package ``time``)."""

from __future__ import annotations

import argparse
import json
import os
import pstats
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from measure import (
    StepFailed,
    Timing,
    directory_size,
    fresh_dir,
    gnu_time_available,
    lake_contents,
    machine,
    timed_run,
)

from alertlens.ingest.schema import Alerts

DEFAULT_WORKDIR = Path("/tmp/alertlens-bench")
DEFAULT_END = "2026-11-23"  # the generator's default --end; fixed so the worlds are identical


def alertlens_argv() -> list[str]:
    """The command that runs the alertlens CLI of this interpreter's environment."""
    script = Path(sys.executable).parent / "alertlens"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "alertlens.flows.cli"]


def quiet_environment(workdir: Path) -> dict[str, str]:
    """The environment the steps run in: no telemetry, headless matplotlib, no user config."""
    env = dict(os.environ)
    for name in ("ALERTLENS_CONFIG", "ALERTLENS_LAKE", "ALERTLENS_REPORTS"):
        env.pop(name, None)
    env.update(
        PREFECT_HOME=str(workdir / ".prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="WARNING",
        MPLBACKEND="Agg",
    )
    return env


def review_week(end: str) -> str:
    """The ISO week (YYYY-Www) of the last day before ``end``: the world's last full week."""
    year, week, _ = (date.fromisoformat(end) - timedelta(days=1)).isocalendar()
    return f"{year}-W{week:02d}"


class Bench:
    """The steps of one world size, recording every timing into ``results``."""

    def __init__(self, args: argparse.Namespace, alerts: int, results: dict[str, Any]) -> None:
        self.args = args
        self.alerts = alerts
        self.root = args.workdir
        self.world = self.root / f"world-{alerts}"
        self.lake = self.root / f"lake-{alerts}"
        self.reports = self.root / f"reports-{alerts}"
        self.logs = self.root / "logs" / str(alerts)
        self.env = quiet_environment(self.root)
        self.cli = alertlens_argv()
        self.result: dict[str, Any] = {"target_alerts": alerts, "timings": []}
        results["worlds"].append(self.result)
        self.results = results

    def step(self, name: str, cli_args: list[str]) -> Timing:
        """One timed alertlens run, recorded and saved at once (a cut-off run keeps the rest)."""
        runs = sum(1 for t in self.result["timings"] if t["step"] == name)
        timing = timed_run(
            f"{name}-{runs + 1}",
            [*self.cli, *cli_args],
            cwd=self.root,
            env=self.env,
            log_dir=self.logs,
        )
        self.result["timings"].append({**timing.as_dict(), "step": name})
        save(self.results, self.root)
        print(
            f"  {self.alerts:>9,} {name:<16} wall {timing.wall_s:8.1f} s  "
            f"cpu {timing.cpu_percent:5.0f}%  rss {timing.peak_rss_mb:8.0f} MB  "
            f"load {timing.load_1min:.1f}",
            file=sys.stderr,
            flush=True,
        )
        return timing

    def profile(self, name: str, cli_args: list[str]) -> None:
        """The step once more under cProfile; the top functions go to logs/<name>.prof.txt."""
        out = self.logs / f"{name}.prof"
        cli = ["-m", "alertlens.flows.cli", *cli_args]
        argv = [sys.executable, "-m", "cProfile", "-o", str(out), *cli]
        timed_run(f"{name}-profiled", argv, cwd=self.root, env=self.env, log_dir=self.logs)
        with (self.logs / f"{name}.prof.txt").open("w") as text:
            stats = pstats.Stats(str(out), stream=text).strip_dirs()
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)

    def run(self) -> None:
        """Every step for this world size, in order."""
        a = self.args
        lake, world = str(self.lake), str(self.world)
        self.step("startup (--help)", ["--help"])  # the fixed cost inside every step below
        if not (a.skip_generate and self.world.is_dir()):
            fresh_dir(self.world)
            self.step(
                "generate",
                ["generate", "--scenario", "large-org", "--target-alerts", str(self.alerts),
                 "--seed", str(a.seed), "--end", a.end, "--out", world],
            )  # fmt: skip
        self.result["world"] = directory_size(self.world)
        for _ in range(a.repeat):
            fresh_dir(self.lake)
            self.step("ingest", ["ingest", "--lake", lake, world])
        self.result["lake"] = lake_contents(self.lake)
        self.step("re-ingest (skip)", ["ingest", "--lake", lake, world])
        self.step("ingest --force", ["ingest", "--force", "--lake", lake, world])
        self.result["lake_after_force"] = lake_contents(self.lake)
        for _ in range(a.repeat):
            self.step("analyze", ["analyze", "--lake", lake])
        self.result["lake"]["analysis_disk"] = lake_contents(self.lake)["analysis_disk"]
        week = review_week(a.end)
        fresh_dir(self.reports)
        report = ["report", "--lake", lake, "--out", str(self.reports), "--week", week]
        self.step("report --no-pdf", [*report, "--no-pdf"])
        self.step("report (PDF)", report)
        if a.profile:
            fresh_dir(self.lake)
            self.profile("ingest", ["ingest", "--lake", lake, world])
            self.profile("analyze", ["analyze", "--lake", lake])
        save(self.results, self.root)


def save(results: dict[str, Any], workdir: Path) -> None:
    """Write results.json into the workdir."""
    (workdir / "results.json").write_text(json.dumps(results, indent=2) + "\n")


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s" if seconds else ""


def markdown_table(world: dict[str, Any]) -> str:
    """One world's steps as a markdown table: medians over the runs, throughput per step."""
    lake = world.get("lake", {})
    alerts = lake.get("rows", {}).get(Alerts.table, 0)
    read = lake.get("records_read", 0)
    steps: dict[str, list[dict[str, Any]]] = {}
    for t in world["timings"]:
        steps.setdefault(t["step"], []).append(t)
    lines = [
        "| step | runs | wall s (median) | walls | CPU % | peak RSS MB | load | throughput |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in steps.items():
        wall = statistics.median(r["wall_s"] for r in runs)
        walls = ", ".join(f"{r['wall_s']:.1f}" for r in runs)
        cpu = statistics.median(r["cpu_percent"] for r in runs)
        rss = max(r["peak_rss_mb"] for r in runs)
        load = ", ".join(f"{r['load_1min']:.1f}" for r in runs)
        rate = ""
        if name in ("ingest", "ingest --force"):
            rate = f"{_rate(alerts, wall)} alerts, {_rate(read, wall)} records"
        elif name in ("generate", "analyze"):
            rate = f"{_rate(alerts, wall)} alerts"
        lines.append(
            f"| {name} | {len(runs)} | {wall:.1f} | {walls} | {cpu:.0f} | {rss:,.0f} | {load} "
            f"| {rate} |"
        )
    return "\n".join(lines)


def summary_lines(world: dict[str, Any]) -> list[str]:
    """World and lake sizes as a few markdown bullet lines."""
    out = []
    if "world" in world:
        w = world["world"]
        out.append(f"- export files: {w['files']:,} files, {w['bytes'] / 1e6:,.0f} MB")
    if "lake" in world:
        lake = world["lake"]
        rows = ", ".join(f"{k} {v:,}" for k, v in lake["rows"].items() if v)
        disk = lake["disk"]
        out.append(f"- lake rows: {rows}; records read by ingest {lake['records_read']:,}")
        out.append(f"- lake on disk: {disk['files']:,} files, {disk['bytes'] / 1e6:,.1f} MB")
        if lake.get("analysis_disk"):
            a = lake["analysis_disk"]
            out.append(f"- analysis outputs: {a['files']} files, {a['bytes'] / 1e6:,.1f} MB")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; print the markdown results; 1 when a step failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--alerts", type=int, nargs="+", default=[100_000, 1_000_000],
        help="target alert firings of each large-org world (default: 100000 1000000)",
    )  # fmt: skip
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--skip-generate", action="store_true", help="reuse <workdir>/world-N when it exists"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default=DEFAULT_END, help="generator --end (YYYY-MM-DD)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of ingest and analyze")
    parser.add_argument("--profile", action="store_true", help="also cProfile ingest, analyze")
    args = parser.parse_args(argv)
    if not gnu_time_available():
        parser.error("/usr/bin/time is missing: apt-get install time")
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.workdir = args.workdir.resolve()
    results: dict[str, Any] = {"machine": machine(), "argv": sys.argv[1:], "worlds": []}
    status = 0
    for n in args.alerts:
        bench = Bench(args, n, results)
        try:
            bench.run()
        except StepFailed as err:
            print(f"FAILED {err}", file=sys.stderr)
            status = 1
    results["machine_after"] = {"load_avg": machine()["load_avg"]}
    save(results, args.workdir)
    print(f"machine: {json.dumps(results['machine'])}\n")
    for world in results["worlds"]:
        print(f"### large-org, --target-alerts {world['target_alerts']:,}\n")
        print("\n".join(summary_lines(world)) + "\n")
        print(markdown_table(world) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
