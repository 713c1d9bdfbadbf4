//! All 16 stored ECS control texts (8 controls x 2 dialects), run verbatim over HTTP against a
//! fixture inventory holding violating and compliant assets for each, on both databases.

use std::collections::BTreeSet;
use std::path::PathBuf;

use assetql_tests::fixtures::{self, at, ACCOUNT, REGION};
use assetql_tests::on_both_databases;
use assetql_tests::server::TestServer;
use serde_json::Value as Json;

fn control_text(slug: &str, dialect: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cyscale-ecs")
        .join(format!("{slug}.{dialect}.graphql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The assets a control returned: its single root field's list.
fn assets(data: &Json) -> &Vec<Json> {
    let object = data.as_object().expect("data is an object");
    assert_eq!(object.len(), 1, "one root field");
    object
        .values()
        .next()
        .and_then(Json::as_array)
        .expect("a list of assets")
}

const ASSET_FRAGMENT_FIELDS: [&str; 11] = [
    "identifier",
    "accountID",
    "cloudAccountID",
    "cloudAccountName",
    "cloudProvider",
    "idFromProvider",
    "internalAssetType",
    "internalName",
    "internalRegion",
    "assetCategory",
    "contentHash",
];

on_both_databases! {
    async fn every_control_reports_exactly_its_violations_in_both_dialects(test_db: TestDb) {
        test_db.seed_control_inventory().await;
        let server = TestServer::start(test_db.db.clone()).await;
        for (slug, expected) in fixtures::control_expectations() {
            let expected: BTreeSet<&str> = expected.into_iter().collect();
            let mut per_dialect = Vec::new();
            let same_text = control_text(slug, "legacy") == control_text(slug, "current");
            for dialect in ["legacy", "current"] {
                let response = server.graphql(&control_text(slug, dialect), None).await;
                assert_eq!(response.status, 200, "{slug} {dialect}");
                // A text valid in both dialects runs in the current one, which is tried first.
                let expected_dialect = if same_text { "current" } else { dialect };
                assert_eq!(response.dialect.as_deref(), Some(expected_dialect), "{slug} dialect");
                let found = assets(response.data()).clone();
                let names: BTreeSet<&str> = found
                    .iter()
                    .map(|a| a["internalName"].as_str().expect("internalName"))
                    .collect();
                assert_eq!(names, expected, "{slug} ({dialect})");
                for asset in &found {
                    let keys: Vec<&str> = asset.as_object().expect("object").keys().map(String::as_str).collect();
                    assert_eq!(keys, ASSET_FRAGMENT_FIELDS, "{slug}: AssetFragment shape");
                    assert_eq!(asset["cloudProvider"], "aws");
                    assert_eq!(asset["cloudAccountID"], ACCOUNT);
                    assert_eq!(asset["cloudAccountName"], "production");
                    assert_eq!(asset["accountID"], "default");
                    assert_eq!(asset["internalRegion"], REGION);
                    assert!(asset["idFromProvider"].as_str().is_some_and(|a| a.starts_with("arn:aws:ecs:")));
                }
                per_dialect.push(found);
            }
            assert_eq!(per_dialect[0], per_dialect[1], "{slug}: legacy and current agree");
        }
    }

    async fn the_mission_control_is_compliant_after_the_violations_are_fixed(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        let mut inventory = fixtures::control_inventory(ACCOUNT, REGION);
        test_db.seed(&scope, &inventory, at(0)).await;
        // Remediate: no privileged container, no user containing "root".
        for definition in &mut inventory.task_definitions {
            for container in definition["containerDefinitions"].as_array_mut().expect("containers") {
                container["privileged"] = Json::Bool(false);
                if container["user"].as_str().is_some_and(|u| u.contains("root")) {
                    container["user"] = Json::from("1000");
                }
            }
        }
        test_db.seed(&scope, &inventory, at(60)).await;
        let server = TestServer::start(test_db.db.clone()).await;
        for dialect in ["legacy", "current"] {
            let text = control_text("aws-ecs-1-privileged-network-mode", dialect);
            let response = server.graphql(&text, None).await;
            assert_eq!(assets(response.data()), &Vec::<Json>::new(), "{dialect}: eq []");
        }
    }
}
