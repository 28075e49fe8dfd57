"""Episodes: alerts that are one event seen many times, and which of them were redundant.

Rules linked by frequent co-firing (at least ``min_cofirings`` times, ``min_lift`` times
above chance, in any team, service or source) are *strong pairs*. Their alert-level links, plus
PagerDuty merges (the merged-away incident's alert joined the surviving one), are the edges of
a graph over alerts; its connected components are the *episodes* (an alert storm, a duplicate
and its primary). Every alert of an episode adds nothing to its *lead* and is flagged redundant,
unless a person worked on it.

The lead is not simply the first alert: of two rules that fire together one is the duplicate,
and the evidence for which one is, strongest first, is (1) merges (the merged-away incident is
the duplicate), (2) acknowledgements (the one that was acknowledged while the other was not is
the primary), (3) firing order (the later one), (4) severity (the lower one). A rule that
*follows* another rule of its episode cannot lead it.

An Alertmanager alert and the PagerDuty (or Opsgenie) alert it created are one event seen
twice, not a duplicate pair: two alerts of the same rule name on the same service, from
different sources, starting within ``ECHO_SECONDS``, are one event (``echo``) and neither is
flagged for the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from alertlens.analysis.noise.cofiring import (
    ACKED_A_ONLY,
    ACKED_B_ONLY,
    LAG_S,
    RULE_A,
    RULE_B,
    SEVERITY_A,
    SEVERITY_B,
    Links,
    strong_pairs,
)
from alertlens.ingest.schema import Alerts, Incidents

#: Two alerts of one rule name from two sources this close together are one event.
ECHO_SECONDS: Final = 120.0
#: A firing-order lag this small says nothing about which rule came first.
ORDER_TOLERANCE_S: Final = 5.0
#: Weights of the direction evidence, strongest first.
WEIGHTS: Final = {"merge": 8.0, "ack": 4.0, "order": 2.0, "severity": 1.0}

MERGES_A_INTO_B: Final = "merges_a_into_b"
MERGES_B_INTO_A: Final = "merges_b_into_a"
FOLLOWS: Final = "a_follows_b"  # rule_a duplicates rule_b (the direction evidence says so)

GROUP: Final = "group"
RULES_IN_GROUP: Final = "rules"
FIRINGS: Final = "firings"
EPISODES: Final = "episodes"
COMPRESSION: Final = "compression_ratio"


@dataclass(frozen=True)
class Episodes:
    """Per alert: its episode, whether it was redundant, and the rule of its episode's lead;
    per rule group: the correlation table; overall: alerts per episode."""

    episode: np.ndarray  # episode number per alert position
    redundant: np.ndarray  # bool per alert position
    lead_rule: np.ndarray  # per alert: the rule of its episode's lead (object; None alone)
    groups: pd.DataFrame
    compression_ratio: float


def merged_pairs(
    alerts: pd.DataFrame, incidents: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """(duplicate positions, primary positions): the alert that opened an incident merged away
    into another, and the alert that opened the surviving incident. PagerDuty moves a merged
    incident's alerts to the surviving one, so the duplicate is the surviving incident's alert
    created when the merged-away incident was."""
    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    if incidents is None or incidents.empty or Incidents.merged_into not in incidents:
        return empty
    merged = incidents[incidents[Incidents.merged_into].notna()]
    if merged.empty:
        return empty
    keyed = pd.DataFrame(
        {
            "pos": np.arange(len(alerts)),
            "src": alerts[Alerts.source].to_numpy(dtype=object),
            "inc": alerts[Alerts.incident_id].to_numpy(dtype=object),
            "at": alerts[Alerts.created_at].to_numpy(),
        }
    )
    dup = merged[[Incidents.source, Incidents.merged_into, Incidents.created_at]].merge(
        keyed,
        left_on=[Incidents.source, Incidents.merged_into, Incidents.created_at],
        right_on=["src", "inc", "at"],
    )
    if dup.empty:
        return empty
    is_dup = np.zeros(len(alerts), dtype=bool)
    is_dup[dup["pos"].to_numpy()] = True
    openers = (
        keyed[~is_dup & keyed["inc"].notna()]
        .sort_values(["at", "pos"])
        .drop_duplicates(["src", "inc"])[["src", "inc", "pos"]]
        .rename(columns={"pos": "primary"})
    )
    both = dup[["src", "inc", "pos"]].merge(openers, on=["src", "inc"])
    return both["pos"].to_numpy(dtype=np.int64), both["primary"].to_numpy(dtype=np.int64)


def directed(pairs: pd.DataFrame, merges: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with merge counts and ``a_follows_b``: the weighted evidence says rule_a is the
    duplicate of rule_b (merges, then acknowledgements, firing order and severity)."""
    out = pairs.copy()
    counts = merges.groupby([RULE_A, RULE_B]).size() if not merges.empty else pd.Series(dtype=int)
    key_ab = pd.MultiIndex.from_frame(out[[RULE_A, RULE_B]])
    key_ba = pd.MultiIndex.from_arrays([out[RULE_B], out[RULE_A]])
    out[MERGES_A_INTO_B] = counts.reindex(key_ab).fillna(0).to_numpy()
    out[MERGES_B_INTO_A] = counts.reindex(key_ba).fillna(0).to_numpy()
    lag = out[LAG_S].to_numpy(dtype=float)
    order = np.where(np.abs(lag) <= ORDER_TOLERANCE_S, 0.0, np.sign(-lag))
    score = (
        WEIGHTS["merge"] * np.sign(out[MERGES_A_INTO_B] - out[MERGES_B_INTO_A])
        + WEIGHTS["ack"] * np.sign(out[ACKED_B_ONLY] - out[ACKED_A_ONLY])
        + WEIGHTS["order"] * order
        + WEIGHTS["severity"] * np.sign(out[SEVERITY_B] - out[SEVERITY_A])
    )
    out[FOLLOWS] = score > 0
    return out


