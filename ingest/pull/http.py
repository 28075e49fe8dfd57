"""What every puller shares: settings, an HTTP client that retries politely, atomic inbox writes,
and time-window helpers.

Secrets (API tokens) travel only in request headers; they are never logged, never put in an
error message and never written to the inbox.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from alertlens.ingest.durable import atomic_write
from alertlens.ingest.settings_table import (
    NonNegative,
    NonNegativeInt,
    Positive,
    PositiveInt,
    settings_dataclass,
)

log = logging.getLogger("alertlens.pull")

USER_AGENT = "alertlens-pull/0.1"


class PullError(Exception):
    """A pull cannot go on: a missing token, a refused request, retries exhausted."""


@settings_dataclass
class PullSettings:
    """``[pull]`` in alertlens.toml."""

    window_hours: Positive = 48.0  # default look-back; PagerDuty analytics lag up to 24 h
    timeout_seconds: Positive = 30.0
    max_retries: NonNegativeInt = 6  # per request, for 429, 5xx and network errors
    backoff_seconds: NonNegative = 1.0  # first retry delay; doubles each retry, with jitter
    max_backoff_seconds: Positive = 60.0
    page_limit: PositiveInt = 100  # records asked for per page
    pagerduty_url: str = "https://api.pagerduty.com"
    opsgenie_url: str = "https://api.opsgenie.com"
    opsgenie_eu_url: str = "https://api.eu.opsgenie.com"
    prometheus_step_seconds: PositiveInt = 60


def default_since(now: datetime | None = None, hours: float = 48.0) -> datetime:
    """The start of the trailing window a nightly re-pull covers (``hours`` before ``now``, UTC)."""
    now = now or datetime.now(UTC)
    return (now - timedelta(hours=hours)).astimezone(UTC)


def iso_z(t: datetime) -> str:
    """``t`` as ISO-8601 UTC with a ``Z`` suffix and whole seconds."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(t: datetime) -> str:
    """``t`` as a compact UTC stamp for file names (``20261127T020000Z``)."""
    return t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def halves(
    since: datetime, until: datetime
) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """The window split at its midpoint (to the second), for APIs that cap how deep one can page."""
    mid = since + timedelta(seconds=max(1, int((until - since).total_seconds() // 2)))
    return (since, mid), (mid, until)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class Page:
    """One API response: its bytes exactly as received, and the parsed JSON."""

    raw: bytes
    body: Any
    url: str


class ApiClient:
    """A JSON GET client that retries 429 (honouring Retry-After), 5xx and network errors."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        settings: PullSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=base_url,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT, **headers},
            timeout=settings.timeout_seconds,
            transport=transport,
        )
        self.requests = 0
        self.retries = 0

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def get(
        self, path: str, params: Mapping[str, Any] | list[tuple[str, Any]] | None = None
    ) -> Page:
        """The JSON page at ``path``; raises PullError when the API refuses or retries run out."""
        attempt = 0
        while True:
            self.requests += 1
            delay: float | None
            try:
                response = self._client.get(path, params=params)
            except httpx.TransportError as err:
                # the error text names the URL only; headers (the token) are never part of it
                reason = f"{type(err).__name__}: {err}"
                delay = None
            else:
                if response.status_code < 300:
                    return _page(response)
                reason = f"HTTP {response.status_code}"
                if response.status_code == 429:
                    delay = retry_after_seconds(response.headers.get("Retry-After"))
                elif response.status_code >= 500:
                    delay = None
                else:
                    raise PullError(
                        f"GET {_public_url(response.request.url)}: HTTP {response.status_code}: "
                        f"{_short(response.text)}"
                    )
            if attempt >= self.settings.max_retries:
                raise PullError(f"GET {path}: giving up after {attempt + 1} attempts ({reason})")
            if delay is None:
                delay = self._backoff(attempt)
            log.warning("GET %s: %s; retrying in %.1f s", path, reason, delay)
            self.retries += 1
            self._sleep(delay)
            attempt += 1

    def get_url(self, url: str) -> Page:
        """The JSON page at an absolute ``url`` the API handed out (a ``next`` link)."""
        return self.get(url)

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff_seconds * (2**attempt)
        return min(self.settings.max_backoff_seconds, base * (0.5 + random.random() / 2))


def _page(response: httpx.Response) -> Page:
    raw = response.content
    try:
        body = json.loads(raw)
    except ValueError as err:
        raise PullError(f"GET {_public_url(response.request.url)}: response is not JSON") from err
    return Page(raw=raw, body=body, url=_public_url(response.request.url))


def _public_url(url: httpx.URL) -> str:
    return str(url.copy_with(username=None, password=None))


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


class MissingSecret(PullError):
    """The secret a pull needs is not in the environment: a user error, not an API failure."""


def token_from_env(name: str, env: Mapping[str, str] | None = None) -> str:
    """The secret in environment variable ``name``; MissingSecret naming the variable when
    unset."""
    value = (os.environ if env is None else env).get(name, "").strip()
    if not value:
        raise MissingSecret(f"set {name} in the environment (it is never read from alertlens.toml)")
    return value


def write_raw(inbox: Path, name: str, data: bytes) -> Path:
    """``inbox/name`` after writing ``data`` atomically (hidden temp, fsync, rename, dir fsync)."""
    inbox.mkdir(parents=True, exist_ok=True)
    return atomic_write(inbox / name, data, tmp=inbox / f".{name}.{os.getpid()}.tmp")


@dataclass
class PullResult:
    """What a pull wrote."""

    source: str
    files: list[Path]
    records: dict[str, int]
    requests: int = 0
    retries: int = 0

    def summary(self) -> str:
        """One line for the terminal."""
        counts = ", ".join(f"{n} {k}" for k, n in self.records.items())
        return (
            f"{self.source}: {len(self.files)} page(s) written ({counts or 'nothing'}); "
            f"{self.requests} request(s), {self.retries} retried"
        )


class InboxWriter:
    """Names and writes the pages of one pull: ``<source>-<pull stamp>-<what>-<seq>.json``."""

    def __init__(self, inbox: Path, source: str, started: datetime | None = None) -> None:
        self.inbox = inbox
        self.prefix = f"{source}-{stamp(started or datetime.now(UTC))}"
        self.files: list[Path] = []
        self._seq = 0

    def write(self, what: str, page: Page) -> Path:
        """The path the page's raw bytes were written to."""
        self._seq += 1
        path = write_raw(self.inbox, f"{self.prefix}-{what}-{self._seq:05d}.json", page.raw)
        self.files.append(path)
        return path


def written_ids(
    writer: InboxWriter, what: str, pages: Iterable[Page], key: str
) -> tuple[list[str], int]:
    """Each page written to the inbox as ``what``; the distinct ``id`` of its ``key`` records in
    first-seen order (overlapping windows repeat records), and how many records there were."""
    ids: dict[str, None] = {}
    count = 0
    for page in pages:
        writer.write(what, page)
        for record in page.body[key]:
            count += 1
            ident = record.get("id") if isinstance(record, dict) else None
            if isinstance(ident, str):
                ids.setdefault(ident)
    return list(ids), count


def pages_in_window(
    fetch: Callable[[datetime, datetime], Iterator[Page]],
    since: datetime,
    until: datetime,
) -> Iterator[Page]:
    """Pages of ``fetch`` over [since, until), bisecting any window ``fetch`` reports as too deep.

    ``fetch`` raises ``WindowTooDeep`` when it cannot page through a window; pages it yielded
    before that stay written (the halves fetch them again, and the ingest folds duplicates by key).
    """
    stack = [(since, until)]
    while stack:
        lo, hi = stack.pop()
        try:
            yield from fetch(lo, hi)
        except WindowTooDeep:
            if (hi - lo).total_seconds() <= 1:
                raise PullError(
                    f"more records in one second ({iso_z(lo)}) than the API lets one page through"
                ) from None
            first, second = halves(lo, hi)
            log.info("window %s..%s too deep; splitting", iso_z(lo), iso_z(hi))
            stack.extend([second, first])


class WindowTooDeep(Exception):
    """The window holds more records than offset paging can reach."""
