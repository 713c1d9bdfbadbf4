//! One sync of every configured scope: credentials per account (default chain or AssumeRole),
//! the account id from STS, then each region's listing written in one transaction.

use std::sync::Arc;
use std::time::Duration;

use assetql_model::catalogue::{
    ECS_CAPACITY_PROVIDER, ECS_CLUSTER, ECS_CONTAINER_INSTANCE, ECS_SERVICE, ECS_TASK,
    ECS_TASK_DEFINITION, ECS_TASK_SET,
};
use assetql_model::{Scope, SyncRunId};
use assetql_store::{Database, StoreError, SyncRunStatus, SyncRunSummary};
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{Region, SdkConfig};
use chrono::Utc;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::collect::{collect_scope, ApiCalls};
use crate::config::{AccountConfig, IngestConfig, RetryMode};
use crate::error::CollectError;

/// How one scope's sync ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeStatus {
    /// Listed and written completely.
    Succeeded,
    /// Not synced; its previous data is kept (the error says why).
    Failed,
    /// Claimed by another worker in this round.
    Skipped,
}

impl ScopeStatus {
    /// The status as reports and metrics spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeStatus::Succeeded => "succeeded",
            ScopeStatus::Failed => "failed",
            ScopeStatus::Skipped => "skipped",
        }
    }
}

impl std::fmt::Display for ScopeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that table columns (`{:<10}`) line up.
        f.pad(self.as_str())
    }
}

/// How one scope's sync ended.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeOutcome {
    /// Tenant.
    pub tenant: String,
    /// Account display name, when configured.
    pub account_name: Option<String>,
    /// Account id (empty when it could not be discovered).
    pub cloud_account_id: String,
    /// Region.
    pub region: String,
    /// The recorded sync run, when one was started.
    pub run_id: Option<i64>,
    /// How it ended.
    pub status: ScopeStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// Assets inserted.
    pub added: u64,
    /// Assets changed.
    pub updated: u64,
    /// Assets removed because the listing no longer had them.
    pub removed: u64,
    /// AWS API calls by operation.
    pub api_calls: std::collections::BTreeMap<String, u64>,
    /// Wall time of the scope, in milliseconds.
    pub duration_ms: u64,
}

/// The result of one sync of every scope.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// One entry per scope.
    pub scopes: Vec<ScopeOutcome>,
}

impl SyncReport {
    /// Whether any scope failed.
    pub fn any_failed(&self) -> bool {
        self.scopes.iter().any(|s| s.status == ScopeStatus::Failed)
    }
}

/// A worker's round: scopes are claimed for it first, so that each is synced by one worker.
#[derive(Debug, Clone)]
pub struct Round {
    /// The round's start, the same for every worker with the same interval.
    pub start: chrono::DateTime<Utc>,
    /// This worker's name (host and process id).
    pub worker: String,
}

impl Round {
    /// The round of `interval` that contains `now` (rounds start at multiples of the interval
    /// since the Unix epoch, so workers agree without talking).
    pub fn containing(now: chrono::DateTime<Utc>, interval: Duration, worker: String) -> Self {
        let step = i64::try_from(interval.as_secs().max(1)).unwrap_or(i64::MAX);
        let start = now.timestamp() - now.timestamp().rem_euclid(step);
        Round {
            start: chrono::DateTime::from_timestamp(start, 0).unwrap_or(now),
            worker,
        }
    }
}

fn retry_config(config: &IngestConfig) -> RetryConfig {
    let base = match config.retry_mode {
        RetryMode::Standard => RetryConfig::standard(),
        RetryMode::Adaptive => RetryConfig::adaptive(),
    };
    base.with_max_attempts(config.max_attempts.max(1))
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(20))
}

