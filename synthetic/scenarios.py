"""The named scenarios: which teams, responders, services and rules each world has.

A scenario's structure depends only on its name and size arguments, not on the seed; the seed
drives the simulated events.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np

from alertlens.synthetic import model as m
from alertlens.synthetic.catalog import FIRST_NAMES, SURNAMES, TEMPLATES
from alertlens.synthetic.ids import pd_ids
from alertlens.synthetic.simulate import DUP_P_COFIRE, FLAP_EPISODES_P

DEFAULT_END: Final = datetime(2026, 11, 23, tzinfo=UTC)
TIME_ZONES: Final = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "UTC",
    "America/Los_Angeles",
    "Europe/London",
    "Australia/Sydney",
    "America/Sao_Paulo",
)
_CHANNEL_SETS: Final = (
    ("push_notification", "sms"),
    ("phone",),
    ("sms", "email"),
    ("push_notification",),
    ("phone", "push_notification"),
)

# (template, behaviour, weekly rate, shape, service slot, extras)
RuleLine = tuple[str, str, float, str, int, dict[str, object]]

UNLUCKY: Final[list[RuleLine]] = [
    ("HTTPErrorRateHigh", m.ACTIONABLE, 0.5, "traffic", 0, {}),
    ("PostgresReplicationLag", m.ACTIONABLE, 0.25, "traffic", 2, {"runbook": False}),
    ("KubePodCrashLooping", m.RECURRING_FIXED, 0.6, "business", 1, {"fix_at": 0.5}),
    ("HighCPUUsage", m.FLAPPING, 0.3, "flat", 0, {"hosts": 4}),
    ("QueueDepthHigh", m.TRANSIENT, 1.3, "flat", 1, {}),
    ("DiskSpaceLow", m.ACK_AND_FORGET, 0.6, "business", 2, {}),
    ("LatencyP99High", m.DUPLICATE, 0.0, "traffic", 0, {"partner": "HTTPErrorRateHigh"}),
    ("ClockSkewDetected", m.INFORMATIONAL, 0.6, "flat", 1, {"severity": "info"}),
    ("BackupJobFailed", m.LONG_STANDING, 0.2, "nightly", 2, {"hosts": 2}),
]

#: A healthy team with real volume (~20 real pages a week over three services) and three small
#: noisy rules (~0.45 a week each, ~6% of firings) so that the few noise rules are measurable.
#: Its informational rule is what the behaviour means everywhere: a low-severity (info) page.
HEALTHY: Final[list[RuleLine]] = [
    ("HTTPErrorRateHigh", m.ACTIONABLE, 4.0, "traffic", 0, {}),
    ("LatencyP99High", m.ACTIONABLE, 2.5, "traffic", 0, {}),
    ("InstanceDown", m.ACTIONABLE, 2.0, "flat", 0, {"runbook": False}),
    ("NodeNotReady", m.ACTIONABLE, 2.5, "flat", 1, {}),
    ("HighMemoryUsage", m.ACTIONABLE, 2.5, "traffic", 1, {}),
    ("KubePodCrashLooping", m.RECURRING_FIXED, 3.0, "business", 1, {"fix_at": 0.6}),
    ("PostgresReplicationLag", m.ACTIONABLE, 2.5, "traffic", 2, {}),
    ("DiskIOSaturation", m.ACTIONABLE, 2.0, "flat", 2, {}),
    ("QueueDepthHigh", m.TRANSIENT, 0.45, "flat", 1, {}),
    ("CertificateExpiringSoon", m.INFORMATIONAL, 0.45, "business", 0, {"severity": "info"}),
    ("DiskSpaceLow", m.ACK_AND_FORGET, 0.45, "business", 2, {}),
]

#: The behaviour mix of one team in the multi-team and large-org worlds.
MIXED: Final[list[RuleLine]] = [
    ("HTTPErrorRateHigh", m.ACTIONABLE, 0.8, "traffic", 0, {}),
    ("InstanceDown", m.ACTIONABLE, 0.4, "flat", 1, {"runbook": False}),
    ("ErrorBudgetBurn", m.RECURRING_FIXED, 0.7, "traffic", 0, {"fix_at": 0.6}),
    ("HighCPUUsage", m.FLAPPING, 0.4, "flat", 1, {"hosts": 5}),
    ("KafkaConsumerLag", m.TRANSIENT, 1.5, "flat", 2, {}),
    ("HostHighLoad", m.TRANSIENT, 0.8, "nightly", 1, {"pages": False}),
    ("DiskSpaceLow", m.ACK_AND_FORGET, 0.7, "business", 2, {}),
    ("LatencyP99High", m.DUPLICATE, 0.0, "traffic", 0, {"partner": "HTTPErrorRateHigh"}),
    ("SSLHandshakeErrors", m.INFORMATIONAL, 0.6, "flat", 0, {"severity": "info"}),
    ("DeploymentReplicasMismatch", m.LONG_STANDING, 0.15, "business", 1, {"hosts": 2}),
]

_TEAM_NAMES: Final = ("payments", "search", "platform", "data", "identity", "mobile-backend")
_SERVICE_SUFFIXES: Final = ("api", "worker", "db")


def _salt(*parts: object) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode()) * 7919 + 12345


def _responders(
    slug: str, size: int, zones: tuple[str, ...], offset: int
) -> tuple[m.Responder, ...]:
    ids = pd_ids("P", size, width=6, salt=_salt("user", slug))
    people = []
    for i in range(size):
        k = offset + i
        first, last = FIRST_NAMES[k % len(FIRST_NAMES)], SURNAMES[(k * 7) % len(SURNAMES)]
        # (first, last) repeats every lcm(len(FIRST_NAMES), len(SURNAMES)) people; a large org
        # has more, and two people must never share a name (responder zones key on it).
        cycle = k // math.lcm(len(FIRST_NAMES), len(SURNAMES))
        name = f"{first} {last}" if cycle == 0 else f"{first} {last} {cycle + 1}"
        people.append(
            m.Responder(
                id=ids[i],
                name=name,
                email=f"{first}.{last}@example.com".lower(),
                time_zone=zones[i % len(zones)],
                channels=_CHANNEL_SETS[k % len(_CHANNEL_SETS)],
            )
        )
    return tuple(people)


def _team(
    slug: str, zone: str, source: str, size: int, offset: int, *, extra_zone: str | None = None
) -> m.Team:
    zones = (zone,) if extra_zone is None else (zone, zone, extra_zone)
    team_id, policy_id = pd_ids("P", 2, width=6, salt=_salt("team", slug))
    return m.Team(
        id=team_id,
        name=slug.replace("-", " ").title(),
        slug=slug,
        time_zone=zone,
        source=source,
        responders=_responders(slug, size, zones, offset),
        escalation_policy_id=policy_id,
        escalation_minutes=15 if offset % 2 == 0 else 30,
    )


def _services(team: m.Team, base: str) -> list[m.Service]:
    names = [f"{base}-{suffix}" for suffix in _SERVICE_SUFFIXES]
    ids = pd_ids("P", len(names), width=6, salt=_salt("service", team.slug))
    return [m.Service(id=i, name=n, team=team.slug) for i, n in zip(ids, names, strict=True)]


def _rules(
    lines: list[RuleLine],
    team: m.Team,
    services: list[m.Service],
    start: datetime,
    end: datetime,
    *,
    scale: float = 1.0,
    fix_noise_at: float | None = None,
) -> list[m.Rule]:
    span = end - start
    rules = []
    for alertname, behaviour, rate, shape, slot, extras in lines:
        service = services[slot]
        extra = dict(extras)
        fix_at = extra.pop("fix_at", None)
        if (
            fix_noise_at is not None
            and behaviour not in m.NOT_NOISE
            and not extra.pop("keep", False)
        ):
            fix_at = fix_noise_at
        partner = extra.pop("partner", None)
        template = TEMPLATES[alertname]
        rules.append(
            m.Rule(
                name=f"{service.name}:{alertname}",
                alertname=alertname,
                catalog=alertname,
                service=service.name,
                team=team.slug,
                source=team.source,
                behaviour=behaviour,
                severity=str(extra.pop("severity", template.severity)),
                weekly_rate=rate * scale,
                shape=shape,
                partner=None if partner is None else f"{service.name}:{partner}",
                active_until=None if fix_at is None else start + span * float(fix_at),  # type: ignore[arg-type]
                eval_ms=(_salt(service.name, alertname) % 20) * 50 + 30,
                **extra,  # type: ignore[arg-type]
            )
        )
    return rules


def _window(weeks: float, end: datetime) -> tuple[datetime, datetime]:
    return end - timedelta(weeks=weeks), end


def unlucky_team(seed: int, weeks: float, end: datetime, **_: object) -> m.World:
    """One PagerDuty team, ~5 paged incidents a week, ~80% of them noise."""
    start, end = _window(weeks, end)
    team = _team("payments", "Europe/Berlin", m.PAGERDUTY, 5, 0, extra_zone="Europe/London")
    services = _services(team, "checkout")
    services = [
        replace(services[1], name="payments-worker"),
        services[0],
        replace(services[2], name="ledger-db"),
    ]
    services = [services[1], services[0], services[2]]
    return m.World(
        "unlucky-team",
        seed,
        start,
        end,
        (team,),
        tuple(services),
        tuple(_rules(UNLUCKY, team, services, start, end)),
    )


def healthy_team(seed: int, weeks: float, end: datetime, **_: object) -> m.World:
    """One PagerDuty team whose pages are almost all real (< 10% noise)."""
    start, end = _window(weeks, end)
    team = _team("search", "America/New_York", m.PAGERDUTY, 6, 3)
    services = _services(team, "search")
    return m.World(
        "healthy-team",
        seed,
        start,
        end,
        (team,),
        tuple(services),
        tuple(_rules(HEALTHY, team, services, start, end)),
    )


def _org(
    name: str,
    seed: int,
    weeks: float,
    end: datetime,
    teams: int,
    *,
    scale: float = 1.0,
    fix_noise_at: float | None = None,
) -> m.World:
    start, end = _window(weeks, end)
    all_teams, all_services, all_rules = [], [], []
    for i in range(teams):
        base = _TEAM_NAMES[i % len(_TEAM_NAMES)]
        slug = base if i < len(_TEAM_NAMES) else f"{base}-{i // len(_TEAM_NAMES) + 1}"
        source = m.PAGERDUTY if i % 2 == 0 else m.ALERTMANAGER
        zone = TIME_ZONES[i % len(TIME_ZONES)]
        team = _team(
            slug, zone, source, 4 + i % 3, i * 6, extra_zone=TIME_ZONES[(i + 3) % len(TIME_ZONES)]
        )
        services = _services(team, slug)
        lines = (
            MIXED
            if fix_noise_at is None
            else [
                (*line[:5], {**line[5], "keep": True}) if line[1] == m.INFORMATIONAL else line
                for line in MIXED
            ]
        )
        all_teams.append(team)
        all_services += services
        all_rules += _rules(
            lines, team, services, start, end, scale=scale, fix_noise_at=fix_noise_at
        )
    return m.World(name, seed, start, end, tuple(all_teams), tuple(all_services), tuple(all_rules))


def multi_team(seed: int, weeks: float, end: datetime, **_: object) -> m.World:
    """Five teams in five time zones, PagerDuty and Alertmanager, every behaviour."""
    return _org("multi-team", seed, weeks, end, 5)


def half_fixed(seed: int, weeks: float, end: datetime, **_: object) -> m.World:
    """Two teams (one per source) that fix their noisy rules half-way through the window."""
    return _org("half-fixed", seed, weeks, end, 2, fix_noise_at=0.5)


def expected_firings(world: m.World) -> float:
    """The mean number of firings the rules of ``world`` produce (before overlap removal)."""
    span = world.end - world.start
    by_name: dict[str, float] = {}
    for rule in world.rules:
        until = world.end if rule.active_until is None else min(rule.active_until, world.end)
        weeks = max((until - world.start) / span, 0.0) * world.weeks
        burst = 1 + 1 / FLAP_EPISODES_P if rule.behaviour == m.FLAPPING else 1.0
        by_name[rule.name] = rule.weekly_rate * weeks * burst
    for rule in world.rules:
        if rule.partner is not None:
            by_name[rule.name] = by_name.get(rule.partner, 0.0) * DUP_P_COFIRE
    return float(sum(by_name.values()))


MAX_TEAMS: Final = 300
ALERTS_PER_TEAM: Final = 4000


def large_org(
    seed: int, weeks: float, end: datetime, *, target_alerts: int = 1_000_000, **_: object
) -> m.World:
    """An organisation sized to about ``target_alerts`` firings (for benchmarks): one team per
    4,000 firings, at most 300 teams; beyond that its services run on proportionally more hosts,
    so each host fires as often as in a 1.2M-firing world (busier hosts would lose firings to
    the one-open-alert-per-host rule and the world would fall short of its target)."""
    teams = int(np.clip(round(target_alerts / ALERTS_PER_TEAM), 4, MAX_TEAMS))
    unit = expected_firings(_org("large-org", seed, weeks, end, teams))
    world = _org("large-org", seed, weeks, end, teams, scale=target_alerts / unit * 1.03)
    hosts = target_alerts / (MAX_TEAMS * ALERTS_PER_TEAM)
    if hosts <= 1:
        return world
    return replace(
        world, rules=tuple(replace(r, hosts=round(r.hosts * hosts)) for r in world.rules)
    )


SCENARIOS: Final[dict[str, Callable[..., m.World]]] = {
    "unlucky-team": unlucky_team,
    "multi-team": multi_team,
    "healthy-team": healthy_team,
    "half-fixed": half_fixed,
    "large-org": large_org,
}


def world_of(
    scenario: str,
    *,
    seed: int,
    weeks: float,
    end: datetime = DEFAULT_END,
    target_alerts: int = 1_000_000,
) -> m.World:
    """The world of ``scenario``; raises KeyError naming the known scenarios."""
    if scenario not in SCENARIOS:
        raise KeyError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    return SCENARIOS[scenario](seed, weeks, end, target_alerts=target_alerts)
