"""Engine-free pieces of the nightly run: which sources to pull, one pull, the run's markdown
summary, and the optional Slack-compatible webhook."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from alertlens.flows.config import Config
from alertlens.ingest.metrics_schema import Duration
from alertlens.ingest.pull import opsgenie, pagerduty, prometheus
from alertlens.ingest.pull.http import default_since, token_from_env
from alertlens.ingest.schema import Summary
from alertlens.ingest.secrets import WEBHOOK_URL_ENV
from alertlens.ingest.service import FileReport
from alertlens.reports.units import time_unit

WEBHOOK_ENV = WEBHOOK_URL_ENV


@dataclass(frozen=True)
class PullOutcome:
    """One source's pull in a nightly run."""

    source: str
    files: int = 0
    records: str = ""
    error: str | None = None

    @staticmethod
    def failed(source: str, message: str | None) -> PullOutcome:
        """The outcome of a pull that failed after its retries."""
        return PullOutcome(source, error=message or "failed")


def pull_source(
    source: str, inbox: Path, config: Config, now: datetime | None = None
) -> PullOutcome:
    """Pull the trailing window of ``source`` into ``inbox``; raises on failure (tasks retry)."""
    settings, nightly = config.pull, config.nightly
    until = now or datetime.now(UTC)
    since = default_since(until, settings.window_hours)
    if source == "pagerduty":
        with pagerduty.client(settings, token_from_env(pagerduty.TOKEN_ENV)) as api:
            result = pagerduty.pull(api, inbox, since, until, started=until)
    elif source == "opsgenie":
        with opsgenie.client(
            settings, token_from_env(opsgenie.KEY_ENV), eu=nightly.opsgenie_eu
        ) as api:
            result = opsgenie.pull(api, inbox, since, until, started=until)
    else:
        token = os.environ.get(prometheus.TOKEN_ENV) or None
        with prometheus.client(settings, nightly.prometheus_url, token=token) as api:
            result = prometheus.pull(api, inbox, since, until, started=until)
    records = ", ".join(f"{n} {k}" for k, n in result.records.items())
    return PullOutcome(source, len(result.files), records)


def _figure(summary: Mapping[str, Any], key: str) -> str:
    value = summary.get(key)
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def headline_lines(summary: Mapping[str, Any]) -> list[str]:
    """The few numbers a nightly summary shows, one line each: the same week, weeks and figures
    as summary.json and the report's headline."""
    share = summary.get(Summary.noise_share)
    week = summary.get(Summary.review_week)
    ended = "" if summary.get(Summary.review_week_ended, True) else " (not ended yet)"
    lines = [
        f"Review week: {week or 'n/a'}{ended}; counted {_figure(summary, Summary.weeks)} weeks, "
        f"{summary.get(Summary.first_week) or 'n/a'} to {summary.get(Summary.last_week) or 'n/a'}",
        f"Alerts: {_figure(summary, Summary.alerts)}, incidents: "
        f"{_figure(summary, Summary.incidents)} in those weeks",
        f"Noise share: {'n/a' if share is None else f'{100 * share:.1f}%'}",
        f"Pages per week: {_figure(summary, Summary.pages_per_week)} now, "
        f"{_figure(summary, Summary.projected_pages_per_week_after_fixes)} after the recommended "
        "fixes",
        f"Time to acknowledge (median): {_duration(summary, Summary.mtta_seconds)}, time to "
        f"resolve, auto-resolved aside (median): {_duration(summary, Summary.mttr_seconds)}",
    ]
    later = summary.get(Summary.not_counted) or {}
    if isinstance(later, Mapping) and (later.get(Summary.alerts) or later.get(Summary.incidents)):
        lines.append(f"Not counted yet (week in progress): {later.get(Summary.alerts, 0)} alerts,"
                     f" {later.get(Summary.incidents, 0)} incidents")
    return lines


def _duration(summary: Mapping[str, Any], key: str) -> str:
    value = summary.get(key)
    median = value.get(Duration.median) if isinstance(value, Mapping) else None
    if median is None:
        return "n/a"
    return time_unit([median]).of(median)


def run_markdown(
    summary: Mapping[str, Any],
    files: Sequence[FileReport],
    pulls: Sequence[PullOutcome],
    html: str | None,
) -> str:
    """The Prefect artifact of a run: headline numbers, what was ingested and pulled, the report."""
    new = [f for f in files if not f.already_ingested and not f.not_ingested]
    not_read = [f for f in files if f.not_ingested]
    lines = ["# alertlens nightly", "", *[f"- {line}" for line in headline_lines(summary)], ""]
    lines.append(
        f"Ingested {len(new)} new file(s): {sum(f.accepted for f in new)} records accepted, "
        f"{sum(f.quarantined for f in new)} quarantined, "
        f"{sum(f.deduplicated for f in new)} deduplicated, "
        f"{sum(f.skipped for f in new)} skipped."
    )
    if not_read:
        lines.append(f"{len(not_read)} file(s) not read:")
        lines += [f"- `{f.path}`: {f.status}: {f.reason}" for f in not_read]
    for p in pulls:
        lines.append(
            f"- pull {p.source}: "
            + (f"FAILED: {p.error}" if p.error else f"{p.files} page(s), {p.records}")
        )
    if html:
        lines += ["", f"Report: `{html}`"]
    return "\n".join(lines) + "\n"


def webhook_payload(
    summary: Mapping[str, Any], html: str | None, pulls: Sequence[PullOutcome]
) -> dict[str, Any]:
    """A Slack-compatible ``{"text": …}`` summary of the run."""
    lines = ["*alertlens nightly*", *headline_lines(summary)]
    lines += [f"pull {p.source} FAILED: {p.error}" for p in pulls if p.error]
    if html:
        lines.append(f"Report: {html}")
    return {"text": "\n".join(lines)}


def post_webhook(
    config: Config,
    summary: Mapping[str, Any],
    html: str | None,
    pulls: Sequence[PullOutcome],
    *,
    env: Mapping[str, str],
    transport: httpx.BaseTransport | None = None,
) -> bool:
    """POST the run's summary to ``$ALERTLENS_WEBHOOK_URL`` when set; True when it was sent.

    A failing webhook never fails the run: the report is already written."""
    url = env.get(WEBHOOK_ENV)
    if not url:
        return False
    try:
        with httpx.Client(timeout=10.0, transport=transport) as client:
            client.post(url, json=webhook_payload(summary, html, pulls)).raise_for_status()
    except httpx.HTTPError:
        return False
    return True
