//! Container definitions of a task definition revision and what hangs off them. Values that can
//! hold secrets are never read: environment values, secret values (only `valueFrom` references
//! are), log option values and docker label values (only their names), command lines (only
//! whether they are set).

use super::{children, field, one, opt};
use crate::catalogue::{ScalarKind, TypeDef};

use ScalarKind::{Boolean, Int, String as Str, StringList};

/// The join of a container's child rows to the container.
const CONTAINER: &[(&str, &str)] = &[
    ("task_definition_arn", "task_definition_arn"),
    ("name", "container_name"),
];

/// The key of a container's child rows.
const CHILD_KEY: &[&str] = &["task_definition_arn", "container_name", "ordinal"];

/// The `ContainerSpec` type.
#[rustfmt::skip]
pub const CONTAINER_SPEC: TypeDef = TypeDef {
    name: "ContainerSpec",
    table: "ecs_container_specs",
    description: "A container definition of a task definition revision.",
    asset: None,
    fields: &[
        field("name", Str, false, "name", "Container name.").at(&["name"]),
        opt("image", Str, "image", "Image reference.").at(&["image"]),
        opt("cpu", Int, "cpu", "CPU units; null when the definition does not set them.").at(&["cpu"]),
        opt("memory", Int, "memory", "Hard memory limit (MiB).").at(&["memory"]),
        opt("memoryReservation", Int, "memory_reservation", "Soft memory limit (MiB).").at(&["memoryReservation"]),
        opt("essential", Boolean, "essential", "Whether the task stops when this container stops.").at(&["essential"]),
        opt("privileged", Boolean, "privileged", "`privileged`; null when the definition does not set it.").at(&["privileged"]),
        opt("user", Str, "user_name", "`user`; null when the definition does not set it.").at(&["user"]),
        opt("readOnlyRootFS", Boolean, "readonly_root_filesystem", "`readonlyRootFilesystem`; null when unset.").at(&["readonlyRootFilesystem"]),
        opt("capabilitiesAdd", StringList, "capabilities_add", "Linux capabilities added.").at(&["linuxParameters", "capabilities", "add"]),
        opt("capabilitiesDrop", StringList, "capabilities_drop", "Linux capabilities dropped.").at(&["linuxParameters", "capabilities", "drop"]),
        opt("initProcessEnabled", Boolean, "init_process_enabled", "`linuxParameters.initProcessEnabled`.").at(&["linuxParameters", "initProcessEnabled"]),
        opt("sharedMemorySize", Int, "shared_memory_size", "`linuxParameters.sharedMemorySize` (MiB).").at(&["linuxParameters", "sharedMemorySize"]),
        opt("maxSwap", Int, "max_swap", "`linuxParameters.maxSwap` (MiB).").at(&["linuxParameters", "maxSwap"]),
        opt("swappiness", Int, "swappiness", "`linuxParameters.swappiness`.").at(&["linuxParameters", "swappiness"]),
        opt("logDriver", Str, "log_driver", "`logConfiguration.logDriver`; null when the container has no log configuration.").at(&["logConfiguration", "logDriver"]),
        opt("logOptionNames", StringList, "log_option_names", "Names of `logConfiguration.options` (their values are never read).").keys(&["logConfiguration", "options"]),
        opt("logSecretOptionNames", StringList, "log_secret_option_names", "Names of `logConfiguration.secretOptions`.").each(&["logConfiguration", "secretOptions"], "name"),
        opt("firelensType", Str, "firelens_type", "`firelensConfiguration.type`: fluentd or fluentbit.").at(&["firelensConfiguration", "type"]),
        opt("dockerSecurityOptions", StringList, "docker_security_options", "`dockerSecurityOptions` (SELinux, AppArmor, credentialspec labels).").at(&["dockerSecurityOptions"]),
        field("hasHealthCheck", Boolean, false, "has_health_check", "Whether the container declares a `healthCheck`.").set(&["healthCheck"]),
        opt("healthCheckCommand", StringList, "health_check_command", "`healthCheck.command`.").at(&["healthCheck", "command"]),
        field("hasRepositoryCredentials", Boolean, false, "has_repository_credentials", "Whether the image is pulled with `repositoryCredentials`.").set(&["repositoryCredentials"]),
        opt("repositoryCredentialsParameter", Str, "repository_credentials_parameter", "ARN of the secret holding the registry credentials.").at(&["repositoryCredentials", "credentialsParameter"]),
        opt("dockerLabelKeys", StringList, "docker_label_keys", "Keys of `dockerLabels` (their values are never read).").keys(&["dockerLabels"]),
        opt("workingDirectory", Str, "working_directory", "`workingDirectory`.").at(&["workingDirectory"]),
        opt("interactive", Boolean, "interactive", "`interactive`.").at(&["interactive"]),
        opt("pseudoTerminal", Boolean, "pseudo_terminal", "`pseudoTerminal`.").at(&["pseudoTerminal"]),
        opt("disableNetworking", Boolean, "disable_networking", "`disableNetworking`.").at(&["disableNetworking"]),
        opt("startTimeout", Int, "start_timeout", "`startTimeout` (seconds).").at(&["startTimeout"]),
        opt("stopTimeout", Int, "stop_timeout", "`stopTimeout` (seconds).").at(&["stopTimeout"]),
        opt("restartPolicyEnabled", Boolean, "restart_policy_enabled", "`restartPolicy.enabled`.").at(&["restartPolicy", "enabled"]),
        opt("restartAttemptPeriod", Int, "restart_attempt_period", "`restartPolicy.restartAttemptPeriod` (seconds).").at(&["restartPolicy", "restartAttemptPeriod"]),
        field("commandSet", Boolean, false, "command_set", "Whether `command` is set (its text is never read: it can hold secrets).").set(&["command"]),
        field("entryPointSet", Boolean, false, "entry_point_set", "Whether `entryPoint` is set (its text is never read).").set(&["entryPoint"]),
    ],
    relationships: &[
        children("envEntries", "EnvEntry", CONTAINER, &["environment"], "Environment variables (names only; values never enter the inventory)."),
        children("secrets", "ContainerSecret", CONTAINER, &["secrets"], "Secrets injected as environment variables (name and the ARN they come from)."),
        children("portMappings", "ContainerPortMapping", CONTAINER, &["portMappings"], "Port mappings."),
        children("mountPoints", "ContainerMountPoint", CONTAINER, &["mountPoints"], "Volumes mounted into the container."),
        children("volumesFrom", "ContainerVolumeFrom", CONTAINER, &["volumesFrom"], "Containers whose volumes are mounted."),
        children("dependsOn", "ContainerDependency", CONTAINER, &["dependsOn"], "Containers this one waits for."),
        children("ulimits", "ContainerUlimit", CONTAINER, &["ulimits"], "Resource limits."),
        children("systemControls", "ContainerSystemControl", CONTAINER, &["systemControls"], "Namespaced kernel parameters (sysctls)."),
        children("devices", "ContainerDevice", CONTAINER, &["linuxParameters", "devices"], "Host devices exposed to the container."),
        children("tmpfs", "ContainerTmpfs", CONTAINER, &["linuxParameters", "tmpfs"], "tmpfs mounts."),
        one("taskDefinition", "EcsTaskDefinition", &[("task_definition_arn", "arn")], "The revision this container belongs to."),
    ],
    key: &["task_definition_arn", "name"],
};

