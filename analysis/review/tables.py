"""The tables of one review, each built from the same populations as the headline: the period's
incidents, response by group, recurrence with fixes, responders, burnout, storms and runbooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.calendar import Period
from alertlens.analysis.incidents.population import RECURRENCE_KEY, UNKNOWN_GROUP
from alertlens.analysis.jsonable import optional_float, optional_text
from alertlens.analysis.noise.episodes import COMPRESSION, EPISODES, FIRINGS, GROUP, RULES_IN_GROUP
from alertlens.analysis.noise.explain import RUNBOOK_SHARE
from alertlens.analysis.oncall.load import BUSINESS, OFF_HOURS, SLEEP, shift_load
from alertlens.analysis.pipeline import NoiseFacts
from alertlens.analysis.projection import ALL
from alertlens.analysis.response.durations import SECONDS
from alertlens.analysis.response.populations import AUTO, response_figures
from alertlens.analysis.review.rows import (
    BurnoutRow,
    IncidentRow,
    LoadPoint,
    NoisyRuleRow,
    ProjectionRow,
    RecurrenceRow,
    ResponderRow,
    ResponseRow,
    RunbookRow,
    SpreadRow,
    StormRow,
)
from alertlens.analysis.settings import MetricsSettings
from alertlens.ingest.metrics_schema import (
    BurnoutRisk,
    FixStatus,
    Interruptions,
    OncallWeekly,
    Population,
    Projection,
    Recurrences,
    ShiftLoad,
)
from alertlens.ingest.schema import Alerts, Incidents, Rules, Scored

#: Quantiles of the response-time spreads.
SPREAD_QUANTILES: Final = (0.1, 0.25, 0.5, 0.75, 0.9)


_text = optional_text
_number = optional_float


def _groups(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), UNKNOWN_GROUP).astype(str)


def period_incidents(frame: pd.DataFrame, recurring: pd.DataFrame) -> tuple[IncidentRow, ...]:
    """The period's counted incidents, oldest first (``frame``: the response frame's rows)."""
    repeat = recurring.set_index([Incidents.source, Incidents.incident_id])[Recurrences.is_repeat]
    keys = pd.MultiIndex.from_frame(frame[[Incidents.source, Incidents.incident_id]])
    repeats = repeat[~repeat.index.duplicated()].reindex(keys).fillna(False).to_numpy(dtype=bool)
    major = frame[Incidents.major].astype("boolean").fillna(False).to_numpy(dtype=bool)
    # column arrays, not iterrows: a row Series per incident was most of the report's table time
    column = {c: frame[c].to_numpy(dtype=object) for c in (
        Incidents.incident_id, Incidents.title, Incidents.service, Incidents.team,
        Incidents.severity, Incidents.created_at, SECONDS["mtta"], SECONDS["mttr"],
        Population.handling, Incidents.status)}
    return tuple(
        IncidentRow(
            incident_id=_text(column[Incidents.incident_id][i]),
            title=_text(column[Incidents.title][i]),
            service=_text(column[Incidents.service][i]), team=_text(column[Incidents.team][i]),
            severity=_text(column[Incidents.severity][i]),
            created_at=pd.Timestamp(column[Incidents.created_at][i]).to_pydatetime(),
            time_to_ack=_number(column[SECONDS["mtta"]][i]),
            time_to_resolve=_number(column[SECONDS["mttr"]][i]),
            handling=_text(column[Population.handling][i]),
            status=_text(column[Incidents.status][i]),
            major=bool(major[i]), repeat=bool(repeats[i]),
        )
        for i in range(len(frame))
    )


def noisy_rules(facts: NoiseFacts) -> tuple[tuple[NoisyRuleRow, ...], int, int]:
    """The noisy rules with their noise firings and pages over the counted weeks, most noise
    pages (then firings) first; and the noise pages and noise firings of all rules."""
    scored = facts.scored
    noise = scored[Scored.is_noise].astype(bool)
    paged = scored[Alerts.paged].astype("boolean").fillna(False).astype(bool)
    firings = noise.groupby(scored[Alerts.rule_key]).sum()
    pages = (noise & paged).groupby(scored[Alerts.rule_key]).sum()
    noisy = facts.rules[facts.rules[Rules.is_noisy].astype(bool)].copy()
    rows = []
    for _, r in noisy.iterrows():
        key = r[Rules.rule_key]
        rows.append(NoisyRuleRow(
            rule_key=_text(key), title=_text(r[Rules.title_template]), team=_text(r[Rules.team]),
            service=_text(r[Rules.service]), source=_text(r[Rules.source]),
            firings=int(r[Rules.firings]), pages=int(r[Rules.pages]),
            noise_share=float(r[Rules.noise_share]),
            noise_firings=int(firings.get(key, 0)), noise_pages=int(pages.get(key, 0)),
            reasons=tuple(str(x) for x in (r[Rules.reasons] if r[Rules.reasons] is not None
                                           else ())),
            recommendation=_text(r[Rules.recommendation]),
            recommendation_kind=_text(r[Rules.recommendation_kind]),
            family=_text(r.get(Rules.family_name)) or _text(r[Rules.family]),
            name=_text(r.get(Rules.rule_name)),
            verdict=_text(r.get(Rules.verdict)),
            confidence=_confidence(r.get(Rules.confidence)),
            evidence=tuple(str(x) for x in _sequence(r.get(Rules.evidence))),
        ))
    rows.sort(key=lambda x: (-x.noise_pages, -x.noise_firings, x.rule_key))
    return tuple(rows), int((noise & paged).sum()), int(noise.sum())


def _confidence(value: object) -> float | None:
    """A stored confidence, None when missing (rules from an older analysis have none)."""
    if not isinstance(value, int | float) or value != value:  # NaN is not equal to itself
        return None
    return float(value)


def _sequence(value: object) -> list[object]:
    """A stored list column's value as a list (parquet gives arrays; missing gives nothing)."""
    if isinstance(value, list | tuple | np.ndarray):
        return list(value)
    return []


