"""People: who is on call, how fast they react, what they do, and how the tools notify them.

Processed in time order so that fatigue (pages a responder took in the last 12 hours) and
habituation (how often a team has already been paged by a rule) shape later reactions:
responders learn to ignore a noisy rule, not a real one.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.scenarios import Scenario
from alertlens.synthetic.independent.simulate import local

PAGE_CHANNELS = {"push_notification", "sms", "phone"}
OG_CHANNEL = {"push_notification": "mobile", "sms": "sms", "phone": "voice", "email": "email"}
_MONDAY = datetime(2020, 1, 6).toordinal()

# probability that the on-call reacts to a page of each mechanism (before habituation)
ATTEND = {
    m.REAL_PROBLEM: 0.97,
    m.FALSE_ALARM: 0.85,
    m.ACK_AND_FORGET: 0.93,
    m.INFORMATIONAL: 0.06,
    m.FLAPPING: 0.45,
    m.TRANSIENT: 0.55,
    m.LONG_STANDING: 0.3,
    m.LOW_URGENCY: 0.1,
    m.STORM_SYMPTOM: 0.35,
    m.DUPLICATE: 0.5,
}
HABITUATES = {
    m.INFORMATIONAL,
    m.FLAPPING,
    m.TRANSIENT,
    m.LONG_STANDING,
    m.STORM_SYMPTOM,
    m.FALSE_ALARM,
    m.DUPLICATE,
}


def oncall(team: m.Team, t: float, level: int) -> m.Responder:
    """Weekly rotation handing over on Monday 10:00 in the team's zone."""
    lt = local(t, team.time_zone)
    days = lt.toordinal() - _MONDAY + (lt.hour + lt.minute / 60 - 10) / 24
    week = math.floor(days / 7)
    return team.responders[(week + level) % len(team.responders)]


def next_business_morning(t: float, tz: str, rng: np.random.Generator) -> float:
    lt = local(t, tz)
    if lt.weekday() < 5 and 9 <= lt.hour < 17:
        return t + float(rng.lognormal(math.log(1800), 0.8))
    d = lt
    while True:
        d = d.replace(hour=9, minute=0, second=0, microsecond=0)
        if d.timestamp() > t and d.weekday() < 5:
            break
        d = datetime.fromordinal(d.toordinal() + 1).replace(tzinfo=lt.tzinfo)
    return d.timestamp() + float(rng.lognormal(math.log(2400), 0.7))


