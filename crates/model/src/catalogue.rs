//! The asset catalogue: one declarative description of every GraphQL-visible type — its table,
//! its fields (GraphQL name, scalar type, SQL source) and its relationships (cardinality, join
//! columns, order). The GraphQL schemas, where-inputs, sort inputs and the SQL compiler are all
//! generated from it; adding a field is one entry here plus a migration.

/// The scalar type of a field, as GraphQL shows it and as the compiler binds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    /// `ID` (text).
    Id,
    /// `String`.
    String,
    /// `Boolean`.
    Boolean,
    /// `Int` (stored as BIGINT).
    Int,
    /// `DateTime`: ISO-8601 UTC text on the wire.
    DateTime,
    /// `[String!]`: a list of strings.
    StringList,
}

impl ScalarKind {
    /// The GraphQL type name of one value.
    pub fn graphql_name(self) -> &'static str {
        match self {
            ScalarKind::Id => "ID",
            ScalarKind::String | ScalarKind::StringList => "String",
            ScalarKind::Boolean => "Boolean",
            ScalarKind::Int => "Int",
            ScalarKind::DateTime => "DateTime",
        }
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldSource {
    /// A column of the type's table.
    Column(&'static str),
    /// A SQL expression template valid in every dialect; `{t}` stands for the row's table alias.
    Expr(&'static str),
    /// The type's internal asset type label (`ECSTaskDefinition`…).
    AssetTypeLabel,
    /// The type's asset category label.
    AssetCategory,
    /// The asset's readable name ([`AssetInfo::name_expr`]).
    AssetName,
    /// A constant string.
    Literal(&'static str),
}

/// One scalar field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// GraphQL field name.
    pub name: &'static str,
    /// Scalar type.
    pub kind: ScalarKind,
    /// Whether the value may be null.
    pub nullable: bool,
    /// Where the value comes from.
    pub source: FieldSource,
    /// One-line description shown by introspection.
    pub description: &'static str,
}

/// How many related rows a relationship has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cardinality {
    /// At most one is returned (`task`), though the filter semantics follow each dialect.
    One,
    /// A list (`containerSpecs`).
    Many,
}

/// A relationship from one type to another, joined on `tenant_id` plus `join` column pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelationshipDef {
    /// GraphQL field name.
    pub name: &'static str,
    /// Target type name.
    pub target: &'static str,
    /// One or many.
    pub cardinality: Cardinality,
    /// (parent column, child column) pairs, besides `tenant_id`.
    pub join: &'static [(&'static str, &'static str)],
    /// Default order of related rows: (child column, descending). For `One`, the first row is
    /// the one returned.
    pub order: &'static [(&'static str, bool)],
    /// One-line description shown by introspection.
    pub description: &'static str,
}

/// Labels of a type that implements the `Asset` interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetInfo {
    /// `internalAssetType`, e.g. `ECSTaskDefinition`.
    pub internal_asset_type: &'static str,
    /// `assetCategory`.
    pub category: &'static str,
    /// Root list field, e.g. `ecsTaskDefinitions`.
    pub root_field: &'static str,
    /// SQL template of `internalName` (`{t}` = row alias).
    pub name_expr: &'static str,
    /// When `internalName` is a NOT NULL column, a separator and more NOT NULL text: that
    /// column and the separator. A prefix without the separator starts the name exactly when
    /// it starts the column, so `internalName_STARTS_WITH` can test (and index) the column.
    pub name_prefix: Option<(&'static str, char)>,
}

/// One GraphQL object type backed by one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeDef {
    /// GraphQL type name.
    pub name: &'static str,
    /// Table name.
    pub table: &'static str,
    /// One-line description shown by introspection.
    pub description: &'static str,
    /// Present when the type implements `Asset` and has root fields.
    pub asset: Option<AssetInfo>,
    /// Scalar fields other than the `Asset` interface's.
    pub fields: &'static [FieldDef],
    /// Relationships.
    pub relationships: &'static [RelationshipDef],
    /// Columns that identify a row; the stable last sort key.
    pub key: &'static [&'static str],
}

const fn field(
    name: &'static str,
    kind: ScalarKind,
    nullable: bool,
    column: &'static str,
    description: &'static str,
) -> FieldDef {
    FieldDef {
        name,
        kind,
        nullable,
        source: FieldSource::Column(column),
        description,
    }
}

use ScalarKind::{Boolean, DateTime, Id, Int, String as Str, StringList};

