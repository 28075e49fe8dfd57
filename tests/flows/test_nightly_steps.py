"""The engine-free parts of a nightly run: settings, the run summary, the webhook, the run lock."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from alertlens.flows.commands.nightly import run_lock
from alertlens.flows.config import (
    Config,
    ConfigError,
    NightlySettings,
    config_from_tables,
    load_config,
)
from alertlens.flows.nightly_steps import (
    PullOutcome,
    post_webhook,
    run_markdown,
    webhook_payload,
)
from alertlens.ingest.metrics_schema import Duration
from alertlens.ingest.schema import Summary
from alertlens.ingest.service import FileReport
from alertlens.ingest.settings_table import settings_from_table

SUMMARY = {
    Summary.alerts: 61,
    Summary.incidents: 60,
    Summary.weeks: 12,
    Summary.review_week: "2026-W47",
    Summary.review_week_ended: True,
    Summary.first_week: "2026-W36",
    Summary.last_week: "2026-W47",
    Summary.noise_share: 0.787,
    Summary.pages_per_week: 5.0,
    Summary.projected_pages_per_week_after_fixes: 1.08,
    Summary.mtta_seconds: {Duration.median: 234.0},
    Summary.mttr_seconds: {Duration.median: 714.5},
    Summary.not_counted: {Summary.alerts: 3, Summary.incidents: 2},
}
FILES = [
    FileReport("a.json", "x", "pagerduty", "pagerduty.incidents", 10, 8, 1, 1),
    FileReport("b.json", "y", "", "", 0, 0, 0, 0, status="already"),
]


def test_settings_defaults_and_refusals() -> None:
    assert settings_from_table(NightlySettings, {}, "nightly") == NightlySettings()
    table = {"pull": ["pagerduty"], "dask_workers": 2}
    assert settings_from_table(NightlySettings, table, "nightly").dask_workers == 2
    with pytest.raises(ValueError, match="unknown key"):
        settings_from_table(NightlySettings, {"pulls": ["pagerduty"]}, "nightly")
    with pytest.raises(ValueError, match="cannot pull"):
        settings_from_table(NightlySettings, {"pull": ["nagios"]}, "nightly")
    with pytest.raises(ValueError, match="prometheus_url"):
        settings_from_table(NightlySettings, {"pull": ["prometheus"]}, "nightly")
    with pytest.raises(ValueError, match="pull_retries"):
        settings_from_table(NightlySettings, {"pull_retries": -1}, "nightly")
    with pytest.raises(ValueError, match="dask_workers"):
        config_from_tables({"nightly": {"dask_workers": "two"}})


def test_a_bad_value_anywhere_in_the_file_is_one_line_naming_file_key_and_value(
    tmp_path: Path,
) -> None:
    path = tmp_path / "alertlens.toml"
    path.write_text('[sources.servicenow]\ndate_format = 5\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    message = str(caught.value)
    assert str(path) in message and "date_format = 5" in message and "string" in message
    assert "\n" not in message
    path.write_text('[nightly]\npul = ["pagerduty"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'pul'"):
        load_config(path, env={})
    path.write_text("[noise]\ntransient_minutes = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="transient_minutes = -1"):
        load_config(path, env={})
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path, env={})
    path.write_text("[responders]\nalice = \"Mars/Base\"\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="alice = 'Mars/Base'"):
        load_config(path, env={})
    assert load_config(None, env={}) == Config()


def test_run_markdown_has_the_headline_and_the_accounting() -> None:
    text = run_markdown(
        SUMMARY, FILES, [PullOutcome("pagerduty", error="HTTP 401")], "r/report.html"
    )
    assert "Review week: 2026-W47; counted 12 weeks, 2026-W36 to 2026-W47" in text
    assert "Alerts: 61, incidents: 60 in those weeks" in text
    assert "Noise share: 78.7%" in text
    assert "Pages per week: 5.00 now, 1.08 after the recommended fixes" in text
    assert ("Time to acknowledge (median): 3.9\u00a0min, time to resolve, auto-resolved aside "
            "(median): 11.9\u00a0min") in text
    assert "Not counted yet (week in progress): 3 alerts, 2 incidents" in text
    assert (
        "Ingested 1 new file(s): 8 records accepted, 1 quarantined, 1 deduplicated, 0 skipped."
        in text
    )
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
