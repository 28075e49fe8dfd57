"""Alerts that fire together: co-firing links between rules, duplicate candidates and
correlation groups (alerts -> episodes), all vectorised with numpy over time-sorted firings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from alertlens.ingest.schema import Alerts

#: Column names of the co-firing frames (analysis-local; not persisted by the lead yet).
POS = "pos"
PARTNER = "partner_code"
GAP = "gap_ns"
RULE_A = "rule_a"
RULE_B = "rule_b"
COFIRINGS = "cofirings"
FIRINGS_A = "firings_a"
SHARE_A = "share_a"
LIFT = "lift"
GROUP = "group"
RULES_IN_GROUP = "rules"
FIRINGS = "firings"
EPISODES = "episodes"
COMPRESSION = "compression_ratio"

#: A storm of thousands of simultaneous alerts would make the pair count quadratic; beyond this
#: many later neighbours an alert's extra links add no evidence.
MAX_NEIGHBOURS = 64


def rule_codes(alerts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(code per alert, rule name per code): the integer rule ids links and pairs use."""
    codes, names = pd.factorize(alerts[Alerts.rule_key].to_numpy(dtype=object))
    return codes.astype(np.int64), np.asarray(names, dtype=object)


def cofiring_links(alerts: pd.DataFrame, window: pd.Timedelta) -> pd.DataFrame:
    """Distinct (alert position, other rule's code) pairs with the smallest gap between them: the
    alert fired within ``window`` of an alert of another rule of the same team. Positions are
    0..len-1 in row order; codes come from ``rule_codes``. One pass at the widest window serves
    narrower ones: filter on ``GAP``.

    Links stay within a team: a rule duplicates a rule its own team owns (merging rules across
    teams is a routing question), and in a large org a window searched org-wide links nearly
    every alert to dozens of unrelated ones (measured: 11 GB for a million alerts, 250 teams)."""
    times = _ns(alerts[Alerts.created_at])
    codes, names = rule_codes(alerts)
    teams, _ = pd.factorize(alerts[Alerts.team].fillna("").to_numpy(dtype=object))
    k = max(len(names), 1)
    parts = [
        _links_within(np.flatnonzero(teams == team), times, codes, window, k)
        for team in np.unique(teams)
    ]
    pos = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
    partner = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
    gaps = np.concatenate([p[2] for p in parts]) if parts else np.empty(0, np.int64)
    order = np.lexsort((partner, pos))
    return pd.DataFrame({POS: pos[order], PARTNER: partner[order], GAP: gaps[order]})


def _links_within(
    members: np.ndarray, times: np.ndarray, codes: np.ndarray, window: pd.Timedelta, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions, partner codes, smallest gaps) of the links among ``members``."""
    order = members[np.argsort(times[members], kind="stable")]
    ts = times[order]
    right = np.searchsorted(ts, ts + window.value, side="right")
    counts = np.minimum(right - np.arange(len(ts)) - 1, MAX_NEIGHBOURS)
    first = np.repeat(np.arange(len(ts)), counts)
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    later = first + 1 + step
    gap = ts[later] - ts[first]
    i, j = order[first], order[later]
    differ = codes[i] != codes[j]
    i, j, gap = i[differ], j[differ], gap[differ]
    pos = np.concatenate([i, j])
    partner = np.concatenate([codes[j], codes[i]])
    gaps = np.concatenate([gap, gap])
    # integer keys and one sort: a pandas drop_duplicates over tens of millions of rows
    # costs gigabytes; sorted by (key, gap), a key's first row carries its smallest gap
    key = pos * k + partner
    ordered = np.lexsort((gaps, key))
    key, gaps = key[ordered], gaps[ordered]
    first_of_key = np.ones(len(key), dtype=bool)
    first_of_key[1:] = key[1:] != key[:-1]
    return key[first_of_key] // k, key[first_of_key] % k, gaps[first_of_key]


def within(links: pd.DataFrame, window: pd.Timedelta) -> pd.DataFrame:
    """The links whose gap is at most ``window``."""
    return links[links[GAP].to_numpy() <= window.value]


def cofiring_pairs(alerts: pd.DataFrame, links: pd.DataFrame, window: pd.Timedelta) -> pd.DataFrame:
    """Directed rule pairs: how many of rule_a's firings had rule_b within the window, that as a
    share of rule_a's firings, and the lift of that share over chance (rule_b's firing rate)."""
    codes, names = rule_codes(alerts)
    links = within(links, window)
    k = max(len(names), 1)
    firings = np.bincount(codes, minlength=k)
    a = codes[links[POS].to_numpy()]
    b = links[PARTNER].to_numpy()
    keys, counts = np.unique(a * k + b, return_counts=True)
    a, b = keys // k, keys % k
    pairs = pd.DataFrame({RULE_A: names[a], RULE_B: names[b], COFIRINGS: counts})
    span = max(float(np.ptp(_ns(alerts[Alerts.created_at]))) if len(alerts) else 0.0, 1.0)
    pairs[FIRINGS_A] = firings[a]
    pairs[SHARE_A] = pairs[COFIRINGS] / pairs[FIRINGS_A]
    rate_b = firings[b] / span
    chance = -np.expm1(-rate_b * 2 * window.value)
    pairs[LIFT] = pairs[SHARE_A] / np.maximum(chance, 1e-12)
    return pairs


def duplicate_partners(
    pairs: pd.DataFrame,
    keep_score: pd.Series,
    *,
    min_share: float,
    min_cofirings: int,
    min_lift: float,
) -> pd.Series:
    """rule -> the rule it duplicates. A rule duplicates a partner when it fires with it in at
    least ``min_share`` of its firings, ``min_cofirings`` times, far above chance. When two rules
    duplicate each other the one with the higher ``keep_score`` (e.g. human-action rate) is kept;
    ties keep the lexically smaller key so the answer never depends on row order."""
    strong = pairs[
        (pairs[SHARE_A] >= min_share)
        & (pairs[COFIRINGS] >= min_cofirings)
        & (pairs[LIFT] >= min_lift)
    ]
    if strong.empty:
        return pd.Series(dtype=object)
    score_a = strong[RULE_A].map(keep_score).fillna(0.0).to_numpy()
    score_b = strong[RULE_B].map(keep_score).fillna(0.0).to_numpy()
    reverse = set(zip(strong[RULE_B], strong[RULE_A], strict=True))
    mutual = np.array(
        [(a, b) in reverse for a, b in zip(strong[RULE_A], strong[RULE_B], strict=True)]
    )
    a_loses = (score_a < score_b) | (
        (score_a == score_b) & (strong[RULE_A] > strong[RULE_B]).to_numpy()
    )
    chosen = strong[~mutual | a_loses].sort_values(
        [RULE_A, SHARE_A, COFIRINGS, RULE_B], ascending=[True, False, False, True]
    )
    partner = chosen.drop_duplicates(RULE_A).set_index(RULE_A)[RULE_B]
    # a rule kept as some rule's target is never itself merged away: no chains, no cycles
    return partner[~partner.index.isin(partner.to_numpy())]


@dataclass(frozen=True)
class Correlation:
    """Rule groups that fire together and each alert's episode within its group."""

    alert_group: pd.Series  # per alert (frame's index): "<group>:<episode>"
    groups: pd.DataFrame  # one row per multi-rule group: group, rules, firings, episodes, ratio
    compression_ratio: float  # alerts / episodes over all alerts


