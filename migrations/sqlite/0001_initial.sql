-- assetql initial schema (SQLite). Kept in lockstep with migrations/postgres/0001_initial.sql:
-- same tables, same columns, same nullability. Never edit once landed; add a new version instead.
--
-- Types: timestamps are ISO-8601 UTC TEXT (fixed width, so they compare as text), booleans are
-- 0/1, lists are JSON arrays in TEXT.
-- NULL stays NULL: an absent AWS attribute is stored as NULL, never as false or ''.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE cloud_accounts (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    id             TEXT NOT NULL,
    name           TEXT,
    provider       TEXT NOT NULL DEFAULT 'aws',
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- One row per (tenant, cloud account, region) scope synced by one run of the collector.
CREATE TABLE sync_runs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    cloud_account_id  TEXT NOT NULL,
    region            TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at        TEXT NOT NULL,
    finished_at       TEXT,
    error             TEXT,
    api_calls         TEXT NOT NULL DEFAULT '{}',
    assets_added      INTEGER NOT NULL DEFAULT 0,
    assets_updated    INTEGER NOT NULL DEFAULT 0,
    assets_removed    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sync_runs_scope_idx ON sync_runs (tenant_id, cloud_account_id, region, started_at);

-- One row per scope and worker round: the first worker to insert it syncs the scope in that
-- round, so several workers on one database split the scopes without a coordinator.
CREATE TABLE sync_scope_claims (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    cloud_account_id  TEXT NOT NULL,
    region            TEXT NOT NULL,
    round_start       TEXT NOT NULL,
    worker            TEXT NOT NULL,
    claimed_at        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, cloud_account_id, region, round_start)
);

CREATE TABLE ecs_clusters (
    tenant_id                             TEXT NOT NULL REFERENCES tenants (id),
    arn                                   TEXT NOT NULL,
    cloud_account_id                      TEXT NOT NULL,
    region                                TEXT NOT NULL,
    name                                  TEXT NOT NULL,
    status                                TEXT,
    running_tasks_count                   INTEGER,
    pending_tasks_count                   INTEGER,
    active_services_count                 INTEGER,
    registered_container_instances_count  INTEGER,
    capacity_providers                    TEXT,
    first_seen_at                         TEXT NOT NULL,
    last_seen_at                          TEXT NOT NULL,
    content_hash                          TEXT NOT NULL,
    last_sync_run_id                      INTEGER,
    PRIMARY KEY (tenant_id, arn)
);
CREATE INDEX ecs_clusters_scope_idx ON ecs_clusters (tenant_id, cloud_account_id, region);

CREATE TABLE ecs_cluster_settings (
    tenant_id    TEXT NOT NULL,
    cluster_arn  TEXT NOT NULL,
    name         TEXT NOT NULL,
    value        TEXT,
    PRIMARY KEY (tenant_id, cluster_arn, name),
    FOREIGN KEY (tenant_id, cluster_arn) REFERENCES ecs_clusters (tenant_id, arn) ON DELETE CASCADE
);

CREATE TABLE ecs_services (
    tenant_id            TEXT NOT NULL REFERENCES tenants (id),
    arn                  TEXT NOT NULL,
    cloud_account_id     TEXT NOT NULL,
    region               TEXT NOT NULL,
    name                 TEXT NOT NULL,
    cluster_arn          TEXT,
    status               TEXT,
    launch_type          TEXT,
    platform_version     TEXT,
    platform_family      TEXT,
    task_definition_arn  TEXT,
    scheduling_strategy  TEXT,
    desired_count        INTEGER,
    running_count        INTEGER,
    pending_count        INTEGER,
    created_at           TEXT,
    first_seen_at        TEXT NOT NULL,
    last_seen_at         TEXT NOT NULL,
    content_hash         TEXT NOT NULL,
    last_sync_run_id     INTEGER,
    PRIMARY KEY (tenant_id, arn)
);
CREATE INDEX ecs_services_scope_idx ON ecs_services (tenant_id, cloud_account_id, region);
CREATE INDEX ecs_services_cluster_idx ON ecs_services (tenant_id, cluster_arn);
CREATE INDEX ecs_services_task_definition_idx ON ecs_services (tenant_id, task_definition_arn);

-- At most one per service (its awsvpcConfiguration); a table so that controls can quantify over it.
CREATE TABLE ecs_service_network_configurations (
    tenant_id         TEXT NOT NULL,
    service_arn       TEXT NOT NULL,
    assign_public_ip  BOOLEAN,
    subnets           TEXT,
    security_groups   TEXT,
    PRIMARY KEY (tenant_id, service_arn),
    FOREIGN KEY (tenant_id, service_arn) REFERENCES ecs_services (tenant_id, arn) ON DELETE CASCADE
);

