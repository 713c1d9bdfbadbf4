//! The ECS asset types and the fields every asset has: the data the schemas, where-inputs and
//! the compiler are generated from.

use super::{
    field, Api, AssetInfo, Cardinality, FieldDef, FieldSource, RelationshipDef, ScalarKind, TypeDef,
};

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
        api: Api::None,
    },
    FieldDef {
        name: "cloudProvider",
        kind: Str,
        nullable: false,
        source: FieldSource::Literal("aws"),
        description: "Always `aws`.",
        api: Api::None,
    },
    field("idFromProvider", Str, false, "arn", "The ARN."),
    FieldDef {
        name: "internalAssetType",
        kind: Str,
        nullable: false,
        source: FieldSource::AssetTypeLabel,
        description: "ECSTaskDefinition, ECSTask, ECSService or ECSCluster.",
        api: Api::None,
    },
    FieldDef {
        name: "internalName",
        kind: Str,
        nullable: false,
        source: FieldSource::AssetName,
        description: "A readable name (cluster, service or task name; family:revision).",
        api: Api::None,
    },
    field("internalRegion", Str, false, "region", "The AWS region."),
    FieldDef {
        name: "assetCategory",
        kind: Str,
        nullable: false,
        source: FieldSource::AssetCategory,
        description: "Asset category, `Containers` for ECS.",
        api: Api::None,
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
    owned: Some(&["tags"]),
};

/// Every type of the catalogue.
pub const CATALOGUE: &[TypeDef] = &[
    ECS_TASK_DEFINITION,
    CONTAINER_SPEC,
    ENV_ENTRY,
    ECS_TASK,
    ECS_SERVICE,
    ECS_SERVICE_NETWORK_CONFIGURATION,
    ECS_CLUSTER,
    ECS_CLUSTER_SETTING,
    TAG,
];

/// The `EcsTaskDefinition` type.
pub const ECS_TASK_DEFINITION: TypeDef = TypeDef {
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
        field("arn", Id, false, "arn", "The revision ARN.").at(&["taskDefinitionArn"]),
        field("family", Str, false, "family", "The family name.").at(&["family"]),
        field("revision", Int, false, "revision", "The revision number.").at(&["revision"]),
        field("status", Str, true, "status", "ACTIVE, INACTIVE or DELETE_IN_PROGRESS.").at(&["status"]),
        field("networkMode", Str, true, "network_mode", "bridge, host, awsvpc or none.").at(&["networkMode"]),
        field("pidMode", Str, true, "pid_mode", "host or task.").at(&["pidMode"]),
        field("ipcMode", Str, true, "ipc_mode", "host, task or none.").at(&["ipcMode"]),
        field("taskRoleArn", Str, true, "task_role_arn", "IAM role of the task.").at(&["taskRoleArn"]),
        field("executionRoleArn", Str, true, "execution_role_arn", "IAM role of the ECS agent.").at(&["executionRoleArn"]),
        field("cpu", Str, true, "cpu", "Task-level CPU units as AWS reports them.").at(&["cpu"]),
        field("memory", Str, true, "memory", "Task-level memory as AWS reports it.").at(&["memory"]),
        field("requiresCompatibilities", StringList, true, "requires_compatibilities", "EC2, FARGATE, EXTERNAL.").at(&["requiresCompatibilities"]),
        field("registeredAt", DateTime, true, "registered_at", "When the revision was registered.").at(&["registeredAt"]),
        field("deregisteredAt", DateTime, true, "deregistered_at", "When the revision was deregistered.").at(&["deregisteredAt"]),
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
            owned: Some(&["containerDefinitions"]),
        },
        RelationshipDef {
            name: "task",
            target: "EcsTask",
            cardinality: Cardinality::One,
            join: &[("arn", "task_definition_arn")],
            order: &[("started_at", true), ("arn", false)],
            description: "A running task of this revision (the most recently started). `task_NOT: null` means \"in use\".",
            owned: None,
        },
        RelationshipDef {
            name: "tasks",
            target: "EcsTask",
            cardinality: Cardinality::Many,
            join: &[("arn", "task_definition_arn")],
            order: &[("started_at", true), ("arn", false)],
            description: "All running tasks of this revision.",
            owned: None,
        },
        RelationshipDef {
            name: "services",
            target: "EcsService",
            cardinality: Cardinality::Many,
            join: &[("arn", "task_definition_arn")],
            order: &[("arn", false)],
            description: "Services that run this revision.",
            owned: None,
        },
        TAGS,
    ],
    key: &["arn"],

};

