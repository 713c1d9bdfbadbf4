//! A deterministic synthetic ECS inventory, written through the store's own upserts: the data of
//! the performance benchmarks (`assetql generate`).

use std::time::{Duration, Instant};

use assetql_model::{
    Arn, Cluster, ClusterSetting, ContainerSpec, EnvEntry, Scope, Service,
    ServiceNetworkConfiguration, Task, TaskDefinition, TenantId,
};
use assetql_sql::SqlDialect;
use assetql_store::{Database, StoreError};
use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;
use serde::Serialize;

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

fn arn(account: &str, region: &str, resource: &str) -> Result<Arn, StoreError> {
    Arn::parse(format!("arn:aws:ecs:{region}:{account}:{resource}")).map_err(|e| {
        StoreError::Corrupt {
            column: "generated arn",
            reason: e.to_string(),
        }
    })
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
    let clusters: Vec<Cluster> = (0..3)
        .map(|c| {
            Ok(Cluster {
                arn: arn(account, region, &format!("cluster/c{c}"))?,
                name: format!("c{c}"),
                status: Some("ACTIVE".to_owned()),
                running_tasks_count: Some(0),
                pending_tasks_count: Some(0),
                active_services_count: Some(0),
                registered_container_instances_count: Some(0),
                capacity_providers: None,
                settings: vec![ClusterSetting {
                    name: "containerInsights".to_owned(),
                    value: Some(if c == 0 { "disabled" } else { "enabled" }.to_owned()),
                }],
                tags: vec![],
            })
        })
        .collect::<Result<_, StoreError>>()?;
    report.clusters += u64::try_from(clusters.len()).unwrap_or(0);
    writer.upsert_clusters(&clusters).await?;

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
        let containers: Vec<ContainerSpec> = (0..=(rng.next() % 5))
            .map(|c| {
                let env = if rng.percent(3) {
                    vec![EnvEntry {
                        name: (*rng.pick(&[
                            "AWS_ACCESS_KEY_ID",
                            "AWS_SECRET_ACCESS_KEY",
                            "ECS_ENGINE_AUTH_DATA",
                        ]))
                        .to_owned(),
                        has_value: true,
                    }]
                } else if rng.percent(50) {
                    vec![EnvEntry {
                        name: "LOG_LEVEL".to_owned(),
                        has_value: true,
                    }]
                } else {
                    vec![]
                };
                ContainerSpec {
                    name: format!("c{c}"),
                    image: Some(format!("registry.example/app{c}:1")),
                    cpu: Some(128),
                    memory: Some(256),
                    memory_reservation: None,
                    essential: Some(c == 0),
                    privileged: if rng.percent(2) {
                        Some(true)
                    } else if rng.percent(30) {
                        Some(false)
                    } else {
                        None
                    },
                    user: rng.pick(&USERS).map(str::to_owned),
                    readonly_root_filesystem: if rng.percent(50) {
                        Some(rng.percent(50))
                    } else {
                        None
                    },
                    capabilities_add: None,
                    capabilities_drop: None,
                    environment: env,
                }
            })
            .collect();
        let definition = TaskDefinition {
            arn: arn(
                account,
                region,
                &format!("task-definition/{family}:{revision}"),
            )?,
            family: family.clone(),
            revision,
            status: Some(
                if revision < 5 && rng.percent(20) {
                    "INACTIVE"
                } else {
                    "ACTIVE"
                }
                .to_owned(),
            ),
            network_mode: Some(network_mode.to_owned()),
            pid_mode: if rng.percent(3) {
                Some("host".to_owned())
            } else {
                None
            },
            ipc_mode: None,
            task_role_arn: None,
            execution_role_arn: None,
            cpu: Some("256".to_owned()),
            memory: Some("512".to_owned()),
            requires_compatibilities: Some(vec!["EC2".to_owned()]),
            registered_at: Some(at),
            deregistered_at: None,
            containers,
            tags: vec![],
        };
        if rng.percent(5) {
            for t in 0..=(rng.next() % 3) {
                tasks.push(Task {
                    arn: arn(account, region, &format!("task/c1/t{i}x{t}"))?,
                    cluster_arn: Some(arn(account, region, "cluster/c1")?.to_string()),
                    task_definition_arn: Some(definition.arn.to_string()),
                    last_status: Some("RUNNING".to_owned()),
                    desired_status: Some("RUNNING".to_owned()),
                    launch_type: Some("EC2".to_owned()),
                    platform_version: None,
                    cpu: Some("256".to_owned()),
                    memory: Some("512".to_owned()),
                    group: Some(format!("family:{family}")),
                    availability_zone: Some(format!("{region}a")),
                    started_at: Some(at + chrono::Duration::seconds(i64::try_from(i).unwrap_or(0))),
                    tags: vec![],
                });
            }
        }
        if i % 50 == 0 {
            services.push(Service {
                arn: arn(account, region, &format!("service/c1/{family}"))?,
                name: family.clone(),
                cluster_arn: Some(arn(account, region, "cluster/c1")?.to_string()),
                status: Some("ACTIVE".to_owned()),
                launch_type: Some("FARGATE".to_owned()),
                platform_version: Some((*rng.pick(&["LATEST", "1.4.0", "1.3.0"])).to_owned()),
                platform_family: None,
                task_definition_arn: Some(definition.arn.to_string()),
                scheduling_strategy: Some("REPLICA".to_owned()),
                desired_count: Some(1),
                running_count: Some(1),
                pending_count: Some(0),
                created_at: Some(at),
                network_configuration: Some(ServiceNetworkConfiguration {
                    assign_public_ip: Some(rng.percent(20)),
                    subnets: Some(vec!["subnet-1".to_owned()]),
                    security_groups: Some(vec!["sg-1".to_owned()]),
                }),
                tags: vec![],
            });
        }
        report.container_specs += u64::try_from(definition.containers.len()).unwrap_or(0);
        report.env_entries += definition
            .containers
            .iter()
            .map(|c| u64::try_from(c.environment.len()).unwrap_or(0))
            .sum::<u64>();
        definitions.push(definition);
        if definitions.len() >= batch {
            report.task_definitions += u64::try_from(definitions.len()).unwrap_or(0);
            writer.upsert_task_definitions(&definitions).await?;
            definitions.clear();
        }
    }
    report.task_definitions += u64::try_from(definitions.len()).unwrap_or(0);
    writer.upsert_task_definitions(&definitions).await?;
    report.tasks += u64::try_from(tasks.len()).unwrap_or(0);
    writer.upsert_tasks(&tasks).await?;
    report.services += u64::try_from(services.len()).unwrap_or(0);
    writer.upsert_services(&services).await?;
    writer.commit().await?;
    Ok(report)
}
