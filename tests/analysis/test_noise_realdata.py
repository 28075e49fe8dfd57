"""The noise analysis on the real Velocity NY 2013 PagerDuty stream (read in place from
/work/shared/realdata, never copied: it has no licence). Skipped when the folder is absent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alertlens.analysis.noise import NoiseThresholds, noise_analysis
from alertlens.analysis.noise.features import rate_column
from alertlens.analysis.noise.signals import FLAPPING
from alertlens.ingest.schema import Alerts, Rules
from tests.analysis.test_noise_frames import alerts_frame

HOURLY = NoiseThresholds(transient_minutes=60, flap_window_minutes=60, long_standing_hours=168)


def velocity_firings(path: Path) -> pd.DataFrame:
    """One firing per run of error/warning events of a name, resolved by its next success."""
    raw = pd.read_csv(path, skipfooter=1, engine="python")
    raw["ts"] = pd.to_datetime(raw["ts"], utc=True)
    raw = raw.sort_values(["name", "ts", "id"])
    problem = raw["typ"] != "success"
    starts = problem & ~(problem.groupby(raw["name"]).shift(1, fill_value=False))
    run = starts.cumsum()
    recovery = raw["ts"].where(~problem).groupby(raw["name"]).bfill()
    firings = raw[starts].assign(resolved=recovery[starts])
    rows = [
        {
            Alerts.alert_id: str(r.pd_id),
            Alerts.rule_key: r.name[:12],
            Alerts.service: r.service[:8],
            Alerts.team: r.service[:8],
            Alerts.created_at: r.ts,
            Alerts.resolved_at: None if pd.isna(r.resolved) else r.resolved,  # type: ignore[arg-type]
            Alerts.resolved_by: "unknown" if pd.isna(r.resolved) else "auto",  # type: ignore[arg-type]
        }
        for r in firings.itertuples()
    ]
    assert run.max() == len(rows)
    return alerts_frame(rows)


@pytest.mark.realdata
def test_velocity_stream_noise_profile(realdata: Path) -> None:
    path = realdata / "velocity2013-pagerduty-alerts" / "alerts.csv"
    if not path.is_file():
        pytest.skip("velocity2013 alerts.csv not present")
    alerts = velocity_firings(path)
    result = noise_analysis(alerts, None, thresholds=HOURLY)
    rules = result.rules.set_index(Rules.rule_key)
    assert 1000 <= len(alerts) <= 1100
    assert result.rules[Rules.is_noisy].sum() > len(rules) / 2
    # the rule that flaps most: re-fires within the hour of recovering in most of its firings
    flapper = rules[rules.index.str.startswith("521e4a9f")].iloc[0]
    assert flapper[rate_column(FLAPPING)] > 0.6
    assert flapper[Rules.recommendation_kind] == "add_for_duration"
    assert np.isclose(result.summary["noise_share"], result.alerts_scored["is_noise"].mean())
