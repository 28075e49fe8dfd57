"""Typed settings of the incident metrics, from the ``[metrics]`` and ``[responders]`` tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

MODES: Final = ("pagerduty", "opsgenie")
WEEK: Final = pd.Timedelta(days=7)
FOUR_WEEKS: Final = pd.Timedelta(days=28)
QUARTER_HOUR: Final = pd.Timedelta(minutes=15)


class SettingsError(ValueError):
    """A ``[metrics]`` or ``[responders]`` value is unknown or malformed."""


@dataclass(frozen=True)
class MetricsSettings:
    """How incident metrics are computed. Every field has a documented default (docs/config.md).

    Durations are pandas Timedeltas; hours are local clock hours 0–24 in each responder's zone.
    """

    mode: str = "pagerduty"
    recurrence_window: pd.Timedelta = WEEK
    fix_quiet_period: pd.Timedelta = FOUR_WEEKS
    business_start_hour: int = 8
    business_end_hour: int = 18
    sleep_start_hour: int = 22
    sleep_end_hour: int = 8
    responder_timezones: Mapping[str, str] = field(default_factory=dict)
    default_timezone: str = "UTC"
    timezone: str = "UTC"  # the organisation's zone: weeks run Monday to Sunday on its clock
    notification_dedup_window: pd.Timedelta = QUARTER_HOUR
    shift_start_hour: int = 8
    shift_hours: int = 12
    sre_budget: int = 2
    burnout_weeks: int = 4
    burnout_sleep_per_week: float = 2.0
    burnout_over_budget_shifts: int = 2
    alpha: float = 0.05
    mttr_min_resolved_share: float = 0.9
    trend_min_weeks: int = 6
    trend_weeks: int = 12
    fast_mtta: pd.Timedelta = QUARTER_HOUR
    alert_reported_share: float = 0.5
    runbook_share: float = 0.5
    max_noise_share: float = 0.3
    postmortem_share: float = 0.8
    top_n: int = 10

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise SettingsError(f"[metrics] mode must be one of {MODES}, got {self.mode!r}")
        for name in ("business_start_hour", "business_end_hour", "sleep_start_hour",
                     "sleep_end_hour", "shift_start_hour"):
            if not 0 <= getattr(self, name) <= 24:
                raise SettingsError(f"[metrics] {name} must be an hour 0–24")
        if not 0 <= self.mttr_min_resolved_share <= 1:
            raise SettingsError("[metrics] mttr_min_resolved_share must be between 0 and 1")
        if not 0 < self.alpha < 1:
            raise SettingsError("[metrics] alpha must be between 0 and 1")
        if self.shift_hours <= 0 or 24 % self.shift_hours:
            raise SettingsError("[metrics] shift_hours must divide 24 (e.g. 8, 12, 24)")
        if self.trend_weeks < 1:
            raise SettingsError("[metrics] trend_weeks must be a positive number of weeks")
        for zone in (self.timezone, self.default_timezone, *self.responder_timezones.values()):
            _check_zone(zone)

    def zone_of(self, user: str | None) -> str:
        """The IANA zone of ``user``, else the default zone."""
        return self.responder_timezones.get(user or "", self.default_timezone)

    @classmethod
    def from_mapping(
        cls, metrics: Mapping[str, Any] | None = None, responders: Mapping[str, Any] | None = None
    ) -> MetricsSettings:
        """Settings from the ``[metrics]`` table and the ``[responders]`` table (user -> zone).

        ``default_timezone`` may sit in either table (``[responders]`` wins). Unknown
        ``[metrics]`` keys are rejected; durations are ``pd.Timedelta`` text ("7D", "15min").
        """
        metrics = dict(metrics or {})
        responders = dict(responders or {})
        known = {f.name for f in fields(cls)} - {"responder_timezones"}
        unknown = sorted(set(metrics) - known)
        if unknown:
            raise SettingsError(f"[metrics] unknown key(s) {unknown}; known keys: {sorted(known)}")
        kwargs: dict[str, Any] = {}
        defaults = cls()
        for name, value in metrics.items():
            if isinstance(getattr(defaults, name), pd.Timedelta):
                try:
                    kwargs[name] = pd.Timedelta(value)
                except ValueError as err:
                    raise SettingsError(f"[metrics] {name}: not a duration: {value!r}") from err
            else:
                kwargs[name] = _typed(name, value, type(getattr(defaults, name)))
        default_zone = responders.pop("default_timezone", kwargs.pop("default_timezone", "UTC"))
        bad = [user for user, zone in responders.items() if not isinstance(zone, str)]
        if bad:
            raise SettingsError(f"[responders] values must be IANA zone names; bad users {bad}")
        kwargs.setdefault("timezone", default_zone)  # the organisation's zone defaults to it
        return cls(**kwargs, responder_timezones=responders, default_timezone=default_zone)


def _typed(name: str, value: Any, kind: type) -> Any:
    """``value`` checked against the default's type (an int is accepted where a float is)."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SettingsError(f"[metrics] {name} must be {kind.__name__}, got {value!r}")
    return value


def _check_zone(zone: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise SettingsError(f"unknown time zone {zone!r}") from err
