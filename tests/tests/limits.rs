//! Hostile inputs: each is rejected fast with its own code and the limit's value, and the server
//! keeps serving.

use assetql_graphql::Limits;
use assetql_tests::on_both_databases;
use assetql_tests::server::{GraphQLResponse, TestServer};
use serde_json::json;

fn code_and_limit(response: &GraphQLResponse) -> (String, serde_json::Value) {
    let error = &response.body["errors"][0];
    (
        error["extensions"]["code"]
            .as_str()
            .unwrap_or("<none>")
            .to_owned(),
        error["extensions"]["limit"].clone(),
    )
}

async fn still_serving(server: &TestServer) {
    let ok = server
        .graphql("{ ecsClusters(limit: 10) { name } }", None)
        .await;
    assert_eq!(ok.data()["ecsClusters"].as_array().map(Vec::len), Some(4));
}

on_both_databases! {
    async fn hostile_queries_are_rejected_with_their_codes(test_db: TestDb) {
        test_db.seed_control_inventory().await;
        let limits = Limits { default_page_size: 3, ..Limits::default() };
        let server = TestServer::start_with(test_db.db.clone(), false, limits.clone()).await;

        // Depth 500.
        let deep = format!(
            "{{ ecsTaskDefinitions {{ {}arn{} }} }}",
            "containerSpecs { taskDefinition { ".repeat(250),
            " } }".repeat(250)
        );
        let response = server.graphql(&deep, None).await;
        assert_eq!(code_and_limit(&response), ("QUERY_TOO_DEEP".to_owned(), json!(limits.max_depth)), "{}", response.body);
        still_serving(&server).await;

        // 500 aliases (10,000 are refused before parsing, as too many selections).
        let aliases: String = (0..500).map(|i| format!("a{i}: ecsClusters {{ arn }} ")).collect();
        let response = server.graphql(&format!("{{ {aliases} }}"), None).await;
        assert_eq!(code_and_limit(&response), ("TOO_MANY_ALIASES".to_owned(), json!(limits.max_aliases)));

        // An OR of 50,000 branches.
        let branches = vec!["{family: \"x\"}"; 50_000].join(",");
        let response = server.graphql(&format!("{{ ecsTaskDefinitions(where: {{OR: [{branches}]}}) {{ arn }} }}"), None).await;
        assert_eq!(code_and_limit(&response), ("LIST_TOO_LONG".to_owned(), json!(limits.max_list_length)));
        // A filter whose nodes exceed the limit without any long list.
        // Input nested deeper than the bracket limit is refused before anything parses it
        // (a release build's 2 MiB worker stacks overflowed at 2,000 nested NOTs).
        for depth in [1_200, 100_000] {
            let nested = format!("{}{{family: \"x\"}}{}", "{NOT: ".repeat(depth), "}".repeat(depth));
            let response = server.graphql(&format!("{{ ecsTaskDefinitions(where: {nested}) {{ arn }} }}"), Some("legacy")).await;
            assert_eq!(code_and_limit(&response), ("INPUT_TOO_DEEP".to_owned(), json!(assetql_graphql::MAX_NESTING)), "{}", response.body);
        }
        // Fragments that spread each other are refused by validation, not followed forever.
        let cycle = "{ ecsClusters { ...A } } fragment A on EcsCluster { arn ...B } fragment B on EcsCluster { name ...A }";
        let response = server.graphql(cycle, None).await;
        assert_eq!(code_and_limit(&response).0, "GRAPHQL_VALIDATION_FAILED", "{}", response.body);
        still_serving(&server).await;
        let wide: String = (0..600).map(|i| format!("{{family: \"f{i}\", revision: {i}}}")).collect::<Vec<_>>().join(",");
        let response = server.graphql(&format!("{{ ecsTaskDefinitions(where: {{OR: [{wide}]}}) {{ arn }} }}"), Some("legacy")).await;
        assert_eq!(code_and_limit(&response), ("FILTER_TOO_LARGE".to_owned(), json!(limits.max_filter_nodes)));

        // A long string, and an _IN of a million items (too large a body, then too long a list).
        let long = "x".repeat(10_000);
        let response = server.graphql(&format!("{{ ecsTaskDefinitions(where: {{family_CONTAINS: \"{long}\"}}) {{ arn }} }}"), None).await;
        assert_eq!(code_and_limit(&response), ("STRING_TOO_LONG".to_owned(), json!(limits.max_string_length)));
        let huge = "x".repeat(10 * 1024 * 1024);
        let response = server.graphql(&format!("{{ ecsTaskDefinitions(where: {{family_CONTAINS: \"{huge}\"}}) {{ arn }} }}"), None).await;
        assert_eq!((response.status, code_and_limit(&response).0.as_str()), (413, "REQUEST_TOO_LARGE"));
        let million = vec!["\"a\""; 1_000_000].join(",");
        let response = server.graphql(&format!("{{ ecsTaskDefinitions(where: {{family_IN: [{million}]}}) {{ arn }} }}"), None).await;
        assert_eq!((response.status, code_and_limit(&response).0.as_str()), (413, "REQUEST_TOO_LARGE"));
        let thousands = vec!["\"a\""; 5_000].join(",");
        let response = server.graphql(&format!("{{ ecsTaskDefinitions(where: {{family_IN: [{thousands}]}}) {{ arn }} }}"), None).await;
        assert_eq!(code_and_limit(&response).0, "LIST_TOO_LONG");
        still_serving(&server).await;

        // A pathological regex completes (linear-time engines on both databases).
        let response = server.graphql(r#"{ ecsTaskDefinitions(where: {family_MATCHES: "(h+)+ost-x"}) { arn } }"#, None).await;
        assert_eq!(response.data()["ecsTaskDefinitions"], json!([]));

        // No limit given: the default page size applies; too large a page is refused.
        let response = server.graphql("{ ecsTaskDefinitions { arn } }", None).await;
        assert_eq!(response.data()["ecsTaskDefinitions"].as_array().map(Vec::len), Some(3));
        let response = server.graphql("{ ecsTaskDefinitions(limit: 20000) { arn } }", None).await;
        assert_eq!(code_and_limit(&response), ("PAGE_TOO_LARGE".to_owned(), json!(limits.max_page_size)));
        let response = server.graphql("{ ecsTaskDefinitionsConnection { totalCount edges { node { arn } } } }", None).await;
        let connection = &response.data()["ecsTaskDefinitionsConnection"];
        assert_eq!((connection["totalCount"].as_i64(), connection["edges"].as_array().map(Vec::len)), (Some(25), Some(3)));

        // A 100 MB body.
        let body = json!({"query": "{ ecsClusters { arn } }", "variables": {"pad": "y".repeat(100 * 1024 * 1024)}});
        let response = server.graphql_with(body, None).await;
        assert_eq!((response.status, code_and_limit(&response).0.as_str()), (413, "REQUEST_TOO_LARGE"));
        still_serving(&server).await;
    }
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_errors_by_code() {
    let test_db = assetql_tests::TestDb::new(assetql_tests::Backend::Sqlite).await;
    let server = TestServer::start(test_db.db.clone()).await;
    let ok = server
        .graphql_with(json!({"query": "query Dashboard { ecsClusters { arn } }", "operationName": "Dashboard"}), None)
        .await;
    assert_eq!(ok.status, 200);
    let bad = server
        .graphql(
            "{ ecsTaskDefinitions(where: {containerSpecs_ALL: null}) { arn } }",
            None,
        )
        .await;
    assert_eq!(bad.error_codes(), ["BAD_FILTER"]);
    // Control runs started through the API count like the worker's: a never-synced inventory
    // has no data for the built-in clusters control (never a pass).
    let run = server
        .graphql(
            r#"mutation { runControls(controlId: "aws-ecs-12-clusters-should-use-insights") { status } }"#,
            None,
        )
        .await;
    assert_eq!(run.data()["runControls"][0]["status"], "no_data");
    let (status, text) = server.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        text.contains("assetql_graphql_request_duration_seconds_count{operation=\"Dashboard\",status=\"ok\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("assetql_graphql_errors_total{code=\"BAD_FILTER\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("assetql_control_runs_total{status=\"no_data\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("assetql_db_pool_connections{state=\"idle\"}"),
        "{text}"
    );
}

#[tokio::test]
async fn configured_limits_apply_to_nested_relationship_filters_too() {
    let test_db = assetql_tests::TestDb::new(assetql_tests::Backend::Sqlite).await;
    let limits = Limits {
        max_filter_nodes: 5,
        ..Limits::default()
    };
    let server = TestServer::start_with(test_db.db.clone(), false, limits).await;
    let nested = r#"{ ecsTaskDefinitions { containerSpecs(where: {OR: [{name: "a"}, {name: "b"}, {name: "c"}, {name: "d"}]}) { name } } }"#;
    let response = server.graphql(nested, Some("legacy")).await;
    assert_eq!(
        code_and_limit(&response),
        ("FILTER_TOO_LARGE".to_owned(), json!(5))
    );
    let small = r#"{ ecsTaskDefinitions { containerSpecs(where: {name: "a"}) { name } } }"#;
    assert_eq!(
        server.graphql(small, Some("legacy")).await.data()["ecsTaskDefinitions"],
        json!([])
    );
}

on_both_databases! {
    async fn documents_are_bounded_before_any_walk_follows_a_fragment(test_db: TestDb) {
        test_db.seed_control_inventory().await;
        let limits = Limits::default();
        let server = TestServer::start_with(test_db.db.clone(), false, limits.clone()).await;

        // 10,000 chained fragments overflowed the stack and killed the process: now refused
        // before parsing (too many selections), and a chain short enough to parse is refused
        // for its depth before anything follows it.
        let chain = |n: usize| {
            (0..n)
                .map(|i| format!("fragment F{i} on EcsCluster {{ arn ...F{} }} ", i + 1))
                .collect::<String>()
                + &format!("fragment F{n} on EcsCluster {{ arn }}")
        };
        let response = server.graphql(&format!("{{ ecsClusters {{ ...F0 }} }} {}", chain(10_000)), None).await;
        assert_eq!(code_and_limit(&response), ("TOO_MANY_SELECTIONS".to_owned(), json!(limits.max_selections)), "{}", response.body);
        let response = server.graphql(&format!("{{ ecsClusters {{ ...F0 }} }} {}", chain(100)), None).await;
        assert_eq!(code_and_limit(&response), ("FRAGMENTS_TOO_DEEP".to_owned(), json!(limits.max_fragment_depth)), "{}", response.body);
        still_serving(&server).await;
        // A chain within the limit still runs.
        let short: String = (0..5).map(|i| format!("fragment G{i} on EcsCluster {{ name ...G{} }} ", i + 1)).collect::<String>()
            + "fragment G5 on EcsCluster { arn }";
        let response = server.graphql(&format!("{{ ecsClusters(limit: 1) {{ ...G0 }} }} {short}"), None).await;
        assert_eq!(response.data()["ecsClusters"].as_array().map(Vec::len), Some(1));

        // Quadratic validation cost: 20,000 identical selections (refused on the text), and
        // 3,000 (parsed, then counted).
        for n in [20_000, 3_000] {
            let wide = format!("{{ {} }}", "__typename ".repeat(n));
            let response = server.graphql(&wide, None).await;
            assert_eq!(code_and_limit(&response), ("TOO_MANY_SELECTIONS".to_owned(), json!(limits.max_selections)), "{n}");
        }
        // Fragments spread twice per level: small text, 2^30 selections once expanded.
        let doubling: String = (0..30)
            .map(|i| format!("fragment D{i} on EcsCluster {{ ...D{n} ...D{n} }} ", n = i + 1))
            .collect::<String>()
            + "fragment D30 on EcsCluster { arn }";
        let response = server.graphql(&format!("{{ ecsClusters {{ ...D0 }} }} {doubling}"), None).await;
        assert_eq!(code_and_limit(&response).0, "TOO_MANY_SELECTIONS", "{}", response.body);
        still_serving(&server).await;

        // NUL bytes are refused alike on both databases, in literals and in variables.
        let response = server.graphql(r#"{ ecsClusters(where: {name: "a\u0000b"}) { arn } }"#, None).await;
        assert_eq!(response.error_codes(), ["BAD_USER_INPUT"], "{}", response.body);
        let response = server
            .graphql_with(json!({"query": "query($n: String) { ecsClusters(where: {name: $n}) { arn } }", "variables": {"n": "x\u{0}"}}), None)
            .await;
        assert_eq!(response.error_codes(), ["BAD_USER_INPUT"], "{}", response.body);
        let response = server.graphql(r#"{ findings(controlId: "a\u0000") { assetIdentifier } }"#, None).await;
        assert_eq!(response.error_codes(), ["BAD_USER_INPUT"], "{}", response.body);

        // A page of 0 rows is 0 rows, not the default page; an Int past 32 bits is refused.
        for query in ["{ ecsClusters(limit: 0) { arn } }", "{ ecsClusters(options: {limit: 0}) { arn } }"] {
            let dialect = if query.contains("options") { "legacy" } else { "current" };
            let response = server.graphql(query, Some(dialect)).await;
            assert_eq!(response.data()["ecsClusters"], json!([]), "{query}");
        }
        let response = server.graphql("{ ecsClustersConnection(first: 0) { totalCount edges { node { arn } } } }", None).await;
        assert_eq!(response.data()["ecsClustersConnection"]["edges"], json!([]));
        assert_eq!(response.data()["ecsClustersConnection"]["totalCount"], json!(4));
        let response = server.graphql("{ ecsClusters(limit: 9007199254740992) { arn } }", None).await;
        assert_eq!(response.error_codes(), ["BAD_USER_INPUT"], "{}", response.body);
        let response = server.graphql("{ ecsTaskDefinitions(where: {revision: {gt: 9007199254740992}}) { arn } }", None).await;
        assert!(!response.error_codes().is_empty(), "{}", response.body);

        // An unknown operation name is reported as such, in the current dialect, not as the
        // other dialect's complaint about the document.
        let response = server
            .graphql_with(json!({"query": "query A { ecsClusters(limit: 1) { arn } }", "operationName": "B"}), None)
            .await;
        let message = response.body["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains("Unknown operation named \"B\""), "{}", response.body);
        assert_eq!(response.dialect.as_deref(), Some("current"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_aliased_field_answers_when_a_request_runs_one_statement_at_a_time() {
    let test_db = assetql_tests::TestDb::new(assetql_tests::Backend::Sqlite).await;
    test_db.seed_control_inventory().await;
    let limits = Limits {
        max_concurrent_statements: 1,
        ..Limits::default()
    };
    let server = TestServer::start_with(test_db.db.clone(), false, limits).await;
    // Eight aliased root fields run one after another (each answers; none is lost).
    let aliases: String = (0..8)
        .map(|i| format!("a{i}: ecsClusters(limit: 1) {{ arn }} "))
        .collect();
    let response = server.graphql(&format!("{{ {aliases} }}"), None).await;
    for i in 0..8 {
        assert_eq!(
            response.data()[format!("a{i}")].as_array().map(Vec::len),
            Some(1),
            "{}",
            response.body
        );
    }
}
