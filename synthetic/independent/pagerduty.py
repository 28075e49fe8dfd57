"""PagerDuty REST API v2 dumps: GET /incidents, GET /incidents/{id}/alerts, GET /log_entries.

Written as JSON Lines of pages (one page a line), one file per month (per team for log entries,
because ``log_mode`` is per team: ``full``, ``overview`` = ``is_overview=true`` which drops
notify entries, or ``none`` = log entries were never exported).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import numpy as np

from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.fmt import month, pd_time, write_jsonl
from alertlens.synthetic.independent.ids import Ids
from alertlens.synthetic.independent.people import PAGE_CHANNELS

API = "https://api.pagerduty.com"
WEB = "https://acme.pagerduty.com"
CHANNEL_LABEL = {"push_notification": "push notification", "sms": "SMS", "phone": "phone",
                 "email": "email"}


def _ref(kind: str, id_: str, summary: str | None = None, path: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"id": id_, "type": f"{kind}_reference"}
    if summary is not None:
        d["summary"] = summary
    if path:
        d["self"] = f"{API}/{path}/{id_}"
        d["html_url"] = f"{WEB}/{path}/{id_}"
    return d


def user_ref(u: m.Responder) -> dict[str, Any]:
    return _ref("user", u.id, u.name, "users")


class Incident:
    def __init__(self, opener: m.Firing) -> None:
        self.opener = opener
        self.alerts: list[m.Firing] = [opener]  # grouped and merged alerts join
        self.merged_from: list[m.Firing] = []
        self.id = ""
        self.number = 0
        self.key = ""


def group_alerts(sc_share: float, rng: np.random.Generator, firings: list[m.Firing], services: list[m.Service]) -> None:
    """Time-based alert grouping on some services: an alert arriving within 5 minutes of an
    open incident's creation on the same service joins that incident instead of paging."""
    grouping = {s.name: float(rng.choice([300.0, 600.0, 1200.0])) for s in services if rng.random() < sc_share}
    opener_by_service: dict[str, m.Firing] = {}
    for f in firings:
        name = f.rule.service.name
        if f.rule.source != m.PAGERDUTY or name not in grouping:
            continue
        o = opener_by_service.get(name)
        if o is not None and f.start - o.start < grouping[name] and f.primary is not o:
            f.extra["grouped_into"] = o
            continue
        opener_by_service[name] = f


def write(world: m.World, out: Path, ids: Ids, rng: np.random.Generator) -> list[Path]:
    sc = world.settings
    pd = [f for f in world.firings if f.rule.source == m.PAGERDUTY]
    if not pd:
        return []
    incidents: list[Incident] = []
    by_opener: dict[int, Incident] = {}
    for f in pd:
        g = f.extra.get("grouped_into")
        if g is not None and id(g) in by_opener:
            by_opener[id(g)].alerts.append(f)
            continue
        inc = Incident(f)
        incidents.append(inc)
        by_opener[id(f)] = inc
    for f in pd:
        if f.merged_into is not None:
            target = by_opener[id(f.merged_into)]
            target.merged_from.append(f)
    number = 1000 + int(rng.integers(0, 9000))
    for inc in sorted(incidents, key=lambda i: i.opener.start):
        inc.id = ids.pd("P")
        inc.number = number
        number += 1
        inc.key = hashlib.md5(f"{inc.opener.rule.name}|{inc.opener.tokens}|{inc.opener.start}".encode()).hexdigest()
    for inc in incidents:
        for f in inc.alerts:
            f.incident_id = inc.id
            f.alert_id = ids.pd_long("Q")
    # alert placement after merges: a merged incident's alerts move to the surviving incident
    for inc in incidents:
        for f in inc.merged_from:
            f.extra["alert_incident"] = by_opener[id(f.merged_into)].id
    svc_resolved_at = {s.name: rng.random() < sc.pd_alert_resolved_at for s in world.services}
    world.pd_alert_resolved_at = svc_resolved_at
    log_mode = {}
    for t in world.teams:
        modes = list(sc.pd_log_modes)
        p = np.array([sc.pd_log_modes[k] for k in modes])
        log_mode[t.slug] = modes[int(rng.choice(len(modes), p=p / p.sum()))]
    world.pd_log_modes = log_mode

    inc_docs: list[tuple[float, dict]] = []
    alert_pages: list[tuple[float, dict]] = []
    logs: dict[str, list[tuple[float, dict]]] = {}
    end = world.end
    for inc in incidents:
        f = inc.opener
        entries, inc_doc, status_change = _incident(inc, world, ids, by_opener)
        inc_docs.append((f.start, inc_doc))
        mode = log_mode[f.rule.team.slug]
        if mode != "none":
            if mode == "overview":
                entries = [e for e in entries if e[1]["type"] != "notify_log_entry"]
            logs.setdefault(f.rule.team.slug, []).extend(entries)
        # paged truth: the opener of an incident a person was notified of by phone, SMS or push
        f.paged = any(ch in PAGE_CHANNELS for _, _, ch in f.notifies)
        for g in inc.alerts[1:]:
            g.paged = False
    # alerts pages: GET /incidents/{id}/alerts for the incidents as they are at export time
    members: dict[str, list[m.Firing]] = {}
    for f in pd:
        members.setdefault(f.extra.get("alert_incident") or f.incident_id, []).append(f)
    for inc in incidents:
        fs = sorted(members.get(inc.id, []), key=lambda x: x.start)
        if not fs:
            continue
        docs = [_alert(a, inc, world, by_opener, svc_resolved_at[a.rule.service.name]) for a in fs]
        alert_pages.append((inc.opener.start, {"alerts": docs, "limit": 25, "offset": 0, "more": False, "total": None}))

    files: list[Path] = []
    files += _paged_months(out / "pagerduty" / "incidents", "incidents", inc_docs, 100)
    # one page per incident, grouped into one JSON Lines file per month
    by_month: dict[str, list[dict]] = {}
    for t, page in sorted(alert_pages, key=lambda x: x[0]):
        by_month.setdefault(month(t), []).append(page)
    for mo, pages in sorted(by_month.items()):
        files.append(write_jsonl(out / "pagerduty" / "alerts" / f"{mo}.jsonl", pages))
    for team, entries in sorted(logs.items()):
        files += _paged_months(out / "pagerduty" / "log_entries", "log_entries", entries, 100, prefix=f"{team}-")
    return files


