"""``[generate]`` settings of alertlens.toml: defaults for ``alertlens generate``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, PlainValidator

from alertlens.ingest.settings_table import Positive, PositiveInt, one_of, settings_dataclass
from alertlens.synthetic.names import SCENARIO_NAMES
from alertlens.synthetic.scenarios import DEFAULT_END


@settings_dataclass
class GeneratorSettings:
    """Defaults for the generator; every CLI flag overrides its key.

    scenario: the world to simulate (``unlucky-team``); seed: random seed (1); weeks: window
    length (12); end: last day of the window, exclusive (2026-11-23); target_alerts: firings the
    ``large-org`` scenario aims at (1,000,000)."""

    scenario: Annotated[str, AfterValidator(one_of(*SCENARIO_NAMES))] = "unlucky-team"
    seed: int = 1
    weeks: Positive = 12.0
    end: Annotated[datetime, PlainValidator(parse_end)] = DEFAULT_END
    target_alerts: PositiveInt = 1_000_000


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
