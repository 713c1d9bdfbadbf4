-- PostgreSQL lowers the statistics targets of the relationship ARN columns in this version
-- (migrations/postgres/0003_planner_statistics.sql); SQLite keeps no such statistics. The
-- version exists so that both databases report the same schema version.
SELECT 1;
