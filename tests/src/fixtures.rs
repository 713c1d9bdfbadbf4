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

/// A set of assets to write into one scope.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Clusters.
    pub clusters: Vec<Cluster>,
    /// Services.
    pub services: Vec<Service>,
    /// Task definition revisions.
    pub task_definitions: Vec<TaskDefinition>,
    /// Running tasks.
    pub tasks: Vec<Task>,
}

/// What a task definition of the control inventory looks like.
struct Revision {
    family: &'static str,
    status: &'static str,
    network_mode: Option<&'static str>,
    pid_mode: Option<&'static str>,
    running: usize,
    containers: Vec<ContainerSpec>,
}

fn spec(name: &str, privileged: Option<bool>, user: Option<&str>) -> ContainerSpec {
    ContainerSpec {
        privileged,
        user: user.map(str::to_owned),
        ..container(name)
    }
}

/// An inventory with violating and compliant assets for each of the 8 ECS controls, including the
/// tricky cases: `user` values `root:root`, `nonroot`, `ROOT`, `0`, empty and absent; an
/// INACTIVE revision with a running task; a revision whose tasks all stopped (so none is stored);
/// NULL `platformVersion`; `assignPublicIp` unset; `containerInsights` absent or `enhanced`.
/// [`control_expectations`] lists which assets each control must report.
pub fn control_inventory(account: &str, region: &str) -> Inventory {
    let readonly = |name: &str, value: Option<bool>| ContainerSpec {
        readonly_root_filesystem: value,
        ..container(name)
    };
    let with_env = |name: &str, vars: &[&str]| ContainerSpec {
        environment: vars.iter().map(|v| env(v, true)).collect(),
        ..container(name)
    };
    let revisions = vec![
        Revision {
            family: "host-privileged",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 2,
            containers: vec![
                spec("app", Some(true), None),
                spec("sidecar", Some(false), Some("1000")),
            ],
        },
        Revision {
            family: "host-root",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", Some(false), Some("root"))],
        },
        Revision {
            family: "host-root-group",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", None, Some("root:root"))],
        },
        Revision {
            family: "host-nonroot",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", None, Some("nonroot"))],
        },
        Revision {
            family: "host-upper-root",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", None, Some("ROOT"))],
        },
        Revision {
            family: "host-uid0",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", Some(false), Some("0"))],
        },
        Revision {
            family: "host-empty-user",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", None, Some(""))],
        },
        Revision {
            family: "host-unset",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", None, None)],
        },
        Revision {
            family: "host-privileged-idle",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 0,
            containers: vec![spec("app", Some(true), Some("root"))],
        },
        Revision {
            family: "host-inactive-running",
            status: "INACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", Some(true), None)],
        },
        Revision {
            family: "host-tasks-stopped",
            status: "ACTIVE",
            network_mode: Some("host"),
            pid_mode: None,
            running: 0,
            containers: vec![spec("app", None, Some("root"))],
        },
        Revision {
            family: "bridge-privileged",
            status: "ACTIVE",
            network_mode: Some("bridge"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", Some(true), Some("root"))],
        },
        Revision {
            family: "awsvpc-plain",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 1,
            containers: vec![spec("app", Some(false), Some("app"))],
        },
        Revision {
            family: "pid-host",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: Some("host"),
            running: 1,
            containers: vec![container("app")],
        },
        Revision {
            family: "pid-host-idle",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: Some("host"),
            running: 0,
            containers: vec![container("app")],
        },
        Revision {
            family: "pid-task",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: Some("task"),
            running: 1,
            containers: vec![container("app")],
        },
        Revision {
            family: "pid-hostile",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: Some("hostile"),
            running: 1,
            containers: vec![container("app")],
        },
        Revision {
            family: "rootfs-writable",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 1,
            containers: vec![readonly("app", Some(true)), readonly("log", Some(false))],
        },
        Revision {
            family: "rootfs-readonly",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 1,
            containers: vec![readonly("app", Some(true))],
        },
        Revision {
            family: "rootfs-writable-idle",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 0,
            containers: vec![readonly("app", Some(false))],
        },
        Revision {
            family: "env-access-key",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 1,
            containers: vec![with_env("app", &["AWS_REGION", "AWS_ACCESS_KEY_ID"])],
        },
        Revision {
            family: "env-secret-key",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 1,
            containers: vec![
                container("app"),
                with_env("side", &["AWS_SECRET_ACCESS_KEY"]),
            ],
        },
        Revision {
            family: "env-engine-auth",
            status: "ACTIVE",
            network_mode: Some("bridge"),
            pid_mode: None,
            running: 1,
            containers: vec![with_env("app", &["ECS_ENGINE_AUTH_DATA"])],
        },
        Revision {
            family: "env-harmless",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 1,
            containers: vec![with_env("app", &["AWS_REGION", "aws_access_key_id"])],
        },
        Revision {
            family: "env-secret-idle",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 0,
            containers: vec![with_env("app", &["AWS_SECRET_ACCESS_KEY"])],
        },
    ];
    let mut inventory = Inventory::default();
    for (i, revision) in revisions.into_iter().enumerate() {
        let mut definition = task_definition(
            account,
            region,
            revision.family,
            1,
            revision.network_mode,
            revision.containers,
        );
        definition.status = Some(revision.status.to_owned());
        definition.pid_mode = revision.pid_mode.map(str::to_owned);
        for n in 0..revision.running {
            let mut running = task(
                account,
                region,
                "prod",
                &format!("task-{i}-{n}"),
                &definition.arn,
            );
            running.started_at = Some(at(60 * i64::try_from(n).unwrap_or(0)));
            inventory.tasks.push(running);
        }
        inventory.task_definitions.push(definition);
    }

    let platform = |name: &str, version: Option<&str>, launch: &str| Service {
        platform_version: version.map(str::to_owned),
        launch_type: Some(launch.to_owned()),
        ..service(account, region, "prod", name, None)
    };
    inventory.services = vec![
        service(account, region, "prod", "public-ip", Some(Some(true))),
        service(account, region, "prod", "private-ip", Some(Some(false))),
        service(account, region, "prod", "ip-unset", Some(None)),
        platform("fargate-old", Some("1.3.0"), "FARGATE"),
        platform("fargate-blank", Some(""), "FARGATE"),
        platform("ec2-no-platform", None, "EC2"),
    ];

    inventory.clusters = vec![
        cluster(account, region, "prod", Some("enabled")),
        cluster(account, region, "insights-disabled", Some("disabled")),
        cluster(account, region, "insights-enhanced", Some("enhanced")),
        cluster(account, region, "insights-absent", None),
    ];
    inventory
}

/// For each control slug, the `internalName`s of the assets it must report on
/// [`control_inventory`].
pub fn control_expectations() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "aws-ecs-1-privileged-network-mode",
            vec![
                "host-privileged:1",
                "host-root:1",
                "host-root-group:1",
                "host-nonroot:1",
                "host-inactive-running:1",
            ],
        ),
        (
            "aws-ecs-2-service-assign-public-ip-disabled",
            vec!["public-ip"],
        ),
        ("aws-ecs-3-process-name-space", vec!["pid-host:1"]),
        (
            "aws-ecs-4-containers-not-privileged",
            vec![
                "host-privileged:1",
                "host-inactive-running:1",
                "bridge-privileged:1",
            ],
        ),
        (
            "aws-ecs-5-readonly-root-file-systems",
            vec!["rootfs-writable:1"],
        ),
        (
            "aws-ecs-8-secrets-in-vars",
            vec!["env-access-key:1", "env-secret-key:1", "env-engine-auth:1"],
        ),
        ("aws-ecs-10-latest-platform-version", vec!["fargate-old"]),
        (
            "aws-ecs-12-clusters-should-use-insights",
            vec!["insights-disabled", "insights-enhanced", "insights-absent"],
        ),
    ]
}
