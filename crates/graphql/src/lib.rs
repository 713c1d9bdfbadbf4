//! The GraphQL surface of assetql: one fully typed schema per Neo4j dialect generated from the
//! asset catalogue, and [`Engine::execute`], which runs a request in the dialect it validates
//! against (current first, legacy second, or the one the client names), supplies the stored
//! controls' `AssetFragment` when a document spreads it without defining it, and gives every
//! error an `extensions.code`.

pub mod controls_api;
mod fragment;
mod limits;
#[doc(hidden)]
pub mod parse;
mod raw;
mod resolve;
mod schema;
mod statement;
#[doc(hidden)]
pub mod validate;

use std::sync::Arc;

use assetql_sql::Syntax;
use async_graphql::dynamic::Schema;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ErrorExtensionValues, Request, Response, ServerError, Value, Variables};

pub use controls_api::{BoxFuture, ControlSummary, ControlsBackend};
pub use fragment::{with_asset_fragment, ASSET_FRAGMENT};
pub use limits::{Limits, MAX_NESTING};
pub use resolve::RequestContext;
pub use statement::StatementGate;

/// Builds schemas and executes requests.
pub struct Engine {
    current: Schema,
    legacy: Schema,
    /// The same schemas with async-graphql's validation skipped, for documents
    /// [`validate::verdict`] has found valid.
    current_prevalidated: Schema,
    legacy_prevalidated: Schema,
    current_required: validate::RequiredInputs,
    legacy_required: validate::RequiredInputs,
    /// Whether the engine's own parser and validator are used (off only for the reference
    /// the differential tests compare the engine with).
    fast_paths: bool,
    limits: Limits,
    /// The dialect each recently seen document validated in, so that a legacy document (a
    /// stored control, say) is not first rejected by the current schema on every request.
    dialects: raw::Bounded<Syntax>,
    plans: raw::PlanCache,
    plan_hits: std::sync::atomic::AtomicU64,
    /// Each tenant's share of the database connections (see [`StatementGate`]).
    tenant_turns: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Semaphore>>>,
}

/// An executed request: the dialect it ran in, the response, and the JSON text of the root
/// list fields the database answered directly (their place in `response` holds an empty list).
#[derive(Debug)]
pub struct Executed {
    /// The dialect the document ran in.
    pub syntax: Syntax,
    /// The response, without the raw parts.
    pub response: Response,
    raw: Vec<(raw::PlannedField, String)>,
}

impl Executed {
    fn refused(error: async_graphql::Error) -> Self {
        Executed {
            syntax: Syntax::Current,
            response: Response::from_errors(vec![
                error.into_server_error(async_graphql::Pos::default())
            ]),
            raw: Vec::new(),
        }
    }

    /// The response as JSON text, with the raw parts written in place.
    pub fn to_json(&self) -> String {
        raw::response_json(&self.response, &self.raw)
    }
}

/// Documents whose dialect is remembered at most.
const DIALECT_MEMO_SIZE: usize = 4096;

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

