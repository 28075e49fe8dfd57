"""``alertlens generate``: write a simulated on-call world's vendor exports and ground truth."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from alertlens.synthetic.names import INDEPENDENT_SCENARIOS, OWN_SCENARIOS, SCENARIO_NAMES

if TYPE_CHECKING:
    from alertlens.flows.config import Config


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the command."""
    p = sub.add_parser(
        "generate",
        help="write a simulated on-call world (vendor exports + ground truth)",
        description="Simulate an on-call organisation and write its vendor exports (PagerDuty "
        "REST v2 pages, Alertmanager webhook v4 JSONL, and for the independent family's "
        "scenarios Opsgenie List Alerts pages and logs) with ground_truth.json / "
        "ground_truth_alerts.csv (--out). Two families of worlds: the project's own generator "
        f"({', '.join(OWN_SCENARIOS)}) and an independent one built from a different model "
        f"({', '.join(INDEPENDENT_SCENARIOS)}). For the own family, --lake writes the lake "
        "ingesting the exports would give straight as Parquet (fast enough for 10 million "
        "alerts). The same arguments always give the same records.",
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
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="output directory for the exports")
    target.add_argument(
        "--lake", type=Path, help="write the records into this lake instead (an empty directory)"
    )
    p.add_argument(
        "--since",
        help="with --out: only what a nightly pull on the last days gets, the records created "
        "or changed since this day (YYYY-MM-DD) and no ground truth",
    )
    p.add_argument(
        "--until",
        help="with --lake: only the records created before this day (YYYY-MM-DD); ingesting "
        "the exports of --since the same day then completes the lake",
    )
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
    from alertlens.flows.errors import UsageError
    from alertlens.ingest.metrics_schema import Summary
    from alertlens.synthetic.families import generate_world
    from alertlens.synthetic.lake_writer import LakeNotEmpty, write_lake
    from alertlens.synthetic.names import OWN, family_of
    from alertlens.synthetic.settings import parse_end

    days = {}
    for flag in ("end", "since", "until"):
        value = getattr(args, flag)
        try:
            days[flag] = parse_end(value) if value else None
        except ValueError as err:
            raise ConfigError(f"--{flag}: {err}") from err
    scenario_name = args.scenario or config.generate.scenario
    if (args.lake or args.since) and family_of(scenario_name) != OWN:
        raise UsageError(
            f"--lake and --since need a scenario of the project's own generator; "
            f"{scenario_name} belongs to the independent family (use --out)"
        )
    if args.since and args.lake:
        raise UsageError("--since goes with --out (the exports of the last days); use --until")
    if args.until and args.out:
        raise UsageError("--until goes with --lake; for exports of the last days use --since")
    end = days["end"] or config.generate.end
    settings = config.generate
    seed = settings.seed if args.seed is None else args.seed
    weeks = args.weeks or settings.weeks
    target = args.target_alerts or settings.target_alerts
    scenario = args.scenario or settings.scenario
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

        if args.lake is not None:
            try:
                written = write_lake(
                    scenario,
                    args.lake,
                    seed=seed,
                    weeks=weeks,
                    end=end,
                    target_alerts=target,
                    until=days["until"],
                    progress=report,
                )
            except LakeNotEmpty as err:
                raise UsageError(str(err)) from err
        else:
            result = generate_world(
                scenario,
                args.out,
                seed=seed,
                weeks=weeks,
                end=end,
                target_alerts=target,
                since=days["since"],
                progress=report,
            )
    if args.lake is not None:
        e = written.expected
        rows = ", ".join(f"{table} {count:,}" for table, count in written.rows.items())
        console.print(f"{written.world.scenario}: {e[Summary.alerts]:,} alerts simulated")
        console.print(f"lake {args.lake}: {rows}")
        return 0
    if args.since:
        console.print(f"{len(result.files)} files (changes since {args.since}) in {args.out}")
        return 0
    e = result.expected  # the ground truth names its figures as summary.json does
    console.print(
        f"{result.scenario}: {e[Summary.alerts]:,} alerts, {e[Summary.incidents]:,} "
        f"incidents over {e[Summary.weeks]} weeks; "
        f"{e[Summary.pages_per_week]} pages/week, noise share {e[Summary.noise_share]:.0%}, "
        f"{e['pages_per_week_after_fixes']} pages/week after fixes"
    )
    console.print(f"{len(result.files)} files in {args.out}")
    return 0
