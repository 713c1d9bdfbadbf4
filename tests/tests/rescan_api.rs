//! `runControls(resync: true)` over HTTP: the server syncs the scopes the request names from AWS
//! (moto over HTTP, through the worker's code) before evaluating, names the sync run it used, and
//! refuses (never evaluates stale data) when it cannot sync or cannot re-scan at all.

use assetql_tests::moto::{random_account, Moto};
use assetql_tests::on_both_databases;
use assetql_tests::server::TestServer;
use serde_json::json;

const REGION: &str = "us-east-1";

fn config(account: &str, regions: &[&str]) -> assetql_ingest::IngestConfig {
    let mut config =
        assetql_ingest::IngestConfig::with_accounts(vec![assetql_ingest::AccountConfig {
            tenant: assetql_model::TenantId::default_tenant(),
            name: Some("prod".to_owned()),
            role_arn: Some(format!("arn:aws:iam::{account}:role/assetql-reader")),
            external_id: None,
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            environment: Some("production".to_owned()),
        }]);
    config.max_attempts = 1;
    config
}

fn rescan(account: &str) -> String {
    format!(
        r#"mutation {{ runControls(controlId: "aws-fsbp-ecs-12", cloudAccountId: "{account}", region: "us-east-1", resync: true) {{ status syncRunId failingCount applicableCount newlyFailing fixed findings {{ assetIdentifier }} }} }}"#
    )
}

on_both_databases! {
    async fn a_rescan_syncs_the_named_scope_first_and_names_the_sync_it_used(test_db: TestDb) {
        let moto = Moto::from_env();
        let account = random_account();
        let cluster = format!("api{}", &account[..6]);
        moto.seed(&account, REGION, json!([{"op": "cluster", "name": cluster, "insights": "disabled"}]));
        let resync = assetql_server::resync::resyncer(test_db.db.clone(), moto.sdk_config().await, config(&account, &[REGION]));
        let server = TestServer::start_with_resync(test_db.db.clone(), resync).await;

        // Nothing was ever synced: the re-scan syncs first, so the control has data.
        let first = server.graphql(&rescan(&account), None).await;
        let run = &first.data()["runControls"][0];
        assert_eq!(run["status"], "fail", "{:?}", first.body);
        assert_eq!(run["applicableCount"], 1);
        let first_sync = run["syncRunId"].as_i64().expect("the run names its sync");
        let arn = run["findings"][0]["assetIdentifier"].as_str().expect("the cluster").to_owned();
        assert!(arn.ends_with(&format!("cluster/{cluster}")), "{arn}");

        // Remediated in AWS: the next re-scan reads AWS again and says what was fixed.
        moto.seed(&account, REGION, json!([{"op": "call", "method": "update_cluster",
            "args": {"cluster": cluster, "settings": [{"name": "containerInsights", "value": "enabled"}]}}]));
        let second = server.graphql(&rescan(&account), None).await;
        let run = &second.data()["runControls"][0];
        assert_eq!(run["status"], "pass", "{:?}", second.body);
        assert_eq!(run["fixed"], json!([arn]));
        assert!(run["syncRunId"].as_i64().expect("sync") > first_sync);

        // No configured scope matches: refused, nothing evaluated.
        let runs_before = test_db.count("control_runs").await;
        let nowhere = server.graphql(r#"mutation { runControls(cloudAccountId: "staging", resync: true) { status } }"#, None).await;
        assert_eq!(nowhere.error_codes(), ["BAD_USER_INPUT"], "{:?}", nowhere.body);
        // region without resync is a mistake, not a silent full run.
        let region_only = server.graphql(r#"mutation { runControls(region: "us-east-1") { status } }"#, None).await;
        assert_eq!(region_only.error_codes(), ["BAD_USER_INPUT"], "{:?}", region_only.body);
        assert_eq!(test_db.count("control_runs").await, runs_before);
    }

    async fn a_rescan_that_cannot_sync_a_scope_evaluates_nothing(test_db: TestDb) {
        let moto = Moto::from_env();
        let account = random_account();
        // moto answers HTTP 500 for a region it does not know: that scope's sync fails.
        let resync = assetql_server::resync::resyncer(test_db.db.clone(), moto.sdk_config().await, config(&account, &[REGION, "xx-nowhere-9"]));
        let server = TestServer::start_with_resync(test_db.db.clone(), resync).await;
        let answer = server.graphql(r#"mutation { runControls(controlId: "aws-fsbp-ecs-12", resync: true) { status } }"#, None).await;
        assert_eq!(answer.error_codes(), ["RESYNC_FAILED"], "{:?}", answer.body);
        assert!(answer.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("xx-nowhere-9")), "{:?}", answer.body);
        assert_eq!(test_db.count("control_runs").await, 0, "nothing was evaluated");
    }

    async fn a_server_without_aws_accounts_cannot_rescan(test_db: TestDb) {
        let server = TestServer::start(test_db.db.clone()).await;
        let answer = server.graphql(r#"mutation { runControls(resync: true) { status } }"#, None).await;
        assert_eq!(answer.error_codes(), ["NOT_CONFIGURED"], "{:?}", answer.body);
        assert_eq!(test_db.count("control_runs").await, 0);
    }
}
