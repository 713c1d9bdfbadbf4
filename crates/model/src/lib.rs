//! Domain types of the assetql inventory: identifiers, the asset catalogue (the one description
//! of every asset type, and how its rows are read from the AWS API's JSON), error codes. No IO
//! lives here.

pub mod catalogue;
mod error_code;
mod ids;

pub use error_code::ErrorCode;
pub use ids::{Arn, IdError, Scope, SyncRunId, TenantId};
