"""On-call load: interruptions per responder, when they land, and who is at risk of burning out.

An *interruption* is a ``notify`` event addressed to a person over a channel that demands
attention (anything but email). The same notification fanned out over several channels —
push, then SMS, then a phone call — counts once: notifications to one person about one incident
(or alert) within ``notification_dedup_window`` of the first one fold into one interruption.
Each interruption is placed in the responder's own time zone and classed as business hours,
off hours or sleep hours (sleep wins over the other two where they overlap).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.population import iso_week
from alertlens.analysis.settings import MetricsSettings
from alertlens.ingest.schema import Notifications

BUSINESS: Final = "business"
OFF_HOURS: Final = "off_hours"
SLEEP: Final = "sleep"
_INTERRUPTION_COLUMNS = ["user", "at", "target", "channels", "notifications", "local_time",
                         "timezone", "week", "period", "shift_start"]


def person_notifications(notifications: pd.DataFrame) -> pd.DataFrame:
    """``notify`` events to a named person over a non-email channel."""
    if notifications.empty:
        return notifications
    channel = notifications[Notifications.channel].astype(object).fillna("").astype(str)
    wanted = (
        (notifications[Notifications.kind] == "notify")
        & notifications[Notifications.user].notna()
        & ~channel.str.lower().str.contains("mail")
    )
    return notifications[wanted]


def interruptions(notifications: pd.DataFrame, settings: MetricsSettings) -> pd.DataFrame:
    """One row per interruption: user, at (UTC), target, channels, notifications, local_time,
    timezone, week (ISO week of the local date), period, shift_start (local)."""
    sent = person_notifications(notifications)
    if sent.empty:
        return pd.DataFrame(columns=_INTERRUPTION_COLUMNS)
    target = sent[Notifications.incident_id].fillna(sent[Notifications.alert_id])
    # Unlinked notifications cannot be matched to each other, so each is its own target.
    target = target.astype(object).where(target.notna(), "event:" + sent[Notifications.event_id])
    frame = pd.DataFrame({"user": sent[Notifications.user].astype(str), "target": target,
                          "at": sent[Notifications.at],
                          "channel": sent[Notifications.channel].astype(object).fillna("unknown")})
    frame = frame.sort_values(["user", "target", "at", "channel"], kind="mergesort")
    frame["cluster"] = _clusters(frame, settings.notification_dedup_window)
    folded = frame.groupby("cluster", sort=False).agg(
        user=("user", "first"), target=("target", "first"), at=("at", "min"),
        channels=("channel", lambda c: ",".join(sorted(set(map(str, c))))),
        notifications=("channel", "size"),
    )
    folded = folded.sort_values(["at", "user", "target"], kind="mergesort").reset_index(drop=True)
    return _placed_in_local_time(folded, settings)


def _clusters(frame: pd.DataFrame, window: pd.Timedelta) -> np.ndarray:
    users, targets = frame["user"].to_numpy(), frame["target"].to_numpy()
    times = frame["at"].to_numpy(dtype="datetime64[us]").astype("int64")
    limit = int(window.total_seconds() * 1e6)
    labels = np.empty(len(frame), dtype=np.int64)
    label, start = -1, 0
    for i in range(len(frame)):
        same = i > 0 and users[i] == users[i - 1] and targets[i] == targets[i - 1]
        if not same or times[i] - start > limit:
            label, start = label + 1, times[i]
        labels[i] = label
    return labels


def _placed_in_local_time(folded: pd.DataFrame, settings: MetricsSettings) -> pd.DataFrame:
    zones = folded["user"].map(settings.zone_of)
    parts = []
    for zone, group in folded.groupby(zones, sort=True):
        local = group["at"].dt.tz_convert(zone)
        naive = local.dt.tz_localize(None)
        hours = naive.dt.hour
        business = ((naive.dt.day_of_week < 5) & (hours >= settings.business_start_hour)
                    & (hours < settings.business_end_hour))
        period = np.where(_is_sleep(hours, settings), SLEEP,
                          np.where(business, BUSINESS, OFF_HOURS))
        shift = (naive - pd.Timedelta(hours=settings.shift_start_hour)).dt.floor(
            f"{settings.shift_hours}h") + pd.Timedelta(hours=settings.shift_start_hour)
        parts.append(group.assign(
            local_time=naive.dt.strftime("%Y-%m-%dT%H:%M:%S"), timezone=zone,
            week=iso_week(naive.dt.tz_localize("UTC")), period=period,
            shift_start=shift.dt.strftime("%Y-%m-%dT%H:%M"),
        ))
    placed = pd.concat(parts).sort_values(["at", "user", "target"], kind="mergesort")
    return placed.reset_index(drop=True)[_INTERRUPTION_COLUMNS]


def _is_sleep(hours: pd.Series, settings: MetricsSettings) -> np.ndarray:
    start, end = settings.sleep_start_hour, settings.sleep_end_hour
    if start > end:  # wraps midnight, e.g. 22–08
        return ((hours >= start) | (hours < end)).to_numpy()
    return ((hours >= start) & (hours < end)).to_numpy()


def shift_load(interrupts: pd.DataFrame, settings: MetricsSettings) -> pd.DataFrame:
    """user, shift_start, week, incidents (distinct targets), over_budget (> sre_budget)."""
    grouped = interrupts.groupby(["user", "shift_start"], sort=True)
    table = grouped.agg(week=("week", "first"), incidents=("target", "nunique")).reset_index()
    table["over_budget"] = table["incidents"] > settings.sre_budget
    return table


def load_per_responder_week(interrupts: pd.DataFrame, settings: MetricsSettings) -> pd.DataFrame:
    """user, week, interruptions, business, off_hours, sleep, disrupted_hours and
    shifts_over_budget per responder and ISO week (of the local date)."""
    columns = ["user", "week", "interruptions", BUSINESS, OFF_HOURS, SLEEP, "disrupted_hours",
               "shifts_over_budget"]
    if interrupts.empty:
        return pd.DataFrame(columns=columns)
    counts = pd.crosstab([interrupts["user"], interrupts["week"]], interrupts["period"])
    counts = counts.reindex(columns=[BUSINESS, OFF_HOURS, SLEEP], fill_value=0)
    counts["interruptions"] = counts.sum(axis=1)
    hours = interrupts.assign(hour=interrupts["local_time"].str[:13])
    counts["disrupted_hours"] = hours.groupby(["user", "week"])["hour"].nunique()
    shifts = shift_load(interrupts, settings)
    over = shifts[shifts["over_budget"]].groupby(["user", "week"]).size()
    counts["shifts_over_budget"] = over.reindex(counts.index, fill_value=0)
    table = counts.reset_index()
    table.columns.name = None
    return table[columns].astype({c: "int64" for c in columns[2:]})


def burnout_risk(weekly: pd.DataFrame, weeks: list[str], settings: MetricsSettings) -> pd.DataFrame:
    """user, sleep_per_week, shifts_over_budget, interruptions_per_week, at_risk, reasons over the
    last ``burnout_weeks`` weeks.

    At risk: sleep-hour interruptions average at least ``burnout_sleep_per_week`` per week, or
    at least ``burnout_over_budget_shifts`` shifts went over the SRE budget in those weeks.
    """
    recent = weeks[-settings.burnout_weeks:]
    last = weekly[weekly["week"].isin(recent)]
    rows = []
    for user, group in last.groupby("user", sort=True):
        sleep = float(group[SLEEP].sum()) / len(recent)
        over = int(group["shifts_over_budget"].sum())
        reasons = []
        if sleep >= settings.burnout_sleep_per_week:
            reasons.append(f"{sleep:.1f} sleep-hour interruptions a week over the last "
                           f"{len(recent)} weeks (limit {settings.burnout_sleep_per_week:g})")
        if over >= settings.burnout_over_budget_shifts:
            reasons.append(f"{over} shifts above {settings.sre_budget} incidents per "
                           f"{settings.shift_hours}h in the last {len(recent)} weeks")
        rows.append({"user": user, "sleep_per_week": sleep, "shifts_over_budget": over,
                     "interruptions_per_week": float(group["interruptions"].sum()) / len(recent),
                     "at_risk": bool(reasons), "reasons": "; ".join(reasons)})
    columns = ["user", "sleep_per_week", "shifts_over_budget", "interruptions_per_week",
               "at_risk", "reasons"]
    return pd.DataFrame(rows, columns=columns)
