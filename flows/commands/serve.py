"""``alertlens serve``: run the nightly flow on a cron schedule as a Prefect deployment."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.flows.errors import UsageError

if TYPE_CHECKING:
    from alertlens.flows.config import Config


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "serve",
        help="run nightly on a schedule (a long-running Prefect deployment)",
        description="Serve the nightly flow as a Prefect deployment on a cron schedule and keep "
        "running. With PREFECT_API_URL set, it registers with that server; otherwise it starts a "
        "local Prefect server on 127.0.0.1 (state in data/.prefect, or $PREFECT_HOME) and "
        "stops it on exit.",
    )
    p.add_argument("--cron", help='cron expression (default [schedule] cron, "0 2 * * *")')
    p.add_argument("--timezone", help="IANA zone the cron is read in (default UTC)")
    p.add_argument("--port", type=int, help="embedded Prefect server port (default 4200, 0 = any)")
    p.add_argument("--inbox", type=Path, help="inbox the nightly run reads")
    p.add_argument("--lake", type=Path, help="lake the nightly run writes")
    p.add_argument("--out", type=Path, help="reports directory")
    p.add_argument("--flow", help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Serve until SIGTERM / Ctrl-C."""
    from alertlens.flows.config import ConfigError
    from alertlens.flows.serve import NIGHTLY_ENTRY, ServeError, run_served
    from alertlens.ingest.settings_table import SettingsError, overridden

    try:
        settings = overridden(
            config.schedule, "schedule", cron=args.cron, timezone=args.timezone,
            server_port=args.port,
        )
    except SettingsError as err:
        raise ConfigError(f"{config.path}: {err}") from err
    lake = (args.lake or config.lake).resolve()
    parameters = {
        "inbox": str((args.inbox or config.inbox).resolve()),
        "lake": str(lake),
        "out": str((args.out or config.reports).resolve()),
        "config_path": str(config.path.resolve()) if config.path else None,
    }
    api_url = os.environ.get("PREFECT_API_URL") or None
    home = Path(os.environ.get("PREFECT_HOME") or lake.parent / ".prefect")
    try:
        return run_served(args.flow or NIGHTLY_ENTRY, parameters, settings, home, api_url=api_url)
    except ServeError as err:
        raise UsageError(str(err)) from err
