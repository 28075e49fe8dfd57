"""The architecture, checked from the code (docs/architecture.md): one package, layers that
import one way, libraries kept in their layer, no IO in analysis, a CLI whose --help stays light.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Each layer folder and the alertlens layers it may import (besides itself).
LAYERS: dict[str, set[str]] = {
    "ingest": set(),
    "synthetic": {"ingest"},
    "analysis": {"ingest"},
    "reports": {"ingest", "analysis"},
    "flows": {"ingest", "analysis", "reports", "synthetic"},
}
#: Third-party libraries that belong to one layer only.
OWNED_BY = {"prefect": {"flows"}, "prefect_dask": {"flows"}, "distributed": {"flows"},
            "dask": {"flows"}, "matplotlib": {"reports"},
            "sklearn": {"analysis"}, "weasyprint": {"reports"}}


def _modules(layer: str) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((ROOT / layer).rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layers_import_one_way(layer: str) -> None:
    allowed = LAYERS[layer] | {layer}
    wrong = []
    for path, tree in _modules(layer):
        for line, name in _imported(tree):
            top, _, rest = name.partition(".")
            if top in LAYERS:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports bare {name!r}")
            if top == "alertlens" and rest:
                target = rest.split(".")[0]
                if target in LAYERS and target not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
            owners = OWNED_BY.get(top)
            if owners is not None and layer not in owners:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("layer", ["analysis", "reports"])
def test_analysis_and_reports_do_no_io(layer: str) -> None:
    """File and environment access belong to ingest (the lake) and flows; reports/write.py is
    the one writer of report files."""
    banned = {"open", "read_parquet", "to_parquet", "read_csv", "to_csv", "environ"}
    found = []
    for path, tree in _modules(layer):
        if path.name == "write.py" and layer == "reports":
            continue
        for node in ast.walk(tree):
            name = (
                node.attr
                if isinstance(node, ast.Attribute)
                else node.id
                if isinstance(node, ast.Name)
                else None
            )
            if name in banned:
                found.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)} uses {name}")
    assert not found, "\n".join(found)


def test_pyproject_names_every_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    declared = set(config["setuptools"]["packages"])
    found = {"alertlens"} | {
        "alertlens." + ".".join(init.parent.relative_to(ROOT).parts)
        for layer in LAYERS
        for init in (ROOT / layer).rglob("__init__.py")
    }
    assert declared == found
    for layer in LAYERS:
        link = ROOT / "alertlens" / layer
        assert link.is_symlink() and link.resolve() == (ROOT / layer).resolve()


def test_help_loads_no_heavy_library() -> None:
    """``alertlens --help`` imports the command modules only: none may load pandas, pyarrow,
    Prefect or the like at import time (the timing is in benchmarks/README.md)."""
    heavy = ["pandas", "numpy", "pyarrow", "prefect", "sklearn", "scipy", "matplotlib",
             "pydantic", "rich", "httpx", "jinja2", "weasyprint"]
    code = (
        "import sys\nfrom alertlens.flows.cli import parser\nparser()\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_public_api_is_complete_and_importable() -> None:
    """``import alertlens`` exposes exactly ``__all__`` (sorted), every name resolves, and the
    import itself loads nothing heavy (the CLI imports the package first)."""
    import alertlens

    assert alertlens.__all__ == sorted(alertlens.__all__)
    assert set(alertlens.__all__) == set(alertlens._EXPORTS)
    for name in alertlens.__all__:
        assert getattr(alertlens, name) is not None, name
    code = "import sys, alertlens; print(sorted(m for m in sys.modules if m.startswith('pandas')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"
