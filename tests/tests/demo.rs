//! The demo estate (`assetql demo`): built through the sync's store code on either database,
//! every built-in control finds a few violating assets among mostly clean ones, two exceptions
//! silence one asset each, and 14 days of runs show remediation progressing.

use assetql_controls::Catalogue;
use assetql_model::TenantId;
use assetql_store::ControlStatus;
use assetql_tests::on_both_databases;

on_both_databases! {
    async fn every_control_finds_a_few_violations_and_history_shows_progress(test_db: TestDb) {
        let catalogue = Catalogue::builtin();
        let today = assetql_server::demo::build(&test_db.db, &catalogue).await.expect("the demo builds");
        assert_eq!(today.len(), catalogue.controls.len());
        for run in &today {
            let applicable = run.applicable.expect("applicable count");
            if run.control_id == "aws-fsbp-ecs-21" {
                // Its one violation is excepted: a passing control on the page.
                assert_eq!(run.status, ControlStatus::Pass);
                assert_eq!(run.findings.iter().filter(|f| f.excepted).count(), 1);
                continue;
            }
            assert_eq!(run.status, ControlStatus::Fail, "{} has something to show", run.control_id);
            let failing = i64::try_from(run.failing().count()).expect("fits");
            assert!((1..=4).contains(&failing) && failing * 2 <= applicable.max(2), "{}: {failing} of {applicable}", run.control_id);
            assert!(run.stale_scopes.is_empty(), "today's data is fresh");
        }
        let excepted: Vec<&str> = today.iter().filter(|r| r.findings.iter().any(|f| f.excepted)).map(|r| r.control_id.as_str()).collect();
        assert_eq!(excepted, ["aws-fsbp-ecs-21", "aws-fsbp-ecs-4", "aws-fsbp-ecs-8"]);
        let tenant = TenantId::default_tenant();
        let history = test_db.db.control_runs(&tenant, Some("aws-fsbp-ecs-2"), 100).await.expect("history");
        assert_eq!(history.len(), 15, "one run a day for 14 days, and today");
        let oldest = history.last().expect("oldest").failing().count();
        let newest = history[0].failing().count();
        assert!(oldest > newest, "public services are being fixed: {oldest} -> {newest}");
        assert!(history.iter().any(|r| !r.fixed.is_empty()), "some day says what was fixed");
        let accounts = test_db.db.control_runs(&tenant, Some("aws-fsbp-ecs-17"), 1).await.expect("run")[0].by_account();
        assert_eq!(accounts.len(), 2, "{accounts:?}");
    }
}
