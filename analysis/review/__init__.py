"""The weekly review: one ISO week against the week before, the 4-week average and the trend,
with every figure the report shows. Entry: :func:`review_figures`."""

from __future__ import annotations

from alertlens.analysis.review.figures import ReviewFigures, ReviewInputs, review_figures
from alertlens.analysis.review.week import ReviewError

__all__ = ["ReviewError", "ReviewFigures", "ReviewInputs", "review_figures"]
