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

    # transient: auto-resolved within this many minutes with no human action
    transient_minutes: Positive = 15.0
    # flapping: the same rule on the same service re-fires within this many minutes of resolving
    flap_window_minutes: Positive = 30.0
    # ack-and-forget: a human acks and resolves within this many minutes, and does nothing else
    ack_forget_minutes: Positive = 5.0
    # long-standing: open at least this many hours with nobody acting on it
    long_standing_hours: Positive = 24.0
    # informational: these severities should never page
    informational_severities: Names = ("info",)
    # duplicate: fires within this many minutes of another rule's alert ... (5, not 2: a
    # duplicate's own evaluation interval and `for:` put ~6% of its firings 2-5 min behind its
    # partner, and one late firing of a 3-firing duplicate broke an 80% share at 2 min)
    duplicate_window_minutes: Positive = 5.0
    # ... in at least this share of its firings ...
    duplicate_share: Share = 0.8
    # ... and at least this many times
    duplicate_min_cofirings: PositiveInt = 3
    # duplicates and correlations must co-fire this many times more often than chance would
    min_lift: Positive = 5.0
    # correlation groups: rules co-firing within the window in this share of the rarer one's firings
    correlation_window_minutes: Positive = 5.0
    correlation_share: Share = 0.5
    correlation_min_cofirings: PositiveInt = 3
    # rule decision: a rule needs this many firings before it can be called noisy
    rule_min_firings: PositiveInt = 1
    # rule decision: a rule's signal share is shrunk toward prior_share by prior_firings
    # pseudo-firings, so one unlucky firing of a rare rule is not a verdict
    prior_firings: Positive = 2.0
    prior_share: Share = 0.3
    # rule decision: noisy when at least this (shrunk) share of its firings carry a signal ...
    rule_noise_share: Share = 0.6
    # ... or at least this share when its family (cluster) is a noisy one
    family_rule_noise_share: Share = 0.35
    # a family is noisy when the firing-weighted signal share of its members reaches this
    family_noise_share: Share = 0.5
    # clustering: the most families BIC may choose, and the restarts per candidate
    max_families: PositiveInt = 8
    cluster_restarts: PositiveInt = 4
    cluster_seed: NonNegativeInt = 0
    # off-hours: outside [start, end) UTC hours on weekdays, and all weekend
    business_hours_start: Hour = 8
    business_hours_end: Hour = 18
