"""The verdict on each rule, with how sure it is.

A rule's noise rate gets a Beta posterior: its own firings (``k`` of ``n`` evaluated firings
showed a noise signal) on top of ``prior_firings`` pseudo-firings at its family's pooled rate
(empirical Bayes shrinkage: a rule with two firings is mostly its family, one with two hundred
is mostly itself). The rule is noisy when the posterior mean reaches ``rule_noise_share``.
``confidence`` is the posterior probability that the rate lies on the verdict's side of that
line; ``noise_low``/``noise_high`` bound the 80% credible interval.

The verdict says what a person can do with it:

- ``noisy`` / ``keep``: decided, with enough firings;
- ``needs more data``: fewer than ``verdict_min_firings`` firings, or a verdict less than
  ``verdict_min_confidence`` sure (the best guess still counts in the noise share and the
  what-if, but no fix is pressed);
- ``cannot tell``: no firing could be evaluated (the export lacks the lifetimes and the
  response), so nothing is claimed either way;
- ``quiet since YYYY-MM-DD``: a noisy rule silent for ``quiet_weeks`` before the data ends
  (check that the fix held rather than fixing it again).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from scipy.stats import beta

from alertlens.analysis.noise.features import EVALUATED_FIRINGS, LAST_AT, NOISE_FIRINGS
from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.ingest.schema import Rules

NOISY: Final = "noisy"
KEEP: Final = "keep"
NEEDS_DATA: Final = "needs more data"
CANNOT_TELL: Final = "cannot tell"
QUIET: Final = "quiet since"
PRIOR: Final = "family_noise_rate"
POSTERIOR: Final = "evidence_share"  # the posterior mean noise rate the verdict uses
INTERVAL: Final = 0.8


def verdicts(
    rules: pd.DataFrame, prior: np.ndarray, end: pd.Timestamp | None, t: NoiseThresholds
) -> pd.DataFrame:
    """``rules`` with the posterior, its interval and confidence, ``is_noisy`` and ``verdict``
    (``prior``: each rule's family noise rate)."""
    k = rules[NOISE_FIRINGS].to_numpy(dtype=float)
    n = np.maximum(rules[EVALUATED_FIRINGS].to_numpy(dtype=float), k)
    prior = np.clip(np.nan_to_num(prior, nan=0.5), 1e-3, 1 - 1e-3)
    a = t.prior_firings * prior + k
    b = t.prior_firings * (1 - prior) + (n - k)
    mean = a / (a + b)
    tell = n > 0
    noisy = tell & (mean >= t.rule_noise_share)
    above = beta.sf(t.rule_noise_share, a, b)
    confidence = np.where(noisy, above, 1 - above)
    tail = (1 - INTERVAL) / 2
    firings = rules[Rules.firings].to_numpy()
    verdict = np.where(noisy, NOISY, KEEP).astype(object)
    last = pd.to_datetime(rules[LAST_AT], utc=True)
    if end is not None:
        quiet = noisy & (last < end - pd.Timedelta(weeks=t.quiet_weeks)).to_numpy()
        dates = last.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        verdict[quiet] = [f"{QUIET} {d}" for d in dates[quiet]]
    unsure = (firings < t.verdict_min_firings) | (confidence < t.verdict_min_confidence)
    verdict[unsure] = NEEDS_DATA
    verdict[~tell] = CANNOT_TELL
    return rules.assign(
        **{
            PRIOR: prior,
            POSTERIOR: np.where(tell, mean, np.nan),
            Rules.noise_low: np.where(tell, beta.ppf(tail, a, b), np.nan),
            Rules.noise_high: np.where(tell, beta.ppf(1 - tail, a, b), np.nan),
            Rules.confidence: np.where(tell, confidence, np.nan),
            Rules.is_noisy: noisy,
            Rules.verdict: verdict,
            Rules.last_fired: last,
        }
    )


def is_quiet(verdict: pd.Series) -> pd.Series:
    """Which verdicts are "quiet since …"."""
    return verdict.astype(str).str.startswith(QUIET)
