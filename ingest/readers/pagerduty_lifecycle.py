"""Fields of PagerDuty incidents and alerts that only the log entries know.

PagerDuty empties ``acknowledgements[]`` once an incident resolves and never says on the incident
who resolved it, so these are derived from the log entries. The derivation is a pure function of
(incident rows, alert rows, log-entry rows) and is re-run for every incident an ingest touches,
which makes the stored result independent of the order in which the three exports arrive.
"""

from __future__ import annotations

import pandas as pd

from alertlens.ingest.schema import Alerts, Common, Incidents, Notifications

#: Notification channels that interrupt a person (high urgency); an e-mail is not a page.
PAGING_CHANNELS = frozenset({"phone", "sms", "push_notification", "push"})

_SEVERITY_RANK = {"critical": 4, "high": 3, "warning": 2, "info": 1, "unknown": 0}
_RANK_SEVERITY = {v: k for k, v in _SEVERITY_RANK.items()}


#: The columns of incident_log_facts with their dtypes (for a frame with no incident).
_FACT_DTYPES: dict[str, str | type] = {
    "first_ack": "datetime64[us, UTC]",
    "resolve_at": "datetime64[us, UTC]",
    "resolve_agent": object,
    "escalations": "int64",
    "assigns": "int64",
    "first_notify": "datetime64[us, UTC]",
    "first_page": "datetime64[us, UTC]",
    "notify_logged": "bool",
    "trigger_agent": object,
    "has_log": "bool",
}


def incident_log_facts(notifications: pd.DataFrame) -> pd.DataFrame:
    """Per incident: first acknowledge, last resolve (time and agent), escalations, reassignments,
    first notify time, first page (a notify entry by phone, SMS or push) and who triggered it."""
    n = notifications
    if n.empty:  # typed as a non-empty result is, so comparing its times still works
        empty = {name: pd.Series(dtype=dtype) for name, dtype in _FACT_DTYPES.items()}
        return pd.DataFrame(empty).rename_axis(Notifications.incident_id)
    n = n[n[Notifications.incident_id].notna()].sort_values(
        [Notifications.at, Notifications.event_id], kind="stable"
    )
    by = n.groupby(Notifications.incident_id, sort=True)
    kind = n[Notifications.kind]
    facts = pd.DataFrame(index=by.size().index)
    facts["first_ack"] = (
        n[kind == "acknowledge"].groupby(Notifications.incident_id)[Notifications.at].min()
    )
    resolves = n[kind == "resolve"].groupby(Notifications.incident_id).last()
    facts["resolve_at"] = resolves[Notifications.at]
    facts["resolve_agent"] = resolves[Notifications.agent_type]
    facts["escalations"] = (kind == "escalate").groupby(n[Notifications.incident_id]).sum()
    facts["assigns"] = kind.isin(["assign", "reassign"]).groupby(n[Notifications.incident_id]).sum()
    facts["first_notify"] = (
        n[kind == "notify"].groupby(Notifications.incident_id)[Notifications.at].min()
    )
    pages = (kind == "notify") & n[Notifications.channel].isin(PAGING_CHANNELS)
    facts["first_page"] = n[pages].groupby(Notifications.incident_id)[Notifications.at].min()
    # An overview export (is_overview=true) leaves notify entries out, so an incident without any
    # only proves that nobody was notified when its log came from a file that does hold some.
    origin = (
        n[Common.ingested_from] if Common.ingested_from in n else pd.Series(None, index=n.index)
    )
    file_notifies = (kind == "notify").groupby(origin).any()
    logged = origin.map(file_notifies).astype("boolean").fillna(False).astype(bool)
    facts["notify_logged"] = logged.groupby(n[Notifications.incident_id]).any()
    facts["trigger_agent"] = (
        n[kind == "trigger"].groupby(Notifications.incident_id)[Notifications.agent_type].first()
    )
    facts["has_log"] = True
    return facts


def resolution_of(agent_type: object) -> str:
    """human / auto / timeout / unknown for the agent type of a resolve log entry."""
    if not isinstance(agent_type, str):
        return "unknown"
    if agent_type == "timeout":
        return "timeout"
    return "human" if agent_type.startswith("user") else "auto"


def reconciled_incidents(
    incidents: pd.DataFrame, alerts: pd.DataFrame, facts: pd.DataFrame
) -> pd.DataFrame:
    """Incidents with acknowledged_at, resolved_by, escalation and reassignment counts, reporter
    and severity filled from the log facts and their alerts."""
    out = incidents.copy()
    f = facts.reindex(out[Incidents.incident_id])
    f.index = out.index
    first_ack = f["first_ack"]
    out[Incidents.acknowledged_at] = _earliest(out[Incidents.acknowledged_at], first_ack)
    derived_by = f["resolve_agent"].map(resolution_of)
    has_resolve = f["resolve_at"].notna()
    out[Incidents.resolved_by] = out[Incidents.resolved_by].where(~has_resolve, derived_by)
    missing_resolved = (
        out[Incidents.resolved_at].isna() & has_resolve & (out[Incidents.status] == "resolved")
    )
    out.loc[missing_resolved, Incidents.resolved_at] = f.loc[missing_resolved, "resolve_at"]
    has_log = f["has_log"].astype("boolean").fillna(False).astype(bool)
    out[Incidents.escalation_count] = (
        f["escalations"]
        .where(has_log)
        .astype("Int64")
        .where(has_log, out[Incidents.escalation_count])
    )
    out[Incidents.reassignment_count] = (
        f["assigns"]
        .where(has_log)
        .astype("Int64")
        .where(has_log, out[Incidents.reassignment_count])
    )
    out[Incidents.reopen_count] = out[Incidents.reopen_count].where(~has_log, 0)
    trigger = f["trigger_agent"]
    reporter = trigger.map(
        lambda a: None if not isinstance(a, str) else ("human" if a.startswith("user") else "alert")
    )
    out[Incidents.reported_by] = reporter.where(reporter.notna(), out[Incidents.reported_by])
    if not alerts.empty:
        rank = alerts[Alerts.severity].map(_SEVERITY_RANK).fillna(0)
        worst = rank.groupby(alerts[Alerts.incident_id]).max().map(_RANK_SEVERITY)
        from_alerts = out[Incidents.incident_id].map(worst)
        unknown = out[Incidents.severity].isin(["unknown"]) | out[Incidents.severity].isna()
        out[Incidents.severity] = out[Incidents.severity].where(
            ~unknown | from_alerts.isna(), from_alerts
        )
        count = alerts.groupby(Alerts.incident_id).size()
        out[Incidents.alert_count] = (
            out[Incidents.alert_count].fillna(out[Incidents.incident_id].map(count)).astype("Int64")
        )
    return out


