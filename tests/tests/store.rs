//! Store operations, each proven on PostgreSQL and on SQLite.

use std::collections::{BTreeMap, BTreeSet};

use assetql_model::catalogue::{ECS_CLUSTER, ECS_SERVICE, ECS_TASK, ECS_TASK_DEFINITION};
use assetql_model::{Scope, SyncRunId, TenantId};
use assetql_store::{Database, MigrationState, SyncRunStatus, SyncRunSummary, UpsertStats};
use assetql_tests::fixtures::{self, at, Inventory, ACCOUNT, REGION};
use assetql_tests::{on_both_databases, Backend, TestDb};
use serde_json::{json, Value as Json};

const ASSET_TABLES: [&str; 10] = [
    "ecs_clusters",
    "ecs_cluster_settings",
    "ecs_services",
    "ecs_service_network_configurations",
    "ecs_task_definitions",
    "ecs_container_specs",
    "ecs_container_env_entries",
    "ecs_tasks",
    "tags",
    "cloud_accounts",
];

fn inventory(account: &str, region: &str) -> Inventory {
    let mut web = fixtures::spec("web", Some(true), Some("root"));
    web["environment"] = json!([
        fixtures::env("AWS_ACCESS_KEY_ID", true),
        fixtures::env("EMPTY", false),
    ]);
    let mut sidecar = fixtures::spec("sidecar", None, Some(""));
    sidecar["readonlyRootFilesystem"] = json!(false);
    let host =
        fixtures::task_definition(account, region, "web", 1, Some("host"), vec![web, sidecar]);
    let bridge = fixtures::task_definition(
        account,
        region,
        "web",
        2,
        Some("bridge"),
        vec![fixtures::container("web")],
    );
    Inventory {
        clusters: vec![
            fixtures::cluster(account, region, "prod", Some("enabled")),
            fixtures::cluster(account, region, "dev", None),
        ],
        services: vec![
            fixtures::service(account, region, "prod", "api", Some(Some(true))),
            fixtures::service(account, region, "prod", "worker", None),
        ],
        tasks: vec![fixtures::task(
            account,
            region,
            "prod",
            "t1",
            &fixtures::arn_of(&host),
        )],
        task_definitions: vec![host, bridge],
        ..Inventory::default()
    }
}

async fn dump_all(test_db: &TestDb) -> BTreeMap<&'static str, Vec<Json>> {
    let mut out = BTreeMap::new();
    for table in ASSET_TABLES {
        out.insert(table, test_db.dump(table).await);
    }
    out
}

/// Removes the columns an idempotent re-sync is expected to move.
fn without_seen_columns(
    mut dump: BTreeMap<&'static str, Vec<Json>>,
) -> BTreeMap<&'static str, Vec<Json>> {
    for rows in dump.values_mut() {
        for row in rows.iter_mut() {
            if let Some(object) = row.as_object_mut() {
                object.remove("last_seen_at");
                object.remove("last_sync_run_id");
            }
        }
        rows.sort_by_key(|r| r.to_string());
    }
    dump
}

fn column<'a>(rows: &'a [Json], key: &str, value: &str) -> &'a Json {
    rows.iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row with {key} = {value}"))
}

