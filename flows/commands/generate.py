"""``alertlens generate``: write a simulated on-call world's vendor exports and ground truth."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.synthetic.names import SCENARIO_NAMES

if TYPE_CHECKING:
    from alertlens.flows.config import Config


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "generate",
        help="write a simulated on-call world (PagerDuty / Alertmanager exports + ground truth)",
        description="Simulate an on-call organisation and write PagerDuty REST v2 pages, "
        "Alertmanager webhook v4 JSONL and ground_truth.json / ground_truth_alerts.csv. "
        "The same arguments always give byte-identical files.",
    )
    p.add_argument(
        "--scenario", choices=SCENARIO_NAMES, help="world to simulate (default: unlucky-team)"
    )
    p.add_argument("--seed", type=int, help="random seed (default: 1)")
    p.add_argument("--weeks", type=float, help="weeks of history (default: 12)")
    p.add_argument("--end", help="end of the window, YYYY-MM-DD, exclusive (default: 2026-11-23)")
    p.add_argument(
        "--target-alerts", type=int, help="large-org: approximate number of alert firings"
    )
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Generate and print the headline numbers of the world."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from alertlens.flows.config import ConfigError
    from alertlens.flows.console import console
    from alertlens.ingest.metrics_schema import Summary
    from alertlens.synthetic.settings import parse_end
    from alertlens.synthetic.world import generate

    try:
        end = parse_end(args.end) if args.end else config.generate.end
    except ValueError as err:
        raise ConfigError(f"--end: {err}") from err
    settings = config.generate
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("simulating", total=None)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        result = generate(
            args.scenario or settings.scenario,
            args.out,
            seed=settings.seed if args.seed is None else args.seed,
            weeks=args.weeks or settings.weeks,
            end=end,
            target_alerts=args.target_alerts or settings.target_alerts,
            progress=report,
        )
    e = result.expected  # the ground truth names its figures as summary.json does
    console.print(
        f"{result.world.scenario}: {e[Summary.alerts]:,} alerts, {e[Summary.incidents]:,} "
        f"incidents over {e[Summary.weeks]} weeks; "
        f"{e[Summary.pages_per_week]} pages/week, noise share {e[Summary.noise_share]:.0%}, "
        f"{e['pages_per_week_after_fixes']} pages/week after fixes"
    )
    console.print(f"{len(result.files)} files in {args.out}")
    return 0
