//! A root list field without `limit` stops at the default page size and says so: the answer
//! carries a `RESULT_TRUNCATED` warning naming the field and the limit, on the raw path, on the
//! executor's path and when the plan is replayed; a list that fits, or one with an explicit
//! `limit`, carries none. Stored controls (unpaged) are never cut.

use assetql_graphql::{Engine, GraphQLRequest, Limits};
use assetql_tests::fixtures::{self, ACCOUNT, REGION};
use assetql_tests::{on_both_databases, TestDb};
use serde_json::Value as Json;

async fn seeded(db: &TestDb) -> usize {
    db.seed_control_inventory().await;
    fixtures::control_inventory(ACCOUNT, REGION)
        .task_definitions
        .len()
}

async fn ask(engine: &Engine, db: &TestDb, query: &str) -> Json {
    let request = GraphQLRequest {
        query: query.to_owned(),
        ..GraphQLRequest::default()
    };
    let executed = engine
        .execute_raw(request, None, db.request_context())
        .await;
    serde_json::from_str(&executed.to_json()).expect("JSON answer")
}

fn warnings(answer: &Json) -> Vec<(String, String, u64)> {
    answer["extensions"]["warnings"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|w| {
                    (
                        w["code"].as_str().unwrap_or_default().to_owned(),
                        w["field"].as_str().unwrap_or_default().to_owned(),
                        w["limit"].as_u64().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

on_both_databases! {
    async fn a_list_cut_at_the_default_page_size_says_so(db: TestDb) {
        let stored = seeded(&db).await;
        assert!(stored > 2, "the fixture has {stored} task definitions");
        let engine = Engine::with_limits(Limits {
            default_page_size: 2,
            ..Limits::default()
        })
        .expect("schemas");
        let cut = vec![("RESULT_TRUNCATED".to_owned(), "defs".to_owned(), 2)];
        // Raw answer, then the same document replayed from the plan cache.
        for round in 0..2 {
            let answer = ask(&engine, &db, "{ defs: ecsTaskDefinitions { arn } }").await;
            assert_eq!(answer["data"]["defs"].as_array().map(Vec::len), Some(2), "{answer}");
            assert_eq!(warnings(&answer), cut, "round {round}: {answer}");
        }
        assert_eq!(engine.plan_cache_hits(), 1);
        // The executor's path (a directive keeps the answer off the raw path).
        let answer = ask(
            &engine,
            &db,
            "{ defs: ecsTaskDefinitions @include(if: true) { arn } }",
        )
        .await;
        assert_eq!(answer["data"]["defs"].as_array().map(Vec::len), Some(2), "{answer}");
        assert_eq!(warnings(&answer), cut, "{answer}");
        // `assets` too.
        let answer = ask(&engine, &db, "{ assets { identifier } }").await;
        assert_eq!(answer["data"]["assets"].as_array().map(Vec::len), Some(2), "{answer}");
        assert_eq!(warnings(&answer)[0].1, "assets", "{answer}");
        // An explicit limit, or a list that fits, is not cut and carries no warning.
        let answer = ask(&engine, &db, "{ defs: ecsTaskDefinitions(limit: 100) { arn } }").await;
        assert_eq!(answer["data"]["defs"].as_array().map(Vec::len), Some(stored), "{answer}");
        assert!(answer.get("extensions").is_none(), "{answer}");
        let roomy = Engine::with_limits(Limits {
            default_page_size: 1_000,
            ..Limits::default()
        })
        .expect("schemas");
        let answer = ask(&roomy, &db, "{ defs: ecsTaskDefinitions { arn } }").await;
        assert_eq!(answer["data"]["defs"].as_array().map(Vec::len), Some(stored), "{answer}");
        assert!(answer.get("extensions").is_none(), "{answer}");
        // An unpaged caller (the control runner) gets every row and no warning.
        let mut context = db.request_context();
        context.unpaged = true;
        let request = GraphQLRequest {
            query: "{ ecsTaskDefinitions { arn } }".to_owned(),
            ..GraphQLRequest::default()
        };
        let (_, response) = engine.execute(request, None, context).await;
        let json = serde_json::to_value(&response).expect("json");
        assert_eq!(json["data"]["ecsTaskDefinitions"].as_array().map(Vec::len), Some(stored));
        assert!(response.extensions.is_empty());
    }
}
