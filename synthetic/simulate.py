"""The simulation: when each rule fires, how long it lasts, who acknowledges and who resolves.

Pure numpy over a seeded ``Generator``: a ``World`` in, ``Firings`` (one row per alert firing, as
arrays) out. PagerDuty incidents are assembled from the firings in ``incidents.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from alertlens.synthetic import model as m
from alertlens.synthetic.timing import HOUR_MS, hourly_shape, local_hours, rotation_weeks

OPEN: Final = -1  # an instant that has not happened by the end of the window

# resolver codes
NOBODY, HUMAN, AUTO, TIMEOUT = 0, 1, 2, 3


@dataclass(frozen=True)
class Response:
    """How firings of one behaviour play out; durations are lognormal (median seconds, sigma)."""

    duration: tuple[float, float]  # how long the condition lasts if nobody acts
    p_ack: float
    ack: tuple[float, float]
    p_human: float  # given an ack, the chance a human resolves (else the condition clears)
    work: tuple[float, float]  # from ack to a human resolve
    timeout: bool = False  # PagerDuty closes it by the service's auto-resolve timeout


RESPONSES: Final[dict[str, Response]] = {
    m.ACTIONABLE: Response((2400, 0.8), 0.97, (240, 0.9), 1.0, (2400, 1.2)),
    m.RECURRING_FIXED: Response((1800, 0.8), 0.95, (300, 0.9), 1.0, (1800, 1.0)),
    m.FLAPPING: Response((150, 0.6), 0.06, (200, 0.7), 0.0, (60, 0.5)),
    m.TRANSIENT: Response((200, 0.7), 0.12, (150, 0.8), 0.35, (900, 1.0)),
    m.ACK_AND_FORGET: Response((21600, 0.8), 0.98, (180, 0.8), 1.0, (70, 0.5)),
    m.DUPLICATE: Response((600, 0.8), 0.5, (60, 0.8), 1.0, (60, 0.8)),
    m.INFORMATIONAL: Response((1500, 1.2), 0.45, (420, 1.0), 0.7, (150, 1.0)),
    m.LONG_STANDING: Response((3.5 * 86400, 0.5), 0.0, (600, 1.0), 0.0, (60, 0.5), timeout=True),
}

FLAP_EPISODES_P: Final = 0.3  # episodes per burst: 1 + geometric(p), mean 1 + 1/p
FLAP_GAP: Final = (240.0, 0.6)  # seconds between an auto-resolve and the re-fire
DUP_P_COFIRE: Final = 0.85
DUP_LAG: Final = (25.0, 1.0)  # seconds after the partner
NIGHT_ACK_FACTOR: Final = 2.5  # a sleeping responder is slower


@dataclass(frozen=True)
class Firings:
    """One row per alert firing, sorted by start. Times are epoch ms, ``OPEN`` when not (yet)."""

    rule: np.ndarray
    start: np.ndarray
    end: np.ndarray
    ack: np.ndarray
    acker: np.ndarray  # responder index within the team, or -1
    resolver: np.ndarray  # NOBODY / HUMAN / AUTO / TIMEOUT
    resolver_user: np.ndarray
    primary: np.ndarray
    secondary: np.ndarray
    host: np.ndarray
    v1: np.ndarray
    v2: np.ndarray
    partner: np.ndarray  # duplicate: index of the firing it co-fired with, else -1

    def __len__(self) -> int:
        return len(self.start)

    def take(self, index: np.ndarray) -> Firings:
        """The firings at ``index`` (partner indices are remapped; dropped partners become -1)."""
        remap = np.full(len(self) + 1, -1, dtype=np.int64)
        remap[index] = np.arange(len(index))
        partner = self.partner[index]
        return Firings(
            **{name: getattr(self, name)[index] for name in _FIELDS if name != "partner"},
            partner=np.where(partner >= 0, remap[partner], -1),
        )


_FIELDS: Final = tuple(Firings.__dataclass_fields__)


def _lognormal(rng: np.random.Generator, spec: tuple[float, float], n: int) -> np.ndarray:
    median, sigma = spec
    return rng.lognormal(np.log(median), sigma, n)


def _starts(rng: np.random.Generator, world: m.World, rule: m.Rule, bins: np.ndarray) -> np.ndarray:
    """Poisson firing (or burst) start times of ``rule`` in epoch ms, seasonal by team time zone."""
    team = world.team(rule.team)
    weights = hourly_shape(rule.shape, bins, team.time_zone)
    if rule.active_from is not None:
        weights = np.where(bins >= rule.active_from.timestamp() * 1000, weights, 0.0)
    if rule.active_until is not None:
        weights = np.where(bins < rule.active_until.timestamp() * 1000, weights, 0.0)
    counts = rng.poisson(rule.weekly_rate / 168.0 * weights)
    starts = np.repeat(bins, counts) + rng.integers(0, 3600, counts.sum()) * 1000
    return starts + rule.eval_ms


def _flapping_episodes(
    rng: np.random.Generator, bursts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(episode starts, durations in s): each burst re-fires minutes after auto-resolving."""
    per_burst = 1 + rng.geometric(FLAP_EPISODES_P, len(bursts))
    total = int(per_burst.sum())
    durations = _lognormal(rng, RESPONSES[m.FLAPPING].duration, total)
    step = durations + _lognormal(rng, FLAP_GAP, total)
    before = np.cumsum(step) - step
    first = np.repeat(np.cumsum(per_burst) - per_burst, per_burst)
    offsets = ((before - before[first]) * 1000).astype(np.int64)
    return np.repeat(bursts, per_burst) + offsets, durations


