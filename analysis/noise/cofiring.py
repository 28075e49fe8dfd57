"""Rules that fire together, across rules, services, teams and sources.

Searching every alert's neighbours org-wide is quadratic in a storm and costs gigabytes on a
million alerts, so the search runs in two steps:

1. *Candidate pairs* from a rules x time-bins incidence matrix (``scipy.sparse``): two rules
   that fire in the same or adjacent bins of the window's width far more often than their
   rates predict (approximate counts and lift). This is one sparse product, linear in the
   alerts, whatever the number of teams.
2. *Links* for the candidate pairs only: each alert of one rule to the nearest alert of the
   other within the window (signed lag), with exact co-firing counts, shares and lift.

The pair table also gathers the evidence of *direction* (which of two rules duplicates the
other): firing order, acknowledgement order and severity; merges are added by ``episodes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import poisson

from alertlens.ingest.schema import Alerts

RULE_A: Final = "rule_a"
RULE_B: Final = "rule_b"
COFIRINGS: Final = "cofirings"  # firings of rule_a with a firing of rule_b within the window
FIRINGS_A: Final = "firings_a"
SHARE_A: Final = "share_a"
LIFT: Final = "lift"  # share_a over the chance of rule_b firing within the window of an alert
LAG_S: Final = "median_lag_seconds"  # median (rule_b's start - rule_a's start), seconds
ACKED_A_ONLY: Final = "acked_a_only"  # co-firings where rule_a's alert was acked, b's not
ACKED_B_ONLY: Final = "acked_b_only"
SEVERITY_A: Final = "severity_rank_a"
SEVERITY_B: Final = "severity_rank_b"

SEVERITY_RANK: Final = {"critical": 4, "high": 3, "warning": 2, "info": 1, "unknown": 0}


@dataclass(frozen=True)
class Links:
    """Alert-level co-firings of candidate rule pairs: alert ``a`` (position) had its nearest
    alert of the other rule, ``b``, ``lag_ns`` later (negative: earlier), within the window."""

    a: np.ndarray
    b: np.ndarray
    lag_ns: np.ndarray

    def __len__(self) -> int:
        return len(self.a)


def rule_codes(alerts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(code per alert, rule name per code): the integer rule ids links and pairs use."""
    codes, names = pd.factorize(alerts[Alerts.rule_key].to_numpy(dtype=object))
    return codes.astype(np.int64), np.asarray(names, dtype=object)


def ns(times: pd.Series) -> np.ndarray:
    """Epoch nanoseconds of a tz-aware timestamp column, as int64."""
    return np.asarray(pd.DatetimeIndex(times).as_unit("ns").asi8, dtype=np.int64)


def candidate_pairs(
    codes: np.ndarray, times: np.ndarray, window: pd.Timedelta, *, min_count: int, min_lift: float
) -> np.ndarray:
    """(k, 2) array of rule code pairs (a != b, both orders) that share time bins of the
    window's width (or adjacent ones) at least ``min_count`` times and ``min_lift`` times more
    often than independent rules of their rates would."""
    if len(codes) == 0:
        return np.empty((0, 2), dtype=np.int64)
    width = max(int(window.value), 1)
    bins = (times - times.min()) // width
    n_bins = int(bins.max()) + 3
    n_rules = int(codes.max()) + 1
    present = sparse.csr_matrix((np.ones(len(codes)), (codes, bins + 1)), shape=(n_rules, n_bins))
    present.data[:] = 1.0  # a rule's presence per bin: counts stay those of co-firing bins
    near = present + _shifted(present, 1) + _shifted(present, -1)
    near.data[:] = 1.0
    together = (present @ near.T).tocoo()
    a, b, count = together.row, together.col, together.data
    per_rule = np.asarray(present.sum(axis=1)).ravel()
    expected = per_rule[a] * per_rule[b] * 3.0 / max(n_bins - 2, 1)
    # a rare rule (two firings) every firing of which fell next to another rule's can still be
    # a duplicate: ``strong_pairs`` decides that from the exact counts
    every = (count >= 2) & (count >= per_rule[a])
    keep = (a != b) & ((count >= min_count) | every) & (count >= min_lift * expected)
    return np.column_stack([a[keep], b[keep]]).astype(np.int64)


def _shifted(matrix: sparse.csr_matrix, by: int) -> sparse.csr_matrix:
    """``matrix`` with its columns moved ``by`` places (the bins left over dropped)."""
    coo = matrix.tocoo()
    col = coo.col + by
    ok = (col >= 0) & (col < matrix.shape[1])
    return sparse.csr_matrix((coo.data[ok], (coo.row[ok], col[ok])), shape=matrix.shape)


