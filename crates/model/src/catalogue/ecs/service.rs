//! Services (DescribeServices) with their deployments, load balancers, service registries,
//! capacity provider strategy and awsvpc configuration, and their task sets (which
//! DescribeServices answers inside each service).

use super::{children, field, internet_exposed, many, one, opt, SEEN_FIELDS, TAGS};
use crate::catalogue::{AssetInfo, Cardinality, RelationshipDef, ScalarKind, TypeDef};

use ScalarKind::{Boolean, DateTime, Id, Int, String as Str, StringList};

/// The join of a service's child rows to the service.
const SERVICE: &[(&str, &str)] = &[("arn", "service_arn")];

/// The join of capacity provider strategy items to their service, task set or cluster.
pub(super) const STRATEGY: &[(&str, &str)] = &[("arn", "parent_arn")];

/// The `EcsService` type.
#[rustfmt::skip]
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
        opt("clusterArn", Str, "cluster_arn", "Cluster ARN.").at(&["clusterArn"]),
        opt("status", Str, "status", "ACTIVE, DRAINING or INACTIVE.").at(&["status"]),
        opt("launchType", Str, "launch_type", "EC2, FARGATE or EXTERNAL.").at(&["launchType"]),
        opt("platformVersion", Str, "platform_version", "Fargate platform version; null when not set.").at(&["platformVersion"]),
        opt("platformFamily", Str, "platform_family", "Fargate platform family.").at(&["platformFamily"]),
        opt("taskDefinitionArn", Str, "task_definition_arn", "The revision the service runs (its primary deployment's).").at(&["taskDefinition"]),
        opt("schedulingStrategy", Str, "scheduling_strategy", "REPLICA or DAEMON.").at(&["schedulingStrategy"]),
        opt("desiredCount", Int, "desired_count", "Desired task count.").at(&["desiredCount"]),
        opt("runningCount", Int, "running_count", "Running task count.").at(&["runningCount"]),
        opt("pendingCount", Int, "pending_count", "Pending task count.").at(&["pendingCount"]),
        opt("enableExecuteCommand", Boolean, "enable_execute_command", "Whether ECS Exec is turned on for the service's tasks.").at(&["enableExecuteCommand"]),
        opt("enableECSManagedTags", Boolean, "enable_ecs_managed_tags", "Whether ECS tags the tasks it starts.").at(&["enableECSManagedTags"]),
        opt("propagateTags", Str, "propagate_tags", "TASK_DEFINITION, SERVICE or NONE.").at(&["propagateTags"]),
        opt("deploymentController", Str, "deployment_controller", "ECS, CODE_DEPLOY or EXTERNAL.").at(&["deploymentController", "type"]),
        opt("circuitBreakerEnabled", Boolean, "circuit_breaker_enabled", "`deploymentConfiguration.deploymentCircuitBreaker.enable`.").at(&["deploymentConfiguration", "deploymentCircuitBreaker", "enable"]),
        opt("circuitBreakerRollback", Boolean, "circuit_breaker_rollback", "`deploymentConfiguration.deploymentCircuitBreaker.rollback`.").at(&["deploymentConfiguration", "deploymentCircuitBreaker", "rollback"]),
        opt("minimumHealthyPercent", Int, "minimum_healthy_percent", "`deploymentConfiguration.minimumHealthyPercent`.").at(&["deploymentConfiguration", "minimumHealthyPercent"]),
        opt("maximumPercent", Int, "maximum_percent", "`deploymentConfiguration.maximumPercent`.").at(&["deploymentConfiguration", "maximumPercent"]),
        opt("healthCheckGracePeriodSeconds", Int, "health_check_grace_period", "`healthCheckGracePeriodSeconds`.").at(&["healthCheckGracePeriodSeconds"]),
        opt("roleArn", Str, "role_arn", "The service-linked or load balancer role.").at(&["roleArn"]),
        opt("createdAt", DateTime, "created_at", "When the service was created.").at(&["createdAt"]),
        internet_exposed(service_exposed!("{t}"), "Whether the service's tasks can be reached from the internet: assignPublicIp ENABLED (its own or a deployment's) or a load balancer."),
        SEEN_FIELDS[0],
        SEEN_FIELDS[1],
    ],
    relationships: &[
        RelationshipDef {
            name: "hasECSServiceNetworkConfigurations",
            target: "EcsServiceNetworkConfiguration",
            cardinality: Cardinality::Many,
            join: SERVICE,
            order: &[],
            description: "The awsvpc network configuration (at most one).",
            owned: Some(&["networkConfiguration", "awsvpcConfiguration"]),
        },
        children("deployments", "EcsServiceDeployment", SERVICE, &["deployments"], "Deployments: the PRIMARY one and, during a rollout, the ACTIVE ones still running an older revision."),
        children("loadBalancers", "EcsServiceLoadBalancer", SERVICE, &["loadBalancers"], "Load balancer target groups the service registers its tasks with."),
        children("serviceRegistries", "EcsServiceRegistry", SERVICE, &["serviceRegistries"], "Cloud Map service registries."),
        children("capacityProviderStrategy", "EcsCapacityProviderStrategyItem", STRATEGY, &["capacityProviderStrategy"], "The service's capacity provider strategy."),
        one("cluster", "EcsCluster", &[("cluster_arn", "arn")], "The cluster hosting the service."),
        one("taskDefinition", "EcsTaskDefinition", &[("task_definition_arn", "arn")], "The revision the service runs."),
        many("taskSets", "EcsTaskSet", &[("arn", "service_arn")], &[("arn", false)], "Task sets of the service (CODE_DEPLOY and EXTERNAL deployments)."),
        many("tasks", "EcsTask", &[("cluster_arn", "cluster_arn"), ("name", "service_name")], &[("started_at", true), ("arn", false)], "Running tasks the service started."),
        TAGS,
    ],
    key: &["arn"],
};

