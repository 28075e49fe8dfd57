"""The real datasets as they lie, with no alertlens.toml at all, in one command: every folder of
../shared/realdata ingests with exact counts, and what no reader knows is listed and recorded.
Then the Velocity CSV's column map (with its recovery rule) is given, and only it is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from alertlens.flows.cli import main
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import Alerts, Incidents, Manifest

VELOCITY = "velocity2013-pagerduty-alerts/alerts.csv"


def _row(manifest: pd.DataFrame, name: str) -> pd.Series:
    rows = manifest[manifest[Manifest.file].str.endswith(name)]
    assert len(rows) == 1, name
    return rows.iloc[0]


def _velocity_pairs(path: Path) -> tuple[int, int, int]:
    """(firings, resolved firings, recoveries with no open firing), computed independently:
    a success resolves the latest open firing of the same name and service before it."""
    frame = pd.read_csv(path, skipfooter=1, engine="python")
    frame["recovery"] = frame["typ"] == "success"
    frame = frame.sort_values(["ts", "recovery"], kind="stable")
    open_firings: dict[tuple[str, str], int] = {}
    resolved = orphans = 0
    for name, service, recovery in frame[["name", "service", "recovery"]].itertuples(index=False):
        if not recovery:
            open_firings[(name, service)] = 1
        elif open_firings.pop((name, service), None):
            resolved += 1
        else:
            orphans += 1
    return int((~frame["recovery"]).sum()), resolved, orphans


@pytest.mark.realdata
def test_the_whole_tree_ingests_in_one_command_with_no_configuration(
    realdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fixtures: Path
) -> None:
    lake_dir = tmp_path / "lake"
    empty = tmp_path / "empty.toml"  # no configuration at all (not even ./alertlens.toml)
    empty.write_text("")
    status = main(["--config", str(empty), "ingest", "--lake", str(lake_dir), str(realdata)])
    captured = capsys.readouterr()
    assert status == 3  # some files were skipped (listed), everything else ingested
    assert "Traceback" not in captured.err
    skipped_lines = [ln for ln in captured.err.splitlines() if ln.startswith("skipped ")]
    lake = Lake(lake_dir)
    manifest = lake.read(Manifest.table)
    not_read = manifest[manifest[Manifest.kind].isin([Manifest.UNRECOGNISED])]
    assert len(skipped_lines) == len(not_read) > 0  # one line each, and each recorded
    assert all(not_read[Manifest.reason].str.len() > 0)

    uci = _row(manifest, "uci-incident-event-log/incident_event_log.csv.gz")
    assert (uci[Manifest.read], uci[Manifest.accepted], uci[Manifest.quarantined]) == (
        141_712,
        24_918,
        0,
    )
    bpi = _row(manifest, "bpi2013-volvo-incidents/VINST-new.csv.gz")
    assert (bpi[Manifest.read], bpi[Manifest.accepted], bpi[Manifest.quarantined]) == (
        65_533,
        7_554,
        0,
    )
    github = _row(manifest, "githubstatus_incidents.jsonl.gz")
    assert (github[Manifest.accepted], github[Manifest.quarantined]) == (1_282, 0)
    prom = _row(manifest, "alertmonitor_prometheus_api_v1_alerts.json")
    assert (prom[Manifest.read], prom[Manifest.accepted], prom[Manifest.skipped]) == (146, 137, 9)
    empty_snapshot = _row(manifest, "01_t005s_am_api_v2_alerts.json")
    assert (empty_snapshot[Manifest.kind], empty_snapshot[Manifest.read]) == (Manifest.EMPTY, 0)
    velocity = _row(manifest, VELOCITY)
    assert velocity[Manifest.kind] == Manifest.UNRECOGNISED
    assert "[sources.csv]" in velocity[Manifest.reason]

    incidents = lake.read(Incidents.table)
    assert (incidents[Incidents.source] == "statuspage").sum() == 1_282
    alerts = lake.read(Alerts.table)
    captured_run = alerts[
        (alerts[Alerts.source] == "alertmanager")
        & alerts[Alerts.labels].str.contains('"capture":"amcap"', regex=False)
    ]
    assert len(captured_run) == 25  # firings of the captured run
    assert captured_run[Alerts.resolved_at].notna().sum() == 14

    # The Velocity CSV waits for its column map; given one, only the waiting files are read.
    config = tmp_path / "alertlens.toml"
    shutil.copy(fixtures / "csv" / "velocity2013_mapping.toml", config)
    status = main(["--config", str(config), "ingest", "--lake", str(lake_dir), str(realdata)])
    assert status == 3  # the captured folder's other files are still unknown
    manifest = lake.read(Manifest.table)
    velocity = _row(manifest, VELOCITY)
    firings, resolved, orphans = _velocity_pairs(realdata / VELOCITY)
    assert (
        velocity[Manifest.kind],
        velocity[Manifest.read],
        velocity[Manifest.accepted],
        velocity[Manifest.deduplicated],
        velocity[Manifest.skipped],
    ) == ("csv.mapped", 3_596, firings, resolved, orphans)
    assert (firings, resolved) == (2_072, 563)
    alerts = lake.read(Alerts.table)
    csv_alerts = alerts[alerts[Alerts.source] == "csv"]
    durations = csv_alerts[Alerts.resolved_at] - csv_alerts[Alerts.created_at]
    assert durations.notna().sum() == resolved and (durations.dropna() >= pd.Timedelta(0)).all()
    assert _row(manifest, "uci-incident-event-log/incident_event_log.csv.gz")[
        Manifest.accepted
    ] == 24_918  # not read again: its settings did not change
