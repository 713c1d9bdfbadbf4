//! Root list fields are answered by the database's JSON text, spliced into the response
//! unparsed. The executor's own answer is the reference: the same document with a no-op
//! `@include(if: true)` on the root field goes through per-field resolution, and both answers
//! must be the same text (keys, order, nulls, merged fields).

use assetql_tests::fixtures::{self, at, ACCOUNT, REGION};
use assetql_tests::on_both_databases;
use assetql_tests::server::TestServer;

/// Documents with the placeholder `@DIRECTIVE` where the root field's directive goes.
const DOCUMENTS: [&str; 5] = [
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
];

on_both_databases! {
    async fn spliced_answers_are_the_executors_answers_to_the_byte(test_db: TestDb) {
        test_db
            .seed(&fixtures::scope(ACCOUNT, REGION), &fixtures::control_inventory(ACCOUNT, REGION), at(0))
            .await;
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
            assert!(
                spliced.as_object().is_some_and(|o| o.values().all(|v| v.as_array().is_some_and(|a| !a.is_empty()))),
                "the fixture answers rows for every root field: {spliced}"
            );
        }
    }

    async fn directives_and_meta_fields_inside_the_selection_are_the_executors(test_db: TestDb) {
        test_db
            .seed(&fixtures::scope(ACCOUNT, REGION), &fixtures::control_inventory(ACCOUNT, REGION), at(0))
            .await;
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
