"""Plain-JSON conversion of analysis results (numpy scalars, NaN, timestamps)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def jsonable(value: object) -> object:
    """``value`` with numpy scalars made Python numbers, NaN/NaT made None, timestamps ISO text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def jsonable_dict(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` made JSON-able (see ``jsonable``), still a dict."""
    return {str(k): jsonable(v) for k, v in value.items()}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-able dicts."""
    return [{str(k): jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]


def optional_float(value: object) -> float | None:
    """``value`` as a float; None for None, NaN, NaT, NA or anything not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    number = float(value)
    return None if np.isnan(number) else number


def optional_text(value: object) -> str:
    """``value`` as text; "" for None and the missing-value markers."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return str(value)
