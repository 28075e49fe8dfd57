"""What a reader returns: canonical rows per table, rejected records, and the file's accounting,
and the one loop every reader feeds its records through (:meth:`ParsedFile.accept`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pyarrow as pa

from alertlens.ingest.limits import json_value_problem, printable
from alertlens.ingest.schema import RECORD_TABLES, Common, Quarantine
from alertlens.ingest.settings_table import SettingsError

Row = dict[str, Any]
T = TypeVar("T")


class InputError(Exception):
    """A whole file cannot be read (not JSON, wrong format, wrong encoding, …).

    The message names the file and the reason; the CLI prints it as one line.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        reason = printable(reason)
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class NotConfigured(InputError):
    """A file a reader recognises but cannot read without settings it does not have yet (a
    CSV with no column map): listed as skipped, and read again once the settings exist."""


#: A ``[sources.<name>]`` setting is wrong: a configuration error (exit 2), never a record's
#: fault. The settings' own error, so the CLI reports both the same way.
OptionsError = SettingsError


class RecordError(ValueError):
    """One record is bad; the reader quarantines it and goes on."""


class Skip(Exception):
    """A record that is read but deliberately not a row (a pending alert is not a firing)."""


#: What a record's bad field values raise while a row is built; each becomes a quarantine.
VALUE_ERRORS = (
    RecordError,
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    IndexError,
    OverflowError,
)


class Bad:
    """A record that failed before it could be parsed (a JSON Lines line that is not JSON)."""

    __slots__ = ("raw", "reason")

    def __init__(self, reason: str, raw: object) -> None:
        self.reason = reason
        self.raw = raw


class InContext:
    """A raw record with what its container says about it (a webhook alert with its payload's
    receiver): checked and quarantined as ``value``, built from both."""

    __slots__ = ("context", "value")

    def __init__(self, value: object, context: Any) -> None:
        self.value = value
        self.context = context


@dataclass(frozen=True)
class Rejected:
    """A record that could not be accepted."""

    locator: str
    reason: str
    raw: str

    @staticmethod
    def of(locator: str, reason: str, raw: object) -> Rejected:
        """A rejection whose raw text is the record serialised and truncated."""
        if isinstance(raw, Bad):
            raw = raw.raw
        if isinstance(raw, InContext):
            raw = raw.value
        if isinstance(raw, str):
            text = raw
        else:
            try:
                text = json.dumps(raw, default=repr, ensure_ascii=False)
            except (ValueError, RecursionError):
                text = repr(raw)[: Quarantine.RAW_LIMIT]
        return Rejected(
            printable(locator), printable(reason), printable(text[: Quarantine.RAW_LIMIT])
        )


def reason_of(err: BaseException) -> str:
    """The quarantine reason for an error raised while a row was built."""
    if isinstance(err, RecordError):
        return str(err)
    return f"unexpected value ({type(err).__name__}: {err})"


