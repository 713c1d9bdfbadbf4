//! `assetql demo`: a small company's ECS estate, written through the sync's own store code into
//! an embedded database of its own, with 14 days of control runs (remediation progressing day by
//! day) and a few exceptions; then the server on loopback with auth off.
//!
//! The estate: accounts `prod` (production) and `staging`, regions us-east-1 and eu-west-1;
//! ten services per scope, each running the latest of its family's 6-9 revisions (~300). Most assets
//! are clean; each built-in control has a few violating assets, named for what they do wrong.

use std::process::ExitCode;

use anyhow::Context;
use assetql_model::catalogue::{
    ECS_CAPACITY_PROVIDER, ECS_CLUSTER, ECS_SERVICE, ECS_TASK, ECS_TASK_DEFINITION, ECS_TASK_SET,
};
use assetql_model::{Scope, TenantId};
use assetql_store::Database;
use chrono::{DateTime, Duration, Utc};
use clap::Args;
use serde_json::{json, Value as Json};

use crate::generate::{arn, epoch};

/// Options of `assetql demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Address to serve on (loopback: the demo runs with auth off).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Build the estate and record its history, then exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// The demo's database unless `--database-url` names another one ending in `demo.db`.
pub const DEMO_DATABASE: &str = "sqlite://assetql-demo.db";

const ACCOUNTS: [(&str, &str, &str); 2] = [
    ("111111111111", "prod", "production"),
    ("222222222222", "staging", "staging"),
];
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
const DAYS: i64 = 14;

/// What a family's latest revision gets wrong (or nothing): the violations each control finds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flaw {
    None,
    /// Host network, privileged, root (the public catalogue's aws-ecs-1, ECS.4, ECS.17).
    HostPrivilegedRoot,
    /// Host network, no user set (ECS.1, ECS.17, ECS.20, the strict unset-user variant).
    HostUnsetUser,
    /// Host network, UID 0 (the strict UID-0 variant, ECS.20).
    HostUidZero,
    /// Shares the host's process namespace (aws-ecs-3, ECS.3).
    HostPid,
    /// Writable root filesystem, no logs, a credential in the environment (aws-ecs-5, ECS.5,
    /// ECS.9, aws-ecs-8, ECS.8).
    Legacy,
    /// EFS without transit encryption (ECS.18).
    PlainEfs,
    /// A Windows container as ContainerAdministrator (ECS.21).
    WindowsAdmin,
    /// A clean Windows container (ContainerUser).
    Windows,
}

/// Service names per scope and what their task definitions get wrong; the flawed ones differ
/// by scope so every account and region has something to fix.
fn families(scope_index: usize) -> Vec<(&'static str, Flaw)> {
    let mut out = vec![
        ("checkout", Flaw::None),
        ("catalog", Flaw::None),
        ("search", Flaw::None),
        ("accounts", Flaw::None),
        ("notifications", Flaw::None),
        ("images", Flaw::None),
    ];
    let flawed: &[(&str, Flaw)] = match scope_index {
        0 => &[
            ("metrics-agent", Flaw::HostPrivilegedRoot),
            ("node-exporter", Flaw::HostUnsetUser),
            ("legacy-billing", Flaw::Legacy),
            ("reports", Flaw::PlainEfs),
        ],
        1 => &[
            ("log-router", Flaw::HostUidZero),
            ("debug-shell", Flaw::HostPid),
            ("payments", Flaw::Windows),
            ("win-reporting", Flaw::WindowsAdmin),
        ],
        2 => &[
            ("metrics-agent", Flaw::HostPrivilegedRoot),
            ("legacy-billing", Flaw::Legacy),
            ("payments", Flaw::None),
            ("ledger", Flaw::None),
        ],
        _ => &[
            ("debug-shell", Flaw::HostPid),
            ("reports", Flaw::PlainEfs),
            ("payments", Flaw::None),
            ("ledger", Flaw::None),
        ],
    };
    out.extend_from_slice(flawed);
    out
}

