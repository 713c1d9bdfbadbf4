-- Planner statistics of the ARN columns that join assets to their relationships.
-- These columns hold ARNs that repeat a few times at most (or never), so their most-common-value
-- lists and histograms carry almost nothing the planner can use, yet it compares the lists
-- pairwise (eqjoinsel) and decompresses the histograms each time it plans a query that joins
-- them: measured ~0.85 ms of planning for each mission-control request at 10,000 revisions
-- (the query pool plans every statement for its values). With 10 entries: ~0.4 ms, plans
-- unchanged or better at 10,000 and 200,000 revisions, n_distinct still estimated closely.
-- Takes effect at the next ANALYZE (autovacuum's, or `VACUUM ANALYZE` after a bulk load).
-- SQLite has no such statistics: migrations/sqlite/0003_planner_statistics.sql is a no-op.
ALTER TABLE ecs_task_definitions ALTER COLUMN arn SET STATISTICS 10;
ALTER TABLE ecs_tasks ALTER COLUMN arn SET STATISTICS 10;
ALTER TABLE ecs_tasks ALTER COLUMN task_definition_arn SET STATISTICS 10;
ALTER TABLE ecs_container_specs ALTER COLUMN task_definition_arn SET STATISTICS 10;
ALTER TABLE ecs_container_env_entries ALTER COLUMN task_definition_arn SET STATISTICS 10;
