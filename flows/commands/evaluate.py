"""``alertlens evaluate``: run the noise analysis on generated worlds with ground truth and print
how well it recovers the truth (alert and rule precision/recall, noise share, what-if)."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.synthetic.names import SCENARIO_NAMES

if TYPE_CHECKING:
    from alertlens.flows.config import Config

#: The matrix ``alertlens evaluate`` runs by default: each scenario of the brief.
DEFAULT_SCENARIOS: tuple[str, ...] = (
    "unlucky-team",
    "multi-team",
    "healthy-team",
    "half-fixed",
    "large-org",
)


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "evaluate",
        help="score the noise analysis against generated worlds with ground truth",
        description="Generate worlds (kept under --work when given, and reused from there), "
        "ingest them into a scratch lake, run the noise analysis with the [noise] settings and "
        "print precision/recall against the ground truth.",
    )
    p.add_argument(
        "--scenario",
        action="append",
        choices=SCENARIO_NAMES,
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
    from alertlens.analysis.noise.evaluation import verdict, with_pooled_rows
    from alertlens.flows.console import console, results_table
    from alertlens.flows.evaluation import evaluated_world

    thresholds = config.noise
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


