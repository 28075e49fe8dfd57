"""Prometheus: ``GET /api/v1/alerts`` snapshots and ``query_range`` results of ``ALERTS``.

- alert_id is ``{fingerprint}@{start}`` with Alertmanager's fingerprint (FNV-1a 64 over the
  sorted label names and values, 0xff separated) of the alert's labels, so the same label set
  gets the same fingerprint in both sources. Prometheus does not see Alertmanager's external
  labels, and its start (``activeAt``, pending included) can precede Alertmanager's
  ``startsAt``, so ids agree only for rules without ``for:`` and without external labels.
- ``/api/v1/alerts``: one row per ``firing`` alert, created at ``activeAt``. Pending alerts are
  not firings: they are skipped, not counted, and reported in the file's notes.
- ``query_range`` of ``ALERTS{alertstate="firing"}``: each series' samples are cut into firing
  intervals wherever two samples are more than 1.5 steps apart. The step is the ``step``
  option, else the smallest gap between samples of the file. An interval is created at its first
  sample and resolved one step after its last, unless its last sample is the file's last
  timestamp (still firing at the query's end). ``__name__`` and ``alertstate`` are not labels.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from alertlens.ingest.fields import (
    iso_z,
    json_pointer,
    labels_json,
    normalised_severity,
    text_or_none,
    utc_timestamp,
)
from alertlens.ingest.readers import _common
from alertlens.ingest.readers.alertmanager import INSTANCE_LABELS, fingerprint, rule_key
from alertlens.ingest.records import InputError, ParsedFile, RecordError, Row, Skip
from alertlens.ingest.schema import Alerts
from alertlens.ingest.settings_table import (
    Names,
    Positive,
    settings_dataclass,
    settings_from_table,
)
from alertlens.ingest.shape import FileShape, first, has

NAME = "prometheus"
KIND_ALERTS = "prometheus.alerts"
KIND_RANGE = "prometheus.query_range"
_GAP_FACTOR = 1.5


@settings_dataclass
class PrometheusOptions:
    """``[sources.prometheus]`` settings."""

    step: Positive | None = None  # query_range step in seconds; None = inferred from the samples
    instance_labels: Names = ()  # more labels to leave out of rule_key


def detect(shape: FileShape) -> str | None:
    """``prometheus.alerts``, ``prometheus.query_range`` or None."""
    doc = shape.sample
    if shape.format != "json" or not has(doc, "status", "data"):
        return None
    data = doc["data"]
    if has(data, "alerts") and isinstance(data["alerts"], list):
        return KIND_ALERTS
    # /api/v1/rules also lists alerts with activeAt, but under data.groups[].rules[].
    if has(data, "resultType", "result") and data["resultType"] == "matrix":
        series = data["result"]
        metric = first(series).get("metric") if isinstance(first(series), dict) else None
        if isinstance(metric, dict) and metric.get("__name__") == "ALERTS":
            return KIND_RANGE
    return None


def read(path: Path, options: Mapping[str, Any], kind: str | None = None) -> ParsedFile:
    """Every firing in a Prometheus alerts snapshot or ALERTS query_range result."""
    settings = settings_from_table(PrometheusOptions, options, "sources.prometheus")
    document = _common.load_json(path)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise InputError(path, "not a Prometheus API response (no 'data' object)")
    instance = INSTANCE_LABELS | frozenset(settings.instance_labels)
    if isinstance(data.get("alerts"), list):
        parsed = ParsedFile(source=NAME, kind=KIND_ALERTS)
        parsed.accept(
            ((json_pointer("data", "alerts", i), a) for i, a in enumerate(data["alerts"])),
            lambda alert: _snapshot_row(alert, instance),
            table=Alerts.table,
            key=Alerts.alert_id,
            merge=_earlier,
        )
    elif data.get("resultType") == "matrix" and isinstance(data.get("result"), list):
        parsed = ParsedFile(source=NAME, kind=KIND_RANGE)
        _read_range(parsed, data["result"], settings.step, instance)
    else:
        raise InputError(path, "neither /api/v1/alerts nor a matrix query_range result")
    parsed.finish_notes()
    return parsed


def _snapshot_row(alert: Any, instance: frozenset[str]) -> Row:
    """The firing of one /api/v1/alerts entry; a pending alert is skipped (not a firing)."""
    if not isinstance(alert, dict) or not isinstance(alert.get("labels"), dict):
        raise RecordError("alert has no labels object")
    if alert.get("state") == "pending":
        raise Skip("pending alert (not firing yet)")
    if alert.get("state") != "firing":
        raise RecordError(f"unknown alert state {alert.get('state')!r}")
    started = utc_timestamp(alert.get("activeAt"))
    if started is None:
        raise RecordError("alert has no activeAt")
    annotations = alert.get("annotations")
    notes = annotations if isinstance(annotations, dict) else {}
    return _alert_row(alert["labels"], notes, started, None, instance)


def _earlier(old: Row, new: Row) -> Row:
    """The same firing listed twice in one snapshot: the first stays."""
    return old


def _read_range(
    parsed: ParsedFile, series: list[Any], step: float | None, instance: frozenset[str]
) -> None:
    samples: list[tuple[str, dict[str, str], list[float]]] = []
    for pointer, item in parsed.checked(
        (json_pointer("data", "result", i), s) for i, s in enumerate(series)
    ):
        found = parsed.attempt(pointer, item, partial(_series, item))
        if found is None:
            continue
        labels, times = found
        parsed.read -= 1  # a series is counted by its firing intervals, below
        if labels.pop("alertstate", "firing") != "firing":
            parsed.notes.append(f"{pointer}: pending series skipped: not firing")
            continue
        samples.append((pointer, labels, times))
    every = sorted({t for _, _, times in samples for t in times})
    if not every:
        return
    step = step or inferred_step(times for _, _, times in samples)
    end = every[-1]
    for pointer, labels, times in samples:
        for first_at, last_at in firing_intervals(times, step):
            parsed.read += 1
            row = parsed.attempt(
                pointer,
                {"labels": labels, "from": first_at, "to": last_at},
                partial(_interval_row, labels, first_at, last_at, step, end, instance),
            )
            if row is not None:
                parsed.add(Alerts.table, row)


def _interval_row(
    labels: dict[str, str],
    first_at: float,
    last_at: float,
    step: float,
    end: float,
    instance: frozenset[str],
) -> Row:
    started = _at(first_at)
    resolved = None if last_at >= end else _at(last_at + step)
    row = _alert_row(labels, {}, started, resolved, instance)
    row[Alerts.version_at] = resolved or _at(last_at)
    return row


def _series(item: Any) -> tuple[dict[str, str], list[float]]:
    """The series' labels (without ``__name__``) and sorted sample times."""
    if not isinstance(item, dict) or not isinstance(item.get("metric"), dict):
        raise RecordError("series has no metric object")
    values = item.get("values")
    if not isinstance(values, list) or not values:
        raise RecordError("series has no values")
    try:
        times = sorted(float(v[0]) for v in values)
    except (TypeError, ValueError, IndexError, KeyError) as err:
        raise RecordError(f"bad sample ({err})") from err
    if not all(0 < t < 253402300799 for t in times):  # a sample time must be a real instant
        raise RecordError("sample time out of range")
    labels = {str(k): str(v) for k, v in item["metric"].items() if k != "__name__"}
    if "alertname" not in labels:
        raise RecordError("series has no alertname label")
    return labels, times


