"""The simulated organisation: teams, responders, services and alert rules (plain data).

A scenario (``scenarios.py``) builds a ``World``; ``simulate.py`` turns it into firings; the
writers turn firings into vendor exports. Nothing here does IO or draws random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

ACTIONABLE: Final = "actionable"
FLAPPING: Final = "flapping"
TRANSIENT: Final = "transient"
ACK_AND_FORGET: Final = "ack_and_forget"
DUPLICATE: Final = "duplicate"
INFORMATIONAL: Final = "informational"
LONG_STANDING: Final = "long_standing"
RECURRING_FIXED: Final = "recurring_fixed"

BEHAVIOURS: Final = (
    ACTIONABLE,
    FLAPPING,
    TRANSIENT,
    ACK_AND_FORGET,
    DUPLICATE,
    INFORMATIONAL,
    LONG_STANDING,
    RECURRING_FIXED,
)

#: Behaviours whose firings are real problems; every other behaviour is noise.
NOT_NOISE: Final = frozenset({ACTIONABLE, RECURRING_FIXED})

#: The fix a good noise analysis should recommend for a rule of each noisy behaviour.
EXPECTED_FIX: Final[dict[str, str | None]] = {
    ACTIONABLE: None,
    RECURRING_FIXED: None,
    FLAPPING: "add_for_duration",
    TRANSIENT: "raise_threshold",
    ACK_AND_FORGET: "delete",
    DUPLICATE: "merge",
    INFORMATIONAL: "demote",
    LONG_STANDING: "route",
}

PAGERDUTY: Final = "pagerduty"
ALERTMANAGER: Final = "alertmanager"

#: Seasonality shapes a rule's firing rate can follow (see ``simulate.hourly_shape``).


@dataclass(frozen=True)
class Responder:
    """One on-call engineer."""

    id: str
    name: str
    email: str
    time_zone: str
    channels: tuple[
        str, ...
    ]  # PagerDuty contact methods notified: sms, phone, push_notification, email


@dataclass(frozen=True)
class Team:
    """A team: its rotation (responders in order), time zone and paging source."""

    id: str
    name: str
    slug: str
    time_zone: str
    source: str
    responders: tuple[Responder, ...]
    escalation_policy_id: str
    escalation_minutes: int = 15


@dataclass(frozen=True)
class Service:
    """A service owned by one team."""

    id: str
    name: str
    team: str  # Team.slug


@dataclass(frozen=True)
class Rule:
    """One alert rule and how its firings behave.

    Rates are firings (bursts, for flapping) per week on average; ``active_until`` /
    ``active_from`` bound when the rule fires (a fix date, a new rule)."""

    name: str  # unique rule name, e.g. "checkout-api:HighCPUUsage"
    alertname: str
    catalog: str  # key into catalog.TEMPLATES
    service: str  # Service.name
    team: str  # Team.slug
    source: str
    behaviour: str
    severity: str
    weekly_rate: float
    shape: str = "business"
    hosts: int = 6
    partner: str | None = None  # duplicate: the rule it co-fires with
    pages: bool = True  # alertmanager: routed to the paging receiver
    runbook: bool = True
    active_from: datetime | None = None
    active_until: datetime | None = None
    eval_ms: int = 330  # sub-second offset of the rule's evaluations (Prometheus ticks)

    @property
    def is_noise(self) -> bool:
        """Whether the ground truth calls this rule's firings noise."""
        return self.behaviour not in NOT_NOISE

    @property
    def expected_fix(self) -> str | None:
        """The fix a noise analysis should recommend for this rule."""
        if self.behaviour == ACTIONABLE and not self.runbook:
            return "add_runbook"
        return EXPECTED_FIX[self.behaviour]


@dataclass(frozen=True)
class World:
    """Everything a scenario defines before any random draw."""

    scenario: str
    seed: int
    start: datetime
    end: datetime
    teams: tuple[Team, ...]
    services: tuple[Service, ...]
    rules: tuple[Rule, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def weeks(self) -> float:
        """Length of the simulated window in weeks."""
        return (self.end - self.start).total_seconds() / (7 * 86400)

    def team(self, slug: str) -> Team:
        """The team with ``slug``."""
        return next(t for t in self.teams if t.slug == slug)

    def service(self, name: str) -> Service:
        """The service called ``name``."""
        return next(s for s in self.services if s.name == name)
