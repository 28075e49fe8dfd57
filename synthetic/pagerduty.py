"""PagerDuty REST v2 exports of the simulated world: ``incidents/``, ``alerts/`` and
``log_entries/`` folders of paged API answers, shaped like ``GET /incidents``,
``GET /incidents/{id}/alerts`` and ``GET /log_entries``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import numpy as np

from alertlens.synthetic import model as m
from alertlens.synthetic.catalog import Rendered
from alertlens.synthetic.ids import iso_seconds, pd_id_bytes, pd_ids
from alertlens.synthetic.incidents import Assembly, Incidents
from alertlens.synthetic.pagerduty_log import LogEntries, log_entries, log_entries_since
from alertlens.synthetic.pages import write_monthly_pages
from alertlens.synthetic.simulate import AUTO, HUMAN, OPEN, TIMEOUT
from alertlens.synthetic.texts import Texts

Record = dict[str, Any]
Progress = Callable[[int], None]

_PRIORITIES: Final = {
    "critical": ("P1", "P2"),
    "error": ("P2", "P3"),
    "warning": ("P3", "P4"),
    "info": ("P5", None),
}


class Refs:
    """The reference objects PagerDuty embeds (service, team, policy, user), built once."""

    def __init__(self, world: m.World) -> None:
        self.teams = {t.slug: t for t in world.teams}
        self.services = {
            s.name: {"id": s.id, "type": "service_reference", "summary": s.name}
            for s in world.services
        }
        self.team_refs = {
            t.slug: [{"id": t.id, "type": "team_reference", "summary": t.name}] for t in world.teams
        }
        self.policies = {
            t.slug: {
                "id": t.escalation_policy_id,
                "type": "escalation_policy_reference",
                "summary": f"{t.name} on-call",
            }
            for t in world.teams
        }
        self.users = {
            t.slug: [
                {"id": r.id, "type": "user_reference", "summary": r.name} for r in t.responders
            ]
            for t in world.teams
        }


def alert_keys(world: m.World, assembly: Assembly, texts: Texts) -> list[str]:
    """The dedup key of each firing: stable per rule and host, as an integration would send."""
    cache: dict[tuple[int, str], str] = {}
    keys = []
    for rule, host in zip(assembly.firings.rule.tolist(), texts.host, strict=True):
        key = cache.get((rule, host))
        if key is None:
            key = cache[(rule, host)] = hashlib.sha1(
                f"{world.rules[rule].name}/{host}".encode()
            ).hexdigest()[:32]
        keys.append(key)
    return keys


def _months(ms: np.ndarray) -> list[str]:
    return np.datetime_as_string(ms.astype("datetime64[ms]"), unit="M").tolist()


#: (prefix, width) of the ids of alerts (by firing index), incidents (by incident index) and log
#: entries (by position in the time-sorted log); ``id_salt`` gives each its salt.
ALERT_ID: Final = ("Q", 13)
INCIDENT_ID: Final = ("P", 6)
LOG_ENTRY_ID: Final = ("R", 13)


def id_salt(world: m.World, kind: tuple[str, int]) -> int:
    """The ``pd_ids`` salt of ``kind`` (``ALERT_ID``, ``INCIDENT_ID`` or ``LOG_ENTRY_ID``)."""
    factor, offset = {
        ALERT_ID: (7_919_111, 11),
        INCIDENT_ID: (130_003, 1_234_567),
        LOG_ENTRY_ID: (17_000_171, 99),
    }[kind]
    return world.seed * factor + offset


def alert_ids(world: m.World, count: int) -> list[str]:
    """The PagerDuty ids of the first ``count`` firings' alerts."""
    return pd_ids(ALERT_ID[0], count, width=ALERT_ID[1], salt=id_salt(world, ALERT_ID))


def incident_ids(world: m.World, count: int) -> list[str]:
    """The PagerDuty ids of ``count`` incidents."""
    return pd_ids(INCIDENT_ID[0], count, width=INCIDENT_ID[1], salt=id_salt(world, INCIDENT_ID))


