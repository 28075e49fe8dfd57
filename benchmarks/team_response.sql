-- Per-team MTTA and MTTR (count, mean, median, p90, p95 in seconds) over the population
-- alertlens uses (analysis/incidents/population.py, analysis/response/durations.py, mode
-- "pagerduty"), as one DuckDB query straight over the lake's hive-partitioned Parquet files.
--   population: the incidents of sources that have incidents, plus the paged alert firings of
--     sources that only have alerts (every firing when such a source never says whether one
--     paged); a missing team is "(unknown)";
--   MTTA: acknowledged incidents, created -> acknowledged; merged-away ones and those
--     acknowledged before created or after resolved are left out;
--   MTTR: resolved incidents (resolved_at, else closed_at), created -> resolved; merged-away
--     ones, those resolved before created and those resolved the instant they were created
--     (backfilled records: no time to resolve) are left out.
-- {incidents} and {alerts} are replaced by read_parquet('<lake>/<table>/**/*.parquet',
-- hive_partitioning = true), or by an empty table when the lake has none of that table. Percentiles interpolate linearly, as numpy's do.
WITH incidents AS (
    SELECT source, team, created_at, acknowledged_at,
           coalesce(resolved_at, closed_at) AS resolve_time, merged_into
    FROM {incidents}
),
alerts AS (
    SELECT source, team, created_at, acknowledged_at, resolved_at, paged
    FROM {alerts}
),
alert_only AS (
    SELECT source, bool_and(paged IS NULL) AS paged_never_known
    FROM alerts
    WHERE source NOT IN (SELECT DISTINCT source FROM incidents)
    GROUP BY source
),
population AS (
    SELECT team, created_at, acknowledged_at, resolve_time, merged_into FROM incidents
    UNION ALL
    SELECT a.team, a.created_at, a.acknowledged_at, a.resolved_at, NULL
    FROM alerts a JOIN alert_only o USING (source)
    WHERE coalesce(a.paged, false) OR o.paged_never_known
),
durations AS (
    SELECT coalesce(team, '(unknown)') AS team,
           CASE WHEN merged_into IS NULL
                 AND acknowledged_at IS NOT NULL
                 AND NOT coalesce(acknowledged_at < created_at, false)
                 AND NOT coalesce(acknowledged_at > resolve_time, false)
                THEN epoch(acknowledged_at - created_at) END AS mtta,
           CASE WHEN merged_into IS NULL
                 AND resolve_time IS NOT NULL
                 AND resolve_time > created_at
                THEN epoch(resolve_time - created_at) END AS mttr
    FROM population
)
SELECT team,
       count(mtta) AS mtta_count, avg(mtta) AS mtta_mean,
       quantile_cont(mtta, 0.5) AS mtta_median, quantile_cont(mtta, 0.9) AS mtta_p90,
       quantile_cont(mtta, 0.95) AS mtta_p95,
       count(mttr) AS mttr_count, avg(mttr) AS mttr_mean,
       quantile_cont(mttr, 0.5) AS mttr_median, quantile_cont(mttr, 0.9) AS mttr_p90,
       quantile_cont(mttr, 0.95) AS mttr_p95
FROM durations
GROUP BY team
ORDER BY team
