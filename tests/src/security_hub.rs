//! An estate with labelled edge cases for each AWS Security Hub ECS control (`aws-fsbp-ecs-*`):
//! every asset is clean except in the one way its name says, and [`expectations`] lists, for
//! each control, exactly the assets it must report. The near-misses of
//! `../shared/reference/ecs-control-semantics.md` are here: an older ACTIVE revision that
//! violates while the latest does not, an INACTIVE one, `privileged: true` opting in, UID 0 and
//! `ROOT`, an absent read-only flag, one container of two, Windows vs Linux, `aws:` tags,
//! `enhanced` Container Insights, an unset EFS transit encryption, Fargate capacity providers.

use serde_json::{json, Value as Json};

use crate::fixtures::{arn, at, epoch, Inventory, ACCOUNT, REGION};

/// A container clean for every control: non-root user, not privileged, read-only root
/// filesystem, logging, no secret-looking variable.
fn clean_container(name: &str) -> Json {
    json!({
        "name": name,
        "image": format!("registry.example/{name}:1"),
        "essential": true,
        "user": "1000",
        "privileged": false,
        "readonlyRootFilesystem": true,
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app"}},
        "environment": [{"name": "LOG_LEVEL", "value": "info"}]
    })
}

/// A revision clean for every control, with `change` applied to it (and `container` to its
/// first container).
fn revision(family: &str, revision: i64, change: impl FnOnce(&mut Json)) -> Json {
    let mut definition = json!({
        "taskDefinitionArn": arn(ACCOUNT, REGION, &format!("task-definition/{family}:{revision}")),
        "family": family,
        "revision": revision,
        "status": "ACTIVE",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "runtimePlatform": {"operatingSystemFamily": "LINUX"},
        "registeredAt": epoch(at(revision)),
        "containerDefinitions": [clean_container("app")],
        "tags": [{"key": "team", "value": "platform"}]
    });
    change(&mut definition);
    definition
}

fn app(definition: &mut Json) -> &mut Json {
    &mut definition["containerDefinitions"][0]
}

fn unset(value: &mut Json, key: &str) {
    if let Some(object) = value.as_object_mut() {
        object.remove(key);
    }
}

fn host(d: &mut Json) {
    d["networkMode"] = json!("host");
}

fn service(name: &str, change: impl FnOnce(&mut Json)) -> Json {
    let mut service = json!({
        "serviceArn": arn(ACCOUNT, REGION, &format!("service/prod/{name}")),
        "serviceName": name,
        "clusterArn": arn(ACCOUNT, REGION, "cluster/prod"),
        "status": "ACTIVE",
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}},
        "tags": [{"key": "team", "value": "platform"}]
    });
    change(&mut service);
    service
}

fn cluster(name: &str, change: impl FnOnce(&mut Json)) -> Json {
    let mut cluster = json!({
        "clusterArn": arn(ACCOUNT, REGION, &format!("cluster/{name}")),
        "clusterName": name,
        "status": "ACTIVE",
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "tags": [{"key": "team", "value": "platform"}]
    });
    change(&mut cluster);
    cluster
}

fn task_set(id: &str, public_ip: &str) -> Json {
    json!({
        "id": id,
        "taskSetArn": arn(ACCOUNT, REGION, &format!("task-set/prod/svc-clean/{id}")),
        "serviceArn": arn(ACCOUNT, REGION, "service/prod/svc-clean"),
        "clusterArn": arn(ACCOUNT, REGION, "cluster/prod"),
        "status": "ACTIVE",
        "taskDefinition": arn(ACCOUNT, REGION, "task-definition/clean:1"),
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": public_ip}}
    })
}

fn capacity_provider(name: &str, protection: Option<&str>) -> Json {
    let mut provider = json!({
        "capacityProviderArn": arn(ACCOUNT, REGION, &format!("capacity-provider/{name}")),
        "name": name,
        "status": "ACTIVE",
        "tags": []
    });
    if let Some(protection) = protection {
        provider["autoScalingGroupProvider"] = json!({
            "autoScalingGroupArn": format!("arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:1:autoScalingGroupName/{name}"),
            "managedScaling": {"status": "ENABLED", "targetCapacity": 100},
            "managedTerminationProtection": protection
        });
    }
    provider
}

