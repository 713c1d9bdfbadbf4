//! The GraphQL surface of assetql: one fully typed schema per Neo4j dialect generated from the
//! asset catalogue, and [`Engine::execute`], which runs a request in the dialect it validates
//! against (current first, legacy second, or the one the client names), supplies the stored
//! controls' `AssetFragment` when a document spreads it without defining it, and gives every
//! error an `extensions.code`.

mod connection;
mod context;
pub mod controls_api;
mod error;
mod fragment;
mod gate;
mod limits;
mod plan_cache;
mod raw;
mod resolve;
mod schema;
mod statement;

use assetql_model::ErrorCode;
use std::sync::Arc;

use assetql_model::TenantId;
use assetql_sql::Syntax;
use async_graphql::dynamic::Schema;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError, Value, Variables};

pub use context::{BoxFuture, ControlSummary, ControlsBackend, RequestContext};
pub use fragment::{with_asset_fragment, ASSET_FRAGMENT};
pub use gate::StatementGate;
pub use limits::{Limits, MAX_NESTING};

/// Builds schemas and executes requests.
pub struct Engine {
    current: Schema,
    legacy: Schema,
    limits: Limits,
    /// The dialect each recently seen document validated in, so that a legacy document (a
    /// stored control, say) is not first rejected by the current schema on every request.
    dialects: plan_cache::DialectMemo,
    plans: plan_cache::PlanCache,
    plan_hits: std::sync::atomic::AtomicU64,
    /// Requests whose document was parsed, validated and resolved (no plan-cache hit).
    compiled: std::sync::atomic::AtomicU64,
    #[cfg(test)]
    faults: tests::Faults,
    /// Each tenant's share of the database connections (see [`StatementGate`]).
    tenant_turns:
        std::sync::Mutex<std::collections::HashMap<TenantId, Arc<tokio::sync::Semaphore>>>,
}

/// An executed request: the dialect it ran in, the response, and the JSON text of the root
/// list fields the database answered directly. The response alone holds an empty list in each
/// such field's place, so it is never handed out without its parts: read it with
/// [`Executed::to_json`] or [`Executed::into_response`], which fail closed.
#[derive(Debug)]
pub struct Executed {
    /// The dialect the document ran in.
    pub syntax: Syntax,
    response: Response,
    raw: Vec<(plan_cache::PlannedField, String)>,
}

impl Executed {
    /// A document refused before any dialect ran it (a syntax error): in the forced dialect,
    /// or the current one.
    fn rejected(forced: Option<Syntax>, error: ServerError) -> Self {
        Executed {
            syntax: forced.unwrap_or(Syntax::Current),
            response: Response::from_errors(vec![error]),
            raw: Vec::new(),
        }
    }

