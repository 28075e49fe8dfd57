"""Rules that fire on a schedule: found through a daylight-saving jump, not found in office
hours, in a flapping burst or in too few firings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alertlens.analysis.noise.schedule import HOUR_NS, rayleigh_p, schedules

DAY_NS = 24 * HOUR_NS
START = pd.Timestamp("2026-09-01", tz="UTC").value


def _found(times: np.ndarray) -> tuple[float, np.ndarray]:
    out = schedules(np.zeros(len(times), dtype=np.int64), times.astype(np.int64), 1)
    return float(out.period_hours[0]), out.on_schedule


def test_a_nightly_job_is_daily_even_across_a_daylight_saving_jump() -> None:
    rng = np.random.default_rng(1)
    days = np.arange(60)
    runtime = rng.lognormal(np.log(15 * 60e9), 0.3, len(days))
    # 02:10 local: 00:10 UTC before the clocks go back, 01:10 UTC after
    shift = np.where(days < 45, 0, HOUR_NS)
    times = START + days * DAY_NS + int(10 * 60e9) + shift + runtime.astype(np.int64)
    period, on = _found(times)
    assert period == 24.0 and on.mean() > 0.95


def test_a_job_every_three_hours_on_weekdays() -> None:
    days = [d for d in range(40) if (pd.Timestamp(START) + pd.Timedelta(days=d)).weekday() < 5]
    times = np.array([START + d * DAY_NS + h * HOUR_NS for d in days for h in (9, 12, 15)])
    period, _ = _found(times + int(7 * 60e9))
    assert period == 3.0


def test_office_hours_faults_are_no_schedule() -> None:
    rng = np.random.default_rng(2)
    days = rng.integers(0, 80, 60)
    hours = rng.uniform(9, 18, 60)
    times = START + days * DAY_NS + (hours * HOUR_NS).astype(np.int64)
    period, on = _found(times)
    assert np.isnan(period) and not on.any()


def test_a_flapping_burst_is_no_schedule() -> None:
    times = START + np.arange(30) * int(3 * 60e9)  # every 3 minutes for an hour and a half
    period, _ = _found(times)
    assert np.isnan(period)


def test_too_few_firings_cannot_show_a_schedule() -> None:
    times = START + np.arange(4) * DAY_NS
    out = schedules(np.zeros(4, dtype=np.int64), times, 1)
    assert not out.testable.any() and np.isnan(out.period_hours[0])


def test_rayleigh_p_value() -> None:
    assert rayleigh_p(0.0, 10) == 1.0
    assert rayleigh_p(0.95, 20) < 1e-6 < rayleigh_p(0.3, 20)