/// The `extensions.code` of a GraphQL validation failure.
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
/// The `extensions.code` of a GraphQL syntax error.
pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";

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
        let build = |syntax, mode| {
            schema::build(syntax, &limits, mode).map_err(|e| SchemaBuildError(e.to_string()))
        };
        let strict = async_graphql::ValidationMode::Strict;
        let fast = async_graphql::ValidationMode::Fast;
        let current = build(Syntax::Current, strict)?;
        let legacy = build(Syntax::Legacy, strict)?;
        Ok(Engine {
            current_required: validate::RequiredInputs::of(current.registry()),
            legacy_required: validate::RequiredInputs::of(legacy.registry()),
            current,
            legacy,
            current_prevalidated: build(Syntax::Current, fast)?,
            legacy_prevalidated: build(Syntax::Legacy, fast)?,
            fast_paths: true,
            limits,
            dialects: raw::Bounded::new(DIALECT_MEMO_SIZE),
            plans: raw::PlanCache::default(),
            plan_hits: std::sync::atomic::AtomicU64::new(0),
            tenant_turns: std::sync::Mutex::default(),
        })
    }

    /// Requests answered from a cached plan (no parse, validation or resolution) so far.
    pub fn plan_cache_hits(&self) -> u64 {
        self.plan_hits.load(std::sync::atomic::Ordering::Relaxed)
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

    /// What [`validate::verdict`] says of `document` in `syntax`.
    fn verdict_in(
        &self,
        syntax: Syntax,
        document: &async_graphql::parser::types::ExecutableDocument,
        operation: Option<&str>,
        variables: Option<&Variables>,
    ) -> validate::Verdict {
        let required = match syntax {
            Syntax::Current => &self.current_required,
            Syntax::Legacy => &self.legacy_required,
        };
        validate::verdict(
            self.schema(syntax).registry(),
            required,
            document,
            operation,
            variables,
        )
    }

    /// The schema to execute a document in: without async-graphql's validation when
    /// [`validate::verdict`] found the document valid.
    fn executing_schema(&self, syntax: Syntax, verdict: validate::Verdict) -> &Schema {
        use validate::Verdict::{ScalarFilter, Valid};
        match (syntax, verdict) {
            (Syntax::Current, Valid | ScalarFilter) => &self.current_prevalidated,
            (Syntax::Legacy, Valid | ScalarFilter) => &self.legacy_prevalidated,
            _ => self.schema(syntax),
        }
    }

    /// The engine with every document parsed and validated by async-graphql (the reference
    /// the differential tests compare the engine with).
    #[doc(hidden)]
    pub fn without_fast_paths(mut self) -> Self {
        self.fast_paths = false;
        self
    }

    /// What [`validate::verdict`] says of `query` in `syntax` (for the differential test
    /// against async-graphql's own validation); `None` when the document does not parse.
    #[doc(hidden)]
    pub fn verdict(&self, request: &GraphQLRequest, syntax: Syntax) -> Option<validate::Verdict> {
        let mut parsed = async_graphql::parser::parse_query(&request.query).ok()?;
        fragment::add_asset_fragment(&mut parsed);
        let variables = request.variables.clone().map(Variables::from_json);
        Some(self.verdict_in(
            syntax,
            &parsed,
            request.operation_name.as_deref(),
            variables.as_ref(),
        ))
    }

    /// Whether async-graphql's strict validation passes `request` in `syntax` (the reference
    /// the differential test holds [`validate::verdict`] to). Runs the document when it does.
    #[doc(hidden)]
    pub async fn passes_strict_validation(
        &self,
        request: GraphQLRequest,
        syntax: Syntax,
        context: RequestContext,
    ) -> bool {
        let mut gql = Request::new(request.query.clone())
            .data(context)
            .data(self.limits.clone());
        if let Ok(mut parsed) = async_graphql::parser::parse_query(&request.query) {
            fragment::add_asset_fragment(&mut parsed);
            gql.set_parsed_query(parsed);
        }
        if let Some(name) = request.operation_name {
            gql = gql.operation_name(name);
        }
        if let Some(variables) = request.variables {
            gql = gql.variables(Variables::from_json(variables));
        }
        let response = self.schema(syntax).execute(gql).await;
        // Validation errors are the ones without a code (resolvers always give one).
        !(matches!(response.data, Value::Null)
            && !response.errors.is_empty()
            && response.errors.iter().all(|e| {
                e.extensions
                    .as_ref()
                    .is_none_or(|x| x.get("code").is_none())
            }))
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
        (
            executed.syntax,
            raw::splice(executed.response, executed.raw),
        )
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
            return Err(not_plannable());
        };
        let mut statements = Vec::with_capacity(data.len());
        for key in data.keys() {
            let Some((field, _)) = executed.raw.iter().find(|(f, _)| f.key == key.as_str()) else {
                return Err(not_plannable());
            };
            statements.push(PlannedStatement {
                field: field.key.clone(),
                sql: field.sql.clone(),
                params: field.params.clone(),
            });
        }
        Ok((executed.syntax, statements))
    }

    /// `query` parsed, with the AssetFragment definition added when it spreads it; `None`
    /// when it does not parse (the executor then reports the syntax error).
    fn parse_document(&self, query: &str) -> Option<ExecutableDocument> {
        let mut document = if self.fast_paths {
            parse::parse_query(query).ok()?
        } else {
            async_graphql::parser::parse_query(query).ok()?
        };
        fragment::add_asset_fragment(&mut document);
        Some(document)
    }

    /// The statement turns of one request of `tenant`.
    fn gate(&self, tenant: &str) -> StatementGate {
        let share = {
            // A poisoned lock only means another request panicked while inserting; the map
            // is still whole.
            let mut turns = self
                .tenant_turns
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(turns.entry(tenant.to_owned()).or_insert_with(|| {
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
        let plan_key = (!dry_run).then(|| raw::PlanKey {
            query: request.query.clone(),
            operation: request.operation_name.clone(),
            variables,
            tenant: context.tenant.clone(),
            unpaged: context.unpaged,
        });
        if let Some(plan) = plan_key.as_ref().and_then(|key| self.plans.get(key)) {
            if forced.is_none_or(|f| f == plan.syntax) {
                if let Some(executed) = self.replay(&plan, &context).await {
                    self.plan_hits
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return executed;
                }
            }
        }
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
        plan_key: Option<raw::PlanKey>,
    ) -> Executed {
        // The document is parsed once here and handed to the executor; an unparsable one is
        // left to the executor, which reports the syntax error.
        let mut parsed = self.parse_document(&request.query);
        let mut raw_ok = false;
        if let Some(parsed) = &mut parsed {
            let checked = limits::check_document(parsed, request.variables.as_ref(), &self.limits);
            if let Err(error) = checked {
                return Executed::refused(error);
            }
            raw_ok = raw::qualifies(parsed);
        }
        if dry_run && !(raw_ok && parsed.as_ref().is_some_and(only_queries)) {
            return Executed {
                syntax: forced.unwrap_or(Syntax::Current),
                response: not_plannable(),
                raw: Vec::new(),
            };
        }
        // Converted once: the validator reads them, and each dialect tried gets a copy.
        let variables = request.variables.clone().map(Variables::from_json);
        let build = |raw: Option<&Arc<raw::RawParts>>, document: Option<ExecutableDocument>| {
            let mut gql = Request::new(request.query.clone())
                .data(context.clone())
                .data(self.limits.clone());
            if let Some(document) = document {
                gql.set_parsed_query(document);
            }
            if let Some(raw) = raw {
                gql = gql.data(Arc::clone(raw));
            }
            if let Some(variables) = &variables {
                gql = gql.variables(variables.clone());
            }
            if let Some(name) = &request.operation_name {
                gql = gql.operation_name(name.clone());
            }
            gql
        };
        let remembered = self.dialects.get(request.query.as_str());
        let order: &[Syntax] = match (forced, remembered) {
            (Some(Syntax::Current), _) => &[Syntax::Current],
            (Some(Syntax::Legacy), _) => &[Syntax::Legacy],
            // A document that validated in one dialect before is tried there first.
            (None, Some(Syntax::Legacy)) => &[Syntax::Legacy, Syntax::Current],
            (None, _) => &[Syntax::Current, Syntax::Legacy],
        };
        let mut syntax = order[0];
        let mut response = Response::default();
        let mut parts = Vec::new();
        let was_parsed = parsed.is_some();
        let interface_only = parsed.as_ref().map_or_else(Vec::new, |document| {
            raw::interface_only_keys(document, request.operation_name.as_deref())
        });
        // Dialects whose errors were not reported: when every dialect rejects the document,
        // the one with the fewest errors is reported (the current one on a tie), not whichever
        // ran last.
        let mut skipped: Vec<Syntax> = Vec::new();
        let mut rejected: Vec<(Syntax, Response)> = Vec::new();
        for (n, candidate) in order.iter().enumerate() {
            // The executor takes the document; a second dialect (rare) parses it again.
            if parsed.is_none() && was_parsed {
                parsed = self.parse_document(&request.query);
            }
            let verdict = match &parsed {
                Some(document) if self.fast_paths => self.verdict_in(
                    *candidate,
                    document,
                    request.operation_name.as_deref(),
                    variables.as_ref(),
                ),
                _ => validate::Verdict::Unsure,
            };
            // A dialect the document certainly does not fit is skipped, unless it is the last
            // one, whose errors are then reported.
            let mismatch = matches!(
                verdict,
                validate::Verdict::Invalid | validate::Verdict::ScalarFilter
            );
            if mismatch && n + 1 < order.len() {
                skipped.push(*candidate);
                continue;
            }
            let raw = raw_ok.then(|| Arc::new(raw::RawParts::new(dry_run, interface_only.clone())));
            response = self
                .executing_schema(*candidate, verdict)
                .execute(build(raw.as_ref(), parsed.take()))
                .await;
            syntax = *candidate;
            parts = raw.map(|r| r.take()).unwrap_or_default();
            if !is_rejected_before_execution(&response) {
                if forced.is_none() {
                    self.dialects.insert(request.query.as_str(), syntax);
                }
                break;
            }
            if n + 1 < order.len() {
                rejected.push((syntax, std::mem::take(&mut response)));
            }
        }
        if is_rejected_before_execution(&response) && !(rejected.is_empty() && skipped.is_empty()) {
            for candidate in skipped {
                let document = self.parse_document(&request.query);
                let answer = self.schema(candidate).execute(build(None, document)).await;
                rejected.push((candidate, answer));
            }
            rejected.push((syntax, std::mem::take(&mut response)));
            rejected.sort_by_key(|(candidate, answer)| {
                (answer.errors.len(), *candidate != Syntax::Current)
            });
            let (best, answer) = rejected.swap_remove(0);
            (syntax, response, parts) = (best, answer, Vec::new());
        }
        for error in &mut response.errors {
            add_code(error, &self.limits);
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
                self.plans.insert(raw::Plan {
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

    /// Runs a cached plan's statements (concurrently, as the executor resolves root fields).
    /// `None` when one fails: the caller then runs the document normally, which reports the
    /// error the way a resolver does.
    async fn replay(&self, plan: &raw::Plan, context: &RequestContext) -> Option<Executed> {
        let runs = plan.fields.iter().map(|field| {
            statement::run_text_for(
                context,
                &field.sql,
                &field.params,
                self.limits.query_timeout,
            )
        });
        let texts = futures_util::future::join_all(runs).await;
        let mut data = async_graphql::indexmap::IndexMap::new();
        let mut parts = Vec::with_capacity(texts.len());
        for (field, text) in plan.fields.iter().zip(texts) {
            let text = field.answer(text.ok()?).ok()?;
            data.insert(
                async_graphql::Name::new(&field.key),
                Value::List(Vec::new()),
            );
            parts.push((field.clone(), text));
        }
        Some(Executed {
            syntax: plan.syntax,
            response: Response::new(Value::Object(data)),
            raw: parts,
        })
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

/// The `extensions.code` of [`Engine::plan`] for documents it cannot plan.
pub const NOT_PLANNABLE: &str = "NOT_PLANNABLE";

fn not_plannable() -> Response {
    let error = resolve::coded(
        "the document cannot be planned: only queries whose root fields are list or \
         connection fields answered by one statement each, without directives, can",
        NOT_PLANNABLE,
    );
    Response::from_errors(vec![error.into_server_error(async_graphql::Pos::default())])
}

fn only_queries(document: &async_graphql::parser::types::ExecutableDocument) -> bool {
    document.operations.iter().all(|(_, operation)| {
        operation.node.ty == async_graphql::parser::types::OperationType::Query
    })
}

/// Whether the document does not fit the dialect: parse and validation errors (no data, no
/// error with a path), or an input shape the executor's validator let through and a resolver
/// reported as a validation failure.
fn is_rejected_before_execution(response: &Response) -> bool {
    // Resolver errors always carry a code (and root-field errors may have no path), so an
    // error without a code and without a path comes from parsing or validation.
    let before = !response.errors.is_empty()
        && matches!(response.data, Value::Null)
        && response.errors.iter().all(|e| {
            e.path.is_empty()
                && e.extensions
                    .as_ref()
                    .is_none_or(|x| x.get("code").is_none())
        });
    let shape = response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|code| *code == Value::from(VALIDATION_FAILED))
    });
    before || shape
}

fn add_code(error: &mut ServerError, limits: &Limits) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    if has_code {
        return;
    }
    let exceeded = match error.message.as_str() {
        "Query is too complex." => Some(("QUERY_TOO_COMPLEX", limits.max_complexity)),
        "Query is nested too deep." | "recursion limit exceeded." => {
            Some(("QUERY_TOO_DEEP", limits.max_depth))
        }
        _ => None,
    };
    if let Some((code, limit)) = exceeded {
        let extensions = error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        extensions.set("code", code);
        extensions.set("limit", u64::try_from(limit).unwrap_or(u64::MAX));
        return;
    }
    let code = if !error.path.is_empty() {
        "INTERNAL"
    } else if error.message.starts_with(" --> ")
        || error.message.contains("expected ")
            && error.locations.len() <= 1
            && error.message.contains("-->")
    {
        PARSE_FAILED
    } else {
        VALIDATION_FAILED
    };
    let extensions = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    extensions.set("code", code);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_schemas_build() {
        let engine = Engine::new().expect("schemas build");
        let current = engine.sdl(Syntax::Current);
        let legacy = engine.sdl(Syntax::Legacy);
        assert!(current.contains("containerSpecs_SOME: ContainerSpecWhere"));
        assert!(current.contains("StringScalarFilters"));
        assert!(legacy.contains("task_NOT: EcsTaskWhere"));
        assert!(legacy.contains("networkMode_NOT: String"));
        assert!(!current.contains("networkMode_NOT"));
    }
}

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
