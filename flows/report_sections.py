"""Shaping analysis results into the report's sections: one function per section, from
frames and summaries to the frozen dataclasses of ``reports.model``. No IO."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from alertlens.analysis.frequency import paged_alerts
from alertlens.analysis.metrics import MetricsSettings
from alertlens.analysis.oncall import BUSINESS, OFF_HOURS, SLEEP
from alertlens.analysis.population import RECURRENCE_KEY, WEEK, iso_week
from alertlens.analysis.response import UNKNOWN_GROUP, response_durations
from alertlens.ingest.schema import (
    Alerts,
    Incidents,
    Manifest,
    Quarantine,
    Rules,
    Scored,
)
from alertlens.reports import model as m

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class ReportError(ValueError):
    """The report cannot be made from what is in the lake (empty lake, bad week)."""


def week_start(week: str) -> date:
    """The Monday of ISO week ``week`` ("2026-W47"); ReportError when it is no such week."""
    match = _WEEK.match(week)
    if not match:
        raise ReportError(f"week must look like 2026-W47, got {week!r}")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as err:
        raise ReportError(f"{week} is not an ISO week ({err})") from err


def trend_evidence(result: Mapping[str, Any]) -> str:
    """The trend test behind a verdict, in words."""
    verdict, n = result.get("verdict"), result.get("n", 0)
    if result.get("p_value") is None:
        return f"{verdict or 'no trend test'} ({n} weeks)"
    return (
        f"{verdict}: Theil–Sen {result['slope_per_week']:+.3g}/week, "
        f"Mann–Kendall p={result['p_value']:.3f}, {n} weeks"
    )


def week_incidents(
    records: list[dict[str, Any]], incidents: pd.DataFrame
) -> tuple[m.WeekIncident, ...]:
    """The review's incidents of the week, with status and major flag from the lake."""
    extra = incidents.set_index([Incidents.source, Incidents.incident_id])
    rows = []
    for r in sorted(records, key=lambda r: r[Incidents.created_at]):
        key = (r[Incidents.source], r[Incidents.incident_id])
        found = extra.loc[key] if key in extra.index else None
        status = "" if found is None else _text(found[Incidents.status])
        major = False if found is None else bool(_value(found[Incidents.major]) or False)
        rows.append(
            m.WeekIncident(
                _text(r[Incidents.incident_id]),
                _text(r[Incidents.title]),
                _text(r[Incidents.service]),
                _text(r[Incidents.team]),
                _text(r[Incidents.severity]),
                pd.Timestamp(r[Incidents.created_at]).to_pydatetime(),
                _value(r.get("mtta_seconds")),
                _value(r.get("mttr_seconds")),
                status,
                major,
            )
        )
    return tuple(rows)


def noise_audit(scored: pd.DataFrame, rules: pd.DataFrame, whatif: pd.DataFrame) -> m.NoiseAudit:
    """Noisy rules with their noise pages (Pareto order), reasons and fixes, and the what-if."""
    noise_paged = scored[Scored.is_noise].astype(bool) & scored[Alerts.paged].fillna(False).astype(
        bool
    )
    noise_pages = noise_paged.groupby(scored[Alerts.rule_key]).sum()
    noisy = rules[rules[Rules.is_noisy].astype(bool)]
    shaped = [
        m.NoisyRule(
            rule_key=_text(r[Rules.rule_key]),
            title=_text(r[Rules.title_template]),
            team=_text(r[Rules.team]),
            service=_text(r[Rules.service]),
            source=_text(r[Rules.source]),
            firings=int(r[Rules.firings]),
            pages=int(r[Rules.pages]),
            noise_share=float(r[Rules.noise_share]),
            noise_pages=int(noise_pages.get(r[Rules.rule_key], 0)),
            reasons=tuple(
                str(x) for x in (r[Rules.reasons] if r[Rules.reasons] is not None else ())
            ),
            recommendation=_text(r[Rules.recommendation]),
            recommendation_kind=_text(r[Rules.recommendation_kind]),
            family=_text(r[Rules.family]),
        )
        for r in noisy.to_dict("records")
    ]
    shaped.sort(key=lambda r: (-r.noise_pages, -r.firings, r.rule_key))
    created = scored[Alerts.created_at]
    window = f"{created.min():%Y-%m-%d} to {created.max():%Y-%m-%d}" if len(created) else ""
    projections = tuple(
        m.TeamProjection(
            _text(w["team"]),
            float(w["pages_per_week"]),
            float(w["projected_pages_per_week_after_fixes"]),
            float(w["incidents_per_week"]),
            float(w["projected_incidents_per_week_after_fixes"]),
        )
        for w in whatif.to_dict("records")
    )
    return m.NoiseAudit(
        rules=tuple(shaped),
        projections=projections,
        noise_share=float(scored[Scored.is_noise].astype(bool).mean()) if len(scored) else None,
        rules_total=len(rules),
        noise_pages_total=int(noise_paged.sum()),
        window=window,
    )