def base_firings(rng: np.random.Generator, world: m.World, bins: np.ndarray) -> Firings:
    """Firings of every rule that fires on its own (all but duplicates), with their responses."""
    rules, starts, natural = [], [], []
    for index, rule in enumerate(world.rules):
        if rule.behaviour == m.DUPLICATE:
            continue
        begun = _starts(rng, world, rule, bins)
        if rule.behaviour == m.FLAPPING:
            begun, durations = _flapping_episodes(rng, begun)
        else:
            durations = _lognormal(rng, RESPONSES[rule.behaviour].duration, len(begun))
        if rule.active_until is not None:  # a fix also cuts a burst in progress
            live = begun < rule.active_until.timestamp() * 1000
            begun, durations = begun[live], durations[live]
        rules.append(np.full(len(begun), index))
        starts.append(begun)
        natural.append(durations)
    rule_of = np.concatenate(rules)
    start = np.concatenate(starts)
    hosts = np.array([r.hosts for r in world.rules])[rule_of]
    host = rng.integers(0, 1 << 30, len(rule_of)) % hosts
    return _responded(rng, world, rule_of, start, np.concatenate(natural), host)


def _responded(
    rng: np.random.Generator,
    world: m.World,
    rule: np.ndarray,
    start: np.ndarray,
    natural_s: np.ndarray,
    host: np.ndarray,
) -> Firings:
    """Firings with acknowledgement, resolution and the on-call pair drawn for each."""
    n = len(rule)
    behaviours = [RESPONSES[r.behaviour] for r in world.rules]

    def pick(attr: str) -> np.ndarray:
        return np.array([getattr(b, attr) for b in behaviours], dtype=float)[rule]

    def lognormal(attr: str) -> np.ndarray:
        return rng.lognormal(
            np.log(np.array([getattr(b, attr)[0] for b in behaviours])[rule]),
            np.array([getattr(b, attr)[1] for b in behaviours])[rule],
        )

    primary, secondary, night = _on_call(world, rule, start)
    ack_s = lognormal("ack") * np.where(night, NIGHT_ACK_FACTOR, 1.0)
    acked = rng.random(n) < pick("p_ack")
    human = acked & (rng.random(n) < pick("p_human"))
    # an ack that comes after the condition cleared by itself never happens
    acked &= human | (ack_s < natural_s)
    work_s = lognormal("work")
    end_s = np.where(human, ack_s + work_s, natural_s)
    timeout = np.array([b.timeout for b in behaviours])[rule]
    resolver = np.where(human, HUMAN, np.where(timeout, TIMEOUT, AUTO))
    escalation = np.array([world.team(r.team).escalation_minutes * 60.0 for r in world.rules])[rule]
    late = acked & (ack_s > escalation) & (rng.random(n) < 0.7)
    acker = np.where(acked, np.where(late, secondary, primary), -1)
    return Firings(
        rule=rule.astype(np.int64),
        start=start.astype(np.int64),
        end=start + (end_s * 1000).astype(np.int64),
        ack=np.where(acked, start + (ack_s * 1000).astype(np.int64), OPEN),
        acker=acker,
        resolver=resolver,
        resolver_user=np.where(human, acker, -1),
        primary=primary,
        secondary=secondary,
        host=host.astype(np.int64),
        v1=rng.integers(0, 1 << 31, n),
        v2=rng.integers(0, 1 << 31, n),
        partner=np.full(n, -1, dtype=np.int64),
    )


def _on_call(world: m.World, rule: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, ...]:
    """(primary, secondary, primary-is-asleep) for each firing, from its team's rotation."""
    primary = np.zeros(len(rule), dtype=np.int64)
    secondary = np.zeros(len(rule), dtype=np.int64)
    night = np.zeros(len(rule), dtype=bool)
    team_of_rule = np.array([[t.slug for t in world.teams].index(r.team) for r in world.rules])
    team = team_of_rule[rule] if len(rule) else np.zeros(0, dtype=np.int64)
    for index, t in enumerate(world.teams):
        mask = team == index
        if not mask.any():
            continue
        size = len(t.responders)
        week = rotation_weeks(start[mask], t.time_zone)
        primary[mask] = week % size
        secondary[mask] = (week + 1) % size
        zones = np.array([r.time_zone for r in t.responders])[primary[mask]]
        hours = np.empty(int(mask.sum()), dtype=np.int64)
        for zone in np.unique(zones):
            hours[zones == zone] = local_hours(start[mask][zones == zone], str(zone))
        night[mask] = hours < 7
    return primary, secondary, night


