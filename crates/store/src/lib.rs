//! Database access for assetql: connection pools over PostgreSQL or SQLite, migrations, the
//! ingestion writers (idempotent batched upserts, scope deletes) and sync-run bookkeeping.
//! Database errors are classified here, once.

mod columnar;
mod control_status;
mod controls;
mod database;
mod error;
mod exec;
mod findings;
mod generations;
mod migrate;
mod sync_runs;
mod tokens;
mod write;

pub use controls::{ControlException, ControlRun, ControlStatus, Finding, StaleScope};
pub use database::{Database, PoolOptions};
pub use error::StoreError;
pub use migrate::MigrationState;
pub use sync_runs::{SyncRun, SyncRunStatus, SyncRunSummary};
pub use tokens::{token_hash, ApiToken};
pub use write::{ScopeWriter, UpsertStats};
