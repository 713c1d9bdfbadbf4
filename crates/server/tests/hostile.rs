//! The hostile requests of the second hostile-input review, sent to the real `assetql serve`
//! process over real sockets. `scripts/test` points `ASSETQL_HOSTILE_BIN` at a release build
//! (stack frames, inlining and CPU costs as in production); without it the debug binary runs.
//! Every loop here is bounded in count and time, and the traffic stays on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpStream;

use assetql_tests::free_port;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

fn binary() -> String {
    std::env::var("ASSETQL_HOSTILE_BIN")
        .ok()
        .filter(|bin| bin != "debug")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_assetql").to_owned())
}

struct Server {
    child: Child,
    address: String,
    client: reqwest::Client,
}

impl Server {
    async fn start(database_url: &str, extra: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new(binary())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env("ASSETQL_DATABASE_URL", database_url)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn assetql serve");
        let server = Server {
            child,
            address: format!("127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.healthz().await.is_none() {
            assert!(Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    async fn healthz(&self) -> Option<Duration> {
        let started = Instant::now();
        let response = self
            .client
            .get(format!("http://{}/healthz", self.address))
            .send()
            .await
            .ok()?;
        (response.status() == 200).then(|| started.elapsed())
    }

    async fn post(&self, body: Json, headers: &[(&str, &str)]) -> (u16, Json) {
        let mut request = self
            .client
            .post(format!("http://{}/graphql", self.address))
            .json(&body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Json::Null))
    }

    async fn query(&self, query: &str) -> (u16, Json) {
        self.post(json!({ "query": query }), &[]).await
    }

    /// Resident memory of the server process, in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn code(body: &Json) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
        .to_owned()
}

const PLAIN: &str = "{ ecsClusters(limit: 5) { arn } }";

/// A plain request answers within a second (on a fresh document each time, so no cache helps).
async fn plain_answers_promptly(server: &Server, n: usize) {
    let started = Instant::now();
    let (status, body) = server
        .query(&format!("{{ ecsClusters(limit: {}) {{ arn }} }}", 5 + n))
        .await;
    let waited = started.elapsed();
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");
    assert!(
        waited < Duration::from_secs(1),
        "a plain query waited {waited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_requests_are_refused_and_the_server_keeps_serving_everyone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("hostile.db").display());
    let mut server = Server::start(
        &url,
        &["--header-timeout-secs", "1", "--body-timeout-secs", "1"],
    )
    .await;
    let (status, _) = server.query(PLAIN).await;
    assert_eq!(status, 200);
    let baseline_kib = server.rss_kib();

    // 1. 10,000 chained fragments (458 KB) killed the process with a stack overflow.
    let chain: String = (0..10_000)
        .map(|i| format!("fragment F{i} on EcsCluster {{ arn ...F{} }}\n", i + 1))
        .collect::<String>()
        + "fragment F10000 on EcsCluster { arn }";
    for _ in 0..4 {
        let started = Instant::now();
        let (_, body) = server
            .query(&format!("{{ ecsClusters {{ ...F0 }} }}\n{chain}"))
            .await;
        assert_eq!(code(&body), "TOO_MANY_SELECTIONS", "{body}");
        eprintln!("fragment chain refused in {:?}", started.elapsed());
    }
    // A chain short enough to pass the text check is refused for its depth.
    let short: String = (0..200)
        .map(|i| format!("fragment F{i} on EcsCluster {{ arn ...F{} }}\n", i + 1))
        .collect::<String>()
        + "fragment F200 on EcsCluster { arn }";
    let (_, body) = server
        .query(&format!("{{ ecsClusters {{ ...F0 }} }}\n{short}"))
        .await;
    assert_eq!(code(&body), "FRAGMENTS_TOO_DEEP", "{body}");
    assert!(server.alive(), "the server survived the fragment chain");
    plain_answers_promptly(&server, 1).await;

    // 2. Selections whose validation cost grows with their square: refused, and health checks
    //    and other clients are answered while several arrive at once.
    let wide = format!("{{ {} }}", "__typename ".repeat(95_000));
    let (_, body) = server
        .query(&format!("{{ {} }}", "__typename ".repeat(3_000)))
        .await;
    assert_eq!(code(&body), "TOO_MANY_SELECTIONS", "{body}");
    let hostile: Vec<_> = (0..4)
        .map(|_| {
            let client = server.client.clone();
            let url = format!("http://{}/graphql", server.address);
            let body = json!({ "query": wide });
            tokio::spawn(async move {
                let started = Instant::now();
                let response = client.post(url).json(&body).send().await.expect("answer");
                let body: Json = response.json().await.unwrap_or(Json::Null);
                (code(&body), started.elapsed())
            })
        })
        .collect();
    for n in 0..5 {
        let health = server.healthz().await.expect("healthz answers");
        assert!(health < Duration::from_secs(1), "healthz waited {health:?}");
        plain_answers_promptly(&server, 10 + n).await;
    }
    for request in hostile {
        let (code, took) = request.await.expect("request task");
        assert_eq!(code, "TOO_MANY_SELECTIONS");
        eprintln!("95,000 selections refused in {took:?}");
    }

    // 3. Costly regexes are refused before they reach the database; an escaping pattern too.
    let aliases: String = (0..8)
        .map(|i| format!(r#"a{i}: ecsTaskDefinitions(where: {{family_MATCHES: "(.{{0,100}}){{0,100}}x"}}) {{ arn }} "#))
        .collect();
    let started = Instant::now();
    let (_, body) = server.query(&format!("{{ {aliases} }}")).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    eprintln!("8 costly regexes refused in {:?}", started.elapsed());
    let (_, body) = server
        .query(r#"{ ecsTaskDefinitions(where: {family_MATCHES: "x)|(.*"}) { arn } }"#)
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

    // 4. Unique 50 KB operation names do not grow /metrics.
    for i in 0..200 {
        let name = format!("Op{i}{}", "x".repeat(50_000));
        let query = format!("query {name} {{ ecsClusters(limit: 1) {{ arn }} }}");
        let (status, _) = server
            .post(json!({ "query": query, "operationName": name }), &[])
            .await;
        assert_eq!(status, 200);
    }
    let metrics = server
        .client
        .get(format!("http://{}/metrics", server.address))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        metrics.len() < 64 * 1024,
        "/metrics is {} bytes",
        metrics.len()
    );
    assert!(metrics.contains("operation=\"other\""));

    // 5. Connections that never finish are closed: idle, slow headers, slow body.
    let mut idle: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect(&server.address).expect("connect"))
        .collect();
    let mut slow_header = TcpStream::connect(&server.address).expect("connect");
    slow_header
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    let mut slow_body = TcpStream::connect(&server.address).expect("connect");
    slow_body
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\"",
        )
        .expect("write");
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let closed = |stream: &mut TcpStream| {
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .expect("timeout");
        let mut buffer = Vec::new();
        // EOF (possibly after an error response) means the server closed it.
        stream.read_to_end(&mut buffer).is_ok()
    };
    assert!(idle.iter_mut().all(closed), "idle connections are closed");
    assert!(closed(&mut slow_header), "a slow header is cut off");
    let mut answer = Vec::new();
    slow_body
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let _ = slow_body.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
    plain_answers_promptly(&server, 30).await;

    // Nothing above grew the process by more than 64 MiB.
    let grown_kib = server.rss_kib().saturating_sub(baseline_kib);
    eprintln!("RSS grew by {grown_kib} KiB");
    assert!(grown_kib < 64 * 1024, "RSS grew by {grown_kib} KiB");
    assert!(server.alive());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_metrics_are_not_ambiguous_or_open_with_auth_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("auth.db").display());
    let token = {
        let output = Command::new(binary())
            .args(["tokens", "create", "--tenant", "acme"])
            .env("ASSETQL_DATABASE_URL", &url)
            .output()
            .expect("tokens create");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .find(|w| w.starts_with("aq_") || w.len() >= 32)
            .expect("a token in the output")
            .to_owned()
    };
    let server = Server::start(&url, &["--auth", "true", "--metrics-token", "m3trics"]).await;
    let bearer = format!("Bearer {token}");
    let (status, body) = server
        .post(json!({ "query": PLAIN }), &[("authorization", &bearer)])
        .await;
    assert_eq!(status, 200, "{body}");
    // Two Authorization headers: which one counts is ambiguous, so neither does.
    let response = server
        .client
        .post(format!("http://{}/graphql", server.address))
        .header("authorization", bearer.as_str())
        .header("authorization", "Bearer someone-else")
        .json(&json!({ "query": PLAIN }))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 400);

    let metrics = |auth: Option<&'static str>| {
        let mut request = server
            .client
            .get(format!("http://{}/metrics", server.address));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        request.send()
    };
    assert_eq!(metrics(None).await.expect("metrics").status().as_u16(), 401);
    assert_eq!(
        metrics(Some("Bearer wrong"))
            .await
            .expect("metrics")
            .status()
            .as_u16(),
        401
    );
    let open = metrics(Some("Bearer m3trics")).await.expect("metrics");
    assert_eq!(open.status().as_u16(), 200);
    assert!(open
        .text()
        .await
        .unwrap_or_default()
        .contains("assetql_graphql_request_duration_seconds"));

    // With auth on and no metrics option, /metrics is not served on the main listener.
    drop(server);
    let server = Server::start(&url, &["--auth", "true"]).await;
    assert_eq!(metrics_status(&server).await, 404);

    // With --metrics-listen it is served there, and only there.
    drop(server);
    let port = free_port();
    let server = Server::start(
        &url,
        &[
            "--auth",
            "true",
            "--metrics-listen",
            &format!("127.0.0.1:{port}"),
        ],
    )
    .await;
    assert_eq!(metrics_status(&server).await, 404);
    let own = server
        .client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .expect("metrics on its own listener");
    assert_eq!(own.status().as_u16(), 200);
    assert!(own
        .text()
        .await
        .unwrap_or_default()
        .contains("assetql_db_pool_connections"));
}

async fn metrics_status(server: &Server) -> u16 {
    server
        .client
        .get(format!("http://{}/metrics", server.address))
        .send()
        .await
        .expect("metrics")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_for_a_free_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("cap.db").display());
    let server = Server::start(
        &url,
        &["--max-connections", "2", "--header-timeout-secs", "2"],
    )
    .await;
    // Give the start-up probe's connection time to be closed as idle.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(&server.address).expect("connect"))
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A third client is not served while both places are held...
    let mut third = TcpStream::connect(&server.address).expect("connect (backlog)");
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("write");
    third
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("timeout");
    let mut first = [0u8; 1];
    assert!(
        third.read(&mut first).is_err(),
        "a connection past the cap is not served at once"
    );
    // ...and is once the held connections time out as idle.
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut answer = Vec::new();
    let _ = third.read_to_end(&mut answer);
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    drop(held);
}