/// The fields of the `Asset` interface, in the order of the stored controls' `AssetFragment`.
pub const ASSET_FIELDS: &[FieldDef] = &[
    field("identifier", Id, false, "arn", "Stable identifier of the asset within its tenant (its ARN)."),
    field("accountID", Str, false, "tenant_id", "The tenant that owns the asset."),
    field("cloudAccountID", Str, false, "cloud_account_id", "The AWS account id."),
    FieldDef {
        name: "cloudAccountName",
        kind: Str,
        nullable: true,
        source: FieldSource::Expr(
            "(SELECT ca.name FROM cloud_accounts ca WHERE ca.tenant_id = {t}.tenant_id AND ca.id = {t}.cloud_account_id)",
        ),
        description: "The configured display name of the AWS account.",
    },
    FieldDef {
        name: "cloudProvider",
        kind: Str,
        nullable: false,
        source: FieldSource::Literal("aws"),
        description: "Always `aws`.",
    },
    field("idFromProvider", Str, false, "arn", "The ARN."),
    FieldDef {
        name: "internalAssetType",
        kind: Str,
        nullable: false,
        source: FieldSource::AssetTypeLabel,
        description: "ECSTaskDefinition, ECSTask, ECSService or ECSCluster.",
    },
    FieldDef {
        name: "internalName",
        kind: Str,
        nullable: false,
        source: FieldSource::AssetName,
        description: "A readable name (cluster, service or task name; family:revision).",
    },
    field("internalRegion", Str, false, "region", "The AWS region."),
    FieldDef {
        name: "assetCategory",
        kind: Str,
        nullable: false,
        source: FieldSource::AssetCategory,
        description: "Asset category, `Containers` for ECS.",
    },
    field("contentHash", Str, false, "content_hash", "Digest of the asset's content; changes when it changes."),
];

const SEEN_FIELDS: [FieldDef; 2] = [
    field(
        "firstSeenAt",
        DateTime,
        false,
        "first_seen_at",
        "When the inventory first saw the asset.",
    ),
    field(
        "lastSeenAt",
        DateTime,
        false,
        "last_seen_at",
        "When the inventory last saw the asset.",
    ),
];

const TAGS: RelationshipDef = RelationshipDef {
    name: "tags",
    target: "Tag",
    cardinality: Cardinality::Many,
    join: &[("arn", "resource_arn")],
    order: &[("key", false)],
    description: "Tags of the asset.",
};

