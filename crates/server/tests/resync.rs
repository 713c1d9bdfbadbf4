//! `assetql controls run --resync` as a user runs it: the real binary, a configuration file,
//! moto over HTTP, an embedded database; a remediation in AWS reads as fixed on the next re-scan.

use std::process::Command;

fn assetql() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_assetql"));
    command
        .env_remove("ASSETQL_DATABASE_URL")
        .env("RUST_LOG", "warn");
    command
}

#[tokio::test]
async fn controls_run_resync_reads_aws_again_and_reports_what_was_fixed() {
    use assetql_tests::moto::{random_account, Moto};
    let moto = Moto::from_env();
    let account = random_account();
    let cluster = format!("rs{}", &account[..6]);
    moto.seed(
        &account,
        "us-east-1",
        serde_json::json!([{"op": "cluster", "name": cluster, "insights": "disabled"}]),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("resync.db").display());
    let config = dir.path().join("assetql.toml");
    std::fs::write(
        &config,
        format!(
            "[aws]\nmax_attempts = 2\n[[aws.accounts]]\nname = \"prod\"\ntenant = \"acme\"\n\
             environment = \"production\"\nrole_arn = \"arn:aws:iam::{account}:role/Reader\"\n\
             regions = [\"us-east-1\"]\n"
        ),
    )
    .expect("write config");
    let rescan = || {
        let output = assetql()
            .args([
                "controls",
                "run",
                "--resync",
                "--account",
                "prod",
                "--region",
                "us-east-1",
                "--control",
                "aws-fsbp-ecs-12",
                "--tenant",
                "acme",
                "--format",
                "json",
                "--config",
            ])
            .arg(&config)
            .env("ASSETQL_DATABASE_URL", &database)
            .env("AWS_ENDPOINT_URL", &moto.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .output()
            .expect("run assetql controls run --resync");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("resync"),
            "the re-scan is reported"
        );
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("JSON report");
        report["controls"][0].clone()
    };
    // Never synced before: the re-scan syncs first, so the control has data.
    let first = rescan();
    assert_eq!(first["status"], "fail", "{first}");
    assert_eq!(first["applicable"], 1);
    let arn = first["failing"][0]["identifier"]
        .as_str()
        .expect("the cluster")
        .to_owned();
    assert!(arn.ends_with(&format!("cluster/{cluster}")), "{arn}");

    // Remediated in AWS: the next re-scan reads it again and says it was fixed.
    moto.seed(
        &account,
        "us-east-1",
        serde_json::json!([{"op": "call", "method": "update_cluster",
            "args": {"cluster": cluster, "settings": [{"name": "containerInsights", "value": "enabled"}]}}]),
    );
    let second = rescan();
    assert_eq!(second["status"], "pass", "{second}");
    assert_eq!(second["fixed"], serde_json::json!([arn]));
    assert_eq!(second["compliancePercent"], 100.0);
}

#[tokio::test]
async fn a_resync_that_cannot_sync_a_scope_exits_with_an_error() {
    use assetql_tests::moto::{random_account, Moto};
    let moto = Moto::from_env();
    let account = random_account();
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("resync.db").display());
    let config = dir.path().join("assetql.toml");
    // moto answers HTTP 500 for a region it does not know: that scope's sync fails.
    std::fs::write(
        &config,
        format!(
            "[aws]\nmax_attempts = 1\n[[aws.accounts]]\nname = \"prod\"\ntenant = \"acme\"\n\
             role_arn = \"arn:aws:iam::{account}:role/Reader\"\n\
             regions = [\"us-east-1\", \"xx-nowhere-9\"]\n"
        ),
    )
    .expect("write config");
    let output = assetql()
        .args([
            "controls",
            "run",
            "--resync",
            "--control",
            "aws-fsbp-ecs-12",
            "--tenant",
            "acme",
            "--format",
            "json",
            "--config",
        ])
        .arg(&config)
        .env("ASSETQL_DATABASE_URL", &database)
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("run assetql controls run --resync");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("xx-nowhere-9: failed"), "{stderr}");
    // The report is still printed for what could be read.
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(report["controls"][0]["id"], "aws-fsbp-ecs-12");
}
