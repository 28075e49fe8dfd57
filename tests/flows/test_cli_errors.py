"""A user's mistake is one line on stderr, never a traceback, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from alertlens.flows.cli import main


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


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON (Expecting property name enclosed in double quotes"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        (b'{"hello": "world"}', "no source recognises this file (known: pagerduty"),
        (b"", "file is empty"),
    ],
    ids=["broken-json", "binary", "unknown-shape", "empty"],
)
def test_unreadable_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixtures: Path, content: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    good = fixtures / "alertmanager" / "captured_webhooks.jsonl"
    err = _error(capsys, ["ingest", "--lake", str(tmp_path / "lake"), str(good), str(bad)])
    assert f"{bad}: {reason}" in err
    assert not list((tmp_path / "lake").rglob("*.parquet"))


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
