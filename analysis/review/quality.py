"""Data quality per source: what the lake read, kept, deduplicated and quarantined, and why."""

from __future__ import annotations

import pandas as pd

from alertlens.analysis.incidents.population import UNKNOWN_GROUP
from alertlens.analysis.review.rows import QuarantineRow, SourceRow
from alertlens.ingest.schema import Manifest, Quarantine


def _source(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), UNKNOWN_GROUP).astype(str)


def source_rows(manifest: pd.DataFrame) -> tuple[SourceRow, ...]:
    """Per source: files, records read, accepted, quarantined, deduplicated and skipped (0 in a
    manifest from before that column)."""
    m = Manifest
    rows = []
    for source, part in manifest.groupby(_source(manifest[m.source]), sort=True):
        skipped = int(part[m.skipped].fillna(0).sum()) if m.skipped in part else 0
        rows.append(SourceRow(str(source), int(part[m.file_sha256].nunique()),
                              int(part[m.read].sum()), int(part[m.accepted].sum()),
                              int(part[m.quarantined].sum()), int(part[m.deduplicated].sum()),
                              skipped))
    return tuple(rows)


def quarantine_rows(quarantine: pd.DataFrame) -> tuple[QuarantineRow, ...]:
    """Per source and reason: records quarantined and one example ("file: locator"), most
    first."""
    q = Quarantine
    rows = []
    keys = [_source(quarantine[q.source]), quarantine[q.reason]]
    for (source, reason), part in quarantine.groupby(keys, sort=True):
        first = part.iloc[0]
        example = f"{str(first[q.file]).rsplit('/', 1)[-1]}: {first[q.locator]}"
        rows.append(QuarantineRow(str(source), str(reason), len(part), example))
    rows.sort(key=lambda r: (-r.records, r.source, r.reason))
    return tuple(rows)
