"""All or nothing: a reader of the analysis outputs sees the old set or the new one (a publish
killed mid-way changes nothing), and ``Lake.read`` waits for a commit in progress instead of
returning half of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from alertlens.ingest.lake import Lake, LakeBusy
from alertlens.ingest.outputs import AnalysisStore
from alertlens.ingest.records import rows_to_table
from alertlens.ingest.schema import Alerts

TABLES = 20


def _publish(lake: Lake, generation: str) -> None:
    frames = {f"t{i:02d}": pd.DataFrame({"generation": [generation] * 3}) for i in range(TABLES)}
    AnalysisStore(lake).publish(frames, {"generation": generation})


def _generations(lake: Lake) -> set[str]:
    store = AnalysisStore(lake)
    seen = {store.summary()["generation"]}
    for i in range(TABLES):
        seen |= set(store.table(f"t{i:02d}")["generation"])
    return seen


_SLOW_PUBLISH = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    from alertlens.ingest import durable, outputs
    from alertlens.ingest.lake import Lake

    real = durable.atomic_write
    def slow(final, data, *, tmp=None):
        time.sleep(0.02)
        return real(final, data, tmp=tmp)
    outputs.atomic_write = slow
    print("ready", flush=True)
    frames = {f"t{i:02d}": pd.DataFrame({"generation": ["new"] * 3}) for i in range(TABLES)}
    outputs.AnalysisStore(Lake(sys.argv[1])).publish(frames, {"generation": "new"})
    """
).replace("TABLES", str(TABLES))


@pytest.mark.parametrize("kill_after", [0.05, 0.15, 0.3])
def test_a_publish_killed_mid_way_leaves_the_old_set_whole(
    tmp_path: Path, kill_after: float
) -> None:
    lake = Lake(tmp_path / "lake")
    _publish(lake, "old")
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_PUBLISH, str(lake.root)], stdout=subprocess.PIPE
    )
    assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
    time.sleep(kill_after)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    assert _generations(lake) == {"old"}  # never a mix of old and new files
    _publish(lake, "newer")  # the next publish sweeps what the killed one left
    assert _generations(lake) == {"newer"}
    assert len(list((lake.root / ".analysis").iterdir())) == 2  # this one and the previous


def test_a_store_reads_one_generation_even_across_a_publish(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    _publish(lake, "old")
    store = AnalysisStore(lake)
    assert set(store.table("t00")["generation"]) == {"old"}
    _publish(lake, "new")  # published while a report is reading
    assert set(store.table("t19")["generation"]) == {"old"}  # the same set to the end
    assert store.summary()["generation"] == "old"
    assert _generations(lake) == {"new"}  # a new reader sees the new set


def _rows(title: str, n: int = 12) -> list[dict[str, object]]:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {
            Alerts.source: "pagerduty",
            Alerts.alert_id: f"a{i}",
            Alerts.rule_key: "r",
            Alerts.title: title,
            Alerts.severity: "high",
            Alerts.created_at: t0 + timedelta(days=31 * i),  # one month partition each
            Alerts.resolved_by: "unknown",
            Alerts.version_at: t0 + timedelta(days=31 * i, seconds=1 if title == "new" else 0),
        }
        for i in range(n)
    ]


def test_a_read_waits_for_a_commit_and_never_sees_half_of_it(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    with lake.locked():
        lake.upsert({Alerts.table: rows_to_table(Alerts.table, _rows("old"))})
    renaming = threading.Event()
    real_replace = os.replace

    def slow_replace(src: object, dst: object) -> None:
        renaming.set()
        time.sleep(0.03)
        real_replace(src, dst)  # type: ignore[arg-type]

    def writer() -> None:
        with lake.locked():
            lake.upsert({Alerts.table: rows_to_table(Alerts.table, _rows("new"))})

    os.replace = slow_replace  # type: ignore[assignment]
    try:
        thread = threading.Thread(target=writer)
        thread.start()
        assert renaming.wait(10)
        # mid-commit: a reader with no patience is told so
        with pytest.raises(LakeBusy), lake.shared(timeout=0.05):
            pass
        titles = set(lake.read(Alerts.table)[Alerts.title])  # waits for the whole commit
        thread.join()
    finally:
        os.replace = real_replace  # type: ignore[assignment]
    assert titles == {"new"}
