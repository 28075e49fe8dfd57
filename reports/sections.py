"""The review's figures shaped into the report model: rows become the frozen dataclasses of
``reports.model``; nothing is computed here beyond formatting evidence into words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date, datetime
from typing import Any

import pandas as pd

from alertlens.analysis.review import ReviewFigures
from alertlens.analysis.review.week import week_start
from alertlens.analysis.trends.mann_kendall import BETTER, WORSE
from alertlens.ingest.schema import Rules
from alertlens.reports import model as m
from alertlens.reports.charts import team_colors

#: Headline figures in display order: review key -> (label, unit).
HEADLINES: dict[str, tuple[str, m.Unit]] = {
    "incidents": ("Incidents", "count"),
    "pages": ("Pages", "count"),
    "noise_share": ("Noise share", "share"),
    "mtta_median": ("MTTA median", "seconds"),
    "mtta_p90": ("MTTA p90", "seconds"),
    "mttr_median": ("MTTR median", "seconds"),
    "mttr_p90": ("MTTR p90", "seconds"),
    "interruptions": ("Interruptions", "count"),
    "sleep_interruptions": ("Sleep-hours interruptions", "count"),
}


def report_model(
    figures: ReviewFigures,
    *,
    generated_at: datetime,
    title: str,
    budget: int,
    shift_hours: int,
) -> m.Report:
    """The report of one week's figures."""
    start = week_start(figures.week)
    headlines = figures.review["headlines"]
    return m.Report(
        week=figures.week,
        week_start=start,
        week_end=date.fromordinal(start.toordinal() + 6),
        generated_at=generated_at,
        headline=tuple(headline(key, headlines[key]) for key in HEADLINES if key in headlines),
        incidents=_rows(m.WeekIncident, figures.incidents),
        noise=noise_audit(figures),
        response=m.Response(
            by_team=_rows(m.ResponseRow, figures.response_by["team"]),
            by_service=_rows(m.ResponseRow, figures.response_by["service"]),
            by_severity=_rows(m.ResponseRow, figures.response_by["severity"]),
            ack_spread=_rows(m.Spread, figures.ack_spread),
            resolve_spread=_rows(m.Spread, figures.resolve_spread),
            trend=tuple(
                m.WeeklyPoint(
                    week_start(str(r["week"])),
                    str(r["team"]),
                    _value(r["mtta_median"]),
                    _value(r["mttr_median"]),
                    int(r["incidents"]),
                )
                for r in figures.response_trend.to_dict("records")
            ),
        ),
        recurrences=tuple(
            m.Recurrence(
                key=_text(r["key"]),
                service=_text(r["service"]),
                team=_text(r["team"]),
                occurrences=int(r["occurrences"]),
                this_week=int(r["this_week"]),
                last_seen=_time(r["last_seen"]),
                fix_held=r["fix_held"],
                detail="repeats only recently: too early to judge a fix"
                if r["fix_held"] is None
                else "",
            )
            for r in figures.recurrences.to_dict("records")
        ),
        oncall=m.OnCallLoad(
            responders=_rows(m.ResponderLoad, figures.responders),
            hour_of_week=tuple(tuple(int(v) for v in row) for row in figures.hour_of_week),
            budget=budget,
            shift_hours=shift_hours,
            timezone="UTC",
        ),
        maturity=maturity(figures.maturity),
        quality=m.DataQuality(
            _rows(m.SourceQuality, figures.sources),
            _rows(m.QuarantineReason, figures.quarantine_reasons),
        ),
        team_colors=team_colors(figures.teams),
        title=title,
        notes=figures.notes,
    )


def headline(key: str, figure: Mapping[str, Any]) -> m.Headline:
    """One headline figure with its verdict and the evidence behind it."""
    label, unit = HEADLINES[key]
    result = figure.get("trend") or {}
    words: dict[str, m.Verdict] = {BETTER: "better", WORSE: "worse"}
    verdict = words.get(str(result.get("verdict")))
    return m.Headline(
        key,
        label,
        unit,
        figure.get("this_week"),
        figure.get("previous_week"),
        figure.get("four_week_average"),
        verdict,
        trend_evidence(result),
    )