on_both_databases! {
    async fn migrate_twice_is_a_no_op(test_db: TestDb) {
        assert_eq!(test_db.db.migrate().await.expect("second migrate"), 0);
        assert_eq!(
            test_db.db.migration_state().await.expect("state"),
            MigrationState::UpToDate { version: assetql_tests::migrations() }
        );
    }

    async fn upserting_the_same_batch_twice_leaves_identical_rows(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        let inventory = inventory(ACCOUNT, REGION);
        let (_, first) = test_db.seed(&scope, &inventory, at(0)).await;
        assert_eq!(first, UpsertStats { added: 7, updated: 0, unchanged: 0 });
        let before = dump_all(&test_db).await;
        assert_eq!(before["ecs_container_specs"].len(), 3);
        assert_eq!(before["ecs_container_env_entries"].len(), 2);
        assert_eq!(before["tags"].len(), 2);

        let (second_run, second) = test_db.seed(&scope, &inventory, at(3600)).await;
        assert_eq!(second, UpsertStats { added: 0, updated: 0, unchanged: 7 });
        let after = dump_all(&test_db).await;
        assert_eq!(without_seen_columns(before.clone()), without_seen_columns(after.clone()));

        for table in ["ecs_clusters", "ecs_services", "ecs_task_definitions", "ecs_tasks"] {
            for (old, new) in before[table].iter().zip(&after[table]) {
                assert_eq!(old["first_seen_at"], new["first_seen_at"], "{table} keeps first_seen_at");
                assert_ne!(old["last_seen_at"], new["last_seen_at"], "{table} moves last_seen_at");
                assert_eq!(new["last_sync_run_id"], second_run.0, "{table} records the run");
                assert_eq!(old["content_hash"], new["content_hash"]);
            }
        }
    }

    async fn changed_content_updates_hash_and_replaces_children(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        let mut inventory = inventory(ACCOUNT, REGION);
        test_db.seed(&scope, &inventory, at(0)).await;
        let before = test_db.dump("ecs_clusters").await;

        inventory.clusters[1]["settings"] = json!([{"name": "containerInsights", "value": "disabled"}]);
        inventory.task_definitions[0]["containerDefinitions"][0]["environment"]
            .as_array_mut()
            .expect("environment")
            .pop();
        let (_, stats) = test_db.seed(&scope, &inventory, at(60)).await;
        assert_eq!(stats, UpsertStats { added: 0, updated: 2, unchanged: 5 });

        let after = test_db.dump("ecs_clusters").await;
        let dev_before = column(&before, "name", "dev");
        let dev_after = column(&after, "name", "dev");
        assert_ne!(dev_before["content_hash"], dev_after["content_hash"]);
        assert_eq!(dev_before["first_seen_at"], dev_after["first_seen_at"]);
        let settings = test_db.dump("ecs_cluster_settings").await;
        assert_eq!(settings.len(), 2);
        assert!(settings.iter().any(|s| s["value"] == "disabled"));
        assert_eq!(test_db.count("ecs_container_env_entries").await, 1);
        assert_eq!(test_db.count("tags").await, 2, "tags of changed assets are rewritten, not duplicated");
    }

    async fn absent_attributes_stay_null_and_empty_strings_stay_empty(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        test_db.seed(&scope, &inventory(ACCOUNT, REGION), at(0)).await;
        let containers = test_db.dump("ecs_container_specs").await;
        let web = containers
            .iter()
            .find(|c| c["name"] == "web" && c["task_definition_arn"].as_str().is_some_and(|a| a.ends_with(":1")))
            .expect("web container of revision 1");
        let sidecar = column(&containers, "name", "sidecar");
        assert_eq!(sidecar["user_name"], "");
        assert_eq!(sidecar["privileged"], Json::Null);
        assert!(web["privileged"] == true || web["privileged"] == 1);
        let readonly = &sidecar["readonly_root_filesystem"];
        assert!(*readonly == false || *readonly == 0);
        let services = test_db.dump("ecs_services").await;
        let networks = test_db.dump("ecs_service_network_configurations").await;
        assert_eq!(services.len(), 2);
        assert_eq!(networks.len(), 1, "a service without network configuration has no row");
    }

    async fn list_values_round_trip_exactly(test_db: TestDb) {
        let awkward: Vec<String> = ["NET_ADMIN", "a,b", "q\"uote", "back\\slash", "NULL", "", "{x}", " sp "]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let mut odd = fixtures::container("odd");
        odd["linuxParameters"] = json!({"capabilities": {"add": awkward.clone(), "drop": []}});
        let plain = fixtures::container("plain");
        let definition =
            fixtures::task_definition(ACCOUNT, REGION, "lists", 1, None, vec![odd, plain]);
        let inventory = Inventory { task_definitions: vec![definition], ..Inventory::default() };
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory, at(0)).await;
        let containers = test_db.dump("ecs_container_specs").await;
        // PostgreSQL stores text[] (a JSON array in the dump), SQLite a JSON array in TEXT.
        let list = |row: &Json, column: &str| -> Option<Vec<String>> {
            match &row[column] {
                Json::Null => None,
                Json::String(text) => Some(serde_json::from_str(text).expect("a JSON array")),
                other => Some(serde_json::from_value(other.clone()).expect("an array")),
            }
        };
        let odd = column(&containers, "name", "odd");
        assert_eq!(list(odd, "capabilities_add"), Some(awkward));
        assert_eq!(list(odd, "capabilities_drop"), Some(vec![]), "empty, not NULL");
        let plain = column(&containers, "name", "plain");
        assert_eq!(list(plain, "capabilities_add"), None);
    }

    async fn env_values_never_reach_the_database(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        test_db.seed(&scope, &inventory(ACCOUNT, REGION), at(0)).await;
        let entries = test_db.dump("ecs_container_env_entries").await;
        let keys: BTreeSet<String> = entries
            .iter()
            .flat_map(|e| e.as_object().expect("row object").keys().cloned())
            .collect();
        let expected: BTreeSet<String> = ["tenant_id", "task_definition_arn", "container_name", "ordinal", "name", "has_value"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(keys, expected);
    }

    async fn delete_unseen_removes_only_the_scopes_unseen_rows(test_db: TestDb) {
        let db = &test_db.db;
        let east = fixtures::scope(ACCOUNT, REGION);
        let west = fixtures::scope(ACCOUNT, "eu-west-1");
        test_db.seed(&east, &inventory(ACCOUNT, REGION), at(0)).await;
        test_db.seed(&west, &inventory(ACCOUNT, "eu-west-1"), at(0)).await;
        let total_before = test_db.count("ecs_task_definitions").await;
        assert_eq!(total_before, 4);

        // The next listing of `east` no longer has revision 1 (and its running task).
        let mut smaller = inventory(ACCOUNT, REGION);
        smaller.task_definitions.remove(0);
        smaller.tasks.clear();
        let run = db.begin_sync_run(&east, at(60)).await.expect("run");
        let mut writer = db.scope_writer(&east, run, at(60)).await.expect("writer");
        writer.upsert(&ECS_CLUSTER, &smaller.clusters).await.expect("clusters");
        writer.upsert(&ECS_SERVICE, &smaller.services).await.expect("services");
        writer.upsert(&ECS_TASK_DEFINITION, &smaller.task_definitions).await.expect("tds");
        writer.upsert(&ECS_TASK, &smaller.tasks).await.expect("tasks");
        let mut removed = BTreeMap::new();
        for ty in [&ECS_CLUSTER, &ECS_SERVICE, &ECS_TASK_DEFINITION, &ECS_TASK] {
            removed.insert(ty.name, writer.delete_unseen(ty).await.expect("delete unseen"));
        }
        writer.commit().await.expect("commit");

        assert_eq!(removed["EcsTaskDefinition"], 1);
        assert_eq!(removed["EcsTask"], 1);
        assert_eq!(removed["EcsCluster"], 0);
        assert_eq!(removed["EcsService"], 0);
        let definitions = test_db.dump("ecs_task_definitions").await;
        assert_eq!(definitions.len(), 3);
        assert_eq!(definitions.iter().filter(|d| d["region"] == "eu-west-1").count(), 2);
        // Children and tags of the removed revision went with it; the other scope kept its own.
        let containers = test_db.dump("ecs_container_specs").await;
        assert!(containers.iter().all(|c| c["task_definition_arn"].as_str().is_some_and(|a| !a.starts_with("arn:aws:ecs:us-east-1") || a.ends_with(":2"))));
        assert_eq!(containers.len(), 4);
        assert_eq!(test_db.count("ecs_container_env_entries").await, 2);
        assert_eq!(test_db.count("tags").await, 3);
        assert_eq!(test_db.count("ecs_tasks").await, 1);
    }

    async fn an_uncommitted_scope_write_leaves_nothing(test_db: TestDb) {
        let db = &test_db.db;
        let scope = fixtures::scope(ACCOUNT, REGION);
        test_db.seed(&scope, &inventory(ACCOUNT, REGION), at(0)).await;
        let before = dump_all(&test_db).await;
        let run = db.begin_sync_run(&scope, at(60)).await.expect("run");
        {
            let mut writer = db.scope_writer(&scope, run, at(60)).await.expect("writer");
            let mut changed = inventory(ACCOUNT, REGION);
            changed.task_definitions[0]["containerDefinitions"] = json!([]);
            writer.upsert(&ECS_TASK_DEFINITION, &changed.task_definitions).await.expect("tds");
            writer.upsert(&ECS_TASK, &[]).await.expect("no tasks");
            writer.delete_unseen(&ECS_TASK).await.expect("delete");
            // Dropped without commit: a failed or killed run.
        }
        assert_eq!(dump_all(&test_db).await, before);
    }

    async fn sync_runs_record_status_counts_and_api_calls(test_db: TestDb) {
        let db = &test_db.db;
        let scope = fixtures::scope(ACCOUNT, REGION);
        db.ensure_tenant(&scope.tenant, "Default").await.expect("tenant");
        let run = db.begin_sync_run(&scope, at(0)).await.expect("begin");
        let started = db.sync_run(run).await.expect("read");
        assert_eq!(started.status, SyncRunStatus::Running);
        assert_eq!(started.started_at, at(0));
        assert_eq!(started.finished_at, None);
        let summary = SyncRunSummary {
            added: 3,
            updated: 2,
            removed: 1,
            api_calls: BTreeMap::from([("ListClusters".to_owned(), 1), ("DescribeTasks".to_owned(), 4)]),
        };
        db.finish_sync_run(run, SyncRunStatus::Failed, Some("AccessDenied"), &summary, at(5))
            .await
            .expect("finish");
        let finished = db.sync_run(run).await.expect("read");
        assert_eq!(finished.status, SyncRunStatus::Failed);
        assert_eq!(finished.error.as_deref(), Some("AccessDenied"));
        assert_eq!(finished.finished_at, Some(at(5)));
        assert_eq!(finished.summary, summary);
        assert_eq!(finished.scope, scope);
        assert!(db.sync_run(SyncRunId(run.0 + 100)).await.is_err());
    }

    async fn a_run_is_succeeded_with_its_data_and_a_killed_run_is_abandoned(test_db: TestDb) {
        let db = &test_db.db;
        let scope = fixtures::scope(ACCOUNT, REGION);
        db.ensure_tenant(&scope.tenant, "Default").await.expect("tenant");
        // The commit itself marks the run succeeded: a process killed right after it leaves
        // no committed data under a run that says `running`.
        let run = db.begin_sync_run(&scope, at(0)).await.expect("begin");
        let mut writer = db.scope_writer(&scope, run, at(0)).await.expect("writer");
        writer.upsert(&ECS_CLUSTER, &inventory(ACCOUNT, REGION).clusters).await.expect("write");
        writer.commit().await.expect("commit");
        assert_eq!(db.sync_run(run).await.expect("read").status, SyncRunStatus::Succeeded);
        assert!(!db.synced_asset_types(&scope.tenant, None).await.expect("synced").is_empty());

        // A run left `running` (its process was killed) is abandoned when the next one starts,
        // and its late writer can no longer commit over the newer run.
        let killed = db.begin_sync_run(&scope, at(60)).await.expect("begin");
        let next = db.begin_sync_run(&scope, at(120)).await.expect("begin the next run");
        assert_eq!(db.sync_run(killed).await.expect("read").status, SyncRunStatus::Abandoned);
        assert_eq!(db.sync_run(next).await.expect("read").status, SyncRunStatus::Running);
        let mut late = db.scope_writer(&scope, killed, at(60)).await.expect("writer");
        late.delete_unseen(&ECS_CLUSTER).await.expect("delete");
        assert!(late.commit().await.is_err(), "an abandoned run's data is not committed");
        let clusters = i64::try_from(inventory(ACCOUNT, REGION).clusters.len()).expect("fits");
        assert_eq!(test_db.count("ecs_clusters").await, clusters);

        // Another tenant has no successful sync: no data, whatever this one has.
        let other = TenantId::parse("never-synced").expect("tenant");
        assert!(db.synced_asset_types(&other, None).await.expect("synced").is_empty());
        // Nor an account of this tenant that was never synced.
        assert!(db.synced_asset_types(&scope.tenant, Some("999999999999")).await.expect("synced").is_empty());
        assert!(!db.synced_asset_types(&scope.tenant, Some(ACCOUNT)).await.expect("synced").is_empty());
    }

    async fn latest_active_revision_is_exact_after_every_sync(test_db: TestDb) {
        let east = fixtures::scope(ACCOUNT, REGION);
        let west = fixtures::scope(ACCOUNT, "eu-west-1");
        let revision = |region: &str, family: &str, revision: i64, status: &str| {
            let mut definition = fixtures::task_definition(ACCOUNT, region, family, revision, Some("awsvpc"), vec![fixtures::container("app")]);
            definition["status"] = json!(status);
            definition
        };
        let latest = |rows: Vec<Json>| -> Vec<String> {
            let mut out: Vec<String> = rows
                .iter()
                .filter(|r| r["latest_active_revision"] == true || r["latest_active_revision"] == 1)
                .map(|r| format!("{}:{}:{}", r["region"].as_str().unwrap_or(""), r["family"].as_str().unwrap_or(""), r["revision"]))
                .collect();
            out.sort();
            out
        };
        let mut inventory = Inventory {
            task_definitions: vec![
                revision(REGION, "web", 1, "ACTIVE"),
                revision(REGION, "web", 2, "ACTIVE"),
                revision(REGION, "web", 3, "INACTIVE"),
                revision(REGION, "api", 1, "ACTIVE"),
            ],
            ..Inventory::default()
        };
        test_db.seed(&east, &inventory, at(0)).await;
        // The highest ACTIVE revision, not the highest revision (3 is INACTIVE).
        assert_eq!(latest(test_db.dump("ecs_task_definitions").await), [format!("{REGION}:api:1"), format!("{REGION}:web:2")]);

        // Revision 2 deregistered: 1 is the latest ACTIVE again.
        inventory.task_definitions[1]["status"] = json!("INACTIVE");
        test_db.seed(&east, &inventory, at(60)).await;
        assert_eq!(latest(test_db.dump("ecs_task_definitions").await), [format!("{REGION}:api:1"), format!("{REGION}:web:1")]);

        // A new revision, and the same family in another region, each the latest of its scope.
        inventory.task_definitions.push(revision(REGION, "web", 4, "ACTIVE"));
        test_db.seed(&east, &inventory, at(120)).await;
        let other = Inventory { task_definitions: vec![revision("eu-west-1", "web", 9, "ACTIVE")], ..Inventory::default() };
        test_db.seed(&west, &other, at(120)).await;
        assert_eq!(
            latest(test_db.dump("ecs_task_definitions").await),
            ["eu-west-1:web:9".to_owned(), format!("{REGION}:api:1"), format!("{REGION}:web:4")]
        );
        // Every family has exactly one latest ACTIVE revision per scope, or none when none is ACTIVE.
        let all = inventory.task_definitions.iter().map(|d| { let mut d = d.clone(); d["status"] = json!("INACTIVE"); d }).collect();
        test_db.seed(&east, &Inventory { task_definitions: all, ..Inventory::default() }, at(180)).await;
        assert_eq!(latest(test_db.dump("ecs_task_definitions").await), ["eu-west-1:web:9".to_owned()]);
    }

    async fn tenants_hold_the_same_arn_independently(test_db: TestDb) {
        let db = &test_db.db;
        let a = fixtures::scope(ACCOUNT, REGION);
        let b = Scope { tenant: TenantId::parse("other").expect("tenant"), ..a.clone() };
        test_db.seed(&a, &inventory(ACCOUNT, REGION), at(0)).await;
        test_db.seed(&b, &inventory(ACCOUNT, REGION), at(0)).await;
        assert_eq!(test_db.count("ecs_task_definitions").await, 4);
        // Deleting everything unseen for tenant b leaves tenant a untouched.
        let run = db.begin_sync_run(&b, at(60)).await.expect("run");
        let mut writer = db.scope_writer(&b, run, at(60)).await.expect("writer");
        writer.delete_unseen(&ECS_TASK_DEFINITION).await.expect("delete");
        writer.commit().await.expect("commit");
        let rows = test_db.dump("ecs_task_definitions").await;
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r["tenant_id"] == "default"));
    }
}

