-- The asset model is read from one description per type (docs/decisions/0005). Each asset row
-- records the version of the description it was read under, so that the first sync after an
-- upgrade describes again the task definition revisions stored under an older one (AWS never
-- changes a registered revision, so the sync otherwise skips them). NULL: stored before this
-- migration, so described again.
ALTER TABLE ecs_clusters ADD COLUMN model_version TEXT;
ALTER TABLE ecs_services ADD COLUMN model_version TEXT;
ALTER TABLE ecs_task_definitions ADD COLUMN model_version TEXT;
ALTER TABLE ecs_tasks ADD COLUMN model_version TEXT;

-- A status change is now read by describing the revision again (its deregisteredAt and tags
-- change with it), so the status-free digest is no longer kept.
ALTER TABLE ecs_task_definitions DROP COLUMN definition_hash;