@dataclass
class ParsedFile:
    """Everything one input file yields.

    ``read`` counts the file's records (incidents, alerts, log entries, CSV rows, alerts inside
    webhook payloads …). Every one of them ends up in exactly one of: accepted rows, ``rejected``,
    ``deduplicated`` (collapsed into another record of the same key in the same file) or
    ``skipped`` (read and deliberately not a row, e.g. a pending alert), so
    ``read == accepted + len(rejected) + deduplicated + skipped`` holds per file.
    """

    source: str
    kind: str
    rows: dict[str, list[Row]] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0
    deduplicated: int = 0
    skipped: int = 0
    truncated_alerts: int = 0
    notes: list[str] = field(default_factory=list)
    _positions: dict[tuple[str, Any], int] = field(default_factory=dict, repr=False)
    _skip_reasons: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, table: str, row: Row) -> None:
        """Append one canonical row to ``table``."""
        self.rows.setdefault(table, []).append(row)

    def add_newest(
        self,
        table: str,
        row: Row,
        key: str,
        merge: Callable[[Row, Row], Row] | None = None,
    ) -> bool:
        """Append ``row``, or fold it into the earlier row of ``table`` with the same ``key``
        (counted as deduplicated): the newer ``version_at`` stays in place, a tie goes to the
        later row; ``merge(old, new)`` replaces that rule when given. True when ``row`` is now
        the one kept."""
        rows = self.rows.setdefault(table, [])
        k = (table, row.get(key))
        at = self._positions.get(k)
        if at is None:
            self._positions[k] = len(rows)
            rows.append(row)
            return True
        self.deduplicated += 1
        if merge is not None:
            rows[at] = merge(rows[at], row)
            return rows[at] is row
        if _version_key(row.get(Common.version_at)) < _version_key(rows[at].get(Common.version_at)):
            return False
        rows[at] = row
        return True

    def reject(self, locator: str, reason: str, raw: object) -> None:
        """Record one rejected record."""
        self.rejected.append(Rejected.of(locator, reason, raw))

    def skip(self, reason: str) -> None:
        """Count one record read and deliberately left out; the notes say why and how many."""
        self.skipped += 1
        self._skip_reasons[reason] = self._skip_reasons.get(reason, 0) + 1

    def checked(self, records: Iterable[tuple[str, Any]], *, check_json: bool = True) -> Iterator[
        tuple[str, Any]
    ]:
        """The (locator, raw record) pairs that can be built into rows. Each pair is counted
        as read; a :class:`Bad` placeholder, or a JSON value past the limits (depth, field
        size, NaN, lone surrogates), is quarantined with its reason instead of yielded."""
        for locator, raw in records:
            self.read += 1
            value = raw.value if isinstance(raw, InContext) else raw
            if isinstance(value, Bad):
                self.reject(locator, value.reason, value.raw)
                continue
            problem = json_value_problem(value) if check_json else None
            if problem is not None:
                self.reject(locator, problem, raw)
                continue
            yield locator, raw

    def attempt(self, locator: str, raw: object, build: Callable[[], T]) -> T | None:
        """``build()``, or None after quarantining ``raw`` under ``locator`` when it raises a
        record error or trips over a bad value; a :class:`Skip` is counted as skipped."""
        try:
            return build()
        except Skip as why:
            self.skip(str(why))
        except VALUE_ERRORS as err:
            self.reject(locator, reason_of(err), raw)
        except RecursionError:
            self.reject(locator, "nested too deeply to read", "")
        return None

    def accept(
        self,
        records: Iterable[tuple[str, Any]],
        build: Callable[[Any], Row],
        *,
        table: str,
        key: str | None = None,
        merge: Callable[[Row, Row], Row] | None = None,
        check_json: bool = True,
    ) -> None:
        """Read every (locator, raw record) pair into ``table``: count it, quarantine it with
        the reason when it is unsafe or ``build`` rejects it, skip it when ``build`` raises
        :class:`Skip`, and keep the newest version per ``key`` (or ``merge`` the two)."""
        for locator, raw in self.checked(records, check_json=check_json):
            row = self.attempt(locator, raw, partial(build, raw))
            if row is None:
                continue
            problem = row_problem(table, row)
            if problem is not None:
                self.reject(locator, problem, raw)
                continue
            if key is None:
                self.add(table, row)
            else:
                self.add_newest(table, row, key, merge)

    def finish_notes(self) -> None:
        """Add one note per reason records were skipped for (call once, after reading)."""
        for reason, count in self._skip_reasons.items():
            self.notes.append(f"{count} record(s) skipped: {reason}")
        self._skip_reasons.clear()

    @property
    def accepted(self) -> int:
        """Records accepted: the file's records that were neither rejected, deduplicated nor
        skipped."""
        return self.read - len(self.rejected) - self.deduplicated - self.skipped


class SourceReader(Protocol):
    """What every module under ``ingest/readers/`` provides."""

    NAME: str

    def detect(self, shape: Any) -> str | None:
        """The export kind if this reader recognises the file's structure
        (:class:`ingest.shape.FileShape`), else None."""
        ...

    def read(self, path: Path, options: Mapping[str, Any], kind: str | None = None) -> ParsedFile:
        """Parse the whole file. Raises InputError when the file as a whole is unreadable."""
        ...


def _python_types(kind: pa.DataType) -> tuple[type, ...]:
    if pa.types.is_timestamp(kind):
        return (datetime,)
    if pa.types.is_boolean(kind):
        return (bool,)
    if pa.types.is_integer(kind):
        return (int,)
    if pa.types.is_floating(kind):
        return (int, float)
    return (str,)


_ROW_TYPES: dict[str, list[tuple[str, tuple[type, ...]]]] = {
    table: [(f.name, _python_types(f.type)) for f in schema]
    for table, (schema, _) in RECORD_TABLES.items()
}


def row_problem(table: str, row: Row) -> str | None:
    """Why ``row`` cannot be stored in ``table`` (a value of the wrong type, an int past
    64 bits), or None when it fits the schema."""
    for column, types in _ROW_TYPES[table]:
        value = row.get(column)
        if value is None:
            continue
        if not isinstance(value, types) or (types == (int,) and isinstance(value, bool)):
            return f"{column}: {type(value).__name__} where {types[0].__name__} is expected"
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1 << 63:
            return f"{column}: {value} does not fit in 64 bits"
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"{column}: text holds a lone UTF-16 surrogate"
    return None


def rows_to_table(table: str, rows: Iterable[Row]) -> pa.Table:
    """Rows as an Arrow table with the canonical schema of ``table``; missing columns are null."""
    schema, _ = RECORD_TABLES[table]
    rows = list(rows)
    try:  # the dicts converted in C++ at once: a third of the time of a list per column
        return pa.Table.from_struct_array(pa.array(rows, type=_ROW_STRUCTS[table])).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        pass  # a value the schema cannot hold: built column by column, which says where
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.table(columns, schema=schema)


_ROW_STRUCTS = {table: pa.struct(list(schema)) for table, (schema, _) in RECORD_TABLES.items()}


def collapse_duplicates(
    rows: list[Row], key: tuple[str, ...], version: str
) -> tuple[list[Row], int]:
    """Rows with one row per key (the newest ``version`` wins, later rows win ties), and how many
    rows were folded away."""
    best: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        k = tuple(row.get(c) for c in key)
        old = best.get(k)
        if old is None or _version_key(row.get(version)) >= _version_key(old.get(version)):
            best[k] = row
    return list(best.values()), len(rows) - len(best)


def _version_key(v: Any) -> tuple[int, Any]:
    return (0, 0) if v is None else (1, v)
