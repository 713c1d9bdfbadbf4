//! What a statement selects: ordering and paging, each row's JSON object, nested selections
//! as correlated subqueries, and the root WHERE.

use assetql_model::catalogue::{Cardinality, RelationshipDef, ScalarKind, TypeDef};

use crate::dialect::SqlDialect;
use crate::error::CompileError;
use crate::filter::Filter;
use crate::value::Value;

use super::writer::*;
use super::{Selection, SelectionItem, SortKey, TYPE_KEY};

impl Writer {
    pub(super) fn order_by(
        &mut self,
        ty: &TypeDef,
        alias: &str,
        sort: &[SortKey],
        defaults: &[(&str, bool)],
    ) {
        let mut keys: Vec<String> = Vec::new();
        for key in sort {
            let mut expr = field_sql(ty, alias, key.field);
            if self.dialect == SqlDialect::Postgres
                && matches!(key.field.kind, ScalarKind::String | ScalarKind::Id)
            {
                expr.push_str(" COLLATE \"C\"");
            }
            keys.push(if key.descending {
                format!("{expr} DESC NULLS FIRST")
            } else {
                format!("{expr} ASC NULLS LAST")
            });
        }
        // Default orders put NULLs last either way: the "most recently started" task is never
        // one without a start time.
        for (column, descending) in defaults {
            keys.push(if *descending {
                format!("{alias}.{column} DESC NULLS LAST")
            } else {
                format!("{alias}.{column} ASC NULLS LAST")
            });
        }
        if !keys.is_empty() {
            self.push(" ORDER BY ");
            self.push(&keys.join(", "));
        }
    }

    pub(super) fn limit_offset(&mut self, limit: Option<u64>, offset: Option<u64>) {
        let as_value = |n: u64| Value::Int(Some(i64::try_from(n).unwrap_or(i64::MAX)));
        match (limit, offset) {
            (None, None) => {}
            (Some(limit), offset) => {
                self.push(" LIMIT ");
                self.param(as_value(limit));
                if let Some(offset) = offset {
                    self.push(" OFFSET ");
                    self.param(as_value(offset));
                }
            }
            (None, Some(offset)) => {
                if self.dialect == SqlDialect::Sqlite {
                    self.push(" LIMIT -1");
                }
                self.push(" OFFSET ");
                self.param(as_value(offset));
            }
        }
    }

    /// The columns a root list is ordered by: each sort key, then the type's key columns
    /// (expression, descending, nullable, text).
    fn order_columns(
        ty: &TypeDef,
        alias: &str,
        sort: &[SortKey],
    ) -> Vec<(String, bool, bool, bool)> {
        let mut columns: Vec<(String, bool, bool, bool)> = sort
            .iter()
            .map(|key| {
                (
                    field_sql(ty, alias, key.field),
                    key.descending,
                    key.field.nullable,
                    matches!(key.field.kind, ScalarKind::String | ScalarKind::Id),
                )
            })
            .collect();
        columns.extend(
            ty.key
                .iter()
                .map(|column| (format!("{alias}.{column}"), false, false, true)),
        );
        columns
    }

    /// A JSON array of the row's sort values (sort keys, then key columns), as the row's
    /// JSON writes them.
    pub(super) fn sort_values(&mut self, ty: &TypeDef, alias: &str, sort: &[SortKey]) {
        let mut values: Vec<String> = sort
            .iter()
            .map(|key| json_value_sql(self.dialect, ty, alias, key.field))
            .collect();
        values.extend(ty.key.iter().map(|column| format!("{alias}.{column}")));
        self.push(match self.dialect {
            SqlDialect::Postgres => "json_build_array(",
            SqlDialect::Sqlite => "json_array(",
        });
        self.push(&values.join(", "));
        self.push(")");
    }

    /// The rows after the one whose sort values are `after`, in the order
    /// [`Writer::order_by`] writes (ASC NULLS LAST, DESC NULLS FIRST, text in byte order):
    /// `k1 after v1 OR (k1 = v1 AND k2 after v2) OR …`, led by a bound on the first column
    /// that an index on it can start at.
    pub(super) fn keyset_after(
        &mut self,
        ty: &TypeDef,
        alias: &str,
        sort: &[SortKey],
        after: &[Value],
    ) -> Result<(), CompileError> {
        let columns = Self::order_columns(ty, alias, sort);
        if columns.len() != after.len() {
            return Err(CompileError::BadArgument {
                argument: "after".to_owned(),
                reason: format!(
                    "the cursor holds {} sort values where this sort has {}",
                    after.len(),
                    columns.len()
                ),
            });
        }
        let collate = |text: bool, expr: &str, dialect: SqlDialect| {
            if text && dialect == SqlDialect::Postgres {
                format!("{expr} COLLATE \"C\"")
            } else {
                expr.to_owned()
            }
        };
        self.push("(");
        if let (Some((expr, descending, false, text)), Some(first)) =
            (columns.first(), after.first())
        {
            if !first.is_null() {
                self.push(&collate(*text, expr, self.dialect));
                self.push(if *descending { " <= " } else { " >= " });
                self.param(first.clone());
                self.push(" AND ");
            }
        }
        self.push("(");
        let mut disjuncts = 0;
        for (i, ((expr, descending, nullable, text), value)) in
            columns.iter().zip(after).enumerate()
        {
            // Rows after the bound on column i (None: none, NULLs being last in ASC).
            let after_here = match (*descending, value.is_null()) {
                (false, true) => continue,
                (true, true) => format!("{expr} IS NOT NULL"),
                (descending, false) => format!(
                    "{}{} {} ",
                    if *nullable && !descending { "(" } else { "" },
                    collate(*text, expr, self.dialect),
                    if descending { "<" } else { ">" }
                ),
            };
            if disjuncts > 0 {
                self.push(" OR ");
            }
            disjuncts += 1;
            self.push("(");
            for ((expr, _, _, text), previous) in columns.iter().zip(after).take(i) {
                if previous.is_null() {
                    self.push_fmt(format_args!("{expr} IS NULL AND "));
                } else {
                    self.push(&collate(*text, expr, self.dialect));
                    self.push(" = ");
                    self.param(previous.clone());
                    self.push(" AND ");
                }
            }
            self.push(&after_here);
            if !value.is_null() {
                self.param(value.clone());
                if *nullable && !*descending {
                    self.push_fmt(format_args!(" OR {expr} IS NULL)"));
                }
            }
            self.push(")");
        }
        if disjuncts == 0 {
            self.push("1 = 0");
        }
        self.push("))");
        Ok(())
    }

