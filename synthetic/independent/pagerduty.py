"""PagerDuty REST API v2 dumps: GET /incidents, GET /incidents/{id}/alerts, GET /log_entries.

Written as JSON Lines of pages (one page a line), one file per month (per team for log entries,
because ``log_mode`` is per team: ``full``, ``overview`` = ``is_overview=true`` which drops
notify entries, or ``none`` = log entries were never exported).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.fmt import month, write_jsonl
from alertlens.synthetic.independent.ids import Ids
from alertlens.synthetic.independent.pagerduty_alerts import alert_record
from alertlens.synthetic.independent.pagerduty_incidents import Incident, incident_records
from alertlens.synthetic.independent.people import PAGE_CHANNELS


def group_alerts(
    sc_share: float, rng: np.random.Generator, firings: list[m.Firing], services: list[m.Service]
) -> None:
    """Time-based alert grouping on some services: an alert arriving within 5 minutes of an
    open incident's creation on the same service joins that incident instead of paging."""
    grouping = {
        s.name: float(rng.choice([300.0, 600.0, 1200.0]))
        for s in services
        if rng.random() < sc_share
    }
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
        inc.key = hashlib.md5(
            f"{inc.opener.rule.name}|{inc.opener.tokens}|{inc.opener.start}".encode()
        ).hexdigest()
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

    inc_docs: list[tuple[float, dict[str, Any]]] = []
    alert_pages: list[tuple[float, dict[str, Any]]] = []
    logs: dict[str, list[tuple[float, dict[str, Any]]]] = {}
    for inc in incidents:
        f = inc.opener
        entries, inc_doc, _status_change = incident_records(inc, world, ids, by_opener)
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
        members.setdefault(str(f.extra.get("alert_incident") or f.incident_id), []).append(f)
    for inc in incidents:
        fs = sorted(members.get(inc.id, []), key=lambda x: x.start)
        if not fs:
            continue
        docs = [
            alert_record(a, inc, world, by_opener, svc_resolved_at[a.rule.service.name]) for a in fs
        ]
        alert_pages.append(
            (
                inc.opener.start,
                {"alerts": docs, "limit": 25, "offset": 0, "more": False, "total": None},
            )
        )

    files: list[Path] = []
    files += _paged_months(out / "pagerduty" / "incidents", "incidents", inc_docs, 100)
    # one page per incident, grouped into one JSON Lines file per month
    by_month: dict[str, list[dict[str, Any]]] = {}
    for at, page in sorted(alert_pages, key=lambda x: x[0]):
        by_month.setdefault(month(at), []).append(page)
    for mo, pages in sorted(by_month.items()):
        files.append(write_jsonl(out / "pagerduty" / "alerts" / f"{mo}.jsonl", pages))
    for team, entries in sorted(logs.items()):
        files += _paged_months(
            out / "pagerduty" / "log_entries", "log_entries", entries, 100, prefix=f"{team}-"
        )
    return files


def _paged_months(
    folder: Path, key: str, docs: list[tuple[float, dict[str, Any]]], limit: int, prefix: str = ""
) -> list[Path]:
    by_month: dict[str, list[dict[str, Any]]] = {}
    for t, d in sorted(docs, key=lambda x: (x[0], x[1]["id"])):
        by_month.setdefault(month(t), []).append(d)
    files = []
    for mo, items in sorted(by_month.items()):
        pages = []
        for off in range(0, len(items), limit):
            chunk = items[off : off + limit]
            pages.append(
                {
                    key: chunk,
                    "limit": limit,
                    "offset": off,
                    "more": off + limit < len(items),
                    "total": len(items),
                }
            )
        files.append(write_jsonl(folder / f"{prefix}{mo}.jsonl", pages))
    return files
