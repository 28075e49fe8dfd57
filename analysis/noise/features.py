"""The per-rule table: identity, volume, how often each signal showed and could be evaluated,
durations, response, timing and co-firing. One row per ``rule_key``."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.noise.activity import (
    ACK_MIN,
    ACK_RECORDED,
    DURATION_MIN,
    ENGAGED,
    HUMAN_ACK,
    HUMAN_ACTION,
    REASSIGNED,
)
from alertlens.analysis.noise.identity import BASIS, RULE_NAME
from alertlens.analysis.noise.signals import RESPONSE_SIGNALS, SIGNALS, Signals
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.ingest.schema import Alerts, Rules

NOISE_FIRINGS: Final = "noise_evidence_firings"  # firings showing at least one signal
EVALUATED_FIRINGS: Final = "evaluated_firings"  # firings where a signal could be evaluated
ANY_SIGNAL: Final = "signal_share"  # noise evidence firings / firings
PAGE_RATE: Final = "page_rate"
FIRINGS_PER_WEEK: Final = "firings_per_week"
DURATION_P50: Final = "duration_p50_minutes"
DURATION_P90: Final = "duration_p90_minutes"
TTA_P50: Final = "tta_p50_minutes"
ACK_RATE: Final = "ack_rate"  # among firings whose acknowledgements are recorded
ACK_RECORDED_SHARE: Final = "ack_recorded_share"
HUMAN_ACTION_RATE: Final = "human_action_rate"
ENGAGED_RATE: Final = "engaged_rate"
REASSIGN_RATE: Final = "reassign_rate"
OFF_HOURS_SHARE: Final = "off_hours_share"
NIGHT_SHARE: Final = "night_share"
SEVERITY: Final = "severity"
SEVERITY_RANK: Final = "severity_rank"
FIRST_AT: Final = "first_at"
LAST_AT: Final = "last_at"

_RANK = {"critical": 4, "high": 3, "warning": 2, "info": 1}


def rate_column(signal: str) -> str:
    """The column holding the share of a rule's firings that show ``signal``."""
    return f"{signal}_rate"


def known_column(signal: str) -> str:
    """The column holding the share of a rule's firings where ``signal`` could be evaluated."""
    return f"{signal}_known"


def rule_features(
    alerts: pd.DataFrame,
    identity: pd.DataFrame,
    activity: pd.DataFrame,
    signals: Signals,
    weeks: float,
    thresholds: NoiseThresholds,
) -> pd.DataFrame:
    """One row per rule_key (``alerts[rule_key]``, already the analysis' identity)."""
    created = alerts[Alerts.created_at]
    hour = created.dt.hour.to_numpy()
    weekend = created.dt.day_of_week.to_numpy() >= 5
    start, end = thresholds.business_hours_start, thresholds.business_hours_end
    value = signals.value.to_numpy(dtype=bool)
    known = signals.known.to_numpy(dtype=bool)
    # a firing is evaluated when its lifetime or the response to it could be
    response = [SIGNALS.index(s) for s in RESPONSE_SIGNALS]
    informative = known[:, response].any(axis=1)
    ack_rec = activity[ACK_RECORDED].to_numpy(dtype=bool)
    acked = activity[HUMAN_ACK].to_numpy(dtype=bool)
    severity = alerts[Alerts.severity].astype(object)
    frame = pd.DataFrame(
        {
            Rules.rule_key: alerts[Alerts.rule_key].to_numpy(dtype=object),
            "paged": alerts[Alerts.paged].astype("boolean").fillna(False).to_numpy(dtype=bool),
            NOISE_FIRINGS: value.any(axis=1),
            EVALUATED_FIRINGS: informative | value.any(axis=1),
            **{rate_column(s): value[:, k] for k, s in enumerate(SIGNALS)},
            **{known_column(s): known[:, k] for k, s in enumerate(SIGNALS)},
            "acked_recorded": acked & ack_rec,
            ACK_RECORDED_SHARE: ack_rec,
            HUMAN_ACTION_RATE: activity[HUMAN_ACTION].to_numpy(dtype=bool),
            ENGAGED_RATE: activity[ENGAGED].to_numpy() > 0,
            REASSIGN_RATE: activity[REASSIGNED].to_numpy() > 0,
            OFF_HOURS_SHARE: weekend | (hour < start) | (hour >= end),
            NIGHT_SHARE: (hour < 6) | (hour >= 22),
            SEVERITY_RANK: severity.map(_RANK).fillna(np.nan).to_numpy(dtype=float),
            DURATION_MIN: activity[DURATION_MIN].to_numpy(),
            ACK_MIN: activity[ACK_MIN].to_numpy(),
            FIRST_AT: created.to_numpy(),
        }
    )
    grouped = frame.groupby(Rules.rule_key, sort=True)
    shares = [
        c
        for c in frame.columns
        if c
        not in (
            Rules.rule_key,
            "paged",
            DURATION_MIN,
            ACK_MIN,
            FIRST_AT,
            NOISE_FIRINGS,
            EVALUATED_FIRINGS,
            SEVERITY_RANK,
        )
    ]
    out = grouped[shares].mean()
    out.insert(0, Rules.firings, grouped.size())
    out.insert(1, Rules.pages, grouped["paged"].sum())
    out.insert(2, PAGE_RATE, out[Rules.pages] / out[Rules.firings])
    out.insert(3, FIRINGS_PER_WEEK, out[Rules.firings] / max(weeks, 1e-9))
    out[NOISE_FIRINGS] = grouped[NOISE_FIRINGS].sum()
    out[EVALUATED_FIRINGS] = grouped[EVALUATED_FIRINGS].sum()
    out[ANY_SIGNAL] = out[NOISE_FIRINGS] / out[Rules.firings]
    recorded = out[ACK_RECORDED_SHARE] > 0
    out[ACK_RATE] = (out.pop("acked_recorded") / out[ACK_RECORDED_SHARE]).where(recorded)
    out[SEVERITY_RANK] = grouped[SEVERITY_RANK].mean()
    out[DURATION_P50] = grouped[DURATION_MIN].median()
    out[DURATION_P90] = grouped[DURATION_MIN].quantile(0.9)
    out[TTA_P50] = grouped[ACK_MIN].median()
    out[FIRST_AT] = grouped[FIRST_AT].min()
    out[LAST_AT] = grouped[FIRST_AT].max()
    out = out.join(_identity(alerts, identity))
    return out.reset_index()


def _identity(alerts: pd.DataFrame, identity: pd.DataFrame) -> pd.DataFrame:
    """Per rule: its name, identity basis, most common title template, service, team, source
    and severity."""
    columns = {
        Rules.rule_name: identity[RULE_NAME].to_numpy(dtype=object),
        Rules.identity_basis: identity[BASIS].to_numpy(dtype=object),
        Rules.title_template: identity[Rules.title_template].to_numpy(dtype=object),
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