-- One row per task definition revision ARN; a revision is immutable except its status and tags.
CREATE TABLE ecs_task_definitions (
    tenant_id                 TEXT NOT NULL REFERENCES tenants (id),
    arn                       TEXT NOT NULL,
    cloud_account_id          TEXT NOT NULL,
    region                    TEXT NOT NULL,
    family                    TEXT NOT NULL,
    revision                  INTEGER NOT NULL,
    status                    TEXT,
    network_mode              TEXT,
    pid_mode                  TEXT,
    ipc_mode                  TEXT,
    task_role_arn             TEXT,
    execution_role_arn        TEXT,
    cpu                       TEXT,
    memory                    TEXT,
    requires_compatibilities  TEXT,
    registered_at             TEXT,
    deregistered_at           TEXT,
    -- Digest of the revision without its status: status changes found by listing re-hash from it.
    definition_hash           TEXT NOT NULL,
    first_seen_at             TEXT NOT NULL,
    last_seen_at              TEXT NOT NULL,
    content_hash              TEXT NOT NULL,
    last_sync_run_id          INTEGER,
    PRIMARY KEY (tenant_id, arn)
);
CREATE INDEX ecs_task_definitions_scope_idx ON ecs_task_definitions (tenant_id, cloud_account_id, region);
CREATE INDEX ecs_task_definitions_family_idx ON ecs_task_definitions (tenant_id, family, revision);

CREATE TABLE ecs_container_specs (
    tenant_id                 TEXT NOT NULL,
    task_definition_arn       TEXT NOT NULL,
    name                      TEXT NOT NULL,
    ordinal                   INTEGER NOT NULL,
    image                     TEXT,
    cpu                       INTEGER,
    memory                    INTEGER,
    memory_reservation        INTEGER,
    essential                 BOOLEAN,
    privileged                BOOLEAN,
    user_name                 TEXT,
    readonly_root_filesystem  BOOLEAN,
    capabilities_add          TEXT,
    capabilities_drop         TEXT,
    PRIMARY KEY (tenant_id, task_definition_arn, name),
    FOREIGN KEY (tenant_id, task_definition_arn)
        REFERENCES ecs_task_definitions (tenant_id, arn) ON DELETE CASCADE
);

-- Environment variables of a container: the name and whether a value is set, never the value.
CREATE TABLE ecs_container_env_entries (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    container_name       TEXT NOT NULL,
    ordinal              INTEGER NOT NULL,
    name                 TEXT NOT NULL,
    has_value            BOOLEAN NOT NULL,
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal),
    FOREIGN KEY (tenant_id, task_definition_arn, container_name)
        REFERENCES ecs_container_specs (tenant_id, task_definition_arn, name) ON DELETE CASCADE
);

-- Running tasks only (lastStatus RUNNING when seen).
CREATE TABLE ecs_tasks (
    tenant_id            TEXT NOT NULL REFERENCES tenants (id),
    arn                  TEXT NOT NULL,
    cloud_account_id     TEXT NOT NULL,
    region               TEXT NOT NULL,
    name                 TEXT NOT NULL,
    cluster_arn          TEXT,
    task_definition_arn  TEXT,
    last_status          TEXT,
    desired_status       TEXT,
    launch_type          TEXT,
    platform_version     TEXT,
    cpu                  TEXT,
    memory               TEXT,
    group_name           TEXT,
    availability_zone    TEXT,
    started_at           TEXT,
    first_seen_at        TEXT NOT NULL,
    last_seen_at         TEXT NOT NULL,
    content_hash         TEXT NOT NULL,
    last_sync_run_id     INTEGER,
    PRIMARY KEY (tenant_id, arn)
);
CREATE INDEX ecs_tasks_scope_idx ON ecs_tasks (tenant_id, cloud_account_id, region);
CREATE INDEX ecs_tasks_task_definition_idx ON ecs_tasks (tenant_id, task_definition_arn);
CREATE INDEX ecs_tasks_cluster_idx ON ecs_tasks (tenant_id, cluster_arn);

-- Tags of any asset, replaced together with the asset they belong to.
CREATE TABLE tags (
    tenant_id     TEXT NOT NULL,
    resource_arn  TEXT NOT NULL,
    key           TEXT NOT NULL,
    value         TEXT,
    PRIMARY KEY (tenant_id, resource_arn, key)
);

-- Stored controls: each evaluation of a control for a tenant is a control run; its failing and
-- excepted assets are its findings.
CREATE TABLE control_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    control_id    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
    started_at    TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL,
    failing       INTEGER NOT NULL,
    excepted      INTEGER NOT NULL,
    error         TEXT,
    sync_run_id   INTEGER
);
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
CREATE INDEX control_findings_run_idx ON control_findings (run_id);

-- An exception removes one asset from one control's failing set until it expires or is revoked.
CREATE TABLE control_exceptions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    control_id        TEXT NOT NULL,
    asset_identifier  TEXT NOT NULL,
    owner             TEXT NOT NULL,
    reason            TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    revoked_at        TEXT
);
CREATE INDEX control_exceptions_lookup_idx ON control_exceptions (tenant_id, control_id, asset_identifier);

-- One row per tenant and scheduler round: the first scheduler to insert it evaluates the
-- tenant's controls in that round, however many processes run.
CREATE TABLE control_round_claims (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    round_start  TEXT NOT NULL,
    worker       TEXT NOT NULL,
    claimed_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, round_start)
);

-- API bearer tokens: only a SHA-256 of the token is stored; each token is scoped to one tenant.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT
);
