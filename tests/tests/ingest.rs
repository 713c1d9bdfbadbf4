//! The ECS collector against a real HTTP fake (moto): two accounts through AssumeRole, two
//! regions, tenants; incremental re-syncs; deregistration and stopped tasks; failing scopes.
//! Each test uses fresh account ids, so tests sharing the moto server never meet.

use assetql_ingest::ScopeStatus;
use std::collections::BTreeMap;

use assetql_ingest::{sync_all, sync_round, AccountConfig, IngestConfig, Round, SyncReport};
use assetql_model::TenantId;
use assetql_tests::moto::{random_account, sdk_config_for, Moto};
use assetql_tests::server::TestServer;
use assetql_tests::{on_both_databases, TestDb};
use serde_json::{json, Value as Json};

struct Estate {
    alpha: String,
    bravo: String,
    /// Task ARNs of the `plain` revision (two running).
    plain_tasks: Vec<String>,
    cluster: String,
}

fn seed(moto: &Moto) -> Estate {
    let alpha = random_account();
    let bravo = random_account();
    let cluster = format!("c{}", &alpha[..6]);
    let results = moto.seed(
        &alpha,
        "us-east-1",
        json!([
            {"op": "cluster", "name": cluster, "insights": "enabled"},
            {"op": "instance", "cluster": cluster},
            {"op": "td", "family": "hostpriv", "networkMode": "host", "tags": {"team": "edge"},
             "containers": [{"name": "app", "privileged": true, "user": "root",
                             "environment": {"AWS_ACCESS_KEY_ID": "AKIASECRETVALUE", "EMPTY": ""}},
                            {"name": "side", "privileged": false, "readonlyRootFilesystem": true}]},
            {"op": "td", "family": "plain", "networkMode": "bridge", "containers": [{"name": "app"}]},
            {"op": "td", "family": "nonroot", "networkMode": "host", "containers": [{"name": "app", "user": "nonroot"}]},
            {"op": "td", "family": "retired", "networkMode": "host", "containers": [{"name": "app", "privileged": true}]},
            {"op": "run", "cluster": cluster, "td": "hostpriv:1"},
            {"op": "run", "cluster": cluster, "td": "plain:1", "count": 2},
            {"op": "run", "cluster": cluster, "td": "retired:1"},
            {"op": "service", "cluster": cluster, "name": "api", "td": "plain:1", "launchType": "FARGATE",
             "platformVersion": "1.3.0", "assignPublicIp": "ENABLED"}
        ]),
    );
    let plain_tasks: Vec<String> = results[7]
        .as_array()
        .expect("task ARNs")
        .iter()
        .map(|t| t.as_str().expect("ARN").to_owned())
        .collect();
    moto.seed(
        &alpha,
        "eu-west-1",
        json!([
            {"op": "cluster", "name": format!("w{}", &alpha[..6])},
            {"op": "td", "family": "west", "networkMode": "awsvpc", "containers": [{"name": "app", "user": "0"}]}
        ]),
    );
    moto.seed(
        &bravo,
        "us-east-1",
        json!([
            {"op": "cluster", "name": format!("b{}", &bravo[..6])},
            {"op": "td", "family": "other", "networkMode": "host", "containers": [{"name": "app", "user": "root"}]}
        ]),
    );
    Estate {
        alpha,
        bravo,
        plain_tasks,
        cluster,
    }
}

fn config(estate: &Estate) -> IngestConfig {
    IngestConfig::with_accounts(vec![
        AccountConfig {
            name: Some("alpha".to_owned()),
            tenant: TenantId::default_tenant(),
            role_arn: Some(format!(
                "arn:aws:iam::{}:role/InventoryReader",
                estate.alpha
            )),
            external_id: Some("assetql".to_owned()),
            regions: vec!["us-east-1".to_owned(), "eu-west-1".to_owned()],
            environment: None,
        },
        AccountConfig {
            name: Some("bravo".to_owned()),
            tenant: TenantId::parse("beta").expect("tenant"),
            role_arn: Some(format!(
                "arn:aws:iam::{}:role/InventoryReader",
                estate.bravo
            )),
            external_id: None,
            regions: vec!["us-east-1".to_owned()],
            environment: None,
        },
    ])
}

