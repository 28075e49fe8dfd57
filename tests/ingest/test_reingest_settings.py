"""Re-ingest follows the configuration: the manifest records the settings each file was read
with; when they change the file is read again without --force and replaces everything it gave
before (records and quarantine rows). A configuration error is exit 2, never a quarantine."""

from __future__ import annotations

from pathlib import Path

import pytest

from alertlens.flows.cli import main
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import Alerts, Manifest, Quarantine
from alertlens.ingest.service import ingest_paths

CSV = (
    "id,fired,fired_text,title\n"
    "a1,2024-03-04T10:00:00Z,soon,CPU high\n"
    "a2,2024-03-04T11:00:00Z,2024-03-04T11:30:00Z,Disk full\n"
)


def _mapping(created: str) -> dict[str, dict[str, object]]:
    return {"csv": {"columns": {"alert_id": "id", "created_at": created, "title": "title"}}}


def test_changed_settings_reread_the_file_and_replace_its_old_story(tmp_path: Path) -> None:
    path = tmp_path / "tool.csv"
    path.write_text(CSV)
    lake = Lake(tmp_path / "lake")
    (first,) = ingest_paths(lake, [path], config_sources=_mapping("fired_text"))
    assert (first.read, first.accepted, first.quarantined) == (2, 1, 1)
    assert len(lake.read(Quarantine.table)) == 1

    (same,) = ingest_paths(lake, [path], config_sources=_mapping("fired_text"))
    assert same.already_ingested  # same settings: not read again

    (second,) = ingest_paths(lake, [path], config_sources=_mapping("fired"))  # no --force
    assert (second.status, second.read, second.accepted, second.quarantined) == (
        "ingested",
        2,
        2,
        0,
    )
    assert lake.read(Quarantine.table).empty  # the old quarantine row is gone, not kept beside
    alerts = lake.read(Alerts.table).set_index(Alerts.alert_id)
    assert sorted(alerts.index) == ["a1", "a2"]
    assert str(alerts.loc["a2", Alerts.created_at]) == "2024-03-04 11:00:00+00:00"
    manifest = lake.read(Manifest.table)
    assert len(manifest) == 1 and manifest[Manifest.quarantined].tolist() == [0]


def test_a_file_waiting_for_settings_is_read_once_they_exist(tmp_path: Path) -> None:
    path = tmp_path / "tool.csv"
    path.write_text(CSV)
    lake = Lake(tmp_path / "lake")
    (waiting,) = ingest_paths(lake, [path], strict=False)
    assert (waiting.status, waiting.accepted) == (Manifest.UNRECOGNISED, 0)
    assert "[sources.csv]" in (waiting.reason or "")
    (again,) = ingest_paths(lake, [path], strict=False)
    assert again.already_ingested
    (read,) = ingest_paths(lake, [path], config_sources=_mapping("fired"), strict=False)
    assert (read.status, read.accepted) == ("ingested", 2)
    assert lake.read(Manifest.table)[Manifest.kind].tolist() == ["csv.mapped"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[sources.servicenow]\ntimezone = "Mars/Olympus"\n', "Mars/Olympus"),
        ("[sources.servicenow]\ndate_format = 5\n", "date_format"),
        ("[sources.prometheus]\nstep = -1\n", "step"),
        ('[sources.nagios]\nx = 1\n', "nagios"),
        ('[sources.servicenow]\ndelimiter = ""\n', "delimiter"),
    ],
    ids=["bad-zone", "date-format-5", "negative-step", "unknown-source", "empty-delimiter"],
)
def test_a_configuration_error_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fixtures: Path,
    toml: str,
    message: str,
) -> None:
    config = tmp_path / "alertlens.toml"
    config.write_text(toml)
    lake = tmp_path / "lake"
    path = fixtures / "servicenow" / "uci_incident_event_log_excerpt.csv"
    assert main(["--config", str(config), "ingest", "--lake", str(lake), str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("alertlens: error:") and message in err and "\n" not in err
    assert "Traceback" not in err
    assert not lake.exists() or not list(lake.rglob("*.parquet"))


def test_a_lake_that_is_a_file_and_a_config_that_is_a_folder_are_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixtures: Path
) -> None:
    path = fixtures / "servicenow" / "uci_incident_event_log_excerpt.csv"
    not_a_lake = tmp_path / "lake.txt"
    not_a_lake.write_text("x")
    assert main(["ingest", "--lake", str(not_a_lake), str(path)]) == 2
    assert "must be a directory" in capsys.readouterr().err
    folder_config = ["--config", str(tmp_path), "ingest", "--lake", str(tmp_path / "l")]
    assert main([*folder_config, str(path)]) == 2
    err = capsys.readouterr().err
    assert "directory" in err and "Traceback" not in err


def test_force_rereads_and_replaces_too(tmp_path: Path) -> None:
    path = tmp_path / "tool.csv"
    path.write_text(CSV)
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [path], config_sources=_mapping("fired_text"))
    (forced,) = ingest_paths(lake, [path], config_sources=_mapping("fired_text"), force=True)
    assert (forced.status, forced.quarantined) == ("ingested", 1)
    assert len(lake.read(Quarantine.table)) == 1 and len(lake.read(Manifest.table)) == 1
