"""The per-rule feature table: volume, the rate of each noise signal, durations, response and
timing, co-firing partners. One row per ``rule_key``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alertlens.analysis.noise.cofiring import COFIRINGS, RULE_A, RULE_B, SHARE_A
from alertlens.analysis.noise.signals import (
    ACK_MIN,
    DURATION_MIN,
    ENGAGED,
    HUMAN_ACK,
    HUMAN_ACTION,
    REASSIGNED,
    SIGNALS,
)
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.ingest.schema import Alerts, Rules

ANY_SIGNAL = "signal_share"  # share of firings carrying at least one signal
PAGE_RATE = "page_rate"
FIRINGS_PER_WEEK = "firings_per_week"
DURATION_P50 = "duration_p50_minutes"
DURATION_P90 = "duration_p90_minutes"
TTA_P50 = "tta_p50_minutes"
ACK_RATE = "ack_rate"
HUMAN_ACTION_RATE = "human_action_rate"
ENGAGED_RATE = "engaged_rate"
REASSIGN_RATE = "reassign_rate"
OFF_HOURS_SHARE = "off_hours_share"
NIGHT_SHARE = "night_share"
PARTNERS = "cofiring_partners"
TOP_PARTNER = "top_partner"
TOP_PARTNER_SHARE = "top_partner_share"
SEVERITY = "severity"


def rate_column(signal: str) -> str:
    """The feature column holding the share of a rule's firings that carry ``signal``."""
    return f"{signal}_rate"


#: Features the clustering sees (rates and log-scaled times; volume is left out on purpose so
#: that a family means "behaves alike", not "fires as often").
CLUSTER_FEATURES: tuple[str, ...] = (
    *(rate_column(s) for s in SIGNALS),
    ANY_SIGNAL,
    PAGE_RATE,
    ACK_RATE,
    HUMAN_ACTION_RATE,
    ENGAGED_RATE,
    DURATION_P50,
    DURATION_P90,
    TTA_P50,
    OFF_HOURS_SHARE,
    TOP_PARTNER_SHARE,
)


def rule_features(
    alerts: pd.DataFrame,
    templates: pd.Series,
    activity: pd.DataFrame,
    signals: pd.DataFrame,
    pairs: pd.DataFrame,
    weeks: float,
    thresholds: NoiseThresholds,
) -> pd.DataFrame:
    """One row per rule_key: identity (most common template of ``templates``, service, team,
    source, severity), volume, signal rates, duration and ack quantiles, human-action rates,
    timing and co-firing partners."""
    created = alerts[Alerts.created_at]
    hour = created.dt.hour.to_numpy()
    weekend = created.dt.day_of_week.to_numpy() >= 5
    start, end = thresholds.business_hours_start, thresholds.business_hours_end
    frame = pd.DataFrame(
        {
            Rules.rule_key: alerts[Alerts.rule_key].to_numpy(dtype=object),
            "paged": alerts[Alerts.paged].fillna(False).to_numpy(dtype=bool),
            ANY_SIGNAL: signals.to_numpy(dtype=bool).any(axis=1),
            **{rate_column(s): signals[s].to_numpy(dtype=bool) for s in SIGNALS},
            ACK_RATE: activity[HUMAN_ACK].to_numpy(dtype=bool),
            HUMAN_ACTION_RATE: activity[HUMAN_ACTION].to_numpy(dtype=bool),
            ENGAGED_RATE: activity[ENGAGED].to_numpy() > 0,
            REASSIGN_RATE: activity[REASSIGNED].to_numpy() > 0,
            OFF_HOURS_SHARE: weekend | (hour < start) | (hour >= end),
            NIGHT_SHARE: (hour < 6) | (hour >= 22),
            DURATION_MIN: activity[DURATION_MIN].to_numpy(),
            ACK_MIN: activity[ACK_MIN].to_numpy(),
        }
    )
    grouped = frame.groupby(Rules.rule_key, sort=True)
    shares = [c for c in frame.columns if c not in (Rules.rule_key, "paged", DURATION_MIN, ACK_MIN)]
    out = grouped[shares].mean()
    out.insert(0, Rules.firings, grouped.size())
    out.insert(1, Rules.pages, grouped["paged"].sum())
    out.insert(2, PAGE_RATE, out[Rules.pages] / out[Rules.firings])
    out.insert(3, FIRINGS_PER_WEEK, out[Rules.firings] / max(weeks, 1e-9))
    out[DURATION_P50] = grouped[DURATION_MIN].median()
    out[DURATION_P90] = grouped[DURATION_MIN].quantile(0.9)
    out[TTA_P50] = grouped[ACK_MIN].median()
    out = out.join(_identity(alerts, templates)).join(_partners(pairs))
    out[PARTNERS] = out[PARTNERS].fillna(0).astype(int)
    out[TOP_PARTNER_SHARE] = out[TOP_PARTNER_SHARE].fillna(0.0)
    return out.reset_index()


def cluster_matrix(features: pd.DataFrame) -> np.ndarray:
    """The clustering input: ``CLUSTER_FEATURES`` with times log-scaled and gaps filled."""
    matrix = features[list(CLUSTER_FEATURES)].astype(float).copy()
    for column in (DURATION_P50, DURATION_P90, TTA_P50):
        # a rule nobody ever acks gets a "never" time a day past the slowest observed one
        never = np.nanmax(matrix[column].to_numpy()) if matrix[column].notna().any() else 0.0
        matrix[column] = np.log1p(matrix[column].fillna(never + 1440.0).clip(lower=0.0))
    return matrix.to_numpy()


def _identity(alerts: pd.DataFrame, templates: pd.Series) -> pd.DataFrame:
    """Per rule: its most common title template, service, team, source and severity."""
    columns = {
        Rules.title_template: templates.to_numpy(dtype=object),
        Rules.service: alerts[Alerts.service].to_numpy(dtype=object),
        Rules.team: alerts[Alerts.team].to_numpy(dtype=object),
        Rules.source: alerts[Alerts.source].to_numpy(dtype=object),
        SEVERITY: alerts[Alerts.severity].to_numpy(dtype=object),
    }
    frame = pd.DataFrame(
        {Rules.rule_key: alerts[Alerts.rule_key].to_numpy(dtype=object), **columns}
    )
    return pd.DataFrame(
        {name: _mode_by_rule(frame[[Rules.rule_key, name]], name) for name in columns}
    )


def _mode_by_rule(frame: pd.DataFrame, column: str) -> pd.Series:
    """The most frequent non-null value of ``column`` per rule (ties: the smallest value)."""
    counts = frame.dropna().value_counts().rename("n").reset_index()
    counts = counts.sort_values(["n", column], ascending=[False, True], kind="stable")
    return counts.drop_duplicates(Rules.rule_key).set_index(Rules.rule_key)[column]


def _partners(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per rule: how many partner rules co-fire with it, the top partner and its share."""
    if pairs.empty:
        return pd.DataFrame(columns=[PARTNERS, TOP_PARTNER, TOP_PARTNER_SHARE])
    meaningful = pairs[pairs[COFIRINGS] >= 2]
    top = pairs.sort_values([RULE_A, SHARE_A, RULE_B], ascending=[True, False, True])
    top = top.drop_duplicates(RULE_A).set_index(RULE_A)
    return pd.DataFrame(
        {
            PARTNERS: meaningful.groupby(RULE_A).size(),
            TOP_PARTNER: top[RULE_B],
            TOP_PARTNER_SHARE: top[SHARE_A],
        }
    )
