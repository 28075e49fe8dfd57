"""Fast checks of the serve machinery (no Prefect server started)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from alertlens.flows.config import ScheduleSettings
from alertlens.flows.serve import (
    LocalPrefectServer,
    ServeError,
    free_port,
    load_flow,
    prefect_env,
)
from alertlens.ingest.settings_table import settings_from_table


def test_schedule_settings_defaults_and_overrides() -> None:
    assert ScheduleSettings() == settings_from_table(ScheduleSettings, {}, "schedule")
    assert ScheduleSettings().cron == "0 2 * * *" and ScheduleSettings().timezone == "UTC"
    table = {"cron": "30 3 * * 1-5", "timezone": "Europe/Berlin"}
    s = settings_from_table(ScheduleSettings, table, "schedule")
    assert (s.cron, s.timezone) == ("30 3 * * 1-5", "Europe/Berlin")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"crn": "* * * * *"}, "unknown key"),
        ({"cron": "every night"}, "5-field"),
        ({"server_port": "4200"}, "server_port"),
    ],
)
def test_schedule_settings_reject_bad_tables(table: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        settings_from_table(ScheduleSettings, table, "schedule")


def test_prefect_env_is_offline_and_homed(tmp_path: Path) -> None:
    env = prefect_env(tmp_path, "http://127.0.0.1:4299/api")
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false" and env["DO_NOT_TRACK"] == "1"
    assert env["PREFECT_HOME"] == str(tmp_path.resolve())
    assert env["PREFECT_API_URL"] == "http://127.0.0.1:4299/api"
    assert "PREFECT_API_URL" not in prefect_env(tmp_path)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("no_colon", "must look like"),
        ("alertlens.flows.no_such_module:x", "cannot import"),
        ("alertlens.flows.serve:no_such_flow", "has no no_such_flow"),
    ],
)
def test_load_flow_errors_are_one_line(entry: str, message: str) -> None:
    with pytest.raises(ServeError, match=message):
        load_flow(entry)


def test_local_server_refuses_a_port_someone_else_serves(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("alertlens.flows.serve.server_healthy", lambda url, timeout=2.0: True)
    with pytest.raises(ServeError, match="already serves"):
        LocalPrefectServer(tmp_path, free_port()).start()


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
