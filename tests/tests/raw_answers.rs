//! Root list fields are answered by the database's JSON text, spliced into the response
//! unparsed. The executor's own answer is the reference: the same document with a no-op
//! `@include(if: true)` on the root field goes through per-field resolution, and both answers
//! must be the same text (keys, order, nulls, merged fields).

use assetql_tests::fixtures::{self, at, ACCOUNT, REGION};
use assetql_tests::on_both_databases;
use assetql_tests::server::TestServer;

/// Documents with the placeholder `@DIRECTIVE` where the root field's directive goes.
const DOCUMENTS: [&str; 13] = [
    // A stored control: the injected AssetFragment.
    r#"{ ecsTaskDefinitions(where: {networkMode: "host", task_NOT: null}) @DIRECTIVE { ...AssetFragment } }"#,
    // Aliases, a field selected twice (directly and through a fragment), nested relationships
    // with arguments, a nullable to-one relationship, and nulls.
    r#"query Q { defs: ecsTaskDefinitions(sort: [{arn: DESC}], limit: 5) @DIRECTIVE {
         arn family ...F rev: revision networkMode
         containerSpecs(where: {privileged: true}) { name user privileged readOnly: readOnlyRootFS }
         task { arn lastStatus } tags { key value } }
       }
       fragment F on EcsTaskDefinition { arn status containerSpecs { image } }"#,
    // Two root fields in one document.
    r#"{ a: ecsServices @DIRECTIVE { name platformVersion hasECSServiceNetworkConfigurations { assignPublicIP } }
         b: ecsClusters @DIRECTIVE { name hasECSSettings { key value } } }"#,
    // Inline fragments on the type and on the interface.
    r#"{ ecsTasks @DIRECTIVE { ... on EcsTask { arn lastStatus } ... on Asset { identifier internalName } } }"#,
    // The current dialect.
    r#"{ ecsTaskDefinitions(where: {NOT: {task: null}, containerSpecs_SOME: {user_CONTAINS: "root"}}) @DIRECTIVE { arn containerSpecs { user } } }"#,
    // Connections: a dashboard page (count, cursors, nested nodes, page info) ...
    r#"{ ecsTaskDefinitionsConnection(first: 2, sort: [{arn: ASC}]) @DIRECTIVE {
         totalCount edges { cursor node { arn family containerSpecs { name user } task { arn } } }
         pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"#,
    // ... the next page, with aliases and another order of keys ...
    r#"{ page: ecsTaskDefinitionsConnection(first: 1, after: "YXJyYXljb25uZWN0aW9uOjA=", sort: [{arn: DESC}]) @DIRECTIVE {
         info: pageInfo { end: endCursor more: hasNextPage back: hasPreviousPage start: startCursor }
         edges { n: node { ...Def } c: cursor } total: totalCount }
       }
       fragment Def on EcsTaskDefinition { arn revision }"#,
    // ... and the aggregate count beside the nodes, unpaged.
    r#"{ ecsServicesConnection @DIRECTIVE { aggregate { count { nodes } } edges { node { name status } } } }"#,
    // `__typename` (added by clients such as Apollo) on rows, related rows, a to-one
    // relationship, aliased, and again through an interface fragment.
    r#"{ ecsTaskDefinitions(limit: 3, sort: [{arn: ASC}]) @DIRECTIVE {
         __typename arn t: __typename containerSpecs { __typename name } task { __typename arn }
         ... on Asset { __typename identifier } } }"#,
    r#"{ ecsClustersConnection(first: 2) @DIRECTIVE {
         totalCount edges { cursor node { __typename name hasECSSettings { __typename key } } } } }"#,
    // `assets` with interface fields only: every type answers the same keys, `__typename`
    // each row's own (directly, through `... on Asset` and the AssetFragment) ...
    r#"{ assets(sort: [{identifier: ASC}]) @DIRECTIVE {
         __typename identifier ... on Asset { internalName t: __typename } internalAssetType } }"#,
    r#"{ a: assets(where: {typename_IN: [EcsCluster, EcsService]}, options: {limit: 3}) @DIRECTIVE { ...AssetFragment }
         b: ecsClusters @DIRECTIVE { name } }"#,
    // ... and with a type condition, left to the executor, which applies it.
    r#"{ assets(sort: [{identifier: DESC}]) @DIRECTIVE { identifier ... on EcsCluster { name } ... on EcsTask { lastStatus } } }"#,
];

