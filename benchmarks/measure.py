"""Measuring helpers for benchmarks/run.py: a whole process timed by GNU time (with its memory
sampled and capped, and optionally its stacks sampled by py-spy), the machine it ran on, and
what a lake or an export directory holds on disk."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from alertlens.ingest.lake import SPECS
from alertlens.ingest.schema import RECORD_TABLES, Manifest

GNU_TIME = "/usr/bin/time"
# wall seconds, user seconds, system seconds, peak RSS in KiB (GNU time's %M)
_TIME_FORMAT = "%e %U %S %M"


class StepFailed(RuntimeError):
    """A timed command exited non-zero (or was stopped); ``timing`` holds what was measured."""

    def __init__(self, message: str, timing: Timing | None = None) -> None:
        super().__init__(message)
        self.timing = timing


@dataclass(frozen=True)
class Timing:
    """One timed whole-process run."""

    step: str
    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_mb: float
    load_1min: float  # the machine's 1-minute load average just before the run
    status: str = "ok"  # "ok", "exit N", "stopped: <why>"
    # (seconds since start, RSS MB of the process tree), every few seconds
    rss_timeline: list[tuple[float, float]] = field(default_factory=list)
    stack_at_peak: str | None = None  # a py-spy dump taken near the peak RSS

    @property
    def cpu_percent(self) -> float:
        """(user + system) / wall, as GNU time's 'Percent of CPU'."""
        return 100.0 * (self.user_s + self.sys_s) / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_s(self) -> float:
        """User + system CPU seconds."""
        return self.user_s + self.sys_s

    def as_dict(self) -> dict[str, Any]:
        """The fields plus cpu_percent and cpu_s, for the JSON results."""
        return {
            **asdict(self),
            "cpu_percent": round(self.cpu_percent, 1),
            "cpu_s": round(self.cpu_s, 2),
        }


@dataclass(frozen=True)
class Limits:
    """What a step may use before it is stopped (and recorded as stopped)."""

    max_rss_mb: float = 16_000.0
    timeout_s: float = 3600.0
    stack_every_s: float = 0.0  # take a py-spy dump this often (0: never)


