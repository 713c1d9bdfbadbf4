//! Evaluating controls through the GraphQL engine, applying exceptions, recording runs.

use std::sync::Arc;

use assetql_graphql::{Engine, GraphQLRequest, RequestContext};
use assetql_model::TenantId;
use assetql_store::{
    ControlException, ControlRun, ControlStatus, Database, Finding, StaleScope, StoreError,
};
use async_graphql::Value;
use chrono::{DateTime, Utc};

use crate::catalogue::{Comparator, Control, Expected};

mod applicable;

use applicable::ApplicableMemo;
use futures_util::StreamExt;

/// Controls evaluated at once by one run: each is one statement at a time, so two keep two
/// database cores busy without taking more than two pool connections from the API.
const RUN_CONCURRENCY: usize = 2;

/// Evaluates controls for a tenant and records the runs.
#[derive(Debug, Clone)]
pub struct Runner {
    engine: Arc<Engine>,
    pub(crate) db: Database,
    max_data_age: chrono::Duration,
}

/// How old a scope's newest successful sync may be before runs say their data is stale.
pub const DEFAULT_MAX_DATA_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Why an exception was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExceptionError {
    /// No owner.
    #[error("an exception needs an owner")]
    MissingOwner,
    /// No reason.
    #[error("an exception needs a reason")]
    MissingReason,
    /// The expiry is not in the future.
    #[error("the expiry {0} is not in the future")]
    ExpiryInPast(DateTime<Utc>),
    /// No asset.
    #[error("an exception names one asset identifier")]
    MissingAsset,
}

