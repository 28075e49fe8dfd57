"""Rules that fire on a schedule: a cron job's report, a nightly backup's "done" page.

A rule fires on a schedule when its firing times, folded onto a candidate period (an hour to a
week), bunch at one phase far beyond chance, by either of two tests (Bonferroni over both, the
periods and the daylight-saving tries): the Rayleigh test of the phases' mean resultant length R
(Zar's approximation of its p-value) with R at least ``MIN_RESULTANT`` (a tight schedule, not
office hours), or the scan statistic of the most firings inside one ``SCAN_WINDOW`` of the
period (Wallenstein's approximation), which five runs of a nightly job already pass; and it
fires about once per cycle (a flapping burst fires many times in one cycle). The period kept is
the one that puts the most firings on schedule, the longest of those (a nightly job is also
"hourly": its minute never changes). A firing is *on schedule* when its
phase lies within three circular standard deviations of the rule's mean phase.

A cron job runs in its zone's local time, so when daylight saving time starts or ends its UTC
phase jumps by one hour once. The test therefore also tries, for every split of the time-sorted
firings, shifting the later ones by one hour either way (prefix sums make that one vectorised
pass), and pays for the extra tries in the p-value.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Final

import numpy as np
import pandas as pd

HOUR_NS: Final = 3_600 * 10**9
#: Candidate periods, in hours.
PERIODS_H: Final = (1, 2, 3, 4, 6, 8, 12, 24, 168)
#: Fewer firings than this cannot show a schedule.
MIN_FIRINGS: Final = 5
MIN_RESULTANT: Final = 0.8
MAX_P_VALUE: Final = 1e-3
#: Share of a scheduled rule's firings that must fall in distinct cycles (one run per slot).
ONE_PER_CYCLE: Final = 0.6
#: An on-schedule phase window never narrower than this (clock jitter, job run times).
MIN_TOLERANCE_NS: Final = 10 * 60 * 10**9
#: The scan test's window: a job's start jitter and run time.
SCAN_WINDOW_NS: Final = 30 * 60 * 10**9
#: A period is tested only when it spans this many units of the times' resolution.
RESOLUTION_CYCLES: Final = 24


@dataclass(frozen=True)
class Schedule:
    """Per alert: whether its rule could be tested and whether the firing was on schedule;
    per rule code: the period found (hours, NaN when none)."""

    testable: np.ndarray
    on_schedule: np.ndarray
    period_hours: np.ndarray


def rayleigh_p(resultant: float, n: int) -> float:
    """P-value of the Rayleigh test for mean resultant length ``resultant`` of ``n`` phases."""
    z = n * resultant**2
    value = np.exp(np.sqrt(1 + 4 * n + 4 * (n**2 - (n * resultant) ** 2)) - (1 + 2 * n))
    return float(min(max(value, 0.0), 1.0)) if n > 0 and z > 0 else 1.0


def schedules(
    codes: np.ndarray,
    times_ns: np.ndarray,
    n_rules: int,
    resolution_minutes: np.ndarray | None = None,
) -> Schedule:
    """The schedule of every rule (``codes`` per alert, ``times_ns`` epoch nanoseconds). A
    period shorter than ``RESOLUTION_CYCLES`` times the resolution the times are recorded at
    (``resolution_minutes`` per alert: an export bucketed by the hour) is not tested: bucketed
    times bunch at one phase by construction."""
    n = len(codes)
    testable = np.zeros(n, dtype=bool)
    on = np.zeros(n, dtype=bool)
    period = np.full(n_rules, np.nan)
    if n == 0:
        return Schedule(testable, on, period)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(n_rules + 1))
    for rule in range(n_rules):
        members = order[bounds[rule] : bounds[rule + 1]]
        if len(members) < MIN_FIRINGS:
            continue
        testable[members] = True
        coarsest = float(resolution_minutes[members].max()) if resolution_minutes is not None else 0
        found = _period(times_ns[members], coarsest * RESOLUTION_CYCLES / 60)
        if found is None:
            continue
        hours, hit = found
        period[rule] = hours
        on[members] = hit
    return Schedule(testable, on, period)


def scan_p(count: int, n: int, width: float) -> float:
    """P-value of ``count`` of ``n`` uniform phases falling in one arc of ``width`` (a share of
    the circle): Wallenstein's approximation n C(n-1, count-1) width^(count-1)."""
    if count < 2:
        return 1.0
    return float(min(1.0, n * comb(n - 1, count - 1) * width ** (count - 1)))


