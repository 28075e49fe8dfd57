"""Weeks and periods as the review counts them.

A week is an ISO week (Monday to Sunday, "2026-W47") of the organisation's time zone
(``[metrics] timezone``, default UTC): a record belongs to the week of its creation time on that
zone's clock. The counted history runs from the first week holding a record to the reviewed week;
the reviewed week is, by default, the newest week that has ended by the clock and holds data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

import pandas as pd

WEEK_PATTERN: Final = re.compile(r"^(\d{4})-W(\d{2})$")
DAY: Final = pd.Timedelta(days=1)
SEVEN_DAYS: Final = pd.Timedelta(days=7)


class ReviewError(ValueError):
    """The review cannot be made from what is in the lake (empty lake, bad or uncovered week)."""


def iso_week(times: pd.Series, timezone: str = "UTC") -> pd.Series:
    """The ISO week label ("2026-W47") of each aware timestamp on ``timezone``'s clock; None
    where the time is missing."""
    if times.empty:
        return pd.Series([], index=times.index, dtype=object)
    cal = times.dt.tz_convert(timezone).dt.isocalendar()
    labels = cal.year.astype("string") + "-W" + cal.week.astype("string").str.zfill(2)
    weeks: pd.Series = labels.astype(object).where(times.notna(), None)
    return weeks


def week_monday(week: str) -> date:
    """The Monday of ISO week ``week``; ReviewError when it is no such week.

    >>> week_monday("2026-W47")
    datetime.date(2026, 11, 16)
    """
    match = WEEK_PATTERN.match(week)
    if not match:
        raise ReviewError(f"week must look like 2026-W47, got {week!r}")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as err:
        raise ReviewError(f"{week} is not an ISO week ({err})") from err


def week_of(day: date) -> str:
    """The ISO week label of ``day``."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def week_start(week: str, timezone: str = "UTC") -> pd.Timestamp:
    """Monday 00:00 of ``week`` on ``timezone``'s clock, as an aware timestamp."""
    return pd.Timestamp(week_monday(week)).tz_localize(timezone)


def week_range(first: str, last: str) -> list[str]:
    """Every ISO week label from ``first`` to ``last`` inclusive (empty when last < first)."""
    start, end = week_monday(first), week_monday(last)
    count = (end - start).days // 7 + 1
    return [week_of(date.fromordinal(start.toordinal() + 7 * k)) for k in range(max(count, 0))]


def weeks_up_to(week: str, count: int) -> list[str]:
    """The ``count`` ISO weeks ending with ``week``, oldest first."""
    monday = week_monday(week).toordinal()
    return [week_of(date.fromordinal(monday - 7 * k)) for k in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class Period:
    """A reviewed span of time: [start, end) on the organisation's clock."""

    start: pd.Timestamp  # aware, inclusive
    end: pd.Timestamp  # aware, exclusive
    label: str  # "2026-W47" or "2026-10-01 to 2026-10-31"
    week: str | None = None  # the ISO week when the period is exactly one

    @property
    def previous(self) -> Period:
        """The period of the same length just before this one."""
        length = self.end - self.start
        start = self.start - length
        last = (self.start - DAY).date()
        week = None if self.week is None else week_of(start.date())
        label = week or f"{start.date().isoformat()} to {last.isoformat()}"
        return Period(start, self.start, label, week)

    @property
    def last_week(self) -> str:
        """The ISO week holding the period's last day."""
        return week_of((self.end - DAY).date())

    @property
    def first_week(self) -> str:
        """The ISO week holding the period's first day."""
        return week_of(self.start.date())


def week_period(week: str, timezone: str = "UTC") -> Period:
    """ISO week ``week`` as a period on ``timezone``'s clock."""
    start = week_start(week, timezone)
    end = (pd.Timestamp(week_monday(week)) + SEVEN_DAYS).tz_localize(timezone)
    return Period(start, end, week, week)


def day_period(since: date, until: date, timezone: str = "UTC") -> Period:
    """The days ``since`` to ``until`` inclusive on ``timezone``'s clock."""
    if until < since:
        raise ReviewError(f"--until {until} is before --since {since}")
    start = pd.Timestamp(since).tz_localize(timezone)
    end = (pd.Timestamp(until) + DAY).tz_localize(timezone)
    return Period(start, end, f"{since.isoformat()} to {until.isoformat()}")


@dataclass(frozen=True)
class History:
    """The weeks a review counts: from the first week holding a record to the reviewed week."""

    weeks: tuple[str, ...]  # every counted week, oldest first, gaps included
    data_weeks: tuple[str, ...]  # the first and last week holding any record
    as_of: pd.Timestamp | None  # the newest time in the data: still-open work is censored here
    timezone: str

    @property
    def first_week(self) -> str | None:
        """The first counted week."""
        return self.weeks[0] if self.weeks else None

    @property
    def last_week(self) -> str | None:
        """The last counted week (the reviewed one)."""
        return self.weeks[-1] if self.weeks else None


def ended_week(now: pd.Timestamp, timezone: str = "UTC") -> str:
    """The newest ISO week that has ended by ``now`` on ``timezone``'s clock."""
    local = now.tz_convert(timezone)
    return week_of((local - SEVEN_DAYS).date())


def default_week(created: pd.Series, now: pd.Timestamp, timezone: str = "UTC") -> str:
    """The newest week that has ended by ``now`` and holds a record created in it.

    Raises ReviewError when there is no record, or none before the week in progress."""
    weeks = iso_week(created.dropna(), timezone)
    if weeks.empty:
        raise ReviewError("the lake has no alerts or incidents to report on")
    ended = ended_week(now, timezone)
    done = weeks[weeks <= ended]
    if done.empty:
        first = str(weeks.min())
        raise ReviewError(
            f"no week with data has ended yet: the data starts in {first}, which ends on "
            f"{(week_start(first, timezone) + pd.Timedelta(days=6)).date()}; "
            f"review it so far with --week {first}"
        )
    return str(done.max())


def history(created: pd.Series, last_week: str, timezone: str = "UTC",
            as_of: pd.Timestamp | None = None) -> History:
    """The counted weeks ending with ``last_week``. Raises ReviewError when ``last_week`` lies
    outside the weeks the data covers."""
    weeks = iso_week(created.dropna(), timezone)
    if weeks.empty:
        raise ReviewError("the lake has no alerts or incidents to report on")
    first, newest = str(weeks.min()), str(weeks.max())
    week_monday(last_week)
    if not first <= last_week <= newest:
        raise ReviewError(
            f"{last_week} is outside the data, which covers {first} to {newest}"
        )
    return History(tuple(week_range(first, last_week)), (first, newest), as_of, timezone)


def check_period(period: Period, data_weeks: tuple[str, str]) -> None:
    """ReviewError unless ``period`` overlaps the weeks the data covers."""
    first, newest = data_weeks
    if period.last_week < first or period.first_week > newest:
        raise ReviewError(
            f"{period.label} is outside the data, which covers {first} to {newest}"
        )
