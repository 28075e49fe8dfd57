"""Prometheus Alertmanager: webhook v4 payloads and ``GET /api/v2/alerts`` snapshots.

- A webhook file is one payload (JSON) or many (JSON Lines, as a receiver logs them).
- Alertmanager has no alert id; a firing is ``{fingerprint}@{startsAt}`` (UTC, whole seconds, Z).
  Repeated notifications of the same firing collapse onto that id (counted as deduplicated) and a
  resolved notification closes it.
- Per-alert ``status`` wins over the payload's status (a "firing" payload can carry resolved
  alerts); ``endsAt`` counts only for resolved alerts; Go's zero time becomes null.
- ``truncatedAlerts`` is added up into the manifest.
- ``paged``: the alert went to a receiver that pages a human. Receivers are matched against
  ``paging_receivers`` (glob patterns); by default any receiver whose name mentions pager, page,
  oncall, on-call, opsgenie or victorops.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from alertlens.ingest.fields import (
    iso_z,
    json_pointer,
    labels_json,
    normalised_severity,
    text_or_none,
    utc_timestamp,
)
from alertlens.ingest.jsonfiles import json_documents, locator
from alertlens.ingest.readers._common import int_or_none
from alertlens.ingest.records import (
    Bad,
    InContext,
    InputError,
    ParsedFile,
    RecordError,
    Row,
)
from alertlens.ingest.schema import Alerts, Notifications
from alertlens.ingest.settings_table import Names, settings_dataclass, settings_from_table
from alertlens.ingest.shape import FileShape, file_shape, first, has

NAME = "alertmanager"
KIND_WEBHOOK = "alertmanager.webhook"
KIND_API = "alertmanager.api_v2"
KIND_GROUPS = "alertmanager.api_v2_groups"

#: Labels that name one instance of a rule, not the rule: left out of rule_key.
INSTANCE_LABELS = frozenset(
    {
        "instance",
        "pod",
        "pod_name",
        "container",
        "container_name",
        "host",
        "hostname",
        "node",
        "nodename",
        "ip",
        "address",
        "endpoint",
        "uid",
        "id",
        "device",
        "mountpoint",
        "fstype",
        "path",
        "url",
        "target",
        "le",
        "exported_instance",
        "exported_pod",
        "replica",
        "prometheus_replica",
        "capture",
    }
)
DEFAULT_PAGING = re.compile(r"pager|page|oncall|on-call|opsgenie|victorops", re.IGNORECASE)


def detect(shape: FileShape) -> str | None:
    """The Alertmanager kind when the file holds webhook payloads (objects with ``groupKey``
    and an ``alerts`` list, alone, in a list or one a line) or an API v2 alert list."""
    if not shape.is_json:
        return None
    doc = shape.sample
    payload = first(doc) if isinstance(doc, list) else doc
    if has(payload, "groupKey", "alerts") and isinstance(payload["alerts"], list):
        return KIND_WEBHOOK
    group = first(doc)
    if isinstance(doc, list) and has(group, "alerts", "labels", "receiver"):
        return KIND_GROUPS
    alert = first(doc)
    status = alert.get("status") if isinstance(alert, dict) else None
    if (
        isinstance(doc, list)
        and has(alert, "fingerprint", "labels")
        and isinstance(status, dict)
        and any(k in status for k in ("state", "inhibitedBy", "silencedBy"))
    ):
        return KIND_API
    return None


def fingerprint(labels: Mapping[str, str]) -> str:
    """Alertmanager's fingerprint of a label set: FNV-1a 64 over sorted name, 0xff, value, 0xff."""
    h = 0xCBF29CE484222325
    for name in sorted(labels):
        for chunk in (name.encode(), b"\xff", str(labels[name]).encode(), b"\xff"):
            for byte in chunk:
                h ^= byte
                h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def rule_key(labels: Mapping[str, str], instance_labels: frozenset[str] = INSTANCE_LABELS) -> str:
    """alertname plus the labels that are not instance-like, as ``Name{k="v",…}``."""
    name = labels.get("alertname", "-")
    kept = sorted(
        (k, v) for k, v in labels.items() if k != "alertname" and k not in instance_labels
    )
    inner = ",".join(f'{k}="{v}"' for k, v in kept)
    return f"{name}{{{inner}}}"