    /// A JSON object expression for the row `alias` of `ty`.
    pub(super) fn object(
        &mut self,
        ty: &'static TypeDef,
        alias: &str,
        selection: &Selection,
    ) -> Result<(), CompileError> {
        self.object_tagged(ty, alias, selection, false)
    }

    /// Like [`Writer::object`]; with `tagged`, the first key is `__type` holding the type name
    /// (for interface results).
    pub(super) fn object_tagged(
        &mut self,
        ty: &'static TypeDef,
        alias: &str,
        selection: &Selection,
        tagged: bool,
    ) -> Result<(), CompileError> {
        if selection.items.len() > MAX_OBJECT_KEYS {
            return Err(CompileError::TooComplex {
                reason: format!(
                    "{} fields selected on one {}; at most {MAX_OBJECT_KEYS}",
                    selection.items.len(),
                    ty.name
                ),
            });
        }
        self.push(match self.dialect {
            SqlDialect::Postgres => "json_build_object(",
            SqlDialect::Sqlite => "json_object(",
        });
        if tagged {
            self.push_fmt(format_args!("'{TYPE_KEY}', '{}'", ty.name));
        }
        for (i, item) in selection.items.iter().enumerate() {
            if i > 0 || tagged {
                self.push(", ");
            }
            match item {
                SelectionItem::Field { key, field } => {
                    check_key(key)?;
                    let value = json_value_sql(self.dialect, ty, alias, field);
                    self.push_fmt(format_args!("'{key}', {value}"));
                }
                SelectionItem::TypeName { key } => {
                    check_key(key)?;
                    self.push_fmt(format_args!("'{key}', '{}'", ty.name));
                }
                SelectionItem::Relationship {
                    key,
                    relationship,
                    filter,
                    sort,
                    limit,
                    offset,
                    selection,
                } => {
                    check_key(key)?;
                    self.push_fmt(format_args!("'{key}', "));
                    self.nested(
                        alias,
                        relationship,
                        filter.as_ref(),
                        sort,
                        *limit,
                        *offset,
                        selection,
                    )?;
                }
            }
        }
        self.push(")");
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn nested(
        &mut self,
        parent: &str,
        relationship: &RelationshipDef,
        filter: Option<&Filter>,
        sort: &[SortKey],
        limit: Option<u64>,
        offset: Option<u64>,
        selection: &Selection,
    ) -> Result<(), CompileError> {
        let target = TypeDef::target(relationship);
        let child = self.alias();
        let sqlite = self.dialect == SqlDialect::Sqlite;
        let many = relationship.cardinality == Cardinality::Many;
        if sqlite {
            self.push("json(");
        }
        self.push("(SELECT ");
        if many {
            self.push(if sqlite {
                "json_group_array(json(nested.j)) FROM (SELECT "
            } else {
                "coalesce(json_agg(nested.j), '[]'::json) FROM (SELECT "
            });
        }
        self.object(target, &child, selection)?;
        if many {
            self.push(" AS j");
        }
        self.push_fmt(format_args!(
            " FROM {} {child} WHERE {}",
            target.table,
            join_sql(relationship, parent, &child)
        ));
        if let Some(filter) = filter {
            self.push(" AND ");
            self.predicate(target, &child, filter);
        }
        self.order_by(target, &child, sort, relationship.order);
        if many {
            self.limit_offset(limit, offset);
            self.push(") nested");
        } else {
            self.push(" LIMIT 1");
        }
        self.push(")");
        if sqlite {
            self.push(")");
        }
        Ok(())
    }

    pub(super) fn root_where(
        &mut self,
        ty: &'static TypeDef,
        alias: &str,
        filter: Option<&Filter>,
    ) {
        self.push_fmt(format_args!(
            " FROM {} {alias} WHERE {alias}.tenant_id = $1",
            ty.table
        ));
        if let Some(filter) = filter {
            self.push(" AND ");
            self.predicate(ty, alias, filter);
        }
    }
}
