"""The ground truth of a simulated world: what each rule really is, the headline numbers, and
one labelled row per alert firing (keyed by the alert id the ingest computes)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from alertlens.synthetic import model as m
from alertlens.synthetic.incidents import Assembly
from alertlens.synthetic.simulate import HUMAN, OPEN


def _median(values: np.ndarray) -> float | None:
    return None if len(values) == 0 else float(np.median(values))


def expected_numbers(world: m.World, assembly: Assembly) -> dict[str, Any]:
    """Headline numbers of the simulation (the values a perfect analysis would report)."""
    f, inc = assembly.firings, assembly.incidents
    weeks = world.weeks
    noise_by_rule = np.array([r.is_noise for r in world.rules], dtype=bool)
    noise = noise_by_rule[f.rule]
    inc_noise = noise[inc.trigger] if len(inc) else np.zeros(0, dtype=bool)
    acked = inc.ack != OPEN
    done = (inc.resolved != OPEN) & (inc.merged_into < 0)
    sources = {}
    for source in (m.PAGERDUTY, m.ALERTMANAGER):
        mask = np.array([r.source == source for r in world.rules], dtype=bool)[f.rule]
        sources[source] = {
            "alerts": int(mask.sum()),
            "pages": int((assembly.paged & mask).sum()),
            "noise_share": round(float(noise[mask].mean()), 4) if mask.any() else None,
        }
    return {
        "weeks": round(weeks, 4),
        "alerts": len(f),
        "incidents": len(inc),
        "pages": int(assembly.paged.sum()),
        "pages_per_week": round(float(assembly.paged.sum()) / weeks, 4),
        "incidents_per_week": round(len(inc) / weeks, 4),
        "noise_share": round(float(noise.mean()), 4) if len(f) else 0.0,
        "paged_noise_share": round(float(noise[assembly.paged].mean()), 4)
        if assembly.paged.any()
        else 0.0,
        "pages_per_week_after_fixes": round(float((assembly.paged & ~noise).sum()) / weeks, 4),
        "incidents_per_week_after_fixes": round(float((~inc_noise).sum()) / weeks, 4),
        # PagerDuty shows whole seconds, so the truth is measured on whole seconds too
        "mtta_seconds": _median(inc.ack[acked] // 1000 - inc.created[acked] // 1000),
        "mttr_seconds": _median(inc.resolved[done] // 1000 - inc.created[done] // 1000),
        "by_source": sources,
    }


def ground_truth(world: m.World, assembly: Assembly) -> dict[str, Any]:
    """The ``ground_truth.json`` document."""
    return {
        "scenario": world.scenario,
        "seed": world.seed,
        "start": world.start.isoformat().replace("+00:00", "Z"),
        "end": world.end.isoformat().replace("+00:00", "Z"),
        "paging": {
            m.PAGERDUTY: "an incident whose trigger notified a responder (notify_log_entry)",
            m.ALERTMANAGER: "an alert routed to receiver <team>-pager (<team>-slack does not page)",
        },
        "teams": [
            {
                "team": t.slug,
                "name": t.name,
                "id": t.id,
                "source": t.source,
                "time_zone": t.time_zone,
                "escalation_minutes": t.escalation_minutes,
                "responders": [
                    {"id": r.id, "name": r.name, "time_zone": r.time_zone} for r in t.responders
                ],
            }
            for t in world.teams
        ],
        "rules": [
            {
                "rule": r.name,
                "alertname": r.alertname,
                "source": r.source,
                "service": r.service,
                "team": r.team,
                "behaviour": r.behaviour,
                "is_noise": r.is_noise,
                "severity": r.severity,
                "expected_fix": r.expected_fix,
                "active_until": None
                if r.active_until is None
                else r.active_until.isoformat().replace("+00:00", "Z"),
            }
            for r in world.rules
        ],
        "expected": expected_numbers(world, assembly),
    }


def observable(world: m.World, assembly: Assembly) -> np.ndarray:
    """Per firing: whether the exports carry evidence for its label. Noise is a property of a
    rule here and shows in the rule's pattern; a firing of a real rule is not observable as
    real where its source records people (PagerDuty) and shows that nobody acknowledged it and
    it went away without a person: an SRE reading the export sees a page nobody needed to act
    on (the same rule as the independent family's truth, docs/generator.md)."""
    f = assembly.firings
    on_pd = np.array([r.source == m.PAGERDUTY for r in world.rules], dtype=bool)[f.rule]
    real = ~np.array([r.is_noise for r in world.rules], dtype=bool)[f.rule]
    unanswered = (f.ack == OPEN) & (f.resolver != HUMAN)
    return np.asarray(~(real & on_pd & unanswered), dtype=bool)


def write_truth(world: m.World, assembly: Assembly, alert_ids: list[str], out: Path) -> list[Path]:
    """Write ``ground_truth.json`` and ``ground_truth_alerts.csv`` (one row per firing)."""
    out.mkdir(parents=True, exist_ok=True)
    doc = out / "ground_truth.json"
    doc.write_text(
        json.dumps(ground_truth(world, assembly), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    table = out / "ground_truth_alerts.csv"
    f = assembly.firings
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["source", "alert_id", "rule", "behaviour", "is_noise", "paged", "observable"]
        )
        shown = observable(world, assembly).tolist()
        for i, (rule, paged) in enumerate(
            zip(f.rule.tolist(), assembly.paged.tolist(), strict=True)
        ):
            r = world.rules[rule]
            writer.writerow(
                [
                    r.source,
                    alert_ids[i],
                    r.name,
                    r.behaviour,
                    str(r.is_noise).lower(),
                    str(paged).lower(),
                    str(shown[i]).lower(),
                ]
            )
    return [doc, table]


def write_config(world: m.World, out: Path) -> list[Path]:
    """Write the ``alertlens.toml`` a user of this world would have: each responder's time zone
    (as their PagerDuty profile gives it) and which Alertmanager receivers page."""
    lines = [
        "# alertlens.toml for this generated world (regenerated with it).",
        "# Use it with: alertlens --config <this file> nightly --inbox <this folder>",
        "",
        "[responders]",
        'default_timezone = "UTC"',
    ]
    responders = sorted({(r.name, r.time_zone) for t in world.teams for r in t.responders})
    lines += [f"{json.dumps(name)} = {json.dumps(zone)}" for name, zone in responders]
    lines += ["", "[sources.alertmanager]", 'paging_receivers = ["*-pager"]', ""]
    path = out / "alertlens.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return [path]
