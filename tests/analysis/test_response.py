"""Properties of the response-time populations: never negative, groups add up, order-free,
inputs untouched."""

from __future__ import annotations

import json

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from alertlens.analysis.incidents.population import incident_population
from alertlens.analysis.pipeline import metrics_analysis
from alertlens.analysis.response.durations import (
    DIMENSIONS,
    METRICS,
    distribution,
    response_durations,
    response_times,
)
from alertlens.analysis.settings import MetricsSettings
from tests.analysis import metrics_frames as mf

BASE = pd.Timestamp("2026-10-05T00:00:00Z")
offsets = st.one_of(st.none(), st.integers(min_value=-3_600, max_value=3 * 86_400))


@st.composite
def incident_rows(draw: st.DrawFn) -> list[dict]:
    rows = []
    for i in range(draw(st.integers(min_value=0, max_value=25))):
        created = BASE + pd.Timedelta(seconds=draw(st.integers(0, 60 * 86_400)))
        ack, mitigated, resolved = draw(offsets), draw(offsets), draw(offsets)
        rows.append(
            {
                "incident_id": f"i{i}",
                "source": draw(st.sampled_from(["pagerduty", "opsgenie"])),
                "team": draw(st.sampled_from(["a", "b", None])),
                "service": draw(st.sampled_from(["api", "db", None])),
                "severity": draw(st.sampled_from(["critical", "high", "unknown"])),
                "priority": draw(st.sampled_from(["P1", "P3", None])),
                "title": draw(
                    st.sampled_from(
                        ["Disk 91% full on web-1", "Disk 95% full on web-2", "API 5xx", None]
                    )
                ),
                "created_at": created.isoformat(),
                "acknowledged_at": None
                if ack is None
                else (created + pd.Timedelta(seconds=ack)).isoformat(),
                "mitigated_at": None
                if mitigated is None
                else (created + pd.Timedelta(seconds=mitigated)).isoformat(),
                "resolved_at": None
                if resolved is None
                else (created + pd.Timedelta(seconds=resolved)).isoformat(),
                "merged_into": draw(st.sampled_from([None, None, None, "i0"])),
            }
        )
    return rows


@settings(max_examples=40)
@given(incident_rows(), st.sampled_from(["pagerduty", "opsgenie"]))
def test_durations_are_never_negative_and_every_drop_is_counted(
    rows: list[dict], mode: str
) -> None:
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
@given(
    incident_rows(), st.randoms(use_true_random=False), st.sampled_from(["pagerduty", "opsgenie"])
)
def test_results_do_not_depend_on_row_order_and_inputs_are_not_mutated(
    rows: list[dict], rnd, mode: str
) -> None:
    chosen = MetricsSettings(mode=mode)
    incidents = mf.incidents(rows)
    alerts, notes = mf.alerts([]), mf.notifications([])
    before = [pd.util.hash_pandas_object(f, index=True).sum() for f in (incidents, alerts, notes)]
    first = metrics_analysis(incidents, alerts, notes, settings=chosen)
    after = [pd.util.hash_pandas_object(f, index=True).sum() for f in (incidents, alerts, notes)]
    assert before == after
    order = list(range(len(incidents)))
    rnd.shuffle(order)
    shuffled = incidents.iloc[order].reset_index(drop=True)
    second = metrics_analysis(shuffled, alerts, notes, settings=chosen)
    assert json.dumps(first.summary, sort_keys=True) == json.dumps(second.summary, sort_keys=True)
    for name in ("response_times", "recurrences", "incidents_weekly", "mtbf_by_service"):
        pd.testing.assert_frame_equal(first.tables[name], second.tables[name], obj=name)


def test_distribution_matches_numpy_linear_percentiles() -> None:
    stats = distribution(pd.Series([10.0, 20.0, 30.0, 40.0, None]))
    assert stats == {"count": 4, "mean": 25.0, "median": 25.0, "p90": 37.0, "p95": 38.5}
    assert distribution(pd.Series([], dtype=float))["median"] is None
