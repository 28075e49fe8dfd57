"""notebooks/explore.ipynb runs top to bottom on a small simulated lake (nbclient, python3)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from alertlens.ingest.lake import Lake
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic.world import generate

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def test_explore_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(
        "multi-team",
        tmp_path / "exports",
        seed=5,
        weeks=6,
        end=datetime(2026, 11, 23, tzinfo=UTC),
        target_alerts=2000,
    )
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [tmp_path / "exports" / "pagerduty", tmp_path / "exports" / "alertmanager"])
    monkeypatch.setenv("ALERTLENS_LAKE", str(lake.root))
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.delenv("ALERTLENS_CONFIG", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "noisy rules of" in printed and "Fix:" in printed
