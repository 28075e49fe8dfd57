"""The canonical model: the single source of truth for table and column names.

Every persisted table is declared here once, as a namespace of column names plus a pyarrow
schema. Other modules refer to columns through these namespaces (``Alerts.created_at``), never
as bare string literals, so a rename is a one-line change.

All timestamps are ``timestamp[us, tz=UTC]``.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

# The metrics outputs and summary.json are named in metrics_schema; re-exported here so
# "the schema module" names every persisted column and key.
from alertlens.ingest.metrics_schema import Summary as Summary
from alertlens.ingest.metrics_schema import SummaryJson as SummaryJson

TS: Final = pa.timestamp("us", tz="UTC")

# --- vocabularies -------------------------------------------------------------------------

SEVERITIES: Final = ("critical", "high", "warning", "info", "unknown")
RESOLVED_BY: Final = ("human", "auto", "timeout", "unknown")
NOTIFICATION_KINDS: Final = (
    "trigger",
    "notify",
    "acknowledge",
    "unacknowledge",
    "escalate",
    "assign",
    "reassign",
    "resolve",
    "reopen",
    "annotate",
    "snooze",
    "merge",
    "priority",
    "other",
)


class Common:
    """Columns every record table carries."""

    source = "source"
    month = "month"  # partition column, YYYY-MM of the record's created_at (UTC)
    version_at = "version_at"  # how new this version of the record is; newest wins on upsert
    ingested_from = "ingested_from"  # sha256 of the file this version came from


class Alerts(Common):
    """One row per alert firing."""

    table = "alerts"
    alert_id = "alert_id"
    incident_id = "incident_id"
    rule_key = "rule_key"
    title = "title"
    service = "service"
    team = "team"
    severity = "severity"
    severity_raw = "severity_raw"
    created_at = "created_at"
    acknowledged_at = "acknowledged_at"
    resolved_at = "resolved_at"
    resolved_by = "resolved_by"
    paged = "paged"
    labels = "labels"  # JSON object text: the source's labels / details, flattened to strings
    dedup_count = "dedup_count"  # how many raw events the source folded into this firing
    key = (Common.source, alert_id)


class Incidents(Common):
    """One row per incident."""

    table = "incidents"
    incident_id = "incident_id"
    incident_number = "incident_number"
    title = "title"
    service = "service"
    team = "team"
    priority = "priority"
    severity = "severity"
    urgency = "urgency"
    status = "status"
    created_at = "created_at"
    acknowledged_at = "acknowledged_at"
    mitigated_at = "mitigated_at"
    resolved_at = "resolved_at"
    closed_at = "closed_at"
    resolved_by = "resolved_by"
    assignee = "assignee"
    reopen_count = "reopen_count"
    escalation_count = "escalation_count"
    reassignment_count = "reassignment_count"
    major = "major"
    merged_into = "merged_into"  # set when the incident was merged away into another one
    alert_count = "alert_count"
    reported_by = "reported_by"  # "alert" (monitoring) or "human"; null when unknown
    postmortem = "postmortem"  # link / problem id / status when the source records one
    key = (Common.source, incident_id)


class Notifications(Common):
    """One row per lifecycle event of an incident or alert."""

    table = "notifications"
    event_id = "event_id"
    at = "at"
    kind = "kind"
    user = "user"
    channel = "channel"
    incident_id = "incident_id"
    alert_id = "alert_id"
    agent_type = "agent_type"  # user, service, integration, timeout, system …
    key = (Common.source, event_id)


class Quarantine:
    """Every rejected input record, with where it was and why."""

    table = "quarantine"
    source = "source"
    file = "file"
    file_sha256 = "file_sha256"
    locator = "locator"  # "line 12" or a JSON pointer "/incidents/3"
    reason = "reason"
    raw = "raw"  # the record's text, truncated to RAW_LIMIT characters
    quarantined_at = "quarantined_at"
    RAW_LIMIT = 2000


class Manifest:
    """One row per ingested file."""

    table = "manifest"
    file_sha256 = "file_sha256"
    file = "file"
    source = "source"
    kind = "kind"  # the export format detected, e.g. "pagerduty.incidents"
    ingested_at = "ingested_at"
    read = "read"
    accepted = "accepted"
    quarantined = "quarantined"
    deduplicated = "deduplicated"
    skipped = "skipped"  # records read and deliberately not rows (pending alerts)
    truncated_alerts = "truncated_alerts"  # alerts the sender said it left out (Alertmanager)
    settings = "settings"  # hash of the reader settings the file was read with
    reason = "reason"  # why a file was not read (kind unrecognised / unreadable)

    #: ``kind`` of files that were listed but not read.
    UNRECOGNISED = "unrecognised"
    UNREADABLE = "unreadable"
    EMPTY = "empty"


ALERTS_SCHEMA: Final = pa.schema(
    [
        pa.field(Alerts.source, pa.string(), nullable=False),
        pa.field(Alerts.alert_id, pa.string(), nullable=False),
        pa.field(Alerts.incident_id, pa.string()),
        pa.field(Alerts.rule_key, pa.string(), nullable=False),
        pa.field(Alerts.title, pa.string()),
        pa.field(Alerts.service, pa.string()),
        pa.field(Alerts.team, pa.string()),
        pa.field(Alerts.severity, pa.string(), nullable=False),
        pa.field(Alerts.severity_raw, pa.string()),
        pa.field(Alerts.created_at, TS, nullable=False),
        pa.field(Alerts.acknowledged_at, TS),
        pa.field(Alerts.resolved_at, TS),
        pa.field(Alerts.resolved_by, pa.string(), nullable=False),
        pa.field(Alerts.paged, pa.bool_()),
        pa.field(Alerts.labels, pa.string()),
        pa.field(Alerts.dedup_count, pa.int64()),
        pa.field(Alerts.version_at, TS),
        pa.field(Alerts.ingested_from, pa.string()),
    ]
)

INCIDENTS_SCHEMA: Final = pa.schema(
    [
        pa.field(Incidents.source, pa.string(), nullable=False),
        pa.field(Incidents.incident_id, pa.string(), nullable=False),
        pa.field(Incidents.incident_number, pa.string()),
        pa.field(Incidents.title, pa.string()),
        pa.field(Incidents.service, pa.string()),
        pa.field(Incidents.team, pa.string()),
        pa.field(Incidents.priority, pa.string()),
        pa.field(Incidents.severity, pa.string(), nullable=False),
        pa.field(Incidents.urgency, pa.string()),
        pa.field(Incidents.status, pa.string()),
        pa.field(Incidents.created_at, TS, nullable=False),
        pa.field(Incidents.acknowledged_at, TS),
        pa.field(Incidents.mitigated_at, TS),
        pa.field(Incidents.resolved_at, TS),
        pa.field(Incidents.closed_at, TS),
        pa.field(Incidents.resolved_by, pa.string(), nullable=False),
        pa.field(Incidents.assignee, pa.string()),
        pa.field(Incidents.reopen_count, pa.int64()),
        pa.field(Incidents.escalation_count, pa.int64()),
        pa.field(Incidents.reassignment_count, pa.int64()),
        pa.field(Incidents.major, pa.bool_()),
        pa.field(Incidents.merged_into, pa.string()),
        pa.field(Incidents.alert_count, pa.int64()),
        pa.field(Incidents.reported_by, pa.string()),
        pa.field(Incidents.postmortem, pa.string()),
        pa.field(Incidents.version_at, TS),
        pa.field(Incidents.ingested_from, pa.string()),
    ]
)

NOTIFICATIONS_SCHEMA: Final = pa.schema(
    [
        pa.field(Notifications.source, pa.string(), nullable=False),
        pa.field(Notifications.event_id, pa.string(), nullable=False),
        pa.field(Notifications.at, TS, nullable=False),
        pa.field(Notifications.kind, pa.string(), nullable=False),
        pa.field(Notifications.user, pa.string()),
        pa.field(Notifications.channel, pa.string()),
        pa.field(Notifications.incident_id, pa.string()),
        pa.field(Notifications.alert_id, pa.string()),
        pa.field(Notifications.agent_type, pa.string()),
        pa.field(Notifications.version_at, TS),
        pa.field(Notifications.ingested_from, pa.string()),
    ]
)

QUARANTINE_SCHEMA: Final = pa.schema(
    [
        pa.field(Quarantine.source, pa.string()),
        pa.field(Quarantine.file, pa.string(), nullable=False),
        pa.field(Quarantine.file_sha256, pa.string(), nullable=False),
        pa.field(Quarantine.locator, pa.string(), nullable=False),
        pa.field(Quarantine.reason, pa.string(), nullable=False),
        pa.field(Quarantine.raw, pa.string()),
        pa.field(Quarantine.quarantined_at, TS),
    ]
)

MANIFEST_SCHEMA: Final = pa.schema(
    [
        pa.field(Manifest.file_sha256, pa.string(), nullable=False),
        pa.field(Manifest.file, pa.string(), nullable=False),
        pa.field(Manifest.source, pa.string()),
        pa.field(Manifest.kind, pa.string()),
        pa.field(Manifest.ingested_at, TS),
        pa.field(Manifest.read, pa.int64()),
        pa.field(Manifest.accepted, pa.int64()),
        pa.field(Manifest.quarantined, pa.int64()),
        pa.field(Manifest.deduplicated, pa.int64()),
        pa.field(Manifest.truncated_alerts, pa.int64()),
        pa.field(Manifest.skipped, pa.int64()),
        pa.field(Manifest.settings, pa.string()),
        pa.field(Manifest.reason, pa.string()),
    ]
)

#: The record tables of the lake: name -> (schema, key columns).
RECORD_TABLES: Final[dict[str, tuple[pa.Schema, tuple[str, ...]]]] = {
    Alerts.table: (ALERTS_SCHEMA, Alerts.key),
    Incidents.table: (INCIDENTS_SCHEMA, Incidents.key),
    Notifications.table: (NOTIFICATIONS_SCHEMA, Notifications.key),
}

#: Columns whose values come from a closed vocabulary: (table, column) -> allowed values.
VOCABULARIES: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    (Alerts.table, Alerts.severity): SEVERITIES,
    (Alerts.table, Alerts.resolved_by): RESOLVED_BY,
    (Incidents.table, Incidents.severity): SEVERITIES,
    (Incidents.table, Incidents.resolved_by): RESOLVED_BY,
    (Notifications.table, Notifications.kind): NOTIFICATION_KINDS,
}

#: The time column whose month partitions each record table.
PARTITION_TIME: Final[dict[str, str]] = {
    Alerts.table: Alerts.created_at,
    Incidents.table: Incidents.created_at,
    Notifications.table: Notifications.at,
}


class Scored:
    """Columns of ``<lake>/analysis/alerts_scored.parquet`` beyond the alert columns."""

    file = "alerts_scored.parquet"
    is_noise = "is_noise"
    noise_reasons = "noise_reasons"  # list<string> of signal names
    title_template = "title_template"
    template_id = "template_id"
    correlation_group = "correlation_group"  # the alert's episode ("e<n>")
    rule_name = "rule_name"  # how a person calls the alert's rule


class Rules:
    """Columns of ``<lake>/analysis/rules.parquet``: one row per rule_key."""

    file = "rules.parquet"
    rule_key = "rule_key"
    rule_name = "rule_name"  # how a person calls the rule: its alertname (and service) when known
    identity_basis = "identity_basis"  # alertname, monitor, alarm, check, alias, template, source
    title_template = "title_template"
    service = "service"
    team = "team"
    source = "source"
    firings = "firings"
    pages = "pages"
    noise_share = "noise_share"
    is_noisy = "is_noisy"
    reasons = "reasons"  # list<string>: human sentences with the rule's own numbers
    recommendation = "recommendation"  # one concrete fix
    recommendation_kind = "recommendation_kind"
    verdict = "verdict"  # noisy, keep, needs more data, cannot tell, quiet since YYYY-MM-DD
    confidence = "confidence"  # posterior probability that the verdict's side is right
    noise_low = "noise_low"  # 80% credible interval of the rule's noise rate
    noise_high = "noise_high"
    evidence = "evidence"  # list<string>: the signals that could be evaluated on its firings
    last_fired = "last_fired"
    family = "family"  # cluster label
    family_name = "family_name"  # what its family has in common, for a person


ANALYSIS_DIR: Final = "analysis"
WHATIF_FILE: Final = (
    "whatif.parquet"  # per team and "all": pages/incidents per week now and after fixes
)
CORRELATION_FILE: Final = "correlation.parquet"  # groups of alerts that fire together


def empty_table(schema: pa.Schema) -> pa.Table:
    """An empty table with ``schema``."""
    return schema.empty_table()
