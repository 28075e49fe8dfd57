"""notebooks/explore.ipynb runs top to bottom as documented: against the sample lake, from the
notebooks/ folder, finding the lake from the project root; and the Python API refuses a missing
lake instead of returning empty tables."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from alertlens import lake_path, open_lake, project_root
from alertlens.flows.steps import NOW_ENV
from alertlens.ingest.lake import Lake, LakeNotFoundError
from tests.conftest import SAMPLE, analysed_sample

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def test_explore_notebook_runs_on_the_sample_lake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake, _, _ = analysed_sample(tmp_path, datetime(2026, 12, 1, tzinfo=UTC))
    monkeypatch.setenv("ALERTLENS_LAKE", str(lake.root))
    monkeypatch.setenv("ALERTLENS_CONFIG", str(SAMPLE / "alertlens.toml"))
    monkeypatch.setenv(NOW_ENV, "2026-12-01T09:00:00Z")
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, kernel_name="python3", timeout=180,
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "week 2026-W47: 6 noisy rules of 9" in printed and "Fix:" in printed


def test_the_lake_resolves_from_the_project_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALERTLENS_LAKE", raising=False)
    notebooks = ROOT / "notebooks"
    assert project_root(notebooks) == ROOT
    assert lake_path(start=notebooks) == ROOT / "data" / "lake"
    monkeypatch.setenv("ALERTLENS_LAKE", "elsewhere/lake")
    assert lake_path(start=notebooks) == ROOT / "elsewhere" / "lake"
    assert lake_path(tmp_path / "x", start=notebooks) == tmp_path / "x"


def test_a_missing_lake_is_an_error_not_an_empty_table(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(LakeNotFoundError, match="no such lake"):
        open_lake(missing)
    with pytest.raises(LakeNotFoundError, match="no such lake"):
        Lake(missing).read("alerts")
    assert not missing.exists()
    assert os.fspath(missing) not in os.listdir(tmp_path)
