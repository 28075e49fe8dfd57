"""Simulate one world and write its vendor exports and ground truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from alertlens.synthetic import alertmanager, pagerduty
from alertlens.synthetic import model as m
from alertlens.synthetic.incidents import Assembly, assembled
from alertlens.synthetic.scenarios import DEFAULT_END, SCENARIOS, world_of
from alertlens.synthetic.simulate import simulated_firings
from alertlens.synthetic.texts import firing_texts
from alertlens.synthetic.truth import expected_numbers, write_config, write_truth

__all__ = ["DEFAULT_END", "SCENARIOS", "Generated", "generate", "simulated_world"]

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class Generated:
    """What ``generate`` wrote and the headline numbers of the world."""

    world: m.World
    files: list[Path]
    expected: dict[str, object]


def simulated_world(
    scenario: str,
    *,
    seed: int,
    weeks: float,
    end: datetime = DEFAULT_END,
    target_alerts: int = 1_000_000,
) -> tuple[m.World, Assembly]:
    """The world of ``scenario`` and its simulated firings and incidents (no IO)."""
    world = world_of(scenario, seed=seed, weeks=weeks, end=end, target_alerts=target_alerts)
    return world, assembled(world, simulated_firings(world))


def alert_ids(world: m.World, assembly: Assembly, am: alertmanager.AlertTexts) -> list[str]:
    """The ingest's alert id of every firing (PagerDuty alert id, or fingerprint@startsAt)."""
    ids = np.array(pagerduty.alert_ids(world, len(assembly.firings)), dtype=object)
    ids[am.firing] = alertmanager.alert_ids(am, assembly)
    return ids.tolist()


def generate(
    scenario: str,
    out: Path,
    *,
    seed: int = 1,
    weeks: float = 12,
    end: datetime = DEFAULT_END,
    target_alerts: int = 1_000_000,
    progress: Progress | None = None,
) -> Generated:
    """Simulate ``scenario`` and write its exports and ground truth under ``out``.

    Args:
        scenario: a key of ``SCENARIOS``.
        out: output folder (created); files inside are overwritten.
        seed: the random seed; the same arguments give byte-identical files.
        weeks: length of the window ending at ``end``.
        end: end of the window (UTC).
        target_alerts: approximate firings for ``large-org``.
        progress: called as ``progress(stage, done, total)``.

    Returns:
        The world, the files written and the expected headline numbers.
    """
    report = progress or (lambda _s, _d, _t: None)
    report("simulating", 0, 1)
    world, assembly = simulated_world(
        scenario, seed=seed, weeks=weeks, end=end, target_alerts=target_alerts
    )
    n = len(assembly.firings)
    report("rendering titles", 0, n)
    texts = firing_texts(world, assembly.firings)
    big = n > 200_000
    files: list[Path] = []
    done = [0]

    def tick(k: int) -> None:
        done[0] += k
        report("writing", done[0], n)

    files += pagerduty.write_pagerduty(
        world, assembly, texts, out, pages_per_file=100 if big else 1, progress=tick
    )
    am = alertmanager.alert_texts(world, assembly, texts)
    files += alertmanager.write_alertmanager(
        world, assembly, am, out, lines_per_file=200_000 if big else 0, progress=tick
    )
    files += write_truth(world, assembly, alert_ids(world, assembly, am), out)
    files += write_config(world, out)
    report("done", n, n)
    return Generated(world=world, files=sorted(files), expected=expected_numbers(world, assembly))