/// Every type of the catalogue.
pub const CATALOGUE: &[TypeDef] = &[
    TypeDef {
        name: "EcsTaskDefinition",
        table: "ecs_task_definitions",
        description: "One revision of an ECS task definition.",
        asset: Some(AssetInfo {
            internal_asset_type: "ECSTaskDefinition",
            category: "Containers",
            root_field: "ecsTaskDefinitions",
            name_expr: "({t}.family || ':' || {t}.revision)",
            name_prefix: Some(("family", ':')),
        }),
        fields: &[
            field("arn", Id, false, "arn", "The revision ARN."),
            field("family", Str, false, "family", "The family name."),
            field("revision", Int, false, "revision", "The revision number."),
            field("status", Str, true, "status", "ACTIVE, INACTIVE or DELETE_IN_PROGRESS."),
            field("networkMode", Str, true, "network_mode", "bridge, host, awsvpc or none."),
            field("pidMode", Str, true, "pid_mode", "host or task."),
            field("ipcMode", Str, true, "ipc_mode", "host, task or none."),
            field("taskRoleArn", Str, true, "task_role_arn", "IAM role of the task."),
            field("executionRoleArn", Str, true, "execution_role_arn", "IAM role of the ECS agent."),
            field("cpu", Str, true, "cpu", "Task-level CPU units as AWS reports them."),
            field("memory", Str, true, "memory", "Task-level memory as AWS reports it."),
            field("requiresCompatibilities", StringList, true, "requires_compatibilities", "EC2, FARGATE, EXTERNAL."),
            field("registeredAt", DateTime, true, "registered_at", "When the revision was registered."),
            field("deregisteredAt", DateTime, true, "deregistered_at", "When the revision was deregistered."),
            SEEN_FIELDS[0],
            SEEN_FIELDS[1],
        ],
        relationships: &[
            RelationshipDef {
                name: "containerSpecs",
                target: "ContainerSpec",
                cardinality: Cardinality::Many,
                join: &[("arn", "task_definition_arn")],
                order: &[("ordinal", false)],
                description: "Container definitions of the revision.",
            },
            RelationshipDef {
                name: "task",
                target: "EcsTask",
                cardinality: Cardinality::One,
                join: &[("arn", "task_definition_arn")],
                order: &[("started_at", true), ("arn", false)],
                description: "A running task of this revision (the most recently started). `task_NOT: null` means \"in use\".",
            },
            RelationshipDef {
                name: "tasks",
                target: "EcsTask",
                cardinality: Cardinality::Many,
                join: &[("arn", "task_definition_arn")],
                order: &[("started_at", true), ("arn", false)],
                description: "All running tasks of this revision.",
            },
            RelationshipDef {
                name: "services",
                target: "EcsService",
                cardinality: Cardinality::Many,
                join: &[("arn", "task_definition_arn")],
                order: &[("arn", false)],
                description: "Services that run this revision.",
            },
            TAGS,
        ],
        key: &["arn"],
    },
    TypeDef {
        name: "ContainerSpec",
        table: "ecs_container_specs",
        description: "A container definition of a task definition revision.",
        asset: None,
        fields: &[
            field("name", Str, false, "name", "Container name."),
            field("image", Str, true, "image", "Image reference."),
            field("cpu", Int, true, "cpu", "CPU units."),
            field("memory", Int, true, "memory", "Hard memory limit (MiB)."),
            field("memoryReservation", Int, true, "memory_reservation", "Soft memory limit (MiB)."),
            field("essential", Boolean, true, "essential", "Whether the task stops when this container stops."),
            field("privileged", Boolean, true, "privileged", "`privileged`; null when the definition does not set it."),
            field("user", Str, true, "user_name", "`user`; null when the definition does not set it."),
            field("readOnlyRootFS", Boolean, true, "readonly_root_filesystem", "`readonlyRootFilesystem`; null when unset."),
            field("capabilitiesAdd", StringList, true, "capabilities_add", "Linux capabilities added."),
            field("capabilitiesDrop", StringList, true, "capabilities_drop", "Linux capabilities dropped."),
        ],
        relationships: &[
            RelationshipDef {
                name: "envEntries",
                target: "EnvEntry",
                cardinality: Cardinality::Many,
                join: &[("task_definition_arn", "task_definition_arn"), ("name", "container_name")],
                order: &[("ordinal", false)],
                description: "Environment variables (names only; values never enter the inventory).",
            },
            RelationshipDef {
                name: "taskDefinition",
                target: "EcsTaskDefinition",
                cardinality: Cardinality::One,
                join: &[("task_definition_arn", "arn")],
                order: &[],
                description: "The revision this container belongs to.",
            },
        ],
        key: &["task_definition_arn", "name"],
    },
    TypeDef {
        name: "EnvEntry",
        table: "ecs_container_env_entries",
        description: "An environment variable of a container: its name and whether a value is set.",
        asset: None,
        fields: &[
            field("key", Str, false, "name", "Variable name."),
            field("hasValue", Boolean, false, "has_value", "Whether the definition sets a value."),
        ],
        relationships: &[],
        key: &["task_definition_arn", "container_name", "ordinal"],
    },
    TypeDef {
        name: "EcsTask",
        table: "ecs_tasks",
        description: "A running ECS task.",
        asset: Some(AssetInfo {
            internal_asset_type: "ECSTask",
            category: "Containers",
            root_field: "ecsTasks",
            name_expr: "{t}.name",
            name_prefix: None,
        }),
        fields: &[
            field("arn", Id, false, "arn", "The task ARN."),
            field("name", Str, false, "name", "The task id."),
            field("clusterArn", Str, true, "cluster_arn", "Cluster ARN."),
            field("taskDefinitionArn", Str, true, "task_definition_arn", "The revision it runs."),
            field("lastStatus", Str, true, "last_status", "Last known status."),
            field("desiredStatus", Str, true, "desired_status", "Desired status."),
            field("launchType", Str, true, "launch_type", "EC2, FARGATE or EXTERNAL."),
            field("platformVersion", Str, true, "platform_version", "Fargate platform version."),
            field("cpu", Str, true, "cpu", "Task CPU."),
            field("memory", Str, true, "memory", "Task memory."),
            field("group", Str, true, "group_name", "Task group (`service:NAME` for service tasks)."),
            field("availabilityZone", Str, true, "availability_zone", "Availability zone."),
            field("startedAt", DateTime, true, "started_at", "When the task started."),
            SEEN_FIELDS[0],
            SEEN_FIELDS[1],
        ],
        relationships: &[
            RelationshipDef {
                name: "taskDefinition",
                target: "EcsTaskDefinition",
                cardinality: Cardinality::One,
                join: &[("task_definition_arn", "arn")],
                order: &[],
                description: "The revision the task runs.",
            },
            RelationshipDef {
                name: "cluster",
                target: "EcsCluster",
                cardinality: Cardinality::One,
                join: &[("cluster_arn", "arn")],
                order: &[],
                description: "The cluster the task runs in.",
            },
            TAGS,
        ],
        key: &["arn"],
    },
    TypeDef {
        name: "EcsService",
        table: "ecs_services",
        description: "An ECS service.",
        asset: Some(AssetInfo {
            internal_asset_type: "ECSService",
            category: "Containers",
            root_field: "ecsServices",
            name_expr: "{t}.name",
            name_prefix: None,
        }),
        fields: &[
            field("arn", Id, false, "arn", "The service ARN."),
            field("name", Str, false, "name", "Service name."),
            field("clusterArn", Str, true, "cluster_arn", "Cluster ARN."),
            field("status", Str, true, "status", "ACTIVE, DRAINING or INACTIVE."),
            field("launchType", Str, true, "launch_type", "EC2, FARGATE or EXTERNAL."),
            field("platformVersion", Str, true, "platform_version", "Fargate platform version; null when not set."),
            field("platformFamily", Str, true, "platform_family", "Fargate platform family."),
            field("taskDefinitionArn", Str, true, "task_definition_arn", "The revision the service runs."),
            field("schedulingStrategy", Str, true, "scheduling_strategy", "REPLICA or DAEMON."),
            field("desiredCount", Int, true, "desired_count", "Desired task count."),
            field("runningCount", Int, true, "running_count", "Running task count."),
            field("pendingCount", Int, true, "pending_count", "Pending task count."),
            field("createdAt", DateTime, true, "created_at", "When the service was created."),
            SEEN_FIELDS[0],
            SEEN_FIELDS[1],
        ],
        relationships: &[
            RelationshipDef {
                name: "hasECSServiceNetworkConfigurations",
                target: "EcsServiceNetworkConfiguration",
                cardinality: Cardinality::Many,
                join: &[("arn", "service_arn")],
                order: &[],
                description: "The awsvpc network configuration (at most one).",
            },
            RelationshipDef {
                name: "cluster",
                target: "EcsCluster",
                cardinality: Cardinality::One,
                join: &[("cluster_arn", "arn")],
                order: &[],
                description: "The cluster hosting the service.",
            },
            RelationshipDef {
                name: "taskDefinition",
                target: "EcsTaskDefinition",
                cardinality: Cardinality::One,
                join: &[("task_definition_arn", "arn")],
                order: &[],
                description: "The revision the service runs.",
            },
            TAGS,
        ],
        key: &["arn"],
    },
    TypeDef {
        name: "EcsServiceNetworkConfiguration",
        table: "ecs_service_network_configurations",
        description: "The awsvpc network configuration of a service.",
        asset: None,
        fields: &[
            field("assignPublicIP", Boolean, true, "assign_public_ip", "ENABLED is true, DISABLED false, unset null."),
            field("subnets", StringList, true, "subnets", "Subnet ids."),
            field("securityGroups", StringList, true, "security_groups", "Security group ids."),
        ],
        relationships: &[],
        key: &["service_arn"],
    },
    TypeDef {
        name: "EcsCluster",
        table: "ecs_clusters",
        description: "An ECS cluster.",
        asset: Some(AssetInfo {
            internal_asset_type: "ECSCluster",
            category: "Containers",
            root_field: "ecsClusters",
            name_expr: "{t}.name",
            name_prefix: None,
        }),
        fields: &[
            field("arn", Id, false, "arn", "The cluster ARN."),
            field("name", Str, false, "name", "Cluster name."),
            field("status", Str, true, "status", "ACTIVE, PROVISIONING, DEPROVISIONING, FAILED or INACTIVE."),
            field("runningTasksCount", Int, true, "running_tasks_count", "Tasks in the RUNNING state."),
            field("pendingTasksCount", Int, true, "pending_tasks_count", "Tasks in the PENDING state."),
            field("activeServicesCount", Int, true, "active_services_count", "Services in the ACTIVE state."),
            field("registeredContainerInstancesCount", Int, true, "registered_container_instances_count", "Registered container instances."),
            field("capacityProviders", StringList, true, "capacity_providers", "Capacity providers."),
            SEEN_FIELDS[0],
            SEEN_FIELDS[1],
        ],
        relationships: &[
            RelationshipDef {
                name: "hasECSSettings",
                target: "EcsClusterSetting",
                cardinality: Cardinality::Many,
                join: &[("arn", "cluster_arn")],
                order: &[("name", false)],
                description: "Cluster settings such as containerInsights.",
            },
            RelationshipDef {
                name: "services",
                target: "EcsService",
                cardinality: Cardinality::Many,
                join: &[("arn", "cluster_arn")],
                order: &[("arn", false)],
                description: "Services in the cluster.",
            },
            RelationshipDef {
                name: "tasks",
                target: "EcsTask",
                cardinality: Cardinality::Many,
                join: &[("arn", "cluster_arn")],
                order: &[("started_at", true), ("arn", false)],
                description: "Running tasks in the cluster.",
            },
            TAGS,
        ],
        key: &["arn"],
    },
    TypeDef {
        name: "EcsClusterSetting",
        table: "ecs_cluster_settings",
        description: "A cluster setting, e.g. containerInsights = enabled.",
        asset: None,
        fields: &[
            field("key", Str, false, "name", "Setting name."),
            field("value", Str, true, "value", "Setting value."),
        ],
        relationships: &[],
        key: &["cluster_arn", "name"],
    },
    TypeDef {
        name: "Tag",
        table: "tags",
        description: "A tag of an asset.",
        asset: None,
        fields: &[
            field("key", Str, false, "key", "Tag key."),
            field("value", Str, true, "value", "Tag value."),
        ],
        relationships: &[],
        key: &["resource_arn", "key"],
    },
];

