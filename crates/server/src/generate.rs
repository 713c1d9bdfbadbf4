//! A deterministic synthetic ECS inventory, written through the store's own upserts: the data of
//! the performance benchmarks (`assetql generate`).

use std::time::{Duration, Instant};

use assetql_model::catalogue::{ECS_CLUSTER, ECS_SERVICE, ECS_TASK, ECS_TASK_DEFINITION};
use assetql_model::{Scope, TenantId};
use assetql_sql::SqlDialect;
use assetql_store::{Database, StoreError};
use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{json, Value as Json};

/// A small deterministic generator (64-bit LCG): the same seed gives the same inventory.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// True with probability `percent` / 100.
    fn percent(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let n = u64::try_from(items.len()).unwrap_or(1).max(1);
        &items[usize::try_from(self.next() % n).unwrap_or(0)]
    }
}

/// What a generation wrote and how long it took.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GenerateReport {
    /// Task definition revisions.
    pub task_definitions: u64,
    /// Container specs.
    pub container_specs: u64,
    /// Env entries.
    pub env_entries: u64,
    /// Running tasks.
    pub tasks: u64,
    /// Services.
    pub services: u64,
    /// Clusters.
    pub clusters: u64,
    /// Wall time, in milliseconds.
    pub elapsed_ms: u64,
    /// Container specs written per second.
    pub container_specs_per_second: f64,
}

impl GenerateReport {
    fn add(&mut self, part: &GenerateReport) {
        self.task_definitions += part.task_definitions;
        self.container_specs += part.container_specs;
        self.env_entries += part.env_entries;
        self.tasks += part.tasks;
        self.services += part.services;
        self.clusters += part.clusters;
    }
}

const ACCOUNTS: [&str; 3] = ["100000000001", "100000000002", "100000000003"];
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
const USERS: [Option<&str>; 9] = [
    None,
    Some("root"),
    Some("root:root"),
    Some("nonroot"),
    Some("0"),
    Some("1000"),
    Some("nginx"),
    Some("ROOT"),
    Some(""),
];

pub(crate) fn arn(account: &str, region: &str, resource: &str) -> String {
    format!("arn:aws:ecs:{region}:{account}:{resource}")
}

/// A time as the API's JSON writes it: seconds since the epoch.
pub(crate) fn epoch(at: DateTime<Utc>) -> Json {
    json!(at.timestamp())
}

/// Writes about `task_definitions` revisions (3 accounts x 2 regions, ~3 containers each, ~10%
/// host network mode, ~5% with running tasks, ~2% privileged containers, users spread over
/// absent/root/root:root/nonroot/0/1000/nginx/ROOT/empty, services and clusters in proportion)
/// for `tenant`, in batches of `batch` per upsert, up to `concurrency` scopes at once on
/// PostgreSQL. The inventory depends on the seed only, not on the batch size or concurrency.
pub async fn generate(
    db: &Database,
    tenant: &TenantId,
    task_definitions: u64,
    seed: u64,
    batch: usize,
    concurrency: usize,
) -> Result<GenerateReport, StoreError> {
    let started = Instant::now();
    let mut report = GenerateReport::default();
    let at = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    db.ensure_tenant(tenant, tenant.as_str()).await?;
    let scopes = u64::try_from(ACCOUNTS.len() * REGIONS.len()).unwrap_or(6);
    let per_scope = task_definitions.div_ceil(scopes);
    for account in ACCOUNTS {
        db.upsert_cloud_account(tenant, account, Some(&format!("acct-{account}")), at)
            .await?;
    }
    // Scopes are independent (each its own generator stream and its own transaction), so up to
    // `concurrency` are written at once, as the ingest worker syncs scopes. SQLite has one
    // writer: its scopes are written one after another.
    let concurrency = match db.dialect() {
        SqlDialect::Postgres => concurrency.max(1),
        SqlDialect::Sqlite => 1,
    };
    let jobs = ACCOUNTS
        .iter()
        .flat_map(|account| REGIONS.iter().map(move |region| (*account, *region)))
        .enumerate()
        .map(|(index, (account, region))| {
            let scope = Scope {
                tenant: tenant.clone(),
                cloud_account_id: account.to_owned(),
                region: region.to_owned(),
            };
            let seed = scope_seed(seed, index);
            async move { generate_scope(db, &scope, per_scope, seed, batch, at).await }
        });
    let mut parts = futures_util::stream::iter(jobs).buffer_unordered(concurrency);
    while let Some(part) = parts.next().await {
        report.add(&part?);
    }
    let elapsed = started.elapsed().max(Duration::from_millis(1));
    report.elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    report.container_specs_per_second = report.container_specs as f64 / elapsed.as_secs_f64();
    Ok(report)
}

