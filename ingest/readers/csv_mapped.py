"""Any other tool's CSV export, through a column mapping in ``alertlens.toml``.

``[sources.csv]`` is either one mapping itself or holds named mappings under
``[sources.csv.mappings.<name>]``; ``mapping = "<name>"`` picks one, else the one whose mapped
headers all appear in the file is used. A mapping names the target ``table`` (alerts or
incidents), maps canonical columns to CSV headers (``columns``; headers match case-, space-
and punctuation-insensitively), and may set ``date_format``, ``timezone``, ``delimiter`` and
``severity_map``. Unmapped CSV columns are kept in ``labels`` (alerts) so nothing is lost.
A trailing psql footer such as ``(3596 rows)`` is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from alertlens.ingest.dates import AmbiguousDates, DateColumns
from alertlens.ingest.fields import labels_json, normalised_severity, text_or_none
from alertlens.ingest.readers import _common
from alertlens.ingest.records import (
    Bad,
    InContext,
    InputError,
    NotConfigured,
    ParsedFile,
    RecordError,
    Row,
    collapse_duplicates,
)
from alertlens.ingest.schema import RECORD_TABLES, Alerts, Common, Incidents
from alertlens.ingest.settings_table import (
    Delimiter,
    Names,
    Severity,
    TimeZone,
    one_of,
    settings_dataclass,
    settings_from_table,
)
from alertlens.ingest.shape import FileShape
from alertlens.ingest.templates import title_templates

NAME = "csv"
KIND = "csv.mapped"
_TABLES = {Alerts.table: Alerts.alert_id, Incidents.table: Incidents.incident_id}
_NOT_MAPPABLE = {Common.source, Common.month, Common.ingested_from}
_HEADER_NAME = re.compile(r"^[\w .#+()/%:-]{1,64}$")


@settings_dataclass
class Recovery:
    """``[…recovery]``: rows whose ``column`` holds one of ``values`` are recovery notices. A
    recovery resolves the latest open firing before it with the same values in the ``match``
    headers (resolved_at = the recovery's time, resolved_by auto) and is folded into it
    (counted as deduplicated); a recovery with no open firing is skipped."""

    column: str  # the CSV header whose value marks a recovery row
    values: Names  # its values that mean "recovered" (case-insensitive), e.g. ["success"]
    match: Names = ()  # CSV headers a recovery and its firing share, e.g. ["name", "service"]

    @model_validator(mode="after")
    def _has_values(self) -> Recovery:
        if not self.values:
            raise ValueError("values: name at least one recovery value")
        object.__setattr__(self, "values", tuple(v.strip().lower() for v in self.values))
        return self


def _recovery(table: Any) -> Any:
    """A TOML table as a Recovery (whose own fields are checked strictly)."""
    if isinstance(table, Mapping):
        return settings_from_table(Recovery, table, "sources.csv.mappings.recovery")
    return table


def _mappable(columns: dict[str, str], table: str) -> dict[str, str]:
    schema, _ = RECORD_TABLES[table]
    unknown = sorted(set(columns) - (set(schema.names) - _NOT_MAPPABLE))
    if unknown:
        raise ValueError(f"columns: no canonical {table} column {', '.join(unknown)}")
    for required in (_TABLES[table], Alerts.created_at):
        if required not in columns:
            raise ValueError(f"columns: {required} must be mapped to a CSV header")
    return columns


@settings_dataclass
class CsvMapping:
    """One mapping from a CSV layout to a canonical table."""

    # canonical column -> CSV header (the id column and created_at are required)
    columns: dict[str, str]
    table: Annotated[str, AfterValidator(one_of(*_TABLES))] = Alerts.table
    # strptime format; needed for day/month text
    date_format: str | None = None
    # IANA zone for times without offset
    timezone: TimeZone | None = None
    delimiter: Delimiter = ","
    # raw value (case-insensitive) -> canonical severity
    severity_map: dict[str, Severity] = Field(default_factory=dict)
    # rows that resolve an earlier firing instead of firing themselves (alerts only)
    recovery: Annotated[Recovery | None, BeforeValidator(_recovery)] = None

    @model_validator(mode="after")
    def _complete(self) -> CsvMapping:
        _mappable(self.columns, self.table)
        if self.recovery is not None and self.table != Alerts.table:
            raise ValueError("recovery: only alerts mappings have recoveries")
        folded = {k.strip().lower(): v for k, v in self.severity_map.items()}
        object.__setattr__(self, "severity_map", folded)
        return self


def _mapping(table: Any) -> Any:
    """A TOML table as a CsvMapping (whose own fields are checked strictly)."""
    if isinstance(table, Mapping):
        return settings_from_table(CsvMapping, table, "sources.csv.mappings")
    return table


@settings_dataclass
class CsvOptions:
    """``[sources.csv]``: named mappings, and which one to use (default: the one whose headers
    the file has)."""

    mappings: dict[str, Annotated[CsvMapping, BeforeValidator(_mapping)]] = Field(
        default_factory=dict
    )
    mapping: str | None = None


def mappings_from_options(options: Mapping[str, Any]) -> dict[str, CsvMapping]:
    """The configured mappings by name (``""`` for a mapping written directly in [sources.csv])."""
    if "columns" in options:
        direct = {k: v for k, v in options.items() if k != "mapping"}
        return {"": settings_from_table(CsvMapping, direct, "sources.csv")}
    return dict(settings_from_table(CsvOptions, options, "sources.csv").mappings)


def detect(shape: FileShape) -> str | None:
    """``csv.mapped`` for a CSV that none of the vendor readers claims, else None. Whether a
    mapping fits it is decided when it is read (NotConfigured when none does)."""
    header = shape.header
    if shape.format != "csv" or len(header) < 2 or _common.known_csv_kind(header):
        return None
    if not all(_HEADER_NAME.match(h.strip()) for h in header):
        return None
    if shape.row and len(shape.row) != len(header):
        return None
    return KIND


def read(path: Path, options: Mapping[str, Any], kind: str | None = None) -> ParsedFile:
    """Every row of the CSV as a canonical alert or incident, through the configured mapping."""
    mappings = mappings_from_options(options)
    if not mappings:
        raise NotConfigured(
            path, "a CSV no reader knows: map its columns in [sources.csv] (docs/sources.md#csv)"
        )
    mapping = _chosen(path, mappings, options.get("mapping"))
    header, rows = _common.csv_rows(path, mapping.delimiter)
    keys = [_common.header_key(h) for h in header]
    index: dict[str, int] = {}
    for column, csv_header in mapping.columns.items():
        key = _common.header_key(csv_header)
        if key not in keys:
            raise InputError(
                path, f"mapped header {csv_header!r} ({column}) is not in the CSV header"
            )
        index[column] = keys.index(key)
    recovery = _recovery_index(path, mapping.recovery, keys)
    mapped = set(index.values())
    extra = [(header[i].strip(), i) for i in range(len(header)) if i not in mapped]
    parsed = ParsedFile(source=NAME, kind=KIND)
    records = list(_common.full_rows(rows, len(keys)))
    schema, _ = RECORD_TABLES[mapping.table]
    times = [c for c in index if pa.types.is_timestamp(schema.field(c).type)]
    try:
        dates = DateColumns.infer(
            ({c: f[index[c]] for c in times} for _, f in records if not isinstance(f, Bad)),
            times,
            timezone=mapping.timezone,
            date_format=mapping.date_format,
        )
    except AmbiguousDates as err:
        raise InputError(path, f"{err} in the [sources.csv] mapping") from err
    titles = title_templates(
        None if isinstance(f, Bad) else _field(f, index.get(Alerts.title)) for _, f in records
    )
    parsed.accept(
        (
            (where, fields if isinstance(fields, Bad) else InContext(fields, template))
            for (where, fields), template in zip(records, titles, strict=True)
        ),
        lambda item: _row(mapping, index, extra, item.value, item.context, dates, recovery),
        table=mapping.table,
        key=None if recovery else _TABLES[mapping.table],
        check_json=False,
    )
    if recovery is not None:
        _resolve_by_recoveries(parsed, mapping.table)
    parsed.finish_notes()
    parsed.notes.extend(dates.notes())
    return parsed


_RECOVERY = "__recovery"
_MATCH = "__match"


def _recovery_index(
    path: Path, recovery: Recovery | None, keys: list[str]
) -> tuple[int, frozenset[str], tuple[int, ...]] | None:
    if recovery is None:
        return None
    where = []
    for name in (recovery.column, *recovery.match):
        key = _common.header_key(name)
        if key not in keys:
            raise InputError(path, f"recovery header {name!r} is not in the CSV header")
        where.append(keys.index(key))
    return where[0], frozenset(recovery.values), tuple(where[1:])


def _resolve_by_recoveries(parsed: ParsedFile, table: str) -> None:
    """Close each firing with the first recovery after it of the same match values; fold the
    recovery rows away and keep one row per alert id."""
    rows = parsed.rows.pop(table, [])
    # within one timestamp (hour-bucketed exports), a firing comes before its recovery
    ordered = sorted(rows, key=lambda r: (r[Alerts.created_at], r[_RECOVERY]))
    open_firings: dict[tuple[str, ...], Row] = {}
    kept: list[Row] = []
    for row in ordered:
        match = row.pop(_MATCH)
        if not row.pop(_RECOVERY):
            open_firings[match] = row
            kept.append(row)
            continue
        firing = open_firings.pop(match, None)
        if firing is None:
            parsed.skip("recovery with no open firing before it")
            continue
        parsed.deduplicated += 1
        firing[Alerts.resolved_at] = row[Alerts.created_at]
        firing[Alerts.resolved_by] = "auto"
        firing[Common.version_at] = max(firing[Common.version_at], row[Alerts.created_at])
    parsed.rows[table], folded = collapse_duplicates(kept, (_TABLES[table],), Common.version_at)
    parsed.deduplicated += folded


def _chosen(path: Path, mappings: dict[str, CsvMapping], name: Any) -> CsvMapping:
    """The mapping named by ``name``, else the only one whose headers the file has
    (NotConfigured when none fits: the file waits for its mapping)."""
    if name is not None:
        if name not in mappings:
            raise InputError(path, f"no CSV mapping named {name!r} (have {', '.join(mappings)})")
        return mappings[name]
    fitting = []
    header: list[str] = []
    for mapping_name, mapping in mappings.items():
        header = _common.csv_header_of(path, mapping.delimiter)
        keys = {_common.header_key(h) for h in header}
        if all(_common.header_key(h) in keys for h in mapping.columns.values()):
            fitting.append(mapping_name)
    if not fitting:
        shown = ", ".join(header[:8]) + (" …" if len(header) > 8 else "")
        raise NotConfigured(
            path,
            f"a CSV no [sources.csv] mapping fits (columns {shown}): map its columns "
            "(docs/sources.md#csv)",
        )
    if len(fitting) > 1:
        names = ", ".join(fitting)
        raise InputError(
            path, f"CSV mappings fitting this header: {names}; set [sources.csv] mapping"
        )
    return mappings[fitting[0]]


def _field(fields: list[str], i: int | None) -> str | None:
    return None if i is None else text_or_none(fields[i])


def _row(
    mapping: CsvMapping,
    index: dict[str, int],
    extra: list[tuple[str, int]],
    fields: list[str],
    template: str | None,
    dates: DateColumns,
    recovery: tuple[int, frozenset[str], tuple[int, ...]] | None = None,
) -> Row:
    schema, _ = RECORD_TABLES[mapping.table]
    row: Row = {Common.source: NAME}
    for column, i in index.items():
        value = fields[i]
        kind = schema.field(column).type
        if pa.types.is_timestamp(kind):
            row[column] = dates.parse(column, value)
        elif pa.types.is_integer(kind):
            row[column] = _common.int_or_none(value)
        elif pa.types.is_boolean(kind):
            row[column] = {"true": True, "false": False, "1": True, "0": False}.get(
                value.strip().lower()
            )
        else:
            row[column] = text_or_none(value)
    key = _TABLES[mapping.table]
    if row.get(key) is None:
        raise RecordError(f"no {key}")
    created = row.get(Alerts.created_at)
    if created is None:
        raise RecordError("no created_at")
    resolved = row.get(Alerts.resolved_at)
    if resolved is not None and resolved < created:
        raise RecordError("resolved_at is before created_at")
    raw = row.get(Alerts.severity)
    row[Alerts.severity] = mapping.severity_map.get((raw or "").lower()) or normalised_severity(raw)
    row.setdefault(Alerts.resolved_by, None)
    row[Alerts.resolved_by] = row[Alerts.resolved_by] or "unknown"
    if mapping.table == Alerts.table:
        row[Alerts.severity_raw] = row.get(Alerts.severity_raw) or raw
        row[Alerts.rule_key] = row.get(Alerts.rule_key) or template or row.get(Alerts.title) or "-"
        if Alerts.labels not in index:
            row[Alerts.labels] = labels_json(
                {name: fields[i] for name, i in extra if fields[i] != ""}
            )
    lifecycle = [v for c, v in row.items() if isinstance(v, datetime) and c != Common.version_at]
    row[Common.version_at] = row.get(Common.version_at) or max(lifecycle)
    if recovery is not None:
        marker, recovered, matched = recovery
        row[_RECOVERY] = fields[marker].strip().lower() in recovered
        row[_MATCH] = tuple(fields[i] for i in matched)
    return row
