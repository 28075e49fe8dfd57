"""Shared pull helpers: settings, Retry-After, atomic writes, the trailing window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alertlens.ingest.pull.http import (
    PullSettings,
    default_since,
    halves,
    retry_after_seconds,
    write_raw,
)
from alertlens.ingest.settings_table import settings_from_table


def test_settings_from_mapping_and_unknown_keys() -> None:
    s = settings_from_table(PullSettings, {"window_hours": 24, "page_limit": 50}, "pull")
    assert s.window_hours == 24.0 and s.page_limit == 50
    with pytest.raises(ValueError, match=r"unknown key.*windw_hours"):
        settings_from_table(PullSettings, {"windw_hours": 1}, "pull")
    with pytest.raises(ValueError, match="page_limit"):
        settings_from_table(PullSettings, {"page_limit": "many"}, "pull")


def test_default_since_is_48h_back_in_utc() -> None:
    now = datetime(2026, 11, 27, 2, tzinfo=UTC)
    assert default_since(now) == datetime(2026, 11, 25, 2, tzinfo=UTC)
    assert default_since(now).tzinfo is not None


def test_retry_after_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 27, 2, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Fri, 27 Nov 2026 02:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_halves_split_at_the_midpoint() -> None:
    lo, hi = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    (a, b), (c, d) = halves(lo, hi)
    assert (a, b, c, d) == (lo, lo + timedelta(hours=12), lo + timedelta(hours=12), hi)


def test_write_raw_is_atomic_and_leaves_no_temp(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "inbox", "x.json", b'{"a": 1}')
    assert path.read_bytes() == b'{"a": 1}'
    assert [p.name for p in path.parent.iterdir()] == ["x.json"]
