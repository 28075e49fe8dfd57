"""The vectorised forms of per-row Python code give what the per-row code gives: runbook labels,
response groups, interruption channels."""

from __future__ import annotations

import pandas as pd

from alertlens.analysis.oncall.load import _joined_channels
from alertlens.analysis.response.durations import group_codes
from alertlens.analysis.trends.maturity import _has_runbook, _have_runbook
from alertlens.ingest.schema import Notifications

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
