"""Did the fix hold? Only a fix the data shows can hold.

For every recurrence key that repeated, a fix date comes from evidence, the latest of:

- **postmortem**: an incident of the key carries a postmortem or problem record; the fix is
  dated at that incident's resolution (it cannot have gone in earlier);
- **rule change**: the key's alert rule stopped paging, or its severity was lowered, and stayed
  so for every later firing; dated at the first firing after the change;
- **rate drop**: a change point in the key's occurrences: the split of the counted history into
  a before and an after rate that fits best (Poisson likelihood ratio; at least two occurrences
  and a week before the split, a week after it), accepted when the rate at least halves and the
  test is significant at ``alpha`` after a Bonferroni correction over the candidate splits;
  dated at the last occurrence before the drop.

With a fix date, the key **recurred** when it occurred after it, **held** when it did not for at
least ``fix_quiet_period`` up to the end of the counted history, and is **too early to tell**
otherwise. Without evidence it is **no fix recorded** — never "held".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy import stats

from alertlens.analysis.incidents.population import RECURRENCE_KEY, RESOLVE_TIME, has_postmortem
from alertlens.ingest.metrics_schema import (
    FIX_HELD,
    FIX_RECURRED,
    FIX_TOO_EARLY,
    NO_FIX,
    FixStatus,
    Recurrences,
)
from alertlens.ingest.schema import SEVERITIES, Alerts, Incidents

POSTMORTEM: Final = "postmortem"
RULE_CHANGE: Final = "rule change"
RATE_DROP: Final = "rate drop"
RULE_PREFIX: Final = "rule|"
WEEK_SECONDS: Final = 7 * 86400.0
_F = FixStatus


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence that a fix went in."""

    at: pd.Timestamp
    kind: str
    detail: str


def fix_status(
    recurring: pd.DataFrame, population: pd.DataFrame, alerts: pd.DataFrame, *,
    start: pd.Timestamp, end: pd.Timestamp, alpha: float, quiet_period: pd.Timedelta,
) -> pd.DataFrame:
    """``FixStatus`` of every key that repeated in ``recurring`` over the counted history
    [start, end): occurrences, repeats, first and last seen, the fix and its status."""
    columns = [_F.recurrence_key, _F.title, _F.service, _F.team, _F.occurrences, _F.repeats,
               _F.first_seen, _F.last_seen, _F.fix_at, _F.fix_evidence, _F.fix_detail,
               _F.occurrences_after_fix, _F.status]
    repeated = recurring.groupby(RECURRENCE_KEY)[Recurrences.is_repeat].any()
    keys = sorted(repeated[repeated].index)
    if not keys:
        return _typed(pd.DataFrame(columns=columns))
    marked = population[has_postmortem(population)].dropna(subset=[RECURRENCE_KEY])
    by_key = dict(tuple(marked.groupby(RECURRENCE_KEY)))
    rules = _rule_firings(alerts, keys)
    rows = []
    for key, group in recurring[recurring[RECURRENCE_KEY].isin(keys)].groupby(RECURRENCE_KEY):
        times = group[Incidents.created_at]
        found = [e for e in (
            _postmortem(by_key.get(key)),
            _rule_change(rules.get(str(key))),
            _rate_drop(times, start, end, alpha),
        ) if e is not None]
        fix = max(found, key=lambda e: e.at) if found else None
        after = int((times > fix.at).sum()) if fix is not None else 0
        last = group.iloc[-1]
        rows.append({
            _F.recurrence_key: key, _F.title: last[Incidents.title],
            _F.service: last[Incidents.service], _F.team: last[Incidents.team],
            _F.occurrences: len(group), _F.repeats: int(group[Recurrences.is_repeat].sum()),
            _F.first_seen: times.min(), _F.last_seen: times.max(),
            _F.fix_at: None if fix is None else fix.at,
            _F.fix_evidence: None if fix is None else fix.kind,
            _F.fix_detail: "" if fix is None else fix.detail,
            _F.occurrences_after_fix: after,
            _F.status: _status(fix, after, end, quiet_period),
        })
    return _typed(pd.DataFrame(rows, columns=columns))


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    for column in (_F.first_seen, _F.last_seen, _F.fix_at):
        table[column] = pd.to_datetime(table[column], utc=True).astype("datetime64[us, UTC]")
    return table.astype({_F.occurrences: "int64", _F.repeats: "int64",
                         _F.occurrences_after_fix: "int64"})


def _status(fix: Evidence | None, after: int, end: pd.Timestamp,
            quiet_period: pd.Timedelta) -> str:
    if fix is None:
        return NO_FIX
    if after:
        return FIX_RECURRED
    return FIX_HELD if end - fix.at >= quiet_period else FIX_TOO_EARLY