/// The SDK configuration of `account`: the base configuration, or the same with credentials
/// from AssumeRole.
async fn account_config(
    base: &SdkConfig,
    account: &AccountConfig,
    retry: RetryConfig,
) -> SdkConfig {
    let mut builder = base.to_builder().retry_config(retry);
    if let Some(role) = &account.role_arn {
        let mut provider =
            AssumeRoleProvider::builder(role.clone()).session_name("assetql-inventory");
        if let Some(external_id) = &account.external_id {
            provider = provider.external_id(external_id.clone());
        }
        let provider = provider.configure(base).build().await;
        builder = builder.credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(provider),
        );
    }
    builder.build()
}

/// Syncs every scope of `config` into `db`, with the AWS SDK configured from `base` (endpoint,
/// region and credentials resolved by the caller, e.g. from the environment).
pub async fn sync_all(db: &Database, base: &SdkConfig, config: &IngestConfig) -> SyncReport {
    sync_round(db, base, config, None).await
}

/// Like [`sync_all`], but within a worker `round`: a scope another worker already claimed for
/// the round is skipped (reported with status `skipped`).
pub async fn sync_round(
    db: &Database,
    base: &SdkConfig,
    config: &IngestConfig,
    round: Option<&Round>,
) -> SyncReport {
    sync_with_progress(db, base, config, round, |_| {}).await
}

/// Like [`sync_round`], calling `on_scope_done` as each scope finishes (for progress display).
pub async fn sync_with_progress(
    db: &Database,
    base: &SdkConfig,
    config: &IngestConfig,
    round: Option<&Round>,
    on_scope_done: impl Fn(&ScopeOutcome),
) -> SyncReport {
    let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let mut jobs = tokio::task::JoinSet::new();
    for account in &config.accounts {
        let sdk = account_config(base, account, retry_config(config)).await;
        // The account's GetCallerIdentity is counted with its first region's scope.
        let calls = ApiCalls::default();
        calls.count("GetCallerIdentity");
        let identity = aws_sdk_sts::Client::new(&sdk)
            .get_caller_identity()
            .send()
            .await;
        let account_id = match identity {
            Ok(identity) => identity.account().unwrap_or_default().to_owned(),
            Err(error) => {
                let message = aws_sdk_sts::error::DisplayErrorContext(&error).to_string();
                tracing::warn!(account = account.name.as_deref().unwrap_or("default"), error = %message, "cannot resolve the account");
                // Recorded like any failed scope, under the account the role names (or
                // `unknown`), so that the failure shows in the sync history and a control
                // never reads the missing data as compliant.
                let account_id = account
                    .role_arn
                    .as_deref()
                    .and_then(|arn| arn.split(':').nth(4))
                    .filter(|id| !id.is_empty())
                    .unwrap_or("unknown")
                    .to_owned();
                for region in &account.regions {
                    let scope = Scope {
                        tenant: account.tenant.clone(),
                        cloud_account_id: account_id.clone(),
                        region: region.clone(),
                    };
                    let error = format!("GetCallerIdentity failed: {message}");
                    let db = db.clone();
                    let name = account.name.clone();
                    let calls = calls.snapshot();
                    jobs.spawn(
                        async move { record_unreachable(&db, scope, name, error, calls).await },
                    );
                }
                continue;
            }
        };
        // The tenant row first: the account row refers to it.
        let environment = async {
            db.ensure_tenant(&account.tenant, account.tenant.as_str())
                .await?;
            db.set_account_environment(
                &account.tenant,
                &account_id,
                account.environment.as_deref(),
                Utc::now(),
            )
            .await
        };
        if let Err(error) = environment.await {
            tracing::warn!(%error, "cannot record the account's environment");
        }
        for region in &account.regions {
            let scope = Scope {
                tenant: account.tenant.clone(),
                cloud_account_id: account_id.clone(),
                region: region.clone(),
            };
            let ecs_config = aws_sdk_ecs::config::Builder::from(&sdk)
                .region(Region::new(region.clone()))
                .build();
            let ecs = aws_sdk_ecs::Client::from_conf(ecs_config);
            let db = db.clone();
            let name = account.name.clone();
            let permits = Arc::clone(&permits);
            let describe_concurrency = config.describe_concurrency;
            let calls = if account.regions.first() == Some(region) {
                calls.clone()
            } else {
                ApiCalls::default()
            };
            let round = round.cloned();
            jobs.spawn(async move {
                let _permit = permits.acquire_owned().await;
                if let Some(round) = round {
                    match claim(&db, &scope, &round).await {
                        Ok(true) => {}
                        Ok(false) => return skipped(scope, name),
                        Err(error) => return failed_claim(scope, name, error),
                    }
                }
                sync_scope(&db, &ecs, scope, name, calls, describe_concurrency).await
            });
        }
    }
    let mut report = SyncReport::default();
    while let Some(joined) = jobs.join_next().await {
        match joined {
            Ok(outcome) => {
                on_scope_done(&outcome);
                report.scopes.push(outcome);
            }
            Err(error) => tracing::error!(%error, "a scope task panicked"),
        }
    }
    report.scopes.sort_by(|a, b| {
        (&a.tenant, &a.cloud_account_id, &a.region).cmp(&(
            &b.tenant,
            &b.cloud_account_id,
            &b.region,
        ))
    });
    report
}