def ids_at(world: m.World, kind: tuple[str, int], index: np.ndarray) -> dict[int, str]:
    """The ids of ``kind`` (``ALERT_ID``, ``INCIDENT_ID`` …) at positions ``index``."""
    prefix, width = kind
    text = pd_id_bytes(prefix, index, width=width, salt=id_salt(world, kind))
    values = text.view(f"S{text.shape[1]}").ravel().astype(f"U{text.shape[1]}").tolist()
    return dict(zip(np.asarray(index).tolist(), values, strict=True))


def incident_updated(incidents: Incidents) -> tuple[np.ndarray, np.ndarray]:
    """(last status change, updated_at) of each incident in epoch ms."""
    inc = incidents
    change = np.where(
        inc.resolved != OPEN, inc.resolved, np.where(inc.ack != OPEN, inc.ack, inc.created)
    )
    return change, np.maximum(change, inc.escalated)


def priority_draws(world: m.World, count: int) -> np.ndarray:
    """The uniform draw that picks each incident's priority (high, low or none)."""
    return np.random.default_rng([world.seed, 2]).random(count)


#: A draw below the first bound gives the severity's high priority, below the second its low
#: one, else none.
PRIORITY_BANDS: Final = (0.35, 0.7)


def priorities(severity: str) -> tuple[str, str | None, None]:
    """The priority of each band of ``PRIORITY_BANDS`` (and above) for a rule's severity."""
    high, low = _PRIORITIES.get(severity, ("P3", None))
    return high, low, None


def priority(severity: str, draw: float) -> str | None:
    """The priority PagerDuty shows for an incident of a rule of ``severity``."""
    band = sum(draw >= bound for bound in PRIORITY_BANDS)
    return priorities(severity)[band]


def urgency(rule: m.Rule) -> str:
    """high for critical and error rules and for informational pages, else low."""
    return (
        "high"
        if rule.severity in ("critical", "error") or rule.behaviour == m.INFORMATIONAL
        else "low"
    )


def alert_details(rule: m.Rule, host: str, text: Rendered) -> Record:
    """``body.details`` of an alert: what the integration sent with it."""
    return {
        "alertname": rule.alertname,
        "host": host,
        "severity": rule.severity,
        "service": rule.service,
        "team": rule.team,
        "env": "production",
        "description": text.description,
        **text.labels,
    }


def incident_selection(assembly: Assembly, since_ms: int | None) -> np.ndarray:
    """Incidents a pull ``since_ms`` returns (all when None): created or changed since then, or
    holding an alert that fired since then."""
    inc, f = assembly.incidents, assembly.firings
    if since_ms is None:
        return np.ones(len(inc), dtype=bool)
    _, updated = incident_updated(inc)
    selected = (inc.created >= since_ms) | (updated >= since_ms)
    new_alerts = (assembly.incident >= 0) & (f.start >= since_ms)
    selected[assembly.incident[new_alerts]] = True
    return selected


