//! Each asset type's rows: its own columns and its child tables' rows (settings, tags,
//! network configurations, container specs, environment entries).
//!
//! These column lists restate what the asset catalogue (`assetql_model::catalogue`) already
//! says about each table. The asset-model issue (#15) makes one description per asset type
//! drive the schema, the compiler and this write path; until then a column added to the
//! catalogue must be added here too (the store tests fail when the two disagree on a column
//! the fixtures fill).

use assetql_model::{Arn, Cluster, ContainerSpec, ContentHash, Service, Task, TaskDefinition};
use assetql_sql::Value;

use super::AssetKind;

pub(super) const COMMON_LEADING: [&str; 4] = ["tenant_id", "arn", "cloud_account_id", "region"];
pub(super) const COMMON_TRAILING: [&str; 4] = [
    "first_seen_at",
    "last_seen_at",
    "content_hash",
    "last_sync_run_id",
];

/// Rows for child tables, in insertion order (a table's rows may reference an earlier table's).
#[derive(Default)]
pub(super) struct ChildRows {
    pub(super) tables: Vec<ChildTable>,
}

pub(super) struct ChildTable {
    pub(super) table: &'static str,
    pub(super) columns: &'static [&'static str],
    pub(super) rows: Vec<Vec<Value>>,
}

impl ChildRows {
    pub(super) fn push(
        &mut self,
        table: &'static str,
        columns: &'static [&'static str],
        row: Vec<Value>,
    ) {
        match self.tables.iter_mut().find(|t| t.table == table) {
            Some(child) => child.rows.push(row),
            None => self.tables.push(ChildTable {
                table,
                columns,
                rows: vec![row],
            }),
        }
    }
}

pub(super) const TAG_COLUMNS: &[&str] = &["tenant_id", "resource_arn", "key", "value"];
pub(super) const SETTING_COLUMNS: &[&str] = &["tenant_id", "cluster_arn", "name", "value"];
pub(super) const NETWORK_COLUMNS: &[&str] = &[
    "tenant_id",
    "service_arn",
    "assign_public_ip",
    "subnets",
    "security_groups",
];
pub(super) const CONTAINER_COLUMNS: &[&str] = &[
    "tenant_id",
    "task_definition_arn",
    "name",
    "ordinal",
    "image",
    "cpu",
    "memory",
    "memory_reservation",
    "essential",
    "privileged",
    "user_name",
    "readonly_root_filesystem",
    "capabilities_add",
    "capabilities_drop",
];
pub(super) const ENV_COLUMNS: &[&str] = &[
    "tenant_id",
    "task_definition_arn",
    "container_name",
    "ordinal",
    "name",
    "has_value",
];

/// An asset the writers know how to store.
pub(super) trait Writable: ContentHash {
    const KIND: AssetKind;
    fn arn(&self) -> &Arn;
    /// Values for [`AssetKind::columns`], in order.
    fn values(&self) -> Vec<Value>;
    /// Child rows other than tags.
    fn children(&self, tenant: &str, out: &mut ChildRows);
    fn tags(&self) -> &[assetql_model::Tag];
}

pub(super) fn text(v: &Option<String>) -> Value {
    Value::Text(v.clone())
}
pub(super) fn list(v: &Option<Vec<String>>) -> Value {
    Value::TextList(v.clone())
}
pub(super) fn ordinal(i: usize) -> Value {
    Value::Int(Some(i64::try_from(i).unwrap_or(i64::MAX)))
}

impl Writable for Cluster {
    const KIND: AssetKind = AssetKind::Cluster;
    fn arn(&self) -> &Arn {
        &self.arn
    }
    fn values(&self) -> Vec<Value> {
        vec![
            Value::text(&self.name),
            text(&self.status),
            Value::Int(self.running_tasks_count),
            Value::Int(self.pending_tasks_count),
            Value::Int(self.active_services_count),
            Value::Int(self.registered_container_instances_count),
            list(&self.capacity_providers),
        ]
    }
    fn children(&self, tenant: &str, out: &mut ChildRows) {
        for setting in &self.settings {
            out.push(
                "ecs_cluster_settings",
                SETTING_COLUMNS,
                vec![
                    Value::text(tenant),
                    Value::text(self.arn.as_str()),
                    Value::text(&setting.name),
                    text(&setting.value),
                ],
            );
        }
    }
    fn tags(&self) -> &[assetql_model::Tag] {
        &self.tags
    }
}

