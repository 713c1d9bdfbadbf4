//! The ECS collector: for every configured (cloud account, region) scope it lists and describes
//! clusters, services, running tasks and task definition revisions through `aws-sdk-ecs`, and
//! writes them into the store in one transaction per scope. Revisions already stored are never
//! described again (they are immutable except their status, which the listings carry); a scope
//! that fails leaves its previous data untouched while the others carry on.

mod collect;
mod config;
mod error;
mod sync;

pub use collect::{collect_scope, ApiCalls, ScopeListing};
pub use config::{AccountConfig, IngestConfig, RetryMode};
pub use error::CollectError;
pub use sync::{
    sync_all, sync_round, sync_scope, sync_with_progress, Round, ScopeOutcome, ScopeStatus,
    SyncReport,
};