fn calls(report: &SyncReport, operation: &str) -> u64 {
    report
        .scopes
        .iter()
        .map(|s| s.api_calls.get(operation).copied().unwrap_or(0))
        .sum()
}

fn totals(report: &SyncReport) -> (u64, u64, u64) {
    report.scopes.iter().fold((0, 0, 0), |(a, u, r), s| {
        (a + s.added, u + s.updated, r + s.removed)
    })
}

async fn mission_control(server: &TestServer) -> Vec<String> {
    let query = r#"{ ecsTaskDefinitions(where: { networkMode: "host", task_NOT: null,
        OR: [{containerSpecs_SOME: {privileged: true}}, {containerSpecs_SOME: {user_CONTAINS: "root"}}] })
        { internalName cloudAccountName status } }"#;
    let response = server.graphql(query, None).await;
    let mut names: Vec<String> = response.data()["ecsTaskDefinitions"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["internalName"].as_str().unwrap_or(""),
                d["status"].as_str().unwrap_or("")
            )
        })
        .collect();
    names.sort();
    names
}

fn without_seen(rows: Vec<Json>) -> Vec<Json> {
    rows.into_iter()
        .map(|mut r| {
            if let Some(o) = r.as_object_mut() {
                o.remove("last_seen_at");
                o.remove("last_sync_run_id");
            }
            r
        })
        .collect()
}

async fn dump(test_db: &TestDb) -> BTreeMap<&'static str, Vec<Json>> {
    let mut out = BTreeMap::new();
    for table in [
        "ecs_clusters",
        "ecs_cluster_settings",
        "ecs_services",
        "ecs_service_network_configurations",
        "ecs_task_definitions",
        "ecs_container_specs",
        "ecs_container_env_entries",
        "ecs_tasks",
        "tags",
    ] {
        out.insert(table, without_seen(test_db.dump(table).await));
    }
    out
}

