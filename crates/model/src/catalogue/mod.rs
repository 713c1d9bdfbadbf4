//! The asset catalogue: one declarative description of every GraphQL-visible type — its table,
//! its fields (GraphQL name, scalar type, SQL source) and its relationships (cardinality, join
//! columns, order). The GraphQL schemas, where-inputs, sort inputs and the SQL compiler are all
//! generated from it; adding a field is one entry here plus a migration.

/// The scalar type of a field, as GraphQL shows it and as the compiler binds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    /// `ID` (text).
    Id,
    /// `String`.
    String,
    /// `Boolean`.
    Boolean,
    /// `Int` (stored as BIGINT).
    Int,
    /// `DateTime`: ISO-8601 UTC text on the wire.
    DateTime,
    /// `[String!]`: a list of strings.
    StringList,
}

impl ScalarKind {
    /// The GraphQL type name of one value.
    pub fn graphql_name(self) -> &'static str {
        match self {
            ScalarKind::Id => "ID",
            ScalarKind::String | ScalarKind::StringList => "String",
            ScalarKind::Boolean => "Boolean",
            ScalarKind::Int => "Int",
            ScalarKind::DateTime => "DateTime",
        }
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldSource {
    /// A column of the type's table.
    Column(&'static str),
    /// A SQL expression template valid in every dialect; `{t}` stands for the row's table alias.
    Expr(&'static str),
    /// The type's internal asset type label (`ECSTaskDefinition`…).
    AssetTypeLabel,
    /// The type's asset category label.
    AssetCategory,
    /// The asset's readable name ([`AssetInfo::name_expr`]).
    AssetName,
    /// A constant string.
    Literal(&'static str),
}

/// One scalar field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// GraphQL field name.
    pub name: &'static str,
    /// Scalar type.
    pub kind: ScalarKind,
    /// Whether the value may be null.
    pub nullable: bool,
    /// Where the value comes from.
    pub source: FieldSource,
    /// One-line description shown by introspection.
    pub description: &'static str,
    /// Where the value sits in the AWS API's JSON for the type.
    pub api: Api,
}

/// Where a stored field's value sits in the AWS API's JSON for its type: the shape Describe*
/// returns, which is also the shape RegisterTaskDefinition and task-definition files take
/// (CloudFormation's properties are the same keys in PascalCase). The ingest writes what this
/// says ([`document::rows`]); nothing else lists the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Not read from the API: kept by the inventory (tenant, account, region, seen times,
    /// content hash) or taken from the parent (a child's join columns and ordinal).
    None,
    /// The value at this path of keys, read as the field's scalar kind.
    At(&'static [&'static str]),
    /// `"ENABLED"` is true, `"DISABLED"` false, anything else null.
    Enabled(&'static [&'static str]),
    /// Whether a value is set at this path (not null, and not an empty string, list or
    /// object); the value itself is never read (environment values, command lines: they can
    /// hold secrets).
    Set(&'static [&'static str]),
    /// The last segment of the type's ARN (a task's id), when the path holds no value.
    ArnIdOr(&'static [&'static str]),
    /// The keys of the object at this path, sorted (docker label and log option names: their
    /// values can hold secrets and are never read).
    Keys(&'static [&'static str]),
    /// The string at `key` of each item of the list at this path (the names of a list of
    /// `{name, …}` objects).
    Each(&'static [&'static str], &'static str),
    /// In the list of `{name, value}` pairs at this path, the value of the pair named so (a
    /// task attachment's `details`).
    Named(&'static [&'static str], &'static str),
    /// The string at this path with the prefix removed; null when it does not start so (the
    /// service name in a task's `group`, `service:NAME`).
    Strip(&'static str, &'static [&'static str]),
    /// Not in the document: kept exact by the writer from the stored rows at each commit
    /// (`latestActiveRevision`).
    Derived,
}

impl FieldDef {
    /// The field read from the API at `path`.
    pub const fn at(mut self, path: &'static [&'static str]) -> FieldDef {
        self.api = Api::At(path);
        self
    }

    /// The field read as `ENABLED`/`DISABLED` at `path`.
    pub const fn enabled(mut self, path: &'static [&'static str]) -> FieldDef {
        self.api = Api::Enabled(path);
        self
    }

    /// The field true when the string at `path` is set and not empty.
    pub const fn set(mut self, path: &'static [&'static str]) -> FieldDef {
        self.api = Api::Set(path);
        self
    }

    /// The field holding the sorted keys of the object at `path`.
    pub const fn keys(mut self, path: &'static [&'static str]) -> FieldDef {
        self.api = Api::Keys(path);
        self
    }

    /// The field holding `key` of each item of the list at `path`.
    pub const fn each(mut self, path: &'static [&'static str], key: &'static str) -> FieldDef {
        self.api = Api::Each(path, key);
        self
    }

    /// The field holding the value of the `{name, value}` pair named `name` at `path`.
    pub const fn named(mut self, path: &'static [&'static str], name: &'static str) -> FieldDef {
        self.api = Api::Named(path, name);
        self
    }

    /// The field holding the string at `path` without `prefix`.
    pub const fn strip(mut self, prefix: &'static str, path: &'static [&'static str]) -> FieldDef {
        self.api = Api::Strip(prefix, path);
        self
    }

    /// The field the writer derives from stored rows.
    pub const fn derived(mut self) -> FieldDef {
        self.api = Api::Derived;
        self
    }

    /// The field read at `path`, else the last segment of the ARN.
    pub const fn arn_id_or(mut self, path: &'static [&'static str]) -> FieldDef {
        self.api = Api::ArnIdOr(path);
        self
    }
}

