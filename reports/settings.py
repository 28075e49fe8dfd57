"""The ``[report]`` table of alertlens.toml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from alertlens.analysis.review import ReviewError
from alertlens.ingest.settings_table import settings_from_table
from alertlens.reports.pdf import PAPERS


@dataclass(frozen=True)
class ReportSettings:
    """The ``[report]`` table. Defaults are documented in docs/config.md."""

    paper: str = "a4"  # "a4" or "letter"
    pdf: bool = True  # also write report.pdf
    title: str = "Weekly operational review"
    top_rules: int = 15  # noisy rules shown in the Pareto chart
    trend_weeks: int = 12  # weeks shown in the response trend lines
    spread_weeks: int = 4  # weeks pooled for the response-time box plots

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ReviewError(f"[report] paper must be one of {PAPERS}, got {self.paper!r}")
        for name in ("top_rules", "trend_weeks", "spread_weeks"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ReviewError(f"[report] {name} must be a positive integer")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ReportSettings:
        """Settings from the ``[report]`` table; unknown keys are refused by name."""
        try:
            return settings_from_table(cls, data, "report")
        except ValueError as err:
            raise ReviewError(str(err)) from err
