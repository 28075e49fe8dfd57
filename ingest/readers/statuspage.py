"""Atlassian Statuspage incidents: ``GET /api/v2/incidents.json`` (``{"page", "incidents"}``),
one ``incidents/<code>.json`` (``{"page", "incident"}``), or JSON Lines of either.

Lifecycle from ``incident_updates`` (the first update of each status): ``identified`` ->
acknowledged_at, ``monitoring`` (or ``monitoring_at``) -> mitigated_at, ``resolved`` (or
``resolved_at``) -> resolved_at. ``impact`` -> severity (critical -> critical, major -> high,
minor -> warning, none -> info). Every update is also a notification row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from alertlens.ingest.fields import json_pointer, text_or_none, utc_timestamp
from alertlens.ingest.jsonfiles import json_documents, locator
from alertlens.ingest.readers import _common
from alertlens.ingest.records import Bad, InputError, ParsedFile, RecordError, Row
from alertlens.ingest.schema import Incidents, Notifications
from alertlens.ingest.settings_table import settings_dataclass, settings_from_table
from alertlens.ingest.shape import FileShape, first, has

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


def detect(shape: FileShape) -> str | None:
    """``statuspage.incidents`` for a Statuspage incidents document, else None."""
    doc = shape.sample
    if not shape.is_json or not has(doc, "page"):
        return None
    incident = doc.get("incident") if "incident" in doc else first(doc.get("incidents"))
    if has(incident, "incident_updates") or (
        isinstance(doc.get("incidents"), list) and not doc["incidents"]
    ):
        return "statuspage.incidents"
    return None


def read(path: Path, options: Mapping[str, Any], kind: str | None = None) -> ParsedFile:
    """Every incident in the file with its updates as notifications."""
    settings_from_table(StatuspageOptions, options, "sources.statuspage")
    parsed = ParsedFile(source=NAME, kind="statuspage.incidents")
    updates: dict[str, list[Row]] = {}

    def build(incident: Any) -> Row:
        row, notes = _incident_rows(incident)
        key = row[Incidents.incident_id]
        kept = updates.get(key)
        if kept is None or _newer(row, kept):
            updates[key] = [row, *notes]
        return row

    parsed.accept(_incidents(path), build, table=Incidents.table, key=Incidents.incident_id)
    for row in parsed.rows.get(Incidents.table, []):
        # the updates of the version that was kept (pages overlap: the same incident twice)
        kept_row, *notes = updates[row[Incidents.incident_id]]
        for note in notes if kept_row is row else []:
            parsed.add(Notifications.table, note)
    return parsed


def _newer(row: Row, kept: list[Row]) -> bool:
    old = kept[0].get(Incidents.version_at)
    new = row.get(Incidents.version_at)
    return old is None or (new is not None and new >= old)


def _incidents(path: Path) -> Iterator[tuple[str, Any]]:
    """(locator, incident object) for each incident in a JSON or JSONL file."""
    for prefix, document in json_documents(path):
        if isinstance(document, Bad):
            yield prefix, document
            continue
        if isinstance(document, dict) and "incident" in document:
            yield prefix if prefix else locator(prefix, "/incident"), document["incident"]
        elif isinstance(document, dict) and isinstance(document.get("incidents"), list):
            for i, incident in enumerate(document["incidents"]):
                yield locator(prefix, json_pointer("incidents", i)), incident
        elif prefix:
            yield prefix, Bad("line holds no Statuspage incident", document)
        else:
            raise InputError(path, "no Statuspage 'incident' or 'incidents' in the document")


def _incident_rows(incident: dict[str, Any]) -> tuple[Row, list[Row]]:
    """The incident row and one notification row per update."""
    if not isinstance(incident, dict):
        raise RecordError("incident is not an object")
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
