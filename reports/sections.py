"""The review's figures shaped into the report model; nothing is computed here beyond putting
evidence into words and choosing what a card shows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from alertlens.analysis.calendar import week_monday
from alertlens.analysis.review import HeadlineFigure, ReviewFigures
from alertlens.analysis.trends.mann_kendall import TrendResult
from alertlens.analysis.trends.maturity import MaturityResult
from alertlens.ingest.metrics_schema import WeeklyHeadlines
from alertlens.ingest.schema import Incidents
from alertlens.reports import model as m
from alertlens.reports.charts import team_colors

_W = WeeklyHeadlines
#: The headline cards in display order: headline -> (label, unit).
CARDS: Final[dict[str, tuple[str, m.Unit]]] = {
    _W.incidents: ("Incidents", "count"),
    _W.pages: ("Pages", "count"),
    _W.noise_share: ("Noise share of alert firings", "share"),
    _W.acknowledged_share: ("Incidents acknowledged", "share"),
    _W.escalation_rate: ("Incidents escalated", "share"),
    _W.mtta_median: ("Time to acknowledge (median)", "seconds"),
    _W.mttr_median: ("Time to resolve (median, auto-resolved aside)", "seconds"),
    _W.recurrence_rate: ("Repeat incidents", "share"),
    _W.interruptions: ("Interruptions", "count"),
    _W.sleep_interruptions: ("Sleep-hour interruptions", "count"),
}


def report_model(
    figures: ReviewFigures,
    *,
    generated_at: datetime,
    title: str,
    budget: int,
    shift_hours: int,
    burnout_weeks: int,
    alpha: float,
    min_weeks: int,
) -> m.Report:
    """The report of one review's figures."""
    period, counted = figures.period, figures.history
    warnings: dict[str, list[str]] = {}
    for key, text in figures.response.warnings:
        warnings.setdefault(key, []).append(text)
    by_key = {h.key: h for h in figures.headlines}
    return m.Report(
        label=period.label,
        start=period.start.date(),
        end=last_day(period.start.date(), (period.end.date() - period.start.date()).days),
        previous_label=period.previous.label,
        is_week=period.week is not None,
        generated_at=generated_at,
        timezone=counted.timezone,
        weeks_counted=len(counted.weeks),
        first_week=counted.first_week or "",
        last_week=counted.last_week or "",
        window=figures.window,
        headline=tuple(headline(by_key[key], "; ".join(warnings.get(key, ())))
                       for key in CARDS if key in by_key),
        weekly=tuple(
            m.WeekPoint(str(r[_W.week]), week_monday(str(r[_W.week])), _value(r[_W.incidents]),
                        _value(r[_W.pages]), _value(r[_W.noise_share]),
                        _value(r[_W.mtta_median]), _value(r[_W.mttr_median]))
            for _, r in figures.weekly.iterrows()
        ),
        incidents=figures.incidents,
        noise=noise_audit(figures),
        response=response(figures),
        recurrences=figures.recurrences,
        oncall=m.OnCallLoad(
            responders=figures.responders,
            load=figures.load,
            hour_of_week=figures.hour_of_week,
            heatmap_subject=figures.heatmap_subject,
            heatmap_zones=figures.heatmap_zones,
            burnout=figures.burnout,
            budget=budget,
            shift_hours=shift_hours,
            burnout_weeks=burnout_weeks,
        ),
        maturity=maturity(figures.maturity),
        quality=m.DataQuality(figures.sources, figures.quarantine),
        team=figures.team,
        quiet=figures.quiet,
        alpha=alpha,
        min_weeks=min_weeks,
        team_colors=team_colors(figures.teams),
        title=title if figures.team is None else f"{title} · team {figures.team}",
        notes=figures.notes,
    )


