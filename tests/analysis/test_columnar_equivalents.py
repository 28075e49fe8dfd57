"""The vectorised forms of per-row Python code give what the per-row code gives: runbook labels,
response groups, interruption channels, the notifications about a set of records."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from alertlens.analysis.frames import _linked
from alertlens.analysis.oncall.load import _joined_channels
from alertlens.analysis.response.durations import group_codes
from alertlens.analysis.trends.maturity import _has_runbook, _have_runbook
from alertlens.ingest.schema import Alerts, Common, Incidents, Notifications

LABELS = [
    '{"runbook_url":"https://r/1"}',
    '{"annotation.Runbook":"x"}',
    '{"\\u0052unbook":"x"}',  # a key that spells Runbook only once decoded
    '{"runbook":""}',  # empty value: no runbook
    '{"summary":"see the runbook"}',  # the word in a value, not a key
    '["runbook"]',
    "not json runbook",
    None,
    '{"runbook_url":"https://r/1"}',
]


def test_runbook_labels_equal_the_per_row_parse() -> None:
    labels = pd.Series(LABELS, dtype="str")
    assert _have_runbook(labels).tolist() == [_has_runbook(t) for t in LABELS]
    assert _have_runbook(labels).tolist()[:3] == [True, True, True]
    assert not _have_runbook(pd.Series([], dtype="str")).any()


def test_groups_are_the_sorted_texts_with_unknown_for_missing() -> None:
    values = pd.Series(["b", None, "a", "b", 1, "1"], dtype=object)
    codes, groups = group_codes(values)
    assert list(groups) == ["(unknown)", "1", "a", "b"]
    assert [groups[c] for c in codes] == ["b", "(unknown)", "a", "b", "1", "1"]


def test_channels_of_a_cluster_are_distinct_sorted_and_joined() -> None:
    frame = pd.DataFrame({"cluster": [0, 0, 0, 1, 2, 2],
                          Notifications.channel: ["sms", "push", "sms", "phone", "b", "a"]})
    joined = _joined_channels(frame)
    assert joined.reindex([0, 1, 2]).tolist() == ["push,sms", "phone", "a,b"]
    assert len(joined) == 3


_IDS = st.sampled_from(["1", "2", "3", "a1", None])
_SOURCES = st.sampled_from(["pagerduty", "opsgenie"])


def _table(columns: tuple[str, str], rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns), dtype="str")


def _linked_by_multiindex(notes: pd.DataFrame, incidents: pd.DataFrame,
                          alerts: pd.DataFrame) -> list[bool]:
    """The lookup as it was written first: a MultiIndex per (source, id) pair."""
    n = Notifications
    source = notes[n.source]

    def within(ids: pd.Series, frame: pd.DataFrame, key: str) -> pd.Series:
        return pd.Series(pd.MultiIndex.from_arrays([source, ids]).isin(
            pd.MultiIndex.from_frame(frame[[Common.source, key]])))

    by_incident = within(notes[n.incident_id], incidents, Incidents.incident_id)
    by_alert = within(notes[n.alert_id], alerts, Alerts.alert_id)
    by_firing = within(notes[n.incident_id], alerts, Alerts.alert_id)
    return (by_incident | by_alert | by_firing).tolist()


@given(st.lists(st.tuples(_SOURCES, _IDS, _IDS), max_size=12),
       st.lists(st.tuples(_SOURCES, _IDS.filter(bool)), max_size=5),
       st.lists(st.tuples(_SOURCES, _IDS.filter(bool)), max_size=5))
def test_notifications_of_records_equal_the_multiindex_lookup(
    notes: list[tuple[str, str | None, str | None]],
    incidents: list[tuple[str, str | None]],
    alerts: list[tuple[str, str | None]],
) -> None:
    n = Notifications
    note_frame = pd.DataFrame(notes, columns=[n.source, n.incident_id, n.alert_id], dtype="str")
    incident_frame = _table((Incidents.source, Incidents.incident_id), incidents)
    alert_frame = _table((Alerts.source, Alerts.alert_id), alerts)
    found = _linked(note_frame, incident_frame, alert_frame).tolist()
    assert found == _linked_by_multiindex(note_frame, incident_frame, alert_frame)
