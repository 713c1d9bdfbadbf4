//! The controls API's backend: the catalogue, the runner, and re-scans.

use std::sync::Arc;

use assetql_graphql::ResyncScope;
use assetql_model::{ErrorCode, TenantId};
use assetql_store::{ControlException, ControlRun, Database};
use chrono::{DateTime, Utc};

use crate::catalogue::Control;
use crate::run::{new_exception, Runner};

/// Called with every control run the API records (the server counts them in its metrics).
pub type RunObserver = Arc<dyn Fn(&ControlRun) + Send + Sync>;

/// Why a re-scan did not sync.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResyncError {
    /// No configured scope of the tenant matches the account and region asked for.
    #[error("{0}")]
    NoScope(String),
    /// A scope could not be synced.
    #[error("{0}")]
    Failed(String),
}

/// Syncs the tenant's configured scopes a re-scan names, through the worker's code (claiming
/// each scope); returns the newest sync run it committed. Supplied by the server, which holds
/// the AWS configuration.
pub type Resyncer = Arc<
    dyn Fn(
            TenantId,
            ResyncScope,
        ) -> assetql_graphql::BoxFuture<'static, Result<Option<i64>, ResyncError>>
        + Send
        + Sync,
>;

/// The controls API's backend: a catalogue and a runner.
#[derive(Clone)]
pub struct CatalogueBackend {
    catalogue: crate::catalogue::Catalogue,
    runner: Runner,
    observer: Option<RunObserver>,
    resync: Option<Resyncer>,
}

impl std::fmt::Debug for CatalogueBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogueBackend")
            .field("catalogue", &self.catalogue)
            .field("runner", &self.runner)
            .field("observer", &self.observer.is_some())
            .field("resync", &self.resync.is_some())
            .finish()
    }
}

impl CatalogueBackend {
    /// Serves `catalogue`, running controls with `runner`.
    pub fn new(catalogue: crate::catalogue::Catalogue, runner: Runner) -> Self {
        CatalogueBackend {
            catalogue,
            runner,
            observer: None,
            resync: None,
        }
    }

    /// Lets `runControls(resync: true)` sync first with `resync`.
    pub fn with_resync(mut self, resync: Resyncer) -> Self {
        self.resync = Some(resync);
        self
    }

    /// Calls `observer` with each run that `runControls` records.
    pub fn with_observer(mut self, observer: RunObserver) -> Self {
        self.observer = Some(observer);
        self
    }
}

fn api_error(message: impl Into<String>, code: ErrorCode) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code.as_str()))
}

impl assetql_graphql::ControlsBackend for CatalogueBackend {
    fn database(&self) -> &Database {
        &self.runner.db
    }

    fn controls(&self) -> Vec<assetql_graphql::ControlSummary> {
        self.catalogue
            .controls
            .iter()
            .map(|c| assetql_graphql::ControlSummary {
                id: c.id.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                severity: format!("{:?}", c.severity).to_lowercase(),
                asset_types: c.asset_types.clone(),
                check: c.check.describe(),
                enabled: c.enabled,
                supported: c.is_supported(),
            })
            .collect()
    }

    fn run<'a>(
        &'a self,
        tenant: &'a TenantId,
        control_id: Option<&'a str>,
        resync: Option<ResyncScope>,
    ) -> assetql_graphql::BoxFuture<'a, Result<Vec<ControlRun>, async_graphql::Error>> {
        Box::pin(async move {
            let selected: Vec<&Control> = match control_id {
                Some(id) => vec![self.catalogue.get(id).ok_or_else(|| {
                    api_error(format!("no control {id:?}"), ErrorCode::BadUserInput)
                })?],
                None => self.catalogue.controls.iter().collect(),
            };
            let sync_run = match resync {
                None => None,
                Some(scope) => {
                    let Some(resyncer) = &self.resync else {
                        return Err(api_error(
                            "this server has no AWS accounts configured (start it with \
                             --config): it cannot re-scan; run without resync",
                            ErrorCode::NotConfigured,
                        ));
                    };
                    resyncer(tenant.clone(), scope).await.map_err(|e| match e {
                        ResyncError::NoScope(m) => api_error(m, ErrorCode::BadUserInput),
                        ResyncError::Failed(m) => api_error(m, ErrorCode::ResyncFailed),
                    })?
                }
            };
            let runs = self
                .runner
                .run_and_record(tenant, &selected, sync_run)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "control run failed");
                    api_error(
                        "internal error while recording control runs",
                        ErrorCode::Internal,
                    )
                })?;
            if let Some(observer) = &self.observer {
                runs.iter().for_each(|run| observer(run));
            }
            Ok(runs)
        })
    }

    fn applicable<'a>(
        &'a self,
        tenant: &'a TenantId,
        control_id: &'a str,
        reported: &'a [String],
    ) -> assetql_graphql::BoxFuture<'a, Result<Vec<String>, async_graphql::Error>> {
        Box::pin(async move {
            let control = self.catalogue.get(control_id).ok_or_else(|| {
                api_error(
                    format!("no control {control_id:?}"),
                    ErrorCode::BadUserInput,
                )
            })?;
            self.runner
                .applicable_identifiers(tenant, control, reported)
                .await
                .ok_or_else(|| {
                    api_error(
                        format!(
                            "the assets {control_id} applies to cannot be listed (no applicable \
                             query, or it failed): passing assets are unknown"
                        ),
                        ErrorCode::Internal,
                    )
                })
        })
    }

    fn revoke_exception<'a>(
        &'a self,
        tenant: &'a TenantId,
        id: i64,
    ) -> assetql_graphql::BoxFuture<'a, Result<bool, async_graphql::Error>> {
        Box::pin(async move {
            self.runner
                .db
                .revoke_control_exception(tenant, id, Utc::now())
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot revoke the exception");
                    api_error(
                        "internal error while revoking the exception",
                        ErrorCode::Internal,
                    )
                })
        })
    }

    fn create_exception<'a>(
        &'a self,
        tenant: &'a TenantId,
        control_id: &'a str,
        asset_identifier: &'a str,
        owner: &'a str,
        reason: &'a str,
        expires_at: DateTime<Utc>,
        created_by: &'a str,
    ) -> assetql_graphql::BoxFuture<'a, Result<ControlException, async_graphql::Error>> {
        Box::pin(async move {
            if self.catalogue.get(control_id).is_none() {
                return Err(api_error(
                    format!("no control {control_id:?}"),
                    ErrorCode::BadUserInput,
                ));
            }
            let mut exception = new_exception(
                control_id,
                asset_identifier,
                owner,
                reason,
                expires_at,
                created_by,
                Utc::now(),
            )
            .map_err(|e| api_error(e.to_string(), ErrorCode::BadUserInput))?;
            // An exception for an asset the tenant does not have (a typo, another tenant's
            // ARN) would silence nothing now and something unexpected later.
            let exists = self
                .runner
                .db
                .asset_exists(tenant, asset_identifier)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot look the asset up");
                    api_error(
                        "internal error while checking the asset",
                        ErrorCode::Internal,
                    )
                })?;
            if !exists {
                return Err(api_error(
                    format!(
                        "no asset {asset_identifier:?} in this tenant's inventory; an exception \
                         names the identifier (ARN) of an inventoried asset"
                    ),
                    ErrorCode::BadUserInput,
                ));
            }
            exception.id = self
                .runner
                .db
                .create_control_exception(tenant, &exception)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot store the exception");
                    api_error(
                        "internal error while storing the exception",
                        ErrorCode::Internal,
                    )
                })?;
            Ok(exception)
        })
    }
}
