"""Alertmanager webhook v4 payloads of the simulated world, one JSON body per line, in the
order a receiver would log them: a firing notification after ``group_wait``, repeats every
``repeat_interval`` while the alert fires, and a ``resolved`` notification with the real
``endsAt``. Each group holds one alert (``group_by: [alertname, service, instance]``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote_plus

import numpy as np

from alertlens.ingest.readers.alertmanager import fingerprint  # Alertmanager's own algorithm
from alertlens.synthetic import model as m
from alertlens.synthetic.catalog import TEMPLATES, Rendered
from alertlens.synthetic.ids import go_times, iso_seconds
from alertlens.synthetic.incidents import Assembly
from alertlens.synthetic.simulate import OPEN
from alertlens.synthetic.texts import Texts

GROUP_WAIT_MS: Final = 30_000
GROUP_INTERVAL_MS: Final = 300_000
REPEAT_MS: Final = {True: 3_600_000, False: 4 * 3_600_000}  # paging receivers repeat hourly
GO_ZERO: Final = "0001-01-01T00:00:00Z"
EXTERNAL_URL: Final = "http://alertmanager.example.com:9093"
PAGER_SUFFIX: Final = "-pager"
CHAT_SUFFIX: Final = "-slack"


def _go_json(value: object) -> str:
    """JSON as Go's encoder writes it: compact, HTML characters escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


@dataclass(frozen=True)
class AlertTexts:
    """Per Alertmanager firing: the alert's label set, fingerprint and annotations as JSON."""

    firing: np.ndarray  # firing indices
    labels_json: list[str]
    fingerprint: list[str]
    annotations_json: list[str]
    group: list[tuple[str, str, str]]  # (receiver, groupLabels json, groupKey json)


def receiver(team: str, pages: bool) -> str:
    """The receiver an alert of ``team`` is routed to: ``<team>-pager`` pages a human."""
    return team + (PAGER_SUFFIX if pages else CHAT_SUFFIX)


def alert_labels(rule: m.Rule, host: str, text: Rendered) -> dict[str, str]:
    """The label set of a firing of ``rule`` on ``host`` (as Prometheus sends it)."""
    template = TEMPLATES[rule.catalog]
    return {
        "alertname": rule.alertname,
        "env": "production",
        "instance": f"{host}:{template.port}",
        "job": template.job,
        "service": rule.service,
        "severity": rule.severity,
        "team": rule.team,
        **text.labels,
    }


def alert_annotations(rule: m.Rule, text: Rendered) -> dict[str, str]:
    """The annotations of a firing of ``rule``, in the order Go writes them (sorted keys)."""
    annotation = {"description": text.description}
    if rule.runbook:
        annotation["runbook_url"] = f"https://runbooks.example.com/{rule.alertname}"
    annotation["summary"] = text.summary
    return annotation


def alert_texts(
    world: m.World, assembly: Assembly, texts: Texts, only: np.ndarray | None = None
) -> AlertTexts:
    """Label sets, fingerprints and annotations of the Alertmanager firings (of those among
    the firing indices ``only``)."""
    f = assembly.firings
    on_am = np.array([r.source == m.ALERTMANAGER for r in world.rules])[f.rule]
    index = np.flatnonzero(on_am)
    if only is not None:
        index = np.intersect1d(index, only)
    cache: dict[str, tuple[str, str, tuple[str, str, str]]] = {}
    labels_json, fps, annotations, groups = [], [], [], []
    for i in index.tolist():
        rule = world.rules[int(f.rule[i])]
        text = texts.rendered[i]
        labels = alert_labels(rule, texts.host[i], text)
        key = _go_json(dict(sorted(labels.items())))
        if key not in cache:
            group_labels = {k: labels[k] for k in ("alertname", "instance", "service")}
            inner = ", ".join(f'{k}="{v}"' for k, v in group_labels.items())
            group_key = f'{{}}/{{team="{rule.team}"}}:{{{inner}}}'
            cache[key] = (
                fingerprint(labels),
                key,
                (receiver(rule.team, rule.pages), _go_json(group_labels), _go_json(group_key)),
            )
        fp, _, group = cache[key]
        labels_json.append(key)
        fps.append(fp)
        annotations.append(_go_json(alert_annotations(rule, text)))
        groups.append(group)
    return AlertTexts(index, labels_json, fps, annotations, groups)


def alert_ids(alerts: AlertTexts, assembly: Assembly) -> list[str]:
    """The ingest's id of each Alertmanager firing: ``fingerprint@startsAt`` (whole seconds, Z)."""
    starts = iso_seconds(assembly.firings.start[alerts.firing])
    return [f"{fp}@{s}" for fp, s in zip(alerts.fingerprint, starts, strict=True)]