/// How many related rows a relationship has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cardinality {
    /// At most one is returned (`task`), though the filter semantics follow each dialect.
    One,
    /// A list (`containerSpecs`).
    Many,
}

/// A relationship from one type to another, joined on `tenant_id` plus `join` column pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelationshipDef {
    /// GraphQL field name.
    pub name: &'static str,
    /// Target type name.
    pub target: &'static str,
    /// One or many.
    pub cardinality: Cardinality,
    /// (parent column, child column) pairs, besides `tenant_id`.
    pub join: &'static [(&'static str, &'static str)],
    /// Default order of related rows: (child column, descending). For `One`, the first row is
    /// the one returned.
    pub order: &'static [(&'static str, bool)],
    /// One-line description shown by introspection.
    pub description: &'static str,
    /// For a child table written with its parent: where the children sit in the parent's API
    /// JSON (a list, one row per item; an object, one row).
    pub owned: Option<&'static [&'static str]>,
}

/// Labels of a type that implements the `Asset` interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetInfo {
    /// `internalAssetType`, e.g. `ECSTaskDefinition`.
    pub internal_asset_type: &'static str,
    /// `assetCategory`.
    pub category: &'static str,
    /// Root list field, e.g. `ecsTaskDefinitions`.
    pub root_field: &'static str,
    /// SQL template of `internalName` (`{t}` = row alias).
    pub name_expr: &'static str,
    /// When `internalName` is a NOT NULL column, a separator and more NOT NULL text: that
    /// column and the separator. A prefix without the separator starts the name exactly when
    /// it starts the column, so `internalName_STARTS_WITH` can test (and index) the column.
    pub name_prefix: Option<(&'static str, char)>,
}

/// One GraphQL object type backed by one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeDef {
    /// GraphQL type name.
    pub name: &'static str,
    /// Table name.
    pub table: &'static str,
    /// One-line description shown by introspection.
    pub description: &'static str,
    /// Present when the type implements `Asset` and has root fields.
    pub asset: Option<AssetInfo>,
    /// Scalar fields other than the `Asset` interface's.
    pub fields: &'static [FieldDef],
    /// Relationships.
    pub relationships: &'static [RelationshipDef],
    /// Columns that identify a row; the stable last sort key.
    pub key: &'static [&'static str],
}

