//! The ECS assets as the collector describes them. `None` means "AWS did not say": it is stored
//! as NULL, never as `false` or `""`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::Arn;

/// A key/value tag on an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The tag key.
    pub key: String,
    /// The tag value (AWS allows none).
    pub value: Option<String>,
}

/// A cluster setting such as `containerInsights = enabled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSetting {
    /// The setting name, e.g. `containerInsights`.
    pub name: String,
    /// The setting value, e.g. `enabled`.
    pub value: Option<String>,
}

/// An ECS cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// The cluster ARN.
    pub arn: Arn,
    /// The cluster name.
    pub name: String,
    /// ACTIVE, PROVISIONING, DEPROVISIONING, FAILED or INACTIVE.
    pub status: Option<String>,
    /// Tasks in the RUNNING state.
    pub running_tasks_count: Option<i64>,
    /// Tasks in the PENDING state.
    pub pending_tasks_count: Option<i64>,
    /// Services in the ACTIVE state.
    pub active_services_count: Option<i64>,
    /// Registered container instances.
    pub registered_container_instances_count: Option<i64>,
    /// Capacity providers associated with the cluster.
    pub capacity_providers: Option<Vec<String>>,
    /// Cluster settings (`containerInsights`).
    pub settings: Vec<ClusterSetting>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// The awsvpc network configuration of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNetworkConfiguration {
    /// `assignPublicIp`: ENABLED is `Some(true)`, DISABLED `Some(false)`, absent `None`.
    pub assign_public_ip: Option<bool>,
    /// Subnet ids.
    pub subnets: Option<Vec<String>>,
    /// Security group ids.
    pub security_groups: Option<Vec<String>>,
}

/// An ECS service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// The service ARN.
    pub arn: Arn,
    /// The service name.
    pub name: String,
    /// The ARN of the cluster that hosts the service.
    pub cluster_arn: Option<String>,
    /// ACTIVE, DRAINING or INACTIVE.
    pub status: Option<String>,
    /// EC2, FARGATE or EXTERNAL.
    pub launch_type: Option<String>,
    /// Fargate platform version, e.g. `LATEST` or `1.4.0`.
    pub platform_version: Option<String>,
    /// Fargate platform family, e.g. `Linux`.
    pub platform_family: Option<String>,
    /// The task definition the service runs.
    pub task_definition_arn: Option<String>,
    /// REPLICA or DAEMON.
    pub scheduling_strategy: Option<String>,
    /// Desired task count.
    pub desired_count: Option<i64>,
    /// Running task count.
    pub running_count: Option<i64>,
    /// Pending task count.
    pub pending_count: Option<i64>,
    /// When the service was created.
    pub created_at: Option<DateTime<Utc>>,
    /// The awsvpc network configuration, when the service has one.
    pub network_configuration: Option<ServiceNetworkConfiguration>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// An environment variable of a container: its name and whether a value is set. The value itself
/// never enters the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvEntry {
    /// The variable name.
    pub name: String,
    /// Whether the definition sets a (non-empty) value.
    pub has_value: bool,
}

/// A container definition inside a task definition revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerSpec {
    /// Container name, unique within its task definition.
    pub name: String,
    /// Image reference.
    pub image: Option<String>,
    /// CPU units.
    pub cpu: Option<i64>,
    /// Hard memory limit (MiB).
    pub memory: Option<i64>,
    /// Soft memory limit (MiB).
    pub memory_reservation: Option<i64>,
    /// Whether the task stops when this container stops.
    pub essential: Option<bool>,
    /// `privileged`; absent is `None`, not `false`.
    pub privileged: Option<bool>,
    /// `user`; absent is `None`, not `""`.
    pub user: Option<String>,
    /// `readonlyRootFilesystem`; absent is `None`.
    pub readonly_root_filesystem: Option<bool>,
    /// Linux capabilities added.
    pub capabilities_add: Option<Vec<String>>,
    /// Linux capabilities dropped.
    pub capabilities_drop: Option<Vec<String>>,
    /// Environment variable names.
    pub environment: Vec<EnvEntry>,
}