def gnu_time_available() -> bool:
    """True when GNU time is installed (Debian package ``time``)."""
    return Path(GNU_TIME).is_file() and os.access(GNU_TIME, os.X_OK)


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter or on PATH, if installed."""
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.is_file() else shutil.which("py-spy")


def timing_from_gnu_time(step: str, text: str, load_1min: float) -> Timing:
    """The Timing in GNU time's ``-f '%e %U %S %M'`` output (its last non-empty line)."""
    last = [line for line in text.splitlines() if line.strip()][-1]
    wall, user, system, rss_kib = last.split()
    return Timing(
        step,
        float(wall),
        float(user),
        float(system),
        round(int(rss_kib) / 1024, 1),
        round(load_1min, 2),
    )


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found += [int(c) for c in text.split()]
    except OSError:
        pass
    return found


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _stack(pid: int) -> str | None:
    spy = py_spy()
    if spy is None:
        return None
    done = subprocess.run(
        [spy, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=60
    )
    return done.stdout if done.returncode == 0 else None


def timed_run(
    step: str,
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    log_dir: Path,
    limits: Limits = Limits(),
) -> Timing:
    """Run ``argv`` under GNU time; stdout/stderr go to ``log_dir/<step>.out|.err``.

    The process tree's RSS is sampled every half second; a run above ``limits.max_rss_mb`` or
    past ``limits.timeout_s`` is killed (GNU time still reports it) and raises StepFailed with
    the timing so far. With ``limits.stack_every_s`` a py-spy dump is kept from near the peak.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("r", suffix=".time", dir=log_dir) as out:
        cmd = [GNU_TIME, "-f", _TIME_FORMAT, "-o", out.name, *argv]
        with (log_dir / f"{step}.out").open("w") as so, (log_dir / f"{step}.err").open("w") as se:
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=so, stderr=se)
            timeline, stopped, peak, peak_stack, last_stack = _watch(proc, limits)
        text = Path(out.name).read_text()
    try:
        timing = timing_from_gnu_time(step, text, load)
    except (IndexError, ValueError):
        timing = Timing(step, 0.0, 0.0, 0.0, round(peak, 1), round(load, 2))
    status = stopped or ("ok" if proc.returncode == 0 else f"exit {proc.returncode}")
    timing = Timing(
        **{
            **asdict(timing),
            "status": status,
            "rss_timeline": timeline,
            "stack_at_peak": peak_stack or last_stack,
        }
    )
    if status != "ok":
        raise StepFailed(f"{step}: {status}, see {log_dir / (step + '.err')}", timing)
    return timing


def _watch(
    proc: subprocess.Popen[bytes], limits: Limits
) -> tuple[list[tuple[float, float]], str | None, float, str | None, str | None]:
    """Sample the RSS of ``proc``'s tree until it ends; stop it past the limits."""
    start = time.monotonic()
    timeline: list[tuple[float, float]] = []
    peak, peak_stack, last_stack, stopped = 0.0, None, None, None
    next_stack = limits.stack_every_s
    while proc.poll() is None:
        time.sleep(0.5)
        elapsed = time.monotonic() - start
        kids = _children(proc.pid)  # GNU time's child: the measured command
        rss = _rss_mb(_tree(kids[0])) if kids else 0.0
        if not timeline or elapsed - timeline[-1][0] >= 2.0:
            timeline.append((round(elapsed, 1), round(rss, 1)))
        if limits.stack_every_s and kids and elapsed >= next_stack:
            next_stack = elapsed + limits.stack_every_s
            last_stack = _stack(kids[0])
            if rss >= peak:
                peak_stack = last_stack
        peak = max(peak, rss)
        reason = None
        if rss > limits.max_rss_mb:
            reason = f"stopped: RSS {rss / 1024:.1f} GB > {limits.max_rss_mb / 1024:.1f} GB"
        elif elapsed > limits.timeout_s:
            reason = f"stopped: still running after {limits.timeout_s:.0f} s"
        if reason and kids:
            stopped = f"{reason} at {elapsed:.0f} s"
            last_stack = _stack(kids[0]) or last_stack
            for pid in reversed(_tree(kids[0])):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
    return timeline, stopped, peak, peak_stack, last_stack


def profile_run(
    step: str, argv: list[str], *, cwd: Path, env: dict[str, str], log_dir: Path
) -> dict[str, Any]:
    """Run ``argv`` (a Python command) under ``py-spy record`` and return the top functions by
    share of samples, inclusive and own; empty when py-spy is not installed."""
    spy = py_spy()
    if spy is None:
        return {}
    raw = log_dir / f"{step}.pyspy.txt"
    log_dir.mkdir(parents=True, exist_ok=True)
    cmd = [spy, "record", "--format", "raw", "--function", "--rate", "50", "-o", str(raw)]
    with (log_dir / f"{step}.profile.err").open("w") as err:
        subprocess.run([*cmd, "--", *argv], cwd=cwd, env=env, stdout=err, stderr=err)
    if not raw.is_file():
        return {}
    return top_functions(raw.read_text(encoding="utf-8", errors="replace"))


def top_functions(collapsed: str, top: int = 60) -> dict[str, Any]:
    """Top functions of a py-spy raw (collapsed stacks) profile: share of samples in which a
    function is on the stack (inclusive) and at its top (own)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_short(f) for f in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return {}

    def share(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(name, round(100 * n / total, 1)) for name, n in counter.most_common(top)]

    return {"samples": total, "inclusive": share(inclusive), "own": share(own)}


def _short(frame: str) -> str:
    """``function (path/to/alertlens/analysis/x.py:12)`` as ``function (analysis/x.py)``."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").split(":")[0]
    for marker in ("/alertlens/", "/site-packages/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})" if path else name


def hyperfine(
    commands: dict[str, list[str]], *, runs: int, cwd: Path, env: dict[str, str], out: Path
) -> dict[str, dict[str, Any]]:
    """Wall seconds of each command over ``runs`` runs (after one warm-up): median, mean, min,
    max, by hyperfine when installed, else by repeated timing here."""
    names = list(commands)
    exe = shutil.which("hyperfine")
    if exe is not None:
        argv = [exe, "--runs", str(runs), "--warmup", "1", "-N", "--export-json", str(out)]
        for name in names:
            argv += ["-n", name, " ".join(_quoted(a) for a in commands[name])]
        subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
        results = json.loads(out.read_text())["results"]
        return {r["command"]: {"tool": "hyperfine", **_stats(r["times"])} for r in results}
    timings: dict[str, dict[str, Any]] = {}
    for name in names:
        times = []
        for run in range(runs + 1):
            begun = time.perf_counter()
            subprocess.run(commands[name], cwd=cwd, env=env, check=True, capture_output=True)
            if run:  # the first is the warm-up
                times.append(time.perf_counter() - begun)
        timings[name] = {"tool": "perf_counter", **_stats(times)}
    return timings


def _stats(times: list[float]) -> dict[str, float]:
    return {
        "runs": len(times),
        "median_s": round(statistics.median(times), 4),
        "mean_s": round(statistics.fmean(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
    }


def _quoted(arg: str) -> str:
    return arg if arg and all(c.isalnum() or c in "/._-=:" for c in arg) else repr(arg)


def _meminfo_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, OS and the versions of Python and the data stack."""
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "mem_total_gb": _meminfo_gb(),
        "cpu_model": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        **{p: _version(p) for p in ("pandas", "pyarrow", "numpy", "scikit-learn", "orjson")},
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }


def directory_size(path: Path, *, exclude: tuple[str, ...] = ()) -> dict[str, int]:
    """Bytes and number of files below ``path``, skipping top-level entries named in exclude."""
    size = files = 0
    for p in path.rglob("*"):
        if p.is_file() and p.relative_to(path).parts[0] not in exclude:
            size += p.stat().st_size
            files += 1
    return {"bytes": size, "files": files}


def table_rows(lake: Path, table: str) -> int:
    """Rows in one lake table, from the Parquet footers (no data read)."""
    root = lake / table
    if not root.is_dir():
        return 0
    return sum(pq.ParquetFile(p).metadata.num_rows for p in root.rglob("*.parquet"))


def lake_contents(lake: Path) -> dict[str, Any]:
    """Rows per table, records read by the ingest (manifest), and bytes/files on disk."""
    rows = {name: table_rows(lake, name) for name in SPECS}
    manifest = lake / Manifest.table
    read = 0
    if manifest.is_dir():
        read = sum(
            int(pq.read_table(p, columns=[Manifest.read]).column(0).to_numpy().sum())
            for p in manifest.rglob("*.parquet")
        )
    return {
        "rows": rows,
        "record_rows": sum(rows[t] for t in RECORD_TABLES),
        "records_read": read,
        "disk": directory_size(lake, exclude=("analysis",)),
        "analysis_disk": directory_size(lake / "analysis") if (lake / "analysis").is_dir() else {},
    }


def fresh_dir(path: Path) -> Path:
    """``path`` emptied and recreated."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path