def read(path: Path, options: Mapping[str, Any], kind: str | None = None) -> ParsedFile:
    """Every alert firing in an Alertmanager webhook log or API v2 snapshot."""
    settings = settings_from_table(AlertmanagerOptions, options, "sources.alertmanager")
    if kind is None:
        shape = file_shape(path)
        # an empty snapshot ("[]") carries nothing to detect; read as this source, it is one
        kind = detect(shape) or (KIND_API if shape.sample == [] else None)
    if kind not in (KIND_WEBHOOK, KIND_API, KIND_GROUPS):
        raise InputError(path, "not an Alertmanager webhook payload or /api/v2/alerts snapshot")
    parsed = ParsedFile(source=NAME, kind=kind)
    records = {KIND_WEBHOOK: _webhook_alerts, KIND_API: _api_alerts, KIND_GROUPS: _group_alerts}[
        kind
    ](path, parsed)
    parsed.accept(
        records,
        lambda item: _alert_row(item.value, item.context[0], item.context[1], settings),
        table=Alerts.table,
        key=Alerts.alert_id,
        merge=_combined,
    )
    for row in parsed.rows.get(Alerts.table, []):
        for event in _lifecycle_events(row):
            parsed.add(Notifications.table, event)
    return parsed


def _webhook_alerts(path: Path, parsed: ParsedFile) -> Iterator[tuple[str, Any]]:
    """(locator, (alert, receivers, payload status)) for every alert of every payload."""
    for prefix, doc in json_documents(path):
        if isinstance(doc, Bad):
            yield prefix, doc
            continue
        payloads = doc if isinstance(doc, list) else [doc]
        for p_no, payload in enumerate(payloads):
            base = (p_no,) if isinstance(doc, list) else ()
            where = locator(prefix, json_pointer(*base))
            if not isinstance(payload, Mapping) or not isinstance(payload.get("alerts"), list):
                yield where or "/", Bad("not a webhook payload (no alerts list)", payload)
                continue
            truncated = int_or_none(payload.get("truncatedAlerts")) or 0
            if 0 < truncated < 1 << 31:  # anything else is not a count of alerts
                parsed.truncated_alerts += truncated
            receiver = text_or_none(payload.get("receiver"))
            status = payload.get("status")
            for i, alert in enumerate(payload["alerts"]):
                pointer = locator(prefix, json_pointer(*base, "alerts", i))
                yield pointer, InContext(alert, ([receiver], status))


def _group_alerts(path: Path, parsed: ParsedFile) -> Iterator[tuple[str, Any]]:
    """(locator, (alert, receivers, None)) for every alert of a /api/v2/alerts/groups
    snapshot (the same alerts as /api/v2/alerts, grouped by route)."""
    for prefix, doc in json_documents(path):
        if isinstance(doc, Bad):
            yield prefix, doc
            continue
        if not isinstance(doc, list):
            raise InputError(path, "an /api/v2/alerts/groups snapshot is a JSON list")
        for g, group in enumerate(doc):
            alerts = group.get("alerts") if isinstance(group, Mapping) else None
            if not isinstance(alerts, list):
                yield locator(prefix, json_pointer(g)), Bad("group has no alerts list", group)
                continue
            for i, alert in enumerate(alerts):
                yield locator(prefix, json_pointer(g, "alerts", i)), InContext(
                    alert, (_receivers(alert), None)
                )


def _receivers(alert: Any) -> list[str | None]:
    """The receiver names of an API v2 alert (none when the field is malformed)."""
    listed = alert.get("receivers") if isinstance(alert, Mapping) else None
    if not isinstance(listed, list):
        return []
    return [text_or_none(r.get("name")) for r in listed if isinstance(r, Mapping)]


def _api_alerts(path: Path, parsed: ParsedFile) -> Iterator[tuple[str, Any]]:
    """(locator, (alert, receivers, None)) for every alert of an API v2 snapshot."""
    for prefix, doc in json_documents(path):
        if isinstance(doc, Bad):
            yield prefix, doc
            continue
        if not isinstance(doc, list):
            raise InputError(path, "an /api/v2/alerts snapshot is a JSON list")
        for i, alert in enumerate(doc):
            yield locator(prefix, json_pointer(i)), InContext(alert, (_receivers(alert), None))


