"""Docs stay honest: every configuration key a component reads is documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.settings import MetricsSettings
from alertlens.flows.nightly_steps import NightlySettings
from alertlens.flows.serve import ScheduleSettings
from alertlens.ingest.pull.http import PullSettings
from alertlens.ingest.receiver import ReceiverSettings
from alertlens.reports.settings import ReportSettings
from alertlens.synthetic.settings import GeneratorSettings

CONFIG_DOC = (Path(__file__).resolve().parents[1] / "docs" / "config.md").read_text()
SECTIONS = [
    ("noise", NoiseThresholds),
    ("metrics", MetricsSettings),
    ("nightly", NightlySettings),
    ("report", ReportSettings),
    ("schedule", ScheduleSettings),
    ("pull", PullSettings),
    ("receiver", ReceiverSettings),
    ("generate", GeneratorSettings),
]
#: Fields filled from another table: responder zones come from [responders], one key a user.
FROM_ELSEWHERE = {"responder_timezones"}


@pytest.mark.parametrize(("section", "settings"), SECTIONS, ids=[s for s, _ in SECTIONS])
def test_every_key_is_in_docs_config(section: str, settings: type) -> None:
    assert f"[{section}]" in CONFIG_DOC
    missing = [
        name
        for name in (f.name for f in dataclasses.fields(settings))
        if name not in FROM_ELSEWHERE
        and f"`{name}`" not in CONFIG_DOC
        and f"`{section}.{name}`" not in CONFIG_DOC
    ]
    assert missing == []