    fn refused(error: async_graphql::Error) -> Self {
        Executed {
            syntax: Syntax::Current,
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
            .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
                Value::String(code) => Some(code.clone()),
                _ => None,
            })
            .collect()
    }

    /// The response as JSON text, with the raw parts written in place. When it cannot be
    /// written whole (a part that is not JSON, a part without its field), the text is one
    /// `INTERNAL` error and no data, never the placeholder.
    pub fn to_json(&self) -> String {
        raw::response_json(&self.response, &self.raw)
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
pub struct SchemaBuildError(String);

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
            current: build(Syntax::Current)?,
            legacy: build(Syntax::Legacy)?,
            limits,
            dialects: plan_cache::DialectMemo::default(),
            plans: plan_cache::PlanCache::default(),
            plan_hits: std::sync::atomic::AtomicU64::new(0),
            compiled: std::sync::atomic::AtomicU64::new(0),
            #[cfg(test)]
            faults: tests::Faults::default(),
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
    pub fn sdl(&self, syntax: Syntax) -> String {
        self.schema(syntax).sdl()
    }

    fn schema(&self, syntax: Syntax) -> &Schema {
        match syntax {
            Syntax::Current => &self.current,
            Syntax::Legacy => &self.legacy,
        }
    }

    /// Runs `request` for `context`. With `forced`, only that dialect is tried; otherwise the
    /// current dialect first and, when the document does not validate against it, the legacy
    /// one, whose errors are then reported.
    pub async fn execute(
        &self,
        request: GraphQLRequest,
        forced: Option<Syntax>,
        context: RequestContext,
    ) -> (Syntax, Response) {
        let executed = self.execute_raw(request, forced, context).await;
        (executed.syntax, executed.into_response())
    }

    /// Like [`Engine::execute`], but root list fields may be answered by the database's JSON
    /// text, unparsed: write the answer with [`Executed::to_json`].
    pub async fn execute_raw(
        &self,
        request: GraphQLRequest,
        forced: Option<Syntax>,
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
        forced: Option<Syntax>,
        context: RequestContext,
    ) -> Result<(Syntax, Vec<PlannedStatement>), Response> {
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

    /// `query` parsed by async-graphql's parser, with the AssetFragment definition added when
    /// it spreads it without defining it; a syntax error is `GRAPHQL_PARSE_FAILED`.
    fn parse_document(query: &str) -> Result<ExecutableDocument, async_graphql::ServerError> {
        let mut document = async_graphql::parser::parse_query(query).map_err(error::parse_error)?;
        fragment::add_asset_fragment(&mut document);
        Ok(document)
    }

    /// The statement turns of one request of `tenant`.
    fn gate(&self, tenant: &TenantId) -> StatementGate {
        let share = {
            // A poisoned lock only means another request panicked while inserting; the map
            // is still whole.
            let mut turns = self
                .tenant_turns
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(turns.entry(tenant.clone()).or_insert_with(|| {
                Arc::new(tokio::sync::Semaphore::new(
                    self.limits.max_tenant_statements.max(1),
                ))
            }))
        };
        StatementGate::new(self.limits.max_concurrent_statements, share)
    }

    async fn run(
        &self,
        request: GraphQLRequest,
        forced: Option<Syntax>,
        mut context: RequestContext,
        dry_run: bool,
    ) -> Executed {
        context.gate = self.gate(&context.tenant);
        if let Err(error) = limits::check_text(
            &request.query,
            self.limits.max_depth,
            self.limits.max_selections,
        ) {
            return Executed::refused(error);
        }
        // Variables are part of the key: a dashboard paging with variables replays the plan of
        // each page it has asked for before.
        let variables = match &request.variables {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::Object(map)) if map.is_empty() => String::new(),
            Some(v) => v.to_string(),
        };
        let plan_key = (!dry_run).then(|| plan_cache::PlanKey {
            query: request.query.clone(),
            operation: request.operation_name.clone(),
            variables,
            tenant: context.tenant.clone(),
            unpaged: context.unpaged,
            database: context.db.dialect(),
        });
        if let Some(plan) = plan_key.as_ref().and_then(|key| self.plans.get(key)) {
            if forced.is_none_or(|f| f == plan.syntax) {
                self.plan_hits
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return self.replay(&plan, &context).await;
            }
        }
        self.compiled
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let uncached = self.run_uncached(request, forced, context, dry_run, plan_key);
        off_runtime(uncached).await
    }

    /// Parses, checks, validates and executes a document the plan cache could not answer.
    async fn run_uncached(
        &self,
        request: GraphQLRequest,
        forced: Option<Syntax>,
        context: RequestContext,
        dry_run: bool,
        plan_key: Option<plan_cache::PlanKey>,
    ) -> Executed {
        let document = match Self::parse_document(&request.query) {
            Ok(document) => document,
            Err(error) => return Executed::rejected(forced, error),
        };
        let checked = limits::check_document(&document, request.variables.as_ref(), &self.limits);
        if let Err(error) = checked {
            return Executed::refused(error);
        }
        let raw_ok = raw::qualifies(&document);
        if dry_run && !(raw_ok && only_queries(&document)) {
            return Executed {
                syntax: forced.unwrap_or(Syntax::Current),
                response: error::not_plannable(),
                raw: Vec::new(),
            };
        }
        let interface_only = raw::interface_only_keys(&document, request.operation_name.as_deref());
        let attempt = Attempt {
            request: &request,
            variables: request.variables.clone().map(Variables::from_json),
            context: &context,
            raw: raw_ok.then_some((dry_run, interface_only)),
        };
        let (syntax, mut response, parts) = self
            .in_first_fitting_dialect(attempt, document, forced)
            .await;
        for error in &mut response.errors {
            error::add_code(error);
        }
        if let (Some(key), Value::Object(data)) = (plan_key, &response.data) {
            // Only plans of the dialect the engine chose itself: a forced dialect must not
            // change what later unforced requests report.
            let every_field_raw = forced.is_none()
                && response.errors.is_empty()
                && data.len() == parts.len()
                && data
                    .keys()
                    .all(|k| parts.iter().any(|(f, _)| f.key == k.as_str()));
            if every_field_raw {
                let fields = data
                    .keys()
                    .filter_map(|k| parts.iter().find(|(f, _)| f.key == k.as_str()))
                    .map(|(f, _)| f.clone())
                    .collect();
                self.plans.insert(plan_cache::Plan {
                    syntax,
                    fields,
                    made_for: key,
                });
            }
        }
        Executed {
            syntax,
            response,
            raw: parts,
        }
    }

    /// The dialects to try, in order: only the forced one; otherwise the current dialect
    /// first, unless the document validated in the legacy one before.
    fn dialect_order(&self, forced: Option<Syntax>, query: &str) -> &'static [Syntax] {
        match (forced, self.dialects.get(query)) {
            (Some(Syntax::Current), _) => &[Syntax::Current],
            (Some(Syntax::Legacy), _) => &[Syntax::Legacy],
            (None, Some(Syntax::Legacy)) => &[Syntax::Legacy, Syntax::Current],
            (None, _) => &[Syntax::Current, Syntax::Legacy],
        }
    }

    /// Executes `document` in the first dialect (of [`Engine::dialect_order`]) that does not
    /// reject it before execution. When every dialect rejects it, the answer with the fewest
    /// errors is reported (the current dialect's on a tie), not whichever ran last.
    async fn in_first_fitting_dialect(
        &self,
        attempt: Attempt<'_>,
        document: ExecutableDocument,
        forced: Option<Syntax>,
    ) -> (Syntax, Response, Vec<(plan_cache::PlannedField, String)>) {
        let order = self.dialect_order(forced, &attempt.request.query);
        let mut rejected: Vec<(Syntax, Response)> = Vec::with_capacity(order.len());
        let mut document = Some(document);
        for (n, candidate) in order.iter().copied().enumerate() {
            // The executor takes the document; a second dialect (rare) gets a copy.
            let this = if n + 1 < order.len() {
                document.clone()
            } else {
                document.take()
            };
            let Some(this) = this else { break };
            let raw = attempt
                .raw
                .as_ref()
                .map(|(dry_run, keys)| Arc::new(raw::RawParts::new(*dry_run, keys.clone())));
            let response = self
                .schema(candidate)
                .execute(attempt.request_for(this, raw.as_ref(), &self.limits))
                .await;
            if error::is_rejected_before_execution(&response) {
                rejected.push((candidate, response));
                continue;
            }
            if forced.is_none() {
                self.dialects
                    .insert(attempt.request.query.as_str(), candidate);
            }
            #[cfg(test)]
            if self
                .faults
                .poison_raw_parts
                .load(std::sync::atomic::Ordering::Relaxed)
            {
                if let Some(raw) = &raw {
                    raw.poison();
                }
            }
            return match raw.map(|r| r.take()).transpose() {
                Ok(parts) => (candidate, response, parts.unwrap_or_default()),
                Err(error) => (candidate, error::error_response(error), Vec::new()),
            };
        }
        rejected.sort_by_key(|(candidate, answer)| {
            (answer.errors.len(), *candidate != Syntax::Current)
        });
        let (syntax, response) = rejected
            .into_iter()
            .next()
            .unwrap_or_else(|| (order[0], error::error_response(error::lost_part())));
        (syntax, response, Vec::new())
    }

    /// Runs a cached plan's statements (concurrently, as the executor resolves root fields).
    /// A statement that fails is the answer's error (with its field's path) and there is no
    /// data: the document is not run a second time, so a `TIMEOUT` costs one timeout.
    async fn replay(&self, plan: &plan_cache::Plan, context: &RequestContext) -> Executed {
        let runs = plan.fields.iter().map(|field| async {
            #[cfg(test)]
            if self
                .faults
                .fail_replay
                .load(std::sync::atomic::Ordering::Relaxed)
            {
                return Err(error::coded("injected replay failure", ErrorCode::Internal));
            }
            let text = statement::run_text_for(
                context,
                &field.sql,
                &field.params,
                self.limits.query_timeout,
            )
            .await?;
            field.answer(text).map_err(|e| {
                tracing::error!(error = %e, "the database returned unreadable JSON");
                error::coded(
                    "internal error while reading the result",
                    ErrorCode::Internal,
                )
            })
        });
        let texts = futures_util::future::join_all(runs).await;
        let mut data = async_graphql::indexmap::IndexMap::new();
        let mut parts = Vec::with_capacity(texts.len());
        let mut errors = Vec::new();
        for (field, text) in plan.fields.iter().zip(texts) {
            match text {
                Ok(text) => {
                    data.insert(
                        async_graphql::Name::new(&field.key),
                        Value::List(Vec::new()),
                    );
                    parts.push((field.clone(), text));
                }
                Err(error) => {
                    let mut error = error.into_server_error(async_graphql::Pos::default());
                    error.path = vec![async_graphql::PathSegment::Field(field.key.clone())];
                    errors.push(error);
                }
            }
        }
        if !errors.is_empty() {
            return Executed {
                syntax: plan.syntax,
                response: Response::from_errors(errors),
                raw: Vec::new(),
            };
        }
        Executed {
            syntax: plan.syntax,
            response: Response::new(Value::Object(data)),
            raw: parts,
        }
    }
}

