//! Task definition revisions, their volumes and placement constraints (DescribeTaskDefinition).

use super::{children, field, internet_exposed, many, opt, SEEN_FIELDS, TAGS};
use crate::catalogue::{AssetInfo, Cardinality, RelationshipDef, ScalarKind, TypeDef};

use ScalarKind::{Boolean, DateTime, Id, Int, String as Str, StringList};

/// The `EcsTaskDefinition` type.
#[rustfmt::skip]
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
        opt("status", Str, "status", "ACTIVE, INACTIVE or DELETE_IN_PROGRESS.").at(&["status"]),
        field("latestActiveRevision", Boolean, false, "latest_active_revision",
            "True only on the highest ACTIVE revision of its family in its account and region (AWS Security Hub's reading for most task definition checks); kept exact by every sync.").derived(),
        opt("networkMode", Str, "network_mode", "bridge, host, awsvpc or none.").at(&["networkMode"]),
        opt("pidMode", Str, "pid_mode", "host or task.").at(&["pidMode"]),
        opt("ipcMode", Str, "ipc_mode", "host, task or none.").at(&["ipcMode"]),
        opt("taskRoleArn", Str, "task_role_arn", "IAM role of the task.").at(&["taskRoleArn"]),
        opt("executionRoleArn", Str, "execution_role_arn", "IAM role of the ECS agent.").at(&["executionRoleArn"]),
        opt("cpu", Str, "cpu", "Task-level CPU units as AWS reports them.").at(&["cpu"]),
        opt("memory", Str, "memory", "Task-level memory as AWS reports it.").at(&["memory"]),
        opt("requiresCompatibilities", StringList, "requires_compatibilities", "EC2, FARGATE, EXTERNAL.").at(&["requiresCompatibilities"]),
        opt("compatibilities", StringList, "compatibilities", "Launch types the revision is valid for, as ECS validated it.").at(&["compatibilities"]),
        opt("operatingSystemFamily", Str, "operating_system_family", "`runtimePlatform.operatingSystemFamily` (LINUX, WINDOWS_SERVER_…); null when unset, which ECS runs as Linux.").at(&["runtimePlatform", "operatingSystemFamily"]),
        opt("cpuArchitecture", Str, "cpu_architecture", "`runtimePlatform.cpuArchitecture`: X86_64 or ARM64.").at(&["runtimePlatform", "cpuArchitecture"]),
        opt("ephemeralStorageGiB", Int, "ephemeral_storage_gib", "`ephemeralStorage.sizeInGiB` (Fargate).").at(&["ephemeralStorage", "sizeInGiB"]),
        opt("proxyConfigurationType", Str, "proxy_configuration_type", "`proxyConfiguration.type` (APPMESH).").at(&["proxyConfiguration", "type"]),
        opt("proxyContainerName", Str, "proxy_container_name", "`proxyConfiguration.containerName`.").at(&["proxyConfiguration", "containerName"]),
        opt("requiresAttributes", StringList, "requires_attributes", "Names of the container instance attributes the revision requires.").each(&["requiresAttributes"], "name"),
        opt("registeredAt", DateTime, "registered_at", "When the revision was registered.").at(&["registeredAt"]),
        opt("deregisteredAt", DateTime, "deregistered_at", "When the revision was deregistered.").at(&["deregisteredAt"]),
        internet_exposed(
            concat!(
                "(EXISTS (SELECT 1 FROM ecs_services xs WHERE xs.tenant_id = {t}.tenant_id \
                 AND (xs.task_definition_arn = {t}.arn OR EXISTS (SELECT 1 FROM ecs_service_deployments xr \
                 WHERE xr.tenant_id = xs.tenant_id AND xr.service_arn = xs.arn AND xr.task_definition_arn = {t}.arn)) \
                 AND ", service_exposed!("xs"), ") \
                 OR EXISTS (SELECT 1 FROM ecs_task_sets xt WHERE xt.tenant_id = {t}.tenant_id \
                 AND xt.task_definition_arn = {t}.arn AND xt.assign_public_ip))"
            ),
            "Whether a service (through any deployment) or task set running this revision is reachable from the internet (see EcsService.internetExposed).",
        ),
        SEEN_FIELDS[0],
        SEEN_FIELDS[1],
    ],
    relationships: &[
        children("containerSpecs", "ContainerSpec", &[("arn", "task_definition_arn")], &["containerDefinitions"], "Container definitions of the revision."),
        children("volumes", "EcsTaskDefinitionVolume", &[("arn", "task_definition_arn")], &["volumes"], "Data volumes of the revision."),
        children("placementConstraints", "EcsPlacementConstraint", &[("arn", "task_definition_arn")], &["placementConstraints"], "Placement constraints of the revision."),
        RelationshipDef {
            name: "task",
            target: "EcsTask",
            cardinality: Cardinality::One,
            join: &[("arn", "task_definition_arn")],
            order: &[("started_at", true), ("arn", false)],
            description: "A running task of this revision (the most recently started). `task_NOT: null` means \"in use\".",
            owned: None,
        },
        many("tasks", "EcsTask", &[("arn", "task_definition_arn")], &[("started_at", true), ("arn", false)], "All running tasks of this revision."),
        many("services", "EcsService", &[("arn", "task_definition_arn")], &[("arn", false)], "Services whose primary task definition is this revision."),
        many("deployments", "EcsServiceDeployment", &[("arn", "task_definition_arn")], &[("service_arn", false), ("ordinal", false)], "Service deployments that run this revision (during a rollout two revisions are in use)."),
        many("taskSets", "EcsTaskSet", &[("arn", "task_definition_arn")], &[("arn", false)], "Task sets that run this revision."),
        TAGS,
    ],
    key: &["arn"],
};

