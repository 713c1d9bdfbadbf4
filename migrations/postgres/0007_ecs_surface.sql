-- The whole ECS surface in the inventory (issue #15): new columns of the existing asset and
-- container tables, the child tables written with their assets, and three new asset types
-- (task sets, capacity providers, container instances). Each column is described once, in the
-- catalogue (crates/model/src/catalogue/ecs/), which the write path reads; tests/tests/catalogue.rs
-- holds these tables against it.
--
-- Existing rows gain the new columns empty (NULL, or FALSE for the "is set" flags); their
-- model_version no longer matches the catalogue, so the next sync describes each stored task
-- definition revision once and fills them.
--
-- Child tables have no foreign key to their parent: the writer replaces a changed asset's
-- children and removes an unseen asset's in the same transaction, and the triggers of a foreign
-- key were the largest single cost of bulk writes (BENCHMARKS.md). Their primary key
-- (tenant, parent, position) serves the writer's deletes and the relationship joins.

ALTER TABLE ecs_task_definitions ADD COLUMN latest_active_revision BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE ecs_task_definitions ADD COLUMN compatibilities TEXT[];
ALTER TABLE ecs_task_definitions ADD COLUMN operating_system_family TEXT;
ALTER TABLE ecs_task_definitions ADD COLUMN cpu_architecture TEXT;
ALTER TABLE ecs_task_definitions ADD COLUMN ephemeral_storage_gib BIGINT;
ALTER TABLE ecs_task_definitions ADD COLUMN proxy_configuration_type TEXT;
ALTER TABLE ecs_task_definitions ADD COLUMN proxy_container_name TEXT;
ALTER TABLE ecs_task_definitions ADD COLUMN requires_attributes TEXT[];

ALTER TABLE ecs_container_specs ADD COLUMN init_process_enabled BOOLEAN;
ALTER TABLE ecs_container_specs ADD COLUMN shared_memory_size BIGINT;
ALTER TABLE ecs_container_specs ADD COLUMN max_swap BIGINT;
ALTER TABLE ecs_container_specs ADD COLUMN swappiness BIGINT;
ALTER TABLE ecs_container_specs ADD COLUMN log_driver TEXT;
ALTER TABLE ecs_container_specs ADD COLUMN log_option_names TEXT[];
ALTER TABLE ecs_container_specs ADD COLUMN log_secret_option_names TEXT[];
ALTER TABLE ecs_container_specs ADD COLUMN firelens_type TEXT;
ALTER TABLE ecs_container_specs ADD COLUMN docker_security_options TEXT[];
ALTER TABLE ecs_container_specs ADD COLUMN has_health_check BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE ecs_container_specs ADD COLUMN health_check_command TEXT[];
ALTER TABLE ecs_container_specs ADD COLUMN has_repository_credentials BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE ecs_container_specs ADD COLUMN repository_credentials_parameter TEXT;
ALTER TABLE ecs_container_specs ADD COLUMN docker_label_keys TEXT[];
ALTER TABLE ecs_container_specs ADD COLUMN working_directory TEXT;
ALTER TABLE ecs_container_specs ADD COLUMN interactive BOOLEAN;
ALTER TABLE ecs_container_specs ADD COLUMN pseudo_terminal BOOLEAN;
ALTER TABLE ecs_container_specs ADD COLUMN disable_networking BOOLEAN;
ALTER TABLE ecs_container_specs ADD COLUMN start_timeout BIGINT;
ALTER TABLE ecs_container_specs ADD COLUMN stop_timeout BIGINT;
ALTER TABLE ecs_container_specs ADD COLUMN restart_policy_enabled BOOLEAN;
ALTER TABLE ecs_container_specs ADD COLUMN restart_attempt_period BIGINT;
ALTER TABLE ecs_container_specs ADD COLUMN command_set BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE ecs_container_specs ADD COLUMN entry_point_set BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE ecs_tasks ADD COLUMN health_status TEXT;
ALTER TABLE ecs_tasks ADD COLUMN capacity_provider_name TEXT;
ALTER TABLE ecs_tasks ADD COLUMN platform_family TEXT;
ALTER TABLE ecs_tasks ADD COLUMN service_name TEXT;
ALTER TABLE ecs_tasks ADD COLUMN started_by TEXT;
ALTER TABLE ecs_tasks ADD COLUMN connectivity TEXT;
ALTER TABLE ecs_tasks ADD COLUMN container_instance_arn TEXT;
ALTER TABLE ecs_tasks ADD COLUMN enable_execute_command BOOLEAN;
ALTER TABLE ecs_tasks ADD COLUMN override_task_role_arn TEXT;
ALTER TABLE ecs_tasks ADD COLUMN override_execution_role_arn TEXT;

ALTER TABLE ecs_services ADD COLUMN enable_execute_command BOOLEAN;
ALTER TABLE ecs_services ADD COLUMN enable_ecs_managed_tags BOOLEAN;
ALTER TABLE ecs_services ADD COLUMN propagate_tags TEXT;
ALTER TABLE ecs_services ADD COLUMN deployment_controller TEXT;
ALTER TABLE ecs_services ADD COLUMN circuit_breaker_enabled BOOLEAN;
ALTER TABLE ecs_services ADD COLUMN circuit_breaker_rollback BOOLEAN;
ALTER TABLE ecs_services ADD COLUMN minimum_healthy_percent BIGINT;
ALTER TABLE ecs_services ADD COLUMN maximum_percent BIGINT;
ALTER TABLE ecs_services ADD COLUMN health_check_grace_period BIGINT;
ALTER TABLE ecs_services ADD COLUMN role_arn TEXT;

ALTER TABLE ecs_clusters ADD COLUMN execute_command_kms_key_id TEXT;
ALTER TABLE ecs_clusters ADD COLUMN execute_command_logging TEXT;
ALTER TABLE ecs_clusters ADD COLUMN execute_command_log_group TEXT;
ALTER TABLE ecs_clusters ADD COLUMN execute_command_cloud_watch_encryption BOOLEAN;
ALTER TABLE ecs_clusters ADD COLUMN execute_command_s3_bucket TEXT;
ALTER TABLE ecs_clusters ADD COLUMN execute_command_s3_encryption BOOLEAN;
ALTER TABLE ecs_clusters ADD COLUMN managed_storage_kms_key_id TEXT;
ALTER TABLE ecs_clusters ADD COLUMN fargate_ephemeral_storage_kms_key_id TEXT;
ALTER TABLE ecs_clusters ADD COLUMN service_connect_namespace TEXT;

CREATE INDEX ecs_tasks_service_idx ON ecs_tasks (tenant_id, cluster_arn, service_name);
CREATE INDEX ecs_tasks_container_instance_idx ON ecs_tasks (tenant_id, container_instance_arn);
CREATE INDEX ecs_task_definitions_latest_active_idx ON ecs_task_definitions (tenant_id, family) WHERE latest_active_revision;

CREATE TABLE ecs_task_definition_volumes (
    tenant_id                    TEXT NOT NULL,
    task_definition_arn          TEXT NOT NULL,
    ordinal                      BIGINT NOT NULL,
    name                         TEXT NOT NULL,
    host_source_path             TEXT,
    docker_scope                 TEXT,
    docker_driver                TEXT,
    docker_autoprovision         BOOLEAN,
    efs_file_system_id           TEXT,
    efs_root_directory           TEXT,
    efs_transit_encryption       TEXT,
    efs_transit_encryption_port  BIGINT,
    efs_iam_authorization        TEXT,
    efs_access_point_id          TEXT,
    fsx_file_system_id           TEXT,
    fsx_root_directory           TEXT,
    configured_at_launch         BOOLEAN,
    PRIMARY KEY (tenant_id, task_definition_arn, ordinal)
);
ALTER TABLE ecs_task_definition_volumes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_task_definition_volumes USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_task_definition_placement_constraints (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    constraint_type      TEXT,
    expression           TEXT,
    PRIMARY KEY (tenant_id, task_definition_arn, ordinal)
);
ALTER TABLE ecs_task_definition_placement_constraints ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_task_definition_placement_constraints USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_secrets (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    container_name       TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    name                 TEXT NOT NULL,
    value_from           TEXT,
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal)
);
ALTER TABLE ecs_container_secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_secrets USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_port_mappings (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    container_name       TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    container_port       BIGINT,
    host_port            BIGINT,
    protocol             TEXT,
    app_protocol         TEXT,
    name                 TEXT,
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal)
);
ALTER TABLE ecs_container_port_mappings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_port_mappings USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_mount_points (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    container_name       TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    source_volume        TEXT,
    container_path       TEXT,
    read_only            BOOLEAN,
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal)
);
ALTER TABLE ecs_container_mount_points ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_mount_points USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_volumes_from (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    container_name       TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    source_container     TEXT,
    read_only            BOOLEAN,
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal)
);
ALTER TABLE ecs_container_volumes_from ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_volumes_from USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_depends_on (
    tenant_id             TEXT NOT NULL,
    task_definition_arn   TEXT NOT NULL,
    container_name        TEXT NOT NULL,
    ordinal               BIGINT NOT NULL,
    depends_on_container  TEXT,
    dependency_condition  TEXT,
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal)
);
ALTER TABLE ecs_container_depends_on ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_depends_on USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_ulimits (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    container_name       TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    name                 TEXT,
    soft_limit           BIGINT,
    hard_limit           BIGINT,
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal)
);
ALTER TABLE ecs_container_ulimits ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_ulimits USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_system_controls (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    container_name       TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    namespace            TEXT,
    value                TEXT,
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal)
);
ALTER TABLE ecs_container_system_controls ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_system_controls USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_devices (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    container_name       TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    host_path            TEXT,
    container_path       TEXT,
    permissions          TEXT[],
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal)
);
ALTER TABLE ecs_container_devices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_devices USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_tmpfs (
    tenant_id            TEXT NOT NULL,
    task_definition_arn  TEXT NOT NULL,
    container_name       TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    container_path       TEXT,
    size                 BIGINT,
    mount_options        TEXT[],
    PRIMARY KEY (tenant_id, task_definition_arn, container_name, ordinal)
);
ALTER TABLE ecs_container_tmpfs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_tmpfs USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_task_attachments (
    tenant_id             TEXT NOT NULL,
    task_arn              TEXT NOT NULL,
    ordinal               BIGINT NOT NULL,
    id                    TEXT,
    attachment_type       TEXT,
    status                TEXT,
    network_interface_id  TEXT,
    subnet_id             TEXT,
    private_ipv4_address  TEXT,
    PRIMARY KEY (tenant_id, task_arn, ordinal)
);
ALTER TABLE ecs_task_attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_task_attachments USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_task_containers (
    tenant_id      TEXT NOT NULL,
    task_arn       TEXT NOT NULL,
    ordinal        BIGINT NOT NULL,
    name           TEXT,
    image          TEXT,
    image_digest   TEXT,
    last_status    TEXT,
    health_status  TEXT,
    PRIMARY KEY (tenant_id, task_arn, ordinal)
);
ALTER TABLE ecs_task_containers ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_task_containers USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_task_container_overrides (
    tenant_id          TEXT NOT NULL,
    task_arn           TEXT NOT NULL,
    ordinal            BIGINT NOT NULL,
    name               TEXT,
    overrides_command  BOOLEAN NOT NULL,
    environment_names  TEXT[],
    PRIMARY KEY (tenant_id, task_arn, ordinal)
);
ALTER TABLE ecs_task_container_overrides ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_task_container_overrides USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_service_deployments (
    tenant_id            TEXT NOT NULL,
    service_arn          TEXT NOT NULL,
    ordinal              BIGINT NOT NULL,
    id                   TEXT,
    status               TEXT,
    task_definition_arn  TEXT,
    desired_count        BIGINT,
    running_count        BIGINT,
    pending_count        BIGINT,
    failed_tasks         BIGINT,
    rollout_state        TEXT,
    launch_type          TEXT,
    platform_version     TEXT,
    assign_public_ip     BOOLEAN,
    created_at           TIMESTAMPTZ,
    updated_at           TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, service_arn, ordinal)
);
ALTER TABLE ecs_service_deployments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_service_deployments USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_service_load_balancers (
    tenant_id           TEXT NOT NULL,
    service_arn         TEXT NOT NULL,
    ordinal             BIGINT NOT NULL,
    target_group_arn    TEXT,
    load_balancer_name  TEXT,
    container_name      TEXT,
    container_port      BIGINT,
    PRIMARY KEY (tenant_id, service_arn, ordinal)
);
ALTER TABLE ecs_service_load_balancers ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_service_load_balancers USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_service_registries (
    tenant_id       TEXT NOT NULL,
    service_arn     TEXT NOT NULL,
    ordinal         BIGINT NOT NULL,
    registry_arn    TEXT,
    port            BIGINT,
    container_name  TEXT,
    container_port  BIGINT,
    PRIMARY KEY (tenant_id, service_arn, ordinal)
);
ALTER TABLE ecs_service_registries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_service_registries USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_capacity_provider_strategy_items (
    tenant_id          TEXT NOT NULL,
    parent_arn         TEXT NOT NULL,
    ordinal            BIGINT NOT NULL,
    capacity_provider  TEXT,
    weight             BIGINT,
    base               BIGINT,
    PRIMARY KEY (tenant_id, parent_arn, ordinal)
);
ALTER TABLE ecs_capacity_provider_strategy_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_capacity_provider_strategy_items USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_instance_attributes (
    tenant_id               TEXT NOT NULL,
    container_instance_arn  TEXT NOT NULL,
    ordinal                 BIGINT NOT NULL,
    name                    TEXT,
    value                   TEXT,
    PRIMARY KEY (tenant_id, container_instance_arn, ordinal)
);
ALTER TABLE ecs_container_instance_attributes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_instance_attributes USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_task_sets (
    tenant_id               TEXT NOT NULL REFERENCES tenants (id),
    arn                     TEXT NOT NULL,
    cloud_account_id        TEXT NOT NULL,
    region                  TEXT NOT NULL,
    id                      TEXT NOT NULL,
    service_arn             TEXT,
    cluster_arn             TEXT,
    status                  TEXT,
    task_definition_arn     TEXT,
    launch_type             TEXT,
    platform_version        TEXT,
    platform_family         TEXT,
    external_id             TEXT,
    started_by              TEXT,
    assign_public_ip        BOOLEAN,
    subnets                 TEXT[],
    security_groups         TEXT[],
    computed_desired_count  BIGINT,
    running_count           BIGINT,
    pending_count           BIGINT,
    scale_value             BIGINT,
    scale_unit              TEXT,
    stability_status        TEXT,
    created_at              TIMESTAMPTZ,
    updated_at              TIMESTAMPTZ,
    first_seen_at           TIMESTAMPTZ NOT NULL,
    last_seen_at            TIMESTAMPTZ NOT NULL,
    content_hash            TEXT NOT NULL,
    last_sync_run_id        BIGINT,
    model_version           TEXT,
    PRIMARY KEY (tenant_id, arn)
);
CREATE INDEX ecs_task_sets_scope_idx ON ecs_task_sets (tenant_id, cloud_account_id, region);
CREATE INDEX ecs_task_sets_service_arn_idx ON ecs_task_sets (tenant_id, service_arn);
CREATE INDEX ecs_task_sets_task_definition_arn_idx ON ecs_task_sets (tenant_id, task_definition_arn);
ALTER TABLE ecs_task_sets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_task_sets USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_capacity_providers (
    tenant_id                        TEXT NOT NULL REFERENCES tenants (id),
    arn                              TEXT NOT NULL,
    cloud_account_id                 TEXT NOT NULL,
    region                           TEXT NOT NULL,
    name                             TEXT NOT NULL,
    status                           TEXT,
    update_status                    TEXT,
    auto_scaling_group_arn           TEXT,
    managed_scaling_status           TEXT,
    managed_scaling_target_capacity  BIGINT,
    managed_termination_protection   TEXT,
    managed_draining                 TEXT,
    first_seen_at                    TIMESTAMPTZ NOT NULL,
    last_seen_at                     TIMESTAMPTZ NOT NULL,
    content_hash                     TEXT NOT NULL,
    last_sync_run_id                 BIGINT,
    model_version                    TEXT,
    PRIMARY KEY (tenant_id, arn)
);
CREATE INDEX ecs_capacity_providers_scope_idx ON ecs_capacity_providers (tenant_id, cloud_account_id, region);
ALTER TABLE ecs_capacity_providers ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_capacity_providers USING (tenant_id = (SELECT assetql_tenant()));

