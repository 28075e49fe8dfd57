"""ISO weeks as the review names them ("2026-W47"): parsing, and the default week to review."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class ReviewError(ValueError):
    """The review cannot be made from what is in the lake (empty lake, bad week)."""


def week_start(week: str) -> date:
    """The Monday of ISO week ``week`` ("2026-W47"); ReviewError when it is no such week.

    >>> week_start("2026-W47")
    datetime.date(2026, 11, 16)
    """
    match = _WEEK.match(week)
    if not match:
        raise ReviewError(f"week must look like 2026-W47, got {week!r}")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as err:
        raise ReviewError(f"{week} is not an ISO week ({err})") from err


def last_complete_week(latest: pd.Timestamp) -> str:
    """The last complete ISO week of data whose newest record is ``latest``: its own week when
    it falls on that week's Sunday (the day is covered), else the week before."""
    day = latest.tz_convert("UTC")
    if day.isoweekday() != 7:
        day = day - pd.Timedelta(days=7)
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def weeks_up_to(week: str, count: int) -> list[str]:
    """The ``count`` ISO weeks ending with ``week``, oldest first."""
    monday = pd.Timestamp(week_start(week))
    return [
        f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}"
        for d in (monday - pd.Timedelta(weeks=k) for k in range(count - 1, -1, -1))
    ]
