"""Calendar arithmetic on int64 epoch milliseconds: hourly seasonality and on-call rotations."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

HOUR_MS: Final = 3_600_000
HANDOFF_HOUR: Final = 9  # rotations hand over on Monday 09:00 in the team's time zone

#: Relative firing intensity by (is_weekday, local hour) for each seasonality shape.
_DAY = np.arange(24)
_SHAPES: Final[dict[str, tuple[np.ndarray, np.ndarray]]] = {
    # (weekday weights by hour, weekend weights by hour)
    "business": (
        np.where((_DAY >= 9) & (_DAY < 18), 3.0, np.where((_DAY >= 7) & (_DAY < 22), 1.0, 0.3)),
        np.where((_DAY >= 9) & (_DAY < 20), 0.6, 0.25),
    ),
    "traffic": (
        np.where((_DAY >= 8) & (_DAY < 23), 1.6, 0.5),
        np.where((_DAY >= 10) & (_DAY < 23), 1.3, 0.5),
    ),
    "flat": (np.ones(24), np.ones(24)),
    "nightly": (
        np.where((_DAY >= 1) & (_DAY < 5), 6.0, 0.4),
        np.where((_DAY >= 1) & (_DAY < 5), 6.0, 0.4),
    ),
}


def local_calendar(ms: np.ndarray, time_zone: str) -> pd.DatetimeIndex:
    """The instants ``ms`` as wall-clock times in ``time_zone``."""
    return pd.DatetimeIndex(pd.to_datetime(ms, unit="ms", utc=True)).tz_convert(time_zone)


def hourly_shape(shape: str, bin_starts_ms: np.ndarray, time_zone: str) -> np.ndarray:
    """Weight of each hourly bin for ``shape`` in ``time_zone``, scaled to mean 1."""
    local = local_calendar(bin_starts_ms, time_zone)
    weekday, weekend = _SHAPES[shape]
    hours = np.asarray(local.hour)
    weights = np.where(np.asarray(local.day_of_week) < 5, weekday[hours], weekend[hours])
    return weights / weights.mean()


def local_hours(ms: np.ndarray, time_zone: str) -> np.ndarray:
    """Local hour of day (0-23) of each instant in ``time_zone``."""
    return np.asarray(local_calendar(ms, time_zone).hour)


def rotation_weeks(ms: np.ndarray, time_zone: str) -> np.ndarray:
    """Index of the on-call week each instant falls in (hand-over Monday 09:00 local time)."""
    local = local_calendar(ms, time_zone) - pd.Timedelta(hours=HANDOFF_HOUR)
    days = (local.tz_localize(None).normalize() - pd.Timestamp("1970-01-05")).days
    return np.asarray(days) // 7
