"""An HTTP receiver for Alertmanager webhooks that lands every payload durably in the inbox.

Each accepted payload becomes one new file ``am-<utc stamp>-<pid>-<seq>.jsonl`` holding the body
as one JSON line, written to a hidden temp file, fsynced, read back by the Alertmanager reader
and renamed into place before the receiver answers 2xx; Alertmanager retries anything else, so
nothing acknowledged is lost, and nothing acknowledged fails the ingest later.

- 200: stored. 400: the body is not an Alertmanager webhook the reader accepts (not UTF-8,
  not JSON, NaN, too deep, no groupKey, an alert the reader would quarantine), with the reason.
  411: no decimal Content-Length. 413: over ``max_body_bytes``. 401: bad bearer token.
- No header or body can crash a handler; a client that leaves is one log line.
- Temp files a killed receiver left are removed at start.

``POST /webhook`` (and ``POST /``) take payloads; ``GET /healthz`` answers ``ok``.
"""

from __future__ import annotations

import contextlib
import hmac
import itertools
import json
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from alertlens.ingest.durable import fsync_dir
from alertlens.ingest.jsonfiles import loads
from alertlens.ingest.limits import json_value_problem
from alertlens.ingest.records import InputError
from alertlens.ingest.secrets import RECEIVER_TOKEN_ENV
from alertlens.ingest.settings_table import PositiveInt, settings_dataclass

log = logging.getLogger("alertlens.receiver")

TOKEN_ENV = RECEIVER_TOKEN_ENV
_DIGITS = re.compile(r"[0-9]{1,15}")
WEBHOOK_PATHS = frozenset({"/", "/webhook"})


@settings_dataclass
class ReceiverSettings:
    """``[receiver]`` in alertlens.toml."""

    host: str = "127.0.0.1"  # listen on loopback unless told otherwise
    port: Annotated[int, Field(ge=0, le=65535)] = 9095
    max_body_bytes: PositiveInt = 4 * 1024 * 1024  # larger bodies get 413


class PayloadError(ValueError):
    """The body is not an Alertmanager webhook payload the reader accepts."""


def webhook_payload(body: bytes) -> dict[str, Any]:
    """The parsed payload; PayloadError unless it is UTF-8 JSON, an object with ``groupKey``
    and an ``alerts`` list. Whether every alert is readable is checked on the stored bytes
    (``InboxSink.store``) by the Alertmanager reader itself."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(body) > 1 and b"\x00" in body[:4]):
        raise PayloadError("body is not UTF-8 (UTF-16/32?): Alertmanager sends UTF-8 JSON")
    try:
        payload = loads(body.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise PayloadError(f"body is not UTF-8 ({err.reason} at byte {err.start})") from err
    except ValueError as err:
        raise PayloadError(f"body is not JSON ({err})") from err
    if not isinstance(payload, dict):
        raise PayloadError("body is not a JSON object")
    problem = json_value_problem(payload)
    if problem is not None:
        raise PayloadError(f"body is not plain JSON: {problem}")
    if "version" not in payload or "groupKey" not in payload:
        raise PayloadError("no 'version' or 'groupKey': not an Alertmanager webhook payload")
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts):
        raise PayloadError("no 'alerts' list of objects")
    return payload


class InboxSink:
    """Writes each payload as a new one-line JSONL file in the inbox, durably, once the
    Alertmanager reader has read every alert of it."""

    def __init__(self, inbox: Path) -> None:
        self.inbox = inbox
        inbox.mkdir(parents=True, exist_ok=True)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.stored = 0
        self.swept = self._sweep()

    def _sweep(self) -> int:
        """Remove the temp files a killed receiver left (those of no running process)."""
        swept = 0
        for tmp in self.inbox.glob(".am-*.tmp"):
            pid = _pid_of(tmp.name)
            if pid is not None and pid != os.getpid() and _alive(pid):
                continue
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                swept += 1
        if swept:
            log.info("removed %d stale temp file(s) from %s", swept, self.inbox)
        return swept

    def store(self, body: bytes, payload: Mapping[str, Any]) -> Path:
        """The path the payload now durably lives at. PayloadError (nothing stored) when the
        Alertmanager reader would not accept every alert of it."""
        line = body.strip()
        if b"\n" in line or b"\r" in line:
            # pretty-printed bodies are re-encoded so the file stays one JSON value per line
            line = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        with self._lock:
            seq = next(self._seq)
        now = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"am-{now}-{os.getpid()}-{seq:06d}.jsonl"
        tmp = self.inbox / f".{name}.tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(line + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            _readable(tmp)
            os.replace(tmp, self.inbox / name)
            fsync_dir(self.inbox)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        with self._lock:
            self.stored += 1
        return self.inbox / name


def _readable(path: Path) -> None:
    """PayloadError unless the Alertmanager reader reads every alert of the file."""
    from alertlens.ingest.readers import alertmanager

    try:
        parsed = alertmanager.read(path, {}, kind=alertmanager.KIND_WEBHOOK)
    except InputError as err:
        raise PayloadError(err.reason) from err
    if parsed.rejected:
        first = parsed.rejected[0]
        more = f" (and {len(parsed.rejected) - 1} more)" if len(parsed.rejected) > 1 else ""
        raise PayloadError(f"alert {first.locator}: {first.reason}{more}")


def _pid_of(name: str) -> int | None:
    match = re.match(r"\.am-[^-]+-(\d+)-\d+\.jsonl\.tmp$", name)
    return int(match.group(1)) if match else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line, never a traceback: a client that goes away is routine."""
        err = sys.exc_info()[1]
        log.warning("request from %s ended: %s: %s", client_address[0], type(err).__name__, err)

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
        length_text = (self.headers.get("Content-Length") or "").strip()
        if not _DIGITS.fullmatch(length_text):
            self._reply(
                HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length (decimal digits) required"}
            )
            return
        length = int(length_text)
        if length > self.server.settings.max_body_bytes:
            limit = self.server.settings.max_body_bytes
            self._reply(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"body over {limit} bytes"}
            )
            return
        body = self.rfile.read(length)
        if len(body) < length:
            log.info("client left after %d of %d bytes: nothing stored", len(body), length)
            self.close_connection = True
            return
        try:
            payload = webhook_payload(body)
            path = self.server.sink.store(body, payload)
        except PayloadError as err:
            log.info("refused a webhook body: %s", err)
            self._reply(HTTPStatus.BAD_REQUEST, {"error": str(err)})
            return
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
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except OSError as err:  # the client went away before the answer
            log.info("client left before the %d answer: %s", status, err)
            self.close_connection = True

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
