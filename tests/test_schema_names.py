"""Column and key names come from the schema modules: analysis/ (the noise analysis aside, which
another change reworks) and flows/ never index a frame or build a record with a bare string that
spells a declared column or summary key."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from alertlens.ingest import metrics_schema, schema

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = ("analysis/noise/",)


def declared_names() -> set[str]:
    """Every column and key name the schema modules declare."""
    names = set()
    for module in (schema, metrics_schema):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or cls.__name__.endswith("Json"):
                continue
            names |= {v for k, v in vars(cls).items()
                      if not k.startswith("_") and k not in ("file", "table")
                      and isinstance(v, str)}
    return names


def _keys(node: ast.AST) -> Iterator[ast.Constant]:
    """String constants used as a subscript (``frame["x"]``, ``frame[["x", "y"]]``) or as a
    dict literal's key (``{"x": ...}``)."""
    if isinstance(node, ast.Subscript):
        index = node.slice
        items = index.elts if isinstance(index, ast.List | ast.Tuple) else [index]
        yield from (i for i in items if isinstance(i, ast.Constant))
    elif isinstance(node, ast.Dict):
        yield from (k for k in node.keys if isinstance(k, ast.Constant))


@pytest.mark.parametrize("layer", ["analysis", "flows"])
def test_no_bare_column_or_key_names(layer: str) -> None:
    names = declared_names()
    found = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(SKIPPED):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for key in _keys(node):
                if isinstance(key.value, str) and key.value in names:
                    found.append(f"{relative}:{key.lineno} uses {key.value!r}")
    assert not found, "\n".join(found)
