"""Property: whatever a real export is mutated into, every reader ends in one of two ways —
the file is refused with the project's own error (one line), or it is read with exact
accounting (read = accepted + quarantined + deduplicated + skipped) into rows that fit the
lake's schema. Never a traceback.

At least 1,000 examples per run (whatever the hypothesis profile), over every reader's real
fixtures, mutated byte-wise (flips, cuts, insertions, gzip) and structurally (a value replaced
by NaN, a huge number, a lone surrogate, a deep nest, a wrong type; a key dropped). The readers
are called in-process, so the run takes seconds.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alertlens.ingest.records import InputError, rows_to_table
from alertlens.ingest.service import parsed_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: (file, [sources] options): one or more real fixtures per reader.
CORPUS: list[tuple[str, dict[str, Any]]] = [
    ("alertmanager/alertmonitor_webhook_v4_firing_server_not_monitored.json", {}),
    ("alertmanager/captured_webhook_flapping_firing_resolved.jsonl", {}),
    ("opsgenie/list_alerts_page.json", {}),
    ("opsgenie/70413a06-38d6-4c85-92b8-5ebc900d42e2.logs.json", {}),
    ("opsgenie/webhook_payloads.jsonl", {}),
    ("prometheus/alertmonitor_prometheus_api_v1_alerts_excerpt.json", {}),
    ("prometheus/captured_prom_api_v1_alerts_t025s.json", {}),
    ("prometheus/captured_prom_query_range_ALERTS_firing.json", {}),
    ("pagerduty/analytics_raw_incidents_shaped.json", {}),
    ("pagerduty/incidents_report_shaped.csv", {}),
    ("servicenow/table_api_incidents_shaped.json", {}),
    ("servicenow/bpi2013_shaped_synthetic.csv", {}),
    ("servicenow/uci_incident_event_log_excerpt.csv", {}),
    ("statuspage/githubstatus_incidents_excerpt.jsonl", {}),
    (
        "csv/generic_tool_alerts.csv",
        {
            "csv": {
                "columns": {
                    "alert_id": "Alert ID",
                    "created_at": "Fired At",
                    "resolved_at": "Cleared At",
                    "title": "Summary",
                }
            }
        },
    ),
]
_BYTES = {name: (FIXTURES / name).read_bytes() for name, _ in CORPUS}
_PAGERDUTY_REST = json.dumps(
    {
        "incidents": [
            {
                "id": "PT4KHLK",
                "type": "incident",
                "incident_number": 1234,
                "title": "The server is on fire.",
                "created_at": "2015-10-06T21:30:42Z",
                "status": "resolved",
                "resolved_at": "2015-10-06T21:38:23Z",
                "service": {"id": "PIJ90N7", "summary": "My Mail Service"},
                "priority": {"summary": "P1"},
                "teams": [{"summary": "Engineering"}],
            }
        ],
        "limit": 25,
        "offset": 0,
        "more": False,
    }
).encode()
_BYTES["pagerduty/rest_incidents_page.json"] = _PAGERDUTY_REST
CORPUS.append(("pagerduty/rest_incidents_page.json", {}))

_HOSTILE: list[Any] = [
    None,
    True,
    -1,
    0,
    10**30,
    1e300,
    "",
    "NaN",
    "\ud800",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:01+14:00",
    "24/3/2016 18:40",
    "999999999999999999999",
    [],
    {},
    [1, [2, [3]]],
    {"x": {"y": "z"}},
    "x" * 5000,
]


def _deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``doc`` (lists: the first three elements)."""
    found = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc[:3]):
            found.append((*prefix, i))
            found.extend(_paths(value, (*prefix, i)))
    return found


def _structural(data: bytes, choice: int, how: int, hostile: int) -> bytes:
    """``data`` with one value replaced (or dropped): JSON documents and JSON Lines."""
    try:
        docs = [json.loads(data)]
    except json.JSONDecodeError:  # JSON Lines
        docs = [json.loads(ln) for ln in data.decode("utf-8").splitlines() if ln.strip()]
    target = docs[choice % len(docs)]
    paths = _paths(target)
    if not paths:
        return data
    path = paths[choice % len(paths)]
    parent = target
    for step in path[:-1]:
        parent = parent[step]
    value: Any = _HOSTILE[hostile % len(_HOSTILE)]
    if how == 0 and isinstance(parent, dict):
        del parent[path[-1]]
    elif how == 1:
        parent[path[-1]] = _deep(80 + hostile * 40)
    else:
        parent[path[-1]] = value
    text = [json.dumps(d, ensure_ascii=False) for d in docs]
    if how == 2:  # Python-only literals, as a careless exporter writes them
        text = [t.replace('"NaN"', "NaN").replace("1e+300", "Infinity") for t in text]
    raw = "\n".join(text) if len(docs) > 1 else text[0]
    return raw.encode("utf-8", "surrogatepass")


def _bytewise(data: bytes, at: int, span: int, how: int, junk: bytes) -> bytes:
    at %= max(len(data), 1)
    if how == 0:  # cut
        return data[:at]
    if how == 1:  # flip bytes
        out = bytearray(data)
        for i in range(at, min(at + span, len(out))):
            out[i] ^= 0xA5
        return bytes(out)
    if how == 2:  # insert junk
        return data[:at] + junk + data[at:]
    if how == 3:  # delete a range
        return data[:at] + data[at + span :]
    packed = gzip.compress(data)  # gzip, then damage the stream (or not)
    return packed if span % 3 == 0 else packed[: max(10, at % len(packed))]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any], bytes, str]:
    name, options = draw(st.sampled_from(CORPUS))
    data = _BYTES[name]
    suffix = "".join(Path(name).suffixes)
    if not name.endswith(".csv") and draw(st.booleans()):
        result = _structural(
            data,
            draw(st.integers(0, 10_000)),
            draw(st.integers(0, 3)),
            draw(st.integers(0, len(_HOSTILE) - 1)),
        )
    else:
        how = draw(st.integers(0, 4))
        result = _bytewise(
            data,
            draw(st.integers(0, 1 << 20)),
            draw(st.integers(1, 64)),
            how,
            draw(st.binary(min_size=1, max_size=16)),
        )
        if how == 4:
            suffix += ".gz"
    return name, options, result, suffix


_WORK = Path(tempfile.mkdtemp(prefix="alertlens-fuzz-"))


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=not os.environ.get("ALERTLENS_FUZZ_RANDOM"),  # CI: the same 1,000 every run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_exports_are_refused_or_read_with_exact_accounting(
    case: tuple[str, dict[str, Any], bytes, str],
) -> None:
    name, options, data, suffix = case
    path = _WORK / f"case{suffix}"
    path.write_bytes(data)
    try:
        parsed = parsed_file(path, options)
    except InputError as err:  # refused as a whole: one line, the project's own error
        assert str(err).startswith(str(path)) and err.reason
        return
    assert parsed.read == (
        parsed.accepted + len(parsed.rejected) + parsed.deduplicated + parsed.skipped
    ), name
    assert parsed.accepted >= 0
    for table, rows in parsed.rows.items():
        assert rows_to_table(table, rows).num_rows == len(rows)  # storable as is
    for rejected in parsed.rejected:
        rejected.reason.encode("utf-8")  # quarantine rows are storable too
        rejected.raw.encode("utf-8")
        rejected.locator.encode("utf-8")
