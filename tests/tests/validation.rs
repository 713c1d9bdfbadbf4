//! The engine's own validator (`assetql_graphql::validate`) against async-graphql's strict
//! validation, which it lets the engine skip: for every document of a corpus (the stored
//! controls, documents from the other tests, and documents breaking each validation rule), in
//! each dialect,
//! - a `Valid` verdict means the strict validation passes (and the executor finds the
//!   operation to run), an `Invalid` one that it fails;
//! - the engine answers exactly what an engine that parses and validates every document with
//!   async-graphql answers (data, errors, messages, positions, codes), forced to either
//!   dialect or choosing one itself.

use std::collections::BTreeMap;

use assetql_graphql::validate::Verdict;
use assetql_graphql::{Engine, GraphQLRequest};
use assetql_sql::Syntax;
use assetql_tests::fixtures::{self, at, ACCOUNT, REGION};
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

#[tokio::test]
async fn the_engines_validator_agrees_with_async_graphqls() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    test_db
        .seed(
            &fixtures::scope(ACCOUNT, REGION),
            &fixtures::control_inventory(ACCOUNT, REGION),
            at(0),
        )
        .await;
    let engine = Engine::new().expect("schemas");
    let reference = Engine::new().expect("schemas").without_fast_paths();
    let context = || test_db.request_context();
    let mut verdicts = BTreeMap::new();
    for request in corpus() {
        let document = request.query.as_str();
        for syntax in [Syntax::Current, Syntax::Legacy] {
            let verdict = engine.verdict(&request, syntax);
            let valid = reference
                .passes_strict_validation(request.clone(), syntax, context())
                .await;
            match verdict {
                Some(Verdict::Valid) => assert!(
                    valid,
                    "{syntax:?}: judged valid, but async-graphql rejects {document}"
                ),
                Some(Verdict::ScalarFilter) => {
                    assert!(
                        valid,
                        "{syntax:?}: judged valid, but async-graphql rejects {document}"
                    );
                    let (_, answer) = reference
                        .execute(request.clone(), Some(syntax), context())
                        .await;
                    let codes: Vec<_> = answer
                        .errors
                        .iter()
                        .filter_map(|e| e.extensions.as_ref()?.get("code").cloned())
                        .collect();
                    assert!(
                        codes.contains(&async_graphql::Value::from("GRAPHQL_VALIDATION_FAILED")),
                        "{syntax:?}: a scalar filter, but the resolver accepts {document}: {codes:?}"
                    );
                }
                Some(Verdict::Invalid) => assert!(
                    !valid,
                    "{syntax:?}: judged invalid, but async-graphql accepts {document}"
                ),
                Some(Verdict::Unsure) | None => {}
            }
            *verdicts.entry(format!("{verdict:?}")).or_insert(0) += 1;
            eprintln!(
                "VERDICT {syntax:?} {verdict:?} {document} {:?}",
                request.variables
            );
        }
        for forced in [None, Some(Syntax::Current), Some(Syntax::Legacy)] {
            let (ours, answer) = engine.execute(request.clone(), forced, context()).await;
            let (theirs, expected) = reference.execute(request.clone(), forced, context()).await;
            assert_eq!(ours, theirs, "dialect of {document} ({forced:?})");
            assert_eq!(
                normalised(&answer),
                normalised(&expected),
                "answer to {document} ({forced:?})"
            );
        }
    }
    // The corpus exercises every verdict (a validator that always said `Unsure` would pass the
    // checks above and skip nothing).
    // Documents with variables are judged too, not all left to async-graphql.
    let paging = &corpus()[DOCUMENTS.len()];
    assert!(paging.variables.is_some());
    assert_eq!(
        engine.verdict(paging, Syntax::Current),
        Some(Verdict::Valid)
    );
    for verdict in [
        "Some(Valid)",
        "Some(ScalarFilter)",
        "Some(Invalid)",
        "Some(Unsure)",
        "None",
    ] {
        assert!(
            verdicts.contains_key(verdict),
            "no {verdict} in {verdicts:?}"
        );
    }
}

/// The stored controls are what the validator is for: each is judged valid in its dialect, and
/// each legacy control that differs from its current text certainly not fit for the current one (a legacy-only filter such as
/// `task_NOT`, or a plain value where the current dialect expects `{eq: …}`), which the engine
/// then does not try.
#[test]
fn every_stored_control_is_prevalidated_in_its_dialect() {
    let engine = Engine::new().expect("schemas");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cyscale-ecs");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("control fixtures") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("control text");
        let syntax = if name.ends_with(".legacy.graphql") {
            Syntax::Legacy
        } else if name.ends_with(".current.graphql") {
            Syntax::Current
        } else {
            continue;
        };
        assert_eq!(
            engine.verdict(&request(&text, None), syntax),
            Some(Verdict::Valid),
            "{name}"
        );
        let current_text =
            std::fs::read_to_string(path.with_file_name(name.replace(".legacy.", ".current.")))
                .expect("each control has both texts");
        if syntax == Syntax::Legacy && text != current_text {
            let verdict = engine.verdict(&request(&text, None), Syntax::Current);
            assert!(
                matches!(verdict, Some(Verdict::Invalid | Verdict::ScalarFilter)),
                "{name} in the current dialect: {verdict:?}"
            );
        }
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

/// The validator's certainty holds on thousands of documents near the ones it is for: each
/// stored control and corpus document edited once or twice (names swapped for fields and
/// operators of either dialect or unknown ones, values for values of other kinds), in both
/// dialects. `Valid` must mean async-graphql's validation passes, `Invalid` that it fails.
#[tokio::test]
async fn edited_documents_never_contradict_async_graphqls_validation() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let engine = Engine::new().expect("schemas");
    let reference = Engine::new().expect("schemas").without_fast_paths();
    let context = || test_db.request_context();
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
    let mut judged = BTreeMap::new();
    for source in &sources {
        for _ in 0..60 {
            let mut edited = source.clone();
            for _ in 0..=rng.below(2) {
                edited.query = mutate(&edited.query, &mut rng);
            }
            if edited.query.contains("$v") && edited.variables.is_none() {
                edited.variables = Some(serde_json::json!({"v": "x"}));
            }
            for syntax in [Syntax::Current, Syntax::Legacy] {
                let verdict = engine.verdict(&edited, syntax);
                if matches!(verdict, Some(Verdict::Unsure) | None) {
                    continue;
                }
                let valid = reference
                    .passes_strict_validation(edited.clone(), syntax, context())
                    .await;
                let query = &edited.query;
                match verdict {
                    Some(Verdict::Valid | Verdict::ScalarFilter) => {
                        assert!(
                            valid,
                            "{syntax:?}: judged valid, async-graphql rejects {query}"
                        );
                    }
                    _ => assert!(
                        !valid,
                        "{syntax:?}: judged invalid, async-graphql accepts {query}"
                    ),
                }
                *judged.entry(format!("{verdict:?}")).or_insert(0) += 1;
            }
        }
    }
    // Many edits are still judged here, both ways (the checks above are not vacuous).
    let count = |verdict: &str| judged.get(verdict).copied().unwrap_or(0);
    assert!(count("Some(Valid)") >= 200, "{judged:?}");
    assert!(count("Some(Invalid)") >= 1000, "{judged:?}");
}
