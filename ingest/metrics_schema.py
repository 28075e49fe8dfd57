"""Names of the incident-metrics outputs: the columns of every table ``alertlens analyze``
publishes beside the noise outputs, and the keys of ``summary.json``.

Like ``ingest/schema.py`` (which re-exports ``Summary`` and the JSON types), this module is the
single place these names are spelled. Analysis code refers to ``Recurrences.last_seen``, never to
``"last_seen"``. Each namespace's ``table`` is the file stem under ``<lake>/analysis/``.
The constants are ``Final`` so type checkers read them as literal keys of the TypedDicts below.
"""

from __future__ import annotations

from typing import Final, TypedDict

# --- columns the metrics add to the incident population --------------------------------------


class Population:
    """Derived columns of the incident population (``incident_response.parquet`` carries them)."""

    origin: Final = "origin"  # "incident" | "alert_firing"
    rule_key: Final = "rule_key"  # rule of the incident's first alert, when known
    recurrence_key: Final = "recurrence_key"  # rule_key, else "service|title template"
    resolve_time: Final = "resolve_time"  # resolved_at, else closed_at
    week: Final = "week"  # ISO week of created_at in the organisation's zone, "2026-W47"
    month: Final = "month_utc"  # "2026-11"
    handling: Final = "handling"  # "human" | "auto" | "unknown": who ended the incident
    escalated: Final = "escalated"  # True/False; None when the source records no escalations
    acknowledged: Final = "acknowledged"  # True/False; None when the source records no acks


# --- tables ---------------------------------------------------------------------------------


class ResponseTimes:
    """``response_times.parquet``: the distribution of each metric per group of a dimension."""

    table: Final = "response_times"
    metric: Final = "metric"
    dimension: Final = "dimension"
    group: Final = "group"
    count: Final = "count"
    mean: Final = "mean"
    median: Final = "median"
    p90: Final = "p90"
    p95: Final = "p95"
    excluded: Final = "excluded"
    population: Final = "population"


class IncidentResponse:
    """``incident_response.parquet``: one row per incident of the population with its durations
    (``<metric>_seconds``, NaN when outside that metric's population) and why it was left out
    (``<metric>_excluded``)."""

    table: Final = "incident_response"
    mtta_seconds: Final = "mtta_seconds"
    mttm_seconds: Final = "mttm_seconds"
    mttr_seconds: Final = "mttr_seconds"
    mtta_excluded: Final = "mtta_excluded"
    mttm_excluded: Final = "mttm_excluded"
    mttr_excluded: Final = "mttr_excluded"


class IncidentsWeekly:
    """``incidents_weekly.parquet``: week x team x service that had incidents or pages."""

    table: Final = "incidents_weekly"
    week: Final = "week"
    team: Final = "team"
    service: Final = "service"
    incidents: Final = "incidents"
    pages: Final = "pages"


class SeverityMix:
    """``severity_mix.parquet``."""

    table: Final = "severity_mix"
    severity: Final = "severity"
    incidents: Final = "incidents"
    share: Final = "share"


class MtbfByService:
    """``mtbf_by_service.parquet``."""

    table: Final = "mtbf_by_service"
    service: Final = "service"
    incidents: Final = "incidents"
    mtbf_seconds: Final = "mtbf_seconds"
    mean_seconds_between_starts: Final = "mean_seconds_between_starts"


class Recurrences:
    """``recurrences.parquet``: every incident with a recurrence key and its predecessor."""

    table: Final = "recurrences"
    previous_id: Final = "previous_id"
    gap_seconds: Final = "gap_seconds"
    is_repeat: Final = "is_repeat"
    recurred_after: Final = "recurred_after"  # the next incident of the key was a repeat of it


class RecurrenceByTeam:
    """``recurrence_by_team.parquet``."""

    table: Final = "recurrence_by_team"
    team: Final = "team"
    incidents: Final = "incidents"
    repeats: Final = "repeats"
    recurrence_rate: Final = "recurrence_rate"


