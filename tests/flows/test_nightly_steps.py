"""The engine-free parts of a nightly run: settings, the run summary, the webhook, the run lock."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from alertlens.flows.commands.nightly import run_lock
from alertlens.flows.config import Config, ConfigError
from alertlens.flows.nightly_steps import (
    NightlySettings,
    PullOutcome,
    nightly_settings,
    post_webhook,
    run_markdown,
    webhook_payload,
)
from alertlens.ingest.service import FileReport

SUMMARY = {
    "alerts": 61,
    "incidents": 60,
    "weeks": 12,
    "noise_share": 0.787,
    "pages_per_week": 5.0,
    "projected_pages_per_week_after_fixes": 1.08,
    "mtta_seconds": {"median": 234.0},
    "mttr_seconds": {"median": 498.0},
}
FILES = [
    FileReport("a.json", "x", "pagerduty", "pagerduty.incidents", 10, 8, 1, 1),
    FileReport("b.json", "y", "", "", 0, 0, 0, 0, skipped=True),
]


def test_settings_defaults_and_refusals() -> None:
    assert NightlySettings.from_mapping({}) == NightlySettings()
    assert (
        NightlySettings.from_mapping({"pull": ["pagerduty"], "dask_workers": 2}).dask_workers == 2
    )
    with pytest.raises(ValueError, match="unknown key"):
        NightlySettings.from_mapping({"pulls": ["pagerduty"]})
    with pytest.raises(ValueError, match="cannot pull"):
        NightlySettings.from_mapping({"pull": ["nagios"]})
    with pytest.raises(ValueError, match="prometheus_url"):
        NightlySettings.from_mapping({"pull": ["prometheus"]})
    with pytest.raises(ValueError, match="pull_retries"):
        NightlySettings.from_mapping({"pull_retries": -1})
    with pytest.raises(ConfigError, match="dask_workers"):
        nightly_settings(Config(sections={"nightly": {"dask_workers": "two"}}))


def test_run_markdown_has_the_headline_and_the_accounting() -> None:
    text = run_markdown(
        SUMMARY, FILES, [PullOutcome("pagerduty", error="HTTP 401")], "r/report.html"
    )
    assert "Noise share: 78.7%" in text
    assert "Pages per week: 5.00 now, 1.08 after the recommended fixes" in text
    assert "MTTA median: 3.9 min, MTTR median: 8.3 min" in text
    assert "Ingested 1 new file(s): 8 records accepted, 1 quarantined, 1 deduplicated." in text
    assert "pull pagerduty: FAILED: HTTP 401" in text
    assert "`r/report.html`" in text


def test_webhook_posts_slack_json_only_when_configured() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="ok")

    transport = httpx.MockTransport(handler)
    assert not post_webhook(Config(), SUMMARY, "r.html", [], env={}, transport=transport)
    assert seen == []
    url = "https://hooks.example.test/services/T0/B0/secret"
    assert post_webhook(
        Config(), SUMMARY, "r.html", [], env={"ALERTLENS_WEBHOOK_URL": url}, transport=transport
    )
    body = json.loads(seen[0].content)
    assert body == webhook_payload(SUMMARY, "r.html", [])
    assert body["text"].startswith("*alertlens nightly*") and "Report: r.html" in body["text"]


def test_a_failing_webhook_does_not_fail_the_run() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(500))
    env = {"ALERTLENS_WEBHOOK_URL": "https://hooks.example.test/x"}
    assert post_webhook(Config(), SUMMARY, None, [], env=env, transport=transport) is False


def test_a_second_run_waits_or_leaves(tmp_path: Path) -> None:
    with run_lock(tmp_path, wait=False) as first:
        assert first
        with run_lock(tmp_path, wait=False) as second:
            assert second is False
    with run_lock(tmp_path, wait=False) as again:
        assert again
