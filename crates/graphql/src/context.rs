//! What every resolver reads from the request: the database, the tenant, the controls backend,
//! paging mode, row-level security and statement turns. Below every other module of the crate.

use std::future::Future;
use std::pin::Pin;

use assetql_model::TenantId;
use assetql_store::{ControlException, ControlRun, Database};
use async_graphql::Error;
use chrono::{DateTime, Utc};

/// Per-request data every resolver reads.
#[derive(Clone)]
pub struct RequestContext {
    /// The inventory.
    pub db: Database,
    /// The tenant the request is confined to.
    pub tenant: TenantId,
    /// The stored controls, for the controls API (absent: that API answers an error).
    pub controls: Option<std::sync::Arc<dyn ControlsBackend>>,
    /// No default page size (the control runner needs every violating asset); the maximum
    /// still applies to what a query asks for explicitly.
    pub unpaged: bool,
    /// Name the tenant to the database for its row-level security (a read-only role is subject
    /// to it); costs a transaction per statement on PostgreSQL.
    pub row_level_security: bool,
    /// How many of the request's statements may run at once; the engine sets it for each
    /// request (see [`StatementGate`]), so callers leave it at its default.
    pub gate: crate::gate::StatementGate,
}

impl std::fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestContext")
            .field("tenant", &self.tenant)
            .field("controls", &self.controls.is_some())
            .field("row_level_security", &self.row_level_security)
            .finish_non_exhaustive()
    }
}

/// A boxed future, for the object-safe backend trait.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A control as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Severity (`low`…`critical`).
    pub severity: String,
    /// Asset types evaluated.
    pub asset_types: Vec<String>,
    /// The check, e.g. `eq []`.
    pub check: String,
    /// Whether runs include it.
    pub enabled: bool,
    /// Whether assetql inventories its asset types.
    pub supported: bool,
}

/// What the controls API needs from the controls crate.
pub trait ControlsBackend: Send + Sync {
    /// The catalogue.
    fn controls(&self) -> Vec<ControlSummary>;
    /// The database control runs and exceptions live in (the writer's; the request's may be a
    /// read-only role under row-level security, which these tenant-filtered reads do not need).
    fn database(&self) -> &assetql_store::Database;
    /// Runs (and records) every enabled control, or one, for `tenant`; with `resync`, first
    /// syncs the tenant's configured scopes it names (an error when that is not possible or a
    /// scope fails: nothing is evaluated on data the caller asked to refresh).
    fn run<'a>(
        &'a self,
        tenant: &'a TenantId,
        control_id: Option<&'a str>,
        resync: Option<ResyncScope>,
    ) -> BoxFuture<'a, Result<Vec<ControlRun>, Error>>;
    /// The identifiers of the assets `control_id` applies to now (its applicable-assets query,
    /// run for `tenant`, given the identifiers its latest run `reported`); an error when that
    /// is not known, never an empty list.
    fn applicable<'a>(
        &'a self,
        tenant: &'a TenantId,
        control_id: &'a str,
        reported: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<String>, Error>>;
    /// Revokes an exception of `tenant`; false when there is no such active exception.
    fn revoke_exception<'a>(
        &'a self,
        tenant: &'a TenantId,
        id: i64,
    ) -> BoxFuture<'a, Result<bool, Error>>;
    /// Validates and stores an exception.
    #[allow(clippy::too_many_arguments)]
    fn create_exception<'a>(
        &'a self,
        tenant: &'a TenantId,
        control_id: &'a str,
        asset_identifier: &'a str,
        owner: &'a str,
        reason: &'a str,
        expires_at: DateTime<Utc>,
        created_by: &'a str,
    ) -> BoxFuture<'a, Result<ControlException, Error>>;
}

/// The scopes `runControls(resync: true)` syncs first: the tenant's configured scopes, narrowed
/// to one account (configured name or id) and/or one region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResyncScope {
    /// Only this account.
    pub account: Option<String>,
    /// Only this region.
    pub region: Option<String>,
}
