//! Clusters (DescribeClusters with settings, configurations and tags), capacity providers
//! (DescribeCapacityProviders), container instances (DescribeContainerInstances), and tags.

use super::service::STRATEGY;
use super::{children, field, many, opt, SEEN_FIELDS, TAGS};
use crate::catalogue::{AssetInfo, Cardinality, RelationshipDef, ScalarKind, TypeDef};

use ScalarKind::{Boolean, DateTime, Id, Int, String as Str, StringList};

/// The `EcsCluster` type.
#[rustfmt::skip]
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
        opt("status", Str, "status", "ACTIVE, PROVISIONING, DEPROVISIONING, FAILED or INACTIVE.").at(&["status"]),
        opt("runningTasksCount", Int, "running_tasks_count", "Tasks in the RUNNING state.").at(&["runningTasksCount"]),
        opt("pendingTasksCount", Int, "pending_tasks_count", "Tasks in the PENDING state.").at(&["pendingTasksCount"]),
        opt("activeServicesCount", Int, "active_services_count", "Services in the ACTIVE state.").at(&["activeServicesCount"]),
        opt("registeredContainerInstancesCount", Int, "registered_container_instances_count", "Registered container instances.").at(&["registeredContainerInstancesCount"]),
        opt("capacityProviders", StringList, "capacity_providers", "Names of the capacity providers associated with the cluster.").at(&["capacityProviders"]),
        opt("executeCommandKmsKeyId", Str, "execute_command_kms_key_id", "KMS key that encrypts ECS Exec session data (`configuration.executeCommandConfiguration.kmsKeyId`).").at(&["configuration", "executeCommandConfiguration", "kmsKeyId"]),
        opt("executeCommandLogging", Str, "execute_command_logging", "NONE, DEFAULT or OVERRIDE: where ECS Exec sessions are logged.").at(&["configuration", "executeCommandConfiguration", "logging"]),
        opt("executeCommandCloudWatchLogGroup", Str, "execute_command_log_group", "CloudWatch log group of ECS Exec sessions.").at(&["configuration", "executeCommandConfiguration", "logConfiguration", "cloudWatchLogGroupName"]),
        opt("executeCommandCloudWatchEncryption", Boolean, "execute_command_cloud_watch_encryption", "Whether that log group is encrypted.").at(&["configuration", "executeCommandConfiguration", "logConfiguration", "cloudWatchEncryptionEnabled"]),
        opt("executeCommandS3Bucket", Str, "execute_command_s3_bucket", "S3 bucket of ECS Exec session logs.").at(&["configuration", "executeCommandConfiguration", "logConfiguration", "s3BucketName"]),
        opt("executeCommandS3Encryption", Boolean, "execute_command_s3_encryption", "Whether those logs are encrypted in S3.").at(&["configuration", "executeCommandConfiguration", "logConfiguration", "s3EncryptionEnabled"]),
        opt("managedStorageKmsKeyId", Str, "managed_storage_kms_key_id", "KMS key for managed storage (`configuration.managedStorageConfiguration.kmsKeyId`).").at(&["configuration", "managedStorageConfiguration", "kmsKeyId"]),
        opt("fargateEphemeralStorageKmsKeyId", Str, "fargate_ephemeral_storage_kms_key_id", "KMS key for Fargate ephemeral storage.").at(&["configuration", "managedStorageConfiguration", "fargateEphemeralStorageKmsKeyId"]),
        opt("serviceConnectNamespace", Str, "service_connect_namespace", "Default Service Connect namespace (`serviceConnectDefaults.namespace`).").at(&["serviceConnectDefaults", "namespace"]),
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
        children("defaultCapacityProviderStrategy", "EcsCapacityProviderStrategyItem", STRATEGY, &["defaultCapacityProviderStrategy"], "The strategy used when a service or task names none."),
        many("services", "EcsService", &[("arn", "cluster_arn")], &[("arn", false)], "Services in the cluster."),
        many("tasks", "EcsTask", &[("arn", "cluster_arn")], &[("started_at", true), ("arn", false)], "Running tasks in the cluster."),
        many("taskSets", "EcsTaskSet", &[("arn", "cluster_arn")], &[("arn", false)], "Task sets in the cluster."),
        many("containerInstances", "EcsContainerInstance", &[("arn", "cluster_arn")], &[("arn", false)], "Container instances registered with the cluster."),
        TAGS,
    ],
    key: &["arn"],
};

/// The `EcsClusterSetting` type.
#[rustfmt::skip]
pub const ECS_CLUSTER_SETTING: TypeDef = TypeDef {
    name: "EcsClusterSetting",
    table: "ecs_cluster_settings",
    description: "A cluster setting, e.g. containerInsights = enabled.",
    asset: None,
    fields: &[
        field("key", Str, false, "name", "Setting name.").at(&["name"]),
        opt("value", Str, "value", "Setting value.").at(&["value"]),
    ],
    relationships: &[],
    key: &["cluster_arn", "name"],
};

