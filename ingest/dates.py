"""Dates of a text column decided from all its values, as DuckDB's CSV sniffer does.

``03/04/2016`` alone is ambiguous; a column holding it next to ``24/3/2016`` is not: 24 can
only be a day, so the whole column is day-first. :class:`DateColumns` looks at every value of
every time column of a file before one is parsed:

- a column with a value whose first number exceeds 12 (and none whose second does) is
  day-first; the other way round it is month-first; a four-digit first number is year-first;
- a column whose values all fit both orders is ambiguous: the file is refused with one line
  naming the column and two of its values, asking for ``date_format`` (in a column of other
  values, such as ISO-8601, an ambiguous value is only its record's problem: quarantined);
- a column mixing day-only and month-only values is refused the same way;
- ISO-8601 and epoch values need no decision.

Text without a UTC offset is read in the configured ``timezone``; with none configured it is
read as UTC and the file's notes say so (``assumed_utc``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alertlens.ingest.fields import as_utc, is_null, utc_timestamp
from alertlens.ingest.records import RecordError

DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
YEAR_FIRST = "year-first"

_NUMERIC = re.compile(
    r"(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([AaPp][Mm])?)?"
)


class AmbiguousDates(ValueError):
    """A column whose dates cannot be read without ``date_format``."""


def column_order(column: str, values: Iterable[Any]) -> str | None:
    """The day/month order of a column's ``d/m/y``-style values, or None when it has none.

    AmbiguousDates names the column and two example values when the values cannot decide.
    """
    day_only: str | None = None
    month_only: str | None = None
    year_first: str | None = None
    either: list[str] = []
    others = 0
    for value in values:
        if not isinstance(value, str):
            continue
        match = _NUMERIC.fullmatch(value.strip())
        if match is None:
            others += 1
            continue
        first, second = int(match.group(1)), int(match.group(3))
        if len(match.group(1)) == 4:
            year_first = year_first or value
        elif first > 12 and second <= 12:
            day_only = day_only or value
        elif second > 12 and first <= 12:
            month_only = month_only or value
        elif len(either) < 2 and value not in either:
            either.append(value)
    if day_only and month_only:
        raise AmbiguousDates(
            f"column {column!r} mixes day-first ({day_only!r}) and month-first "
            f"({month_only!r}) dates; set date_format"
        )
    if day_only:
        return DAY_FIRST
    if month_only:
        return MONTH_FIRST
    if either and not others and not year_first:
        shown = " and ".join(repr(v) for v in either)
        raise AmbiguousDates(
            f"column {column!r}: every date is day/month ambiguous ({shown}); set date_format"
        )
    return YEAR_FIRST if year_first else None


def numeric_date(text: str, order: str) -> datetime:
    """A naive datetime from ``d/m/y``-style text read in ``order``; RecordError if it is not
    one."""
    match = _NUMERIC.fullmatch(text.strip())
    if match is None:
        raise RecordError(f"timestamp {text!r} does not look like the column's other dates")
    a, _, b, c, hour, minute, second, fraction, half = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif order == YEAR_FIRST:
        raise RecordError(
            f"timestamp {text!r} is day/month ambiguous; set the source's date_format"
        )
    elif order == DAY_FIRST:
        day, month, year = int(a), int(b), int(c)
    else:
        month, day, year = int(a), int(b), int(c)
    if len(str(year)) <= 2:
        year += 2000 if year < 70 else 1900
    h = int(hour or 0)
    if half:
        h = h % 12 + (12 if half.lower() == "pm" else 0)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(year, month, day, h, int(minute or 0), int(second or 0), micro)
    except ValueError as err:
        raise RecordError(f"timestamp {text!r} is not a date ({err})") from err


@dataclass
class DateColumns:
    """The time columns of one file, each read the way all its values agree on."""

    timezone: str | None = None
    date_format: str | None = None
    orders: dict[str, str | None] = field(default_factory=dict)
    assumed_utc: bool = False
    _cache: dict[tuple[str, str], datetime | str | None] = field(default_factory=dict)

    @classmethod
    def infer(
        cls,
        records: Iterable[Mapping[str, Any]],
        columns: Iterable[str],
        *,
        timezone: str | None,
        date_format: str | None,
    ) -> DateColumns:
        """The columns' orders from every value ``records`` hold (AmbiguousDates when one
        cannot be decided). With ``date_format`` set, nothing is inferred."""
        dates = cls(timezone=timezone, date_format=date_format)
        if date_format is None:
            wanted = list(columns)
            seen: dict[str, set[Any]] = {c: set() for c in wanted}
            adders = [(column, seen[column].add) for column in wanted]
            for record in records:
                for column, add in adders:
                    value = record.get(column)
                    if type(value) is str:  # exact type: the common case, and hashable
                        add(value)
            dates.orders = {
                c: column_order(c, (v for v in seen[c] if not is_null(v))) for c in wanted
            }
        return dates

    def parse(self, column: str, value: Any) -> datetime | None:
        """``value`` of ``column`` as an aware UTC datetime (None for null markers);
        RecordError naming the column otherwise."""
        try:
            return self._cached(column, value)
        except RecordError as err:
            raise RecordError(f"{column}: {err}") from None

    def _cached(self, column: str, value: Any) -> datetime | None:
        if not isinstance(value, str):
            return self._parse(column, value)
        # columns read the same way share the cache: event logs repeat one time in many columns
        key = (self.orders.get(column) or "", value)
        hit = self._cache.get(key, self._cache)
        if hit is self._cache:
            try:
                hit = self._parse(column, value)
            except RecordError as err:
                hit = str(err)
            self._cache[key] = hit
        if isinstance(hit, str):
            raise RecordError(hit)
        return hit  # type: ignore[return-value]

    def _parse(self, column: str, value: Any) -> datetime | None:
        zone = self.timezone or "UTC"
        order = self.orders.get(column)
        if order is not None and isinstance(value, str) and not is_null(value):
            match = _NUMERIC.fullmatch(value.strip())
            if match is not None:
                self.assumed_utc = self.assumed_utc or self.timezone is None
                return as_utc(numeric_date(value, order), zone, value)
        fmt = self.date_format
        try:
            moment = utc_timestamp(value, date_format=fmt)
        except RecordError as err:
            if fmt is not None and "does not match format" in str(err):
                fmt = None  # an ISO-8601 value next to formatted ones reads as itself
                try:
                    moment = utc_timestamp(value)
                except RecordError as iso_err:
                    if "no UTC offset" not in str(iso_err):
                        raise err from iso_err
                    self.assumed_utc = self.assumed_utc or self.timezone is None
                    return utc_timestamp(value, assume_tz=zone)
                return moment
            if "no UTC offset" not in str(err):
                raise
            self.assumed_utc = self.assumed_utc or self.timezone is None
            return utc_timestamp(value, assume_tz=zone, date_format=fmt)
        return moment

    def notes(self) -> list[str]:
        """What the file's notes should say about how its times were read."""
        notes = [
            f"column {column} read {order.replace('-', ' ')} (from its values)"
            for column, order in self.orders.items()
            if order in (DAY_FIRST, MONTH_FIRST)
        ]
        if self.assumed_utc:
            notes.append("times without a UTC offset were read as UTC (set timezone to change)")
        return notes
