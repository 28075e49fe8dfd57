"""What several readers share: transparent ``.gz`` input, JSON / JSONL / CSV loading that turns
an unreadable file into one ``InputError``, header normalisation, option checking, and the
signatures of the vendor CSV exports (so exactly one reader claims each CSV)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

from alertlens.ingest import limits
from alertlens.ingest.records import Bad, InputError

_GZIP_MAGIC = b"\x1f\x8b"
_PSQL_FOOTER = re.compile(r"^\(\d+ rows?\)$")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes (whatever its name)."""
    try:
        with path.open("rb") as fh:
            return fh.read(2) == _GZIP_MAGIC
    except OSError:
        return False


class _LimitedInput(io.RawIOBase):
    """A file's bytes, gunzipped on the fly when it is gzip, that refuse to go past the
    decompression limits: a bomb stops with an InputError after a few MiB, never in memory."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.count = 0
        self._raw = path.open("rb")
        self._gzip = self._raw.read(2) == _GZIP_MAGIC
        self._raw.seek(0)
        self._inner: IO[bytes] = (
            cast(IO[bytes], gzip.GzipFile(fileobj=self._raw)) if self._gzip else self._raw
        )

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._inner.read(len(buffer))
        except (OSError, EOFError, zlib.error) as err:
            raise InputError(self.path, f"corrupt gzip data ({err})") from err
        n = len(data)
        self.count += n
        if self._gzip:
            if self.count > limits.MAX_DECOMPRESSED_BYTES:
                raise InputError(
                    self.path,
                    f"decompresses to more than {limits.MAX_DECOMPRESSED_BYTES >> 20} MiB "
                    "(the limit): not read",
                )
            packed = max(self._raw.tell(), 1)
            if self.count > limits.GZIP_RATIO_FLOOR and self.count > limits.MAX_GZIP_RATIO * packed:
                raise InputError(
                    self.path,
                    f"decompresses to over {limits.MAX_GZIP_RATIO} times its size "
                    "(a gzip bomb): not read",
                )
        buffer[:n] = data
        return n

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            self._raw.close()
        super().close()


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip, within the limits (the caller closes
    it). InputError when it cannot be opened."""
    try:
        return io.BufferedReader(_LimitedInput(path), buffer_size=1 << 16)
    except OSError as err:
        raise InputError(path, f"cannot read file ({err.strerror or err})") from err


def open_text(path: Path, errors: str = "strict") -> IO[str]:
    """The file as UTF-8 text (a leading BOM dropped), decompressed when it is gzip."""
    return io.TextIOWrapper(open_bytes(path), encoding="utf-8-sig", errors=errors, newline="")


def not_utf8(path: Path, err: UnicodeDecodeError) -> InputError:
    """The InputError for text that is not UTF-8, naming UTF-16 when its byte-order mark says so."""
    if err.object[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return InputError(path, "UTF-16 text: alertlens reads UTF-8 (re-save the file as UTF-8)")
    return InputError(path, f"not UTF-8 text ({err.reason} at byte {err.start})")


def read_text(path: Path) -> str:
    """The whole file as text (at most MAX_DOCUMENT_BYTES); InputError when it cannot be opened,
    decoded or is too large to hold."""
    limit = limits.MAX_DOCUMENT_BYTES
    try:
        with open_text(path) as fh:
            text = fh.read(limit + 1)
    except UnicodeDecodeError as err:
        raise not_utf8(path, err) from err
    if len(text) > limit:
        raise InputError(
            path, f"one JSON document larger than {limit >> 20} MiB: split it or use JSON Lines"
        )
    return text


def text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) for every line, streamed. Bytes that are not UTF-8 stay in the line
    as escapes; ``undecodable`` says which line has some."""
    with open_text(path, errors="surrogateescape") as fh:
        yield from enumerate(fh, start=1)


def undecodable(text: str) -> str | None:
    """Why ``text`` (read with surrogateescape) is not UTF-8, or None when it is."""
    if text.isascii():  # the usual case, checked in C far faster than the search below
        return None
    found = _ESCAPED_BYTE.search(text)
    if found is None:
        return None
    return f"not UTF-8 text (byte 0x{ord(found.group(0)) - 0xDC00:02X})"


def load_json(path: Path) -> Any:
    """The file's single JSON document; InputError when it is not JSON."""
    from alertlens.ingest.jsonfiles import loads

    text = read_text(path)
    try:
        return loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            path, f"not JSON ({err.msg} at line {err.lineno} column {err.colno})"
        ) from err


