"""Latent conditions -> firings.

Each rule kind has its own generative mechanism:

- actionable: a stream of real faults (non-homogeneous Poisson, heavier in working hours when
  deploys happen) plus the detector's false alarms; how long the condition lasts is decided by
  the people who fix it (people.py).
- duplicate: a second detector on another rule's symptom: it fires on a share of that rule's
  firings, later by a lognormal lag (seconds to minutes), and clears around when it clears.
- informational: a cron schedule (nightly, weekly, business-hourly) in the team's time zone,
  firing on a share of the slots and clearing itself hours later.
- flapping: "bad periods" during which a metric oscillates around the threshold: alternating
  exponential on/off times of a minute or a few.
- transient: short excursions (lognormal, minutes) peaking with traffic.
- ack_and_forget: a known-harmless condition humans habitually acknowledge and close.
- long_standing: a handful of conditions that stay for days, some past the end of the window.
- low_urgency: minor conditions routed to e-mail / chat only.
- storm_symptom: fires when an infrastructure storm (a root-cause fault of another rule)
  degrades its service; it clears when the storm is fixed.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from alertlens.synthetic.independent import catalog as c
from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.scenarios import Scenario

WEEK = 7 * 86400.0
DAY = 86400.0


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(t: float, tz: str) -> datetime:
    return datetime.fromtimestamp(t, zone(tz))


def profile_weight(profile: str, t: float, tz: str) -> float:
    lt = local(t, tz)
    h, wd = lt.hour + lt.minute / 60, lt.weekday()
    if profile == "business":
        return 1.0 if (wd < 5 and 9 <= h < 18) else 0.2
    if profile == "traffic":
        return 0.35 + 0.65 * math.exp(-((h - 15) ** 2) / 30) * (0.8 if wd >= 5 else 1.0)
    if profile == "nightly":
        return 1.0 if 0 <= h < 5 else 0.05
    return 1.0


@lru_cache(maxsize=256)
def mean_weight(profile: str, tz: str) -> float:
    base = datetime(2026, 9, 7).timestamp()
    return float(np.mean([profile_weight(profile, base + h * 3600 + 1800, tz) for h in range(168)]))


def poisson_times(
    rng: np.random.Generator, rate_per_week: float, start: float, end: float, profile: str, tz: str
) -> list[float]:
    """Times of a Poisson process averaging ``rate_per_week``, shaped by a weekly profile in the
    team's zone (thinning)."""
    weeks = (end - start) / WEEK
    mw = mean_weight(profile, tz)
    n = int(rng.poisson(max(rate_per_week, 0.0) * weeks / mw))
    times = np.sort(rng.uniform(start, end, size=n))
    return [float(t) for t in times if rng.random() < profile_weight(profile, float(t), tz)]


