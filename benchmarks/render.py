"""The markdown of benchmarks/README.md's results from ``results.json``: each step at 100k, 1M
and 10M side by side, the baselines, the targets (met or missed, by how much) and, where a
target is missed, where the time and memory go (py-spy profiles, RSS over time).

For each world size the most recent measurement in ``results.json`` is shown, so sizes run on
different occasions still appear side by side (each with its date and load).

Run: ``.venv/bin/python benchmarks/render.py [--results /tmp/alertlens-bench/results.json]
[--write benchmarks/README.md]`` (prints the markdown; --write replaces the part of the README
between the ``results`` markers). Several results files may be given (sizes run apart).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

START = "<!-- results:start -->"
END = "<!-- results:end -->"
FULL = ("generate exports", "ingest", "generate lake", "analyze", "report", "report (PDF)")
NIGHTLY = (
    "generate lake --until",
    "analyze (yesterday)",
    "nightly: ingest day",
    "nightly: analyze",
    "nightly: report",
    "nightly (flow)",
)
BASELINES = (
    "pyarrow parse+write",
    "pyarrow parse+write (day)",
    "per-team MTTA/MTTR: duckdb",
    "per-team MTTA/MTTR: alertlens",
)
SIZE_NAMES = {100_000: "100k", 1_000_000: "1M", 10_000_000: "10M"}


def latest_worlds(results: dict[str, Any]) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
    """Per world size, its most recent measurement and the run it belongs to."""
    found: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    for run in results["runs"]:
        for world in run["worlds"]:
            if world["timings"]:
                found[world["target_alerts"]] = (world, run)
    return dict(sorted(found.items()))


def _size(n: int) -> str:
    return SIZE_NAMES.get(n, f"{n:,}")


def step(world: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The last timing of step ``name`` in ``world``."""
    runs = [t for t in world["timings"] if t["step"] == name]
    return runs[-1] if runs else None


def cell(t: dict[str, Any] | None) -> str:
    """wall · CPU · peak RSS of one timing (or how it was stopped)."""
    if t is None:
        return "—"
    text = f"{t['wall_s']:,.1f} s · {t['cpu_s']:,.0f} cpu · {t['peak_rss_mb'] / 1024:.2f} GB"
    if t.get("status", "ok") != "ok":
        text = f"**{t['status']}** ({text})"
    return text


