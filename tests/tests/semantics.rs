//! The filter semantics of the Neo4j GraphQL Library (reference tables: scalars and NULL, empty
//! filters, relationship quantifiers, single relationships in each dialect), executed over HTTP
//! on both databases with the exact expected result sets; plus paging, nested selections,
//! aggregates, the `assets` interface, errors, and a byte-for-byte comparison of the two
//! databases' answers.

use std::collections::BTreeSet;

use assetql_tests::fixtures::{self, at, Inventory, ACCOUNT, REGION};
use assetql_tests::server::{GraphQLResponse, TestServer};
use assetql_tests::{on_both_databases, Backend, TestDb};
use serde_json::json;

/// Five revisions:
/// - `a:1` host, one privileged container with user `root`, one running task, EC2;
/// - `b:1` bridge, containers privileged `true` and NULL (users NULL), two running tasks, FARGATE;
/// - `c:1` NULL network mode, no containers, no tasks, no compatibilities;
/// - `d:1` awsvpc, pid host, one container privileged `false` with user `ro%t`, no tasks;
/// - `d:2` awsvpc, one container with nothing set, no tasks, registered later.
fn inventory() -> Inventory {
    let spec = fixtures::spec;
    let td = |family: &str, revision: i64, mode: Option<&str>, containers| {
        fixtures::task_definition(ACCOUNT, REGION, family, revision, mode, containers)
    };
    let a = td(
        "a",
        1,
        Some("host"),
        vec![spec("app", Some(true), Some("root"))],
    );
    let mut b = td(
        "b",
        1,
        Some("bridge"),
        vec![spec("one", Some(true), None), spec("two", None, None)],
    );
    b["requiresCompatibilities"] = json!(["FARGATE"]);
    let mut c = td("c", 1, None, vec![]);
    c["requiresCompatibilities"] = json!(null);
    let mut d1 = td(
        "d",
        1,
        Some("awsvpc"),
        vec![spec("app", Some(false), Some("ro%t"))],
    );
    d1["pidMode"] = json!("host");
    let mut d2 = td("d", 2, Some("awsvpc"), vec![spec("app", None, None)]);
    d2["registeredAt"] = fixtures::epoch(at(100));
    let b_arn = fixtures::arn_of(&b);
    let mut first_b = fixtures::task(ACCOUNT, REGION, "prod", "b-old", &b_arn);
    first_b["startedAt"] = fixtures::epoch(at(10));
    let mut second_b = fixtures::task(ACCOUNT, REGION, "prod", "b-new", &b_arn);
    second_b["startedAt"] = fixtures::epoch(at(20));
    let tasks = vec![
        fixtures::task(ACCOUNT, REGION, "prod", "a-1", &fixtures::arn_of(&a)),
        first_b,
        second_b,
    ];
    let clusters = vec![
        fixtures::cluster(ACCOUNT, REGION, "prod", Some("enabled")),
        fixtures::cluster(ACCOUNT, REGION, "dev", None),
    ];
    Inventory {
        clusters,
        services: vec![fixtures::service(
            ACCOUNT,
            REGION,
            "prod",
            "api",
            Some(Some(true)),
        )],
        task_definitions: vec![a, b, c, d1, d2],
        tasks,
        ..Inventory::default()
    }
}

const ALL: &[&str] = &["a:1", "b:1", "c:1", "d:1", "d:2"];