/// Validates and builds a new exception (id 0 until stored).
pub fn new_exception(
    control_id: &str,
    asset_identifier: &str,
    owner: &str,
    reason: &str,
    expires_at: DateTime<Utc>,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<ControlException, ExceptionError> {
    if owner.trim().is_empty() {
        return Err(ExceptionError::MissingOwner);
    }
    if reason.trim().is_empty() {
        return Err(ExceptionError::MissingReason);
    }
    if asset_identifier.trim().is_empty() {
        return Err(ExceptionError::MissingAsset);
    }
    if expires_at <= now {
        return Err(ExceptionError::ExpiryInPast(expires_at));
    }
    Ok(ControlException {
        id: 0,
        control_id: control_id.to_owned(),
        asset_identifier: asset_identifier.to_owned(),
        owner: owner.trim().to_owned(),
        reason: reason.trim().to_owned(),
        expires_at,
        created_by: created_by.to_owned(),
        created_at: now,
        revoked_at: None,
    })
}

/// The assets in a response's data: every object in the root fields' lists.
fn assets(data: &Value) -> Option<Vec<Finding>> {
    let Value::Object(fields) = data else {
        return None;
    };
    let mut found = Vec::new();
    for value in fields.values() {
        let Value::List(items) = value else {
            return None;
        };
        for item in items {
            let text = |key: &str| match item {
                Value::Object(o) => match o.get(key) {
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                },
                _ => None,
            };
            found.push(Finding {
                asset_identifier: text("identifier")
                    .or_else(|| text("idFromProvider"))
                    .or_else(|| text("arn"))
                    .unwrap_or_else(|| item.to_string()),
                // Every asset type's `idFromProvider` is its ARN, the column `identifier`
                // reads too (catalogue/ecs/mod.rs): the runner's fragment selects it once.
                id_from_provider: text("idFromProvider")
                    .or_else(|| text("arn"))
                    .or_else(|| text("identifier")),
                asset_type: text("internalAssetType"),
                excepted: false,
            });
        }
    }
    Some(found)
}

/// The first scalar leaf of the data (following single-field objects), for `eq true/false`.
fn scalar(data: &Value) -> Option<&Value> {
    match data {
        Value::Object(fields) if fields.len() == 1 => fields.values().next().and_then(scalar),
        Value::Object(_) | Value::List(_) => None,
        leaf => Some(leaf),
    }
}

impl Runner {
    /// A runner over `db` using `engine` (the API's engine, so controls run exactly as clients'
    /// queries do).
    pub fn new(engine: Arc<Engine>, db: Database) -> Self {
        Runner {
            engine,
            db,
            max_data_age: chrono::Duration::from_std(DEFAULT_MAX_DATA_AGE)
                .unwrap_or(chrono::Duration::MAX),
        }
    }

    /// Runs name the scopes whose newest successful sync is older than `age`.
    pub fn with_max_data_age(mut self, age: std::time::Duration) -> Self {
        self.max_data_age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
        self
    }

    /// How the runner's queries run for `tenant`.
    fn context(&self, tenant: &TenantId) -> RequestContext {
        RequestContext {
            db: self.db.clone(),
            tenant: tenant.clone(),
            controls: None,
            // A control must see every violating asset, not a first page.
            unpaged: true,
            // The runner uses the writer database, which row-level security does not restrict.
            row_level_security: false,
            gate: Default::default(),
        }
    }

    /// Evaluates one control for `tenant` at `now`, moving assets with an active exception from
    /// failing to excepted. Nothing is recorded.
    pub async fn evaluate(
        &self,
        tenant: &TenantId,
        control: &Control,
        exceptions: &[ControlException],
        now: DateTime<Utc>,
    ) -> ControlRun {
        self.evaluate_with(tenant, control, exceptions, now, &ApplicableMemo::default())
            .await
    }

    /// [`Runner::evaluate`], reusing the applicable assets of the previous control when it has
    /// the same applicable query (most controls of one asset type share one).
    async fn evaluate_with(
        &self,
        tenant: &TenantId,
        control: &Control,
        exceptions: &[ControlException],
        now: DateTime<Utc>,
        memo: &ApplicableMemo,
    ) -> ControlRun {
        let started = std::time::Instant::now();
        let request = GraphQLRequest {
            query: runner_text(&control.query),
            ..GraphQLRequest::default()
        };
        let context = self.context(tenant);
        let (_, response) = self.engine.execute(request, None, context.clone()).await;
        let mut run = ControlRun::new(&control.id, ControlStatus::Error, now);
        if !response.errors.is_empty() {
            let messages: Vec<String> = response.errors.iter().map(|e| e.message.clone()).collect();
            run.error = Some(messages.join("; "));
        } else {
            match control.check.expected {
                Expected::EmptyList => match assets(&response.data) {
                    Some(mut findings) => {
                        for finding in &mut findings {
                            finding.excepted = exceptions.iter().any(|e| {
                                e.control_id == control.id
                                    && e.asset_identifier == finding.asset_identifier
                                    && e.is_active(now)
                            });
                        }
                        let failing = findings.iter().any(|f| !f.excepted);
                        let pass = match control.check.comparator {
                            Comparator::Eq => !failing,
                            Comparator::Neq => failing,
                        };
                        run.status = ControlStatus::of(pass);
                        run.findings = findings;
                    }
                    None => {
                        run.error = Some(
                            "`[]` checks need a query whose root fields return lists".to_owned(),
                        )
                    }
                },
                Expected::Bool(expected) => match scalar(&response.data) {
                    Some(Value::Boolean(actual)) => {
                        let equal = *actual == expected;
                        let pass = match control.check.comparator {
                            Comparator::Eq => equal,
                            Comparator::Neq => !equal,
                        };
                        run.status = ControlStatus::of(pass);
                    }
                    _ => {
                        run.error = Some(
                            "`true`/`false` checks need a query returning one boolean".to_owned(),
                        )
                    }
                },
            }
        }
        if matches!(run.status, ControlStatus::Pass | ControlStatus::Fail) {
            self.count_applicable(control, &mut run, context, memo)
                .await;
        }
        run.duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        tracing::info!(control = %control.id, status = %run.status, findings = run.findings.len(), "control evaluated");
        run
    }

    /// Evaluates every enabled, supported control of `controls` for `tenant` and records each
    /// run (after `sync_run_id`, when a sync triggered it).
    pub async fn run_and_record(
        &self,
        tenant: &TenantId,
        controls: &[&Control],
        sync_run_id: Option<i64>,
    ) -> Result<Vec<ControlRun>, StoreError> {
        self.run_and_record_at(tenant, controls, sync_run_id, Utc::now())
            .await
    }

    /// [`Runner::run_and_record`] as of `now` (exceptions and data age judged then): the demo
    /// records a simulated history with it.
    pub async fn run_and_record_at(
        &self,
        tenant: &TenantId,
        controls: &[&Control],
        sync_run_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ControlRun>, StoreError> {
        let exceptions = self.db.control_exceptions(tenant).await?;
        self.db.ensure_tenant(tenant, tenant.as_str()).await?;
        // Asset types with at least one successful sync for the tenant: a control over types
        // never synced has nothing to say, and an empty answer must not read as compliant.
        let synced = self.db.synced_asset_types(tenant, None).await?;
        // Scopes whose data is older than allowed: every run says so, and reports show it.
        let stale: Vec<StaleScope> = self
            .db
            .latest_successful_syncs(tenant)
            .await?
            .into_iter()
            .filter(|(_, _, finished)| now - *finished > self.max_data_age)
            .map(|(cloud_account_id, region, last_synced_at)| StaleScope {
                cloud_account_id,
                region,
                last_synced_at,
            })
            .collect();
        let selected: Vec<&Control> = controls
            .iter()
            .copied()
            .filter(|c| c.enabled && c.is_supported())
            .collect();
        // Controls sharing an applicable query are evaluated one after the other, so that
        // query runs once for them; the runs are returned in the order asked.
        let mut order: Vec<usize> = (0..selected.len()).collect();
        order.sort_by_key(|i| selected[*i].applicable_query());
        let memo = ApplicableMemo::default();
        let (synced, exceptions, memo, stale) = (&synced, &exceptions, &memo, &stale);
        let count = selected.len();
        let work = order.into_iter().map(|index| {
            let control = selected[index];
            async move {
                let unsynced: Vec<&str> = control
                    .asset_types
                    .iter()
                    .map(String::as_str)
                    .filter(|t| !synced.contains(*t))
                    .collect();
                let mut run = if unsynced.is_empty() {
                    self.evaluate_with(tenant, control, exceptions, now, memo)
                        .await
                } else {
                    let mut run = ControlRun::new(&control.id, ControlStatus::NoData, now);
                    run.error = Some(format!(
                        "no successful sync of {} for tenant {tenant} yet: run `assetql sync` \
                     (or the worker) first",
                        unsynced.join(", ")
                    ));
                    run
                };
                run.sync_run_id = sync_run_id;
                run.stale_scopes = stale.clone();
                // Recording computes what changed since the previous decided run (error and
                // no_data runs decide nothing, so they are passed over).
                self.db.record_control_run(tenant, &mut run).await?;
                Ok::<_, StoreError>((index, run))
            }
        });
        let mut runs = futures_util::stream::iter(work).buffer_unordered(RUN_CONCURRENCY);
        let mut done: Vec<Option<ControlRun>> = vec![None; count];
        while let Some(result) = runs.next().await {
            let (index, run) = result?;
            done[index] = Some(run);
        }
        Ok(done.into_iter().flatten().collect())
    }

    /// A scheduler round: for each tenant, claims the round (so one scheduler evaluates it,
    /// however many processes run) and runs every enabled control, linking the runs to the
    /// tenant's latest sync run of the round. Returns the runs made by this caller.
    pub async fn scheduled_round(
        &self,
        catalogue: &crate::catalogue::Catalogue,
        tenants: &[(TenantId, Option<i64>)],
        round_start: DateTime<Utc>,
        worker: &str,
    ) -> Result<Vec<ControlRun>, StoreError> {
        let controls: Vec<&Control> = catalogue.controls.iter().collect();
        let mut runs = Vec::new();
        for (tenant, sync_run_id) in tenants {
            if self
                .db
                .claim_control_round(tenant, round_start, worker)
                .await?
            {
                runs.extend(self.run_and_record(tenant, &controls, *sync_run_id).await?);
            } else {
                tracing::debug!(%tenant, "controls of this round already claimed");
            }
        }
        Ok(runs)
    }
}

/// The fields of `AssetFragment` a run records. A stored control spreads `...AssetFragment`
/// without defining it, and the API gives clients the whole fragment (with a subquery per row
/// for the account name); the runner defines it with what it keeps, so a control failing 10^5
/// assets does not build 10^5 full objects. Same assets, same verdict.
const RUNNER_ASSET_FRAGMENT: &str =
    "fragment AssetFragment on Asset { identifier internalAssetType }";

/// The control's text as the runner sends it.
fn runner_text(query: &str) -> String {
    if query.contains("...AssetFragment") && !query.contains("fragment AssetFragment") {
        format!("{query}\n{RUNNER_ASSET_FRAGMENT}")
    } else {
        query.to_owned()
    }
}
