//! Golden compiler tests: a where-input (the GraphQL argument, as JSON) and a selection in,
//! the SQL and its bound parameters out, for PostgreSQL and SQLite. Every operator, the NULL and
//! empty-filter rows and the relationship rows of the semantics reference, and the selection
//! shapes. No database is needed; `tests/tests/semantics.rs` executes the same semantics.

use assetql_model::catalogue::{TypeDef, ASSET_INTERFACE};
use assetql_sql::{
    compile_assets, compile_connection, compile_count, compile_list, filter::simplify, parse_where,
    AssetsQuery, CompiledQuery, Filter, ListQuery, Quantifier, QueryDialect, Selection,
    SelectionItem, SortKey, SqlDialect,
};
use serde_json::{json, Value as Json};

fn ty(name: &str) -> &'static TypeDef {
    TypeDef::named(name).expect("catalogue type")
}

fn fields(ty: &'static TypeDef, names: &[&str]) -> Selection {
    Selection {
        items: names
            .iter()
            .map(|n| SelectionItem::Field {
                key: (*n).to_owned(),
                field: ty.field(n).expect("field"),
            })
            .collect(),
    }
}

fn render(compiled: &CompiledQuery) -> String {
    let params: Vec<String> = compiled
        .params
        .iter()
        .enumerate()
        .map(|(i, v)| format!("${} = {v:?}", i + 1))
        .collect();
    format!("{}\n-- params\n{}", compiled.sql, params.join("\n"))
}

fn list(type_name: &str, syntax: QueryDialect, filter: Json) -> ListQuery {
    let ty = ty(type_name);
    ListQuery {
        ty,
        tenant: assetql_model::TenantId::parse("acme").expect("tenant"),
        filter: parse_where(ty, syntax, &filter).expect("valid filter"),
        sort: vec![],
        limit: None,
        offset: None,
        after: None,
        selection: fields(ty, &["identifier"]),
    }
}

fn snapshot_both(name: &str, query: &ListQuery) {
    for dialect in [SqlDialect::Postgres, SqlDialect::Sqlite] {
        let compiled = compile_list(dialect, query).expect("compiles");
        insta::assert_snapshot!(format!("{name}__{}", dialect.name()), render(&compiled));
    }
}

