//! The HTTP surface: routes and handlers (probes, GraphQL, GraphiQL, metrics). The listeners
//! that serve them are in [`crate::listen`].

use assetql_model::{ErrorCode, TenantId};
use std::sync::Arc;

use tracing::Instrument;

use crate::answer_cache::Lookup;
use assetql_graphql::{ControlsBackend, Engine, GraphQLRequest, RequestContext};
use assetql_sql::QueryDialect;
use assetql_store::{Database, MigrationState};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

/// The controls API over `catalogue`, evaluated through `engine` on `db`, counting every run it
/// records in `metrics`; re-scans (`runControls(resync: true)`) sync with `resync`.
pub fn controls_backend(
    catalogue: assetql_controls::Catalogue,
    engine: Arc<Engine>,
    db: Database,
    metrics: Arc<crate::metrics::Metrics>,
    resync: Option<assetql_controls::Resyncer>,
) -> Arc<dyn ControlsBackend> {
    let backend = assetql_controls::CatalogueBackend::new(
        catalogue,
        assetql_controls::Runner::new(engine, db),
    )
    .with_observer(Arc::new(move |run| {
        metrics.record_control(run.status.as_str())
    }));
    Arc::new(match resync {
        Some(resync) => backend.with_resync(resync),
        None => backend,
    })
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
    /// Who may read `/metrics` on this listener.
    pub metrics_access: MetricsAccess,
    /// Timeouts and the cap on open connections.
    pub connections: ConnectionLimits,
    /// Repeated queries' answers, kept until the tenant's generation changes (None: off).
    pub answers: Option<Arc<crate::answer_cache::AnswerCache>>,
}

/// Who may read `/metrics` on the main listener: it names every client's operations, so with
/// tenants it is not for everyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsAccess {
    /// Anyone who reaches the listener (the single-tenant default: authentication off).
    Open,
    /// Only requests with `Authorization: Bearer <this token>`.
    Token(String),
    /// Not on this listener (served on `--metrics-listen`, or not configured with auth on).
    Elsewhere,
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
        .route("/", get(crate::assets::posture))
        .route("/graphql", get(crate::assets::graphiql).post(graphql))
        .route("/assets/{*path}", get(crate::assets::asset))
        .route("/metrics", get(metrics))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// The HTTP status of an answer carrying `code`.
fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn dialect_name(syntax: QueryDialect) -> &'static str {
    match syntax {
        QueryDialect::Current => "current",
        QueryDialect::Legacy => "legacy",
    }
}

/// An answer that is one error: the status is the code's ([`ErrorCode::http_status`]).
fn request_error(code: ErrorCode, message: String) -> Response {
    (
        status_of(code),
        Json(
            json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] }),
        ),
    )
        .into_response()
}