@settings_dataclass
class AlertmanagerOptions:
    """``[sources.alertmanager]`` settings."""

    # glob patterns of the receivers that page a human; default: DEFAULT_PAGING's names
    paging_receivers: Names | None = None
    # more labels to leave out of rule_key (besides INSTANCE_LABELS)
    instance_labels: Names = ()

    @property
    def identity_free_labels(self) -> frozenset[str]:
        """Labels that vary per instance and so never name a rule."""
        return INSTANCE_LABELS | frozenset(self.instance_labels)

    def pages(self, receiver: str | None) -> bool:
        """Whether a notification to ``receiver`` pages a human."""
        if receiver is None:
            return False
        if self.paging_receivers is None:
            return bool(DEFAULT_PAGING.search(receiver))
        return any(fnmatch.fnmatchcase(receiver, pattern) for pattern in self.paging_receivers)


def _alert_row(
    alert: Any, receivers: list[str | None], group_status: Any, settings: AlertmanagerOptions
) -> Row:
    if not isinstance(alert, Mapping):
        raise RecordError("alert is not a JSON object")
    labels = alert.get("labels")
    if not isinstance(labels, Mapping) or not labels:
        raise RecordError("alert has no labels")
    labels = {str(k): str(v) for k, v in labels.items()}
    starts = utc_timestamp(alert.get("startsAt"))
    if starts is None:
        raise RecordError("alert has no startsAt")
    status_field = alert.get("status")
    if isinstance(status_field, Mapping):  # API v2: {"state": "active" | "suppressed" | …}
        status = "firing"
    else:
        status = text_or_none(status_field) or text_or_none(group_status) or "firing"
    if status not in ("firing", "resolved"):
        raise RecordError(f"unknown alert status {status!r}")
    ends = utc_timestamp(alert.get("endsAt")) if status == "resolved" else None
    if status == "resolved" and ends is None:
        raise RecordError("resolved alert has no endsAt")
    if ends is not None and ends < starts:
        raise RecordError(f"endsAt {ends.isoformat()} is before startsAt {starts.isoformat()}")
    fp = text_or_none(alert.get("fingerprint")) or fingerprint(labels)
    annotations = alert.get("annotations") or {}
    everything = dict(labels)
    if isinstance(annotations, Mapping):
        everything.update({f"annotation.{k}": v for k, v in annotations.items()})
    severity_raw = labels.get("severity") or labels.get("priority")
    title = None
    if isinstance(annotations, Mapping):
        title = text_or_none(annotations.get("summary")) or text_or_none(
            annotations.get("description")
        )
    updated = utc_timestamp(alert.get("updatedAt"))
    return {
        Alerts.source: NAME,
        Alerts.alert_id: f"{fp}@{iso_z(starts)}",
        Alerts.incident_id: None,
        Alerts.rule_key: rule_key(labels, settings.identity_free_labels),
        Alerts.title: title or labels.get("alertname"),
        Alerts.service: labels.get("service") or labels.get("job"),
        Alerts.team: labels.get("team"),
        Alerts.severity: normalised_severity(severity_raw),
        Alerts.severity_raw: severity_raw,
        Alerts.created_at: starts,
        Alerts.resolved_at: ends,
        Alerts.resolved_by: "auto" if ends is not None else "unknown",
        # a notification of an already resolved alert interrupts nobody
        Alerts.paged: status == "firing" and any(settings.pages(r) for r in receivers),
        Alerts.labels: labels_json(everything),
        Alerts.dedup_count: 1,
        Alerts.version_at: ends or updated or starts,
    }


def _combined(old: Row, new: Row) -> Row:
    """One firing seen twice: resolved beats firing, paged if any notification paged."""
    newer = (
        new
        if (new[Alerts.version_at], new[Alerts.resolved_at] is not None)
        >= (old[Alerts.version_at], old[Alerts.resolved_at] is not None)
        else old
    )
    merged = dict(newer)
    merged[Alerts.paged] = bool(old[Alerts.paged]) or bool(new[Alerts.paged])
    merged[Alerts.dedup_count] = int(old[Alerts.dedup_count]) + int(new[Alerts.dedup_count])
    return merged


def _lifecycle_events(row: Row) -> list[Row]:
    """trigger (and resolve) events of a firing, for state-change counts."""
    events = [_event(row, "trigger", row[Alerts.created_at])]
    if row[Alerts.resolved_at] is not None:
        events.append(_event(row, "resolve", row[Alerts.resolved_at]))
    return events


def _event(row: Row, kind: str, at: Any) -> Row:
    return {
        Notifications.source: NAME,
        Notifications.event_id: f"{row[Alerts.alert_id]}:{kind}",
        Notifications.at: at,
        Notifications.kind: kind,
        Notifications.alert_id: row[Alerts.alert_id],
        Notifications.agent_type: "system",
        Notifications.channel: None,
        Notifications.version_at: at,
    }
