"""PagerDuty exports other than REST v2: Analytics raw incidents (``POST /analytics/raw/incidents``
responses) and the web UI incidents CSV. ``ingest.readers.pagerduty`` dispatches here through
``detect_exports`` and ``read_exports``; rows carry source ``pagerduty``.

- Analytics timestamps have no offset: the envelope's ``time_zone`` applies (else the
  ``timezone`` option). Keys are cleaned of stray quotes (``"total_interruptions\\""``).
  acknowledged_at = created_at + ``seconds_to_first_ack``. A record resolved before it was
  created is quarantined.
- The CSV's headers are matched case/space-insensitively against ``CSV_COLUMNS`` aliases.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alertlens.ingest.dates import AmbiguousDates, DateColumns
from alertlens.ingest.fields import (
    json_pointer,
    normalised_severity,
    text_or_none,
    time_zone_problem,
)
from alertlens.ingest.readers import _common
from alertlens.ingest.records import Bad, InputError, ParsedFile, RecordError, Row
from alertlens.ingest.schema import Incidents
from alertlens.ingest.settings_table import TimeZone, settings_dataclass, settings_from_table
from alertlens.ingest.shape import FileShape, first, has

SOURCE = "pagerduty"
KIND_ANALYTICS = "pagerduty.analytics"
KIND_CSV = "pagerduty.csv"

#: canonical field -> accepted CSV headers (normalised with ``_common.header_key``).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "incident_id"),
    "incident_number": ("incident_number", "number", "#"),
    "title": ("description", "title", "summary", "incident_title"),
    "service": ("service_name", "service"),
    "team": ("team_name", "team", "teams"),
    "priority": ("priority", "priority_name"),
    "urgency": ("urgency",),
    "status": ("status",),
    "created": ("created_on", "created_at", "created", "opened_at"),
    "acknowledged": ("acknowledged_on", "acknowledged_at", "first_acknowledged_on"),
    "resolved": ("resolved_on", "resolved_at", "resolved"),
    "seconds_to_first_ack": ("seconds_to_first_ack", "time_to_first_ack_seconds"),
    "seconds_to_resolve": ("seconds_to_resolve",),
    "auto_resolved": ("auto_resolved",),
    "escalation_count": ("escalation_count",),
    "reassignment_count": ("reassignment_count",),
    "assignee": ("assigned_to_user_names", "assigned_to", "assignee"),
    "resolver": ("resolved_by_user_name", "resolved_by"),
    "major": ("major",),
}


def detect_exports(shape: FileShape) -> str | None:
    """``pagerduty.analytics`` or ``pagerduty.csv`` when the file is one of those exports."""
    if shape.format == "csv":
        return KIND_CSV if _common.known_csv_kind(shape.header) == KIND_CSV else None
    doc = shape.sample
    record = first(doc.get("data")) if isinstance(doc, dict) else None
    if shape.format == "json" and has(record, "incident_number", "seconds_to_resolve"):
        return KIND_ANALYTICS
    return None


@settings_dataclass
class PagerDutyOptions:
    """``[sources.pagerduty]`` settings, used by the Analytics and web UI CSV exports (REST v2
    pages carry ISO times with an offset and need none)."""

    # IANA zone of times the file gives without an offset
    timezone: TimeZone | None = None
    # strptime format of the CSV export's times, when they are not ISO-8601
    date_format: str | None = None


def read_exports(path: Path, kind: str, options: Mapping[str, Any]) -> ParsedFile:
    """Every incident of an Analytics raw-incidents response or a web UI incidents CSV."""
    settings = settings_from_table(PagerDutyOptions, options, "sources.pagerduty")
    zone, date_format = settings.timezone, settings.date_format
    if kind == KIND_ANALYTICS:
        return _read_analytics(path, zone)
    if kind == KIND_CSV:
        return _read_csv(path, zone, date_format)
    raise InputError(path, f"unknown PagerDuty export kind {kind!r}")


def _read_analytics(path: Path, zone: str | None) -> ParsedFile:
    document = _common.load_json(path)
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise InputError(path, "Analytics response has no 'data' list")
    envelope_zone = document.get("time_zone")
    if envelope_zone is not None and time_zone_problem(envelope_zone):
        raise InputError(path, f"time_zone: {time_zone_problem(envelope_zone)}")
    dates = DateColumns(timezone=text_or_none(envelope_zone) or zone)
    parsed = ParsedFile(source=SOURCE, kind=KIND_ANALYTICS)
    stray = 0

    def build(record: Any) -> Row:
        nonlocal stray
        if not isinstance(record, dict):
            raise RecordError("record is not an object")
        clean = {str(k).strip().strip('"').strip(): v for k, v in record.items()}
        stray += sum(1 for k in record if k != str(k).strip().strip('"').strip())
        return _incident(clean, dates)

    parsed.accept(
        ((json_pointer("data", i), r) for i, r in enumerate(document["data"])),
        build,
        table=Incidents.table,
        key=Incidents.incident_id,
    )
    if stray:
        parsed.notes.append(f"{stray} malformed key(s) with stray quotes were cleaned")
    parsed.notes.extend(dates.notes())
    return parsed


_CSV_TIMES = ("created", "acknowledged", "resolved")


def _read_csv(path: Path, zone: str | None, date_format: str | None) -> ParsedFile:
    header, rows = _common.csv_rows(path)
    keys = [_common.header_key(h) for h in header]
    where = {
        field: next((keys.index(a) for a in aliases if a in keys), None)
        for field, aliases in CSV_COLUMNS.items()
    }
    if where["id"] is None or where["created"] is None:
        raise InputError(path, "PagerDuty incidents CSV needs an id and a created column")
    parsed = ParsedFile(source=SOURCE, kind=KIND_CSV)
    records: list[tuple[str, Any]] = []
    for locator, fields in _common.full_rows(rows, len(keys)):
        if isinstance(fields, Bad):
            records.append((locator, fields))
            continue
        record = {f: (fields[i] if i is not None else None) for f, i in where.items()}
        record["created_at"], record["resolved_at"] = record.pop("created"), record.pop("resolved")
        record["service_name"], record["team_name"] = record.pop("service"), record.pop("team")
        record["priority_name"], record["description"] = record.pop("priority"), record.pop("title")
        record["resolved_by_user_name"] = record.pop("resolver")
        records.append((locator, record))
    try:
        dates = DateColumns.infer(
            (r for _, r in records if isinstance(r, dict)),
            ("created_at", "acknowledged", "resolved_at"),
            timezone=zone,
            date_format=date_format,
        )
    except AmbiguousDates as err:
        raise InputError(path, f"{err} in [sources.pagerduty]") from err
    parsed.accept(
        records,
        lambda r: _incident(r, dates),
        table=Incidents.table,
        key=Incidents.incident_id,
        check_json=False,
    )
    parsed.notes.extend(dates.notes())
    return parsed


def _incident(r: Mapping[str, Any], dates: DateColumns) -> Row:
    """One canonical incident from an Analytics record (or a CSV row mapped to its names)."""
    incident_id = text_or_none(r.get("id"))
    if incident_id is None:
        raise RecordError("incident has no id")

    def at(name: str) -> datetime | None:
        return dates.parse(name, r.get(name))

    created, resolved, updated = at("created_at"), at("resolved_at"), at("updated_at")
    if created is None:
        raise RecordError("incident has no created_at")
    if resolved is not None and resolved < created:
        raise RecordError(
            f"resolved_at {resolved.isoformat()} is before created_at {created.isoformat()}"
        )
    acknowledged = at("acknowledged") if r.get("acknowledged") else None
    ack_seconds = _number(r.get("seconds_to_first_ack"))
    if acknowledged is None and ack_seconds is not None:
        acknowledged = _after(created, ack_seconds, "seconds_to_first_ack")
    if (
        resolved is None
        and _number(r.get("seconds_to_resolve")) is not None
        and r.get("status") == "resolved"
    ):
        resolved = _after(created, _number(r.get("seconds_to_resolve")) or 0, "seconds_to_resolve")
    priority = text_or_none(r.get("priority_name"))
    auto = _flag(r.get("auto_resolved"))
    resolver = text_or_none(r.get("resolved_by_user_name")) or text_or_none(
        r.get("resolved_by_user_id")
    )
    assignees = r.get("assigned_user_names")
    if isinstance(assignees, list):
        assignee = ", ".join(str(a) for a in assignees) or None
    else:
        assignee = text_or_none(r.get("assignee"))
    return {
        Incidents.source: SOURCE,
        Incidents.incident_id: incident_id,
        Incidents.incident_number: text_or_none(r.get("incident_number")),
        Incidents.title: text_or_none(r.get("description")),
        Incidents.service: text_or_none(r.get("service_name")),
        Incidents.team: text_or_none(r.get("team_name")),
        Incidents.priority: priority,
        Incidents.severity: normalised_severity(priority),
        Incidents.urgency: text_or_none(r.get("urgency")),
        Incidents.status: text_or_none(r.get("status")),
        Incidents.created_at: created,
        Incidents.acknowledged_at: acknowledged,
        Incidents.resolved_at: resolved,
        Incidents.resolved_by: "auto" if auto else "human" if resolver else "unknown",
        Incidents.assignee: assignee,
        Incidents.escalation_count: _common.int_or_none(r.get("escalation_count")),
        Incidents.reassignment_count: _common.int_or_none(r.get("reassignment_count")),
        Incidents.major: _flag(r.get("major")),
        Incidents.version_at: _common.latest(updated, resolved, acknowledged, created),
    }


def _after(start: datetime, seconds: float, name: str) -> datetime:
    try:
        return start + timedelta(seconds=seconds)
    except OverflowError as err:
        raise RecordError(f"{name} {seconds:g} is out of range") from err


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = (text_or_none(value) or "").lower()
    return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(text)