on_both_databases! {
    async fn spliced_answers_are_the_executors_answers_to_the_byte(test_db: TestDb) {
        test_db.seed_control_inventory().await;
        let server = TestServer::start(test_db.db.clone()).await;
        for document in DOCUMENTS {
            let spliced = server.graphql(&document.replace("@DIRECTIVE", ""), None).await;
            let resolved = server
                .graphql(&document.replace("@DIRECTIVE", "@include(if: true)"), None)
                .await;
            let (spliced, resolved) = (spliced.data(), resolved.data());
            // Root fields are compared one by one: the executor orders them by completion
            // (async-graphql resolves them concurrently), in either path.
            let keys = |data: &serde_json::Value| {
                let mut keys: Vec<String> = data.as_object().expect("object").keys().cloned().collect();
                keys.sort();
                keys
            };
            assert_eq!(keys(spliced), keys(resolved), "{document}");
            for key in keys(spliced) {
                assert_eq!(spliced[&key].to_string(), resolved[&key].to_string(), "{document}");
            }
            // A list field's rows, or a connection's edges.
            let rows = |v: &serde_json::Value| {
                v.as_array()
                    .or_else(|| v.as_object()?.values().find_map(|e| e.as_array()))
                    .is_some_and(|a| !a.is_empty())
            };
            assert!(
                spliced.as_object().is_some_and(|o| o.values().all(rows)),
                "the fixture answers rows for every root field: {spliced}"
            );
        }
    }

    async fn directives_and_meta_fields_inside_the_selection_are_the_executors(test_db: TestDb) {
        test_db.seed_control_inventory().await;
        let server = TestServer::start(test_db.db.clone()).await;
        let response = server
            .graphql(
                "{ ecsClusters(limit: 1) { __typename name arn @skip(if: true) hasECSSettings @include(if: false) { key } } }",
                None,
            )
            .await;
        let cluster = &response.data()["ecsClusters"][0];
        let keys: Vec<&str> = cluster.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(keys, ["__typename", "name"]);
        assert_eq!(cluster["__typename"], "EcsCluster");
    }
}

