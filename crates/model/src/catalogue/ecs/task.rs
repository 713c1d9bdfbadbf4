//! Running tasks (DescribeTasks), their network attachments, containers and overrides.

use super::{children, field, internet_exposed, one, opt, SEEN_FIELDS, TAGS};
use crate::catalogue::{AssetInfo, ScalarKind, TypeDef};

use ScalarKind::{Boolean, DateTime, Id, String as Str, StringList};

/// The join of a task's child rows to the task.
const TASK: &[(&str, &str)] = &[("arn", "task_arn")];

/// The `EcsTask` type.
#[rustfmt::skip]
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
        opt("clusterArn", Str, "cluster_arn", "Cluster ARN.").at(&["clusterArn"]),
        opt("taskDefinitionArn", Str, "task_definition_arn", "The revision it runs.").at(&["taskDefinitionArn"]),
        opt("lastStatus", Str, "last_status", "Last known status.").at(&["lastStatus"]),
        opt("desiredStatus", Str, "desired_status", "Desired status.").at(&["desiredStatus"]),
        opt("healthStatus", Str, "health_status", "HEALTHY, UNHEALTHY or UNKNOWN.").at(&["healthStatus"]),
        opt("launchType", Str, "launch_type", "EC2, FARGATE or EXTERNAL.").at(&["launchType"]),
        opt("capacityProviderName", Str, "capacity_provider_name", "The capacity provider the task runs on.").at(&["capacityProviderName"]),
        opt("platformVersion", Str, "platform_version", "Fargate platform version.").at(&["platformVersion"]),
        opt("platformFamily", Str, "platform_family", "Fargate platform family.").at(&["platformFamily"]),
        opt("cpu", Str, "cpu", "Task CPU.").at(&["cpu"]),
        opt("memory", Str, "memory", "Task memory.").at(&["memory"]),
        opt("group", Str, "group_name", "Task group (`service:NAME` for service tasks).").at(&["group"]),
        opt("serviceName", Str, "service_name", "The service that started the task (from its group), null for standalone tasks.").strip("service:", &["group"]),
        opt("startedBy", Str, "started_by", "`startedBy`: the deployment id for service tasks, else what the caller set.").at(&["startedBy"]),
        opt("connectivity", Str, "connectivity", "CONNECTED or DISCONNECTED.").at(&["connectivity"]),
        opt("containerInstanceArn", Str, "container_instance_arn", "The container instance (EC2 launch type).").at(&["containerInstanceArn"]),
        opt("enableExecuteCommand", Boolean, "enable_execute_command", "Whether ECS Exec is turned on for the task.").at(&["enableExecuteCommand"]),
        opt("overrideTaskRoleArn", Str, "override_task_role_arn", "`overrides.taskRoleArn`: a task role that replaces the definition's.").at(&["overrides", "taskRoleArn"]),
        opt("overrideExecutionRoleArn", Str, "override_execution_role_arn", "`overrides.executionRoleArn`.").at(&["overrides", "executionRoleArn"]),
        opt("availabilityZone", Str, "availability_zone", "Availability zone.").at(&["availabilityZone"]),
        opt("startedAt", DateTime, "started_at", "When the task started.").at(&["startedAt"]),
        internet_exposed(
            concat!(
                "EXISTS (SELECT 1 FROM ecs_services xs WHERE xs.tenant_id = {t}.tenant_id \
                 AND xs.cluster_arn = {t}.cluster_arn AND xs.name = {t}.service_name AND ",
                service_exposed!("xs"), ")"
            ),
            "Whether the service that started the task is reachable from the internet (a task's own public IP is on its network interface, which the ECS API does not return).",
        ),
        SEEN_FIELDS[0],
        SEEN_FIELDS[1],
    ],
    relationships: &[
        one("taskDefinition", "EcsTaskDefinition", &[("task_definition_arn", "arn")], "The revision the task runs."),
        one("cluster", "EcsCluster", &[("cluster_arn", "arn")], "The cluster the task runs in."),
        one("service", "EcsService", &[("cluster_arn", "cluster_arn"), ("service_name", "name")], "The service that started the task."),
        one("containerInstance", "EcsContainerInstance", &[("container_instance_arn", "arn")], "The container instance the task runs on (EC2 launch type)."),
        children("attachments", "EcsTaskAttachment", TASK, &["attachments"], "Network interfaces and other resources attached to the task."),
        children("containers", "EcsTaskContainer", TASK, &["containers"], "The task's containers as they run."),
        children("containerOverrides", "EcsTaskContainerOverride", TASK, &["overrides", "containerOverrides"], "Per-container overrides the task was started with (they can undo what the definition declares)."),
        TAGS,
    ],
    key: &["arn"],
};

/// The `EcsTaskAttachment` type.
#[rustfmt::skip]
pub const TASK_ATTACHMENT: TypeDef = TypeDef {
    name: "EcsTaskAttachment",
    table: "ecs_task_attachments",
    description: "A resource attached to a task: for awsvpc tasks, its elastic network interface.",
    asset: None,
    fields: &[
        opt("id", Str, "id", "Attachment id.").at(&["id"]),
        opt("type", Str, "attachment_type", "ElasticNetworkInterface, …").at(&["type"]),
        opt("status", Str, "status", "ATTACHED, DETACHED, …").at(&["status"]),
        opt("networkInterfaceId", Str, "network_interface_id", "The ENI id (details `networkInterfaceId`).").named(&["details"], "networkInterfaceId"),
        opt("subnetId", Str, "subnet_id", "The subnet (details `subnetId`).").named(&["details"], "subnetId"),
        opt("privateIPv4Address", Str, "private_ipv4_address", "Private IPv4 address (details `privateIPv4Address`).").named(&["details"], "privateIPv4Address"),
    ],
    relationships: &[],
    key: &["task_arn", "ordinal"],
};

/// The `EcsTaskContainer` type.
#[rustfmt::skip]
pub const TASK_CONTAINER: TypeDef = TypeDef {
    name: "EcsTaskContainer",
    table: "ecs_task_containers",
    description: "A container of a running task.",
    asset: None,
    fields: &[
        opt("name", Str, "name", "Container name.").at(&["name"]),
        opt("image", Str, "image", "Image reference.").at(&["image"]),
        opt("imageDigest", Str, "image_digest", "Digest of the image that runs.").at(&["imageDigest"]),
        opt("lastStatus", Str, "last_status", "Last known status.").at(&["lastStatus"]),
        opt("healthStatus", Str, "health_status", "HEALTHY, UNHEALTHY or UNKNOWN.").at(&["healthStatus"]),
    ],
    relationships: &[],
    key: &["task_arn", "ordinal"],
};

/// The `EcsTaskContainerOverride` type.
#[rustfmt::skip]
pub const TASK_CONTAINER_OVERRIDE: TypeDef = TypeDef {
    name: "EcsTaskContainerOverride",
    table: "ecs_task_container_overrides",
    description: "What a task's start changed in one container of its definition (names only, never values).",
    asset: None,
    fields: &[
        opt("name", Str, "name", "Container name.").at(&["name"]),
        field("overridesCommand", Boolean, false, "overrides_command", "Whether the command is replaced (its text is never read).").set(&["command"]),
        opt("environmentNames", StringList, "environment_names", "Environment variables set or replaced (names only).").each(&["environment"], "name"),
    ],
    relationships: &[],
    key: &["task_arn", "ordinal"],
};
