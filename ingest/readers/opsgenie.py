"""Opsgenie: ``GET /v2/alerts`` pages, ``GET /v2/alerts/{id}/logs`` pages, and outgoing webhook
payloads (one JSON, or JSON Lines as a receiver logs them).

- ``report.ackTime`` / ``report.closeTime`` are durations from ``createdAt`` (unit: option
  ``report_time_unit``, default ``ms``). ``count`` is kept as ``dedup_count``.
- rule_key: the alias when it is set and is not an id (Opsgenie defaults the alias to the alert
  id); otherwise the message's title template (``analysis.templates.title_templates``).
- Webhook times are epoch numbers at ms or ns scale, read by magnitude. Payloads of one alert
  fold into one alert row (Acknowledge -> acknowledged_at, Close -> resolved_at); each payload
  is also a notification row.
- A logs page does not name its alert: the alert id is the UUID in the file name
  (``<alertId>.logs.json``), else the ``alert_id`` option.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator

from alertlens.ingest.fields import (
    json_pointer,
    labels_json,
    normalised_severity,
    text_or_none,
    utc_timestamp,
)
from alertlens.ingest.jsonfiles import json_documents, locator
from alertlens.ingest.limits import json_value_problem
from alertlens.ingest.readers import _common
from alertlens.ingest.records import (
    Bad,
    InContext,
    InputError,
    ParsedFile,
    RecordError,
    Row,
)
from alertlens.ingest.schema import Alerts, Notifications
from alertlens.ingest.settings_table import Names, one_of, settings_dataclass, settings_from_table
from alertlens.ingest.shape import FileShape, file_shape, first, has
from alertlens.ingest.templates import title_templates

NAME = "opsgenie"
KIND_ALERTS = "opsgenie.alerts"
KIND_LOGS = "opsgenie.logs"
KIND_WEBHOOK = "opsgenie.webhook"
_UNITS = {"ms": 1e-3, "s": 1.0, "us": 1e-6, "ns": 1e-9}
_ACTION_KIND = {
    "create": "trigger",
    "acknowledge": "acknowledge",
    "unacknowledge": "unacknowledge",
    "close": "resolve",
    "delete": "other",
    "addnote": "annotate",
    "escalate": "escalate",
    "escalatetonext": "escalate",
    "assignownership": "assign",
    "snooze": "snooze",
    "updatepriority": "priority",
    "addrecipient": "notify",
    "addteam": "assign",
}
_LOG_KIND = (
    (re.compile(r"\bunacknowledged\b", re.I), "unacknowledge"),
    (re.compile(r"\backnowledged\b", re.I), "acknowledge"),
    (re.compile(r"\bclosed\b", re.I), "resolve"),
    (re.compile(r"\b(created|alert is received)\b", re.I), "trigger"),
    (re.compile(r"\bescalat", re.I), "escalate"),
    (re.compile(r"\bassigned\b|\bownership\b", re.I), "assign"),
    (re.compile(r"\bsnoozed\b", re.I), "snooze"),
    (re.compile(r"\bnotif|\bsent\b", re.I), "notify"),
    (re.compile(r"\bnote\b", re.I), "annotate"),
    (re.compile(r"\bpriority\b", re.I), "priority"),
)


@settings_dataclass
class OpsgenieOptions:
    """``[sources.opsgenie]`` settings."""

    # unit of report.ackTime / closeTime: ms, s, us or ns
    report_time_unit: Annotated[str, AfterValidator(one_of(*_UNITS))] = "ms"
    # priorities whose alerts page a person, for alerts without logs to show the notifications
    paging_priorities: Names = ("P1", "P2", "P3")
    alert_id: str | None = None  # alert of a logs file whose name holds no UUID


def _object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (a missing or malformed part)."""
    return value if isinstance(value, dict) else {}


def detect(shape: FileShape) -> str | None:
    """``opsgenie.alerts``, ``opsgenie.logs``, ``opsgenie.webhook`` or None."""
    if not shape.is_json or not isinstance(shape.sample, dict):
        return None
    doc = shape.sample
    alert = doc.get("alert")
    if "action" in doc and has(alert, "alertId"):
        return KIND_WEBHOOK
    if not isinstance(doc.get("data"), list) or "requestId" not in doc:
        return None
    record = first(doc["data"])
    if record is None or has(record, "tinyId", "createdAt"):
        return KIND_ALERTS
    if has(record, "log", "offset", "createdAt"):
        return KIND_LOGS
    return None


def read(path: Path, options: Mapping[str, Any], kind: str | None = None) -> ParsedFile:
    """Every alert, log entry or webhook action in an Opsgenie export."""
    settings = settings_from_table(OpsgenieOptions, options, "sources.opsgenie")
    kind = kind or detect(file_shape(path))
    if kind is None:
        raise InputError(path, "not an Opsgenie alerts page, alert logs page or webhook payload")
    parsed = ParsedFile(source=NAME, kind=kind)
    if kind == KIND_WEBHOOK:
        _read_webhooks(path, parsed)
        return parsed
    if kind == KIND_ALERTS:
        _read_alerts(
            _records(path), parsed, _UNITS[settings.report_time_unit], settings.paging_priorities
        )
    else:
        alert_id = _common.uuid_in(path.name) or settings.alert_id
        if alert_id is None:
            raise InputError(
                path, "alert logs need the alert id: name the file <alertId>.logs.json"
            )
        parsed.accept(
            _records(path),
            lambda entry: _log_row(entry, alert_id),
            table=Notifications.table,
            key=Notifications.event_id,
            merge=_first,
        )
    return parsed