on_both_databases! {
    async fn sync_mirrors_moto_then_resyncs_incrementally(test_db: TestDb) {
        let moto = Moto::from_env();
        let estate = seed(&moto);
        let base = moto.sdk_config().await;
        let config = config(&estate);

        let first = sync_all(&test_db.db, &base, &config).await;
        assert!(!first.any_failed(), "{first:?}");
        assert_eq!(first.scopes.len(), 3);
        // alpha/us-east-1: 1 cluster, 1 container instance, 1 service, 4 revisions, 4 running
        // tasks; alpha/eu-west-1: 1 cluster, 1 revision; bravo: 1 cluster, 1 revision.
        assert_eq!(totals(&first), (11 + 2 + 2, 0, 0));
        let instances = test_db.dump("ecs_container_instances").await;
        assert_eq!(instances.len(), 1);
        assert_eq!(instances[0]["cluster_arn"].as_str().map(|a| a.ends_with(&format!("cluster/{}", estate.cluster))), Some(true), "the cluster it was listed under");
        assert!(instances[0]["ec2_instance_id"].as_str().is_some_and(|id| id.starts_with("i-")));
        assert_eq!(calls(&first, "DescribeTaskDefinition"), 6);
        assert_eq!(calls(&first, "GetCallerIdentity"), 2);

        // What moto holds, as the inventory sees it.
        let containers = test_db.dump("ecs_container_specs").await;
        let app = containers.iter()
            .find(|c| c["name"] == "app" && c["task_definition_arn"].as_str().is_some_and(|a| a.ends_with("hostpriv:1")))
            .expect("hostpriv app container");
        assert!(app["privileged"] == true || app["privileged"] == 1);
        assert_eq!(app["user_name"], "root");
        let plain = containers.iter()
            .find(|c| c["task_definition_arn"].as_str().is_some_and(|a| a.ends_with("plain:1")))
            .expect("plain container");
        assert_eq!(plain["privileged"], Json::Null, "absent privileged stays NULL");
        assert_eq!(plain["user_name"], Json::Null, "absent user stays NULL");
        let env = test_db.dump("ecs_container_env_entries").await;
        let names: Vec<(&str, bool)> = env.iter()
            .map(|e| (e["name"].as_str().unwrap_or(""), e["has_value"] == true || e["has_value"] == 1))
            .collect();
        assert!(names.contains(&("AWS_ACCESS_KEY_ID", true)) && names.contains(&("EMPTY", false)), "{names:?}");
        let everything = serde_json::to_string(&dump(&test_db).await).expect("json");
        assert!(!everything.contains("AKIASECRETVALUE"), "env values never enter the inventory");
        let networks = test_db.dump("ecs_service_network_configurations").await;
        assert!(networks[0]["assign_public_ip"] == true || networks[0]["assign_public_ip"] == 1);
        let tenants: Vec<Json> = test_db.dump("ecs_task_definitions").await.into_iter()
            .filter(|d| d["tenant_id"] == "beta").collect();
        assert_eq!(tenants.len(), 1);
        assert_eq!(tenants[0]["cloud_account_id"], estate.bravo.as_str());

        let server = TestServer::start(test_db.db.clone()).await;
        assert_eq!(mission_control(&server).await, ["hostpriv:1 ACTIVE", "retired:1 ACTIVE"]);

        // Unchanged estate: no revision described again, no row changed.
        let before = dump(&test_db).await;
        let second = sync_all(&test_db.db, &base, &config).await;
        assert!(!second.any_failed(), "{second:?}");
        assert_eq!(calls(&second, "DescribeTaskDefinition"), 0, "{second:?}");
        assert_eq!(totals(&second), (0, 0, 0));
        assert_eq!(dump(&test_db).await, before);

        // Deregister two revisions (one still running), stop one task.
        moto.seed(&estate.alpha, "us-east-1", json!([
            {"op": "deregister", "td": "retired:1"},
            {"op": "deregister", "td": "nonroot:1"},
            {"op": "stop", "cluster": estate.cluster, "task": estate.plain_tasks[0]}
        ]));
        let third = sync_all(&test_db.db, &base, &config).await;
        assert!(!third.any_failed(), "{third:?}");
        // A revision whose listed status differs from the stored one is described again (its
        // deregisteredAt and tags change with it); the others are not.
        assert_eq!(calls(&third, "DescribeTaskDefinition"), 2, "only the two whose status changed");
        // Two revisions changed status; the runningTasksCount of the cluster and of the
        // container instance went from 4 to 3.
        assert_eq!(totals(&third), (0, 4, 1));
        let statuses: BTreeMap<String, String> = test_db.dump("ecs_task_definitions").await.iter()
            .map(|d| (d["family"].as_str().unwrap_or("").to_owned(), d["status"].as_str().unwrap_or("").to_owned()))
            .collect();
        assert_eq!(statuses["retired"], "INACTIVE");
        assert_eq!(statuses["nonroot"], "INACTIVE");
        assert_eq!(statuses["hostpriv"], "ACTIVE");
        let tasks = test_db.dump("ecs_tasks").await;
        assert_eq!(tasks.len(), 3);
        assert!(tasks.iter().all(|t| t["arn"] != estate.plain_tasks[0].as_str()), "the stopped task is gone");
        // An INACTIVE revision that still runs is still in use.
        assert_eq!(mission_control(&server).await, ["hostpriv:1 ACTIVE", "retired:1 INACTIVE"]);

        // An upgrade that changes how revisions are read: those stored under the older
        // description are described once more, then the sync is back to describing none.
        let before = dump(&test_db).await;
        let stale = "UPDATE ecs_task_definitions SET model_version = 'older'";
        match &test_db.db {
            assetql_store::Database::Postgres(pool) => { sqlx::query(stale).execute(pool).await.expect("age"); }
            assetql_store::Database::Sqlite(pool) => { sqlx::query(stale).execute(pool).await.expect("age"); }
        }
        let fourth = sync_all(&test_db.db, &base, &config).await;
        assert!(!fourth.any_failed(), "{fourth:?}");
        assert_eq!(calls(&fourth, "DescribeTaskDefinition"), 6, "every stored revision once");
        assert_eq!(totals(&fourth), (0, 0, 0), "the same content, so nothing changed");
        assert_eq!(dump(&test_db).await, before);
        let fifth = sync_all(&test_db.db, &base, &config).await;
        assert_eq!(calls(&fifth, "DescribeTaskDefinition"), 0, "{fifth:?}");

        let runs = test_db.dump("sync_runs").await;
        assert_eq!(runs.len(), 15);
        assert!(runs.iter().all(|r| r["status"] == "succeeded"));
    }

    async fn a_failing_scope_keeps_its_data_and_the_others_carry_on(test_db: TestDb) {
        let moto = Moto::from_env();
        let estate = seed(&moto);
        let base = moto.sdk_config().await;
        let good = config(&estate);
        assert!(!sync_all(&test_db.db, &base, &good).await.any_failed());
        let before = dump(&test_db).await;

        // The endpoint is gone: every scope fails, nothing changes.
        let mut gone = good.clone();
        gone.max_attempts = 1;
        let dead = sdk_config_for("http://127.0.0.1:9").await;
        let report = sync_all(&test_db.db, &dead, &gone).await;
        assert_eq!(report.scopes.len(), 3);
        assert!(report.scopes.iter().all(|s| s.status == ScopeStatus::Failed && s.error.is_some()), "{report:?}");
        assert_eq!(dump(&test_db).await, before);

        // A region the endpoint cannot serve fails on its own; the other scopes sync.
        let mut bad_region = good.clone();
        bad_region.max_attempts = 2;
        bad_region.accounts[0].regions.push("xx-nowhere-1".to_owned());
        let report = sync_all(&test_db.db, &base, &bad_region).await;
        let failed: Vec<&str> = report.scopes.iter().filter(|s| s.status == ScopeStatus::Failed).map(|s| s.region.as_str()).collect();
        assert_eq!(failed, ["xx-nowhere-1"], "{report:?}");
        let error = report.scopes.iter().find(|s| s.status == ScopeStatus::Failed).and_then(|s| s.error.clone()).unwrap_or_default();
        assert!(error.contains("ListClusters"), "the error names the failed call: {error}");
        assert_eq!(dump(&test_db).await, before);
        let runs = test_db.dump("sync_runs").await;
        let failed_runs: Vec<&Json> = runs.iter().filter(|r| r["status"] == "failed").collect();
        // The unreachable endpoint's three scopes (their STS call failed) and the bad region.
        assert_eq!(failed_runs.len(), 4, "{runs:?}");
        let listing: Vec<&&Json> = failed_runs.iter().filter(|r| r["error"].as_str().is_some_and(|e| e.contains("ListClusters"))).collect();
        assert_eq!(listing.len(), 1);
        assert_eq!(listing[0]["region"], "xx-nowhere-1");
        let identity = failed_runs.iter().filter(|r| r["error"].as_str().is_some_and(|e| e.contains("GetCallerIdentity failed"))).count();
        assert_eq!(identity, 3, "a failed STS call is recorded for each of the account's scopes");
    }

    async fn two_workers_in_one_round_sync_every_scope_exactly_once(test_db: TestDb) {
        let moto = Moto::from_env();
        let estate = seed(&moto);
        let base = moto.sdk_config().await;
        let config = config(&estate);
        let now = chrono::Utc::now();
        let interval = std::time::Duration::from_secs(900);
        let first = Round::containing(now, interval, "worker-a".to_owned());
        let second = Round::containing(now, interval, "worker-b".to_owned());
        assert_eq!(first.start, second.start, "workers agree on the round");
        let (a, b) = tokio::join!(
            sync_round(&test_db.db, &base, &config, Some(&first)),
            sync_round(&test_db.db, &base, &config, Some(&second)),
        );
        let mut synced: Vec<(String, String)> = a.scopes.iter().chain(&b.scopes)
            .filter(|s| s.status == ScopeStatus::Succeeded)
            .map(|s| (s.cloud_account_id.clone(), s.region.clone()))
            .collect();
        synced.sort();
        let skipped = a.scopes.iter().chain(&b.scopes).filter(|s| s.status == ScopeStatus::Skipped).count();
        assert_eq!(synced.len(), 3, "{a:?} {b:?}");
        synced.dedup();
        assert_eq!(synced.len(), 3, "no scope synced twice");
        assert_eq!(skipped, 3);
        assert_eq!(test_db.count("sync_runs").await, 3);
        assert_eq!(test_db.count("sync_scope_claims").await, 3);

        // The next round is claimable again.
        let later = Round::containing(now + chrono::Duration::seconds(900), interval, "worker-a".to_owned());
        let next = sync_round(&test_db.db, &base, &config, Some(&later)).await;
        assert_eq!(next.scopes.iter().filter(|s| s.status == ScopeStatus::Succeeded).count(), 3);
    }
}