/// (snapshot name, syntax, where-input on EcsTaskDefinition).
fn filter_cases() -> Vec<(&'static str, QueryDialect, Json)> {
    use QueryDialect::{Current, Legacy};
    vec![
        (
            "mission_control_legacy",
            Legacy,
            json!({"networkMode": "host", "task_NOT": null, "OR": [{"containerSpecs_SOME": {"privileged": true}}, {"containerSpecs_SOME": {"user_CONTAINS": "root"}}]}),
        ),
        (
            "mission_control_current",
            Current,
            json!({"networkMode": {"eq": "host"}, "NOT": {"task": null}, "OR": [{"containerSpecs_SOME": {"privileged": {"eq": true}}}, {"containerSpecs_SOME": {"user_CONTAINS": "root"}}]}),
        ),
        ("eq_implicit", Legacy, json!({"networkMode": "host"})),
        (
            "not_eq_excludes_null",
            Legacy,
            json!({"networkMode_NOT": "host"}),
        ),
        ("eq_null_is_null", Legacy, json!({"networkMode": null})),
        (
            "not_null_is_not_null",
            Legacy,
            json!({"networkMode_NOT": null}),
        ),
        ("in_list", Legacy, json!({"networkMode_IN": ["host", null]})),
        ("in_empty_is_false", Legacy, json!({"networkMode_IN": []})),
        (
            "not_in_empty_is_true",
            Legacy,
            json!({"networkMode_NOT_IN": []}),
        ),
        (
            "contains_escapes_wildcards",
            Legacy,
            json!({"family_CONTAINS": "50%_off\\"}),
        ),
        (
            "not_contains",
            Legacy,
            json!({"family_NOT_CONTAINS": "web"}),
        ),
        ("starts_with", Legacy, json!({"family_STARTS_WITH": "web"})),
        (
            "not_starts_with",
            Legacy,
            json!({"family_NOT_STARTS_WITH": "web"}),
        ),
        ("ends_with", Legacy, json!({"family_ENDS_WITH": "api"})),
        (
            "not_ends_with",
            Legacy,
            json!({"family_NOT_ENDS_WITH": "api"}),
        ),
        (
            "contains_null_is_null",
            Legacy,
            json!({"family_CONTAINS": null}),
        ),
        (
            "not_contains_null_is_not_null",
            Legacy,
            json!({"family_NOT_CONTAINS": null}),
        ),
        (
            "matches_whole_string",
            Legacy,
            json!({"pidMode_MATCHES": "host"}),
        ),
        (
            "matches_leading_flags",
            Current,
            json!({"pidMode": {"matches": "(?i)HOST"}}),
        ),
        (
            "int_comparisons",
            Legacy,
            json!({"revision_GT": 1, "revision_LTE": 9, "revision_LT": 10, "revision_GTE": 2}),
        ),
        (
            "datetime_comparison",
            Current,
            json!({"registeredAt": {"gt": "2026-01-01T00:00:00Z"}}),
        ),
        (
            "list_includes",
            Legacy,
            json!({"requiresCompatibilities_INCLUDES": "FARGATE"}),
        ),
        (
            "list_not_includes",
            Legacy,
            json!({"requiresCompatibilities_NOT_INCLUDES": "FARGATE"}),
        ),
        (
            "list_equality",
            Current,
            json!({"requiresCompatibilities": {"eq": ["EC2", "FARGATE"]}}),
        ),
        (
            "current_operator_object",
            Current,
            json!({"family": {"eq": "web", "in": ["web", "api"], "contains": "e", "startsWith": "w", "endsWith": "b"}}),
        ),
        ("empty_where", Legacy, json!({})),
        (
            "empty_and_or_not",
            Legacy,
            json!({"AND": [], "OR": [], "NOT": {}}),
        ),
        (
            "or_with_empty_branch",
            Legacy,
            json!({"OR": [{}, {"networkMode": "host"}]}),
        ),
        (
            "not_of_several_keys",
            Legacy,
            json!({"NOT": {"networkMode": "host", "family": "a"}}),
        ),
        (
            "some",
            Legacy,
            json!({"containerSpecs_SOME": {"privileged": true}}),
        ),
        (
            "none",
            Legacy,
            json!({"containerSpecs_NONE": {"privileged": true}}),
        ),
        (
            "all_false_on_empty_set",
            Legacy,
            json!({"containerSpecs_ALL": {"privileged": true}}),
        ),
        (
            "single",
            Legacy,
            json!({"containerSpecs_SINGLE": {"privileged": true}}),
        ),
        (
            "some_null_is_not_exists",
            Legacy,
            json!({"containerSpecs_SOME": null}),
        ),
        (
            "none_null_is_exists",
            Legacy,
            json!({"containerSpecs_NONE": null}),
        ),
        (
            "some_empty_is_no_filter",
            Legacy,
            json!({"containerSpecs_SOME": {}}),
        ),
        (
            "some_vanished_is_existence",
            Legacy,
            json!({"containerSpecs_SOME": {"OR": []}}),
        ),
        (
            "all_vanished_is_no_filter",
            Legacy,
            json!({"containerSpecs_ALL": {"OR": []}}),
        ),
        (
            "deprecated_bare_and_not",
            Legacy,
            json!({"containerSpecs": {"privileged": true}, "containerSpecs_NOT": {"user": "root"}}),
        ),
        (
            "current_quantifier_object",
            Current,
            json!({"containerSpecs": {"some": {"privileged": {"eq": true}}, "none": {"user": {"eq": "root"}}, "all": {"essential": {"eq": true}}, "single": {"name": {"eq": "app"}}}}),
        ),
        (
            "nested_relationships",
            Legacy,
            json!({"containerSpecs_SOME": {"envEntries_SOME": {"key_IN": ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]}}}),
        ),
        ("single_relationship_null", Legacy, json!({"task": null})),
        (
            "single_relationship_legacy_exactly_one",
            Legacy,
            json!({"task": {"lastStatus": "RUNNING"}}),
        ),
        (
            "single_relationship_legacy_not",
            Legacy,
            json!({"task_NOT": {"lastStatus": "RUNNING"}}),
        ),
        (
            "single_relationship_current_at_least_one",
            Current,
            json!({"task": {"lastStatus": {"eq": "RUNNING"}}}),
        ),
        (
            "asset_interface_fields",
            Legacy,
            json!({"cloudAccountName": "prod", "internalName_STARTS_WITH": "web:", "internalAssetType": "ECSTaskDefinition"}),
        ),
    ]
}