/// (dialect, where-input, expected internalNames).
fn cases() -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    vec![
        // Scalars, three-valued logic, NULL.
        ("legacy", r#"{networkMode: "host"}"#, &["a:1"]),
        (
            "legacy",
            r#"{networkMode_NOT: "host"}"#,
            &["b:1", "d:1", "d:2"],
        ),
        ("legacy", r#"{networkMode: null}"#, &["c:1"]),
        (
            "legacy",
            r#"{networkMode_NOT: null}"#,
            &["a:1", "b:1", "d:1", "d:2"],
        ),
        ("legacy", r#"{networkMode_IN: []}"#, &[]),
        ("legacy", r#"{networkMode_NOT_IN: []}"#, ALL),
        ("legacy", r#"{networkMode_IN: ["host", null]}"#, &["a:1"]),
        (
            "legacy",
            r#"{networkMode_NOT_IN: ["host", "bridge"]}"#,
            &["d:1", "d:2"],
        ),
        (
            "current",
            r#"{networkMode: {in: ["host", "bridge"]}}"#,
            &["a:1", "b:1"],
        ),
        ("current", r#"{networkMode: {eq: null}}"#, &["c:1"]),
        // internalName is family:revision; a prefix without ':' is tested on the family.
        (
            "legacy",
            r#"{internalName_STARTS_WITH: "d"}"#,
            &["d:1", "d:2"],
        ),
        ("legacy", r#"{internalName_STARTS_WITH: "d:2"}"#, &["d:2"]),
        (
            "legacy",
            r#"{internalName_STARTS_WITH: "d:"}"#,
            &["d:1", "d:2"],
        ),
        ("legacy", r#"{internalName_STARTS_WITH: "d1"}"#, &[]),
        (
            "legacy",
            r#"{internalName_NOT_STARTS_WITH: "d"}"#,
            &["a:1", "b:1", "c:1"],
        ),
        // Strings: case-sensitive, wildcards literal, any operator given null tests for NULL.
        (
            "legacy",
            r#"{containerSpecs_SOME: {user_CONTAINS: null}}"#,
            &["b:1", "d:2"],
        ),
        (
            "legacy",
            r#"{containerSpecs_SOME: {user_CONTAINS: "%"}}"#,
            &["d:1"],
        ),
        (
            "legacy",
            r#"{containerSpecs_SOME: {user_CONTAINS: "_"}}"#,
            &[],
        ),
        (
            "legacy",
            r#"{containerSpecs_SOME: {user_CONTAINS: "ROOT"}}"#,
            &[],
        ),
        (
            "legacy",
            r#"{containerSpecs_SOME: {user_STARTS_WITH: "ro"}}"#,
            &["a:1", "d:1"],
        ),
        (
            "legacy",
            r#"{containerSpecs_SOME: {user_ENDS_WITH: "t"}}"#,
            &["a:1", "d:1"],
        ),
        (
            "legacy",
            r#"{containerSpecs_SOME: {user_ENDS_WITH: ""}}"#,
            &["a:1", "d:1"],
        ),
        (
            "legacy",
            r#"{containerSpecs_NONE: {user_NOT_CONTAINS: "oo"}}"#,
            &["a:1", "b:1", "c:1", "d:2"],
        ),
        (
            "current",
            r#"{containerSpecs: {some: {user: {startsWith: "r", endsWith: "t"}}}}"#,
            &["a:1", "d:1"],
        ),
        // Whole-string regular expressions.
        ("current", r#"{pidMode: {matches: "ho"}}"#, &[]),
        ("legacy", r#"{pidMode_MATCHES: "ho.*"}"#, &["d:1"]),
        ("legacy", r#"{pidMode_MATCHES: "(?i)HOST"}"#, &["d:1"]),
        // Numbers, date-times, lists.
        ("legacy", r#"{revision_GT: 1}"#, &["d:2"]),
        ("current", r#"{revision: {gte: 2}}"#, &["d:2"]),
        (
            "legacy",
            r#"{registeredAt_GT: "2026-01-01T00:00:30Z"}"#,
            &["d:2"],
        ),
        (
            "current",
            r#"{registeredAt: {lte: "2026-01-01T00:00:00Z"}}"#,
            &["a:1", "b:1", "c:1", "d:1"],
        ),
        (
            "legacy",
            r#"{requiresCompatibilities_INCLUDES: "FARGATE"}"#,
            &["b:1"],
        ),
        (
            "legacy",
            r#"{requiresCompatibilities_NOT_INCLUDES: "FARGATE"}"#,
            &["a:1", "d:1", "d:2"],
        ),
        (
            "current",
            r#"{requiresCompatibilities: {includes: "EC2"}}"#,
            &["a:1", "d:1", "d:2"],
        ),
        // Empty filters are no condition.
        ("legacy", r#"{}"#, ALL),
        ("legacy", r#"{AND: []}"#, ALL),
        ("legacy", r#"{OR: []}"#, ALL),
        ("legacy", r#"{NOT: {}}"#, ALL),
        ("legacy", r#"{OR: [{}, {networkMode: "host"}]}"#, &["a:1"]),
        (
            "legacy",
            r#"{NOT: {networkMode: "host", family: "a"}}"#,
            &["b:1", "c:1", "d:1", "d:2"],
        ),
        // Relationship quantifiers.
        (
            "legacy",
            r#"{containerSpecs_ALL: {privileged: true}}"#,
            &["a:1", "b:1"],
        ),
        (
            "legacy",
            r#"{containerSpecs_NONE: {privileged: true}}"#,
            &["c:1", "d:1", "d:2"],
        ),
        (
            "legacy",
            r#"{containerSpecs_SINGLE: {privileged: true}}"#,
            &["a:1", "b:1"],
        ),
        ("legacy", r#"{containerSpecs_SOME: null}"#, &["c:1"]),
        (
            "legacy",
            r#"{containerSpecs_NONE: null}"#,
            &["a:1", "b:1", "d:1", "d:2"],
        ),
        ("legacy", r#"{containerSpecs_SOME: {}}"#, ALL),
        (
            "legacy",
            r#"{containerSpecs_SOME: {OR: []}}"#,
            &["a:1", "b:1", "d:1", "d:2"],
        ),
        ("legacy", r#"{containerSpecs_ALL: {OR: []}}"#, ALL),
        (
            "legacy",
            r#"{containerSpecs: {privileged: true}}"#,
            &["a:1", "b:1"],
        ),
        (
            "legacy",
            r#"{containerSpecs_NOT: {privileged: true}}"#,
            &["c:1", "d:1", "d:2"],
        ),
        (
            "current",
            r#"{containerSpecs: {some: {privileged: {eq: true}}, none: {privileged: {eq: false}}}}"#,
            &["a:1", "b:1"],
        ),
        (
            "current",
            r#"{containerSpecs: {all: {privileged: {eq: true}}}}"#,
            &["a:1", "b:1"],
        ),
        // Single relationships: legacy means exactly one related task matches, current at least one.
        ("legacy", r#"{task: null}"#, &["c:1", "d:1", "d:2"]),
        ("legacy", r#"{task_NOT: null}"#, &["a:1", "b:1"]),
        ("current", r#"{NOT: {task: null}}"#, &["a:1", "b:1"]),
        ("legacy", r#"{task: {lastStatus: "RUNNING"}}"#, &["a:1"]),
        (
            "current",
            r#"{task: {lastStatus: {eq: "RUNNING"}}}"#,
            &["a:1", "b:1"],
        ),
        (
            "legacy",
            r#"{task_NOT: {lastStatus: "RUNNING"}}"#,
            &["b:1", "c:1", "d:1", "d:2"],
        ),
        ("legacy", r#"{task: {}}"#, ALL),
        ("legacy", r#"{tasks_SINGLE: {}}"#, ALL),
        (
            "legacy",
            r#"{tasks_SINGLE: {lastStatus: "RUNNING"}}"#,
            &["a:1"],
        ),
        (
            "current",
            r#"{tasks: {some: {name: {eq: "b-new"}}}}"#,
            &["b:1"],
        ),
    ]
}

async fn names(server: &TestServer, dialect: &str, filter: &str) -> Vec<String> {
    let query = format!("{{ ecsTaskDefinitions(where: {filter}) {{ internalName }} }}");
    let response = server.graphql(&query, Some(dialect)).await;
    let data = response.data();
    let mut names: Vec<String> = data["ecsTaskDefinitions"]
        .as_array()
        .unwrap_or_else(|| panic!("{dialect} {filter}: {}", response.body))
        .iter()
        .map(|d| d["internalName"].as_str().expect("internalName").to_owned())
        .collect();
    names.sort();
    names
}

async fn seeded(test_db: &TestDb) -> TestServer {
    test_db
        .seed(&fixtures::scope(ACCOUNT, REGION), &inventory(), at(0))
        .await;
    TestServer::start(test_db.db.clone()).await
}

fn codes(response: &GraphQLResponse) -> Vec<String> {
    response.error_codes()
}

on_both_databases! {
    async fn filters_follow_the_neo4j_library_semantics(test_db: TestDb) {
        let server = seeded(&test_db).await;
        let mut failures = Vec::new();
        for (dialect, filter, expected) in cases() {
            let got = names(&server, dialect, filter).await;
            let expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
            if got != expected {
                failures.push(format!("{dialect} {filter}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    async fn connections_page_with_relay_cursors_and_count_only_when_asked(test_db: TestDb) {
        let server = seeded(&test_db).await;
        let page = |after: Option<&str>| {
            let after = after.map(|a| format!(", after: \"{a}\"")).unwrap_or_default();
            format!(
                "{{ ecsTaskDefinitionsConnection(first: 2{after}, sort: [{{family: DESC}}, {{revision: DESC}}]) {{ \
                   totalCount edges {{ cursor node {{ internalName }} }} \
                   pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"
            )
        };
        let first = server.graphql(&page(None), None).await;
        let connection = &first.data()["ecsTaskDefinitionsConnection"];
        assert_eq!(connection["totalCount"], 5);
        let names: Vec<&str> = connection["edges"].as_array().expect("edges").iter()
            .map(|e| e["node"]["internalName"].as_str().expect("name")).collect();
        assert_eq!(names, ["d:2", "d:1"]);
        // Keyset cursors: the row's sort values, not its offset (see keyset_pages_* below).
        assert_ne!(connection["edges"][0]["cursor"], "YXJyYXljb25uZWN0aW9uOjA=");
        assert_eq!(connection["pageInfo"]["hasNextPage"], true);
        assert_eq!(connection["pageInfo"]["hasPreviousPage"], false);
        let end = connection["pageInfo"]["endCursor"].as_str().expect("end cursor").to_owned();

        let second = server.graphql(&page(Some(&end)), None).await;
        let connection = &second.data()["ecsTaskDefinitionsConnection"];
        let names: Vec<&str> = connection["edges"].as_array().expect("edges").iter()
            .map(|e| e["node"]["internalName"].as_str().expect("name")).collect();
        assert_eq!(names, ["c:1", "b:1"]);
        assert_eq!(connection["pageInfo"]["hasPreviousPage"], true);

        let count_only = server
            .graphql("{ ecsTaskDefinitionsConnection(where: {NOT: {task: null}}) { aggregate { count { nodes } } } }", None)
            .await;
        assert_eq!(count_only.dialect.as_deref(), Some("current"));
        assert_eq!(count_only.data()["ecsTaskDefinitionsConnection"]["aggregate"]["count"]["nodes"], 2);
        let legacy = server.graphql("{ ecsTaskDefinitionsAggregate(where: {task_NOT: null}) { count } }", None).await;
        assert_eq!(legacy.dialect.as_deref(), Some("legacy"));
        assert_eq!(legacy.data()["ecsTaskDefinitionsAggregate"]["count"], 2);

        let bad = server.graphql(r#"{ ecsTaskDefinitionsConnection(first: 1, after: "nope") { totalCount } }"#, None).await;
        assert_eq!(codes(&bad), ["BAD_USER_INPUT"]);

        // A single sort object is a one-item list; a sort item that is not an object is an
        // error, not ignored.
        let single = server.graphql("{ ecsTaskDefinitions(sort: {family: DESC}) { family } }", None).await;
        let families: Vec<&str> = single.data()["ecsTaskDefinitions"].as_array().expect("rows").iter()
            .map(|r| r["family"].as_str().expect("family")).collect();
        let mut descending = families.clone();
        descending.sort_unstable_by(|a, b| b.cmp(a));
        assert!(families.len() > 1 && families == descending, "{families:?}");
        let bad_sort = server.graphql(r#"{ ecsTaskDefinitions(sort: ["family"]) { family } }"#, None).await;
        assert_eq!(codes(&bad_sort), ["BAD_USER_INPUT"]);
        assert!(bad_sort.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("sort")), "{}", bad_sort.body);
    }

    async fn nested_selections_come_back_in_one_answer(test_db: TestDb) {
        let server = seeded(&test_db).await;
        let response = server
            .graphql(
                r#"{ ecsTaskDefinitions(where: {networkMode: "bridge"}) {
                       family
                       specs: containerSpecs(options: {sort: [{name: DESC}]}) { name privileged user envEntries { key } }
                       first: containerSpecs(where: {privileged: true}) { name }
                       task { name startedAt }
                       tasks { name }
                       tags { key value }
                       requiresCompatibilities
                   } }"#,
                None,
            )
            .await;
        assert_eq!(
            response.data()["ecsTaskDefinitions"],
            json!([{
                "family": "b",
                "specs": [
                    {"name": "two", "privileged": null, "user": null, "envEntries": []},
                    {"name": "one", "privileged": true, "user": null, "envEntries": []}
                ],
                "first": [{"name": "one"}],
                "task": {"name": "b-new", "startedAt": "2026-01-01T00:00:20.000000Z"},
                "tasks": [{"name": "b-new"}, {"name": "b-old"}],
                "tags": [{"key": "team", "value": "platform"}],
                "requiresCompatibilities": ["FARGATE"]
            }])
        );
        let none = server.graphql(r#"{ ecsTaskDefinitions(where: {family: "c"}) { task { name } containerSpecs { name } } }"#, None).await;
        assert_eq!(none.data()["ecsTaskDefinitions"], json!([{"task": null, "containerSpecs": []}]));
    }

    async fn sorting_puts_nulls_last_ascending_and_pages_with_limit_offset(test_db: TestDb) {
        let server = seeded(&test_db).await;
        let legacy = server
            .graphql("{ ecsTaskDefinitions(options: {sort: [{networkMode: ASC}], limit: 10}) { internalName } }", None)
            .await;
        let order: Vec<&str> = legacy.data()["ecsTaskDefinitions"].as_array().expect("list").iter()
            .map(|d| d["internalName"].as_str().expect("name")).collect();
        assert_eq!(order, ["d:1", "d:2", "b:1", "a:1", "c:1"]);
        let current = server
            .graphql("{ ecsTaskDefinitions(sort: [{networkMode: DESC}], limit: 2, offset: 1) { internalName } }", None)
            .await;
        let order: Vec<&str> = current.data()["ecsTaskDefinitions"].as_array().expect("list").iter()
            .map(|d| d["internalName"].as_str().expect("name")).collect();
        assert_eq!(order, ["a:1", "b:1"], "DESC puts NULL first");
    }

    async fn the_assets_interface_spans_every_asset_type(test_db: TestDb) {
        let server = seeded(&test_db).await;
        let all = server.graphql("{ assets { __typename internalAssetType } }", None).await;
        let types: BTreeSet<&str> = all.data()["assets"].as_array().expect("list").iter()
            .map(|a| a["internalAssetType"].as_str().expect("type")).collect();
        assert_eq!(types, BTreeSet::from(["ECSCluster", "ECSService", "ECSTask", "ECSTaskDefinition"]));
        assert_eq!(all.data()["assets"].as_array().map(Vec::len), Some(2 + 1 + 5 + 3));

        let clusters = server
            .graphql(
                r#"{ assets(where: {typename_IN: [EcsCluster], internalName_STARTS_WITH: "d"}) {
                       __typename internalName ... on EcsCluster { hasECSSettings { key } } } }"#,
                None,
            )
            .await;
        assert_eq!(clusters.dialect.as_deref(), Some("legacy"));
        assert_eq!(
            clusters.data()["assets"],
            json!([{"__typename": "EcsCluster", "internalName": "dev", "hasECSSettings": []}])
        );
        let current = server
            .graphql(
                r#"{ assets(where: {typename: [EcsService, EcsCluster]}, sort: [{internalName: DESC}], limit: 2) { internalName } }"#,
                None,
            )
            .await;
        assert_eq!(current.data()["assets"], json!([{"internalName": "prod"}, {"internalName": "dev"}]));
    }

    async fn bad_input_gets_a_coded_error_that_names_the_problem(test_db: TestDb) {
        let server = seeded(&test_db).await;
        let unknown = server.graphql("{ ecsTaskDefinitions(where: {bogusField: 1}) { arn } }", None).await;
        assert_eq!(codes(&unknown), ["GRAPHQL_VALIDATION_FAILED"]);
        assert!(unknown.body.to_string().contains("bogusField"), "{}", unknown.body);

        let ambiguous = server.graphql("{ ecsTaskDefinitions(where: {containerSpecs_ALL: null}) { arn } }", None).await;
        assert_eq!(codes(&ambiguous), ["BAD_FILTER"]);
        assert!(ambiguous.body.to_string().contains("containerSpecs_ALL"), "{}", ambiguous.body);

        let implicit = server.graphql(r#"{ ecsTaskDefinitions(where: {networkMode: "host"}) { arn } }"#, Some("current")).await;
        assert_eq!(codes(&implicit), ["GRAPHQL_VALIDATION_FAILED"]);
        assert!(implicit.body.to_string().contains("StringScalarFilters"), "{}", implicit.body);
        assert_eq!(implicit.dialect.as_deref(), Some("current"));
        // Without a forced dialect the same document is legacy, and runs there.
        let auto = server.graphql(r#"{ ecsTaskDefinitions(where: {networkMode: "host"}) { internalName } }"#, None).await;
        assert_eq!(auto.dialect.as_deref(), Some("legacy"));
        assert_eq!(auto.data()["ecsTaskDefinitions"], json!([{"internalName": "a:1"}]));

        let date = server.graphql(r#"{ ecsTaskDefinitions(where: {registeredAt_GT: "yesterday"}) { arn } }"#, None).await;
        assert_eq!(codes(&date), ["BAD_FILTER"]);
        assert!(date.body.to_string().contains("registeredAt"));

        // Patterns both databases cannot read alike, or that escape the whole-string anchoring
        // (`x)|(.*` matched every row before), are BAD_USER_INPUT naming the pattern.
        for pattern in ["a*+", "x)|(.*", "(.{0,100}){0,100}x", "(unclosed"] {
            let query = format!(r#"{{ ecsTaskDefinitions(where: {{pidMode_MATCHES: {pattern:?}}}) {{ arn }} }}"#);
            let regex = server.graphql(&query, None).await;
            assert_eq!(codes(&regex), ["BAD_USER_INPUT"], "{pattern}: {}", regex.body);
            let message = regex.body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains(&format!("{pattern:?}")), "{message}");
        }

        let syntax = server.graphql("{ ecsTaskDefinitions(where: { ", None).await;
        assert_eq!(syntax.status, 200);
        assert!(!codes(&syntax).is_empty());

        let dialect = server.graphql("{ ecsClusters { arn } }", Some("neo4j")).await;
        assert_eq!((dialect.status, codes(&dialect)), (400, vec!["BAD_REQUEST".to_owned()]));

        let body = server.graphql_with(json!({"nope": 1}), None).await;
        assert_eq!(body.status, 400);
        // The server still serves after every rejection.
        assert_eq!(names(&server, "legacy", r#"{networkMode: "host"}"#).await, ["a:1"]);
    }

    async fn variables_and_operation_names_are_honoured(test_db: TestDb) {
        let server = seeded(&test_db).await;
        let response = server
            .graphql_with(
                json!({
                    "query": "query Other { ecsClusters { arn } } query ByMode($mode: String) { ecsTaskDefinitions(where: {networkMode: $mode}) { internalName } }",
                    "operationName": "ByMode",
                    "variables": {"mode": "bridge"}
                }),
                None,
            )
            .await;
        assert_eq!(response.data()["ecsTaskDefinitions"], json!([{"internalName": "b:1"}]));
    }

    async fn introspection_shows_typed_where_inputs_and_graphiql_is_served(test_db: TestDb) {
        let server = seeded(&test_db).await;
        let query = r#"{ __type(name: "EcsTaskDefinitionWhere") { inputFields { name type { name } } } }"#;
        for dialect in ["legacy", "current"] {
            let response = server.graphql(query, Some(dialect)).await;
            let fields = response.data()["__type"]["inputFields"].as_array().expect("fields").clone();
            let some = fields.iter().find(|f| f["name"] == "containerSpecs_SOME").expect("containerSpecs_SOME");
            assert_eq!(some["type"]["name"], "ContainerSpecWhere", "{dialect}");
            let has_not = fields.iter().any(|f| f["name"] == "networkMode_NOT");
            assert_eq!(has_not, dialect == "legacy");
        }
        let (status, page) = server.get("/graphql").await;
        assert_eq!(status, 200);
        assert!(page.contains("graphiql"), "GraphiQL page");
    }
}

/// The same rich queries give byte-identical answers on PostgreSQL and SQLite.
#[tokio::test]
async fn postgres_and_sqlite_answer_identically() {
    let postgres = TestDb::new(Backend::Postgres).await;
    let sqlite = TestDb::new(Backend::Sqlite).await;
    let pg_server = seeded(&postgres).await;
    let sqlite_server = seeded(&sqlite).await;
    let mut queries: Vec<(String, &str)> = cases()
        .into_iter()
        .map(|(dialect, filter, _)| {
            (
                format!(
                    "{{ ecsTaskDefinitions(where: {filter}) {{ ...AssetFragment revision registeredAt \
                     requiresCompatibilities containerSpecs {{ name privileged user readOnlyRootFS capabilitiesAdd }} \
                     task {{ ...AssetFragment startedAt }} }} }}"
                ),
                dialect,
            )
        })
        .collect();
    queries.push(("{ ecsClusters { ...AssetFragment firstSeenAt hasECSSettings { key value } services { name } } }".to_owned(), "legacy"));
    queries.push(("{ ecsServices { ...AssetFragment hasECSServiceNetworkConfigurations { assignPublicIP subnets securityGroups } cluster { name } } }".to_owned(), "legacy"));
    queries.push(("{ assets(sort: [{cloudAccountName: ASC}, {internalName: DESC}]) { __typename ...AssetFragment } }".to_owned(), "current"));
    for (query, dialect) in queries {
        let a = pg_server.graphql(&query, Some(dialect)).await;
        let b = sqlite_server.graphql(&query, Some(dialect)).await;
        assert!(a.body.get("errors").is_none(), "{query}: {}", a.body);
        assert_eq!(a.body, b.body, "{query}");
    }
}