/// The estate.
pub fn estate() -> Inventory {
    let task_definitions = vec![
        revision("clean", 1, |_| {}),
        // ECS.1 / .17 / .20: host mode and who the containers run as.
        revision("h-root", 1, |d| {
            host(d);
            app(d)["user"] = json!("root");
            unset(app(d), "privileged");
        }),
        revision("h-nouser", 1, |d| {
            host(d);
            unset(app(d), "user");
        }),
        revision("h-privroot", 1, |d| {
            host(d);
            app(d)["user"] = json!("root");
            app(d)["privileged"] = json!(true);
        }),
        revision("h-uid0", 1, |d| {
            host(d);
            app(d)["user"] = json!("0");
        }),
        revision("h-upper", 1, |d| {
            host(d);
            app(d)["user"] = json!("ROOT");
        }),
        // An older ACTIVE revision violates; the latest does not.
        revision("h-old", 1, |d| {
            host(d);
            app(d)["user"] = json!("root");
        }),
        revision("h-old", 2, |_| {}),
        revision("h-inactive", 1, |d| {
            host(d);
            app(d)["user"] = json!("root");
            d["status"] = json!("INACTIVE");
        }),
        // ECS.3: every ACTIVE revision, running or not.
        revision("pid-host", 1, |d| d["pidMode"] = json!("host")),
        revision("pid-host-gone", 1, |d| {
            d["pidMode"] = json!("host");
            d["status"] = json!("INACTIVE");
        }),
        // ECS.4: the latest ACTIVE revision only.
        revision("priv-old", 1, |d| app(d)["privileged"] = json!(true)),
        revision("priv-old", 2, |_| {}),
        // ECS.5: absent is writable; every container must be read-only.
        revision("ro-absent", 1, |d| unset(app(d), "readonlyRootFilesystem")),
        revision("ro-false", 1, |d| {
            app(d)["readonlyRootFilesystem"] = json!(false)
        }),
        revision("ro-mixed", 1, |d| {
            let mut second = clean_container("sidecar");
            unset(&mut second, "readonlyRootFilesystem");
            d["containerDefinitions"]
                .as_array_mut()
                .expect("containers")
                .push(second);
        }),
        // ECS.8: every ACTIVE revision; names exactly.
        revision("env-secret", 1, |d| {
            app(d)["environment"] = json!([{"name": "AWS_SECRET_ACCESS_KEY", "value": "x"}])
        }),
        revision("env-lower", 1, |d| {
            app(d)["environment"] = json!([{"name": "aws_secret_access_key", "value": "x"}])
        }),
        revision("env-old", 1, |d| {
            app(d)["environment"] = json!([{"name": "AWS_ACCESS_KEY_ID", "value": "x"}])
        }),
        revision("env-old", 2, |_| {}),
        // ECS.9: one container of two without logging.
        revision("log-missing", 1, |d| {
            let mut second = clean_container("sidecar");
            unset(&mut second, "logConfiguration");
            d["containerDefinitions"]
                .as_array_mut()
                .expect("containers")
                .push(second);
        }),
        // ECS.15: tags other than aws: ones.
        revision("untagged", 1, |d| d["tags"] = json!([])),
        revision("aws-tagged", 1, |d| {
            d["tags"] = json!([{"key": "aws:cloudformation:stack-name", "value": "s"}])
        }),
        revision("untagged-gone", 1, |d| {
            d["tags"] = json!([]);
            d["status"] = json!("INACTIVE");
        }),
        // ECS.18: EFS volumes only; unset transit encryption is off.
        revision(
            "efs-off",
            1,
            |d| d["volumes"] = json!([{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "transitEncryption": "DISABLED"}}]),
        ),
        revision(
            "efs-unset",
            1,
            |d| {
                d["volumes"] =
                    json!([{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}])
            },
        ),
        revision(
            "efs-on",
            1,
            |d| d["volumes"] = json!([{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "transitEncryption": "ENABLED"}}]),
        ),
        revision("bind", 1, |d| {
            d["volumes"] = json!([{"name": "v", "host": {"sourcePath": "/data"}}])
        }),
        // ECS.20: Linux users.
        revision("linux-root-group", 1, |d| {
            app(d)["user"] = json!("root:root")
        }),
        revision("linux-uid0-group", 1, |d| app(d)["user"] = json!("0:0")),
        revision("linux-empty", 1, |d| app(d)["user"] = json!("")),
        // No operating system family is Linux: a container without a user fails.
        revision("linux-os-unset", 1, |d| {
            unset(d, "runtimePlatform");
            unset(app(d), "user");
        }),
        // ECS.21: Windows users (not Linux ones: a Windows family without a user is not ECS.20's).
        revision("win-nouser", 1, |d| {
            d["runtimePlatform"] = json!({"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"});
            unset(app(d), "user");
        }),
        revision("win-admin", 1, |d| {
            d["runtimePlatform"] = json!({"operatingSystemFamily": "WINDOWS_SERVER_2019_FULL"});
            app(d)["user"] = json!("ContainerAdministrator");
        }),
        revision("win-user", 1, |d| {
            d["runtimePlatform"] = json!({"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"});
            app(d)["user"] = json!("ContainerUser");
        }),
    ];
    let services = vec![
        service("svc-clean", |_| {}),
        // Public, and runs h-root:1, which makes that revision internet-exposed.
        service("svc-public", |s| {
            s["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] = json!("ENABLED");
            s["taskDefinition"] = json!(arn(ACCOUNT, REGION, "task-definition/h-root:1"));
        }),
        service("svc-old-linux", |s| s["platformVersion"] = json!("1.3.0")),
        service("svc-linux-140", |s| s["platformVersion"] = json!("1.4.0")),
        service("svc-win-140", |s| {
            s["platformFamily"] = json!("WINDOWS_SERVER_2019_FULL");
            s["platformVersion"] = json!("1.4.0");
        }),
        service("svc-win-100", |s| {
            s["platformFamily"] = json!("WINDOWS_SERVER_2019_FULL");
            s["platformVersion"] = json!("1.0.0");
        }),
        service("svc-ec2", |s| {
            s["launchType"] = json!("EC2");
            unset(s, "platformVersion");
            unset(s, "platformFamily");
        }),
        service("svc-untagged", |s| s["tags"] = json!([])),
        service("svc-aws-tagged", |s| {
            s["tags"] = json!([{"key": "aws:cloudformation:stack-name", "value": "s"}])
        }),
    ];
    let clusters = vec![
        cluster("prod", |_| {}),
        cluster("insights-off", |c| {
            c["settings"] = json!([{"name": "containerInsights", "value": "disabled"}])
        }),
        cluster("insights-absent", |c| c["settings"] = json!([])),
        cluster("insights-enhanced", |c| {
            c["settings"] = json!([{"name": "containerInsights", "value": "enhanced"}])
        }),
        cluster("cluster-untagged", |c| c["tags"] = json!([])),
    ];
    Inventory {
        clusters,
        services,
        task_definitions,
        tasks: Vec::new(),
        task_sets: vec![
            task_set("ts-public", "ENABLED"),
            task_set("ts-private", "DISABLED"),
        ],
        capacity_providers: vec![
            capacity_provider("asg-unprotected", Some("DISABLED")),
            capacity_provider("asg-protected", Some("ENABLED")),
            capacity_provider("FARGATE", None),
        ],
    }
}