/// The `EcsTaskDefinitionVolume` type.
#[rustfmt::skip]
pub const TASK_DEFINITION_VOLUME: TypeDef = TypeDef {
    name: "EcsTaskDefinitionVolume",
    table: "ecs_task_definition_volumes",
    description: "A data volume of a task definition revision: bind mount, Docker volume, EFS or FSx for Windows File Server.",
    asset: None,
    fields: &[
        field("name", Str, false, "name", "Volume name, referred to by mount points.").at(&["name"]),
        opt("hostSourcePath", Str, "host_source_path", "`host.sourcePath` of a bind mount.").at(&["host", "sourcePath"]),
        opt("dockerScope", Str, "docker_scope", "`dockerVolumeConfiguration.scope`: task or shared.").at(&["dockerVolumeConfiguration", "scope"]),
        opt("dockerDriver", Str, "docker_driver", "`dockerVolumeConfiguration.driver`.").at(&["dockerVolumeConfiguration", "driver"]),
        opt("dockerAutoprovision", Boolean, "docker_autoprovision", "`dockerVolumeConfiguration.autoprovision`.").at(&["dockerVolumeConfiguration", "autoprovision"]),
        opt("efsFileSystemId", Str, "efs_file_system_id", "EFS file system id; null when the volume is not EFS.").at(&["efsVolumeConfiguration", "fileSystemId"]),
        opt("efsRootDirectory", Str, "efs_root_directory", "EFS root directory.").at(&["efsVolumeConfiguration", "rootDirectory"]),
        opt("efsTransitEncryption", Str, "efs_transit_encryption", "EFS `transitEncryption`: ENABLED or DISABLED; null when unset (which ECS treats as DISABLED).").at(&["efsVolumeConfiguration", "transitEncryption"]),
        opt("efsTransitEncryptionPort", Int, "efs_transit_encryption_port", "EFS `transitEncryptionPort`.").at(&["efsVolumeConfiguration", "transitEncryptionPort"]),
        opt("efsIamAuthorization", Str, "efs_iam_authorization", "EFS `authorizationConfig.iam`: ENABLED or DISABLED.").at(&["efsVolumeConfiguration", "authorizationConfig", "iam"]),
        opt("efsAccessPointId", Str, "efs_access_point_id", "EFS `authorizationConfig.accessPointId`.").at(&["efsVolumeConfiguration", "authorizationConfig", "accessPointId"]),
        opt("fsxFileSystemId", Str, "fsx_file_system_id", "FSx for Windows File Server file system id.").at(&["fsxWindowsFileServerVolumeConfiguration", "fileSystemId"]),
        opt("fsxRootDirectory", Str, "fsx_root_directory", "FSx for Windows File Server root directory.").at(&["fsxWindowsFileServerVolumeConfiguration", "rootDirectory"]),
        opt("configuredAtLaunch", Boolean, "configured_at_launch", "Whether the volume is configured when the task runs (EBS).").at(&["configuredAtLaunch"]),
    ],
    relationships: &[],
    key: &["task_definition_arn", "ordinal"],
};

/// The `EcsPlacementConstraint` type.
#[rustfmt::skip]
pub const PLACEMENT_CONSTRAINT: TypeDef = TypeDef {
    name: "EcsPlacementConstraint",
    table: "ecs_task_definition_placement_constraints",
    description: "A placement constraint of a task definition revision.",
    asset: None,
    fields: &[
        opt("type", Str, "constraint_type", "memberOf.").at(&["type"]),
        opt("expression", Str, "expression", "Cluster query language expression.").at(&["expression"]),
    ],
    relationships: &[],
    key: &["task_definition_arn", "ordinal"],
};
