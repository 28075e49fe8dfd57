"""The analysis cut into per-team shards, so it can run on many processes or machines with the
same results as one process.

What is genuinely per team: each incident's response durations (MTTA / MTTM / MTTR and why one
was left out) depend on that incident alone, and the per-team distributions (the ``team`` rows
of ``response_times``) on that team's incidents alone. A shard computes them from the team's own
rows of the lake.

What stays org-wide, computed once centrally: the noise analysis (rule identity and co-firing
episodes span teams), the incident population's cross-team links (the rule of an incident's
first alert, recurrence keys by service or rule, which teams share), recurrence, on-call load
(a responder is paged by several teams), the trends and the summary, and three facts of each
source that decide a team's rows but need every team to know: whether a source has incidents at
all (else its paged firings are its incidents), whether an alert-only source ever says that a
firing paged, and whether a source records acknowledgements and escalations (the handling flags,
computed centrally over the whole population).

The shard entry is :func:`team_response`; :func:`shard_facts` is what the central step tells
every shard, and :func:`combined_response` assembles the shards into exactly the
``ResponseMetrics`` that :func:`alertlens.analysis.response.response_metrics` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.analysis.incidents.population import (
    UNKNOWN_GROUP,
    alert_only_sources,
    incident_population,
    paging_unrecorded,
)
from alertlens.analysis.response import ResponseMetrics
from alertlens.analysis.response.durations import (
    DIMENSIONS,
    EXCLUDED,
    METRICS,
    SECONDS,
    response_durations,
    response_times,
    typed_response_table,
)
from alertlens.analysis.response.populations import response_figures, with_response_flags
from alertlens.analysis.settings import MetricsSettings
from alertlens.ingest.metrics_schema import ResponseTimes
from alertlens.ingest.schema import ALERTS_SCHEMA, INCIDENTS_SCHEMA, Alerts, Incidents

__all__ = [
    "NO_TEAM",
    "ShardFacts",
    "TeamResponse",
    "combined_response",
    "shard_facts",
    "team_response",
    "team_shards",
    "teams_of",
]

#: The per-incident columns a shard computes (``IncidentResponse``), in the order the
#: single-process analysis adds them.
DURATION_COLUMNS: Final = tuple(c for m in METRICS for c in (SECONDS[m], EXCLUDED[m]))
_KEYS: Final = [Incidents.source, Incidents.incident_id]
_TEAM: Final = Incidents.team
#: The group of records with no team, as the ``team`` rows name it.
NO_TEAM: Final = UNKNOWN_GROUP


@dataclass(frozen=True)
class ShardFacts:
    """What every team shard needs to know about the whole organisation: which rows of the lake
    are its records, and the facts of each source that only every team together can tell."""

    end: pd.Timestamp  # records created before this are counted (the end of the reviewed week)
    timezone: str
    mode: str  # the population rule of the durations (``[metrics] mode``)
    alert_only_sources: tuple[str, ...]  # sources with alerts but no incidents
    paged_never_known: tuple[str, ...]  # alert-only sources that never say whether one paged


@dataclass(frozen=True)
class TeamResponse:
    """One shard (a group of teams): its incidents' durations (keyed by source and incident id)
    and its teams' rows of the ``team`` dimension of ``response_times``."""

    teams: tuple[str, ...]
    durations: pd.DataFrame  # source, incident_id and DURATION_COLUMNS
    table: pd.DataFrame  # ResponseTimes rows of dimension "team"


def shard_facts(alerts: pd.DataFrame, incidents: pd.DataFrame, *, end: pd.Timestamp,
                settings: MetricsSettings) -> ShardFacts:
    """The org-wide facts of the counted ``alerts`` and ``incidents`` (created before ``end``)."""
    only = alert_only_sources(incidents, alerts)
    unrecorded = paging_unrecorded(alerts[alerts[Alerts.source].isin(only)])
    return ShardFacts(end=end, timezone=settings.timezone, mode=settings.mode,
                      alert_only_sources=tuple(only), paged_never_known=tuple(unrecorded))


