"""Measuring helpers for benchmarks/run.py: a whole process timed by GNU time, the machine it ran
on, and what a lake or an export directory holds on disk."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
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
    """A timed command exited non-zero."""


@dataclass(frozen=True)
class Timing:
    """One timed whole-process run."""

    step: str
    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_mb: float
    load_1min: float  # the machine's 1-minute load average just before the run

    @property
    def cpu_percent(self) -> float:
        """(user + system) / wall, as GNU time's 'Percent of CPU'."""
        return 100.0 * (self.user_s + self.sys_s) / self.wall_s if self.wall_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The fields plus cpu_percent, for the JSON results."""
        return {**asdict(self), "cpu_percent": round(self.cpu_percent, 1)}


def gnu_time_available() -> bool:
    """True when GNU time is installed (Debian package ``time``)."""
    return Path(GNU_TIME).is_file() and os.access(GNU_TIME, os.X_OK)


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


def timed_run(
    step: str, argv: list[str], *, cwd: Path, env: dict[str, str], log_dir: Path
) -> Timing:
    """Run ``argv`` under GNU time; stdout/stderr go to ``log_dir/<step>.out|.err``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("r", suffix=".time", dir=log_dir) as out:
        cmd = [GNU_TIME, "-f", _TIME_FORMAT, "-o", out.name, *argv]
        with (log_dir / f"{step}.out").open("w") as so, (log_dir / f"{step}.err").open("w") as se:
            code = subprocess.run(cmd, cwd=cwd, env=env, stdout=so, stderr=se).returncode
        if code != 0:
            raise StepFailed(f"{step}: exit {code}, see {log_dir / (step + '.err')}")
        return timing_from_gnu_time(step, Path(out.name).read_text(), load)


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
