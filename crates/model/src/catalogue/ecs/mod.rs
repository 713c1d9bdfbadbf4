//! The ECS asset types and the fields every asset has: the data the schemas, where-inputs,
//! the compiler and the write path are generated from. One file per area of ECS.

use super::{field, Api, Cardinality, FieldDef, FieldSource, RelationshipDef, ScalarKind, TypeDef};

use ScalarKind::{DateTime, Id, String as Str};

/// SQL that is true when the service row aliased `$s` is reachable from the internet the way
/// the inventory can tell: an awsvpc configuration or a deployment with `assignPublicIp`
/// ENABLED, or a load balancer (whose scheme, internal or internet-facing, the ECS API does not
/// say: counted as exposed, which errs towards looking first).
macro_rules! service_exposed {
    ($s:literal) => {
        concat!(
            "(EXISTS (SELECT 1 FROM ecs_service_network_configurations xn WHERE xn.tenant_id = ",
            $s,
            ".tenant_id AND xn.service_arn = ",
            $s,
            ".arn AND xn.assign_public_ip) \
             OR EXISTS (SELECT 1 FROM ecs_service_load_balancers xb WHERE xb.tenant_id = ",
            $s,
            ".tenant_id AND xb.service_arn = ",
            $s,
            ".arn) \
             OR EXISTS (SELECT 1 FROM ecs_service_deployments xd WHERE xd.tenant_id = ",
            $s,
            ".tenant_id AND xd.service_arn = ",
            $s,
            ".arn AND xd.assign_public_ip))"
        )
    };
}

/// The `internetExposed` field of a type whose exposure `sql` computes (`{t}` = the row).
const fn internet_exposed(sql: &'static str, description: &'static str) -> FieldDef {
    FieldDef {
        name: "internetExposed",
        kind: ScalarKind::Boolean,
        nullable: false,
        source: FieldSource::Expr(sql),
        description,
        api: Api::None,
    }
}

mod cluster;
mod container;
mod service;
mod task;
mod task_definition;

pub use cluster::*;
pub use container::*;
pub use service::*;
pub use task::*;
pub use task_definition::*;

/// The fields of the `Asset` interface, in the order of the stored controls' `AssetFragment`.
pub const ASSET_FIELDS: &[FieldDef] = &[
    field("identifier", Id, false, "arn", "Stable identifier of the asset within its tenant (its ARN)."),
    field("accountID", Str, false, "tenant_id", "The tenant that owns the asset."),
    field("cloudAccountID", Str, false, "cloud_account_id", "The AWS account id."),
    FieldDef {
        name: "cloudAccountName",
        kind: Str,
        nullable: true,
        source: FieldSource::Expr(
            "(SELECT ca.name FROM cloud_accounts ca WHERE ca.tenant_id = {t}.tenant_id AND ca.id = {t}.cloud_account_id)",
        ),
        description: "The configured display name of the AWS account.",
        api: Api::None,
    },
    FieldDef {
        name: "cloudProvider",
        kind: Str,
        nullable: false,
        source: FieldSource::Literal("aws"),
        description: "Always `aws`.",
        api: Api::None,
    },
    field("idFromProvider", Str, false, "arn", "The ARN."),
    FieldDef {
        name: "internalAssetType",
        kind: Str,
        nullable: false,
        source: FieldSource::AssetTypeLabel,
        description: "ECSTaskDefinition, ECSTask, ECSService, ECSCluster, ECSTaskSet, ECSCapacityProvider or ECSContainerInstance.",
        api: Api::None,
    },
    FieldDef {
        name: "internalName",
        kind: Str,
        nullable: false,
        source: FieldSource::AssetName,
        description: "A readable name (cluster, service or task name; family:revision).",
        api: Api::None,
    },
    field("internalRegion", Str, false, "region", "The AWS region."),
    FieldDef {
        name: "assetCategory",
        kind: Str,
        nullable: false,
        source: FieldSource::AssetCategory,
        description: "Asset category, `Containers` for ECS.",
        api: Api::None,
    },
    field("contentHash", Str, false, "content_hash", "Digest of the asset's content; changes when it changes."),
    FieldDef {
        name: "environment",
        kind: Str,
        nullable: true,
        source: FieldSource::Expr(
            "(SELECT ca.environment FROM cloud_accounts ca WHERE ca.tenant_id = {t}.tenant_id AND ca.id = {t}.cloud_account_id)",
        ),
        description: "What the AWS account is for (`environment` in its [[aws.accounts]] entry, e.g. production); null when not configured.",
        api: Api::None,
    },
];

