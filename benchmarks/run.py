"""Whole-process benchmarks of alertlens on large-org worlds of 100k, 1M and 10M alerts, side by
side with the baselines measured in the same run. One command: ``make bench``.

Per world size (each step its own process under GNU time: wall, CPU, peak RSS; the RSS of the
process tree is also sampled, and a step past ``--max-rss-gb`` or ``--timeout`` is stopped and
recorded as such):

- full run: ``generate --out`` exports then ``ingest`` (sizes up to ``--exports-up-to``), or
  ``generate --lake`` straight to Parquet (larger sizes); ``analyze``; ``report`` (HTML, then
  with the PDF);
- nightly: a lake of every record created before the last day (``generate --lake --until``),
  analysed (yesterday's run), then the last day's exports (``generate --out --since``):
  ``ingest`` + ``analyze`` + ``report`` as three steps, and ``alertlens nightly`` as the flow;
- baselines: ``pyarrow_baseline.py`` (pyarrow.json parse + Parquet write of the same export
  files, full and one day), ``team_response.py`` per-team MTTA/MTTR by alertlens and by one
  DuckDB query over the same lake (figures compared);
- with ``--profile``: ingest, analyze and report once more under py-spy (top functions).

Once per run: ``alertlens --help``, ``alertlens ingest --help`` and ``python -c "import prefect"``
(hyperfine, 10 runs each). Results are appended to ``<workdir>/results.json`` after every step;
``benchmarks/render.py`` turns them into the tables of benchmarks/README.md (run at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from measure import (
    Limits,
    StepFailed,
    Timing,
    directory_size,
    fresh_dir,
    gnu_time_available,
    hyperfine,
    lake_contents,
    machine,
    profile_run,
    timed_run,
)

from alertlens.ingest.schema import RECORD_TABLES

HERE = Path(__file__).resolve().parent
DEFAULT_WORKDIR = Path("/tmp/alertlens-bench")
DEFAULT_END = "2026-11-23"  # the generator's default --end; fixed so the worlds are identical
DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)


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


def last_day(end: str) -> str:
    """The day before ``end`` (YYYY-MM-DD): the nightly's new day."""
    return (date.fromisoformat(end) - timedelta(days=1)).isoformat()


def save(results: dict[str, Any], workdir: Path) -> None:
    """Write results.json into the workdir (every run so far, this one last)."""
    path = workdir / "results.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1) + "\n")
    tmp.replace(path)


def load(workdir: Path) -> dict[str, Any]:
    """The results of earlier runs in this workdir (``{"runs": [...]}``)."""
    path = workdir / "results.json"
    if path.is_file():
        data = json.loads(path.read_text())
        if isinstance(data, dict) and isinstance(data.get("runs"), list):
            return data
    return {"runs": []}