def duplicate_firings(rng: np.random.Generator, world: m.World, base: Firings) -> Firings:
    """Firings of duplicate rules: each co-fires seconds after most firings of its partner rule."""
    names = [r.name for r in world.rules]
    parts: list[Firings] = []
    for index, rule in enumerate(world.rules):
        if rule.behaviour != m.DUPLICATE or rule.partner is None:
            continue
        of = np.flatnonzero(base.rule == names.index(rule.partner))
        of = of[rng.random(len(of)) < DUP_P_COFIRE]
        if rule.active_until is not None:
            of = of[base.start[of] < rule.active_until.timestamp() * 1000]
        n = len(of)
        start = base.start[of] + (np.minimum(_lognormal(rng, DUP_LAG, n), 600) * 1000).astype(
            np.int64
        )
        jitter = (np.abs(rng.normal(0, 45, n)) * 1000).astype(np.int64)
        end = np.maximum(base.end[of] + jitter, start + 20_000)
        partner_acked = base.ack[of] != OPEN
        acked = partner_acked & (rng.random(n) < RESPONSES[m.DUPLICATE].p_ack)
        ack = np.maximum(base.ack[of], start) + (
            _lognormal(rng, RESPONSES[m.DUPLICATE].ack, n) * 1000
        ).astype(np.int64)
        acked &= ack < end
        parts.append(
            Firings(
                rule=np.full(n, index, dtype=np.int64),
                start=start,
                end=end,
                ack=np.where(acked, ack, OPEN),
                acker=np.where(acked, base.acker[of], -1),
                resolver=np.where(acked, HUMAN, AUTO),
                resolver_user=np.where(acked, base.acker[of], -1),
                primary=base.primary[of],
                secondary=base.secondary[of],
                host=base.host[of],
                v1=rng.integers(0, 1 << 31, n),
                v2=base.v2[of],
                partner=of.astype(np.int64),
            )
        )
    return _concat([base, *parts])


def _concat(parts: list[Firings]) -> Firings:
    return Firings(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in _FIELDS})


def without_overlaps(firings: Firings) -> Firings:
    """Firings minus those starting while an earlier firing of the same rule and host is open.

    A monitoring system cannot hold two open alerts with one label set / dedup key."""
    order = np.lexsort((firings.start, firings.host, firings.rule))
    rule, host = firings.rule[order], firings.host[order]
    start, end = firings.start[order], firings.end[order]
    same = np.r_[False, (rule[1:] == rule[:-1]) & (host[1:] == host[:-1])]
    group = np.cumsum(~same)
    # running max of end within each (rule, host) group, shifted by one
    offset = group.astype(np.int64) << 42  # epoch ms stay below 2**42 until the year 2109
    running = np.maximum.accumulate(end + offset) - offset
    previous_end = np.r_[np.int64(-1), running[:-1]]
    keep = ~same | (start > previous_end)
    kept = np.sort(order[keep])
    return firings.take(kept)


def clipped(firings: Firings, end_ms: int) -> Firings:
    """Firings started before ``end_ms``, with later acks and resolutions marked ``OPEN``."""
    index = np.flatnonzero(firings.start < end_ms)
    f = firings.take(index[np.argsort(firings.start[index], kind="stable")])
    ended = f.end < end_ms
    acked = (f.ack != OPEN) & (f.ack < end_ms)
    return Firings(
        **{
            **{name: getattr(f, name) for name in _FIELDS},
            "end": np.where(ended, f.end, OPEN),
            "resolver": np.where(ended, f.resolver, NOBODY),
            "resolver_user": np.where(ended, f.resolver_user, -1),
            "ack": np.where(acked, f.ack, OPEN),
            "acker": np.where(acked, f.acker, -1),
        }
    )


def simulated_firings(world: m.World) -> Firings:
    """Every alert firing of ``world`` in its window, sorted by start."""
    rng = np.random.default_rng(world.seed)
    start_ms = int(world.start.timestamp() * 1000)
    end_ms = int(world.end.timestamp() * 1000)
    bins = np.arange(start_ms, end_ms, HOUR_MS, dtype=np.int64)
    base = without_overlaps(base_firings(rng, world, bins))
    return clipped(without_overlaps(duplicate_firings(rng, world, base)), end_ms)
