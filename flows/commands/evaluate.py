"""``alertlens evaluate``: run the noise analysis on generated worlds with ground truth and print
how well it recovers the truth (alert and rule precision/recall, noise share, what-if)."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.table import Table

from alertlens.analysis import noise_evaluation as ev
from alertlens.analysis.noise import NoiseThresholds, noise_analysis
from alertlens.flows.commands.common import console
from alertlens.flows.config import Config, ConfigError
from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import Alerts, Incidents, Notifications
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic import SCENARIOS, generate

#: The matrix ``alertlens evaluate`` runs by default: each scenario of the brief.
DEFAULT_SCENARIOS: tuple[str, ...] = (
    "unlucky-team",
    "multi-team",
    "healthy-team",
    "half-fixed",
    "large-org",
)
#: Worlds so small (7-13 rules, a noisy rule firing a handful of times) that one rule flips a
#: per-seed rule score by 0.14-0.5: their targets are judged on the scores pooled over the seeds.
POOLED_SCENARIOS: frozenset[str] = frozenset({"unlucky-team", "healthy-team", "half-fixed"})
POOLED = "pooled"
TRUTH_JSON = "ground_truth.json"
TRUTH_CSV = "ground_truth_alerts.csv"
SECONDS = "analysis_seconds"
ALERTS = "alerts"
COLUMNS: tuple[tuple[str, str], ...] = (
    (ALERTS, "alerts"),
    (ev.ALERT_PRECISION, "alert P"),
    (ev.ALERT_RECALL, "alert R"),
    (ev.ALERT_F1, "alert F1"),
    (ev.RULE_PRECISION, "rule P"),
    (ev.RULE_RECALL, "rule R"),
    (ev.FIX_AGREEMENT, "fix agrees"),
    (ev.NOISE_SHARE_ERROR, "noise share err (pts)"),
    (ev.PAGES_AFTER_ERROR, "pages/wk after err"),
    (ev.INCIDENTS_AFTER_ERROR, "incidents/wk after err"),
    (SECONDS, "analysis s"),
)


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "evaluate",
        help="score the noise analysis against generated worlds with ground truth",
        description="Generate worlds (or reuse --worlds folders holding exports and "
        "ground_truth.json), ingest them into a scratch lake, run the noise analysis with the "
        "[noise] settings and print precision/recall against the ground truth.",
    )
    p.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        help="scenario to generate (repeatable; default: all five)",
    )
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="seeds (default 1 2 3)")
    p.add_argument("--weeks", type=float, default=12.0, help="weeks per world (default 12)")
    p.add_argument(
        "--target-alerts",
        type=int,
        default=100_000,
        help="large-org firings (default 100000; 1000000 for the full-size run)",
    )
    p.add_argument("--work", type=Path, help="keep generated worlds here (default: a temp dir)")
    p.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Evaluate every (scenario, seed) and print the table; exit 1 when a target is missed."""
    try:
        thresholds = NoiseThresholds.from_mapping(config.section("noise"))
    except ValueError as err:
        raise ConfigError(str(err)) from err
    scenarios = args.scenario or list(DEFAULT_SCENARIOS)
    with tempfile.TemporaryDirectory(prefix="alertlens-eval-") as scratch:
        work = args.work or Path(scratch)
        rows = [
            evaluated_world(work, scenario, seed, args.weeks, args.target_alerts, thresholds)
            for scenario in scenarios
            for seed in args.seeds
        ]
    table_rows = with_pooled_rows(rows)
    console.print(results_table(table_rows))
    if args.json:
        args.json.write_text(json.dumps(table_rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(verdict(r) != "MISSED" for r in table_rows) else 1


def evaluated_world(
    work: Path,
    scenario: str,
    seed: int,
    weeks: float,
    target_alerts: int,
    thresholds: NoiseThresholds,
) -> dict[str, Any]:
    """Generate (unless already there), ingest and analyse one world; its scores."""
    folder = work / f"{scenario}-seed{seed}"
    exports, lake_dir = folder / "exports", folder / "lake"
    if not (exports / TRUTH_JSON).is_file():
        generate(scenario, exports, seed=seed, weeks=weeks, target_alerts=target_alerts)
    lake = Lake(lake_dir)
    if not (lake_dir / Alerts.table).exists():
        ingest_paths(lake, [exports])  # the folder walk skips ground truth and alertlens.toml
    alerts = lake.read(Alerts.table)
    notifications = lake.read(Notifications.table)
    incidents = lake.read(Incidents.table)
    truth = json.loads((exports / TRUTH_JSON).read_text(encoding="utf-8"))
    truth_alerts = pd.read_csv(exports / TRUTH_CSV, dtype=str, keep_default_na=False)
    started = time.perf_counter()
    analysis = noise_analysis(alerts, notifications, incidents, thresholds=thresholds)
    seconds = time.perf_counter() - started
    scores = ev.evaluation(analysis, truth_alerts, truth)
    return {"scenario": scenario, "seed": seed, ALERTS: len(alerts), SECONDS: seconds, **scores}


def meets_targets(row: dict[str, Any]) -> bool:
    """The brief's targets: alert F1 >= 0.92, rule P and R >= 0.9, noise share within 5 points,
    projected pages and incidents per week within 20% (on a pooled row: mean absolute errors)."""
    return (
        row[ev.ALERT_F1] >= 0.92
        and row[ev.RULE_PRECISION] >= 0.9
        and row[ev.RULE_RECALL] >= 0.9
        and abs(row[ev.NOISE_SHARE_ERROR]) <= 5
        and abs(row[ev.PAGES_AFTER_ERROR]) <= 0.2
        and abs(row[ev.INCIDENTS_AFTER_ERROR]) <= 0.2
    )


def with_pooled_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with, after each scenario's seeds, a row of its scores pooled over them
    (``noise_evaluation.pooled``; seed ``"pooled"``) when it has more than one seed."""
    out: list[dict[str, Any]] = []
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        mine = [r for r in rows if r["scenario"] == scenario]
        out += mine
        if len(mine) > 1:
            out.append(
                {
                    "scenario": scenario,
                    "seed": POOLED,
                    "seeds": [r["seed"] for r in mine],
                    ALERTS: sum(r[ALERTS] for r in mine),
                    SECONDS: sum(r[SECONDS] for r in mine),
                    **ev.pooled(mine),
                }
            )
    return out


def verdict(row: dict[str, Any]) -> str:
    """ "met", "MISSED", or for one seed of a pooled scenario "met"/"missed (pooled)": those
    worlds are judged on their pooled row, a lower-case miss is shown but does not fail."""
    if meets_targets(row):
        return "met"
    if row["seed"] != POOLED and row["scenario"] in POOLED_SCENARIOS:
        return "missed (pooled)"
    return "MISSED"


def results_table(rows: Sequence[dict[str, Any]]) -> Table:
    """The rich table of the evaluation rows."""
    table = Table(title="noise analysis vs ground truth")
    table.add_column("scenario")
    table.add_column("seed", justify="right")
    for _, title in COLUMNS:
        table.add_column(title, justify="right")
    table.add_column("targets")
    for row in rows:
        cells = [_cell(key, row[key]) for key, _ in COLUMNS]
        table.add_row(row["scenario"], str(row["seed"]), *cells, verdict(row))
    return table


def _cell(key: str, value: Any) -> str:
    if key == ALERTS:
        return f"{int(value):,}"
    if key in (ev.NOISE_SHARE_ERROR, SECONDS):
        return f"{value:+.1f}" if key == ev.NOISE_SHARE_ERROR else f"{value:.1f}"
    if key in (ev.PAGES_AFTER_ERROR, ev.INCIDENTS_AFTER_ERROR):
        return f"{100 * value:+.0f}%"
    return f"{value:.3f}"
