"""Noise: which alert firings are noise, which rules make them, why, one fix per rule and what
paging would look like after the fixes. Entry: :func:`noise_analysis`."""

from __future__ import annotations

from alertlens.analysis.noise.analysis import NoiseAnalysis, noise_analysis
from alertlens.analysis.noise.thresholds import NoiseThresholds

__all__ = ["NoiseAnalysis", "NoiseThresholds", "noise_analysis"]
