"""What if the recommendations were applied: pages and incidents per week before and after,
per team and overall.

Applying the fixes suppresses every firing judged noise (deleted, demoted, merged into the rule
it duplicates, or held back by a threshold / ``for:`` duration). An incident disappears when all
of its alerts were noise; an incident with no alert (reported by a human) stays. Alerts outside
any incident count one incident per correlation episode that paged, but only when there is no
incident table at all: next to one, an Alertmanager page is a page, not an incident.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alertlens.ingest.schema import Alerts, Incidents, Scored, Summary

TEAM = "team"
ALL = "all"
PAGES = "pages"
INCIDENTS = "incidents"
UNKNOWN_TEAM = "(no team)"
PAGES_PER_WEEK = Summary.pages_per_week
PROJECTED_PAGES = Summary.projected_pages_per_week_after_fixes
INCIDENTS_PER_WEEK = Summary.incidents_per_week
PROJECTED_INCIDENTS = Summary.projected_incidents_per_week_after_fixes
COLUMNS = (
    TEAM,
    PAGES,
    INCIDENTS,
    PAGES_PER_WEEK,
    PROJECTED_PAGES,
    INCIDENTS_PER_WEEK,
    PROJECTED_INCIDENTS,
)


def weeks_covered(alerts: pd.DataFrame, incidents: pd.DataFrame | None = None) -> float:
    """Weeks of the window the alerts and incidents were drawn from (at least one day's worth).

    The first-to-last span of n events underestimates their window by a factor (n-1)/(n+1)
    (order statistics of uniform times), which matters for a quiet team with 50 alerts."""
    times = [alerts[Alerts.created_at]]
    if incidents is not None and not incidents.empty:
        times.append(incidents[Incidents.created_at])
    stamps = pd.concat(times).dropna()
    if stamps.empty:
        return 1 / 7
    span = (stamps.max() - stamps.min()).total_seconds() / (7 * 86400)
    n = len(stamps)
    return float(max(span * (n + 1) / (n - 1) if n > 1 else span, 1 / 7))


def incident_units(scored: pd.DataFrame, incidents: pd.DataFrame | None) -> pd.DataFrame:
    """One row per incident: its team and whether it survives the fixes (``kept``)."""
    linked = scored[[Alerts.source, Alerts.incident_id, Alerts.team, Scored.is_noise]].dropna(
        subset=[Alerts.incident_id]
    )
    kept_by_incident = (
        (~linked[Scored.is_noise].astype(bool))
        .groupby([linked[Alerts.source], linked[Alerts.incident_id]])
        .any()
    )
    team_by_incident = linked.groupby([Alerts.source, Alerts.incident_id])[Alerts.team].first()
    if incidents is not None and not incidents.empty:
        # a merged-away incident still paged someone before the merge, so it counts; its alert
        # moved to the surviving incident, where it is the one created when the merged one was
        key = pd.MultiIndex.from_frame(incidents[[Incidents.source, Incidents.incident_id]])
        kept_series = kept_by_incident.reindex(key)
        moved = _merged_away_kept(scored, incidents).reindex(key)
        kept = kept_series.fillna(moved).fillna(True).to_numpy(dtype=bool)
        # the alerts' team first: the incident's team may be a display name, not the slug
        team = team_by_incident.reindex(key).to_numpy(dtype=object)
        own = incidents[Incidents.team].astype(object).to_numpy()
        team = np.where(pd.isna(team), own, team)
        units = pd.DataFrame({TEAM: team, "kept": kept})
        units[TEAM] = units[TEAM].fillna(UNKNOWN_TEAM)
        return units
    from_links = pd.DataFrame(
        {TEAM: team_by_incident.to_numpy(dtype=object), "kept": kept_by_incident.to_numpy()}
    )
    paged = scored[Alerts.paged].fillna(False).astype(bool)
    loose = scored[scored[Alerts.incident_id].isna() & paged]
    episodes = loose.groupby(Scored.correlation_group).agg(
        **{TEAM: (Alerts.team, "first"), "kept": (Scored.is_noise, lambda s: not s.all())}
    )
    units = pd.concat([from_links, episodes.reset_index(drop=True)], ignore_index=True)
    units[TEAM] = units[TEAM].fillna(UNKNOWN_TEAM)
    return units


def _merged_away_kept(scored: pd.DataFrame, incidents: pd.DataFrame) -> pd.Series:
    """Per merged-away incident (source, id): whether the alert it opened survives the fixes."""
    if Incidents.merged_into not in incidents:
        return pd.Series(dtype=object)
    merged = incidents[incidents[Incidents.merged_into].notna()]
    alerts = scored[[Alerts.source, Alerts.incident_id, Alerts.created_at, Scored.is_noise]]
    found = merged[
        [Incidents.source, Incidents.incident_id, Incidents.merged_into, Incidents.created_at]
    ].merge(
        alerts,
        left_on=[Incidents.source, Incidents.merged_into, Incidents.created_at],
        right_on=[Alerts.source, Alerts.incident_id, Alerts.created_at],
        suffixes=("", "_alert"),
    )
    kept = ~found[Scored.is_noise].astype(bool)
    index = pd.MultiIndex.from_frame(found[[Incidents.source, Incidents.incident_id]])
    out = pd.Series(kept.to_numpy(), index=index, dtype=object)
    return out[~out.index.duplicated()]


def whatif_by_team(
    scored: pd.DataFrame, incidents: pd.DataFrame | None, weeks: float
) -> pd.DataFrame:
    """Per team plus an ``all`` row: pages and incidents per week now and after the fixes."""
    paged = scored[Alerts.paged].fillna(False).astype(bool).to_numpy()
    noise = scored[Scored.is_noise].astype(bool).to_numpy()
    pages = pd.DataFrame(
        {
            TEAM: scored[Alerts.team].astype(object).fillna(UNKNOWN_TEAM).to_numpy(),
            PAGES: paged,
            "kept_pages": paged & ~noise,
        }
    )
    units = incident_units(scored, incidents)
    per_team = (
        pages.groupby(TEAM)[[PAGES, "kept_pages"]]
        .sum()
        .join(
            units.groupby(TEAM).agg(
                **{INCIDENTS: ("kept", "size"), "kept_incidents": ("kept", "sum")}
            ),
            how="outer",
        )
        .fillna(0)
    )
    per_team.loc[ALL] = per_team.sum()
    out = pd.DataFrame(
        {
            PAGES: per_team[PAGES].astype(int),
            INCIDENTS: per_team[INCIDENTS].astype(int),
            PAGES_PER_WEEK: per_team[PAGES] / weeks,
            PROJECTED_PAGES: per_team["kept_pages"] / weeks,
            INCIDENTS_PER_WEEK: per_team[INCIDENTS] / weeks,
            PROJECTED_INCIDENTS: per_team["kept_incidents"] / weeks,
        }
    )
    return out.rename_axis(TEAM).reset_index()[list(COLUMNS)]
