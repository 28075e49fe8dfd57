"""What several readers share: transparent ``.gz`` input, JSON / JSONL / CSV loading that turns
an unreadable file into one ``InputError``, header normalisation, option checking, and the
signatures of the vendor CSV exports (so exactly one reader claims each CSV)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

from alertlens.ingest.records import InputError, ParsedFile

HEAD_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_PSQL_FOOTER = re.compile(r"^\(\d+ rows?\)$")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes (whatever its name)."""
    try:
        with path.open("rb") as fh:
            return fh.read(2) == _GZIP_MAGIC
    except OSError:
        return False


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (the caller closes it)."""
    if is_gzip(path):
        return cast(IO[bytes], gzip.GzipFile(path, "rb"))
    return path.open("rb")


def open_text(path: Path) -> IO[str]:
    """The file as UTF-8 text (a leading BOM dropped), decompressed when it is gzip."""
    return io.TextIOWrapper(open_bytes(path), encoding="utf-8-sig", errors="strict", newline="")


def read_text(path: Path) -> str:
    """The whole file as text; InputError when it cannot be opened or decoded."""
    try:
        with open_text(path) as fh:
            return fh.read()
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise InputError(path, f"cannot read file ({err})") from err


def head_text(path: Path, limit: int = HEAD_BYTES) -> str:
    """The first ``limit`` bytes of the (decompressed) file as text; undecodable bytes replaced."""
    try:
        with open_bytes(path) as raw_fh:
            data = raw_fh.read(limit)
    except (OSError, EOFError):
        return ""
    return data.decode("utf-8-sig", errors="replace")


def sniff(path: Path, head: str) -> str:
    """The text detection should look at: ``head``, or the decompressed head of a gzip file."""
    if path.name.endswith(".gz") or not head or head.startswith("\x1f") or "\ufffd" in head[:8]:
        return head_text(path) if is_gzip(path) else head
    return head


def load_json(path: Path) -> Any:
    """The file's single JSON document; InputError when it is not JSON."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            path, f"not JSON ({err.msg} at line {err.lineno} column {err.colno})"
        ) from err


def looks_like_json_lines(text: str) -> bool:
    """True when the text holds more than one JSON value, one per line (JSONL)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
    except json.JSONDecodeError:
        return False
    return lines[0].lstrip().startswith("{") and lines[0].rstrip().endswith("}")


def json_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line text) for every non-blank line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line


def header_key(name: str) -> str:
    """A header name made case-, space- and punctuation-insensitive: ``"Created On "`` ->
    ``"created_on"``."""
    return re.sub(r"[^0-9a-z+#]+", "_", name.replace("\ufeff", "").strip().lower()).strip("_")


def csv_rows(path: Path, delimiter: str = ",") -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and an iterator of (line number where the row starts, fields).

    A trailing psql footer such as ``(3596 rows)`` is not a row and is skipped.
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as err:
        raise InputError(path, "empty CSV file (no header)") from err
    except csv.Error as err:
        raise InputError(path, f"not CSV ({err})") from err

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        try:
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                if len(fields) == 1 and _PSQL_FOOTER.match(fields[0].strip()):
                    continue
                yield line, fields
        except csv.Error as err:
            raise InputError(path, f"malformed CSV at line {reader.line_num} ({err})") from err

    return header, rows()


def full_rows(
    rows: Iterable[tuple[int, list[str]]], width: int, parsed: ParsedFile
) -> Iterator[tuple[int, list[str]]]:
    """The rows that have ``width`` fields. A ragged row is counted as read and quarantined
    with its line number, so the caller only counts the rows it gets."""
    for line, fields in rows:
        if len(fields) == width:
            yield line, fields
            continue
        parsed.read += 1
        parsed.reject(f"line {line}", f"{len(fields)} fields, header has {width}", ",".join(fields))


def csv_header(head: str, delimiter: str = ",") -> list[str] | None:
    """The header row of a CSV head, or None when ``head`` does not look like CSV."""
    first = head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if not first or first.lstrip().startswith(("{", "[")) or delimiter not in first:
        return None
    try:
        return next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None


# Every vendor CSV the readers know, by the normalised header names that identify it. The
# generic csv source claims only a CSV that matches none of these.
CSV_SIGNATURES: dict[str, frozenset[str]] = {
    "servicenow.csv": frozenset({"number", "sys_updated_at", "opened_at"}),
    "servicenow.bpi2013": frozenset({"sr_number", "change_date+time", "status", "sub_status"}),
    "pagerduty.csv": frozenset({"incident_number", "created_on", "service_name"}),
}


def known_csv_kind(header: Iterable[str]) -> str | None:
    """The vendor CSV kind whose signature the header contains, else None."""
    keys = {header_key(h) for h in header}
    for kind, signature in CSV_SIGNATURES.items():
        if signature <= keys:
            return kind
    return None


def unknown_keys(options: Mapping[str, Any], allowed: Iterable[str], section: str) -> None:
    """Raise ValueError naming every key of ``options`` that ``section`` does not know."""
    extra = sorted(set(options) - set(allowed))
    if extra:
        raise ValueError(
            f"[{section}]: unknown option(s) {', '.join(extra)}; "
            f"known: {', '.join(sorted(allowed)) or 'none'}"
        )


def latest(*moments: datetime | None) -> datetime | None:
    """The latest of the given times, ignoring None."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def uuid_in(text: str) -> str | None:
    """The first UUID in ``text``, or None."""
    match = _UUID.search(text)
    return match.group(0) if match else None


def int_or_none(value: Any) -> int | None:
    """``value`` as an int, or None when it is null or not a whole number."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.0*", text):
        return int(float(text))
    return None
