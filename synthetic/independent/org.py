"""Build an organisation: teams, responders, services and rules drawn from a scenario."""

from __future__ import annotations

import numpy as np

from alertlens.synthetic.independent import catalog as c
from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.checks import CHECKS, Check
from alertlens.synthetic.independent.ids import Ids
from alertlens.synthetic.independent.scenarios import Scenario

# Which kinds each source can express: Alertmanager knows no people, so a rule there cannot be
# "acked and forgotten"; an ack-and-forget habit needs a tool with an acknowledge button.
SOURCE_KINDS = {
    m.PAGERDUTY: set(m.KINDS) - {m.STORM_SYMPTOM},
    m.ALERTMANAGER: set(m.KINDS) - {m.ACK_AND_FORGET},
    m.OPSGENIE: set(m.KINDS) - {m.STORM_SYMPTOM},
}
CHANNEL_SETS = [
    [(0.0, "push_notification"), (60.0, "sms"), (300.0, "phone")],
    [(0.0, "sms"), (180.0, "phone")],
    [(0.0, "push_notification"), (120.0, "phone")],
    [(0.0, "phone")],
    [(0.0, "push_notification"), (0.0, "email"), (300.0, "sms")],
]


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def build_org(
    sc: Scenario, rng: np.random.Generator, ids: Ids
) -> tuple[list[m.Team], list[m.Service], dict[str, list[str]]]:
    n_teams = int(rng.integers(sc.teams[0], sc.teams[1] + 1))
    picks = rng.choice(len(c.TEAM_POOL), size=n_teams, replace=False)
    teams: list[m.Team] = []
    services: list[m.Service] = []
    team_sources: dict[str, list[str]] = {}
    used_names: set[str] = set()
    for i in picks:
        slug, name = c.TEAM_POOL[int(i)]
        zone = (
            c.ZONES[int(rng.integers(0, 4))]
            if rng.random() < 0.8
            else c.ZONES[int(rng.integers(0, len(c.ZONES)))]
        )
        responders = []
        for _ in range(int(rng.integers(4, 8))):
            while True:
                first = c.FIRST[int(rng.integers(0, len(c.FIRST)))]
                last = c.LAST[int(rng.integers(0, len(c.LAST)))]
                if f"{first} {last}" not in used_names:
                    break
            used_names.add(f"{first} {last}")
            rz = (
                zone
                if rng.random() > sc.night_owls
                else c.ZONES[int(rng.integers(0, len(c.ZONES)))]
            )
            responders.append(
                m.Responder(
                    id=ids.pd("P"),
                    name=f"{first} {last}",
                    email=f"{first.lower()}.{last.lower()}@example.com",
                    time_zone=rz,
                    high_rules=list(CHANNEL_SETS[int(rng.integers(0, len(CHANNEL_SETS)))]),
                    speed=float(rng.lognormal(0, 0.3)),
                )
            )
        team = m.Team(
            slug=slug,
            name=name,
            id=ids.pd("P"),
            time_zone=zone,
            responders=responders,
            escalation_seconds=float(rng.choice([10, 15, 15, 30, 30]) * 60),
            og_id=ids.uuid(),
            pd_policy_id=ids.pd("P"),
        )
        teams.append(team)
        main = _pick(rng, sc.team_sources)
        srcs = [main]
        if rng.random() < sc.mixed_team_share:
            others = {k: v for k, v in sc.team_sources.items() if k != main}
            if not others:
                others = {s: 1.0 for s in (m.PAGERDUTY, m.ALERTMANAGER) if s != main}
            srcs.append(_pick(rng, others))
        team_sources[slug] = srcs
        n_services = int(rng.integers(sc.services_per_team[0], sc.services_per_team[1] + 1))
        suffixes = rng.choice(len(c.SERVICE_SUFFIXES), size=n_services, replace=False)
        cluster = f"prod-{c.REGIONS[int(rng.integers(0, len(c.REGIONS)))]}"
        for s in suffixes:
            sname = f"{slug.split('-')[0]}-{c.SERVICE_SUFFIXES[int(s)]}"
            hosts = _hosts(rng, sname)
            svc = m.Service(
                name=sname,
                team=team,
                id=ids.pd("P"),
                hosts=hosts,
                cluster=cluster,
                auto_resolve_seconds=float(rng.choice([4, 4, 12, 24]) * 3600)
                if rng.random() < sc.pd_auto_resolve_services
                else None,
                urgency="low"
                if rng.random() < sc.pd_low_urgency_services * 0.3
                else ("severity_based" if rng.random() < sc.pd_low_urgency_services else "high"),
            )
            services.append(svc)
    return teams, services, team_sources


def _hosts(rng: np.random.Generator, sname: str) -> list[str]:
    style = int(rng.integers(0, 3))
    n = int(rng.integers(2, 9))
    if style == 0:
        return [
            f"ip-10-{rng.integers(0, 255)}-{rng.integers(0, 255)}-"
            f"{rng.integers(1, 255)}.ec2.internal"
            for _ in range(n)
        ]
    if style == 1:
        return [f"{sname}-{k:02d}" for k in range(1, n + 1)]
    return [
        f"{sname.split('-')[0]}{k}.{c.REGIONS[int(rng.integers(0, 4))]}.prod"
        for k in range(1, n + 1)
    ]