class RepeatOffenders:
    """``repeat_offenders.parquet``: the keys with the most repeats."""

    table: Final = "repeat_offenders"
    recurrence_key: Final = "recurrence_key"
    source: Final = "source"
    service: Final = "service"
    team: Final = "team"
    title: Final = "title"
    incidents: Final = "incidents"
    repeats: Final = "repeats"
    first_seen: Final = "first_seen"
    last_seen: Final = "last_seen"


class FixStatus:
    """``fix_status.parquet``: per recurrence key that repeated, its fix and whether it held."""

    table: Final = "fix_status"
    recurrence_key: Final = "recurrence_key"
    title: Final = "title"  # the latest occurrence's title
    service: Final = "service"
    team: Final = "team"
    occurrences: Final = "occurrences"
    repeats: Final = "repeats"
    first_seen: Final = "first_seen"
    last_seen: Final = "last_seen"  # the latest occurrence, repeat or not
    fix_at: Final = "fix_at"  # when the evidence says the fix went in; NaT when none
    fix_evidence: Final = "fix_evidence"  # "postmortem" | "rule change" | "rate drop" | None
    fix_detail: Final = "fix_detail"  # the evidence in words
    occurrences_after_fix: Final = "occurrences_after_fix"
    status: Final = "status"  # FIX_STATUSES


class Interruptions:
    """``interruptions.parquet``: one row per interruption of a responder."""

    table: Final = "interruptions"
    user: Final = "user"
    at: Final = "at"  # UTC
    target: Final = "target"  # the incident or alert it was about
    channels: Final = "channels"
    notifications: Final = "notifications"
    local_time: Final = "local_time"  # in the responder's zone, "2026-11-17T03:12:00"
    timezone: Final = "timezone"
    weekday: Final = "weekday"  # 0 = Monday, local
    hour: Final = "hour"  # 0–23, local
    week: Final = "week"  # ISO week in the organisation's zone
    period: Final = "period"  # "business" | "off_hours" | "sleep" (local)
    shift_start: Final = "shift_start"  # local


class OncallWeekly:
    """``oncall_weekly.parquet``: per responder and week."""

    table: Final = "oncall_weekly"
    user: Final = "user"
    week: Final = "week"
    interruptions: Final = "interruptions"
    business: Final = "business"
    off_hours: Final = "off_hours"
    sleep: Final = "sleep"
    disrupted_hours: Final = "disrupted_hours"
    shifts_over_budget: Final = "shifts_over_budget"


class ShiftLoad:
    """``shift_load.parquet``: per responder and shift."""

    table: Final = "shift_load"
    user: Final = "user"
    shift_start: Final = "shift_start"
    week: Final = "week"
    incidents: Final = "incidents"
    over_budget: Final = "over_budget"


class BurnoutRisk:
    """``burnout_risk.parquet``: per responder over the trailing burnout weeks."""

    table: Final = "burnout_risk"
    user: Final = "user"
    weeks: Final = "weeks"  # how many weeks were judged
    interruptions_per_week: Final = "interruptions_per_week"
    sleep_per_week: Final = "sleep_per_week"
    off_hours_per_week: Final = "off_hours_per_week"
    shifts_over_budget: Final = "shifts_over_budget"
    at_risk: Final = "at_risk"
    reasons: Final = "reasons"  # the evidence in words; "" when not at risk


class WeeklyHeadlines:
    """``weekly_headlines.parquet``: the headline figures of every counted week. The same
    names key the review's headlines and summary.json's ``trends``/``headlines``."""

    table: Final = "weekly_headlines"
    week: Final = "week"
    incidents: Final = "incidents"
    pages: Final = "pages"
    noise_share: Final = "noise_share"
    acknowledged_share: Final = "acknowledged_share"
    escalation_rate: Final = "escalation_rate"
    mtta_median: Final = "mtta_median"
    mtta_p90: Final = "mtta_p90"
    mttr_median: Final = "mttr_median"  # human-handled incidents, Kaplan–Meier when some open
    mttr_p90: Final = "mttr_p90"
    recurrence_rate: Final = "recurrence_rate"
    interruptions: Final = "interruptions"
    sleep_interruptions: Final = "sleep_interruptions"