/// The `ContainerSpec` type.
pub const CONTAINER_SPEC: TypeDef = TypeDef {
    name: "ContainerSpec",
    table: "ecs_container_specs",
    description: "A container definition of a task definition revision.",
    asset: None,
    fields: &[
        field("name", Str, false, "name", "Container name.").at(&["name"]),
        field("image", Str, true, "image", "Image reference.").at(&["image"]),
        field("cpu", Int, true, "cpu", "CPU units.").at(&["cpu"]),
        field("memory", Int, true, "memory", "Hard memory limit (MiB).").at(&["memory"]),
        field(
            "memoryReservation",
            Int,
            true,
            "memory_reservation",
            "Soft memory limit (MiB).",
        )
        .at(&["memoryReservation"]),
        field(
            "essential",
            Boolean,
            true,
            "essential",
            "Whether the task stops when this container stops.",
        )
        .at(&["essential"]),
        field(
            "privileged",
            Boolean,
            true,
            "privileged",
            "`privileged`; null when the definition does not set it.",
        )
        .at(&["privileged"]),
        field(
            "user",
            Str,
            true,
            "user_name",
            "`user`; null when the definition does not set it.",
        )
        .at(&["user"]),
        field(
            "readOnlyRootFS",
            Boolean,
            true,
            "readonly_root_filesystem",
            "`readonlyRootFilesystem`; null when unset.",
        )
        .at(&["readonlyRootFilesystem"]),
        field(
            "capabilitiesAdd",
            StringList,
            true,
            "capabilities_add",
            "Linux capabilities added.",
        )
        .at(&["linuxParameters", "capabilities", "add"]),
        field(
            "capabilitiesDrop",
            StringList,
            true,
            "capabilities_drop",
            "Linux capabilities dropped.",
        )
        .at(&["linuxParameters", "capabilities", "drop"]),
    ],
    relationships: &[
        RelationshipDef {
            name: "envEntries",
            target: "EnvEntry",
            cardinality: Cardinality::Many,
            join: &[
                ("task_definition_arn", "task_definition_arn"),
                ("name", "container_name"),
            ],
            order: &[("ordinal", false)],
            description: "Environment variables (names only; values never enter the inventory).",
            owned: Some(&["environment"]),
        },
        RelationshipDef {
            name: "taskDefinition",
            target: "EcsTaskDefinition",
            cardinality: Cardinality::One,
            join: &[("task_definition_arn", "arn")],
            order: &[],
            description: "The revision this container belongs to.",
            owned: None,
        },
    ],
    key: &["task_definition_arn", "name"],
};

/// The `EnvEntry` type.
pub const ENV_ENTRY: TypeDef = TypeDef {
    name: "EnvEntry",
    table: "ecs_container_env_entries",
    description: "An environment variable of a container: its name and whether a value is set.",
    asset: None,
    fields: &[
        field("key", Str, false, "name", "Variable name.").at(&["name"]),
        field(
            "hasValue",
            Boolean,
            false,
            "has_value",
            "Whether the definition sets a value.",
        )
        .set(&["value"]),
    ],
    relationships: &[],
    key: &["task_definition_arn", "container_name", "ordinal"],
};

