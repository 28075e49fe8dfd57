"""Identifiers and timestamp text the vendors use: PagerDuty ids, Alertmanager fingerprints,
ISO-8601 and Go RFC3339Nano times. Vectorised where the large scenario needs it."""

from __future__ import annotations

from typing import Final

import numpy as np

_ALPHABET: Final = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_MULTIPLIER: Final = np.uint64(0x9E3779B97F4A7C15)  # odd, so i -> i * k mod 2**bits is a bijection


def pd_ids(prefix: str, count: int, *, width: int, salt: int, start: int = 0) -> list[str]:
    """``count`` distinct PagerDuty-looking ids: ``prefix`` + ``width`` base-36 characters.

    Index ``i`` maps to ``(i + salt) * odd mod 2**bits`` (a bijection), ``bits`` as many as
    ``width`` base-36 digits can hold (at most 64), so ids never repeat.

    >>> pd_ids("P", 2, width=6, salt=7)
    ['PY4Z91V', 'PXXWA7C']
    """
    index = np.arange(start, start + count, dtype=np.uint64)
    text = pd_id_bytes(prefix, index, width=width, salt=salt)
    return text.view(f"S{text.shape[1]}").ravel().astype(f"U{text.shape[1]}").tolist()


def pd_id_bytes(prefix: str, index: np.ndarray, *, width: int, salt: int) -> np.ndarray:
    """The ids of ``pd_ids`` at arbitrary ``index`` positions, as an ASCII byte matrix
    (one row per id, ``len(prefix) + width`` columns), so millions of ids need no Python
    strings.

    >>> pd_id_bytes("P", np.array([1, 0]), width=6, salt=7).view("S7").ravel().tolist()
    [b'PXXWA7C', b'PY4Z91V']
    """
    bits = min(64, int(width * np.log2(36)))
    mask = np.uint64((1 << bits) - 1) if bits < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    count = len(index)
    with np.errstate(over="ignore"):
        shifted = np.asarray(index, dtype=np.uint64) + np.uint64(salt % (1 << 63))
        values = (shifted * _MULTIPLIER) & mask
    head = len(prefix)
    digits = np.empty((count, head + width), dtype=np.uint8)
    digits[:, :head] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    for position in range(width - 1, -1, -1):
        values, digit = np.divmod(values, np.uint64(36))
        digits[:, head + position] = _ALPHABET[digit.astype(np.int64)]
    return digits


def iso_seconds(ms: np.ndarray) -> list[str]:
    """ISO-8601 UTC text with whole seconds and ``Z`` (PagerDuty's style) for epoch ms."""
    text = np.datetime_as_string(np.asarray(ms, dtype=np.int64).astype("datetime64[ms]"), unit="s")
    return [t + "Z" for t in text.tolist()]


def go_times(ms: np.ndarray) -> list[str]:
    """Go RFC3339Nano text (fraction trimmed of trailing zeros, none for whole seconds) + ``Z``."""
    text = np.datetime_as_string(np.asarray(ms, dtype=np.int64).astype("datetime64[ms]"), unit="ms")
    return [(t.rstrip("0").rstrip(".") if t.endswith("0") else t) + "Z" for t in text.tolist()]
