"""PagerDuty REST v2: ``GET /incidents``, ``GET /incidents/{id}/alerts`` and ``GET /log_entries``.

Each file holds one envelope (``{"incidents": [...], "limit", "offset", "more"}``), a JSON list of
envelopes, or JSON Lines with one envelope per line. The three kinds may arrive in any order
and grouping; fields that need more than one of them (acknowledged_at from the first acknowledge
log entry, resolved_by from the resolving agent, paged from notify entries) are derived after
every ingest by :mod:`ingest.readers.pagerduty_lifecycle`, so the result does not depend on order.

Analytics raw incidents and the web UI CSV are read by :mod:`ingest.readers.pagerduty_exports`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alertlens.ingest.fields import (
    json_pointer,
    labels_json,
    normalised_severity,
    text_or_none,
    utc_timestamp,
)
from alertlens.ingest.jsonfiles import json_documents, locator
from alertlens.ingest.records import (
    Bad,
    InputError,
    ParsedFile,
    RecordError,
    Row,
    collapse_duplicates,
)
from alertlens.ingest.schema import Alerts, Common, Incidents, Notifications
from alertlens.ingest.settings_table import settings_from_table
from alertlens.ingest.shape import FileShape, file_shape, first
from alertlens.ingest.templates import title_templates

NAME = "pagerduty"

KIND_INCIDENTS = "pagerduty.incidents"
KIND_ALERTS = "pagerduty.alerts"
KIND_LOG_ENTRIES = "pagerduty.log_entries"
_ENVELOPE_KEY = {
    KIND_INCIDENTS: "incidents",
    KIND_ALERTS: "alerts",
    KIND_LOG_ENTRIES: "log_entries",
}

#: PagerDuty log entry type -> canonical notification kind.
LOG_ENTRY_KINDS: dict[str, str] = {
    "trigger_log_entry": "trigger",
    "notify_log_entry": "notify",
    "acknowledge_log_entry": "acknowledge",
    "unacknowledge_log_entry": "unacknowledge",
    "escalate_log_entry": "escalate",
    "repeat_escalation_path_log_entry": "escalate",
    "assign_log_entry": "assign",
    "delegate_log_entry": "reassign",
    "resolve_log_entry": "resolve",
    "annotate_log_entry": "annotate",
    "snooze_log_entry": "snooze",
    "urgency_change_log_entry": "priority",
    "priority_change_log_entry": "priority",
    "link_log_entry": "merge",
}

_PRIORITY_SEVERITY = {"p1": "critical", "p2": "high", "p3": "warning", "p4": "info", "p5": "info"}


def detect(shape: FileShape) -> str | None:
    """The REST v2 kind (or an export kind) when the file holds PagerDuty envelopes: a page,
    a list of pages or one page a line."""
    exports = _exports()
    if exports is not None:
        kind = exports.detect_exports(shape)
        if kind is not None:
            return kind
    if not shape.is_json:
        return None
    page = first(shape.sample) if isinstance(shape.sample, list) else shape.sample
    if not isinstance(page, dict):
        return None
    paged = any(k in page for k in ("limit", "offset", "more", "total"))
    for kind, key in _ENVELOPE_KEY.items():
        records = page.get(key)
        if not isinstance(records, list) or (key == "alerts" and "groupKey" in page):
            continue  # an Alertmanager webhook also has "alerts"
        record = first(records)
        if record is None:
            if paged and len(page.keys() & {"incidents", "alerts", "log_entries"}) == 1:
                return kind
            continue
        kind_of_record = _record_kind(record)
        if kind_of_record == kind:
            return kind
    return None


def _record_kind(record: Any) -> str | None:
    """Which REST v2 list a record belongs to, from its own ``type``/keys."""
    if not isinstance(record, dict):
        return None
    kind = record.get("type")
    if kind in ("incident", "incident_reference") or "incident_number" in record:
        return KIND_INCIDENTS
    if isinstance(kind, str) and kind.endswith("_log_entry"):
        return KIND_LOG_ENTRIES
    if kind == "alert" or "alert_key" in record:
        return KIND_ALERTS
    return None


def read(path: Path, options: Mapping[str, Any], kind: str | None = None) -> ParsedFile:
    """Every incident, alert or log entry in a REST v2 export file."""
    from alertlens.ingest.readers.pagerduty_exports import PagerDutyOptions

    settings_from_table(PagerDutyOptions, options, "sources.pagerduty")
    kind = kind or detect(file_shape(path))
    if kind is None:
        raise InputError(path, "not a PagerDuty REST v2 incidents, alerts or log_entries export")
    if kind not in _ENVELOPE_KEY:
        exports = _exports()
        if exports is None:
            raise InputError(path, f"{kind} exports are not supported in this build")
        return exports.read_exports(path, kind, options)
    parsed = ParsedFile(source=NAME, kind=kind)
    envelope_key = _ENVELOPE_KEY[kind]
    to_row = _ROW_BUILDERS[kind]
    table = {KIND_INCIDENTS: Incidents.table, KIND_ALERTS: Alerts.table}.get(
        kind, Notifications.table
    )
    parsed.accept(
        _records(path, envelope_key), lambda record: to_row(record, options), table=table
    )
    rows = parsed.rows.get(table, [])
    if kind == KIND_ALERTS:
        _set_rule_keys(rows)
    key = {Incidents.table: Incidents.key, Alerts.table: Alerts.key}.get(table, Notifications.key)
    parsed.rows[table], folded = collapse_duplicates(rows, key, Common.version_at)
    parsed.deduplicated += folded
    return parsed


def _records(path: Path, envelope_key: str) -> Iterator[tuple[str, Any]]:
    """(locator, record) for every record of every page of the file."""
    for prefix, doc in json_documents(path):
        if isinstance(doc, Bad):
            yield prefix, doc
            continue
        pages = doc if isinstance(doc, list) else [doc]
        for page_no, page in enumerate(pages):
            base = (page_no,) if isinstance(doc, list) else ()
            records = page.get(envelope_key) if isinstance(page, dict) else None
            if not isinstance(records, list):
                where = locator(prefix, json_pointer(*base)) or "/"
                yield where, Bad(f"page has no {envelope_key!r} list", page)
                continue
            for i, record in enumerate(records):
                yield locator(prefix, json_pointer(*base, envelope_key, i)), record


def _exports() -> Any:
    try:
        from alertlens.ingest.readers import pagerduty_exports
    except ImportError:
        return None
    return pagerduty_exports


def _required(record: Mapping[str, Any], name: str) -> Any:
    if not isinstance(record, Mapping):
        raise RecordError("record is not a JSON object")
    value = record.get(name)
    if value is None or value == "":
        raise RecordError(f"missing {name!r}")
    return value


def _summary(ref: Any) -> str | None:
    return text_or_none(ref.get("summary") or ref.get("name")) if isinstance(ref, Mapping) else None


def _ts(record: Mapping[str, Any], name: str) -> datetime | None:
    return utc_timestamp(record.get(name))


def _required_time(record: Mapping[str, Any], name: str) -> datetime:
    """The record's ``name`` time; RecordError when missing or a "never" sentinel."""
    moment = utc_timestamp(_required(record, name))
    if moment is None:
        raise RecordError(f"{name!r} is not a time ({record.get(name)!r})")
    return moment