def projection_rows(table: pd.DataFrame) -> tuple[ProjectionRow, ...]:
    """Every team of the projection with pages or incidents (not the ``all`` row)."""
    p = Projection
    return tuple(
        ProjectionRow(str(r[p.team]), float(r[p.pages_per_week]),
                      float(r[p.projected_pages_per_week_after_fixes]),
                      float(r[p.incidents_per_week]),
                      float(r[p.projected_incidents_per_week_after_fixes]))
        for _, r in table[table[p.team] != ALL].iterrows()
    )


def response_rows(frame: pd.DataFrame, column: str, *, as_of: pd.Timestamp | None,
                  settings: MetricsSettings) -> tuple[ResponseRow, ...]:
    """Response figures per value of ``column`` of the period's incidents, most first."""
    rows = []
    for group, part in frame.groupby(_groups(frame[column]), sort=True):
        f = response_figures(part, as_of=as_of, mode=settings.mode,
                             min_resolved_share=settings.mttr_min_resolved_share)
        rows.append(ResponseRow(str(group), f.incidents, f.acknowledged, f.human_handled,
                                f.mtta.median, f.mtta.p90, f.mttr.median, f.mttr.p90,
                                f.still_open))
    rows.sort(key=lambda r: (-r.incidents, r.group))
    return tuple(rows)


def spreads(seconds: pd.Series, groups: pd.Series) -> tuple[SpreadRow, ...]:
    """The spread quantiles of ``seconds`` per group that has any value."""
    known = seconds.notna()
    values, keys = seconds[known], _groups(groups[known])
    rows = []
    for group, part in values.groupby(keys, sort=True):
        q = np.quantile(part.to_numpy(dtype=float), SPREAD_QUANTILES)
        rows.append(SpreadRow(str(group), len(part), *(float(v) for v in q)))
    return tuple(rows)


def resolve_seconds(frame: pd.DataFrame) -> pd.Series:
    """Time to resolve of the incidents that did not resolve by themselves (NaN elsewhere)."""
    return frame[SECONDS["mttr"]].where(frame[Population.handling] != AUTO)


def recurrence_rows(fix_status: pd.DataFrame, recurring: pd.DataFrame,
                    period: Period) -> tuple[RecurrenceRow, ...]:
    """Every key that repeated: occurrences, repeats, occurrences in ``period``, last seen, the
    fix and its status; the most active in the period first, then the most repeats."""
    f = FixStatus
    created = recurring[Incidents.created_at]
    inside = recurring[(created >= period.start) & (created < period.end)]
    this = inside.groupby(RECURRENCE_KEY).size()
    rows = [
        RecurrenceRow(
            key=_text(r[f.title]) or _text(r[f.recurrence_key]), service=_text(r[f.service]),
            team=_text(r[f.team]), occurrences=int(r[f.occurrences]), repeats=int(r[f.repeats]),
            this_period=int(this.get(r[f.recurrence_key], 0)),
            last_seen=pd.Timestamp(r[f.last_seen]).to_pydatetime(),
            fix_at=None if pd.isna(r[f.fix_at]) else pd.Timestamp(r[f.fix_at]).to_pydatetime(),
            fix_evidence=_text(r[f.fix_evidence]), fix_detail=_text(r[f.fix_detail]),
            status=_text(r[f.status]),
        )
        for _, r in fix_status.iterrows()
    ]
    rows.sort(key=lambda x: (-x.this_period, -x.repeats, -x.occurrences, x.key))
    return tuple(rows)