def _paged_months(folder: Path, key: str, docs: list[tuple[float, dict]], limit: int, prefix: str = "") -> list[Path]:
    by_month: dict[str, list[dict]] = {}
    for t, d in sorted(docs, key=lambda x: (x[0], x[1]["id"])):
        by_month.setdefault(month(t), []).append(d)
    files = []
    for mo, items in sorted(by_month.items()):
        pages = []
        for off in range(0, len(items), limit):
            chunk = items[off: off + limit]
            pages.append({key: chunk, "limit": limit, "offset": off,
                          "more": off + limit < len(items), "total": len(items)})
        files.append(write_jsonl(folder / f"{prefix}{mo}.jsonl", pages))
    return files


def _summary_title(f: m.Firing) -> str:
    from alertlens.synthetic.independent.titles import title

    return title(f)


def _entry(ids: Ids, type_: str, t: float, inc: Incident, summary: str, agent: dict | None,
           channel: dict, **more: Any) -> tuple[float, dict]:
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
        "service": _ref("service", f.rule.service.id, f.rule.service.name, "services"),
        "incident": _ref("incident", inc.id, f"[#{inc.number}] {_summary_title(f)}", "incidents"),
        "teams": [_ref("team", f.rule.team.id, f.rule.team.name, "teams")],
        "contexts": [],
    }
    d["self"] = f"{API}/log_entries/{d['id']}"
    d["html_url"] = f"{WEB}/incidents/{inc.id}/log_entries/{d['id']}"
    d.update(more)
    return t, d