fn container(name: &str, family: &str, region: &str, flaw: Flaw) -> Json {
    let mut c = json!({
        "name": name,
        "image": format!("123456789012.dkr.ecr.{region}.amazonaws.com/{family}:{}", family.len()),
        "cpu": 256,
        "memory": 512,
        "essential": true,
        "user": "1000",
        "privileged": false,
        "readonlyRootFilesystem": true,
        "environment": [{"name": "LOG_LEVEL", "value": "info"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": format!("/ecs/{family}"), "awslogs-region": region}},
        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
    });
    match flaw {
        Flaw::HostPrivilegedRoot => {
            c["privileged"] = json!(true);
            c["user"] = json!("root");
        }
        Flaw::HostUnsetUser => {
            c.as_object_mut().map(|m| m.remove("user"));
        }
        Flaw::HostUidZero => c["user"] = json!("0"),
        Flaw::Legacy => {
            c["readonlyRootFilesystem"] = json!(false);
            c.as_object_mut().map(|m| m.remove("logConfiguration"));
            c["environment"] = json!([
                {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAEXAMPLEDEMOONLY"},
                {"name": "LOG_LEVEL", "value": "debug"}
            ]);
        }
        Flaw::WindowsAdmin => c["user"] = json!("ContainerAdministrator"),
        Flaw::Windows => c["user"] = json!("ContainerUser"),
        Flaw::None | Flaw::HostPid | Flaw::PlainEfs => {}
    }
    c
}

/// One scope's documents on day `day` (0 = 14 days ago, 14 = today): remediation progresses,
/// so untagged revisions and public services shrink over the fortnight.
fn scope_documents(
    scope_index: usize,
    account: &str,
    region: &str,
    day: i64,
    at: DateTime<Utc>,
) -> Vec<(&'static assetql_model::catalogue::TypeDef, Vec<Json>)> {
    let cluster = arn(account, region, "cluster/apps");
    let legacy_cluster = arn(account, region, "cluster/legacy");
    let remaining = |total: i64| (total * (DAYS - day) / DAYS).max(0);
    let mut clusters = vec![json!({
        "clusterArn": cluster, "clusterName": "apps", "status": "ACTIVE",
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "tags": [{"key": "team", "value": "platform"}],
    })];
    if scope_index == 0 {
        // Container Insights never enabled, never tagged: aws-ecs-12, ECS.12, ECS.14.
        clusters.push(
            json!({"clusterArn": legacy_cluster, "clusterName": "legacy", "status": "ACTIVE",
            "settings": [{"name": "containerInsights", "value": "disabled"}]}),
        );
    }
    let providers = vec![json!({
        "capacityProviderArn": arn(account, region, "capacity-provider/spot"),
        "name": "spot", "status": "ACTIVE",
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": format!("arn:aws:autoscaling:{region}:{account}:autoScalingGroup:1:autoScalingGroupName/spot"),
            // ECS.19 in production us-east-1 only.
            "managedTerminationProtection": if scope_index == 0 { "DISABLED" } else { "ENABLED" },
        },
    })];
    let mut definitions = Vec::new();
    let mut services = Vec::new();
    let mut tasks = Vec::new();
    let mut task_sets = Vec::new();
    let public_left = remaining(4) + 1;
    let untagged_left = remaining(12) + 1;
    for (i, (family, flaw)) in families(scope_index).into_iter().enumerate() {
        let revisions = 6 + (i % 4) as i64;
        for revision in 1..=revisions {
            let latest = revision == revisions;
            let definition_arn = arn(
                account,
                region,
                &format!("task-definition/{family}:{revision}"),
            );
            let flaw = if latest { flaw } else { Flaw::None };
            let host = matches!(
                flaw,
                Flaw::HostPrivilegedRoot | Flaw::HostUnsetUser | Flaw::HostUidZero
            );
            let mut definition = json!({
                "taskDefinitionArn": definition_arn,
                "family": family,
                "revision": revision,
                "status": if latest || revision + 2 >= revisions { "ACTIVE" } else { "INACTIVE" },
                "networkMode": if host { "host" } else { "awsvpc" },
                "requiresCompatibilities": [if host { "EC2" } else { "FARGATE" }],
                "cpu": "256",
                "memory": "512",
                "registeredAt": epoch(at - Duration::days(30 - revision)),
                "containerDefinitions": [container(family, family, region, flaw)],
                "tags": [{"key": "team", "value": family}, {"key": "aws:cloudformation:stack-name", "value": family}],
            });
            if flaw == Flaw::HostPid {
                definition["pidMode"] = json!("host");
            }
            if flaw == Flaw::PlainEfs {
                definition["volumes"] = json!([{"name": "exports", "efsVolumeConfiguration": {"fileSystemId": "fs-0abc1234", "rootDirectory": "/exports", "transitEncryption": "DISABLED"}}]);
            } else if family == "images" && latest {
                definition["volumes"] = json!([{"name": "media", "efsVolumeConfiguration": {"fileSystemId": "fs-0def5678", "rootDirectory": "/media", "transitEncryption": "ENABLED"}}]);
            }
            if matches!(flaw, Flaw::WindowsAdmin | Flaw::Windows) {
                definition["runtimePlatform"] = json!({"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE", "cpuArchitecture": "X86_64"});
            }
            // ECS.15: revisions registered by hand, untagged; tagged over the fortnight.
            if latest && (i as i64) < untagged_left.min(2) + i64::from(scope_index == 0) - 1 {
                definition["tags"] =
                    json!([{"key": "aws:cloudformation:stack-name", "value": family}]);
            }
            definitions.push(definition);
        }
        let latest_arn = arn(
            account,
            region,
            &format!("task-definition/{family}:{revisions}"),
        );
        let public = (i as i64) < public_left.min(3) && scope_index % 2 == 0;
        let service_arn = arn(account, region, &format!("service/apps/{family}"));
        services.push(json!({
            "serviceArn": service_arn, "serviceName": family, "clusterArn": cluster, "status": "ACTIVE",
            "launchType": "FARGATE",
            // aws-ecs-10 and ECS.10: a service pinned to an old platform version.
            "platformVersion": if family == "images" && scope_index < 2 { "1.3.0" } else { "LATEST" },
            "taskDefinition": latest_arn, "desiredCount": 2, "runningCount": 2, "pendingCount": 0,
            "schedulingStrategy": "REPLICA", "createdAt": epoch(at - Duration::days(60)),
            "networkConfiguration": {"awsvpcConfiguration": {
                "assignPublicIp": if public { "ENABLED" } else { "DISABLED" },
                "subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-0a1b2c3d"]}},
            // ECS.13: one untagged service per scope.
            "tags": if family == "search" { json!([]) } else { json!([{"key": "team", "value": family}]) },
        }));
        for t in 0..2 {
            tasks.push(json!({
                "taskArn": arn(account, region, &format!("task/apps/{family}{t}{scope_index}")),
                "clusterArn": cluster, "taskDefinitionArn": latest_arn,
                "lastStatus": "RUNNING", "desiredStatus": "RUNNING", "launchType": "FARGATE",
                "cpu": "256", "memory": "512", "group": format!("service:{family}"),
                "availabilityZone": format!("{region}a"), "startedAt": epoch(at - Duration::hours(3)),
            }));
        }
        if family == "catalog" {
            // ECS.16: a canary task set with a public IP, in staging eu-west-1.
            task_sets.push(json!({
                "taskSetArn": arn(account, region, &format!("task-set/apps/{family}/ecs-svc/1234567890")),
                "id": "ecs-svc/1234567890", "serviceArn": service_arn, "clusterArn": cluster,
                "status": "ACTIVE", "taskDefinition": latest_arn, "launchType": "FARGATE",
                "networkConfiguration": {"awsvpcConfiguration": {"assignPublicIp": if scope_index == 3 { "ENABLED" } else { "DISABLED" }, "subnets": ["subnet-0a1b2c3d"]}},
                "scale": {"unit": "PERCENT", "value": 10.0}, "stabilityStatus": "STEADY_STATE",
            }));
        }
    }
    vec![
        (&ECS_CLUSTER, clusters),
        (&ECS_CAPACITY_PROVIDER, providers),
        (&ECS_SERVICE, services),
        (&ECS_TASK_SET, task_sets),
        (&ECS_TASK_DEFINITION, definitions),
        (&ECS_TASK, tasks),
    ]
}

/// Writes the estate as of `day` through the sync's store code, one sync run per scope.
async fn write_day(db: &Database, day: i64, at: DateTime<Utc>) -> anyhow::Result<()> {
    let tenant = TenantId::default_tenant();
    let mut index = 0;
    for (account, name, environment) in ACCOUNTS {
        db.upsert_cloud_account(&tenant, account, Some(name), at)
            .await?;
        db.set_account_environment(&tenant, account, Some(environment), at)
            .await?;
        for region in REGIONS {
            let scope = Scope {
                tenant: tenant.clone(),
                cloud_account_id: account.to_owned(),
                region: region.to_owned(),
            };
            let run = db.begin_sync_run(&scope, at).await?;
            let mut writer = db.scope_writer(&scope, run, at).await?;
            for (ty, documents) in scope_documents(index, account, region, day, at) {
                writer.upsert(ty, &documents).await?;
            }
            writer.commit().await?;
            index += 1;
        }
    }
    Ok(())
}

/// Exceptions a platform team would have: an owner, a reason, an expiry.
const EXCEPTIONS: [(&str, &str, &str, &str, i64); 3] = [
    (
        "aws-fsbp-ecs-4",
        "arn:aws:ecs:us-east-1:111111111111:task-definition/metrics-agent:8",
        "observability",
        "vendor agent needs privileged mode; replaced by the managed collector in Q1",
        45,
    ),
    (
        "aws-fsbp-ecs-8",
        "arn:aws:ecs:us-east-1:222222222222:task-definition/legacy-billing:9",
        "payments",
        "staging credentials only; moving to Secrets Manager this sprint",
        10,
    ),
    // ECS.21's one violation is excepted: the page shows a passing control too.
    (
        "aws-fsbp-ecs-21",
        "arn:aws:ecs:eu-west-1:111111111111:task-definition/win-reporting:7",
        "reporting",
        "IIS needs ContainerAdministrator until the app pool moves to gMSA",
        30,
    ),
];

/// Builds the demo estate and its history into `db` (already migrated). Returns the runs of
/// today.
pub async fn build(
    db: &Database,
    catalogue: &assetql_controls::Catalogue,
) -> anyhow::Result<Vec<assetql_store::ControlRun>> {
    let tenant = TenantId::default_tenant();
    let now = Utc::now();
    db.ensure_tenant(&tenant, "assetql demo estate").await?;
    let engine =
        std::sync::Arc::new(assetql_graphql::Engine::new().context("building the GraphQL schema")?);
    let runner = assetql_controls::Runner::new(engine, db.clone());
    let controls: Vec<&assetql_controls::Control> = catalogue.controls.iter().collect();
    let mut today = Vec::new();
    for day in 0..=DAYS {
        let at = now - Duration::days(DAYS - day) - Duration::minutes(5);
        write_day(db, day, at).await?;
        if day == DAYS / 2 {
            for (control, asset, owner, reason, days) in EXCEPTIONS {
                let exception = assetql_controls::new_exception(
                    control,
                    asset,
                    owner,
                    reason,
                    now + Duration::days(days),
                    "demo",
                    at,
                )
                .map_err(|e| anyhow::anyhow!("demo exception: {e}"))?;
                db.create_control_exception(&tenant, &exception).await?;
            }
        }
        today = runner
            .run_and_record_at(&tenant, &controls, None, at + Duration::minutes(1))
            .await?;
    }
    Ok(today)
}

/// Runs `assetql demo`.
pub async fn run(global: &crate::args::GlobalArgs, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let url = if global.database_url == "sqlite://assetql.db" {
        DEMO_DATABASE.to_owned()
    } else {
        global.database_url.clone()
    };
    // The demo rebuilds its database at each start: it never touches one it did not make.
    let Some(path) = url
        .strip_prefix("sqlite://")
        .filter(|p| p.ends_with("demo.db"))
    else {
        anyhow::bail!(
            "the demo rebuilds its database at each start, so it only uses an embedded file whose \
             name ends in demo.db (default {DEMO_DATABASE}), not {url}"
        );
    };
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{path}{suffix}");
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("removing the old demo database {file}"))
            }
        }
    }
    let db = Database::connect(&url, &global.pool_options())
        .await
        .context("creating the demo database")?;
    db.migrate().await.context("applying migrations")?;
    let catalogue = assetql_controls::Catalogue::builtin();
    let started = std::time::Instant::now();
    let runs = build(&db, &catalogue).await?;
    db.close().await;
    let failing = runs
        .iter()
        .filter(|r| r.status == assetql_store::ControlStatus::Fail)
        .count();
    eprintln!(
        "demo estate: 2 accounts x 2 regions, {} controls ({failing} failing), 14 days of history, \
         built in {:.1} s into {path}",
        runs.len(),
        started.elapsed().as_secs_f64()
    );
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("posture:   http://{}/", args.listen);
    eprintln!("GraphiQL:  http://{}/graphql", args.listen);
    eprintln!("controls:  curl -s http://{}/graphql -H 'content-type: application/json' -d '{{\"query\":\"{{ compliance {{ compliancePercent }} controls {{ id latestRun {{ status failingCount applicableCount }} }} }}\"}}'", args.listen);
    eprintln!(
        "(auth is off: the demo listens on {} only; Ctrl-C stops it)",
        args.listen
    );
    let mut demo_global = global.clone();
    demo_global.database_url = url;
    let serve = serve_args(args.listen)?;
    crate::serve::run(&demo_global, serve).await
}

/// `serve --listen ADDR --auth false` as the demo runs it.
fn serve_args(listen: std::net::SocketAddr) -> anyhow::Result<crate::serve::ServeArgs> {
    #[derive(clap::Parser)]
    struct Serve {
        #[command(flatten)]
        args: crate::serve::ServeArgs,
    }
    let listen = listen.to_string();
    let parsed = <Serve as clap::Parser>::try_parse_from([
        "demo",
        "--listen",
        listen.as_str(),
        "--auth",
        "false",
        "--auto-migrate",
        "false",
    ])
    .context("the demo's server options")?;
    Ok(parsed.args)
}
