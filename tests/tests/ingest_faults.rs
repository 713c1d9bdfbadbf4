//! Failures a fake AWS cannot produce on demand, with a mocked ECS client and a real database:
//! a scope that fails half-way through writing, and a sync abandoned mid-flight (the task
//! dropped, as when the process is killed), leave the scope's previous data exactly as it was.

use assetql_ingest::ScopeStatus;
use std::collections::BTreeMap;

use assetql_ingest::{sync_scope, ApiCalls};
use assetql_tests::fixtures::{self, at, ACCOUNT, REGION};
use assetql_tests::on_both_databases;
use aws_sdk_ecs::operation::list_clusters::ListClustersOutput;
use aws_sdk_ecs::operation::list_container_instances::ListContainerInstancesOutput;
use aws_sdk_ecs::operation::list_services::ListServicesOutput;
use aws_sdk_ecs::operation::list_task_definitions::ListTaskDefinitionsOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::types::TaskDefinitionStatus;
use aws_sdk_ecs::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use serde_json::{json, Value as Json};

/// An answer as ECS sends it (the collector stores what the JSON body says).
fn answer(body: &Json) -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(200).expect("status"),
        SdkBody::from(body.to_string()),
    )
}

fn arn(resource: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:{resource}")
}

/// An estate whose listing works but whose new revision `broken:1` cannot be stored: it has two
/// containers with the same name, so the write fails after the clusters were written.
fn half_way_rules() -> Vec<Rule> {
    vec![
        mock!(Client::list_clusters).then_output(|| {
            ListClustersOutput::builder()
                .cluster_arns(arn("cluster/new"))
                .build()
        }),
        mock!(Client::describe_clusters).then_http_response(|| {
            answer(&json!({"clusters": [{"clusterArn": arn("cluster/new"), "clusterName": "new"}]}))
        }),
        mock!(Client::list_services).then_output(|| ListServicesOutput::builder().build()),
        mock!(Client::list_container_instances)
            .then_output(|| ListContainerInstancesOutput::builder().build()),
        mock!(Client::describe_capacity_providers)
            .then_http_response(|| answer(&json!({"capacityProviders": [], "failures": []}))),
        mock!(Client::list_tasks).then_output(|| ListTasksOutput::builder().build()),
        mock!(Client::describe_tasks).then_http_response(|| answer(&json!({"tasks": []}))),
        mock!(Client::list_task_definitions)
            .match_requests(|r| r.status() == Some(&TaskDefinitionStatus::Active))
            .then_output(|| {
                ListTaskDefinitionsOutput::builder()
                    .task_definition_arns(arn("task-definition/broken:1"))
                    .build()
            }),
        mock!(Client::list_task_definitions)
            .then_output(|| ListTaskDefinitionsOutput::builder().build()),
        mock!(Client::describe_task_definition).then_http_response(|| {
            answer(&json!({"taskDefinition": {
                "taskDefinitionArn": arn("task-definition/broken:1"),
                "family": "broken",
                "revision": 1,
                "containerDefinitions": [{"name": "app"}, {"name": "app"}],
            }}))
        }),
    ]
}

async fn dump(test_db: &assetql_tests::TestDb) -> BTreeMap<&'static str, Vec<Json>> {
    let mut out = BTreeMap::new();
    for table in [
        "ecs_clusters",
        "ecs_cluster_settings",
        "ecs_services",
        "ecs_task_definitions",
        "ecs_container_specs",
        "ecs_tasks",
        "tags",
    ] {
        out.insert(table, test_db.dump(table).await);
    }
    out
}

on_both_databases! {
    async fn a_scope_failing_half_way_through_writing_keeps_its_previous_data(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        test_db.seed(&scope, &fixtures::control_inventory(ACCOUNT, REGION), at(0)).await;
        let before = dump(&test_db).await;
        let rules = half_way_rules();
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &rules);
        let outcome = sync_scope(&test_db.db, &ecs, scope, None, ApiCalls::default(), 2).await;
        assert_eq!(outcome.status, ScopeStatus::Failed);
        assert!(outcome.error.as_deref().is_some_and(|e| e.contains("database error")), "{outcome:?}");
        assert_eq!(dump(&test_db).await, before, "nothing of the failed scope is visible");
        let runs = test_db.dump("sync_runs").await;
        let failed = runs.iter().find(|r| r["status"] == "failed").expect("the failed run is recorded");
        assert!(failed["error"].as_str().is_some_and(|e| !e.is_empty()));
        assert_eq!(outcome.api_calls.get("DescribeTaskDefinition"), Some(&1));
    }

    async fn a_sync_abandoned_mid_flight_leaves_nothing_half_written(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        test_db.seed(&scope, &fixtures::control_inventory(ACCOUNT, REGION), at(0)).await;
        let before = dump(&test_db).await;
        // Hold a write lock elsewhere so the sync blocks, then drop the sync as a killed process
        // would. On PostgreSQL the lock is on task definitions, so the sync has already written
        // the scope's clusters in its transaction when it blocks; SQLite has one writer, so there
        // the sync blocks at its first write.
        let blocker = match &test_db.db {
            assetql_store::Database::Postgres(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query("LOCK TABLE ecs_task_definitions IN EXCLUSIVE MODE").execute(&mut *tx).await.expect("lock");
                Blocker::Postgres(tx)
            }
            assetql_store::Database::Sqlite(pool) => {
                let tx = pool.begin_with("BEGIN IMMEDIATE").await.expect("lock");
                Blocker::Sqlite(tx)
            }
        };
        let rules = half_way_rules();
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &rules);
        let db = test_db.db.clone();
        let sync = tokio::spawn(async move { sync_scope(&db, &ecs, scope, None, ApiCalls::default(), 2).await });
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(!sync.is_finished(), "the sync waits on the lock");
        sync.abort();
        let _ = sync.await;
        drop(blocker);
        assert_eq!(dump(&test_db).await, before);
    }
}

/// A transaction held open only to keep its lock; dropping it releases the lock.
enum Blocker {
    Postgres(#[allow(dead_code)] sqlx::Transaction<'static, sqlx::Postgres>),
    Sqlite(#[allow(dead_code)] sqlx::Transaction<'static, sqlx::Sqlite>),
}
