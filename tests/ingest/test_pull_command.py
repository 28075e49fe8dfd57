"""``alertlens pull``: window parsing, token handling, and a pull that ends in the lake."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from alertlens.flows.cli import main
from alertlens.flows.commands import pull as pull_command
from alertlens.flows.config import Config
from alertlens.flows.errors import UsageError
from alertlens.ingest.lake import Lake
from alertlens.ingest.pull import pagerduty
from alertlens.ingest.schema import Incidents
from tests.ingest.test_pull_pagerduty import TOKEN, FakePagerDuty

NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)


def test_when_reads_iso_with_offset_and_spans() -> None:
    assert pull_command.when("2026-11-25T00:00:00Z", NOW) == datetime(2026, 11, 25, tzinfo=UTC)
    assert pull_command.when("2026-11-25T02:00:00+02:00", NOW) == datetime(2026, 11, 25, tzinfo=UTC)
    assert pull_command.when("48h", NOW) == NOW - timedelta(hours=48)
    assert pull_command.when("7d", NOW) == NOW - timedelta(days=7)
    with pytest.raises(UsageError, match="no UTC offset"):
        pull_command.when("2026-11-25T00:00:00", NOW)
    with pytest.raises(UsageError, match="not an ISO-8601"):
        pull_command.when("yesterday", NOW)


def _args(tmp_path: Path, **extra: object) -> argparse.Namespace:
    base = dict(
        pull_source="pagerduty",
        since="2026-11-25T00:00:00Z",
        until="2026-11-26T00:00:00Z",
        inbox=tmp_path / "inbox",
        lake=tmp_path / "lake",
        no_ingest=False,
    )
    return argparse.Namespace(**{**base, **extra})


def test_missing_token_is_a_usage_error_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    """The README promises exit 2 for what the user can fix; a missing secret is one."""
    monkeypatch.delenv("PAGERDUTY_API_TOKEN", raising=False)
    argv = ["pull", "pagerduty", "--since", "2026-11-25T00:00:00Z", "--inbox", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "set PAGERDUTY_API_TOKEN" in err and err.count("\n") == 1


def test_pull_then_ingest_lands_incidents_in_the_lake(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAGERDUTY_API_TOKEN", TOKEN)
    fake = FakePagerDuty(12)
    real_client = pagerduty.client

    def client(settings, token, **kw):
        return real_client(
            settings, token, transport=httpx.MockTransport(fake), sleep=lambda s: None
        )

    monkeypatch.setattr(pagerduty, "client", client)
    assert pull_command.run(_args(tmp_path), Config()) == 0
    out = capsys.readouterr()
    assert "12 incidents" in out.out
    assert TOKEN not in out.out + out.err
    incidents = Lake(tmp_path / "lake").read(Incidents.table)
    assert sorted(incidents[Incidents.incident_id]) == sorted(i["id"] for i in fake.incidents)