def _incident_records(
    world: m.World, a: Assembly, texts: Texts, keys: list[str], refs: Refs, selected: np.ndarray
) -> Iterator[Record]:
    inc, f = a.incidents, a.firings
    chosen = np.flatnonzero(selected)
    merged = inc.merged_into[chosen]
    ids = ids_at(world, INCIDENT_ID, np.union1d(chosen, merged[merged >= 0]))
    created, ack, resolved = inc.created, inc.ack, inc.resolved
    escalated = inc.escalated
    change, updated = incident_updated(inc)
    iso = {
        name: dict(
            zip(chosen.tolist(), iso_seconds(np.where(v == OPEN, 0, v)[chosen]), strict=True)
        )
        for name, v in (
            ("created", created),
            ("ack", ack),
            ("resolved", resolved),
            ("change", change),
            ("updated", updated),
            ("escalated", escalated),
        )
    }
    prio_draw = priority_draws(world, len(inc))
    for i in chosen.tolist():
        trigger = int(inc.trigger[i])
        rule = world.rules[int(f.rule[trigger])]
        users = refs.users[rule.team]
        number = 1000 + i
        title = texts.rendered[trigger].pd
        status = (
            "resolved"
            if resolved[i] != OPEN
            else ("acknowledged" if ack[i] != OPEN else "triggered")
        )
        prio = priority(rule.severity, float(prio_draw[i]))
        holder = int(f.secondary[trigger] if escalated[i] != OPEN else f.primary[trigger])
        by: Record | None
        if resolved[i] != OPEN:
            by = (
                users[int(inc.resolver_user[i])]
                if inc.resolver[i] == HUMAN
                else refs.services[rule.service]
                if inc.resolver[i] == AUTO
                else None
            )
        elif ack[i] != OPEN:
            by = users[int(inc.acker[i])]
        else:
            by = refs.services[rule.service]
        alerts, done = int(inc.alerts[i]), int(inc.alerts_resolved[i])
        yield {
            "id": ids[i],
            "type": "incident",
            "summary": f"[#{number}] {title}",
            "incident_number": number,
            "title": title,
            "created_at": iso["created"][i],
            "updated_at": iso["updated"][i],
            "status": status,
            "incident_key": keys[trigger],
            "service": refs.services[rule.service],
            "assignments": []
            if status == "resolved"
            else [
                {
                    "at": iso["escalated" if escalated[i] != OPEN else "created"][i],
                    "assignee": users[holder],
                }
            ],
            "assigned_via": "escalation_policy",
            "last_status_change_at": iso["change"][i],
            "last_status_change_by": by,
            "resolved_at": iso["resolved"][i] if resolved[i] != OPEN else None,
            "alert_counts": {"all": alerts, "triggered": alerts - done, "resolved": done},
            "escalation_policy": refs.policies[rule.team],
            "teams": refs.team_refs[rule.team],
            "acknowledgements": []
            if status != "acknowledged"
            else [{"at": iso["ack"][i], "acknowledger": users[int(inc.acker[i])]}],
            "priority": None
            if prio is None
            else {"id": f"PPRI{prio[1]}X", "type": "priority_reference", "summary": prio},
            "resolve_reason": None
            if inc.merged_into[i] < 0
            else {
                "type": "merge_resolve_reason",
                "incident": {"id": ids[int(inc.merged_into[i])], "type": "incident_reference"},
            },
            "urgency": urgency(rule),
        }


def _alert_records(
    world: m.World, a: Assembly, texts: Texts, keys: list[str], refs: Refs, on_pd: np.ndarray
) -> Iterator[Record]:
    f = a.firings
    chosen = np.flatnonzero(on_pd)
    ids = ids_at(world, ALERT_ID, chosen)
    inc_ids = ids_at(world, INCIDENT_ID, np.unique(a.incident[chosen]))
    created = dict(zip(chosen.tolist(), iso_seconds(f.start[chosen]), strict=True))
    ends = np.where(f.end == OPEN, 0, f.end)[chosen]
    ended = dict(zip(chosen.tolist(), iso_seconds(ends), strict=True))
    for i in chosen.tolist():
        rule = world.rules[int(f.rule[i])]
        text = texts.rendered[i]
        details = alert_details(rule, texts.host[i], text)
        resolved = f.end[i] != OPEN
        yield {
            "id": ids[i],
            "type": "alert",
            "summary": text.pd,
            "created_at": created[i],
            "status": "resolved" if resolved else "triggered",
            "resolved_at": ended[i] if resolved else None,
            "alert_key": keys[i],
            "service": refs.services[rule.service],
            "body": {"type": "alert_body", "contexts": [], "details": details},
            "incident": {"id": inc_ids[int(a.incident[i])], "type": "incident_reference"},
            "suppressed": False,
            "severity": rule.severity,
            "integration": {
                "id": refs.teams[rule.team].escalation_policy_id.replace("P", "PI", 1)[:7],
                "type": "events_api_v2_inbound_integration_reference",
                "summary": "Prometheus",
            },
        }