def responder_rows(interrupts: pd.DataFrame, team_of_target: pd.Series,
                   settings: MetricsSettings) -> tuple[ResponderRow, ...]:
    """Per responder of ``interrupts`` (the period's): interruptions by time of day in their
    own zone and shifts over the SRE budget; most interrupted first."""
    i = Interruptions
    if interrupts.empty:
        return ()
    teams = interrupts[i.target].map(team_of_target).fillna(UNKNOWN_GROUP)
    shifts = shift_load(interrupts, settings)
    over = {str(user): int(n) for user, n in
            shifts[shifts[ShiftLoad.over_budget]].groupby(ShiftLoad.user).size().items()}
    rows = []
    for user, part in interrupts.groupby(i.user, sort=True):
        periods = part[i.period].value_counts()
        rows.append(ResponderRow(
            responder=str(user), team=str(teams[part.index].mode().iloc[0]),
            timezone=str(part[i.timezone].iloc[0]),
            business_hours=int(periods.get(BUSINESS, 0)), off_hours=int(periods.get(OFF_HOURS, 0)),
            sleep_hours=int(periods.get(SLEEP, 0)), shifts_over_budget=over.get(str(user), 0),
        ))
    rows.sort(key=lambda r: (-(r.business_hours + r.off_hours + r.sleep_hours), r.responder))
    return tuple(rows)


def team_of_targets(incidents: pd.DataFrame, alerts: pd.DataFrame) -> pd.Series:
    """The team of every incident and alert id."""
    teams = pd.concat([incidents.set_index(Incidents.incident_id)[Incidents.team],
                       alerts.set_index(Alerts.alert_id)[Alerts.team]]).dropna()
    unique: pd.Series = teams[~teams.index.duplicated()]
    return unique


def burnout_rows(table: pd.DataFrame) -> tuple[BurnoutRow, ...]:
    """Every responder judged for burnout, those at risk first."""
    b = BurnoutRisk
    return tuple(
        BurnoutRow(str(r[b.user]), int(r[b.weeks]), float(r[b.interruptions_per_week]),
                   float(r[b.sleep_per_week]), float(r[b.off_hours_per_week]),
                   int(r[b.shifts_over_budget]), bool(r[b.at_risk]), _text(r[b.reasons]))
        for _, r in table.iterrows()
    )


def load_points(weekly: pd.DataFrame, window: Iterable[str]) -> tuple[LoadPoint, ...]:
    """Interruptions per responder and week over ``window`` (weeks without any are absent)."""
    w = OncallWeekly
    weeks = list(window)
    rows = weekly[weekly[w.week].isin(weeks)]
    return tuple(LoadPoint(str(r[w.user]), str(r[w.week]), int(r[w.interruptions]),
                           int(r[w.sleep])) for _, r in rows.iterrows())


def hour_of_week(interrupts: pd.DataFrame) -> tuple[tuple[int, ...], ...]:
    """7 x 24 interruptions by local weekday (Monday first) and local hour of each responder."""
    i = Interruptions
    counts = pd.crosstab(interrupts[i.weekday].astype(int), interrupts[i.hour].astype(int))
    counts = counts.reindex(index=range(7), columns=range(24), fill_value=0)
    return tuple(tuple(int(v) for v in row) for row in counts.to_numpy())


def pages_hour_of_week(times: pd.Series, timezone: str) -> tuple[tuple[int, ...], ...]:
    """7 x 24 pages by weekday and hour on ``timezone``'s clock."""
    local = times.dt.tz_convert(timezone)
    counts = pd.crosstab(local.dt.day_of_week, local.dt.hour)
    counts = counts.reindex(index=range(7), columns=range(24), fill_value=0)
    return tuple(tuple(int(v) for v in row) for row in counts.to_numpy())


def storms(facts: NoiseFacts) -> tuple[StormRow, ...]:
    """The correlation groups (rules that fire together), most firings first."""
    titles = facts.rules.set_index(Rules.rule_key)[Rules.title_template]
    titles = titles[~titles.index.duplicated()]
    rows = []
    for _, r in facts.correlation.iterrows():
        names = tuple(_text(titles.get(k)) or str(k) for k in r[RULES_IN_GROUP])
        rows.append(StormRow(str(r[GROUP]), names, int(r[FIRINGS]), int(r[EPISODES]),
                             float(r[COMPRESSION])))
    rows.sort(key=lambda s: (-s.firings, s.group))
    return tuple(rows)


def compression_ratio(scored: pd.DataFrame) -> float | None:
    """Alert firings per episode (firings of one group within the correlation window)."""
    if scored.empty:
        return None
    return len(scored) / int(scored[Scored.correlation_group].nunique())


def runbook_rows(rules: pd.DataFrame) -> tuple[RunbookRow, ...] | None:
    """The paging rules none of whose firings links a runbook, most pages first; None when no
    source links runbooks at all (absence then proves nothing)."""
    if RUNBOOK_SHARE not in rules or rules[RUNBOOK_SHARE].isna().all():
        return None
    missing = rules[(rules[RUNBOOK_SHARE] == 0) & (rules[Rules.pages] > 0)]
    rows = [RunbookRow(_text(r[Rules.rule_key]), _text(r[Rules.title_template]),
                       _text(r[Rules.team]), _text(r[Rules.source]), int(r[Rules.firings]),
                       int(r[Rules.pages])) for _, r in missing.iterrows()]
    rows.sort(key=lambda x: (-x.pages, -x.firings, x.rule_key))
    return tuple(rows)