/// The generator stream of the `index`-th scope: independent of the order scopes are written in.
fn scope_seed(seed: u64, index: usize) -> u64 {
    let index = u64::try_from(index).unwrap_or(0) + 1;
    seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Writes one scope (one sync run, one transaction) and reports what it wrote.
async fn generate_scope(
    db: &Database,
    scope: &Scope,
    per_scope: u64,
    seed: u64,
    batch: usize,
    at: DateTime<Utc>,
) -> Result<GenerateReport, StoreError> {
    let mut rng = Rng(seed);
    let mut report = GenerateReport::default();
    let (account, region) = (scope.cloud_account_id.as_str(), scope.region.as_str());
    let run = db.begin_sync_run(scope, at).await?;
    let mut writer = db.scope_writer(scope, run, at).await?;
    // Each asset as DescribeClusters, DescribeServices, DescribeTasks and
    // DescribeTaskDefinition would answer it: written through the same reading as a sync.
    let clusters: Vec<Json> = (0..3)
        .map(|c| {
            json!({
                "clusterArn": arn(account, region, &format!("cluster/c{c}")),
                "clusterName": format!("c{c}"),
                "status": "ACTIVE",
                "runningTasksCount": 0,
                "pendingTasksCount": 0,
                "activeServicesCount": 0,
                "registeredContainerInstancesCount": 0,
                "settings": [{
                    "name": "containerInsights",
                    "value": if c == 0 { "disabled" } else { "enabled" },
                }],
            })
        })
        .collect();
    report.clusters += u64::try_from(clusters.len()).unwrap_or(0);
    writer.upsert(&ECS_CLUSTER, &clusters).await?;

    let cluster_arn = arn(account, region, "cluster/c1");
    let mut definitions = Vec::with_capacity(batch);
    let mut tasks = Vec::new();
    let mut services = Vec::new();
    for i in 0..per_scope {
        let family = format!("svc{}", i / 5);
        let revision = i64::try_from(i % 5 + 1).unwrap_or(1);
        let network_mode = if rng.percent(10) {
            "host"
        } else {
            *rng.pick(&["awsvpc", "bridge"])
        };
        let mut env_entries = 0;
        // Most estates log through awslogs (the console, Copilot and CDK add it by default)
        // and tag what they deploy; these shares are the generator's choice, not a survey.
        let logged = rng.percent(90);
        let tagged = rng.percent(85);
        let containers: Vec<Json> = (0..=(rng.next() % 5))
            .map(|c| {
                let env = if rng.percent(3) {
                    let name = *rng.pick(&[
                        "AWS_ACCESS_KEY_ID",
                        "AWS_SECRET_ACCESS_KEY",
                        "ECS_ENGINE_AUTH_DATA",
                    ]);
                    json!([{"name": name, "value": "generated"}])
                } else if rng.percent(50) {
                    json!([{"name": "LOG_LEVEL", "value": "info"}])
                } else {
                    json!([])
                };
                env_entries += env.as_array().map_or(0, Vec::len);
                let mut container = json!({
                    "name": format!("c{c}"),
                    "image": format!("registry.example/app{c}:1"),
                    "cpu": 128,
                    "memory": 256,
                    "essential": c == 0,
                    "environment": env,
                });
                if rng.percent(2) {
                    container["privileged"] = json!(true);
                } else if rng.percent(30) {
                    container["privileged"] = json!(false);
                }
                if let Some(user) = rng.pick(&USERS) {
                    container["user"] = json!(user);
                }
                if rng.percent(50) {
                    container["readonlyRootFilesystem"] = json!(rng.percent(50));
                }
                if logged {
                    container["logConfiguration"] = json!({
                        "logDriver": "awslogs",
                        "options": {"awslogs-group": format!("/ecs/{family}"), "awslogs-region": region},
                    });
                }
                container
            })
            .collect();
        let definition_arn = arn(
            account,
            region,
            &format!("task-definition/{family}:{revision}"),
        );
        let status = if revision < 5 && rng.percent(20) {
            "INACTIVE"
        } else {
            "ACTIVE"
        };
        let mut definition = json!({
            "taskDefinitionArn": definition_arn,
            "family": family,
            "revision": revision,
            "status": status,
            "networkMode": network_mode,
            "cpu": "256",
            "memory": "512",
            "requiresCompatibilities": ["EC2"],
            "registeredAt": epoch(at),
        });
        if rng.percent(3) {
            definition["pidMode"] = json!("host");
        }
        if tagged {
            definition["tags"] = json!([
                {"key": "team", "value": format!("team{}", i % 7)},
                {"key": "aws:cloudformation:stack-name", "value": format!("stack-{family}")},
            ]);
        }
        if rng.percent(5) {
            for t in 0..=(rng.next() % 3) {
                tasks.push(json!({
                    "taskArn": arn(account, region, &format!("task/c1/t{i}x{t}")),
                    "clusterArn": cluster_arn,
                    "taskDefinitionArn": definition_arn,
                    "lastStatus": "RUNNING",
                    "desiredStatus": "RUNNING",
                    "launchType": "EC2",
                    "cpu": "256",
                    "memory": "512",
                    "group": format!("family:{family}"),
                    "availabilityZone": format!("{region}a"),
                    "startedAt": epoch(at + chrono::Duration::seconds(i64::try_from(i).unwrap_or(0))),
                }));
            }
        }
        if i % 50 == 0 {
            let platform_version = *rng.pick(&["LATEST", "1.4.0", "1.3.0"]);
            let public_ip = if rng.percent(20) {
                "ENABLED"
            } else {
                "DISABLED"
            };
            services.push(json!({
                "serviceArn": arn(account, region, &format!("service/c1/{family}")),
                "serviceName": family,
                "clusterArn": cluster_arn,
                "status": "ACTIVE",
                "launchType": "FARGATE",
                "platformVersion": platform_version,
                "taskDefinition": definition_arn,
                "schedulingStrategy": "REPLICA",
                "desiredCount": 1,
                "runningCount": 1,
                "pendingCount": 0,
                "createdAt": epoch(at),
                "networkConfiguration": {"awsvpcConfiguration": {
                    "assignPublicIp": public_ip,
                    "subnets": ["subnet-1"],
                    "securityGroups": ["sg-1"],
                }},
            }));
        }
        report.container_specs += u64::try_from(containers.len()).unwrap_or(0);
        report.env_entries += u64::try_from(env_entries).unwrap_or(0);
        definition["containerDefinitions"] = Json::Array(containers);
        definitions.push(definition);
        if definitions.len() >= batch {
            report.task_definitions += u64::try_from(definitions.len()).unwrap_or(0);
            writer.upsert(&ECS_TASK_DEFINITION, &definitions).await?;
            definitions.clear();
        }
    }
    report.task_definitions += u64::try_from(definitions.len()).unwrap_or(0);
    writer.upsert(&ECS_TASK_DEFINITION, &definitions).await?;
    report.tasks += u64::try_from(tasks.len()).unwrap_or(0);
    writer.upsert(&ECS_TASK, &tasks).await?;
    report.services += u64::try_from(services.len()).unwrap_or(0);
    writer.upsert(&ECS_SERVICE, &services).await?;
    writer.commit().await?;
    Ok(report)
}
