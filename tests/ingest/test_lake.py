"""The lake: upsert rules, atomic commits, crash recovery."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alertlens.ingest.lake import JOURNAL_DIR, JOURNAL_FILE, Lake
from alertlens.ingest.records import rows_to_table
from alertlens.ingest.schema import TS, Alerts

T0 = datetime(2026, 1, 31, 23, 0, tzinfo=UTC)


def _alert(
    alert_id: str,
    *,
    minutes: int = 0,
    title: str = "t",
    version: int = 0,
    source: str = "pagerduty",
) -> dict:
    created = T0 + timedelta(minutes=minutes)
    return {
        Alerts.source: source,
        Alerts.alert_id: alert_id,
        Alerts.rule_key: "r",
        Alerts.title: title,
        Alerts.severity: "high",
        Alerts.created_at: created,
        Alerts.resolved_by: "unknown",
        Alerts.version_at: created + timedelta(seconds=version),
    }


def _upsert(lake: Lake, rows: list[dict]) -> None:
    with lake.locked():
        lake.upsert({Alerts.table: rows_to_table(Alerts.table, rows)})


def test_partitions_by_table_source_and_month(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    _upsert(lake, [_alert("a"), _alert("b", minutes=120), _alert("c", source="alertmanager")])
    parts = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.parquet"))
    assert parts == [
        "alerts/source=alertmanager/month=2026-01/part-0.parquet",
        "alerts/source=pagerduty/month=2026-01/part-0.parquet",
        "alerts/source=pagerduty/month=2026-02/part-0.parquet",
    ]
    frame = lake.read(Alerts.table)
    assert str(frame[Alerts.created_at].dtype) == "datetime64[us, UTC]"



def test_a_read_of_some_columns_equals_those_columns_of_the_whole_read(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    _upsert(lake, [_alert("a"), _alert("b", minutes=120), _alert("c", source="alertmanager")])
    whole = lake.read_arrow(Alerts.table)
    wanted = [Alerts.created_at, Alerts.source, Alerts.title]  # any order; the schema's comes back
    some = lake.read_arrow(Alerts.table, columns=wanted)
    assert some.column_names == [Alerts.source, Alerts.title, Alerts.created_at]
    assert some.equals(whole.select(some.column_names))
    no_source = lake.read(Alerts.table, columns=[Alerts.alert_id], sources=["pagerduty"])
    assert sorted(no_source[Alerts.alert_id]) == ["a", "b"]
    assert list(no_source.columns) == [Alerts.alert_id]
    with pytest.raises(KeyError, match="titel"):
        lake.read(Alerts.table, columns=["titel"])
    empty = Lake(tmp_path / "other")
    empty.root.mkdir()
    assert empty.read_arrow(Alerts.table, columns=[Alerts.title]).column_names == [Alerts.title]

def test_newest_version_wins_and_ties_go_to_the_incoming_row(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    _upsert(lake, [_alert("a", title="old", version=5), _alert("b", title="first")])
    _upsert(lake, [_alert("a", title="stale", version=1), _alert("b", title="second")])
    titles: dict[str, str] = dict(
        lake.read(Alerts.table)[[Alerts.alert_id, Alerts.title]].itertuples(index=False)
    )
    assert titles == {"a": "old", "b": "second"}


def test_reupsert_changes_nothing(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    rows = [_alert(str(i), minutes=i * 37) for i in range(50)]
    _upsert(lake, rows)
    before = lake.read_arrow(Alerts.table)
    _upsert(lake, rows)
    assert lake.read_arrow(Alerts.table).equals(before)


@settings(max_examples=15)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcdef"), st.integers(0, 3000), st.integers(0, 3)), max_size=30
    )
)
def test_lake_equals_newest_row_per_key(
    tmp_path_factory: pytest.TempPathFactory, ops: list
) -> None:
    lake = Lake(tmp_path_factory.mktemp("lake"))
    expected: dict[str, tuple[int, str]] = {}
    for n, (key, minutes, version) in enumerate(ops):
        title = f"v{n}"
        _upsert(lake, [_alert(key, minutes=0, title=title, version=version + minutes)])
        if key not in expected or version + minutes >= expected[key][0]:
            expected[key] = (version + minutes, title)
    got: dict[str, str] = dict(
        lake.read(Alerts.table)[[Alerts.alert_id, Alerts.title]].itertuples(index=False)
    )
    assert got == {k: v[1] for k, v in expected.items()}


def test_a_commit_cut_after_its_journal_is_rolled_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = Lake(tmp_path)
    _upsert(lake, [_alert("a", title="one")])

    def killed(self: Lake) -> None:
        raise KeyboardInterrupt("killed between the journal and the renames")

    batch = {
        Alerts.table: rows_to_table(
            Alerts.table, [_alert("a", title="two", version=1), _alert("z", minutes=90)]
        )
    }
    with monkeypatch.context() as m:
        m.setattr(Lake, "_roll_forward", killed)
        m.setattr(Lake, "_recover", lambda self: None)
        with pytest.raises(KeyboardInterrupt), lake.locked():
            lake.upsert(batch)
    assert (tmp_path / JOURNAL_DIR / JOURNAL_FILE).exists()
    # A reader finishes the commit: all of it is visible, never half.
    titles: dict[str, str] = dict(
        Lake(tmp_path).read(Alerts.table)[[Alerts.alert_id, Alerts.title]].itertuples(index=False)
    )
    assert titles == {"a": "two", "z": "t"}
    assert not (tmp_path / JOURNAL_DIR / JOURNAL_FILE).exists()


def test_a_commit_cut_before_its_journal_leaves_the_lake_as_it_was(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    _upsert(lake, [_alert("a", title="one")])
    stale = next(tmp_path.rglob("part-0.parquet")).parent / ".part-0.parquet.tmp-dead"
    stale.write_bytes(b"half a parquet file")
    assert dict(
        lake.read(Alerts.table)[[Alerts.alert_id, Alerts.title]].itertuples(index=False)
    ) == {"a": "one"}
    with lake.locked():
        pass
    assert not stale.exists()  # swept by the next writer


WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from alertlens.ingest.lake import Lake
from alertlens.ingest.records import rows_to_table
from alertlens.ingest.schema import Alerts
lake = Lake(sys.argv[1])
t0 = datetime(2025, 1, 1, tzinfo=UTC)
for batch in range(4):
    rows = [{Alerts.source: "pagerduty", Alerts.alert_id: f"a{i}", Alerts.rule_key: "r",
             Alerts.title: f"batch{batch}", Alerts.severity: "high", Alerts.resolved_by: "unknown",
             Alerts.created_at: t0 + timedelta(hours=7 * i),
             Alerts.version_at: t0 + timedelta(days=batch)}
            for i in range(batch * 2000, batch * 2000 + 6000)]
    with lake.locked():
        lake.upsert({Alerts.table: rows_to_table(Alerts.table, rows)})
print("done")
"""


