//! Fixture assets for tests, each as the AWS API's JSON answers it (DescribeClusters,
//! DescribeServices, DescribeTasks, DescribeTaskDefinition with its tags inline): the shape the
//! sync writes. Small constructors with optional fields unset, to be adjusted by key
//! (`definition["pidMode"] = json!("host")`).

use assetql_model::{Scope, TenantId};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value as Json};

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

/// A time as the API's JSON writes it (seconds since the epoch).
pub fn epoch(at: DateTime<Utc>) -> Json {
    json!(at.timestamp())
}

/// The ARN of `resource` in `account` and `region`.
pub fn arn(account: &str, region: &str, resource: &str) -> String {
    format!("arn:aws:ecs:{region}:{account}:{resource}")
}

/// The ARN of a fixture asset of any type.
pub fn arn_of(asset: &Json) -> String {
    ["taskDefinitionArn", "taskArn", "serviceArn", "clusterArn"]
        .iter()
        .find_map(|key| asset.get(key).and_then(Json::as_str))
        .expect("a fixture asset has an ARN")
        .to_owned()
}

/// A cluster with `containerInsights` set to `insights` (if given).
pub fn cluster(account: &str, region: &str, name: &str, insights: Option<&str>) -> Json {
    let mut cluster = json!({
        "clusterArn": arn(account, region, &format!("cluster/{name}")),
        "clusterName": name,
        "status": "ACTIVE",
        "runningTasksCount": 0,
        "pendingTasksCount": 0,
        "activeServicesCount": 0,
        "registeredContainerInstancesCount": 0,
        "settings": [],
        "tags": [],
    });
    if let Some(value) = insights {
        cluster["settings"] = json!([{"name": "containerInsights", "value": value}]);
    }
    cluster
}

/// A service in `cluster` with `assignPublicIp` as given (None: no network configuration;
/// `Some(None)`: a configuration without `assignPublicIp`).
pub fn service(
    account: &str,
    region: &str,
    cluster: &str,
    name: &str,
    public_ip: Option<Option<bool>>,
) -> Json {
    let mut service = json!({
        "serviceArn": arn(account, region, &format!("service/{cluster}/{name}")),
        "serviceName": name,
        "clusterArn": arn(account, region, &format!("cluster/{cluster}")),
        "status": "ACTIVE",
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "schedulingStrategy": "REPLICA",
        "desiredCount": 1,
        "runningCount": 1,
        "pendingCount": 0,
        "createdAt": epoch(at(0)),
        "tags": [],
    });
    if let Some(public_ip) = public_ip {
        let mut vpc = json!({"subnets": ["subnet-1"], "securityGroups": ["sg-1"]});
        if let Some(enabled) = public_ip {
            vpc["assignPublicIp"] = json!(if enabled { "ENABLED" } else { "DISABLED" });
        }
        service["networkConfiguration"] = json!({ "awsvpcConfiguration": vpc });
    }
    service
}

/// A container with only its name, image and `essential` set.
pub fn container(name: &str) -> Json {
    json!({
        "name": name,
        "image": format!("registry.example/{name}:1"),
        "essential": true,
    })
}

/// An environment variable; its value is a secret-looking text when `has_value`, else empty.
pub fn env(name: &str, has_value: bool) -> Json {
    json!({"name": name, "value": if has_value { "s3cr3t-env-value" } else { "" }})
}

/// An ACTIVE task definition revision in `network_mode` with `containers`, tagged
/// `team=platform`.
pub fn task_definition(
    account: &str,
    region: &str,
    family: &str,
    revision: i64,
    network_mode: Option<&str>,
    containers: Vec<Json>,
) -> Json {
    let mut definition = json!({
        "taskDefinitionArn": arn(account, region, &format!("task-definition/{family}:{revision}")),
        "family": family,
        "revision": revision,
        "status": "ACTIVE",
        "cpu": "256",
        "memory": "512",
        "requiresCompatibilities": ["EC2"],
        "registeredAt": epoch(at(0)),
        "containerDefinitions": containers,
        "tags": [{"key": "team", "value": "platform"}],
    });
    if let Some(mode) = network_mode {
        definition["networkMode"] = json!(mode);
    }
    definition
}

