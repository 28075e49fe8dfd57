"""Noise-analysis evaluation matrix: every scenario of the brief over several seeds, printed as
the markdown table docs/noise.md records. Run: ``.venv/bin/python benchmarks/evaluate_noise.py
[--seeds 1 2 3] [--target-alerts 1000000] [--work DIR]``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from alertlens.analysis.noise.analysis import NoiseThresholds
from alertlens.flows.commands.evaluate import (
    COLUMNS,
    DEFAULT_SCENARIOS,
    POOLED,
    _cell,
    evaluated_world,
    verdict,
    with_pooled_rows,
)


def main(argv: list[str] | None = None) -> int:
    """Print the markdown evaluation table; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", action="append", help="scenario (repeatable; default all)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--weeks", type=float, default=12.0)
    parser.add_argument("--target-alerts", type=int, default=100_000)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args(argv)
    titles = ["scenario", "seed", *(title for _, title in COLUMNS), "targets"]
    print("| " + " | ".join(titles) + " |")
    print("|" + "---|" * len(titles))
    ok = True
    with tempfile.TemporaryDirectory(prefix="alertlens-eval-") as scratch:
        work = args.work or Path(scratch)
        for scenario in args.scenario or DEFAULT_SCENARIOS:
            rows = [
                evaluated_world(
                    work, scenario, seed, args.weeks, args.target_alerts, NoiseThresholds()
                )
                for seed in args.seeds
            ]
            for row in with_pooled_rows(rows):
                ok &= verdict(row) != "MISSED"
                cells = [_cell(key, row[key]) for key, _ in COLUMNS]
                seed = f"**{row['seed']}**" if row["seed"] == POOLED else str(row["seed"])
                line = [row["scenario"], seed, *cells, verdict(row)]
                print("| " + " | ".join(line) + " |", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
