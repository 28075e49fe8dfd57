"""Alertmanager webhook v4 logs: one JSON Lines file per receiver, one POST body per line.

Routing and notification timing are simulated the way Alertmanager does it: a route per team
(critical/error pages go to ``<team>-pager`` and, with ``continue``, to ``<team>-slack``; the
rest only to ``<team>-slack``), aggregation groups by (alertname, cluster, service), a first
flush ``group_wait`` after a group appears, then ticks every ``group_interval`` that send only
when the group changed (a new firing alert, a resolution of a notified alert) or
``repeat_interval`` passed. Each payload carries every alert of the group (firing and resolved),
re-rendered annotations, ``max_alerts`` truncation. An alert that started and cleared between
two ticks of a group nobody notified is never sent at all (so it is not in the ground truth).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import numpy as np

from alertlens.ingest.readers.alertmanager import fingerprint
from alertlens.synthetic.independent import model as m
from alertlens.synthetic.independent.fmt import go_time, iso_seconds, write_jsonl
from alertlens.synthetic.independent.titles import title

ZERO = "0001-01-01T00:00:00Z"
EXTERNAL_URL = "http://alertmanager.monitoring.svc:9093"


def prepare(world: m.World, rng: np.random.Generator) -> None:
    """Snap the firings onto their rule group's evaluation grid and give them label sets."""
    grids: dict[str, tuple[float, float]] = {}
    for f in world.firings:
        r = f.rule
        if r.source != m.ALERTMANAGER:
            continue
        if r.name not in grids:
            interval = float(rng.choice([15.0, 30.0, 60.0]))
            grids[r.name] = (interval, float(rng.integers(0, int(interval) * 1000)) / 1000)
            r.params["job_label"] = bool(rng.random() < 0.3)
            r.params["runbook"] = bool(rng.random() < 0.5)
            r.params["description"] = bool(rng.random() < 0.6)
        interval, off = grids[r.name]
        f.start = math.ceil((f.start - off) / interval) * interval + off
        if f.end is not None:
            f.end = max(f.start + interval, math.ceil((f.end - off) / interval) * interval + off)
            if f.end >= world.end:
                f.end = None
        f.extra["labels"] = labels(f)
        f.extra["fp"] = fingerprint(f.extra["labels"])
        f.alert_id = f"{f.extra['fp']}@{iso_seconds(f.start)}"
    # one label set holds one alert at a time: a firing that starts while the same label set is
    # still firing is the same alert to Prometheus, not a new one
    open_until: dict[str, float] = {}
    for f in sorted(
        (x for x in world.firings if x.rule.source == m.ALERTMANAGER), key=lambda x: x.start
    ):
        fp = f.extra["fp"]
        if fp in open_until and f.start <= open_until[fp]:
            f.extra["dropped"] = True
            f.visible = False
            continue
        open_until[fp] = math.inf if f.end is None else f.end


def labels(f: m.Firing) -> dict[str, str]:
    r = f.rule
    out = {
        "alertname": r.alertname,
        "severity": r.severity,
        "team": r.team.slug,
        "cluster": r.service.cluster,
        "prometheus": "monitoring/k8s",
    }
    if r.params.get("job_label"):
        out["job"] = r.service.name
    else:
        out["service"] = r.service.name
        out["namespace"] = r.team.slug
    if "host" in f.tokens:
        out["instance"] = f"{f.tokens['host']}:9100"
    if "pod" in f.tokens:
        out["pod"] = f.tokens["pod"]
    for k in r.check.extra_labels:
        if k in f.tokens:
            out[k] = f.tokens[k]
    if r.title_style == "hashed":
        out["stream"] = r.fixed_tokens["__hash"]
    return dict(sorted(out.items()))


def annotations_of(f: m.Firing, rng: np.random.Generator, first: bool) -> dict[str, str]:
    r = f.rule
    if r.title_style == "label_only":
        return {}
    text = title(f) if first else title(f, rerender=rng)
    out = {"summary": text}
    if r.params.get("description"):
        out["description"] = f"{text}. Owner: {r.team.name}."
    if r.params.get("runbook"):
        out["runbook_url"] = f"https://runbooks.example.com/{r.team.slug}/{r.alertname}"
    return dict(sorted(out.items()))


def _receivers(f: m.Firing, slack_continue: dict[str, bool]) -> list[str]:
    r = f.rule
    team = r.team.slug
    if r.paging and r.severity in ("critical", "error"):
        return [f"{team}-pager"] + ([f"{team}-slack"] if slack_continue[team] else [])
    return [f"{team}-slack"]


def _group_key(receiver: str, f: m.Firing, group_labels: dict[str, str]) -> str:
    team = f.rule.team.slug
    route = f'{{}}/{{team="{team}"}}' + (
        '/{severity=~"critical|error"}' if receiver.endswith("-pager") else ""
    )
    inner = ", ".join(f'{k}="{v}"' for k, v in group_labels.items())
    return f"{route}:{{{inner}}}"