def notifications(
    world: m.World, assembly: Assembly, firing: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row into ``firing``, send time, resolved?) of every notification of the Alertmanager
    firings ``firing`` (indices), in send order."""
    f = assembly.firings
    end_ms = int(world.end.timestamp() * 1000)
    rows = np.arange(len(firing))
    start = f.start[firing]
    end = f.end[firing]
    repeat = np.where(assembly.paged[firing], REPEAT_MS[True], REPEAT_MS[False])
    first = start + GROUP_WAIT_MS
    until = np.where(end == OPEN, end_ms, end)
    repeats = np.maximum((until - first - 1) // repeat, 0) * (first < until)
    count = 1 + repeats
    row = np.repeat(rows, count)
    k = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    sent = first[row] + k * repeat[row]
    # a resolved notification goes out on the group's next interval tick
    done = end != OPEN
    resolved_at = end + GROUP_INTERVAL_MS - (end - first) % GROUP_INTERVAL_MS
    done &= resolved_at < end_ms
    row = np.r_[row, rows[done]]
    sent = np.r_[sent, resolved_at[done]]
    status = np.r_[
        np.zeros(len(sent) - int(done.sum()), dtype=bool), np.ones(int(done.sum()), dtype=bool)
    ]
    keep = sent < end_ms
    row, sent, status = row[keep], sent[keep], status[keep]
    order = np.lexsort((status, row, sent))
    return row[order], sent[order], status[order]


def write_alertmanager(
    world: m.World,
    assembly: Assembly,
    alerts: AlertTexts,
    out: Path,
    *,
    lines_per_file: int = 0,
    progress: Callable[[int], None] | None = None,
    since_ms: int | None = None,
) -> list[Path]:
    """Write ``out/alertmanager/webhooks-<month>[-n].jsonl``; returns the files written.

    With ``since_ms``, only the notifications sent since then (what a receiver logged that day).
    """
    if not len(alerts.firing):
        return []
    tick = progress or (lambda _n: None)
    f = assembly.firings
    starts = go_times(f.start[alerts.firing])
    ends = go_times(np.where(f.end[alerts.firing] == OPEN, 0, f.end[alerts.firing]))
    row, sent, resolved = notifications(world, assembly, alerts.firing)
    if since_ms is not None:
        later = sent >= since_ms
        row, sent, resolved = row[later], sent[later], resolved[later]
    months = np.datetime_as_string(sent.astype("datetime64[ms]"), unit="M").tolist()
    if not months:
        return []
    rule_of = f.rule[alerts.firing]
    urls = {i: _go_json(_generator_url(r)) for i, r in enumerate(world.rules)}
    directory = out / "alertmanager"
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    lines: list[str] = []
    current = months[0] if months else ""
    part = 1

    def flush(month: str, part: int) -> None:
        name = (
            f"webhooks-{month}.jsonl"
            if not lines_per_file
            else f"webhooks-{month}-{part:03d}.jsonl"
        )
        path = directory / name
        path.write_text("".join(lines), encoding="utf-8")
        written.append(path)
        tick(len(lines))
        lines.clear()

    for r, is_resolved, month in zip(row.tolist(), resolved.tolist(), months, strict=True):
        if month != current or (lines_per_file and len(lines) >= lines_per_file):
            flush(current, part)
            part = 1 if month != current else part + 1
            current = month
        status = "resolved" if is_resolved else "firing"
        labels, annotations = alerts.labels_json[r], alerts.annotations_json[r]
        receiver_name, group_labels, group_key = alerts.group[r]
        lines.append(
            f'{{"receiver":"{receiver_name}","status":"{status}","alerts":[{{"status":"{status}",'
            f'"labels":{labels},"annotations":{annotations},"startsAt":"{starts[r]}",'
            f'"endsAt":"{ends[r] if is_resolved else GO_ZERO}",'
            f'"generatorURL":{urls[int(rule_of[r])]},'
            f'"fingerprint":"{alerts.fingerprint[r]}"}}],"groupLabels":{group_labels},'
            f'"commonLabels":{labels},"commonAnnotations":{annotations},"externalURL":"{EXTERNAL_URL}",'
            f'"version":"4","groupKey":{group_key},"truncatedAlerts":0}}\n'
        )
    flush(current, part)
    return written


def _generator_url(rule: m.Rule) -> str:
    expr = f'{rule.alertname.lower()}:ratio{{service="{rule.service}"}} > 0.9'
    return (
        f"http://prometheus-{rule.team}.example.com:9090/graph?g0.expr={quote_plus(expr)}&g0.tab=1"
    )
