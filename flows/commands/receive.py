"""``alertlens receive``: an HTTP endpoint that lands Alertmanager webhooks in the inbox."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.ingest.secrets import RECEIVER_TOKEN_ENV as TOKEN_ENV

if TYPE_CHECKING:
    from alertlens.flows.config import Config


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "receive",
        help="receive Alertmanager webhooks into the inbox",
        description="Serve POST /webhook (and /) for Alertmanager webhook_configs; every payload "
        "is written durably to the inbox before the 200. GET /healthz for probes. With "
        f"{TOKEN_ENV} set, requests need 'Authorization: Bearer <token>'. "
        "The next `alertlens nightly` or `ingest` reads the files.",
    )
    p.add_argument("--host", help="address to listen on (default [receiver] host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default [receiver] port, 9095; 0 = any)")
    p.add_argument("--inbox", type=Path, help="where payloads go (default: [paths] inbox)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Serve until SIGTERM / Ctrl-C."""
    from alertlens.flows.config import ConfigError
    from alertlens.ingest.receiver import make_server, serve_until_signalled
    from alertlens.ingest.settings_table import SettingsError, overridden

    try:
        settings = overridden(config.receiver, "receiver", host=args.host, port=args.port)
    except SettingsError as err:
        raise ConfigError(f"{config.path}: {err}") from err
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    inbox = args.inbox or config.inbox
    token = os.environ.get(TOKEN_ENV, "").strip() or None
    try:
        server = make_server(inbox, settings, token)
    except OSError as err:
        raise ConfigError(f"cannot listen on {settings.host}:{settings.port}: {err}") from err
    auth = "bearer token required" if token else "no auth"
    print(
        f"receiving Alertmanager webhooks at {server.url}/webhook into {inbox} ({auth})", flush=True
    )
    serve_until_signalled(server)
    print(f"stopped; {server.sink.stored} payload(s) stored", flush=True)
    return 0