def _densest_arc(theta: np.ndarray, width: float) -> tuple[int, float]:
    """(most phases inside one arc of ``width`` radians, the mean phase of those)."""
    phases = np.sort(np.mod(theta, 2 * np.pi))
    doubled = np.concatenate([phases, phases + 2 * np.pi])
    ends = np.searchsorted(doubled, phases + width, side="right")
    counts = ends - np.arange(len(phases))
    k = int(np.argmax(counts))
    inside = doubled[k : k + int(counts[k])]
    return int(counts[k]), float(np.angle(np.exp(1j * inside).mean()))


def _phases(times: np.ndarray, p_ns: int) -> tuple[np.ndarray, int]:
    """Phases (radians) of the time-sorted ``times`` on period ``p_ns``, with the one-hour
    daylight-saving jump that concentrates them most applied (and how many shifts were tried)."""
    theta = 2 * np.pi * (times % p_ns) / p_ns
    if p_ns <= HOUR_NS:
        return theta, 1  # an hour's shift is a whole period
    z = np.exp(1j * theta)
    before = np.concatenate([[0], np.cumsum(z)])
    after = before[-1] - before
    best_r, best = float(np.abs(before[-1])), theta
    for step in (1, -1):
        turn = np.exp(1j * 2 * np.pi * step * HOUR_NS / p_ns)
        r = np.abs(before + turn * after)
        k = int(np.argmax(r))
        if r[k] > best_r + 1e-9:
            shifted = theta.copy()
            shifted[k:] = shifted[k:] + 2 * np.pi * step * HOUR_NS / p_ns
            best_r, best = float(r[k]), shifted
    return best, 2 * len(times) + 1


def _period(times: np.ndarray, shortest_hours: float = 0.0) -> tuple[float, np.ndarray] | None:
    """(period hours, on-schedule mask) of the longest significant period of at least
    ``shortest_hours``, or None."""
    n = len(times)
    order = np.argsort(times, kind="stable")
    times = times[order]
    best: tuple[float, np.ndarray] | None = None
    for hours in PERIODS_H:
        if hours < shortest_hours:
            continue
        p_ns = hours * HOUR_NS
        theta, tries = _phases(times, p_ns)
        penalty = 2 * len(PERIODS_H) * tries
        mean = np.exp(1j * theta).mean()
        resultant = float(np.abs(mean))
        tight = resultant >= MIN_RESULTANT and rayleigh_p(resultant, n) * penalty <= MAX_P_VALUE
        width = min(2 * np.pi * SCAN_WINDOW_NS / p_ns, np.pi / 2)
        count, centre = _densest_arc(theta, width)
        scanned = count >= MIN_FIRINGS and scan_p(count, n, width / (2 * np.pi)) * penalty <= (
            MAX_P_VALUE
        )
        if not (tight or scanned):
            continue
        if tight:
            spread = np.sqrt(-2 * np.log(max(resultant, 1e-12)))  # circular standard deviation
            centre, tolerance = float(np.angle(mean)), 3 * spread
        else:
            tolerance = width / 2
        tolerance = max(tolerance, 2 * np.pi * MIN_TOLERANCE_NS / p_ns)
        distance = np.abs(np.angle(np.exp(1j * (theta - centre))))
        hit = distance <= tolerance
        cycles = len(np.unique(times[hit] // p_ns))
        if hit.sum() < MIN_FIRINGS or cycles < ONE_PER_CYCLE * hit.sum():
            continue
        unsorted = np.empty(n, dtype=bool)
        unsorted[order] = hit
        if best is None or hit.sum() >= best[1].sum():
            best = (float(hours), unsorted)
    return best


def period_names(period_hours: pd.Series) -> pd.Series:
    """A person's word for a period: hourly, every 3 h, twice daily, daily, weekly."""
    words = {1.0: "hourly", 12.0: "twice daily", 24.0: "daily", 168.0: "weekly"}
    return period_hours.map(lambda h: words.get(h, f"every {h:g} h") if pd.notna(h) else None)
