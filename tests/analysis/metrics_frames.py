"""Builders of small canonical frames for the metrics tests (lake dtypes, every schema column)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from alertlens.ingest.lake import lake_frame
from alertlens.ingest.schema import ALERTS_SCHEMA, INCIDENTS_SCHEMA, NOTIFICATIONS_SCHEMA

_DEFAULTS: dict[pa.Schema, dict[str, Any]] = {
    INCIDENTS_SCHEMA: {"source": "pagerduty", "severity": "unknown", "resolved_by": "unknown"},
    ALERTS_SCHEMA: {"source": "alertmanager", "severity": "unknown", "resolved_by": "unknown",
                    "rule_key": "rule"},
    NOTIFICATIONS_SCHEMA: {"source": "pagerduty", "kind": "notify"},
}


def ts(text: str | None) -> datetime | None:
    """An aware UTC datetime from ISO text with an offset (None stays None)."""
    return None if text is None else pd.Timestamp(text).tz_convert("UTC").to_pydatetime()


def frame(schema: pa.Schema, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A frame with exactly ``schema``'s columns and the lake's pandas dtypes."""
    filled = []
    for i, row in enumerate(rows):
        full = {**_DEFAULTS[schema], **row}
        for name in schema.names:
            if schema.field(name).type == pa.timestamp("us", tz="UTC") and isinstance(
                full.get(name), str
            ):
                full[name] = ts(full[name])
        full.setdefault("incident_id" if schema is INCIDENTS_SCHEMA else
                        "alert_id" if schema is ALERTS_SCHEMA else "event_id", f"id{i}")
        filled.append(full)
    table = pa.Table.from_pylist(filled, schema=schema)
    return lake_frame(table)


def incidents(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical incidents frame."""
    return frame(INCIDENTS_SCHEMA, rows)


def alerts(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical alerts frame."""
    return frame(ALERTS_SCHEMA, rows)


def notifications(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical notifications frame."""
    return frame(NOTIFICATIONS_SCHEMA, rows)