impl TypeDef {
    /// Looks a type up by GraphQL name.
    pub fn named(name: &str) -> Option<&'static TypeDef> {
        CATALOGUE.iter().find(|t| t.name == name)
    }

    /// Every scalar field, the `Asset` interface's first for asset types.
    pub fn all_fields(&self) -> impl Iterator<Item = &'static FieldDef> + '_ {
        let asset: &'static [FieldDef] = if self.asset.is_some() {
            ASSET_FIELDS
        } else {
            &[]
        };
        asset.iter().chain(self.fields.iter())
    }

    /// A scalar field by GraphQL name.
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.all_fields().find(|f| f.name == name)
    }

    /// A relationship by GraphQL name.
    pub fn relationship(&self, name: &str) -> Option<&'static RelationshipDef> {
        self.relationships.iter().find(|r| r.name == name)
    }

    /// The target type of `relationship`.
    pub fn target(relationship: &RelationshipDef) -> &'static TypeDef {
        TypeDef::named(relationship.target).expect("catalogue relationships name catalogue types")
    }
}

/// The `Asset` interface as a type whose fields are the interface's: what `AssetWhere` and
/// `AssetSort` are parsed against. It has no table; the compiler applies its filters to each
/// concrete asset type.
pub static ASSET_INTERFACE: TypeDef = TypeDef {
    name: "Asset",
    table: "",
    description: "Identity fields every asset has (the stored controls' AssetFragment).",
    asset: None,
    fields: ASSET_FIELDS,
    relationships: &[],
    key: &["arn"],
};

