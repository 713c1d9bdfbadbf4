//! Re-scans: syncing a tenant's configured scopes (narrowed to one account and/or region)
//! through the worker's own code, claiming each scope for a round of its own so a re-scan
//! never races a worker. Used by `controls run --resync` and `runControls(resync: true)`.

use std::sync::Arc;

use assetql_controls::{ResyncError, Resyncer};
use assetql_graphql::ResyncScope;
use assetql_ingest::{IngestConfig, ScopeOutcome, ScopeStatus};
use assetql_model::TenantId;
use assetql_store::Database;

/// What a re-scan synced.
#[derive(Debug)]
pub struct Resynced {
    /// Each scope's outcome.
    pub scopes: Vec<ScopeOutcome>,
    /// The newest sync run committed.
    pub newest: Option<i64>,
}

impl Resynced {
    /// Whether a scope could not be synced.
    pub fn any_failed(&self) -> bool {
        self.scopes
            .iter()
            .any(|s| s.status != ScopeStatus::Succeeded)
    }

    /// The scopes that could not be synced, with why.
    pub fn failures(&self) -> String {
        self.scopes
            .iter()
            .filter(|s| s.status != ScopeStatus::Succeeded)
            .map(|s| {
                format!(
                    "{}/{}: {}{}",
                    s.cloud_account_id,
                    s.region,
                    s.status,
                    s.error
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Syncs `tenant`'s scopes of `config` that `scope` names; `Err` when none matches.
pub async fn resync(
    db: &Database,
    base: &aws_config::SdkConfig,
    config: &IngestConfig,
    tenant: &TenantId,
    scope: &ResyncScope,
) -> Result<Resynced, String> {
    let mut config = config.clone();
    config.accounts.retain(|a| &a.tenant == tenant);
    if let Some(account) = &scope.account {
        config.accounts.retain(|a| {
            a.name.as_deref() == Some(account.as_str())
                || a.role_arn.as_deref().and_then(|r| r.split(':').nth(4)) == Some(account.as_str())
        });
    }
    if let Some(region) = &scope.region {
        for account in &mut config.accounts {
            account.regions.retain(|r| r == region);
        }
        config.accounts.retain(|a| !a.regions.is_empty());
    }
    if config.accounts.is_empty() {
        return Err(format!(
            "no configured account of tenant {tenant} matches the account and region asked for"
        ));
    }
    let round = assetql_ingest::Round {
        start: chrono::Utc::now(),
        worker: format!("controls-resync-{}", std::process::id()),
    };
    let report = assetql_ingest::sync_round(db, base, &config, Some(&round)).await;
    let newest = report
        .scopes
        .iter()
        .filter(|s| s.status == ScopeStatus::Succeeded)
        .filter_map(|s| s.run_id)
        .max();
    Ok(Resynced {
        scopes: report.scopes,
        newest,
    })
}

/// The API's re-scan over `config`: a scope that cannot be synced fails the request.
pub fn resyncer(db: Database, base: aws_config::SdkConfig, config: IngestConfig) -> Resyncer {
    let shared = Arc::new((db, base, config));
    Arc::new(move |tenant: TenantId, scope: ResyncScope| {
        let shared = Arc::clone(&shared);
        Box::pin(async move {
            let (db, base, config) = &*shared;
            let done = resync(db, base, config, &tenant, &scope)
                .await
                .map_err(ResyncError::NoScope)?;
            if done.any_failed() {
                return Err(ResyncError::Failed(format!(
                    "the re-scan could not sync every scope, so nothing was evaluated: {}",
                    done.failures()
                )));
            }
            Ok(done.newest)
        })
    })
}
