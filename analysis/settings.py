"""Typed settings of the incident metrics, from the ``[metrics]`` and ``[responders]`` tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final

import pandas as pd
from pydantic import AfterValidator, Field, model_validator

from alertlens.ingest.settings_table import (
    Duration,
    Hour,
    PositiveInt,
    SettingsError,
    Share,
    TimeZone,
    one_of,
    settings_dataclass,
    settings_from_table,
)

MODES: Final = ("pagerduty", "opsgenie")
WEEK: Final = pd.Timedelta(days=7)
FOUR_WEEKS: Final = pd.Timedelta(days=28)
QUARTER_HOUR: Final = pd.Timedelta(minutes=15)

__all__ = ["MetricsSettings", "SettingsError", "metrics_settings"]


@settings_dataclass
class MetricsSettings:
    """How incident metrics are computed. Every field has a documented default (docs/config.md).

    Durations are pandas Timedeltas; hours are local clock hours 0–24 in each responder's zone.
    """

    mode: Annotated[str, AfterValidator(one_of(*MODES))] = "pagerduty"
    recurrence_window: Duration = WEEK
    fix_quiet_period: Duration = FOUR_WEEKS
    business_start_hour: Hour = 8
    business_end_hour: Hour = 18
    sleep_start_hour: Hour = 22
    sleep_end_hour: Hour = 8
    responder_timezones: Mapping[str, TimeZone] = Field(default_factory=dict)
    default_timezone: TimeZone = "UTC"
    timezone: TimeZone = "UTC"  # the organisation's: weeks run Monday to Sunday on its clock
    notification_dedup_window: Duration = QUARTER_HOUR
    shift_start_hour: Hour = 8
    shift_hours: PositiveInt = 12
    sre_budget: PositiveInt = 2
    burnout_weeks: PositiveInt = 4
    burnout_sleep_per_week: float = 2.0
    burnout_over_budget_shifts: PositiveInt = 2
    alpha: Annotated[float, Field(gt=0, lt=1)] = 0.05
    mttr_min_resolved_share: Share = 0.9
    trend_min_weeks: PositiveInt = 6
    trend_weeks: PositiveInt = 12
    fast_mtta: Duration = QUARTER_HOUR
    alert_reported_share: Share = 0.5
    runbook_share: Share = 0.5
    max_noise_share: Share = 0.3
    postmortem_share: Share = 0.8
    top_n: PositiveInt = 10

    @model_validator(mode="after")
    def _shift_divides_the_day(self) -> MetricsSettings:
        if 24 % self.shift_hours:
            raise ValueError("shift_hours must divide 24 (e.g. 8, 12, 24)")
        return self

    def zone_of(self, user: str | None) -> str:
        """The IANA zone of ``user``, else the default zone."""
        return self.responder_timezones.get(user or "", self.default_timezone)


def metrics_settings(
    metrics: Mapping[str, Any] | None = None, responders: Mapping[str, Any] | None = None
) -> MetricsSettings:
    """Settings from the ``[metrics]`` table and the ``[responders]`` table (user -> IANA zone,
    plus ``default_timezone``, which may also sit in ``[metrics]``; ``[responders]`` wins)."""
    table = dict(metrics or {})
    zones = dict(responders or {})
    if "responder_timezones" in table:
        raise SettingsError("[metrics] unknown key 'responder_timezones' (use [responders])")
    if "default_timezone" in zones:
        table["default_timezone"] = zones.pop("default_timezone")
    # The organisation's zone defaults to the responders' default one.
    table.setdefault("timezone", table.get("default_timezone", "UTC"))
    table["responder_timezones"] = zones
    try:
        return settings_from_table(MetricsSettings, table, "metrics")
    except SettingsError as err:
        message = str(err).replace("[metrics] responder_timezones.", "[responders] ")
        raise SettingsError(message) from None
