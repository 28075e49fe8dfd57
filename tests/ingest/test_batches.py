"""Streaming ingest: files are committed in bounded batches, and how the input is cut into
batches never changes the lake; a run stopped between batches leaves whole batches and a
re-run completes it. Reconciliation reads only the stored rows whose keys it touches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from alertlens.ingest import service
from alertlens.ingest.lake import SPECS, Lake
from alertlens.ingest.readers.pagerduty_lifecycle import (
    incident_log_facts,
    reconciled_alerts,
    reconciled_incidents,
)
from alertlens.ingest.records import rows_to_table
from alertlens.ingest.schema import RECORD_TABLES, Alerts, Common, Incidents, Manifest
from alertlens.ingest.service import PendingFile, file_batches, ingest_paths
from alertlens.synthetic.world import generate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated world (PagerDuty with merged incidents, Alertmanager webhooks that
    reach several receivers) plus Opsgenie alerts and their logs in separate files."""
    out = tmp_path_factory.mktemp("world") / "exports"
    generate("large-org", out, seed=4, weeks=3.0, target_alerts=500)
    shutil.copytree(FIXTURES / "opsgenie", out / "opsgenie", ignore=shutil.ignore_patterns("*.md"))
    return out


def _content(lake: Lake) -> dict[str, pd.DataFrame]:
    """Every table without the columns that record when it was written."""
    out = {}
    for table, spec in SPECS.items():
        frame = lake.read(table).drop(
            columns=[Manifest.ingested_at, "quarantined_at", Manifest.file], errors="ignore"
        )
        out[table] = frame.sort_values(list(spec.key)).reset_index(drop=True)
    return out


def _paths(world: Path) -> list[Path]:
    return [world / "pagerduty", world / "alertmanager", world / "opsgenie"]


def test_one_file_per_batch_gives_the_lake_of_one_commit(world: Path, tmp_path: Path) -> None:
    whole = Lake(tmp_path / "whole")
    reports = ingest_paths(whole, _paths(world), strict=False, batch_bytes=1 << 40)
    assert len(file_batches([PendingFile(Path(r.path), r.sha256) for r in reports])) == 1
    one_by_one = Lake(tmp_path / "one-by-one")
    reports_batched = ingest_paths(one_by_one, _paths(world), strict=False, batch_bytes=1)
    assert [(r.path, r.read, r.accepted) for r in reports_batched] == [
        (r.path, r.read, r.accepted) for r in reports
    ]
    expected, batched = _content(whole), _content(one_by_one)
    assert expected[Incidents.table][Incidents.merged_into].notna().any()  # merges reconciled
    assert (expected[Alerts.table][Common.source] == "opsgenie").any()
    for table in SPECS:
        pd.testing.assert_frame_equal(batched[table], expected[table])


