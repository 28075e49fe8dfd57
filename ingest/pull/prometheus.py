"""Prometheus HTTP API: the ``ALERTS`` series over a window and the currently active alerts.

``query_range`` refuses more than 11,000 points per series, so long windows are fetched in
chunks that stay under that.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from alertlens.ingest.pull.http import ApiClient, InboxWriter, PullError, PullResult, PullSettings
from alertlens.ingest.secrets import PROMETHEUS_TOKEN_ENV

log = logging.getLogger("alertlens.pull.prometheus")

QUERY = 'ALERTS{alertstate="firing"}'
MAX_POINTS = 11_000
TOKEN_ENV = PROMETHEUS_TOKEN_ENV


def client(
    settings: PullSettings,
    url: str,
    *,
    token: str | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Any = None,
) -> ApiClient:
    """An API client for the Prometheus at ``url`` (a bearer token when it sits behind auth)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs = {} if sleep is None else {"sleep": sleep}
    return ApiClient(url.rstrip("/"), headers, settings, transport=transport, **kwargs)


def chunks(
    since: datetime, until: datetime, step: int, max_points: int = MAX_POINTS
) -> list[tuple[datetime, datetime]]:
    """[since, until] cut into consecutive windows of at most ``max_points`` samples at ``step``."""
    span = timedelta(seconds=step * (max_points - 1))
    out = []
    lo = since
    while lo < until:
        hi = min(until, lo + span)
        out.append((lo, hi))
        lo = hi + timedelta(seconds=step)
    return out or [(since, until)]


def pull(
    api: ApiClient,
    inbox: Path,
    since: datetime,
    until: datetime,
    *,
    step: int | None = None,
    query: str = QUERY,
    started: datetime | None = None,
) -> PullResult:
    """``ALERTS`` samples over [since, until] plus ``/api/v1/alerts``, written to ``inbox``."""
    step = step or api.settings.prometheus_step_seconds
    writer = InboxWriter(inbox, "prometheus", started)
    counts = {"series": 0, "samples": 0, "active_alerts": 0}
    for lo, hi in chunks(since, until, step):
        params = {
            "query": query,
            "start": f"{lo.timestamp():.3f}",
            "end": f"{hi.timestamp():.3f}",
            "step": f"{step}s",
        }
        page = api.get("/api/v1/query_range", params)
        result = _data(page.body, "query_range").get("result")
        if not isinstance(result, list):
            raise PullError("query_range: response has no data.result list")
        writer.write("query_range-ALERTS", page)
        counts["series"] += len(result)
        counts["samples"] += sum(len(s.get("values") or []) for s in result if isinstance(s, dict))
    page = api.get("/api/v1/alerts")
    alerts = _data(page.body, "alerts").get("alerts")
    if not isinstance(alerts, list):
        raise PullError("/api/v1/alerts: response has no data.alerts list")
    writer.write("alerts", page)
    counts["active_alerts"] = len(alerts)
    log.info("prometheus: %d series, %d samples, %d active alerts", *counts.values())
    return PullResult("prometheus", writer.files, counts, api.requests, api.retries)


def _data(body: Any, what: str) -> dict[str, Any]:
    if (
        not isinstance(body, dict)
        or body.get("status") != "success"
        or not isinstance(body.get("data"), dict)
    ):
        raise PullError(f"{what}: response is not a Prometheus success envelope")
    return body["data"]
