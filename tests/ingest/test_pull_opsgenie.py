"""Opsgenie pulls against a fake Alert API v2 (httpx.MockTransport)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from alertlens.ingest.pull import opsgenie
from alertlens.ingest.pull.http import PullError, PullSettings

KEY = "og-SECRET-key-42"
T0 = datetime(2026, 11, 25, tzinfo=UTC)


class FakeOpsgenie:
    """Serves /v2/alerts (offset paging, createdAt query) and /v2/alerts/{id}/logs (next links)."""

    def __init__(self, n: int, host: str = "api.opsgenie.com", logs_next_host: str | None = None):
        self.alerts = [
            {
                "id": f"a{i:04d}-uuid",
                "tinyId": str(i),
                "message": f"CPU high on web-{i % 3}",
                "status": "closed",
                "createdAt": (T0 + timedelta(minutes=i)).isoformat().replace("+00:00", ".000Z"),
                "_ms": int((T0 + timedelta(minutes=i)).timestamp() * 1000),
            }
            for i in range(n)
        ]
        self.host = host
        self.logs_next_host = logs_next_host or host
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == self.host
        if request.headers.get("Authorization") != f"GenieKey {KEY}":
            return httpx.Response(401, json={"message": "Could not authenticate"})
        q = request.url.params
        if request.url.path == "/v2/alerts":
            lo, hi = map(
                int, re.fullmatch(r"createdAt>=(\d+) AND createdAt<(\d+)", q["query"]).groups()
            )
            offset, limit = int(q["offset"]), int(q["limit"])
            if offset + limit > opsgenie.OFFSET_CAP:
                return httpx.Response(422, json={"message": "offset+limit must be <= 20000"})
            rows = [
                {k: v for k, v in a.items() if k != "_ms"}
                for a in self.alerts
                if lo <= a["_ms"] < hi
            ]
            page = rows[offset : offset + limit]
            nxt = (
                f"https://{self.host}/v2/alerts?offset={offset + limit}"
                if len(page) == limit
                else None
            )
            paging = {
                "first": f"https://{self.host}/v2/alerts?offset=0",
                **({"next": nxt} if nxt else {}),
            }
            return httpx.Response(200, json={"data": page, "paging": paging, "took": 0.01})
        m = re.fullmatch(r"/v2/alerts/([^/]+)/logs", request.url.path)
        if m:
            offset = int(q.get("offset", 0))
            data = (
                [
                    {
                        "owner": "System",
                        "createdAt": "2026-11-25T00:00:00.000Z",
                        "log": f"step {offset + k}",
                        "type": "system",
                        "offset": str(offset + k + 1),
                    }
                    for k in range(2)
                ]
                if offset < 4
                else []
            )
            base = f"https://{self.logs_next_host}{request.url.path}"
            paging = {"next": f"{base}?offset={offset + 2}&direction=next"}
            return httpx.Response(200, json={"data": data, "paging": paging if data else {}})
        return httpx.Response(404, json={"message": "no route"})


def _api(fake: FakeOpsgenie, eu: bool = False, **settings: Any):
    cfg = PullSettings(**{"page_limit": 10, "backoff_seconds": 0.0, **settings})
    return opsgenie.client(
        cfg, KEY, eu=eu, transport=httpx.MockTransport(fake), sleep=lambda s: None
    )


def test_pull_pages_alerts_and_logs(tmp_path: Path) -> None:
    fake = FakeOpsgenie(25)
    with _api(fake) as api:
        result = opsgenie.pull(api, tmp_path, T0, T0 + timedelta(days=1))
    assert result.records == {"alerts": 25, "logs": 25 * 4}
    alert_pages = [p for p in result.files if "-alerts-" in p.name]
    assert len(alert_pages) == 3
    body = json.loads(alert_pages[0].read_bytes())
    assert set(body) == {"data", "paging", "took"}
    log_files = [p.name for p in result.files if "-logs-" in p.name]
    assert any("-logs-a0007-uuid-" in n for n in log_files)
    assert all(KEY.encode() not in p.read_bytes() for p in tmp_path.iterdir())


def test_eu_region_uses_the_eu_host(tmp_path: Path) -> None:
    fake = FakeOpsgenie(3, host="api.eu.opsgenie.com")
    with _api(fake, eu=True) as api:
        result = opsgenie.pull(api, tmp_path, T0, T0 + timedelta(hours=1), logs=False)
    assert result.records["alerts"] == 3


def test_offset_cap_bisects_the_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opsgenie, "OFFSET_CAP", 30)
    fake = FakeOpsgenie(200)
    with _api(fake) as api:
        result = opsgenie.pull(api, tmp_path, T0, T0 + timedelta(days=1), logs=False)
    ids = {a["id"] for p in result.files for a in json.loads(p.read_bytes())["data"]}
    assert len(ids) == 200


def test_next_link_to_another_host_is_refused(tmp_path: Path) -> None:
    fake = FakeOpsgenie(1, logs_next_host="evil.example")
    with _api(fake) as api, pytest.raises(PullError, match="another host"):
        opsgenie.pull(api, tmp_path, T0, T0 + timedelta(hours=1))
    assert all(r.url.host == "api.opsgenie.com" for r in fake.requests)