def build_rules(
    sc: Scenario,
    rng: np.random.Generator,
    services: list[m.Service],
    team_sources: dict[str, list[str]],
) -> list[m.Rule]:
    n_rules = int(rng.integers(sc.rules[0], sc.rules[1] + 1))
    # every service gets at least one actionable rule; the rest are drawn from the mix
    plan: list[tuple[m.Service, str]] = [(s, m.ACTIONABLE) for s in services if rng.random() < 0.6]
    if len(plan) > n_rules:
        plan = plan[:n_rules]
    mix = dict(sc.kind_mix)
    while len(plan) < n_rules:
        kind = _pick(rng, mix)
        svc = services[int(rng.integers(0, len(services)))]
        plan.append((svc, kind))
    rules: list[m.Rule] = []
    taken: set[str] = set()
    for svc, kind in plan:
        srcs = team_sources[svc.team.slug]
        options = [s for s in srcs if kind in SOURCE_KINDS[s]]
        if not options:
            kind = m.ACTIONABLE if kind != m.ACK_AND_FORGET else m.TRANSIENT
            options = [s for s in srcs if kind in SOURCE_KINDS[s]] or srcs
        source = options[int(rng.integers(0, len(options)))]
        checks = [ch for ch in CHECKS if kind in ch.suits] or CHECKS
        for _ in range(20):
            check = checks[int(rng.integers(0, len(checks)))]
            name = f"{svc.name}:{check.alertname}"
            if name not in taken:
                break
        else:
            name = f"{svc.name}:{check.alertname}{len(rules)}"
        taken.add(name)
        rule = _rule(sc, rng, svc, kind, source, check, name)
        rules.append(rule)
    _attach_duplicates(sc, rng, rules)
    return rules


#: Tokens a rule usually watches one value of (one topic, one queue); sometimes several.
CHOSEN_TOKENS = ("topic", "queue", "job", "route", "region", "mount", "domain", "db", "upstream")


def _rule(
    sc: Scenario,
    rng: np.random.Generator,
    svc: m.Service,
    kind: str,
    source: str,
    check: Check,
    name: str,
) -> m.Rule:
    severity = check.severity
    if kind == m.INFORMATIONAL:
        severity = str(rng.choice(["info", "info", "info", "warning", "critical"]))
    elif kind == m.LOW_URGENCY:
        severity = str(rng.choice(["warning", "warning", "info"]))
    elif kind in (m.FLAPPING, m.TRANSIENT, m.ACK_AND_FORGET, m.LONG_STANDING, m.STORM_SYMPTOM):
        severity = str(rng.choice(["critical", "error", "warning"], p=[0.45, 0.3, 0.25]))
    elif kind == m.ACTIONABLE:
        severity = str(rng.choice(["critical", "error", "warning"], p=[0.55, 0.35, 0.1]))
    style = _pick(rng, sc.title_styles)
    if source == m.ALERTMANAGER and rng.random() < sc.am_label_only_share:
        style = "label_only"
    fixed: dict[str, str] = {}
    ctx = {"svc": svc.name}
    for tok in c.token_names(check.summary):
        # a rule watches one topic/queue/job/... in most setups; sometimes several
        if tok in CHOSEN_TOKENS and rng.random() < 0.65:
            fixed[tok] = c.token_value(tok, rng, ctx, svc.hosts)
        if tok == "host" and rng.random() < 0.25:
            fixed[tok] = c.token_value(tok, rng, ctx, svc.hosts)
    if style == "hashed":
        fixed["__hash"] = c.hex_token(rng, 40)
    integration = {
        m.PAGERDUTY: str(rng.choice(["Prometheus", "Datadog", "CloudWatch", "Email", "Nagios"])),
        m.OPSGENIE: str(rng.choice(["Prometheus", "Datadog", "Zabbix", "Pingdom", "API", "Email"])),
        m.ALERTMANAGER: "Prometheus",
    }[source]
    paging = True
    if kind == m.LOW_URGENCY:
        paging = False
    elif severity in ("warning", "info") and kind in (m.ACTIONABLE,) and rng.random() < 0.5:
        paging = False  # a real but non-urgent problem: a ticket/slack channel, worked next day
    rule = m.Rule(
        name=name,
        alertname=check.alertname,
        kind=kind,
        source=source,
        service=svc,
        severity=severity,
        check=check,
        title_style=style,
        fixed_tokens=fixed,
        integration=integration,
        alias_style=str(rng.choice(["rule", "instance", "none"], p=[0.5, 0.3, 0.2])),
        paging=paging,
    )
    few = rng.random() < sc.few_firing_share
    rule.params["few"] = int(rng.integers(1, 6)) if few else 0
    rule.params["for_seconds"] = float(rng.choice([0, 0, 60, 120, 300]))
    return rule


def _attach_duplicates(sc: Scenario, rng: np.random.Generator, rules: list[m.Rule]) -> None:
    """Point each duplicate rule at the rule whose symptom it also watches."""
    candidates = [r for r in rules if r.kind in (m.ACTIONABLE, m.FLAPPING, m.TRANSIENT)]
    for r in rules:
        if r.kind != m.DUPLICATE:
            continue
        same_team = [p for p in candidates if p.team is r.team and p is not r]
        other_team = [p for p in candidates if p.team is not r.team]
        pool = same_team
        if other_team and (not same_team or rng.random() < sc.cross_team_duplicates):
            pool = other_team
        if not pool:
            r.kind = m.TRANSIENT
            continue
        # mostly an actionable primary: two checks on one real symptom
        weights = np.array([4.0 if p.kind == m.ACTIONABLE else 1.0 for p in pool])
        primary = pool[int(rng.choice(len(pool), p=weights / weights.sum()))]
        r.primary = primary
        if r.source == primary.source and rng.random() < sc.cross_source_duplicates:
            alt = [s for s in (m.ALERTMANAGER, m.PAGERDUTY) if s != primary.source]
            r.source = alt[0]
        # a duplicate pages like its primary
        r.severity = primary.severity if rng.random() < 0.7 else r.severity
        r.paging = primary.paging or rng.random() < 0.3
