"""The noise analysis entry point: which alert firings are noise, which rules make them, why,
what to do about each, and what paging would look like afterwards.

Pipeline: rule identity -> human activity and what is recorded -> co-firing pairs across the
organisation -> episodes (redundant alerts) -> schedules -> per-firing signals (known or
unknown) -> per-rule features -> behaviour families -> Beta posterior verdicts with confidence ->
reasons and one fix per rule -> per-firing noise -> what-if.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alertlens.analysis.noise import cofiring as co
from alertlens.analysis.noise.activity import (
    ACK_RECORDED,
    ENGAGED,
    HUMAN_ACK,
    RESOLUTION_MIN,
    human_activity,
)
from alertlens.analysis.noise.episodes import (
    FOLLOWS,
    Episodes,
    directed,
    episodes,
    merged_pairs,
)
from alertlens.analysis.noise.explain import (
    DOMINANT_SIGNAL,
    DUPLICATE_OF,
    PERIOD,
    RUNBOOK_SHARE,
    dominant_signal,
    reasons,
    recommendation,
)
from alertlens.analysis.noise.families import (
    EPISODE_SHARE,
    behaviour_matrix,
    family_names,
    family_rates,
    rule_families,
)
from alertlens.analysis.noise.features import (
    ANY_SIGNAL,
    EVALUATED_FIRINGS,
    NOISE_FIRINGS,
    known_column,
    rule_features,
)
from alertlens.analysis.noise.identity import RULE_NAME, TEMPLATE, IdentitySteps, rule_identity
from alertlens.analysis.noise.schedule import Schedule, period_names, schedules
from alertlens.analysis.noise.signals import (
    FIRING_LEVEL,
    REDUNDANT,
    SIGNALS,
    TRANSIENT,
    Signals,
    firing_signals,
)
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.noise.verdict import CANNOT_TELL, POSTERIOR, verdicts
from alertlens.analysis.noise.whatif import ALL, TEAM, weeks_covered, whatif_by_team
from alertlens.ingest.schema import Alerts, Rules, Scored, Summary
from alertlens.ingest.templates import template_ids

#: Extra keys of ``NoiseAnalysis.summary`` beyond ``ingest.schema.Summary``.
COMPRESSION_RATIO: Final = "compression_ratio"
NOISY_RULES: Final = "noisy_rules"
CANNOT_TELL_SHARE: Final = "cannot_tell_share"  # alerts of rules nothing could be evaluated on
RULES_TOTAL: Final = "rules"
#: A signal counts among a rule's evidence when it could be evaluated on this share of firings.
EVIDENCE_SHARE: Final = 0.5

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
class NoiseSteps:
    """Which steps run; all by default. The evaluation's ablation turns them off one by one."""

    identity: IdentitySteps = field(default_factory=IdentitySteps)
    episodes: bool = True  # off: only pairwise duplicates (a rule following a partner) count
    families: bool = True  # off: every rule shrinks toward the organisation's rate
    schedules: bool = True  # off: no scheduled signal


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
    steps: NoiseSteps = NoiseSteps(),
) -> NoiseAnalysis:
    """The noise analysis of canonical ``alerts`` (with ``notifications`` and optionally
    ``incidents`` for human activity, merges and incident counts).

    Args:
        alerts: canonical Alerts frame (ingest/schema.py); not modified. Its ``rule_key`` is
            replaced by the analysis' rule identity (``identity.rule_identity``) in every output.
        notifications: canonical Notifications frame, or None when there is no event log.
        incidents: canonical Incidents frame; merges and incidents per week come from it.
        thresholds: every tunable, see ``NoiseThresholds`` and docs/noise.md.
        weeks: length of the export window when the caller knows it; else estimated from the
            first and last event (``whatif.weeks_covered``).
        steps: which steps run (all by default).

    Returns:
        ``NoiseAnalysis`` with per-alert scores, per-rule verdicts, correlation groups, the
        what-if table and a summary dict keyed by ``ingest.schema.Summary`` names.
    """
    t = thresholds
    alerts = alerts.reset_index(drop=True)
    identity = rule_identity(alerts, steps.identity)
    alerts = alerts.assign(**{Alerts.rule_key: identity[Alerts.rule_key].to_numpy()})
    weeks = weeks if weeks is not None else weeks_covered(alerts, incidents)
    activity = human_activity(alerts, notifications)
    codes, names = co.rule_codes(alerts)
    times = co.ns(alerts[Alerts.created_at])
    found = _episodes(alerts, incidents, activity, codes, names, times, identity, steps, t)
    schedule = (
        schedules(codes, times, len(names), activity[RESOLUTION_MIN].to_numpy(dtype=float))
        if steps.schedules
        else Schedule(
            np.zeros(len(alerts), bool), np.zeros(len(alerts), bool), np.full(len(names), np.nan)
        )
    )
    signals = firing_signals(
        alerts, activity, found.redundant, schedule.on_schedule, schedule.testable, t
    )
    rules = rule_features(alerts, identity, activity, signals, weeks, t)
    rules = _with_cofiring(rules, alerts, found, names, schedule)
    rules[RUNBOOK_SHARE] = rules[Rules.rule_key].map(runbook_share(alerts))
    end = _data_end(alerts)
    rules = _decided(rules, signals, end, steps, t)

    noisy_rule = alerts[Alerts.rule_key].map(rules.set_index(Rules.rule_key)[Rules.is_noisy])
    dominant = alerts[Alerts.rule_key].map(rules.set_index(Rules.rule_key)[DOMINANT_SIGNAL])
    is_noise = _firing_noise(
        noisy_rule.fillna(False).to_numpy(dtype=bool),
        dominant,
        signals,
        activity,
        _held_minutes(alerts),
        t,
    )
    scored = alerts[list(SCORED_ALERT_COLUMNS)].copy()
    scored[Scored.is_noise] = is_noise
    scored[Scored.noise_reasons] = _reason_lists(signals.value, is_noise, dominant)
    scored[Scored.title_template] = identity[TEMPLATE].to_numpy()
    scored[Scored.template_id] = template_ids(identity[TEMPLATE]).to_numpy()
    scored[Scored.correlation_group] = _episode_labels(found)
    scored[Scored.rule_name] = identity[RULE_NAME].to_numpy()
    whatif = whatif_by_team(scored, incidents, weeks)
    return NoiseAnalysis(
        alerts_scored=scored,
        rules=rules,
        correlation=found.groups,
        whatif=whatif,
        summary=_summary(scored, rules, whatif, weeks, found.compression_ratio),
    )


