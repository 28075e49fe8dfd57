"""The lake rows that ingesting a simulated world's PagerDuty exports gives, built straight from
the simulation arrays: no JSON, no per-record parsing, millions of rows in seconds.

Every column is what ``ingest/readers/pagerduty.py`` reads from the records ``pagerduty.py``
writes, after ``ingest/readers/pagerduty_lifecycle.py`` derived the fields that need the log
(acknowledged_at, resolved_by, paged, escalation counts …). ``tests/ingest/test_synthetic_lake.py``
holds the two paths to the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final

import numpy as np
import pyarrow as pa

from alertlens.ingest.fields import labels_json, normalised_severity, text_or_none
from alertlens.ingest.readers.pagerduty import LOG_ENTRY_KINDS
from alertlens.ingest.readers.pagerduty import NAME as SOURCE
from alertlens.ingest.readers.pagerduty_lifecycle import resolution_of
from alertlens.ingest.schema import SEVERITIES, Alerts, Incidents, Notifications
from alertlens.ingest.templates import title_templates
from alertlens.synthetic import model as m
from alertlens.synthetic.columns import (
    ascii_strings,
    coded,
    constant,
    masked,
    timestamps,
    whole_seconds,
)
from alertlens.synthetic.ids import pd_id_bytes
from alertlens.synthetic.incidents import Assembly
from alertlens.synthetic.pagerduty import (
    ALERT_ID,
    INCIDENT_ID,
    LOG_ENTRY_ID,
    PRIORITY_BANDS,
    alert_details,
    id_salt,
    incident_updated,
    priorities,
    priority_draws,
    urgency,
)
from alertlens.synthetic.pagerduty_log import KINDS, LogTable, first_notified
from alertlens.synthetic.simulate import AUTO, HUMAN, OPEN, TIMEOUT
from alertlens.synthetic.texts import Texts

PRIORITIES: Final = ("P1", "P2", "P3", "P4", "P5")
#: How the reader maps a priority to a severity (ingest/readers/pagerduty.py).
_PRIORITY_SEVERITY: Final = ("critical", "high", "warning", "info", "info")
_RANK: Final = {s: len(SEVERITIES) - 1 - i for i, s in enumerate(SEVERITIES)}  # unknown = 0
_RESOLVED_BY: Final = ("human", "auto", "timeout", "unknown")
_STATUSES: Final = ("triggered", "acknowledged", "resolved")


class PagerDutyWorld:
    """A simulated world's PagerDuty side with the cross-record facts ingest derives, per
    incident and per firing (numpy, computed once for the whole world)."""

    def __init__(self, world: m.World, assembly: Assembly) -> None:
        self.world, self.assembly = world, assembly
        slugs = [t.slug for t in world.teams]
        self.team_of_rule = np.array([slugs.index(r.team) for r in world.rules], dtype=np.int64)
        self.team_names = [t.name for t in world.teams]
        people = [[r.name for r in t.responders] for t in world.teams]
        self.people = [name for team in people for name in team]
        self.first_person = np.cumsum([0] + [len(p) for p in people])[:-1]
        self.rule_services = [r.service for r in world.rules]
        self.rule_severities = [r.severity for r in world.rules]
        self.rule_urgencies = [urgency(r) for r in world.rules]
        self.notified = first_notified(world, assembly)
        self.priority = self._priority()
        self.incident_severity = self._incident_severity()
        self.resolved_by = self._incident_resolved_by()
        self.paged = self._paged()

    def _priority(self) -> np.ndarray:
        """Per incident, the code into PRIORITIES (-1: none), picked as ``pagerduty.priority``
        picks it from the incident's draw."""
        inc, f = self.assembly.incidents, self.assembly.firings
        band = np.searchsorted(PRIORITY_BANDS, priority_draws(self.world, len(inc)), "right")
        by_rule = np.array(
            [[-1 if p is None else PRIORITIES.index(p) for p in priorities(r.severity)]
             for r in self.world.rules],
            dtype=np.int64,
        )  # fmt: skip
        return np.asarray(by_rule[f.rule[inc.trigger], band])

    def _incident_severity(self) -> np.ndarray:
        """Per incident, the code into SEVERITIES: from the priority, else the worst of the
        alerts it holds, else unknown (a merged-away incident without priority)."""
        a = self.assembly
        on_pd = np.flatnonzero(a.incident >= 0)
        rank_of_rule = np.array(
            [_RANK[normalised_severity(s)] for s in self.rule_severities], dtype=np.int64
        )
        worst = np.zeros(len(a.incidents), dtype=np.int64)
        np.maximum.at(worst, a.incident[on_pd], rank_of_rule[a.firings.rule[on_pd]])
        from_alerts = len(SEVERITIES) - 1 - worst
        by_priority = np.array([SEVERITIES.index(s) for s in _PRIORITY_SEVERITY])
        return np.where(self.priority >= 0, by_priority[np.maximum(self.priority, 0)], from_alerts)

    def _incident_resolved_by(self) -> np.ndarray:
        """Per incident, the code into _RESOLVED_BY: from the agent of its resolve log entry."""
        inc = self.assembly.incidents
        by_code = {
            HUMAN: resolution_of("user"),
            AUTO: resolution_of("service"),
            TIMEOUT: resolution_of("timeout"),
        }
        code = np.full(len(inc), _RESOLVED_BY.index("unknown"))
        for resolver, text in by_code.items():
            code[(inc.resolved != OPEN) & (inc.resolver == resolver)] = _RESOLVED_BY.index(text)
        return code

    def _paged(self) -> np.ndarray:
        """Per firing: the alert opened an incident whose log notifies someone (the first alert
        by time, then id, of its incident), or opened one that did and was merged into this
        alert's incident."""
        a = self.assembly
        f, inc = a.firings, a.incidents
        on_pd = np.flatnonzero(a.incident >= 0)
        holder, second = a.incident[on_pd], f.start[on_pd] // 1000
        order = np.lexsort((second, holder))
        first = np.r_[True, holder[order][1:] != holder[order][:-1]]
        opener = np.zeros(len(f), dtype=bool)
        opener[on_pd[order[first]]] = True
        tied = _first_second_ties(holder[order], second[order])
        if len(tied):  # same incident and second: the smaller alert id opened it
            members = on_pd[order[tied]]
            ids = pd_id_bytes(ALERT_ID[0], members, width=ALERT_ID[1], salt=self._salt(ALERT_ID))
            text = ids.view(f"S{ids.shape[1]}").ravel()
            keys = np.lexsort((text, a.incident[members]))
            group_first = np.r_[True, np.diff(a.incident[members][keys]) != 0]
            opener[members] = False
            opener[members[keys[group_first]]] = True
        paged = np.zeros(len(f), dtype=bool)
        paged[on_pd] = self.notified[holder] & opener[on_pd]
        merged = np.flatnonzero((inc.merged_into >= 0) & self.notified)
        moved = (inc.merged_into[merged] << 34) + inc.created[merged] // 1000
        paged[on_pd] |= np.isin((holder << 34) + second, moved)
        return paged

    def _salt(self, kind: tuple[str, int]) -> int:
        return id_salt(self.world, kind)

    def ids(self, kind: tuple[str, int], index: np.ndarray) -> pa.Array:
        """The ids of ``kind`` at positions ``index`` as an Arrow string column."""
        prefix, width = kind
        return ascii_strings(pd_id_bytes(prefix, index, width=width, salt=self._salt(kind)))

    def alert_rows(self, firings: np.ndarray, texts: Texts, origin: str) -> pa.Table:
        """The alerts of the PagerDuty ``firings`` (indices, with their ``texts`` in order)."""
        a = self.assembly
        f, inc = a.firings, a.incidents
        rule, holder = f.rule[firings], a.incident[firings]
        created = whole_seconds(f.start[firings])
        own_end = whole_seconds(f.end[firings])
        inc_resolved = whole_seconds(inc.resolved[holder])
        resolved = np.where(own_end != OPEN, own_end, inc_resolved)
        inc_ack = whole_seconds(inc.ack[holder])
        self_cleared = (resolved != OPEN) & (inc_resolved != OPEN) & (resolved < inc_resolved)
        by = np.where(self_cleared, _RESOLVED_BY.index("auto"), self.resolved_by[holder])
        by = np.where(resolved != OPEN, by, _RESOLVED_BY.index("unknown"))
        titles = [text_or_none(t.pd) for t in texts.rendered]
        services = [self.rule_services[r] for r in rule.tolist()]
        templates = title_templates(titles)
        labels = []
        for r, host, text in zip(rule.tolist(), texts.host, texts.rendered, strict=True):
            details = alert_details(self.world.rules[r], host, text)
            details["alert_key"] = _alert_key(self.world.rules[r].name, host)
            labels.append(labels_json(details))
        severity = [normalised_severity(s) for s in self.rule_severities]
        n = len(firings)
        return pa.table(
            {
                Alerts.source: constant(SOURCE, n),
                Alerts.alert_id: self.ids(ALERT_ID, firings),
                Alerts.incident_id: self.ids(INCIDENT_ID, holder),
                Alerts.rule_key: pa.array(
                    [f"{s} :: {t}" for s, t in zip(services, templates, strict=True)], pa.string()
                ),
                Alerts.title: pa.array(titles, pa.string()),
                Alerts.service: pa.array(services, pa.string()),
                Alerts.team: coded(self.team_names, self.team_of_rule[rule]),
                Alerts.severity: coded(severity, rule),
                Alerts.severity_raw: coded(self.rule_severities, rule),
                Alerts.created_at: timestamps(created),
                Alerts.acknowledged_at: timestamps(inc_ack, inc_ack >= created),
                Alerts.resolved_at: timestamps(resolved),
                Alerts.resolved_by: coded(_RESOLVED_BY, by),
                Alerts.paged: pa.array(self.paged[firings]),
                Alerts.labels: pa.array(labels, pa.string()),
                Alerts.version_at: timestamps(np.where(own_end != OPEN, own_end, created)),
                Alerts.ingested_from: constant(origin, n),
            }
        )

    def incident_rows(self, incidents: np.ndarray, titles: list[str], origin: str) -> pa.Table:
        """The ``incidents`` (indices) with the titles of their opening alerts."""
        a = self.assembly
        f, inc = a.firings, a.incidents
        i = incidents
        trigger = inc.trigger[i]
        rule = f.rule[trigger]
        team = self.team_of_rule[rule]
        ack, resolved = inc.ack[i], inc.resolved[i]
        escalated = inc.escalated[i] != OPEN
        status = np.where(resolved != OPEN, 2, np.where(ack != OPEN, 1, 0))
        holder = np.where(escalated, f.secondary[trigger], f.primary[trigger])
        merged = inc.merged_into[i]
        prio = self.priority[i]
        n = len(i)
        return pa.table(
            {
                Incidents.source: constant(SOURCE, n),
                Incidents.incident_id: self.ids(INCIDENT_ID, i),
                Incidents.incident_number: pa.array(1000 + i).cast(pa.string()),
                Incidents.title: pa.array([text_or_none(t) for t in titles], pa.string()),
                Incidents.service: coded(self.rule_services, rule),
                Incidents.team: coded(self.team_names, team),
                Incidents.priority: coded(PRIORITIES, prio),
                Incidents.severity: coded(SEVERITIES, self.incident_severity[i]),
                Incidents.urgency: coded(self.rule_urgencies, rule),
                Incidents.status: coded(_STATUSES, status),
                Incidents.created_at: timestamps(whole_seconds(inc.created[i])),
                Incidents.acknowledged_at: timestamps(whole_seconds(ack)),
                Incidents.resolved_at: timestamps(whole_seconds(resolved)),
                Incidents.resolved_by: coded(_RESOLVED_BY, self.resolved_by[i]),
                Incidents.assignee: masked(
                    coded(self.people, self.first_person[team] + holder), status != 2
                ),
                Incidents.reopen_count: pa.array(np.zeros(n, dtype=np.int64)),
                Incidents.escalation_count: pa.array(escalated.astype(np.int64)),
                Incidents.reassignment_count: pa.array(1 + escalated.astype(np.int64)),
                Incidents.major: pa.array(prio == 0, mask=prio < 0),
                Incidents.merged_into: masked(
                    self.ids(INCIDENT_ID, np.maximum(merged, 0)), merged >= 0
                ),
                Incidents.alert_count: pa.array(inc.alerts[i].astype(np.int64)),
                Incidents.reported_by: constant("alert", n),
                Incidents.version_at: timestamps(whole_seconds(incident_updated(inc)[1][i])),
                Incidents.ingested_from: constant(origin, n),
            }
        )

    def log_rows(self, log: LogTable, first_id: int, origin: str) -> pa.Table:
        """The log entries of ``log``, the first being entry ``first_id`` of the whole log."""
        a = self.assembly
        team = self.team_of_rule[a.firings.rule[a.incidents.trigger[log.incident]]]
        kind = log.kind.astype(np.int64)
        names = [LOG_ENTRY_KINDS[k] for k in KINDS]
        resolve = kind == KINDS.index("resolve_log_entry")
        # who the entry names: the notified person, the acknowledger, a human resolver
        named = np.isin(
            kind, [KINDS.index("notify_log_entry"), KINDS.index("acknowledge_log_entry")]
        )
        named |= resolve & (log.resolver == HUMAN)
        named &= log.user >= 0
        agent = _agent_codes(_AGENT_OF_KIND[k] for k in KINDS)[kind]
        by_resolver = _agent_codes(_AGENT_OF_RESOLVER.get(r) for r in range(4))
        agent[resolve] = by_resolver[log.resolver[resolve]]
        agent[~named & (agent == _AGENTS.index("user"))] = -1  # an entry by nobody known
        n = len(log)
        ids = pd_id_bytes(
            LOG_ENTRY_ID[0],
            np.arange(first_id, first_id + n, dtype=np.uint64),
            width=LOG_ENTRY_ID[1],
            salt=self._salt(LOG_ENTRY_ID),
        )
        at = whole_seconds(log.at)
        return pa.table(
            {
                Notifications.source: constant(SOURCE, n),
                Notifications.event_id: ascii_strings(ids),
                Notifications.at: timestamps(at),
                Notifications.kind: coded(names, kind),
                Notifications.user: coded(
                    self.people, np.where(named, self.first_person[team] + log.user, -1)
                ),
                Notifications.channel: coded(log.channel_names, log.channel),
                Notifications.incident_id: self.ids(INCIDENT_ID, log.incident),
                Notifications.agent_type: coded(_AGENTS, agent),
                Notifications.version_at: timestamps(at),
                Notifications.ingested_from: constant(origin, n),
            }
        )


