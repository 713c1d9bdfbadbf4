//! `assetql check` on our own corpus (tests/fixtures/predeploy): task-definition JSON in both
//! shapes, a CloudFormation template in YAML (parameters with and without defaults, short-form
//! intrinsics) and one in JSON, a Terraform plan with a child module and values known only
//! after apply, and Terraform HCL. Every verdict of every built-in control is listed; anything else fails.

use std::collections::BTreeSet;
use std::path::PathBuf;

use assetql_check::{discover, evaluate, render, Format, Options, Report};
use assetql_controls::Catalogue;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/predeploy")
}

async fn check(paths: &[PathBuf], catalogue: &Catalogue, options: &Options) -> Report {
    let found = discover(paths, false).expect("the corpus reads");
    evaluate(&found, catalogue, options)
        .await
        .expect("the check runs")
}

/// (file under the corpus, resource, line, control, status) of every finding.
fn verdicts(report: &Report) -> BTreeSet<(String, String, usize, String, &'static str)> {
    let root = corpus().display().to_string();
    report
        .results
        .iter()
        .map(|r| {
            (
                r.file
                    .trim_start_matches(&root)
                    .trim_start_matches('/')
                    .to_owned(),
                r.resource.clone(),
                r.line,
                r.control.clone(),
                r.status,
            )
        })
        .collect()
}

const EXPECTED: &[(&str, &str, usize, &[&str], &str)] = &[
    (
        "cfn/batch.template.json",
        "BatchTask",
        4,
        &[
            "aws-fsbp-ecs-15",
            "aws-fsbp-ecs-20",
            "aws-fsbp-ecs-5",
            "aws-fsbp-ecs-9",
        ],
        "fail",
    ),
    (
        "cfn/stack.yaml",
        "Cluster",
        14,
        &[
            "aws-ecs-12-clusters-should-use-insights",
            "aws-fsbp-ecs-12",
            "aws-fsbp-ecs-14",
        ],
        "fail",
    ),
    // `User: !Ref RunAs`, a parameter without a default: unknown for the one control that
    // reads the user of a non-host task definition; everything else about it is known.
    (
        "cfn/stack.yaml",
        "ApiTask",
        21,
        &["aws-fsbp-ecs-20"],
        "unknown",
    ),
    // `AssignPublicIp: !Ref PublicIp` resolves to the parameter's default, ENABLED; the
    // `!ImportValue` subnet is unknown but no control's verdict depends on it.
    (
        "cfn/stack.yaml",
        "Api",
        42,
        &[
            "aws-ecs-2-service-assign-public-ip-disabled",
            "aws-fsbp-ecs-13",
            "aws-fsbp-ecs-2",
        ],
        "fail",
    ),
    (
        "taskdef/register-web.json",
        "web",
        1,
        &[
            "assetql-ecs-1-strict-root-any-case",
            "aws-ecs-1-privileged-network-mode",
            "aws-ecs-3-process-name-space",
            "aws-ecs-4-containers-not-privileged",
            "aws-ecs-8-secrets-in-vars",
            "aws-fsbp-ecs-17",
            "aws-fsbp-ecs-20",
            "aws-fsbp-ecs-3",
            "aws-fsbp-ecs-4",
            "aws-fsbp-ecs-5",
            "aws-fsbp-ecs-8",
            "aws-fsbp-ecs-9",
        ],
        "fail",
    ),
    (
        "terraform/plan.json",
        "aws_ecs_service.web",
        90,
        &[
            "aws-ecs-10-latest-platform-version",
            "aws-ecs-2-service-assign-public-ip-disabled",
            "aws-fsbp-ecs-10",
            "aws-fsbp-ecs-13",
            "aws-fsbp-ecs-2",
        ],
        "fail",
    ),
    // Host network mode and an EFS volume without transit encryption are in the plan; its
    // containers are known only after apply.
    (
        "terraform/plan.json",
        "module.jobs.aws_ecs_task_definition.worker",
        133,
        &["aws-fsbp-ecs-17", "aws-fsbp-ecs-18"],
        "fail",
    ),
    (
        "terraform/plan.json",
        "module.jobs.aws_ecs_task_definition.worker",
        133,
        &[
            "assetql-ecs-1-strict-root-any-case",
            "assetql-ecs-1-strict-uid-zero",
            "assetql-ecs-1-strict-unset-user",
            "aws-ecs-1-privileged-network-mode",
            "aws-ecs-4-containers-not-privileged",
            "aws-ecs-5-readonly-root-file-systems",
            "aws-ecs-8-secrets-in-vars",
            "aws-fsbp-ecs-1",
            "aws-fsbp-ecs-20",
            "aws-fsbp-ecs-4",
            "aws-fsbp-ecs-5",
            "aws-fsbp-ecs-8",
            "aws-fsbp-ecs-9",
        ],
        "unknown",
    ),
    // A task set (CloudFormation spells `AwsVpcConfiguration`) and a capacity provider.
    ("cfn/stack.yaml", "Canary", 53, &["aws-fsbp-ecs-16"], "fail"),
    ("cfn/stack.yaml", "Spot", 64, &["aws-fsbp-ecs-19"], "fail"),
    // HCL: literals, `jsonencode` of literals, `file()` of the JSON beside it.
    (
        "terraform/main.tf",
        "aws_ecs_task_definition.api",
        19,
        &["aws-fsbp-ecs-20"],
        "fail",
    ),
    (
        "terraform/main.tf",
        "aws_ecs_task_definition.sidecar",
        45,
        &["aws-ecs-4-containers-not-privileged", "aws-fsbp-ecs-4"],
        "fail",
    ),
    // `templatefile(…)`: its containers are unknown.
    (
        "terraform/main.tf",
        "aws_ecs_task_definition.templated",
        52,
        &[
            "aws-ecs-4-containers-not-privileged",
            "aws-ecs-5-readonly-root-file-systems",
            "aws-ecs-8-secrets-in-vars",
            "aws-fsbp-ecs-20",
            "aws-fsbp-ecs-4",
            "aws-fsbp-ecs-5",
            "aws-fsbp-ecs-8",
            "aws-fsbp-ecs-9",
        ],
        "unknown",
    ),
    // `assign_public_ip = var.public`: a variable is unknown (a tfvars file may set it).
    (
        "terraform/main.tf",
        "aws_ecs_service.api",
        59,
        &[
            "aws-ecs-2-service-assign-public-ip-disabled",
            "aws-fsbp-ecs-2",
        ],
        "unknown",
    ),
    (
        "terraform/plan.json",
        "module.jobs.aws_ecs_task_definition.worker_v2",
        187,
        &[
            "aws-ecs-4-containers-not-privileged",
            "aws-ecs-8-secrets-in-vars",
            "aws-fsbp-ecs-20",
            "aws-fsbp-ecs-4",
            "aws-fsbp-ecs-5",
            "aws-fsbp-ecs-8",
            "aws-fsbp-ecs-9",
        ],
        "fail",
    ),
];