/// Records a failed run for a scope that could not even be listed (its account's identity
/// could not be resolved).
async fn record_unreachable(
    db: &Database,
    scope: Scope,
    account_name: Option<String>,
    error: String,
    api_calls: std::collections::BTreeMap<String, u64>,
) -> ScopeOutcome {
    let mut outcome = empty_outcome(scope.clone(), account_name.clone(), ScopeStatus::Failed);
    let summary = SyncRunSummary {
        api_calls: api_calls.clone(),
        ..SyncRunSummary::default()
    };
    // No cloud account row: the account was never reached, so nothing is known of it.
    let recorded = async {
        db.ensure_tenant(&scope.tenant, scope.tenant.as_str())
            .await?;
        let run = db.begin_sync_run(&scope, Utc::now()).await?;
        db.finish_sync_run(
            run,
            SyncRunStatus::Failed,
            Some(&error),
            &summary,
            Utc::now(),
        )
        .await?;
        Ok::<_, StoreError>(run)
    }
    .await;
    match recorded {
        Ok(run) => outcome.run_id = Some(run.0),
        Err(store_error) => {
            tracing::error!(error = %store_error, "cannot record the failed sync run");
        }
    }
    outcome.error = Some(error);
    outcome.api_calls = api_calls;
    outcome
}

async fn claim(db: &Database, scope: &Scope, round: &Round) -> Result<bool, StoreError> {
    db.ensure_tenant(&scope.tenant, scope.tenant.as_str())
        .await?;
    db.claim_scope(scope, round.start, &round.worker).await
}

fn empty_outcome(scope: Scope, account_name: Option<String>, status: ScopeStatus) -> ScopeOutcome {
    ScopeOutcome {
        tenant: scope.tenant.to_string(),
        account_name,
        cloud_account_id: scope.cloud_account_id,
        region: scope.region,
        run_id: None,
        status,
        error: None,
        added: 0,
        updated: 0,
        removed: 0,
        api_calls: Default::default(),
        duration_ms: 0,
    }
}

fn skipped(scope: Scope, account_name: Option<String>) -> ScopeOutcome {
    empty_outcome(scope, account_name, ScopeStatus::Skipped)
}

fn failed_claim(scope: Scope, account_name: Option<String>, error: StoreError) -> ScopeOutcome {
    let mut outcome = empty_outcome(scope, account_name, ScopeStatus::Failed);
    outcome.error = Some(format!("cannot claim the scope: {error}"));
    outcome
}

