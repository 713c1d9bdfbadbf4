//! The AWS Security Hub ECS controls (`aws-fsbp-ecs-*`) on an estate of labelled edge cases
//! (`assetql_tests::security_hub`): each control reports exactly the assets its reading says,
//! over HTTP as any client sends it, and through the control runner, on both databases.

use std::collections::BTreeSet;

use assetql_controls::{Catalogue, Runner};
use assetql_graphql::Engine;
use assetql_model::TenantId;
use assetql_store::ControlStatus;
use assetql_tests::fixtures::{self, at, ACCOUNT, REGION};
use assetql_tests::server::TestServer;
use assetql_tests::{on_both_databases, security_hub};

on_both_databases! {
    async fn each_security_hub_control_reports_exactly_its_edge_cases(test_db: TestDb) {
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &security_hub::estate(), at(0)).await;
        let server = TestServer::start(test_db.db.clone()).await;
        let catalogue = Catalogue::builtin();
        let expectations = security_hub::expectations();
        let hub: BTreeSet<&str> = catalogue.controls.iter().map(|c| c.id.as_str()).filter(|id| id.starts_with("aws-fsbp-ecs-")).collect();
        let expected_ids: BTreeSet<&str> = expectations.iter().map(|(id, _)| *id).collect();
        assert_eq!(hub, expected_ids, "every Security Hub control has its edge cases");
        for (id, expected) in expectations {
            let control = catalogue.get(id).expect("built-in control");
            let response = server.graphql(&control.query, None).await;
            assert_eq!(response.status, 200, "{id}");
            let data = response.data();
            let object = data.as_object().expect("data");
            assert_eq!(object.len(), 1, "{id}: one root field");
            let names: BTreeSet<&str> = object
                .values()
                .next()
                .and_then(|v| v.as_array())
                .expect("a list")
                .iter()
                .map(|a| a["internalName"].as_str().expect("internalName"))
                .collect();
            let expected: BTreeSet<&str> = expected.into_iter().collect();
            assert_eq!(names, expected, "{id}");
        }
    }

    async fn the_runner_fails_and_passes_the_security_hub_controls_by_their_findings(test_db: TestDb) {
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &security_hub::estate(), at(0)).await;
        let catalogue = Catalogue::builtin();
        let controls: Vec<_> = catalogue.controls.iter().filter(|c| c.id.starts_with("aws-fsbp-ecs-")).collect();
        let runner = Runner::new(std::sync::Arc::new(Engine::new().expect("schemas")), test_db.db.clone());
        let runs = runner.run_and_record(&TenantId::default_tenant(), &controls, None).await.expect("run");
        assert_eq!(runs.len(), 18);
        for (id, expected) in security_hub::expectations() {
            let run = runs.iter().find(|r| r.control_id == id).expect("a run per control");
            assert_eq!(run.status, ControlStatus::Fail, "{id}");
            assert_eq!(run.findings.len(), expected.len(), "{id}");
        }
    }
}