def episodes(
    alerts: pd.DataFrame,
    codes: np.ndarray,
    names: np.ndarray,
    links: Links,
    pairs: pd.DataFrame,
    merges: tuple[np.ndarray, np.ndarray],
    engaged: np.ndarray,
    rule_names: np.ndarray,
    *,
    min_cofirings: int,
    min_lift: float,
) -> Episodes:
    """Episodes over strong pairs' links and merges, their leads and the redundant alerts."""
    n = len(alerts)
    strong = pairs[strong_pairs(pairs, min_cofirings=min_cofirings, min_lift=min_lift)]
    code_of = {name: k for k, name in enumerate(names)}
    strong_codes = {
        (code_of[a], code_of[b]) for a, b in zip(strong[RULE_A], strong[RULE_B], strict=True)
    }
    strong_codes |= {(b, a) for a, b in strong_codes}
    la, lb = codes[links.a], codes[links.b]
    keep = np.array([(x, y) in strong_codes for x, y in zip(la, lb, strict=True)], dtype=bool)
    keep &= ~_echoes(alerts, links, rule_names)
    dup, primary = merges
    edge_a = np.concatenate([links.a[keep], dup])
    edge_b = np.concatenate([links.b[keep], primary])
    graph = sparse.coo_matrix((np.ones(len(edge_a)), (edge_a, edge_b)), shape=(n, n))
    _, episode = connected_components(graph, directed=False)
    follows = _follow_sets(pairs, code_of)
    lead = _leads(alerts, codes, episode, follows)
    size = np.bincount(episode, minlength=episode.max() + 1 if n else 0)
    in_multi = size[episode] > 1 if n else np.zeros(0, dtype=bool)
    is_lead = np.arange(n) == lead[episode] if n else np.zeros(0, dtype=bool)
    merged_away = np.zeros(n, dtype=bool)
    merged_away[dup] = True
    redundant = (in_multi & ~is_lead & (engaged == 0)) | merged_away
    lead_rule = np.full(n, None, dtype=object)
    if n:
        lead_rule[in_multi] = names[codes[lead[episode]]][in_multi]
    groups = _groups(alerts, codes, names, strong, episode)
    ratio = n / len(np.unique(episode)) if n else 1.0
    return Episodes(episode, redundant, lead_rule, groups, ratio)


