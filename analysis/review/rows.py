"""The rows of the review's tables: small frozen dataclasses, one per line of a table the report
shows and exports. Durations are seconds, shares fractions, times aware UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IncidentRow:
    """One incident opened in the reviewed period."""

    incident_id: str
    title: str
    service: str
    team: str
    severity: str
    created_at: datetime
    time_to_ack: float | None
    time_to_resolve: float | None
    handling: str  # "human", "auto" or "unknown"
    status: str
    major: bool
    repeat: bool


@dataclass(frozen=True)
class NoisyRuleRow:
    """One alert rule judged noisy over the counted weeks, with why and the fix."""

    rule_key: str
    title: str
    team: str
    service: str
    source: str
    firings: int
    pages: int
    noise_share: float
    noise_firings: int
    noise_pages: int
    reasons: tuple[str, ...]
    recommendation: str
    recommendation_kind: str
    family: str
    name: str = ""  # how a person calls the rule (its alertname and service when known)
    verdict: str = ""  # noisy, needs more data, quiet since …
    confidence: float | None = None  # posterior probability that the verdict is right
    evidence: tuple[str, ...] = ()  # the signals that could be evaluated on its firings


@dataclass(frozen=True)
class ProjectionRow:
    """A team's pages and incidents a week now and after the fixes (counted weeks)."""

    team: str
    pages_per_week: float
    projected_pages_per_week: float
    incidents_per_week: float
    projected_incidents_per_week: float


@dataclass(frozen=True)
class ResponseRow:
    """Response figures of one group of the period's incidents."""

    group: str
    incidents: int
    acknowledged: int
    human_handled: int
    mtta_median: float | None
    mtta_p90: float | None
    mttr_median: float | None  # auto-resolved aside, Kaplan–Meier when some are open
    mttr_p90: float | None
    still_open: int


@dataclass(frozen=True)
class SpreadRow:
    """Percentiles of a duration within one group, pooled over some weeks."""

    group: str
    n: int
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float


@dataclass(frozen=True)
class RecurrenceRow:
    """A problem that came back: how often, when last, the fix and whether it held."""

    key: str
    service: str
    team: str
    occurrences: int
    repeats: int
    this_period: int
    last_seen: datetime
    fix_at: datetime | None
    fix_evidence: str  # "postmortem", "rule change", "rate drop" or ""
    fix_detail: str
    status: str  # "held", "too early to tell", "recurred", "no fix recorded"


@dataclass(frozen=True)
class ResponderRow:
    """One responder's interruptions in the period, by time of day in their own zone."""

    responder: str
    team: str
    timezone: str
    business_hours: int
    off_hours: int
    sleep_hours: int
    shifts_over_budget: int


@dataclass(frozen=True)
class BurnoutRow:
    """One responder's load over the trailing burnout weeks, and whether it is a risk."""

    responder: str
    weeks: int
    interruptions_per_week: float
    sleep_per_week: float
    off_hours_per_week: float
    shifts_over_budget: int
    at_risk: bool
    evidence: str


@dataclass(frozen=True)
class LoadPoint:
    """One responder's interruptions in one week."""

    responder: str
    week: str
    interruptions: int
    sleep: int


@dataclass(frozen=True)
class StormRow:
    """A group of rules that fire together (an alert storm) and how much grouping would save."""

    group: str
    rules: tuple[str, ...]  # titles (or keys) of the rules in the group
    firings: int
    episodes: int
    compression_ratio: float


@dataclass(frozen=True)
class RunbookRow:
    """A paging rule whose firings link no runbook."""

    rule_key: str
    title: str
    team: str
    source: str
    firings: int
    pages: int


@dataclass(frozen=True)
class SourceRow:
    """Records read, accepted, quarantined, deduplicated and skipped (read and deliberately
    left out, e.g. pending alerts) for one source."""

    source: str
    files: int
    read: int
    accepted: int
    quarantined: int
    deduplicated: int
    skipped: int = 0


@dataclass(frozen=True)
class QuarantineRow:
    """How many records of a source were quarantined for one reason, with an example."""

    source: str
    reason: str
    records: int
    example: str