async fn plan_hits(server: &TestServer) -> u64 {
    let (_, text) = server.get("/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix("assetql_graphql_plan_cache_hits_total "))
        .and_then(|n| n.parse().ok())
        .expect("the plan cache counter")
}

on_both_databases! {
    async fn a_repeated_document_runs_its_cached_plan_on_current_data(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        let mut inventory = fixtures::control_inventory(ACCOUNT, REGION);
        test_db.seed(&scope, &inventory, at(0)).await;
        // The answer cache would answer the repeat without running it: off, to see the plan.
        let server = TestServer::start_without_answer_cache(test_db.db.clone()).await;
        let document = "{ ecsClusters { name } }";
        let first = server.graphql(document, None).await;
        assert_eq!(plan_hits(&server).await, 0);
        let second = server.graphql(document, None).await;
        assert_eq!(plan_hits(&server).await, 1, "the second request replays the plan");
        assert_eq!(first.data().to_string(), second.data().to_string());
        assert_eq!(second.dialect.as_deref(), Some("current"));

        // Plans hold SQL, not data: a new cluster appears in the next answer.
        let extra = fixtures::cluster(ACCOUNT, REGION, "zz-new", None);
        inventory.clusters.push(extra);
        test_db.seed(&scope, &inventory, at(10)).await;
        let third = server.graphql(document, None).await;
        assert_eq!(plan_hits(&server).await, 2);
        let names: Vec<&str> = third.data()["ecsClusters"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert!(names.contains(&"zz-new"), "{names:?}");

        // A legacy document is replayed in its dialect, and a forced other dialect is refused
        // as before instead of replaying.
        let legacy = r#"{ ecsClusters(where: {name_NOT: "prod"}) { name } }"#;
        assert_eq!(server.graphql(legacy, None).await.dialect.as_deref(), Some("legacy"));
        let again = server.graphql(legacy, None).await;
        assert_eq!(again.dialect.as_deref(), Some("legacy"));
        assert_eq!(plan_hits(&server).await, 3);
        let forced = server.graphql(legacy, Some("current")).await;
        assert_eq!(forced.error_codes(), ["GRAPHQL_VALIDATION_FAILED"]);

        // A document valid in both dialects, forced to legacy once, is still answered in the
        // current dialect (from its plan) when the client does not force one.
        let forced = server.graphql(document, Some("legacy")).await;
        assert_eq!(forced.dialect.as_deref(), Some("legacy"));
        assert_eq!(forced.data().to_string(), third.data().to_string());
        let unforced = server.graphql(document, None).await;
        assert_eq!(unforced.dialect.as_deref(), Some("current"));
        assert_eq!(plan_hits(&server).await, 4);

        // A connection page is replayed too: its edges, cursors and page info are written
        // around the replayed statement's nodes.
        let page = "{ ecsClustersConnection(first: 1) { totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }";
        let first_page = server.graphql(page, None).await;
        let replayed = server.graphql(page, None).await;
        assert_eq!(plan_hits(&server).await, 5);
        assert_eq!(first_page.data().to_string(), replayed.data().to_string());
        let connection = &replayed.data()["ecsClustersConnection"];
        assert_eq!(connection["pageInfo"]["hasNextPage"], true);
        assert_eq!(connection["edges"].as_array().map(Vec::len), Some(1));
        assert!(connection["totalCount"].as_i64().is_some_and(|n| n >= 2), "{connection}");

        // `__typename` below the root no longer keeps a document off the raw path.
        let typed = "{ ecsClusters { __typename name hasECSSettings { __typename key } } }";
        let first_typed = server.graphql(typed, None).await;
        let replayed = server.graphql(typed, None).await;
        assert_eq!(plan_hits(&server).await, 6);
        assert_eq!(first_typed.data().to_string(), replayed.data().to_string());
        assert_eq!(replayed.data()["ecsClusters"][0]["__typename"], "EcsCluster");

        // With variables, a plan is kept per variable values: a dashboard paging with
        // variables replays each page it asked for before, and never another page's plan.
        let paged = "query Page($first: Int, $after: String) { ecsClustersConnection(first: $first, after: $after, sort: [{name: ASC}]) { edges { node { name } } } }";
        let ask = |variables: serde_json::Value| {
            server.graphql_with(serde_json::json!({"query": paged, "variables": variables}), None)
        };
        let names = |response: &assetql_tests::server::GraphQLResponse| -> Vec<String> {
            response.data()["ecsClustersConnection"]["edges"].as_array().expect("edges").iter()
                .map(|e| e["node"]["name"].as_str().expect("name").to_owned()).collect()
        };
        let page_one = ask(serde_json::json!({"first": 1})).await;
        let page_two = ask(serde_json::json!({"first": 1, "after": "YXJyYXljb25uZWN0aW9uOjA="})).await;
        assert_eq!(plan_hits(&server).await, 6, "different variables, different plans");
        assert_ne!(names(&page_one), names(&page_two));
        let page_one_again = ask(serde_json::json!({"first": 1})).await;
        let page_two_again = ask(serde_json::json!({"first": 1, "after": "YXJyYXljb25uZWN0aW9uOjA="})).await;
        assert_eq!(plan_hits(&server).await, 8);
        assert_eq!(names(&page_one_again), names(&page_one));
        assert_eq!(names(&page_two_again), names(&page_two));

        // `assets` selecting interface fields only is answered raw, so it has a plan; with a
        // type condition it is the executor's (no plan).
        let interface = "{ assets(limit: 3) { __typename identifier internalName } }";
        let first_assets = server.graphql(interface, None).await;
        let replayed = server.graphql(interface, None).await;
        assert_eq!(plan_hits(&server).await, 9);
        assert_eq!(first_assets.data().to_string(), replayed.data().to_string());
        let conditioned = "{ assets(limit: 3) { identifier ... on EcsCluster { name } } }";
        server.graphql(conditioned, None).await;
        server.graphql(conditioned, None).await;
        assert_eq!(plan_hits(&server).await, 9);
    }
}

on_both_databases! {
    async fn a_planned_statement_answers_what_the_document_answers(test_db: TestDb) {
        test_db.seed_control_inventory().await;
        let engine = assetql_graphql::Engine::new().expect("schemas");
        let context = || test_db.request_context();
        let request = |query: &str| assetql_graphql::GraphQLRequest {
            query: query.to_owned(),
            ..Default::default()
        };
        let document = DOCUMENTS[0].replace("@DIRECTIVE", "");
        let (syntax, statements) = engine
            .plan(request(&document), None, context())
            .await
            .expect("the mission control plans");
        assert_eq!(syntax, assetql_sql::QueryDialect::Legacy);
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0].field, "ecsTaskDefinitions");
        assert!(
            !statements[0].sql.contains("'host'"),
            "values are parameters: {}",
            statements[0].sql
        );
        let text = test_db
            .db
            .fetch_json_within(None, &statements[0].sql, &statements[0].params, std::time::Duration::from_secs(10))
            .await
            .expect("the planned statement runs");
        let (_, answer) = engine.execute(request(&document), None, context()).await;
        let answered = serde_json::to_value(&answer.data).expect("json");
        let planned: serde_json::Value = serde_json::from_str(&text).expect("json text");
        assert!(planned.as_array().is_some_and(|rows| !rows.is_empty()), "{planned}");
        assert_eq!(answered["ecsTaskDefinitions"], planned);

        // Documents that are not one statement per root field, and mutations, are not planned
        // (and a mutation is not run).
        for document in [
            "{ assets { identifier ... on EcsCluster { name } } }",
            "{ ecsTasks @include(if: true) { arn } }",
            r#"mutation { revokeControlException(id: "x") }"#,
        ] {
            let refused = engine.plan(request(document), None, context()).await.expect_err(document);
            assert_eq!(
                refused.errors[0].extensions.as_ref().and_then(|e| e.get("code")),
                Some(&async_graphql::Value::from("NOT_PLANNABLE")),
                "{document}"
            );
        }
        // A document with errors reports them.
        let refused = engine
            .plan(request("{ ecsTasks { nope } }"), None, context())
            .await
            .expect_err("invalid");
        assert!(refused.errors[0].message.contains("nope"), "{:?}", refused.errors);
    }
}
