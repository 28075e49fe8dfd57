"""What the report renderer takes: small frozen dataclasses, already computed.

``reports/sections.py`` shapes the review's figures (``analysis/review``) into these; the renderer
(``reports/html.py``, ``reports/charts.py``) only formats and draws them, and ``reports/tables.py``
exports their rows as CSV. Durations are seconds, shares fractions in [0, 1], timestamps aware
UTC. The table rows are the review's own row types (``analysis/review/rows.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from alertlens.analysis.review.rows import (
    BurnoutRow,
    IncidentRow,
    LoadPoint,
    NoisyRuleRow,
    ProjectionRow,
    QuarantineRow,
    RecurrenceRow,
    ResponderRow,
    ResponseRow,
    RunbookRow,
    SourceRow,
    SpreadRow,
    StormRow,
)

__all__ = [
    "BurnoutRow",
    "Criterion",
    "DataQuality",
    "Headline",
    "IncidentRow",
    "IndexEntry",
    "LoadPoint",
    "Maturity",
    "NoiseAudit",
    "NoisyRuleRow",
    "OnCallLoad",
    "ProjectionRow",
    "QuarantineRow",
    "RecurrenceRow",
    "Report",
    "ResponderRow",
    "Response",
    "ResponseRow",
    "RunbookRow",
    "SourceRow",
    "SpreadRow",
    "StormRow",
    "Unit",
    "Verdict",
    "WeekPoint",
]

#: How a figure is shown: a count, a fraction shown as %, or seconds shown in one time unit.
Unit = Literal["count", "share", "seconds"]
#: The direction of a significant trend; None when the test does not support one.
Verdict = Literal["better", "worse"] | None


@dataclass(frozen=True)
class Headline:
    """One headline figure of the period with the period before (and the 4-week average) and
    the trend over the counted weeks' window, in words."""

    key: str
    label: str
    unit: Unit
    value: float | None
    previous: float | None = None
    average_4w: float | None = None  # None for a period comparison
    verdict: Verdict = None
    verdict_text: str = "not enough data"  # "getting better, confident", "no clear change" …
    weeks: int = 0  # weekly values the trend test used
    method: str = ""  # the test's numbers, for the footnote and hover text
    note: str = ""  # a data-quality warning beside the figure

    @property
    def change_vs_previous(self) -> float | None:
        """This period minus the one before, or None when either is unknown."""
        return _difference(self.value, self.previous)

    @property
    def change_vs_average(self) -> float | None:
        """This week minus the 4-week average, or None when either is unknown."""
        return _difference(self.value, self.average_4w)


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True)
class WeekPoint:
    """The headline series of one week of the trend window."""

    week: str
    week_start: date
    incidents: float | None
    pages: float | None
    noise_share: float | None
    mtta_median: float | None
    mttr_median: float | None


@dataclass(frozen=True)
class NoiseAudit:
    """Which rules make the noise, why, the fixes, what the fixes would save per team, storms
    and rules without runbooks, over the counted weeks."""

    rules: tuple[NoisyRuleRow, ...]  # noisy rules, most noise pages (then firings) first
    projections: tuple[ProjectionRow, ...]
    noise_share: float | None  # share of all firings judged noise
    rules_total: int  # all rules seen, noisy or not
    noise_pages_total: int  # noise pages of all rules
    noise_firings_total: int
    window: str  # the counted weeks, e.g. "2026-W36 to 2026-W47 (12 weeks)"
    pages_per_week: float | None = None
    projected_pages_per_week: float | None = None
    compression_ratio: float | None = None
    storms: tuple[StormRow, ...] = ()
    runbooks: tuple[RunbookRow, ...] | None = None  # None: no source links runbooks

    @property
    def measure(self) -> Literal["pages", "firings"]:
        """What the Pareto counts: noise pages when any paged, else noise firings."""
        return "pages" if self.noise_pages_total > 0 else "firings"


@dataclass(frozen=True)
class Response:
    """Response figures of the period with their populations, by group, and their spreads."""

    incidents: int
    human_handled: int
    auto_resolved: int
    handling_unknown: int
    still_open: int
    acknowledged: int
    never_acknowledged: int
    ack_unknown: int
    escalated: int
    escalation_unknown: int
    acknowledged_share: float | None
    escalation_rate: float | None
    mtta_median: float | None
    mtta_p90: float | None
    mttr_median: float | None  # human-handled
    mttr_p90: float | None
    mttr_censored: int  # human-handled still open, counted as censored
    mttr_auto_median: float | None
    warnings: tuple[str, ...]
    by_team: tuple[ResponseRow, ...]
    by_service: tuple[ResponseRow, ...]
    by_severity: tuple[ResponseRow, ...]
    spread_weeks: tuple[str, ...]  # the weeks the spreads pool
    ack_spread: tuple[SpreadRow, ...]
    resolve_spread: tuple[SpreadRow, ...]


@dataclass(frozen=True)
class OnCallLoad:
    """Interruptions per responder, their load over the weeks, the hour-of-week heatmap and
    burnout risk."""

    responders: tuple[ResponderRow, ...]
    load: tuple[LoadPoint, ...]
    hour_of_week: tuple[tuple[int, ...], ...]  # 7 rows (Mon..Sun) x 24 hours
    heatmap_subject: str  # "interruptions" (each in its responder's zone) or "pages"
    heatmap_zones: tuple[str, ...]
    burnout: tuple[BurnoutRow, ...]
    budget: int
    shift_hours: int = 12
    burnout_weeks: int = 4


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
    blocked_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class DataQuality:
    """What the lake read, kept and rejected, per source and reason."""

    sources: tuple[SourceRow, ...]
    reasons: tuple[QuarantineRow, ...]


@dataclass(frozen=True)
class Report:
    """Everything one review shows."""

    label: str  # "2026-W47" or "2026-10-01 to 2026-10-31"
    start: date  # first day
    end: date  # last day (inclusive)
    previous_label: str  # the period compared against
    is_week: bool
    generated_at: datetime
    timezone: str  # the organisation's: weeks and the period are on its clock
    weeks_counted: int
    first_week: str
    last_week: str
    window: tuple[str, ...]  # the trend window's weeks
    headline: tuple[Headline, ...]
    weekly: tuple[WeekPoint, ...]
    incidents: tuple[IncidentRow, ...]
    noise: NoiseAudit
    response: Response
    recurrences: tuple[RecurrenceRow, ...]
    oncall: OnCallLoad
    maturity: Maturity | None
    quality: DataQuality
    team: str | None = None  # None: the whole organisation
    quiet: bool = False
    alpha: float = 0.05
    min_weeks: int = 6
    team_colors: Mapping[str, str] = field(default_factory=dict)
    title: str = "Weekly operational review"
    notes: tuple[str, ...] = ()

    @property
    def scope(self) -> str:
        """Whose review: "Organisation" or "team <name>"."""
        return "Organisation" if self.team is None else f"Team {self.team}"


@dataclass(frozen=True)
class IndexEntry:
    """One review in the history index."""

    scope: str  # "Organisation", a team's name, or LEGACY
    label: str  # "2026-W47" or "2026-10-01 to 2026-10-31"
    start: str  # ISO date of the first day: the sort key
    href: str  # relative link to the HTML report
    pdf_href: str | None
    generated_at: str
