"""ground_truth.json and ground_truth_alerts.csv, in the format of alertlens' own generator."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from alertlens.synthetic.independent import model as m

PAGING = {
    m.PAGERDUTY: "the alert that opened an incident whose responder was notified by phone, SMS or "
    "push (high urgency); e-mail-only (low-urgency) notifications are not pages; alerts "
    "grouped into or merged into an open incident did not page by themselves (a merged "
    "duplicate paged before the merge and keeps its page)",
    m.ALERTMANAGER: "the firing reached a *-pager receiver as a firing alert (a *-slack receiver "
    "does not page; a firing first seen by the pager as already resolved paged nobody)",
    m.OPSGENIE: "a responder was notified by voice, SMS or mobile push (P1-P3); P4/P5 alerts only "
    "e-mail and are not pages",
}
NOISE = (
    "a firing is noise when nobody needed to act on it: it was not caused by a real problem "
    "that required a human (flapping, transient, informational, ack-and-forget, long-standing "
    "unattended conditions, low-urgency conditions, duplicates of a firing already being "
    "handled, symptoms of an alert storm whose root cause paged separately, and false alarms "
    "of otherwise real rules); a real problem caught by a usually-noisy rule is not noise. "
    "Paging noise = noise AND paged."
)


OBSERVABLE = (
    "a firing's label is scored only when the exports carry evidence for it: a false alarm "
    "of a real rule, or a low-urgency notification, is noise only by what people did (or "
    "did not do) about it, so it is observable where its source records people (PagerDuty "
    "with a log export, Opsgenie) and, for a low-urgency one, nobody acknowledged or worked "
    "it; a transient or long-standing condition is observable where the exports show how "
    "long it lasted (or that nobody acted); a real problem is observable unless the source "
    "records people and shows that nobody acted and it went away without a person"
)
#: Actions that show a person worked on a firing (beyond acknowledging and closing it).
WORK = frozenset({"annotate", "reassign", "escalate", "priority", "snooze"})


def people_recorded(world: m.World, f: m.Firing) -> bool:
    """Whether the firing's source shows what people did: Opsgenie's alert record and logs,
    PagerDuty's log export (not exported for a team whose log mode is "none")."""
    if f.rule.source == m.OPSGENIE:
        return bool(world.settings.og_ack_data)
    if f.rule.source == m.PAGERDUTY:
        return world.pd_log_modes.get(f.rule.team.slug, "full") != "none"
    return False


def untouched(f: m.Firing) -> bool:
    """Nobody acknowledged the firing or worked on it."""
    return f.ack is None and not any(kind in WORK for _, kind, _, _ in f.actions)


def end_visible(world: m.World, f: m.Firing) -> bool:
    """Whether the exports show when the firing's condition cleared: Alertmanager sends the
    resolved notification; PagerDuty shows it on the alert (where the service reports
    resolved_at) or as the incident's resolve through the integration; Opsgenie as a close
    by the integration. An e-mail integration never learns of a recovery."""
    if f.rule.source == m.ALERTMANAGER:
        return True
    by_integration = (
        f.resolve is not None and f.resolve[1] == "auto" and f.rule.integration != "Email"
    )
    if f.rule.source == m.PAGERDUTY:
        on_alert = world.pd_alert_resolved_at.get(f.rule.service.name, False)
        return (on_alert and f.rule.integration != "Email") or by_integration
    return by_integration


def observable(world: m.World, f: m.Firing) -> bool:
    """Whether the exports carry evidence for the firing's label (see ``OBSERVABLE``)."""
    recorded = people_recorded(world, f)
    nobody = recorded and untouched(f)
    if f.is_noise:
        if f.mech == m.FALSE_ALARM:
            return recorded
        if f.mech == m.LOW_URGENCY:
            return nobody
        if f.mech == m.TRANSIENT:
            return end_visible(world, f) or nobody
        if f.mech == m.LONG_STANDING:
            # a timeout that closes the incident hides how long the condition stayed
            return f.resolve is None or end_visible(world, f) or nobody
        return True
    by_person = f.resolve is not None and f.resolve[1] == "human"
    return not (recorded and untouched(f) and not by_person)


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _median(xs: Sequence[float]) -> float | None:
    return None if not xs else float(np.median(np.array(xs)))


def visible(world: m.World) -> list[m.Firing]:
    return [f for f in world.firings if f.visible and f.alert_id]