class People:
    def __init__(self, sc: Scenario, rng: np.random.Generator, end: float) -> None:
        self.sc, self.rng, self.end = sc, rng, end
        self.recent: dict[str, list[float]] = {}
        self.seen: dict[str, int] = {}

    # ------------------------------------------------------------------ helpers
    def delay(self, who: m.Responder, t: float) -> float:
        h = local(t, who.time_zone).hour
        med = 80.0 if 8 <= h < 20 else (150.0 if 20 <= h < 23 else 380.0)
        pages = [x for x in self.recent.get(who.id, []) if t - 12 * 3600 < x <= t]
        fatigue = min(2.0, 1.0 + 0.08 * len(pages))
        return float(
            np.clip(self.rng.lognormal(math.log(med * who.speed * fatigue), 0.75), 8, 4 * 3600)
        )

    def attend(self, f: m.Firing, who: m.Responder, t: float) -> bool:
        p = ATTEND.get(f.mech, 0.5)
        if f.mech in HABITUATES:
            n = self.seen.get(f.rule.name, 0)
            p *= max(0.2, math.exp(-n / 12))
        pages = [x for x in self.recent.get(who.id, []) if t - 12 * 3600 < x <= t]
        if not f.needs_action and len(pages) > 6:
            p *= 0.7
        return bool(self.rng.random() < p)

    def mode(self, f: m.Firing) -> str:
        """How the tool reaches a person: page, email, none (schedule gap) or route (AM)."""
        r = f.rule
        if r.source == m.ALERTMANAGER:
            return "page" if (r.paging and r.severity in ("critical", "error")) else "chat"
        if r.source == m.OPSGENIE:
            return "page" if f.priority in ("P1", "P2", "P3") else "email"
        if f.urgency == "low":
            return "email"
        if self.rng.random() < self.sc.pd_no_notify:
            f.no_notify_reason = "no one on call (schedule gap)"
            return "none"
        return "page"

    def classify(self, f: m.Firing) -> None:
        r, rng = f.rule, self.rng
        if r.source == m.PAGERDUTY:
            svc = r.service
            low = r.kind == m.LOW_URGENCY or not r.paging
            if svc.urgency == "low" or (
                svc.urgency == "severity_based" and r.severity in ("warning", "info")
            ):
                low = True
            f.urgency = "low" if low else "high"
            if self.sc.pd_priorities and rng.random() < 0.7:
                f.priority = (
                    {
                        "critical": "P1" if rng.random() < 0.3 else "P2",
                        "error": "P2",
                        "warning": "P3",
                        "info": "P4",
                    }[r.severity]
                    if not low
                    else str(rng.choice(["P4", "P5"]))
                )
        elif r.source == m.OPSGENIE:
            if r.kind == m.LOW_URGENCY or not r.paging:
                f.priority = str(rng.choice(["P4", "P5"], p=[0.6, 0.4]))
            else:
                f.priority = {"critical": "P1", "error": "P2", "warning": "P3", "info": "P3"}[
                    r.severity
                ]
                if r.kind == m.INFORMATIONAL and rng.random() < 0.2:
                    f.priority = "P4"

    def notify(
        self, f: m.Firing, who: m.Responder, t0: float, until: float
    ) -> list[tuple[float, m.Responder, str]]:
        out = []
        for d, ch in who.high_rules:
            if t0 + d < until and t0 + d < self.end:
                out.append((t0 + d + float(self.rng.uniform(0, 4)), who, ch))
        return out

    # ------------------------------------------------------------------ one firing
    def respond(self, f: m.Firing) -> None:
        rng, team = self.rng, f.rule.team
        self.classify(f)
        mode = self.mode(f)
        t0 = f.start
        if f.mech == m.DUPLICATE and f.primary is not None:
            p = f.primary
            if p.end is None:
                f.end = None
            else:
                f.end = max(f.start + 30, p.end + float(rng.normal(60, 90)))
        if f.mech == m.STORM_SYMPTOM and f.primary is not None:
            p = f.primary
            f.end = (
                None
                if p.end is None
                else max(f.start + 60, p.end + float(rng.lognormal(math.log(240), 0.8)))
            )
        if f.end is not None and f.end >= self.end:
            f.end = None

        pri, sec = oncall(team, t0, 0), oncall(team, t0, 1)
        ack: tuple[float, m.Responder, str] | None = None
        auto_clear = f.end if (f.end is not None and f.end >= 0) else None
        open_until = auto_clear if auto_clear is not None else math.inf
        escalated_at = None

        if mode == "page":
            d1 = self.delay(pri, t0)
            a1 = self.attend(f, pri, t0)
            cand = []
            if a1:
                cand.append((t0 + d1, pri))
            esc = t0 + team.escalation_seconds
            if not (a1 and t0 + d1 < esc) and esc < open_until and esc < self.end:
                escalated_at = esc
                d2 = self.delay(sec, esc)
                if self.attend(f, sec, esc) or f.needs_action:
                    cand.append((esc + d2, sec))
            if f.needs_action and not cand:
                cand.append((t0 + team.escalation_seconds * 2 + self.delay(sec, t0), sec))
            if cand:
                ta, who = min(cand, key=lambda x: x[0])
                if ta < open_until and ta < self.end:
                    ack = (
                        ta,
                        who,
                        str(rng.choice(["mobile", "mobile", "website", "sms", "phone"])),
                    )
            self.recent.setdefault(pri.id, []).append(t0)
        elif mode in ("email", "chat"):
            if f.needs_action or rng.random() < ATTEND.get(f.mech, 0.1) * 0.5:
                ta = next_business_morning(t0, team.time_zone, rng)
                who = oncall(team, ta, 0)
                if ta < open_until and ta < self.end:
                    ack = (ta, who, "website")
        elif mode == "none" and f.needs_action:
            ta = t0 + float(rng.lognormal(math.log(3600), 0.7))
            who = oncall(team, ta, 0)
            if ta < self.end:
                ack = (ta, who, "website")
        f.ack = ack
        self.seen[f.rule.name] = self.seen.get(f.rule.name, 0) + 1

        # ---------------- what happens after
        resolve: tuple[float, str, m.Responder | None] | None = None
        if f.needs_action:
            work = f.extra.get("work") or float(rng.lognormal(math.log(2400), 1.0))
            if rng.random() < 0.05:
                work *= float(rng.uniform(5, 30))  # a major incident: hours to a day or more
            start_work = ack[0] if ack else t0 + 3600
            fix = start_work + work
            who = ack[1] if ack else pri
            self._work(f, start_work, fix, who, team)
            f.end = fix + float(rng.uniform(20, 240))
            if f.end >= self.end:
                f.end = None
            elif rng.random() < 0.6 or f.rule.integration == "Email":
                resolve = (fix + float(rng.uniform(0, 600)), "human", who)
            else:
                resolve = (f.end, "auto", None)
        elif f.mech == m.ACK_AND_FORGET:
            if ack:
                t = ack[0] + float(rng.uniform(15, 120))
                resolve = (t, "human", ack[1])
                f.end = t + float(rng.uniform(0, 30))
            else:
                f.end = t0 + float(rng.lognormal(math.log(5 * 3600), 0.8))
                resolve = (f.end, "auto", None)
        elif f.mech == m.FALSE_ALARM:
            if ack and rng.random() < 0.65:
                t = ack[0] + float(rng.lognormal(math.log(300), 0.6))
                if f.end is None or t < f.end:
                    resolve = (t, "human", ack[1])
                    if rng.random() < 0.3:
                        f.actions.append(
                            (
                                ack[0] + (t - ack[0]) * 0.6,
                                "annotate",
                                ack[1],
                                {"note": "false alarm, dashboards look fine"},
                            )
                        )
            if resolve is None and f.end is not None:
                resolve = (f.end, "auto", None)
        else:
            if ack and f.mech in (m.TRANSIENT, m.FLAPPING) and rng.random() < 0.3:
                t = ack[0] + float(rng.uniform(10, 90))
                resolve = (t, "human", ack[1])
            elif ack and f.mech == m.STORM_SYMPTOM and f.end is not None and rng.random() < 0.5:
                resolve = (max(ack[0] + 5, f.end - float(rng.uniform(0, 200))), "human", ack[1])
            elif f.end is not None:
                resolve = (f.end, "auto", None)

        # tools that do not learn of recoveries (e-mail integrations) need a person or a timeout
        if (
            resolve
            and resolve[1] == "auto"
            and f.rule.source != m.ALERTMANAGER
            and f.rule.integration == "Email"
        ):
            t = next_business_morning(resolve[0], team.time_zone, rng)
            resolve = (t, "human", oncall(team, t, 0))
        # PagerDuty's incident auto-resolve timeout
        svc = f.rule.service
        if f.rule.source == m.PAGERDUTY and svc.auto_resolve_seconds:
            limit = t0 + svc.auto_resolve_seconds
            if (resolve is None or resolve[0] > limit) and limit < self.end:
                resolve = (limit, "timeout", None)
        if resolve and resolve[0] >= self.end:
            resolve = None
        if ack and resolve and ack[0] >= resolve[0]:
            ack = None
            f.ack = None
        f.resolve = resolve

        # notifications (what the paging tool did)
        if mode == "page":
            stop = min(
                x
                for x in (
                    ack[0] if ack else math.inf,
                    resolve[0] if resolve else math.inf,
                    self.end,
                )
            )
            f.notifies = self.notify(f, pri, t0, stop)
            if escalated_at is not None and escalated_at < stop:
                f.actions.append((escalated_at, "auto_escalate", sec, {"level": 2}))
                f.notifies += self.notify(f, sec, escalated_at, stop)
        elif mode == "email" and f.rule.source in (m.PAGERDUTY, m.OPSGENIE):
            f.notifies = [(t0 + float(rng.uniform(0, 5)), pri, "email")]

    def _work(self, f: m.Firing, start: float, fix: float, who: m.Responder, team: m.Team) -> None:
        rng = self.rng
        span = max(fix - start, 60.0)
        for _ in range(int(rng.poisson(1.3))):
            f.actions.append(
                (
                    start + float(rng.uniform(0.05, 0.95)) * span,
                    "annotate",
                    who,
                    {"note": str(rng.choice(NOTES))},
                )
            )
        if rng.random() < 0.12:
            other = [x for x in team.responders if x is not who]
            f.actions.append(
                (
                    start + float(rng.uniform(0.1, 0.5)) * span,
                    "reassign",
                    other[int(rng.integers(0, len(other)))] if other else who,
                    {"by": who},
                )
            )
        if rng.random() < 0.08:
            f.actions.append(
                (start + float(rng.uniform(0.05, 0.4)) * span, "escalate", who, {"level": 2})
            )
        if self.sc.pd_priorities and rng.random() < 0.15:
            f.actions.append(
                (start + float(rng.uniform(0.02, 0.3)) * span, "priority", who, {"to": "P1"})
            )
        if rng.random() < 0.03:
            f.actions.append(
                (start + float(rng.uniform(0.1, 0.3)) * span, "snooze", who, {"seconds": 3600})
            )
        f.actions = [a for a in f.actions if a[0] < self.end]


