-- The noise share `alertlens analyze` publishes (summary.json noise_share, weekly_headlines
-- noise_share), recounted independently in DuckDB: the share of the counted alerts (the lake's
-- alerts created before the end of the counted weeks, lake_views.sql) whose verdict in
-- <lake>/analysis/alerts_scored.parquet ({scored}, keyed by source and alert_id) is noise,
-- per ISO week of created_at (UTC) and over all weeks ('all'). The verdicts are the noise
-- analysis's judgement; what is checked here is that every counted alert has exactly one and
-- that the published shares are their share. alerts: counted alerts; scored: how many of them
-- have a verdict; verdicts: verdict rows in the file.
WITH
counted AS (SELECT a.source, a.alert_id, a.created_at FROM alr a, bounds b
            WHERE a.created_at < b.cut_end),
scored AS (SELECT source, alert_id, is_noise FROM {scored}),
joined AS (
    SELECT strftime(c.created_at, '%G-W%V') AS week, s.alert_id IS NOT NULL AS has_verdict,
           s.is_noise
    FROM counted c LEFT JOIN scored s USING (source, alert_id)
)
SELECT coalesce(week, 'all') AS week, count(*) AS alerts,
       count(*) FILTER (WHERE has_verdict) AS scored,
       avg(CASE WHEN is_noise THEN 1.0 ELSE 0.0 END) FILTER (WHERE has_verdict) AS noise_share,
       (SELECT count(*) FROM scored) AS verdicts
FROM joined
GROUP BY ROLLUP (week)
ORDER BY week