/// For each control of the estate, the `internalName`s it must report.
pub fn expectations() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("aws-fsbp-ecs-1", vec!["h-nouser:1", "h-root:1"]),
        ("aws-fsbp-ecs-2", vec!["svc-public"]),
        ("aws-fsbp-ecs-3", vec!["pid-host:1"]),
        ("aws-fsbp-ecs-4", vec!["h-privroot:1"]),
        (
            "aws-fsbp-ecs-5",
            vec!["ro-absent:1", "ro-false:1", "ro-mixed:1"],
        ),
        ("aws-fsbp-ecs-8", vec!["env-old:1", "env-secret:1"]),
        ("aws-fsbp-ecs-9", vec!["log-missing:1"]),
        ("aws-fsbp-ecs-10", vec!["svc-old-linux", "svc-win-140"]),
        ("aws-fsbp-ecs-12", vec!["insights-absent", "insights-off"]),
        ("aws-fsbp-ecs-13", vec!["svc-aws-tagged", "svc-untagged"]),
        ("aws-fsbp-ecs-14", vec!["cluster-untagged"]),
        ("aws-fsbp-ecs-15", vec!["aws-tagged:1", "untagged:1"]),
        ("aws-fsbp-ecs-16", vec!["ts-public"]),
        (
            "aws-fsbp-ecs-17",
            vec![
                "h-nouser:1",
                "h-privroot:1",
                "h-root:1",
                "h-uid0:1",
                "h-upper:1",
            ],
        ),
        ("aws-fsbp-ecs-18", vec!["efs-off:1", "efs-unset:1"]),
        ("aws-fsbp-ecs-19", vec!["asg-unprotected"]),
        (
            "aws-fsbp-ecs-20",
            vec![
                "h-nouser:1",
                "h-privroot:1",
                "h-root:1",
                "h-uid0:1",
                "linux-empty:1",
                "linux-os-unset:1",
                "linux-root-group:1",
                "linux-uid0-group:1",
            ],
        ),
        ("aws-fsbp-ecs-21", vec!["win-admin:1", "win-nouser:1"]),
    ]
}
