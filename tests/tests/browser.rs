//! The posture page in a real browser: headless Chromium (Debian's `chromium`) driven through
//! `chromedriver` (WebDriver over HTTP) against the server on the demo estate. The page shows
//! every control with the counts the API reports; a control's findings open; an exception made
//! in the page drops the failing count and revoking it brings it back; the page requests
//! nothing outside the server. A screenshot is written to `target/browser-artifacts/`.
//!
//! Needs `chromium` and `chromium-driver` (`.ci/run` installs them); without them it fails.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assetql_controls::Catalogue;
use assetql_tests::server::TestServer;
use assetql_tests::{Backend, TestDb};
use serde_json::{json, Value as Json};

struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("addr")
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver) must be installed: .ci/run installs it");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("chromium must be installed");
        let created: Json = http
            .post(format!("{base}/session"))
            .json(&json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
                "binary": binary,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"]}}}}))
            .send().await.expect("new session").json().await.expect("session JSON");
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        Driver {
            child,
            base,
            session,
            http,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Json>) -> Json {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let request = self.http.request(method, url);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let answer: Json = request
            .send()
            .await
            .expect("WebDriver call")
            .json()
            .await
            .expect("WebDriver JSON");
        assert!(answer["value"].get("error").is_none(), "{path}: {answer}");
        answer["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn script(&self, script: &str) -> Json {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Waits until the page has drawn after its last change (`body[data-ready]`).
    async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.script("return document.body.dataset.ready === 'true' && !document.getElementById('error').textContent;").await != json!(true) {
            let error = self.script("return document.getElementById('error').textContent;").await;
            assert!(error.as_str().is_none_or(str::is_empty), "the page shows an error: {error}");
            assert!(Instant::now() < deadline, "the page did not finish loading");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Marks the page not ready, runs `script` (which triggers a redraw), waits for it.
    async fn act(&self, script: &str) {
        self.script(&format!("document.body.dataset.ready = 'false'; {script}"))
            .await;
        self.ready().await;
    }

    /// control id -> the failing column's text, as the page shows them.
    async fn failing_column(&self) -> std::collections::BTreeMap<String, String> {
        let rows = self.script("return Array.from(document.querySelectorAll('#controls tbody tr')).map(r => [r.dataset.control, r.querySelector('.failing').textContent]);").await;
        rows.as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                (
                    r[0].as_str().expect("id").to_owned(),
                    r[1].as_str().expect("text").to_owned(),
                )
            })
            .collect()
    }
}

/// control id -> "failing of applicable" from the API.
async fn api_counts(server: &TestServer) -> std::collections::BTreeMap<String, String> {
    let answer = server
        .graphql(
            "{ controls { id supported latestRun { failingCount applicableCount } } }",
            None,
        )
        .await;
    answer.data()["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| c["supported"] == true)
        .map(|c| {
            (
                c["id"].as_str().expect("id").to_owned(),
                format!(
                    "{} of {}",
                    c["latestRun"]["failingCount"], c["latestRun"]["applicableCount"]
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_posture_page_shows_the_apis_counts_and_manages_exceptions() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    assetql_server::demo::build(&test_db.db, &Catalogue::builtin())
        .await
        .expect("the demo estate");
    let server = TestServer::start(test_db.db.clone()).await;
    let driver = Driver::start().await;

    driver.go(&format!("{}/", server.base)).await;
    driver.ready().await;
    let shown = driver.failing_column().await;
    let reported = api_counts(&server).await;
    assert_eq!(shown, reported, "every control with the API's counts");
    assert_eq!(shown.len(), Catalogue::builtin().controls.len());
    let overall = driver
        .script("return document.getElementById('overall').textContent;")
        .await;
    assert!(
        overall
            .as_str()
            .is_some_and(|t| t.contains("compliant") && t.contains("checks failing")),
        "{overall}"
    );

    // A control's findings, with why.
    let control = "aws-fsbp-ecs-17";
    driver
        .act(&format!("location.hash = 'control={control}';"))
        .await;
    let findings = driver.script("return Array.from(document.querySelectorAll('#findings tbody tr')).map(r => r.textContent);").await;
    let findings: Vec<String> = findings
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r.as_str().expect("text").to_owned())
        .collect();
    let before: usize = reported[control]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("count");
    assert_eq!(findings.len(), before);
    assert!(
        findings.iter().all(|f| f.contains("network host")),
        "{findings:?}"
    );

    // An exception made in the page: one failing asset fewer, in the API and on the page.
    driver.act("document.querySelector('#findings tbody tr button').click(); \
        document.getElementById('ex-owner').value = 'platform-team'; \
        document.getElementById('ex-reason').value = 'host networking for the node agent, reviewed'; \
        document.getElementById('ex-expires').value = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10); \
        document.querySelector('#exception-form button[type=submit]').click();").await;
    let after = api_counts(&server).await;
    assert_eq!(
        after[control],
        format!(
            "{} of {}",
            before - 1,
            reported[control].split(" of ").nth(1).expect("applicable")
        )
    );
    assert_eq!(driver.failing_column().await[control], after[control]);
    let listed = driver
        .script("return document.querySelectorAll('#exceptions tbody tr').length;")
        .await;
    assert_eq!(listed, json!(1));

    // Revoked in the page: the count comes back.
    driver
        .act("document.querySelector('#exceptions tbody tr button.revoke').click();")
        .await;
    assert_eq!(api_counts(&server).await[control], reported[control]);
    assert_eq!(driver.failing_column().await[control], reported[control]);

    // Nothing was requested outside the server.
    let requests = driver.script("return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);").await;
    for url in requests.as_array().expect("urls") {
        assert!(
            url.as_str().is_some_and(|u| u.starts_with(&server.base)),
            "{url} is outside the server"
        );
    }

    let png = driver.call(reqwest::Method::GET, "/screenshot", None).await;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/browser-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    let bytes = base64_decode(png.as_str().expect("base64 PNG"));
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(dir.join("posture-detail.png"), bytes).expect("write the screenshot");
}

/// Standard base64 (the WebDriver screenshot), without a dependency for it.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter_map(value) {
        buffer = (buffer << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).unwrap_or(0));
        }
    }
    out
}