def _log_records(
    world: m.World, a: Assembly, texts: Texts, refs: Refs, entries: LogEntries, first_id: int
) -> Iterator[Record]:
    """The log entries ``entries``, the first of which is entry ``first_id`` of the whole log."""
    inc, f = a.incidents, a.firings
    inc_ids = ids_at(world, INCIDENT_ID, np.unique(entries.incident))
    prefix, width = LOG_ENTRY_ID
    salt = id_salt(world, LOG_ENTRY_ID)
    ids = pd_ids(prefix, len(entries.at), width=width, salt=salt, start=first_id)
    at = iso_seconds(entries.at)
    for j in range(len(entries.at)):
        i = int(entries.incident[j])
        trigger = int(inc.trigger[i])
        rule = world.rules[int(f.rule[trigger])]
        users = refs.users[rule.team]
        kind = entries.kind[j]
        user = users[int(entries.user[j])] if entries.user[j] >= 0 else None
        record: Record = {
            "id": ids[j],
            "type": kind,
            "summary": "",
            "created_at": at[j],
            "agent": None,
            "channel": {"type": entries.channel[j]},
            "incident": {
                "id": inc_ids[i],
                "type": "incident_reference",
                "summary": f"[#{1000 + i}] {texts.rendered[trigger].pd}",
            },
            "teams": refs.team_refs[rule.team],
            "contexts": [],
        }
        if kind == "trigger_log_entry":
            record.update(
                summary="Triggered through the API",
                agent=refs.services[rule.service],
                event_details={"description": texts.rendered[trigger].pd},
            )
        elif kind == "assign_log_entry":
            record.update(
                summary=f"Assigned to {user['summary'] if user else ''}.",
                agent=refs.policies[rule.team],
                assignees=[user],
            )
        elif kind == "notify_log_entry":
            record.update(
                summary=f"Notified {user['summary'] if user else ''} by {entries.channel[j]}.",
                agent=refs.services[rule.service],
                user=user,
            )
        elif kind == "escalate_log_entry":
            record.update(summary="Escalated to level 2 due to timeout.")
        elif kind == "acknowledge_log_entry":
            record.update(
                summary=f"Acknowledged by {user['summary'] if user else ''}.",
                agent=user,
                acknowledgement_timeout=1800,
            )
        elif entries.resolver[j] == HUMAN:
            merged = inc.merged_into[i]
            note = "" if merged < 0 else f" (merged into [#{1000 + int(merged)}])"
            record.update(
                summary=f"Resolved by {user['summary'] if user else ''}{note}.", agent=user
            )
        elif entries.resolver[j] == TIMEOUT:
            record.update(summary="Resolved by timeout.")
        else:
            record.update(summary="Resolved through the API.", agent=refs.services[rule.service])
        yield record


def write_pagerduty(
    world: m.World,
    assembly: Assembly,
    texts: Texts,
    out: Path,
    *,
    page_size: int = 100,
    pages_per_file: int = 1,
    progress: Progress | None = None,
    since_ms: int | None = None,
) -> list[Path]:
    """Write the PagerDuty exports under ``out/pagerduty``; returns the files written.

    With ``since_ms``, only what a pull at the end of the window for changes since then gets:
    the incidents of ``incident_selection``, their alerts, and the log entries since then."""
    tick = progress or (lambda _n: None)
    f = assembly.firings
    selected = incident_selection(assembly, since_ms)
    on_pd = (assembly.incident >= 0) & selected[np.maximum(assembly.incident, 0)]
    if not on_pd.any():
        return []
    refs = Refs(world)
    keys = alert_keys(world, assembly, texts)
    root = out / "pagerduty"
    inc = assembly.incidents
    written = write_monthly_pages(
        root / "incidents",
        "incidents",
        _counted(
            zip(
                _months(inc.created[selected]),
                _incident_records(world, assembly, texts, keys, refs, selected),
                strict=True,
            ),
            tick,
        ),
        page_size=page_size,
        pages_per_file=pages_per_file,
    )
    written += write_monthly_pages(
        root / "alerts",
        "alerts",
        _counted(
            zip(
                _months(f.start[on_pd]),
                _alert_records(world, assembly, texts, keys, refs, on_pd),
                strict=True,
            ),
            tick,
        ),
        page_size=page_size,
        pages_per_file=pages_per_file,
    )
    if since_ms is None:
        entries, first_id = log_entries(world, assembly), 0
    else:
        entries, first_id = log_entries_since(world, assembly, since_ms)
    written += write_monthly_pages(
        root / "log_entries",
        "log_entries",
        _counted(
            zip(
                _months(entries.at),
                _log_records(world, assembly, texts, refs, entries, first_id),
                strict=True,
            ),
            tick,
        ),
        page_size=page_size,
        pages_per_file=pages_per_file,
    )
    return written


def _counted(items: Iterator[tuple[str, Record]], tick: Progress) -> Iterator[tuple[str, Record]]:
    for n, item in enumerate(items, start=1):
        if n % 1000 == 0:
            tick(1000)
        yield item
