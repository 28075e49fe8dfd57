"""``alertlens pull``: fetch recent records from a live API into the inbox, then ingest them."""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.flows.errors import UsageError

if TYPE_CHECKING:
    from alertlens.flows.config import Config
    from alertlens.ingest.pull.http import PullResult, PullSettings

_RELATIVE = re.compile(r"(\d+(?:\.\d+)?)\s*([hd])")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command and its three sources."""
    p = sub.add_parser(
        "pull",
        help="fetch recent records from PagerDuty, Opsgenie or Prometheus",
        description="Fetch records from a live API, write the raw pages to the inbox unchanged, "
        "then ingest them. Tokens come only from the environment. Without --since the window "
        "is the last [pull] window_hours (48 h), which a nightly re-pull should cover.",
    )
    sources = p.add_subparsers(dest="pull_source", required=True, metavar="SOURCE")
    pd = sources.add_parser(
        "pagerduty",
        help="incidents, their alerts and log entries (REST API v2)",
        description="Needs PAGERDUTY_API_TOKEN (a REST API key, read-only is enough).",
    )
    og = sources.add_parser(
        "opsgenie",
        help="alerts and their activity logs (Alert API v2)",
        description="Needs OPSGENIE_API_KEY (an API integration key with read access).",
    )
    og.add_argument("--eu", action="store_true", help="use the EU region (api.eu.opsgenie.com)")
    pr = sources.add_parser(
        "prometheus",
        help='ALERTS{alertstate="firing"} samples and active alerts',
        description="Optional PROMETHEUS_BEARER_TOKEN when the server needs one.",
    )
    pr.add_argument("--url", required=True, help="Prometheus base URL, e.g. http://127.0.0.1:9090")
    pr.add_argument("--step", type=int, help="query_range step in seconds (default [pull])")
    for q in (pd, og, pr):
        q.add_argument("--since", help="window start: ISO-8601 with offset, or 48h / 7d back")
        q.add_argument("--until", help="window end (default: now)")
        q.add_argument("--inbox", type=Path, help="where pages go (default: [paths] inbox)")
        q.add_argument("--lake", type=Path, help="lake to ingest into (default: [paths] lake)")
        q.add_argument("--no-ingest", action="store_true", help="only write the pages")
        q.set_defaults(handler=run)


def when(text: str, now: datetime) -> datetime:
    """A UTC time from ISO-8601 text with an offset, or ``<n>h`` / ``<n>d`` before ``now``."""
    m = _RELATIVE.fullmatch(text.strip())
    if m:
        n = float(m.group(1))
        return now - (timedelta(hours=n) if m.group(2) == "h" else timedelta(days=n))
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as err:
        raise UsageError(f"{text!r} is not an ISO-8601 time or a span like 48h") from err
    if t.tzinfo is None:
        raise UsageError(f"{text!r} has no UTC offset; add Z or +hh:mm")
    return t.astimezone(UTC)


def run(args: argparse.Namespace, config: Config) -> int:
    """Pull, write, ingest; prints what was fetched and ingested."""
    from alertlens.ingest.pull.http import MissingSecret, PullError, default_since

    settings = config.pull
    now = datetime.now(UTC)
    until = when(args.until, now) if args.until else now
    since = when(args.since, now) if args.since else default_since(until, settings.window_hours)
    if since >= until:
        raise UsageError(f"--since {since:%Y-%m-%dT%H:%M:%SZ} is not before --until")
    inbox = args.inbox or config.inbox
    try:
        result = _pull(args, settings, inbox, since, until, now)
    except MissingSecret as err:
        raise UsageError(str(err)) from err
    except PullError as err:
        print(f"alertlens: pull {args.pull_source} failed: {err}", file=sys.stderr)
        return 1
    print(result.summary())
    if args.no_ingest or not result.files:
        return 0
    return _ingest(result.files, args.lake or config.lake, config)


def _pull(
    args: argparse.Namespace,
    settings: PullSettings,
    inbox: Path,
    since: datetime,
    until: datetime,
    now: datetime,
) -> PullResult:
    from alertlens.ingest.pull import opsgenie, pagerduty, prometheus
    from alertlens.ingest.pull.http import token_from_env

    if args.pull_source == "pagerduty":
        token = token_from_env(pagerduty.TOKEN_ENV)
        with pagerduty.client(settings, token) as api:
            return pagerduty.pull(api, inbox, since, until, started=now)
    if args.pull_source == "opsgenie":
        key = token_from_env(opsgenie.KEY_ENV)
        with opsgenie.client(settings, key, eu=args.eu) as api:
            return opsgenie.pull(api, inbox, since, until, started=now)
    bearer = os.environ.get(prometheus.TOKEN_ENV) or None
    with prometheus.client(settings, args.url, token=bearer) as api:
        return prometheus.pull(api, inbox, since, until, step=args.step, started=now)


def _ingest(files: list[Path], lake_dir: Path, config: Config) -> int:
    # imported here: the lake and readers are only needed once there is something to read
    from alertlens.flows.console import console, ingest_table
    from alertlens.ingest.lake import Lake
    from alertlens.ingest.service import ingest_paths

    reports = ingest_paths(Lake(lake_dir), files, config_sources=config.sources)
    console.print(ingest_table(reports))
    return 0
