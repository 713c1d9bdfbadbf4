//! The real HTTP server, in process, on a free loopback port.

use std::sync::Arc;
use std::time::Duration;

use assetql_graphql::Engine;
use assetql_server::http::{self, AppState};
use assetql_server::listen;
use assetql_store::Database;
use serde_json::{json, Value as Json};

/// A running server; stops when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// What one GraphQL request returned.
#[derive(Debug)]
pub struct GraphQLResponse {
    /// HTTP status.
    pub status: u16,
    /// The dialect the server reported (`X-Assetql-SqlDialect`).
    pub dialect: Option<String>,
    /// The JSON body.
    pub body: Json,
}

impl GraphQLResponse {
    /// The `data` of a response that must have no errors.
    pub fn data(&self) -> &Json {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The `extensions.code` of each error.
    pub fn error_codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        e["extensions"]["code"]
                            .as_str()
                            .unwrap_or("<none>")
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestServer {
    /// Serves `db` on a free port, without authentication (every request is tenant `default`).
    pub async fn start(db: Database) -> Self {
        Self::start_with_auth(db, false).await
    }

    /// Serves `db` on a free port; with `auth`, requests need a bearer token.
    pub async fn start_with_auth(db: Database, auth: bool) -> Self {
        Self::start_with(db, auth, assetql_graphql::Limits::default()).await
    }

    /// Serves `db` on a free port with the given authentication and limits.
    pub async fn start_with(db: Database, auth: bool, limits: assetql_graphql::Limits) -> Self {
        let read_db = db.clone();
        Self::start_full(db, read_db, auth, limits, false).await
    }

    /// Serves `db` (writes) and `read_db` (the query path, naming the tenant for row-level
    /// security when `row_level_security`) on a free port.
    pub async fn start_full(
        db: Database,
        read_db: Database,
        auth: bool,
        limits: assetql_graphql::Limits,
        row_level_security: bool,
    ) -> Self {
        Self::start_serving(db, read_db, auth, limits, row_level_security, None, true).await
    }

    /// Serves `db` without authentication and with the answer cache off (`--answer-cache-bytes
    /// 0`): every request runs.
    pub async fn start_without_answer_cache(db: Database) -> Self {
        let read_db = db.clone();
        Self::start_serving(
            db,
            read_db,
            false,
            assetql_graphql::Limits::default(),
            false,
            None,
            false,
        )
        .await
    }

    /// Serves `db` without authentication, re-scanning with `resync`.
    pub async fn start_with_resync(db: Database, resync: assetql_controls::Resyncer) -> Self {
        let read_db = db.clone();
        Self::start_serving(
            db,
            read_db,
            false,
            assetql_graphql::Limits::default(),
            false,
            Some(resync),
            true,
        )
        .await
    }

    async fn start_serving(
        db: Database,
        read_db: Database,
        auth: bool,
        limits: assetql_graphql::Limits,
        row_level_security: bool,
        resync: Option<assetql_controls::Resyncer>,
        answer_cache: bool,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let engine = Arc::new(Engine::with_limits(limits).expect("schemas build"));
        let metrics = Arc::new(assetql_server::metrics::Metrics::default());
        let controls = http::controls_backend(
            assetql_controls::Catalogue::builtin(),
            Arc::clone(&engine),
            db.clone(),
            Arc::clone(&metrics),
            resync,
        );
        // The default cache, as `serve` runs it: every test through this server also checks
        // that no answer outlives a write.
        let answers = assetql_server::answer_cache::AnswerCache::new(
            if answer_cache {
                assetql_server::answer_cache::DEFAULT_BYTES
            } else {
                0
            },
            db.clone(),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(listen::serve(
            listener,
            AppState {
                db,
                engine,
                controls: Some(controls),
                auth,
                max_body_bytes: 1_048_576,
                metrics,
                row_level_security,
                read_db,
                metrics_access: http::MetricsAccess::Open,
                answers,
                connections: http::ConnectionLimits::default(),
            },
            async move {
                let _ = stopped.await;
            },
            Duration::from_secs(1),
        ));
        TestServer {
            base,
            client: reqwest::Client::new(),
            stop: Some(stop),
        }
    }

    /// POSTs a GraphQL document (with an optional forced dialect) to `/graphql`.
    pub async fn graphql(&self, query: &str, dialect: Option<&str>) -> GraphQLResponse {
        self.graphql_with(json!({ "query": query }), dialect).await
    }

    /// POSTs a document with a bearer token (or none).
    pub async fn graphql_as(&self, query: &str, token: Option<&str>) -> GraphQLResponse {
        self.post(json!({ "query": query }), None, token).await
    }

    /// POSTs a raw JSON body to `/graphql`.
    pub async fn graphql_with(&self, body: Json, dialect: Option<&str>) -> GraphQLResponse {
        self.post(body, dialect, None).await
    }

    async fn post(
        &self,
        body: Json,
        dialect: Option<&str>,
        token: Option<&str>,
    ) -> GraphQLResponse {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(dialect) = dialect {
            request = request.header("x-assetql-dialect", dialect);
        }
        let response = request.send().await.expect("POST /graphql");
        let status = response.status().as_u16();
        let dialect = response
            .headers()
            .get("x-assetql-dialect")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.json().await.expect("a JSON body");
        GraphQLResponse {
            status,
            dialect,
            body,
        }
    }

    /// A GET request, returning status and body text.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body text"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