/// The `EcsTask` type.
pub const ECS_TASK: TypeDef = TypeDef {
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
        field("arn", Id, false, "arn", "The task ARN.").at(&["taskArn"]),
        field("name", Str, false, "name", "The task id.").arn_id_or(&[]),
        field("clusterArn", Str, true, "cluster_arn", "Cluster ARN.").at(&["clusterArn"]),
        field(
            "taskDefinitionArn",
            Str,
            true,
            "task_definition_arn",
            "The revision it runs.",
        )
        .at(&["taskDefinitionArn"]),
        field("lastStatus", Str, true, "last_status", "Last known status.").at(&["lastStatus"]),
        field(
            "desiredStatus",
            Str,
            true,
            "desired_status",
            "Desired status.",
        )
        .at(&["desiredStatus"]),
        field(
            "launchType",
            Str,
            true,
            "launch_type",
            "EC2, FARGATE or EXTERNAL.",
        )
        .at(&["launchType"]),
        field(
            "platformVersion",
            Str,
            true,
            "platform_version",
            "Fargate platform version.",
        )
        .at(&["platformVersion"]),
        field("cpu", Str, true, "cpu", "Task CPU.").at(&["cpu"]),
        field("memory", Str, true, "memory", "Task memory.").at(&["memory"]),
        field(
            "group",
            Str,
            true,
            "group_name",
            "Task group (`service:NAME` for service tasks).",
        )
        .at(&["group"]),
        field(
            "availabilityZone",
            Str,
            true,
            "availability_zone",
            "Availability zone.",
        )
        .at(&["availabilityZone"]),
        field(
            "startedAt",
            DateTime,
            true,
            "started_at",
            "When the task started.",
        )
        .at(&["startedAt"]),
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
            owned: None,
        },
        RelationshipDef {
            name: "cluster",
            target: "EcsCluster",
            cardinality: Cardinality::One,
            join: &[("cluster_arn", "arn")],
            order: &[],
            description: "The cluster the task runs in.",
            owned: None,
        },
        TAGS,
    ],
    key: &["arn"],
};

/// The `EcsService` type.
pub const ECS_SERVICE: TypeDef = TypeDef {
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
        field("arn", Id, false, "arn", "The service ARN.").at(&["serviceArn"]),
        field("name", Str, false, "name", "Service name.").arn_id_or(&["serviceName"]),
        field("clusterArn", Str, true, "cluster_arn", "Cluster ARN.").at(&["clusterArn"]),
        field(
            "status",
            Str,
            true,
            "status",
            "ACTIVE, DRAINING or INACTIVE.",
        )
        .at(&["status"]),
        field(
            "launchType",
            Str,
            true,
            "launch_type",
            "EC2, FARGATE or EXTERNAL.",
        )
        .at(&["launchType"]),
        field(
            "platformVersion",
            Str,
            true,
            "platform_version",
            "Fargate platform version; null when not set.",
        )
        .at(&["platformVersion"]),
        field(
            "platformFamily",
            Str,
            true,
            "platform_family",
            "Fargate platform family.",
        )
        .at(&["platformFamily"]),
        field(
            "taskDefinitionArn",
            Str,
            true,
            "task_definition_arn",
            "The revision the service runs.",
        )
        .at(&["taskDefinition"]),
        field(
            "schedulingStrategy",
            Str,
            true,
            "scheduling_strategy",
            "REPLICA or DAEMON.",
        )
        .at(&["schedulingStrategy"]),
        field(
            "desiredCount",
            Int,
            true,
            "desired_count",
            "Desired task count.",
        )
        .at(&["desiredCount"]),
        field(
            "runningCount",
            Int,
            true,
            "running_count",
            "Running task count.",
        )
        .at(&["runningCount"]),
        field(
            "pendingCount",
            Int,
            true,
            "pending_count",
            "Pending task count.",
        )
        .at(&["pendingCount"]),
        field(
            "createdAt",
            DateTime,
            true,
            "created_at",
            "When the service was created.",
        )
        .at(&["createdAt"]),
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
            owned: Some(&["networkConfiguration", "awsvpcConfiguration"]),
        },
        RelationshipDef {
            name: "cluster",
            target: "EcsCluster",
            cardinality: Cardinality::One,
            join: &[("cluster_arn", "arn")],
            order: &[],
            description: "The cluster hosting the service.",
            owned: None,
        },
        RelationshipDef {
            name: "taskDefinition",
            target: "EcsTaskDefinition",
            cardinality: Cardinality::One,
            join: &[("task_definition_arn", "arn")],
            order: &[],
            description: "The revision the service runs.",
            owned: None,
        },
        TAGS,
    ],
    key: &["arn"],
};

