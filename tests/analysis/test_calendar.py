"""Weeks on the organisation's clock, the default review week and the counted history."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from alertlens.analysis.calendar import (
    ReviewError,
    day_period,
    default_week,
    ended_week,
    history,
    iso_week,
    week_period,
    week_range,
    weeks_up_to,
)


def _times(*texts: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(texts), utc=True)).astype("datetime64[us, UTC]")


def test_a_record_belongs_to_the_week_of_its_local_date() -> None:
    late_sunday = _times("2026-11-22T23:30:00Z")
    assert iso_week(late_sunday).iloc[0] == "2026-W47"
    assert iso_week(late_sunday, "Europe/Berlin").iloc[0] == "2026-W48"  # Monday 00:30 there
    assert iso_week(_times()).empty


def test_the_sample_defaults_to_the_week_of_its_last_friday() -> None:
    """The shipped sample ends on Friday 20 Nov 2026; on 1 Dec the newest ended week with data
    is its own week, 2026-W47 (not W46: a week counts once it has ended, not once its Sunday
    holds a record)."""
    data = _times("2026-08-31T01:00:00Z", "2026-11-12T08:00:00Z", "2026-11-20T10:56:00Z")
    assert default_week(data, pd.Timestamp("2026-12-01T09:00Z")) == "2026-W47"
    assert default_week(data, pd.Timestamp("2026-11-21T09:00Z")) == "2026-W46"


def test_ended_week_is_judged_on_the_organisations_clock() -> None:
    now = pd.Timestamp("2026-11-22T23:30:00Z")  # Sunday in London, Monday in Berlin
    assert ended_week(now, "Europe/London") == "2026-W46"
    assert ended_week(now, "Europe/Berlin") == "2026-W47"


def test_without_an_ended_week_there_is_no_default() -> None:
    one_week = _times("2026-11-26T15:27:39Z")  # the captured Alertmanager run, a Thursday
    assert default_week(one_week, pd.Timestamp("2026-12-01T09:00Z")) == "2026-W48"
    with pytest.raises(ReviewError, match="review it so far with --week 2026-W48"):
        default_week(one_week, pd.Timestamp("2026-11-27T09:00Z"))
    with pytest.raises(ReviewError, match="no alerts or incidents"):
        default_week(_times(), pd.Timestamp("2026-11-27T09:00Z"))


def test_history_counts_every_week_from_the_first_record_to_the_reviewed_week() -> None:
    data = _times("2026-10-28T10:00Z", "2026-11-20T10:00Z")
    counted = history(data, "2026-W47", as_of=pd.Timestamp("2026-11-20T10:00Z"))
    assert counted.weeks == ("2026-W44", "2026-W45", "2026-W46", "2026-W47")
    assert counted.data_weeks == ("2026-W44", "2026-W47")
    for outside in ("2026-W43", "2026-W48", "2030-W01"):
        with pytest.raises(ReviewError, match="outside the data, which covers 2026-W44"):
            history(data, outside)


def test_week_helpers() -> None:
    assert week_range("2026-W52", "2027-W02") == ["2026-W52", "2026-W53", "2027-W01",
                                                  "2027-W02"]
    assert weeks_up_to("2027-W01", 3) == ["2026-W52", "2026-W53", "2027-W01"]
    berlin = week_period("2026-W47", "Europe/Berlin")
    assert berlin.start == pd.Timestamp("2026-11-16T00:00", tz="Europe/Berlin")
    assert berlin.previous.week == "2026-W46" and berlin.previous.end == berlin.start


def test_day_periods_and_the_period_before() -> None:
    october = day_period(date(2026, 10, 1), date(2026, 10, 31))
    assert october.label == "2026-10-01 to 2026-10-31"
    assert october.previous.label == "2026-08-31 to 2026-09-30"  # 31 days before
    assert (october.first_week, october.last_week) == ("2026-W40", "2026-W44")
    with pytest.raises(ReviewError, match="before"):
        day_period(date(2026, 10, 31), date(2026, 10, 1))