NOTES = [
    "rolled back the last deploy",
    "scaling out the consumer group",
    "looking at the dashboards, errors confirmed",
    "failing over to the replica",
    "opened a ticket with the vendor",
    "root cause: connection leak after config change",
    "restarted the stuck workers",
    "customer impact confirmed, status page updated",
    "mitigated, watching for 30 min",
    "disk cleaned up and retention lowered",
]


def merges(sc: Scenario, rng: np.random.Generator, firings: list[m.Firing]) -> None:
    """PagerDuty duplicates: whoever works the primary merges the duplicate's incident into it."""
    for f in firings:
        p = f.primary
        if f.mech != m.DUPLICATE or p is None:
            continue
        if f.rule.source != m.PAGERDUTY or p.rule.source != m.PAGERDUTY or p.ack is None:
            continue
        if f.urgency != "high":
            continue
        prob = sc.merge_prob * (0.6 if f.rule.team is not p.rule.team else 1.0)
        if rng.random() > prob:
            continue
        tm = max(f.start, p.ack[0]) + float(rng.lognormal(math.log(150), 0.7))
        p_done = p.resolve[0] if p.resolve else math.inf
        if tm >= p_done or (f.resolve and tm >= f.resolve[0]):
            continue
        f.merged_into, f.merged_at, f.merged_by = p, tm, p.ack[1]
        f.notifies = [n for n in f.notifies if n[0] < tm]
        f.ack = None
        f.actions = [a for a in f.actions if a[0] < tm]