def _incident(inc: Incident, world: m.World, ids: Ids, by_opener: dict[int, Incident]) -> tuple[list[tuple[float, dict]], dict, float]:
    f = inc.opener
    r = f.rule
    svc_ref = _ref("service", r.service.id, r.service.name, "services")
    integ = r.integration
    trig_channel = {"type": "email"} if integ == "Email" else ({"type": "nagios"} if integ == "Nagios" else {"type": "api"})
    trig_summary = "Triggered through the email integration" if integ == "Email" else "Triggered through the API"
    entries = [_entry(ids, "trigger_log_entry", f.start, inc, trig_summary, svc_ref, trig_channel,
                      event_details={"description": _summary_title(f)})]
    for t, who, ch in f.notifies:
        entries.append(_entry(ids, "notify_log_entry", t, inc, f"Notified {who.name} by {CHANNEL_LABEL[ch]}.",
                              None, {"type": ch}, user=user_ref(who)))
    for t, kind, who, extra in f.actions:
        if kind == "auto_escalate":
            entries.append(_entry(ids, "escalate_log_entry", t, inc,
                                  f"Escalated to level {extra['level']} by timeout.", None, {"type": "timeout"},
                                  assigned_user=user_ref(who)))
            entries.append(_entry(ids, "assign_log_entry", t + 1, inc, f"Assigned to {who.name}.",
                                  _ref("escalation_policy", r.team.pd_policy_id, f"{r.team.name} on-call"),
                                  {"type": "timeout"}, assignees=[user_ref(who)]))
        elif kind == "annotate":
            entries.append(_entry(ids, "annotate_log_entry", t, inc, f"Note added: {extra['note']}",
                                  user_ref(who), {"type": "note", "summary": extra["note"]}))
        elif kind == "reassign":
            by = extra["by"]
            entries.append(_entry(ids, "assign_log_entry", t, inc, f"Reassigned to {who.name} by {by.name}.",
                                  user_ref(by), {"type": "website"}, assignees=[user_ref(who)]))
        elif kind == "escalate":
            entries.append(_entry(ids, "escalate_log_entry", t, inc, f"Escalated to level {extra['level']} by {who.name}.",
                                  user_ref(who), {"type": "website"}))
        elif kind == "snooze":
            entries.append(_entry(ids, "snooze_log_entry", t, inc, f"Snoozed for 1h by {who.name}.",
                                  user_ref(who), {"type": "mobile"}, changed_actions=[]))
        elif kind == "priority":
            entries.append(_entry(ids, "priority_change_log_entry", t, inc, f"Priority changed to P1 by {who.name}.",
                                  user_ref(who), {"type": "website"}))
    if f.ack:
        t, who, ch = f.ack
        entries.append(_entry(ids, "acknowledge_log_entry", t, inc, f"Acknowledged by {who.name}.",
                              user_ref(who), {"type": ch}, acknowledgement_timeout=1800))
    for d in inc.merged_from:
        entries.append(_entry(ids, "link_log_entry", d.merged_at, inc,
                              f"Incident #{by_opener[id(d)].number} merged into this incident by {d.merged_by.name}.",
                              user_ref(d.merged_by), {"type": "website"},
                              linked_incident=_ref("incident", by_opener[id(d)].id, None, "incidents")))
    status = "triggered"
    resolved_at = None
    changed_by: dict = svc_ref
    status_change = f.start
    resolve_reason = None
    if f.merged_into is not None:
        target = by_opener[id(f.merged_into)]
        resolved_at = f.merged_at
        status = "resolved"
        changed_by = user_ref(f.merged_by)
        resolve_reason = {"type": "merge_resolve_reason",
                          "incident": _ref("incident", target.id, f"[#{target.number}] {_summary_title(target.opener)}", "incidents")}
        entries.append(_entry(ids, "resolve_log_entry", resolved_at, inc,
                              f"Resolved by {f.merged_by.name} (merged into #{target.number}).",
                              user_ref(f.merged_by), {"type": "website"}))
    elif f.resolve:
        t, how, who = f.resolve
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
                changed_by = user_ref(who)
                entries.append(_entry(ids, "resolve_log_entry", t, inc, f"Resolved by {who.name}.",
                                      user_ref(who), {"type": str(np.random.default_rng(int(t)).choice(["website", "mobile"]))}))
            elif how == "timeout":
                entries.append(_entry(ids, "resolve_log_entry", t, inc, "Resolved by timeout.",
                                      svc_ref, {"type": "timeout"}))
            else:
                integ_ref = _ref("events_api_v2_inbound_integration", r.service.id[:-1] + "I", integ)
                entries.append(_entry(ids, "resolve_log_entry", t, inc, "Resolved through the API.",
                                      integ_ref, {"type": "api"}))
    if status != "resolved" and f.ack:
        status = "acknowledged"
    times = [e[0] for e in entries]
    last = max(times)
    status_change = resolved_at if resolved_at is not None else (f.ack[0] if f.ack and status == "acknowledged" else f.start)
    if status == "acknowledged":
        changed_by = user_ref(f.ack[1])
    owner = None
    if status != "resolved":
        reassigned = [a for a in f.actions if a[1] in ("reassign", "auto_escalate")]
        owner = reassigned[-1][2] if reassigned else (f.ack[1] if f.ack else None)
        if owner is None and f.notifies:
            owner = f.notifies[0][1]
    members = len(inc.alerts) + len(inc.merged_from) - (1 if f.merged_into is not None else 0)
    if f.merged_into is not None:
        members = 0
    resolved_members = members if status == "resolved" else sum(
        1 for a in inc.alerts + inc.merged_from if a.end is not None and a is not f) + (1 if f.end is not None else 0)
    resolved_members = min(resolved_members, members)
    doc = {
        "id": inc.id,
        "type": "incident",
        "summary": f"[#{inc.number}] {_summary_title(f)}",
        "self": f"{API}/incidents/{inc.id}",
        "html_url": f"{WEB}/incidents/{inc.id}",
        "incident_number": inc.number,
        "title": _summary_title(f),
        "created_at": pd_time(f.start),
        "updated_at": pd_time(last),
        "status": status,
        "incident_key": inc.key,
        "service": svc_ref,
        "assignments": [{"at": pd_time(status_change), "assignee": user_ref(owner)}] if owner else [],
        "assigned_via": "escalation_policy",
        "last_status_change_at": pd_time(status_change),
        "last_status_change_by": changed_by,
        "first_trigger_log_entry": _ref("trigger_log_entry", entries[0][1]["id"], trig_summary),
        "alert_counts": {"all": members, "triggered": members - resolved_members, "resolved": resolved_members},
        "is_mergeable": True,
        "escalation_policy": _ref("escalation_policy", r.team.pd_policy_id, f"{r.team.name} on-call", "escalation_policies"),
        "teams": [_ref("team", r.team.id, r.team.name, "teams")],
        "pending_actions": [],
        "acknowledgements": [{"at": pd_time(f.ack[0]), "acknowledger": user_ref(f.ack[1])}]
        if status == "acknowledged" and f.ack else [],
        "basic_alert_grouping": None,
        "alert_grouping": None,
        "priority": {"id": "PPRI" + f.priority[1], "type": "priority", "summary": f.priority} if f.priority else None,
        "resolve_reason": resolve_reason,
        "urgency": f.urgency,
    }
    if resolved_at is not None:
        doc["resolved_at"] = pd_time(resolved_at)
    return entries, doc, status_change