/// `POST /graphql`: `{query, variables, operationName}`; `X-Assetql-SqlDialect: legacy|current`
/// forces a dialect.
async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let request = match read_request(&state, &headers, body).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let forced = match headers
        .get(DIALECT_HEADER)
        .map(|v| v.to_str().unwrap_or_default())
    {
        None => None,
        Some("current") => Some(QueryDialect::Current),
        Some("legacy") => Some(QueryDialect::Legacy),
        Some(other) => {
            return request_error(
                ErrorCode::BadRequest,
                format!("unknown dialect {other:?} in X-Assetql-SqlDialect; use legacy or current"),
            )
        }
    };
    let tenant = if state.auth {
        match authenticate(&state, &headers).await {
            Ok(tenant) => tenant,
            Err(response) => return response,
        }
    } else {
        TenantId::default_tenant()
    };
    let started = std::time::Instant::now();
    let operation = request
        .operation_name
        .clone()
        .unwrap_or_else(|| "anonymous".to_owned());
    let lookup = match &state.answers {
        Some(cache) => {
            let key = crate::answer_cache::CacheKey::new(&tenant, forced, &request);
            Some(cache.lookup(key, &headers).await)
        }
        None => None,
    };
    let ticket = match lookup {
        Some(Lookup::Hit(answer)) => {
            state
                .metrics
                .record_request(&operation, "ok", started.elapsed(), &[]);
            return cached_response(answer, "hit");
        }
        Some(Lookup::NotModified(etag)) => {
            state
                .metrics
                .record_request(&operation, "ok", started.elapsed(), &[]);
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response
                .headers_mut()
                .insert(axum::http::header::ETAG, etag);
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static(ANSWER_CACHE_CONTROL),
            );
            return response;
        }
        Some(Lookup::Miss {
            key,
            generation,
            bypassed,
        }) => Some((key, generation, bypassed)),
        Some(Lookup::Unavailable) | None => None,
    };
    let context = RequestContext {
        db: state.read_db.clone(),
        tenant,
        controls: state.controls.clone(),
        unpaged: false,
        row_level_security: state.row_level_security,
        gate: Default::default(),
    };
    let span = tracing::info_span!("graphql", operation = %operation, tenant = %context.tenant);
    let executed = state
        .engine
        .execute_raw(request, forced, context)
        .instrument(span)
        .await;
    let syntax = executed.syntax;
    let codes = executed.error_codes();
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
    // The answer's status is the highest its errors call for (200 for GraphQL errors).
    let status = codes
        .iter()
        .filter_map(|c| ErrorCode::parse(c))
        .map(status_of)
        .max()
        .unwrap_or(StatusCode::OK);
    let (body, whole) = executed.to_json_whole();
    // Whether the document may be kept is asked only of a whole answer: its text has then
    // passed the engine's limits, so this second parse is bounded.
    let ticket = ticket.filter(|(key, _, _)| whole && status == StatusCode::OK && key.cacheable());
    if let (Some(cache), Some((key, generation, bypassed))) = (&state.answers, ticket) {
        let answer = crate::answer_cache::Answer {
            // Exactly its length: the text was built with room to spare, and the cache counts
            // what it holds.
            body: axum::body::Bytes::from(body.into_bytes().into_boxed_slice()),
            dialect: dialect_name(syntax),
            etag: cache.etag(&key, generation),
        };
        cache.insert(key, generation, answer.clone());
        return cached_response(answer, if bypassed { "bypass" } else { "miss" });
    }
    let mut http = (
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    *http.status_mut() = status;
    http.headers_mut().insert(
        DIALECT_HEADER,
        HeaderValue::from_static(dialect_name(syntax)),
    );
    if state.answers.is_some() {
        http.headers_mut()
            .insert(CACHE_HEADER, HeaderValue::from_static("uncached"));
    }
    http
}

/// The header naming what the answer cache did: `hit`, `miss` (kept now), `bypass` (the client
/// asked for a fresh answer; kept now) or `uncached` (not cacheable: an error, a mutation, a
/// clock-dependent field, or the generation could not be read).
pub const CACHE_HEADER: &str = "x-assetql-cache";

/// Kept answers may be stored by the client only, and must be revalidated (`If-None-Match`).
const ANSWER_CACHE_CONTROL: &str = "private, no-cache";

/// A 200 answer of `answer`'s bytes with its entity tag.
fn cached_response(answer: crate::answer_cache::Answer, how: &'static str) -> Response {
    let mut http = (
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        answer.body,
    )
        .into_response();
    let headers = http.headers_mut();
    headers.insert(DIALECT_HEADER, HeaderValue::from_static(answer.dialect));
    headers.insert(axum::http::header::ETAG, answer.etag);
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static(ANSWER_CACHE_CONTROL),
    );
    headers.insert(CACHE_HEADER, HeaderValue::from_static(how));
    http
}

/// The request body as a GraphQL request, read within the body timeout and size limit, or the
/// response to send.
async fn read_request(
    state: &AppState,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<GraphQLRequest, Response> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json") || v.to_ascii_lowercase().ends_with("+json")
        });
    if !json {
        return Err(request_error(
            ErrorCode::BadRequest,
            "expected a JSON body {\"query\": …} with Content-Type: application/json".to_owned(),
        ));
    }
    let too_large = || {
        let mut response = request_error(
            ErrorCode::RequestTooLarge,
            format!(
                "the request body exceeds the limit of {} bytes",
                state.max_body_bytes
            ),
        );
        if let Ok(limit) = HeaderValue::from_str(&state.max_body_bytes.to_string()) {
            response.headers_mut().insert("x-assetql-limit", limit);
        }
        response
    };
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(state.max_body_bytes).unwrap_or(u64::MAX)) {
        return Err(too_large());
    }
    let timeout = state.connections.body_timeout;
    let bytes =
        match tokio::time::timeout(timeout, axum::body::to_bytes(body, state.max_body_bytes)).await
        {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(_)) => return Err(too_large()),
            Err(_) => {
                let mut response = request_error(
                    ErrorCode::RequestTimeout,
                    format!(
                        "the request body did not arrive within {} s",
                        timeout.as_secs()
                    ),
                );
                response.headers_mut().insert(
                    axum::http::header::CONNECTION,
                    HeaderValue::from_static("close"),
                );
                return Err(response);
            }
        };
    serde_json::from_slice::<GraphQLRequest>(&bytes).map_err(|error| {
        request_error(
            ErrorCode::BadRequest,
            format!("expected a JSON body {{\"query\": …}}: {error}"),
        )
    })
}

