"""PagerDuty alert objects, as GET /incidents/{id}/alerts shows them at export time."""

from __future__ import annotations

import hashlib
from typing import Any

from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.fmt import pd_time
from alertlens.synthetic.independent.pagerduty_incidents import (
    API,
    WEB,
    Incident,
    ref,
    summary_title,
)


def alert_record(
    a: m.Firing,
    inc_of_opener: Incident,
    world: m.World,
    by_opener: dict[int, Incident],
    with_resolved_at: bool,
) -> dict[str, Any]:
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
        "summary": summary_title(a),
        "self": f"{API}/incidents/{inc_id}/alerts/{a.alert_id}",
        "html_url": f"{WEB}/alerts/{a.alert_id}",
        "created_at": pd_time(a.start),
        "status": "resolved" if resolved is not None else "triggered",
        "alert_key": hashlib.sha1(f"{r.name}|{sorted(a.tokens.items())}".encode()).hexdigest()[:32],
        "service": ref("service", r.service.id, r.service.name, "services"),
        "body": {"type": "alert_body", "contexts": [], "details": details},
        "incident": {"id": inc_id, "type": "incident_reference"},
        "suppressed": False,
        "severity": r.severity,
        "integration": ref(
            _integration_type(r.integration), r.service.id[:-1] + "I", r.integration
        ),
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
        d: dict[str, Any] = {
            "monitor_id": int(hashlib.md5(r.name.encode()).hexdigest()[:7], 16),
            "query": f"avg(last_5m):avg:{r.alertname.lower()}{{service:{r.service.name}}}",
            "tags": f"service:{r.service.name},team:{r.team.slug},env:prod",
        }
        if host:
            d["host"] = host
        return d
    if r.integration == "CloudWatch":
        return {
            "AlarmName": f"{r.service.name}-{r.alertname}",
            "Region": "EU (Ireland)",
            "NewStateValue": "ALARM",
            "Trigger": {"MetricName": r.alertname, "Namespace": "Custom"},
        }
    if r.integration == "Email":
        return {"from": "monitoring@example.com", "subject": summary_title(a)}
    d = {
        "alertname": r.alertname,
        "severity": r.severity,
        "service": r.service.name,
        "team": r.team.slug,
        "env": "production",
    }
    if host:
        d["host" if "host" in a.tokens else "pod"] = host
    for k in r.check.extra_labels:
        if k in a.tokens:
            d[k] = a.tokens[k]
    return d