def _run_writer(lake_dir: Path, kill_after: float | None) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(lake_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if kill_after is None:
        assert proc.wait(timeout=120) == 0
        return
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _after_batches(k: int) -> set[tuple[str, str]]:
    """(id, title) rows after the WRITER's first ``k`` commits, computed independently."""
    rows: dict[str, str] = {}
    for batch in range(k):
        rows.update({f"a{i}": f"batch{batch}" for i in range(batch * 2000, batch * 2000 + 6000)})
    return set(rows.items())


def _snapshot(lake_dir: Path) -> list[tuple]:
    if not Lake(lake_dir).exists:  # killed before its first write: no lake (reading is an error)
        return []
    frame = Lake(lake_dir).read(Alerts.table).sort_values(Alerts.alert_id)
    assert not frame[Alerts.alert_id].duplicated().any()
    return [
        tuple(map(str, r))
        for r in frame[[Alerts.alert_id, Alerts.title, Alerts.created_at]].itertuples(index=False)
    ]


def test_sigkill_never_leaves_a_broken_lake_and_a_rerun_converges(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    _run_writer(reference, None)
    expected = _snapshot(reference)
    assert len(expected) == 12000
    rng = random.Random(7)
    for trial in range(2):
        lake_dir = tmp_path / f"killed{trial}"
        _run_writer(lake_dir, rng.uniform(0.8, 2.5))
        seen = {(i, t) for i, t, _ in _snapshot(lake_dir)}  # readable, no duplicate keys
        assert seen in [_after_batches(k) for k in range(5)], "a reader saw a half-applied commit"
        _run_writer(lake_dir, None)
        assert _snapshot(lake_dir) == expected
        assert not list(lake_dir.rglob(".*.tmp-*"))


def _alert_rows(ids: list[str], month: int, source: str = "pagerduty") -> pa.Table:
    created = [datetime(2026, month, 2, 12 - i, tzinfo=UTC) for i in range(len(ids))]
    return pa.table(
        {
            Alerts.source: [source] * len(ids),
            Alerts.alert_id: ids,
            Alerts.rule_key: ["r"] * len(ids),
            Alerts.severity: ["info"] * len(ids),
            Alerts.created_at: pa.array(created, TS),
            Alerts.resolved_by: ["unknown"] * len(ids),
        }
    )


def test_bulk_load_writes_new_partitions_as_upsert_would(tmp_path: Path) -> None:
    parts = [_alert_rows(["b", "a", "c"], 10), _alert_rows(["x"], 11)]
    loaded, upserted = Lake(tmp_path / "bulk"), Lake(tmp_path / "upsert")
    with loaded.locked():
        assert loaded.bulk_load((Alerts.table, p) for p in parts) == {Alerts.table: 4}
    with upserted.locked():
        upserted.upsert({Alerts.table: pa.concat_tables(parts)})
    assert loaded.read_arrow(Alerts.table).equals(upserted.read_arrow(Alerts.table))
    assert loaded.read(Alerts.table)[Alerts.alert_id].tolist() == ["c", "a", "b", "x"]


@pytest.mark.parametrize(
    "parts, error",
    [
        ([_alert_rows(["a", "a"], 10)], "a key repeats"),
        ([_alert_rows(["a"], 10), _alert_rows(["b"], 10)], "two batches of one partition"),
        ([pa.concat_tables([_alert_rows(["a"], 10), _alert_rows(["b"], 11)])], "2 values"),
    ],
)
def test_bulk_load_refuses_and_writes_nothing(
    tmp_path: Path, parts: list[pa.Table], error: str
) -> None:
    lake = Lake(tmp_path)
    with lake.locked(), pytest.raises(ValueError, match=error):
        lake.bulk_load((Alerts.table, p) for p in parts)
    assert not list(tmp_path.rglob("*.parquet*"))