def steps_table(worlds: dict[int, Any], names: tuple[str, ...]) -> list[str]:
    sizes = list(worlds)
    lines = [
        "| step | " + " | ".join(_size(n) for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for name in names:
        cells = [cell(step(worlds[n][0], name)) for n in sizes]
        if any(c != "—" for c in cells):
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _sum(world: dict[str, Any], names: tuple[str, ...], key: str) -> float | None:
    values = [step(world, n) for n in names]
    if any(v is None or v.get("status", "ok") != "ok" for v in values):
        return None
    return sum(float(v[key]) for v in values if v is not None)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def _verdict(value: float | None, limit: float, unit: str = "", fmt: str = "{:.2f}") -> str:
    if value is None:
        return "—"
    shown = fmt.format(value) + unit
    if value <= limit:
        return f"{shown} (met)"
    return f"{shown} (**missed** by {value / limit:.1f}×)"


def targets(worlds: dict[int, Any], help_run: dict[str, Any] | None) -> list[str]:
    """The targets of issue 14 at each size: measured value, met or missed by how much."""
    sizes = list(worlds)
    rows: list[tuple[str, list[str]]] = []

    def per_size(label: str, value: Any) -> None:
        rows.append((label, [value(worlds[n][0], n) for n in sizes]))

    def shares(night: tuple[str, ...], full: tuple[str, ...], w: dict[str, Any]) -> str:
        """The nightly's share of the full run, in wall time and in CPU time."""
        if step(w, "ingest") is None:  # a lake written straight: no ingest to compare
            full = tuple(n for n in full if n != "ingest")
        out = []
        for key, label in (("wall_s", "wall"), ("cpu_s", "CPU")):
            ratio = _ratio(_sum(w, night, key), _sum(w, full, key))
            out.append(f"{label} {_verdict(ratio, 0.10, fmt='{:.0%}')}")
        return "; ".join(out) if "—" not in "".join(out) else "—"

    def nightly_share(w: dict[str, Any], _n: int) -> str:
        return shares(("nightly (flow)",), ("ingest", "analyze", "report (PDF)"), w)

    def nightly_steps_share(w: dict[str, Any], _n: int) -> str:
        night = ("nightly: ingest day", "nightly: analyze", "nightly: report")
        return shares(night, ("ingest", "analyze", "report"), w)

    def ingest_cpu(w: dict[str, Any], _n: int) -> str:
        return _verdict(
            _ratio(_sum(w, ("ingest",), "cpu_s"), _sum(w, ("pyarrow parse+write",), "cpu_s")),
            2.0,
            "×",
            "{:.1f}",
        )

    def ingest_day_cpu(w: dict[str, Any], _n: int) -> str:
        return _verdict(
            _ratio(
                _sum(w, ("nightly: ingest day",), "cpu_s"),
                _sum(w, ("pyarrow parse+write (day)",), "cpu_s"),
            ),
            2.0,
            "×",
            "{:.1f}",
        )

    def seconds(name: str, limit: float) -> Any:
        def verdict(w: dict[str, Any], _n: int) -> str:
            t = step(w, name)
            if t is None:
                return "—"
            if t.get("status", "ok") != "ok":
                return f"**{t['status']}**"
            wall = _verdict(t["wall_s"], limit, " s", "{:.0f}")
            return f"wall {wall}; CPU {_verdict(t['cpu_s'], limit, ' s', '{:.0f}')}"

        return verdict

    def analyze_rss(w: dict[str, Any], _n: int) -> str:
        t = step(w, "analyze")
        return "—" if t is None else _verdict(t["peak_rss_mb"] / 1024, 6.0, " GB")

    def team_ratio(w: dict[str, Any], _n: int) -> str:
        tr = w.get("team_response")
        if not tr:
            return "—"
        best = {
            key: {e: min(r[key] for r in tr[e]["runs"]) for e in ("alertlens", "duckdb")}
            for key in ("wall_s", "cpu_s")
        }
        same = "same figures" if tr["largest_difference_s"] <= 1e-9 else "**figures differ**"
        wall, cpu = (
            _verdict(_ratio(best[k]["alertlens"], best[k]["duckdb"]), 1.5, "×", "{:.1f}")
            for k in ("wall_s", "cpu_s")
        )
        d = best["wall_s"]["duckdb"]
        return f"wall {wall} (DuckDB {d:.2f} s); CPU {cpu}; {same}"

    per_size("one new day end to end (`nightly` flow) ≤ 10 % of a full run", nightly_share)
    per_size("… as steps: ingest day + analyze + report ≤ 10 %", nightly_steps_share)
    per_size("ingest CPU ≤ 2× pyarrow parse+write (all exports)", ingest_cpu)
    per_size("ingest CPU ≤ 2× pyarrow parse+write (one day into the lake)", ingest_day_cpu)
    per_size("analyze < 300 s (10M)", seconds("analyze", 300.0))
    per_size("analyze peak RSS < 6 GB (10M)", analyze_rss)
    per_size("report (HTML) < 30 s", seconds("report", 30.0))
    per_size("per-team MTTA/MTTR ≤ 1.5× DuckDB's query", team_ratio)
    lines = [
        "| target | " + " | ".join(_size(n) for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    lines += [f"| {label} | " + " | ".join(values) + " |" for label, values in rows]
    if help_run:
        cmds = help_run["commands"]
        prefect = cmds.get('python -c "import prefect"', {}).get("median_s")
        for name in ("alertlens --help", "alertlens ingest --help"):
            ours = cmds.get(name, {}).get("median_s")
            lines.append(
                f"| `{name}` < ½ of `import prefect` | "
                + _verdict(_ratio(ours, prefect), 0.5, "×", "{:.2f}")
                + " |"
                + " |" * (len(sizes) - 1)
            )
    return lines


def help_table(help_run: dict[str, Any]) -> list[str]:
    lines = [
        f"Load average before: {help_run['load_1min']}. "
        f"Tool: {next(iter(help_run['commands'].values()))['tool']}.",
        "",
        "| command | runs | median s | mean s | min s | max s |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in help_run["commands"].items():
        lines.append(
            f"| `{name}` | {r['runs']} | {r['median_s']:.3f} | {r['mean_s']:.3f} | "
            f"{r['min_s']:.3f} | {r['max_s']:.3f} |"
        )
    return lines


def facts(worlds: dict[int, Any]) -> list[str]:
    out = []
    for n, (w, run) in worlds.items():
        loads = [t["load_1min"] for t in w["timings"]]
        parts = [f"**{_size(n)}** ({w['started'][:10]}, load {min(loads):.1f}–{max(loads):.1f})"]
        if "world" in w:
            parts.append(
                f"exports {w['world']['files']:,} files, {w['world']['bytes'] / 1e9:.2f} GB"
            )
        if "lake" in w:
            rows = w["lake"]["rows"]
            parts.append(
                f"lake: alerts {rows['alerts']:,}, incidents {rows['incidents']:,}, "
                f"notifications {rows['notifications']:,}; "
                f"{w['lake']['disk']['bytes'] / 1e9:.2f} GB in {w['lake']['disk']['files']} files"
            )
        if "day" in w:
            parts.append(
                f"one day of exports {w['day']['files']:,} files, {w['day']['bytes'] / 1e6:.0f} MB"
            )
        checks = w.get("checks", {})
        if "nightly lake has the full lake's records" in checks:
            parts.append(
                "nightly lake = full lake: "
                + ("yes" if checks["nightly lake has the full lake's records"] else "**no**")
            )
        m = run["machine"]
        parts.append(
            f"machine: {m['nproc']} cores, {m['mem_total_gb']} GB, {m['cpu_model']}, Python "
            f"{m['python']}, pandas {m['pandas']}, pyarrow {m['pyarrow']}"
        )
        out.append("- " + "; ".join(parts))
    return out


def profiles(worlds: dict[int, Any], top: int = 12) -> list[str]:
    """Top functions of each profiled step of the largest size that has profiles, and for
    every size the peak memory of analyze and report with the stack near it."""
    out: list[str] = []
    profiled = [n for n, (w, _run) in worlds.items() if w.get("profiles")]
    if profiled:
        n = max(profiled)
        for name, prof in worlds[n][0]["profiles"].items():
            out += [
                f"**{name} at {_size(n)}** (py-spy, {prof['samples']:,} samples; share of "
                "samples with the function on the stack, and at its top):",
                "",
                "| function | on stack | own |",
                "|---|---|---|",
            ]
            own = dict(prof["own"])
            shown = [(f, s) for f, s in prof["inclusive"] if not _wrapper(f)][:top]
            out += [f"| `{f}` | {s:.0f} % | {own.get(f, 0):.0f} % |" for f, s in shown]
            out.append("")
    for n, (w, _run) in worlds.items():
        for name in ("analyze", "report", "nightly: analyze"):
            t = step(w, name)
            if t and t.get("rss_timeline"):
                peak = max(t["rss_timeline"], key=lambda p: p[1])
                out.append(
                    f"- {name} at {_size(n)}: peak sampled RSS {peak[1] / 1024:.2f} GB at "
                    f"{peak[0]:.0f} s of {t['wall_s']:.0f} s"
                )
                if t.get("stack_at_peak"):
                    frames = [ln.strip() for ln in t["stack_at_peak"].splitlines()[3:15]]
                    out.append("  stack near the peak: " + " ← ".join(f for f in frames if f))
    return out


def _wrapper(frame: str) -> bool:
    """Frames every sample has (interpreter start-up, the CLI entry, imports): no news."""
    return (
        "<frozen" in frame
        or "<module>" in frame
        or frame.startswith(("main (flows/cli.py)", "main (alertlens/flows/cli.py)"))
    )


def stopped(worlds: dict[int, Any]) -> list[str]:
    """Steps stopped by a limit or failed: how far they got (memory, a stack near the end)."""
    out = []
    for n, (w, _run) in worlds.items():
        for t in w["timings"]:
            if t.get("status", "ok") == "ok":
                continue
            gb = t["peak_rss_mb"] / 1024
            out.append(
                f"- {t['step']} at {_size(n)}: {t['status']}; peak RSS {gb:.2f} GB, "
                f"{t['cpu_s']:.0f} CPU s"
            )
            if t.get("stack_at_peak"):
                frames = [ln.strip() for ln in t["stack_at_peak"].splitlines()[3:13]]
                out.append("  where it was: " + " ← ".join(f for f in frames if f))
    return out


def markdown(results: dict[str, Any]) -> str:
    worlds = latest_worlds(results)
    help_run = next((r["help"] for r in reversed(results["runs"]) if r.get("help")), None)
    parts = [START, "", "### Targets", "", *targets(worlds, help_run), ""]
    parts += ["### The worlds", "", *facts(worlds), ""]
    parts += ["### Full run (wall · CPU seconds · peak RSS)", "", *steps_table(worlds, FULL), ""]
    parts += ["### Nightly: one new day into yesterday's lake", ""]
    parts += [*steps_table(worlds, NIGHTLY), ""]
    parts += ["### Baselines, same files and lake, same run", ""]
    parts += [*steps_table(worlds, BASELINES), ""]
    if help_run:
        parts += ["### `--help` against `import prefect` (issue 10)", "", *help_table(help_run), ""]
    halted = stopped(worlds)
    if halted:
        parts += ["### Steps that did not finish", "", *halted, ""]
    found = profiles(worlds)
    if found:
        parts += ["### Where the time and memory go", "", *found, ""]
    parts.append(END)
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--results", type=Path, nargs="+", default=[Path("/tmp/alertlens-bench/results.json")],
        help="results.json files (their runs are read in order; later ones win per size)",
    )  # fmt: skip
    parser.add_argument("--write", type=Path, help="README whose results section to replace")
    args = parser.parse_args(argv)
    runs = [r for path in args.results for r in json.loads(path.read_text())["runs"]]
    text = markdown({"runs": runs})
    print(text)
    if args.write:
        readme = args.write.read_text(encoding="utf-8")
        if START in readme and END in readme:
            head, rest = readme.split(START, 1)
            readme = head + text + rest.split(END, 1)[1]
        else:
            readme = readme.rstrip("\n") + "\n\n" + text + "\n"
        args.write.write_text(readme, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
