-- PostgreSQL keeps the deployment's tenant key for its row-level security in this table
-- (migrations/postgres/0005_tenant_key.sql). SQLite has no roles and no row-level security, so
-- the table stays empty; it exists so that both databases have the same tables.
CREATE TABLE assetql_tenant_key (
    key TEXT NOT NULL
);
