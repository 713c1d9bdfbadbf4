//! Domain types of the assetql inventory: identifiers, the ECS assets as the collector sees them,
//! and sync bookkeeping. No IO lives here.

mod assets;
pub mod catalogue;
mod error_code;
mod ids;

pub use assets::{
    task_definition_content_hash, Cluster, ClusterSetting, ContainerSpec, ContentHash, EnvEntry,
    Service, ServiceNetworkConfiguration, Tag, Task, TaskDefinition,
};
pub use error_code::ErrorCode;
pub use ids::{Arn, IdError, Scope, SyncRunId, TenantId};
