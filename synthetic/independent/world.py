"""Build, simulate and write one world."""

from __future__ import annotations

import shutil
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from alertlens.synthetic.independent import (
    alertmanager,
    opsgenie,
    org,
    pagerduty,
    people,
    simulate,
    truth,
)
from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.ids import Ids
from alertlens.synthetic.independent.scenarios import SCENARIOS


def _end(end: str | float) -> float:
    if isinstance(end, (int, float)):
        return float(end)
    return datetime.fromisoformat(end.replace("Z", "+00:00")).timestamp()


def build(
    scenario: str, seed: int, weeks: float = 12.0, end: str | float = "2026-11-23T00:00:00Z"
) -> m.World:
    """The simulated world (no IO)."""
    sc = SCENARIOS[scenario]
    rng = np.random.default_rng([seed, zlib.crc32(scenario.encode())])
    ids = Ids(np.random.default_rng([seed, zlib.crc32(scenario.encode()), 7]))
    t_end = _end(end)
    t_start = t_end - weeks * 7 * 86400
    teams, services, team_sources = org.build_org(sc, rng, ids)
    rules = org.build_rules(sc, rng, services, team_sources)
    firings, storms = simulate.simulate(sc, rng, rules, t_start, t_end)
    pagerduty.group_alerts(sc.pd_grouping_services, rng, firings, services)
    crowd = people.People(sc, rng, t_end)
    for f in firings:
        if f.extra.get("grouped_into") is not None:
            crowd.classify(f)
            if f.end is not None and f.end < 0:
                f.end = f.start + float(rng.lognormal(np.log(1800), 0.8))
                f.end = None if f.end >= t_end else f.end
            f.resolve = (f.end, "auto", None) if f.end is not None else None
            continue
        crowd.respond(f)
    people.merges(sc, rng, firings)
    world = m.World(
        scenario=scenario,
        seed=seed,
        start=t_start,
        end=t_end,
        weeks=weeks,
        teams=teams,
        services=services,
        rules=rules,
        firings=firings,
        settings=sc,
        storms=storms,
    )
    return world


def generate(
    scenario: str,
    out: str | Path,
    seed: int = 1,
    weeks: float = 12.0,
    end: str | float = "2026-11-23T00:00:00Z",
) -> dict[str, Any]:
    """Write the world's vendor exports and ground truth into ``out``; returns a summary."""
    out = Path(out)
    world = build(scenario, seed, weeks, end)
    wrng = np.random.default_rng([seed, zlib.crc32(scenario.encode()), 11])
    ids = Ids(np.random.default_rng([seed, zlib.crc32(scenario.encode()), 13]))
    for sub in ("pagerduty", "alertmanager", "opsgenie"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    alertmanager.prepare(world, wrng)
    files += pagerduty.write(world, out, ids, wrng)
    files += alertmanager.write(world, out, wrng)
    files += opsgenie.write(world, out, ids, wrng)
    files += truth.write(world, out)
    files.append(truth.write_config(world, out))
    doc = truth.document(world)
    return {"files": [str(p) for p in files], "expected": doc["expected"], "world": world}
