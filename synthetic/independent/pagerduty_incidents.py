"""PagerDuty incident objects and their log entries, as GET /incidents and GET /log_entries
show them at export time."""

from __future__ import annotations

from typing import Any

import numpy as np

from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.fmt import pd_time
from alertlens.synthetic.independent.ids import Ids

API = "https://api.pagerduty.com"
WEB = "https://acme.pagerduty.com"
CHANNEL_LABEL = {
    "push_notification": "push notification",
    "sms": "SMS",
    "phone": "phone",
    "email": "email",
}


def ref(kind: str, id_: str, summary: str | None = None, path: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"id": id_, "type": f"{kind}_reference"}
    if summary is not None:
        d["summary"] = summary
    if path:
        d["self"] = f"{API}/{path}/{id_}"
        d["html_url"] = f"{WEB}/{path}/{id_}"
    return d


def user_ref(u: m.Responder) -> dict[str, Any]:
    return ref("user", u.id, u.name, "users")


class Incident:
    def __init__(self, opener: m.Firing) -> None:
        self.opener = opener
        self.alerts: list[m.Firing] = [opener]  # grouped and merged alerts join
        self.merged_from: list[m.Firing] = []
        self.id = ""
        self.number = 0
        self.key = ""


def summary_title(f: m.Firing) -> str:
    from alertlens.synthetic.independent.titles import title

    return title(f)


def _entry(
    ids: Ids,
    type_: str,
    t: float,
    inc: Incident,
    summary: str,
    agent: dict[str, Any] | None,
    channel: dict[str, Any],
    **more: Any,
) -> tuple[float, dict[str, Any]]:
    f = inc.opener
    d: dict[str, Any] = {
        "id": ids.pd_long("R"),
        "type": type_,
        "summary": summary,
        "self": None,
        "html_url": None,
        "created_at": pd_time(t),
        "agent": agent,
        "channel": channel,
        "service": ref("service", f.rule.service.id, f.rule.service.name, "services"),
        "incident": ref("incident", inc.id, f"[#{inc.number}] {summary_title(f)}", "incidents"),
        "teams": [ref("team", f.rule.team.id, f.rule.team.name, "teams")],
        "contexts": [],
    }
    d["self"] = f"{API}/log_entries/{d['id']}"
    d["html_url"] = f"{WEB}/incidents/{inc.id}/log_entries/{d['id']}"
    d.update(more)
    return t, d