#[test]
fn filters_compile_to_correlated_exists_with_bound_values() {
    for (name, syntax, filter) in filter_cases() {
        snapshot_both(name, &list("EcsTaskDefinition", syntax, filter));
    }
}

#[test]
fn nested_selections_sort_and_paging_compile_to_one_statement() {
    let td = ty("EcsTaskDefinition");
    let container = ty("ContainerSpec");
    let task = ty("EcsTask");
    let mut selection = fields(
        td,
        &[
            "identifier",
            "networkMode",
            "registeredAt",
            "requiresCompatibilities",
        ],
    );
    selection.items.push(SelectionItem::Relationship {
        key: "specs".to_owned(),
        relationship: td.relationship("containerSpecs").expect("rel"),
        filter: parse_where(
            container,
            QueryDialect::Legacy,
            &json!({"privileged": true}),
        )
        .expect("filter"),
        sort: vec![SortKey {
            field: container.field("name").expect("f"),
            descending: true,
        }],
        limit: Some(5),
        offset: Some(1),
        selection: {
            let mut inner = fields(container, &["name", "privileged"]);
            inner.items.push(SelectionItem::Relationship {
                key: "envEntries".to_owned(),
                relationship: container.relationship("envEntries").expect("rel"),
                filter: None,
                sort: vec![],
                limit: None,
                offset: None,
                selection: fields(ty("EnvEntry"), &["key"]),
            });
            inner
        },
    });
    selection.items.push(SelectionItem::Relationship {
        key: "task".to_owned(),
        relationship: td.relationship("task").expect("rel"),
        filter: None,
        sort: vec![],
        limit: None,
        offset: None,
        selection: fields(task, &["arn", "startedAt"]),
    });
    let query = ListQuery {
        ty: td,
        tenant: assetql_model::TenantId::parse("acme").expect("tenant"),
        filter: None,
        sort: vec![SortKey {
            field: td.field("family").expect("f"),
            descending: false,
        }],
        limit: Some(50),
        offset: Some(100),
        after: None,
        selection,
    };
    snapshot_both("nested_selection_sort_paging", &query);
    for dialect in [SqlDialect::Postgres, SqlDialect::Sqlite] {
        let connection = compile_connection(dialect, &query, true, true, false).expect("compiles");
        insta::assert_snapshot!(
            format!("connection__{}", dialect.name()),
            render(&connection)
        );
        // Keyset paging: after the row (family "svc1", registeredAt NULL, ARN), each row's sort
        // values returned beside it for its cursor.
        let keyset = ListQuery {
            sort: vec![
                SortKey {
                    field: td.field("family").expect("f"),
                    descending: false,
                },
                SortKey {
                    field: td.field("registeredAt").expect("f"),
                    descending: true,
                },
            ],
            offset: None,
            after: Some(vec![
                assetql_sql::Value::text("svc1"),
                assetql_sql::Value::Timestamp(None),
                assetql_sql::Value::text("arn:aws:ecs:us-east-1:1:task-definition/svc1:3"),
            ]),
            ..query.clone()
        };
        let keyed = compile_connection(dialect, &keyset, true, false, true).expect("compiles");
        insta::assert_snapshot!(
            format!("connection_keyset__{}", dialect.name()),
            render(&keyed)
        );
        let count_only = compile_connection(dialect, &query, false, true, false).expect("compiles");
        assert!(
            !count_only.sql.contains("json_agg") && !count_only.sql.contains("json_group_array")
        );
        // A page without `totalCount`/`aggregate` counts nothing: no count(*) over the filter.
        assert!(connection.sql.contains("count(*)"), "{}", connection.sql);
        let page_only = compile_connection(dialect, &query, true, false, false).expect("compiles");
        assert!(!page_only.sql.contains("count("), "{}", page_only.sql);
        let count = compile_count(
            dialect,
            td,
            &assetql_model::TenantId::parse("acme").expect("tenant"),
            None,
        );
        insta::assert_snapshot!(format!("count__{}", dialect.name()), render(&count));
    }
}

