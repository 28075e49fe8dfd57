"""Shared fixtures. Tests that read ../shared/realdata take the ``realdata`` fixture and are marked
``realdata``; they skip cleanly when the folder is absent (a user's machine)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REALDATA = Path(os.environ.get("ALERTLENS_REALDATA", ROOT.parent / "shared" / "realdata"))

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def realdata() -> Path:
    """The shared real-data folder; skips the test when it is not on this machine."""
    if not REALDATA.is_dir():
        pytest.skip(f"real data not present at {REALDATA}")
    return REALDATA


@pytest.fixture
def fixtures() -> Path:
    """tests/fixtures: small real excerpts shipped with the project."""
    return FIXTURES


def needs_programs(*names: str) -> pytest.MarkDecorator:
    """Skip when a program is missing on a user's machine; under CI (``CI`` set) a missing
    program is a broken setup, so the test is not skipped and fails loudly instead."""
    import shutil

    missing = [n for n in names if shutil.which(n) is None]
    if missing and os.environ.get("CI"):
        return pytest.mark.usefixtures()
    return pytest.mark.skipif(
        bool(missing), reason=f"not installed: {', '.join(missing)} (run make setup)"
    )
