"""Generated worlds ship an alertlens.toml with every responder's zone, and it loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alertlens.flows.config import load_config

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.mark.parametrize("scenario", ["unlucky-team", "multi-team"])
def test_sample_config_names_every_responder(scenario: str) -> None:
    config = load_config(SAMPLES / scenario / "alertlens.toml", env={})
    settings = config.metrics
    truth = json.loads((SAMPLES / scenario / "ground_truth.json").read_text())
    zones = {r["name"]: r["time_zone"] for t in truth["teams"] for r in t["responders"]}
    assert dict(settings.responder_timezones) == zones
    assert config.source_options("alertmanager") == {"paging_receivers": ["*-pager"]}
