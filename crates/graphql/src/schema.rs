//! Generates one fully typed GraphQL schema per dialect from the asset catalogue: object types,
//! the `Asset` interface, where-inputs, sort and options inputs, root list, aggregate and
//! connection fields.

use assetql_model::catalogue::{
    asset_types, Cardinality, FieldDef, ScalarKind, TypeDef, ASSET_FIELDS, ASSET_INTERFACE,
    CATALOGUE,
};
use assetql_sql::filter::{
    operator_keys, operator_object_name, relationship_suffixes, scalar_suffixes,
};
use assetql_sql::QueryDialect;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, InputObject, InputValue, Interface, InterfaceField, Object,
    ResolverContext, Scalar, Schema, SchemaError, TypeRef,
};
use async_graphql::Value;

use crate::resolve;

/// The type names derived from a catalogue type.
pub(crate) fn where_name(ty: &str) -> String {
    format!("{ty}Where")
}
fn sort_name(ty: &str) -> String {
    format!("{ty}Sort")
}
fn options_name(ty: &str) -> String {
    format!("{ty}Options")
}
fn relationship_filters_name(ty: &str) -> String {
    format!("{ty}RelationshipFilters")
}
pub(crate) fn connection_field(root: &str) -> String {
    format!("{root}Connection")
}
pub(crate) fn aggregate_field(root: &str) -> String {
    format!("{root}Aggregate")
}
fn connection_type(root: &str) -> String {
    let mut chars = root.chars();
    let first = chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .unwrap_or_default();
    format!("{first}{}Connection", chars.as_str())
}

fn scalar_type(kind: ScalarKind) -> &'static str {
    kind.graphql_name()
}

fn output_type(field: &FieldDef) -> TypeRef {
    match (field.kind, field.nullable) {
        (ScalarKind::StringList, true) => TypeRef::named_nn_list(scalar_type(field.kind)),
        (ScalarKind::StringList, false) => TypeRef::named_nn_list_nn(scalar_type(field.kind)),
        (kind, true) => TypeRef::named(scalar_type(kind)),
        (kind, false) => TypeRef::named_nn(scalar_type(kind)),
    }
}