def expected(world: m.World, observed_only: bool = False) -> dict[str, Any]:
    """The headline numbers; ``observed_only``: with the noise an SRE could not establish
    from the exports counted as not noise (what a perfect analysis of the exports reports)."""
    fs = visible(world)
    weeks = world.weeks
    shown = [f.is_noise and (not observed_only or observable(world, f)) for f in fs]
    noise = np.array(shown, dtype=bool)
    is_noise = dict(zip((id(f) for f in fs), shown, strict=True))
    paged = np.array([f.paged for f in fs], dtype=bool)
    pd = [f for f in fs if f.rule.source == m.PAGERDUTY]
    incidents: dict[str | None, list[m.Firing]] = {}
    for f in pd:
        incidents.setdefault(f.incident_id, []).append(f)  # its own incident (merged ones too)
    inc_real = sum(1 for members in incidents.values() if any(not is_noise[id(a)] for a in members))
    # MTTA / MTTR over PagerDuty incidents (whole seconds); without PagerDuty, Opsgenie alerts
    openers = [f for f in pd if f.extra.get("grouped_into") is None]
    basis = openers if openers else [f for f in fs if f.rule.source == m.OPSGENIE]
    tta = [int(f.ack[0]) - int(f.start) for f in basis if f.ack]
    ttr = [int(f.resolve[0]) - int(f.start) for f in basis if f.resolve and f.merged_into is None]
    by_source = {}
    for s in m.SOURCES:
        mask = np.array([f.rule.source == s for f in fs], dtype=bool)
        by_source[s] = {
            "alerts": int(mask.sum()),
            "pages": int((paged & mask).sum()),
            "noise_share": round(float(noise[mask].mean()), 4) if mask.any() else None,
            "paged_noise_share": round(float(noise[mask & paged].mean()), 4)
            if (mask & paged).any()
            else None,
        }
    return {
        "weeks": round(weeks, 4),
        "alerts": len(fs),
        "incidents": len(incidents),
        "pages": int(paged.sum()),
        "pages_per_week": round(float(paged.sum()) / weeks, 4),
        "pages_per_week_after_fixes": round(float((paged & ~noise).sum()) / weeks, 4),
        "incidents_per_week": round(len(incidents) / weeks, 4),
        "incidents_per_week_after_fixes": round(inc_real / weeks, 4),
        "noise_share": round(float(noise.mean()), 4) if len(fs) else 0.0,
        "paged_noise_share": round(float(noise[paged].mean()), 4) if paged.any() else 0.0,
        "mtta_seconds": _median(tta),
        "mttr_seconds": _median(ttr),
        "mtta_mttr_basis": "pagerduty incidents" if openers else "opsgenie alerts",
        "by_source": by_source,
        "storms": len(world.storms),
    }


def scored_expected(world: m.World) -> dict[str, Any]:
    """``expected`` over what the exports can show: the noise share of the observable firings
    and the what-if with unobservable noise kept (nobody could know to fix it)."""
    fs = visible(world)
    seen = [f for f in fs if observable(world, f)]
    plain = expected(world, observed_only=True)
    share = float(np.mean([f.is_noise for f in seen])) if seen else 0.0
    has_pd = any(f.rule.source == m.PAGERDUTY for f in fs)
    return {
        "alerts": len(seen),
        "unobservable_alerts": len(fs) - len(seen),
        "noise_share": round(share, 4),
        "pages_per_week_after_fixes": plain["pages_per_week_after_fixes"],
        # incidents are PagerDuty's; a world without PagerDuty has none to project
        "incidents_per_week_after_fixes": plain["incidents_per_week_after_fixes"]
        if has_pd
        else None,
    }


def document(world: m.World) -> dict[str, Any]:
    fs = visible(world)
    count: dict[str, int] = {}
    for f in fs:
        count[f.rule.name] = count.get(f.rule.name, 0) + 1
    sc = world.settings
    return {
        "generator": "worlds2",
        "scenario": world.scenario,
        "description": sc.description,
        "seed": world.seed,
        "start": _iso(world.start),
        "end": _iso(world.end),
        "noise_definition": NOISE,
        "observable_definition": OBSERVABLE,
        "paging": PAGING,
        "missing_data": {
            "pagerduty_log_modes": world.pd_log_modes,
            "pagerduty_alert_resolved_at_share": sc.pd_alert_resolved_at,
            "opsgenie_logs_share": sc.og_logs_share,
            "opsgenie_ack_data": sc.og_ack_data,
        },
        "teams": [
            {
                "team": t.slug,
                "name": t.name,
                "id": t.id,
                "time_zone": t.time_zone,
                "escalation_minutes": int(t.escalation_seconds // 60),
                "responders": [
                    {"id": r.id, "name": r.name, "email": r.email, "time_zone": r.time_zone}
                    for r in t.responders
                ],
            }
            for t in world.teams
        ],
        "rules": [
            {
                "rule": r.name,
                "alertname": r.alertname,
                "source": r.source,
                "service": r.service.name,
                "team": r.team.slug,
                "behaviour": r.kind,
                "is_noise": r.is_noise,
                "severity": r.severity,
                "expected_fix": m.EXPECTED_FIX.get(r.kind),
                "active_until": _iso(r.active_until),
                "duplicate_of": r.primary.name if r.primary is not None else None,
                "title_style": r.title_style,
                "schedule": r.params.get("schedule"),
                "alerts": count.get(r.name, 0),
            }
            for r in world.rules
        ],
        "expected": {**expected(world), "scored": scored_expected(world)},
    }


def write(world: m.World, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    doc = out / "ground_truth.json"
    doc.write_text(json.dumps(document(world), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    table = out / "ground_truth_alerts.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["source", "alert_id", "rule", "behaviour", "is_noise", "paged", "observable"])
        for f in sorted(visible(world), key=lambda x: (x.start, x.alert_id or "")):
            w.writerow(
                [
                    f.rule.source,
                    f.alert_id,
                    f.rule.name,
                    f.mech,
                    str(f.is_noise).lower(),
                    str(f.paged).lower(),
                    str(observable(world, f)).lower(),
                ]
            )
    return [doc, table]


def write_config(world: m.World, out: Path) -> Path:
    lines = [
        "# alertlens.toml for this worlds2 world.",
        "",
        "[responders]",
        'default_timezone = "UTC"',
    ]
    people = sorted({(r.name, r.time_zone) for t in world.teams for r in t.responders})
    lines += [f"{json.dumps(n)} = {json.dumps(z)}" for n, z in people]
    lines += ["", "[sources.alertmanager]", 'paging_receivers = ["*-pager"]', ""]
    path = out / "alertlens.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