/// The `EcsServiceNetworkConfiguration` type.
#[rustfmt::skip]
pub const ECS_SERVICE_NETWORK_CONFIGURATION: TypeDef = TypeDef {
    name: "EcsServiceNetworkConfiguration",
    table: "ecs_service_network_configurations",
    description: "The awsvpc network configuration of a service.",
    asset: None,
    fields: &[
        opt("assignPublicIP", Boolean, "assign_public_ip", "ENABLED is true, DISABLED false, unset null.").enabled(&["assignPublicIp"]),
        opt("subnets", StringList, "subnets", "Subnet ids.").at(&["subnets"]),
        opt("securityGroups", StringList, "security_groups", "Security group ids.").at(&["securityGroups"]),
    ],
    relationships: &[],
    key: &["service_arn"],
};

/// The `EcsServiceDeployment` type.
#[rustfmt::skip]
pub const SERVICE_DEPLOYMENT: TypeDef = TypeDef {
    name: "EcsServiceDeployment",
    table: "ecs_service_deployments",
    description: "A deployment of a service.",
    asset: None,
    fields: &[
        opt("id", Str, "id", "Deployment id (`startedBy` of its tasks).").at(&["id"]),
        opt("status", Str, "status", "PRIMARY, ACTIVE or INACTIVE.").at(&["status"]),
        opt("taskDefinitionArn", Str, "task_definition_arn", "The revision this deployment runs.").at(&["taskDefinition"]),
        opt("desiredCount", Int, "desired_count", "Desired task count.").at(&["desiredCount"]),
        opt("runningCount", Int, "running_count", "Running task count.").at(&["runningCount"]),
        opt("pendingCount", Int, "pending_count", "Pending task count.").at(&["pendingCount"]),
        opt("failedTasks", Int, "failed_tasks", "Tasks that failed to start.").at(&["failedTasks"]),
        opt("rolloutState", Str, "rollout_state", "COMPLETED, FAILED or IN_PROGRESS.").at(&["rolloutState"]),
        opt("launchType", Str, "launch_type", "EC2, FARGATE or EXTERNAL.").at(&["launchType"]),
        opt("platformVersion", Str, "platform_version", "Fargate platform version.").at(&["platformVersion"]),
        opt("assignPublicIP", Boolean, "assign_public_ip", "The deployment's awsvpc `assignPublicIp`: ENABLED true, DISABLED false, unset null.").enabled(&["networkConfiguration", "awsvpcConfiguration", "assignPublicIp"]),
        opt("createdAt", DateTime, "created_at", "When the deployment was created.").at(&["createdAt"]),
        opt("updatedAt", DateTime, "updated_at", "When it last changed.").at(&["updatedAt"]),
    ],
    relationships: &[
        one("service", "EcsService", &[("service_arn", "arn")], "The service."),
        one("taskDefinition", "EcsTaskDefinition", &[("task_definition_arn", "arn")], "The revision it runs."),
    ],
    key: &["service_arn", "ordinal"],
};

/// The `EcsServiceLoadBalancer` type.
#[rustfmt::skip]
pub const SERVICE_LOAD_BALANCER: TypeDef = TypeDef {
    name: "EcsServiceLoadBalancer",
    table: "ecs_service_load_balancers",
    description: "A load balancer (target group) a service registers its tasks with.",
    asset: None,
    fields: &[
        opt("targetGroupArn", Str, "target_group_arn", "Target group ARN (ALB and NLB).").at(&["targetGroupArn"]),
        opt("loadBalancerName", Str, "load_balancer_name", "Classic Load Balancer name.").at(&["loadBalancerName"]),
        opt("containerName", Str, "container_name", "The container registered.").at(&["containerName"]),
        opt("containerPort", Int, "container_port", "Its port.").at(&["containerPort"]),
    ],
    relationships: &[],
    key: &["service_arn", "ordinal"],
};

/// The `EcsServiceRegistry` type.
#[rustfmt::skip]
pub const SERVICE_REGISTRY: TypeDef = TypeDef {
    name: "EcsServiceRegistry",
    table: "ecs_service_registries",
    description: "A Cloud Map service registry of a service.",
    asset: None,
    fields: &[
        opt("registryArn", Str, "registry_arn", "Cloud Map service ARN.").at(&["registryArn"]),
        opt("port", Int, "port", "SRV record port.").at(&["port"]),
        opt("containerName", Str, "container_name", "Container name.").at(&["containerName"]),
        opt("containerPort", Int, "container_port", "Container port.").at(&["containerPort"]),
    ],
    relationships: &[],
    key: &["service_arn", "ordinal"],
};

