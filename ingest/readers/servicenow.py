"""ServiceNow incident table exports: list-view CSV (one row per incident, or an audit/event log
with many rows per incident) and Table API JSON (``{"result": [...]}``). Also the BPI Challenge
2013 (Volvo IT) incident event log, which is the same kind of data: see ``_servicenow_bpi``.

Rows of one incident are folded into one: the newest version (highest ``sys_mod_count``, then
latest ``sys_updated_at``, then later line) wins; the rest count as deduplicated. Reopen and
reassignment counts are the largest seen; ``acknowledged_at`` is the first time the incident
left the ``New`` state (ServiceNow has no acknowledge field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import Field

from alertlens.ingest.dates import AmbiguousDates, DateColumns
from alertlens.ingest.fields import normalised_severity, text_or_none
from alertlens.ingest.readers import _common, _servicenow_bpi
from alertlens.ingest.records import (
    Bad,
    InputError,
    ParsedFile,
    RecordError,
    Row,
)
from alertlens.ingest.schema import Incidents
from alertlens.ingest.settings_table import (
    Delimiter,
    Severity,
    TimeZone,
    settings_dataclass,
    settings_from_table,
)
from alertlens.ingest.shape import FileShape, file_shape, first, has

_EARLIEST = datetime.min.replace(tzinfo=UTC)

NAME = "servicenow"

_NEW_STATES = frozenset({"new", "1"})
_HUMAN_CONTACTS = frozenset(
    {
        "phone",
        "email",
        "self service",
        "self-service",
        "walk-in",
        "chat",
        "ivr",
        "direct opening",
        "virtual agent",
    }
)
_ALERT_CONTACTS = frozenset({"monitoring", "event", "alert", "integration"})


@settings_dataclass
class ServiceNowOptions:
    """``[sources.servicenow]`` settings."""

    # strptime format of the export's dates, e.g. "%d/%m/%Y %H:%M"
    date_format: str | None = None
    # IANA zone of dates without offset; Table API JSON defaults to UTC
    timezone: TimeZone | None = None
    delimiter: Delimiter = ","
    # raw priority / impact text -> canonical severity
    severity_map: dict[str, Severity] = Field(default_factory=dict)


def detect(shape: FileShape) -> str | None:
    """``servicenow.csv``, ``servicenow.json``, ``servicenow.bpi2013`` or None."""
    if shape.format == "csv":
        kind = _common.known_csv_kind(shape.header)
        return kind if kind in ("servicenow.csv", "servicenow.bpi2013") else None
    record = first(shape.sample.get("result")) if isinstance(shape.sample, dict) else None
    if shape.format == "json" and has(record, "sys_id", "number"):
        return "servicenow.json"
    return None


def read(path: Path, options: Mapping[str, Any], kind: str | None = None) -> ParsedFile:
    """Every incident in a ServiceNow export, one row each (newest version wins)."""
    settings = settings_from_table(ServiceNowOptions, options, "sources.servicenow")
    kind = kind or detect(file_shape(path))
    if kind == "servicenow.bpi2013":
        return _servicenow_bpi.read_bpi2013(path, settings.severity_map)
    if kind == "servicenow.json":
        return _read_json(path, settings)
    if kind == "servicenow.csv":
        return _read_csv(path, settings)
    raise InputError(path, "not a ServiceNow incident export (no number/sys_updated_at/opened_at)")


# --- folding event rows into incidents ---------------------------------------------------------


@dataclass
class _Incident:
    """The newest version of one incident seen so far, plus what the older versions add."""

    version: tuple[int, datetime, int]
    locator: str
    record: Mapping[str, Any]
    reopen_count: int = 0
    reassignment_count: int = 0
    left_new_at: datetime | None = None
    versions: int = 1


def _fold(
    parsed: ParsedFile,
    records: list[tuple[str, Any]],
    dates: DateColumns,
    settings: ServiceNowOptions,
    *,
    check_json: bool,
) -> None:
    """Fold (locator, record) pairs into one incident row each, adding rows to ``parsed``."""
    incidents: dict[str, _Incident] = {}
    checked = parsed.checked(records, check_json=check_json)
    for order, (locator, record) in enumerate(checked, start=1):
        parsed.attempt(
            locator,
            record,
            partial(_seen, incidents, locator, record, order, dates),
        )
    parsed.deduplicated += sum(i.versions - 1 for i in incidents.values())
    for number, incident in incidents.items():
        row = parsed.attempt(
            incident.locator,
            incident.record,
            partial(_incident_row, number, incident, dates, settings),
        )
        # an unusable newest version is quarantined; the older versions stay folded into it
        if row is not None:
            parsed.add(Incidents.table, row)


def _seen(
    incidents: dict[str, _Incident],
    locator: str,
    record: Any,
    order: int,
    dates: DateColumns,
) -> None:
    """Fold one event row into its incident."""
    if not isinstance(record, Mapping):
        raise RecordError("record is not an object")
    number = text_or_none(record.get("number"))
    if number is None:
        raise RecordError("no incident number")
    updated = dates.parse("sys_updated_at", record.get("sys_updated_at"))
    mod = _common.int_or_none(record.get("sys_mod_count"))
    version = (-1 if mod is None else mod, updated or _EARLIEST, order)
    state = text_or_none(record.get("incident_state")) or text_or_none(record.get("state")) or ""
    known = incidents.get(number)
    if known is None:
        known = incidents[number] = _Incident(version, locator, record)
    else:
        known.versions += 1
        if version >= known.version:
            known.version, known.locator, known.record = version, locator, record
    known.reopen_count = max(
        known.reopen_count, _common.int_or_none(record.get("reopen_count")) or 0
    )
    known.reassignment_count = max(
        known.reassignment_count, _common.int_or_none(record.get("reassignment_count")) or 0
    )
    left_new = state and state.lower() not in _NEW_STATES and not state.startswith("-")
    if updated is not None and left_new:
        known.left_new_at = min(known.left_new_at or updated, updated)


def _incident_row(
    number: str,
    incident: _Incident,
    dates: DateColumns,
    settings: ServiceNowOptions,
) -> Row:
    r = incident.record
    times: dict[str, datetime | None] = {}
    for column in ("opened_at", "resolved_at", "closed_at", "sys_updated_at"):
        times[column] = dates.parse(column, r.get(column))
    created = times["opened_at"]
    for fallback in ("sys_created_on", "sys_created_at"):
        if created is None:
            created = dates.parse(fallback, r.get(fallback))
    if created is None:
        raise RecordError("no opened_at")
    priority = text_or_none(r.get("priority"))
    raw_severity = priority or text_or_none(r.get("impact"))
    severity = settings.severity_map.get(raw_severity or "") or normalised_severity(raw_severity)
    state = text_or_none(r.get("incident_state")) or text_or_none(r.get("state"))
    resolver = text_or_none(r.get("resolved_by"))
    contact = (text_or_none(r.get("contact_type")) or "").lower()
    ack = incident.left_new_at
    return {
        Incidents.source: NAME,
        Incidents.incident_id: number,
        Incidents.incident_number: number,
        Incidents.title: text_or_none(r.get("short_description")),
        Incidents.service: text_or_none(r.get("cmdb_ci"))
        or text_or_none(r.get("business_service"))
        or text_or_none(r.get("category")),
        Incidents.team: text_or_none(r.get("assignment_group")),
        Incidents.priority: priority,
        Incidents.severity: severity,
        Incidents.urgency: text_or_none(r.get("urgency")),
        Incidents.status: None if state is None or state.startswith("-") else state,
        Incidents.created_at: created,
        Incidents.acknowledged_at: ack if ack is None or ack >= created else created,
        Incidents.resolved_at: times["resolved_at"],
        Incidents.closed_at: times["closed_at"],
        Incidents.resolved_by: "human" if resolver else "unknown",
        Incidents.assignee: text_or_none(r.get("assigned_to")),
        Incidents.reopen_count: incident.reopen_count,
        Incidents.reassignment_count: incident.reassignment_count,
        Incidents.major: _flag(r.get("major_incident_state"))
        if "major_incident_state" in r
        else None,
        Incidents.reported_by: "human"
        if contact in _HUMAN_CONTACTS
        else "alert"
        if contact in _ALERT_CONTACTS
        else None,
        Incidents.postmortem: text_or_none(r.get("problem_id")),
        Incidents.version_at: _common.latest(
            times["sys_updated_at"], times["resolved_at"], times["closed_at"], created
        ),
    }


def _flag(value: Any) -> bool | None:
    text = (text_or_none(value) or "").lower()
    return None if not text else text in ("true", "accepted", "1", "yes")


# --- formats -----------------------------------------------------------------------------------


_TIME_COLUMNS = (
    "opened_at",
    "resolved_at",
    "closed_at",
    "sys_updated_at",
    "sys_created_on",
    "sys_created_at",
)


def _dates(
    path: Path, records: list[tuple[str, Any]], settings: ServiceNowOptions, default_tz: str | None
) -> DateColumns:
    """How this export's time columns read, decided from all their values."""
    try:
        return DateColumns.infer(
            (r for _, r in records if isinstance(r, Mapping)),
            _TIME_COLUMNS,
            timezone=settings.timezone or default_tz,
            date_format=settings.date_format,
        )
    except AmbiguousDates as err:
        raise InputError(path, f"{err} in [sources.servicenow]") from err