/// Runs `work` off the async worker threads when the runtime has several: parsing,
/// validating and resolving a new document costs CPU in proportion to its size (bounded by the
/// limits), and on an async worker it would hold up every other request scheduled there, health
/// checks included. `block_in_place` hands the worker's other tasks to another thread for the
/// duration. On a current-thread runtime (tests) it simply awaits.
async fn off_runtime<T>(work: impl std::future::Future<Output = T>) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(move || handle.block_on(work))
        }
        _ => work.await,
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

fn only_queries(document: &async_graphql::parser::types::ExecutableDocument) -> bool {
    document.operations.iter().all(|(_, operation)| {
        operation.node.ty == async_graphql::parser::types::OperationType::Query
    })
}

/// What one execution of a document needs besides the document and the dialect.
struct Attempt<'a> {
    request: &'a GraphQLRequest,
    /// Converted once; each dialect tried gets a copy.
    variables: Option<Variables>,
    context: &'a RequestContext,
    /// When the document qualifies for raw answers: dry run, and the interface-only keys.
    raw: Option<(bool, Vec<String>)>,
}

impl Attempt<'_> {
    fn request_for(
        &self,
        document: ExecutableDocument,
        raw: Option<&Arc<raw::RawParts>>,
        limits: &Limits,
    ) -> Request {
        let mut gql = Request::new(self.request.query.clone())
            .data(self.context.clone())
            .data(limits.clone());
        gql.set_parsed_query(document);
        if let Some(raw) = raw {
            gql = gql.data(Arc::clone(raw));
        }
        if let Some(variables) = &self.variables {
            gql = gql.variables(variables.clone());
        }
        if let Some(name) = &self.request.operation_name {
            gql = gql.operation_name(name.clone());
        }
        gql
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod drift {
    use super::*;

    fn checked_in(file: &str) -> String {
        let path = format!("{}/../../{file}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    #[test]
    fn checked_in_sdl_matches_the_generated_schemas() {
        let engine = Engine::new().expect("schemas build");
        assert!(
            checked_in("schema.graphql") == engine.sdl(Syntax::Current),
            "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
        );
        assert!(
            checked_in("schema.legacy.graphql") == engine.sdl(Syntax::Legacy),
            "schema.legacy.graphql is stale: run `cargo run -- schema --dialect legacy > schema.legacy.graphql`"
        );
    }
}