/// The `EcsServiceNetworkConfiguration` type.
pub const ECS_SERVICE_NETWORK_CONFIGURATION: TypeDef = TypeDef {
    name: "EcsServiceNetworkConfiguration",
    table: "ecs_service_network_configurations",
    description: "The awsvpc network configuration of a service.",
    asset: None,
    fields: &[
        field(
            "assignPublicIP",
            Boolean,
            true,
            "assign_public_ip",
            "ENABLED is true, DISABLED false, unset null.",
        )
        .enabled(&["assignPublicIp"]),
        field("subnets", StringList, true, "subnets", "Subnet ids.").at(&["subnets"]),
        field(
            "securityGroups",
            StringList,
            true,
            "security_groups",
            "Security group ids.",
        )
        .at(&["securityGroups"]),
    ],
    relationships: &[],
    key: &["service_arn"],
};

/// The `EcsCluster` type.
pub const ECS_CLUSTER: TypeDef = TypeDef {
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
        field("arn", Id, false, "arn", "The cluster ARN.").at(&["clusterArn"]),
        field("name", Str, false, "name", "Cluster name.").arn_id_or(&["clusterName"]),
        field(
            "status",
            Str,
            true,
            "status",
            "ACTIVE, PROVISIONING, DEPROVISIONING, FAILED or INACTIVE.",
        )
        .at(&["status"]),
        field(
            "runningTasksCount",
            Int,
            true,
            "running_tasks_count",
            "Tasks in the RUNNING state.",
        )
        .at(&["runningTasksCount"]),
        field(
            "pendingTasksCount",
            Int,
            true,
            "pending_tasks_count",
            "Tasks in the PENDING state.",
        )
        .at(&["pendingTasksCount"]),
        field(
            "activeServicesCount",
            Int,
            true,
            "active_services_count",
            "Services in the ACTIVE state.",
        )
        .at(&["activeServicesCount"]),
        field(
            "registeredContainerInstancesCount",
            Int,
            true,
            "registered_container_instances_count",
            "Registered container instances.",
        )
        .at(&["registeredContainerInstancesCount"]),
        field(
            "capacityProviders",
            StringList,
            true,
            "capacity_providers",
            "Capacity providers.",
        )
        .at(&["capacityProviders"]),
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
            owned: Some(&["settings"]),
        },
        RelationshipDef {
            name: "services",
            target: "EcsService",
            cardinality: Cardinality::Many,
            join: &[("arn", "cluster_arn")],
            order: &[("arn", false)],
            description: "Services in the cluster.",
            owned: None,
        },
        RelationshipDef {
            name: "tasks",
            target: "EcsTask",
            cardinality: Cardinality::Many,
            join: &[("arn", "cluster_arn")],
            order: &[("started_at", true), ("arn", false)],
            description: "Running tasks in the cluster.",
            owned: None,
        },
        TAGS,
    ],
    key: &["arn"],
};

/// The `EcsClusterSetting` type.
pub const ECS_CLUSTER_SETTING: TypeDef = TypeDef {
    name: "EcsClusterSetting",
    table: "ecs_cluster_settings",
    description: "A cluster setting, e.g. containerInsights = enabled.",
    asset: None,
    fields: &[
        field("key", Str, false, "name", "Setting name.").at(&["name"]),
        field("value", Str, true, "value", "Setting value.").at(&["value"]),
    ],
    relationships: &[],
    key: &["cluster_arn", "name"],
};

/// The `Tag` type.
pub const TAG: TypeDef = TypeDef {
    name: "Tag",
    table: "tags",
    description: "A tag of an asset.",
    asset: None,
    fields: &[
        field("key", Str, false, "key", "Tag key.").at(&["key"]),
        field("value", Str, true, "value", "Tag value.").at(&["value"]),
    ],
    relationships: &[],
    key: &["resource_arn", "key"],
};