def _episodes(
    alerts: pd.DataFrame,
    incidents: pd.DataFrame | None,
    activity: pd.DataFrame,
    codes: np.ndarray,
    names: np.ndarray,
    times: np.ndarray,
    identity: pd.DataFrame,
    steps: NoiseSteps,
    t: NoiseThresholds,
) -> Episodes:
    """Co-firing pairs org-wide, their direction, and the episodes with redundant alerts."""
    window = pd.Timedelta(minutes=t.episode_window_minutes)
    candidates = co.candidate_pairs(
        codes, times, window, min_count=t.episode_min_cofirings, min_lift=t.min_lift / 2
    )
    links = co.alert_links(codes, times, candidates, window)
    # times recorded more coarsely than the window cannot show a co-firing within it
    fine = activity[RESOLUTION_MIN].to_numpy(dtype=float) <= t.episode_window_minutes
    keep = fine[links.a] & fine[links.b]
    links = co.Links(links.a[keep], links.b[keep], links.lag_ns[keep])
    acked = activity[HUMAN_ACK].to_numpy(dtype=bool) & activity[ACK_RECORDED].to_numpy(bool)
    pairs = co.pair_table(alerts, codes, names, links, acked, window)
    dup, primary = merged_pairs(alerts, incidents)
    merges = pd.DataFrame({co.RULE_A: names[codes[dup]], co.RULE_B: names[codes[primary]]})
    pairs = directed(pairs, merges)
    engaged = activity[ENGAGED].to_numpy()
    if not steps.episodes:
        strong = pairs[
            co.strong_pairs(pairs, min_cofirings=t.episode_min_cofirings, min_lift=t.min_lift)
            & pairs[FOLLOWS].astype(bool)
        ]
        followed = set(zip(strong[co.RULE_A], strong[co.RULE_B], strict=True))
        hit = np.array(
            [
                (names[codes[a]], names[codes[b]]) in followed
                for a, b in zip(links.a, links.b, strict=True)
            ],
            dtype=bool,
        )
        redundant = np.zeros(len(alerts), dtype=bool)
        redundant[links.a[hit]] = True
        redundant[dup] = True
        redundant &= engaged == 0
        lead = np.full(len(alerts), None, dtype=object)
        lead[links.a[hit]] = names[codes[links.b[hit]]]
        lead[dup] = names[codes[primary]]
        return Episodes(np.arange(len(alerts)), redundant, lead, pd.DataFrame(), 1.0)
    return episodes(
        alerts,
        codes,
        names,
        links,
        pairs,
        (dup, primary),
        engaged,
        identity[RULE_NAME].to_numpy(dtype=object),
        min_cofirings=t.episode_min_cofirings,
        min_lift=t.min_lift,
    )


