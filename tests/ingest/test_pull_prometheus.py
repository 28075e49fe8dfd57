"""Prometheus pulls against a fake HTTP API (httpx.MockTransport)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from alertlens.ingest.pull import prometheus
from alertlens.ingest.pull.http import PullError, PullSettings

T0 = datetime(2026, 11, 25, tzinfo=UTC)


def _handler(calls: list[httpx.Request]):
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.url.path == "/prom/api/v1/query_range":
            q = request.url.params
            start, end, step = float(q["start"]), float(q["end"]), int(q["step"].rstrip("s"))
            if (end - start) / step + 1 > prometheus.MAX_POINTS:
                return httpx.Response(
                    400, json={"status": "error", "error": "exceeded maximum resolution"}
                )
            values = [[start + k * step, "1"] for k in range(int((end - start) // step) + 1)]
            metric = {"__name__": "ALERTS", "alertname": "Down", "alertstate": "firing"}
            data = {"resultType": "matrix", "result": [{"metric": metric, "values": values}]}
            return httpx.Response(200, json={"status": "success", "data": data})
        if request.url.path == "/prom/api/v1/alerts":
            alert = {
                "labels": {"alertname": "Down"},
                "state": "firing",
                "activeAt": "2026-11-25T00:00:00Z",
            }
            return httpx.Response(200, json={"status": "success", "data": {"alerts": [alert]}})
        return httpx.Response(404, text="404 page not found")

    return handle


def test_chunks_stay_under_the_point_limit() -> None:
    parts = prometheus.chunks(T0, T0 + timedelta(days=30), 60)
    assert len(parts) == 4
    assert parts[0][0] == T0 and parts[-1][1] == T0 + timedelta(days=30)
    assert all((hi - lo).total_seconds() / 60 + 1 <= prometheus.MAX_POINTS for lo, hi in parts)


def test_pull_writes_success_envelopes(tmp_path: Path) -> None:
    calls: list[httpx.Request] = []
    api = prometheus.client(
        PullSettings(), "http://prom.test/prom/", transport=httpx.MockTransport(_handler(calls))
    )
    with api:
        result = prometheus.pull(api, tmp_path, T0, T0 + timedelta(days=10))
    assert result.records["active_alerts"] == 1
    assert result.records["samples"] == 10 * 24 * 60 + 1
    assert len(result.files) == 3  # two query_range chunks and /api/v1/alerts
    assert calls[0].url.params["query"] == 'ALERTS{alertstate="firing"}'
    assert all(json.loads(p.read_bytes())["status"] == "success" for p in result.files)


def test_error_envelope_is_a_pull_error(tmp_path: Path) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "error", "error": "bad query"})

    api = prometheus.client(
        PullSettings(), "http://prom.test", transport=httpx.MockTransport(handle)
    )
    with api, pytest.raises(PullError, match="success envelope"):
        prometheus.pull(api, tmp_path, T0, T0 + timedelta(hours=1))
    assert list(tmp_path.iterdir()) == []
