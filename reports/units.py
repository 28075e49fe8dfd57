"""One unit per figure: a set of durations is shown in the one time unit that suits its
largest value, so a card, a table column or a chart axis never mixes minutes with seconds."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class TimeUnit:
    """A unit of time: its short name and its length in seconds."""

    name: str
    seconds: float
    digits: int

    def of(self, seconds: float | None) -> str:
        """``seconds`` in this unit, e.g. ``4.2 min``; "–" when unknown."""
        if seconds is None or math.isnan(seconds):
            return "–"
        return f"{seconds / self.seconds:,.{self.digits}f}\u00a0{self.name}".replace(",", "\u202f")

    def value(self, seconds: float | None) -> str:
        """``seconds`` in this unit without the unit's name (a column header carries it)."""
        if seconds is None or math.isnan(seconds):
            return "–"
        return f"{seconds / self.seconds:,.{self.digits}f}".replace(",", "\u202f")

    def number(self, seconds: float | None) -> float:
        """``seconds`` as a number in this unit (NaN when unknown)."""
        return float("nan") if seconds is None else seconds / self.seconds


SECONDS: Final = TimeUnit("s", 1.0, 0)
MINUTES: Final = TimeUnit("min", 60.0, 1)
HOURS: Final = TimeUnit("h", 3600.0, 1)
DAYS: Final = TimeUnit("days", 86400.0, 1)


def time_unit(values: Iterable[float | None]) -> TimeUnit:
    """The unit for a set of durations: seconds below 2 minutes, minutes below 2 hours, hours
    below 2 days, else days (judged by the largest known value).

    >>> time_unit([45, 100]).name, time_unit([45, 3000]).name, time_unit([90000]).name
    ('s', 'min', 'h')
    """
    known = [abs(v) for v in values if v is not None and not math.isnan(v)]
    largest = max(known, default=0.0)
    if largest < 120:
        return SECONDS
    if largest < 7200:
        return MINUTES
    if largest < 172800:
        return HOURS
    return DAYS