def _records(path: Path) -> Iterator[tuple[str, Any]]:
    """(locator, record) for every ``data`` item of every page (one page, or one a line)."""
    for prefix, page in json_documents(path):
        if isinstance(page, Bad):
            yield prefix, page
            continue
        data = page.get("data") if isinstance(page, dict) else None
        if not isinstance(data, list):
            yield prefix or "/", Bad("page has no 'data' list", page)
            continue
        for i, record in enumerate(data):
            yield locator(prefix, json_pointer("data", i)), record


def _message(alert: Any) -> str | None:
    """An alert's message when it can be stored (a bad one must not shape others' templates)."""
    message = alert.get("message") if isinstance(alert, dict) else None
    return message if isinstance(message, str) and not json_value_problem(message) else None


def _first(old: Row, new: Row) -> Row:
    """A log entry seen twice: the first one stays."""
    return old


def _read_alerts(
    records: Iterator[tuple[str, Any]], parsed: ParsedFile, unit: float, paging: tuple[str, ...]
) -> None:
    found = list(records)
    templates = title_templates(_message(a) for _, a in found)
    parsed.accept(
        (
            (where, InContext(alert, template))
            for (where, alert), template in zip(found, templates, strict=True)
        ),
        lambda item: _alert_row(item.value, item.context, unit, paging),
        table=Alerts.table,
        key=Alerts.alert_id,
    )


def _alert_row(alert: Any, template: str | None, unit: float, paging: tuple[str, ...]) -> Row:
    if not isinstance(alert, dict):
        raise RecordError("alert is not an object")
    alert_id = text_or_none(alert.get("id"))
    created = utc_timestamp(alert.get("createdAt"))
    if alert_id is None or created is None:
        raise RecordError("alert has no id or no createdAt")
    report = _object(alert.get("report"))
    ack = _after(created, report.get("ackTime"), unit)
    closed = (
        _after(created, report.get("closeTime"), unit) if alert.get("status") == "closed" else None
    )
    closer = text_or_none(report.get("closedBy"))
    details = _object(alert.get("details"))
    teams = [t.get("name") or t.get("id") for t in alert.get("teams") or [] if isinstance(t, dict)]
    priority = text_or_none(alert.get("priority"))
    found = alert.get("integration")
    integration: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        Alerts.source: NAME,
        Alerts.alert_id: alert_id,
        Alerts.rule_key: _rule_key(alert, template),
        Alerts.title: text_or_none(alert.get("message")),
        Alerts.service: text_or_none(details.get("service")) or text_or_none(alert.get("entity")),
        Alerts.team: ", ".join(t for t in teams if t) or None,
        Alerts.severity: normalised_severity(priority),
        Alerts.severity_raw: priority,
        Alerts.created_at: created,
        Alerts.acknowledged_at: ack,
        Alerts.resolved_at: closed,
        Alerts.resolved_by: (
            _resolver(closer, integration, alert.get("source")) if closed else "unknown"
        ),
        # the alert's logs, when they arrive, say who was notified how (ingest/reconcile.py)
        Alerts.paged: priority in paging if priority else None,
        Alerts.labels: labels_json(
            {
                **details,
                "tags": alert.get("tags") or [],
                "source": alert.get("source"),
                "alias": alert.get("alias"),
                "entity": alert.get("entity"),
                "integration": integration.get("name"),
                "integration_type": integration.get("type"),
            }
        ),
        Alerts.dedup_count: _common.int_or_none(alert.get("count")),
        Alerts.version_at: utc_timestamp(alert.get("updatedAt"))
        or _common.latest(created, ack, closed),
    }


def _rule_key(alert: Mapping[str, Any], template: str | None) -> str:
    alias = text_or_none(alert.get("alias"))
    if (
        alias
        and alias != alert.get("id")
        and alias != alert.get("alertId")
        and not _common.uuid_in(alias)
    ):
        return alias
    return template or alias or "-"


def _after(start: datetime, amount: Any, unit: float) -> datetime | None:
    if amount is None or isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    try:
        return start + timedelta(seconds=amount * unit)
    except OverflowError as err:
        raise RecordError(f"report time {amount!r} is out of range") from err


def _resolver(
    closer: str | None, integration: Mapping[str, Any] | None = None, source: Any = None
) -> str:
    """human for a user (an e-mail), auto for an integration (named generically, or as the
    alert's own integration or source names it: "Datadog" closing a Datadog alert) or the API,
    else unknown."""
    if closer is None:
        return "unknown"
    if "@" in closer:
        return "human"
    own = {str(v).lower() for v in (*(integration or {}).values(), source) if isinstance(v, str)}
    if closer.lower() in own:
        return "auto"
    return "auto" if re.search(r"api|integration|system|heartbeat", closer, re.I) else "unknown"