def headline(figure: HeadlineFigure, note: str = "") -> m.Headline:
    """One headline card: the figure, its comparisons and its trend in words."""
    label, unit = CARDS[figure.key]
    trend, comparison = figure.trend, figure.comparison
    return m.Headline(
        key=figure.key,
        label=label,
        unit=unit,
        value=comparison.this,
        previous=comparison.previous,
        average_4w=comparison.average_4w,
        verdict=trend.direction,
        verdict_text=trend.verdict,
        weeks=trend.n,
        method=trend_method(trend),
        note=note,
    )


def trend_method(result: TrendResult) -> str:
    """The trend test behind a verdict, for the footnote and the hover text."""
    if result.p_value is None:
        return (f"{result.n} of {result.weeks} weeks have a value; the test needs at least "
                f"{result.min_weeks}")
    slope = result.slope_per_week or 0.0
    return (f"Mann–Kendall p = {result.p_value:.2g} over {result.n} weeks; Theil–Sen slope "
            f"{slope:+.3g} a week")


def noise_audit(figures: ReviewFigures) -> m.NoiseAudit:
    """Noisy rules (Pareto order) with reasons and fixes, the what-if, storms and runbooks."""
    noise, counted = figures.noise, figures.history
    return m.NoiseAudit(
        rules=noise.rules,
        projections=noise.projections,
        noise_share=noise.noise_share,
        rules_total=noise.rules_total,
        noise_pages_total=noise.noise_pages_total,
        noise_firings_total=noise.noise_firings_total,
        window=f"{counted.first_week} to {counted.last_week} ({len(counted.weeks)} weeks)",
        pages_per_week=noise.pages_per_week,
        projected_pages_per_week=noise.projected_pages_per_week,
        compression_ratio=noise.compression_ratio,
        storms=noise.storms,
        runbooks=noise.runbooks,
    )


def response(figures: ReviewFigures) -> m.Response:
    """The period's response figures with their populations and warnings."""
    f = figures.response
    return m.Response(
        incidents=f.incidents, human_handled=f.human_handled, auto_resolved=f.auto_resolved,
        handling_unknown=f.handling_unknown, still_open=f.still_open, acknowledged=f.acknowledged,
        never_acknowledged=f.never_acknowledged, ack_unknown=f.ack_unknown, escalated=f.escalated,
        escalation_unknown=f.escalation_unknown, acknowledged_share=f.acknowledged_share,
        escalation_rate=f.escalation_rate, mtta_median=f.mtta.median, mtta_p90=f.mtta.p90,
        mttr_median=f.mttr.median, mttr_p90=f.mttr.p90, mttr_censored=f.mttr.censored,
        mttr_auto_median=f.mttr_auto.median,
        warnings=tuple(text for _, text in f.warnings),
        by_team=figures.response_by[Incidents.team],
        by_service=figures.response_by[Incidents.service],
        by_severity=figures.response_by[Incidents.severity],
        spread_weeks=figures.spread_weeks,
        ack_spread=figures.ack_spread,
        resolve_spread=figures.resolve_spread,
    )


def maturity(result: MaturityResult | None) -> m.Maturity | None:
    """The maturity level and each criterion's evidence in words."""
    if result is None:
        return None
    criteria = tuple(
        m.Criterion(
            name=c.name[:1].upper() + c.name[1:],
            level=c.level,
            status=c.status,
            evidence=f"{_criterion_value(c.value, c.threshold)} (needs {c.threshold}); {c.detail}",
        )
        for c in result.criteria
    )
    return m.Maturity(result.level, result.name.capitalize(), 4, criteria,
                      result.next_level_blocked_by)


def _criterion_value(value: float | None, threshold: str) -> str:
    if value is None:
        return "unknown"
    if " min" in threshold:
        return f"{value / 60:.1f} min"
    if "%" in threshold:
        return f"{value * 100:.1f} %"
    return f"slope {value:+.3g} a week"


def _value(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def last_day(start: date, days: int) -> date:
    """The last day of a period of ``days`` days starting on ``start``."""
    return date.fromordinal(start.toordinal() + days - 1)