#[test]
fn the_assets_interface_is_one_union() {
    let filter = parse_where(
        &ASSET_INTERFACE,
        QueryDialect::Legacy,
        &json!({"internalName_CONTAINS": "prod"}),
    )
    .expect("filter");
    let types = ["EcsCluster", "EcsService"]
        .iter()
        .map(|n| (ty(n), fields(ty(n), &["identifier", "internalName"])))
        .collect();
    let query = AssetsQuery {
        types,
        tenant: assetql_model::TenantId::parse("acme").expect("tenant"),
        filter,
        sort: vec![SortKey {
            field: ASSET_INTERFACE.field("internalName").expect("f"),
            descending: false,
        }],
        limit: Some(10),
        offset: None,
        tagged: true,
    };
    for dialect in [SqlDialect::Postgres, SqlDialect::Sqlite] {
        let compiled = compile_assets(dialect, &query).expect("compiles");
        insta::assert_snapshot!(format!("assets__{}", dialect.name()), render(&compiled));
    }
}

#[test]
fn the_mission_control_is_one_statement_with_exists_subqueries() {
    let (_, syntax, filter) = filter_cases().into_iter().next().expect("first case");
    let compiled = compile_list(
        SqlDialect::Postgres,
        &list("EcsTaskDefinition", syntax, filter),
    )
    .expect("compiles");
    assert_eq!(
        compiled.sql.matches("SELECT ").count(),
        5,
        "outer, aggregate, rows and two EXISTS (the OR'd containerSpecs_SOMEs share one)"
    );
    assert_eq!(compiled.sql.matches("EXISTS (SELECT 1 FROM").count(), 2);
    assert!(
        !compiled.sql.contains("NOT"),
        "no negation left: {}",
        compiled.sql
    );
    assert!(
        !compiled.sql.contains(" JOIN "),
        "relationship filters never join"
    );
    assert!(
        !compiled.sql.contains("'host'") && !compiled.sql.contains("%root%"),
        "values are bound"
    );
}

fn parsed(type_name: &str, syntax: QueryDialect, input: Json) -> Filter {
    parse_where(ty(type_name), syntax, &input)
        .expect("parses")
        .expect("a condition")
}

#[test]
fn filters_are_simplified_to_what_the_databases_plan_well() {
    use QueryDialect::{Current, Legacy};
    // NOT of a relationship's null test is the plain EXISTS the legacy suffix gives.
    assert_eq!(
        parsed("EcsTaskDefinition", Current, json!({"NOT": {"task": null}})),
        parsed("EcsTaskDefinition", Legacy, json!({"task_NOT": null}))
    );
    // Double negation and negated constants vanish.
    assert_eq!(
        parsed(
            "EcsTaskDefinition",
            Current,
            json!({"NOT": {"NOT": {"family": {"eq": "a"}}}})
        ),
        parsed("EcsTaskDefinition", Current, json!({"family": {"eq": "a"}}))
    );
    // NONEs under AND share one NOT EXISTS, as SOMEs under OR share one EXISTS.
    assert_eq!(
        parsed(
            "EcsTaskDefinition",
            Legacy,
            json!({"AND": [{"containerSpecs_NONE": {"privileged": true}}, {"containerSpecs_NONE": {"user": "root"}}]})
        ),
        parsed(
            "EcsTaskDefinition",
            Legacy,
            json!({"containerSpecs_NONE": {"OR": [{"privileged": true}, {"user": "root"}]}})
        )
    );
    // A SOME without a filter (any related row) absorbs a filtered one under OR.
    let specs = ty("EcsTaskDefinition")
        .relationship("containerSpecs")
        .expect("relationship");
    let privileged = parsed(
        "ContainerSpec",
        Current,
        json!({"privileged": {"eq": true}}),
    );
    let any = |inner: Option<Filter>| Filter::Related {
        relationship: specs,
        quantifier: Quantifier::Some,
        inner: inner.map(Box::new),
    };
    assert_eq!(
        simplify(Filter::Or(vec![any(None), any(Some(privileged))])),
        any(None)
    );
    // SOMEs under AND are not merged: two different rows may satisfy them.
    let both = parsed(
        "EcsTaskDefinition",
        Current,
        json!({"containerSpecs_SOME": {"privileged": {"eq": true}}, "AND": [{"containerSpecs_SOME": {"user": {"eq": "root"}}}]}),
    );
    assert!(
        matches!(&both, Filter::And(items) if items.len() == 2),
        "{both:?}"
    );
}
