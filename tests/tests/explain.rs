//! The mission control's plan on PostgreSQL uses the indexes on the relationship (foreign-key)
//! columns for its EXISTS subqueries.

use assetql_model::catalogue::TypeDef;
use assetql_sql::{
    compile_list, parse_where, ListQuery, QueryDialect, Selection, SqlDialect, Value,
};
use assetql_store::Database;
use assetql_tests::{Backend, TestDb};
use serde_json::json;

#[tokio::test]
async fn mission_control_plan_uses_the_foreign_key_indexes() {
    let test_db = TestDb::new(Backend::Postgres).await;
    test_db.seed_control_inventory().await;
    let ty = TypeDef::named("EcsTaskDefinition").expect("type");
    let filter = parse_where(
        ty,
        QueryDialect::Legacy,
        &json!({"networkMode": "host", "task_NOT": null, "OR": [
            {"containerSpecs_SOME": {"privileged": true}},
            {"containerSpecs_SOME": {"user_CONTAINS": "root"}}]}),
    )
    .expect("filter");
    let query = ListQuery {
        ty,
        tenant: assetql_model::TenantId::default_tenant(),
        filter,
        sort: vec![],
        limit: None,
        offset: None,
        after: None,
        selection: Selection::default(),
    };
    let compiled = compile_list(SqlDialect::Postgres, &query).expect("compiles");
    let Database::Postgres(pool) = &test_db.db else {
        panic!("postgres")
    };
    let mut conn = pool.acquire().await.expect("connection");
    // The fixture is tiny; forbid sequential scans so the plan shows which indexes serve it.
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .expect("set");
    let explain_sql = format!("EXPLAIN {}", compiled.sql);
    let mut explain = sqlx::query_scalar::<_, String>(&explain_sql);
    for value in &compiled.params {
        explain = match value {
            Value::Text(t) => explain.bind(t.clone()),
            Value::Bool(b) => explain.bind(*b),
            other => panic!("unexpected parameter {other:?}"),
        };
    }
    let plan = explain
        .fetch_all(&mut *conn)
        .await
        .expect("explain")
        .join("\n");
    assert!(plan.contains("ecs_tasks_task_definition_idx"), "{plan}");
    assert!(plan.contains("ecs_container_specs_pkey"), "{plan}");
    assert!(!plan.contains("Seq Scan"), "{plan}");
}
