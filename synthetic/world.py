"""Simulate one world and write its vendor exports and ground truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import numpy as np

from alertlens.synthetic import alertmanager, pagerduty
from alertlens.synthetic import model as m
from alertlens.synthetic.incidents import Assembly, assembled
from alertlens.synthetic.pagerduty_log import active_incidents
from alertlens.synthetic.scenarios import DEFAULT_END, SCENARIOS, world_of
from alertlens.synthetic.simulate import simulated_firings
from alertlens.synthetic.texts import firing_texts
from alertlens.synthetic.truth import expected_numbers, write_config, write_truth

__all__ = ["DEFAULT_END", "SCENARIOS", "Generated", "generate", "simulated_world"]

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class ExportLayout:
    """How the exports are cut into files: PagerDuty API pages per file (1: ``.json`` files,
    more: ``.jsonl``) and Alertmanager webhook lines per file (0: one file a month)."""

    pages_per_file: int = 1
    lines_per_file: int = 0


BIG_WORLD: Final = 200_000  # firings above which the exports are cut into fewer, larger files


def export_layout(firings: int) -> ExportLayout:
    """The file layout of a world of ``firings``: per-page files for small worlds, 100 pages
    and 200,000 webhook lines per file above ``BIG_WORLD``."""
    if firings > BIG_WORLD:
        return ExportLayout(pages_per_file=100, lines_per_file=200_000)
    return ExportLayout()


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


def firings_since(world: m.World, assembly: Assembly, since_ms: int) -> np.ndarray:
    """Indices of the firings whose texts the exports since ``since_ms`` show: the alerts of the
    incidents a pull returns, the opening alert of every incident with log entries since then,
    and the Alertmanager firings with a notification since then."""
    inc = assembly.incidents
    selected = pagerduty.incident_selection(assembly, since_ms)
    on_pd = assembly.incident >= 0
    in_selected = np.flatnonzero(on_pd & selected[np.maximum(assembly.incident, 0)])
    never = np.iinfo(np.int64).max
    logged = inc.trigger[active_incidents(assembly, since_ms, never)]
    on_am = np.array([r.source == m.ALERTMANAGER for r in world.rules])[assembly.firings.rule]
    am = np.flatnonzero(on_am)
    row, sent, _ = alertmanager.notifications(world, assembly, am)
    notified = am[np.unique(row[sent >= since_ms])]
    return np.unique(np.concatenate([in_selected, logged, notified]))


def generate(
    scenario: str,
    out: Path,
    *,
    seed: int = 1,
    weeks: float = 12,
    end: datetime = DEFAULT_END,
    target_alerts: int = 1_000_000,
    progress: Progress | None = None,
    since: datetime | None = None,
    layout: ExportLayout | None = None,
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
        since: write only what a nightly pull at ``end`` gets for the changes since then (the
            incidents created or changed since, their alerts, the log entries and webhook
            notifications since); no ground truth. With a lake written up to the same instant
            (``write_lake(..., until=since)``), ingesting these gives the whole world's lake.
        layout: the file layout (default: ``export_layout`` of the world's size).

    Returns:
        The world, the files written and the expected headline numbers.
    """
    report = progress or (lambda _s, _d, _t: None)
    report("simulating", 0, 1)
    world, assembly = simulated_world(
        scenario, seed=seed, weeks=weeks, end=end, target_alerts=target_alerts
    )
    n = len(assembly.firings)
    shape = layout or export_layout(n)
    since_ms = None if since is None else int(since.timestamp() * 1000)
    needed = None if since_ms is None else firings_since(world, assembly, since_ms)
    report("rendering titles", 0, n)
    texts = firing_texts(world, assembly.firings, needed)
    files: list[Path] = []
    done = [0]

    def tick(k: int) -> None:
        done[0] += k
        report("writing", done[0], n)

    files += pagerduty.write_pagerduty(
        world,
        assembly,
        texts,
        out,
        pages_per_file=shape.pages_per_file,
        progress=tick,
        since_ms=since_ms,
    )
    am = alertmanager.alert_texts(world, assembly, texts, needed)
    files += alertmanager.write_alertmanager(
        world,
        assembly,
        am,
        out,
        lines_per_file=shape.lines_per_file,
        progress=tick,
        since_ms=since_ms,
    )
    if since_ms is None:
        files += write_truth(world, assembly, alert_ids(world, assembly, am), out)
        files += write_config(world, out)
    report("done", n, n)
    return Generated(world=world, files=sorted(files), expected=expected_numbers(world, assembly))
