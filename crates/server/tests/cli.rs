//! The real `assetql` binary: help texts, `migrate` on both databases, and `serve` probes and
//! graceful shutdown over real HTTP.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use assetql_tests::{free_port, Backend, TestDb};

fn assetql() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_assetql"));
    command
        .env_remove("ASSETQL_DATABASE_URL")
        .env("RUST_LOG", "warn");
    command
}

fn run(args: &[&str], database_url: &str) -> Output {
    assetql()
        .args(args)
        .env("ASSETQL_DATABASE_URL", database_url)
        .output()
        .expect("run the assetql binary")
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(database_url: &str, extra: &[&str]) -> Self {
        let port = free_port();
        let child = assetql()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env("ASSETQL_DATABASE_URL", database_url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn assetql serve");
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match client.get(format!("{}{path}", self.base)).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.json().await.expect("JSON body");
                    return (status, body);
                }
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("server did not answer {path}: {error}"),
            }
        }
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("send SIGTERM");
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for assetql") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "assetql did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
    ] {
        let output = assetql().args(&args).output().expect("run assetql");
        assert!(output.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage: assetql"), "{args:?}: {text}");
        assert!(
            text.contains("--database-url"),
            "{args:?} documents the database URL"
        );
    }
    let serve = assetql()
        .args(["serve", "--help"])
        .output()
        .expect("run assetql");
    let text = String::from_utf8_lossy(&serve.stdout);
    assert!(text.contains("127.0.0.1:8080") && text.contains("ASSETQL_LISTEN"));
}

#[test]
fn an_unsupported_database_url_is_a_clear_error() {
    let output = run(&["migrate"], "mysql://localhost/x");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unsupported database URL"), "{stderr}");
}

#[tokio::test]
async fn migrate_succeeds_on_empty_databases_and_is_a_no_op_the_second_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let postgres = TestDb::unmigrated(Backend::Postgres).await;
    for url in [sqlite_url.as_str(), postgres.url.as_str()] {
        let first = run(&["migrate"], url);
        assert!(
            first.status.success(),
            "{}",
            String::from_utf8_lossy(&first.stderr)
        );
        assert!(String::from_utf8_lossy(&first.stdout).contains(&format!(
            "applied {} migration",
            assetql_tests::migrations()
        )));
        let second = run(&["migrate"], url);
        assert!(second.status.success());
        assert!(String::from_utf8_lossy(&second.stdout).contains("applied 0 migration"));
    }
}

#[tokio::test]
async fn serve_on_embedded_sqlite_creates_migrates_and_answers_probes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("assetql.db");
    let server = Server::start(&format!("sqlite://{}", path.display()), &[]);
    let (status, body) = server.get("/healthz").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["database"], "sqlite");
    assert_eq!(body["schemaVersion"], assetql_tests::migrations());
    assert!(path.exists(), "the SQLite file is created on first start");
    let exit = server.terminate();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
}

#[tokio::test]
async fn readyz_is_503_until_postgres_is_migrated() {
    let postgres = TestDb::unmigrated(Backend::Postgres).await;
    let server = Server::start(&postgres.url, &[]);
    let (status, _) = server.get("/healthz").await;
    assert_eq!(status, 200);
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body["reason"]
        .as_str()
        .is_some_and(|r| r.contains("assetql migrate")));
    assert!(run(&["migrate"], &postgres.url).status.success());
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["database"], "postgresql");
    assert!(server.terminate().success());
}