def incident_records(
    inc: Incident, world: m.World, ids: Ids, by_opener: dict[int, Incident]
) -> tuple[list[tuple[float, dict[str, Any]]], dict[str, Any], float]:
    f = inc.opener
    r = f.rule
    svc_ref = ref("service", r.service.id, r.service.name, "services")
    integ = r.integration
    trig_channel = (
        {"type": "email"}
        if integ == "Email"
        else ({"type": "nagios"} if integ == "Nagios" else {"type": "api"})
    )
    trig_summary = (
        "Triggered through the email integration"
        if integ == "Email"
        else "Triggered through the API"
    )
    entries = [
        _entry(
            ids,
            "trigger_log_entry",
            f.start,
            inc,
            trig_summary,
            svc_ref,
            trig_channel,
            event_details={"description": summary_title(f)},
        )
    ]
    for t, who, ch in f.notifies:
        entries.append(
            _entry(
                ids,
                "notify_log_entry",
                t,
                inc,
                f"Notified {who.name} by {CHANNEL_LABEL[ch]}.",
                None,
                {"type": ch},
                user=user_ref(who),
            )
        )
    for t, kind, who, extra in f.actions:
        if kind == "auto_escalate":
            entries.append(
                _entry(
                    ids,
                    "escalate_log_entry",
                    t,
                    inc,
                    f"Escalated to level {extra['level']} by timeout.",
                    None,
                    {"type": "timeout"},
                    assigned_user=user_ref(who),
                )
            )
            entries.append(
                _entry(
                    ids,
                    "assign_log_entry",
                    t + 1,
                    inc,
                    f"Assigned to {who.name}.",
                    ref("escalation_policy", r.team.pd_policy_id, f"{r.team.name} on-call"),
                    {"type": "timeout"},
                    assignees=[user_ref(who)],
                )
            )
        elif kind == "annotate":
            entries.append(
                _entry(
                    ids,
                    "annotate_log_entry",
                    t,
                    inc,
                    f"Note added: {extra['note']}",
                    user_ref(who),
                    {"type": "note", "summary": extra["note"]},
                )
            )
        elif kind == "reassign":
            by = extra["by"]
            entries.append(
                _entry(
                    ids,
                    "assign_log_entry",
                    t,
                    inc,
                    f"Reassigned to {who.name} by {by.name}.",
                    user_ref(by),
                    {"type": "website"},
                    assignees=[user_ref(who)],
                )
            )
        elif kind == "escalate":
            entries.append(
                _entry(
                    ids,
                    "escalate_log_entry",
                    t,
                    inc,
                    f"Escalated to level {extra['level']} by {who.name}.",
                    user_ref(who),
                    {"type": "website"},
                )
            )
        elif kind == "snooze":
            entries.append(
                _entry(
                    ids,
                    "snooze_log_entry",
                    t,
                    inc,
                    f"Snoozed for 1h by {who.name}.",
                    user_ref(who),
                    {"type": "mobile"},
                    changed_actions=[],
                )
            )
        elif kind == "priority":
            entries.append(
                _entry(
                    ids,
                    "priority_change_log_entry",
                    t,
                    inc,
                    f"Priority changed to P1 by {who.name}.",
                    user_ref(who),
                    {"type": "website"},
                )
            )
    if f.ack:
        t, who, ch = f.ack
        entries.append(
            _entry(
                ids,
                "acknowledge_log_entry",
                t,
                inc,
                f"Acknowledged by {who.name}.",
                user_ref(who),
                {"type": ch},
                acknowledgement_timeout=1800,
            )
        )
    for d in inc.merged_from:
        entries.append(
            _entry(
                ids,
                "link_log_entry",
                m.known(d.merged_at),
                inc,
                f"Incident #{by_opener[id(d)].number} merged into this incident by "
                f"{m.known(d.merged_by).name}.",
                user_ref(m.known(d.merged_by)),
                {"type": "website"},
                linked_incident=ref("incident", by_opener[id(d)].id, None, "incidents"),
            )
        )
    status = "triggered"
    resolved_at = None
    changed_by: dict[str, Any] = svc_ref
    status_change = f.start
    resolve_reason = None
    if f.merged_into is not None:
        target = by_opener[id(f.merged_into)]
        resolved_at = m.known(f.merged_at)
        status = "resolved"
        changed_by = user_ref(m.known(f.merged_by))
        resolve_reason = {
            "type": "merge_resolve_reason",
            "incident": ref(
                "incident",
                target.id,
                f"[#{target.number}] {summary_title(target.opener)}",
                "incidents",
            ),
        }
        entries.append(
            _entry(
                ids,
                "resolve_log_entry",
                resolved_at,
                inc,
                f"Resolved by {m.known(f.merged_by).name} (merged into #{target.number}).",
                user_ref(m.known(f.merged_by)),
                {"type": "website"},
            )
        )
    elif f.resolve:
        t, how, resolver = f.resolve
        # an incident with grouped alerts that clear by themselves resolves when the last one does
        if how == "auto" and len(inc.alerts) > 1:
            ends = [a.end for a in inc.alerts]
            if any(e is None for e in ends):
                t = None  # type: ignore[assignment]
            else:
                t = max([t] + [e for e in ends if e is not None])
                if t >= world.end:
                    t = None  # type: ignore[assignment]
        if t is not None:
            resolved_at = t
            status = "resolved"
            if how == "human":
                changed_by = user_ref(m.known(resolver))
                entries.append(
                    _entry(
                        ids,
                        "resolve_log_entry",
                        t,
                        inc,
                        f"Resolved by {m.known(resolver).name}.",
                        user_ref(m.known(resolver)),
                        {"type": str(np.random.default_rng(int(t)).choice(["website", "mobile"]))},
                    )
                )
            elif how == "timeout":
                entries.append(
                    _entry(
                        ids,
                        "resolve_log_entry",
                        t,
                        inc,
                        "Resolved by timeout.",
                        svc_ref,
                        {"type": "timeout"},
                    )
                )
            else:
                integ_ref = ref("events_api_v2_inbound_integration", r.service.id[:-1] + "I", integ)
                entries.append(
                    _entry(
                        ids,
                        "resolve_log_entry",
                        t,
                        inc,
                        "Resolved through the API.",
                        integ_ref,
                        {"type": "api"},
                    )
                )
    if status != "resolved" and f.ack:
        status = "acknowledged"
    times = [e[0] for e in entries]
    last = max(times)
    status_change = (
        resolved_at
        if resolved_at is not None
        else (f.ack[0] if f.ack and status == "acknowledged" else f.start)
    )
    if status == "acknowledged":
        changed_by = user_ref(m.known(f.ack)[1])
    owner = None
    if status != "resolved":
        reassigned = [a for a in f.actions if a[1] in ("reassign", "auto_escalate")]
        owner = reassigned[-1][2] if reassigned else (f.ack[1] if f.ack else None)
        if owner is None and f.notifies:
            owner = f.notifies[0][1]
    members = len(inc.alerts) + len(inc.merged_from) - (1 if f.merged_into is not None else 0)
    if f.merged_into is not None:
        members = 0
    resolved_members = (
        members
        if status == "resolved"
        else sum(1 for a in inc.alerts + inc.merged_from if a.end is not None and a is not f)
        + (1 if f.end is not None else 0)
    )
    resolved_members = min(resolved_members, members)
    doc = {
        "id": inc.id,
        "type": "incident",
        "summary": f"[#{inc.number}] {summary_title(f)}",
        "self": f"{API}/incidents/{inc.id}",
        "html_url": f"{WEB}/incidents/{inc.id}",
        "incident_number": inc.number,
        "title": summary_title(f),
        "created_at": pd_time(f.start),
        "updated_at": pd_time(last),
        "status": status,
        "incident_key": inc.key,
        "service": svc_ref,
        "assignments": [{"at": pd_time(status_change), "assignee": user_ref(owner)}]
        if owner
        else [],
        "assigned_via": "escalation_policy",
        "last_status_change_at": pd_time(status_change),
        "last_status_change_by": changed_by,
        "first_trigger_log_entry": ref("trigger_log_entry", entries[0][1]["id"], trig_summary),
        "alert_counts": {
            "all": members,
            "triggered": members - resolved_members,
            "resolved": resolved_members,
        },
        "is_mergeable": True,
        "escalation_policy": ref(
            "escalation_policy",
            r.team.pd_policy_id,
            f"{r.team.name} on-call",
            "escalation_policies",
        ),
        "teams": [ref("team", r.team.id, r.team.name, "teams")],
        "pending_actions": [],
        "acknowledgements": [{"at": pd_time(f.ack[0]), "acknowledger": user_ref(f.ack[1])}]
        if status == "acknowledged" and f.ack
        else [],
        "basic_alert_grouping": None,
        "alert_grouping": None,
        "priority": {"id": "PPRI" + f.priority[1], "type": "priority", "summary": f.priority}
        if f.priority
        else None,
        "resolve_reason": resolve_reason,
        "urgency": f.urgency,
    }
    if resolved_at is not None:
        doc["resolved_at"] = pd_time(resolved_at)
    return entries, doc, status_change
