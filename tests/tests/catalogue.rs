//! The asset catalogue (the one description the schema, the filters and the compiler are
//! generated from) against what the migrations create, on both databases: every column a field
//! reads exists with a type that holds the field's scalar, every non-null field's column is NOT
//! NULL, and every key, join and order column exists.

use std::collections::BTreeMap;

use assetql_model::catalogue::{FieldSource, ScalarKind, CATALOGUE};
use assetql_store::Database;
use assetql_tests::{Backend, TestDb};

/// Table -> column -> (declared type, lower case; NOT NULL).
type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

async fn columns(test_db: &TestDb) -> Columns {
    let rows: Vec<(String, String, String, bool)> = match &test_db.db {
        Database::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO' \
             FROM information_schema.columns WHERE table_schema = current_schema()",
        )
        .fetch_all(pool)
        .await
        .expect("read PostgreSQL columns"),
        Database::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, p.name, p.type, p.\"notnull\" OR p.pk > 0 \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
        )
        .fetch_all(pool)
        .await
        .expect("read SQLite columns"),
    };
    let mut out = Columns::new();
    for (table, column, ty, not_null) in rows {
        out.entry(table)
            .or_default()
            .insert(column, (ty.to_lowercase(), not_null));
    }
    out
}

/// The column types that hold `kind` on `backend`.
fn holds(backend: Backend, kind: ScalarKind) -> &'static [&'static str] {
    match (backend, kind) {
        (Backend::Postgres, ScalarKind::Boolean) => &["boolean"],
        (Backend::Postgres, ScalarKind::Int) => &["bigint", "integer"],
        (Backend::Postgres, ScalarKind::Id | ScalarKind::String) => &["text"],
        (Backend::Postgres, ScalarKind::StringList) => &["array"],
        (Backend::Postgres, ScalarKind::DateTime) => &["timestamp with time zone"],
        // SQLite keeps 0/1 whatever the declared type says.
        (Backend::Sqlite, ScalarKind::Boolean) => &["boolean", "integer"],
        (Backend::Sqlite, ScalarKind::Int) => &["integer"],
        (Backend::Sqlite, ScalarKind::Id | ScalarKind::String) => &["text"],
        // A JSON array as text; a fixed-width ISO-8601 text.
        (Backend::Sqlite, ScalarKind::StringList | ScalarKind::DateTime) => &["text"],
    }
}

#[tokio::test]
async fn the_catalogue_matches_both_migration_folders() {
    for backend in [Backend::Postgres, Backend::Sqlite] {
        let test_db = TestDb::new(backend).await;
        let columns = columns(&test_db).await;
        let mut problems = Vec::new();
        let mut checked = 0;
        for ty in CATALOGUE {
            let Some(table) = columns.get(ty.table) else {
                problems.push(format!("{}: no table {}", ty.name, ty.table));
                continue;
            };
            let fields = ty.all_fields();
            for field in fields {
                let FieldSource::Column(column) = field.source else {
                    continue;
                };
                checked += 1;
                match table.get(column) {
                    None => {
                        problems.push(format!("{}.{}: no column {column}", ty.name, field.name))
                    }
                    Some((declared, not_null)) => {
                        if !holds(backend, field.kind).contains(&declared.as_str()) {
                            problems.push(format!(
                                "{}.{}: {column} is {declared}, which does not hold {:?}",
                                ty.name, field.name, field.kind
                            ));
                        }
                        if !field.nullable && !not_null {
                            problems.push(format!(
                                "{}.{}: non-null in GraphQL but {column} may be NULL",
                                ty.name, field.name
                            ));
                        }
                    }
                }
            }
            let keys = ty.key.iter().copied();
            let joins = ty.relationships.iter().flat_map(|r| {
                let target = CATALOGUE.iter().find(|t| t.name == r.target);
                r.join
                    .iter()
                    .map(move |(parent, child)| (*parent, *child, target))
            });
            for key in keys {
                if !table.contains_key(key) {
                    problems.push(format!("{}: no key column {key}", ty.name));
                }
            }
            for (parent, child, target) in joins {
                if !table.contains_key(parent) {
                    problems.push(format!("{}: no join column {parent}", ty.name));
                }
                let Some(target) = target else {
                    problems.push(format!("{}: a relationship to an unknown type", ty.name));
                    continue;
                };
                if !columns
                    .get(target.table)
                    .is_some_and(|t| t.contains_key(child))
                {
                    problems.push(format!("{}: no join column {child}", target.name));
                }
            }
            for relationship in ty.relationships {
                let target = CATALOGUE.iter().find(|t| t.name == relationship.target);
                for (column, _) in relationship.order {
                    if !target
                        .and_then(|t| columns.get(t.table))
                        .is_some_and(|t| t.contains_key(*column))
                    {
                        problems.push(format!(
                            "{}.{}: no order column {column}",
                            ty.name, relationship.name
                        ));
                    }
                }
            }
        }
        assert!(checked > 40, "{backend:?}: only {checked} columns checked");
        assert!(problems.is_empty(), "{backend:?}: {problems:#?}");
    }
}
