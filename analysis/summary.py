"""The headline summary that joins the noise analysis and the incident metrics."""

from __future__ import annotations

from typing import Any

import pandas as pd

from alertlens.analysis.incidents.frequency import week_range
from alertlens.analysis.incidents.population import iso_week
from alertlens.ingest.schema import Alerts, Incidents, Scored, Summary


def noise_share_by_week(alerts_scored: pd.DataFrame) -> pd.Series:
    """Share of alert firings judged noise, per ISO week ("2026-W47"), sorted by week."""
    if alerts_scored.empty:
        return pd.Series(dtype=float, name="noise_share")
    weeks = iso_week(alerts_scored[Alerts.created_at])
    share = alerts_scored[Scored.is_noise].astype(float).groupby(weeks).mean()
    return share.sort_index().rename("noise_share")


def weeks_observed(incidents: pd.DataFrame, alerts: pd.DataFrame) -> int:
    """ISO weeks from the first to the last incident or alert, gaps included: the one length of
    history that every per-week figure (pages, incidents, projections) divides by."""
    # Every incident and every alert is in the metrics' population or its alert weeks, so their
    # first and last times bound the same weeks without building the population twice.
    times = pd.concat([incidents[Incidents.created_at], alerts[Alerts.created_at]]).dropna()
    if times.empty:
        return 0
    weeks = iso_week(pd.Series([times.min(), times.max()]))
    return len(week_range(weeks.iloc[0], weeks.iloc[1]))


def combined_summary(noise: dict[str, Any], metrics: dict[str, Any], alerts: int) -> dict[str, Any]:
    """summary.json: the contract keys first, then every figure of both analyses.

    Noise figures (pages and incidents per week, their projection, noise share) come from the
    noise analysis; response times, weeks and incident counts from the metrics, which apply the
    documented population rules.
    """
    merged: dict[str, Any] = {**metrics, **{k: v for k, v in noise.items() if k not in ("weeks",)}}
    contract = {
        Summary.alerts: alerts,
        Summary.incidents: metrics.get("incidents"),
        Summary.weeks: metrics.get("weeks"),
        Summary.noise_share: noise.get(Summary.noise_share) if alerts else None,
        Summary.pages_per_week: noise.get(Summary.pages_per_week),
        Summary.projected_pages_per_week_after_fixes: noise.get(
            Summary.projected_pages_per_week_after_fixes
        ),
        Summary.incidents_per_week: noise.get(Summary.incidents_per_week),
        Summary.projected_incidents_per_week_after_fixes: noise.get(
            Summary.projected_incidents_per_week_after_fixes
        ),
        Summary.mtta_seconds: metrics.get(Summary.mtta_seconds),
        Summary.mttr_seconds: metrics.get(Summary.mttr_seconds),
    }
    return {**merged, **contract}
