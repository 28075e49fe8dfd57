"""One entry to both world families: generate a scenario of either and get its files and
headline numbers in one shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alertlens.synthetic.names import OWN, family_of

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class GeneratedWorld:
    """What ``generate_world`` wrote: the scenario, its files and the expected numbers."""

    scenario: str
    family: str
    files: list[Path]
    expected: dict[str, Any]


def generate_world(
    scenario: str,
    out: Path,
    *,
    seed: int,
    weeks: float,
    end: datetime,
    target_alerts: int,
    since: datetime | None = None,
    progress: Progress | None = None,
) -> GeneratedWorld:
    """Write ``scenario``'s vendor exports and ground truth under ``out``, whichever family
    it belongs to (``target_alerts`` sizes the own family's large-org; ``progress`` reports
    the own family's stages; ``since`` keeps only the own family's records of the last days)."""
    family = family_of(scenario)
    if family == OWN:
        from alertlens.synthetic.world import generate

        own = generate(
            scenario,
            out,
            seed=seed,
            weeks=weeks,
            end=end,
            target_alerts=target_alerts,
            since=since,
            progress=progress,
        )
        return GeneratedWorld(scenario, family, own.files, own.expected)
    from alertlens.synthetic.independent.world import generate as generate_independent

    written = generate_independent(scenario, out, seed=seed, weeks=weeks, end=end.timestamp())
    files = [Path(p) for p in written["files"]]
    return GeneratedWorld(scenario, family, files, dict(written["expected"]))