def test_a_run_stopped_between_batches_keeps_whole_batches_and_a_rerun_completes_it(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = Lake(tmp_path / "clean")
    ingest_paths(clean, _paths(world), strict=False)
    commit = service.commit_inputs
    calls = 0

    def commit_then_stop(lake: Lake, inputs: list[service.ParsedInput]) -> object:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise KeyboardInterrupt  # as if killed while the fourth batch was parsed
        return commit(lake, inputs)

    monkeypatch.setattr(service, "commit_inputs", commit_then_stop)
    cut = Lake(tmp_path / "cut")
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(cut, _paths(world), strict=False, batch_bytes=1)
    manifest = set(cut.read(Manifest.table)[Manifest.file_sha256])
    assert len(manifest) == 3  # three whole batches of one file each
    for table in RECORD_TABLES:  # every stored record comes from a file the manifest lists
        assert set(cut.read(table)[Common.ingested_from]) <= manifest
    monkeypatch.setattr(service, "commit_inputs", commit)
    rerun = ingest_paths(cut, _paths(world), strict=False)
    assert sum(r.already_ingested for r in rerun) == 3
    expected, seen = _content(clean), _content(cut)
    for table in SPECS:
        pd.testing.assert_frame_equal(seen[table], expected[table])


def test_file_batches_cut_by_input_bytes_and_keep_a_large_file_alone(tmp_path: Path) -> None:
    files = []
    for name, size in (("a", 40), ("b", 40), ("c", 300), ("d", 10), ("e", 10)):
        path = tmp_path / name
        path.write_bytes(b" " * size)
        files.append(PendingFile(path, name))
    batches = file_batches(files, 100)
    assert [[f.sha256 for f in b] for b in batches] == [["a", "b"], ["c"], ["d", "e"]]


def test_read_where_reads_the_rows_of_matching_keys_only(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    rows = [
        {
            Common.source: source,
            Alerts.alert_id: f"{source}-{i}",
            Alerts.incident_id: f"inc-{i % 3}",
            Alerts.rule_key: "rule",
            Alerts.severity: "critical",
            Alerts.resolved_by: "unknown",
            Alerts.created_at: pd.Timestamp(f"2026-{1 + i % 2:02d}-05", tz="UTC").to_pydatetime(),
            Common.version_at: pd.Timestamp("2026-03-01", tz="UTC").to_pydatetime(),
        }
        for source in ("alertmanager", "pagerduty")
        for i in range(6)
    ]
    with lake.locked():
        lake.upsert({Alerts.table: rows_to_table(Alerts.table, rows)})
    found = lake.read_where(
        Alerts.table,
        "pagerduty",
        {Alerts.incident_id: {"inc-1"}, Alerts.alert_id: {"pagerduty-0", "alertmanager-2"}},
    )
    every = lake.read(Alerts.table)
    expected = every[
        (every[Common.source] == "pagerduty")
        & (every[Alerts.incident_id].eq("inc-1") | every[Alerts.alert_id].eq("pagerduty-0"))
    ]
    assert sorted(found[Alerts.alert_id]) == ["pagerduty-0", "pagerduty-1", "pagerduty-4"]
    pd.testing.assert_frame_equal(
        found.sort_values(Alerts.alert_id).reset_index(drop=True),
        expected.sort_values(Alerts.alert_id).reset_index(drop=True),
    )
    assert lake.read_where(Alerts.table, "opsgenie", {Alerts.alert_id: {"x"}}).empty
    assert lake.read_where(Alerts.table, "pagerduty", {Alerts.alert_id: set()}).empty


def test_incidents_and_alerts_before_any_log_entry_then_the_log(
    world: Path, tmp_path: Path
) -> None:
    """A batch of PagerDuty incidents and alerts whose log entries come in a later batch (no
    log facts at all yet) reconciles, and the log completes it as one commit would."""
    together = Lake(tmp_path / "together")
    ingest_paths(together, [world / "pagerduty"], strict=False)
    apart = Lake(tmp_path / "apart")
    ingest_paths(apart, [world / "pagerduty" / "incidents", world / "pagerduty" / "alerts"])
    assert apart.read(Incidents.table)[Incidents.acknowledged_at].isna().all()
    # what reconciling such a batch computes: no log facts, typed as ones with rows
    incidents, alerts = apart.read(Incidents.table), apart.read(Alerts.table)
    facts = incident_log_facts(pd.DataFrame())
    assert str(facts["first_ack"].dtype) == "datetime64[us, UTC]"
    reconciled = reconciled_incidents(incidents, alerts, facts)
    assert str(reconciled[Incidents.acknowledged_at].dtype) == "datetime64[us, UTC]"
    assert len(reconciled_alerts(alerts, reconciled, facts)) == len(alerts)
    ingest_paths(apart, [world / "pagerduty" / "log_entries"])
    expected, seen = _content(together), _content(apart)
    for table in SPECS:
        pd.testing.assert_frame_equal(seen[table], expected[table])