def trend_evidence(result: Mapping[str, Any]) -> str:
    """The trend test behind a verdict, in words."""
    verdict, n = result.get("verdict"), result.get("n", 0)
    if result.get("p_value") is None:
        return f"{verdict or 'no trend test'} ({n} weeks)"
    return (
        f"{verdict}: Theil–Sen {result['slope_per_week']:+.3g}/week, "
        f"Mann–Kendall p={result['p_value']:.3f}, {n} weeks"
    )


def noise_audit(figures: ReviewFigures) -> m.NoiseAudit:
    """Noisy rules (Pareto order) with reasons and fixes, and the what-if per team."""
    rules = tuple(
        m.NoisyRule(
            rule_key=_text(r[Rules.rule_key]),
            title=_text(r[Rules.title_template]),
            team=_text(r[Rules.team]),
            service=_text(r[Rules.service]),
            source=_text(r[Rules.source]),
            firings=int(r[Rules.firings]),
            pages=int(r[Rules.pages]),
            noise_share=float(r[Rules.noise_share]),
            noise_pages=int(r["noise_pages"]),
            reasons=tuple(
                str(x) for x in (r[Rules.reasons] if r[Rules.reasons] is not None else ())
            ),
            recommendation=_text(r[Rules.recommendation]),
            recommendation_kind=_text(r[Rules.recommendation_kind]),
            family=_text(r[Rules.family]),
        )
        for r in figures.noisy_rules.to_dict("records")
    )
    projections = tuple(
        m.TeamProjection(
            _text(w["team"]),
            float(w["pages_per_week"]),
            float(w["projected_pages_per_week_after_fixes"]),
            float(w["incidents_per_week"]),
            float(w["projected_incidents_per_week_after_fixes"]),
        )
        for w in figures.projections.to_dict("records")
    )
    return m.NoiseAudit(
        rules=rules,
        projections=projections,
        noise_share=figures.noise_share,
        rules_total=figures.rules_total,
        noise_pages_total=figures.noise_pages_total,
        window=figures.noise_window,
    )


def maturity(result: Mapping[str, Any] | None) -> m.Maturity | None:
    """The maturity level and each criterion's evidence, from the metrics summary."""
    if not result:
        return None
    criteria = tuple(
        m.Criterion(
            name=str(c["name"]).capitalize(),
            level=int(c["level"]),
            status=str(c["status"]),
            evidence=f"{_criterion_value(c)} (needs {c['threshold']}); {c['detail']}",
        )
        for c in result["criteria"]
    )
    blocked = tuple(str(b) for b in result.get("next_level_blocked_by", ()))
    return m.Maturity(int(result["level"]), str(result["name"]).capitalize(), 4, criteria, blocked)


def _criterion_value(c: Mapping[str, Any]) -> str:
    value = c.get("value")
    if value is None:
        return "unknown"
    if "MTTA" in str(c["threshold"]):
        return f"{float(value) / 60:.1f} min"
    if "%" in str(c["threshold"]):
        return f"{float(value) * 100:.1f} %"
    return f"{float(value):+.3g}/week"


def _rows(cls: Any, frame: pd.DataFrame) -> tuple[Any, ...]:
    """One ``cls`` per row of ``frame`` (columns are the field names): a missing text is "",
    any other missing value None."""
    text = {f.name for f in fields(cls) if f.type == "str"}
    return tuple(
        cls(**{str(k): (_text(v) if k in text else _value(v)) for k, v in row.items()})
        for row in frame.to_dict("records")
    )


def _value(x: object) -> Any:
    if isinstance(x, pd.Timestamp):
        return x.to_pydatetime()
    return None if x is None or (not isinstance(x, str | list | tuple) and pd.isna(x)) else x  # type: ignore[call-overload]


def _text(x: object) -> str:
    v = _value(x)
    return "" if v is None else str(v)


def _time(x: object) -> datetime | None:
    v = _value(x)
    return None if v is None else pd.Timestamp(v).to_pydatetime()