#: The agent_type the reader gives each kind of entry pagerduty.py writes: the agent's
#: reference type without "_reference", or "timeout" for entries on the timeout channel.
_AGENTS: Final = ("service", "escalation_policy", "timeout", "user")
_AGENT_OF_KIND: Final = {
    "trigger_log_entry": "service",
    "assign_log_entry": "escalation_policy",
    "escalate_log_entry": "timeout",
    "notify_log_entry": "service",
    "acknowledge_log_entry": "user",
    "resolve_log_entry": None,
}
_AGENT_OF_RESOLVER: Final = {HUMAN: "user", TIMEOUT: "timeout", AUTO: "service", 0: None}


def _agent_codes(agents: Iterable[str | None]) -> np.ndarray:
    return np.array([-1 if a is None else _AGENTS.index(a) for a in agents], dtype=np.int64)


def _alert_key(rule_name: str, host: str) -> str:
    """The dedup key an integration sends for a rule and host (as ``pagerduty.alert_keys``)."""
    return hashlib.sha1(f"{rule_name}/{host}".encode()).hexdigest()[:32]


def _first_second_ties(holder: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Positions (in the sorted order) of alerts that share their incident's first second with
    another alert of it: there the alert id decides which opened the incident."""
    start = np.r_[True, holder[1:] != holder[:-1]]
    first_second = second[np.maximum.accumulate(np.where(start, np.arange(len(holder)), 0))]
    at_first = second == first_second
    group = np.cumsum(start)
    count = np.bincount(group, weights=at_first)
    return np.flatnonzero(at_first & (count[group] > 1))