/// Table -> column -> (not null, part of the primary key), as each database reports it.
async fn schema_shape(test_db: &TestDb) -> BTreeMap<String, BTreeMap<String, (bool, bool)>> {
    let rows: Vec<(String, String, bool, bool)> = match &test_db.db {
        Database::Postgres(pool) => sqlx::query_as(
            "SELECT c.table_name::text, c.column_name::text, c.is_nullable = 'NO', \
                    EXISTS (SELECT 1 FROM information_schema.key_column_usage k \
                            JOIN information_schema.table_constraints tc \
                              ON tc.constraint_name = k.constraint_name AND tc.table_name = k.table_name \
                            WHERE tc.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name \
                              AND k.column_name = c.column_name) \
             FROM information_schema.columns c \
             WHERE c.table_schema = current_schema() AND c.table_name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .expect("read PostgreSQL columns"),
        Database::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, p.name, p.\"notnull\" OR p.pk > 0, p.pk > 0 \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .expect("read SQLite columns"),
    };
    let mut shape: BTreeMap<String, BTreeMap<String, (bool, bool)>> = BTreeMap::new();
    for (table, column, not_null, primary) in rows {
        shape
            .entry(table)
            .or_default()
            .insert(column, (not_null, primary));
    }
    shape
}

#[tokio::test]
async fn both_migration_folders_create_the_same_tables_and_columns() {
    let postgres = TestDb::new(Backend::Postgres).await;
    let sqlite = TestDb::new(Backend::Sqlite).await;
    let pg_shape = schema_shape(&postgres).await;
    let sqlite_shape = schema_shape(&sqlite).await;
    assert!(pg_shape.contains_key("ecs_task_definitions"));
    assert!(pg_shape["ecs_container_specs"].contains_key("privileged"));
    assert_eq!(pg_shape, sqlite_shape);
}

#[tokio::test]
async fn an_unmigrated_database_reports_pending_migrations() {
    for backend in [Backend::Postgres, Backend::Sqlite] {
        let test_db = TestDb::unmigrated(backend).await;
        assert_eq!(
            test_db.db.migration_state().await.expect("state"),
            MigrationState::Pending {
                applied: 0,
                expected: usize::try_from(assetql_tests::migrations()).expect("fits")
            },
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn postgres_cancels_statements_past_the_pool_statement_timeout() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let options = assetql_store::PoolOptions {
        max_connections: 1,
        acquire_timeout: std::time::Duration::from_secs(5),
        statement_timeout: Some(std::time::Duration::from_millis(100)),
        custom_plans: false,
        tenant_key: None,
    };
    let db = Database::connect(&test_db.url, &options)
        .await
        .expect("connect");
    let result = db.fetch_json("SELECT CAST(pg_sleep(2) AS TEXT)", &[]).await;
    assert!(
        matches!(result, Err(assetql_store::StoreError::Timeout { .. })),
        "{result:?}"
    );
    db.close().await;
}

/// Never ends on its own: counts an endless recursive sequence.
const ENDLESS_SQLITE: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                              SELECT CAST(count(*) AS TEXT) FROM c";

async fn one_connection_sqlite() -> (TestDb, Database) {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let options = assetql_store::PoolOptions {
        max_connections: 1,
        acquire_timeout: std::time::Duration::from_secs(5),
        statement_timeout: None,
        custom_plans: false,
        tenant_key: None,
    };
    let db = Database::connect(&test_db.url, &options)
        .await
        .expect("connect");
    (test_db, db)
}

#[tokio::test]
async fn sqlite_interrupts_a_statement_at_its_deadline_and_the_connection_stays_usable() {
    let (_test_db, db) = one_connection_sqlite().await;
    let started = std::time::Instant::now();
    let result = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        db.fetch_json_within(
            None,
            ENDLESS_SQLITE,
            &[],
            std::time::Duration::from_millis(200),
        ),
    )
    .await
    .expect("the database itself stops the statement");
    assert!(
        matches!(result, Err(assetql_store::StoreError::Timeout { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    // The one connection of the pool goes back without the handler: a later statement on it,
    // longer than the old deadline, is not interrupted.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let json = db
        .fetch_json(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) \
             SELECT CAST(count(*) AS TEXT) FROM c",
            &[],
        )
        .await
        .expect("the connection is clean");
    assert_eq!(json, "300000");
    db.close().await;
}

#[tokio::test]
async fn sqlite_stops_a_statement_whose_caller_gave_up() {
    let (_test_db, db) = one_connection_sqlite().await;
    let abandoned = tokio::time::timeout(
        std::time::Duration::from_millis(200),
        db.fetch_json_within(
            None,
            ENDLESS_SQLITE,
            &[],
            std::time::Duration::from_secs(600),
        ),
    )
    .await;
    assert!(abandoned.is_err(), "the endless statement cannot finish");
    // With the statement still running, the pool's only connection would stay busy for the
    // 600 s deadline; it is interrupted and closed instead, so the pool answers again.
    let json = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        db.fetch_json("SELECT 'still serving'", &[]),
    )
    .await
    .expect("the pool answers within seconds")
    .expect("query");
    assert_eq!(json, "still serving");
    db.close().await;
}

#[tokio::test]
async fn the_query_pool_plans_every_statement_for_its_values() {
    let test_db = TestDb::new(Backend::Postgres).await;
    for custom_plans in [false, true] {
        let options = assetql_store::PoolOptions {
            custom_plans,
            ..assetql_store::PoolOptions::default()
        };
        let db = Database::connect(&test_db.url, &options)
            .await
            .expect("connect");
        let mode = db
            .fetch_json("SELECT current_setting('plan_cache_mode')", &[])
            .await
            .expect("setting");
        assert_eq!(
            mode,
            if custom_plans {
                "force_custom_plan"
            } else {
                "auto"
            }
        );
        db.close().await;
    }
}

/// The compiler sorts text in byte order; an index serves that ORDER BY only when its column is
/// in the "C" collation (migration 0010). A text column added to an asset table without
/// `COLLATE "C"` would make its sorted pages read and sort every matching row.
#[tokio::test]
async fn every_text_column_of_the_inventory_sorts_in_byte_order_on_postgres() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let Database::Postgres(pool) = &test_db.db else {
        panic!("a PostgreSQL database");
    };
    let other: Vec<String> = sqlx::query_scalar(
        "SELECT table_name || '.' || column_name FROM information_schema.columns \
         WHERE table_schema = current_schema() AND data_type = 'text' AND column_name <> 'tenant_id' \
           AND (table_name LIKE 'ecs\\_%' OR table_name IN ('cloud_accounts', 'tags')) \
           AND collation_name IS DISTINCT FROM 'C' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("columns");
    assert!(
        other.is_empty(),
        "text columns not in the C collation: {other:?}"
    );
    let checked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns \
         WHERE table_schema = current_schema() AND data_type = 'text' AND collation_name = 'C'",
    )
    .fetch_one(pool)
    .await
    .expect("count");
    assert!(checked > 50, "the check saw only {checked} columns");
}
