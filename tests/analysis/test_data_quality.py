"""The data-quality figures count skipped records (pending alerts) next to the others."""

from __future__ import annotations

import pandas as pd

from alertlens.analysis.review.figures import data_quality
from alertlens.ingest.schema import MANIFEST_SCHEMA, QUARANTINE_SCHEMA, Manifest


def test_skipped_records_are_counted_per_source() -> None:
    manifest = pd.DataFrame(
        {
            Manifest.file_sha256: ["a", "b", "c"],
            Manifest.source: ["prometheus", "prometheus", None],
            Manifest.read: [146, 8, 0],
            Manifest.accepted: [137, 7, 0],
            Manifest.quarantined: [0, 0, 0],
            Manifest.deduplicated: [0, 0, 0],
            Manifest.skipped: [9, 1, 0],
        }
    )
    quarantine = QUARANTINE_SCHEMA.empty_table().to_pandas()
    sources, _ = data_quality(manifest, quarantine)
    prom = sources.set_index("source").loc["prometheus"]
    assert (prom["read"], prom["accepted"], prom["skipped"], prom["files"]) == (154, 144, 10, 2)
    old = manifest.drop(columns=[Manifest.skipped])  # a manifest from before the column
    assert data_quality(old, quarantine)[0]["skipped"].sum() == 0
    assert MANIFEST_SCHEMA.field(Manifest.skipped)
