"""``[generate]`` settings of alertlens.toml: defaults for ``alertlens generate``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from alertlens.ingest.settings_table import settings_from_table
from alertlens.synthetic.scenarios import DEFAULT_END, SCENARIOS


@dataclass(frozen=True)
class GeneratorSettings:
    """Defaults for the generator; every CLI flag overrides its key.

    scenario: the world to simulate (``unlucky-team``); seed: random seed (1); weeks: window
    length (12); end: last day of the window, exclusive (2026-11-23); target_alerts: firings the
    ``large-org`` scenario aims at (1,000,000)."""

    scenario: str = "unlucky-team"
    seed: int = 1
    weeks: float = 12.0
    end: datetime = DEFAULT_END
    target_alerts: int = 1_000_000

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any]) -> GeneratorSettings:
        """Settings from a ``[generate]`` table; raises ValueError on unknown keys or bad values."""
        settings = settings_from_table(cls, d, "generate", convert={"end": parse_end})
        if settings.scenario not in SCENARIOS:
            raise ValueError(
                f"[generate] scenario: {settings.scenario!r} is not one of {', '.join(SCENARIOS)}"
            )
        if settings.weeks <= 0 or settings.target_alerts <= 0:
            raise ValueError("[generate] weeks and target_alerts must be positive")
        return settings


def parse_end(value: object) -> datetime:
    """A window end (UTC midnight) from ``YYYY-MM-DD`` text or a TOML date."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        day = date.fromisoformat(str(value))
    except ValueError as err:
        raise ValueError(f"end: {value!r} is not a YYYY-MM-DD date") from err
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
