"""PagerDuty REST API v2: incidents, their alerts, and log entries for a time window.

Classic ``limit``/``offset``/``more`` paging stops at offset 10,000, so a window holding more
records is split in half until every part fits. Pages are written to the inbox byte for byte.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
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
    iso_z,
    pages_in_window,
    written_ids,
)
from alertlens.ingest.secrets import PAGERDUTY_TOKEN_ENV

log = logging.getLogger("alertlens.pull.pagerduty")

TOKEN_ENV = PAGERDUTY_TOKEN_ENV
OFFSET_CAP = 10_000  # the API refuses offset + limit beyond this


def client(
    settings: PullSettings,
    token: str,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Any = None,
) -> ApiClient:
    """An API client for PagerDuty with the ``Token token=…`` header."""
    headers = {
        "Authorization": f"Token token={token}",
        "Accept": "application/vnd.pagerduty+json;version=2",
    }
    kwargs = {} if sleep is None else {"sleep": sleep}
    return ApiClient(settings.pagerduty_url, headers, settings, transport=transport, **kwargs)


def offset_pages(
    api: ApiClient,
    path: str,
    key: str,
    params: Sequence[tuple[str, Any]],
    limit: int,
    *,
    cap: int | None = None,
    check_total: bool = False,
) -> Iterator[Page]:
    """Every page of a classic-paginated list; WindowTooDeep when it would pass ``cap``."""
    cap = OFFSET_CAP if cap is None else cap
    offset = 0
    while True:
        query = [*params, ("limit", limit), ("offset", offset)]
        if check_total and offset == 0:
            query.append(("total", "true"))
        page = api.get(path, query)
        body = page.body
        if not isinstance(body, dict) or not isinstance(body.get(key), list):
            raise PullError(f"GET {path}: response has no {key!r} list")
        total = body.get("total")
        if check_total and offset == 0 and isinstance(total, int) and total > cap:
            raise WindowTooDeep
        yield page
        if not body.get("more") or not body[key]:
            return
        offset += len(body[key])
        if offset + limit > cap:
            raise WindowTooDeep


def pull(
    api: ApiClient,
    inbox: Path,
    since: datetime,
    until: datetime,
    *,
    alerts: bool = True,
    log_entries: bool = True,
    include: Sequence[str] = (),
    started: datetime | None = None,
) -> PullResult:
    """Incidents created in [since, until), each one's alerts, and the log entries of the window,
    written page by page to ``inbox``."""
    writer = InboxWriter(inbox, "pagerduty", started)
    limit = api.settings.page_limit
    window = [("time_zone", "UTC"), *(("include[]", i) for i in include)]
    counts = {"incidents": 0, "alerts": 0, "log_entries": 0}

    def incidents(lo: datetime, hi: datetime) -> Iterator[Page]:
        params = [("since", iso_z(lo)), ("until", iso_z(hi)), *window]
        return offset_pages(api, "/incidents", "incidents", params, limit, check_total=True)

    incident_ids, counts["incidents"] = written_ids(
        writer, "incidents", pages_in_window(incidents, since, until), "incidents"
    )

    if alerts:
        for ident in incident_ids:
            path = f"/incidents/{ident}/alerts"
            for page in offset_pages(api, path, "alerts", [], limit):
                writer.write(f"alerts-{ident}", page)
                counts["alerts"] += len(page.body["alerts"])

    if log_entries:

        def entries(lo: datetime, hi: datetime) -> Iterator[Page]:
            params = [("since", iso_z(lo)), ("until", iso_z(hi)), ("is_overview", "false"), *window]
            return offset_pages(api, "/log_entries", "log_entries", params, limit, check_total=True)

        for page in pages_in_window(entries, since, until):
            writer.write("log_entries", page)
            counts["log_entries"] += len(page.body["log_entries"])

    log.info("pagerduty: %d incidents, %d alerts, %d log entries", *counts.values())
    return PullResult("pagerduty", writer.files, counts, api.requests, api.retries)
