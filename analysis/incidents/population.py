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
    with_incidents = set(incidents[Incidents.source].dropna()) if len(incidents) else set()
    with_alerts = set(alerts[Alerts.source].dropna()) if len(alerts) else set()
    return sorted(with_alerts - with_incidents)


def paged_firings(alerts: pd.DataFrame, sources: list[str]) -> pd.DataFrame:
    """Alert firings of ``sources`` that count as incidents, shaped like incident rows."""
    if not sources or alerts.empty:
        return _empty_population()
    own = alerts[alerts[Alerts.source].isin(sources)]
    paged = own[Alerts.paged].astype("boolean")
    never_known = paged.isna().groupby(own[Alerts.source]).transform("all")
    own = own[paged.fillna(False).astype(bool) | never_known]
    frame = pd.DataFrame(
        {
            Incidents.source: own[Alerts.source],
            Incidents.incident_id: own[Alerts.alert_id],
            Incidents.title: own[Alerts.title],
            Incidents.service: own[Alerts.service],
            Incidents.team: own[Alerts.team],
            Incidents.severity: own[Alerts.severity],
            Incidents.created_at: own[Alerts.created_at],
            Incidents.acknowledged_at: own[Alerts.acknowledged_at],
            Incidents.resolved_at: own[Alerts.resolved_at],
            Incidents.resolved_by: own[Alerts.resolved_by],
            Incidents.reported_by: ALERT_REPORTER,
            RULE: own[Alerts.rule_key],
            ORIGIN: FROM_ALERT,
        }
    )
    return frame.reindex(columns=[*_CARRIED, RULE, ORIGIN])


def incident_population(
    incidents: pd.DataFrame, alerts: pd.DataFrame, timezone: str = "UTC"
) -> pd.DataFrame:
    """Incidents plus the paged firings of alert-only sources, with derived columns; ``week`` is
    the ISO week of the creation time on ``timezone``'s clock.

    Rows are sorted by (created_at, source, incident_id) so every downstream result is
    independent of input row order. Inputs are not modified.
    """
    own = incidents.reindex(columns=list(_CARRIED)).assign(**{ORIGIN: FROM_INCIDENT})
    own[RULE] = _first_rule_of_incidents(own, alerts)
    firings = paged_firings(alerts, alert_only_sources(incidents, alerts))
    parts = [p for p in (own, firings) if len(p)]
    frame = pd.concat(parts, ignore_index=True) if parts else _empty_population()
    for col in _TIMES:
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[us, UTC]")
    frame = frame.sort_values(
        [Incidents.created_at, Incidents.source, Incidents.incident_id], kind="mergesort"
    ).reset_index(drop=True)
    frame[RESOLVE_TIME] = frame[Incidents.resolved_at].fillna(frame[Incidents.closed_at])
    frame[WEEK] = iso_week(frame[Incidents.created_at], timezone)
    frame[MONTH] = frame[Incidents.created_at].dt.strftime("%Y-%m")
    frame[RECURRENCE_KEY] = _recurrence_keys(frame)
    return frame


def _first_rule_of_incidents(incidents: pd.DataFrame, alerts: pd.DataFrame) -> pd.Series:
    if incidents.empty or alerts.empty:
        return pd.Series([None] * len(incidents), index=incidents.index, dtype=object)
    linked = alerts.dropna(subset=[Alerts.incident_id]).sort_values(
        [Alerts.created_at, Alerts.alert_id], kind="mergesort"
    )
    first = linked.drop_duplicates([Alerts.source, Alerts.incident_id])
    keys = [Alerts.source, Alerts.incident_id]
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