def _with_cofiring(
    rules: pd.DataFrame,
    alerts: pd.DataFrame,
    found: Episodes,
    names: np.ndarray,
    schedule: Schedule,
) -> pd.DataFrame:
    """``rules`` with the share of firings in multi-alert episodes, the rule that led most of
    its redundant firings, and its schedule."""
    key = alerts[Alerts.rule_key].to_numpy(dtype=object)
    size = np.bincount(found.episode) if len(found.episode) else np.zeros(0, dtype=np.int64)
    in_episode = size[found.episode] > 1 if len(found.episode) else np.zeros(0, dtype=bool)
    frame = pd.DataFrame(
        {
            "k": key,
            "e": in_episode | found.redundant,
            "lead": [
                lead if r else None
                for r, lead in zip(found.redundant, found.lead_rule, strict=True)
            ],
        }
    )
    share = frame.groupby("k")["e"].mean()
    leads = frame.dropna(subset=["lead"])
    top = leads.groupby("k")["lead"].agg(lambda s: s.value_counts().index[0])
    period = pd.Series(schedule.period_hours, index=names)
    out = rules.assign(
        **{
            EPISODE_SHARE: rules[Rules.rule_key].map(share).fillna(0.0).to_numpy(),
            DUPLICATE_OF: rules[Rules.rule_key].map(top).astype(object).to_numpy(),
        }
    )
    out[PERIOD] = period_names(out[Rules.rule_key].map(period))
    return out


def _decided(
    rules: pd.DataFrame,
    signals: Signals,
    end: pd.Timestamp | None,
    steps: NoiseSteps,
    t: NoiseThresholds,
) -> pd.DataFrame:
    """``rules`` with family, verdict, confidence, evidence, dominant signal, reasons and fix."""
    hits = rules[NOISE_FIRINGS].to_numpy(dtype=float)
    trials = np.maximum(rules[EVALUATED_FIRINGS].to_numpy(dtype=float), hits)
    if steps.families and len(rules):
        family = rule_families(
            behaviour_matrix(rules),
            rules[ANY_SIGNAL].to_numpy(dtype=float),
            max_families=t.max_families,
            restarts=t.cluster_restarts,
            seed=t.cluster_seed,
        )
    else:
        family = np.zeros(len(rules), dtype=np.int64)
    prior = family_rates(family, hits, trials)
    out = verdicts(rules, prior, end, t)
    out[Rules.family] = family
    out[Rules.family_name] = family_names(out, family) if len(out) else []
    # a rule's noise share is its firings' signal share: the evidence, not the verdict
    out[Rules.noise_share] = out[ANY_SIGNAL]
    out[Rules.evidence] = [
        [s for s in SIGNALS if float(r[known_column(s)]) >= EVIDENCE_SHARE]
        for r in out.to_dict("records")
    ]
    records = _records(out)
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