def teams_of(population: pd.DataFrame) -> list[str]:
    """Every team of the population as ``response_times`` groups it, sorted: the records with
    no team are the team ``NO_TEAM`` (together with any team of that name)."""
    return sorted(_team_groups(population).unique())


def team_shards(population: pd.DataFrame, shards: int) -> list[tuple[str, ...]]:
    """The teams cut into at most ``shards`` groups of about the same number of incidents (the
    largest team first into the group with the fewest so far), each group sorted. A shard
    reads its teams' rows in one pass over the lake, so fewer, larger shards read less."""
    sizes = _team_groups(population).value_counts()
    ordered = sorted(sizes.items(), key=lambda item: (-int(item[1]), str(item[0])))
    groups: list[list[str]] = [[] for _ in range(max(1, min(shards, len(ordered))))]
    load = [0] * len(groups)
    for team, size in ordered:
        emptiest = load.index(min(load))
        groups[emptiest].append(str(team))
        load[emptiest] += int(size)
    return sorted(tuple(sorted(g)) for g in groups if g)


def _team_groups(population: pd.DataFrame) -> pd.Series:
    teams = population[_TEAM].astype(object)
    return teams.where(teams.notna(), NO_TEAM).astype(str)


#: The columns a shard reads of each table: what the population and the durations need.
INCIDENT_COLUMNS: Final = (
    Incidents.source, Incidents.incident_id, Incidents.team, Incidents.created_at,
    Incidents.acknowledged_at, Incidents.mitigated_at, Incidents.resolved_at,
    Incidents.closed_at, Incidents.merged_into,
)
ALERT_COLUMNS: Final = (
    Alerts.source, Alerts.alert_id, Alerts.team, Alerts.created_at, Alerts.acknowledged_at,
    Alerts.resolved_at, Alerts.paged,
)


def incident_rows(teams: tuple[str, ...], facts: ShardFacts) -> pc.Expression:
    """The incidents of the shard of ``teams``, as a filter over the lake's ``incidents``."""
    return _of_teams(Incidents.team, teams) & (pc.field(Incidents.created_at) < _end(facts))


def alert_rows(teams: tuple[str, ...], facts: ShardFacts) -> pc.Expression:
    """The alerts of the shard of ``teams`` that count as incidents, as a filter over the lake's
    ``alerts`` table: firings of alert-only sources that paged, or of a source that never says
    whether one did (the population's rule, decided per source over every team)."""
    only = pa.array(facts.alert_only_sources, pa.string())
    never_known = pa.array(facts.paged_never_known, pa.string())
    source = pc.field(Alerts.source)
    counts = (pc.field(Alerts.paged) == True) | source.isin(never_known)  # noqa: E712 - an expression
    return (_of_teams(Alerts.team, teams) & source.isin(only) & counts
            & (pc.field(Alerts.created_at) < _end(facts)))


def _of_teams(column: str, teams: tuple[str, ...]) -> pc.Expression:
    named = pc.field(column).isin(pa.array(teams, pa.string()))
    return (named | pc.field(column).is_null()) if NO_TEAM in teams else named


def _end(facts: ShardFacts) -> pa.Scalar:
    return pa.scalar(facts.end.to_pydatetime(), pa.timestamp("us", tz="UTC"))