#[tokio::test]
async fn every_built_in_control_gives_the_expected_verdict_on_the_corpus() {
    let report = check(&[corpus()], &Catalogue::builtin(), &Options::default()).await;
    // Only the Terraform HCL and the task-definition files: no capacity provider there.
    let taskdefs = check(
        &[corpus().join("taskdef")],
        &Catalogue::builtin(),
        &Options::default(),
    )
    .await;
    let not_applicable = taskdefs
        .controls
        .iter()
        .find(|c| c.id == "aws-fsbp-ecs-19")
        .map(|c| c.status);
    assert_eq!(
        not_applicable,
        Some("not_applicable"),
        "no capacity provider is declared"
    );
    let want: BTreeSet<(String, String, usize, String, &str)> = EXPECTED
        .iter()
        .flat_map(|(file, resource, line, controls, status)| {
            controls.iter().map(move |c| {
                (
                    (*file).to_owned(),
                    (*resource).to_owned(),
                    *line,
                    (*c).to_owned(),
                    *status,
                )
            })
        })
        .collect();
    assert_eq!(verdicts(&report), want);
    // The describe-output task definition and Terraform's `web` task definition pass every
    // control; the text file is skipped; the deleted resource of the plan is not checked.
    assert_eq!(report.files.len(), 6);
    assert_eq!(report.resources, 18);
    assert!(
        report
            .skipped
            .iter()
            .any(|f| f.ends_with("sidecar-containers.json")),
        "a JSON list is not a deployable file"
    );
    assert!(report.skipped.iter().any(|f| f.ends_with("notes.txt")));
    assert!(report
        .results
        .iter()
        .all(|r| r.resource != "aws_ecs_task_definition.gone"));
    let unknown = report
        .results
        .iter()
        .find(|r| r.resource == "ApiTask")
        .expect("ApiTask");
    assert!(
        unknown
            .property
            .as_deref()
            .is_some_and(|p| p.contains("Properties.ContainerDefinitions[0].User")),
        "{unknown:?}"
    );
    let status = |id: &str| {
        report
            .controls
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.status)
    };
    assert_eq!(status("aws-fsbp-ecs-16"), Some("fail"));
    assert_eq!(status("aws-fsbp-ecs-21"), Some("pass"));
    assert_eq!(status("assetql-ecs-1-strict-uid-zero"), Some("unknown"));
}

