"""Verdicts with their confidence: the Beta posterior, shrinkage toward the family, "needs more
data", "cannot tell" and "quiet since"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alertlens.analysis.noise.features import EVALUATED_FIRINGS, LAST_AT, NOISE_FIRINGS
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.noise.verdict import (
    CANNOT_TELL,
    KEEP,
    NEEDS_DATA,
    NOISY,
    POSTERIOR,
    verdicts,
)
from alertlens.ingest.schema import Rules

END = pd.Timestamp("2026-11-23", tz="UTC")


def _rules(rows: list[tuple[int, int, int, str]]) -> pd.DataFrame:
    """(firings, evaluated, noise evidence, last firing) per rule."""
    return pd.DataFrame(
        {
            Rules.firings: [r[0] for r in rows],
            EVALUATED_FIRINGS: [r[1] for r in rows],
            NOISE_FIRINGS: [r[2] for r in rows],
            LAST_AT: pd.to_datetime([r[3] for r in rows], utc=True),
        }
    )


def test_verdict_words() -> None:
    rules = _rules(
        [
            (40, 40, 36, "2026-11-20"),  # noisy
            (40, 40, 2, "2026-11-20"),  # keep
            (2, 2, 2, "2026-11-20"),  # too few firings to press a fix
            (9, 0, 0, "2026-11-20"),  # nothing could be evaluated
            (30, 30, 30, "2026-09-01"),  # noisy, silent since September
        ]
    )
    out = verdicts(rules, np.full(5, 0.3), END, NoiseThresholds())
    assert out[Rules.verdict].tolist() == [
        NOISY,
        KEEP,
        NEEDS_DATA,
        CANNOT_TELL,
        "quiet since 2026-09-01",
    ]
    assert out[Rules.is_noisy].tolist() == [True, False, True, False, True]
    assert out[Rules.confidence].isna().tolist() == [False, False, False, True, False]


def test_confidence_grows_with_firings() -> None:
    rules = _rules([(n, n, round(0.7 * n), "2026-11-20") for n in (3, 10, 100)])
    out = verdicts(rules, np.full(3, 0.5), END, NoiseThresholds())
    confidence = out[Rules.confidence].tolist()
    assert confidence == sorted(confidence) and confidence[-1] > 0.99
    width = (out[Rules.noise_high] - out[Rules.noise_low]).tolist()
    assert width == sorted(width, reverse=True)


def test_a_small_rule_leans_on_its_family() -> None:
    """One quiet firing in a family of noisy rules stays noisy; among real rules it is kept."""
    rules = _rules([(1, 1, 0, "2026-11-20")] * 2)
    out = verdicts(rules, np.array([0.95, 0.05]), END, NoiseThresholds())
    assert out[POSTERIOR].tolist() == pytest.approx([3 * 0.95 / 4, 3 * 0.05 / 4])
    assert out[Rules.is_noisy].tolist() == [True, False]