def inferred_step(series_times: Iterable[list[float]]) -> float:
    """The smallest gap between consecutive samples of any series (1 s when none has two)."""
    gaps = [b - a for times in series_times for a, b in itertools.pairwise(times) if b > a]
    return round(min(gaps), 3) if gaps else 1.0


def firing_intervals(times: list[float], step: float) -> list[tuple[float, float]]:
    """(first, last) sample time of each run of samples no more than 1.5 steps apart."""
    runs: list[tuple[float, float]] = []
    start = previous = times[0]
    for t in times[1:]:
        if t - previous > step * _GAP_FACTOR:
            runs.append((start, previous))
            start = t
        previous = t
    runs.append((start, previous))
    return runs


def _at(seconds: float) -> datetime:
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    except OverflowError as err:
        raise RecordError(f"sample time {seconds:g} is out of range") from err


def _alert_row(
    labels: Mapping[str, Any],
    annotations: Mapping[str, Any],
    started: datetime,
    resolved: datetime | None,
    instance: frozenset[str],
) -> Row:
    labels = {str(k): str(v) for k, v in labels.items()}
    if "alertname" not in labels:
        raise RecordError("alert has no alertname label")
    severity_raw = labels.get("severity")
    return {
        Alerts.source: NAME,
        Alerts.alert_id: f"{fingerprint(labels)}@{iso_z(started)}",
        Alerts.rule_key: rule_key(labels, instance),
        Alerts.title: text_or_none(annotations.get("summary")) or labels["alertname"],
        Alerts.service: labels.get("service") or labels.get("job"),
        Alerts.team: labels.get("team"),
        Alerts.severity: normalised_severity(severity_raw),
        Alerts.severity_raw: severity_raw,
        Alerts.created_at: started,
        Alerts.resolved_at: resolved,
        Alerts.resolved_by: "auto" if resolved else "unknown",
        Alerts.labels: labels_json(labels),
        Alerts.version_at: resolved or started,
    }
