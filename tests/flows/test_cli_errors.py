"""A user's mistake is one line on stderr, never a traceback, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from alertlens.flows.cli import main
from alertlens.flows.commands.nightly import nothing_to_run_on
from alertlens.flows.config import load_config
from alertlens.ingest.lake import Lake
from alertlens.ingest.service import ingest_paths


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1
    return err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(capsys, ["ingest", "--lake", str(tmp_path / "lake"), str(tmp_path / "nope.json")])
    assert "nope.json: no such file or directory" in err
    assert not (tmp_path / "lake" / "alerts").exists()


def test_unknown_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", "--source", "nagios", str(tmp_path)])
    assert "invalid choice: 'nagios'" in capsys.readouterr().err


BAD_FILES = [
    (b"{not json", "not valid JSON (Expecting property name enclosed in double quotes"),
    (b"\xff\xfe\x00garbage", "UTF-16 text: alertlens reads UTF-8"),
    (b"\x00\x01\x02\x03 binary", "binary data, not text"),
    (b'{"hello": "world"}', "no reader recognises JSON: an object with keys hello"),
    (b"", "file is empty"),
]
BAD_IDS = ["broken-json", "utf-16", "binary", "unknown-shape", "empty"]


@pytest.mark.parametrize(("content", "reason"), BAD_FILES, ids=BAD_IDS)
def test_one_unreadable_file_is_an_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    err = _error(capsys, ["ingest", "--lake", str(tmp_path / "lake"), str(bad)])
    assert f"{bad}: {reason}" in err
    assert not list((tmp_path / "lake").rglob("*.parquet"))


@pytest.mark.parametrize(("content", "reason"), BAD_FILES, ids=BAD_IDS)
def test_with_other_files_an_unreadable_one_is_listed_recorded_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixtures: Path, content: bytes, reason: str
) -> None:
    from alertlens.ingest.lake import Lake
    from alertlens.ingest.schema import Manifest

    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    good = fixtures / "alertmanager" / "captured_webhooks.jsonl"
    lake = tmp_path / "lake"
    assert main(["ingest", "--lake", str(lake), str(good), str(bad)]) == 3
    err = capsys.readouterr().err
    assert err.count("skipped ") == 1 and f"skipped {bad}: " in err and reason in err
    rows = {
        r[Manifest.file]: r for r in Lake(lake).read(Manifest.table).to_dict(orient="records")
    }
    assert rows[str(good)][Manifest.accepted] > 0
    assert rows[str(bad)][Manifest.kind] in (Manifest.UNRECOGNISED, Manifest.UNREADABLE)
    assert reason in rows[str(bad)][Manifest.reason]
    # a second run reads neither again: the skipped file is recorded, and nothing changed
    assert main(["ingest", "--lake", str(lake), str(good), str(bad)]) == 0


def test_wrong_forced_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixtures: Path
) -> None:
    good = fixtures / "alertmanager" / "captured_webhooks.jsonl"
    err = _error(
        capsys, ["ingest", "--source", "pagerduty", "--lake", str(tmp_path / "lake"), str(good)]
    )
    assert "does not look like a pagerduty export" in err


def test_bad_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "alertlens.toml"
    config.write_text("[noise]\nno_such_threshold = 3\n")
    err = _error(capsys, ["--config", str(config), "analyze", "--lake", str(tmp_path / "lake")])
    assert "no_such_threshold" in err


def test_a_missing_lake_is_an_error_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = tmp_path / "nowhere"
    for command in (["analyze"], ["report", "--no-pdf", "--out", str(tmp_path / "out")]):
        err = _error(capsys, [*command, "--lake", str(lake)])
        assert "no such lake" in err
    assert not lake.exists()


def test_an_empty_lake_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "lake").mkdir()
    err = _error(capsys, ["analyze", "--lake", str(tmp_path / "lake")])
    assert "no alerts or incidents" in err
    assert not (tmp_path / "lake" / "analysis").exists()


def test_a_nightly_with_nothing_to_run_on_says_why_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "inbox").mkdir()
    argv = ["nightly", "--inbox", str(tmp_path / "inbox"), "--lake", str(tmp_path / "lake")]
    assert main([*argv, "--out", str(tmp_path / "reports")]) == 1
    err = capsys.readouterr().err
    assert "no report written" in err and "no alerts or incidents" in err
    assert "Traceback" not in err
    assert not (tmp_path / "reports").exists()


def test_a_nightly_runs_when_anything_may_give_a_report(tmp_path: Path, fixtures: Path) -> None:
    inbox, lake = tmp_path / "inbox", tmp_path / "lake"
    inbox.mkdir()
    assert nothing_to_run_on(inbox, lake, load_config(None, env={})) is not None
    pulling = tmp_path / "alertlens.toml"
    pulling.write_text('[nightly]\npull = ["prometheus"]\nprometheus_url = "http://127.0.0.1:9"\n')
    assert nothing_to_run_on(inbox, lake, load_config(pulling, env={})) is None
    export = fixtures / "alertmanager" / "captured_webhooks.jsonl"
    (inbox / export.name).write_bytes(export.read_bytes())
    assert nothing_to_run_on(inbox, lake, load_config(None, env={})) is None
    ingest_paths(Lake(lake), [inbox])
    (inbox / export.name).unlink()  # an empty inbox, a lake with alerts: a day without news
    assert nothing_to_run_on(inbox, lake, load_config(None, env={})) is None
