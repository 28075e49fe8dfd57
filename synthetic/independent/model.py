"""The objects of a world: organisation, rules, firings and what people did about them.

Times are float seconds since the Unix epoch (UTC) throughout; writers format them per vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from alertlens.synthetic.independent.checks import Check

T = TypeVar("T")

PAGERDUTY = "pagerduty"
ALERTMANAGER = "alertmanager"
OPSGENIE = "opsgenie"
SOURCES = (PAGERDUTY, ALERTMANAGER, OPSGENIE)

# Rule kinds (the generative mechanism a rule is drawn with) = rule behaviour in the truth.
ACTIONABLE = "actionable"
DUPLICATE = "duplicate"
INFORMATIONAL = "informational"
FLAPPING = "flapping"
TRANSIENT = "transient"
ACK_AND_FORGET = "ack_and_forget"
LONG_STANDING = "long_standing"
LOW_URGENCY = "low_urgency"
STORM_SYMPTOM = "storm_symptom"
KINDS = (
    ACTIONABLE,
    DUPLICATE,
    INFORMATIONAL,
    FLAPPING,
    TRANSIENT,
    ACK_AND_FORGET,
    LONG_STANDING,
    LOW_URGENCY,
    STORM_SYMPTOM,
)
NOISY_KINDS = frozenset(KINDS) - {ACTIONABLE}

# Per-firing mechanisms (the behaviour column of ground_truth_alerts.csv): the rule kind, or one
# of these when a firing of a rule is not what its rule usually is.
REAL_PROBLEM = "actionable"  # needed a human
FALSE_ALARM = "false_alarm"  # an actionable rule's detector fired without a fault
STORM_ROOT = "actionable"

#: The fix a team would apply to a noisy rule of each kind (the vocabulary of alertlens' fixes).
EXPECTED_FIX = {
    DUPLICATE: "merge",
    FLAPPING: "add_for_duration",
    TRANSIENT: "raise_threshold",
    ACK_AND_FORGET: "delete",
    INFORMATIONAL: "demote",
    LONG_STANDING: "route",
    LOW_URGENCY: "demote",
    STORM_SYMPTOM: "merge",
}


@dataclass(eq=False)
class Responder:
    id: str
    name: str
    email: str
    time_zone: str
    # high-urgency notification rules: (delay seconds, channel); low urgency is e-mail only
    high_rules: list[tuple[float, str]]
    speed: float  # personal multiplier on response delays


@dataclass(eq=False)
class Team:
    slug: str
    name: str
    id: str
    time_zone: str
    responders: list[Responder]
    escalation_seconds: float
    og_id: str = ""
    pd_policy_id: str = ""


@dataclass(eq=False)
class Service:
    name: str
    team: Team
    id: str
    hosts: list[str]
    cluster: str
    # PagerDuty service settings
    auto_resolve_seconds: float | None = None  # incident auto-resolve timeout
    urgency: str = "high"  # "high", "low" or "severity_based"


@dataclass(eq=False)
class Rule:
    name: str  # world rule id: "<service>:<alertname>"
    alertname: str
    kind: str
    source: str
    service: Service
    severity: str  # critical / error / warning / info
    check: Check
    title_style: str  # human / static / hashed / label_only
    params: dict[str, Any] = field(default_factory=dict)
    primary: Rule | None = None  # for duplicates
    active_until: float | None = None  # rule deleted/fixed at this time
    integration: str = "Prometheus"
    alias_style: str = "rule"  # opsgenie: rule / instance / none
    fixed_tokens: dict[str, str] = field(default_factory=dict)
    paging: bool = True  # routed to a pager (AM) / high-urgency-capable (PD) / P1-P3 (OG)

    @property
    def team(self) -> Team:
        return self.service.team

    @property
    def is_noise(self) -> bool:
        return self.kind != ACTIONABLE


@dataclass(eq=False)
class Firing:
    """One alert firing: the condition a rule saw, and everything people did about it."""

    rule: Rule
    start: float
    end: float | None  # when the watched condition cleared (None: still active at the end)
    mech: str  # per-firing mechanism (truth behaviour)
    needs_action: bool
    tokens: dict[str, str] = field(default_factory=dict)
    primary: Firing | None = None  # the firing a duplicate duplicates
    storm: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # ---- response (filled by people.py) ----
    urgency: str = "high"
    priority: str | None = None
    notifies: list[tuple[float, Responder, str]] = field(default_factory=list)
    ack: tuple[float, Responder, str] | None = None  # (time, who, channel)
    actions: list[tuple[float, str, Responder, dict[str, Any]]] = field(default_factory=list)
    resolve: tuple[float, str, Responder | None] | None = None  # (time, human/auto/timeout, who)
    merged_into: Firing | None = None
    merged_at: float | None = None
    merged_by: Responder | None = None
    paged: bool = False
    no_notify_reason: str | None = None
    # ---- ids (filled by writers) ----
    alert_id: str | None = None
    incident_id: str | None = None
    visible: bool = True  # written to an export (an AM firing no flush ever carried is not)

    @property
    def is_noise(self) -> bool:
        return not self.needs_action


def known(value: T | None) -> T:
    """``value``, which the simulation has set by now (a merge's time and person, a person's
    resolve)."""
    if value is None:
        raise ValueError("the simulation left a value unset")
    return value


@dataclass(eq=False)
class World:
    scenario: str
    seed: int
    start: float
    end: float
    weeks: float
    teams: list[Team]
    services: list[Service]
    rules: list[Rule]
    firings: list[Firing]
    settings: Any  # scenarios.Scenario
    storms: list[dict[str, Any]] = field(default_factory=list)
    # per team: the PagerDuty log export (full, overview or none), set by the PagerDuty writer
    pd_log_modes: dict[str, str] = field(default_factory=dict)
    # per service: whether PagerDuty's alert objects carry resolved_at (set by the writer)
    pd_alert_resolved_at: dict[str, bool] = field(default_factory=dict)