def _read_csv(path: Path, settings: ServiceNowOptions) -> ParsedFile:
    header, rows = _common.csv_rows(path, settings.delimiter)
    keys = [_common.header_key(h) for h in header]
    if "number" not in keys:
        raise InputError(path, "ServiceNow CSV has no 'number' column")
    parsed = ParsedFile(source=NAME, kind="servicenow.csv")
    records: list[tuple[str, Any]] = [
        (locator, fields if isinstance(fields, Bad) else dict(zip(keys, fields, strict=True)))
        for locator, fields in _common.full_rows(rows, len(keys))
    ]
    dates = _dates(path, records, settings, None)
    _fold(parsed, records, dates, settings, check_json=False)  # csv_rows checked each field
    parsed.notes.extend(dates.notes())
    return parsed


def _read_json(path: Path, settings: ServiceNowOptions) -> ParsedFile:
    document = _common.load_json(path)
    result = document.get("result") if isinstance(document, dict) else None
    if not isinstance(result, list):
        raise InputError(path, "ServiceNow JSON has no 'result' list")
    parsed = ParsedFile(source=NAME, kind="servicenow.json")
    records: list[tuple[str, Any]] = [
        (
            f"/result/{i}",
            {k: _plain(k, v) for k, v in item.items()}
            if isinstance(item, dict)
            else Bad("record is not an object", item),
        )
        for i, item in enumerate(result)
    ]
    # Table API values (not display values) are UTC "YYYY-MM-DD HH:MM:SS".
    dates = _dates(path, records, settings, "UTC")
    _fold(parsed, records, dates, settings, check_json=True)
    parsed.notes.extend(dates.notes())
    return parsed


def _plain(key: str, value: Any) -> Any:
    """A Table API field as plain text: references and ``sysparm_display_value=all`` objects
    give their display value, except times, whose ``value`` is the UTC one."""
    if isinstance(value, dict):
        if key.endswith(("_at", "_on")) and "value" in value:
            return value["value"]
        return value.get("display_value", value.get("value"))
    return value