/// The `EnvEntry` type.
#[rustfmt::skip]
pub const ENV_ENTRY: TypeDef = TypeDef {
    name: "EnvEntry",
    table: "ecs_container_env_entries",
    description: "An environment variable of a container: its name and whether a value is set.",
    asset: None,
    fields: &[
        field("key", Str, false, "name", "Variable name.").at(&["name"]),
        field("hasValue", Boolean, false, "has_value", "Whether the definition sets a value.").set(&["value"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};

/// The `ContainerSecret` type.
#[rustfmt::skip]
pub const CONTAINER_SECRET: TypeDef = TypeDef {
    name: "ContainerSecret",
    table: "ecs_container_secrets",
    description: "A secret injected into a container: the variable name and the Secrets Manager or SSM Parameter Store ARN it comes from (never the secret).",
    asset: None,
    fields: &[
        field("name", Str, false, "name", "Environment variable name.").at(&["name"]),
        opt("valueFrom", Str, "value_from", "ARN (or parameter name) of the secret.").at(&["valueFrom"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};

/// The `ContainerPortMapping` type.
#[rustfmt::skip]
pub const PORT_MAPPING: TypeDef = TypeDef {
    name: "ContainerPortMapping",
    table: "ecs_container_port_mappings",
    description: "A port mapping of a container.",
    asset: None,
    fields: &[
        opt("containerPort", Int, "container_port", "Port in the container.").at(&["containerPort"]),
        opt("hostPort", Int, "host_port", "Port on the host (the container port in awsvpc and host modes).").at(&["hostPort"]),
        opt("protocol", Str, "protocol", "tcp or udp.").at(&["protocol"]),
        opt("appProtocol", Str, "app_protocol", "http, http2 or grpc (Service Connect).").at(&["appProtocol"]),
        opt("name", Str, "name", "Port mapping name (Service Connect).").at(&["name"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};

/// The `ContainerMountPoint` type.
#[rustfmt::skip]
pub const MOUNT_POINT: TypeDef = TypeDef {
    name: "ContainerMountPoint",
    table: "ecs_container_mount_points",
    description: "A volume mounted into a container.",
    asset: None,
    fields: &[
        opt("sourceVolume", Str, "source_volume", "Name of the task definition volume.").at(&["sourceVolume"]),
        opt("containerPath", Str, "container_path", "Path in the container.").at(&["containerPath"]),
        opt("readOnly", Boolean, "read_only", "`readOnly`; null when unset (read-write).").at(&["readOnly"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};

/// The `ContainerVolumeFrom` type.
#[rustfmt::skip]
pub const VOLUME_FROM: TypeDef = TypeDef {
    name: "ContainerVolumeFrom",
    table: "ecs_container_volumes_from",
    description: "Another container whose volumes this one mounts.",
    asset: None,
    fields: &[
        opt("sourceContainer", Str, "source_container", "The other container's name.").at(&["sourceContainer"]),
        opt("readOnly", Boolean, "read_only", "`readOnly`; null when unset (read-write).").at(&["readOnly"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};

/// The `ContainerDependency` type.
#[rustfmt::skip]
pub const CONTAINER_DEPENDENCY: TypeDef = TypeDef {
    name: "ContainerDependency",
    table: "ecs_container_depends_on",
    description: "A container this one waits for (`dependsOn`).",
    asset: None,
    fields: &[
        opt("containerName", Str, "depends_on_container", "The container waited for.").at(&["containerName"]),
        opt("condition", Str, "dependency_condition", "START, COMPLETE, SUCCESS or HEALTHY.").at(&["condition"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};

/// The `ContainerUlimit` type.
#[rustfmt::skip]
pub const ULIMIT: TypeDef = TypeDef {
    name: "ContainerUlimit",
    table: "ecs_container_ulimits",
    description: "A resource limit (`ulimits`) of a container.",
    asset: None,
    fields: &[
        opt("name", Str, "name", "nofile, nproc, core, …").at(&["name"]),
        opt("softLimit", Int, "soft_limit", "Soft limit.").at(&["softLimit"]),
        opt("hardLimit", Int, "hard_limit", "Hard limit.").at(&["hardLimit"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};

/// The `ContainerSystemControl` type.
#[rustfmt::skip]
pub const SYSTEM_CONTROL: TypeDef = TypeDef {
    name: "ContainerSystemControl",
    table: "ecs_container_system_controls",
    description: "A namespaced kernel parameter set in a container (`systemControls`).",
    asset: None,
    fields: &[
        opt("namespace", Str, "namespace", "The kernel parameter, e.g. net.ipv4.ip_forward.").at(&["namespace"]),
        opt("value", Str, "value", "Its value.").at(&["value"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};

/// The `ContainerDevice` type.
#[rustfmt::skip]
pub const DEVICE: TypeDef = TypeDef {
    name: "ContainerDevice",
    table: "ecs_container_devices",
    description: "A host device exposed to a container (`linuxParameters.devices`).",
    asset: None,
    fields: &[
        opt("hostPath", Str, "host_path", "Device path on the host.").at(&["hostPath"]),
        opt("containerPath", Str, "container_path", "Path in the container.").at(&["containerPath"]),
        opt("permissions", StringList, "permissions", "read, write, mknod.").at(&["permissions"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};

/// The `ContainerTmpfs` type.
#[rustfmt::skip]
pub const TMPFS: TypeDef = TypeDef {
    name: "ContainerTmpfs",
    table: "ecs_container_tmpfs",
    description: "A tmpfs mount of a container (`linuxParameters.tmpfs`).",
    asset: None,
    fields: &[
        opt("containerPath", Str, "container_path", "Mount path.").at(&["containerPath"]),
        opt("size", Int, "size", "Size (MiB).").at(&["size"]),
        opt("mountOptions", StringList, "mount_options", "Mount options.").at(&["mountOptions"]),
    ],
    relationships: &[],
    key: CHILD_KEY,
};
