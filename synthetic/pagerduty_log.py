"""The PagerDuty log entries of every incident, as a time-sorted event table (vectorised)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from alertlens.synthetic import model as m
from alertlens.synthetic.incidents import Assembly, Incidents
from alertlens.synthetic.simulate import AUTO, HUMAN, OPEN

NOTIFY_DELAY_MS: Final = 4_000
NEXT_CHANNEL_MS: Final = 60_000  # the next contact method fires a minute later
_ACK_CHANNELS: Final = ("mobile", "web_ui", "sms", "slack")
_RESOLVE_CHANNELS: Final = ("web_ui", "mobile", "slack")


@dataclass(frozen=True)
class LogEntries:
    """One row per log entry, sorted by time: incident index, type, time (ms), user index within
    the incident's team (or -1), channel type, and resolver code for resolve entries."""

    incident: np.ndarray
    kind: list[str]
    at: np.ndarray
    user: np.ndarray
    channel: list[str]
    resolver: np.ndarray


def _notifications(
    user: np.ndarray, at: np.ndarray, team: np.ndarray, world: m.World, incident: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(incident, time, user, channel name index) of one notify entry per contact method."""
    channels = sorted({c for t in world.teams for r in t.responders for c in r.channels})
    table = {
        (ti, ri): [channels.index(c) for c in r.channels]
        for ti, t in enumerate(world.teams)
        for ri, r in enumerate(t.responders)
    }
    pairs = list(zip(team.tolist(), user.tolist(), strict=True))
    count = np.array([len(table[p]) for p in pairs], dtype=np.int64)
    flat = np.array([c for p in pairs for c in table[p]], dtype=np.int64)
    row = np.repeat(np.arange(len(incident)), count)
    position = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    return (
        incident[row],
        at[row] + NOTIFY_DELAY_MS + position * NEXT_CHANNEL_MS,
        user[row],
        flat,
        channels,
    )


def log_entries(world: m.World, assembly: Assembly) -> LogEntries:
    """Trigger, assign, notify, escalate, acknowledge and resolve entries of every incident."""
    inc, f = assembly.incidents, assembly.firings
    end_ms = int(world.end.timestamp() * 1000)
    n = len(inc)
    idx = np.arange(n)
    slugs = [t.slug for t in world.teams]
    team = np.array([slugs.index(r.team) for r in world.rules])[f.rule[inc.trigger]]
    primary, secondary = f.primary[inc.trigger], f.secondary[inc.trigger]
    esc = inc.escalated != OPEN
    acked = inc.ack != OPEN
    done = inc.resolved != OPEN
    never = np.iinfo(np.int64).max
    finish = np.where(done, inc.resolved, never)

    n_inc, n_at, n_user, n_chan, channels = _notifications(primary, inc.created, team, world, idx)
    e_inc, e_at, e_user, e_chan, _ = _notifications(
        secondary[esc], inc.escalated[esc], team[esc], world, idx[esc]
    )
    notify_inc = np.r_[n_inc, e_inc]
    notify_at = np.r_[n_at, e_at]
    keep = notify_at < np.minimum(finish[notify_inc], end_ms)
    parts = [
        (idx, "trigger_log_entry", inc.created, np.full(n, -1), "api", 0),
        (idx, "assign_log_entry", inc.created + 1000, primary, "auto", 1),
        (
            idx[esc],
            "escalate_log_entry",
            inc.escalated[esc],
            np.full(int(esc.sum()), -1),
            "timeout",
            3,
        ),
        (idx[esc], "assign_log_entry", inc.escalated[esc] + 1000, secondary[esc], "auto", 4),
        (idx[acked], "acknowledge_log_entry", inc.ack[acked], inc.acker[acked], "ack", 5),
        (idx[done], "resolve_log_entry", inc.resolved[done], inc.resolver_user[done], "resolve", 6),
    ]
    incident = np.concatenate([p[0] for p in parts] + [notify_inc[keep]])
    at = np.concatenate([p[2] for p in parts] + [notify_at[keep]])
    user = np.concatenate([p[3] for p in parts] + [np.r_[n_user, e_user][keep]])
    order_key = np.concatenate(
        [np.full(len(p[0]), p[5]) for p in parts] + [np.full(int(keep.sum()), 2)]
    )
    kinds = [p[1] for p in parts] + ["notify_log_entry"]
    kind_code = np.concatenate(
        [np.full(len(p[0]), k) for k, p in enumerate(parts)]
        + [np.full(int(keep.sum()), len(parts))]
    )
    chan_names = np.array([*channels, "api", "auto", "timeout", *_ACK_CHANNELS, *_RESOLVE_CHANNELS])
    base = len(channels)
    chan = np.concatenate(
        [
            np.full(n, base),
            np.full(n, base + 1),
            np.full(int(esc.sum()), base + 2),
            np.full(int(esc.sum()), base + 1),
            base + 3 + (inc.ack[acked] // 1000) % len(_ACK_CHANNELS),
            _resolve_channel(inc, done, base),
            np.r_[n_chan, e_chan][keep],
        ]
    )
    resolver = np.concatenate(
        [np.zeros(len(p[0]), dtype=np.int64) for p in parts[:-1]]
        + [inc.resolver[done], np.zeros(int(keep.sum()), dtype=np.int64)]
    )
    order = np.lexsort((order_key, incident, at))
    return LogEntries(
        incident=incident[order],
        kind=[kinds[k] for k in kind_code[order].tolist()],
        at=at[order],
        user=user[order],
        channel=chan_names[chan[order]].tolist(),
        resolver=resolver[order],
    )


def _resolve_channel(inc: Incidents, done: np.ndarray, base: int) -> np.ndarray:
    """Channel index of each resolve entry: a UI for humans, the API for auto, timeout."""
    resolver = inc.resolver[done]
    at = inc.resolved[done]
    human = base + 3 + len(_ACK_CHANNELS) + (at // 1000) % len(_RESOLVE_CHANNELS)
    return np.where(resolver == HUMAN, human, np.where(resolver == AUTO, base, base + 2))
