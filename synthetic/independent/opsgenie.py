"""Opsgenie: ``GET /v2/alerts`` pages (JSON Lines, one page a line, newest first) and
``GET /v2/alerts/{id}/logs`` pages (one ``<alertId>.logs.json`` per alert, for the share of
alerts whose logs were fetched).

Opsgenie de-duplicates on the alias: a firing whose alias matches an alert that is still open
does not create an alert, it raises that alert's ``count`` (and is not in the ground truth,
since no export shows it as an alert of its own).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.fmt import month, og_time, write_json, write_jsonl
from alertlens.synthetic.independent.ids import Ids
from alertlens.synthetic.independent.people import OG_CHANNEL, PAGE_CHANNELS
from alertlens.synthetic.independent.titles import title

API = "https://api.opsgenie.com/v2"


def _alias(f: m.Firing) -> str | None:
    r = f.rule
    if r.alias_style == "none":
        return None
    if r.integration == "Prometheus":
        # Alertmanager's Opsgenie integration: a hash of the group key
        return hashlib.sha256(
            f'{{}}:{{alertname="{r.alertname}", service="{r.service.name}"}}'.encode()
        ).hexdigest()
    if r.alias_style == "instance":
        inst = f.tokens.get("host") or f.tokens.get("pod") or f.tokens.get("topic") or "global"
        return f"{r.alertname.lower()}-{inst}"
    if r.integration == "Datadog":
        monitor = int(hashlib.md5(r.name.encode()).hexdigest()[:8], 16) % 90000000 + 10000000
        return f"datadog-monitor-{monitor}"
    return f"{r.service.name}/{r.alertname}"


def write(world: m.World, out: Path, ids: Ids, rng: np.random.Generator) -> list[Path]:
    sc = world.settings
    og = [f for f in world.firings if f.rule.source == m.OPSGENIE]
    if not og:
        return []
    open_alias: dict[str, m.Firing] = {}
    alerts: list[m.Firing] = []
    tiny = int(rng.integers(1000, 20000))
    for f in sorted(og, key=lambda x: x.start):
        alias = _alias(f)
        holder = open_alias.get(alias) if alias else None
        if holder is not None and (holder.resolve is None or holder.resolve[0] > f.start):
            holder.extra["count"] = holder.extra.get("count", 1) + 1
            holder.extra["last_occurred"] = f.start
            f.visible = False
            f.paged = False
            continue
        f.alert_id = ids.uuid()
        f.extra["alias"] = alias or f.alert_id
        f.extra["tiny"] = str(tiny)
        tiny += 1
        f.paged = any(ch in PAGE_CHANNELS for _, _, ch in f.notifies)
        alerts.append(f)
        if alias:
            open_alias[alias] = f
    docs = [(f.start, _alert(f, world, sc)) for f in alerts]
    files: list[Path] = []
    by_month: dict[str, list[dict[str, Any]]] = {}
    for t, d in sorted(docs, key=lambda x: -x[0]):
        by_month.setdefault(month(t), []).append(d)
    for mo, items in sorted(by_month.items()):
        pages = []
        for off in range(0, len(items), 100):
            q = f"{API}/alerts?query=createdAt%3E%3D{mo}&limit=100&sort=createdAt&order=desc"
            page: dict[str, Any] = {"data": items[off : off + 100]}
            paging = {"first": f"{q}&offset=0"}
            if off + 100 < len(items):
                paging["next"] = f"{q}&offset={off + 100}"
            paging["last"] = f"{q}&offset={(len(items) - 1) // 100 * 100}"
            page["paging"] = paging
            page["took"] = round(float(rng.uniform(0.02, 0.9)), 3)
            page["requestId"] = ids.uuid()
            pages.append(page)
        files.append(write_jsonl(out / "opsgenie" / f"alerts-{mo}.jsonl", pages))
    for f in alerts:
        if rng.random() < sc.og_logs_share:
            files.append(
                write_json(
                    out / "opsgenie" / "logs" / f"{f.alert_id}.logs.json", _logs(f, ids, rng, sc)
                )
            )
    return files


def _closer(f: m.Firing) -> str:
    _, how, who = m.known(f.resolve)
    if how == "human":
        return m.known(who).email
    if how == "timeout":
        return "System"
    return "Alert API" if f.rule.integration == "API" else f.rule.integration


def _alert(f: m.Firing, world: m.World, sc: Any) -> dict[str, Any]:
    r = f.rule
    closed = f.resolve is not None
    created = f.start
    report: dict[str, Any] = {}
    if f.ack and sc.og_ack_data:
        report["ackTime"] = round((f.ack[0] - created) * 1000)
    if f.resolve is not None:
        report["closeTime"] = round((f.resolve[0] - created) * 1000)
    if f.ack and sc.og_ack_data:
        report["acknowledgedBy"] = f.ack[1].email
    if closed:
        report["closedBy"] = _closer(f)
    times = [created] + ([f.ack[0]] if f.ack else []) + ([f.resolve[0]] if f.resolve else [])
    times += [a[0] for a in f.actions]
    last_occ = f.extra.get("last_occurred", created)
    updated = max([*times, last_occ]) + 0.117
    tags = [r.severity, f"team:{r.team.slug}", "env:prod"]
    if r.kind == m.LOW_URGENCY or f.priority in ("P4", "P5"):
        tags.append("ticket")
    doc: dict[str, Any] = {
        "id": f.alert_id,
        "tinyId": f.extra["tiny"],
        "alias": f.extra["alias"],
        "message": title(f)[:130],
        "status": "closed" if closed else "open",
        "acknowledged": bool(f.ack) and sc.og_ack_data,
        "isSeen": bool(f.ack)
        or bool(f.notifies and np.random.default_rng(int(created)).random() < 0.4),
        "tags": tags,
        "snoozed": False,
        "count": f.extra.get("count", 1),
        "lastOccurredAt": og_time(last_occ),
        "createdAt": og_time(created),
        "updatedAt": og_time(updated),
        "source": {
            "Prometheus": "prometheus-am",
            "Datadog": "Datadog",
            "Zabbix": "Zabbix",
            "Pingdom": "Pingdom",
            "API": "shop-monitor",
            "Email": "monitoring@example.com",
        }[r.integration],
        "owner": f.ack[1].email if (f.ack and sc.og_ack_data) else "",
        "priority": f.priority,
        "teams": [{"id": r.team.og_id}],
        "responders": [{"type": "team", "id": r.team.og_id}],
        "integration": {
            "id": hashlib.md5((r.team.slug + r.integration).encode()).hexdigest()[:8]
            + "-0000-4000-8000-"
            + hashlib.md5(r.integration.encode()).hexdigest()[:12],
            "name": f"{r.team.name} {r.integration}",
            "type": r.integration,
        },
        "report": report,
        "ownerTeamId": r.team.og_id,
    }
    return doc


def _logs(f: m.Firing, ids: Ids, rng: np.random.Generator, sc: Any) -> dict[str, Any]:
    r = f.rule
    entries: list[tuple[float, str, str, str]] = [
        (f.start, f"Alert created via {r.integration}", "system", "System")
    ]
    for t, who, ch in f.notifies:
        entries.append(
            (t, f"Sent [{OG_CHANNEL[ch]}] notification to {who.email}", "system", "System")
        )
    for t, kind, who, extra in f.actions:
        if kind == "annotate":
            entries.append((t, extra["note"], "note", who.email))
        elif kind == "auto_escalate":
            entries.append(
                (
                    t,
                    f"Escalated to next responder {who.email} by {r.team.name}_escalation",
                    "system",
                    "System",
                )
            )
        elif kind == "escalate":
            entries.append(
                (t, f"Alert escalated to next level by {who.email}", "system", who.email)
            )
        elif kind == "reassign":
            entries.append(
                (t, f"Alert ownership assigned to {who.email}", "system", extra["by"].email)
            )
        elif kind == "snooze":
            entries.append((t, "Alert snoozed for 1 hour via mobile", "system", who.email))
    if f.ack and sc.og_ack_data:
        via = {"mobile": "mobile app", "website": "web", "sms": "sms", "phone": "voice"}[f.ack[2]]
        entries.append((f.ack[0], f"Alert acknowledged via {via}", "system", f.ack[1].email))
    if f.resolve:
        t, how, resolver = f.resolve
        if how == "human":
            entries.append((t, "Alert closed via web", "system", m.known(resolver).email))
        elif how == "timeout":
            entries.append((t, "Alert closed by auto-close policy", "system", "System"))
        else:
            entries.append((t, f"Alert closed via {r.integration}", "system", "System"))
    entries.sort(key=lambda e: e[0])
    data = []
    for t, text, typ, owner in entries:
        ms = round(t * 1000)
        data.append(
            {
                "log": text,
                "type": typ,
                "owner": owner,
                "createdAt": og_time(t),
                "offset": f"{ms}_{ms * 1000000 + int(rng.integers(0, 999999))}",
            }
        )
    return {
        "data": data,
        "paging": {
            "first": f"{API}/alerts/{f.alert_id}/logs?offset=0&direction=next&limit=100&order=asc"
        },
        "took": round(float(rng.uniform(0.01, 0.2)), 3),
        "requestId": ids.uuid(),
    }