/// The asset types (those implementing `Asset`), in catalogue order.
pub fn asset_types() -> impl Iterator<Item = &'static TypeDef> {
    CATALOGUE.iter().filter(|t| t.asset.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_relationship_targets_a_catalogue_type_with_its_join_columns() {
        for ty in CATALOGUE {
            for rel in ty.relationships {
                let target = TypeDef::named(rel.target).unwrap_or_else(|| {
                    panic!("{}.{} targets unknown {}", ty.name, rel.name, rel.target)
                });
                assert!(
                    !rel.join.is_empty(),
                    "{}.{} has join columns",
                    ty.name,
                    rel.name
                );
                let _ = target;
            }
        }
    }

    #[test]
    fn field_names_are_unique_per_type() {
        for ty in CATALOGUE {
            let mut names: Vec<&str> = ty.all_fields().map(|f| f.name).collect();
            names.extend(ty.relationships.iter().map(|r| r.name));
            let count = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "duplicate field name in {}", ty.name);
        }
    }

    #[test]
    fn the_controls_field_names_exist() {
        let td = TypeDef::named("EcsTaskDefinition").expect("type");
        assert!(td.field("networkMode").is_some() && td.field("pidMode").is_some());
        assert!(td.relationship("task").is_some() && td.relationship("containerSpecs").is_some());
        let container = TypeDef::named("ContainerSpec").expect("type");
        for f in ["privileged", "user", "readOnlyRootFS"] {
            assert!(container.field(f).is_some(), "{f}");
        }
        assert!(container.relationship("envEntries").is_some());
        let service = TypeDef::named("EcsService").expect("type");
        assert!(service
            .relationship("hasECSServiceNetworkConfigurations")
            .is_some());
        assert!(service.field("platformVersion").is_some());
        let cluster = TypeDef::named("EcsCluster").expect("type");
        assert!(cluster.relationship("hasECSSettings").is_some());
    }
}
