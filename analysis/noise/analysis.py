"""The noise analysis entry point: which alert firings are noise, which rules make them, why,
what to do about each, and what paging would look like afterwards.

Pipeline: title templates -> human activity per firing -> co-firing links (duplicates,
correlation groups) -> per-firing signals -> per-rule features -> rule families (Gaussian
mixture) -> the noisy decision (signals + family) -> reasons and one fix per rule -> what-if.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alertlens.analysis.noise import cofiring as corr
from alertlens.analysis.noise.explain import (
    DOMINANT_SIGNAL,
    DUPLICATE_OF,
    RUNBOOK_SHARE,
    dominant_signal,
    reasons,
    recommendation,
)
from alertlens.analysis.noise.families import family_means, rule_families
from alertlens.analysis.noise.features import ANY_SIGNAL, cluster_matrix, rule_features
from alertlens.analysis.noise.signals import (
    HUMAN_ACTION,
    SIGNALS,
    duplicate_firings,
    firing_signals,
    human_activity,
)
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.noise.whatif import ALL, TEAM, weeks_covered, whatif_by_team
from alertlens.ingest.schema import Alerts, Rules, Scored, Summary
from alertlens.ingest.templates import template_ids, title_templates

#: Extra keys of ``NoiseAnalysis.summary`` beyond ``ingest.schema.Summary``.
COMPRESSION_RATIO = "compression_ratio"
NOISY_RULES = "noisy_rules"
RULES_TOTAL = "rules"
FAMILY_NOISE_SHARE = "family_signal_share"
SHRUNK_SHARE = "evidence_share"  # signal share shrunk toward the prior (what the verdict uses)

#: Alert columns carried into ``alerts_scored``.
SCORED_ALERT_COLUMNS: tuple[str, ...] = (
    Alerts.source,
    Alerts.alert_id,
    Alerts.incident_id,
    Alerts.rule_key,
    Alerts.service,
    Alerts.team,
    Alerts.severity,
    Alerts.created_at,
    Alerts.paged,
)


@dataclass(frozen=True)
class NoiseAnalysis:
    """Everything the noise analysis found (see module docstring)."""

    alerts_scored: pd.DataFrame
    rules: pd.DataFrame
    correlation: pd.DataFrame
    whatif: pd.DataFrame
    summary: dict[str, Any]


def noise_analysis(
    alerts: pd.DataFrame,
    notifications: pd.DataFrame | None,
    incidents: pd.DataFrame | None = None,
    *,
    thresholds: NoiseThresholds = NoiseThresholds(),  # noqa: B008 (frozen, so a safe default)
    weeks: float | None = None,
) -> NoiseAnalysis:
    """The noise analysis of canonical ``alerts`` (with ``notifications`` and optionally
    ``incidents`` for human activity and incident counts).

    Args:
        alerts: canonical Alerts frame (ingest/schema.py); not modified.
        notifications: canonical Notifications frame, or None when there is no event log.
        incidents: canonical Incidents frame; incidents per week come from it when given.
        thresholds: every tunable, see ``NoiseThresholds`` and docs/noise.md.
        weeks: length of the export window when the caller knows it; else estimated from the
            first and last event (``whatif.weeks_covered``).

    Returns:
        ``NoiseAnalysis`` with per-alert scores, per-rule verdicts, correlation groups, the
        what-if table and a summary dict keyed by ``ingest.schema.Summary`` names.
    """
    t = thresholds
    alerts = alerts.reset_index(drop=True)
    weeks = weeks if weeks is not None else weeks_covered(alerts, incidents)
    activity = human_activity(alerts, notifications)

    dup_window = pd.Timedelta(minutes=t.duplicate_window_minutes)
    corr_window = pd.Timedelta(minutes=t.correlation_window_minutes)
    links = corr.cofiring_links(alerts, max(dup_window, corr_window))
    dup_links = corr.within(links, dup_window)
    dup_pairs = corr.cofiring_pairs(alerts, dup_links, dup_window)
    keep_score = activity[HUMAN_ACTION].groupby(alerts[Alerts.rule_key]).mean()
    partners = corr.duplicate_partners(
        dup_pairs,
        keep_score,
        min_share=t.duplicate_share,
        min_cofirings=t.duplicate_min_cofirings,
        min_lift=t.min_lift,
    )
    signals = firing_signals(alerts, activity, duplicate_firings(alerts, dup_links, partners), t)

    templates = title_templates(alerts[Alerts.title])
    rules = rule_features(
        alerts,
        templates,
        activity,
        signals,
        dup_pairs[dup_pairs[corr.LIFT] >= t.min_lift],
        weeks,
        t,
    )
    rules[DUPLICATE_OF] = rules[Rules.rule_key].map(partners).astype(object)
    rules[RUNBOOK_SHARE] = rules[Rules.rule_key].map(runbook_share(alerts))
    rules = _decided(rules, t)

    is_noise = alerts[Alerts.rule_key].map(rules.set_index(Rules.rule_key)[Rules.is_noisy])
    is_noise = is_noise.fillna(False).astype(bool)
    dominant = alerts[Alerts.rule_key].map(rules.set_index(Rules.rule_key)[DOMINANT_SIGNAL])

    correlation = corr.correlation_groups(
        alerts,
        corr.cofiring_pairs(alerts, links, corr_window),
        corr_window,
        min_share=t.correlation_share,
        min_cofirings=t.correlation_min_cofirings,
        min_lift=t.min_lift,
    )

    columns: dict[str, Any] = {
        Scored.is_noise: is_noise.to_numpy(),
        Scored.noise_reasons: _reason_lists(signals, is_noise.to_numpy(), dominant),
        Scored.title_template: templates.to_numpy(),
        Scored.template_id: template_ids(templates).to_numpy(),
        Scored.correlation_group: correlation.alert_group.to_numpy(),
    }
    scored = alerts[list(SCORED_ALERT_COLUMNS)].assign(**columns)
    whatif = whatif_by_team(scored, incidents, weeks)
    return NoiseAnalysis(
        alerts_scored=scored,
        rules=rules,
        correlation=correlation.groups,
        whatif=whatif,
        summary=_summary(scored, rules, whatif, weeks, correlation.compression_ratio),
    )


def runbook_share(alerts: pd.DataFrame) -> pd.Series:
    """Per rule: share of firings whose labels mention a runbook; NaN when the rule's source never
    links runbooks at all (PagerDuty exports carry no runbook field, so absence proves nothing)."""
    labels = pa.array(alerts[Alerts.labels].astype(object).to_numpy(), type=pa.string())
    found = pc.match_substring(labels, "runbook", ignore_case=True).fill_null(False)
    mentions = found.to_numpy(zero_copy_only=False).astype(bool)
    source = alerts[Alerts.source].to_numpy(dtype=object)
    known = np.isin(source, np.unique(source[mentions]))
    frame = pd.DataFrame(
        {
            Alerts.rule_key: alerts[Alerts.rule_key].to_numpy(),
            "m": np.where(known, mentions.astype(float), np.nan),
        }
    )
    return frame.groupby(Alerts.rule_key)["m"].mean()


def _decided(rules: pd.DataFrame, t: NoiseThresholds) -> pd.DataFrame:
    """``rules`` with family, the noisy verdict, the dominant signal, reasons and the fix."""
    firings = rules[Rules.firings].to_numpy(dtype=float)
    raw_share = rules[ANY_SIGNAL].to_numpy(dtype=float)
    share = (raw_share * firings + t.prior_share * t.prior_firings) / (firings + t.prior_firings)
    family = rule_families(
        cluster_matrix(rules),
        share,
        max_families=t.max_families,
        restarts=t.cluster_restarts,
        seed=t.cluster_seed,
    )
    family_share = family_means(family, share, firings) if len(rules) else np.zeros(0)
    enough = firings >= t.rule_min_firings
    noisy = enough & (
        (share >= t.rule_noise_share)
        | ((share >= t.family_rule_noise_share) & (family_share >= t.family_noise_share))
    )
    out = rules.assign(
        **{
            Rules.family: family,
            SHRUNK_SHARE: share,
            FAMILY_NOISE_SHARE: family_share,
            Rules.is_noisy: noisy,
        }
    )
    # a rule's noise share is its firings' signal share: the evidence, not the verdict
    out[Rules.noise_share] = raw_share
    records = _records(out)
    # only a noisy rule has a dominant signal: an actionable rule's stray flap names nothing
    out[DOMINANT_SIGNAL] = [dominant_signal(r, t) if r[Rules.is_noisy] else None for r in records]
    records = _records(out)
    fixes = [recommendation(r, t) for r in records]
    out[Rules.reasons] = [reasons(r, t) for r in records]
    out[Rules.recommendation_kind] = [kind for kind, _ in fixes]
    out[Rules.recommendation] = [text for _, text in fixes]
    return out.sort_values(
        [Rules.is_noisy, Rules.pages, Rules.firings, Rules.rule_key],
        ascending=[False, False, False, True],
        ignore_index=True,
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _reason_lists(
    signals: pd.DataFrame, is_noise: np.ndarray, dominant: pd.Series
) -> list[list[str]]:
    """Per alert: the signals it shows; a noise firing showing none carries its rule's dominant
    signal. Built once per distinct signal combination, not per row."""
    bits = signals.to_numpy(dtype=bool) @ (1 << np.arange(len(SIGNALS)))
    combos = {int(b): [s for k, s in enumerate(SIGNALS) if b >> k & 1] for b in np.unique(bits)}
    lists = [combos[int(b)] for b in bits]
    empty_noise = np.flatnonzero(is_noise & (bits == 0))
    fallback = dominant.to_numpy(dtype=object)
    for i in empty_noise:
        lists[i] = [fallback[i]] if fallback[i] else []
    return lists


def _summary(
    scored: pd.DataFrame, rules: pd.DataFrame, whatif: pd.DataFrame, weeks: float, ratio: float
) -> dict[str, Any]:
    """The summary dict: noise share, paging and incident rates before/after, compression."""
    overall = {str(k): v for k, v in whatif[whatif[TEAM] == ALL].iloc[0].items()}
    return {
        Summary.alerts: len(scored),
        Summary.weeks: weeks,
        Summary.noise_share: float(scored[Scored.is_noise].mean()) if len(scored) else 0.0,
        Summary.pages_per_week: float(overall[Summary.pages_per_week]),
        Summary.projected_pages_per_week_after_fixes: float(
            overall[Summary.projected_pages_per_week_after_fixes]
        ),
        Summary.incidents_per_week: float(overall[Summary.incidents_per_week]),
        Summary.projected_incidents_per_week_after_fixes: float(
            overall[Summary.projected_incidents_per_week_after_fixes]
        ),
        COMPRESSION_RATIO: ratio,
        NOISY_RULES: int(rules[Rules.is_noisy].sum()),
        RULES_TOTAL: len(rules),
    }