/// Why a request has no usable bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BearerError {
    /// No `Authorization` header.
    Missing,
    /// One, but not `Bearer <token>`.
    Malformed,
    /// Several: which one a proxy or the server would read is ambiguous, so none counts.
    Ambiguous,
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let (code, message) = match self {
            BearerError::Missing => (
                ErrorCode::Unauthenticated,
                "missing Authorization: Bearer <token>",
            ),
            BearerError::Malformed => (
                ErrorCode::Unauthenticated,
                "the Authorization header must be `Bearer <token>`",
            ),
            BearerError::Ambiguous => (ErrorCode::BadRequest, "more than one Authorization header"),
        };
        request_error(code, message.to_owned())
    }
}

/// The token of the request's one `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Result<&str, BearerError> {
    let mut given = headers.get_all(axum::http::header::AUTHORIZATION).iter();
    let header = given.next().ok_or(BearerError::Missing)?;
    if given.next().is_some() {
        return Err(BearerError::Ambiguous);
    }
    header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(BearerError::Malformed)
}

/// The tenant of the request's bearer token, or the 401/503 response to send.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<TenantId, Response> {
    let unauthenticated =
        |message: &str| request_error(ErrorCode::Unauthenticated, message.to_owned());
    let token = bearer_token(headers).map_err(IntoResponse::into_response)?;
    match state.db.find_api_token(token).await {
        Ok(Some(found)) if found.is_valid(chrono::Utc::now()) => Ok(found.tenant),
        Ok(Some(_)) => Err(unauthenticated("the token is revoked or expired")),
        Ok(None) => Err(unauthenticated("unknown token")),
        Err(error) if error.is_unavailable() => {
            tracing::warn!(%error, "authentication: database unavailable");
            Err(request_error(
                ErrorCode::DatabaseUnavailable,
                "the database is unavailable; retry later".to_owned(),
            ))
        }
        Err(error) => {
            tracing::error!(%error, "authentication failed");
            Err(request_error(
                ErrorCode::Internal,
                "internal error".to_owned(),
            ))
        }
    }
}

/// `GET /metrics`: Prometheus text exposition, for whom `state.metrics_access` allows.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match &state.metrics_access {
        MetricsAccess::Open => {}
        MetricsAccess::Elsewhere => {
            return request_error(
                ErrorCode::NotFound,
                "metrics are not served on this listener: see serve --metrics-listen and \
                 --metrics-token"
                    .to_owned(),
            )
        }
        MetricsAccess::Token(expected) => {
            let token = match bearer_token(&headers) {
                Ok(token) => token,
                Err(error) => return error.into_response(),
            };
            // Compared as digests, so the comparison's time says nothing about the token.
            if assetql_store::token_hash(token) != assetql_store::token_hash(expected) {
                return request_error(
                    ErrorCode::Unauthenticated,
                    "/metrics needs Authorization: Bearer <the metrics token>".to_owned(),
                );
            }
        }
    }
    (
        StatusCode::OK,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        {
            let mut text = state
                .metrics
                .render(&state.db, Some(state.engine.plan_cache_hits()));
            if let Some(cache) = &state.answers {
                text.push_str(&cache.render());
            }
            text
        },
    )
        .into_response()
}

/// Liveness: the process is up and serving.
pub(crate) async fn healthz() -> Response {
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

/// Connection-level limits: a client that opens connections and sends nothing, or sends its
/// headers or body a byte at a time, gives up its connection instead of holding it forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most connections open at once; further clients wait in the listen backlog.
    pub max_connections: usize,
    /// Time to receive a request's headers, which is also how long an idle keep-alive
    /// connection stays open.
    pub header_timeout: std::time::Duration,
    /// Time to receive a request's body once its headers are in (HTTP 408 after).
    pub body_timeout: std::time::Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1024,
            header_timeout: std::time::Duration::from_secs(10),
            body_timeout: std::time::Duration::from_secs(10),
        }
    }
}
