"""How well a noise analysis matches a generated world's ground truth: alert-level and
rule-level precision/recall, the error of the noise share and of the what-if projection."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from alertlens.analysis.noise.analysis import NoiseAnalysis
from alertlens.ingest.schema import Alerts, Rules, Scored, Summary

#: Columns of ``ground_truth_alerts.csv`` (written by synthetic/truth.py and
#: synthetic/independent/truth.py); ``observable`` is optional (absent: every label is).
TRUTH_RULE = "rule"
TRUTH_NOISE = "is_noise"
TRUTH_OBSERVABLE = "observable"
SCORED = "scored"  # the truth's headline numbers over what the exports can show

ALERT_PRECISION = "alert_precision"
ALERT_RECALL = "alert_recall"
ALERT_F1 = "alert_f1"
RULE_PRECISION = "rule_precision"
RULE_RECALL = "rule_recall"
FIX_AGREEMENT = "fix_agreement"
NOISE_SHARE_ERROR = "noise_share_error_points"
PAGES_AFTER_ERROR = "pages_after_error"
INCIDENTS_AFTER_ERROR = "incidents_after_error"
MATCHED = "matched_share"
SCORED_SHARE = "scored_share"  # share of the truth's alerts whose label is observable
DECIDED_SHARE = "decided_share"  # share of the observable world rules given a verdict
KEYS_PER_RULE = "keys_per_rule"  # rule keys the analysis split each world rule into (mean)
#: Raw counts behind the ratios, so several worlds can be pooled (micro-averaged).
ALERT_TP, ALERT_FP, ALERT_FN = "alert_tp", "alert_fp", "alert_fn"
RULE_TP, RULE_FP, RULE_FN = "rule_tp", "rule_fp", "rule_fn"
FIX_HITS, FIX_TOTAL = "fix_hits", "fix_total"
#: Signed errors whose mean absolute value is the pooled figure.
ERRORS: tuple[str, ...] = (NOISE_SHARE_ERROR, PAGES_AFTER_ERROR, INCIDENTS_AFTER_ERROR)


def evaluation(
    analysis: NoiseAnalysis, truth_alerts: pd.DataFrame, truth: Mapping[str, Any]
) -> dict[str, float]:
    """Scores of ``analysis`` against a world's per-alert truth and ``ground_truth.json``.

    Rules are judged per ground-truth rule (one world rule may map to several rule keys when
    its titles vary): predicted noisy when most of its firings were called noise. The what-if
    errors are relative errors of the projected weekly rates."""
    columns = [Alerts.source, Alerts.alert_id, TRUTH_RULE, TRUTH_NOISE]
    truth_alerts = truth_alerts.assign(
        **{
            TRUTH_OBSERVABLE: _as_bool(truth_alerts[TRUTH_OBSERVABLE])
            if TRUTH_OBSERVABLE in truth_alerts
            else True
        }
    )
    every = analysis.alerts_scored.merge(
        truth_alerts[[*columns, TRUTH_OBSERVABLE]],
        on=[Alerts.source, Alerts.alert_id],
        how="inner",
        suffixes=("", "_truth"),
    )
    # a label the exports carry no evidence for is not scored (the truth says why)
    joined = every[every[TRUTH_OBSERVABLE].astype(bool)]
    predicted = joined[Scored.is_noise].astype(bool)
    actual = _as_bool(joined[f"{TRUTH_NOISE}_truth"])
    rules = _judged_rules(analysis, every, truth)
    expected = {**truth["expected"], **truth["expected"].get(SCORED, {})}
    summary = analysis.summary
    hits, total = fix_hits(analysis, joined, truth)
    return {
        MATCHED: len(every) / max(len(truth_alerts), 1),
        SCORED_SHARE: len(joined) / max(len(truth_alerts), 1),
        **_counts(predicted, actual, ALERT_TP, ALERT_FP, ALERT_FN),
        **_counts(rules["p"], rules["a"], RULE_TP, RULE_FP, RULE_FN),
        **_prf(predicted, actual, ALERT_PRECISION, ALERT_RECALL, ALERT_F1),
        **_prf(rules["p"], rules["a"], RULE_PRECISION, RULE_RECALL, None),
        DECIDED_SHARE: float(rules["decided"].mean()) if len(rules) else 1.0,
        KEYS_PER_RULE: float(every.groupby(TRUTH_RULE)[Alerts.rule_key].nunique().mean())
        if len(every)
        else 1.0,
        FIX_AGREEMENT: hits / total if total else 1.0,
        FIX_HITS: hits,
        FIX_TOTAL: total,
        NOISE_SHARE_ERROR: 100 * (float(predicted.mean()) - expected["noise_share"])
        if len(joined)
        else 0.0,
        PAGES_AFTER_ERROR: _relative(
            summary[Summary.projected_pages_per_week_after_fixes],
            expected["pages_per_week_after_fixes"],
        ),
        INCIDENTS_AFTER_ERROR: _relative(
            summary[Summary.projected_incidents_per_week_after_fixes],
            expected["incidents_per_week_after_fixes"],
        ),
    }


def _judged_rules(
    analysis: NoiseAnalysis, every: pd.DataFrame, truth: Mapping[str, Any]
) -> pd.DataFrame:
    """Per world rule whose label the exports show (most of its firings observable): whether it
    is noise (``a``), whether the analysis decided on it (its main rule key's verdict is
    neither "needs more data" nor "cannot tell") and, among the decided, whether it called it
    noisy (``p``: most of its firings called noise). Rule precision and recall count the
    decided rules; ``decided_share`` says how many that is."""
    kinds = {r["rule"]: bool(r["is_noise"]) for r in truth.get("rules", [])}
    frame = pd.DataFrame(
        {
            TRUTH_RULE: every[TRUTH_RULE].to_numpy(),
            "p": every[Scored.is_noise].astype(bool).to_numpy(),
            "a": _as_bool(every[f"{TRUTH_NOISE}_truth"]).to_numpy(),
            "o": every[TRUTH_OBSERVABLE].astype(bool).to_numpy(),
            Alerts.rule_key: every[Alerts.rule_key].to_numpy(),
        }
    )
    per = frame.groupby(TRUTH_RULE).agg(
        p=("p", "mean"),
        a=("a", "mean"),
        o=("o", "mean"),
        key=(Alerts.rule_key, _mode),
    )
    per = per[per["o"] >= 0.5]
    verdicts = analysis.rules.set_index(Rules.rule_key)[Rules.verdict].astype(str)
    undecided = per["key"].map(verdicts).isin(["needs more data", "cannot tell"])
    actual = pd.Series(
        [kinds.get(r, a >= 0.5) for r, a in zip(per.index, per["a"], strict=True)],
        index=per.index,
    )
    # an undecided rule is neither a hit nor a miss: both flags False
    return pd.DataFrame(
        {"p": (per["p"] >= 0.5) & ~undecided, "a": actual & ~undecided, "decided": ~undecided}
    )


def pooled(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Scores of several ``evaluation`` results taken together: precision, recall and F1 from the
    summed true/false positives (micro-average), fix agreement from the summed hits, and the
    mean absolute value of each signed error (noise share points, what-if relative errors)."""
    total = {key: float(sum(row[key] for row in rows)) for key in _COUNT_KEYS}
    out = {
        **_ratios(total[ALERT_TP], total[ALERT_FP], total[ALERT_FN], ALERT_PRECISION, ALERT_RECALL),
        **_ratios(total[RULE_TP], total[RULE_FP], total[RULE_FN], RULE_PRECISION, RULE_RECALL),
        FIX_AGREEMENT: total[FIX_HITS] / total[FIX_TOTAL] if total[FIX_TOTAL] else 1.0,
        **total,
    }
    p, r = out[ALERT_PRECISION], out[ALERT_RECALL]
    out[ALERT_F1] = 2 * p * r / (p + r) if p + r else 0.0
    for key in ERRORS:
        values = [abs(float(row[key])) for row in rows if not math.isnan(float(row[key]))]
        out[key] = sum(values) / len(values) if values else float("nan")
    return out