def _held_minutes(alerts: pd.DataFrame) -> np.ndarray:
    """Minutes from acknowledgement to a person's resolve (NaN where either is missing)."""
    human = (alerts[Alerts.resolved_by] == "human").to_numpy()
    held = (alerts[Alerts.resolved_at] - alerts[Alerts.acknowledged_at]).dt.total_seconds() / 60
    return np.where(human, held.to_numpy(dtype=float, na_value=np.nan), np.nan)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _firing_noise(
    noisy_rule: np.ndarray,
    dominant: pd.Series,
    signals: Signals,
    activity: pd.DataFrame,
    held_minutes: np.ndarray,
    t: NoiseThresholds,
) -> np.ndarray:
    """A firing is noise when its rule is noisy and nobody worked on it (an engaged action:
    a note, an escalation, a reassignment; or someone acknowledged it and held it longer than
    a transient condition lasts before resolving it), or when it carries a signal that speaks
    for one firing by itself: redundant in its episode, paged or notified and left alone until it
    cleared, acknowledged and closed at once, or gone within minutes with nobody acting where
    people are recorded. A rule that is noise because its firings echo another rule's does not
    make noise of a firing that came alone: that one told something new."""
    worked = (activity[ENGAGED].to_numpy() > 0) | (held_minutes > t.transient_minutes)
    value = signals.value
    shows = value.to_numpy(bool).any(axis=1)
    recorded = activity[ACK_RECORDED].to_numpy(bool)
    firing_level = value[[s for s in SIGNALS if s in FIRING_LEVEL]].to_numpy(bool).any(axis=1)
    # what a firing's own record shows speaks for it only where people are recorded
    firing_level &= recorded | value[REDUNDANT].to_numpy(bool)
    firing_level |= value[TRANSIENT].to_numpy(bool) & recorded
    echo_rule = (dominant == REDUNDANT).to_numpy(dtype=bool)
    inherits = noisy_rule & ~worked & (shows | ~echo_rule)
    return np.asarray(inherits | firing_level, dtype=bool)


def runbook_share(alerts: pd.DataFrame) -> pd.Series:
    """Per rule: share of firings whose labels mention a runbook; NaN when the rule's source never
    links runbooks at all (PagerDuty exports carry no runbook field, so absence proves nothing)."""
    # from_pandas: a missing labels value (NaN in a pandas string column) is a null, not an error
    labels = pa.array(alerts[Alerts.labels].astype(object).to_numpy(), type=pa.string(),
                      from_pandas=True)
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


def _data_end(alerts: pd.DataFrame) -> pd.Timestamp | None:
    stamps = pd.concat([alerts[Alerts.created_at], alerts[Alerts.resolved_at].dropna()])
    return None if stamps.empty else pd.Timestamp(stamps.max())


def _episode_labels(found: Episodes) -> np.ndarray:
    return np.array([f"e{e}" for e in found.episode], dtype=object)


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


def _cannot_tell_share(scored: pd.DataFrame, rules: pd.DataFrame) -> float:
    """Share of alerts whose rule could not be evaluated at all (so the noise share says
    nothing about them)."""
    if scored.empty:
        return 0.0
    verdict = scored[Alerts.rule_key].map(rules.set_index(Rules.rule_key)[Rules.verdict])
    return float((verdict == CANNOT_TELL).mean())


def _summary(
    scored: pd.DataFrame, rules: pd.DataFrame, whatif: pd.DataFrame, weeks: float, ratio: float
) -> dict[str, Any]:
    """The summary dict: noise share, paging and incident rates before/after, compression."""
    by_team = whatif.set_index(TEAM)

    def overall(column: str) -> float:
        return float(by_team[column].loc[ALL])

    return {
        Summary.alerts: len(scored),
        Summary.weeks: weeks,
        Summary.noise_share: float(scored[Scored.is_noise].mean()) if len(scored) else 0.0,
        Summary.pages_per_week: overall(Summary.pages_per_week),
        Summary.projected_pages_per_week_after_fixes: overall(
            Summary.projected_pages_per_week_after_fixes
        ),
        Summary.incidents_per_week: overall(Summary.incidents_per_week),
        Summary.projected_incidents_per_week_after_fixes: overall(
            Summary.projected_incidents_per_week_after_fixes
        ),
        COMPRESSION_RATIO: ratio,
        NOISY_RULES: int(rules[Rules.is_noisy].sum()),
        CANNOT_TELL_SHARE: _cannot_tell_share(scored, rules),
        RULES_TOTAL: len(rules),
    }


__all__ = ["POSTERIOR", "REDUNDANT", "NoiseAnalysis", "NoiseSteps", "noise_analysis"]