def correlation_groups(
    alerts: pd.DataFrame,
    pairs: pd.DataFrame,
    window: pd.Timedelta,
    *,
    min_share: float,
    min_cofirings: int,
    min_lift: float,
) -> Correlation:
    """Rules linked by frequent co-firing (either side's share >= ``min_share``) form groups;
    within a group (or a lone rule) alerts closer than ``window`` form one episode."""
    rules = alerts[Alerts.rule_key].to_numpy(dtype=object)
    codes, uniques = pd.factorize(rules)
    index = {rule: k for k, rule in enumerate(uniques)}
    edges = pairs[
        (pairs[SHARE_A] >= min_share)
        & (pairs[COFIRINGS] >= min_cofirings)
        & (pairs[LIFT] >= min_lift)
    ]
    a = edges[RULE_A].map(index).to_numpy(dtype=np.int64)
    b = edges[RULE_B].map(index).to_numpy(dtype=np.int64)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(uniques), len(uniques)))
    _, component = connected_components(graph, directed=True, connection="weak")
    group_of_alert = component[codes] if len(codes) else np.array([], dtype=np.int64)
    times = _ns(alerts[Alerts.created_at])
    order = np.lexsort((times, group_of_alert))
    g_sorted, t_sorted = group_of_alert[order], times[order]
    new_episode = np.ones(len(order), dtype=bool)
    new_episode[1:] = (g_sorted[1:] != g_sorted[:-1]) | (np.diff(t_sorted) > window.value)
    episode_sorted = np.cumsum(new_episode) - 1
    episode = np.empty(len(order), dtype=np.int64)
    episode[order] = episode_sorted
    labels = pd.Series(
        ("g" + pd.Series(group_of_alert).astype(str) + ":" + pd.Series(episode).astype(str))
        .astype(object)
        .to_numpy(),
        index=alerts.index,
        dtype=object,
    )
    frame = pd.DataFrame({GROUP: group_of_alert, "episode": episode, Alerts.rule_key: rules})
    per_group = frame.groupby(GROUP).agg(
        **{FIRINGS: (Alerts.rule_key, "size"), EPISODES: ("episode", "nunique")}
    )
    per_group[RULES_IN_GROUP] = (
        frame.drop_duplicates([GROUP, Alerts.rule_key])
        .groupby(GROUP)[Alerts.rule_key]
        .agg(lambda s: sorted(s))
    )
    per_group = per_group[per_group[RULES_IN_GROUP].map(len) > 1].reset_index()
    per_group[GROUP] = "g" + per_group[GROUP].astype(str)
    per_group[COMPRESSION] = per_group[FIRINGS] / per_group[EPISODES]
    per_group = per_group.sort_values(FIRINGS, ascending=False, ignore_index=True)
    total_episodes = int(new_episode.sum())
    ratio = len(alerts) / total_episodes if total_episodes else 1.0
    return Correlation(labels, per_group, ratio)


def _ns(times: pd.Series) -> np.ndarray:
    """Epoch nanoseconds of a tz-aware timestamp column, as int64."""
    return pd.DatetimeIndex(times).as_unit("ns").asi8
