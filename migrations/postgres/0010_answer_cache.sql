-- Issue #19: the answer cache's clock and pages that cost a page.
--
-- A tenant's generation: bumped in the same transaction as every write that can change an
-- answer (a sync scope's commit or end, a control run recorded, an exception created or
-- revoked, an account's name or environment) and for every tenant after migrations. The
-- server caches a repeated document's answer under the generation it read before running it,
-- and serves it only while the generation is unchanged.
CREATE TABLE inventory_generations (
    tenant_id   TEXT PRIMARY KEY,
    generation  BIGINT NOT NULL
);
INSERT INTO inventory_generations (tenant_id, generation) SELECT id, 1 FROM tenants;

-- The compiler sorts text in byte order (COLLATE "C", the order SQLite and the API's cursors
-- use). An index serves ORDER BY only in its column's collation, so the inventory's text
-- columns are declared "C": `sort: [{family: ASC}]` walks (tenant_id, family, revision) and
-- reads its page instead of sorting every row. Equality and LIKE answers are unchanged (both
-- collations are deterministic). tenant_id is left as is: row-level policies name it, and it
-- is constant within a request.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT table_name::text AS t, column_name::text AS col
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND data_type = 'text'
               AND column_name <> 'tenant_id' AND collation_name IS NULL
               AND (table_name::text LIKE 'ecs\_%' OR table_name::text IN ('cloud_accounts', 'tags'))
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE text COLLATE "C"', c.t, c.col);
    END LOOP;
END $$;

-- Dashboards filter revisions by status and count them: an index-only count.
CREATE INDEX ecs_task_definitions_status_idx ON ecs_task_definitions (tenant_id, status);
