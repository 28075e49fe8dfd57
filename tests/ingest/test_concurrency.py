"""Two runs at once leave the lake as one run does; ambiguous files are refused clearly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alertlens.ingest.lake import Lake
from alertlens.ingest.records import InputError
from alertlens.ingest.schema import RECORD_TABLES, Manifest
from alertlens.ingest.service import detected_source

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "unlucky-team"


def _ingest(lake: Path, sample: Path = SAMPLE) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "alertlens.flows.cli", "ingest", "--lake", str(lake), str(sample)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _content(lake: Path) -> dict[str, list[tuple]]:
    store = Lake(lake)
    out: dict[str, list[tuple]] = {}
    if not store.exists:  # killed before its first write: no lake yet, reading it is an error
        return {table: [] for table in (*RECORD_TABLES, Manifest.table)}
    for table in RECORD_TABLES:
        frame = store.read(table).drop(columns=["version_at"]).astype(str)
        out[table] = sorted(map(tuple, frame.itertuples(index=False)))
    manifest = (
        store.read(Manifest.table).drop(columns=[Manifest.ingested_at, Manifest.file]).astype(str)
    )
    out[Manifest.table] = sorted(map(tuple, manifest.itertuples(index=False)))
    return out


def test_two_ingests_started_together_equal_one(tmp_path: Path) -> None:
    single = tmp_path / "single"
    assert _ingest(single).wait(timeout=120) == 0
    both = tmp_path / "both"
    runs = [_ingest(both), _ingest(both)]
    assert [r.wait(timeout=120) for r in runs] == [0, 0]
    assert _content(both) == _content(single)
    assert len(Lake(both).read(Manifest.table)) == len(Lake(single).read(Manifest.table))


def test_ambiguous_file_is_refused_with_both_names(tmp_path: Path) -> None:
    both = {
        "incidents": [{"id": "P1", "type": "incident", "incident_number": 1}],
        "groupKey": "{}:{}",
        "alerts": [{"labels": {"alertname": "A"}}],
    }
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(both))
    with pytest.raises(
        InputError, match=r"ambiguous: looks like pagerduty .* and alertmanager .*; pass --source"
    ):
        detected_source(path)
    assert detected_source(path, "alertmanager")[0] == "alertmanager"


def test_killed_ingest_leaves_a_readable_lake_and_a_rerun_converges(tmp_path: Path) -> None:
    sample = SAMPLE.parent / "multi-team"
    clean = tmp_path / "clean"
    assert _ingest(clean, sample).wait(timeout=120) == 0
    expected = _content(clean)
    killed = 0
    for trial, delay in enumerate((1.0, 1.4, 1.8)):
        lake = tmp_path / f"killed{trial}"
        run = _ingest(lake, sample)
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        killed += run.wait(timeout=30) == -signal.SIGKILL
        seen = _content(lake)  # readable whatever the moment; all of the commit or none of it
        assert seen in ({t: [] for t in expected}, expected)
        assert _ingest(lake, sample).wait(timeout=120) == 0
        assert _content(lake) == expected
    assert killed >= 2, "the kills should land while ingest runs"
