"""Arrow columns built from numpy arrays, without a Python object per value: millions of ids,
times and coded texts cost a few bytes each."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alertlens.ingest.schema import TS
from alertlens.synthetic.simulate import OPEN


def constant(value: str, count: int) -> pa.Array:
    """``value`` ``count`` times.

    >>> constant("x", 2).to_pylist()
    ['x', 'x']
    """
    return pa.repeat(value, count).cast(pa.string())


def coded(values: Sequence[str | None], codes: np.ndarray) -> pa.Array:
    """``values[code]`` for each code (a code of -1 is null).

    >>> coded(["a", "b"], np.array([1, -1, 0])).to_pylist()
    ['b', None, 'a']
    """
    index = pa.array(np.asarray(codes, dtype=np.int64), mask=np.asarray(codes) < 0)
    return pa.array(list(values), pa.string()).take(index)


def timestamps(ms: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Epoch milliseconds as ``timestamp[us, UTC]``; ``OPEN`` (and ``~valid``) are null.

    >>> timestamps(np.array([1000, OPEN])).to_pylist()[1] is None
    True
    """
    ms = np.asarray(ms, dtype=np.int64)
    missing = ms == OPEN if valid is None else (ms == OPEN) | ~valid
    return pa.array(np.where(missing, 0, ms) * 1000, type=TS, mask=missing)


def ascii_strings(matrix: np.ndarray) -> pa.Array:
    """One string per row of an ASCII byte matrix (as ``ids.pd_id_bytes`` makes).

    >>> ascii_strings(np.frombuffer(b"abcd", dtype=np.uint8).reshape(2, 2)).to_pylist()
    ['ab', 'cd']
    """
    rows, width = matrix.shape
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix, dtype=np.uint8).tobytes()
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(data))


def masked(array: pa.Array, valid: np.ndarray) -> pa.Array:
    """``array`` with nulls where ``valid`` is False.

    >>> masked(pa.array(["a", "b"]), np.array([True, False])).to_pylist()
    ['a', None]
    """
    return pc.if_else(pa.array(np.asarray(valid, dtype=bool)), array, pa.scalar(None, array.type))


def whole_seconds(ms: np.ndarray) -> np.ndarray:
    """Epoch ms truncated to whole seconds, ``OPEN`` kept (PagerDuty shows whole seconds).

    >>> whole_seconds(np.array([1999, OPEN])).tolist()
    [1000, -1]
    """
    ms = np.asarray(ms, dtype=np.int64)
    return np.where(ms == OPEN, OPEN, ms // 1000 * 1000)