on_both_databases! {
    async fn runs_count_applicable_assets_and_say_what_changed_since_the_previous_run(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        let mut estate = security_hub::estate();
        test_db.seed(&scope, &estate, at(0)).await;
        let catalogue = Catalogue::builtin();
        let runner = Runner::new(std::sync::Arc::new(Engine::new().expect("schemas")), test_db.db.clone());
        let tenant = TenantId::default_tenant();
        let pick = |ids: &[&str]| -> Vec<&assetql_controls::Control> { ids.iter().map(|id| catalogue.get(id).expect("control")).collect() };
        let controls = pick(&["aws-fsbp-ecs-10", "aws-fsbp-ecs-17", "aws-fsbp-ecs-19", "aws-fsbp-ecs-20", "aws-fsbp-ecs-21"]);
        let first = runner.run_and_record(&tenant, &controls, None).await.expect("run");
        let counts: Vec<(&str, Option<i64>, usize)> = first.iter().map(|r| (r.control_id.as_str(), r.applicable, r.failing().count())).collect();
        // Fargate services; latest ACTIVE revisions (29 families have one); Auto Scaling group
        // providers (not FARGATE); Linux and Windows latest revisions.
        assert_eq!(counts, [
            ("aws-fsbp-ecs-10", Some(8), 2),
            ("aws-fsbp-ecs-17", Some(29), 5),
            ("aws-fsbp-ecs-19", Some(2), 1),
            ("aws-fsbp-ecs-20", Some(26), 8),
            ("aws-fsbp-ecs-21", Some(3), 2),
        ]);
        let ecs19 = &first[2];
        assert_eq!(ecs19.compliance_percent(), Some(50.0));
        assert_eq!(ecs19.applicable_by_account.get(ACCOUNT), Some(&2));
        assert!(ecs19.newly_failing.is_empty(), "the first run has nothing to compare with");
        assert!(ecs19.fixed.is_empty());

        // Remediate one provider, break the other: one fixed, one newly failing.
        estate.capacity_providers[0]["autoScalingGroupProvider"]["managedTerminationProtection"] = serde_json::json!("ENABLED");
        estate.capacity_providers[1]["autoScalingGroupProvider"]["managedTerminationProtection"] = serde_json::json!("DISABLED");
        test_db.seed(&scope, &estate, at(60)).await;
        let second = runner.run_and_record(&tenant, &pick(&["aws-fsbp-ecs-19"]), None).await.expect("run");
        let arn = |name: &str| fixtures::arn(ACCOUNT, REGION, &format!("capacity-provider/{name}"));
        assert_eq!(second[0].newly_failing, [arn("asg-protected")]);
        assert_eq!(second[0].fixed, [arn("asg-unprotected")]);

        // Recorded, and served by the API with the overall and per-account figures.
        let server = TestServer::start(test_db.db.clone()).await;
        let history = server.graphql(r#"{ controlRuns(controlId: "aws-fsbp-ecs-19", limit: 1) { applicableCount failingCount compliancePercent newlyFailing fixed accounts { cloudAccountId applicable failing compliancePercent } } }"#, None).await;
        assert_eq!(history.data()["controlRuns"], serde_json::json!([{
            "applicableCount": 2, "failingCount": 1, "compliancePercent": 50.0,
            "newlyFailing": [arn("asg-protected")], "fixed": [arn("asg-unprotected")],
            "accounts": [{"cloudAccountId": ACCOUNT, "applicable": 2, "failing": 1, "compliancePercent": 50.0}]
        }]));
        // The latest run of each control is the one `controls` shows (the first run fixed nothing).
        let controls = server.graphql("{ controls { id latestRun { fixed } } }", None).await;
        let ecs19 = controls.data()["controls"].as_array().expect("controls").iter()
            .find(|c| c["id"] == "aws-fsbp-ecs-19").expect("the control").clone();
        assert_eq!(ecs19["latestRun"]["fixed"], serde_json::json!([arn("asg-unprotected")]));
        let compliance = server.graphql("{ compliance { applicable failing unknownControls accounts { cloudAccountId applicable failing } } }", None).await;
        let overall = &compliance.data()["compliance"];
        // The five controls' latest runs: 8 + 29 + 2 + 26 + 3 applicable, 2 + 5 + 1 + 8 + 2 failing;
        // every other built-in control has not run: unknown, not compliant.
        assert_eq!(overall["applicable"], 68);
        assert_eq!(overall["failing"], 18);
        assert_eq!(overall["unknownControls"], i64::try_from(catalogue.controls.len() - 5).expect("fits"));
        assert_eq!(overall["accounts"], serde_json::json!([{"cloudAccountId": ACCOUNT, "applicable": 68, "failing": 18}]));

        // The table report says "x of y", the percentage and the deltas.
        let table = assetql_controls::render(assetql_controls::Format::Table, &catalogue, &second);
        assert!(table.contains("1 of 2"), "{table}");
        assert!(table.contains(&format!("+ newly failing {}", arn("asg-protected"))), "{table}");
        assert!(table.contains(&format!("- fixed {}", arn("asg-unprotected"))), "{table}");
        assert!(table.contains("overall: 1 of 2 checks failing, 50.0% compliant"), "{table}");
    }
}

on_both_databases! {
    async fn exposure_and_environment_are_fields_analysts_can_filter_on(test_db: TestDb) {
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &security_hub::estate(), at(0)).await;
        test_db.db.set_account_environment(&TenantId::default_tenant(), ACCOUNT, Some("production"), at(0)).await.expect("environment");
        let server = TestServer::start(test_db.db.clone()).await;
        let legacy = server.graphql(
            "{ ecsServices(where: {internetExposed: true}) { internalName environment } \
               ecsTaskSets(where: {internetExposed: true}) { internalName } \
               ecsTaskDefinitions(where: {internetExposed: true}) { internalName } \
               quiet: ecsServices(where: {internetExposed: false, name: \"svc-clean\"}) { internalName internetExposed } }",
            Some("legacy"),
        ).await;
        let current = server.graphql(
            "{ ecsServices(where: {internetExposed: {eq: true}}) { internalName environment } \
               ecsTaskSets(where: {internetExposed: {eq: true}}) { internalName } \
               ecsTaskDefinitions(where: {internetExposed: {eq: true}}) { internalName } \
               quiet: ecsServices(where: {internetExposed: {eq: false}, name: {eq: \"svc-clean\"}}) { internalName internetExposed } }",
            Some("current"),
        ).await;
        assert_eq!(legacy.data(), current.data());
        // The public service; the public task set; the revision that task set runs.
        assert_eq!(legacy.data(), &serde_json::json!({
            "ecsServices": [{"internalName": "svc-public", "environment": "production"}],
            "ecsTaskSets": [{"internalName": "ts-public"}],
            "ecsTaskDefinitions": [{"internalName": "clean:1"}, {"internalName": "h-root:1"}],
            "quiet": [{"internalName": "svc-clean", "internetExposed": false}],
        }));

        // Findings put the exposed production asset first, and say why.
        server.graphql(r#"mutation { runControls(controlId: "aws-fsbp-ecs-17") { status } }"#, None).await.data();
        let findings = server.graphql(r#"{ findings(controlId: "aws-fsbp-ecs-17") { internetExposed environment asset { internalName } } }"#, None).await;
        let listed: Vec<(String, bool)> = findings.data()["findings"].as_array().expect("findings").iter()
            .map(|f| {
                assert_eq!(f["environment"], "production");
                (f["asset"]["internalName"].as_str().expect("name").to_owned(), f["internetExposed"] == true)
            })
            .collect();
        assert_eq!(listed.first(), Some(&("h-root:1".to_owned(), true)), "{listed:?}");
        assert_eq!(listed.len(), 5);
        assert!(listed[1..].iter().all(|(_, exposed)| !exposed));
    }
}

on_both_databases! {
    async fn findings_list_passing_assets_next_to_failing_ones(test_db: TestDb) {
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &security_hub::estate(), at(0)).await;
        let server = TestServer::start(test_db.db.clone()).await;
        // Before any run nothing is known to pass.
        let early = server.graphql(r#"{ findings(controlId: "aws-fsbp-ecs-19", status: [PASS]) { assetIdentifier } }"#, None).await;
        assert_eq!(early.error_codes(), ["NOT_FOUND"], "{:?}", early.body);
        server.graphql(r#"mutation { runControls(controlId: "aws-fsbp-ecs-19") { status } }"#, None).await.data();
        let listed = server
            .graphql(r#"{ findings(controlId: "aws-fsbp-ecs-19", status: [FAIL, PASS]) { status assetType asset { internalName } } }"#, None)
            .await;
        // The Auto Scaling group providers: one failing, one passing; FARGATE is not applicable.
        assert_eq!(listed.data()["findings"], serde_json::json!([
            {"status": "FAIL", "assetType": "ECSCapacityProvider", "asset": {"internalName": "asg-unprotected"}},
            {"status": "PASS", "assetType": "ECSCapacityProvider", "asset": {"internalName": "asg-protected"}},
        ]));
        let failing_only = server.graphql(r#"{ findings(controlId: "aws-fsbp-ecs-19") { status } }"#, None).await;
        assert_eq!(failing_only.data()["findings"], serde_json::json!([{"status": "FAIL"}]));

        // A sync after the run brings assets the run never evaluated: nothing reads as passing
        // until the control runs again.
        let mut estate = security_hub::estate();
        estate.capacity_providers.push(serde_json::json!({
            "capacityProviderArn": fixtures::arn(ACCOUNT, REGION, "capacity-provider/asg-new"),
            "name": "asg-new",
            "autoScalingGroupProvider": {"autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:111111111111:autoScalingGroup:1:autoScalingGroupName/new",
                "managedTerminationProtection": "DISABLED"}
        }));
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &estate, chrono::Utc::now() + chrono::Duration::seconds(5)).await;
        let stale = server.graphql(r#"{ findings(controlId: "aws-fsbp-ecs-19", status: [PASS]) { assetIdentifier } }"#, None).await;
        assert_eq!(stale.error_codes(), ["NOT_FOUND"], "{:?}", stale.body);
    }
}