class Bench:
    """The steps of one world size, recording every timing into ``result``."""

    def __init__(self, args: argparse.Namespace, alerts: int, results: dict[str, Any]) -> None:
        self.args = args
        self.alerts = alerts
        root: Path = args.workdir
        self.root = root
        self.exports = alerts <= args.exports_up_to
        self.world = root / f"world-{alerts}"
        self.day = root / f"day-{alerts}"
        self.lake = root / f"lake-{alerts}"
        self.base = root / f"base-{alerts}"
        self.reports = root / f"reports-{alerts}"
        self.logs = root / "logs" / str(alerts)
        self.env = quiet_environment(root)
        self.cli = alertlens_argv()
        self.limits = Limits(max_rss_mb=args.max_rss_gb * 1024, timeout_s=args.timeout)
        self.result: dict[str, Any] = {
            "target_alerts": alerts,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "timings": [],
            "checks": {},
        }
        results["runs"][-1]["worlds"].append(self.result)
        self.results = results

    # --- running ---------------------------------------------------------------------------

    def step(
        self, name: str, argv: list[str], *, group: str, alertlens: bool = True
    ) -> Timing | None:
        """One timed run, recorded and saved at once; None when it failed (recorded too)."""
        runs = sum(1 for t in self.result["timings"] if t["step"] == name)
        label = f"{name}-{runs + 1}".replace(" ", "_").replace("/", "_")
        cmd = [*self.cli, *argv] if alertlens else argv
        timing: Timing | None
        try:
            timing = timed_run(
                label, cmd, cwd=self.root, env=self.env, log_dir=self.logs, limits=self.limits
            )
        except StepFailed as err:
            timing = err.timing
            print(f"  FAILED {err}", file=sys.stderr, flush=True)
        if timing is None:
            return None
        record = {**timing.as_dict(), "step": name, "group": group}
        self.result["timings"].append(record)
        save(self.results, self.root)
        print(
            f"  {self.alerts:>11,} {name:<28} wall {timing.wall_s:8.1f} s  "
            f"cpu {timing.cpu_s:8.1f} s  rss {timing.peak_rss_mb / 1024:6.2f} GB  "
            f"load {timing.load_1min:4.1f}  {timing.status}",
            file=sys.stderr,
            flush=True,
        )
        return timing if timing.status == "ok" else None

    def generated(self, target: Path, argv: list[str], name: str, group: str) -> bool:
        """Generate ``target`` (``argv`` ends with --out or --lake) unless --reuse finds it made
        by the same ``argv``."""
        marker = target / ".bench-args.json"
        if self.args.reuse and marker.is_file() and json.loads(marker.read_text()) == argv:
            self.result["checks"][f"reused {target.name}"] = True
            return True
        if target.exists():
            shutil.rmtree(target)
        timing = self.step(name, [*argv, str(target)], group=group)
        if timing is None:
            return False
        marker.write_text(json.dumps(argv))
        return True

    def world_args(self) -> list[str]:
        a = self.args
        return [
            "generate", "--scenario", "large-org", "--target-alerts", str(self.alerts),
            "--seed", str(a.seed), "--end", a.end,
        ]  # fmt: skip

    def run(self) -> None:
        """Every step for this world size, in order."""
        world = self.world_args()
        day = last_day(self.args.end)
        week = review_week(self.args.end)
        fresh_dir(self.reports)
        report = ["report", "--out", str(self.reports), "--week", week]

        # the full run
        if self.exports:
            if not self.generated(self.world, [*world, "--out"], "generate exports", "setup"):
                return
            self.result["world"] = directory_size(self.world, exclude=(".bench-args.json",))
            fresh_dir(self.lake)
            if self.step("ingest", ["ingest", "--lake", str(self.lake), str(self.world)],
                         group="full") is None:  # fmt: skip
                return
        elif not self.generated(self.lake, [*world, "--lake"], "generate lake", "full"):
            return
        self.result["lake"] = lake_contents(self.lake)
        lake = ["--lake", str(self.lake)]
        analyzed = self.step("analyze", ["analyze", *lake], group="full") is not None
        if analyzed:
            self.result["lake"]["analysis_disk"] = lake_contents(self.lake)["analysis_disk"]
            self.step("report", [*report, *lake, "--no-pdf"], group="full")
            self.step("report (PDF)", [*report, *lake], group="full")

        parts = self.args.parts
        if "baselines" in parts or "nightly" in parts:
            self.generated(
                self.day, [*world, "--since", day, "--out"], "generate day exports", "setup"
            )
            self.result["day"] = directory_size(self.day, exclude=(".bench-args.json",))
        if "baselines" in parts:  # on the same files and lake
            if self.exports:
                self.pyarrow("pyarrow parse+write", self.world)
            self.pyarrow("pyarrow parse+write (day)", self.day)
            self.team_response()
        if "nightly" in parts:  # yesterday's lake, one new day of exports
            if not self.generated(self.base, [*world, "--until", day, "--lake"],
                                  "generate lake --until", "setup"):  # fmt: skip
                return
            self.nightly(report, week)

        if self.args.profile and self.alerts <= self.args.profile_up_to:
            self.profile(report)
        save(self.results, self.root)

    def pyarrow(self, name: str, exports: Path) -> None:
        out = self.root / f"pyarrow-{self.alerts}"
        fresh_dir(out)
        script = [sys.executable, str(HERE / "pyarrow_baseline.py"), "--out", str(out)]
        self.step(name, [*script, str(exports)], group="baseline", alertlens=False)
        shutil.rmtree(out, ignore_errors=True)

    def team_response(self) -> None:
        """Per-team MTTA/MTTR by DuckDB and by alertlens over the full lake; figures compared."""
        figures = {}
        repeat = "3" if self.alerts <= 1_000_000 else "1"
        for engine in ("duckdb", "alertlens"):
            out = self.logs / f"team-response-{engine}.json"
            out.unlink(missing_ok=True)
            script = [sys.executable, str(HERE / "team_response.py"), "--lake", str(self.lake)]
            argv = [*script, "--engine", engine, "--repeat", repeat, "--json", str(out)]
            self.step(f"per-team MTTA/MTTR: {engine}", argv, group="baseline", alertlens=False)
            if out.is_file():
                figures[engine] = json.loads(out.read_text())
        if len(figures) == 2:
            import pandas as pd
            from team_response import largest_difference

            frames = {k: pd.DataFrame(v.pop("figures")) for k, v in figures.items()}
            self.result["team_response"] = {
                **figures,
                "largest_difference_s": largest_difference(frames["alertlens"], frames["duckdb"]),
            }
            save(self.results, self.root)

    def nightly(self, report: list[str], week: str) -> None:
        """Yesterday's lake analysed, then the new day as steps and as the nightly flow."""
        base = ["--lake", str(self.base)]
        self.result["base_lake"] = lake_contents(self.base)
        if self.step("analyze (yesterday)", ["analyze", *base], group="setup") is None:
            return
        steps = self.root / f"nightly-{self.alerts}"
        _copy_lake(self.base, steps)
        lake = ["--lake", str(steps)]
        ingest = ["ingest", *lake, str(self.day)]
        if self.step("nightly: ingest day", ingest, group="nightly") is not None:
            after = lake_contents(steps)["rows"]
            full = self.result.get("lake", {}).get("rows", {})
            self.result["checks"]["nightly lake has the full lake's records"] = all(
                after[t] == full.get(t) for t in RECORD_TABLES
            )
            if self.step("nightly: analyze", ["analyze", *lake], group="nightly") is not None:
                self.step("nightly: report", [*report, *lake, "--no-pdf"], group="nightly")
        shutil.rmtree(steps, ignore_errors=True)
        flow = self.root / f"flow-{self.alerts}"
        _copy_lake(self.base, flow)
        argv = ["nightly", "--inbox", str(self.day), "--lake", str(flow), "--out",
                str(self.reports / "nightly"), "--week", week]  # fmt: skip
        self.step("nightly (flow)", argv, group="nightly")
        shutil.rmtree(flow, ignore_errors=True)

    def profile(self, report: list[str]) -> None:
        """Ingest, analyze and report once more under py-spy: the top functions of each."""
        profiles = self.result.setdefault("profiles", {})
        python = [sys.executable, "-m", "alertlens.flows.cli"]
        runs: list[tuple[str, list[str]]] = [
            ("analyze", ["analyze", "--lake", str(self.lake)]),
            ("report", [*report, "--lake", str(self.lake), "--no-pdf"]),
        ]
        if self.exports:
            scratch = self.root / f"profile-lake-{self.alerts}"
            fresh_dir(scratch)
            runs.insert(0, ("ingest", ["ingest", "--lake", str(scratch), str(self.world)]))
        for name, argv in runs:
            found = profile_run(
                f"profile-{name}", [*python, *argv], cwd=self.root, env=self.env,
                log_dir=self.logs,
            )  # fmt: skip
            if found:
                profiles[name] = found
                save(self.results, self.root)
        shutil.rmtree(self.root / f"profile-lake-{self.alerts}", ignore_errors=True)