#[tokio::test]
async fn without_a_running_task_the_in_use_controls_pass_the_host_task_definition() {
    let file = corpus().join("taskdef/register-web.json");
    let options = Options {
        no_assume_running: true,
        ..Options::default()
    };
    let report = check(std::slice::from_ref(&file), &Catalogue::builtin(), &options).await;
    let failing: BTreeSet<&str> = report.results.iter().map(|r| r.control.as_str()).collect();
    // The public catalogue's aws-ecs-1 evaluates only revisions with a running task.
    assert!(
        !failing.contains("aws-ecs-1-privileged-network-mode"),
        "{failing:?}"
    );
    assert!(failing.contains("aws-fsbp-ecs-17"));
    let assumed = check(&[file], &Catalogue::builtin(), &Options::default()).await;
    assert!(assumed
        .results
        .iter()
        .any(|r| r.control == "aws-ecs-1-privileged-network-mode"));
}

#[tokio::test]
async fn legacy_dialect_controls_give_the_same_verdicts_as_current_ones() {
    let legacy = Catalogue::load_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/predeploy-legacy"),
    )
    .expect("catalogue");
    assert!(legacy.rejected.is_empty(), "{:?}", legacy.rejected);
    let builtin = Catalogue::builtin();
    let legacy_report = check(&[corpus()], &legacy, &Options::default()).await;
    for control in &legacy.controls {
        let twin = control.id.trim_end_matches("-legacy");
        let current = check(
            &[corpus()],
            &builtin,
            &Options {
                controls: vec![twin.to_owned()],
                ..Options::default()
            },
        )
        .await;
        let strip = |report: &Report, id: &str| -> BTreeSet<(String, String, &'static str)> {
            report
                .results
                .iter()
                .filter(|r| r.control == id)
                .map(|r| (r.file.clone(), r.resource.clone(), r.status))
                .collect()
        };
        let want = strip(&current, twin);
        assert!(!want.is_empty(), "{twin} reports something on the corpus");
        assert_eq!(strip(&legacy_report, &control.id), want, "{}", control.id);
    }
}

#[tokio::test]
async fn the_json_report_has_the_documented_shape_and_sarif_validates() {
    let catalogue = Catalogue::builtin();
    let report = check(&[corpus()], &catalogue, &Options::default()).await;
    let json: serde_json::Value =
        serde_json::from_str(&render(Format::Json, &catalogue, &report)).expect("JSON");
    let keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["files", "resources", "results", "controls"]);
    let result = json["results"][0].as_object().expect("a result");
    let keys: Vec<&str> = result.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "control",
            "file",
            "resource",
            "line",
            "status",
            "assetType",
            "property"
        ]
    );
    let control = json["controls"][0].as_object().expect("a control");
    let keys: Vec<&str> = control.keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "status", "failing"]);

    let sarif = render(Format::Sarif, &catalogue, &report);
    let parsed: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF JSON");
    let results = parsed["runs"][0]["results"].as_array().expect("results");
    let unknown = results
        .iter()
        .find(|r| r["properties"]["status"] == "unknown")
        .expect("an unknown result");
    assert_eq!(unknown["level"], "note");
    assert!(results.iter().all(
        |r| r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .is_some_and(|l| l >= 1)
    ));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("check.sarif");
    std::fs::write(&path, sarif).expect("write SARIF");
    let python = std::env::var("ASSETQL_TEST_PYTHON")
        .expect("ASSETQL_TEST_PYTHON (set by scripts/test) names a python with jsonschema");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/validate_sarif.py");
    let output = std::process::Command::new(python)
        .arg(script)
        .arg(&path)
        .output()
        .expect("run the validator");
    assert!(
        output.status.success(),
        "SARIF invalid: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let junit = render(Format::Junit, &catalogue, &report);
    assert!(junit.contains("<testcase classname=\"assetql.check\" name=\"aws-fsbp-ecs-17\">"));
    assert!(junit.contains("<skipped message=\"unknown before deploy"));
    let taskdefs = check(&[corpus().join("taskdef")], &catalogue, &Options::default()).await;
    assert!(
        render(Format::Junit, &catalogue, &taskdefs).contains("<skipped message=\"not applicable")
    );
}

