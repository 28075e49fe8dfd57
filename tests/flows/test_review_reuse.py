"""The review in the process that just analysed the lake (the nightly) reuses the analysis's
records and metrics: the same page and tables as a review computed from the lake, without
computing the organisation's metrics again; any other review computes its own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from alertlens.analysis.pipeline import metrics_analysis as computed
from alertlens.analysis.review import ReviewRequest
from alertlens.flows.steps import reports, review, review_inputs
from tests.conftest import analysed_sample

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def test_the_nightly_review_reuses_the_analysis_and_shows_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake, config, analysed = analysed_sample(tmp_path, NOW)
    assert analysed.frames is not None and analysed.metrics is not None

    calls: list[str | None] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append("computed")
        return computed(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("alertlens.analysis.review.figures.metrics_analysis", counted)
    fresh = reports(lake.root, tmp_path / "fresh", config, ReviewRequest(), pdf=False, now=NOW)
    assert calls == ["computed"]
    reused = reports(lake.root, tmp_path / "reused", config, ReviewRequest(), pdf=False, now=NOW,
                     analysed=analysed)
    assert calls == ["computed"], "the organisation's week was computed again"
    assert _files(fresh[0].folder) == _files(reused[0].folder)

    inputs = review_inputs(lake, config, analysed)
    team = analysed.frames.teams()[0]
    assert review(lake, config, ReviewRequest(team=team), now=NOW, inputs=inputs).team == team
    earlier = review(lake, config, ReviewRequest(week="2026-W45"), now=NOW, inputs=inputs)
    assert calls == ["computed"] * 3  # a team, another week: their own metrics
    assert earlier.label == "2026-W45"