def _copy_lake(source: Path, target: Path) -> None:
    """A copy of a lake, analysis generations and the symlink to the current one included."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".bench-args*"))


def help_startup(args: argparse.Namespace) -> dict[str, Any]:
    """``alertlens --help``, ``alertlens ingest --help`` and ``import prefect`` (issue 10)."""
    cli = alertlens_argv()
    commands = {
        "alertlens --help": [*cli, "--help"],
        "alertlens ingest --help": [*cli, "ingest", "--help"],
        'python -c "import prefect"': [sys.executable, "-c", "import prefect"],
    }
    out = args.workdir / "logs" / "help.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    found = hyperfine(
        commands, runs=args.help_runs, cwd=args.workdir, env=quiet_environment(args.workdir),
        out=out,
    )  # fmt: skip
    return {"load_1min": round(os.getloadavg()[0], 2), "commands": found}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and append them to results.json; 1 when a step failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--alerts", type=int, nargs="+", default=list(DEFAULT_SIZES),
        help="target alert firings of each large-org world (default: 100000 1000000 10000000)",
    )  # fmt: skip
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--exports-up-to", type=int, default=1_000_000,
        help="largest world generated as JSON exports and ingested; larger ones are written "
        "straight to a lake (default 1000000: 10M of exports would be 43 GB)",
    )  # fmt: skip
    parser.add_argument(
        "--reuse", action="store_true",
        help="reuse worlds and lakes in the workdir generated with the same arguments",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default=DEFAULT_END, help="generator --end (YYYY-MM-DD)")
    parser.add_argument("--profile", action="store_true", help="py-spy profiles (top functions)")
    parser.add_argument(
        "--profile-up-to", type=int, default=1_000_000, help="largest world to profile"
    )
    parser.add_argument(
        "--parts", nargs="+", default=["baselines", "nightly"],
        choices=["baselines", "nightly", "none"],
        help="what to measure besides the full run (default: both)",
    )  # fmt: skip
    parser.add_argument("--help-runs", type=int, default=10, help="runs of each --help timing")
    parser.add_argument("--skip-help", action="store_true", help="do not time --help")
    parser.add_argument(
        "--max-rss-gb", type=float, default=12.0,
        help="stop a step whose processes hold more memory than this (default 12)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=10800.0, help="stop a step after this many seconds"
    )
    args = parser.parse_args(argv)
    if not gnu_time_available():
        parser.error("/usr/bin/time is missing: apt-get install time")
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.workdir = args.workdir.resolve()
    results = load(args.workdir)
    run: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "argv": sys.argv[1:] if argv is None else argv,
        "worlds": [],
    }
    results["runs"].append(run)
    if not args.skip_help:
        run["help"] = help_startup(args)
        save(results, args.workdir)
    failed = False
    for n in args.alerts:
        bench = Bench(args, n, results)
        bench.run()
        failed |= any(t["status"] != "ok" for t in bench.result["timings"])
    run["machine_after"] = {"load_avg": machine()["load_avg"]}
    save(results, args.workdir)
    print(f"results: {args.workdir / 'results.json'}; tables: benchmarks/render.py", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