def response(
    population: pd.DataFrame, week: str, mode: str, *, trend_weeks: int, spread_weeks: int
) -> m.Response:
    """Response times of the week by team, service and severity, spreads over the last
    ``spread_weeks`` and weekly medians per team over the last ``trend_weeks``."""
    times = pd.concat([population, response_durations(population, mode=mode)], axis=1)
    times = times[times[Incidents.merged_into].isna()]
    weeks = _weeks_up_to(week, max(trend_weeks, spread_weeks))
    this = times[times[WEEK] == week]
    pooled = times[times[WEEK].isin(weeks[-spread_weeks:])]
    team = pooled[Incidents.team].fillna(UNKNOWN_GROUP)
    trend = times[times[WEEK].isin(weeks[-trend_weeks:])]
    medians = trend.groupby([trend[WEEK], trend[Incidents.team].fillna(UNKNOWN_GROUP)]).agg(
        mtta=("mtta_seconds", "median"), mttr=("mttr_seconds", "median"), n=(WEEK, "size")
    )
    return m.Response(
        by_team=_response_rows(this, Incidents.team),
        by_service=_response_rows(this, Incidents.service),
        by_severity=_response_rows(this, Incidents.severity),
        ack_spread=_spreads(pooled["mtta_seconds"], team),
        resolve_spread=_spreads(pooled["mttr_seconds"], team),
        trend=tuple(
            m.WeeklyPoint(week_start(w), str(t), _value(r["mtta"]), _value(r["mttr"]), int(r["n"]))
            for (w, t), r in medians.iterrows()
        ),
    )


def _response_rows(frame: pd.DataFrame, column: str) -> tuple[m.ResponseRow, ...]:
    groups = frame.groupby(frame[column].fillna(UNKNOWN_GROUP))
    rows = [
        m.ResponseRow(
            str(name), len(g), *_median_p90(g["mtta_seconds"]), *_median_p90(g["mttr_seconds"])
        )
        for name, g in groups
    ]
    return tuple(sorted(rows, key=lambda r: (-r.incidents, r.group)))


def _median_p90(seconds: pd.Series) -> tuple[float | None, float | None]:
    values = seconds.dropna()
    if values.empty:
        return None, None
    return float(values.median()), float(values.quantile(0.9))


def _spreads(seconds: pd.Series, groups: pd.Series) -> tuple[m.Spread, ...]:
    out = []
    for name, values in seconds.groupby(groups):
        v = values.dropna()
        if len(v):
            q = v.quantile([0.1, 0.25, 0.5, 0.75, 0.9]).to_numpy(dtype=float)
            out.append(m.Spread(str(name), len(v), *map(float, q)))
    return tuple(out)


def _weeks_up_to(week: str, count: int) -> list[str]:
    monday = pd.Timestamp(week_start(week), tz="UTC")
    mondays = pd.Series([monday - pd.Timedelta(weeks=k) for k in range(count - 1, -1, -1)])
    return list(iso_week(mondays))


