"""The data-quality figures count skipped records (pending alerts) next to the others."""

from __future__ import annotations

import pandas as pd

from alertlens.analysis.review.quality import source_rows
from alertlens.ingest.schema import Manifest


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
    prom = {r.source: r for r in source_rows(manifest)}["prometheus"]
    assert (prom.read, prom.accepted, prom.skipped, prom.files) == (154, 144, 10, 2)
    old = manifest.drop(columns=[Manifest.skipped])  # a manifest from before the column
    assert sum(r.skipped for r in source_rows(old)) == 0
