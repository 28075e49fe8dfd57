"""``alertlens evaluate``: run the noise analysis on generated worlds with ground truth and print
how well it recovers the truth (alert and rule precision/recall, noise share, what-if), per world
and seed, for both world families; optionally the ablation of every clustering step."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.synthetic.names import FAMILIES, SCENARIO_NAMES

if TYPE_CHECKING:
    from alertlens.flows.config import Config

ALL_FAMILIES = "all"
#: Firings of the own family's large-org world in the default run (the full run: 100000).
DEFAULT_TARGET_ALERTS = 20_000


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "evaluate",
        help="score the noise analysis against generated worlds with ground truth",
        description="Generate worlds of both families (kept under --work when given, and "
        "reused from there), ingest them into a scratch lake, run the noise analysis with the "
        "[noise] settings and print, per world and seed, precision/recall against the ground "
        "truth and whether the targets are met (alert F1 >= 0.95, rule precision and recall "
        ">= 0.9, noise share within 3 points, pages and incidents per week after the fixes "
        "within 15%). Exit 1 when a world misses a target.",
    )
    p.add_argument(
        "--family",
        choices=(*FAMILIES, ALL_FAMILIES),
        default=ALL_FAMILIES,
        help="which family of worlds (default: all)",
    )
    p.add_argument(
        "--scenario",
        action="append",
        choices=SCENARIO_NAMES,
        help="scenario to generate (repeatable; default: every scenario of the family)",
    )
    p.add_argument(
        "--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5], help="seeds (default 1-5)"
    )
    p.add_argument("--weeks", type=float, default=12.0, help="weeks per world (default 12)")
    p.add_argument(
        "--target-alerts",
        type=int,
        default=DEFAULT_TARGET_ALERTS,
        help=f"large-org firings (default {DEFAULT_TARGET_ALERTS}; 100000 for the full run)",
    )
    p.add_argument("--work", type=Path, help="keep generated worlds here (default: a temp dir)")
    p.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    p.add_argument("--markdown", type=Path, help="also write the tables as markdown")
    p.add_argument(
        "--ablation",
        action="store_true",
        help="also rerun the analysis with each clustering step turned off",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Evaluate every (scenario, seed) and print the table; exit 1 when a target is missed."""
    from alertlens.analysis.noise.evaluation import verdict, with_pooled_rows
    from alertlens.flows.console import (
        ablation_markdown,
        ablation_table,
        console,
        results_markdown,
        results_table,
    )
    from alertlens.flows.evaluation import ablation, evaluated, world

    thresholds = config.noise
    families = list(FAMILIES) if args.family == ALL_FAMILIES else [args.family]
    scenarios = args.scenario or [s for f in families for s in FAMILIES[f]]
    with tempfile.TemporaryDirectory(prefix="alertlens-eval-") as scratch:
        work = args.work or Path(scratch)
        worlds = [
            world(work, scenario, seed, args.weeks, args.target_alerts)
            for scenario in scenarios
            for seed in args.seeds
        ]
    rows = with_pooled_rows([evaluated(w, thresholds) for w in worlds])
    console.print(results_table(rows))
    ablated = ablation(worlds, thresholds) if args.ablation else []
    if ablated:
        console.print(ablation_table(ablated))
    if args.json:
        payload = {"worlds": rows, "ablation": ablated}
        args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    if args.markdown:
        text = results_markdown(rows) + ("\n" + ablation_markdown(ablated) if ablated else "")
        args.markdown.write_text(text, encoding="utf-8")
    return 0 if all(verdict(r) != "MISSED" for r in rows) else 1