CREATE TABLE ecs_container_instances (
    tenant_id               TEXT NOT NULL REFERENCES tenants (id),
    arn                     TEXT NOT NULL,
    cloud_account_id        TEXT NOT NULL,
    region                  TEXT NOT NULL,
    cluster_arn             TEXT,
    ec2_instance_id         TEXT,
    status                  TEXT,
    agent_connected         BOOLEAN,
    agent_version           TEXT,
    docker_version          TEXT,
    agent_update_status     TEXT,
    running_tasks_count     BIGINT,
    pending_tasks_count     BIGINT,
    capacity_provider_name  TEXT,
    registered_at           TIMESTAMPTZ,
    first_seen_at           TIMESTAMPTZ NOT NULL,
    last_seen_at            TIMESTAMPTZ NOT NULL,
    content_hash            TEXT NOT NULL,
    last_sync_run_id        BIGINT,
    model_version           TEXT,
    PRIMARY KEY (tenant_id, arn)
);
CREATE INDEX ecs_container_instances_scope_idx ON ecs_container_instances (tenant_id, cloud_account_id, region);
CREATE INDEX ecs_container_instances_cluster_arn_idx ON ecs_container_instances (tenant_id, cluster_arn);
ALTER TABLE ecs_container_instances ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecs_container_instances USING (tenant_id = (SELECT assetql_tenant()));
