"""The PagerDuty log entries of every incident, as a time-sorted event table (vectorised)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from alertlens.synthetic import model as m
from alertlens.synthetic.incidents import Assembly
from alertlens.synthetic.simulate import AUTO, HUMAN, OPEN

NOTIFY_DELAY_MS: Final = 4_000
NEXT_CHANNEL_MS: Final = 60_000  # the next contact method fires a minute later
_ACK_CHANNELS: Final = ("mobile", "web_ui", "sms", "slack")
_RESOLVE_CHANNELS: Final = ("web_ui", "mobile", "slack")


#: The type of each log entry, by the ``kind`` code of ``LogTable``.
KINDS: Final = (
    "trigger_log_entry",
    "assign_log_entry",
    "escalate_log_entry",
    "assign_log_entry",
    "acknowledge_log_entry",
    "resolve_log_entry",
    "notify_log_entry",
)
NOTIFY: Final = KINDS.index("notify_log_entry")


@dataclass(frozen=True)
class LogTable:
    """One row per log entry, sorted by (time, incident, position in the incident's story):
    incident index, ``KINDS`` code, time (ms), user index within the incident's team (or -1),
    channel code into ``channel_names``, and resolver code for resolve entries."""

    incident: np.ndarray
    kind: np.ndarray
    at: np.ndarray
    user: np.ndarray
    channel: np.ndarray
    resolver: np.ndarray
    channel_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.at)


@dataclass(frozen=True)
class LogEntries:
    """``LogTable`` with the type and channel of each entry as text (for the JSON writer)."""

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
    # every responder's contact methods, flattened: person p owns flat[first[p]:first[p+1]]
    people = [r for t in world.teams for r in t.responders]
    first_of_team = np.cumsum([0] + [len(t.responders) for t in world.teams])[:-1]
    methods = np.array([len(r.channels) for r in people], dtype=np.int64)
    first = np.cumsum(methods) - methods
    flat_all = np.array([channels.index(c) for r in people for c in r.channels], dtype=np.int64)
    person = first_of_team[team] + user if len(team) else np.zeros(0, dtype=np.int64)
    count = methods[person]
    row = np.repeat(np.arange(len(incident)), count)
    position = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    flat = flat_all[np.repeat(first[person], count) + position]
    return (
        incident[row],
        at[row] + NOTIFY_DELAY_MS + position * NEXT_CHANNEL_MS,
        user[row],
        flat,
        channels,
    )


def log_table(world: m.World, assembly: Assembly, incidents: np.ndarray | None = None) -> LogTable:
    """Trigger, assign, notify, escalate, acknowledge and resolve entries of every incident, or
    of the ``incidents`` (indices) only: the same rows, in the same relative order, as the whole
    table restricted to them."""
    inc, f = assembly.incidents, assembly.firings
    end_ms = int(world.end.timestamp() * 1000)
    idx = np.arange(len(inc)) if incidents is None else np.asarray(incidents, dtype=np.int64)
    n = len(idx)
    local = np.arange(n)
    slugs = [t.slug for t in world.teams]
    trigger = inc.trigger[idx]
    team = np.array([slugs.index(r.team) for r in world.rules], dtype=np.int64)[f.rule[trigger]]
    primary, secondary = f.primary[trigger], f.secondary[trigger]
    created, escalated = inc.created[idx], inc.escalated[idx]
    ack, resolved = inc.ack[idx], inc.resolved[idx]
    esc = escalated != OPEN
    acked = ack != OPEN
    done = resolved != OPEN
    never = np.iinfo(np.int64).max
    finish = np.where(done, resolved, never)

    n_inc, n_at, n_user, n_chan, channels = _notifications(primary, created, team, world, local)
    e_inc, e_at, e_user, e_chan, _ = _notifications(
        secondary[esc], escalated[esc], team[esc], world, local[esc]
    )
    notify_inc = np.r_[n_inc, e_inc]
    notify_at = np.r_[n_at, e_at]
    keep = notify_at < np.minimum(finish[notify_inc], end_ms)
    acker, resolver_user = inc.acker[idx], inc.resolver_user[idx]
    # (rows, time, user, order within an incident's story), in KINDS order
    parts = [
        (local, created, np.full(n, -1), 0),
        (local, created + 1000, primary, 1),
        (local[esc], escalated[esc], np.full(int(esc.sum()), -1), 3),
        (local[esc], escalated[esc] + 1000, secondary[esc], 4),
        (local[acked], ack[acked], acker[acked], 5),
        (local[done], resolved[done], resolver_user[done], 6),
    ]
    row = np.concatenate([p[0] for p in parts] + [notify_inc[keep]])
    at = np.concatenate([p[1] for p in parts] + [notify_at[keep]])
    user = np.concatenate([p[2] for p in parts] + [np.r_[n_user, e_user][keep]])
    order_key = np.concatenate(
        [np.full(len(p[0]), p[3]) for p in parts] + [np.full(int(keep.sum()), 2)]
    )
    kind_code = np.concatenate(
        [np.full(len(p[0]), k, dtype=np.int8) for k, p in enumerate(parts)]
        + [np.full(int(keep.sum()), NOTIFY, dtype=np.int8)]
    )
    chan_names = (*channels, "api", "auto", "timeout", *_ACK_CHANNELS, *_RESOLVE_CHANNELS)
    base = len(channels)
    chan = np.concatenate(
        [
            np.full(n, base),
            np.full(n, base + 1),
            np.full(int(esc.sum()), base + 2),
            np.full(int(esc.sum()), base + 1),
            base + 3 + (ack[acked] // 1000) % len(_ACK_CHANNELS),
            _resolve_channel(inc.resolver[idx][done], resolved[done], base),
            np.r_[n_chan, e_chan][keep],
        ]
    )
    resolver = np.concatenate(
        [np.zeros(len(p[0]), dtype=np.int64) for p in parts[:-1]]
        + [inc.resolver[idx][done], np.zeros(int(keep.sum()), dtype=np.int64)]
    )
    incident = idx[row]
    order = np.lexsort((order_key, incident, at))
    return LogTable(
        incident=incident[order],
        kind=kind_code[order],
        at=at[order],
        user=user[order],
        channel=chan[order],
        resolver=resolver[order],
        channel_names=chan_names,
    )


def log_entries(world: m.World, assembly: Assembly) -> LogEntries:
    """Every incident's log entries with their type and channel as text."""
    return _as_entries(log_table(world, assembly))


def _as_entries(table: LogTable, keep: np.ndarray | None = None) -> LogEntries:
    names = np.array(table.channel_names)
    if keep is None:
        keep = np.ones(len(table), dtype=bool)
    return LogEntries(
        incident=table.incident[keep],
        kind=[KINDS[k] for k in table.kind[keep].tolist()],
        at=table.at[keep],
        user=table.user[keep],
        channel=names[table.channel[keep]].tolist(),
        resolver=table.resolver[keep],
    )


#: An incident's log entries all come before its resolution or at most a second after it (the
#: assignment that follows its creation or escalation); a day is a wide margin.
_QUIET_AFTER_RESOLVE_MS: Final = 86_400_000


def active_incidents(assembly: Assembly, start_ms: int, end_ms: int) -> np.ndarray:
    """Indices of the incidents that may have log entries in [start_ms, end_ms)."""
    inc = assembly.incidents
    recent = (inc.resolved == OPEN) | (inc.resolved >= start_ms - _QUIET_AFTER_RESOLVE_MS)
    return np.flatnonzero((inc.created < end_ms) & recent)


def entries_before(world: m.World, assembly: Assembly, at_ms: int, chunk: int = 200_000) -> int:
    """How many log entries of the whole world come before ``at_ms`` (built in chunks of
    incidents, so the whole log is never held)."""
    count = 0
    for first in range(0, len(assembly.incidents), chunk):
        part = np.arange(first, min(first + chunk, len(assembly.incidents)))
        part = part[assembly.incidents.created[part] < at_ms]
        if len(part):
            count += int((log_table(world, assembly, part).at < at_ms).sum())
    return count


def log_entries_since(world: m.World, assembly: Assembly, since_ms: int) -> tuple[LogEntries, int]:
    """The log entries at or after ``since_ms`` and the position of the first in the whole log."""
    never = np.iinfo(np.int64).max
    table = log_table(world, assembly, active_incidents(assembly, since_ms, never))
    return _as_entries(table, table.at >= since_ms), entries_before(world, assembly, since_ms)


def _resolve_channel(resolver: np.ndarray, at: np.ndarray, base: int) -> np.ndarray:
    """Channel index of each resolve entry: a UI for humans, the API for auto, timeout."""
    human = base + 3 + len(_ACK_CHANNELS) + (at // 1000) % len(_RESOLVE_CHANNELS)
    return np.where(resolver == HUMAN, human, np.where(resolver == AUTO, base, base + 2))


def first_notified(world: m.World, assembly: Assembly) -> np.ndarray:
    """Per incident: whether its log has a notify entry. The first is the primary's first
    contact method, ``NOTIFY_DELAY_MS`` after creation; it is written when that comes before
    the incident resolved and before the window ends (every later one comes after it)."""
    inc = assembly.incidents
    end_ms = int(world.end.timestamp() * 1000)
    finish = np.where(inc.resolved != OPEN, inc.resolved, np.iinfo(np.int64).max)
    return np.asarray(inc.created + NOTIFY_DELAY_MS < np.minimum(finish, end_ms))