pub mod document;
mod ecs;

pub use ecs::*;

pub(crate) const fn field(
    name: &'static str,
    kind: ScalarKind,
    nullable: bool,
    column: &'static str,
    description: &'static str,
) -> FieldDef {
    FieldDef {
        name,
        kind,
        nullable,
        source: FieldSource::Column(column),
        description,
        api: Api::None,
    }
}

impl TypeDef {
    /// Looks a type up by GraphQL name.
    pub fn named(name: &str) -> Option<&'static TypeDef> {
        CATALOGUE.iter().find(|t| t.name == name)
    }

    /// Every scalar field, the `Asset` interface's first for asset types.
    pub fn all_fields(&self) -> impl Iterator<Item = &'static FieldDef> + '_ {
        let asset: &'static [FieldDef] = if self.asset.is_some() {
            ASSET_FIELDS
        } else {
            &[]
        };
        asset.iter().chain(self.fields.iter())
    }

    /// A scalar field by GraphQL name.
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.all_fields().find(|f| f.name == name)
    }

    /// A relationship by GraphQL name.
    pub fn relationship(&self, name: &str) -> Option<&'static RelationshipDef> {
        self.relationships.iter().find(|r| r.name == name)
    }

    /// The target type of `relationship`.
    pub fn target(relationship: &RelationshipDef) -> &'static TypeDef {
        TypeDef::named(relationship.target).expect("catalogue relationships name catalogue types")
    }
}

/// The `Asset` interface as a type whose fields are the interface's: what `AssetWhere` and
/// `AssetSort` are parsed against. It has no table; the compiler applies its filters to each
/// concrete asset type.
pub static ASSET_INTERFACE: TypeDef = TypeDef {
    name: "Asset",
    table: "",
    description: "Identity fields every asset has (the stored controls' AssetFragment).",
    asset: None,
    fields: ASSET_FIELDS,
    relationships: &[],
    key: &["arn"],
};

/// The asset types (those implementing `Asset`), in catalogue order.
pub fn asset_types() -> impl Iterator<Item = &'static TypeDef> {
    CATALOGUE.iter().filter(|t| t.asset.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_relationship_targets_a_catalogue_type_with_its_join_columns() {
        for ty in CATALOGUE {
            for rel in ty.relationships {
                let target = TypeDef::named(rel.target).unwrap_or_else(|| {
                    panic!("{}.{} targets unknown {}", ty.name, rel.name, rel.target)
                });
                assert!(
                    !rel.join.is_empty(),
                    "{}.{} has join columns",
                    ty.name,
                    rel.name
                );
                let _ = target;
            }
        }
    }

    #[test]
    fn field_names_are_unique_per_type() {
        for ty in CATALOGUE {
            let mut names: Vec<&str> = ty.all_fields().map(|f| f.name).collect();
            names.extend(ty.relationships.iter().map(|r| r.name));
            let count = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "duplicate field name in {}", ty.name);
        }
    }

    #[test]
    fn the_controls_field_names_exist() {
        let td = TypeDef::named("EcsTaskDefinition").expect("type");
        assert!(td.field("networkMode").is_some() && td.field("pidMode").is_some());
        assert!(td.relationship("task").is_some() && td.relationship("containerSpecs").is_some());
        let container = TypeDef::named("ContainerSpec").expect("type");
        for f in ["privileged", "user", "readOnlyRootFS"] {
            assert!(container.field(f).is_some(), "{f}");
        }
        assert!(container.relationship("envEntries").is_some());
        let service = TypeDef::named("EcsService").expect("type");
        assert!(service
            .relationship("hasECSServiceNetworkConfigurations")
            .is_some());
        assert!(service.field("platformVersion").is_some());
        let cluster = TypeDef::named("EcsCluster").expect("type");
        assert!(cluster.relationship("hasECSSettings").is_some());
    }
}
