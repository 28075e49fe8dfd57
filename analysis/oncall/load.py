"""On-call load: interruptions per responder, when they land, and who is at risk of burning out.

An *interruption* is a ``notify`` event addressed to a person over a channel that demands
attention (anything but email). The same notification fanned out over several channels —
push, then SMS, then a phone call — counts once: notifications to one person about one incident
(or alert) within ``notification_dedup_window`` of the first one fold into one interruption.
Each interruption is placed in the responder's own time zone and classed as business hours,
off hours or sleep hours (sleep wins over the other two where they overlap). Its week is the ISO
week of the organisation's zone (``[metrics] timezone``), like every other weekly figure.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.calendar import iso_week
from alertlens.analysis.settings import MetricsSettings
from alertlens.ingest.metrics_schema import BurnoutRisk, Interruptions, OncallWeekly, ShiftLoad
from alertlens.ingest.schema import Notifications

NOTIFY: Final = "notify"
BUSINESS: Final = OncallWeekly.business
OFF_HOURS: Final = OncallWeekly.off_hours
SLEEP: Final = OncallWeekly.sleep
UNKNOWN_CHANNEL: Final = "unknown"
_I = Interruptions
_INTERRUPTION_COLUMNS = [_I.user, _I.at, _I.target, _I.channels, _I.notifications, _I.local_time,
                         _I.timezone, _I.weekday, _I.hour, _I.week, _I.period, _I.shift_start]
_CHANNEL: Final = Notifications.channel
_CLUSTER: Final = "cluster"


def person_notifications(notifications: pd.DataFrame) -> pd.DataFrame:
    """``notify`` events to a named person over a non-email channel."""
    if notifications.empty:
        return notifications
    return notifications[_to_a_person(notifications)]


def has_person_notifications(notifications: pd.DataFrame) -> bool:
    """Whether any notification went to a person (``person_notifications`` is not empty),
    without copying them."""
    return not notifications.empty and bool(_to_a_person(notifications).any())


def _to_a_person(notifications: pd.DataFrame) -> np.ndarray:
    # on the column's own strings: a missing channel is no mail (turning 3.6M channels into
    # Python objects cost more than the test)
    channel = notifications[Notifications.channel].astype("str")
    mail = channel.str.lower().str.contains("mail", regex=False)
    wanted = (
        (notifications[Notifications.kind] == NOTIFY).fillna(False).to_numpy(dtype=bool)
        & notifications[Notifications.user].notna().to_numpy()
        & ~mail.fillna(False).to_numpy(dtype=bool)
    )
    return np.asarray(wanted, dtype=bool)


def interruptions(notifications: pd.DataFrame, settings: MetricsSettings) -> pd.DataFrame:
    """One row per interruption (``Interruptions``): user, at (UTC), target, channels,
    notifications, local_time, timezone, weekday and hour (local), week (the organisation's),
    period, shift_start (local)."""
    sent = person_notifications(notifications)
    if sent.empty:
        return _empty_interruptions()
    target = sent[Notifications.incident_id].fillna(sent[Notifications.alert_id])
    # Unlinked notifications cannot be matched to each other, so each is its own target.
    target = target.astype(object).where(target.notna(), "event:" + sent[Notifications.event_id])
    frame = pd.DataFrame({_I.user: sent[Notifications.user].astype(str), _I.target: target,
                          _I.at: sent[Notifications.at],
                          _CHANNEL: sent[Notifications.channel].astype(object)
                          .fillna(UNKNOWN_CHANNEL)})
    frame = frame.sort_values([_I.user, _I.target, _I.at, _CHANNEL], kind="mergesort")
    frame[_CLUSTER] = _clusters(frame, settings.notification_dedup_window)
    folded = frame.groupby(_CLUSTER, sort=False).agg(**{
        _I.user: (_I.user, "first"), _I.target: (_I.target, "first"), _I.at: (_I.at, "min"),
        _I.notifications: (_CHANNEL, "size"),
    })
    folded.insert(3, _I.channels, _joined_channels(frame).reindex(folded.index))
    folded = folded.sort_values([_I.at, _I.user, _I.target], kind="mergesort")
    return _placed_in_local_time(folded.reset_index(drop=True), settings)


def _joined_channels(frame: pd.DataFrame) -> pd.Series:
    """Per cluster: its distinct channels, sorted and joined by commas. Most clusters have
    one channel, which needs no join (a Python call per cluster is the slow part)."""
    pairs = pd.DataFrame({
        _CLUSTER: frame[_CLUSTER].to_numpy(),
        _CHANNEL: frame[_CHANNEL].astype(str).to_numpy(dtype=object),
    }).drop_duplicates().sort_values([_CLUSTER, _CHANNEL], kind="mergesort")
    several = pairs[_CLUSTER].duplicated(keep=False).to_numpy()
    one = pairs[~several].set_index(_CLUSTER)[_CHANNEL]
    many = pairs[several].groupby(_CLUSTER, sort=False)[_CHANNEL].agg(",".join)
    return pd.concat([one, many])


def _empty_interruptions() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in _INTERRUPTION_COLUMNS})
    frame[_I.at] = pd.Series(dtype="datetime64[us, UTC]")
    return frame


def _clusters(frame: pd.DataFrame, window: pd.Timedelta) -> np.ndarray:
    users, targets = frame[_I.user].to_numpy(), frame[_I.target].to_numpy()
    times = frame[_I.at].to_numpy(dtype="datetime64[us]").astype("int64")
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
    zones = folded[_I.user].map(settings.zone_of)
    parts = []
    for zone, group in folded.groupby(zones, sort=True):
        local = group[_I.at].dt.tz_convert(zone)
        naive = local.dt.tz_localize(None)
        hours = naive.dt.hour
        business = ((naive.dt.day_of_week < 5) & (hours >= settings.business_start_hour)
                    & (hours < settings.business_end_hour))
        period = np.where(_is_sleep(hours, settings), SLEEP,
                          np.where(business, BUSINESS, OFF_HOURS))
        shift = (naive - pd.Timedelta(hours=settings.shift_start_hour)).dt.floor(
            f"{settings.shift_hours}h") + pd.Timedelta(hours=settings.shift_start_hour)
        parts.append(group.assign(**{
            _I.local_time: naive.dt.strftime("%Y-%m-%dT%H:%M:%S"), _I.timezone: zone,
            _I.weekday: naive.dt.day_of_week.astype("int64"), _I.hour: hours.astype("int64"),
            _I.week: iso_week(group[_I.at], settings.timezone), _I.period: period,
            _I.shift_start: shift.dt.strftime("%Y-%m-%dT%H:%M"),
        }))
    placed = pd.concat(parts).sort_values([_I.at, _I.user, _I.target], kind="mergesort")
    return placed.reset_index(drop=True)[_INTERRUPTION_COLUMNS]


def _is_sleep(hours: pd.Series, settings: MetricsSettings) -> np.ndarray:
    start, end = settings.sleep_start_hour, settings.sleep_end_hour
    if start > end:  # wraps midnight, e.g. 22–08
        return ((hours >= start) | (hours < end)).to_numpy()
    return ((hours >= start) & (hours < end)).to_numpy()


def shift_load(interrupts: pd.DataFrame, settings: MetricsSettings) -> pd.DataFrame:
    """``ShiftLoad``: user, shift_start, week, incidents (distinct targets), over_budget."""
    grouped = interrupts.groupby([_I.user, _I.shift_start], sort=True)
    table = grouped.agg(**{ShiftLoad.week: (_I.week, "first"),
                           ShiftLoad.incidents: (_I.target, "nunique")}).reset_index()
    table[ShiftLoad.over_budget] = table[ShiftLoad.incidents] > settings.sre_budget
    return table


def load_per_responder_week(interrupts: pd.DataFrame, settings: MetricsSettings) -> pd.DataFrame:
    """``OncallWeekly`` per responder and week: interruptions, business, off_hours, sleep,
    disrupted_hours, shifts_over_budget."""
    w = OncallWeekly
    columns = [w.user, w.week, w.interruptions, w.business, w.off_hours, w.sleep,
               w.disrupted_hours, w.shifts_over_budget]
    if interrupts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if i < 2 else "int64")
                             for i, c in enumerate(columns)})
    counts = pd.crosstab([interrupts[_I.user], interrupts[_I.week]], interrupts[_I.period])
    counts = counts.reindex(columns=[BUSINESS, OFF_HOURS, SLEEP], fill_value=0)
    counts[w.interruptions] = counts.sum(axis=1)
    hours = interrupts[_I.local_time].str[:13]
    counts[w.disrupted_hours] = hours.groupby([interrupts[_I.user], interrupts[_I.week]]).nunique()
    shifts = shift_load(interrupts, settings)
    over = shifts[shifts[ShiftLoad.over_budget]].groupby([ShiftLoad.user, ShiftLoad.week]).size()
    counts[w.shifts_over_budget] = over.reindex(counts.index, fill_value=0)
    table = counts.rename_axis([w.user, w.week]).reset_index()
    table.columns.name = None
    return table[columns].astype({c: "int64" for c in columns[2:]})


def burnout_risk(weekly: pd.DataFrame, weeks: list[str], settings: MetricsSettings) -> pd.DataFrame:
    """``BurnoutRisk`` per responder over the last ``burnout_weeks`` counted weeks: weeks,
    interruptions, sleep and off-hours interruptions per week, shifts over budget, at_risk and
    the evidence in words.

    At risk: sleep-hour interruptions average at least ``burnout_sleep_per_week`` per week, or
    at least ``burnout_over_budget_shifts`` shifts went over the SRE budget in those weeks.
    """
    b = BurnoutRisk
    recent = weeks[-settings.burnout_weeks:]
    last = weekly[weekly[OncallWeekly.week].isin(recent)]
    rows = []
    for user, group in last.groupby(OncallWeekly.user, sort=True):
        n = len(recent)
        sleep = float(group[SLEEP].sum()) / n
        over = int(group[OncallWeekly.shifts_over_budget].sum())
        reasons = []
        if sleep >= settings.burnout_sleep_per_week:
            reasons.append(f"{sleep:.1f} sleep-hour interruptions a week over the last {n} "
                           f"weeks (limit {settings.burnout_sleep_per_week:g})")
        if over >= settings.burnout_over_budget_shifts:
            reasons.append(f"{over} shifts above {settings.sre_budget} incidents per "
                           f"{settings.shift_hours}h in the last {n} weeks (limit "
                           f"{settings.burnout_over_budget_shifts})")
        rows.append({b.user: user, b.weeks: n,
                     b.interruptions_per_week: float(group[OncallWeekly.interruptions].sum()) / n,
                     b.sleep_per_week: sleep,
                     b.off_hours_per_week: float(group[OFF_HOURS].sum()) / n,
                     b.shifts_over_budget: over, b.at_risk: bool(reasons),
                     b.reasons: "; ".join(reasons)})
    columns = [b.user, b.weeks, b.interruptions_per_week, b.sleep_per_week, b.off_hours_per_week,
               b.shifts_over_budget, b.at_risk, b.reasons]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values([b.at_risk, b.sleep_per_week, b.user],
                             ascending=[False, False, True], ignore_index=True)
