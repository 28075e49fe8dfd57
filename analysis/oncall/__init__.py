"""On-call load: interruptions per responder in their own time zone, shifts over the SRE budget
and burnout risk. Entry: :func:`oncall_load`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from alertlens.analysis.oncall.load import (
    burnout_risk,
    interruptions,
    load_per_responder_week,
    shift_load,
)
from alertlens.analysis.settings import MetricsSettings

__all__ = ["OnCallLoad", "oncall_load"]


@dataclass(frozen=True)
class OnCallLoad:
    """Interruptions one per row, per responder and week, per shift, and who is at risk."""

    interruptions: pd.DataFrame
    weekly: pd.DataFrame
    shifts: pd.DataFrame
    burnout_risk: pd.DataFrame


def oncall_load(
    notifications: pd.DataFrame, weeks: list[str], settings: MetricsSettings
) -> OnCallLoad:
    """The on-call load of the people ``notifications`` reached over the counted ``weeks``."""
    interrupts = interruptions(notifications, settings)
    weekly = load_per_responder_week(interrupts, settings)
    return OnCallLoad(
        interruptions=interrupts,
        weekly=weekly,
        shifts=shift_load(interrupts, settings),
        burnout_risk=burnout_risk(weekly, weeks, settings),
    )
