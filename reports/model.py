"""What the report renderer takes: small frozen dataclasses, already computed.

``reports/sections.py`` shapes the review's figures (``analysis/review``) into these; the renderer
(``reports/html.py``, ``reports/charts.py``) only formats and draws them. Durations are seconds,
shares are fractions in [0, 1], timestamps are aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

#: How a headline figure is shown: a count, a fraction shown as %, or seconds shown as 4m 12s.
Unit = Literal["count", "share", "seconds"]
#: The trend verdict; None when the test does not support a direction.
Verdict = Literal["better", "worse"] | None


@dataclass(frozen=True)
class Headline:
    """One headline figure of the week with last week and the 4-week average."""

    key: str
    label: str
    unit: Unit
    value: float | None
    previous: float | None = None
    average_4w: float | None = None
    verdict: Verdict = None
    evidence: str = ""  # why the verdict (or why none), e.g. "p=0.03, Mann-Whitney U"

    @property
    def change_vs_previous(self) -> float | None:
        """This week minus last week, or None when either is unknown."""
        return _difference(self.value, self.previous)

    @property
    def change_vs_average(self) -> float | None:
        """This week minus the 4-week average, or None when either is unknown."""
        return _difference(self.value, self.average_4w)


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True)
class WeekIncident:
    """One incident opened in the reviewed week."""

    incident_id: str
    title: str
    service: str
    team: str
    severity: str
    created_at: datetime
    time_to_ack: float | None
    time_to_resolve: float | None
    status: str = ""
    major: bool = False


@dataclass(frozen=True)
class NoisyRule:
    """One alert rule flagged as noisy, with why and what to do about it."""

    rule_key: str
    title: str
    team: str
    service: str
    source: str
    firings: int
    pages: int
    noise_share: float
    noise_pages: int  # the pages of this rule that were noise: the Pareto measure
    reasons: tuple[str, ...]
    recommendation: str
    recommendation_kind: str = ""
    family: str = ""


@dataclass(frozen=True)
class TeamProjection:
    """A team's weekly pages and incidents now and after the recommended fixes."""

    team: str
    pages_per_week: float
    projected_pages_per_week: float
    incidents_per_week: float
    projected_incidents_per_week: float


@dataclass(frozen=True)
class NoiseAudit:
    """Which rules make the noise, why, the fixes, and what the fixes would save per team."""

    rules: tuple[NoisyRule, ...]  # noisy rules, most noise pages first
    projections: tuple[TeamProjection, ...]
    noise_share: float | None  # share of all firings judged noise over the analysis window
    rules_total: int  # all rules seen, noisy or not
    noise_pages_total: int  # noise pages of all rules (the Pareto's 100 %)
    window: str = ""  # the period the audit covers, e.g. "2026-08-31 to 2026-11-22"


@dataclass(frozen=True)
class Spread:
    """Percentiles of a duration (seconds) within one group."""

    group: str
    n: int
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float


@dataclass(frozen=True)
class ResponseRow:
    """Median and p90 time to acknowledge and to resolve for one group."""

    group: str
    incidents: int
    mtta_median: float | None
    mtta_p90: float | None
    mttr_median: float | None
    mttr_p90: float | None


@dataclass(frozen=True)
class WeeklyPoint:
    """One team's median time to acknowledge and resolve in one week."""

    week_start: date
    team: str
    mtta_median: float | None
    mttr_median: float | None
    incidents: int


@dataclass(frozen=True)
class Response:
    """Response times by team, service and severity, their spreads and weekly trend."""

    by_team: tuple[ResponseRow, ...]
    by_service: tuple[ResponseRow, ...]
    by_severity: tuple[ResponseRow, ...]
    ack_spread: tuple[Spread, ...]  # per team
    resolve_spread: tuple[Spread, ...]  # per team
    trend: tuple[WeeklyPoint, ...]


@dataclass(frozen=True)
class Recurrence:
    """A problem that came back: how often, and whether the fix held."""

    key: str  # what recurs, e.g. the title template
    service: str
    team: str
    occurrences: int  # over the analysis window
    this_week: int
    last_seen: datetime | None
    fix_held: bool | None  # None: no fix recorded
    detail: str = ""


@dataclass(frozen=True)
class ResponderLoad:
    """One responder's interruptions in the week, by time of day."""

    responder: str
    team: str
    business_hours: int
    off_hours: int
    sleep_hours: int
    shifts_over_budget: int = 0  # shifts in the week with more incidents than the SRE budget

    @property
    def over_budget(self) -> bool:
        """Whether any shift of the week went over the SRE budget."""
        return self.shifts_over_budget > 0

    @property
    def total(self) -> int:
        """All interruptions."""
        return self.business_hours + self.off_hours + self.sleep_hours


@dataclass(frozen=True)
class OnCallLoad:
    """Interruptions per responder and pages by hour of week."""

    responders: tuple[ResponderLoad, ...]
    hour_of_week: tuple[tuple[int, ...], ...]  # 7 rows (Mon..Sun) x 24 hours of page counts
    budget: int | None  # incidents per on-call shift the SRE budget allows
    shift_hours: int = 12
    timezone: str = "UTC"  # of the heatmap; responders' hours are classed in their own zones


@dataclass(frozen=True)
class Criterion:
    """One maturity criterion, whether it is met, and the numbers that show it."""

    name: str
    level: int
    status: str  # "met", "not met" or "unknown" (the data cannot judge it)
    evidence: str

    @property
    def met(self) -> bool:
        """Whether the criterion is met."""
        return self.status == "met"


@dataclass(frozen=True)
class Maturity:
    """The maturity level reached and the evidence for each criterion."""

    level: int
    label: str
    max_level: int
    criteria: tuple[Criterion, ...]
    blocked_by: tuple[str, ...] = ()  # what keeps the next level out of reach


@dataclass(frozen=True)
class SourceQuality:
    """Records read, accepted, quarantined, deduplicated and skipped for one source."""

    source: str
    files: int
    read: int
    accepted: int
    quarantined: int
    deduplicated: int
    skipped: int = 0


@dataclass(frozen=True)
class QuarantineReason:
    """How many records of a source were quarantined for one reason, with an example."""

    source: str
    reason: str
    records: int
    example: str  # "file: locator" of one such record


@dataclass(frozen=True)
class DataQuality:
    """What the lake read, kept and rejected, per source and reason."""

    sources: tuple[SourceQuality, ...]
    reasons: tuple[QuarantineReason, ...]


@dataclass(frozen=True)
class Report:
    """Everything the weekly operational review shows."""

    week: str  # ISO week, "2026-W47"
    week_start: date  # Monday
    week_end: date  # Sunday (inclusive)
    generated_at: datetime
    headline: tuple[Headline, ...]
    incidents: tuple[WeekIncident, ...]
    noise: NoiseAudit
    response: Response
    recurrences: tuple[Recurrence, ...]
    oncall: OnCallLoad
    maturity: Maturity | None
    quality: DataQuality
    team_colors: Mapping[str, str] = field(default_factory=dict)
    title: str = "Weekly operational review"
    notes: tuple[str, ...] = ()  # caveats worth a line at the top (missing inputs, short history)
