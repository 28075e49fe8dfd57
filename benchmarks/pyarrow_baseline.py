"""The ingest baseline: the same export files parsed by pyarrow's JSON reader (C++, no
per-record Python) and written back as Parquet, with nothing else. What ``alertlens ingest``
does on top (detection, validation, canonical rows, quarantine, reconciliation, upserts,
the atomic commit) is measured against this (target: at most 2x its CPU time).

Each file's records (the ``incidents`` / ``alerts`` / ``log_entries`` list of every PagerDuty
page, the ``alerts`` of every Alertmanager webhook payload) become one Parquet file. A file
whose records pyarrow cannot put in one table (a field that is a string in one record and an
object in another) is read with ``orjson`` + ``pa.Table.from_pylist`` instead; the summary
counts both.

Run: ``.venv/bin/python benchmarks/pyarrow_baseline.py --out DIR EXPORTS [EXPORTS ...]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
import pyarrow.parquet as pq

#: The list of records inside each kind of page or payload.
RECORD_LISTS = ("incidents", "alerts", "log_entries")
SKIPPED = ("ground_truth", "alertlens.toml", "README")


def export_files(paths: list[Path]) -> list[Path]:
    """The export files under ``paths`` (what ``alertlens ingest`` would read), sorted."""
    found: list[Path] = []
    for path in paths:
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        found += [
            p
            for p in candidates
            if p.is_file()
            and p.suffix in (".json", ".jsonl")
            and not p.name.startswith(SKIPPED)
            and not p.name.startswith(".")
        ]
    return found


def records_by_pyarrow(path: Path) -> pa.Table:
    """The records of every page or payload of ``path``, parsed by pyarrow's JSON reader."""
    pages = pj.read_json(path, read_options=pj.ReadOptions(block_size=64 << 20))
    column = next(c for c in RECORD_LISTS if c in pages.column_names)
    chunks = [pc.list_flatten(chunk) for chunk in pages.column(column).chunks]
    return pa.Table.from_batches([pa.RecordBatch.from_struct_array(c) for c in chunks if len(c)])


def records_by_orjson(path: Path) -> pa.Table:
    """The same records, decoded by orjson and handed to pyarrow as Python objects."""
    rows = []
    for line in path.read_bytes().splitlines():
        if line.strip():
            page = orjson.loads(line)
            rows += next(page[c] for c in RECORD_LISTS if c in page)
    # nested values of varying shape are kept as JSON text, as a string column
    flat = [
        {k: orjson.dumps(v).decode() if isinstance(v, dict | list) else v for k, v in r.items()}
        for r in rows
    ]
    return pa.Table.from_pylist(flat)


def main(argv: list[str] | None = None) -> int:
    """Parse and write every export file; print a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("paths", type=Path, nargs="+")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = {"files": 0, "records": 0, "by_pyarrow": 0, "by_orjson": 0, "bytes_in": 0}
    for number, path in enumerate(export_files(args.paths)):
        try:
            table = records_by_pyarrow(path)
            summary["by_pyarrow"] += 1
        except (pa.ArrowInvalid, pa.ArrowTypeError, StopIteration):
            table = records_by_orjson(path)
            summary["by_orjson"] += 1
        pq.write_table(table, args.out / f"{number:06d}.parquet", compression="zstd")
        summary["files"] += 1
        summary["records"] += table.num_rows
        summary["bytes_in"] += path.stat().st_size
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
