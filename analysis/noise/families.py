"""Rule families: rules that behave alike, so that a rule with few firings borrows evidence from
the rules it resembles, and so that a team can act on a family at once ("nightly, hours-long,
non-paging Backup alerts on etl services").

The families are found by a diagonal Gaussian mixture (scikit-learn) over how rules *behave*
(how long their firings last, whether they page, their severity, when they fire and how
regularly, how often people acknowledge and work them, how often they fire with other rules),
the number of families chosen by BIC. They are not built from the noise signals that vote on
the verdict, nor from the length of the window (a rule's firings, not its weekly rate). A
family's noise rate (the mean of its members' own rates) is the prior that ``verdict`` shrinks
each member's own rate toward.

Why a mixture: the rule table is small (tens to a few thousand rows), families are compact
blobs in this space, BIC picks the count without a distance threshold to tune, and with restarts
the partition does not depend on the seed.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from typing import Final

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from alertlens.analysis.noise.features import (
    ACK_RATE,
    DURATION_P50,
    DURATION_P90,
    ENGAGED_RATE,
    HUMAN_ACTION_RATE,
    NIGHT_SHARE,
    OFF_HOURS_SHARE,
    PAGE_RATE,
    SEVERITY_RANK,
    rate_column,
)
from alertlens.analysis.noise.signals import SCHEDULED
from alertlens.ingest.schema import Rules

#: Share of a rule's firings that came in an episode with other rules' alerts.
EPISODE_SHARE: Final = "episode_share"
#: Fewer rules than this per candidate family makes a mixture component meaningless.
MIN_RULES_PER_FAMILY: Final = 3
#: Keeps diagonal variances away from zero when a feature is constant inside a family.
REG_COVAR: Final = 1e-2

#: Behaviour features (no signal rate among them but the schedule, which says when, not
#: whether anyone acted): lifetimes log-scaled, unknown values filled neutrally.
BEHAVIOUR: Final = (
    DURATION_P50,
    DURATION_P90,
    PAGE_RATE,
    SEVERITY_RANK,
    NIGHT_SHARE,
    OFF_HOURS_SHARE,
    rate_column(SCHEDULED),
    Rules.firings,
    ACK_RATE,
    ENGAGED_RATE,
    HUMAN_ACTION_RATE,
    EPISODE_SHARE,
)


def behaviour_matrix(rules: pd.DataFrame) -> np.ndarray:
    """The clustering input: ``BEHAVIOUR`` with times and rates log-scaled, gaps filled with
    the column median (an unknown lifetime or acknowledgement rate is "like most rules")."""
    matrix = rules[list(BEHAVIOUR)].astype(float).copy()
    for column in (DURATION_P50, DURATION_P90, Rules.firings):
        matrix[column] = np.log1p(matrix[column].clip(lower=0.0))
    matrix = matrix.fillna(matrix.median()).fillna(0.0)
    return matrix.to_numpy()


def rule_families(
    matrix: np.ndarray,
    order_key: np.ndarray,
    *,
    max_families: int,
    restarts: int,
    seed: int,
) -> np.ndarray:
    """Family number per row of ``matrix`` (0..k-1), k chosen by BIC among 1..``max_families``.
    Families are numbered by descending mean ``order_key`` (the noisiest first)."""
    n = len(matrix)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    scaled = StandardScaler().fit_transform(np.nan_to_num(matrix.astype(float)))
    most = max(1, min(max_families, n // MIN_RULES_PER_FAMILY))
    best_labels, best_bic = np.zeros(n, dtype=np.int64), np.inf
    for k in range(1, most + 1):
        model = GaussianMixture(
            n_components=k,
            covariance_type="diag",
            reg_covar=REG_COVAR,
            init_params="k-means++",
            n_init=restarts,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(scaled)
        bic = model.bic(scaled)
        if bic < best_bic:
            best_bic, best_labels = bic, model.predict(scaled)
    return _renumbered(best_labels, order_key)


def family_rates(labels: np.ndarray, hits: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """Per row: its family's noise rate, the mean of its evaluated members' own rates
    (``hits / trials``). A rule-weighted mean, not a firing-weighted one: the prior of a rule is
    what rules like it are, and one busy flapping rule must not make its quiet neighbours noisy.
    A family with no evaluated member takes the organisation's mean."""
    if len(labels) == 0:
        return np.zeros(0)
    seen = trials > 0
    rate = np.divide(hits, trials, out=np.zeros(len(hits)), where=seen)
    total = np.bincount(labels, weights=rate * seen)
    count = np.bincount(labels, weights=seen.astype(float))
    overall = float(rate[seen].mean()) if seen.any() else 0.5
    mean = np.divide(total, count, out=np.full(len(total), overall), where=count > 0)
    return np.asarray(mean[labels], dtype=float)


