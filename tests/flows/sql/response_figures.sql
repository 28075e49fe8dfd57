-- The response-time figures `alertlens analyze` publishes, computed independently in DuckDB
-- straight from the lake's Parquet files. Written from the documentation, not from the code:
-- docs/lake.md (layout, types), docs/metrics.md and the docstrings of the population rules
-- (mode "pagerduty", the default). Reads the views of lake_views.sql (inc, alr, notes, bounds).
--
-- population: every counted incident, plus the paged firings of sources that have alerts but
--   no incidents (every firing when such a source never says whether one paged).
-- MTTA: acknowledged, created -> acknowledged; merged-away, acknowledged before created and
--   acknowledged after resolved (resolved_at, else closed_at) are left out.
-- MTTR: resolved, created -> resolved; merged-away, resolved before created and resolved the
--   instant it was created are left out.
-- headline MTTR (summary.json mttr_seconds): counted (not merged-away) incidents except the
--   auto-resolved ones (not acknowledged before resolving, resolved_by auto or timeout);
--   still-open ones are censored at the newest time anywhere in the data (Kaplan-Meier:
--   the q quantile is the smallest duration where survival drops to 1 - q); withheld while
--   fewer than 90 % of them are resolved.
-- Output: scope ('all' | 'team' | 'headline'), grp, metric, count, censored, mean, median,
-- p90, p95. Percentiles interpolate linearly (as quantile_cont does) when nothing is censored.
WITH
inc_c AS (SELECT i.* FROM inc i, bounds b WHERE i.created_at < b.cut_end),
alr_c AS (SELECT a.* FROM alr a, bounds b WHERE a.created_at < b.cut_end),
alert_only AS (
    SELECT source, bool_and(paged IS NULL) AS never_known FROM alr_c
    WHERE source NOT IN (SELECT DISTINCT source FROM inc_c)
    GROUP BY source
),
population AS (
    SELECT team, created_at, acknowledged_at, coalesce(resolved_at, closed_at) AS resolve_time,
           merged_into IS NOT NULL AS merged, resolved_by
    FROM inc_c
    UNION ALL
    SELECT a.team, a.created_at, a.acknowledged_at, a.resolved_at, false, a.resolved_by
    FROM alr_c a JOIN alert_only o USING (source)
    WHERE coalesce(a.paged, false) OR o.never_known
),
durations AS (
    SELECT coalesce(team, '(unknown)') AS team, merged, resolve_time, created_at,
           CASE WHEN NOT merged AND acknowledged_at IS NOT NULL
                 AND acknowledged_at >= created_at
                 AND NOT coalesce(acknowledged_at > resolve_time, false)
                THEN epoch(acknowledged_at - created_at) END AS mtta,
           CASE WHEN NOT merged AND resolve_time IS NOT NULL AND resolve_time > created_at
                THEN epoch(resolve_time - created_at) END AS mttr,
           -- auto-resolved: nobody acknowledged it before it resolved, and it resolved by itself
           NOT (acknowledged_at IS NOT NULL AND NOT coalesce(acknowledged_at > resolve_time, false))
             AND coalesce(resolved_by = 'human', false) = false
             AND coalesce(resolved_by IN ('auto', 'timeout'), false) AS auto_resolved
    FROM population
),
long AS (
    SELECT 'all' AS grp, team, 'mtta' AS metric, mtta AS v FROM durations
    UNION ALL SELECT 'all', team, 'mttr', mttr FROM durations
),
plain AS (
    SELECT 'all' AS scope, 'all' AS grp, metric, count(v) AS count, 0 AS censored, avg(v) AS mean,
           quantile_cont(v, 0.5) AS median, quantile_cont(v, 0.9) AS p90,
           quantile_cont(v, 0.95) AS p95
    FROM long GROUP BY metric
    UNION ALL
    SELECT 'team', team, metric, count(v), 0, avg(v), quantile_cont(v, 0.5),
           quantile_cont(v, 0.9), quantile_cont(v, 0.95)
    FROM long GROUP BY team, metric
),
measured AS (  -- the headline MTTR population: resolved ones are events, open ones censored
    SELECT d.mttr AS v, true AS ended FROM durations d
    WHERE NOT d.merged AND NOT d.auto_resolved AND d.mttr IS NOT NULL
    UNION ALL
    SELECT greatest(epoch(b.as_of - d.created_at), 0.0), false FROM durations d, bounds b
    WHERE NOT d.merged AND NOT d.auto_resolved AND d.resolve_time IS NULL
),
km AS (
    SELECT v, ended,
           product(CASE WHEN ended THEN 1.0 - 1.0 / at_risk ELSE 1.0 END)
               OVER (ORDER BY v, ended DESC, at_risk DESC ROWS UNBOUNDED PRECEDING) AS survival
    FROM (SELECT v, ended,
                 count(*) OVER () - row_number() OVER (ORDER BY v, ended DESC) + 1 AS at_risk
          FROM measured)
),
headline AS (
    SELECT count(*) FILTER (WHERE ended) AS count, count(*) FILTER (WHERE NOT ended) AS censored,
           avg(v) FILTER (WHERE ended) AS mean
    FROM measured
),
km_quantiles AS (
    SELECT min(v) FILTER (WHERE ended AND survival <= 0.5 + 1e-9) AS median,
           min(v) FILTER (WHERE ended AND survival <= 0.1 + 1e-9) AS p90,
           min(v) FILTER (WHERE ended AND survival <= 0.05 + 1e-9) AS p95
    FROM km
),
plain_quantiles AS (
    SELECT quantile_cont(v, 0.5) AS median, quantile_cont(v, 0.9) AS p90,
           quantile_cont(v, 0.95) AS p95
    FROM measured WHERE ended
)
SELECT * FROM plain
UNION ALL
SELECT 'headline', 'all', 'mttr', h.count, h.censored, h.mean,
       CASE WHEN h.count > 0 AND h.count < 0.9 * (h.count + h.censored) THEN NULL
            WHEN h.censored = 0 THEN p.median ELSE k.median END,
       CASE WHEN h.count > 0 AND h.count < 0.9 * (h.count + h.censored) THEN NULL
            WHEN h.censored = 0 THEN p.p90 ELSE k.p90 END,
       CASE WHEN h.count > 0 AND h.count < 0.9 * (h.count + h.censored) THEN NULL
            WHEN h.censored = 0 THEN p.p95 ELSE k.p95 END
FROM headline h, km_quantiles k, plain_quantiles p
