"""The review: one week (or any period) of the organisation or one team, against the period
before and the trend, with every figure the report shows. Entry: :func:`review_figures`."""

from __future__ import annotations

from alertlens.analysis.calendar import ReviewError
from alertlens.analysis.review.figures import (
    HeadlineFigure,
    NoiseFigures,
    ReviewFigures,
    ReviewInputs,
    ReviewRequest,
    review_figures,
)
from alertlens.analysis.review.noise import StoredNoise, stored_noise

__all__ = [
    "HeadlineFigure",
    "NoiseFigures",
    "ReviewError",
    "ReviewFigures",
    "ReviewInputs",
    "ReviewRequest",
    "StoredNoise",
    "review_figures",
    "stored_noise",
]
