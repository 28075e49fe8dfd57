"""PagerDuty incidents assembled from firings: grouping, merges, escalation, and who was paged.

Every PagerDuty firing opens its own incident (and pages), except some duplicate firings that
PagerDuty's alert grouping folds into their partner's open incident (no page). A few other
duplicate incidents are merged away into the partner's incident by the responder.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np

from alertlens.synthetic import model as m
from alertlens.synthetic.simulate import HUMAN, NOBODY, OPEN, Firings

P_GROUPED: Final = 0.2
P_MERGED: Final = 0.15
MERGE_DELAY: Final = (90.0, 0.6)


@dataclass(frozen=True)
class Incidents:
    """One row per PagerDuty incident, sorted by creation; times are epoch ms or ``OPEN``."""

    trigger: np.ndarray  # index of the firing that opened it
    created: np.ndarray
    ack: np.ndarray
    acker: np.ndarray
    resolved: np.ndarray
    resolver: np.ndarray
    resolver_user: np.ndarray
    escalated: np.ndarray  # when it escalated to the secondary, or OPEN
    merged_into: np.ndarray  # incident index, or -1
    alerts: np.ndarray  # alerts it holds at the end
    alerts_resolved: np.ndarray

    def __len__(self) -> int:
        return len(self.created)


@dataclass(frozen=True)
class Assembly:
    """Firings (alerts of grouped/merged duplicates end with their incident), the incident of
    each firing (-1 outside PagerDuty), whether each firing paged, and the incidents."""

    firings: Firings
    incident: np.ndarray
    paged: np.ndarray
    incidents: Incidents


def assembled(world: m.World, firings: Firings) -> Assembly:
    """The PagerDuty view of ``firings``: incidents, alert-to-incident links and pages."""
    rng = np.random.default_rng([world.seed, 1])
    end_ms = int(world.end.timestamp() * 1000)
    n = len(firings)
    on_pd = np.array([r.source == m.PAGERDUTY for r in world.rules])[firings.rule]
    partner = firings.partner
    has_partner = on_pd & (partner >= 0)
    p = np.where(has_partner, partner, 0)
    p_end = np.where(firings.end[p] == OPEN, np.iinfo(np.int64).max, firings.end[p])
    partner_open = has_partner & (p_end > firings.start)
    grouped = partner_open & (rng.random(n) < P_GROUPED)
    merge_at = np.maximum(firings.start, firings.ack[p]) + (
        rng.lognormal(np.log(MERGE_DELAY[0]), MERGE_DELAY[1], n) * 1000
    ).astype(np.int64)
    own_end = np.where(firings.end == OPEN, np.iinfo(np.int64).max, firings.end)
    merged = (
        partner_open
        & ~grouped
        & (firings.ack[p] != OPEN)
        & (rng.random(n) < P_MERGED)
        & (merge_at < np.minimum(own_end, p_end))
        & (merge_at < end_ms)
    )
    opens = on_pd & ~grouped
    incident_of_opener = np.cumsum(opens) - 1
    trigger = np.flatnonzero(opens)
    incident = np.where(opens, incident_of_opener, -1)
    moved = grouped | merged
    incident = np.where(moved, incident_of_opener[p], incident)
    # alerts that joined another incident resolve with it
    end = np.where(moved, firings.end[p], firings.end)
    firings = replace(firings, end=end)

    inc_merged = merged[trigger]
    created = firings.start[trigger]
    ack = firings.ack[trigger]
    merge_time = merge_at[trigger]
    ack = np.where(inc_merged & (ack != OPEN) & (ack > merge_time), OPEN, ack)
    resolved = np.where(inc_merged, merge_time, firings.end[trigger])
    resolver = np.where(
        inc_merged, HUMAN, np.where(resolved == OPEN, NOBODY, firings.resolver[trigger])
    )
    merger = firings.acker[partner[trigger]] if len(trigger) else np.zeros(0, dtype=np.int64)
    resolver_user = np.where(inc_merged, merger, firings.resolver_user[trigger])
    escalation_ms = np.array([world.team(r.team).escalation_minutes * 60_000 for r in world.rules])
    escalate_at = created + escalation_ms[firings.rule[trigger]]
    never = np.iinfo(np.int64).max
    escalated = (
        (escalate_at < end_ms)
        & (np.where(ack == OPEN, never, ack) > escalate_at)
        & (np.where(resolved == OPEN, never, resolved) > escalate_at)
    )
    holder = np.where(incident >= 0, incident, len(trigger))
    alerts = np.bincount(holder, minlength=len(trigger) + 1)[:-1]
    done = np.bincount(holder, weights=(firings.end != OPEN), minlength=len(trigger) + 1)[:-1]
    incidents = Incidents(
        trigger=trigger,
        created=created,
        ack=ack,
        acker=np.where(ack == OPEN, -1, firings.acker[trigger]),
        resolved=resolved,
        resolver=resolver,
        resolver_user=resolver_user,
        escalated=np.where(escalated, escalate_at, OPEN),
        merged_into=np.where(inc_merged, incident_of_opener[partner[trigger]], -1),
        alerts=np.where(inc_merged, 0, alerts),
        alerts_resolved=np.where(inc_merged, 0, done.astype(np.int64)),
    )
    pages = np.array([r.pages for r in world.rules])[firings.rule]
    paged = np.where(on_pd, opens, pages)
    return Assembly(firings=firings, incident=incident, paged=paged, incidents=incidents)