pub(super) const SEEN_FIELDS: [FieldDef; 2] = [
    field(
        "firstSeenAt",
        DateTime,
        false,
        "first_seen_at",
        "When the inventory first saw the asset.",
    ),
    field(
        "lastSeenAt",
        DateTime,
        false,
        "last_seen_at",
        "When the inventory last saw the asset.",
    ),
];

pub(super) const TAGS: RelationshipDef = RelationshipDef {
    name: "tags",
    target: "Tag",
    cardinality: Cardinality::Many,
    join: &[("arn", "resource_arn")],
    order: &[("key", false)],
    description: "Tags of the asset.",
    owned: Some(&["tags"]),
};

/// A nullable field stored in `column`.
pub(super) const fn opt(
    name: &'static str,
    kind: ScalarKind,
    column: &'static str,
    description: &'static str,
) -> FieldDef {
    field(name, kind, true, column, description)
}

/// A list of child rows written with their parent, in the order of the list at `path` of the
/// parent's API JSON (an `ordinal` column keeps it).
pub(super) const fn children(
    name: &'static str,
    target: &'static str,
    join: &'static [(&'static str, &'static str)],
    path: &'static [&'static str],
    description: &'static str,
) -> RelationshipDef {
    RelationshipDef {
        name,
        target,
        cardinality: Cardinality::Many,
        join,
        order: &[("ordinal", false)],
        description,
        owned: Some(path),
    }
}

/// A link to at most one row of another type.
pub(super) const fn one(
    name: &'static str,
    target: &'static str,
    join: &'static [(&'static str, &'static str)],
    description: &'static str,
) -> RelationshipDef {
    RelationshipDef {
        name,
        target,
        cardinality: Cardinality::One,
        join,
        order: &[],
        description,
        owned: None,
    }
}

/// A link to any number of rows of another type, in `order`.
pub(super) const fn many(
    name: &'static str,
    target: &'static str,
    join: &'static [(&'static str, &'static str)],
    order: &'static [(&'static str, bool)],
    description: &'static str,
) -> RelationshipDef {
    RelationshipDef {
        name,
        target,
        cardinality: Cardinality::Many,
        join,
        order,
        description,
        owned: None,
    }
}

/// Every type of the catalogue.
pub const CATALOGUE: &[TypeDef] = &[
    ECS_TASK_DEFINITION,
    TASK_DEFINITION_VOLUME,
    PLACEMENT_CONSTRAINT,
    CONTAINER_SPEC,
    ENV_ENTRY,
    CONTAINER_SECRET,
    PORT_MAPPING,
    MOUNT_POINT,
    VOLUME_FROM,
    CONTAINER_DEPENDENCY,
    ULIMIT,
    SYSTEM_CONTROL,
    DEVICE,
    TMPFS,
    ECS_TASK,
    TASK_ATTACHMENT,
    TASK_CONTAINER,
    TASK_CONTAINER_OVERRIDE,
    ECS_SERVICE,
    ECS_SERVICE_NETWORK_CONFIGURATION,
    SERVICE_DEPLOYMENT,
    SERVICE_LOAD_BALANCER,
    SERVICE_REGISTRY,
    CAPACITY_PROVIDER_STRATEGY_ITEM,
    ECS_TASK_SET,
    ECS_CLUSTER,
    ECS_CLUSTER_SETTING,
    ECS_CAPACITY_PROVIDER,
    ECS_CONTAINER_INSTANCE,
    CONTAINER_INSTANCE_ATTRIBUTE,
    TAG,
];
