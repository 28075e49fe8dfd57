"""Opsgenie Alert API v2: alerts created in a window and each alert's activity log.

Alert search pages with ``offset``/``limit`` up to offset+limit 20,000, so deeper windows are
split in half. Log pages follow the API's own ``paging.next`` links. Opsgenie log entries do not
name their alert, so the alert id is part of each log page's file name
(``opsgenie-<stamp>-logs-<alert id>-<seq>.json``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from alertlens.ingest.pull.http import (
    ApiClient,
    InboxWriter,
    Page,
    PullError,
    PullResult,
    PullSettings,
    WindowTooDeep,
    pages_in_window,
    written_ids,
)
from alertlens.ingest.secrets import OPSGENIE_KEY_ENV

log = logging.getLogger("alertlens.pull.opsgenie")

KEY_ENV = OPSGENIE_KEY_ENV
OFFSET_CAP = 20_000
MAX_LOG_PAGES = 1_000  # a guard against a paging.next that never ends
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")


def client(
    settings: PullSettings,
    key: str,
    *,
    eu: bool = False,
    transport: httpx.BaseTransport | None = None,
    sleep: Any = None,
) -> ApiClient:
    """An API client for Opsgenie (EU region when ``eu``) with the ``GenieKey …`` header."""
    base = settings.opsgenie_eu_url if eu else settings.opsgenie_url
    kwargs = {} if sleep is None else {"sleep": sleep}
    return ApiClient(
        base, {"Authorization": f"GenieKey {key}"}, settings, transport=transport, **kwargs
    )


def epoch_ms(t: datetime) -> int:
    """``t`` as Unix epoch milliseconds, the form Opsgenie's search accepts for dates."""
    return int(t.timestamp() * 1000)


def alert_pages(api: ApiClient, since: datetime, until: datetime) -> Iterator[Page]:
    """Pages of alerts created in [since, until); WindowTooDeep past the offset cap."""
    limit = min(api.settings.page_limit, 100)
    query = f"createdAt>={epoch_ms(since)} AND createdAt<{epoch_ms(until)}"
    offset = 0
    while True:
        params = {
            "query": query,
            "offset": offset,
            "limit": limit,
            "sort": "createdAt",
            "order": "asc",
        }
        page = api.get("/v2/alerts", params)
        data = page.body.get("data") if isinstance(page.body, dict) else None
        if not isinstance(data, list):
            raise PullError("GET /v2/alerts: response has no 'data' list")
        yield page
        if len(data) < limit:
            return
        offset += len(data)
        if offset + limit > OFFSET_CAP:
            raise WindowTooDeep


def log_pages(api: ApiClient, alert_id: str) -> Iterator[Page]:
    """Every page of one alert's activity log, oldest first."""
    limit = min(api.settings.page_limit, 100)
    page = api.get(
        f"/v2/alerts/{alert_id}/logs", {"limit": limit, "order": "asc", "direction": "next"}
    )
    base_host = httpx.URL(str(api._client.base_url)).host
    for _ in range(MAX_LOG_PAGES):
        data = page.body.get("data") if isinstance(page.body, dict) else None
        if not isinstance(data, list):
            raise PullError(f"GET /v2/alerts/{alert_id}/logs: response has no 'data' list")
        yield page
        paging = page.body.get("paging") or {}
        nxt = paging.get("next") if isinstance(paging, dict) else None
        if not data or not isinstance(nxt, str):
            return
        if httpx.URL(nxt).host not in ("", base_host):
            # never send the key to a host other than the configured API
            raise PullError(f"alert {alert_id}: paging.next points at another host")
        page = api.get_url(nxt)


def pull(
    api: ApiClient,
    inbox: Path,
    since: datetime,
    until: datetime,
    *,
    logs: bool = True,
    started: datetime | None = None,
) -> PullResult:
    """Alerts created in [since, until) and their activity logs, one file a page in ``inbox``."""
    writer = InboxWriter(inbox, "opsgenie", started)
    counts = {"alerts": 0, "logs": 0}
    pages = pages_in_window(lambda lo, hi: alert_pages(api, lo, hi), since, until)
    ids, counts["alerts"] = written_ids(writer, "alerts", pages, "data")
    if logs:
        for ident in ids:
            for page in log_pages(api, ident):
                writer.write(f"logs-{_SAFE_ID.sub('_', ident)}", page)
                counts["logs"] += len(page.body["data"])
    log.info("opsgenie: %d alerts, %d log entries", counts["alerts"], counts["logs"])
    return PullResult("opsgenie", writer.files, counts, api.requests, api.retries)
