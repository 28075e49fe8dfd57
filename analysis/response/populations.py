"""Who handled each incident, and the response figures of a set of incidents with every
population they are computed over and every group they leave out.

- **Handling**: *human* when someone acknowledged the incident (before it was resolved) or the
  source says a person resolved it; *auto* when it resolved by itself (or timed out)
  unacknowledged; else *unknown* (still open and unacknowledged, or the source does not say).
- **Acknowledged share**: acknowledged / incidents of sources that record acknowledgements at
  all (a source with no acknowledgement anywhere is "unknown", never "0 %").
- **Escalation rate**: incidents escalated at least once (``escalation_count`` > 0 or an
  ``escalate`` event) / incidents of sources that record escalations.
- **MTTA**: acknowledged incidents, created -> first acknowledgement.
- **MTTR**: every incident except the auto-resolved ones (which would otherwise make fixing
  noise look like MTTR getting worse): human-handled ones and those whose handling the source
  does not record, created -> resolved; still-open ones are censored at the end of the data
  (Kaplan–Meier). While fewer than ``min_resolved_share`` of them are resolved the median is
  withheld as pending. Auto-resolved incidents have their own MTTR. (``opsgenie`` mode counts
  closed incidents only, so nothing is censored there.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.population import FROM_ALERT, ORIGIN, RESOLVE_TIME
from alertlens.analysis.response.durations import (
    EXCLUDED,
    RESOLVED_BEFORE_CREATED,
    RESOLVED_WHEN_CREATED,
    RULES,
    SECONDS,
    DurationStats,
    distribution,
)
from alertlens.ingest.metrics_schema import Population, WeeklyHeadlines
from alertlens.ingest.schema import Incidents, Notifications

HUMAN: Final = "human"
AUTO: Final = "auto"
UNKNOWN: Final = "unknown"
ESCALATE: Final = "escalate"
AUTO_RESOLVERS: Final = ("auto", "timeout")
PAGERDUTY: Final = "pagerduty"  # the mode that counts still-open incidents (as censored)

MTTR_POPULATION: Final = (
    "incidents not resolved by themselves (handled by a person, or handling not recorded), "
    "created -> resolved; still-open ones censored at the end of the data (Kaplan–Meier); "
    "merged-away, resolved-before-created and resolved-when-created excluded"
)
MTTR_AUTO: Final = "auto-resolved incidents (resolved by themselves, never acknowledged)"


def with_response_flags(population: pd.DataFrame, notifications: pd.DataFrame) -> pd.DataFrame:
    """``population`` with ``handling``, ``acknowledged`` and ``escalated`` (``Population``);
    the two flags are None for incidents of sources that never record them."""
    ack = population[Incidents.acknowledged_at]
    # An acknowledgement after the resolution is no response to it.
    acked = ack.notna() & ~(ack > population[RESOLVE_TIME]).fillna(False)
    resolver = population[Incidents.resolved_by].astype(object)
    human = acked | (resolver == HUMAN)
    auto = ~human & resolver.isin(AUTO_RESOLVERS)
    handling = np.where(human, HUMAN, np.where(auto, AUTO, UNKNOWN))
    recording = set(population.loc[acked, Incidents.source].dropna())
    flagged = population.copy()
    flagged[Population.handling] = handling
    flagged[Population.acknowledged] = _known(acked, population[Incidents.source].isin(recording))
    flagged[Population.escalated] = _escalated(population, notifications)
    return flagged


def _known(flags: pd.Series, known: pd.Series) -> pd.Series:
    return flags.astype(object).where(known.to_numpy(dtype=bool), None)


def _escalated(population: pd.DataFrame, notifications: pd.DataFrame) -> pd.Series:
    """True when the incident escalated (a positive count or an escalate event of it or, for
    an alert firing, of its alert); None when its source records no escalation at all."""
    counts = pd.to_numeric(population[Incidents.escalation_count], errors="coerce")
    events = notifications[notifications[Notifications.kind] == ESCALATE]
    source = population[Incidents.source].astype(object)
    ident = population[Incidents.incident_id].astype(object)
    is_alert = population[ORIGIN] == FROM_ALERT
    by_incident = pd.MultiIndex.from_arrays([events[Notifications.source],
                                             events[Notifications.incident_id]])
    by_alert = pd.MultiIndex.from_arrays([events[Notifications.source],
                                          events[Notifications.alert_id]])
    keys = pd.MultiIndex.from_arrays([source, ident])
    hit = np.where(is_alert.to_numpy(), keys.isin(by_alert), keys.isin(by_incident))
    escalated = (counts.fillna(0) > 0).to_numpy() | hit
    recording = (set(source[counts.notna()].dropna().unique())
                 | set(events[Notifications.source].dropna().unique()))
    return _known(pd.Series(escalated, index=population.index), source.isin(recording))


@dataclass(frozen=True)
class ResponseFigures:
    """The response figures of one set of incidents with the size of every group."""

    incidents: int
    human_handled: int
    auto_resolved: int
    handling_unknown: int
    still_open: int
    acknowledged: int
    never_acknowledged: int
    ack_unknown: int  # incidents of sources that record no acknowledgements
    escalated: int
    escalation_unknown: int  # incidents of sources that record no escalations
    zero_duration_resolves: int
    resolved_before_created: int
    acknowledged_share: float | None
    escalation_rate: float | None
    mtta: DurationStats
    mttr: DurationStats  # all but the auto-resolved, still-open ones censored
    mttr_auto: DurationStats
    mttm: DurationStats
    #: data-quality notes as (headline it affects, text): each is shown beside that figure
    warnings: tuple[tuple[str, str], ...]


def response_figures(
    frame: pd.DataFrame, *, as_of: pd.Timestamp | None, mode: str,
    min_resolved_share: float = 0.9,
) -> ResponseFigures:
    """The response figures of ``frame``: counted incidents with their durations
    (``response_durations``) and flags (``with_response_flags``)."""
    n = len(frame)
    handling = frame[Population.handling]
    open_ = frame[RESOLVE_TIME].isna()
    human, auto = handling == HUMAN, handling == AUTO
    ack = frame[Population.acknowledged]
    esc = frame[Population.escalated]
    ack_known, esc_known = ack.notna(), esc.notna()
    acked = int(ack[ack_known].astype(bool).sum())
    escalated = int(esc[esc_known].astype(bool).sum())
    mttr_reason = frame[EXCLUDED["mttr"]]
    zero = int((mttr_reason == RESOLVED_WHEN_CREATED).sum())
    backwards = int((mttr_reason == RESOLVED_BEFORE_CREATED).sum())
    ages = _ages(frame, as_of if mode == PAGERDUTY else None)
    measured = ~auto  # the MTTR population: everything but the auto-resolved
    mttr = distribution(frame.loc[measured, SECONDS["mttr"]],
                        ages.where(measured & open_), population=MTTR_POPULATION,
                        excluded=mttr_reason[measured])
    warnings = _warnings(frame, n=n, zero=zero, backwards=backwards,
                         ack_unknown=int((~ack_known).sum()))
    pending = _mttr(mttr, min_resolved_share)
    if pending is not mttr:
        warnings.append((WeeklyHeadlines.mttr_median,
                         f"pending: {mttr.censored} of {mttr.count + mttr.censored} "
                         "incidents (auto-resolved ones aside) are still open"))
        mttr = pending
    return ResponseFigures(
        incidents=n,
        human_handled=int(human.sum()),
        auto_resolved=int(auto.sum()),
        handling_unknown=int((handling == UNKNOWN).sum()),
        still_open=int(open_.sum()),
        acknowledged=acked,
        never_acknowledged=int(ack_known.sum()) - acked,
        ack_unknown=int((~ack_known).sum()),
        escalated=escalated,
        escalation_unknown=int((~esc_known).sum()),
        zero_duration_resolves=zero,
        resolved_before_created=backwards,
        acknowledged_share=acked / int(ack_known.sum()) if ack_known.any() else None,
        escalation_rate=escalated / int(esc_known.sum()) if esc_known.any() else None,
        mtta=distribution(frame[SECONDS["mtta"]], population=RULES[mode]["mtta"],
                          excluded=frame[EXCLUDED["mtta"]]),
        mttr=mttr,
        mttr_auto=distribution(frame.loc[auto, SECONDS["mttr"]], population=MTTR_AUTO,
                               excluded=mttr_reason[auto]),
        mttm=distribution(frame[SECONDS["mttm"]], population=RULES[mode]["mttm"],
                          excluded=frame[EXCLUDED["mttm"]]),
        warnings=tuple(warnings),
    )


def bucket_figures(frame: pd.DataFrame, keys: pd.Series, labels: list[str], *,
                   as_of: pd.Timestamp | None, mode: str,
                   min_resolved_share: float) -> pd.DataFrame:
    """Per label of ``labels`` (``keys`` labels each row of ``frame``): acknowledged_share,
    escalation_rate, mtta_median, mtta_p90, mttr_median, mttr_p90, by exactly the rules of
    :func:`response_figures`, vectorised for long histories."""
    w = WeeklyHeadlines
    out = pd.DataFrame(index=pd.Index(labels), dtype=float)
    for column, flag in ((w.acknowledged_share, Population.acknowledged),
                         (w.escalation_rate, Population.escalated)):
        values = frame[flag]
        known = values.notna().astype(float)
        hits = values.where(values.notna(), False).astype(bool).astype(float)
        judged = known.groupby(keys).sum()
        out[column] = (hits.groupby(keys).sum() / judged.where(judged > 0)).reindex(labels)
    mtta = frame[SECONDS["mtta"]].groupby(keys)
    out[w.mtta_median] = mtta.quantile(0.5).reindex(labels)
    out[w.mtta_p90] = mtta.quantile(0.9).reindex(labels)
    measured = frame[Population.handling] != AUTO
    resolve = frame[SECONDS["mttr"]].where(measured)
    ages = _ages(frame, as_of if mode == PAGERDUTY else None).where(
        measured & frame[RESOLVE_TIME].isna())
    grouped = resolve.groupby(keys)
    out[w.mttr_median] = grouped.quantile(0.5).reindex(labels)
    out[w.mttr_p90] = grouped.quantile(0.9).reindex(labels)
    censored = ages.notna()
    for label in set(keys[censored].dropna()) & set(labels):
        rows = (keys == label).to_numpy()
        stats = _mttr(distribution(resolve[rows], ages[rows]), min_resolved_share)
        out.loc[label, [w.mttr_median, w.mttr_p90]] = [_nan(stats.median), _nan(stats.p90)]
    return out


def _mttr(stats: DurationStats, min_resolved_share: float) -> DurationStats:
    """``stats`` with its quantiles withheld while too few are resolved to trust them."""
    if stats.count and stats.count / (stats.count + stats.censored) < min_resolved_share:
        return DurationStats(stats.count, stats.censored, stats.mean, None, None, None,
                             stats.population, stats.excluded)
    return stats


def _nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _ages(frame: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.Series:
    """Seconds from creation to ``as_of`` (the censoring time of still-open incidents)."""
    if as_of is None or frame.empty:
        return pd.Series(np.nan, index=frame.index)
    ages: pd.Series = (as_of - frame[Incidents.created_at]).dt.total_seconds().clip(lower=0.0)
    return ages


def _warnings(frame: pd.DataFrame, *, n: int, zero: int, backwards: int,
              ack_unknown: int) -> list[tuple[str, str]]:
    w = WeeklyHeadlines
    out = []
    if zero:
        out.append((w.mttr_median, f"{zero} of {n} incidents were resolved the instant they "
                                   "were created (backfilled records?) and are left out"))
    if backwards:
        out.append((w.mttr_median, f"{backwards} of {n} incidents are resolved before they "
                                   "were created and are left out"))
    ack_bad = frame[EXCLUDED["mtta"]].dropna().value_counts()
    for reason, count in ack_bad.items():
        out.append((w.mtta_median, f"{count} of {n} incidents {reason} are left out"))
    if ack_unknown:
        out.append((w.acknowledged_share, f"{ack_unknown} of {n} incidents come from sources "
                                          "that record no acknowledgement"))
    return out




def time_to_acknowledge_all(frame: pd.DataFrame) -> tuple[float | None, int, int]:
    """The median time to acknowledge over every incident of a source that records
    acknowledgements, a never-acknowledged incident counting as never; with how many were
    acknowledged and how many were judged. None when fewer than half were acknowledged."""
    known = frame[frame[Population.acknowledged].notna()]
    if known.empty:
        return None, 0, 0
    seconds = known[SECONDS["mtta"]].to_numpy(dtype=float)
    acked = known[Population.acknowledged].astype(bool).to_numpy()
    values = np.where(acked & ~np.isnan(seconds), seconds, np.inf)
    median = float(np.median(values))
    return (median if np.isfinite(median) else None), int(acked.sum()), len(known)


__all__ = [
    "AUTO",
    "HUMAN",
    "UNKNOWN",
    "ResponseFigures",
    "bucket_figures",
    "response_figures",
    "time_to_acknowledge_all",
    "with_response_flags",
]