/// One revision of a task definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDefinition {
    /// The revision ARN (`…:task-definition/family:revision`).
    pub arn: Arn,
    /// The family name.
    pub family: String,
    /// The revision number.
    pub revision: i64,
    /// ACTIVE, INACTIVE or DELETE_IN_PROGRESS.
    pub status: Option<String>,
    /// bridge, host, awsvpc or none.
    pub network_mode: Option<String>,
    /// host or task.
    pub pid_mode: Option<String>,
    /// host, task or none.
    pub ipc_mode: Option<String>,
    /// IAM role for the task.
    pub task_role_arn: Option<String>,
    /// IAM role for the agent.
    pub execution_role_arn: Option<String>,
    /// Task-level CPU as AWS reports it (a string such as `256`).
    pub cpu: Option<String>,
    /// Task-level memory as AWS reports it.
    pub memory: Option<String>,
    /// EC2, FARGATE, EXTERNAL.
    pub requires_compatibilities: Option<Vec<String>>,
    /// When the revision was registered.
    pub registered_at: Option<DateTime<Utc>>,
    /// When the revision was deregistered.
    pub deregistered_at: Option<DateTime<Utc>>,
    /// Container definitions, in AWS order.
    pub containers: Vec<ContainerSpec>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// A running ECS task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// The task ARN.
    pub arn: Arn,
    /// The cluster ARN.
    pub cluster_arn: Option<String>,
    /// The task definition revision it runs.
    pub task_definition_arn: Option<String>,
    /// Last known status (RUNNING for stored tasks).
    pub last_status: Option<String>,
    /// Desired status.
    pub desired_status: Option<String>,
    /// EC2, FARGATE or EXTERNAL.
    pub launch_type: Option<String>,
    /// Fargate platform version.
    pub platform_version: Option<String>,
    /// Task CPU.
    pub cpu: Option<String>,
    /// Task memory.
    pub memory: Option<String>,
    /// The task group (`service:name` for service tasks).
    pub group: Option<String>,
    /// Availability zone.
    pub availability_zone: Option<String>,
    /// When the task started.
    pub started_at: Option<DateTime<Utc>>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// A stable digest of an asset's content, used to tell "changed" from "seen again".
pub trait ContentHash: Serialize {
    /// Hex SHA-256 of the asset's canonical JSON serialization (field order is declaration order).
    fn content_hash(&self) -> String {
        let bytes =
            serde_json::to_vec(self).expect("asset types have string keys and always serialize");
        hex::encode(Sha256::digest(bytes))
    }
}

impl ContentHash for Cluster {}
impl ContentHash for Service {}
impl ContentHash for Task {}

impl TaskDefinition {
    /// Digest of the revision without its status: what stays fixed once AWS registered it.
    pub fn definition_hash(&self) -> String {
        let mut fixed = self.clone();
        fixed.status = None;
        let bytes = serde_json::to_vec(&fixed).expect("asset types always serialize");
        hex::encode(Sha256::digest(bytes))
    }
}

/// The content hash of a task definition revision from its [`TaskDefinition::definition_hash`]
/// and status, so that a status change seen only in a listing can be re-hashed without
/// describing the revision again.
pub fn task_definition_content_hash(definition_hash: &str, status: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(definition_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(status.unwrap_or_default().as_bytes());
    hex::encode(hasher.finalize())
}

impl ContentHash for TaskDefinition {
    fn content_hash(&self) -> String {
        task_definition_content_hash(&self.definition_hash(), self.status.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(status: &str) -> Task {
        Task {
            arn: Arn::parse("arn:aws:ecs:us-east-1:1:task/c/abc").expect("valid arn"),
            cluster_arn: None,
            task_definition_arn: None,
            last_status: Some(status.to_owned()),
            desired_status: None,
            launch_type: None,
            platform_version: None,
            cpu: None,
            memory: None,
            group: None,
            availability_zone: None,
            started_at: None,
            tags: vec![],
        }
    }

    #[test]
    fn content_hash_is_stable_and_sensitive_to_content() {
        assert_eq!(
            task("RUNNING").content_hash(),
            task("RUNNING").content_hash()
        );
        assert_ne!(
            task("RUNNING").content_hash(),
            task("PENDING").content_hash()
        );
        assert_eq!(task("RUNNING").content_hash().len(), 64);
    }
}