#[derive(Debug, thiserror::Error)]
enum ScopeError {
    #[error(transparent)]
    Collect(#[from] CollectError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Syncs one scope with an ECS client the caller built (tests inject mocked clients here):
/// records a sync run, reads the scope, writes it in one transaction.
pub async fn sync_scope(
    db: &Database,
    ecs: &aws_sdk_ecs::Client,
    scope: Scope,
    account_name: Option<String>,
    calls: ApiCalls,
    describe_concurrency: usize,
) -> ScopeOutcome {
    let started = std::time::Instant::now();
    let span = tracing::info_span!("sync_scope", scope = %scope);
    let _entered = span.enter();
    let mut outcome = empty_outcome(scope.clone(), account_name.clone(), ScopeStatus::Failed);
    let run = match begin(db, &scope, account_name.as_deref()).await {
        Ok(run) => run,
        Err(error) => {
            outcome.error = Some(error.to_string());
            return outcome;
        }
    };
    outcome.run_id = Some(run.0);
    let result = run_scope(db, ecs, &scope, run, &calls, describe_concurrency).await;
    let mut summary = match &result {
        Ok(summary) => summary.clone(),
        Err(_) => SyncRunSummary::default(),
    };
    summary.api_calls = calls.snapshot();
    let (status, error) = match &result {
        Ok(_) => (SyncRunStatus::Succeeded, None),
        Err(error) => {
            tracing::warn!(%error, "scope sync failed; its previous data is kept");
            (SyncRunStatus::Failed, Some(error.to_string()))
        }
    };
    if let Err(store_error) = db
        .finish_sync_run(run, status, error.as_deref(), &summary, Utc::now())
        .await
    {
        tracing::error!(error = %store_error, "cannot record the end of the sync run");
    }
    outcome.status = if result.is_ok() {
        ScopeStatus::Succeeded
    } else {
        ScopeStatus::Failed
    };
    outcome.error = error;
    outcome.added = summary.added;
    outcome.updated = summary.updated;
    outcome.removed = summary.removed;
    outcome.api_calls = summary.api_calls;
    outcome.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    outcome
}

async fn begin(
    db: &Database,
    scope: &Scope,
    account_name: Option<&str>,
) -> Result<SyncRunId, StoreError> {
    let now = Utc::now();
    db.ensure_tenant(&scope.tenant, scope.tenant.as_str())
        .await?;
    db.upsert_cloud_account(&scope.tenant, &scope.cloud_account_id, account_name, now)
        .await?;
    db.begin_sync_run(scope, now).await
}

async fn run_scope(
    db: &Database,
    ecs: &aws_sdk_ecs::Client,
    scope: &Scope,
    run: SyncRunId,
    calls: &ApiCalls,
    describe_concurrency: usize,
) -> Result<SyncRunSummary, ScopeError> {
    let stored = db.stored_task_definitions(scope).await?;
    // Everything is read before anything is written: a failed listing writes nothing.
    let listing = collect_scope(ecs, &stored, calls, describe_concurrency).await?;
    let mut writer = db.scope_writer(scope, run, Utc::now()).await?;
    let mut stats = writer.upsert(&ECS_CLUSTER, &listing.clusters).await?;
    stats += writer
        .upsert(&ECS_CAPACITY_PROVIDER, &listing.capacity_providers)
        .await?;
    stats += writer
        .upsert(&ECS_CONTAINER_INSTANCE, &listing.container_instances)
        .await?;
    stats += writer.upsert(&ECS_SERVICE, &listing.services).await?;
    stats += writer.upsert(&ECS_TASK_SET, &listing.task_sets).await?;
    stats += writer
        .upsert(&ECS_TASK_DEFINITION, &listing.described)
        .await?;
    stats += writer
        .mark_seen(&ECS_TASK_DEFINITION, &listing.unchanged)
        .await?;
    stats += writer.upsert(&ECS_TASK, &listing.tasks).await?;
    let mut removed = 0;
    // The listing was complete: whatever of any type it no longer had is gone.
    for ty in assetql_model::catalogue::asset_types() {
        removed += writer.delete_unseen(ty).await?;
    }
    writer.commit().await?;
    tracing::info!(
        added = stats.added,
        updated = stats.updated,
        removed,
        "scope synced"
    );
    Ok(SyncRunSummary {
        added: stats.added,
        updated: stats.updated,
        removed,
        api_calls: Default::default(),
    })
}