/// A RUNNING task of the revision `task_definition` (an ARN) in `cluster`.
pub fn task(account: &str, region: &str, cluster: &str, id: &str, task_definition: &str) -> Json {
    let revision = task_definition.rsplit('/').next().unwrap_or_default();
    json!({
        "taskArn": arn(account, region, &format!("task/{cluster}/{id}")),
        "clusterArn": arn(account, region, &format!("cluster/{cluster}")),
        "taskDefinitionArn": task_definition,
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "launchType": "EC2",
        "cpu": "256",
        "memory": "512",
        "group": format!("family:{revision}"),
        "availabilityZone": format!("{region}a"),
        "startedAt": epoch(at(60)),
        "tags": [],
    })
}

/// A set of assets to write into one scope.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Clusters.
    pub clusters: Vec<Json>,
    /// Services.
    pub services: Vec<Json>,
    /// Task definition revisions.
    pub task_definitions: Vec<Json>,
    /// Running tasks.
    pub tasks: Vec<Json>,
    /// Task sets.
    pub task_sets: Vec<Json>,
    /// Capacity providers.
    pub capacity_providers: Vec<Json>,
}

/// What a task definition of the control inventory looks like.
struct Revision {
    family: &'static str,
    status: &'static str,
    network_mode: Option<&'static str>,
    pid_mode: Option<&'static str>,
    running: usize,
    containers: Vec<Json>,
}

/// A container with `privileged` and `user` set when given.
pub fn spec(name: &str, privileged: Option<bool>, user: Option<&str>) -> Json {
    let mut container = container(name);
    if let Some(privileged) = privileged {
        container["privileged"] = json!(privileged);
    }
    if let Some(user) = user {
        container["user"] = json!(user);
    }
    container
}

/// An inventory with violating and compliant assets for each of the 8 ECS controls, including the
/// tricky cases: `user` values `root:root`, `nonroot`, `ROOT`, `0`, empty and absent; an
/// INACTIVE revision with a running task; a revision whose tasks all stopped (so none is stored);
/// NULL `platformVersion`; `assignPublicIp` unset; `containerInsights` absent or `enhanced`.
/// [`control_expectations`] lists which assets each control must report.
pub fn control_inventory(account: &str, region: &str) -> Inventory {
    let readonly = |name: &str, value: bool| {
        let mut container = container(name);
        container["readonlyRootFilesystem"] = json!(value);
        container
    };
    let with_env = |name: &str, vars: &[&str]| {
        let mut container = container(name);
        container["environment"] = vars.iter().map(|v| env(v, true)).collect();
        container
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
            containers: vec![readonly("app", true), readonly("log", false)],
        },
        Revision {
            family: "rootfs-readonly",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 1,
            containers: vec![readonly("app", true)],
        },
        Revision {
            family: "rootfs-writable-idle",
            status: "ACTIVE",
            network_mode: Some("awsvpc"),
            pid_mode: None,
            running: 0,
            containers: vec![readonly("app", false)],
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
        definition["status"] = json!(revision.status);
        if let Some(pid_mode) = revision.pid_mode {
            definition["pidMode"] = json!(pid_mode);
        }
        for n in 0..revision.running {
            let mut running = task(
                account,
                region,
                "prod",
                &format!("task-{i}-{n}"),
                &arn_of(&definition),
            );
            running["startedAt"] = epoch(at(60 * i64::try_from(n).unwrap_or(0)));
            inventory.tasks.push(running);
        }
        inventory.task_definitions.push(definition);
    }

    let platform = |name: &str, version: Option<&str>, launch: &str| {
        let mut service = service(account, region, "prod", name, None);
        service["platformVersion"] = version.map_or(Json::Null, |v| json!(v));
        service["launchType"] = json!(launch);
        service
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
