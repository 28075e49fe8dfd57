"""The nightly flow as a Prefect deployment on a cron schedule, and the local Prefect server it
needs when none is configured.

Prefect will not schedule runs on its ephemeral (in-process) server, so ``alertlens serve``
without ``PREFECT_API_URL`` starts ``prefect server start`` on 127.0.0.1 as a child process
(state under ``PREFECT_HOME``), waits for ``/api/health``, serves the deployment, and stops the
server on exit. Prefect is imported lazily: only after the environment below is in place.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from alertlens.flows.config import ScheduleSettings

log = logging.getLogger("alertlens.serve")

NIGHTLY_ENTRY = "alertlens.flows.nightly:nightly_flow"

#: Offline and quiet: no telemetry heartbeat, no SDK analytics, a generous startup timeout.
PREFECT_QUIET_ENV: Mapping[str, str] = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


class ServeError(Exception):
    """The deployment cannot be served (bad flow entry point, server failed to start …)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def prefect_executable() -> list[str]:
    """The command that runs the ``prefect`` CLI of this Python environment."""
    beside = Path(sys.executable).with_name("prefect")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("prefect")
    if found:
        return [found]
    raise ServeError("the prefect CLI is not installed in this environment")


def prefect_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    """Environment variables for offline Prefect with its state in ``home``."""
    env = {**PREFECT_QUIET_ENV, "PREFECT_HOME": str(home.resolve())}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def server_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when the Prefect API at ``api_url`` answers its health check."""
    try:
        r = httpx.get(f"{api_url}/health", timeout=timeout)
    except httpx.HTTPError:
        return False
    return r.status_code == 200 and r.text.strip() == "true"


class LocalPrefectServer:
    """``prefect server start`` on 127.0.0.1 as a child process; a context manager."""

    def __init__(
        self, home: Path, port: int = 0, *, host: str = "127.0.0.1", startup_seconds: float = 120
    ) -> None:
        self.home = home
        self.host = host
        self.port = port or free_port(host)
        self.startup_seconds = startup_seconds
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = home / "server.log"

    @property
    def api_url(self) -> str:
        """The server's API URL (what ``PREFECT_API_URL`` must say)."""
        return f"http://{self.host}:{self.port}/api"

    def start(self) -> LocalPrefectServer:
        """Start the server and wait until it is healthy; ServeError when it does not come up."""
        self.home.mkdir(parents=True, exist_ok=True)
        if server_healthy(self.api_url):
            raise ServeError(f"something already serves {self.api_url}; pick another server_port")
        cmd = [*prefect_executable(), "server", "start", "--host", self.host]
        cmd += ["--port", str(self.port), "--analytics-off"]
        env = {**os.environ, **prefect_env(self.home)}
        env.pop("PREFECT_API_URL", None)
        with open(self.log_path, "ab") as out:
            # own session: stop() signals the server and its workers, and nothing else
            self.process = subprocess.Popen(
                cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServeError(f"prefect server exited early; see {self.log_path}")
            if server_healthy(self.api_url):
                log.info("prefect server healthy at %s (pid %d)", self.api_url, self.process.pid)
                return self
            time.sleep(0.5)
        self.stop()
        raise ServeError(f"prefect server not healthy after {self.startup_seconds:.0f} s")

    def stop(self, grace: float = 20.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``grace`` seconds)."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(5)

    def __enter__(self) -> LocalPrefectServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    # the group is the server's own session (start_new_session): nothing else is signalled
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def load_flow(entry: str) -> Any:
    """The flow object named by ``module:attribute``."""
    module_name, _, attr = entry.partition(":")
    if not module_name or not attr:
        raise ServeError(f"flow entry point {entry!r} must look like package.module:function")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ServeError(f"cannot import {module_name}: {err}") from err
    try:
        return getattr(module, attr)
    except AttributeError as err:
        raise ServeError(f"{module_name} has no {attr}") from err


def serve_deployment(
    entry: str,
    parameters: Mapping[str, Any],
    settings: ScheduleSettings,
    *,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve ``entry`` as a scheduled deployment until interrupted (blocks)."""
    from prefect.schedules import Cron  # lazy: prefect only once the environment is set

    flow = load_flow(entry)
    if not hasattr(flow, "serve"):
        raise ServeError(f"{entry} is not a Prefect flow")
    if on_ready is not None:
        on_ready()
    flow.serve(
        name=settings.deployment,
        schedules=[Cron(settings.cron, timezone=settings.timezone)],
        parameters=dict(parameters),
        pause_on_shutdown=False,
        print_starting_message=False,
    )


def run_served(
    entry: str,
    parameters: Mapping[str, Any],
    settings: ScheduleSettings,
    prefect_home: Path,
    *,
    api_url: str | None = None,
) -> int:
    """Serve the deployment against ``api_url``, or against an embedded local server when None;
    stops the embedded server on exit (SIGTERM or SIGINT)."""
    server: LocalPrefectServer | None = None
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if api_url is None:
            server = LocalPrefectServer(
                prefect_home, settings.server_port, startup_seconds=settings.server_startup_seconds
            ).start()
            api_url = server.api_url
        os.environ.update(prefect_env(prefect_home, api_url))
        print(
            f"serving {settings.deployment!r} ({settings.cron} {settings.timezone}) "
            f"against {api_url}; Ctrl-C stops",
            flush=True,
        )
        serve_deployment(entry, parameters, settings)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server is not None:
            server.stop()
    return 0


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