def header_key(name: str) -> str:
    """A header name made case-, space- and punctuation-insensitive: ``"Created On "`` ->
    ``"created_on"``."""
    return re.sub(r"[^0-9a-z+#]+", "_", name.replace("\ufeff", "").strip().lower()).strip("_")


def csv_rows(
    path: Path, delimiter: str = ","
) -> tuple[list[str], Iterator[tuple[int, list[str] | Bad]]]:
    """The header and an iterator of (line number where the row starts, fields), streamed.

    A trailing psql footer such as ``(3596 rows)`` is not a row and is skipped. A row the csv
    module cannot parse (a NUL byte, a field past the size limit) or that is not UTF-8 comes
    as a :class:`Bad` placeholder, so the reader quarantines it and goes on.
    """
    csv.field_size_limit(limits.MAX_FIELD_CHARS)
    fh = open_text(path, errors="surrogateescape")
    reader = csv.reader(fh, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as err:
        fh.close()
        raise InputError(path, "empty CSV file (no header)") from err
    except csv.Error as err:
        fh.close()
        raise InputError(path, f"not CSV ({err})") from err
    if undecodable(",".join(header)):
        fh.close()
        raise InputError(path, f"header is {undecodable(','.join(header))}")

    def rows() -> Iterator[tuple[int, list[str] | Bad]]:
        with fh:
            start = reader.line_num + 1
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as err:
                    line, start = start, reader.line_num + 1
                    yield line, Bad(f"malformed CSV row ({err})", "")
                    continue
                line, start = start, reader.line_num + 1
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                if len(fields) == 1 and _PSQL_FOOTER.match(fields[0].strip()):
                    continue
                problem = undecodable("\x00".join(fields))
                if problem:
                    yield line, Bad(problem, delimiter.join(fields))
                    continue
                yield line, fields

    return header, rows()


def csv_header_of(path: Path, delimiter: str = ",") -> list[str]:
    """The header row of a CSV file (empty when it has none)."""
    with open_text(path, errors="surrogateescape") as fh:
        try:
            return next(csv.reader(fh, delimiter=delimiter))
        except (StopIteration, csv.Error):
            return []


def full_rows(
    rows: Iterable[tuple[int, list[str] | Bad]], width: int
) -> Iterator[tuple[str, list[str] | Bad]]:
    """(locator, fields) for every row; a ragged row (not ``width`` fields) becomes a
    :class:`Bad` placeholder naming the mismatch, for :meth:`ParsedFile.accept` to quarantine."""
    for line, fields in rows:
        if isinstance(fields, Bad) or len(fields) == width:
            yield f"line {line}", fields
            continue
        yield f"line {line}", Bad(f"{len(fields)} fields, header has {width}", ",".join(fields))


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


def latest(*moments: datetime | None) -> datetime | None:
    """The latest of the given times, ignoring None."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def uuid_in(text: str) -> str | None:
    """The first UUID in ``text``, or None."""
    match = _UUID.search(text)
    return match.group(0) if match else None


def int_or_none(value: Any) -> int | None:
    """``value`` as an int, or None when it is null, not a whole number, or past 64 bits."""
    number = _whole(value)
    return number if number is not None and abs(number) < 1 << 63 else None


def _whole(value: Any) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit():
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