/// Resolves a field from its parent's JSON object by response key.
fn from_parent(ctx: ResolverContext<'_>) -> FieldFuture<'_> {
    let field = ctx.field();
    let key = field.alias().unwrap_or(field.name());
    let value = match ctx.parent_value.as_value() {
        Some(Value::Object(object)) => object.get(key).cloned(),
        _ => None,
    };
    FieldFuture::from_value(value.filter(|v| *v != Value::Null))
}

fn where_input(ty: &TypeDef, syntax: QueryDialect) -> InputObject {
    let name = where_name(ty.name);
    let mut input = InputObject::new(&name).description(format!(
        "Filter on {}: keys are ANDed; AND/OR/NOT combine; empty filters are no condition.",
        ty.name
    ));
    input = input
        .field(InputValue::new("AND", TypeRef::named_nn_list(&name)))
        .field(InputValue::new("OR", TypeRef::named_nn_list(&name)))
        .field(InputValue::new("NOT", TypeRef::named(&name)));
    for field in ty.all_fields() {
        let one = scalar_type(field.kind);
        let base = match (syntax, field.kind) {
            (QueryDialect::Current, kind) => TypeRef::named(operator_object_name(kind)),
            (QueryDialect::Legacy, ScalarKind::StringList) => TypeRef::named_nn_list(one),
            (QueryDialect::Legacy, _) => TypeRef::named(one),
        };
        input = input.field(InputValue::new(field.name, base).description(field.description));
        for suffix in scalar_suffixes(field.kind, syntax) {
            let ty_ref = match suffix {
                "IN" | "NOT_IN" => TypeRef::named_list(one),
                "NOT" if field.kind == ScalarKind::StringList => TypeRef::named_nn_list(one),
                "INCLUDES" | "NOT_INCLUDES" | "CONTAINS" | "NOT_CONTAINS" | "STARTS_WITH"
                | "NOT_STARTS_WITH" | "ENDS_WITH" | "NOT_ENDS_WITH" | "MATCHES" => {
                    TypeRef::named("String")
                }
                _ => TypeRef::named(one),
            };
            input = input.field(InputValue::new(format!("{}_{suffix}", field.name), ty_ref));
        }
    }
    for relationship in ty.relationships {
        let target = where_name(relationship.target);
        let bare = match (relationship.cardinality, syntax) {
            (Cardinality::Many, QueryDialect::Current) => {
                relationship_filters_name(relationship.target)
            }
            _ => target.clone(),
        };
        input = input.field(
            InputValue::new(relationship.name, TypeRef::named(bare))
                .description(relationship.description),
        );
        for suffix in relationship_suffixes(relationship.cardinality, syntax) {
            input = input.field(InputValue::new(
                format!("{}_{suffix}", relationship.name),
                TypeRef::named(&target),
            ));
        }
    }
    input
}

fn sort_input(ty: &TypeDef) -> InputObject {
    let mut input = InputObject::new(sort_name(ty.name))
        .description(format!("Sort {} by one or more fields.", ty.name));
    for field in ty.all_fields().filter(|f| f.kind != ScalarKind::StringList) {
        input = input.field(InputValue::new(field.name, TypeRef::named("SortDirection")));
    }
    input
}

fn list_arguments(mut field: Field, ty: &TypeDef, syntax: QueryDialect) -> Field {
    field = field.argument(InputValue::new(
        "where",
        TypeRef::named(where_name(ty.name)),
    ));
    match syntax {
        QueryDialect::Legacy => field.argument(InputValue::new(
            "options",
            TypeRef::named(options_name(ty.name)),
        )),
        QueryDialect::Current => field
            .argument(InputValue::new("limit", TypeRef::named("Int")))
            .argument(InputValue::new("offset", TypeRef::named("Int")))
            .argument(InputValue::new(
                "sort",
                TypeRef::named_nn_list(sort_name(ty.name)),
            )),
    }
}

fn object_type(ty: &'static TypeDef, syntax: QueryDialect) -> Object {
    let mut object = Object::new(ty.name).description(ty.description);
    if ty.asset.is_some() {
        object = object.implement("Asset");
    }
    for field in ty.all_fields() {
        object = object.field(
            Field::new(field.name, output_type(field), from_parent).description(field.description),
        );
    }
    for relationship in ty.relationships {
        let field = match relationship.cardinality {
            Cardinality::Many => list_arguments(
                Field::new(
                    relationship.name,
                    TypeRef::named_nn_list_nn(relationship.target),
                    from_parent,
                ),
                TypeDef::target(relationship),
                syntax,
            ),
            Cardinality::One => Field::new(
                relationship.name,
                TypeRef::named(relationship.target),
                from_parent,
            ),
        };
        object = object.field(field.description(relationship.description));
    }
    object
}

/// Builds the schema of one dialect.
pub fn build(syntax: QueryDialect) -> Result<Schema, SchemaError> {
    let mut query = Object::new("Query");
    let mut builder_types: Vec<async_graphql::dynamic::Type> = Vec::new();

    builder_types.push(
        Scalar::new("DateTime")
            .description("An ISO-8601 UTC date-time, e.g. 2026-01-31T12:00:00.000000Z.")
            .validator(|v| matches!(v, Value::String(_)))
            .into(),
    );
    builder_types.push(Enum::new("SortDirection").item("ASC").item("DESC").into());
    let mut interface = Interface::new("Asset")
        .description("Identity fields every asset has (the stored controls' AssetFragment).");
    for field in ASSET_FIELDS {
        interface = interface.field(
            InterfaceField::new(field.name, output_type(field)).description(field.description),
        );
    }
    builder_types.push(interface.into());
    builder_types.push(
        Object::new("PageInfo")
            .field(Field::new(
                "hasNextPage",
                TypeRef::named_nn("Boolean"),
                from_parent,
            ))
            .field(Field::new(
                "hasPreviousPage",
                TypeRef::named_nn("Boolean"),
                from_parent,
            ))
            .field(Field::new(
                "startCursor",
                TypeRef::named("String"),
                from_parent,
            ))
            .field(Field::new(
                "endCursor",
                TypeRef::named("String"),
                from_parent,
            ))
            .into(),
    );
    if syntax == QueryDialect::Current {
        builder_types.push(
            Object::new("Count")
                .field(Field::new("nodes", TypeRef::named_nn("Int"), from_parent))
                .into(),
        );
        for kind in [
            ScalarKind::Id,
            ScalarKind::String,
            ScalarKind::Boolean,
            ScalarKind::Int,
            ScalarKind::DateTime,
            ScalarKind::StringList,
        ] {
            let mut input = InputObject::new(operator_object_name(kind));
            for key in operator_keys(kind) {
                let ty_ref = match (*key, kind) {
                    ("in", _) => TypeRef::named_nn_list(scalar_type(kind)),
                    ("eq", ScalarKind::StringList) => TypeRef::named_nn_list(scalar_type(kind)),
                    ("includes" | "contains" | "startsWith" | "endsWith" | "matches", _) => {
                        TypeRef::named("String")
                    }
                    _ => TypeRef::named(scalar_type(kind)),
                };
                input = input.field(InputValue::new(*key, ty_ref));
            }
            builder_types.push(input.into());
        }
    }

    for ty in CATALOGUE {
        builder_types.push(object_type(ty, syntax).into());
        builder_types.push(where_input(ty, syntax).into());
        builder_types.push(sort_input(ty).into());
        match syntax {
            QueryDialect::Legacy => builder_types.push(
                InputObject::new(options_name(ty.name))
                    .field(InputValue::new("limit", TypeRef::named("Int")))
                    .field(InputValue::new("offset", TypeRef::named("Int")))
                    .field(InputValue::new(
                        "sort",
                        TypeRef::named_nn_list(sort_name(ty.name)),
                    ))
                    .into(),
            ),
            QueryDialect::Current => {
                let target_where = where_name(ty.name);
                builder_types.push(
                    InputObject::new(relationship_filters_name(ty.name))
                        .field(InputValue::new("some", TypeRef::named(&target_where)))
                        .field(InputValue::new("none", TypeRef::named(&target_where)))
                        .field(InputValue::new("all", TypeRef::named(&target_where)))
                        .field(InputValue::new("single", TypeRef::named(&target_where)))
                        .into(),
                );
            }
        }
    }

    // The `Asset` interface: where/sort inputs over its fields, a type filter, and `assets`.
    let interface_name = ASSET_INTERFACE.name;
    let typename_key = match syntax {
        QueryDialect::Legacy => resolve::TYPENAME_LEGACY,
        QueryDialect::Current => resolve::TYPENAME_CURRENT,
    };
    builder_types.push(
        where_input(&ASSET_INTERFACE, syntax)
            .field(
                InputValue::new(typename_key, TypeRef::named_nn_list("AssetImplementation"))
                    .description("Only assets of these types."),
            )
            .into(),
    );
    builder_types.push(sort_input(&ASSET_INTERFACE).into());
    builder_types.push(
        asset_types()
            .fold(Enum::new("AssetImplementation"), |e, ty| e.item(ty.name))
            .description("The types that implement Asset.")
            .into(),
    );
    if syntax == QueryDialect::Legacy {
        builder_types.push(
            InputObject::new(options_name(interface_name))
                .field(InputValue::new("limit", TypeRef::named("Int")))
                .field(InputValue::new("offset", TypeRef::named("Int")))
                .field(InputValue::new(
                    "sort",
                    TypeRef::named_nn_list(sort_name(interface_name)),
                ))
                .into(),
        );
    }
    query = query.field(
        list_arguments(
            Field::new(
                "assets",
                TypeRef::named_nn_list_nn(interface_name),
                move |ctx| FieldFuture::new(resolve::assets(ctx, syntax)),
            ),
            &ASSET_INTERFACE,
            syntax,
        )
        .description("Assets of every type, filtered and sorted on the Asset interface's fields."),
    );

    for ty in asset_types() {
        let Some(asset) = ty.asset else { continue };
        let root = asset.root_field;
        query = query.field(
            list_arguments(
                Field::new(root, TypeRef::named_nn_list_nn(ty.name), move |ctx| {
                    FieldFuture::new(resolve::list(ctx, ty, syntax))
                }),
                ty,
                syntax,
            )
            .description(format!("{} assets matching `where`.", ty.name)),
        );

        let connection = connection_type(root);
        let edge = format!("{}Edge", ty.name);
        builder_types.push(
            Object::new(&edge)
                .field(Field::new(
                    "cursor",
                    TypeRef::named_nn("String"),
                    from_parent,
                ))
                .field(Field::new("node", TypeRef::named_nn(ty.name), from_parent))
                .into(),
        );
        let mut connection_object = Object::new(&connection)
            .field(Field::new(
                "totalCount",
                TypeRef::named_nn("Int"),
                from_parent,
            ))
            .field(Field::new(
                "edges",
                TypeRef::named_nn_list_nn(&edge),
                from_parent,
            ))
            .field(Field::new(
                "pageInfo",
                TypeRef::named_nn("PageInfo"),
                from_parent,
            ));
        if syntax == QueryDialect::Current {
            let aggregate = format!("{}Aggregate", ty.name);
            builder_types.push(
                Object::new(&aggregate)
                    .field(Field::new("count", TypeRef::named_nn("Count"), from_parent))
                    .into(),
            );
            connection_object = connection_object.field(Field::new(
                "aggregate",
                TypeRef::named_nn(&aggregate),
                from_parent,
            ));
        }
        builder_types.push(connection_object.into());
        query = query.field(
            Field::new(
                connection_field(root),
                TypeRef::named_nn(&connection),
                move |ctx| FieldFuture::new(crate::connection_field::connection(ctx, ty, syntax)),
            )
            .argument(InputValue::new(
                "where",
                TypeRef::named(where_name(ty.name)),
            ))
            .argument(InputValue::new("first", TypeRef::named("Int")))
            .argument(
                InputValue::new("after", TypeRef::named("String")).description(
                    "A cursor of this connection under the same sort: the page starts after its row, read on from the row's sort values (keyset), not by skipping rows. Relay offset cursors (`arrayconnection:N`) are still accepted.",
                ),
            )
            .argument(InputValue::new(
                "sort",
                TypeRef::named_nn_list(sort_name(ty.name)),
            ))
            .description(format!(
                "A page of {} assets with relay-style cursors.",
                ty.name
            )),
        );

        if syntax == QueryDialect::Legacy {
            let selection = format!("{}AggregateSelection", ty.name);
            builder_types.push(
                Object::new(&selection)
                    .field(Field::new("count", TypeRef::named_nn("Int"), from_parent))
                    .into(),
            );
            query = query.field(
                Field::new(
                    aggregate_field(root),
                    TypeRef::named_nn(&selection),
                    move |ctx| FieldFuture::new(resolve::aggregate(ctx, ty, syntax)),
                )
                .argument(InputValue::new(
                    "where",
                    TypeRef::named(where_name(ty.name)),
                )),
            );
        }
    }

    builder_types.extend(crate::controls_api::types());
    let query = crate::controls_api::queries(query, syntax);
    // Depth and size are checked before the executor sees a document (`limits`), with codes;
    // its validation is the strict default.
    let mut builder = Schema::build("Query", Some("Mutation"), None);
    for ty in builder_types {
        builder = builder.register(ty);
    }
    builder
        .register(query)
        .register(crate::controls_api::mutation())
        .finish()
}
