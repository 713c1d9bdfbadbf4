//! The compiler: a root field (type, tenant, filter, sort, paging, selection) becomes ONE SQL
//! statement that returns the response's JSON as text. Relationship filters are correlated
//! EXISTS subqueries; nested selections are correlated subqueries that build JSON in the
//! database. Every value is a bound parameter; identifiers and JSON keys come from the catalogue
//! or from GraphQL names (checked again here).

use assetql_model::catalogue::{FieldDef, RelationshipDef, ScalarKind, TypeDef};

use assetql_model::TenantId;

use crate::dialect::SqlDialect;
use crate::error::CompileError;
use crate::filter::Filter;
use crate::value::Value;

/// One ORDER BY key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The field sorted on.
    pub field: &'static FieldDef,
    /// DESC when true (NULLs first, as in Cypher); ASC puts NULLs last.
    pub descending: bool,
}

/// What to put in each JSON object, keyed by response key (alias or field name).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection {
    /// The items, in response order.
    pub items: Vec<SelectionItem>,
}

/// One selected field.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectionItem {
    /// A scalar field.
    Field {
        /// Response key.
        key: String,
        /// The field.
        field: &'static FieldDef,
    },
    /// `__typename`: the type's name, a constant.
    TypeName {
        /// Response key.
        key: String,
    },
    /// A relationship with its own arguments and selection.
    Relationship {
        /// Response key.
        key: String,
        /// The relationship.
        relationship: &'static RelationshipDef,
        /// `where` on the related rows.
        filter: Option<Filter>,
        /// Order of the related rows (before the relationship's default order).
        sort: Vec<SortKey>,
        /// Most related rows returned.
        limit: Option<u64>,
        /// Related rows skipped.
        offset: Option<u64>,
        /// What to select of each related row.
        selection: Selection,
    },
}

impl SelectionItem {
    /// The response key.
    pub fn key(&self) -> &str {
        match self {
            SelectionItem::Field { key, .. }
            | SelectionItem::TypeName { key }
            | SelectionItem::Relationship { key, .. } => key,
        }
    }
}

/// A root list field: `ecsTaskDefinitions(where, options | limit/offset/sort)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// The asset type queried.
    pub ty: &'static TypeDef,
    /// The tenant every row (and every related row) must belong to.
    pub tenant: TenantId,
    /// The where-filter.
    pub filter: Option<Filter>,
    /// Sort keys; the type's key columns are always appended so pages are stable.
    pub sort: Vec<SortKey>,
    /// Most rows returned.
    pub limit: Option<u64>,
    /// Rows skipped.
    pub offset: Option<u64>,
    /// Keyset paging: only rows after the row whose sort values (each sort key's, then the
    /// type's key columns') these are, in the query's order. The statement reads from there on
    /// (an index on the sort columns starts at the bound) instead of skipping `offset` rows.
    pub after: Option<Vec<Value>>,
    /// What to select of each row.
    pub selection: Selection,
}

/// SQL text plus the values of its `$n` parameters. The statement returns one row with one TEXT
/// column: JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledQuery {
    /// The statement.
    pub sql: String,
    /// Bound values, `$1` first.
    pub params: Vec<Value>,
}

/// The key under which interface results carry their concrete type name.
pub const TYPE_KEY: &str = "__type";

/// The `assets` root field over the `Asset` interface: the union of several asset types.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetsQuery {
    /// The concrete types included, each with what to select of it.
    pub types: Vec<(&'static TypeDef, Selection)>,
    /// The tenant.
    pub tenant: TenantId,
    /// A filter on interface fields only.
    pub filter: Option<Filter>,
    /// Sort keys on interface fields; type and ARN are appended.
    pub sort: Vec<SortKey>,
    /// Most rows returned.
    pub limit: Option<u64>,
    /// Rows skipped.
    pub offset: Option<u64>,
    /// Whether each object carries its type name under a private key (for a caller that
    /// types the rows itself); without it, the objects are the response's as they are.
    pub tagged: bool,
}

mod predicate;
mod select;
mod writer;

use writer::field_sql;
use writer::Writer;
#[cfg(test)]
use writer::{check_key, escape_like};

