//! Parse + validate + compile of the 16 stored control texts.
//!
//! - `compile/<control>`: the text parsed (async-graphql's parser), then the compiler alone: the
//!   where-argument (as JSON) to filter IR to SQL for PostgreSQL, with the AssetFragment
//!   selection. No validation.
//! - `plan/<control>`: parse + validate + compile as the engine does them for a document it
//!   has not seen ([`Engine::plan`]: parsing, AssetFragment injection, dialect choice,
//!   validation, the executor's resolution and the compiler, nothing run on the database).
//! - `plan_dashboard/{variables,literal}`: the same for a dashboard page sent with variables,
//!   and with the values written in.
//! - `first_seen/<control>`: the whole request path for a document the engine has not seen
//!   (no plan-cache hit): parsing (once), AssetFragment injection, dialect choice (current
//!   first, legacy fallback), validation, resolver, compile, and the statement on an empty
//!   SQLite database.
//! - `execute_empty/<control>`: the same document repeated: its statements replayed from the
//!   plan cache. `first_seen` minus `execute_empty` is parse + validate + compile.
//! - `sql_only/<control>`: the planned statements alone on the same database; `first_seen` and
//!   `execute_empty` minus `sql_only` are the engine's overhead for a first-seen and a
//!   repeated document.
//! - `sql_deadline/<control>`: the same with the statement deadline the engine uses
//!   (`fetch_json_within`); `execute_empty` minus this is the engine's own per-request cost.
//!
//! `cargo bench -p assetql-graphql --bench compile`

#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::path::PathBuf;
use std::sync::Arc;

use assetql_graphql::{Engine, GraphQLRequest, PlannedStatement, RequestContext};
use assetql_model::catalogue::{asset_types, TypeDef, ASSET_FIELDS};
use assetql_sql::{
    compile_list, parse_where, ListQuery, QueryDialect, Selection, SelectionItem, SqlDialect,
};
use assetql_store::{Database, PoolOptions};
use criterion::{criterion_group, criterion_main, Criterion};

fn controls() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cyscale-ecs");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("control fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .map(|p| {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read_to_string(&p).expect("read control"))
        })
        .collect();
    out.sort();
    out
}

/// The root field's type and where-argument of a control text, as JSON.
fn root_where(text: &str) -> (&'static TypeDef, serde_json::Value) {
    let document = async_graphql::parser::parse_query(text).expect("control parses");
    let (_, operation) = document.operations.iter().next().expect("one operation");
    let Some(item) = operation.node.selection_set.node.items.first() else {
        panic!("no field")
    };
    let async_graphql::parser::types::Selection::Field(field) = &item.node else {
        panic!("not a field")
    };
    let ty = asset_types()
        .find(|t| {
            t.asset
                .is_some_and(|a| a.root_field == field.node.name.node.as_str())
        })
        .expect("a root field of the catalogue");
    let value = field
        .node
        .get_argument("where")
        .map(|v| {
            v.node
                .clone()
                .into_const()
                .expect("literal")
                .into_json()
                .expect("json")
        })
        .unwrap_or(serde_json::Value::Null);
    (ty, value)
}