def _echoes(alerts: pd.DataFrame, links: Links, rule_name: np.ndarray) -> np.ndarray:
    """Links between two alerts of one event seen by two sources: same rule name (``rule_name``
    per alert: the identity's readable name), same service, different sources, close
    together."""
    if len(links) == 0:
        return np.zeros(0, dtype=bool)
    source = alerts[Alerts.source].to_numpy(dtype=object)
    service = alerts[Alerts.service].astype(object).fillna("-").to_numpy()
    return np.asarray(
        (source[links.a] != source[links.b])
        & (service[links.a] == service[links.b])
        & (rule_name[links.a] == rule_name[links.b])
        & (np.abs(links.lag_ns) <= ECHO_SECONDS * 1e9),
        dtype=bool,
    )


def _follow_sets(pairs: pd.DataFrame, code_of: dict[object, int]) -> set[tuple[int, int]]:
    """(a, b) rule codes where a follows b."""
    if pairs.empty or FOLLOWS not in pairs:
        return set()
    chosen = pairs[pairs[FOLLOWS].astype(bool)]
    return {(code_of[a], code_of[b]) for a, b in zip(chosen[RULE_A], chosen[RULE_B], strict=True)}


def _leads(
    alerts: pd.DataFrame, codes: np.ndarray, episode: np.ndarray, follows: set[tuple[int, int]]
) -> np.ndarray:
    """Per episode: the position of its lead, the earliest alert whose rule follows no other
    rule present in the episode (the earliest alert when every rule follows another)."""
    n = len(alerts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    times = pd.DatetimeIndex(alerts[Alerts.created_at]).as_unit("ns").asi8
    frame = pd.DataFrame({"pos": np.arange(n), "e": episode, "code": codes, "t": times})
    follower = np.zeros(n, dtype=bool)
    if follows:
        present = frame[["e", "code"]].drop_duplicates()
        pairs = pd.DataFrame(sorted(follows), columns=["code", "other"])
        candidates = present.merge(pairs, on="code")
        there = candidates.merge(
            present.rename(columns={"code": "other"}), on=["e", "other"]
        )[["e", "code"]].drop_duplicates()
        marked = frame.merge(there.assign(f=True), on=["e", "code"], how="left")
        follower = marked["f"].fillna(False).to_numpy(dtype=bool)
    # the earliest non-follower of each episode, else its earliest alert
    ranked = frame.assign(f=follower).sort_values(["e", "f", "t", "pos"], kind="stable")
    firsts = ranked.drop_duplicates("e")
    lead = np.full(int(episode.max()) + 1, -1, dtype=np.int64)
    lead[firsts["e"].to_numpy()] = firsts["pos"].to_numpy()
    return lead


def _groups(
    alerts: pd.DataFrame,
    codes: np.ndarray,
    names: np.ndarray,
    strong: pd.DataFrame,
    episode: np.ndarray,
) -> pd.DataFrame:
    """One row per group of strongly linked rules: its rules, firings, episodes, compression."""
    columns = [GROUP, RULES_IN_GROUP, FIRINGS, EPISODES, COMPRESSION]
    if strong.empty:
        return pd.DataFrame(columns=columns)
    code_of = {name: k for k, name in enumerate(names)}
    a = strong[RULE_A].map(code_of).to_numpy(dtype=np.int64)
    b = strong[RULE_B].map(code_of).to_numpy(dtype=np.int64)
    k = len(names)
    graph = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(k, k))
    _, component = connected_components(graph, directed=False)
    frame = pd.DataFrame({"g": component[codes], "rule": names[codes], "episode": episode})
    per = frame.groupby("g").agg(**{FIRINGS: ("rule", "size"), EPISODES: ("episode", "nunique")})
    per[RULES_IN_GROUP] = frame.drop_duplicates(["g", "rule"]).groupby("g")["rule"].agg(sorted)
    per = per[per[RULES_IN_GROUP].map(len) > 1].reset_index()
    per[GROUP] = "g" + per["g"].astype(str)
    per[COMPRESSION] = per[FIRINGS] / per[EPISODES]
    return per.sort_values(FIRINGS, ascending=False, ignore_index=True)[columns]