impl Writer {
    /// `(SELECT <JSON array of the query's rows>)`; with `keys`, `(SELECT {"nodes": [rows],
    /// "keys": [each row's sort values]})`, the values a keyset cursor of the row carries.
    fn list_expr(&mut self, query: &ListQuery, keys: bool) -> Result<(), CompileError> {
        let alias = self.alias();
        self.push(match (self.dialect, keys) {
            (SqlDialect::Postgres, false) => {
                "(SELECT coalesce(json_agg(root.j), '[]'::json) FROM (SELECT "
            }
            (SqlDialect::Sqlite, false) => {
                "(SELECT coalesce(json_group_array(json(root.j)), '[]') FROM (SELECT "
            }
            (SqlDialect::Postgres, true) => {
                "(SELECT json_build_object('nodes', coalesce(json_agg(root.j), '[]'::json), \
                 'keys', coalesce(json_agg(root.k), '[]'::json)) FROM (SELECT "
            }
            (SqlDialect::Sqlite, true) => {
                "(SELECT json_object('nodes', json(coalesce(json_group_array(json(root.j)), '[]')), \
                 'keys', json(coalesce(json_group_array(json(root.k)), '[]'))) FROM (SELECT "
            }
        });
        self.object(query.ty, &alias, &query.selection)?;
        self.push(" AS j");
        if keys {
            self.push(", ");
            self.sort_values(query.ty, &alias, &query.sort);
            self.push(" AS k");
        }
        self.root_where(query.ty, &alias, query.filter.as_ref());
        if let Some(after) = &query.after {
            self.push(" AND ");
            self.keyset_after(query.ty, &alias, &query.sort, after)?;
        }
        let defaults: Vec<(&str, bool)> = query.ty.key.iter().map(|c| (*c, false)).collect();
        self.order_by(query.ty, &alias, &query.sort, &defaults);
        self.limit_offset(query.limit, query.offset);
        self.push(") root)");
        Ok(())
    }

    /// `(SELECT count(*) …)` over the rows matching `filter`.
    fn count_expr(&mut self, ty: &'static TypeDef, filter: Option<&Filter>) {
        let alias = self.alias();
        self.push("(SELECT count(*)");
        self.root_where(ty, &alias, filter);
        self.push(")");
    }
}

/// Compiles a root list field to one statement returning a JSON array of objects.
pub fn compile_list(dialect: SqlDialect, query: &ListQuery) -> Result<CompiledQuery, CompileError> {
    let mut w = Writer::new(dialect, &query.tenant);
    w.push("SELECT ");
    w.list_expr(query, false)?;
    if dialect == SqlDialect::Postgres {
        w.push("::text");
    }
    Ok(w.finish())
}

/// Compiles a count of the rows of `ty` matching `filter` (one row, the count as text).
pub fn compile_count(
    dialect: SqlDialect,
    ty: &'static TypeDef,
    tenant: &TenantId,
    filter: Option<&Filter>,
) -> CompiledQuery {
    let mut w = Writer::new(dialect, tenant);
    w.push("SELECT CAST(");
    w.count_expr(ty, filter);
    w.push(" AS TEXT)");
    w.finish()
}

/// Compiles a count of the rows of `ty` matching `filter` per cloud account: one row, a JSON
/// object `{"<cloudAccountID>": n, ...}` as text (`{}` when nothing matches).
pub fn compile_count_by_account(
    dialect: SqlDialect,
    ty: &'static TypeDef,
    tenant: &TenantId,
    filter: Option<&Filter>,
) -> Result<CompiledQuery, CompileError> {
    let account = ty
        .field("cloudAccountID")
        .ok_or_else(|| CompileError::UnknownField {
            type_name: ty.name.to_owned(),
            field: "cloudAccountID".to_owned(),
        })?;
    let mut w = Writer::new(dialect, tenant);
    w.push(match dialect {
        SqlDialect::Postgres => "SELECT coalesce(json_object_agg(g.k, g.n), '{}'::json)::text",
        SqlDialect::Sqlite => "SELECT coalesce(json_group_object(g.k, g.n), '{}')",
    });
    let alias = w.alias();
    w.push_fmt(format_args!(
        " FROM (SELECT coalesce({}, 'unknown') AS k, count(*) AS n",
        field_sql(ty, &alias, account)
    ));
    w.root_where(ty, &alias, filter);
    w.push(" GROUP BY 1) g");
    Ok(w.finish())
}

