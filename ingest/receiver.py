"""An HTTP receiver for Alertmanager webhooks that lands every payload durably in the inbox.

Each accepted payload becomes one new file ``am-<utc stamp>-<pid>-<seq>.jsonl`` holding the body
as one JSON line, written to a hidden temp file, fsynced and renamed into place before the
receiver answers 2xx; Alertmanager retries anything else, so nothing acknowledged is lost.
``POST /webhook`` (and ``POST /``) take payloads; ``GET /healthz`` answers ``ok``.
"""

from __future__ import annotations

import contextlib
import hmac
import itertools
import json
import logging
import os
import signal
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from alertlens.ingest.durable import atomic_write
from alertlens.ingest.secrets import RECEIVER_TOKEN_ENV
from alertlens.ingest.settings_table import PositiveInt, settings_dataclass

log = logging.getLogger("alertlens.receiver")

TOKEN_ENV = RECEIVER_TOKEN_ENV
WEBHOOK_PATHS = frozenset({"/", "/webhook"})


@settings_dataclass
class ReceiverSettings:
    """``[receiver]`` in alertlens.toml."""

    host: str = "127.0.0.1"  # listen on loopback unless told otherwise
    port: Annotated[int, Field(ge=0, le=65535)] = 9095
    max_body_bytes: PositiveInt = 4 * 1024 * 1024  # larger bodies get 413


class PayloadError(ValueError):
    """The body is not an Alertmanager webhook payload."""


def webhook_payload(body: bytes) -> dict[str, Any]:
    """The parsed payload; PayloadError unless it is an object with ``version`` and ``alerts``."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise PayloadError(f"body is not JSON ({err})") from err
    if not isinstance(payload, dict):
        raise PayloadError("body is not a JSON object")
    if "version" not in payload:
        raise PayloadError("no 'version': not an Alertmanager webhook payload")
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts):
        raise PayloadError("no 'alerts' list of objects")
    return payload


class InboxSink:
    """Writes each payload as a new one-line JSONL file in the inbox, durably."""

    def __init__(self, inbox: Path) -> None:
        self.inbox = inbox
        inbox.mkdir(parents=True, exist_ok=True)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.stored = 0

    def store(self, body: bytes, payload: Mapping[str, Any]) -> Path:
        """The path the payload now durably lives at."""
        line = body.strip()
        if b"\n" in line or b"\r" in line:
            # pretty-printed bodies are re-encoded so the file stays one JSON value per line
            line = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        with self._lock:
            seq = next(self._seq)
        now = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"am-{now}-{os.getpid()}-{seq:06d}.jsonl"
        path = atomic_write(self.inbox / name, line + b"\n", tmp=self.inbox / f".{name}.tmp")
        with self._lock:
            self.stored += 1
        return path


class ReceiverServer(ThreadingHTTPServer):
    """The HTTP server. Connection threads are daemons because Alertmanager keeps idle
    keep-alive connections open; ``drain`` waits for the requests actually in flight."""

    daemon_threads = True
    # Alertmanager sends one POST per group at once; the default backlog of 5 drops bursts.
    request_queue_size = 128
    block_on_close = False

    def __init__(self, settings: ReceiverSettings, sink: InboxSink, token: str | None) -> None:
        self.settings = settings
        self.sink = sink
        self.token = token or None
        self._in_flight = 0
        self._idle = threading.Condition()
        super().__init__((settings.host, settings.port), _Handler)

    @contextlib.contextmanager
    def in_flight(self) -> Iterator[None]:
        """Marks one request as being handled, for ``drain``."""
        with self._idle:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def drain(self, timeout: float = 30.0) -> bool:
        """True once no request is in flight (False if ``timeout`` passed first)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    @property
    def url(self) -> str:
        """The base URL the server listens on."""
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: ReceiverServer
    protocol_version = "HTTP/1.1"
    server_version = "alertlens-receiver"
    timeout = 120  # seconds an idle keep-alive connection may hold a thread

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/healthz":
            self._reply(HTTPStatus.OK, {"status": "ok", "stored": self.server.sink.stored})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def do_POST(self) -> None:
        with self.server.in_flight():
            self._post()

    def _post(self) -> None:
        if self.path.split("?")[0] not in WEBHOOK_PATHS:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "POST to /webhook"})
            return
        if self.server.token and not self._authorized():
            self._reply(HTTPStatus.UNAUTHORIZED, {"error": "bad or missing bearer token"})
            return
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit():
            self._reply(HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length required"})
            return
        length = int(length_text)
        if length > self.server.settings.max_body_bytes:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body too large"})
            return
        body = self.rfile.read(length)
        try:
            payload = webhook_payload(body)
        except PayloadError as err:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": str(err)})
            return
        try:
            path = self.server.sink.store(body, payload)
        except OSError as err:
            log.error("could not store a webhook payload: %s", err)
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "could not store payload"})
            return
        log.info("stored %d alert(s) in %s", len(payload["alerts"]), path.name)
        self._reply(HTTPStatus.OK, {"status": "stored", "file": path.name})

    def _authorized(self) -> bool:
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {self.server.token}"
        return hmac.compare_digest(given.encode(), expected.encode())

    def _reply(self, status: HTTPStatus, body: Mapping[str, Any]) -> None:
        data = json.dumps(body).encode()
        if status >= 400:
            # the unread rest of a refused body would be parsed as the next request
            self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def make_server(
    inbox: Path, settings: ReceiverSettings, token: str | None = None
) -> ReceiverServer:
    """A bound (not yet serving) receiver writing into ``inbox``."""
    return ReceiverServer(settings, InboxSink(inbox), token)


def serve_until_signalled(server: ReceiverServer) -> None:
    """Serve until SIGTERM or SIGINT, then finish in-flight requests and close."""
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}
    worker = threading.Thread(target=server.serve_forever, name="receiver", daemon=True)
    worker.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()  # stop accepting; then let requests being written finish
        if not server.drain():
            log.warning("stopping with requests still in flight (they get no 200; AM retries)")
        server.server_close()
        worker.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