#[test]
fn malformed_and_unrecognised_files_are_errors_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"family\": \"x\",\n  \"containerDefinitions\": [\n}\n",
    )
    .expect("write");
    let error = discover(std::slice::from_ref(&broken), false).expect_err("malformed");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("{}:4:", broken.display())),
        "{text}"
    );
    let other = dir.path().join("package.json");
    std::fs::write(&other, "{\"name\": \"web\"}").expect("write");
    let error = discover(std::slice::from_ref(&other), false).expect_err("named, not ours");
    assert!(
        error.to_string().contains("not a task definition"),
        "{error}"
    );
    // In directory mode the same file is skipped, but a malformed one still stops the check.
    let found = discover(&[dir.path().to_owned()], false);
    assert!(
        found.is_err(),
        "the malformed JSON file in the directory is an error"
    );
    std::fs::remove_file(&broken).expect("remove");
    let found = discover(&[dir.path().to_owned()], false).expect("the directory reads");
    assert_eq!(found.skipped.len(), 1);
    assert!(found.files.is_empty());
}

/// One model: a task definition registered in AWS (moto over HTTP) and synced gets the same
/// verdict from every built-in control as the same JSON checked as a file.
#[tokio::test]
async fn a_registered_and_synced_task_definition_gets_the_verdicts_of_its_file() {
    use assetql_tests::moto::{random_account, Moto};
    let moto = Moto::from_env();
    let account = random_account();
    let region = "us-east-1";
    let file = corpus().join("taskdef/register-web.json");
    let registration: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
    let answers = moto.seed(
        &account,
        region,
        serde_json::json!([
            {"op": "call", "method": "register_task_definition", "args": registration}
        ]),
    );
    assert!(
        answers[0]["taskDefinition"]["taskDefinitionArn"].is_string(),
        "{answers:?}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("synced.db").display());
    let db = assetql_store::Database::connect(&url, &assetql_store::PoolOptions::default())
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    let config = assetql_ingest::IngestConfig::with_accounts(vec![assetql_ingest::AccountConfig {
        tenant: assetql_model::TenantId::default_tenant(),
        name: None,
        role_arn: Some(format!("arn:aws:iam::{account}:role/assetql-reader")),
        external_id: None,
        regions: vec![region.to_owned()],
        environment: None,
    }]);
    let report = assetql_ingest::sync_all(&db, &moto.sdk_config().await, &config).await;
    assert!(!report.any_failed(), "{report:?}");
    let catalogue = Catalogue::builtin();
    let definitions: Vec<&assetql_controls::Control> = catalogue
        .controls
        .iter()
        .filter(|c| c.asset_types == ["ECSTaskDefinition"])
        .collect();
    let runner = assetql_controls::Runner::new(
        std::sync::Arc::new(assetql_graphql::Engine::new().expect("engine")),
        db.clone(),
    );
    let runs = runner
        .run_and_record(
            &assetql_model::TenantId::default_tenant(),
            &definitions,
            None,
        )
        .await
        .expect("runs");
    let synced: BTreeSet<String> = runs
        .iter()
        .filter(|r| r.failing().next().is_some())
        .map(|r| r.control_id.clone())
        .collect();
    assert!(runs.iter().all(|r| r.error.is_none()), "{runs:?}");

    // moto runs no task, so the file is checked without the assumed running task.
    let options = Options {
        no_assume_running: true,
        ..Options::default()
    };
    let checked = check(&[file], &catalogue, &options).await;
    let from_file: BTreeSet<String> = checked.results.iter().map(|r| r.control.clone()).collect();
    assert!(checked.results.iter().all(|r| r.status == "fail"));
    assert_eq!(from_file, synced);
    assert!(
        synced.len() >= 7,
        "the file violates most task-definition controls: {synced:?}"
    );
}
