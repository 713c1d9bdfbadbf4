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