def write(world: m.World, out: Path, rng: np.random.Generator) -> list[Path]:
    sc = world.settings
    am = [
        f for f in world.firings if f.rule.source == m.ALERTMANAGER and not f.extra.get("dropped")
    ]
    if not am:
        return []
    for f in am:
        f.visible = False
        f.paged = False
    slack_continue = {t.slug: bool(rng.random() < 0.7) for t in world.teams}
    groups: dict[tuple[str, str], list[m.Firing]] = {}
    for f in am:
        lab = f.extra["labels"]
        gl = {k: lab.get(k, "") for k in ("alertname", "cluster", "service") if k in lab}
        for rcv in _receivers(f, slack_continue):
            groups.setdefault((rcv, _group_key(rcv, f, gl)), []).append(f)
    posts: dict[str, list[tuple[float, int, dict[str, Any]]]] = {}
    seq = 0
    for (rcv, gkey), fs in sorted(groups.items()):
        fs.sort(key=lambda x: x.start)
        pager = rcv.endswith("-pager")
        repeat = sc.am_repeat_pager if pager else sc.am_repeat_slack
        for t, firing, resolved in _flushes(
            fs, sc.am_group_wait, sc.am_group_interval, repeat, world.end
        ):
            alerts = sorted(firing + resolved, key=_am_order)
            kept = alerts[: sc.am_max_alerts] if sc.am_max_alerts else alerts
            entries = []
            for a in kept:
                is_firing = a in firing
                a.visible = True
                if pager and is_firing:
                    a.paged = True
                entries.append(
                    {
                        "status": "firing" if is_firing else "resolved",
                        "labels": a.extra["labels"],
                        "annotations": annotations_of(
                            a, rng, first=is_firing and not a.extra.get("sent")
                        ),
                        "startsAt": go_time(a.start),
                        "endsAt": ZERO if is_firing else go_time(a.end),
                        "generatorURL": _generator_url(a),
                        "fingerprint": a.extra["fp"],
                    }
                )
                a.extra["sent"] = True
            common = _common([e["labels"] for e in entries])
            payload = {
                "receiver": rcv,
                "status": "firing" if any(e["status"] == "firing" for e in entries) else "resolved",
                "alerts": entries,
                "groupLabels": {
                    k: v
                    for k, v in sorted(fs[0].extra["labels"].items())
                    if k in ("alertname", "cluster", "service")
                },
                "commonLabels": common,
                "commonAnnotations": _common([e["annotations"] for e in entries]),
                "externalURL": EXTERNAL_URL,
                "version": "4",
                "groupKey": gkey,
                "truncatedAlerts": len(alerts) - len(kept),
            }
            seq += 1
            posts.setdefault(rcv, []).append((t, seq, payload))
    files = []
    for rcv, items in sorted(posts.items()):
        items.sort(key=lambda x: (x[0], x[1]))
        files.append(
            write_jsonl(
                out / "alertmanager" / f"{rcv}.jsonl", [p for _, _, p in items], go_style=True
            )
        )
    return files


def _am_order(f: m.Firing) -> tuple[Any, ...]:
    lab = f.extra["labels"]
    return (lab.get("job", ""), lab.get("instance", ""), tuple(sorted(lab.items())), f.start)


def _common(dicts: list[dict[str, str]]) -> dict[str, str]:
    if not dicts:
        return {}
    first = dicts[0]
    return {k: v for k, v in first.items() if all(d.get(k) == v for d in dicts[1:])}


def _generator_url(f: m.Firing) -> str:
    expr = f'{f.rule.alertname.lower()}:ratio{{service="{f.rule.service.name}"}} > 0.9'
    return f"http://prometheus-k8s-0:9090/graph?g0.expr={quote_plus(expr)}&g0.tab=1"


def _flushes(fs: list[m.Firing], gw: float, gi: float, repeat: float, end: float):  # type: ignore[no-untyped-def]
    """(time, firing alerts, resolved alerts) of every notification one aggregation group sends."""
    i, n = 0, len(fs)
    group: dict[str, m.Firing] = {}
    tick = 0.0
    last_firing: set[str] = set()
    last_sent: float | None = None
    while i < n or group:
        if not group:
            if i >= n:
                break
            tick = fs[i].start + 0.5 + gw
            last_firing, last_sent = set(), None
        while i < n and fs[i].start + 0.5 <= tick:
            group[fs[i].extra["fp"]] = fs[i]  # a new episode replaces a finished one
            i += 1
        if tick >= end:
            break
        firing = [f for f in group.values() if f.end is None or f.end > tick]
        resolved = [f for f in group.values() if f.end is not None and f.end <= tick]
        fps = {f.extra["fp"] + f.alert_id for f in firing}
        send = bool(fps - last_firing)
        send = send or any(f.extra["fp"] + f.alert_id in last_firing for f in resolved)
        send = send or bool(firing and last_sent is not None and tick - last_sent >= repeat - 1e-6)
        if send and (firing or any(f.extra["fp"] + f.alert_id in last_firing for f in resolved)):
            yield tick, firing, resolved
            last_firing, last_sent = fps, tick
        for f in resolved:
            group.pop(f.extra["fp"], None)
        if not group:
            continue
        nxt = [fs[i].start + 0.5] if i < n else []
        nxt += [f.end for f in firing if f.end is not None]
        if firing and last_sent is not None:
            nxt.append(last_sent + repeat)
        target = min(nxt) if nxt else end
        steps = max(1, math.ceil((target - tick) / gi - 1e-9))
        tick += steps * gi
