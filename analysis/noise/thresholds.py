"""Every tunable of the noise analysis, with its documented default (the ``[noise]`` section of
alertlens.toml; docs/noise.md explains each one)."""

from __future__ import annotations

from alertlens.ingest.settings_table import (
    Hour,
    Names,
    NonNegativeInt,
    Positive,
    PositiveInt,
    Share,
    settings_dataclass,
)


@settings_dataclass
class NoiseThresholds:
    """Thresholds of the per-firing noise signals and of the per-rule decision."""

    # transient: cleared by itself within this many minutes with nobody acting (faster than a
    # person could have looked and fixed it)
    transient_minutes: Positive = 15.0
    # flapping: the same rule on the same service re-fires within this many minutes of resolving
    flap_window_minutes: Positive = 30.0
    # ack-and-forget: a human acks and resolves within this many minutes, and does nothing else
    ack_forget_minutes: Positive = 5.0
    # long-standing: open at least this many hours with nobody acting on it
    long_standing_hours: Positive = 24.0
    # informational: these severities should never page
    informational_severities: Names = ("info",)
    # episodes: alerts of two rules co-fire when they start within this many minutes (a
    # duplicate's own evaluation interval, `for:` and routing put it minutes behind its primary)
    episode_window_minutes: Positive = 10.0
    # ... and two rules fire together when they co-fire at least this many times ...
    episode_min_cofirings: PositiveInt = 3
    # ... this many times more often than chance would have them
    min_lift: Positive = 5.0
    # rule decision: the family's noise rate counts as this many firings of evidence
    prior_firings: Positive = 3.0
    # rule decision: noisy when the rule's noise rate (shrunk toward its family's) reaches this
    rule_noise_share: Share = 0.5
    # below this many firings, or this confidence, a verdict says "needs more data"
    verdict_min_firings: PositiveInt = 3
    verdict_min_confidence: Share = 0.8
    # a noisy rule silent this many weeks before the data ends: "quiet since", no fix proposed
    quiet_weeks: Positive = 3.0
    # families: the most BIC may choose, and the restarts per candidate
    max_families: PositiveInt = 8
    cluster_restarts: PositiveInt = 4
    cluster_seed: NonNegativeInt = 0
    # off-hours: outside [start, end) UTC hours on weekdays, and all weekend
    business_hours_start: Hour = 8
    business_hours_end: Hour = 18
