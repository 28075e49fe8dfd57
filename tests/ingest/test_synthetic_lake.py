"""A world written straight into a lake holds exactly the rows ingesting its exports gives.

The documented differences (docs/generator.md): ``ingested_from`` and the manifest name the
generator run instead of export files; and after ``--until`` + the exports ``--since`` the same
day, an Alertmanager alert notified since the cut has the ``dedup_count`` of the increment's files
(the lake keeps the row of the one file holding a firing's newest notification and counts its
notifications in that file only; the increment cuts its files elsewhere than the whole export).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from alertlens.ingest.lake import Lake
from alertlens.ingest.schema import RECORD_TABLES, Alerts, Common, Manifest
from alertlens.ingest.service import ingest_paths
from alertlens.synthetic.lake_writer import LakeNotEmpty, write_lake
from alertlens.synthetic.pagerduty_log import NOTIFY, first_notified, log_table
from alertlens.synthetic.world import ExportLayout, generate, simulated_world

WORLD = {"seed": 4, "weeks": 5.0, "target_alerts": 3000}
#: Small files, so one firing's webhook notifications spread over several of them.
LAYOUT = ExportLayout(pages_per_file=3, lines_per_file=40)
CUT = datetime(2026, 11, 20, tzinfo=UTC)


@dataclass(frozen=True)
class Lakes:
    ingested: Lake  # the exports ingested
    direct: Lake  # the same world written straight into a lake
    nightly: Lake  # written --until CUT, then the exports --since CUT ingested
    before_nightly: dict[str, int]  # rows per table of nightly before that ingest


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory) -> Lakes:
    root = tmp_path_factory.mktemp("synthetic-lake")
    generate("large-org", root / "exports", layout=LAYOUT, **WORLD)  # type: ignore[arg-type]
    generate("large-org", root / "day", layout=LAYOUT, since=CUT, **WORLD)  # type: ignore[arg-type]
    ingested = Lake(root / "ingested")
    ingest_paths(ingested, [root / "exports"])
    write_lake("large-org", root / "direct", layout=LAYOUT, **WORLD)  # type: ignore[arg-type]
    write_lake("large-org", root / "nightly", layout=LAYOUT, until=CUT, **WORLD)  # type: ignore[arg-type]
    nightly = Lake(root / "nightly")
    before = {t: len(nightly.read(t)) for t in RECORD_TABLES}
    ingest_paths(nightly, [root / "day"])
    return Lakes(ingested, Lake(root / "direct"), nightly, before)


def _rows(lake: Lake, table: str, *, sort: bool = False) -> pd.DataFrame:
    frame = lake.read(table).drop(columns=Common.ingested_from)
    if sort:
        frame = frame.sort_values(list(RECORD_TABLES[table][1]), ignore_index=True)
    return frame


@pytest.mark.parametrize("table", sorted(RECORD_TABLES))
def test_direct_lake_holds_the_ingested_rows_in_the_same_order(lakes: Lakes, table: str) -> None:
    ingested, direct = _rows(lakes.ingested, table), _rows(lakes.direct, table)
    assert len(ingested) > 100
    assert_frame_equal(direct, ingested)


def test_the_world_has_what_the_comparison_needs(lakes: Lakes) -> None:
    """Merges, groupings, escalations, both sources, two months and multi-file firings."""
    incidents = lakes.ingested.read("incidents")
    alerts = lakes.ingested.read(Alerts.table)
    assert incidents["merged_into"].notna().sum() >= 3
    assert (incidents["alert_count"] > 1).sum() >= 10
    assert (incidents["escalation_count"] > 0).sum() >= 10
    assert set(alerts[Common.source]) == {"pagerduty", "alertmanager"}
    assert alerts[Alerts.created_at].dt.month.nunique() == 2
    am = alerts[alerts[Common.source] == "alertmanager"]
    assert (am[Alerts.dedup_count] > 1).sum() >= 10
    assert am[Alerts.resolved_at].isna().sum() >= 1


def test_every_row_names_a_manifest_row_of_the_generator_run(lakes: Lakes) -> None:
    lake = lakes.direct
    manifest = lake.read(Manifest.table)
    assert sorted(manifest[Manifest.source]) == ["alertmanager", "pagerduty"]
    assert manifest[Manifest.file].str.contains("--scenario large-org --seed 4").all()
    rows = 0
    for table in RECORD_TABLES:
        frame = lake.read(table)
        by_source = dict(
            zip(manifest[Manifest.source], manifest[Manifest.file_sha256], strict=True)
        )
        assert (frame[Common.ingested_from] == frame[Common.source].map(by_source)).all()
        rows += len(frame)
    assert manifest[Manifest.read].sum() == rows == manifest[Manifest.accepted].sum()


@pytest.mark.parametrize("table", sorted(RECORD_TABLES))
def test_lake_until_a_day_plus_that_days_exports_is_the_whole_world(
    lakes: Lakes, table: str
) -> None:
    whole, nightly = _rows(lakes.ingested, table), _rows(lakes.nightly, table)
    assert lakes.before_nightly[table] < len(whole)
    if table == Alerts.table:
        differs = whole[Alerts.dedup_count].fillna(-1) != nightly[Alerts.dedup_count].fillna(-1)
        # still firing at the cut, or resolved at most one 5-minute group tick before it
        notified_after = whole[Alerts.resolved_at].isna() | (
            whole[Alerts.resolved_at] >= CUT - timedelta(minutes=5)
        )
        assert differs.any()
        assert set(whole.loc[differs, Common.source]) == {"alertmanager"}
        assert notified_after[differs].all()
        whole, nightly = (f.drop(columns=Alerts.dedup_count) for f in (whole, nightly))
    assert_frame_equal(nightly, whole)


def test_a_generated_lake_is_only_written_into_an_empty_one(lakes: Lakes) -> None:
    with pytest.raises(LakeNotEmpty, match="already holds"):
        write_lake("large-org", lakes.direct.root, **WORLD)  # type: ignore[arg-type]


def test_log_of_some_incidents_is_the_whole_log_restricted_to_them() -> None:
    world, assembly = simulated_world("multi-team", seed=2, weeks=3)
    whole = log_table(world, assembly)
    some = np.flatnonzero(np.arange(len(assembly.incidents)) % 3 == 1)
    part = log_table(world, assembly, some)
    keep = np.isin(whole.incident, some)
    for field in ("incident", "kind", "at", "user", "channel", "resolver"):
        assert np.array_equal(getattr(part, field), getattr(whole, field)[keep]), field
    notified = np.zeros(len(assembly.incidents), dtype=bool)
    notified[whole.incident[whole.kind == NOTIFY]] = True
    assert np.array_equal(first_notified(world, assembly), notified)
    assert notified.sum() > 0


def test_exports_since_a_day_hold_only_that_days_changes(tmp_path: Path) -> None:
    generate("multi-team", tmp_path / "all", seed=3, weeks=3)
    generate("multi-team", tmp_path / "day", seed=3, weeks=3, since=CUT)
    whole, day = Lake(tmp_path / "whole"), Lake(tmp_path / "one-day")
    ingest_paths(whole, [tmp_path / "all"])
    ingest_paths(day, [tmp_path / "day"])
    every, fresh = whole.read("notifications"), day.read("notifications")
    pd_fresh = fresh[fresh[Common.source] == "pagerduty"]
    assert len(pd_fresh) and (pd_fresh["at"] >= CUT).all()
    assert not (tmp_path / "day" / "ground_truth.json").exists()
    merged = every.merge(fresh, on=["source", "event_id"], suffixes=("", "_day"))
    assert (merged["at"] == merged["at_day"]).all()  # same ids for the same entries
