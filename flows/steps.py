"""Engine-free pipeline steps. The CLI calls them directly (fast, no Prefect start-up); the
Prefect flows in flows/nightly.py wrap the same functions as tasks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from alertlens.analysis.metrics import MetricsSettings, incident_metrics
from alertlens.analysis.noise import noise_analysis
from alertlens.analysis.noise_thresholds import NoiseThresholds
from alertlens.analysis.overview import combined_summary, noise_share_by_week, weeks_observed
from alertlens.flows.config import Config, ConfigError
from alertlens.ingest.durable import atomic_write
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import (
    CORRELATION_FILE,
    WHATIF_FILE,
    Alerts,
    Incidents,
    Notifications,
    Rules,
    Scored,
    Summary,
)


@dataclass(frozen=True)
class AnalysisOutputs:
    """Where ``analyze`` wrote its results, and the summary it wrote."""

    directory: Path
    files: list[Path]
    summary: dict[str, Any]


def noise_thresholds(config: Config) -> NoiseThresholds:
    """The [noise] section as thresholds; a bad key is a configuration error."""
    try:
        return NoiseThresholds.from_mapping(config.section("noise"))
    except (ValueError, TypeError) as err:
        raise ConfigError(f"{config.path}: {err}") from err


def metrics_settings(config: Config) -> MetricsSettings:
    """The [metrics] and [responders] sections as settings."""
    try:
        return MetricsSettings.from_mapping(config.section("metrics"), config.section("responders"))
    except (ValueError, TypeError) as err:
        raise ConfigError(f"{config.path}: {err}") from err


def analyze(lake: Lake, config: Config) -> AnalysisOutputs:
    """Run the noise analysis and the incident metrics over the lake; write ``<lake>/analysis/``:
    alerts_scored.parquet, rules.parquet, correlation.parquet, whatif.parquet, one parquet per
    metrics table, and summary.json."""
    alerts = lake.read(Alerts.table)
    incidents = lake.read(Incidents.table)
    notifications = lake.read(Notifications.table)
    weeks = weeks_observed(incidents, alerts) or None
    noise = noise_analysis(
        alerts, notifications, incidents, thresholds=noise_thresholds(config), weeks=weeks
    )
    metrics = incident_metrics(
        incidents,
        alerts,
        notifications,
        settings=metrics_settings(config),
        noise_share_by_week=noise_share_by_week(noise.alerts_scored),
    )
    summary = combined_summary(noise.summary, metrics.summary, alerts=len(alerts))
    tables = {
        Scored.file.removesuffix(".parquet"): noise.alerts_scored,
        Rules.file.removesuffix(".parquet"): noise.rules,
        CORRELATION_FILE.removesuffix(".parquet"): noise.correlation,
        WHATIF_FILE.removesuffix(".parquet"): noise.whatif,
        **metrics.tables,
    }
    files = write_analysis(lake, tables, summary)
    return AnalysisOutputs(lake.analysis_dir, files, summary)


def write_analysis(
    lake: Lake, tables: dict[str, pd.DataFrame], summary: dict[str, Any]
) -> list[Path]:
    """Write each table as ``<name>.parquet`` and the summary as summary.json, each atomically,
    under the lake's writer lock."""
    out = lake.analysis_dir
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with lake.locked():
        for name, frame in tables.items():
            written.append(
                atomic_write(
                    out / f"{name}.parquet", frame.reset_index(drop=True).to_parquet(index=False)
                )
            )
        text = json.dumps(summary, indent=2, sort_keys=False, default=str) + "\n"
        written.append(atomic_write(out / Summary.file, text.encode()))
    return written
