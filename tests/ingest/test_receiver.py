"""The Alertmanager webhook receiver, served for real on 127.0.0.1 (port 0) in a thread."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from alertlens.ingest.receiver import ReceiverServer, ReceiverSettings, make_server, webhook_payload
from alertlens.ingest.settings_table import settings_from_table

CAPTURED = "alertmanager/captured_webhook_flapping_firing_resolved.jsonl"


@pytest.fixture
def payloads(fixtures: Path) -> list[bytes]:
    """Two real webhook bodies (firing, then resolved) as Alertmanager 0.25 sent them."""
    return (fixtures / CAPTURED).read_bytes().splitlines(keepends=True)


def _serve(inbox: Path, token: str | None = None, **settings: Any) -> Iterator[ReceiverServer]:
    server = make_server(inbox, ReceiverSettings(port=0, **settings), token)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ReceiverServer]:
    yield from _serve(tmp_path / "inbox")


def _files(server: ReceiverServer) -> list[Path]:
    return sorted(server.sink.inbox.iterdir())


def test_payloads_land_one_file_each_before_the_answer(server: ReceiverServer, payloads) -> None:
    with httpx.Client(base_url=server.url) as http:
        for path, body in zip(("/webhook", "/"), payloads, strict=True):
            r = http.post(path, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 200
            assert (server.sink.inbox / r.json()["file"]).is_file()
        assert http.get("/healthz").json() == {"status": "ok", "stored": 2}
    files = _files(server)
    assert [p.name.startswith("am-") and p.suffix == ".jsonl" for p in files] == [True, True]
    assert [p.read_bytes() for p in files] == payloads  # byte for byte, one line each
    assert [json.loads(p.read_bytes())["status"] for p in files] == ["firing", "resolved"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"alerts": []}', "version"),
        (b'{"version": "4", "groupKey": "{}:{}", "alerts": {}}', "alerts"),
    ],
)
def test_non_webhook_bodies_are_refused(server: ReceiverServer, body: bytes, reason: str) -> None:
    r = httpx.post(server.url + "/webhook", content=body)
    assert r.status_code == 400 and reason in r.json()["error"]
    assert _files(server) == []


def test_oversized_body_is_413(tmp_path: Path, payloads) -> None:
    for server in _serve(tmp_path, max_body_bytes=100):
        r = httpx.post(server.url + "/webhook", content=payloads[0])
        assert r.status_code == 413
        assert _files(server) == []


def test_bearer_token_is_required_when_set(tmp_path: Path, payloads) -> None:
    for server in _serve(tmp_path, token="s3cret"):
        assert httpx.post(server.url + "/webhook", content=payloads[0]).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (
            httpx.post(server.url + "/webhook", content=payloads[0], headers=wrong).status_code
            == 401
        )
        right = {"Authorization": "Bearer s3cret"}
        assert (
            httpx.post(server.url + "/webhook", content=payloads[0], headers=right).status_code
            == 200
        )
        assert httpx.get(server.url + "/healthz").status_code == 200
        assert len(_files(server)) == 1


def test_unknown_paths_are_404(server: ReceiverServer) -> None:
    assert httpx.post(server.url + "/elsewhere", content=b"{}").status_code == 404
    assert httpx.get(server.url + "/webhook").status_code == 404


def test_pretty_printed_payload_is_stored_as_one_line(server: ReceiverServer, payloads) -> None:
    pretty = json.dumps(json.loads(payloads[0]), indent=2).encode()
    assert httpx.post(server.url + "/webhook", content=pretty).status_code == 200
    (stored,) = _files(server)
    assert stored.read_bytes().count(b"\n") == 1
    assert json.loads(stored.read_bytes()) == json.loads(payloads[0])


def test_concurrent_posts_all_land(server: ReceiverServer, payloads) -> None:
    def post() -> int:
        return httpx.post(server.url + "/webhook", content=payloads[1]).status_code

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(post())) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 20
    assert len({p.name for p in _files(server)}) == 20


def test_settings_reject_unknown_keys() -> None:
    assert settings_from_table(ReceiverSettings, {"port": 9999}, "receiver").port == 9999
    with pytest.raises(ValueError, match="unknown key"):
        settings_from_table(ReceiverSettings, {"prot": 1}, "receiver")
    with pytest.raises(ValueError, match="port"):
        settings_from_table(ReceiverSettings, {"port": "80"}, "receiver")


def test_webhook_payload_accepts_the_captured_bodies(payloads) -> None:
    assert [webhook_payload(b)["version"] for b in payloads] == ["4", "4"]


def test_sigterm_stops_promptly_despite_an_idle_keep_alive_connection(
    tmp_path: Path, payloads
) -> None:
    import os
    import signal
    import time

    from alertlens.ingest.receiver import serve_until_signalled

    server = make_server(tmp_path, ReceiverSettings(port=0))
    client = httpx.Client(base_url=server.url)  # keeps its connection open, like Alertmanager

    def post_then_terminate() -> None:
        assert client.post("/webhook", content=payloads[0]).status_code == 200
        os.kill(os.getpid(), signal.SIGTERM)

    timer = threading.Timer(0.3, post_then_terminate)
    timer.start()
    began = time.monotonic()
    try:
        serve_until_signalled(server)
    finally:
        timer.join()
        client.close()
    assert time.monotonic() - began < 5
    assert len(_files(server)) == 1


# --- invalid bodies and headers: 400 with the reason, never a crash -------------------------


def _raw(server: ReceiverServer, data: bytes, *, read: bool = True) -> bytes:
    import socket

    host, port = server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=10) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _post(body: bytes, length: bytes | None = None) -> bytes:
    size = str(len(body)).encode() if length is None else length
    return (
        b"POST /webhook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
        + size
        + b"\r\n\r\n"
        + body
    )


def _bad_bodies(payload: bytes) -> list[tuple[str, bytes, str]]:
    import re

    good = json.loads(payload)
    resolved_without_end = json.loads(payload)
    resolved_without_end["alerts"][0].update(status="resolved", endsAt="0001-01-01T00:00:00Z")
    return [
        ("utf-16", payload.decode().encode("utf-16"), "not UTF-8"),
        ("utf-16-be", payload.decode().encode("utf-16-be"), "not UTF-8"),
        ("no-groupKey", json.dumps({k: v for k, v in good.items() if k != "groupKey"}).encode(),
         "groupKey"),
        ("nan", payload.replace(b'"truncatedAlerts":0', b'"truncatedAlerts":NaN'), "NaN"),
        ("nan-time", re.sub(rb'"startsAt":"[^"]+"', b'"startsAt":NaN', payload, count=1), "NaN"),
        ("surrogate", payload.replace(b'"alertname":"', b'"alertname":"\\ud800', 1), "surrogate"),
        ("deep", payload.rstrip()[:-1] + b',"x":' + b"[" * 10000 + b"]" * 10000 + b"}",
         "nested deeper"),
        ("year-9999", re.sub(rb'"startsAt":"[^"]+"', b'"startsAt":"9999-12-31T23:59:59-14:00"',
                             payload, count=1), "out of range"),
        ("unreadable-alert", json.dumps(resolved_without_end).encode(), "no endsAt"),
    ]


def test_bodies_the_reader_would_refuse_get_400_with_the_reason(server, payloads) -> None:
    for name, body, reason in _bad_bodies(payloads[0].strip()):
        r = httpx.post(server.url + "/webhook", content=body)
        assert r.status_code == 400, name
        assert reason in r.json()["error"], (name, r.json())
    assert _files(server) == []
    assert httpx.post(server.url + "/webhook", content=payloads[0]).status_code == 200


@pytest.mark.parametrize("length", [b"\xc2\xb9", b"\xb9", b"-1", b"1e3", b"99999999999999999999"])
def test_odd_content_lengths_get_an_answer_not_a_crash(server, length: bytes) -> None:
    answer = _raw(server, _post(b"{}", length))
    assert answer.split(b" ")[1] in (b"400", b"411", b"413")
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_a_client_that_leaves_is_one_log_line(server, payloads, caplog) -> None:
    import logging

    with caplog.at_level(logging.INFO, logger="alertlens.receiver"):
        _raw(server, _post(b'{"alerts":', b"1000"), read=False)  # 10 of 1000 bytes, then gone
        _raw(server, _post(payloads[0]), read=False)  # does not wait for the 200
        deadline = __import__("time").monotonic() + 5
        while __import__("time").monotonic() < deadline and not any(
            "client left" in r.getMessage() for r in caplog.records
        ):
            __import__("time").sleep(0.05)
    assert any("client left after 10 of 1000 bytes" in r.getMessage() for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records)
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_stale_temp_files_are_removed_at_start(tmp_path: Path) -> None:
    import os

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    dead = inbox / ".am-20260101T000000.000000Z-999999999-000001.jsonl.tmp"
    mine = inbox / f".am-20260101T000000.000000Z-{os.getpid()}-000001.jsonl.tmp"
    other = inbox / ".notes.tmp"
    for f in (dead, mine, other):
        f.write_text("{")
    server = make_server(inbox, ReceiverSettings(port=0))
    server.server_close()
    assert not dead.exists() and not mine.exists() and other.exists()
    assert server.sink.swept == 2


def test_a_failed_write_leaves_no_temp_file(tmp_path: Path, payloads, monkeypatch) -> None:
    import os

    for server in _serve(tmp_path / "inbox"):
        real_fsync = os.fsync

        def full_disk(fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", full_disk)
        assert httpx.post(server.url + "/webhook", content=payloads[0]).status_code == 503
        monkeypatch.setattr(os, "fsync", real_fsync)
        assert list(server.sink.inbox.iterdir()) == []


# --- load and kill -9: nothing acknowledged is lost -----------------------------------------


@pytest.mark.realdata
def test_a_thousand_concurrent_posts_and_a_kill_9_lose_nothing_acknowledged(
    tmp_path: Path, realdata: Path
) -> None:
    """1,000 real captured bodies (and 100 invalid ones) posted by 32 threads at a receiver
    process that is SIGKILLed mid-way, then restarted: every body that got a 200 is in the
    inbox byte for byte and ingests; no invalid body was acknowledged; no temp file is left."""
    import concurrent.futures as cf
    import os
    import re
    import signal
    import subprocess
    import sys

    from alertlens.ingest.lake import Lake
    from alertlens.ingest.service import ingest_paths

    bodies = (realdata / "captured-prometheus-alertmanager" / "webhooks.jsonl").read_bytes()
    real = [line + b"\n" for line in bodies.splitlines()]
    posts = []
    for i in range(1000):  # each body made unique, so each stored file can be told apart
        posts.append(real[i % len(real)].replace(b'"receiver":"', b'"receiver":"n%04d-' % i, 1))
    invalid = [b"x" * 10, b'{"version":"4","alerts":[1]}'] * 50
    inbox = tmp_path / "inbox"

    def start() -> tuple[subprocess.Popen[bytes], str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "alertlens.flows.cli", "receive", "--port", "0",
             "--inbox", str(inbox)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=tmp_path,
        )
        assert proc.stdout is not None
        url = re.search(rb"(http://\S+)/webhook", proc.stdout.readline())
        assert url is not None
        return proc, url.group(1).decode()

    proc, url = start()
    acked: list[bytes] = []
    refused_invalid = 0
    with httpx.Client(base_url=url, limits=httpx.Limits(max_connections=32)) as http:

        def post(body: bytes) -> tuple[bytes, int]:
            try:
                return body, http.post("/webhook", content=body, timeout=30).status_code
            except httpx.HTTPError:
                return body, -1

        with cf.ThreadPoolExecutor(32) as pool:
            mixed = [b for i in range(100) for b in (*posts[6 * i : 6 * i + 6], invalid[i])]
            futures = [pool.submit(post, b) for b in mixed]
            for n, future in enumerate(cf.as_completed(futures)):
                body, status = future.result()
                if n == 400:
                    os.kill(proc.pid, signal.SIGKILL)
                if status == 200:
                    acked.append(body)
                elif body in invalid and status == 400:
                    refused_invalid += 1
    proc.wait(10)
    proc, url = start()  # the restart sweeps what the killed one left half-written
    with httpx.Client(base_url=url) as http, cf.ThreadPoolExecutor(32) as pool:
        results = pool.map(lambda b: (b, http.post("/webhook", content=b).status_code), posts[600:])
        acked += [b for b, status in results if status == 200]
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    stored = {f.read_bytes() for f in inbox.iterdir() if not f.name.startswith(".")}
    assert len(acked) >= 600 and not [b for b in acked if b in invalid]
    assert {b.strip() + b"\n" for b in acked} <= stored  # 0 acknowledged payloads lost
    assert not [f for f in inbox.iterdir() if f.name.startswith(".")]
    reports = ingest_paths(Lake(tmp_path / "lake"), [inbox], strict=False)
    assert all(r.status == "ingested" and r.quarantined == 0 for r in reports)
    assert refused_invalid > 0
