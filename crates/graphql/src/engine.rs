//! The engine: both dialects' schemas, the limits, the caches, and the public API
//! ([`Engine::execute`], [`Engine::execute_raw`], [`Engine::plan`]). How a request runs is in
//! `run.rs`.

use std::sync::Arc;

use assetql_model::TenantId;
use assetql_sql::QueryDialect;
use async_graphql::dynamic::Schema;
use async_graphql::{Response, ServerError, Value};

use crate::context::RequestContext;
use crate::error;
use crate::limits::Limits;
use crate::plan_cache;
use crate::raw;
use crate::schema;

/// Builds schemas and executes requests.
pub struct Engine {
    pub(crate) current: Schema,
    pub(crate) legacy: Schema,
    pub(crate) limits: Limits,
    /// The dialect each recently seen document validated in, so that a legacy document (a
    /// stored control, say) is not first rejected by the current schema on every request.
    pub(crate) dialects: plan_cache::DialectMemo,
    pub(crate) plans: plan_cache::PlanCache,
    pub(crate) plan_hits: std::sync::atomic::AtomicU64,
    /// Requests whose document was parsed, validated and resolved (no plan-cache hit).
    pub(crate) compiled: std::sync::atomic::AtomicU64,
    #[cfg(test)]
    pub(crate) faults: crate::faults::Faults,
    /// Documents being compiled now, by plan key: concurrent requests of the same first-seen
    /// document wait for the first one's plan instead of each compiling it (see `run.rs`).
    pub(crate) compiling: Arc<plan_cache::InFlight>,
    /// Each tenant's share of the database connections (see [`StatementGate`]).
    pub(crate) tenant_turns:
        std::sync::Mutex<std::collections::HashMap<TenantId, Arc<tokio::sync::Semaphore>>>,
}

/// An executed request: the dialect it ran in, the response, and the JSON text of the root
/// list fields the database answered directly. The response alone holds an empty list in each
/// such field's place, so it is never handed out without its parts: read it with
/// [`Executed::to_json`] or [`Executed::into_response`], which fail closed.
#[derive(Debug)]
pub struct Executed {
    /// The dialect the document ran in.
    pub syntax: QueryDialect,
    pub(crate) response: Response,
    pub(crate) raw: Vec<(plan_cache::PlannedField, String)>,
}

impl Executed {
    /// A document refused before any dialect ran it (a syntax error): in the forced dialect,
    /// or the current one.
    pub(crate) fn rejected(forced: Option<QueryDialect>, error: ServerError) -> Self {
        Executed {
            syntax: forced.unwrap_or(QueryDialect::Current),
            response: Response::from_errors(vec![error]),
            raw: Vec::new(),
        }
    }

    pub(crate) fn refused(error: async_graphql::Error) -> Self {
        Executed {
            syntax: QueryDialect::Current,
            response: Response::from_errors(vec![
                error.into_server_error(async_graphql::Pos::default())
            ]),
            raw: Vec::new(),
        }
    }

    /// The response's errors.
    pub fn errors(&self) -> &[ServerError] {
        &self.response.errors
    }

    /// The `extensions.code` of each error, in order.
    pub fn error_codes(&self) -> Vec<String> {
        self.response
            .errors
            .iter()
            .filter_map(error::code_of)
            .map(|code| code.as_str().to_owned())
            .collect()
    }

    /// The response as JSON text, with the raw parts written in place. When it cannot be
    /// written whole (a part that is not JSON, a part without its field), the text is one
    /// `INTERNAL` error and no data, never the placeholder.
    pub fn to_json(&self) -> String {
        raw::response_json(&self.response, &self.raw)
    }

    /// The response as JSON text, and whether it is a whole answer: no error, every part
    /// written in place. Only a whole answer may be kept and served again.
    pub fn to_json_whole(&self) -> (String, bool) {
        match raw::write_whole(&self.response, &self.raw) {
            Some(text) => (text, self.response.errors.is_empty()),
            None => (self.to_json(), false),
        }
    }

    /// The response with each raw part parsed into its field; one `INTERNAL` error and no
    /// data when a part cannot be read.
    pub fn into_response(self) -> Response {
        raw::splice(self.response, self.raw)
    }
}

/// A GraphQL request as it arrives over HTTP.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphQLRequest {
    /// The document.
    pub query: String,
    /// Variable values.
    #[serde(default)]
    pub variables: Option<serde_json::Value>,
    /// Which operation of the document to run.
    #[serde(default)]
    pub operation_name: Option<String>,
}

