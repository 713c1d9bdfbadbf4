//! The HTTP surface: probes now, GraphQL with the query engine.

use std::future::Future;
use std::time::Duration;

use std::sync::Arc;

use tracing::Instrument;

use assetql_graphql::{ControlsBackend, Engine, GraphQLRequest, RequestContext};
use assetql_sql::Syntax;
use assetql_store::{Database, MigrationState};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;

/// The controls API over `catalogue`, evaluated through `engine` on `db`, counting every run it
/// records in `metrics`.
pub fn controls_backend(
    catalogue: assetql_controls::Catalogue,
    engine: Arc<Engine>,
    db: Database,
    metrics: Arc<crate::metrics::Metrics>,
) -> Arc<dyn ControlsBackend> {
    Arc::new(
        assetql_controls::CatalogueBackend::new(
            catalogue,
            assetql_controls::Runner::new(engine, db),
        )
        .with_observer(Arc::new(move |run| metrics.record_control(&run.status))),
    )
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The inventory database.
    pub db: Database,
    /// The GraphQL schemas of both dialects.
    pub engine: Arc<Engine>,
    /// The stored controls behind the controls API.
    pub controls: Option<Arc<dyn ControlsBackend>>,
    /// Whether `/graphql` requires a bearer token (which then names the tenant); without auth
    /// every request is the `default` tenant's.
    pub auth: bool,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Request metrics, served at `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The query path's database (a read-only role in production; else the same as `db`).
    pub read_db: Database,
    /// Name each request's tenant to the database for its row-level security (on when the
    /// query path uses its own PostgreSQL role).
    pub row_level_security: bool,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// The header a client sets to force a dialect, and the server sets to report the one used.
pub const DIALECT_HEADER: &str = "x-assetql-dialect";

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let max_body = state.max_body_bytes;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/graphql", get(graphiql).post(graphql))
        .route("/metrics", get(metrics))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// Serves `router(state)` on `listener` until `shutdown` resolves, then lets in-flight requests
/// finish for at most `grace`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, router(state)).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping_tx.send(true);
    });
    let mut stopping = stopping_rx;
    tokio::select! {
        result = server => result,
        () = async {
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time");
            Ok(())
        }
    }
}

/// Serves only `GET /metrics` (and `/healthz`) for a worker process, until the process ends.
pub async fn serve_metrics(
    listener: TcpListener,
    metrics: Arc<crate::metrics::Metrics>,
    db: Database,
) {
    let app = Router::new().route("/healthz", get(healthz)).route(
        "/metrics",
        get(move || {
            let text = metrics.render(&db, None);
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4",
                    )],
                    text,
                )
            }
        }),
    );
    if let Err(error) = axum::serve(listener, app).await {
        tracing::error!(%error, "the metrics server stopped");
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; draining in-flight requests");
}

fn dialect_name(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Current => "current",
        Syntax::Legacy => "legacy",
    }
}

fn request_error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })),
    )
        .into_response()
}

/// `POST /graphql`: `{query, variables, operationName}`; `X-Assetql-Dialect: legacy|current`
/// forces a dialect.
async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<GraphQLRequest>, JsonRejection>,
) -> Response {
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let mut response = request_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "REQUEST_TOO_LARGE",
                format!(
                    "the request body exceeds the limit of {} bytes",
                    state.max_body_bytes
                ),
            );
            if let Ok(limit) = HeaderValue::from_str(&state.max_body_bytes.to_string()) {
                response.headers_mut().insert("x-assetql-limit", limit);
            }
            return response;
        }
        Err(rejection) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!(
                    "expected a JSON body {{\"query\": …}}: {}",
                    rejection.body_text()
                ),
            )
        }
    };
    let forced = match headers
        .get(DIALECT_HEADER)
        .map(|v| v.to_str().unwrap_or_default())
    {
        None => None,
        Some("current") => Some(Syntax::Current),
        Some("legacy") => Some(Syntax::Legacy),
        Some(other) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!("unknown dialect {other:?} in X-Assetql-Dialect; use legacy or current"),
            )
        }
    };
    let tenant = if state.auth {
        match authenticate(&state, &headers).await {
            Ok(tenant) => tenant,
            Err(response) => return response,
        }
    } else {
        "default".to_owned()
    };
    let context = RequestContext {
        db: state.read_db.clone(),
        tenant,
        controls: state.controls.clone(),
        unpaged: false,
        row_level_security: state.row_level_security,
    };
    let operation = request
        .operation_name
        .clone()
        .unwrap_or_else(|| "anonymous".to_owned());
    let started = std::time::Instant::now();
    let span = tracing::info_span!("graphql", operation = %operation, tenant = %context.tenant);
    let executed = state
        .engine
        .execute_raw(request, forced, context)
        .instrument(span)
        .await;
    let (syntax, response) = (executed.syntax, &executed.response);
    let codes: Vec<String> = response
        .errors
        .iter()
        .filter_map(
            |e| match e.extensions.as_ref().and_then(|x| x.get("code")) {
                Some(async_graphql::Value::String(code)) => Some(code.clone()),
                _ => None,
            },
        )
        .collect();
    let elapsed = started.elapsed();
    state.metrics.record_request(
        &operation,
        if codes.is_empty() { "ok" } else { "error" },
        elapsed,
        &codes,
    );
    tracing::info!(
        operation = %operation,
        dialect = dialect_name(syntax),
        duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        errors = codes.len(),
        "graphql request"
    );
    let unavailable = response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from("DATABASE_UNAVAILABLE"))
    });
    let mut http = (
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        executed.to_json(),
    )
        .into_response();
    if unavailable {
        *http.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    }
    http.headers_mut().insert(
        DIALECT_HEADER,
        HeaderValue::from_static(dialect_name(syntax)),
    );
    http
}

/// The tenant of the request's bearer token, or the 401/503 response to send.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<String, Response> {
    let unauthenticated = |message: &str| {
        request_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            message.to_owned(),
        )
    };
    let Some(header) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(unauthenticated("missing Authorization: Bearer <token>"));
    };
    let Some(token) = header.to_str().ok().and_then(|h| h.strip_prefix("Bearer ")) else {
        return Err(unauthenticated(
            "the Authorization header must be `Bearer <token>`",
        ));
    };
    match state.db.find_api_token(token.trim()).await {
        Ok(Some(found)) if found.is_valid(chrono::Utc::now()) => Ok(found.tenant),
        Ok(Some(_)) => Err(unauthenticated("the token is revoked or expired")),
        Ok(None) => Err(unauthenticated("unknown token")),
        Err(error) if error.is_unavailable() => {
            tracing::warn!(%error, "authentication: database unavailable");
            Err(request_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "DATABASE_UNAVAILABLE",
                "the database is unavailable; retry later".to_owned(),
            ))
        }
        Err(error) => {
            tracing::error!(%error, "authentication failed");
            Err(request_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error".to_owned(),
            ))
        }
    }
}

/// `GET /graphql`: GraphiQL for analysts.
async fn graphiql() -> Html<String> {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .title("assetql")
            .finish(),
    )
}

/// `GET /metrics`: Prometheus text exposition.
async fn metrics(State(state): State<AppState>) -> Response {
    (
        StatusCode::OK,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state
            .metrics
            .render(&state.db, Some(state.engine.plan_cache_hits())),
    )
        .into_response()
}

/// Liveness: the process is up and serving.
async fn healthz() -> Response {
    (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response()
}

/// Readiness: the database answers and every migration of this binary is applied.
async fn readyz(State(state): State<AppState>) -> Response {
    let dialect = state.db.dialect().name();
    let unavailable = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": dialect, "reason": reason })),
        )
            .into_response()
    };
    if let Err(error) = state.db.ping().await {
        tracing::warn!(%error, "readiness: database unreachable");
        return unavailable("database unreachable".to_owned());
    }
    match state.db.migration_state().await {
        Ok(MigrationState::UpToDate { version }) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "database": dialect, "schemaVersion": version })),
        )
            .into_response(),
        Ok(MigrationState::Pending { applied, expected }) => unavailable(format!(
            "database schema not migrated: {applied} of {expected} migrations applied; run `assetql migrate`"
        )),
        Err(error) => {
            tracing::warn!(%error, "readiness: cannot read migration state");
            unavailable("cannot read migration state".to_owned())
        }
    }
}
