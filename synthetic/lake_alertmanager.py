"""The lake rows that ingesting a simulated world's Alertmanager webhook logs gives, built
straight from the simulation arrays (see ``lake_pagerduty.py`` for the PagerDuty side).

A firing is in the lake when at least one notification of it went out before the window ended;
it is resolved when its ``resolved`` notification did. One firing's notifications spread over
several files (one a month, cut every ``ExportLayout.lines_per_file`` lines), and the lake keeps
the row of the file holding its newest version (the last notification), so ``dedup_count`` is
the number of its notifications in that file.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alertlens.ingest.fields import labels_json, normalised_severity, text_or_none
from alertlens.ingest.readers.alertmanager import NAME as SOURCE
from alertlens.ingest.readers.alertmanager import AlertmanagerOptions, fingerprint, rule_key
from alertlens.ingest.schema import Alerts, Notifications
from alertlens.synthetic import model as m
from alertlens.synthetic.alertmanager import (
    alert_annotations,
    alert_labels,
    notifications,
    receiver,
)
from alertlens.synthetic.columns import coded, constant, timestamps
from alertlens.synthetic.ids import iso_seconds
from alertlens.synthetic.incidents import Assembly
from alertlens.synthetic.simulate import OPEN
from alertlens.synthetic.texts import Texts

TRIGGER: Final = "trigger"
RESOLVE: Final = "resolve"
_RESOLVED_BY: Final = ("auto", "unknown")


class AlertmanagerWorld:
    """A simulated world's Alertmanager side: per firing, whether it reached the lake, whether
    it resolved there and its ``dedup_count`` (numpy, computed once for the whole world)."""

    def __init__(self, world: m.World, assembly: Assembly, lines_per_file: int) -> None:
        self.world, self.assembly = world, assembly
        f = assembly.firings
        on_am = np.array([r.source == m.ALERTMANAGER for r in world.rules])[f.rule]
        firings = np.flatnonzero(on_am)
        row, sent, resolved = notifications(world, assembly, firings)
        month = sent.astype("datetime64[ms]").astype("datetime64[M]").astype(np.int64)
        position = np.arange(len(row)) - np.searchsorted(month, month, side="left")
        part = position // lines_per_file if lines_per_file else np.zeros_like(position)
        file_of_line = (month << 32) + part
        last = np.full(len(firings), -1, dtype=np.int64)
        np.maximum.at(last, row, np.arange(len(row)))
        in_last_file = file_of_line == file_of_line[last[row]]
        self.listed = np.zeros(len(f), dtype=bool)
        self.listed[firings[row]] = True
        self.resolved = np.zeros(len(f), dtype=bool)
        self.resolved[firings[row[resolved]]] = True
        self.dedup_count = np.zeros(len(f), dtype=np.int64)
        self.dedup_count[firings] = np.bincount(row[in_last_file], minlength=len(firings))
        options = AlertmanagerOptions()
        self.rule_pages = [options.pages(receiver(r.team, r.pages)) for r in world.rules]
        self._fingerprints: dict[str, str] = {}

    def alert_rows(self, firings: np.ndarray, texts: Texts, origin: str) -> pa.Table:
        """The alerts of the Alertmanager ``firings`` (indices of listed firings, with their
        ``texts`` in order)."""
        f = self.assembly.firings
        rules = self.world.rules
        columns: dict[str, list[str | None]] = {
            k: [] for k in ("fp", "rule_key", "title", "service", "team", "severity", "labels")
        }
        for r, host, text in zip(f.rule[firings].tolist(), texts.host, texts.rendered, strict=True):
            rule = rules[r]
            labels = alert_labels(rule, host, text)
            annotations = alert_annotations(rule, text)
            key = labels_json(labels) or ""
            fp = self._fingerprints.get(key)
            if fp is None:
                fp = self._fingerprints[key] = fingerprint(labels)
            everything: dict[str, str] = dict(labels)
            everything.update({f"annotation.{k}": v for k, v in annotations.items()})
            title = text_or_none(annotations.get("summary")) or text_or_none(
                annotations.get("description")
            )
            columns["fp"].append(fp)
            columns["rule_key"].append(rule_key(labels))
            columns["title"].append(title or labels.get("alertname"))
            columns["service"].append(labels.get("service") or labels.get("job"))
            columns["team"].append(labels.get("team"))
            columns["severity"].append(labels.get("severity") or labels.get("priority"))
            columns["labels"].append(labels_json(everything))
        start = f.start[firings]
        done = self.resolved[firings]
        ended = np.where(done, f.end[firings], OPEN)
        ids = [f"{fp}@{at}" for fp, at in zip(columns["fp"], iso_seconds(start), strict=True)]
        n = len(firings)
        return pa.table(
            {
                Alerts.source: constant(SOURCE, n),
                Alerts.alert_id: pa.array(ids, pa.string()),
                Alerts.rule_key: pa.array(columns["rule_key"], pa.string()),
                Alerts.title: pa.array(columns["title"], pa.string()),
                Alerts.service: pa.array(columns["service"], pa.string()),
                Alerts.team: pa.array(columns["team"], pa.string()),
                Alerts.severity: pa.array(
                    [normalised_severity(s) for s in columns["severity"]], pa.string()
                ),
                Alerts.severity_raw: pa.array(columns["severity"], pa.string()),
                Alerts.created_at: timestamps(start),
                Alerts.resolved_at: timestamps(ended),
                Alerts.resolved_by: coded(_RESOLVED_BY, np.where(done, 0, 1)),
                Alerts.paged: pa.array(np.array(self.rule_pages, dtype=bool)[f.rule[firings]]),
                Alerts.labels: pa.array(columns["labels"], pa.string()),
                Alerts.dedup_count: pa.array(self.dedup_count[firings]),
                Alerts.version_at: timestamps(np.where(done, ended, start)),
                Alerts.ingested_from: constant(origin, n),
            }
        )


def event_rows(alerts: pa.Table, kind: str, origin: str) -> pa.Table:
    """The ``trigger`` (at created_at) or ``resolve`` (at resolved_at, resolved alerts only)
    event the reader adds for each Alertmanager alert of ``alerts``."""
    if kind == RESOLVE:
        alerts = alerts.filter(pc.is_valid(alerts.column(Alerts.resolved_at)))
    at = alerts.column(Alerts.created_at if kind == TRIGGER else Alerts.resolved_at)
    alert_id = alerts.column(Alerts.alert_id)
    n = alerts.num_rows
    return pa.table(
        {
            Notifications.source: constant(SOURCE, n),
            Notifications.event_id: pc.binary_join_element_wise(alert_id, f":{kind}", ""),
            Notifications.at: at,
            Notifications.kind: constant(kind, n),
            Notifications.alert_id: alert_id,
            Notifications.agent_type: constant("system", n),
            Notifications.version_at: at,
            Notifications.ingested_from: constant(origin, n),
        }
    )
