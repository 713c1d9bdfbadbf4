//! The engine's answers to a corpus of documents (the stored controls' shapes, documents
//! breaking each GraphQL validation rule, documents with variables), in each dialect and with
//! the engine choosing one, compared with a golden file: data, errors, messages, positions and
//! codes. The golden file was first written by the engine that parsed and validated every
//! document with async-graphql's strict rules alone (before the engine's own parser and
//! validator were removed, issue #14), so it pins the behaviour that removal had to keep.
//!
//! `ASSETQL_UPDATE_GOLDEN=1 cargo nextest run -p assetql-tests --test answers` rewrites it;
//! review the diff like code.

use std::collections::BTreeMap;

use assetql_graphql::{Engine, GraphQLRequest};
use assetql_sql::QueryDialect;
use assetql_tests::{Backend, Rng, TestDb};

/// Documents, with the operation to run when there are several.
const DOCUMENTS: &[(&str, Option<&str>)] = &[
    // Valid in one dialect or both.
    (
        r#"{ ecsTaskDefinitions(where: {networkMode: "host", task_NOT: null}) { ...AssetFragment } }"#,
        None,
    ),
    (
        r#"{ ecsTaskDefinitions(where: {AND: [{networkMode: {eq: "host"}}, {task: null}]}) { arn } }"#,
        None,
    ),
    (
        r#"{ ecsTaskDefinitions(where: {containerSpecs_SOME: {environment_SOME: {name_IN: ["AWS_SECRET_ACCESS_KEY"]}}}) { arn } }"#,
        None,
    ),
    (
        r#"{ ecsTaskDefinitions(where: {networkMode_NOT: "host"}) { arn } }"#,
        None,
    ),
    (
        r#"{ ecsTaskDefinitions(where: {networkMode: 5}) { arn } }"#,
        None,
    ),
    (
        r#"{ ecsTaskDefinitions(where: {NOT: {task: null}, containerSpecs_SOME: {user_CONTAINS: "root"}}) { arn containerSpecs { user } } }"#,
        None,
    ),
    (
        r#"query Q { defs: ecsTaskDefinitions(sort: [{arn: DESC}], limit: 5) {
         arn family ...F rev: revision networkMode
         containerSpecs(where: {privileged: true}) { name user privileged readOnly: readOnlyRootFS }
         task { arn lastStatus } tags { key value } }
       }
       fragment F on EcsTaskDefinition { arn status containerSpecs { image } }"#,
        None,
    ),
    (
        r#"{ a: ecsServices { name platformVersion hasECSServiceNetworkConfigurations { assignPublicIP } }
         b: ecsClusters { name hasECSSettings { key value } } }"#,
        None,
    ),
    (
        r#"{ ecsTasks { ... on EcsTask { arn lastStatus } ... on Asset { identifier internalName } } }"#,
        None,
    ),
    (
        r#"{ ecsTaskDefinitionsConnection(first: 2, sort: [{arn: ASC}]) {
         totalCount edges { cursor node { arn family containerSpecs { name user } task { arn } } }
         pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"#,
        None,
    ),
    (
        r#"{ ecsServicesConnection { aggregate { count { nodes } } edges { node { name status } } } }"#,
        None,
    ),
    (
        r#"{ __typename ecsTaskDefinitions(limit: 3) { __typename arn t: __typename containerSpecs { __typename name } } }"#,
        None,
    ),
    (r#"{ ecsTasks { arn arn } }"#, None),
    (
        r#"{ ecsTasks { ...A ...A } } fragment A on EcsTask { arn }"#,
        None,
    ),
    (r#"{ ecsTaskDefinitions(sort: {arn: ASC}) { arn } }"#, None),
    (
        r#"{ ecsTaskDefinitions(sort: [{arn: "ASC"}]) { arn } }"#,
        None,
    ),
    (r#"{ ecsTaskDefinitions(limit: -1) { arn } }"#, None),
    (r#"{ ecsTaskDefinitions(sort: ["arn"]) { arn } }"#, None),
    (
        r#"{ ecsTaskDefinitions { containerSpecs(where: {privileged: true}, sort: [{name: ASC}]) { name } } }"#,
        None,
    ),
    (
        r#"{ ecsTaskDefinitions(where: {containerSpecs_SOME: null}) { arn } }"#,
        None,
    ),
    (
        r#"{ assets(where: {internalName_STARTS_WITH: "web"}) { __typename ... on EcsTaskDefinition { arn } ... on EcsCluster { name } } }"#,
        None,
    ),
    (
        r#"query A { ecsTasks { arn } } query B { ecsClusters { name } }"#,
        Some("B"),
    ),
    (
        r#"{ ecsTasks { ...Outer } } fragment Outer on EcsTask { ...Inner } fragment Inner on Asset { identifier }"#,
        None,
    ),
    // An unknown name: certainly invalid.
    (r#"{ ecsTaskDefinitions(where: {nope: 1}) { arn } }"#, None),
    (r#"{ ecsTaskDefinitions { nope } }"#, None),
    (r#"{ ecsTaskDefinitions(bogus: 1) { arn } }"#, None),
    (
        r#"{ ecsTasks { ...F } } fragment F on EcsTask { nope }"#,
        None,
    ),
    // Each other rule broken (or a construct the validator leaves to the strict rules).
    (r#"{ ecsTaskDefinitions { containerSpecs } }"#, None),
    (r#"{ ecsTaskDefinitions { arn { x } } }"#, None),
    (r#"{ ecsTaskDefinitions(limit: "x") { arn } }"#, None),
    (r#"{ ecsTaskDefinitions(sort: [{arn: UP}]) { arn } }"#, None),
    (r#"{ ecsTaskDefinitions(sort: [null]) { arn } }"#, None),
    (r#"{ ecsTasks(limit: 1, limit: 2) { arn } }"#, None),
    (r#"{ ecsTasks { ...Nope } }"#, None),
    (
        r#"{ ecsTasks { arn } } fragment F on EcsTask { arn }"#,
        None,
    ),
    (
        r#"{ ecsTasks { ...A } } fragment A on EcsTask { ...B } fragment B on EcsTask { ...A }"#,
        None,
    ),
    (
        r#"{ ecsTasks { ...F } } fragment F on EcsCluster { name }"#,
        None,
    ),
    (r#"{ ecsTasks { ... on EcsCluster { name } } }"#, None),
    (r#"{ ecsTasks { ... on Nope { name } } }"#, None),
    (r#"{ ecsTasks { x: arn x: lastStatus } }"#, None),
    (
        r#"{ ecsTaskDefinitions { containerSpecs { name } containerSpecs { user } } }"#,
        None,
    ),
    (
        r#"{ ecsTaskDefinitions { c: containerSpecs(limit: 1) { name } c: containerSpecs(limit: 2) { name } } }"#,
        None,
    ),
    (
        r#"query ($n: Int) { ecsTaskDefinitions(limit: $n) { arn } }"#,
        None,
    ),
    (r#"{ ecsTasks @skip(if: false) { arn } }"#, None),
    (r#"{ ecsTasks { arn @include(if: true) } }"#, None),
    (r#"{ __schema { queryType { name } } }"#, None),
    (r#"{ ecsTasks { __typename(x: 1) } }"#, None),
    (r#"{ findings { controlId } }"#, None),
    (r#"{ findings(controlId: null) { controlId } }"#, None),
    (r#"{ controlRuns(sort: [null]) { id } }"#, None),
    (
        r#"query A { ecsTasks { arn } } query B { ecsClusters { name } }"#,
        None,
    ),
    (r#"mutation { revokeControlException(id: "x") }"#, None),
    (r#"{ ecsTasks { arn "#, None),
];

/// Documents with variables, and the variables sent with them (JSON).
const WITH_VARIABLES: &[(&str, &str)] = &[
    ("query ($f: Int) { ecsTaskDefinitionsConnection(first: $f) { totalCount } }", r#"{"f": 2}"#),
    ("query ($f: Int) { ecsTaskDefinitionsConnection(first: $f) { totalCount } }", r#"{"f": "x"}"#),
    ("query ($f: Int) { ecsTaskDefinitionsConnection(first: $f) { totalCount } }", "{}"),
    ("query ($f: Int = 3) { ecsTaskDefinitionsConnection(first: $f) { totalCount } }", "{}"),
    (r#"query ($f: Int = "x") { ecsTaskDefinitionsConnection(first: $f) { totalCount } }"#, "{}"),
    ("query ($w: EcsTaskDefinitionWhere) { ecsTaskDefinitions(where: $w) { arn } }", r#"{"w": {"networkMode": {"eq": "host"}}}"#),
    ("query ($w: EcsTaskDefinitionWhere) { ecsTaskDefinitions(where: $w) { arn } }", r#"{"w": {"networkMode": "host", "task_NOT": null}}"#),
    ("query ($w: EcsTaskDefinitionWhere) { ecsTaskDefinitions(where: $w) { arn } }", r#"{"w": {"nope": 1}}"#),
    ("query ($w: EcsTaskDefinitionWhere!) { ecsTaskDefinitions(where: $w) { arn } }", r#"{"w": {}}"#),
    ("query ($m: String) { ecsTaskDefinitions(where: {networkMode: $m}) { arn } }", r#"{"m": "host"}"#),
    ("query ($m: String) { ecsTaskDefinitions(where: {networkMode: {eq: $m}}) { arn } }", r#"{"m": "host"}"#),
    ("query ($a: [String!]) { ecsTaskDefinitions(where: {family_IN: $a}) { arn } }", r#"{"a": ["web", "api"]}"#),
    ("query ($a: [String!]) { ecsTaskDefinitions(where: {family_IN: $a}) { arn } }", r#"{"a": [1]}"#),
    (r#"query ($a: String) { ecsTaskDefinitions(where: {family_IN: [$a, "x"]}) { arn } }"#, r#"{"a": "web"}"#),
    ("query ($c: String) { findings(controlId: $c) { controlId } }", r#"{"c": "aws-ecs-1"}"#),
    (r#"query ($c: String = "aws-ecs-1") { findings(controlId: $c) { controlId } }"#, "{}"),
    ("query ($n: Int!) { ecsTasks(limit: $n) { arn } }", r#"{"n": 1}"#),
    ("query ($n: String) { ecsTasks(limit: $n) { arn } }", r#"{"n": "1"}"#),
    ("query ($n: EcsTask) { ecsTasks(limit: $n) { arn } }", r#"{"n": 1}"#),
    ("query ($n: Int, $n: Int) { ecsTasks(limit: $n) { arn } }", r#"{"n": 1}"#),
    ("query ($x: Int) { ecsTasks { arn } }", r#"{"x": 1}"#),
    ("query { ecsTasks(limit: $n) { arn } }", r#"{"n": 1}"#),
    ("query ($n: Int) { ecsTaskDefinitions { ...F } } fragment F on EcsTaskDefinition { containerSpecs(limit: $n) { name } }", r#"{"n": 1}"#),
    ("query ($s: [EcsTaskDefinitionSort!]) { ecsTaskDefinitions(sort: $s, limit: 2) { arn } }", r#"{"s": [{"arn": "DESC"}]}"#),
    ("query ($s: [EcsTaskDefinitionSort!]) { ecsTaskDefinitions(sort: $s, limit: 2) { arn } }", r#"{"s": [{"arn": "UP"}]}"#),
    ("query A($n: Int) { ecsTasks(limit: $n) { arn } } query B { ecsClusters { name } }", r#"{"n": 1}"#),
];

fn request(query: &str, operation: Option<&str>) -> GraphQLRequest {
    GraphQLRequest {
        query: query.to_owned(),
        variables: None,
        operation_name: operation.map(str::to_owned),
    }
}

/// Every document of the corpus as a request.
fn corpus() -> Vec<GraphQLRequest> {
    let plain = DOCUMENTS
        .iter()
        .map(|(query, operation)| request(query, *operation));
    let with_variables = WITH_VARIABLES
        .iter()
        .map(|(query, variables)| GraphQLRequest {
            query: (*query).to_owned(),
            variables: Some(serde_json::from_str(variables).expect("variables JSON")),
            operation_name: query.starts_with("query A").then(|| "A".to_owned()),
        });
    plain.chain(with_variables).collect()
}

/// The response as JSON, root fields in key order (the executor orders them by completion).
fn normalised(response: &async_graphql::Response) -> String {
    let mut json = serde_json::to_value(response).expect("response serialises");
    if let Some(data) = json.get_mut("data").and_then(|d| d.as_object_mut()) {
        let sorted: BTreeMap<String, serde_json::Value> =
            std::mem::take(data).into_iter().collect();
        data.extend(sorted);
    }
    json.to_string()
}

const GOLDEN: &str = "fixtures/golden/answers.jsonl";

/// One line of the golden file: a request, the dialect forced (if any), and what the engine
/// answered.
fn golden_line(
    request: &GraphQLRequest,
    forced: Option<QueryDialect>,
    chosen: QueryDialect,
    answer: &async_graphql::Response,
) -> String {
    let answer: serde_json::Value =
        serde_json::from_str(&normalised(answer)).expect("normalised JSON");
    serde_json::json!({
        "query": request.query,
        "variables": request.variables,
        "operation": request.operation_name,
        "forced": forced.map(|s| format!("{s:?}")),
        "dialect": format!("{chosen:?}"),
        "answer": answer,
    })
    .to_string()
}

#[tokio::test]
async fn the_engine_answers_the_corpus_as_the_golden_file_says() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    test_db.seed_control_inventory().await;
    let engine = Engine::new().expect("schemas");
    let mut lines = Vec::new();
    for request in corpus() {
        for forced in [
            None,
            Some(QueryDialect::Current),
            Some(QueryDialect::Legacy),
        ] {
            let (chosen, answer) = engine
                .execute(request.clone(), forced, test_db.request_context())
                .await;
            lines.push(golden_line(&request, forced, chosen, &answer));
        }
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    let actual = lines.join("\n") + "\n";
    if std::env::var_os("ASSETQL_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("golden folder");
        std::fs::write(&path, &actual).expect("write golden file");
    }
    let expected = std::fs::read_to_string(&path).expect("golden file (ASSETQL_UPDATE_GOLDEN=1)");
    for (n, (want, got)) in expected.lines().zip(actual.lines()).enumerate() {
        assert_eq!(got, want, "line {} of {GOLDEN}", n + 1);
    }
    assert_eq!(expected.lines().count(), actual.lines().count(), "{GOLDEN}");
}

/// Every stored control runs, without an error, in the dialect its file is written in when
/// the engine chooses the dialect itself.
#[tokio::test]
async fn every_stored_control_runs_in_its_own_dialect() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let engine = Engine::new().expect("schemas");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cyscale-ecs");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("control fixtures") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("control text");
        let written_in = if name.ends_with(".legacy.graphql") {
            QueryDialect::Legacy
        } else if name.ends_with(".current.graphql") {
            QueryDialect::Current
        } else {
            continue;
        };
        let current_text =
            std::fs::read_to_string(path.with_file_name(name.replace(".legacy.", ".current.")))
                .expect("each control has both texts");
        let (chosen, answer) = engine
            .execute(request(&text, None), None, test_db.request_context())
            .await;
        assert!(answer.errors.is_empty(), "{name}: {:?}", answer.errors);
        // A legacy text identical to the current one is valid in both: the current is tried
        // first.
        let expected = if text == current_text {
            QueryDialect::Current
        } else {
            written_in
        };
        assert_eq!(chosen, expected, "{name}");
        seen += 1;
    }
    assert_eq!(seen, 16);
}

/// Names and values swapped into documents: fields and operators of both dialects, names no
/// type has, and values of every kind.
const NAMES: &[&str] = &[
    "arn",
    "family",
    "networkMode",
    "task",
    "task_NOT",
    "containerSpecs",
    "containerSpecs_SOME",
    "containerSpecs_NONE",
    "privileged",
    "user",
    "user_CONTAINS",
    "eq",
    "in",
    "contains",
    "NOT",
    "AND",
    "OR",
    "limit",
    "sort",
    "where",
    "first",
    "after",
    "options",
    "nope",
    "__typename",
    "AssetFragment",
    "EcsTask",
    "EcsCluster",
    "Asset",
    "ASC",
    "DESC",
    "name",
    "platformVersion_IN",
    "hasECSServiceNetworkConfigurations_SOME",
    "assignPublicIP",
    "containerInsights",
    "ecsTasks",
    "ecsClusters",
    "assets",
    "typename_IN",
];
const VALUES: &[&str] = &[
    "true",
    "null",
    "1",
    "-1",
    "\"x\"",
    "\"host\"",
    "[]",
    "[\"a\"]",
    "{}",
    "{eq: \"x\"}",
    "ASC",
    "[{arn: DESC}]",
    "{privileged: true}",
    "$v",
];

/// One random edit of `source`: a name replaced by another, or a value by another.
fn mutate(source: &str, rng: &mut Rng) -> String {
    let bytes = source.as_bytes();
    let names: Vec<(usize, usize)> = {
        let mut spans = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'#' {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            } else if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                spans.push((start, i));
            } else {
                i += 1;
            }
        }
        spans
    };
    if names.is_empty() {
        return source.to_owned();
    }
    let (start, end) = names[rng.below(names.len())];
    let replacement = if rng.below(2) == 0 {
        NAMES[rng.below(NAMES.len())]
    } else {
        VALUES[rng.below(VALUES.len())]
    };
    format!("{}{replacement}{}", &source[..start], &source[end..])
}

/// Thousands of documents near the ones the engine is for (each stored control and corpus
/// document edited once or twice: names swapped for fields and operators of either dialect or
/// unknown ones, values for values of other kinds): every answer either has data and no error,
/// or errors each carrying an `extensions.code`; never a bare `null` without an error.
#[tokio::test]
async fn edited_documents_get_data_or_coded_errors() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let engine = Engine::new().expect("schemas");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cyscale-ecs");
    let mut sources: Vec<GraphQLRequest> = std::fs::read_dir(dir)
        .expect("control fixtures")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "graphql"))
        .map(|path| request(&std::fs::read_to_string(path).expect("text"), None))
        .collect();
    sources.sort_by(|a, b| a.query.cmp(&b.query));
    sources.extend(corpus());
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    let mut answered = 0;
    for source in &sources {
        for _ in 0..20 {
            let mut edited = source.clone();
            for _ in 0..=rng.below(2) {
                edited.query = mutate(&edited.query, &mut rng);
            }
            if edited.query.contains("$v") && edited.variables.is_none() {
                edited.variables = Some(serde_json::json!({"v": "x"}));
            }
            let (_, answer) = engine
                .execute(edited.clone(), None, test_db.request_context())
                .await;
            let query = &edited.query;
            if answer.errors.is_empty() {
                assert!(
                    !matches!(answer.data, async_graphql::Value::Null),
                    "no data and no error: {query}"
                );
                answered += 1;
            }
            for error in &answer.errors {
                let code = error
                    .extensions
                    .as_ref()
                    .and_then(|x| x.get("code"))
                    .unwrap_or_else(|| panic!("an error without a code for {query}: {error:?}"));
                *codes.entry(code.to_string()).or_insert(0) += 1;
            }
        }
    }
    // Both kinds of answer are common (the checks above are not vacuous).
    assert!(answered >= 40, "{answered} answered; codes {codes:?}");
    assert!(
        codes
            .keys()
            .any(|c| c.contains("GRAPHQL_VALIDATION_FAILED")),
        "{codes:?}"
    );
}
