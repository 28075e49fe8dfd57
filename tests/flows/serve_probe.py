"""The flow ``alertlens serve`` is pointed at in tests/flows/test_serve_embedded.py: kept out of
the test module so collecting the tests does not import Prefect."""

from __future__ import annotations

from pathlib import Path

from prefect import flow


@flow(name="serve-probe")
def probe_flow(inbox: str, lake: str, out: str, config_path: str | None = None) -> str:
    """Writes a marker into ``out``: proof that a scheduled run executed with the parameters."""
    marker = Path(out) / "ran.txt"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{inbox}\n{lake}\n")
    return str(marker)