class Trends:
    """``trends.parquet``: one trend test per headline series over the trend window."""

    table: Final = "trends"
    metric: Final = "metric"
    n: Final = "n"  # weeks with a value
    weeks: Final = "weeks"  # weeks in the window
    slope_per_week: Final = "slope_per_week"
    p_value: Final = "p_value"
    mk_s: Final = "mk_s"
    direction: Final = "direction"  # "better" | "worse" | None
    confidence: Final = "confidence"  # "confident" | "tentative" | None
    verdict: Final = "verdict"  # in words
    alpha: Final = "alpha"


class Projection:
    """``projection.parquet``: per team (and ``all``), pages and incidents a week over the counted
    weeks now and after the noise fixes: the one population the summary and the report use."""

    table: Final = "projection"
    team: Final = "team"
    pages: Final = "pages"
    pages_after_fixes: Final = "pages_after_fixes"
    incidents: Final = "incidents"
    incidents_after_fixes: Final = "incidents_after_fixes"
    pages_per_week: Final = "pages_per_week"
    projected_pages_per_week_after_fixes: Final = "projected_pages_per_week_after_fixes"
    incidents_per_week: Final = "incidents_per_week"
    projected_incidents_per_week_after_fixes: Final = "projected_incidents_per_week_after_fixes"


#: Every metrics table ``analyze`` publishes, by file stem.
METRICS_TABLES: Final = (
    ResponseTimes.table,
    IncidentResponse.table,
    IncidentsWeekly.table,
    SeverityMix.table,
    MtbfByService.table,
    Recurrences.table,
    RecurrenceByTeam.table,
    RepeatOffenders.table,
    FixStatus.table,
    Interruptions.table,
    OncallWeekly.table,
    ShiftLoad.table,
    BurnoutRisk.table,
    WeeklyHeadlines.table,
    Trends.table,
    Projection.table,
)

FIX_HELD: Final = "held"  # a fix date, and no occurrence since for at least the quiet period
FIX_TOO_EARLY: Final = "too early to tell"  # a fix date, no occurrence since, not long enough
FIX_RECURRED: Final = "recurred"  # a fix date, and occurrences after it
NO_FIX: Final = "no fix recorded"
FIX_STATUSES: Final = (FIX_HELD, FIX_TOO_EARLY, FIX_RECURRED, NO_FIX)


# --- summary.json -----------------------------------------------------------------------------


class Summary:
    """Keys of ``<lake>/analysis/summary.json`` (a contract notebooks rely on); the TypedDicts
    below give each key its type. The first ten are the original contract."""

    file: Final = "summary.json"
    alerts: Final = "alerts"
    incidents: Final = "incidents"
    weeks: Final = "weeks"
    noise_share: Final = "noise_share"
    pages_per_week: Final = "pages_per_week"
    projected_pages_per_week_after_fixes: Final = "projected_pages_per_week_after_fixes"
    incidents_per_week: Final = "incidents_per_week"
    projected_incidents_per_week_after_fixes: Final = "projected_incidents_per_week_after_fixes"
    mtta_seconds: Final = "mtta_seconds"
    mttr_seconds: Final = "mttr_seconds"
    # the counted period
    review_week: Final = "review_week"
    review_week_ended: Final = "review_week_ended"
    first_week: Final = "first_week"
    last_week: Final = "last_week"
    timezone: Final = "timezone"
    as_of: Final = "as_of"
    not_counted: Final = "not_counted"
    # population
    mode: Final = "mode"
    pages: Final = "pages"
    incidents_by_origin: Final = "incidents_by_origin"
    merged_away: Final = "merged_away"
    alert_only_sources: Final = "alert_only_sources"
    # response
    mttm_seconds: Final = "mttm_seconds"
    mttr_auto_seconds: Final = "mttr_auto_seconds"
    acknowledged_share: Final = "acknowledged_share"
    escalation_rate: Final = "escalation_rate"
    response: Final = "response"
    # recurrence, on-call, noise
    recurrence_rate: Final = "recurrence_rate"
    recurrence_window_seconds: Final = "recurrence_window_seconds"
    fixes: Final = "fixes"
    interruptions: Final = "interruptions"
    responders_at_burnout_risk: Final = "responders_at_burnout_risk"
    noisy_rules: Final = "noisy_rules"
    rules: Final = "rules"
    compression_ratio: Final = "compression_ratio"
    # trends and the review week's headline figures
    trend_weeks: Final = "trend_weeks"
    trends: Final = "trends"
    headlines: Final = "headlines"
    learning: Final = "learning"
    maturity: Final = "maturity"


