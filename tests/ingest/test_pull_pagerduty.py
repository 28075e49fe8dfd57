"""PagerDuty pulls against a fake REST v2 API (httpx.MockTransport) shaped like the real one."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from alertlens.ingest.pull import pagerduty
from alertlens.ingest.pull.http import PullError, PullSettings

TOKEN = "u+SECRET-pd-token-123"
T0 = datetime(2026, 11, 25, tzinfo=UTC)


def _incident(i: int) -> dict:
    created = T0 + timedelta(minutes=i)
    ident = f"PINC{i:04d}"
    return {
        "id": ident,
        "type": "incident",
        "summary": f"[#{i}] Disk full on db-{i % 7}",
        "incident_number": i,
        "title": f"Disk full on db-{i % 7}",
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": (created + timedelta(minutes=9)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "resolved",
        "incident_key": f"key-{i}",
        "service": {"id": "PSVC1", "type": "service_reference", "summary": "Database"},
        "assignments": [],
        "resolved_at": (created + timedelta(minutes=9)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "urgency": "high",
        "teams": [{"id": "PTEAM1", "type": "team_reference", "summary": "Storage"}],
    }


class FakePagerDuty:
    """Serves /incidents, /incidents/{id}/alerts and /log_entries with classic paging."""

    def __init__(self, n: int, cap: int = 10_000, fail_first: tuple[int, ...] = ()) -> None:
        self.incidents = [_incident(i) for i in range(n)]
        self.cap = cap
        self.fail_first = list(fail_first)  # statuses answered to the first requests
        self.requests: list[httpx.Request] = []
        self.sent: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("Authorization") != f"Token token={TOKEN}":
            return httpx.Response(401, json={"error": {"message": "Unauthorized"}})
        if self.fail_first:
            status = self.fail_first.pop(0)
            headers = {"Retry-After": "2"} if status == 429 else {}
            return httpx.Response(status, headers=headers, json={"error": {"code": 2020}})
        q = request.url.params
        limit, offset = int(q.get("limit", 25)), int(q.get("offset", 0))
        if offset + limit > self.cap:
            return httpx.Response(400, json={"error": {"message": "Offset must be < 10000"}})
        path = request.url.path
        if path == "/incidents":
            rows = self._window(q)
            key = "incidents"
        elif path == "/log_entries":
            assert q.get("is_overview") == "false"
            rows = [
                {
                    "id": f"QLOG{inc['id']}",
                    "type": "trigger_log_entry",
                    "created_at": inc["created_at"],
                    "incident": {"id": inc["id"], "type": "incident_reference"},
                }
                for inc in self._window(q)
            ]
            key = "log_entries"
        elif path.startswith("/incidents/") and path.endswith("/alerts"):
            ident = path.split("/")[2]
            rows = [
                {"id": f"PALR{ident}-{k}", "type": "alert", "incident": {"id": ident}}
                for k in range(3)
            ]
            key = "alerts"
        else:
            return httpx.Response(404, json={"error": {"message": "Not Found"}})
        page = rows[offset : offset + limit]
        body = {key: page, "limit": limit, "offset": offset, "more": offset + limit < len(rows)}
        body["total"] = len(rows) if q.get("total") == "true" else None
        self.sent.append(json.dumps(body).encode())
        return httpx.Response(200, content=self.sent[-1])

    def _window(self, q: httpx.QueryParams) -> list[dict]:
        assert q.get("time_zone") == "UTC"
        lo, hi = q["since"], q["until"]
        return [i for i in self.incidents if lo <= i["created_at"] < hi]


def _pull(fake: FakePagerDuty, inbox: Path, hours: int = 24, **settings: Any):
    slept: list[float] = []
    cfg = PullSettings(**{"page_limit": 25, "backoff_seconds": 0.01, **settings})
    api = pagerduty.client(cfg, TOKEN, transport=httpx.MockTransport(fake), sleep=slept.append)
    with api:
        result = pagerduty.pull(api, inbox, T0, T0 + timedelta(hours=hours))
    return result, slept


def test_pull_writes_every_page_unchanged_and_follows_alerts(tmp_path: Path) -> None:
    fake = FakePagerDuty(60)
    result, _ = _pull(fake, tmp_path)
    assert result.records == {"incidents": 60, "alerts": 180, "log_entries": 60}
    pages = [json.loads(p.read_bytes()) for p in result.files]
    incidents = [i["id"] for p in pages if "incidents" in p for i in p["incidents"]]
    assert sorted(incidents) == sorted(i["id"] for i in fake.incidents)
    assert {k for p in pages for k in p} >= {"incidents", "alerts", "log_entries", "more", "offset"}
    assert not list(tmp_path.glob(".*")), "temp files left behind"
    # the files hold the bytes the API sent, not a re-serialisation
    assert [p.read_bytes() for p in result.files] == fake.sent
    first = next(r for r in fake.requests if r.url.path == "/incidents")
    assert first.url.params["since"] == "2026-11-25T00:00:00Z"


def test_window_deeper_than_the_offset_cap_is_bisected(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pagerduty, "OFFSET_CAP", 50)
    fake = FakePagerDuty(300, cap=50)
    result, _ = _pull(fake, tmp_path)
    ids = [i["id"] for p in result.files for i in json.loads(p.read_bytes()).get("incidents", [])]
    assert len(ids) == len(set(ids)) == 300
    windows = {
        (r.url.params["since"], r.url.params["until"])
        for r in fake.requests
        if r.url.path == "/incidents"
    }
    assert len(windows) > 4
    assert result.records["log_entries"] == 300


def test_429_and_5xx_are_retried_honouring_retry_after(tmp_path: Path) -> None:
    fake = FakePagerDuty(5, fail_first=(429, 503, 502))
    result, slept = _pull(fake, tmp_path)
    assert result.records["incidents"] == 5
    assert slept[0] == 2.0  # Retry-After
    assert len(slept) == 3 and result.retries == 3


def test_retries_run_out_with_a_clear_error(tmp_path: Path) -> None:
    fake = FakePagerDuty(5, fail_first=(500,) * 10)
    with pytest.raises(PullError, match="giving up after 3 attempts"):
        _pull(fake, tmp_path, max_retries=2)


def test_client_errors_are_not_retried(tmp_path: Path) -> None:
    slept: list[float] = []
    api = pagerduty.client(
        PullSettings(), "wrong", transport=httpx.MockTransport(FakePagerDuty(1)), sleep=slept.append
    )
    with pytest.raises(PullError, match="HTTP 401") as err:
        pagerduty.pull(api, tmp_path, T0, T0 + timedelta(hours=1))
    assert slept == [] and "wrong" not in str(err.value)


def test_token_never_reaches_files_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakePagerDuty(30, fail_first=(429,))
    result, _ = _pull(fake, tmp_path)
    assert result.files
    assert all(r.headers["Authorization"] == f"Token token={TOKEN}" for r in fake.requests)
    for path in tmp_path.rglob("*"):
        assert TOKEN.encode() not in path.read_bytes()
    assert TOKEN not in caplog.text
    assert caplog.records, "expected the retry to be logged"
