//! The answer cache (`serve --answer-cache-bytes`), on both databases: a write committed by
//! another process is seen by the next request; one tenant's answer is never another's; a
//! control run after an exception changes the controls API's answer at once; errors and partial
//! answers are never kept; `If-None-Match` gives 304 only while the answer is current, and
//! `Cache-Control: no-cache` asks for a fresh one.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assetql_model::{Scope, TenantId};
use assetql_tests::fixtures::{self, at, ACCOUNT, REGION};
use assetql_tests::server::TestServer;
use assetql_tests::{free_port, on_both_databases};
use reqwest::header::HeaderMap;
use serde_json::{json, Value as Json};

/// `assetql serve` as its own process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(database_url: &str) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_assetql"))
            .args([
                "serve",
                "--auth",
                "false",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env("ASSETQL_DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn assetql serve");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("{base}/readyz"))
            .await
            .map_or(true, |r| !r.status().is_success())
        {
            assert!(
                Instant::now() < deadline,
                "assetql serve did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one POST /graphql returned.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Json,
}

impl Answer {
    fn cache(&self) -> &str {
        self.headers
            .get("x-assetql-cache")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("<none>")
    }

    fn etag(&self) -> String {
        self.headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .expect("an ETag")
            .to_owned()
    }
}

async fn post(base: &str, query: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("POST /graphql");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    let body = if text.is_empty() {
        Json::Null
    } else {
        serde_json::from_str(&text).expect("a JSON body")
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn families(answer: &Answer) -> Vec<String> {
    let mut out: Vec<String> = answer.body["data"]["ecsTaskDefinitions"]
        .as_array()
        .unwrap_or_else(|| panic!("no revisions in {}", answer.body))
        .iter()
        .map(|d| d["family"].as_str().expect("family").to_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn tenant_scope(tenant: &str) -> Scope {
    Scope {
        tenant: TenantId::parse(tenant).expect("tenant"),
        ..fixtures::scope(ACCOUNT, REGION)
    }
}

const REVISIONS: &str = "{ ecsTaskDefinitions { family } }";

on_both_databases! {
    async fn a_write_committed_by_another_process_is_seen_by_the_next_request(test_db: TestDb) {
        test_db.seed_control_inventory().await;
        let server = Server::start(&test_db.url).await;
        let first = post(&server.base, REVISIONS, &[]).await;
        assert_eq!((first.status, first.cache()), (200, "miss"));
        let again = post(&server.base, REVISIONS, &[]).await;
        assert_eq!(again.cache(), "hit");
        assert_eq!(again.body, first.body);
        assert!(!families(&first).contains(&"added-0".to_owned()));

        // The client's copy is current: 304 without a body, until the inventory changes.
        let etag = first.etag();
        let unchanged = post(&server.base, REVISIONS, &[("if-none-match", &etag)]).await;
        assert_eq!((unchanged.status, unchanged.body.clone()), (304, Json::Null));

        // Each sync committed by this (test) process, not the server's, is in the very next
        // answer: no wait, no notification to race.
        let mut inventory = fixtures::control_inventory(ACCOUNT, REGION);
        for n in 0..5 {
            inventory.task_definitions.push(fixtures::task_definition(
                ACCOUNT, REGION, &format!("added-{n}"), 1, Some("bridge"), vec![fixtures::container("app")],
            ));
            test_db.seed(&fixtures::scope(ACCOUNT, REGION), &inventory, at(n + 1)).await;
            let after = post(&server.base, REVISIONS, &[("if-none-match", &etag)]).await;
            assert_eq!((after.status, after.cache()), (200, "miss"), "write {n}");
            assert!(families(&after).contains(&format!("added-{n}")), "write {n}: {}", after.body);
            assert_ne!(after.etag(), etag);
        }

        // Cache-Control: no-cache runs the document again (and keeps the fresh answer).
        let fresh = post(&server.base, REVISIONS, &[("cache-control", "no-cache")]).await;
        assert_eq!(fresh.cache(), "bypass");
        assert_eq!(post(&server.base, REVISIONS, &[]).await.cache(), "hit");

        let metrics = reqwest::get(format!("{}/metrics", server.base)).await.expect("metrics")
            .text().await.expect("text");
        let value = |name: &str| -> f64 {
            metrics.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} in {metrics}"))
        };
        assert_eq!(value("assetql_answer_cache_hits_total"), 2.0);
        assert_eq!(value("assetql_answer_cache_misses_total"), 6.0);
        assert_eq!(value("assetql_answer_cache_not_modified_total"), 1.0);
        assert_eq!(value("assetql_answer_cache_bypassed_total"), 1.0);
        assert!(value("assetql_answer_cache_bytes") > 0.0);
    }

    async fn one_tenants_answer_is_never_served_to_another(test_db: TestDb) {
        let mut globex_inventory = fixtures::control_inventory(ACCOUNT, REGION);
        globex_inventory.task_definitions.push(fixtures::task_definition(
            ACCOUNT, REGION, "globex-only", 1, Some("host"), vec![fixtures::container("app")],
        ));
        test_db.seed(&tenant_scope("acme"), &fixtures::control_inventory(ACCOUNT, REGION), at(0)).await;
        test_db.seed(&tenant_scope("globex"), &globex_inventory, at(0)).await;
        let db = &test_db.db;
        for tenant in ["acme", "globex"] {
            let id = TenantId::parse(tenant).expect("tenant");
            db.create_api_token(&id, "t", &format!("aq_{tenant}_cache_test"), None).await.expect("token");
        }
        let server = TestServer::start_with_auth(db.clone(), true).await;
        let acme_auth = "Bearer aq_acme_cache_test";
        let globex_auth = "Bearer aq_globex_cache_test";
        let acme = post(&server.base, REVISIONS, &[("authorization", acme_auth)]).await;
        assert_eq!(acme.cache(), "miss");
        assert_eq!(post(&server.base, REVISIONS, &[("authorization", acme_auth)]).await.cache(), "hit");
        let globex = post(&server.base, REVISIONS, &[("authorization", globex_auth)]).await;
        assert_eq!(globex.cache(), "miss", "the same document of another tenant is its own entry");
        assert!(families(&globex).contains(&"globex-only".to_owned()));
        assert!(!families(&acme).contains(&"globex-only".to_owned()));
        // acme's entity tag means nothing to globex.
        let foreign = post(&server.base, REVISIONS, &[("authorization", globex_auth), ("if-none-match", &acme.etag())]).await;
        assert_eq!((foreign.status, foreign.cache()), (200, "hit"));
        assert_eq!(foreign.body, globex.body);
        // A write to globex does not evict acme's answer, and globex sees its write.
        globex_inventory.task_definitions.push(fixtures::task_definition(
            ACCOUNT, REGION, "globex-later", 1, Some("bridge"), vec![fixtures::container("app")],
        ));
        test_db.seed(&tenant_scope("globex"), &globex_inventory, at(1)).await;
        assert_eq!(post(&server.base, REVISIONS, &[("authorization", acme_auth)]).await.cache(), "hit");
        let rewritten = post(&server.base, REVISIONS, &[("authorization", globex_auth)]).await;
        assert_eq!(rewritten.cache(), "miss");
        assert!(families(&rewritten).contains(&"globex-later".to_owned()));
        // Without a valid token nothing is served, cached or not.
        assert_eq!(post(&server.base, REVISIONS, &[("authorization", "Bearer aq_nope")]).await.status, 401);
    }

    async fn the_controls_api_answers_change_at_once_and_errors_are_never_kept(test_db: TestDb) {
        test_db.seed_control_inventory().await;
        let server = TestServer::start(test_db.db.clone()).await;
        let control = "aws-ecs-4-containers-not-privileged";
        let run = format!(r#"mutation {{ runControls(controlId: "{control}") {{ failingCount }} }}"#);
        let ran = post(&server.base, &run, &[]).await;
        assert_eq!(ran.cache(), "uncached", "a mutation's answer is never kept");
        let posture = "{ controls { id latestRun { failingCount exceptedCount } } compliance { failing } }";
        let before = post(&server.base, posture, &[]).await;
        assert_eq!(before.cache(), "miss");
        assert_eq!(post(&server.base, posture, &[]).await.cache(), "hit");
        let counts = |answer: &Answer| {
            answer.body["data"]["controls"].as_array().expect("controls").iter()
                .find(|c| c["id"] == control).map(|c| c["latestRun"].clone()).expect("the control")
        };
        let failing = counts(&before)["failingCount"].as_i64().expect("failing");
        assert!(failing > 0);

        let findings = post(&server.base, &format!(r#"{{ findings(controlId: "{control}") {{ assetIdentifier }} }}"#), &[]).await;
        let target = findings.body["data"]["findings"][0]["assetIdentifier"].as_str().expect("a finding").to_owned();
        let created = post(&server.base, &format!(
            r#"mutation {{ createControlException(controlId: "{control}", assetIdentifier: "{target}", owner: "sre", reason: "r", expiresAt: "2099-01-01T00:00:00Z") {{ id }} }}"#), &[]).await;
        assert!(created.body.get("errors").is_none(), "{}", created.body);
        // The exception is listed at once (exceptions read the clock: never kept).
        let listed = post(&server.base, "{ exceptions { assetIdentifier active } }", &[]).await;
        assert_eq!(listed.cache(), "uncached");
        assert_eq!(listed.body["data"]["exceptions"], json!([{ "assetIdentifier": target, "active": true }]));
        // The re-run that applies it changes the posture answer at once.
        post(&server.base, &run, &[]).await;
        let after = post(&server.base, posture, &[]).await;
        assert_eq!(after.cache(), "miss");
        assert_eq!(counts(&after), json!({ "failingCount": failing - 1, "exceptedCount": 1 }));

        // Errors and partial answers are never kept: each repeat runs again.
        for query in [
            "{ ecsClusters { noSuchField } }",
            r#"{ ecsClusters { arn } findings(controlId: "no-such-control") { assetIdentifier } }"#,
        ] {
            for _ in 0..2 {
                let answer = post(&server.base, query, &[]).await;
                assert!(answer.body.get("errors").is_some(), "{query}: {}", answer.body);
                assert_eq!(answer.cache(), "uncached", "{query}");
                assert!(answer.headers.get("etag").is_none(), "{query}");
            }
        }
    }
}