def _not_before(created: datetime, resolved: datetime | None) -> None:
    """RecordError when a record was resolved before it was created."""
    if resolved is not None and resolved < created:
        raise RecordError(
            f"resolved_at {resolved.isoformat()} is before created_at {created.isoformat()}"
        )


def incident_row(record: Mapping[str, Any], options: Mapping[str, Any]) -> Row:
    """The canonical incident row of a REST v2 incident object."""
    incident_id = str(_required(record, "id"))
    created = _required_time(record, "created_at")
    status = text_or_none(record.get("status"))
    resolved = _ts(record, "resolved_at")
    if resolved is None and status == "resolved":
        resolved = _ts(record, "last_status_change_at")
    _not_before(created, resolved)
    acks = [
        at
        for a in record.get("acknowledgements") or []
        if isinstance(a, Mapping) and (at := utc_timestamp(a.get("at"))) is not None
    ]
    teams = record.get("teams") or []
    priority = _summary(record.get("priority"))
    reason = record.get("resolve_reason") or {}
    merged_into = None
    if isinstance(reason, Mapping) and reason.get("type") == "merge_resolve_reason":
        merged_into = str((reason.get("incident") or {}).get("id") or "unknown")
    changed_by = record.get("last_status_change_by") or {}
    resolved_by = "unknown"
    if status == "resolved" and isinstance(changed_by, Mapping):
        resolved_by = _agent_resolution(changed_by.get("type"), None)
    counts = record.get("alert_counts") or {}
    assignments = record.get("assignments") or []
    trigger_summary = _summary(record.get("first_trigger_log_entry")) or ""
    version = max(
        t
        for t in (
            _ts(record, "updated_at"),
            _ts(record, "last_status_change_at"),
            resolved,
            created,
        )
        if t
    )
    return {
        Incidents.source: NAME,
        Incidents.incident_id: incident_id,
        Incidents.incident_number: text_or_none(record.get("incident_number")),
        Incidents.title: text_or_none(record.get("title") or record.get("summary")),
        Incidents.service: _summary(record.get("service")),
        Incidents.team: _summary(teams[0]) if teams else None,
        Incidents.priority: priority,
        Incidents.severity: _PRIORITY_SEVERITY.get((priority or "").lower(), "unknown"),
        Incidents.urgency: text_or_none(record.get("urgency")),
        Incidents.status: status,
        Incidents.created_at: created,
        Incidents.acknowledged_at: min(acks) if acks else None,
        Incidents.resolved_at: resolved,
        Incidents.resolved_by: resolved_by,
        Incidents.assignee: _summary(assignments[0].get("assignee")) if assignments else None,
        Incidents.major: (priority or "").upper() == "P1" if priority else None,
        Incidents.merged_into: merged_into,
        Incidents.alert_count: counts.get("all") if isinstance(counts, Mapping) else None,
        Incidents.reported_by: _reporter(trigger_summary),
        Incidents.version_at: version,
    }


