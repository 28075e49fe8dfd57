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
        (b'{"version": "4", "alerts": {}}', "alerts"),
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