def family_names(rules: pd.DataFrame, labels: np.ndarray) -> np.ndarray:
    """A name per row saying what its family has in common, e.g. "daily, hours-long,
    non-paging Backup alerts on etl services"."""
    names: dict[int, str] = {}
    words = [_name_words(str(n)) for n in rules[Rules.rule_name].fillna("")]
    services = [_service_kind(s) for s in rules[Rules.service]]
    # dict.fromkeys, not set: ties in most_common keep first-seen order on every run (a set's
    # order follows the per-process string hash)
    overall_words = Counter(w for ws in words for w in dict.fromkeys(ws))
    for family in np.unique(labels):
        members = np.flatnonzero(labels == family)
        part = rules.iloc[members]
        traits = _traits(part)
        common = Counter(w for i in members for w in dict.fromkeys(words[i]))
        typical = [
            w
            for w, c in common.most_common()
            if c >= max(2, 0.4 * len(members)) and c > 0.6 * overall_words[w]
        ][:2]
        kinds = Counter(services[i] for i in members if services[i])
        kind, count = kinds.most_common(1)[0] if kinds else (None, 0)
        subject = " ".join(typical) + " alerts" if typical else "alerts"
        where = f" on {kind} services" if kind and count >= 0.6 * len(members) else ""
        names[int(family)] = (", ".join(traits) + " " if traits else "") + subject + where
    return np.array([names[int(f)] for f in labels], dtype=object)


def _traits(part: pd.DataFrame) -> list[str]:
    """Plain words for a family's typical behaviour."""

    def mean(column: str) -> float:
        value = part[column].astype(float).mean()
        return float(value) if pd.notna(value) else float("nan")

    out: list[str] = []
    if mean(rate_column(SCHEDULED)) >= 0.5:
        out.append("scheduled")
    elif mean(NIGHT_SHARE) >= 0.5:
        out.append("nightly")
    duration = part[DURATION_P50].astype(float).median()
    if pd.notna(duration):
        if duration < 15:
            out.append("short-lived")
        elif duration >= 24 * 60:
            out.append("days-long")
        elif duration >= 120:
            out.append("hours-long")
    page = mean(PAGE_RATE)
    out += ["paging"] if page >= 0.8 else ["non-paging"] if page <= 0.1 else []
    if mean(SEVERITY_RANK) <= 1.5:
        out.append("info")
    ack = mean(ACK_RATE)
    if not np.isnan(ack):
        out += ["unacknowledged"] if ack <= 0.2 else []
    if mean(ENGAGED_RATE) >= 0.5:
        out.append("worked")
    if mean(EPISODE_SHARE) >= 0.5:
        out.append("storm")
    return out


def _name_words(name: str) -> list[str]:
    """The words of a rule's name before its service (CamelCase and separators split)."""
    head = name.split(" · ")[0]
    return [w for w in re.findall(r"[A-Z]?[a-z]{3,}|[A-Z]{2,}(?![a-z])", head) if w.isalpha()]


def _service_kind(service: object) -> str | None:
    """The kind of a service from its name's last part: orders-db -> db."""
    if not isinstance(service, str) or not service:
        return None
    last = re.split(r"[-_.]", service)[-1]
    return last if last.isalpha() and len(last) >= 2 else None


def _renumbered(labels: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """``labels`` renamed 0..k-1 by descending mean ``order_key`` (ties: larger family first)."""
    found = np.unique(labels)
    means = np.array([order_key[labels == f].mean() for f in found])
    sizes = np.array([(labels == f).sum() for f in found])
    ranking = np.lexsort((-sizes, -means))
    mapping = np.empty(found.max() + 1, dtype=np.int64)
    mapping[found[ranking]] = np.arange(len(found))
    return np.asarray(mapping[labels], dtype=np.int64)