/// The `EcsCapacityProvider` type.
#[rustfmt::skip]
pub const ECS_CAPACITY_PROVIDER: TypeDef = TypeDef {
    name: "EcsCapacityProvider",
    table: "ecs_capacity_providers",
    description: "A capacity provider: FARGATE, FARGATE_SPOT, or one backed by an Auto Scaling group.",
    asset: Some(AssetInfo {
        internal_asset_type: "ECSCapacityProvider",
        category: "Containers",
        root_field: "ecsCapacityProviders",
        name_expr: "{t}.name",
        name_prefix: None,
    }),
    fields: &[
        field("arn", Id, false, "arn", "The capacity provider ARN.").at(&["capacityProviderArn"]),
        field("name", Str, false, "name", "Capacity provider name.").arn_id_or(&["name"]),
        opt("status", Str, "status", "ACTIVE or INACTIVE.").at(&["status"]),
        opt("updateStatus", Str, "update_status", "State of the last update.").at(&["updateStatus"]),
        opt("autoScalingGroupArn", Str, "auto_scaling_group_arn", "The Auto Scaling group; null for Fargate providers.").at(&["autoScalingGroupProvider", "autoScalingGroupArn"]),
        opt("managedScalingStatus", Str, "managed_scaling_status", "ENABLED or DISABLED.").at(&["autoScalingGroupProvider", "managedScaling", "status"]),
        opt("managedScalingTargetCapacity", Int, "managed_scaling_target_capacity", "Target capacity utilization (%).").at(&["autoScalingGroupProvider", "managedScaling", "targetCapacity"]),
        opt("managedTerminationProtection", Str, "managed_termination_protection", "ENABLED or DISABLED.").at(&["autoScalingGroupProvider", "managedTerminationProtection"]),
        opt("managedDraining", Str, "managed_draining", "ENABLED or DISABLED.").at(&["autoScalingGroupProvider", "managedDraining"]),
        SEEN_FIELDS[0],
        SEEN_FIELDS[1],
    ],
    relationships: &[TAGS],
    key: &["arn"],
};

/// The `EcsContainerInstance` type.
#[rustfmt::skip]
pub const ECS_CONTAINER_INSTANCE: TypeDef = TypeDef {
    name: "EcsContainerInstance",
    table: "ecs_container_instances",
    description: "An EC2 instance (or external host) registered with a cluster.",
    asset: Some(AssetInfo {
        internal_asset_type: "ECSContainerInstance",
        category: "Containers",
        root_field: "ecsContainerInstances",
        name_expr: "COALESCE({t}.ec2_instance_id, {t}.arn)",
        name_prefix: None,
    }),
    fields: &[
        field("arn", Id, false, "arn", "The container instance ARN.").at(&["containerInstanceArn"]),
        opt("clusterArn", Str, "cluster_arn", "The cluster it is registered with (the cluster it was listed under).").at(&["clusterArn"]),
        opt("ec2InstanceId", Str, "ec2_instance_id", "EC2 instance id.").at(&["ec2InstanceId"]),
        opt("status", Str, "status", "ACTIVE, DRAINING, REGISTERING, …").at(&["status"]),
        opt("agentConnected", Boolean, "agent_connected", "Whether the ECS agent is connected.").at(&["agentConnected"]),
        opt("agentVersion", Str, "agent_version", "ECS agent version.").at(&["versionInfo", "agentVersion"]),
        opt("dockerVersion", Str, "docker_version", "Docker version.").at(&["versionInfo", "dockerVersion"]),
        opt("agentUpdateStatus", Str, "agent_update_status", "State of the last agent update.").at(&["agentUpdateStatus"]),
        opt("runningTasksCount", Int, "running_tasks_count", "Tasks in the RUNNING state.").at(&["runningTasksCount"]),
        opt("pendingTasksCount", Int, "pending_tasks_count", "Tasks in the PENDING state.").at(&["pendingTasksCount"]),
        opt("capacityProviderName", Str, "capacity_provider_name", "Its capacity provider.").at(&["capacityProviderName"]),
        opt("registeredAt", DateTime, "registered_at", "When it registered.").at(&["registeredAt"]),
        SEEN_FIELDS[0],
        SEEN_FIELDS[1],
    ],
    relationships: &[
        super::one("cluster", "EcsCluster", &[("cluster_arn", "arn")], "The cluster."),
        children("attributes", "EcsContainerInstanceAttribute", &[("arn", "container_instance_arn")], &["attributes"], "Attributes (capabilities the agent reports, custom attributes)."),
        many("tasks", "EcsTask", &[("arn", "container_instance_arn")], &[("started_at", true), ("arn", false)], "Running tasks on the instance."),
        TAGS,
    ],
    key: &["arn"],
};

/// The `EcsContainerInstanceAttribute` type.
#[rustfmt::skip]
pub const CONTAINER_INSTANCE_ATTRIBUTE: TypeDef = TypeDef {
    name: "EcsContainerInstanceAttribute",
    table: "ecs_container_instance_attributes",
    description: "An attribute of a container instance.",
    asset: None,
    fields: &[
        opt("name", Str, "name", "Attribute name, e.g. ecs.capability.execution-role-awslogs.").at(&["name"]),
        opt("value", Str, "value", "Attribute value, when it has one.").at(&["value"]),
    ],
    relationships: &[],
    key: &["container_instance_arn", "ordinal"],
};

/// The `Tag` type.
#[rustfmt::skip]
pub const TAG: TypeDef = TypeDef {
    name: "Tag",
    table: "tags",
    description: "A tag of an asset.",
    asset: None,
    fields: &[
        field("key", Str, false, "key", "Tag key.").at(&["key"]),
        opt("value", Str, "value", "Tag value.").at(&["value"]),
    ],
    relationships: &[],
    key: &["resource_arn", "key"],
};
