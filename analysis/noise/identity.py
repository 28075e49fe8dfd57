"""Which rule fired: a rule identity from the strongest evidence an alert carries.

A rule is what a team can fix as one thing: an alerting rule, a monitor, a check. The evidence
for it, strongest first:

1. A name the monitoring system gives the rule, kept by the readers in ``labels``: the
   Prometheus ``alertname`` (Alertmanager, Prometheus, a PagerDuty or Opsgenie event sent by
   Alertmanager), a Datadog ``monitor_id``, a CloudWatch ``AlarmName``, a Nagios ``check``. The
   rule is that name on its service (a Prometheus rule also keeps its ``severity``: a warning
   and a critical threshold are two rules). Every other label (instance, pod, topic, queue,
   stream …) names where the rule fired, not which rule.
2. An Opsgenie ``alias`` that several alerts share (Opsgenie folds repeats of one alias into
   one alert, and integrations set it to a rule-level key), unless it is one of many aliases
   of one shape (``diskfull-web-01``, ``diskfull-web-02`` … name hosts, not rules).
3. Otherwise the alert's title, mined into a template (``ingest.templates``) whose variable
   parts are learnt from the data: a hash name that varies from firing to firing becomes a
   slot, and titles of one scope that differ in one word position only, with at least
   ``MIN_SLOT_VALUES`` different words there, are one rule with a slot at that position
   (a topic, queue or host name). The second step clusters the distinct templates with
   scikit-learn's DBSCAN over their token positions (Hamming distance).

A source the analysis has no name for (a mapped CSV, ServiceNow) keeps the reader's rule key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.cluster import DBSCAN

from alertlens.ingest.schema import Alerts
from alertlens.ingest.templates import HASH_NAME, title_templates

#: Label keys naming the rule, strongest first, with the basis reported for each.
NAME_LABELS: Final = (
    ("alertname", "alertname"),
    ("monitor_id", "monitor"),
    ("AlarmName", "alarm"),
    ("check", "check"),
)
#: Sources whose alerts the analysis names itself; others keep the reader's rule key.
NAMED_SOURCES: Final = frozenset({"alertmanager", "prometheus", "pagerduty", "opsgenie"})
#: Sources whose severity label is part of a Prometheus rule's identity.
PROMETHEUS_SOURCES: Final = frozenset({"alertmanager", "prometheus"})
#: Distinct words a title position must take before it is a slot rather than two rules.
MIN_SLOT_VALUES: Final = 3
#: A hash position is a slot when most of its firings carry a hash of their own.
UNIQUE_HASH_SHARE: Final = 0.5
SLOT: Final = "<*>"

#: Columns of the identity frame.
RULE_KEY: Final = Alerts.rule_key
RULE_NAME: Final = "rule_name"
BASIS: Final = "identity_basis"
TEMPLATE: Final = "title_template"


@dataclass(frozen=True)
class IdentitySteps:
    """Which identity steps run (the evaluation's ablation turns them off one by one)."""

    names: bool = True  # rule names from labels (alertname, monitor, alarm, check, alias)
    slots: bool = True  # slot learning over titles (hash slots and DBSCAN word slots)


def rule_identity(alerts: pd.DataFrame, steps: IdentitySteps = IdentitySteps()) -> pd.DataFrame:
    """Per alert (same index): ``rule_key``, ``rule_name`` (how a person calls the rule),
    ``identity_basis`` (alertname, monitor, alarm, check, alias, template or source) and the
    alert's ``title_template``."""
    n = len(alerts)
    source = alerts[Alerts.source].astype(object).to_numpy()
    scope = _scope(alerts)
    labels = alerts[Alerts.labels].astype(object).where(alerts[Alerts.labels].notna(), None)
    templates = title_templates(alerts[Alerts.title])
    if steps.slots:
        templates = _with_learnt_slots(templates, scope)
    key = alerts[Alerts.rule_key].astype(object).to_numpy().copy()
    name = templates.fillna(pd.Series(key, index=alerts.index)).to_numpy(dtype=object).copy()
    basis = np.full(n, "source", dtype=object)
    named = np.isin(source, list(NAMED_SOURCES))
    undecided = named.copy()
    if steps.names and named.any():
        # labels are read for the sources the analysis names (a regex pass per key)
        # one Arrow array for every label key's regex pass
        sub = pa.array(labels.where(named, None).to_numpy(dtype=object), type=pa.string())
        prometheus = np.isin(source, list(PROMETHEUS_SOURCES))
        severity = _where(prometheus, _label(sub, "severity"))
        for label, kind in NAME_LABELS:
            value = _label(sub, label)
            hit = undecided & pd.notna(value)
            if not hit.any():
                continue
            key[hit] = _combined(
                lambda src, sc, v, sev, k=kind: _joined(src, k, sc, v, sev),
                source[hit],
                scope[hit],
                value[hit],
                severity[hit],
            )
            name[hit] = _combined(_display, value[hit], scope[hit])
            basis[hit] = kind
            undecided &= ~hit
        alias = _stable_alias(_label(sub, "alias"), alerts[Alerts.alert_id].to_numpy(dtype=object))
        hit = undecided & pd.notna(alias) & (source == "opsgenie")
        if hit.any():
            key[hit] = _combined(
                lambda src, sc, a: _joined(src, "alias", sc, a, None),
                source[hit],
                scope[hit],
                alias[hit],
            )
            name[hit] = alias[hit]
            basis[hit] = "alias"
            undecided &= ~hit
    rest = undecided & templates.notna().to_numpy()
    if rest.any():
        key[rest] = _combined(
            lambda src, sc, t: _joined(src, "title", sc, t, None),
            source[rest],
            scope[rest],
            templates.to_numpy()[rest],
        )
    basis[rest] = "template"
    out = pd.DataFrame(
        {RULE_KEY: key, RULE_NAME: name, BASIS: basis, TEMPLATE: templates.to_numpy()},
        index=alerts.index,
    )
    out[TEMPLATE] = _rule_templates(out[RULE_KEY], out[TEMPLATE])
    return out


def _combined(make: Callable[..., str], *columns: np.ndarray) -> np.ndarray:
    """``make(*row)`` per row of ``columns``, computed once per distinct row."""
    texts = [
        pc.fill_null(pa.array(np.asarray(c, dtype=object), type=pa.string()), "\x00")
        for c in columns
    ]
    joined = pc.binary_join_element_wise(*texts, "\x1f").to_numpy(zero_copy_only=False)
    codes, uniques = pd.factorize(joined)
    values = [
        make(*(None if v == "\x00" else v for v in str(row).split("\x1f"))) for row in uniques
    ]
    return np.asarray(values, dtype=object)[codes]


def _scope(alerts: pd.DataFrame) -> np.ndarray:
    """Where a rule lives: its service, else its team, else nothing."""
    service = alerts[Alerts.service].astype(object)
    team = alerts[Alerts.team].astype(object)
    return service.where(service.notna(), team).fillna("-").to_numpy(dtype=object)


def _label(labels: pd.Series | pa.Array, key: str) -> np.ndarray:
    """The string value of ``key`` in each labels JSON text (None where absent or empty)."""
    text = (labels if isinstance(labels, pa.Array)
            else pa.array(labels.to_numpy(dtype=object), type=pa.string()))
    pattern = '"' + key + r'":"(?P<v>(?:[^"\\]|\\.)*)"'
    found = pc.extract_regex(text, pattern=pattern)
    values = pc.struct_field(found, "v").to_numpy(zero_copy_only=False).astype(object)
    values[pd.isna(values) | (values == "")] = None
    return np.asarray(values, dtype=object)


def _stable_alias(alias: np.ndarray, alert_id: np.ndarray) -> np.ndarray:
    """An alias that names a rule: shared by several alerts, not the alert's id, and not one of
    many aliases of one shape (``diskfull-web-01``, ``diskfull-web-02`` … name hosts)."""
    frame = pd.Series(alias, dtype=object)
    shared = frame.map(frame.value_counts()).fillna(0).to_numpy() >= 2
    shape = title_templates(frame)
    siblings = frame.groupby(shape.fillna("")).transform("nunique").fillna(0).to_numpy()
    one_of_many = (shape.to_numpy(dtype=object) != alias) & (siblings >= MIN_SLOT_VALUES)
    not_id = alias != alert_id
    return _where(shared & ~one_of_many & not_id & pd.notna(alias), alias)


def _where(keep: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``keep``, None elsewhere (an object array)."""
    out = np.full(len(keep), None, dtype=object)
    out[keep] = np.asarray(values, dtype=object)[keep]
    return out


def _joined(source: str, kind: str, scope: str, value: str, severity: object) -> str:
    family = "prometheus" if source in PROMETHEUS_SOURCES else source
    tail = f" [{severity}]" if isinstance(severity, str) and severity else ""
    return f"{family}|{scope}|{kind}:{value}{tail}"


def _display(value: str, scope: str) -> str:
    return value if scope == "-" else f"{value} · {scope}"


def _with_learnt_slots(templates: pd.Series, scope: np.ndarray) -> pd.Series:
    """``templates`` with hash names that vary per firing, and word positions that vary across
    otherwise identical templates of one scope, turned into slots. Works on the distinct
    (scope, template) pairs with their firing counts, not on every alert."""
    frame = pd.DataFrame({"t": templates.to_numpy(dtype=object), "s": scope})
    known = frame["t"].notna()
    if not known.any():
        return templates
    counts = frame[known].groupby(["s", "t"]).size().rename("n").reset_index()
    counts["h"] = _hash_slots(counts)
    hashed = counts.groupby(["s", "h"], as_index=False)[["n"]].sum()
    hashed.columns = pd.Index(["s", "t", "n"])
    merged = _word_slots(hashed)
    final = counts.merge(
        merged[["s", "t", "merged"]].rename(columns={"t": "h"}), on=["s", "h"], how="left"
    )
    lookup = pd.Series(
        final["merged"].to_numpy(dtype=object),
        index=pd.MultiIndex.from_frame(final[["s", "t"]]),
    )
    keys = pd.MultiIndex.from_frame(frame[["s", "t"]])
    out = lookup.reindex(keys).to_numpy(dtype=object)
    out[~known.to_numpy()] = None
    return pd.Series(out, index=templates.index)


def _hash_slots(counts: pd.DataFrame) -> pd.Series:
    """Per distinct (scope ``s``, template ``t``, firings ``n``): the template with hash names
    that are unique to their firing in most firings of a (scope, shape) whose other words stay
    the same turned into slots."""
    tokens = counts["t"].str.split(" ")
    shape = tokens.map(lambda ts: " ".join("<HASH>" if HASH_NAME.fullmatch(t) else t for t in ts))
    has_hash = shape != counts["t"]
    # a title made of hashes only is a name, never a slot (a template is never just a slot)
    words = shape.map(lambda t: any(w != "<HASH>" and not w.startswith("<") for w in t.split()))
    has_hash &= words
    out = counts["t"].copy()
    if not has_hash.any():
        return out
    sub = pd.DataFrame({"s": counts["s"], "shape": shape, "t": counts["t"], "n": counts["n"]})
    sub = sub[has_hash]
    stats = sub.groupby(["s", "shape"]).agg(distinct=("t", "nunique"), size=("n", "sum"))
    varying = stats[
        (stats["distinct"] >= MIN_SLOT_VALUES)
        & (stats["distinct"] >= UNIQUE_HASH_SHARE * stats["size"])
    ]
    slotted = pd.MultiIndex.from_frame(sub[["s", "shape"]]).isin(varying.index)
    idx = sub.index[slotted]
    out.loc[idx] = sub.loc[idx, "shape"].str.replace("<HASH>", SLOT, regex=False)
    return out


def _word_slots(counts: pd.DataFrame) -> pd.DataFrame:
    """``counts`` (scope, template, n) with ``merged``: the template with the positions that
    vary inside its DBSCAN cluster as slots. Clusters form per (scope, token count) over the
    distinct templates, a neighbour being a template that differs in one position (never the
    first unless its words are lower-case names: a title's first word usually names what is
    measured, CPU or Memory)."""
    counts = counts.assign(merged=counts["t"])
    tokens = counts["t"].str.split(" ")
    counts["len"] = tokens.map(len)
    sizes = counts.groupby(["s", "len"])["t"].transform("size")
    candidates = counts[(sizes >= MIN_SLOT_VALUES) & (counts["len"] >= 2)]
    for _, group in candidates.groupby(["s", "len"]):
        length = len(str(group["t"].iat[0]).split(" "))
        if len(group) < MIN_SLOT_VALUES or length < 2:
            continue
        rows = np.array(tokens.loc[group.index].tolist(), dtype=object)
        codes = np.column_stack([pd.factorize(rows[:, j])[0] for j in range(rows.shape[1])])
        labels = DBSCAN(
            eps=1.0 / length + 1e-9, min_samples=MIN_SLOT_VALUES, metric="hamming"
        ).fit_predict(codes)
        for label in set(labels) - {-1}:
            members = np.flatnonzero(labels == label)
            block = rows[members]
            varies = np.array([len(set(block[:, j])) > 1 for j in range(block.shape[1])])
            if varies.sum() == block.shape[1] or (varies[0] and not _named(block[:, 0])):
                continue
            template = " ".join(
                SLOT if v else str(w) for v, w in zip(varies, block[0], strict=True)
            )
            counts.loc[group.index[members], "merged"] = template
    return counts


def _slotted(varies: np.ndarray, words: np.ndarray) -> str:
    """The template of aligned titles: their words, a slot where they vary."""
    return " ".join(SLOT if v else str(w) for v, w in zip(varies, words, strict=True))


def _named(words: np.ndarray) -> bool:
    """Whether varying first words look like the names of things (a topic, an upstream:
    lower-case identifiers) rather than what is measured (CPU, Memory)."""
    return all(w == SLOT or (str(w) == str(w).lower() and str(w)[:1].isalpha()) for w in words)


def _rule_templates(keys: pd.Series, templates: pd.Series) -> pd.Series:
    """Per alert: its rule's template, the positions that vary across the rule's titles as
    slots (over the rule's most common token count), so one rule reads as one title."""
    frame = pd.DataFrame({"k": keys.to_numpy(dtype=object), "t": templates.to_numpy(dtype=object)})
    distinct = frame.dropna().drop_duplicates()
    multi = distinct[distinct.duplicated("k", keep=False)]
    combined: dict[object, str] = {}
    for key, group in multi.groupby("k"):
        split = group["t"].str.split(" ")
        length = split.map(len).mode().iat[0]
        rows = np.array([t for t in split if len(t) == length], dtype=object)
        varies = [len(set(rows[:, j])) > 1 for j in range(rows.shape[1])]
        combined[key] = " ".join(
            SLOT if v else str(w) for v, w in zip(varies, rows[0], strict=True)
        )
    out = frame["k"].map(combined)
    return pd.Series(
        out.where(out.notna(), frame["t"]).to_numpy(), index=templates.index, dtype=object
    )