def _postmortem(marked: pd.DataFrame | None) -> Evidence | None:
    if marked is None or marked.empty:
        return None
    latest = marked.sort_values(Incidents.created_at).iloc[-1]
    at = latest[RESOLVE_TIME] if pd.notna(latest[RESOLVE_TIME]) else latest[Incidents.created_at]
    return Evidence(pd.Timestamp(at), POSTMORTEM,
                    f"{latest[Incidents.postmortem]} on {latest[Incidents.incident_id]}")


_RANK: Final = "severity_rank"
_SEVERITY_RANK: Final = {s: i for i, s in enumerate(SEVERITIES)}


def _rule_firings(alerts: pd.DataFrame, keys: list[str]) -> dict[str, pd.DataFrame]:
    """The firings of the alert rule of each ``rule|source|rule_key`` key, in time order
    (grouped once: a lake has many rules and many firings)."""
    wanted = {tuple(k[len(RULE_PREFIX):].split("|", 1)): k for k in keys
              if k.startswith(RULE_PREFIX) and "|" in k[len(RULE_PREFIX):]}
    if not wanted or alerts.empty:
        return {}
    # the columns _rule_change reads: filtering the whole frame would copy every column
    narrow = alerts[[Alerts.source, Alerts.rule_key, Alerts.created_at, Alerts.paged,
                     Alerts.severity]]
    pairs = pd.MultiIndex.from_frame(narrow[[Alerts.source, Alerts.rule_key]])
    own = narrow[pairs.isin(list(wanted))].sort_values(Alerts.created_at, kind="mergesort")
    # severity ranks mapped once for every firing, not once per rule
    own = own.assign(**{_RANK: own[Alerts.severity].map(_SEVERITY_RANK)})
    return {wanted[(str(s), str(r))]: group
            for (s, r), group in own.groupby([Alerts.source, Alerts.rule_key], sort=False)}


def _rule_change(own: pd.DataFrame | None) -> Evidence | None:
    """The rule stopped paging, or its severity was lowered, for good (``own``: its firings in
    time order)."""
    if own is None or len(own) < 2:
        return None
    found = []
    paged = own[Alerts.paged].astype("boolean")
    if paged.notna().all():
        change = _final_run_start(paged.to_numpy(dtype=bool))
        if change is not None and not paged.iloc[change] and paged.iloc[change - 1]:
            at = own[Alerts.created_at].iloc[change]
            found.append(Evidence(at, RULE_CHANGE, f"the rule stopped paging on {at:%Y-%m-%d}"))
    rank = own[_RANK]
    change = _final_run_start(rank.to_numpy())
    unknown = SEVERITIES.index("unknown")
    if change is not None and unknown not in (rank.iloc[change], rank.iloc[change - 1]) and (
        rank.iloc[change] > rank.iloc[change - 1]
    ):
        at = own[Alerts.created_at].iloc[change]
        old, new = own[Alerts.severity].iloc[change - 1], own[Alerts.severity].iloc[change]
        found.append(Evidence(at, RULE_CHANGE,
                              f"severity lowered from {old} to {new} on {at:%Y-%m-%d}"))
    return max(found, key=lambda e: e.at) if found else None


def _final_run_start(values: np.ndarray) -> int | None:
    """The index where the final run of equal values starts, when something precedes it."""
    if len(values) < 2:
        return None
    differs = np.flatnonzero(values[1:] != values[:-1])
    return int(differs[-1]) + 1 if len(differs) else None


def _rate_drop(times: pd.Series, start: pd.Timestamp, end: pd.Timestamp,
               alpha: float) -> Evidence | None:
    """A significant drop of at least half in the occurrence rate (see the module docstring)."""
    ordered = times.sort_values(kind="mergesort")
    t = (ordered - start).dt.total_seconds().to_numpy(dtype=float)
    length = (end - start).total_seconds()
    n = len(t)
    if n < 3 or length <= 0:
        return None
    k = np.arange(1, n + 1, dtype=float)
    before, after = t, length - t
    # A split needs some history on both sides: two occurrences and a week before, a week after.
    valid = (k >= 2) & (before >= WEEK_SECONDS) & (after >= WEEK_SECONDS)
    m1, m2 = k, n - k
    with np.errstate(divide="ignore", invalid="ignore"):
        r1, r2 = m1 / before, m2 / after
        ll = m1 * np.log(r1) + np.where(m2 > 0, m2 * np.log(np.where(m2 > 0, r2, 1.0)), 0.0)
    ll0 = n * np.log(n / length)
    g = np.where(valid & (r2 <= r1 / 2), 2 * (ll - ll0), -np.inf)
    best = int(np.argmax(g))
    if not np.isfinite(g[best]):
        return None
    p = min(1.0, float(stats.chi2.sf(g[best], 1)) * n)
    if p >= alpha:
        return None
    at = pd.Timestamp(ordered.iloc[best])
    return Evidence(
        at, RATE_DROP,
        f"its rate fell from {r1[best] * WEEK_SECONDS:.1f} to {r2[best] * WEEK_SECONDS:.1f} a "
        f"week after {at:%Y-%m-%d} (p = {p:.2g})",
    )
