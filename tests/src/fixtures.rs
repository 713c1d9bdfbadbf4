//! Fixture assets for tests: small constructors with every optional field unset, to be adjusted
//! with struct update syntax.

use assetql_model::{
    Arn, Cluster, ClusterSetting, ContainerSpec, EnvEntry, Scope, Service,
    ServiceNetworkConfiguration, Tag, Task, TaskDefinition, TenantId,
};
use chrono::{DateTime, TimeZone, Utc};

/// The AWS account used by fixtures unless a test says otherwise.
pub const ACCOUNT: &str = "111111111111";
/// The region used by fixtures unless a test says otherwise.
pub const REGION: &str = "us-east-1";

/// A scope of the default tenant.
pub fn scope(account: &str, region: &str) -> Scope {
    Scope {
        tenant: TenantId::default_tenant(),
        cloud_account_id: account.to_owned(),
        region: region.to_owned(),
    }
}

/// A fixed instant plus `seconds`, so that tests are deterministic.
pub fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid fixture date")
        + chrono::Duration::seconds(seconds)
}

fn arn(account: &str, region: &str, resource: &str) -> Arn {
    Arn::parse(format!("arn:aws:ecs:{region}:{account}:{resource}")).expect("fixture ARN is valid")
}

/// A cluster with `containerInsights` set to `insights` (if given).
pub fn cluster(account: &str, region: &str, name: &str, insights: Option<&str>) -> Cluster {
    Cluster {
        arn: arn(account, region, &format!("cluster/{name}")),
        name: name.to_owned(),
        status: Some("ACTIVE".to_owned()),
        running_tasks_count: Some(0),
        pending_tasks_count: Some(0),
        active_services_count: Some(0),
        registered_container_instances_count: Some(0),
        capacity_providers: None,
        settings: insights
            .map(|v| ClusterSetting {
                name: "containerInsights".to_owned(),
                value: Some(v.to_owned()),
            })
            .into_iter()
            .collect(),
        tags: vec![],
    }
}

/// A service in `cluster` with `assignPublicIp` as given (None: no network configuration).
pub fn service(
    account: &str,
    region: &str,
    cluster: &str,
    name: &str,
    public_ip: Option<Option<bool>>,
) -> Service {
    Service {
        arn: arn(account, region, &format!("service/{cluster}/{name}")),
        name: name.to_owned(),
        cluster_arn: Some(arn(account, region, &format!("cluster/{cluster}")).to_string()),
        status: Some("ACTIVE".to_owned()),
        launch_type: Some("FARGATE".to_owned()),
        platform_version: Some("LATEST".to_owned()),
        platform_family: None,
        task_definition_arn: None,
        scheduling_strategy: Some("REPLICA".to_owned()),
        desired_count: Some(1),
        running_count: Some(1),
        pending_count: Some(0),
        created_at: Some(at(0)),
        network_configuration: public_ip.map(|assign_public_ip| ServiceNetworkConfiguration {
            assign_public_ip,
            subnets: Some(vec!["subnet-1".to_owned()]),
            security_groups: Some(vec!["sg-1".to_owned()]),
        }),
        tags: vec![],
    }
}

/// A container with only its name and image set.
pub fn container(name: &str) -> ContainerSpec {
    ContainerSpec {
        name: name.to_owned(),
        image: Some(format!("registry.example/{name}:1")),
        cpu: None,
        memory: None,
        memory_reservation: None,
        essential: Some(true),
        privileged: None,
        user: None,
        readonly_root_filesystem: None,
        capabilities_add: None,
        capabilities_drop: None,
        environment: vec![],
    }
}

/// An environment variable entry.
pub fn env(name: &str, has_value: bool) -> EnvEntry {
    EnvEntry {
        name: name.to_owned(),
        has_value,
    }
}

/// An ACTIVE task definition revision in `network_mode` with `containers`.
pub fn task_definition(
    account: &str,
    region: &str,
    family: &str,
    revision: i64,
    network_mode: Option<&str>,
    containers: Vec<ContainerSpec>,
) -> TaskDefinition {
    TaskDefinition {
        arn: arn(
            account,
            region,
            &format!("task-definition/{family}:{revision}"),
        ),
        family: family.to_owned(),
        revision,
        status: Some("ACTIVE".to_owned()),
        network_mode: network_mode.map(str::to_owned),
        pid_mode: None,
        ipc_mode: None,
        task_role_arn: None,
        execution_role_arn: None,
        cpu: Some("256".to_owned()),
        memory: Some("512".to_owned()),
        requires_compatibilities: Some(vec!["EC2".to_owned()]),
        registered_at: Some(at(0)),
        deregistered_at: None,
        containers,
        tags: vec![Tag {
            key: "team".to_owned(),
            value: Some("platform".to_owned()),
        }],
    }
}

/// A RUNNING task of `task_definition` in `cluster`.
pub fn task(account: &str, region: &str, cluster: &str, id: &str, task_definition: &Arn) -> Task {
    Task {
        arn: arn(account, region, &format!("task/{cluster}/{id}")),
        cluster_arn: Some(arn(account, region, &format!("cluster/{cluster}")).to_string()),
        task_definition_arn: Some(task_definition.to_string()),
        last_status: Some("RUNNING".to_owned()),
        desired_status: Some("RUNNING".to_owned()),
        launch_type: Some("EC2".to_owned()),
        platform_version: None,
        cpu: Some("256".to_owned()),
        memory: Some("512".to_owned()),
        group: Some(format!("family:{}", task_definition.resource_name())),
        availability_zone: Some(format!("{region}a")),
        started_at: Some(at(60)),
        tags: vec![],
    }
}