def alert_row(record: Mapping[str, Any], options: Mapping[str, Any]) -> Row:
    """The canonical alert row of a REST v2 alert object (rule_key is set per file)."""
    alert_id = str(_required(record, "id"))
    created = _required_time(record, "created_at")
    status = text_or_none(record.get("status"))
    resolved = _ts(record, "resolved_at")
    _not_before(created, resolved)
    body = record.get("body") or {}
    details = body.get("details") if isinstance(body, Mapping) else None
    labels = dict(details) if isinstance(details, Mapping) else {}
    if record.get("alert_key"):
        labels.setdefault("alert_key", record["alert_key"])
    severity_raw = text_or_none(record.get("severity"))
    # A resolved alert without resolved_at must still outrank its earlier triggered version.
    version = resolved or (created + timedelta(microseconds=1) if status == "resolved" else created)
    return {
        Alerts.source: NAME,
        Alerts.alert_id: alert_id,
        Alerts.incident_id: text_or_none((record.get("incident") or {}).get("id")),
        Alerts.title: text_or_none(record.get("summary")),
        Alerts.service: _summary(record.get("service")),
        Alerts.severity: normalised_severity(severity_raw),
        Alerts.severity_raw: severity_raw,
        Alerts.created_at: created,
        Alerts.resolved_at: resolved,
        Alerts.resolved_by: "unknown",
        Alerts.labels: labels_json(labels),
        Alerts.version_at: version,
    }


def log_entry_row(record: Mapping[str, Any], options: Mapping[str, Any]) -> Row:
    """The canonical notification row of a REST v2 log entry."""
    event_id = str(_required(record, "id"))
    at = utc_timestamp(_required(record, "created_at"))
    entry_type = str(_required(record, "type"))
    agent = record.get("agent") or {}
    channel = record.get("channel") or {}
    channel_type = text_or_none(channel.get("type")) if isinstance(channel, Mapping) else None
    agent_type = text_or_none(agent.get("type")) if isinstance(agent, Mapping) else None
    user = record.get("user") if entry_type == "notify_log_entry" else None
    if user is None and agent_type == "user_reference":
        user = agent
    return {
        Notifications.source: NAME,
        Notifications.event_id: event_id,
        Notifications.at: at,
        Notifications.kind: LOG_ENTRY_KINDS.get(entry_type, "other"),
        Notifications.user: _summary(user),
        Notifications.channel: channel_type,
        Notifications.incident_id: text_or_none((record.get("incident") or {}).get("id")),
        Notifications.agent_type: "timeout"
        if channel_type in ("timeout", "auto_resolve")
        else _agent_kind(agent_type),
        Notifications.version_at: at,
    }


_ROW_BUILDERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], Row]] = {
    KIND_INCIDENTS: incident_row,
    KIND_ALERTS: alert_row,
    KIND_LOG_ENTRIES: log_entry_row,
}


def _agent_kind(agent_type: str | None) -> str | None:
    if agent_type is None:
        return None
    return agent_type.removesuffix("_reference").removesuffix("_inbound_integration")


def _agent_resolution(agent_type: str | None, channel_type: str | None) -> str:
    """human / auto / timeout for the agent that resolved an incident."""
    if channel_type in ("timeout", "auto_resolve") or agent_type == "timeout":
        return "timeout"
    if agent_type is None:
        return "unknown"
    return "human" if agent_type.startswith("user") else "auto"


def _reporter(trigger_summary: str) -> str | None:
    text = trigger_summary.lower()
    if not text:
        return None
    return (
        "human"
        if any(w in text for w in ("website", "mobile", "web ui", "slack", "user"))
        else "alert"
    )


def _set_rule_keys(rows: list[Row]) -> None:
    """rule_key = service plus title template: the identity of the check behind an alert."""
    templates = title_templates(r.get(Alerts.title) for r in rows)
    for row, template in zip(rows, templates, strict=True):
        row[Alerts.rule_key] = f"{row.get(Alerts.service) or '-'} :: {template or '-'}"