def team_response(incidents: pd.DataFrame, alerts: pd.DataFrame, teams: tuple[str, ...],
                  facts: ShardFacts) -> TeamResponse:
    """The shard of ``teams`` (``NO_TEAM``: also the records with no team): ``incidents`` are
    their incidents created before ``facts.end``;
    ``alerts`` their alerts of alert-only sources created before then that count as incidents
    (paged, or of a source that never says): the lake's rows that ``incident_rows`` and
    ``alert_rows`` select, with at least ``INCIDENT_COLUMNS`` and ``ALERT_COLUMNS``."""
    incidents = _with_columns(incidents, INCIDENTS_SCHEMA)
    alerts = _with_columns(alerts, ALERTS_SCHEMA)
    population = incident_population(incidents, alerts, facts.timezone)
    durations = response_durations(population, mode=facts.mode)
    table = response_times(population, durations, mode=facts.mode, dimensions=(_TEAM,))
    keyed = pd.concat([population[_KEYS], durations], axis=1)
    return TeamResponse(teams, keyed.reset_index(drop=True), table)


def _with_columns(frame: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """``frame`` with every column of its table (the missing ones all null), so the population
    code sees the canonical shape whatever subset of columns a shard read."""
    missing = [c for c in schema.names if c not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**{c: pd.Series(None, index=frame.index, dtype=object) for c in missing})


def combined_response(population: pd.DataFrame, notifications: pd.DataFrame,
                      shards: list[TeamResponse], *, settings: MetricsSettings,
                      as_of: pd.Timestamp | None) -> ResponseMetrics:
    """The response metrics of ``population`` from its teams' shards: the handling flags
    (org-wide: whether a source records acknowledgements or escalations at all), the shards'
    durations in the population's order, the team rows from the shards and every other
    dimension over the whole population. Identical to ``response_metrics``."""
    flagged = with_response_flags(population, notifications)
    durations = _durations_in_order(population, shards, settings.mode)
    frame = pd.concat([flagged, durations], axis=1)
    mode = settings.mode
    where = DIMENSIONS.index(_TEAM)
    parts = [
        response_times(population, durations, mode=mode, dimensions=DIMENSIONS[:where]),
        _team_rows(shards),
        response_times(population, durations, mode=mode, dimensions=DIMENSIONS[where + 1:]),
    ]
    # Built from the rows as response_times builds its table, so the dtypes are the same too
    # (a concat of an empty part would leave the text columns object).
    rows = [row for part in parts for row in part.to_dict("records")]
    table = typed_response_table(pd.DataFrame(rows, columns=parts[0].columns))
    return ResponseMetrics(
        frame=frame,
        table=table,
        figures=response_figures(counted_incidents(frame), as_of=as_of, mode=mode,
                                 min_resolved_share=settings.mttr_min_resolved_share),
    )


def _durations_in_order(population: pd.DataFrame, shards: list[TeamResponse],
                        mode: str) -> pd.DataFrame:
    parts = [s.durations for s in shards if len(s.durations)]
    if not parts:  # no incident at all (else the check below names the missing ones)
        parts = [pd.concat([population[_KEYS], response_durations(population, mode=mode)],
                           axis=1)]
    found = pd.concat(parts, ignore_index=True).set_index(_KEYS)
    if found.index.has_duplicates:
        raise ValueError("two team shards hold the same incident")
    wanted = pd.MultiIndex.from_frame(population[_KEYS])
    missing = ~wanted.isin(found.index)
    if missing.any():
        raise ValueError(f"{int(missing.sum())} incidents of the population are in no team shard")
    if len(found) != len(population):
        raise ValueError("team shards hold incidents the population does not")
    ordered = found.reindex(wanted)
    return pd.DataFrame({c: ordered[c].to_numpy() for c in DURATION_COLUMNS},
                        index=population.index)


def _team_rows(shards: list[TeamResponse]) -> pd.DataFrame:
    """The shards' team rows in the single-process order: by metric, then by group."""
    parts = [s.table for s in shards]
    if not parts:
        return pd.DataFrame()
    rows = pd.concat(parts, ignore_index=True)
    order = rows[ResponseTimes.metric].map({m: i for i, m in enumerate(METRICS)})
    rows = rows.assign(_order=order).sort_values(["_order", ResponseTimes.group],
                                                 kind="mergesort")
    return rows.drop(columns="_order").reset_index(drop=True)

