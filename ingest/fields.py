"""Small typed helpers every reader shares: timestamps, severities, labels, hashing."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alertlens.ingest.records import RecordError

NULL_TEXT = frozenset({"", "?", "null", "none", "nan", "n/a", "na", "-"})
_ISO_FAST = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_GO_ZERO_YEAR = 1


def is_null(value: Any) -> bool:
    """True for None and the texts exports use for "no value" ("", "?", "null", "NaN" …)."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    return isinstance(value, str) and value.strip().lower() in NULL_TEXT


def text_or_none(value: Any) -> str | None:
    """``value`` as stripped text, or None when it is a null marker."""
    return None if is_null(value) else str(value).strip()


def utc_timestamp(
    value: Any,
    *,
    assume_tz: str | None = None,
    date_format: str | None = None,
) -> datetime | None:
    """An aware UTC datetime from ISO-8601 text, a strptime ``date_format``, or epoch numbers.

    - Null markers and Go's zero time (``0001-01-01T00:00:00Z``) give None: they mean "no time".
    - Text without an offset needs ``assume_tz`` (an IANA zone name); it is never guessed.
    - Day-first vs month-first text (``03/04/2016``) is only read through an explicit
      ``date_format``; without one it is rejected.
    - Epoch numbers are read as s, ms, µs or ns by magnitude.
    - Fractions finer than microseconds are truncated.

    >>> utc_timestamp("2021-12-07T14:26:49.066423235Z").isoformat()
    '2021-12-07T14:26:49.066423+00:00'
    """
    if type(value) is str and assume_tz is None and date_format is None:
        return _utc_of_text(value)
    return _utc_timestamp(value, assume_tz=assume_tz, date_format=date_format)


@functools.lru_cache(maxsize=1 << 16)
def _utc_of_text(value: str) -> datetime | None:
    """utc_timestamp of text with no options, remembered: one firing's times come again in
    every webhook notification of it, and a page's entries share their seconds."""
    return _utc_timestamp(value)


def _utc_timestamp(
    value: Any, *, assume_tz: str | None = None, date_format: str | None = None
) -> datetime | None:
    if is_null(value):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    elif not isinstance(value, str):
        raise RecordError(f"{type(value).__name__} {_short(value)} is not a time")
    else:
        text = value.strip()
        if len(text) > 64:
            raise RecordError(f"timestamp {_short(text)} is not a time (too long)")
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return _from_epoch(float(text))
        if date_format is not None:
            try:
                parsed = datetime.strptime(text, date_format)
            except ValueError as err:
                raise RecordError(
                    f"timestamp {text!r} does not match format {date_format!r}"
                ) from err
        else:
            parsed = _from_iso(text)
    if parsed.year == _GO_ZERO_YEAR and parsed.month == 1 and parsed.day == 1:
        return None
    return as_utc(parsed, assume_tz, value)


def as_utc(parsed: datetime, assume_tz: str | None, value: Any = None) -> datetime:
    """``parsed`` in UTC; a naive time is read in ``assume_tz``. RecordError when it has no
    zone to read it in or falls outside the years a timestamp can hold."""
    if parsed.tzinfo is None:
        if assume_tz is None:
            raise RecordError(
                f"timestamp {value!r} has no UTC offset and no time zone is configured"
            )
        parsed = parsed.replace(tzinfo=_zone(assume_tz))
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError) as err:
        raise RecordError(f"timestamp {_short(value)} is out of range ({err})") from err


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _from_iso(text: str) -> datetime:
    if _ISO_FAST.match(text):
        # The common shape (2026-01-02T03:04:05[.ffffff](Z|±hh:mm)) parses as is; the regex
        # normalisation below is for the rest, and costs most of an ingest's parsing time.
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    if re.match(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", text):
        raise RecordError(
            f"timestamp {text!r} is day/month ambiguous; set the source's date_format"
        )
    normal = text.replace("Z", "+00:00").replace("z", "+00:00")
    normal = _FRACTION.sub(lambda m: m.group(1), normal, count=1)
    if " " in normal and "T" not in normal:
        normal = normal.replace(" ", "T", 1)
    # "+0000" style offsets are ISO basic format; fromisoformat wants "+00:00".
    normal = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", normal)
    normal = re.sub(r"T(.*) ([+-]\d{2}:\d{2})$", r"T\1\2", normal)
    normal = re.sub(r" ?UTC$", "+00:00", normal)
    try:
        return datetime.fromisoformat(normal)
    except ValueError as err:
        raise RecordError(f"timestamp {text!r} is not ISO-8601") from err


def _from_epoch(number: float) -> datetime | None:
    magnitude = abs(number)
    if magnitude < 1e11:
        seconds = number
    elif magnitude < 1e14:
        seconds = number / 1e3
    elif magnitude < 1e17:
        seconds = number / 1e6
    else:
        seconds = number / 1e9
    if seconds != seconds:
        raise RecordError("epoch NaN is not a time")
    if seconds <= 0:
        return None  # epoch 0 is a "never" sentinel, like Go's zero time
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    except OverflowError as err:
        raise RecordError(f"epoch {number:g} is out of range") from err


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as err:
        raise RecordError(f"unknown time zone {name!r}") from err


def time_zone_problem(name: Any) -> str | None:
    """Why ``name`` is not an IANA time zone, or None when it is one (checked with the
    options, so a bad zone is a configuration error, not a quarantine of every record)."""
    if not isinstance(name, str) or not name.strip():
        return f"expected an IANA time zone name such as \"Europe/Paris\", got {name!r}"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        return f"unknown time zone {name!r} ({err.__class__.__name__})"
    return None




_SEVERITY_WORDS: dict[str, str] = {}
for _canon, _words in {
    "critical": "critical crit fatal emergency emerg disaster p1 sev1 sev-1 s1 page blocker 1",
    "high": "high error err major p2 sev2 sev-2 s2 severe urgent 2",
    "warning": "warning warn medium minor moderate average p3 sev3 sev-3 s3 3",
    "info": "info informational information low notice debug ok p4 p5 sev4 sev5 s4 s5 4 5 none",
}.items():
    for _w in _words.split():
        _SEVERITY_WORDS[_w] = _canon


def normalised_severity(raw: Any) -> str:
    """One of critical, high, warning, info, unknown for a source's severity text.

    >>> normalised_severity("SEV-2"), normalised_severity("Major"), normalised_severity("???")
    ('high', 'high', 'unknown')
    """
    text = text_or_none(raw)
    if text is None:
        return "unknown"
    word = text.lower().strip()
    if word in _SEVERITY_WORDS:
        return _SEVERITY_WORDS[word]
    head = re.split(r"[\s_:()-]+", word)
    for token in head:
        if token in _SEVERITY_WORDS and not token.isdigit():
            return _SEVERITY_WORDS[token]
    return "unknown"


def labels_json(labels: Mapping[str, Any] | None) -> str | None:
    """Labels as compact JSON text with sorted keys and string values (stable across runs)."""
    if not labels:
        return None
    flat = {
        str(k): v if isinstance(v, str) else json.dumps(v, sort_keys=True)
        for k, v in labels.items()
    }
    return json.dumps(flat, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def iso_z(moment: datetime) -> str:
    """``moment`` in UTC as ISO-8601 truncated to whole seconds with a Z suffix."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer for ``parts``."""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)
