-- The lake as DuckDB views (docs/lake.md): every record table read straight from its hive
-- partitions, and the counted weeks. Placeholders: {alerts}, {incidents}, {notifications} (a
-- read_parquet over <lake>/<table>/**/*.parquet) and {now} (the clock, a TIMESTAMPTZ literal).
--
-- counted weeks: ISO weeks (Monday 00:00 on the organisation's clock, UTC by default) up to the
--   newest week that has ended by {now} and holds a record (else the newest week with a
--   record); the records created before the end of that week (cut_end) count.
-- as_of: the newest time anywhere in the data (still-open incidents are censored there).
CREATE OR REPLACE TEMP VIEW inc AS SELECT * FROM {incidents};
CREATE OR REPLACE TEMP VIEW alr AS SELECT * FROM {alerts};
CREATE OR REPLACE TEMP VIEW notes AS SELECT * FROM {notifications};
CREATE OR REPLACE TEMP VIEW bounds AS
WITH created AS (SELECT created_at FROM inc UNION ALL SELECT created_at FROM alr)
SELECT coalesce(
        (SELECT date_trunc('week', max(created_at)) + INTERVAL 7 DAY FROM created
         WHERE created_at < date_trunc('week', {now})),
        (SELECT date_trunc('week', max(created_at)) + INTERVAL 7 DAY FROM created)
    ) AS cut_end,
    greatest(
        (SELECT max(greatest(created_at, acknowledged_at, mitigated_at, resolved_at, closed_at))
         FROM inc),
        (SELECT max(greatest(created_at, acknowledged_at, resolved_at)) FROM alr),
        (SELECT max("at") FROM notes)
    ) AS as_of;
