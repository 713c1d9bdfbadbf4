//! How a request runs, stage by stage ([`Engine::run`]):
//!
//! 1. **size** — the text is refused before parsing when it nests too deep or holds too many
//!    names (`limits::check_text`);
//! 2. **replay** — a document whose plan is cached runs its statements, nothing else
//!    ([`Engine::replay`]);
//! 3. **parse** — async-graphql's parser, the AssetFragment added when spread but undefined;
//! 4. **check** — literals, variables, aliases, fragments, depth (`limits::check_document`);
//! 5. **execute** — in the first dialect whose validation accepts the document
//!    ([`Engine::in_first_fitting_dialect`]), root list fields answered raw when the document
//!    qualifies;
//! 6. **code** — every error gets an `extensions.code` by where it arose;
//! 7. **keep** — a document whose root fields were all answered raw keeps its plan.
//!
//! Stages 3 to 7 run off the async worker threads ([`off_runtime`]).

use std::sync::Arc;

use assetql_model::{ErrorCode, TenantId};
use assetql_sql::QueryDialect;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, Value, Variables};

use crate::context::RequestContext;
use crate::engine::{Engine, Executed, GraphQLRequest};
use crate::error;
use crate::fragment;
use crate::gate::StatementGate;
use crate::limits::{self, Limits};
use crate::plan_cache;
use crate::raw;
use crate::statement;
use crate::warning::{self, Warnings};

impl Engine {
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

    pub(crate) async fn run(
        &self,
        request: GraphQLRequest,
        forced: Option<QueryDialect>,
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
        // A document another request is compiling now: wait for its plan (once) rather than
        // compile it again. Held until this request's plan is kept (or it fails).
        let _leader = match &plan_key {
            Some(key) => match self.compiling.join(key).await {
                plan_cache::Flight::Leader(guard) => Some(guard),
                plan_cache::Flight::Waited => {
                    if let Some(plan) = self.plans.get(key) {
                        if forced.is_none_or(|f| f == plan.syntax) {
                            self.plan_hits
                                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            return self.replay(&plan, &context).await;
                        }
                    }
                    None
                }
            },
            None => None,
        };
        self.compiled
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let uncached = self.run_uncached(request, forced, context, dry_run, plan_key);
        off_runtime(uncached).await
    }

    /// Parses, checks, validates and executes a document the plan cache could not answer.
    async fn run_uncached(
        &self,
        request: GraphQLRequest,
        forced: Option<QueryDialect>,
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
                syntax: forced.unwrap_or(QueryDialect::Current),
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
            warnings: Arc::default(),
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
    fn dialect_order(&self, forced: Option<QueryDialect>, query: &str) -> &'static [QueryDialect] {
        match (forced, self.dialects.get(query)) {
            (Some(QueryDialect::Current), _) => &[QueryDialect::Current],
            (Some(QueryDialect::Legacy), _) => &[QueryDialect::Legacy],
            (None, Some(QueryDialect::Legacy)) => &[QueryDialect::Legacy, QueryDialect::Current],
            (None, _) => &[QueryDialect::Current, QueryDialect::Legacy],
        }
    }

    /// Executes `document` in the first dialect (of [`Engine::dialect_order`]) that does not
    /// reject it before execution. When every dialect rejects it, the answer with the fewest
    /// errors is reported (the current dialect's on a tie), not whichever ran last.
    async fn in_first_fitting_dialect(
        &self,
        attempt: Attempt<'_>,
        document: ExecutableDocument,
        forced: Option<QueryDialect>,
    ) -> (
        QueryDialect,
        Response,
        Vec<(plan_cache::PlannedField, String)>,
    ) {
        let order = self.dialect_order(forced, &attempt.request.query);
        let mut rejected: Vec<(QueryDialect, Response)> = Vec::with_capacity(order.len());
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
            // Warnings of a dialect that was then refused are not this answer's.
            attempt.warnings.take();
            let mut response = self
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
            warning::attach(&mut response, attempt.warnings.take());
            return match raw.map(|r| r.take()).transpose() {
                Ok(parts) => (candidate, response, parts.unwrap_or_default()),
                Err(error) => (candidate, error::error_response(error), Vec::new()),
            };
        }
        rejected.sort_by_key(|(candidate, answer)| {
            (answer.errors.len(), *candidate != QueryDialect::Current)
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
        let mut warnings = Vec::new();
        for (field, text) in plan.fields.iter().zip(texts) {
            match text {
                Ok((text, truncated)) => {
                    warnings.extend(truncated);
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
        let mut response = Response::new(Value::Object(data));
        warning::attach(&mut response, warnings);
        Executed {
            syntax: plan.syntax,
            response,
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
    /// Lists cut at the default page size, for the answer's `extensions.warnings`.
    warnings: Arc<Warnings>,
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
        gql = gql.data(Arc::clone(&self.warnings));
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