/// Why the schemas could not be built (a catalogue bug).
#[derive(Debug, thiserror::Error)]
#[error("invalid generated schema: {0}")]
pub struct SchemaBuildError(pub(crate) String);

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Engine {
    /// Generates both dialects' schemas from the catalogue, with the default limits.
    pub fn new() -> Result<Self, SchemaBuildError> {
        Self::with_limits(Limits::default())
    }

    /// Generates both dialects' schemas, holding requests to `limits`.
    pub fn with_limits(limits: Limits) -> Result<Self, SchemaBuildError> {
        let build = |syntax| schema::build(syntax).map_err(|e| SchemaBuildError(e.to_string()));
        Ok(Engine {
            current: build(QueryDialect::Current)?,
            legacy: build(QueryDialect::Legacy)?,
            limits,
            dialects: plan_cache::DialectMemo::default(),
            plans: plan_cache::PlanCache::default(),
            plan_hits: std::sync::atomic::AtomicU64::new(0),
            compiled: std::sync::atomic::AtomicU64::new(0),
            compiling: Arc::default(),
            #[cfg(test)]
            faults: crate::faults::Faults::default(),
            tenant_turns: std::sync::Mutex::default(),
        })
    }

    /// Requests answered from a cached plan (no parse, validation or resolution) so far.
    pub fn plan_cache_hits(&self) -> u64 {
        self.plan_hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Requests whose document was parsed, validated and resolved (not answered from a cached
    /// plan) so far.
    pub fn documents_compiled(&self) -> u64 {
        self.compiled.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The limits requests are held to.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The SDL of one dialect's schema.
    pub fn sdl(&self, syntax: QueryDialect) -> String {
        self.schema(syntax).sdl()
    }

    pub(crate) fn schema(&self, syntax: QueryDialect) -> &Schema {
        match syntax {
            QueryDialect::Current => &self.current,
            QueryDialect::Legacy => &self.legacy,
        }
    }

    /// Runs `request` for `context`. With `forced`, only that dialect is tried; otherwise the
    /// current dialect first and, when the document does not validate against it, the legacy
    /// one, whose errors are then reported.
    pub async fn execute(
        &self,
        request: GraphQLRequest,
        forced: Option<QueryDialect>,
        context: RequestContext,
    ) -> (QueryDialect, Response) {
        let executed = self.execute_raw(request, forced, context).await;
        (executed.syntax, executed.into_response())
    }

    /// Like [`Engine::execute`], but root list fields may be answered by the database's JSON
    /// text, unparsed: write the answer with [`Executed::to_json`].
    pub async fn execute_raw(
        &self,
        request: GraphQLRequest,
        forced: Option<QueryDialect>,
        context: RequestContext,
    ) -> Executed {
        self.run(request, forced, context, false).await
    }

    /// The statements `request` would run, one per root field in response order, compiled
    /// (parsed, validated, planned) exactly as [`Engine::execute`] compiles them, without
    /// running them. Documents that are not all root list or connection fields answered by
    /// one statement each (`assets` with type conditions, legacy aggregates, the controls API,
    /// directives) cannot be planned: the error carries the code `NOT_PLANNABLE`, after any
    /// resolver of such a field has run. Errors in the document are the response's errors.
    pub async fn plan(
        &self,
        request: GraphQLRequest,
        forced: Option<QueryDialect>,
        context: RequestContext,
    ) -> Result<(QueryDialect, Vec<PlannedStatement>), Response> {
        let executed = self.run(request, forced, context, true).await;
        if !executed.response.errors.is_empty() {
            return Err(executed.response);
        }
        let Value::Object(data) = &executed.response.data else {
            return Err(error::not_plannable());
        };
        let mut statements = Vec::with_capacity(data.len());
        for key in data.keys() {
            let Some((field, _)) = executed.raw.iter().find(|(f, _)| f.key == key.as_str()) else {
                return Err(error::not_plannable());
            };
            statements.push(PlannedStatement {
                field: field.key.clone(),
                sql: field.sql.clone(),
                params: field.params.clone(),
            });
        }
        Ok((executed.syntax, statements))
    }
}

/// A root field's compiled statement (see [`Engine::plan`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStatement {
    /// The root field's response key.
    pub field: String,
    /// The SQL text; every value is a parameter.
    pub sql: String,
    /// The parameters, `$1` first.
    pub params: Vec<assetql_sql::Value>,
}
