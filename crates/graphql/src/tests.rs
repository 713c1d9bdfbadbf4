//! The engine's own tests: schemas build, and every internal failure on the raw-answer path
//! (a poisoned part list, JSON that cannot be read, a failed plan-cache replay) is a coded
//! error, never `[]` or `null` data, which a control would read as compliant.

use std::sync::atomic::Ordering;

use assetql_sql::QueryDialect;
use async_graphql::{Response, Value};

use super::*;

#[test]
fn both_schemas_build() {
    let engine = Engine::new().expect("schemas build");
    let current = engine.sdl(QueryDialect::Current);
    let legacy = engine.sdl(QueryDialect::Legacy);
    assert!(current.contains("containerSpecs_SOME: ContainerSpecWhere"));
    assert!(current.contains("StringScalarFilters"));
    assert!(legacy.contains("task_NOT: EcsTaskWhere"));
    assert!(legacy.contains("networkMode_NOT: String"));
    assert!(!current.contains("networkMode_NOT"));
}

/// A migrated SQLite database in a fresh temporary folder (removed when the folder is dropped).
async fn database() -> (assetql_store::Database, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = assetql_store::Database::connect(
        &format!("sqlite://{}/t.db", dir.path().display()),
        &assetql_store::PoolOptions::default(),
    )
    .await
    .expect("sqlite");
    db.migrate().await.expect("migrate");
    (db, dir)
}

fn context(db: &assetql_store::Database) -> RequestContext {
    RequestContext {
        db: db.clone(),
        tenant: assetql_model::TenantId::default_tenant(),
        controls: None,
        unpaged: false,
        row_level_security: false,
        gate: StatementGate::default(),
    }
}

fn request(query: &str) -> GraphQLRequest {
    GraphQLRequest {
        query: query.to_owned(),
        ..GraphQLRequest::default()
    }
}

/// The answer has at least one error, every error is `code`, and there is no data at all.
fn assert_failed_closed(json: &str, code: &str) {
    let answer: serde_json::Value = serde_json::from_str(json).expect("the answer is JSON");
    assert!(
        answer.get("data").is_none_or(serde_json::Value::is_null),
        "data in a failed answer: {json}"
    );
    let errors = answer["errors"].as_array().expect("errors");
    assert!(!errors.is_empty(), "{json}");
    for error in errors {
        assert_eq!(error["extensions"]["code"], code, "{json}");
    }
}

const LIST: &str = "{ ecsClusters { arn } }";