def _alert(a: m.Firing, inc_of_opener: Incident, world: m.World, by_opener: dict[int, Incident], with_resolved_at: bool) -> dict:
    r = a.rule
    inc_id = a.extra.get("alert_incident") or a.incident_id
    # the incident the alert is in now decides when it resolved, unless it cleared first
    home = by_opener[id(a.merged_into)] if a.merged_into is not None else None
    holder = home.opener if home is not None else (a.extra.get("grouped_into") or a)
    inc_resolve = holder.resolve[0] if holder.resolve else None
    own = a.end
    candidates = [x for x in (own, inc_resolve) if x is not None and x < world.end]
    if a.rule.integration == "Email" and own is not None:
        candidates = [x for x in (inc_resolve,) if x is not None]
    resolved = min(candidates) if candidates else None
    if resolved is not None and resolved < a.start:
        resolved = a.start
    details = _details(a)
    doc = {
        "id": a.alert_id,
        "type": "alert",
        "summary": _summary_title(a),
        "self": f"{API}/incidents/{inc_id}/alerts/{a.alert_id}",
        "html_url": f"{WEB}/alerts/{a.alert_id}",
        "created_at": pd_time(a.start),
        "status": "resolved" if resolved is not None else "triggered",
        "alert_key": hashlib.sha1(f"{r.name}|{sorted(a.tokens.items())}".encode()).hexdigest()[:32],
        "service": _ref("service", r.service.id, r.service.name, "services"),
        "body": {"type": "alert_body", "contexts": [], "details": details},
        "incident": {"id": inc_id, "type": "incident_reference"},
        "suppressed": False,
        "severity": r.severity,
        "integration": _ref(_integration_type(r.integration), r.service.id[:-1] + "I", r.integration),
    }
    if with_resolved_at and resolved is not None:
        doc["resolved_at"] = pd_time(resolved)
    return doc


def _integration_type(name: str) -> str:
    return {
        "Email": "generic_email_inbound_integration",
        "Datadog": "datadog_inbound_integration",
        "CloudWatch": "aws_cloudwatch_inbound_integration",
        "Nagios": "nagios_inbound_integration",
    }.get(name, "events_api_v2_inbound_integration")


def _details(a: m.Firing) -> dict[str, Any]:
    r = a.rule
    host = a.tokens.get("host") or a.tokens.get("pod")
    if r.integration == "Datadog":
        d: dict[str, Any] = {"monitor_id": int(hashlib.md5(r.name.encode()).hexdigest()[:7], 16),
                             "query": f"avg(last_5m):avg:{r.alertname.lower()}{{service:{r.service.name}}}",
                             "tags": f"service:{r.service.name},team:{r.team.slug},env:prod"}
        if host:
            d["host"] = host
        return d
    if r.integration == "CloudWatch":
        return {"AlarmName": f"{r.service.name}-{r.alertname}", "Region": "EU (Ireland)",
                "NewStateValue": "ALARM", "Trigger": {"MetricName": r.alertname, "Namespace": "Custom"}}
    if r.integration == "Email":
        return {"from": "monitoring@example.com", "subject": _summary_title(a)}
    d = {"alertname": r.alertname, "severity": r.severity, "service": r.service.name,
         "team": r.team.slug, "env": "production"}
    if host:
        d["host" if "host" in a.tokens else "pod"] = host
    for k in r.check.extra_labels:
        if k in a.tokens:
            d[k] = a.tokens[k]
    return d
