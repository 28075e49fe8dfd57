"""Timestamp text per vendor and JSON writing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def pd_time(t: float) -> str:
    """PagerDuty: whole seconds, Z."""
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_seconds(t: float) -> str:
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def go_time(t: float) -> str:
    """Alertmanager webhook: RFC3339Nano at millisecond precision, trailing zeros trimmed."""
    ms = round(t * 1000)
    base = datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{ms % 1000:03d}".rstrip("0")
    return f"{base}.{frac}Z" if frac else f"{base}Z"


def og_time(t: float) -> str:
    """Opsgenie: milliseconds, always three digits."""
    ms = round(t * 1000)
    base = datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{ms % 1000:03d}Z"


def month(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m")


def write_jsonl(path: Path, docs: Iterable[Any], go_style: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for d in docs:
            text = json.dumps(
                d, separators=(",", ":") if go_style else (", ", ": "), ensure_ascii=False
            )
            if go_style:  # Go's encoder escapes <, > and & in strings
                text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            fh.write(text + "\n")
    return path


def write_json(path: Path, doc: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
