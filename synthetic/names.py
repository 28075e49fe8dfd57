"""The scenario names of both world families, importable without numpy (the CLI lists them in
``--help``)."""

from __future__ import annotations

from typing import Final

#: The project's own generator (``synthetic.scenarios.SCENARIOS``), in the order ``--help`` shows.
OWN_SCENARIOS: Final = ("unlucky-team", "multi-team", "healthy-team", "half-fixed", "large-org")
#: The independent family (``synthetic.independent.scenarios.SCENARIOS``): a different model of
#: an on-call organisation, written separately from the analysis (docs/generator.md).
INDEPENDENT_SCENARIOS: Final = (
    "startup-mixed",
    "enterprise-pd",
    "am-storms",
    "opsgenie-shop",
    "sparse-data",
    "steady-sre",
)
SCENARIO_NAMES: Final = OWN_SCENARIOS + INDEPENDENT_SCENARIOS
OWN: Final = "own"
INDEPENDENT: Final = "independent"
FAMILIES: Final = {OWN: OWN_SCENARIOS, INDEPENDENT: INDEPENDENT_SCENARIOS}


def family_of(scenario: str) -> str:
    """The family that generates ``scenario``."""
    return OWN if scenario in OWN_SCENARIOS else INDEPENDENT
