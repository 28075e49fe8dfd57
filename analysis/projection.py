"""What the noise fixes would leave, counted over the same population as every other figure.

Applying the fixes suppresses every firing judged noise (``Scored.is_noise``). A page survives
when its alert is not noise. An incident survives unless it has alerts and all of them are noise;
an incident with no alert (reported by a person) always stays; an incident made from an alert
firing (alert-only sources) survives when that firing is not noise. Rates divide by the counted
weeks, the same denominator as ``summary.json``'s incidents and pages per week.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from alertlens.analysis.incidents.frequency import counted_incidents
from alertlens.analysis.incidents.population import FROM_ALERT, ORIGIN
from alertlens.ingest.metrics_schema import Projection
from alertlens.ingest.schema import Alerts, Incidents, Scored

ALL: Final = "all"
NO_TEAM: Final = "(no team)"
_P = Projection
_KEPT: Final = "kept"


def projection(population: pd.DataFrame, alerts: pd.DataFrame, scored: pd.DataFrame | None,
               weeks: int) -> pd.DataFrame:
    """``Projection`` per team with pages or incidents, then ``all``: counts and rates now and
    after the fixes. Without a noise analysis (``scored`` None) nothing is removed."""
    noise = _noise_by_alert(scored)
    # the three columns it needs: filtering the whole frame would copy every column
    narrow = alerts[[Alerts.source, Alerts.alert_id, Alerts.team]]
    paged = narrow[alerts[Alerts.paged].astype("boolean").fillna(False).astype(bool).to_numpy()]
    page_noise = _lookup(noise, paged[Alerts.source], paged[Alerts.alert_id])
    pages = pd.DataFrame({_P.team: _team(paged[Alerts.team]), _KEPT: ~page_noise})
    counted = counted_incidents(population)
    incidents = pd.DataFrame({_P.team: _team(counted[Incidents.team]),
                              _KEPT: _incident_kept(counted, alerts, noise)})
    per_team = pd.DataFrame({
        _P.pages: pages.groupby(_P.team).size(),
        _P.pages_after_fixes: pages.groupby(_P.team)[_KEPT].sum(),
        _P.incidents: incidents.groupby(_P.team).size(),
        _P.incidents_after_fixes: incidents.groupby(_P.team)[_KEPT].sum(),
    }).fillna(0).astype("int64")
    per_team = per_team[(per_team[_P.pages] > 0) | (per_team[_P.incidents] > 0)]
    per_team = per_team.sort_values([_P.pages, _P.incidents], ascending=False, kind="mergesort")
    per_team.loc[ALL] = per_team.sum() if len(per_team) else 0
    table = per_team.astype("int64").rename_axis(_P.team).reset_index()
    for count, rate in ((_P.pages, _P.pages_per_week),
                        (_P.pages_after_fixes, _P.projected_pages_per_week_after_fixes),
                        (_P.incidents, _P.incidents_per_week),
                        (_P.incidents_after_fixes, _P.projected_incidents_per_week_after_fixes)):
        table[rate] = table[count] / weeks if weeks else np.nan
    return table


def overall(table: pd.DataFrame) -> pd.Series:
    """The ``all`` row of a projection table."""
    row = table.set_index(_P.team).loc[ALL]
    assert isinstance(row, pd.Series)  # team is unique, so one row
    return row


def _team(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), NO_TEAM).astype(str)


_NOISE: Final = "noise"
_KEYS: Final = [Alerts.source, Alerts.alert_id]


def _noise_by_alert(scored: pd.DataFrame | None) -> pd.DataFrame:
    """``source``, ``alert_id`` and whether it is noise, once per alert (the first row)."""
    if scored is None or scored.empty:
        return pd.DataFrame(columns=[*_KEYS, _NOISE])
    flags = scored[_KEYS].assign(**{_NOISE: scored[Scored.is_noise].astype(bool).to_numpy()})
    return flags.drop_duplicates(_KEYS).reset_index(drop=True)


def _lookup(noise: pd.DataFrame, source: pd.Series, ident: pd.Series) -> np.ndarray:
    """Whether each (source, id) is a noise alert (False when not scored): a hash join, where
    MultiIndex lookups spent most of the projection's time."""
    if noise.empty or source.empty:
        return np.zeros(len(source), dtype=bool)
    left = pd.DataFrame({Alerts.source: source.to_numpy(), Alerts.alert_id: ident.to_numpy()})
    found = left.merge(noise, on=_KEYS, how="left", sort=False)[_NOISE]
    return found.fillna(False).to_numpy(dtype=bool)


def _incident_kept(counted: pd.DataFrame, alerts: pd.DataFrame, noise: pd.DataFrame) -> np.ndarray:
    firing = (counted[ORIGIN] == FROM_ALERT).to_numpy()
    firing_noise = _lookup(noise, counted[Incidents.source], counted[Incidents.incident_id])
    linked = alerts[[Alerts.source, Alerts.alert_id, Alerts.incident_id]].dropna(
        subset=[Alerts.incident_id])
    if noise.empty or linked.empty:
        all_noise = np.zeros(len(counted), dtype=bool)
    else:
        flags = linked[[Alerts.source, Alerts.incident_id]].assign(
            **{_NOISE: _lookup(noise, linked[Alerts.source], linked[Alerts.alert_id])})
        by_incident = flags.groupby([Alerts.source, Alerts.incident_id], sort=False)[
            _NOISE].all().reset_index()
        keys = pd.DataFrame({Incidents.source: counted[Incidents.source].to_numpy(),
                             Incidents.incident_id: counted[Incidents.incident_id].to_numpy()})
        all_noise = keys.merge(by_incident, on=[Incidents.source, Incidents.incident_id],
                               how="left", sort=False)[_NOISE].fillna(False).to_numpy(dtype=bool)
    return np.where(firing, ~firing_noise, ~all_noise)