def fix_agreement(analysis: NoiseAnalysis, joined: pd.DataFrame, truth: Mapping[str, Any]) -> float:
    """Share of truly noisy world rules whose main rule key got the expected fix."""
    hits, total = fix_hits(analysis, joined, truth)
    return hits / total if total else 1.0


def fix_hits(
    analysis: NoiseAnalysis, joined: pd.DataFrame, truth: Mapping[str, Any]
) -> tuple[int, int]:
    """(noisy world rules whose main rule key got the expected fix, noisy world rules seen)."""
    expected = {r["rule"]: r["expected_fix"] for r in truth["rules"] if r["is_noise"]}
    main_key = (
        joined[joined[TRUTH_RULE].isin(list(expected))]
        .groupby(TRUTH_RULE)[Alerts.rule_key]
        .agg(_mode)
    )
    kinds = analysis.rules.set_index(Rules.rule_key)[Rules.recommendation_kind]
    got = main_key.map(kinds)
    hits = [got.get(rule) == fix for rule, fix in expected.items() if rule in got.index]
    return sum(hits), len(hits)


def _mode(values: pd.Series) -> object:
    """The most common value (the smallest of ties)."""
    return values.mode().iat[0]


def _as_bool(values: pd.Series) -> pd.Series:
    return values.astype(str).str.lower().isin(["true", "1"])