def alert_links(
    codes: np.ndarray, times: np.ndarray, pairs: np.ndarray, window: pd.Timedelta
) -> Links:
    """For every candidate pair (a, b): each alert of a to its nearest alert of b when that
    one is within ``window`` (either side)."""
    if len(pairs) == 0:
        empty = np.empty(0, dtype=np.int64)
        return Links(empty, empty, empty)
    order = np.lexsort((times, codes))
    sorted_codes = codes[order]
    starts = np.searchsorted(sorted_codes, np.arange(int(codes.max()) + 2))
    out_a, out_b, out_lag = [], [], []
    for a, b in pairs:
        pos_a = order[starts[a] : starts[a + 1]]
        pos_b = order[starts[b] : starts[b + 1]]
        tb = times[pos_b]
        ta = times[pos_a]
        right = np.clip(np.searchsorted(tb, ta), 0, len(tb) - 1)
        left = np.clip(right - 1, 0, len(tb) - 1)
        lag_r, lag_l = tb[right] - ta, tb[left] - ta
        nearest = np.where(np.abs(lag_l) <= np.abs(lag_r), left, right)
        lag = tb[nearest] - ta
        hit = np.abs(lag) <= window.value
        out_a.append(pos_a[hit])
        out_b.append(pos_b[nearest[hit]])
        out_lag.append(lag[hit])
    return Links(np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_lag))


def pair_table(
    alerts: pd.DataFrame,
    codes: np.ndarray,
    names: np.ndarray,
    links: Links,
    acked: np.ndarray,
    window: pd.Timedelta,
) -> pd.DataFrame:
    """Directed rule pairs with their co-firings, share, lift over chance, median lag and the
    acknowledgement and severity evidence of which one duplicates the other."""
    columns = [
        RULE_A,
        RULE_B,
        COFIRINGS,
        FIRINGS_A,
        SHARE_A,
        LIFT,
        LAG_S,
        ACKED_A_ONLY,
        ACKED_B_ONLY,
        SEVERITY_A,
        SEVERITY_B,
    ]
    if len(links) == 0:
        return pd.DataFrame(columns=columns)
    firings = np.bincount(codes, minlength=len(names))
    times = ns(alerts[Alerts.created_at])
    span = max(float(np.ptp(times)), 1.0)
    frame = pd.DataFrame(
        {
            "a": codes[links.a],
            "b": codes[links.b],
            "lag": links.lag_ns / 1e9,
            "ack_a_only": acked[links.a] & ~acked[links.b],
            "ack_b_only": acked[links.b] & ~acked[links.a],
        }
    )
    grouped = frame.groupby(["a", "b"], sort=True)
    out = grouped.agg(
        **{
            COFIRINGS: ("lag", "size"),
            LAG_S: ("lag", "median"),
            ACKED_A_ONLY: ("ack_a_only", "sum"),
            ACKED_B_ONLY: ("ack_b_only", "sum"),
        }
    ).reset_index()
    a, b = out["a"].to_numpy(), out["b"].to_numpy()
    rate_b = firings[b] / span
    chance = -np.expm1(-rate_b * 2 * float(window.value))
    severity = _rule_severity(alerts, codes, len(names))
    out[FIRINGS_A] = firings[a]
    out[SHARE_A] = out[COFIRINGS] / out[FIRINGS_A]
    out[LIFT] = out[SHARE_A] / np.maximum(chance, 1e-12)
    out[SEVERITY_A] = severity[a]
    out[SEVERITY_B] = severity[b]
    out[RULE_A] = names[a]
    out[RULE_B] = names[b]
    return out[columns]


def strong_pairs(
    pairs: pd.DataFrame, *, min_cofirings: int, min_lift: float, alpha: float = 1e-3
) -> pd.Series:
    """True for the rule pairs that fire together far beyond chance: at least ``min_cofirings``
    co-firings ``min_lift`` times above chance, or, for a rule with too few firings to reach
    that count, every one of its (at least two) firings next to the other rule's, at a
    chance (Poisson tail, Bonferroni over the pairs) below ``alpha``."""
    cofirings = pairs[COFIRINGS].to_numpy(dtype=float)
    lift = pairs[LIFT].to_numpy(dtype=float)
    common = (cofirings >= min_cofirings) & (lift >= min_lift)
    expected = cofirings / np.maximum(lift, 1e-12)
    chance = poisson.sf(cofirings - 1, expected)
    every = (cofirings >= 2) & (pairs[SHARE_A].to_numpy(dtype=float) >= 1.0)
    rare = every & (lift >= min_lift) & (chance * max(len(pairs), 1) <= alpha)
    return pd.Series(common | rare, index=pairs.index)


def _rule_severity(alerts: pd.DataFrame, codes: np.ndarray, n: int) -> np.ndarray:
    """Each rule's highest severity rank."""
    rank = alerts[Alerts.severity].map(SEVERITY_RANK).fillna(0).to_numpy(dtype=np.int64)
    out = np.zeros(n, dtype=np.int64)
    np.maximum.at(out, codes, rank)
    return out