#[tokio::test]
async fn a_lost_raw_part_is_an_internal_error_not_an_empty_list() {
    let (db, _dir) = database().await;
    let engine = Engine::new().expect("schemas");
    // Without the fault, the (empty) database answers an empty list.
    let fine = engine.execute_raw(request(LIST), None, context(&db)).await;
    assert_eq!(fine.to_json(), r#"{"data":{"ecsClusters":[]}}"#);
    engine
        .faults
        .poison_raw_parts
        .store(true, Ordering::Relaxed);
    let first_seen = "{ ecsClusters { arn name } }";
    let executed = engine
        .execute_raw(request(first_seen), None, context(&db))
        .await;
    assert_eq!(executed.error_codes(), ["INTERNAL"]);
    assert_failed_closed(&executed.to_json(), "INTERNAL");
    let (_, response) = engine
        .execute(request(first_seen), None, context(&db))
        .await;
    assert!(matches!(response.data, Value::Null), "{response:?}");
    assert!(!response.errors.is_empty());
}

#[test]
fn a_raw_part_that_is_not_json_is_an_internal_error_not_null() {
    let mut data = async_graphql::indexmap::IndexMap::new();
    data.insert(
        async_graphql::Name::new("ecsClusters"),
        Value::List(Vec::new()),
    );
    let field = plan_cache::PlannedField {
        key: "ecsClusters".to_owned(),
        sql: String::new(),
        params: Vec::new(),
        shape: None,
        cap: None,
    };
    let executed = |text: &str| Executed {
        syntax: QueryDialect::Current,
        response: Response::new(Value::Object(data.clone())),
        raw: vec![(field.clone(), text.to_owned())],
    };
    // A readable part is written in place of the placeholder.
    assert_eq!(
        executed(r#"[{"arn":"a"}]"#).to_json(),
        r#"{"data":{"ecsClusters":[{"arn":"a"}]}}"#
    );
    for unreadable in [r#"[{"arn":"a""#, "", "[] []", "nul"] {
        assert_failed_closed(&executed(unreadable).to_json(), "INTERNAL");
        let response = executed(unreadable).into_response();
        assert!(matches!(response.data, Value::Null), "{unreadable}");
        assert_eq!(response.errors.len(), 1);
    }
    // A part whose field is not in the data was lost on the way: fail too.
    let mut orphan = executed("[]");
    orphan.raw[0].0.key = "elsewhere".to_owned();
    assert_failed_closed(&orphan.to_json(), "INTERNAL");
    let mut orphan = executed("[]");
    orphan.raw[0].0.key = "elsewhere".to_owned();
    assert!(matches!(orphan.into_response().data, Value::Null));
}

#[tokio::test]
async fn a_failed_replay_is_its_error_and_the_document_is_not_run_again() {
    let (db, _dir) = database().await;
    let engine = Engine::new().expect("schemas");
    let first = engine.execute_raw(request(LIST), None, context(&db)).await;
    assert!(first.errors().is_empty());
    let compiled = engine.documents_compiled();
    engine.faults.fail_replay.store(true, Ordering::Relaxed);
    let replayed = engine.execute_raw(request(LIST), None, context(&db)).await;
    assert_eq!(engine.plan_cache_hits(), 1);
    assert_eq!(
        engine.documents_compiled(),
        compiled,
        "the document was run again after its replay failed"
    );
    assert_eq!(replayed.error_codes(), ["INTERNAL"]);
    assert_eq!(
        replayed.errors()[0].path,
        [async_graphql::PathSegment::Field("ecsClusters".to_owned())]
    );
    assert_failed_closed(&replayed.to_json(), "INTERNAL");
}

#[tokio::test]
async fn a_replay_whose_database_is_gone_reports_that_once() {
    let (db, _dir) = database().await;
    let engine = Engine::new().expect("schemas");
    let first = engine.execute_raw(request(LIST), None, context(&db)).await;
    assert!(first.errors().is_empty());
    let compiled = engine.documents_compiled();
    db.close().await;
    let replayed = engine.execute_raw(request(LIST), None, context(&db)).await;
    assert_eq!(engine.documents_compiled(), compiled);
    assert_eq!(replayed.error_codes(), ["DATABASE_UNAVAILABLE"]);
    assert_failed_closed(&replayed.to_json(), "DATABASE_UNAVAILABLE");
}

/// A burst of clients opening with the same document compiles it once: the others wait for
/// its plan and replay it (each compile would take a blocking thread and its heap).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_of_a_first_seen_document_compile_it_once() {
    let (db, _dir) = database().await;
    let engine = std::sync::Arc::new(Engine::new().expect("schemas build"));
    // Each on its own task, so they run at once on the runtime's threads.
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let engine = std::sync::Arc::clone(&engine);
            let context = context(&db);
            tokio::spawn(async move {
                engine
                    .execute_raw(request("{ ecsClusters { arn name } }"), None, context)
                    .await
                    .to_json()
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("the request task"));
    }
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert!(answers[0].contains("\"ecsClusters\":[]"), "{}", answers[0]);
    assert_eq!(engine.documents_compiled(), 1, "compiled once");
    assert_eq!(engine.plan_cache_hits(), 31, "the others replayed its plan");
    // A document of another tenant is its own plan: compiled again.
    let mut other = context(&db);
    other.tenant = assetql_model::TenantId::parse("globex").expect("tenant");
    engine
        .execute_raw(request("{ ecsClusters { arn name } }"), None, other)
        .await;
    assert_eq!(engine.documents_compiled(), 2);
}
