"""Properties of the response-time populations: never negative, groups add up, order-free,
inputs untouched."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alertlens.analysis.frames import Frames
from alertlens.analysis.incidents.population import incident_population
from alertlens.analysis.pipeline import metrics_analysis
from alertlens.analysis.response import response_frame
from alertlens.analysis.response.durations import (
    DIMENSIONS,
    METRICS,
    distribution,
    response_durations,
    response_times,
)
from alertlens.analysis.response.populations import response_figures
from alertlens.analysis.response.survival import km_quantile
from alertlens.analysis.settings import MetricsSettings
from alertlens.analysis.summary import summary_json
from alertlens.ingest.metrics_schema import Population
from tests.analysis import metrics_frames as mf

BASE = pd.Timestamp("2026-10-05T00:00:00Z")
offsets = st.one_of(st.none(), st.integers(min_value=-3_600, max_value=3 * 86_400))


@st.composite
def incident_rows(draw: st.DrawFn) -> list[dict]:
    rows = []
    for i in range(draw(st.integers(min_value=0, max_value=25))):
        created = BASE + pd.Timedelta(seconds=draw(st.integers(0, 60 * 86_400)))
        ack, mitigated, resolved = draw(offsets), draw(offsets), draw(offsets)
        rows.append({
            "incident_id": f"i{i}",
            "source": draw(st.sampled_from(["pagerduty", "opsgenie"])),
            "team": draw(st.sampled_from(["a", "b", None])),
            "service": draw(st.sampled_from(["api", "db", None])),
            "severity": draw(st.sampled_from(["critical", "high", "unknown"])),
            "priority": draw(st.sampled_from(["P1", "P3", None])),
            "title": draw(st.sampled_from(["Disk 91% full on web-1", "Disk 95% full on web-2",
                                           "API 5xx", None])),
            "created_at": created.isoformat(),
            "acknowledged_at": None if ack is None else (created + pd.Timedelta(seconds=ack))
            .isoformat(),
            "mitigated_at": None if mitigated is None
            else (created + pd.Timedelta(seconds=mitigated)).isoformat(),
            "resolved_at": None if resolved is None
            else (created + pd.Timedelta(seconds=resolved)).isoformat(),
            "merged_into": draw(st.sampled_from([None, None, None, "i0"])),
        })
    return rows


@settings(max_examples=40)
@given(incident_rows(), st.sampled_from(["pagerduty", "opsgenie"]))
def test_durations_are_never_negative_and_every_drop_is_counted(rows: list[dict],
                                                                 mode: str) -> None:
    population = incident_population(mf.incidents(rows), mf.alerts([]))
    durations = response_durations(population, mode=mode)
    for metric in METRICS:
        seconds = durations[f"{metric}_seconds"].dropna()
        assert (seconds >= 0).all()
        both = durations[f"{metric}_seconds"].notna() & durations[f"{metric}_excluded"].notna()
        assert not both.any()  # an incident is either measured or excluded, never both


@settings(max_examples=25)
@given(incident_rows(), st.sampled_from(["pagerduty", "opsgenie"]))
def test_group_counts_sum_to_the_total(rows: list[dict], mode: str) -> None:
    population = incident_population(mf.incidents(rows), mf.alerts([]))
    durations = response_durations(population, mode=mode)
    table = response_times(population, durations, mode=mode)
    for metric in METRICS:
        total = int(durations[f"{metric}_seconds"].notna().sum())
        excluded = int(durations[f"{metric}_excluded"].notna().sum())
        for dimension in DIMENSIONS:
            rows_ = table[(table["metric"] == metric) & (table["dimension"] == dimension)]
            assert rows_["count"].sum() == total, (metric, dimension)
            assert rows_["excluded"].sum() == excluded, (metric, dimension)


@settings(max_examples=8)
@given(incident_rows(), st.randoms(use_true_random=False),
       st.sampled_from(["pagerduty", "opsgenie"]))
def test_results_do_not_depend_on_row_order_and_inputs_are_not_mutated(
    rows: list[dict], rnd, mode: str
) -> None:
    chosen = MetricsSettings(mode=mode)
    incidents = mf.incidents(rows)
    alerts, notes = mf.alerts([]), mf.notifications([])
    before = [pd.util.hash_pandas_object(f, index=True).sum() for f in (incidents, alerts, notes)]
    first = metrics_analysis(Frames(alerts, incidents, notes), settings=chosen)
    after = [pd.util.hash_pandas_object(f, index=True).sum() for f in (incidents, alerts, notes)]
    assert before == after
    order = list(range(len(incidents)))
    rnd.shuffle(order)
    shuffled = incidents.iloc[order].reset_index(drop=True)
    second = metrics_analysis(Frames(alerts, shuffled, notes), settings=chosen)
    assert json.dumps(summary_json(first.summary), sort_keys=True) == json.dumps(
        summary_json(second.summary), sort_keys=True)
    for name in ("response_times", "recurrences", "incidents_weekly", "mtbf_by_service"):
        pd.testing.assert_frame_equal(first.tables[name], second.tables[name], obj=name)


def test_distribution_matches_numpy_linear_percentiles() -> None:
    stats = distribution(pd.Series([10.0, 20.0, 30.0, 40.0, None]))
    assert (stats.count, stats.censored, stats.mean, stats.median, stats.p90, stats.p95) == (
        4, 0, 25.0, 25.0, 37.0, 38.5)
    assert distribution(pd.Series([], dtype=float)).median is None


def test_still_open_durations_are_censored_kaplan_meier() -> None:
    """Resolved after 10, 20, 30 and 40 min; two still open after 35 min. Without them the
    median would be 25 min; counted as lasting at least 35 min it is 30 min."""
    resolved = pd.Series([600.0, 1200.0, 1800.0, 2400.0])
    running = pd.Series([2100.0, 2100.0])
    stats = distribution(resolved, running)
    assert stats.count == 4 and stats.censored == 2
    # S(10) = 5/6, S(20) = 4/6, S(30) = 3/6 = 0.5 -> the median is 30 min, not 25
    assert stats.median == 1800.0
    assert stats.p90 == 2400.0  # the last one at risk resolves at 40 min: S drops to 0
    longer = distribution(resolved, pd.Series([3000.0, 3000.0]))
    assert longer.p90 is None  # S never drops to 0.1: the longest are still open
    assert km_quantile(np.array([5.0]), np.array([False]), 0.5) is None


@settings(max_examples=40)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1,
                max_size=30))
def test_without_censoring_the_median_is_the_plain_median(values: list[float]) -> None:
    array = np.array(values)
    assert km_quantile(array, np.ones(len(array), bool), 0.5) == pytest.approx(
        float(np.median(array)))


def test_handling_splits_human_auto_and_unknown() -> None:
    incidents = mf.incidents([
        {"incident_id": "h", "created_at": "2026-11-16T10:00Z",
         "acknowledged_at": "2026-11-16T10:05Z", "resolved_at": "2026-11-16T11:00Z",
         "resolved_by": "auto"},  # acknowledged first: a person handled it
        {"incident_id": "a", "created_at": "2026-11-16T10:00Z",
         "resolved_at": "2026-11-16T10:03Z", "resolved_by": "auto"},
        {"incident_id": "late", "created_at": "2026-11-16T10:00Z",
         "acknowledged_at": "2026-11-16T12:00Z", "resolved_at": "2026-11-16T10:03Z",
         "resolved_by": "timeout"},  # acknowledged after it had resolved: no response
        {"incident_id": "u", "created_at": "2026-11-16T10:00Z"},
        {"incident_id": "z", "created_at": "2026-11-16T10:00Z",
         "resolved_at": "2026-11-16T10:00Z", "resolved_by": "human"},
    ])
    frame = response_frame(incident_population(incidents, mf.alerts([])),
                           mf.notifications([]), mode="pagerduty")
    assert dict(zip(frame["incident_id"], frame[Population.handling], strict=True)) == {
        "h": "human", "a": "auto", "late": "auto", "u": "unknown", "z": "human"}
    figures = response_figures(frame, as_of=pd.Timestamp("2026-11-16T12:00Z"),
                               mode="pagerduty", min_resolved_share=0.0)
    assert (figures.human_handled, figures.auto_resolved, figures.handling_unknown) == (2, 2, 1)
    assert figures.acknowledged == 1 and figures.never_acknowledged == 4
    assert figures.zero_duration_resolves == 1  # z: resolved the instant it was created
    assert figures.mttr.count == 1 and figures.mttr.censored == 1  # h measured, u open
    assert figures.mttr_auto.count == 2 and figures.mttr_auto.median == 180.0
    assert any("instant" in text for _, text in figures.warnings)


def test_escalations_count_only_where_a_source_records_them() -> None:
    incidents = mf.incidents([
        {"incident_id": "e", "source": "pagerduty", "created_at": "2026-11-16T10:00Z",
         "escalation_count": 2},
        {"incident_id": "n", "source": "pagerduty", "created_at": "2026-11-16T10:00Z",
         "escalation_count": 0},
        {"incident_id": "x", "source": "statuspage", "created_at": "2026-11-16T10:00Z"},
        {"incident_id": "v", "source": "opsgenie", "created_at": "2026-11-16T10:00Z"},
    ])
    notes = mf.notifications([{"source": "opsgenie", "kind": "escalate", "incident_id": "v",
                               "at": "2026-11-16T10:20Z"}])
    frame = response_frame(incident_population(incidents, mf.alerts([])), notes,
                           mode="pagerduty")
    flags = dict(zip(frame["incident_id"], frame[Population.escalated], strict=True))
    assert flags == {"e": True, "n": False, "x": None, "v": True}
    figures = response_figures(frame, as_of=None, mode="pagerduty")
    assert figures.escalation_rate == pytest.approx(2 / 3) and figures.escalation_unknown == 1