fn bench(c: &mut Criterion) {
    let asset_fragment = Selection {
        items: ASSET_FIELDS
            .iter()
            .map(|f| SelectionItem::Field {
                key: f.name.to_owned(),
                field: f,
            })
            .collect(),
    };
    let texts = controls();
    assert_eq!(texts.len(), 16);
    let mut group = c.benchmark_group("compile");
    for (name, text) in &texts {
        let syntax = if name.ends_with("legacy") {
            QueryDialect::Legacy
        } else {
            QueryDialect::Current
        };
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                let (ty, input) = root_where(text);
                let filter = parse_where(ty, syntax, &input).expect("valid filter");
                let query = ListQuery {
                    ty,
                    tenant: assetql_model::TenantId::default_tenant(),
                    filter,
                    sort: vec![],
                    limit: None,
                    offset: None,
                    after: None,
                    selection: asset_fragment.clone(),
                };
                compile_list(SqlDialect::Postgres, &query).expect("compiles")
            })
        });
    }
    group.finish();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = runtime.block_on(async {
        let db = Database::connect(
            &format!("sqlite://{}/bench.db", dir.path().display()),
            &PoolOptions::default(),
        )
        .await
        .expect("sqlite");
        db.migrate().await.expect("migrate");
        db
    });
    let engine = Arc::new(Engine::new().expect("schemas"));
    // A document the engine has not seen each iteration (a numbered comment), so that neither
    // the plan cache nor the dialect memo helps.
    let mut group = c.benchmark_group("plan");
    let mut planned = 0u64;
    // Plans `text` made new by a numbered comment, with `variables`.
    let mut plan_new = |text: &str, variables: Option<serde_json::Value>| {
        planned += 1;
        let request = GraphQLRequest {
            query: format!("{text}\n# {planned}\n"),
            variables,
            operation_name: None,
        };
        let (_, statements) = runtime
            .block_on(engine.plan(request, None, context(&db)))
            .expect("the document plans");
        assert_eq!(statements.len(), 1);
    };
    for (name, text) in &texts {
        group.bench_function(name.as_str(), |b| b.iter(|| plan_new(text, None)));
    }
    group.finish();

    // A dashboard page as a frontend sends it: the document with variables. A new document
    // each iteration, as above; `literal` is the same page with the values written in.
    let mut group = c.benchmark_group("plan_dashboard");
    let with_variables =
        "query Page($first: Int, $after: String, $where: EcsTaskDefinitionWhere) { \
        ecsTaskDefinitionsConnection(first: $first, after: $after, \
        sort: [{registeredAt: DESC}, {arn: ASC}], where: $where) { totalCount edges { cursor \
        node { arn family revision status containerSpecs { name image privileged user } } } \
        pageInfo { hasNextPage endCursor } } }";
    let variables = serde_json::json!({"first": 50, "where": {
        "networkMode": {"eq": "awsvpc"}, "cloudAccountID": {"eq": "100000000001"}}});
    let literal = "{ ecsTaskDefinitionsConnection(first: 50, \
        sort: [{registeredAt: DESC}, {arn: ASC}], \
        where: {networkMode: {eq: \"awsvpc\"}, cloudAccountID: {eq: \"100000000001\"}}) { \
        totalCount edges { cursor node { arn family revision status \
        containerSpecs { name image privileged user } } } pageInfo { hasNextPage endCursor } } }";
    for (name, text, variables) in [
        ("variables", with_variables, Some(variables)),
        ("literal", literal, None),
    ] {
        group.bench_function(name, |b| b.iter(|| plan_new(text, variables.clone())));
    }
    group.finish();

    // The statements alone, straight to the database: what `first_seen` and `execute_empty`
    // add on top of this is the engine's overhead for a first-seen and a repeated document.
    // Each control's planned statements.
    let planned: Vec<Vec<PlannedStatement>> = texts
        .iter()
        .map(|(_, text)| {
            let request = GraphQLRequest {
                query: text.clone(),
                ..GraphQLRequest::default()
            };
            let (_, statements) = runtime
                .block_on(engine.plan(request, None, context(&db)))
                .expect("the document plans");
            statements
        })
        .collect();
    let mut group = c.benchmark_group("sql_only");
    for ((name, _), statements) in texts.iter().zip(&planned) {
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    for statement in statements {
                        db.fetch_json(&statement.sql, &statement.params)
                            .await
                            .expect("the statement runs");
                    }
                })
            })
        });
    }
    group.finish();

    // The same with the deadline the engine gives every statement (on SQLite an interrupt
    // installed and removed around it, on the database's thread): `execute_empty` minus this is
    // the engine's own cost for a repeated document.
    let mut group = c.benchmark_group("sql_deadline");
    let timeout = engine.limits().query_timeout;
    for ((name, _), statements) in texts.iter().zip(&planned) {
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    for statement in statements {
                        db.fetch_json_within(None, &statement.sql, &statement.params, timeout)
                            .await
                            .expect("the statement runs");
                    }
                })
            })
        });
    }
    group.finish();

    // Each iteration a document the engine has not seen (a numbered comment), so nothing is
    // replayed from the plan cache: parse, validate, resolve and compile every time.
    let mut group = c.benchmark_group("first_seen");
    let mut seen = 0u64;
    for (name, text) in &texts {
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                seen += 1;
                let query = format!("{text}\n# {seen}\n");
                runtime.block_on(async {
                    let request = GraphQLRequest {
                        query,
                        ..GraphQLRequest::default()
                    };
                    let (_, response) = engine.execute(request, None, context(&db)).await;
                    assert!(response.errors.is_empty(), "{:?}", response.errors);
                })
            })
        });
    }
    group.finish();

    // The same document every iteration: after the first, its statements are replayed from
    // the plan cache (no parse, validation or compile): what is left is the statement on the
    // empty database and the request's fixed cost.
    let mut group = c.benchmark_group("execute_empty");
    for (name, text) in &texts {
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let request = GraphQLRequest {
                        query: text.clone(),
                        ..GraphQLRequest::default()
                    };
                    let (_, response) = engine.execute(request, None, context(&db)).await;
                    assert!(response.errors.is_empty(), "{:?}", response.errors);
                })
            })
        });
    }
    group.finish();
}

fn context(db: &Database) -> RequestContext {
    RequestContext {
        db: db.clone(),
        tenant: assetql_model::TenantId::default_tenant(),
        controls: None,
        unpaged: true,
        row_level_security: false,
        gate: Default::default(),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