def recurrences(tables: Mapping[str, pd.DataFrame], week: str) -> tuple[m.Recurrence, ...]:
    """Keys that repeated, with repeats this week and whether the fix held, worst first."""
    recurring = tables["recurrences"]
    repeats = recurring[recurring["is_repeat"].astype(bool)]
    if repeats.empty:
        return ()
    fix = tables["fix_status"].set_index(RECURRENCE_KEY)["status"]
    rows = []
    for key, group in repeats.groupby(RECURRENCE_KEY):
        status = fix.get(key)
        held = None if status is None else status == "held"
        last = group.iloc[-1]
        rows.append(
            m.Recurrence(
                key=_text(last[Incidents.title]) or str(key),
                service=_text(last[Incidents.service]),
                team=_text(last[Incidents.team]),
                occurrences=len(group),
                this_week=int((group[WEEK] == week).sum()),
                last_seen=pd.Timestamp(group[Incidents.created_at].max()).to_pydatetime(),
                fix_held=held,
                detail="repeats only recently: too early to judge a fix" if held is None else "",
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.this_week, -r.occurrences, r.key)))


def oncall(
    interrupts: pd.DataFrame,
    weekly: pd.DataFrame,
    incidents: pd.DataFrame,
    alerts: pd.DataFrame,
    week: str,
    settings: MetricsSettings,
) -> m.OnCallLoad:
    """Interruptions per responder in ``week`` and pages by hour of week (UTC)."""
    team_of_target = pd.concat(
        [
            incidents.set_index(Incidents.incident_id)[Incidents.team],
            alerts.set_index(Alerts.alert_id)[Alerts.team],
        ]
    ).dropna()
    team_of_target = team_of_target[~team_of_target.index.duplicated()]
    this = interrupts[interrupts["week"] == week]
    teams = this["target"].map(team_of_target).fillna(UNKNOWN_GROUP)
    team_of_user = teams.groupby(this["user"]).agg(lambda t: t.mode().iloc[0])
    responders = tuple(
        m.ResponderLoad(
            str(r["user"]),
            str(team_of_user.get(r["user"], UNKNOWN_GROUP)),
            int(r[BUSINESS]),
            int(r[OFF_HOURS]),
            int(r[SLEEP]),
            int(r["shifts_over_budget"]),
        )
        for r in weekly[weekly["week"] == week].to_dict("records")
    )
    pages = paged_alerts(alerts)
    at = pages.loc[pages[WEEK] == week, Alerts.created_at]
    counts = pd.crosstab(at.dt.day_of_week, at.dt.hour).reindex(
        index=range(7), columns=range(24), fill_value=0
    )
    return m.OnCallLoad(
        responders=tuple(sorted(responders, key=lambda r: (-r.total, r.responder))),
        hour_of_week=tuple(tuple(int(v) for v in row) for row in counts.to_numpy()),
        budget=settings.sre_budget,
        shift_hours=settings.shift_hours,
        timezone="UTC",
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


def data_quality(manifest: pd.DataFrame, quarantine: pd.DataFrame) -> m.DataQuality:
    """Records read, accepted, quarantined and deduplicated per source, and why quarantined."""
    source = manifest[Manifest.source].fillna(UNKNOWN_GROUP)
    sums = manifest.groupby(source).agg(
        files=(Manifest.file_sha256, "nunique"),
        read=(Manifest.read, "sum"),
        accepted=(Manifest.accepted, "sum"),
        quarantined=(Manifest.quarantined, "sum"),
        deduplicated=(Manifest.deduplicated, "sum"),
    )
    sources = tuple(m.SourceQuality(str(s), *(int(v) for v in r)) for s, r in sums.iterrows())
    q_source = quarantine[Quarantine.source].fillna(UNKNOWN_GROUP)
    reasons = []
    for (s, reason), g in quarantine.groupby([q_source, quarantine[Quarantine.reason]]):
        first = g.iloc[0]
        reasons.append(
            m.QuarantineReason(
                str(s),
                str(reason),
                len(g),
                f"{Path(str(first[Quarantine.file])).name}: {first[Quarantine.locator]}",
            )
        )
    reasons.sort(key=lambda q: (-q.records, q.source, q.reason))
    return m.DataQuality(sources, tuple(reasons))


def _value(x: object) -> Any:
    return None if x is None or (not isinstance(x, str | list | tuple) and pd.isna(x)) else x


def _text(x: object) -> str:
    v = _value(x)
    return "" if v is None else str(v)