impl Writable for Service {
    const KIND: AssetKind = AssetKind::Service;
    fn arn(&self) -> &Arn {
        &self.arn
    }
    fn values(&self) -> Vec<Value> {
        vec![
            Value::text(&self.name),
            text(&self.cluster_arn),
            text(&self.status),
            text(&self.launch_type),
            text(&self.platform_version),
            text(&self.platform_family),
            text(&self.task_definition_arn),
            text(&self.scheduling_strategy),
            Value::Int(self.desired_count),
            Value::Int(self.running_count),
            Value::Int(self.pending_count),
            Value::Timestamp(self.created_at),
        ]
    }
    fn children(&self, tenant: &str, out: &mut ChildRows) {
        if let Some(network) = &self.network_configuration {
            out.push(
                "ecs_service_network_configurations",
                NETWORK_COLUMNS,
                vec![
                    Value::text(tenant),
                    Value::text(self.arn.as_str()),
                    Value::Bool(network.assign_public_ip),
                    list(&network.subnets),
                    list(&network.security_groups),
                ],
            );
        }
    }
    fn tags(&self) -> &[assetql_model::Tag] {
        &self.tags
    }
}

pub(super) fn container_rows(
    tenant: &str,
    arn: &Arn,
    index: usize,
    c: &ContainerSpec,
    out: &mut ChildRows,
) {
    out.push(
        "ecs_container_specs",
        CONTAINER_COLUMNS,
        vec![
            Value::text(tenant),
            Value::text(arn.as_str()),
            Value::text(&c.name),
            ordinal(index),
            text(&c.image),
            Value::Int(c.cpu),
            Value::Int(c.memory),
            Value::Int(c.memory_reservation),
            Value::Bool(c.essential),
            Value::Bool(c.privileged),
            text(&c.user),
            Value::Bool(c.readonly_root_filesystem),
            list(&c.capabilities_add),
            list(&c.capabilities_drop),
        ],
    );
    for (i, env) in c.environment.iter().enumerate() {
        out.push(
            "ecs_container_env_entries",
            ENV_COLUMNS,
            vec![
                Value::text(tenant),
                Value::text(arn.as_str()),
                Value::text(&c.name),
                ordinal(i),
                Value::text(&env.name),
                Value::Bool(Some(env.has_value)),
            ],
        );
    }
}

impl Writable for TaskDefinition {
    const KIND: AssetKind = AssetKind::TaskDefinition;
    fn arn(&self) -> &Arn {
        &self.arn
    }
    fn values(&self) -> Vec<Value> {
        vec![
            Value::text(&self.family),
            Value::Int(Some(self.revision)),
            text(&self.status),
            text(&self.network_mode),
            text(&self.pid_mode),
            text(&self.ipc_mode),
            text(&self.task_role_arn),
            text(&self.execution_role_arn),
            text(&self.cpu),
            text(&self.memory),
            list(&self.requires_compatibilities),
            Value::Timestamp(self.registered_at),
            Value::Timestamp(self.deregistered_at),
            Value::text(self.definition_hash()),
        ]
    }
    fn children(&self, tenant: &str, out: &mut ChildRows) {
        for (i, container) in self.containers.iter().enumerate() {
            container_rows(tenant, &self.arn, i, container, out);
        }
    }
    fn tags(&self) -> &[assetql_model::Tag] {
        &self.tags
    }
}

impl Writable for Task {
    const KIND: AssetKind = AssetKind::Task;
    fn arn(&self) -> &Arn {
        &self.arn
    }
    fn values(&self) -> Vec<Value> {
        vec![
            Value::text(self.arn.resource_name()),
            text(&self.cluster_arn),
            text(&self.task_definition_arn),
            text(&self.last_status),
            text(&self.desired_status),
            text(&self.launch_type),
            text(&self.platform_version),
            text(&self.cpu),
            text(&self.memory),
            text(&self.group),
            text(&self.availability_zone),
            Value::Timestamp(self.started_at),
        ]
    }
    fn children(&self, _tenant: &str, _out: &mut ChildRows) {}
    fn tags(&self) -> &[assetql_model::Tag] {
        &self.tags
    }
}