_COUNT_KEYS: tuple[str, ...] = (
    ALERT_TP,
    ALERT_FP,
    ALERT_FN,
    RULE_TP,
    RULE_FP,
    RULE_FN,
    FIX_HITS,
    FIX_TOTAL,
)


def _counts(predicted: pd.Series, actual: pd.Series, tp: str, fp: str, fn: str) -> dict[str, int]:
    return {
        tp: int((predicted & actual).sum()),
        fp: int((predicted & ~actual).sum()),
        fn: int((~predicted & actual).sum()),
    }


def _ratios(tp: float, fp: float, fn: float, p_key: str, r_key: str) -> dict[str, float]:
    return {
        p_key: tp / (tp + fp) if tp + fp else 1.0,
        r_key: tp / (tp + fn) if tp + fn else 1.0,
    }


def _prf(
    predicted: pd.Series, actual: pd.Series, p_key: str, r_key: str, f_key: str | None
) -> dict[str, float]:
    hits = float((predicted & actual).sum())
    precision = hits / predicted.sum() if predicted.sum() else 1.0
    recall = hits / actual.sum() if actual.sum() else 1.0
    out = {p_key: precision, r_key: recall}
    if f_key:
        out[f_key] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return out


def _relative(estimate: float, truth: float | None) -> float:
    """Relative error; NaN when the truth has no such number (no incidents without PagerDuty)."""
    if truth is None:
        return float("nan")
    return (estimate - truth) / truth if truth else float(estimate != 0)


POOLED = "pooled"
SECONDS = "analysis_seconds"
ALERTS = "alerts"
WORLD_FAMILY = "family"  # which generator made the world (synthetic.names.FAMILIES)

#: The issue's targets, for every world and every seed.
TARGET_ALERT_F1 = 0.95
TARGET_RULE = 0.9
TARGET_NOISE_POINTS = 3.0
TARGET_WHATIF = 0.15
#: Every alert of the truth must have reached the lake (a file the readers refuse is a miss).
TARGET_INGESTED = 0.999


def meets_targets(row: Mapping[str, Any]) -> bool:
    """Every alert of the truth ingested, alert F1 >= 0.95, rule precision and recall >= 0.9,
    noise share within 3 points, the projected pages and incidents per week within 15% (a world
    without incidents has no incident target; on a pooled row the errors are mean absolute
    errors)."""

    def within(key: str, limit: float) -> bool:
        value = float(row[key])
        return math.isnan(value) or abs(value) <= limit

    return (
        float(row.get(MATCHED, 1.0)) >= TARGET_INGESTED
        and row[ALERT_F1] >= TARGET_ALERT_F1
        and row[RULE_PRECISION] >= TARGET_RULE
        and row[RULE_RECALL] >= TARGET_RULE
        and within(NOISE_SHARE_ERROR, TARGET_NOISE_POINTS)
        and within(PAGES_AFTER_ERROR, TARGET_WHATIF)
        and within(INCIDENTS_AFTER_ERROR, TARGET_WHATIF)
    )


def with_pooled_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with, after each scenario's seeds, a row of its scores pooled over them
    (``pooled``; seed ``"pooled"``) when it has more than one seed. The pooled row is shown to
    read a world at a glance; the targets hold for every seed."""
    out: list[dict[str, Any]] = []
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        mine = [r for r in rows if r["scenario"] == scenario]
        out += mine
        if len(mine) > 1:
            out.append(
                {
                    "scenario": scenario,
                    "seed": POOLED,
                    "seeds": [r["seed"] for r in mine],
                    ALERTS: sum(r[ALERTS] for r in mine),
                    SECONDS: sum(r[SECONDS] for r in mine),
                    **pooled(mine),
                }
            )
    return out


def verdict(row: Mapping[str, Any]) -> str:
    """ "met" or "MISSED" for one world and seed; a pooled row says "pooled" (not judged)."""
    if row["seed"] == POOLED:
        return "pooled"
    return "met" if meets_targets(row) else "MISSED"