class Simulator:
    def __init__(self, sc: Scenario, rng: np.random.Generator, start: float, end: float) -> None:
        self.sc, self.rng, self.start, self.end = sc, rng, start, end

    # ------------------------------------------------------------------ tokens
    def tokens(self, rule: m.Rule, sticky: dict[str, str] | None = None) -> dict[str, str]:
        ctx = {"svc": rule.service.name}
        out: dict[str, str] = {}
        for tok in c.token_names(rule.check.summary):
            if sticky and tok in sticky:
                out[tok] = sticky[tok]
            elif tok in rule.fixed_tokens:
                out[tok] = rule.fixed_tokens[tok]
            else:
                out[tok] = c.token_value(tok, self.rng, ctx, rule.service.hosts)
        if rule.check.instance == "host" and "host" not in out:
            out["host"] = (
                (sticky or {}).get("host")
                or rule.fixed_tokens.get("host")
                or c.token_value("host", self.rng, ctx, rule.service.hosts)
            )
        if rule.check.instance == "pod" and "pod" not in out:
            out["pod"] = (sticky or {}).get("pod") or c.token_value("pod", self.rng, ctx, [])
        return out

    def firing(
        self, rule: m.Rule, start: float, end: float | None, mech: str, needs: bool, **kw: Any
    ) -> m.Firing:
        if end is not None and end >= self.end:
            end = None
        return m.Firing(
            rule=rule,
            start=start,
            end=end,
            mech=mech,
            needs_action=needs,
            tokens=kw.pop("tokens", None) or self.tokens(rule),
            **kw,
        )

    def _starts(self, rule: m.Rule, rate: float, profile: str) -> list[float]:
        hi = rule.active_until or self.end
        few = rule.params.get("few", 0)
        if few:
            return sorted(float(t) for t in self.rng.uniform(self.start, hi - 3600, size=few))
        return poisson_times(self.rng, rate, self.start, hi, profile, rule.team.time_zone)

    # ------------------------------------------------------------------ kinds
    def base_firings(self, rule: m.Rule) -> list[m.Firing]:
        sc, rng = self.sc, self.rng
        k = rule.kind
        noisy = sc.noise_intensity
        out: list[m.Firing] = []
        if k == m.ACTIONABLE:
            rate = float(rng.uniform(*sc.fault_rate))
            fa = float(rng.uniform(*sc.false_alarm))
            for t in self._starts(rule, rate, "business" if rng.random() < 0.6 else "traffic"):
                if rng.random() < fa:
                    dur = float(rng.lognormal(math.log(420), 0.8))
                    out.append(self.firing(rule, t, t + dur, m.FALSE_ALARM, False))
                else:
                    out.append(
                        self.firing(
                            rule,
                            t,
                            None,
                            m.REAL_PROBLEM,
                            True,
                        )
                    )
                    out[-1].end = -1.0  # decided by the people who fix it
        elif k == m.INFORMATIONAL:
            out += self._cron(rule)
        elif k == m.FLAPPING:
            rate = float(rng.uniform(0.6, 3.0)) * noisy
            on_mean = float(rng.uniform(50, 240))
            off_mean = float(rng.uniform(60, 480))
            for t0 in self._starts(rule, rate, "traffic"):
                length = float(rng.lognormal(math.log(2400), 0.8))
                sticky = self.tokens(rule)
                t = t0
                n = 0
                while t < t0 + length and t < self.end and (n == 0 or rng.random() > 0.03):
                    on = 20 + float(rng.exponential(on_mean))
                    out.append(self.firing(rule, t, t + on, m.FLAPPING, False, tokens=dict(sticky)))
                    t = t + on + 30 + float(rng.exponential(off_mean))
                    n += 1
                    if rule.params.get("few") and n >= 2:
                        break
        elif k == m.TRANSIENT:
            rate = float(rng.lognormal(math.log(4), 0.6)) * noisy
            for t in self._starts(rule, rate, "traffic"):
                dur = float(np.clip(rng.lognormal(math.log(170), 0.55), 40, 840))
                out.append(self.firing(rule, t, t + dur, m.TRANSIENT, False))
        elif k == m.ACK_AND_FORGET:
            rate = float(rng.uniform(0.8, 4.0)) * noisy
            for t in self._starts(rule, rate, "business" if rng.random() < 0.5 else "flat"):
                out.append(self.firing(rule, t, -1.0, m.ACK_AND_FORGET, False))
        elif k == m.LONG_STANDING:
            n = rule.params.get("few") or int(rng.integers(1, 5))
            hi = rule.active_until or self.end
            for t in sorted(rng.uniform(self.start, hi - 6 * 3600, size=n)):
                dur = float(rng.lognormal(math.log(3 * DAY), 0.7))
                out.append(self.firing(rule, float(t), float(t) + dur, m.LONG_STANDING, False))
        elif k == m.LOW_URGENCY:
            rate = float(rng.uniform(1.0, 6.0)) * noisy
            for t in self._starts(rule, rate, "traffic"):
                dur = float(rng.lognormal(math.log(2400), 1.1))
                out.append(self.firing(rule, t, t + dur, m.LOW_URGENCY, False))
        elif k == m.STORM_SYMPTOM:
            # its own rare real problems; most firings come from storms (storms())
            for t in self._starts(rule, float(rng.uniform(0.03, 0.25)), "business"):
                out.append(self.firing(rule, t, -1.0, m.REAL_PROBLEM, True))
        # a real problem now and then behind a noisy rule (the disk did fill up)
        if k in (m.TRANSIENT, m.ACK_AND_FORGET, m.LOW_URGENCY, m.LONG_STANDING):
            share = float(rng.uniform(*sc.real_in_noise))
            for f in out:
                if rng.random() < share:
                    f.needs_action = True
                    f.mech = m.REAL_PROBLEM
                    f.end = -1.0
        return out

    def _cron(self, rule: m.Rule) -> list[m.Firing]:
        rng = self.rng
        tz = rule.team.time_zone
        kind = str(rng.choice(["nightly", "nightly", "weekly", "hourly-business", "twice-daily"]))
        p_fire = float(rng.uniform(0.35, 1.0)) if kind != "weekly" else float(rng.uniform(0.7, 1.0))
        hour = int(rng.integers(0, 6)) if kind in ("nightly", "weekly") else 9
        minute = int(rng.integers(0, 60))
        runtime_med = float(rng.lognormal(math.log(900), 0.6))
        clear_med = float(rng.lognormal(math.log(3 * 3600), 0.5))
        weekday = int(rng.integers(0, 7))
        out: list[m.Firing] = []
        day = local(self.start, tz).replace(hour=0, minute=0, second=0, microsecond=0)
        hi = rule.active_until or self.end
        slots: list[float] = []
        while day.timestamp() < hi:
            if kind == "nightly" or (kind == "weekly" and day.weekday() == weekday):
                slots.append(day.replace(hour=hour, minute=minute).timestamp())
            elif kind == "twice-daily":
                slots += [day.replace(hour=h, minute=minute).timestamp() for h in (6, 18)]
            elif kind == "hourly-business" and day.weekday() < 5:
                slots += [day.replace(hour=h, minute=minute).timestamp() for h in range(9, 18, 3)]
            day = (day + timedelta(days=1, hours=3)).replace(hour=0)
        few = rule.params.get("few", 0)
        if few:
            slots = sorted(rng.choice(slots, size=min(few, len(slots)), replace=False).tolist())
            p_fire = 1.0
        for s in slots:
            if not (self.start <= s < hi) or rng.random() > p_fire:
                continue
            t = s + float(rng.lognormal(math.log(runtime_med), 0.35))
            dur = float(rng.lognormal(math.log(clear_med), 0.45))
            out.append(self.firing(rule, t, t + dur, m.INFORMATIONAL, False))
        rule.params["schedule"] = kind
        return out

    # ------------------------------------------------------------------ derived
    def duplicates(self, rule: m.Rule, primary_firings: list[m.Firing]) -> list[m.Firing]:
        rng = self.rng
        q = float(rng.uniform(0.6, 1.0))
        lag_med = float(rng.lognormal(math.log(60), 0.8))  # seconds to minutes
        few = rule.params.get("few", 0)
        chosen = [
            f
            for f in primary_firings
            if rng.random() < q and f.start < (rule.active_until or self.end)
        ]
        if few and len(chosen) > few:
            idx = sorted(rng.choice(len(chosen), size=few, replace=False))
            chosen = [chosen[i] for i in idx]
        out = []
        for p in chosen:
            lag = float(np.clip(rng.lognormal(math.log(lag_med), 0.6), 5, 900))
            sticky = {
                k: v for k, v in p.tokens.items() if k in ("host", "pod", "topic", "queue", "route")
            }
            f = self.firing(
                rule,
                p.start + lag,
                -1.0,
                m.DUPLICATE,
                False,
                primary=p,
                tokens=self.tokens(rule, sticky),
            )
            if f.start < self.end:
                out.append(f)
        return out

    def storms(self, rules: list[m.Rule], firings: list[m.Firing]) -> list[dict[str, Any]]:
        sc, rng = self.sc, self.rng
        if sc.storms_per_week <= 0:
            return []
        symptoms = [r for r in rules if r.kind == m.STORM_SYMPTOM]
        roots = [
            r
            for r in rules
            if r.kind == m.ACTIONABLE
            and r.check.alertname
            in (
                "NodeNotReady",
                "EtcdLeaderChanges",
                "LoadBalancerUnhealthyTargets",
                "DNSLookupFailures",
                "HighErrorRate",
                "UpstreamTimeouts",
                "ErrorBudgetBurn",
            )
        ]
        if not roots:
            roots = [r for r in rules if r.kind == m.ACTIONABLE][:2]
        if not symptoms or not roots:
            return []
        join = {id(r): float(rng.uniform(*sc.storm_join)) for r in symptoms}
        storms = []
        for k, t0 in enumerate(
            poisson_times(rng, sc.storms_per_week, self.start, self.end - 3600, "flat", "UTC")
        ):
            root_rule = roots[int(rng.integers(0, len(roots)))]
            root = self.firing(root_rule, t0, -1.0, m.REAL_PROBLEM, True, storm=k)
            root.extra["work"] = float(rng.lognormal(math.log(2700), 0.6))
            firings.append(root)
            members = []
            for r in symptoms:
                if rng.random() > join[id(r)]:
                    continue
                for _ in range(1 + int(rng.poisson(0.6))):
                    lag = float(np.clip(rng.lognormal(math.log(150), 0.8), 10, 1800))
                    f = self.firing(
                        r, t0 + lag, -1.0, m.STORM_SYMPTOM, False, primary=root, storm=k
                    )
                    if f.start < self.end:
                        members.append(f)
            firings.extend(members)
            storms.append(
                {"storm": k, "start": t0, "root_rule": root_rule.name, "alerts": 1 + len(members)}
            )
        return storms


def simulate(
    sc: Scenario, rng: np.random.Generator, rules: list[m.Rule], start: float, end: float
) -> tuple[list[m.Firing], list[dict[str, Any]]]:
    sim = Simulator(sc, rng, start, end)
    # a few noisy rules were fixed or deleted part-way through the window
    for r in rules:
        if r.is_noise and rng.random() < 0.12:
            r.active_until = start + float(rng.uniform(0.45, 0.85)) * (end - start)
    by_rule: dict[int, list[m.Firing]] = {}
    firings: list[m.Firing] = []
    for r in rules:
        if r.kind == m.DUPLICATE:
            continue
        fs = sim.base_firings(r)
        by_rule[id(r)] = fs
        firings += fs
    storms = sim.storms(rules, firings)
    for r in rules:
        if r.kind == m.DUPLICATE and r.primary is not None:
            prim = [
                f
                for f in by_rule.get(id(r.primary), [])
                if f.mech != m.FALSE_ALARM or rng.random() < 0.5
            ]
            fs = sim.duplicates(r, prim)
            by_rule[id(r)] = fs
            firings += fs
    firings = [f for f in firings if start <= f.start < end]
    firings.sort(key=lambda f: (f.start, f.rule.name))
    return firings, storms