#[tokio::test]
async fn sync_prints_a_json_summary_and_fails_when_a_scope_fails() {
    use assetql_tests::moto::{random_account, Moto};
    let moto = Moto::from_env();
    let account = random_account();
    moto.seed(
        &account,
        "us-east-1",
        serde_json::json!([
            {"op": "cluster", "name": format!("cli{}", &account[..6]), "insights": "enabled"},
            {"op": "td", "family": "cli", "networkMode": "host", "containers": [{"name": "app", "user": "root"}]}
        ]),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("sync.db").display());
    let config = dir.path().join("assetql.toml");
    let write_config = |regions: &str| {
        std::fs::write(
            &config,
            format!(
                "[aws]\nmax_attempts = 2\n[[aws.accounts]]\nname = \"cli\"\ntenant = \"acme\"\n\
                 role_arn = \"arn:aws:iam::{account}:role/Reader\"\nregions = [{regions}]\n"
            ),
        )
        .expect("write config");
    };
    let sync = || {
        assetql()
            .args(["sync", "--json", "--config"])
            .arg(&config)
            .env("ASSETQL_DATABASE_URL", &database)
            .env("AWS_ENDPOINT_URL", &moto.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .output()
            .expect("run assetql sync")
    };

    write_config("\"us-east-1\"");
    let output = sync();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON summary");
    let scope = &report["scopes"][0];
    assert_eq!(scope["status"], "succeeded");
    assert_eq!(scope["tenant"], "acme");
    assert_eq!(scope["cloud_account_id"], account.as_str());
    assert_eq!(scope["added"], 2);
    assert_eq!(scope["api_calls"]["DescribeTaskDefinition"], 1);

    write_config("\"us-east-1\", \"xx-nowhere-1\"");
    let output = sync();
    assert_eq!(
        output.status.code(),
        Some(1),
        "a failed scope fails the command"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON summary");
    let statuses: Vec<&str> = report["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .map(|s| s["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["succeeded", "failed"]);
    assert_eq!(
        report["scopes"][0]["api_calls"].get("DescribeTaskDefinition"),
        None,
        "nothing described again"
    );
}

#[tokio::test]
async fn controls_run_reports_and_exits_for_pipelines() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    test_db.seed_control_inventory().await;
    let url = test_db.url.clone();
    let run = |args: &[&str]| {
        assetql()
            .args(["controls", "run"])
            .args(args)
            .env("ASSETQL_DATABASE_URL", &url)
            .output()
            .expect("run assetql controls run")
    };

    let json = run(&["--format", "json"]);
    assert_eq!(
        json.status.code(),
        Some(0),
        "findings alone do not fail without --fail-on-findings"
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    let mission = report["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == "aws-ecs-1-privileged-network-mode")
        .expect("mission control")
        .clone();
    assert_eq!(mission["status"], "fail");
    assert_eq!(mission["failing"].as_array().map(Vec::len), Some(5));
    assert!(mission["failing"][0]["idFromProvider"]
        .as_str()
        .is_some_and(|a| a.starts_with("arn:aws:ecs:")));

    let gate = run(&[
        "--control",
        "aws-ecs-3-process-name-space",
        "--fail-on-findings",
        "--format",
        "junit",
    ]);
    assert_eq!(gate.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gate.stdout).contains("<failure message=\"1 failing asset(s)"));

    let sarif = run(&[
        "--control",
        "aws-ecs-2-service-assign-public-ip-disabled",
        "--format",
        "sarif",
    ]);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("SARIF");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(1)
    );

    let unknown = run(&["--control", "no-such-control"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no-such-control"));

    let except = assetql()
        .args([
            "controls",
            "except",
            "--control",
            "aws-ecs-3-process-name-space",
            "--owner",
            "sre",
        ])
        .args([
            "--reason",
            "migration",
            "--expires",
            "2020-01-01T00:00:00Z",
            "--asset",
            "arn:aws:ecs:x:1:y/z",
        ])
        .env("ASSETQL_DATABASE_URL", &url)
        .output()
        .expect("run assetql controls except");
    assert!(!except.status.success());
    assert!(String::from_utf8_lossy(&except.stderr).contains("not in the future"));

    let list = assetql().args(["controls", "list"]).output().expect("list");
    assert!(list.status.success());
    assert!(String::from_utf8_lossy(&list.stdout).contains("assetql-ecs-1-strict-unset-user"));
}

#[tokio::test]
async fn tokens_are_shown_once_listed_without_secrets_and_revocable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("tokens.db").display());
    let created = run(
        &[
            "tokens",
            "create",
            "--tenant",
            "acme",
            "--name",
            "dashboard",
            "--expires",
            "30d",
        ],
        &url,
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let secret = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    assert!(secret.starts_with("aq_") && secret.len() > 60, "{secret}");

    let list = run(&["tokens", "list"], &url);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.contains("dashboard") && text.contains("active"),
        "{text}"
    );
    assert!(!text.contains(&secret), "secrets are never listed");

    // The embedded default opts into auth with --auth true.
    let server = Server::start(&url, &["--auth", "true"]);
    let (status, _) = server.get("/healthz").await;
    assert_eq!(status, 200);
    let client = reqwest::Client::new();
    let post = |token: Option<String>| {
        let mut request = client
            .post(format!("{}/graphql", server.base))
            .json(&serde_json::json!({"query": "{ ecsClusters { accountID } }"}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(post(None).await.expect("request").status(), 401);
    assert_eq!(
        post(Some(secret.clone())).await.expect("request").status(),
        200
    );

    let revoked = run(&["tokens", "revoke", "1"], &url);
    assert!(revoked.status.success());
    assert_eq!(post(Some(secret)).await.expect("request").status(), 401);
    assert!(server.terminate().success());
}

#[tokio::test]
async fn the_worker_syncs_runs_controls_and_reports_metrics() {
    use assetql_tests::moto::{random_account, Moto};
    let moto = Moto::from_env();
    let account = random_account();
    moto.seed(
        &account,
        "us-east-1",
        serde_json::json!([
            {"op": "cluster", "name": format!("wk{}", &account[..6])},
            {"op": "td", "family": "wk", "networkMode": "host", "containers": [{"name": "app", "user": "root"}]}
        ]),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("worker.db").display());
    let config = dir.path().join("assetql.toml");
    std::fs::write(
        &config,
        format!("[[aws.accounts]]\nrole_arn = \"arn:aws:iam::{account}:role/Reader\"\nregions = [\"us-east-1\"]\n"),
    )
    .expect("write config");
    let port = free_port();
    let mut child = assetql()
        .args([
            "worker",
            "--interval",
            "1h",
            "--metrics-listen",
            &format!("127.0.0.1:{port}"),
            "--config",
        ])
        .arg(&config)
        .env("ASSETQL_DATABASE_URL", &database)
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn assetql worker");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let text = loop {
        let response = client
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await;
        if let Ok(response) = response {
            let text = response.text().await.unwrap_or_default();
            if text.contains("assetql_control_runs_total{status=\"pass\"}") {
                break text;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the worker did not finish a round in time"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        text.contains("assetql_sync_scope_duration_seconds_count{status=\"succeeded\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("assetql_aws_api_calls_total{operation=\"DescribeTaskDefinition\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("assetql_control_runs_total{status=\"fail\"}"),
        "the host/root revision has no running task, but insights is unset: {text}"
    );
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
    let status = child.wait().expect("worker exits");
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn controls_on_a_never_synced_database_have_no_data_and_fail_the_gate() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let controls = |args: &[&str]| run(&[&["controls", "run"][..], args].concat(), &test_db.url);
    let report = controls(&["--format", "json"]);
    assert_eq!(
        report.status.code(),
        Some(0),
        "without a gate it only reports"
    );
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON report");
    let statuses: Vec<&str> = json["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| c["status"].as_str().unwrap_or(""))
        .collect();
    assert!(
        !statuses.is_empty() && statuses.iter().all(|s| *s == "no_data"),
        "{statuses:?}"
    );
    assert_eq!(json["summary"]["pass"], 0);
    assert!(String::from_utf8_lossy(&report.stderr).contains("no data"));

    // A pipeline gate must not pass on nothing, in any format; a misspelt tenant is the same.
    for args in [
        &["--fail-on-findings"][..],
        &["--fail-on-findings", "--format", "junit"],
        &["--fail-on-findings", "--tenant", "acme-typo"],
    ] {
        let gate = controls(args);
        assert_eq!(gate.status.code(), Some(1), "{args:?}");
    }
    let junit = controls(&["--format", "junit"]);
    assert!(String::from_utf8_lossy(&junit.stdout).contains("<skipped message="));
    let allowed = controls(&["--fail-on-findings", "--allow-no-data"]);
    assert_eq!(allowed.status.code(), Some(0));
}
