-- Issue #19: the answer cache's clock (see the PostgreSQL twin). SQLite already sorts text in
-- byte order (BINARY), the order its indexes are built in.
CREATE TABLE inventory_generations (
    tenant_id   TEXT PRIMARY KEY,
    generation  BIGINT NOT NULL
);
INSERT INTO inventory_generations (tenant_id, generation) SELECT id, 1 FROM tenants;

-- Dashboards filter revisions by status and count them: an index-only count.
CREATE INDEX ecs_task_definitions_status_idx ON ecs_task_definitions (tenant_id, status);
