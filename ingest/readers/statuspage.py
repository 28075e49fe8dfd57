"""Atlassian Statuspage incidents: ``GET /api/v2/incidents.json`` (``{"page", "incidents"}``),
one ``incidents/<code>.json`` (``{"page", "incident"}``), or JSON Lines of either.

Lifecycle from ``incident_updates`` (the first update of each status): ``identified`` ->
acknowledged_at, ``monitoring`` (or ``monitoring_at``) -> mitigated_at, ``resolved`` (or
``resolved_at``) -> resolved_at. ``impact`` -> severity (critical -> critical, major -> high,
minor -> warning, none -> info). Every update is also a notification row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from alertlens.ingest.fields import json_pointer, text_or_none, utc_timestamp
from alertlens.ingest.readers import _common
from alertlens.ingest.records import InputError, ParsedFile, RecordError, Row
from alertlens.ingest.schema import Incidents, Notifications
from alertlens.ingest.settings_table import settings_dataclass, settings_from_table

NAME = "statuspage"
IMPACT_SEVERITY: dict[str, str] = {
    "critical": "critical",
    "major": "high",
    "minor": "warning",
    "none": "info",
}
UPDATE_KIND: dict[str, str] = {
    "investigating": "notify",
    "identified": "acknowledge",
    "monitoring": "annotate",
    "resolved": "resolve",
    "postmortem": "annotate",
}


@settings_dataclass
class StatuspageOptions:
    """``[sources.statuspage]``: Statuspage has no settings; any key is an error."""


def detect(path: Path, head: str) -> str | None:
    """``statuspage.incidents`` for a Statuspage incidents document, else None."""
    text = _common.sniff(path, head).lstrip("\ufeff \r\n\t")
    if not text.startswith("{"):
        return None
    window = text[:20000]
    has_page = '"page"' in window and '"time_zone"' in window
    has_incident = (
        '"incident"' in window or '"incidents"' in window
    ) and '"incident_updates"' in window
    return "statuspage.incidents" if has_page and has_incident else None


def read(path: Path, options: Mapping[str, Any], kind: str | None = None) -> ParsedFile:
    """Every incident in the file with its updates as notifications."""
    settings_from_table(StatuspageOptions, options, "sources.statuspage")
    parsed = ParsedFile(source=NAME, kind="statuspage.incidents")
    for locator, incident in _incidents(path):
        parsed.read += 1
        if not isinstance(incident, dict):
            parsed.reject(locator, "incident is not an object", incident)
            continue
        try:
            row, notes = _incident_rows(incident)
        except RecordError as err:
            parsed.reject(locator, str(err), incident)
            continue
        folded = parsed.deduplicated
        if not parsed.add_newest(Incidents.table, row, Incidents.incident_id):
            continue  # the same incident twice (pages overlap): this is the older version
        if parsed.deduplicated > folded:  # it replaced an older version: drop that one's updates
            key = row[Incidents.incident_id]
            kept = parsed.rows.get(Notifications.table, [])
            parsed.rows[Notifications.table] = [
                n for n in kept if n[Notifications.incident_id] != key
            ]
        for note in notes:
            parsed.add(Notifications.table, note)
    return parsed


def _incidents(path: Path) -> Iterator[tuple[str, Any]]:
    """(locator, incident object) for each incident in a JSON or JSONL file."""
    text = _common.read_text(path)
    if _common.looks_like_json_lines(text):
        for line, body in _common.json_lines(text):
            try:
                document = json.loads(body)
            except json.JSONDecodeError as err:
                yield f"line {line}", _Bad(f"not JSON ({err.msg})", body)
                continue
            for pointer, incident in _in_document(document):
                yield f"line {line}" + ("" if pointer == "/incident" else f" {pointer}"), incident
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(path, f"not JSON ({err.msg} at line {err.lineno})") from err
    found = list(_in_document(document))
    if not found and not (isinstance(document, dict) and "incidents" in document):
        raise InputError(path, "no Statuspage 'incident' or 'incidents' in the document")
    yield from found


def _in_document(document: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(document, dict) and "incident" in document:
        yield json_pointer("incident"), document["incident"]
    elif isinstance(document, dict) and isinstance(document.get("incidents"), list):
        for i, incident in enumerate(document["incidents"]):
            yield json_pointer("incidents", i), incident
    else:
        yield "", _Bad("line holds no Statuspage incident", document)


class _Bad(dict):  # type: ignore[type-arg]
    """A placeholder for an unparsable record; ``_incident_rows`` rejects it with its reason."""

    def __init__(self, reason: str, raw: Any) -> None:
        super().__init__(_bad_reason=reason, _bad_raw=raw)


def _incident_rows(incident: dict[str, Any]) -> tuple[Row, list[Row]]:
    """The incident row and one notification row per update."""
    if "_bad_reason" in incident:
        raise RecordError(incident["_bad_reason"])
    incident_id = text_or_none(incident.get("id"))
    if incident_id is None:
        raise RecordError("incident has no id")
    created = utc_timestamp(incident.get("created_at"))
    if created is None:
        raise RecordError("incident has no created_at")
    updates = incident.get("incident_updates") or []
    if not isinstance(updates, list):
        raise RecordError("incident_updates is not a list")
    first: dict[str, datetime] = {}
    notes: list[Row] = []
    ordered = sorted(
        (u for u in updates if isinstance(u, dict)),
        key=lambda u: utc_timestamp(u.get("created_at")) or created,
    )
    for number, update in enumerate(ordered):
        at = utc_timestamp(update.get("created_at"))
        status = (text_or_none(update.get("status")) or "").lower()
        if at is None:
            raise RecordError(f"update {update.get('id')} has no created_at")
        first.setdefault(status, at)
        notes.append(
            {
                Notifications.source: NAME,
                Notifications.event_id: text_or_none(update.get("id")) or f"{incident_id}/{number}",
                Notifications.at: at,
                Notifications.kind: "trigger" if number == 0 else UPDATE_KIND.get(status, "other"),
                Notifications.channel: "statuspage",
                Notifications.incident_id: incident_id,
                Notifications.agent_type: "user",
                Notifications.version_at: utc_timestamp(update.get("updated_at")) or at,
            }
        )
    impact = str(incident.get("impact") or "").strip().lower()  # "none" is a value here, not null
    components = [c.get("name") for c in incident.get("components") or [] if isinstance(c, dict)]
    resolved = utc_timestamp(incident.get("resolved_at")) or first.get("resolved")
    updated = utc_timestamp(incident.get("updated_at"))
    row: Row = {
        Incidents.source: NAME,
        Incidents.incident_id: incident_id,
        Incidents.incident_number: text_or_none(incident.get("shortlink")),
        Incidents.title: text_or_none(incident.get("name")),
        Incidents.service: ", ".join(sorted(n for n in components if n)) or None,
        Incidents.priority: impact or None,
        Incidents.severity: IMPACT_SEVERITY.get(impact, "unknown"),
        Incidents.status: text_or_none(incident.get("status")),
        Incidents.created_at: created,
        Incidents.acknowledged_at: first.get("identified"),
        Incidents.mitigated_at: utc_timestamp(incident.get("monitoring_at"))
        or first.get("monitoring"),
        Incidents.resolved_at: resolved,
        Incidents.resolved_by: "human",
        Incidents.reported_by: "human",
        Incidents.postmortem: _postmortem(incident),
        Incidents.version_at: _common.latest(updated, resolved, created, *first.values()),
    }
    return row, notes


def _postmortem(incident: dict[str, Any]) -> str | None:
    """The postmortem body, or its status when only that is known."""
    body = text_or_none(incident.get("postmortem_body"))
    if body:
        return body
    if (text_or_none(incident.get("status")) or "").lower() == "postmortem":
        return "postmortem"
    published = text_or_none(incident.get("postmortem_published_at"))
    return f"published {published}" if published else None