/// The `EcsCapacityProviderStrategyItem` type.
#[rustfmt::skip]
pub const CAPACITY_PROVIDER_STRATEGY_ITEM: TypeDef = TypeDef {
    name: "EcsCapacityProviderStrategyItem",
    table: "ecs_capacity_provider_strategy_items",
    description: "One capacity provider of a service's, task set's or cluster's (default) strategy.",
    asset: None,
    fields: &[
        opt("capacityProvider", Str, "capacity_provider", "Capacity provider name.").at(&["capacityProvider"]),
        opt("weight", Int, "weight", "Relative share of tasks.").at(&["weight"]),
        opt("base", Int, "base", "Tasks placed here first.").at(&["base"]),
    ],
    relationships: &[],
    key: &["parent_arn", "ordinal"],
};

/// The `EcsTaskSet` type.
#[rustfmt::skip]
pub const ECS_TASK_SET: TypeDef = TypeDef {
    name: "EcsTaskSet",
    table: "ecs_task_sets",
    description: "A task set of a service with a CODE_DEPLOY or EXTERNAL deployment controller.",
    asset: Some(AssetInfo {
        internal_asset_type: "ECSTaskSet",
        category: "Containers",
        root_field: "ecsTaskSets",
        name_expr: "{t}.id",
        name_prefix: None,
    }),
    fields: &[
        field("arn", Id, false, "arn", "The task set ARN.").at(&["taskSetArn"]),
        field("id", Str, false, "id", "Task set id.").arn_id_or(&["id"]),
        opt("serviceArn", Str, "service_arn", "The service.").at(&["serviceArn"]),
        opt("clusterArn", Str, "cluster_arn", "The cluster.").at(&["clusterArn"]),
        opt("status", Str, "status", "PRIMARY, ACTIVE or DRAINING.").at(&["status"]),
        opt("taskDefinitionArn", Str, "task_definition_arn", "The revision it runs.").at(&["taskDefinition"]),
        opt("launchType", Str, "launch_type", "EC2, FARGATE or EXTERNAL.").at(&["launchType"]),
        opt("platformVersion", Str, "platform_version", "Fargate platform version.").at(&["platformVersion"]),
        opt("platformFamily", Str, "platform_family", "Fargate platform family.").at(&["platformFamily"]),
        opt("externalId", Str, "external_id", "`externalId` (the CodeDeploy deployment id, or what an external controller set).").at(&["externalId"]),
        opt("startedBy", Str, "started_by", "Who created it.").at(&["startedBy"]),
        opt("assignPublicIP", Boolean, "assign_public_ip", "awsvpc `assignPublicIp`: ENABLED true, DISABLED false, unset null.").enabled(&["networkConfiguration", "awsvpcConfiguration", "assignPublicIp"]),
        opt("subnets", StringList, "subnets", "awsvpc subnets.").at(&["networkConfiguration", "awsvpcConfiguration", "subnets"]),
        opt("securityGroups", StringList, "security_groups", "awsvpc security groups.").at(&["networkConfiguration", "awsvpcConfiguration", "securityGroups"]),
        opt("computedDesiredCount", Int, "computed_desired_count", "Desired tasks from the scale and the service's desired count.").at(&["computedDesiredCount"]),
        opt("runningCount", Int, "running_count", "Running tasks.").at(&["runningCount"]),
        opt("pendingCount", Int, "pending_count", "Pending tasks.").at(&["pendingCount"]),
        opt("scaleValue", Int, "scale_value", "`scale.value`.").at(&["scale", "value"]),
        opt("scaleUnit", Str, "scale_unit", "`scale.unit` (PERCENT).").at(&["scale", "unit"]),
        opt("stabilityStatus", Str, "stability_status", "STEADY_STATE or STABILIZING.").at(&["stabilityStatus"]),
        opt("createdAt", DateTime, "created_at", "When it was created.").at(&["createdAt"]),
        opt("updatedAt", DateTime, "updated_at", "When it last changed.").at(&["updatedAt"]),
        internet_exposed("COALESCE({t}.assign_public_ip, FALSE)", "Whether the task set assigns public IPs."),
        SEEN_FIELDS[0],
        SEEN_FIELDS[1],
    ],
    relationships: &[
        one("service", "EcsService", &[("service_arn", "arn")], "The service."),
        one("cluster", "EcsCluster", &[("cluster_arn", "arn")], "The cluster."),
        one("taskDefinition", "EcsTaskDefinition", &[("task_definition_arn", "arn")], "The revision it runs."),
        children("capacityProviderStrategy", "EcsCapacityProviderStrategyItem", STRATEGY, &["capacityProviderStrategy"], "The task set's capacity provider strategy."),
        TAGS,
    ],
    key: &["arn"],
};
