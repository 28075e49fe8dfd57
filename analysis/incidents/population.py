"""The incident population every metric is computed over.

Sources that record incidents (PagerDuty, Opsgenie, ServiceNow, Statuspage …) contribute their
incidents. Sources that only record alerts (Alertmanager, Prometheus) contribute their *paged*
alert firings as incidents (``origin == "alert_firing"``); when such a source never says whether a
firing paged (``paged`` all null), every firing counts, since Alertmanager routes each one to a
receiver. A source with incidents never contributes alert firings, so nothing is counted twice.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.calendar import iso_week
from alertlens.ingest.metrics_schema import Population
from alertlens.ingest.schema import Alerts, Incidents
from alertlens.ingest.templates import title_templates

# Derived columns added to the incident population (ingest/metrics_schema.py names them).
ORIGIN: Final = Population.origin
RULE: Final = Population.rule_key
RECURRENCE_KEY: Final = Population.recurrence_key
RESOLVE_TIME: Final = Population.resolve_time
WEEK: Final = Population.week
MONTH: Final = Population.month

FROM_INCIDENT: Final = "incident"
FROM_ALERT: Final = "alert_firing"
UNKNOWN_GROUP: Final = "(unknown)"  # the group of records whose team/service/... is missing
ALERT_REPORTER: Final = "alert"  # Incidents.reported_by of an incident found by monitoring
NO_RECORD: Final = frozenset({"none", "null", "no", "false"})  # postmortem texts that mean none

_CARRIED = (
    Incidents.source,
    Incidents.incident_id,
    Incidents.title,
    Incidents.service,
    Incidents.team,
    Incidents.priority,
    Incidents.severity,
    Incidents.urgency,
    Incidents.status,
    Incidents.created_at,
    Incidents.acknowledged_at,
    Incidents.mitigated_at,
    Incidents.resolved_at,
    Incidents.closed_at,
    Incidents.resolved_by,
    Incidents.assignee,
    Incidents.reopen_count,
    Incidents.escalation_count,
    Incidents.major,
    Incidents.merged_into,
    Incidents.alert_count,
    Incidents.reported_by,
    Incidents.postmortem,
)
_TIMES = (
    Incidents.created_at,
    Incidents.acknowledged_at,
    Incidents.mitigated_at,
    Incidents.resolved_at,
    Incidents.closed_at,
)


def has_postmortem(population: pd.DataFrame) -> pd.Series:
    """True where the incident carries a postmortem / problem record."""
    text = population[Incidents.postmortem].astype(object).fillna("").astype(str).str.strip()
    return text.ne("") & ~text.str.lower().isin(NO_RECORD)


def alert_only_sources(incidents: pd.DataFrame, alerts: pd.DataFrame) -> list[str]:
    """Sources that have alerts but no incidents, sorted."""
    with_incidents = set(incidents[Incidents.source].dropna().unique()) if len(incidents) else set()
    with_alerts = set(alerts[Alerts.source].dropna().unique()) if len(alerts) else set()
    return sorted(with_alerts - with_incidents)


def paging_unrecorded(alerts: pd.DataFrame) -> list[str]:
    """Sources none of whose firings says whether it paged, sorted: every firing of such an
    alert-only source counts as an incident (unknown is not "did not page")."""
    if alerts.empty:
        return []
    unknown = alerts[Alerts.paged].astype("boolean").isna().groupby(alerts[Alerts.source]).all()
    return sorted(str(s) for s in unknown[unknown].index)


#: The incident columns the response figures read (``response_rows``): the grouping
#: dimensions of ``analysis/response/durations.py`` and the lifecycle times.
RESPONSE_COLUMNS: Final = (
    Incidents.source, Incidents.incident_id, Incidents.service, Incidents.team,
    Incidents.priority, Incidents.severity, Incidents.urgency, *_TIMES, Incidents.resolved_by,
    Incidents.merged_into,
)
#: The alert columns the response rows of alert-only sources read.
RESPONSE_ALERT_COLUMNS: Final = (
    Alerts.source, Alerts.alert_id, Alerts.service, Alerts.team, Alerts.severity,
    Alerts.created_at, Alerts.acknowledged_at, Alerts.resolved_at, Alerts.resolved_by,
    Alerts.paged,
)
_FIRING_FIELDS = (
    (Incidents.source, Alerts.source),
    (Incidents.incident_id, Alerts.alert_id),
    (Incidents.title, Alerts.title),
    (Incidents.service, Alerts.service),
    (Incidents.team, Alerts.team),
    (Incidents.severity, Alerts.severity),
    (Incidents.created_at, Alerts.created_at),
    (Incidents.acknowledged_at, Alerts.acknowledged_at),
    (Incidents.resolved_at, Alerts.resolved_at),
    (Incidents.resolved_by, Alerts.resolved_by),
    (RULE, Alerts.rule_key),
)


def paged_firings(alerts: pd.DataFrame, sources: list[str],
                  carried: tuple[str, ...] = (*_CARRIED, RULE)) -> pd.DataFrame:
    """Alert firings of ``sources`` that count as incidents, shaped like incident rows (the
    ``carried`` columns and ``origin``)."""
    columns = [*carried, ORIGIN]
    if not sources or alerts.empty:
        return _empty_population().reindex(columns=columns)
    paged = alerts[Alerts.paged].astype("boolean").fillna(False).astype(bool)
    never_known = alerts[Alerts.source].isin(paging_unrecorded(alerts))
    # one filter (each copies every column): the sources' paged firings, or every firing of a
    # source that never says whether one paged
    keep = alerts[Alerts.source].isin(sources) & (paged | never_known)
    own = alerts[keep.to_numpy(dtype=bool)]
    fields: dict[str, object] = {
        column: own[field] for column, field in _FIRING_FIELDS
        if column in carried and field in own.columns
    }
    if Incidents.reported_by in carried:
        fields[Incidents.reported_by] = ALERT_REPORTER
    fields[ORIGIN] = FROM_ALERT
    return pd.DataFrame(fields, index=own.index).reindex(columns=columns)


def population_rows(incidents: pd.DataFrame, alerts: pd.DataFrame, *,
                    carried: tuple[str, ...] = _CARRIED, rules: bool = True) -> pd.DataFrame:
    """The rows of the incident population in input order: ``incidents`` (their ``carried``
    columns) plus the paged firings of alert-only sources, with ``origin``, the rule of each
    incident's first alert (when ``rules``), times as ``datetime64[us, UTC]`` and
    ``resolve_time`` (resolved, else closed). The response figures need no more than this."""
    own = incidents.reindex(columns=list(carried)).assign(**{ORIGIN: FROM_INCIDENT})
    if rules:
        own[RULE] = _first_rule_of_incidents(own, alerts)
    firings = paged_firings(alerts, alert_only_sources(incidents, alerts),
                            (*carried, RULE) if rules else carried)
    parts = [p for p in (own, firings) if len(p)]
    empty = _empty_population()
    frame = (pd.concat(parts, ignore_index=True) if parts
             else empty[[c for c in empty.columns if c in own.columns]])
    for col in _TIMES:
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[us, UTC]")
    resolved = frame.get(Incidents.resolved_at)
    closed = frame.get(Incidents.closed_at)
    if resolved is not None:
        frame[RESOLVE_TIME] = resolved if closed is None else resolved.fillna(closed)
    return frame


def incident_population(
    incidents: pd.DataFrame, alerts: pd.DataFrame, timezone: str = "UTC"
) -> pd.DataFrame:
    """Incidents plus the paged firings of alert-only sources, with derived columns; ``week`` is
    the ISO week of the creation time on ``timezone``'s clock.

    Rows are sorted by (created_at, source, incident_id) so every downstream result is
    independent of input row order. Inputs are not modified.
    """
    frame = population_rows(incidents, alerts)
    frame = frame.sort_values(
        [Incidents.created_at, Incidents.source, Incidents.incident_id], kind="mergesort"
    ).reset_index(drop=True)
    frame[WEEK] = iso_week(frame[Incidents.created_at], timezone)
    frame[MONTH] = frame[Incidents.created_at].dt.strftime("%Y-%m")
    frame[RECURRENCE_KEY] = _recurrence_keys(frame)
    return frame


def _first_rule_of_incidents(incidents: pd.DataFrame, alerts: pd.DataFrame) -> pd.Series:
    if incidents.empty or alerts.empty:
        return pd.Series([None] * len(incidents), index=incidents.index, dtype=object)
    keys = [Alerts.source, Alerts.incident_id]
    # only the four columns it needs: a filter or sort of the whole frame copies every column
    narrow = alerts[[*keys, Alerts.created_at, Alerts.alert_id, Alerts.rule_key]]
    linked = narrow[narrow[Alerts.incident_id].notna()].sort_values(
        [Alerts.created_at, Alerts.alert_id], kind="mergesort"
    )
    first = linked.drop_duplicates(keys)
    found = (
        incidents[[Incidents.source, Incidents.incident_id]]
        .merge(
            first[[*keys, Alerts.rule_key]],
            how="left",
            left_on=[Incidents.source, Incidents.incident_id],
            right_on=keys,
            sort=False,
        )[Alerts.rule_key]
        .astype(object)
    )
    return pd.Series(
        found.where(found.notna(), None).to_numpy(), index=incidents.index, dtype=object
    )


def _recurrence_keys(frame: pd.DataFrame) -> pd.Series:
    templates = title_templates(frame[Incidents.title].where(frame[Incidents.title].notna(), None))
    prefix = frame[Incidents.source].astype(str) + "|" + frame[Incidents.service].fillna("")
    by_template = np.where(
        templates.notna().to_numpy(),
        (prefix.astype(str) + "|" + templates.fillna("").astype(str)).to_numpy(dtype=object),
        np.array(None, dtype=object),
    )
    rules = frame[RULE].where(frame[RULE].notna(), None)
    rule_keys = np.where(
        rules.notna().to_numpy(),
        "rule|" + frame[Incidents.source].astype(str) + "|" + rules.astype(str),
        by_template,
    )
    return pd.Series(rule_keys, index=frame.index, dtype=object)


def _empty_population() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in (*_CARRIED, RULE, ORIGIN)})
    for col in _TIMES:
        frame[col] = pd.Series(dtype="datetime64[us, UTC]")
    return frame
