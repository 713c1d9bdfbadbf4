-- A control run may say `no_data` and a sync run `abandoned` (see the PostgreSQL migration of
-- the same version). SQLite cannot alter a CHECK constraint, so both tables are rebuilt. The
-- migration runs in a transaction, where foreign keys cannot be switched off, and dropping
-- control_runs would cascade to control_findings: the findings are set aside and rebuilt too.
CREATE TABLE control_findings_v3 AS SELECT * FROM control_findings;
DROP TABLE control_findings;

CREATE TABLE control_runs_v4 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    control_id    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error', 'no_data')),
    started_at    TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL,
    failing       INTEGER NOT NULL,
    excepted      INTEGER NOT NULL,
    error         TEXT,
    sync_run_id   INTEGER
);
INSERT INTO control_runs_v4 SELECT * FROM control_runs;
DROP TABLE control_runs;
ALTER TABLE control_runs_v4 RENAME TO control_runs;
CREATE INDEX control_runs_control_idx ON control_runs (tenant_id, control_id, started_at);

CREATE TABLE control_findings (
    tenant_id         TEXT NOT NULL,
    run_id            INTEGER NOT NULL REFERENCES control_runs (id) ON DELETE CASCADE,
    asset_identifier  TEXT NOT NULL,
    id_from_provider  TEXT,
    asset_type        TEXT,
    excepted          BOOLEAN NOT NULL,
    PRIMARY KEY (tenant_id, run_id, asset_identifier)
);
INSERT INTO control_findings SELECT * FROM control_findings_v3;
DROP TABLE control_findings_v3;
CREATE INDEX control_findings_run_idx ON control_findings (run_id);

CREATE TABLE sync_runs_v4 (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    cloud_account_id  TEXT NOT NULL,
    region            TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
    started_at        TEXT NOT NULL,
    finished_at       TEXT,
    error             TEXT,
    api_calls         TEXT NOT NULL DEFAULT '{}',
    assets_added      INTEGER NOT NULL DEFAULT 0,
    assets_updated    INTEGER NOT NULL DEFAULT 0,
    assets_removed    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_runs_v4 SELECT * FROM sync_runs;
DROP TABLE sync_runs;
ALTER TABLE sync_runs_v4 RENAME TO sync_runs;
CREATE INDEX sync_runs_scope_idx ON sync_runs (tenant_id, cloud_account_id, region, started_at);