/// Compiles the `assets` interface field to one statement: a UNION ALL of one branch per type,
/// ordered and paged as a whole. Each object carries its type name under [`TYPE_KEY`].
pub fn compile_assets(
    dialect: SqlDialect,
    query: &AssetsQuery,
) -> Result<CompiledQuery, CompileError> {
    let mut w = Writer::new(dialect, &query.tenant);
    w.push(match dialect {
        SqlDialect::Postgres => {
            "SELECT coalesce(json_agg(u.j), '[]'::json)::text FROM (SELECT x.j FROM ("
        }
        SqlDialect::Sqlite => {
            "SELECT coalesce(json_group_array(json(u.j)), '[]') FROM (SELECT x.j FROM ("
        }
    });
    if query.types.is_empty() {
        // No type selected: an empty, well-typed result.
        w.push("SELECT NULL AS j, NULL AS k, NULL AS ty WHERE 1 = 0");
    }
    for (i, (ty, selection)) in query.types.iter().enumerate() {
        if i > 0 {
            w.push(" UNION ALL ");
        }
        let alias = w.alias();
        w.push("SELECT ");
        w.object_tagged(ty, &alias, selection, query.tagged)?;
        w.push(" AS j");
        for (n, key) in query.sort.iter().enumerate() {
            w.push(&format!(", {} AS s{n}", field_sql(ty, &alias, key.field)));
        }
        w.push(&format!(", {alias}.arn AS k, '{}' AS ty", ty.name));
        w.root_where(ty, &alias, query.filter.as_ref());
    }
    w.push(") x");
    let mut keys: Vec<String> = query
        .sort
        .iter()
        .enumerate()
        .map(|(n, key)| {
            let collate = if dialect == SqlDialect::Postgres
                && matches!(key.field.kind, ScalarKind::String | ScalarKind::Id)
            {
                " COLLATE \"C\""
            } else {
                ""
            };
            if key.descending {
                format!("x.s{n}{collate} DESC NULLS FIRST")
            } else {
                format!("x.s{n}{collate} ASC NULLS LAST")
            }
        })
        .collect();
    keys.push("x.k ASC".to_owned());
    keys.push("x.ty ASC".to_owned());
    w.push(" ORDER BY ");
    w.push(&keys.join(", "));
    w.limit_offset(query.limit, query.offset);
    w.push(") u");
    Ok(w.finish())
}

/// Compiles a connection page in one statement returning `{"nodes": [...], "totalCount": n}`;
/// each part only when asked for, so that an unselected `totalCount` costs nothing. With
/// `keys` (cursors are selected), the page is `{"page": {"nodes": [...], "keys": [...]}}`
/// instead of `nodes`: each row's sort values, for its keyset cursor.
pub fn compile_connection(
    dialect: SqlDialect,
    query: &ListQuery,
    nodes: bool,
    count: bool,
    keys: bool,
) -> Result<CompiledQuery, CompileError> {
    let mut w = Writer::new(dialect, &query.tenant);
    w.push(match dialect {
        SqlDialect::Postgres => "SELECT json_build_object(",
        SqlDialect::Sqlite => "SELECT json_object(",
    });
    if nodes {
        let member = if keys { "'page'" } else { "'nodes'" };
        w.push(member);
        w.push(if dialect == SqlDialect::Sqlite {
            ", json("
        } else {
            ", ("
        });
        w.list_expr(query, keys)?;
        w.push(")");
    }
    if count {
        w.push(if nodes {
            ", 'totalCount', "
        } else {
            "'totalCount', "
        });
        w.count_expr(query.ty, query.filter.as_ref());
    }
    w.push(")");
    if dialect == SqlDialect::Postgres {
        w.push("::text");
    }
    Ok(w.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::ScalarOp;

    #[test]
    fn a_name_prefix_without_the_separator_tests_the_family_column() {
        let ty = TypeDef::named("EcsTaskDefinition").expect("type");
        let name = ty.field("internalName").expect("field");
        let sql = |prefix: &str| {
            let mut w = Writer::new(SqlDialect::Postgres, &TenantId::default_tenant());
            w.comparison(ty, "d", name, ScalarOp::StartsWith, &[Value::text(prefix)]);
            w.sql
        };
        assert_eq!(sql("svc1"), "(d.family LIKE $2 ESCAPE '\\')");
        assert!(sql("svc1:2").contains("d.family || ':' || d.revision"));
    }

    #[test]
    fn like_wildcards_in_values_are_literals() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }

    #[test]
    fn json_keys_must_be_graphql_names() {
        assert!(check_key("networkMode").is_ok());
        assert!(check_key("_x1").is_ok());
        assert!(check_key("a', 1); DROP TABLE x; --").is_err());
        assert!(check_key("").is_err());
    }
}
