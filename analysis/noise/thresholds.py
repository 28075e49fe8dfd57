"""Every tunable of the noise analysis, with its documented default (the ``[noise]`` section of
alertlens.toml; docs/noise.md explains each one)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class NoiseThresholds:
    """Thresholds of the per-firing noise signals and of the per-rule decision."""

    # transient: auto-resolved within this many minutes with no human action
    transient_minutes: float = 15.0
    # flapping: the same rule on the same service re-fires within this many minutes of resolving
    flap_window_minutes: float = 30.0
    # ack-and-forget: a human acks and resolves within this many minutes, and does nothing else
    ack_forget_minutes: float = 5.0
    # long-standing: open at least this many hours with nobody acting on it
    long_standing_hours: float = 24.0
    # informational: these severities should never page
    informational_severities: tuple[str, ...] = ("info",)
    # duplicate: fires within this many minutes of another rule's alert ... (5, not 2: a
    # duplicate's own evaluation interval and `for:` put ~6% of its firings 2-5 min behind its
    # partner, and one late firing of a 3-firing duplicate broke an 80% share at 2 min)
    duplicate_window_minutes: float = 5.0
    # ... in at least this share of its firings ...
    duplicate_share: float = 0.8
    # ... and at least this many times
    duplicate_min_cofirings: int = 3
    # duplicates and correlations must co-fire this many times more often than chance would
    min_lift: float = 5.0
    # correlation groups: rules co-firing within the window in this share of the rarer one's firings
    correlation_window_minutes: float = 5.0
    correlation_share: float = 0.5
    correlation_min_cofirings: int = 3
    # rule decision: a rule needs this many firings before it can be called noisy
    rule_min_firings: int = 1
    # rule decision: a rule's signal share is shrunk toward prior_share by prior_firings
    # pseudo-firings, so one unlucky firing of a rare rule is not a verdict
    prior_firings: float = 2.0
    prior_share: float = 0.3
    # rule decision: noisy when at least this (shrunk) share of its firings carry a signal ...
    rule_noise_share: float = 0.6
    # ... or at least this share when its family (cluster) is a noisy one
    family_rule_noise_share: float = 0.35
    # a family is noisy when the firing-weighted signal share of its members reaches this
    family_noise_share: float = 0.5
    # clustering: the most families BIC may choose, and the restarts per candidate
    max_families: int = 8
    cluster_restarts: int = 4
    cluster_seed: int = 0
    # off-hours: outside [start, end) UTC hours on weekdays, and all weekend
    business_hours_start: int = 8
    business_hours_end: int = 18

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> NoiseThresholds:
        """Thresholds from the ``[noise]`` table; unknown keys and wrong types raise ValueError."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(
                f"[noise]: unknown key(s) {', '.join(unknown)}; known keys: {', '.join(known)}"
            )
        values: dict[str, Any] = {}
        for name, value in data.items():
            default = getattr(cls(), name)
            values[name] = _coerced(name, value, default)
        return cls(**values)


def _coerced(name: str, value: Any, default: Any) -> Any:
    """``value`` converted to the type of ``default``, or ValueError naming the key."""
    if isinstance(default, tuple):
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ValueError(f"[noise] {name}: expected a list of strings, got {value!r}")
        return tuple(str(v) for v in value)
    if isinstance(default, bool) or isinstance(value, bool):
        raise ValueError(f"[noise] {name}: expected a number, got {value!r}")
    if isinstance(default, int):
        if not isinstance(value, int):
            raise ValueError(f"[noise] {name}: expected an integer, got {value!r}")
        return value
    if not isinstance(value, int | float):
        raise ValueError(f"[noise] {name}: expected a number, got {value!r}")
    return float(value)
