"""Other engines read the lake as documented in docs/lake.md: a DuckDB glob over a table's
hive-partitioned Parquet files gives exactly ``Lake.read``'s rows and types, whatever else lies
in the lake (hidden temp files, the journal, the analysis generations)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from alertlens.ingest.lake import SPECS, Lake
from alertlens.ingest.schema import RECORD_TABLES, Common, Manifest
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic.world import generate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    root = tmp_path_factory.mktemp("engines")
    generate("multi-team", root / "exports", seed=2, weeks=6)
    lake = Lake(root / "lake")
    ingest_paths(lake, [root / "exports", ROOT / "data" / "samples" / "unlucky-team"])
    # what else a lake holds: a crashed writer's hidden temp file, the journal folder, analysis
    # generations with the current one behind a symlink
    part = next((lake.root / "alerts").rglob("part-0.parquet"))
    (part.parent / ".part-0.parquet.tmp-deadbeef").write_bytes(part.read_bytes())
    (lake.root / "_journal").mkdir(exist_ok=True)
    generation = lake.root / ".analysis" / "g1"
    generation.mkdir(parents=True)
    (generation / "alerts_scored.parquet").write_bytes(part.read_bytes())
    (lake.root / "analysis").symlink_to(generation)
    return lake


def _duckdb(lake: Lake, table: str) -> pa.Table:
    query = (
        f"SELECT * FROM read_parquet('{lake.root}/{table}/**/*.parquet', hive_partitioning=true)"
    )
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.sql(query).to_arrow_table()


@pytest.mark.parametrize("table", sorted(RECORD_TABLES))
def test_duckdb_reads_lake_rows_and_types(lake: Lake, table: str) -> None:
    schema = SPECS[table].schema
    ours = lake.read_arrow(table)
    theirs = _duckdb(lake, table)
    assert ours.num_rows > 10
    assert set(theirs.column_names) == {*schema.names, Common.month}
    assert theirs.column(Common.month).type == pa.string()  # "2026-10" stays text
    for field in schema:
        if pa.types.is_timestamp(field.type):
            assert theirs.schema.field(field.name).type == pa.timestamp("us", tz="UTC")
    keys = [(k, "ascending") for k in SPECS[table].key]
    theirs = theirs.select(schema.names).cast(schema).sort_by(keys)
    assert theirs.equals(ours.sort_by(keys))


def test_manifest_is_one_file(lake: Lake) -> None:
    theirs = _duckdb(lake, Manifest.table)
    assert theirs.num_rows == lake.read_arrow(Manifest.table).num_rows > 1