def _log_row(entry: Any, alert_id: str) -> Row:
    if not isinstance(entry, dict):
        raise RecordError("log entry is not an object")
    at = utc_timestamp(entry.get("createdAt"))
    if at is None:
        raise RecordError("log entry has no createdAt")
    text = text_or_none(entry.get("log")) or ""
    owner = text_or_none(entry.get("owner"))
    kind = (
        "annotate"
        if entry.get("type") == "note"
        else next((k for pattern, k in _LOG_KIND if pattern.search(text)), "other")
    )
    channel = re.search(r"\bvia (\w+)|\[(\w+)\]", text)
    return {
        Notifications.source: NAME,
        Notifications.event_id: f"{alert_id}:{entry.get('offset') or at.isoformat()}",
        Notifications.at: at,
        Notifications.kind: kind,
        Notifications.user: owner,
        Notifications.channel: (channel.group(1) or channel.group(2)).lower() if channel else None,
        Notifications.alert_id: alert_id,
        Notifications.agent_type: "user" if owner and "@" in owner else "system",
        Notifications.version_at: at,
    }


def _read_webhooks(path: Path, parsed: ParsedFile) -> None:
    payloads = list(json_documents(path))
    alerts: list[dict[str, Any]] = [
        _object(p.get("alert")) if isinstance(p, dict) else {} for _, p in payloads
    ]
    templates = title_templates(_message(a) for a in alerts)
    alert_rows: dict[str, Row] = {}

    def build(item: InContext) -> Row:
        row, note = _webhook_rows(item.value, *item.context)
        parsed.add(Notifications.table, note)
        old = alert_rows.get(row[Alerts.alert_id])
        if old is None:
            alert_rows[row[Alerts.alert_id]] = row
            return row
        parsed.deduplicated += 1
        for column in (Alerts.acknowledged_at, Alerts.resolved_at):
            old[column] = old[column] or row[column]
        if row[Alerts.resolved_at] is not None and old[Alerts.resolved_by] == "unknown":
            old[Alerts.resolved_by] = row[Alerts.resolved_by]
        old[Alerts.version_at] = _common.latest(old[Alerts.version_at], row[Alerts.version_at])
        raise _Folded

    for where, payload, alert, template in zip(
        (w or "/" for w, _ in payloads),
        (p for _, p in payloads),
        alerts,
        templates,
        strict=True,
    ):
        for locator_, item in parsed.checked([(where, InContext(payload, (alert, template)))]):
            with contextlib.suppress(_Folded):
                parsed.attempt(locator_, payload, partial(build, item))
    for row in alert_rows.values():
        parsed.add(Alerts.table, row)


class _Folded(Exception):
    """A payload folded into an earlier one of the same alert (already counted)."""


def _webhook_rows(payload: Any, alert: dict[str, Any], template: str | None) -> tuple[Row, Row]:
    """The alert as this payload shows it, and the payload's action as a notification."""
    action = text_or_none(payload.get("action")) if isinstance(payload, dict) else None
    alert_id = text_or_none(alert.get("alertId"))
    created = utc_timestamp(alert.get("createdAt"))
    if action is None or alert_id is None or created is None:
        raise RecordError("payload has no action, alert.alertId or alert.createdAt")
    at = utc_timestamp(alert.get("updatedAt")) or created
    kind = _ACTION_KIND.get(action.lower(), "other")
    user = text_or_none(alert.get("username"))
    priority = text_or_none(alert.get("priority"))
    details = _object(alert.get("details"))
    row: Row = {
        Alerts.source: NAME,
        Alerts.alert_id: alert_id,
        Alerts.rule_key: _rule_key(alert, template),
        Alerts.title: text_or_none(alert.get("message")),
        Alerts.service: text_or_none(details.get("service")) or text_or_none(alert.get("entity")),
        Alerts.team: text_or_none(alert.get("team")) or ", ".join(alert.get("teams") or []) or None,
        Alerts.severity: normalised_severity(priority),
        Alerts.severity_raw: priority,
        Alerts.created_at: created,
        Alerts.acknowledged_at: at if kind == "acknowledge" else None,
        Alerts.resolved_at: at if kind == "resolve" else None,
        Alerts.resolved_by: _resolver(user) if kind == "resolve" else "unknown",
        Alerts.labels: labels_json({**details, "tags": alert.get("tags") or []}),
        Alerts.version_at: at,
    }
    source = payload.get("source") if isinstance(payload.get("source"), dict) else {}
    note: Row = {
        Notifications.source: NAME,
        Notifications.event_id: f"{alert_id}:{action}:{alert.get('updatedAt') or created}",
        Notifications.at: at,
        Notifications.kind: kind,
        Notifications.user: user,
        Notifications.channel: text_or_none(source.get("type")),
        Notifications.alert_id: alert_id,
        Notifications.agent_type: "user" if user and "@" in user else "system",
        Notifications.version_at: at,
    }
    return row, note