class Duration:
    """Keys of a response-time figure in summary.json (``DurationJson``)."""

    count: Final = "count"
    censored: Final = "censored"
    mean: Final = "mean"
    median: Final = "median"
    p90: Final = "p90"
    p95: Final = "p95"
    population: Final = "population"
    excluded: Final = "excluded"


class DurationJson(TypedDict):
    """One response-time figure: the distribution of its population and what was left out."""

    count: int  # durations measured (ended)
    censored: int  # still open at ``as_of``: counted as "at least this long"
    mean: float | None  # of the measured durations only
    median: float | None  # Kaplan–Meier when some are censored, else the plain median
    p90: float | None
    p95: float | None
    population: str
    excluded: dict[str, int]  # reason -> incidents left out


class ResponseJson(TypedDict):
    """Who handled the counted incidents, and the gaps of every response figure."""

    incidents: int
    human_handled: int
    auto_resolved: int
    handling_unknown: int
    still_open: int
    acknowledged: int
    never_acknowledged: int
    ack_unknown: int  # incidents of sources that record no acknowledgements
    escalated: int
    escalation_unknown: int  # incidents of sources that record no escalations
    zero_duration_resolves: int
    resolved_before_created: int
    warnings: list[str]


class TrendJson(TypedDict):
    """One trend test (``Trends`` columns)."""

    metric: str
    n: int
    weeks: int
    slope_per_week: float | None
    p_value: float | None
    mk_s: int | None
    direction: str | None
    confidence: str | None
    verdict: str
    alpha: float


class HeadlineJson(TypedDict):
    """One headline figure of the review week against the week before and the 4-week average."""

    this_week: float | None
    previous_week: float | None
    four_week_average: float | None


class NotCountedJson(TypedDict):
    """Records newer than the review week (its week has not ended): left out of every figure."""

    alerts: int
    incidents: int


class SummaryJson(TypedDict):
    """``summary.json``."""

    alerts: int
    incidents: int
    weeks: int
    noise_share: float | None
    pages_per_week: float | None
    projected_pages_per_week_after_fixes: float | None
    incidents_per_week: float | None
    projected_incidents_per_week_after_fixes: float | None
    mtta_seconds: DurationJson
    mttr_seconds: DurationJson
    review_week: str | None
    review_week_ended: bool  # False only when no week with data has ended yet
    first_week: str | None
    last_week: str | None
    timezone: str
    as_of: str | None
    not_counted: NotCountedJson
    mode: str
    pages: int
    incidents_by_origin: dict[str, int]
    merged_away: int
    alert_only_sources: list[str]
    mttm_seconds: DurationJson
    mttr_auto_seconds: DurationJson
    acknowledged_share: float | None
    escalation_rate: float | None
    response: ResponseJson
    recurrence_rate: float | None
    recurrence_window_seconds: float
    fixes: dict[str, int]
    interruptions: int
    responders_at_burnout_risk: list[str]
    noisy_rules: int
    rules: int
    compression_ratio: float | None
    trend_weeks: list[str]
    trends: dict[str, TrendJson]
    headlines: dict[str, HeadlineJson]
    learning: dict[str, object]
    maturity: dict[str, object]
