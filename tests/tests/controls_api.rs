//! The controls API over HTTP: catalogue with latest status, re-scan, findings resolved to
//! assets, exceptions through mutations, run history.

use assetql_tests::fixtures::ACCOUNT;
use assetql_tests::on_both_databases;
use assetql_tests::server::TestServer;
use serde_json::{json, Value as Json};

on_both_databases! {
    async fn controls_are_run_listed_excepted_and_revoked_through_graphql(test_db: TestDb) {
        test_db.seed_control_inventory().await;
        let server = TestServer::start(test_db.db.clone()).await;

        let before = server.graphql("{ controls { id latestRun { status } } }", None).await;
        let controls = before.data()["controls"].as_array().expect("controls").clone();
        let builtin = assetql_controls::Catalogue::builtin().controls.len();
        assert_eq!(controls.len(), builtin);
        assert!(controls.iter().all(|c| c["latestRun"].is_null()), "nothing ran yet");

        let scan = server.graphql("mutation { runControls { controlId status failingCount exceptedCount } }", None).await;
        let runs = scan.data()["runControls"].as_array().expect("runs").clone();
        assert_eq!(runs.len(), builtin);
        let mission = runs.iter().find(|r| r["controlId"] == "aws-ecs-1-privileged-network-mode").expect("run");
        assert_eq!((mission["status"].as_str(), mission["failingCount"].as_i64()), (Some("fail"), Some(5)));

        let listed = server.graphql(r#"{ controls { id severity check supported latestRun { status failingCount } } }"#, None).await;
        let insights = listed.data()["controls"].as_array().expect("controls").iter()
            .find(|c| c["id"] == "aws-ecs-12-clusters-should-use-insights").expect("control").clone();
        assert_eq!(insights["latestRun"], json!({"status": "fail", "failingCount": 3}));
        assert_eq!(insights["check"], "eq []");
        assert_eq!(insights["severity"], "low");

        let findings = server
            .graphql(
                r#"{ findings(controlId: "aws-ecs-4-containers-not-privileged") {
                       assetIdentifier excepted
                       asset { __typename internalName ... on EcsTaskDefinition { networkMode status } } } }"#,
                None,
            )
            .await;
        let mut found: Vec<(String, String)> = findings.data()["findings"].as_array().expect("findings").iter()
            .map(|f| (
                f["asset"]["internalName"].as_str().expect("asset resolved").to_owned(),
                f["asset"]["networkMode"].as_str().unwrap_or("").to_owned(),
            ))
            .collect();
        found.sort();
        assert_eq!(found, [
            ("bridge-privileged:1".to_owned(), "bridge".to_owned()),
            ("host-inactive-running:1".to_owned(), "host".to_owned()),
            ("host-privileged:1".to_owned(), "host".to_owned()),
        ]);
        let target = findings.data()["findings"].as_array().expect("findings").iter()
            .find(|f| f["asset"]["internalName"] == "bridge-privileged:1")
            .and_then(|f| f["assetIdentifier"].as_str()).expect("identifier").to_owned();

        let past = server
            .graphql(
                &format!(r#"mutation {{ createControlException(controlId: "aws-ecs-4-containers-not-privileged",
                    assetIdentifier: "{target}", owner: "sre", reason: "agent", expiresAt: "2020-01-01T00:00:00Z") {{ id }} }}"#),
                None,
            )
            .await;
        assert_eq!(past.error_codes(), ["BAD_USER_INPUT"]);
        assert!(past.body.to_string().contains("not in the future"));

        // An asset the tenant does not have (a typo) is refused, not silently excepted.
        let typo = server
            .graphql(
                &format!(r#"mutation {{ createControlException(controlId: "aws-ecs-4-containers-not-privileged",
                    assetIdentifier: "{target}x", owner: "sre", reason: "agent", expiresAt: "2099-01-01T00:00:00Z") {{ id }} }}"#),
                None,
            )
            .await;
        assert_eq!(typo.error_codes(), ["BAD_USER_INPUT"]);
        assert!(typo.body.to_string().contains("no asset"), "{}", typo.body);

        let created = server
            .graphql(
                &format!(r#"mutation {{ createControlException(controlId: "aws-ecs-4-containers-not-privileged",
                    assetIdentifier: "{target}", owner: "sre", reason: "legacy agent", expiresAt: "2099-01-01T00:00:00Z") {{ id owner active }} }}"#),
                None,
            )
            .await;
        let exception = created.data()["createControlException"].clone();
        assert_eq!((exception["owner"].as_str(), exception["active"].as_bool()), (Some("sre"), Some(true)));
        let id = exception["id"].as_str().expect("id").to_owned();

        let rescan = server
            .graphql(r#"mutation { runControls(controlId: "aws-ecs-4-containers-not-privileged") { status failingCount exceptedCount } }"#, None)
            .await;
        assert_eq!(rescan.data()["runControls"], json!([{"status": "fail", "failingCount": 2, "exceptedCount": 1}]));
        let history = server
            .graphql(r#"{ controlRuns(controlId: "aws-ecs-4-containers-not-privileged") { exceptedCount findings { excepted } } }"#, None)
            .await;
        let history = history.data()["controlRuns"].as_array().expect("history").clone();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0]["exceptedCount"], 1, "newest first");
        assert_eq!(history[1]["exceptedCount"], 0);
        let failing_only = server.graphql(r#"{ findings(controlId: "aws-ecs-4-containers-not-privileged") { assetIdentifier } }"#, None).await;
        assert_eq!(failing_only.data()["findings"].as_array().map(Vec::len), Some(2));

        // A history view without findings carries the recorded counts, equal to the findings'.
        server.graphql(r#"mutation { runControls(controlId: "aws-ecs-4-containers-not-privileged") { status } }"#, None).await;
        let light = server.graphql(r#"{ controlRuns(controlId: "aws-ecs-4-containers-not-privileged", limit: 5) { failingCount exceptedCount compliancePercent } }"#, None).await;
        let full = server.graphql(r#"{ controlRuns(controlId: "aws-ecs-4-containers-not-privileged", limit: 5) { failingCount exceptedCount compliancePercent findings { assetIdentifier excepted } } }"#, None).await;
        let light = light.data()["controlRuns"].as_array().expect("runs").clone();
        let full = full.data()["controlRuns"].as_array().expect("runs").clone();
        assert_eq!(light.len(), full.len());
        assert!(light.iter().any(|r| r["exceptedCount"] == 1), "{light:?}");
        for (l, f) in light.iter().zip(&full) {
            assert_eq!((&l["failingCount"], &l["exceptedCount"], &l["compliancePercent"]), (&f["failingCount"], &f["exceptedCount"], &f["compliancePercent"]));
            let reported = f["findings"].as_array().expect("findings").len();
            assert_eq!(i64::try_from(reported).expect("fits"), f["failingCount"].as_i64().expect("n") + f["exceptedCount"].as_i64().expect("n"));
        }

        // An ID argument may be written as an integer (GraphQL spec): the same exception.
        let numeric: i64 = id.parse().expect("a numeric id");
        let revoked = server.graphql(&format!(r#"mutation {{ revokeControlException(id: {numeric}) }}"#), None).await;
        assert_eq!(revoked.data()["revokeControlException"], true, "{:?}", revoked.body);
        let again = server.graphql(&format!(r#"mutation {{ revokeControlException(id: "{id}") }}"#), None).await;
        assert_eq!(again.data()["revokeControlException"], false, "already revoked");
        let listed = server.graphql(r#"{ exceptions(active: true) { id } all: exceptions { id active } }"#, None).await;
        assert_eq!(listed.data()["exceptions"], json!([]));
        assert_eq!(listed.data()["all"], json!([{"id": id, "active": false}]));

        // Sorted and paged history.
        let sorted = server
            .graphql(r#"{ controlRuns(sort: [{failingCount: DESC}, {controlId: ASC}], limit: 2) { controlId failingCount } }"#, None)
            .await;
        let all = server.graphql(r#"{ controlRuns(limit: 1000) { controlId failingCount } }"#, None).await;
        let mut expected: Vec<Json> = all.data()["controlRuns"].as_array().expect("runs").clone();
        assert!(expected.len() > 2);
        expected.sort_by(|a, b| {
            (b["failingCount"].as_i64(), a["controlId"].as_str()).cmp(&(a["failingCount"].as_i64(), b["controlId"].as_str()))
        });
        expected.truncate(2);
        assert_eq!(
            sorted.data()["controlRuns"],
            Json::Array(expected)
        );
        // Re-scan one account: another account's findings are not shown, and an account that
        // was never synced has no data (it used to read as a pass).
        let other_account = server
            .graphql(r#"mutation { runControls(controlId: "aws-ecs-12-clusters-should-use-insights", cloudAccountId: "999999999999") { status failingCount } }"#, None)
            .await;
        assert_eq!(other_account.data()["runControls"], json!([{"status": "no_data", "failingCount": 0}]));
        let this_account = server
            .graphql(&format!(r#"mutation {{ runControls(controlId: "aws-ecs-12-clusters-should-use-insights", cloudAccountId: "{ACCOUNT}") {{ status failingCount }} }}"#), None)
            .await;
        assert_eq!(this_account.data()["runControls"], json!([{"status": "fail", "failingCount": 3}]));

        let unknown = server.graphql(r#"mutation { runControls(controlId: "nope") { status } }"#, None).await;
        assert_eq!(unknown.error_codes(), ["BAD_USER_INPUT"]);
    }

    async fn findings_are_never_an_empty_list_standing_for_an_unknown(test_db: TestDb) {
        // Nothing synced: a run has no data and reports no asset.
        let server = TestServer::start(test_db.db.clone()).await;
        let control = "aws-ecs-4-containers-not-privileged";
        let findings = format!(r#"{{ findings(controlId: "{control}") {{ assetIdentifier }} }}"#);
        let never_run = server.graphql(&findings, None).await;
        assert_eq!(never_run.error_codes(), ["NOT_FOUND"], "{}", never_run.body);
        let ran = server.graphql(&format!(r#"mutation {{ runControls(controlId: "{control}") {{ status }} }}"#), None).await;
        assert_eq!(ran.data()["runControls"], json!([{"status": "no_data"}]));
        for status in ["FAIL", "EXCEPTED", "PASS"] {
            let undecided = server
                .graphql(&format!(r#"{{ findings(controlId: "{control}", status: [{status}]) {{ assetIdentifier }} }}"#), None)
                .await;
            assert_eq!(undecided.error_codes(), ["NOT_FOUND"], "{status}: {}", undecided.body);
            assert!(undecided.body.to_string().contains("did not decide"), "{}", undecided.body);
        }
        let misspelt = server.graphql(r#"{ findings(controlId: "aws-ecs-4-containers-not-privileged-typo") { assetIdentifier } }"#, None).await;
        assert_eq!(misspelt.error_codes(), ["BAD_USER_INPUT"]);
    }
}
