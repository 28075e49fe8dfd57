"""The noise analysis a review reads: the stored outputs when they were computed for the same
counted weeks, else a fresh run over the records up to the reviewed period; then one team's
share of it. The review never mixes noise figures of one window with metrics of another."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from alertlens.analysis.frames import Frames
from alertlens.analysis.noise import noise_analysis
from alertlens.analysis.noise.episodes import RULES_IN_GROUP
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.pipeline import NoiseFacts
from alertlens.ingest.schema import Alerts, Rules


@dataclass(frozen=True)
class StoredNoise:
    """What ``alertlens analyze`` stored, and the last counted week it was computed for."""

    facts: NoiseFacts
    last_week: str | None


def period_noise(
    stored: StoredNoise | None, cut: Frames, last_week: str, weeks: int,
    thresholds: NoiseThresholds,
) -> tuple[NoiseFacts, bool]:
    """The noise facts of the counted records ``cut`` (weeks up to ``last_week``), and whether
    they were computed here rather than read back."""
    if stored is not None and stored.last_week == last_week:
        return stored.facts, False
    noise = noise_analysis(cut.alerts, cut.notifications, cut.incidents, thresholds=thresholds,
                           weeks=float(weeks))
    return NoiseFacts.of(noise), True


def team_noise(facts: NoiseFacts, team: str | None) -> NoiseFacts:
    """``team``'s alerts, rules and the storms its rules take part in (all of them for None)."""
    if team is None:
        return facts
    rules = facts.rules[facts.rules[Rules.team] == team]
    own = set(rules[Rules.rule_key])
    correlation = facts.correlation
    if len(correlation):
        mine = correlation[RULES_IN_GROUP].map(lambda keys: bool(own & set(keys)))
        correlation = correlation[mine.to_numpy(dtype=bool)]
    scored = facts.scored[facts.scored[Alerts.team] == team]
    return replace(facts, scored=scored, rules=rules.reset_index(drop=True),
                   correlation=correlation.reset_index(drop=True))


def stored_noise(scored: pd.DataFrame, rules: pd.DataFrame, correlation: pd.DataFrame,
                 compression_ratio: float | None, last_week: str | None) -> StoredNoise:
    """The stored outputs as read back from ``<lake>/analysis``."""
    return StoredNoise(NoiseFacts(scored, rules, correlation, compression_ratio), last_week)