def reconciled_alerts(
    alerts: pd.DataFrame, incidents: pd.DataFrame, facts: pd.DataFrame
) -> pd.DataFrame:
    """Alerts with team, acknowledged_at, resolved_at, resolved_by and paged taken from their
    incident: PagerDuty pages once per incident, for the alert that opened it."""
    out = alerts.copy()
    inc = incidents.set_index(Incidents.incident_id)
    key = out[Alerts.incident_id]
    team = key.map(inc[Incidents.team]) if not inc.empty else pd.Series(None, index=out.index)
    out[Alerts.team] = out[Alerts.team].where(out[Alerts.team].notna(), team)
    if not inc.empty:
        inc_ack = key.map(inc[Incidents.acknowledged_at])
        inc_resolved = key.map(inc[Incidents.resolved_at])
        inc_by = key.map(inc[Incidents.resolved_by])
        out[Alerts.acknowledged_at] = out[Alerts.acknowledged_at].where(
            out[Alerts.acknowledged_at].notna(), inc_ack.where(inc_ack >= out[Alerts.created_at])
        )
        out[Alerts.resolved_at] = out[Alerts.resolved_at].where(
            out[Alerts.resolved_at].notna(), inc_resolved
        )
        # An alert that cleared before its incident was resolved cleared itself.
        self_cleared = (
            out[Alerts.resolved_at].notna()
            & inc_resolved.notna()
            & (out[Alerts.resolved_at] < inc_resolved)
        )
        by = inc_by.where(~self_cleared, "auto")
        out[Alerts.resolved_by] = by.where(
            by.notna() & out[Alerts.resolved_at].notna(), out[Alerts.resolved_by]
        )
    opener = (
        out.sort_values([Alerts.created_at, Alerts.alert_id])
        .groupby(Alerts.incident_id)
        .head(1)
        .index
    )
    is_opener = pd.Series(out.index.isin(opener), index=out.index)
    by_incident = incident_paged(incidents, facts)
    paged = (is_opener & key.map(by_incident).astype("boolean")).astype("boolean")
    paged = paged.where(paged.notna(), out[Alerts.paged].astype("boolean"))
    out[Alerts.paged] = paged.mask(_paged_before_a_merge(out, incidents, by_incident), True)
    return out


def incident_paged(incidents: pd.DataFrame, facts: pd.DataFrame) -> pd.Series:
    """Per incident id: whether the incident paged someone (boolean, NA when unknown).

    A page is a high-urgency notification: a notify entry by phone, SMS or push. An incident whose
    log shows notify entries by e-mail only, or none in an export that logs them, did not page.
    Without notify entries (no log export, or an overview export that leaves them out) the
    incident's urgency decides: PagerDuty
    notifies high-urgency incidents by the responders' high-urgency rules and low-urgency ones by
    their low-urgency rules (e-mail by default)."""
    if incidents.empty:
        return pd.Series(dtype="boolean")
    ids = incidents[Incidents.incident_id]
    paged = pd.Series(pd.NA, index=ids.to_numpy(), dtype="boolean")
    if Incidents.urgency in incidents:
        urgency = pd.Series(incidents[Incidents.urgency].to_numpy(), index=ids.to_numpy())
        paged = paged.mask(urgency == "high", True).mask(urgency == "low", False)
    if not facts.empty:
        logged = facts["notify_logged"].reindex(paged.index).fillna(False).astype(bool)
        by_channel = facts["first_page"].reindex(paged.index).notna()
        paged = paged.mask(logged, by_channel)
    return paged[~paged.index.duplicated(keep="last")]


def _paged_before_a_merge(
    alerts: pd.DataFrame, incidents: pd.DataFrame, by_incident: pd.Series
) -> pd.Series:
    """Alerts that opened an incident which paged and was then merged into the alert's current
    incident (PagerDuty moves the alerts of a merged-away incident to the surviving one)."""
    if incidents.empty or Incidents.merged_into not in incidents:
        return pd.Series(False, index=alerts.index)
    merged = incidents[incidents[Incidents.merged_into].notna()]
    did_page = merged[Incidents.incident_id].map(by_incident).fillna(False).astype(bool)
    notified = merged[did_page.to_numpy()]
    openers = set(zip(notified[Incidents.merged_into], notified[Incidents.created_at], strict=True))
    pairs = zip(alerts[Alerts.incident_id], alerts[Alerts.created_at], strict=True)
    return pd.Series([p in openers for p in pairs], index=alerts.index)


def _earliest(a: pd.Series, b: pd.Series) -> pd.Series:
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1)
    return both.min(axis=1, skipna=True)
