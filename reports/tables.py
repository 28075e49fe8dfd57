"""The report's tables as plain rows, for the CSV files written next to the HTML. Each table is
exactly what a section of the page shows (all rows, not only the first few): the columns are the
model's field names, durations stay in seconds and shares in fractions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Final

from alertlens.reports.model import Report

Row = dict[str, object]

HEADLINE: Final = "headline"
WEEKLY: Final = "weekly"
INCIDENTS: Final = "incidents"
NOISY_RULES: Final = "noisy_rules"
PROJECTION: Final = "projection"
STORMS: Final = "storms"
RUNBOOKS: Final = "rules_without_runbooks"
RESPONSE_BY_TEAM: Final = "response_by_team"
RESPONSE_BY_SERVICE: Final = "response_by_service"
RESPONSE_BY_SEVERITY: Final = "response_by_severity"
RECURRENCE: Final = "recurrence"
RESPONDERS: Final = "responders"
RESPONDER_WEEKS: Final = "responder_weeks"
BURNOUT: Final = "burnout"
SOURCES: Final = "sources"
QUARANTINE: Final = "quarantine"


def report_tables(report: Report) -> dict[str, list[Row]]:
    """Every exportable table of ``report`` by file stem; empty tables are left out."""
    noise, response, oncall = report.noise, report.response, report.oncall
    tables: dict[str, Sequence[object]] = {
        HEADLINE: report.headline,
        WEEKLY: report.weekly,
        INCIDENTS: report.incidents,
        NOISY_RULES: noise.rules,
        PROJECTION: noise.projections,
        STORMS: noise.storms,
        RUNBOOKS: noise.runbooks or (),
        RESPONSE_BY_TEAM: response.by_team,
        RESPONSE_BY_SERVICE: response.by_service,
        RESPONSE_BY_SEVERITY: response.by_severity,
        RECURRENCE: report.recurrences,
        RESPONDERS: oncall.responders,
        RESPONDER_WEEKS: oncall.load,
        BURNOUT: oncall.burnout,
        SOURCES: report.quality.sources,
        QUARANTINE: report.quality.reasons,
    }
    return {name: [_row(r) for r in rows] for name, rows in tables.items() if rows}


def _row(item: object) -> Row:
    assert is_dataclass(item) and not isinstance(item, type)
    # the fields as they are: no row holds a dataclass, and asdict's deep copy of every value
    # was most of the time of a large review's CSV tables
    return {f.name: _cell(getattr(item, f.name)) for f in fields(item)}


def _cell(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "; ".join(str(v) for v in value)
    return value
