"""The BPI Challenge 2013 (Volvo IT) incident event log, read as ServiceNow-like incidents.

One row per status change (``SR Number``, ``Change Date+Time`` with offset, ``Status`` /
``Sub Status``, support team ``Involved ST``, level ``ST Level``, ``SR Latest Impact``). The
events of one SR fold into one incident:

- created_at: the first event; acknowledged_at: the first ``Accepted/In Progress`` event;
  resolved_at: the first ``Completed/Resolved``; closed_at: the last ``Completed/Closed``;
- reassignment_count: changes of ``Involved ST`` between consecutive events;
  escalation_count: rises of ``ST Level`` (L1 -> L2 -> L3); reopen_count: returns from a
  ``Completed`` status to a non-completed one;
- severity from ``SR Latest Impact``: Major -> critical, High -> high, Medium -> warning,
  Low -> info (override with ``severity_map``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from pathlib import Path

from alertlens.ingest.fields import normalised_severity, text_or_none, utc_timestamp
from alertlens.ingest.readers import _common
from alertlens.ingest.records import InputError, ParsedFile, RecordError, Row
from alertlens.ingest.schema import Incidents

KIND = "servicenow.bpi2013"
SOURCE = "servicenow"
IMPACT_SEVERITY: dict[str, str] = {
    "Major": "critical",
    "High": "high",
    "Medium": "warning",
    "Low": "info",
}
_COLUMNS = (
    "sr_number",
    "change_date+time",
    "status",
    "sub_status",
    "involved_st",
    "st_level",
    "sr_latest_impact",
    "product",
    "resource",
)


def read_bpi2013(path: Path, severity_map: Mapping[str, str]) -> ParsedFile:
    """One incident row per SR of a BPI 2013 event log; the other events count as deduplicated."""
    header, rows = _common.csv_rows(path)
    keys = [_common.header_key(h) for h in header]
    missing = [c for c in _COLUMNS if c not in keys]
    if missing:
        raise InputError(path, f"BPI 2013 log lacks column(s) {', '.join(missing)}")
    index = {c: keys.index(c) for c in _COLUMNS}
    parsed = ParsedFile(source=SOURCE, kind=KIND)
    events: dict[str, list[tuple[datetime, int, list[str]]]] = {}
    cache: dict[str, datetime | None] = {}

    def event(locator: str, fields: list[str]) -> None:
        number = text_or_none(fields[index["sr_number"]])
        stamp = fields[index["change_date+time"]]
        try:
            at = cache[stamp] if stamp in cache else cache.setdefault(stamp, utc_timestamp(stamp))
        except RecordError as err:
            raise RecordError(f"Change Date+Time: {err}") from err
        if number is None or at is None:
            raise RecordError("no SR Number or no Change Date+Time")
        known = events.setdefault(number, [])
        if known:
            parsed.deduplicated += 1
        known.append((at, int(locator.split()[-1]), fields))

    for locator, fields in parsed.checked(_common.full_rows(rows, len(keys)), check_json=False):
        parsed.attempt(locator, ",".join(fields), partial(event, locator, fields))
    impacts = {**IMPACT_SEVERITY, **severity_map}
    for number, history in events.items():
        history.sort(key=lambda e: (e[0], e[1]))
        parsed.add(Incidents.table, _incident(number, history, index, impacts))
    return parsed


def _incident(
    number: str,
    history: list[tuple[datetime, int, list[str]]],
    index: dict[str, int],
    impacts: Mapping[str, str],
) -> Row:
    def value(fields: list[str], column: str) -> str | None:
        return text_or_none(fields[index[column]])

    ack = resolved = closed = None
    reassignments = escalations = reopens = 0
    previous: list[str] | None = None
    for at, _, fields in history:
        status, sub = value(fields, "status"), value(fields, "sub_status")
        if ack is None and (status, sub) == ("Accepted", "In Progress"):
            ack = at
        if resolved is None and (status, sub) == ("Completed", "Resolved"):
            resolved = at
        if (status, sub) == ("Completed", "Closed"):
            closed = at
        if previous is not None:
            reassignments += value(previous, "involved_st") != value(fields, "involved_st")
            escalations += (value(fields, "st_level") or "") > (value(previous, "st_level") or "")
            reopens += value(previous, "status") == "Completed" and status != "Completed"
        previous = fields
    first, last = history[0][2], history[-1][2]
    impact = value(last, "sr_latest_impact")
    return {
        Incidents.source: SOURCE,
        Incidents.incident_id: number,
        Incidents.incident_number: number,
        Incidents.title: None,
        Incidents.service: value(first, "product"),
        Incidents.team: value(last, "involved_st"),
        Incidents.priority: impact,
        Incidents.severity: impacts.get(impact or "") or normalised_severity(impact),
        Incidents.status: f"{value(last, 'status')}/{value(last, 'sub_status')}",
        Incidents.created_at: history[0][0],
        Incidents.acknowledged_at: ack,
        Incidents.resolved_at: resolved,
        Incidents.closed_at: closed,
        Incidents.resolved_by: "human" if resolved else "unknown",
        Incidents.assignee: value(last, "resource"),
        Incidents.reopen_count: reopens,
        Incidents.escalation_count: escalations,
        Incidents.reassignment_count: reassignments,
        Incidents.reported_by: "human",
        Incidents.version_at: history[-1][0],
    }
