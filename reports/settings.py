"""The ``[report]`` table of alertlens.toml."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from alertlens.ingest.settings_table import PositiveInt, one_of, settings_dataclass
from alertlens.reports.pdf import PAPERS


@settings_dataclass
class ReportSettings:
    """The ``[report]`` table. Defaults are documented in docs/config.md."""

    paper: Annotated[str, AfterValidator(one_of(*PAPERS))] = "a4"  # "a4" or "letter"
    pdf: bool = True  # also write report.pdf
    title: str = "Weekly operational review"
    top_rules: PositiveInt = 15  # noisy rules shown in the Pareto chart
    spread_weeks: PositiveInt = 4  # weeks pooled for the response-time box plots
