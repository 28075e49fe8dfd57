"""The scenario names, importable without numpy (the CLI lists them in ``--help``)."""

from __future__ import annotations

from typing import Final

#: Every scenario ``synthetic.scenarios.SCENARIOS`` builds, in the order ``--help`` shows them.
SCENARIO_NAMES: Final = ("unlucky-team", "multi-team", "healthy-team", "half-fixed", "large-org")
