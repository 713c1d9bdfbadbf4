//! The compiler: a root field (type, tenant, filter, sort, paging, selection) becomes ONE SQL
//! statement that returns the response's JSON as text. Relationship filters are correlated
//! EXISTS subqueries; nested selections are correlated subqueries that build JSON in the
//! database. Every value is a bound parameter; identifiers and JSON keys come from the catalogue
//! or from GraphQL names (checked again here).

use assetql_model::catalogue::{
    Cardinality, FieldDef, FieldSource, RelationshipDef, ScalarKind, TypeDef,
};

use assetql_model::TenantId;

use crate::dialect::SqlDialect;
use crate::error::CompileError;
use crate::filter::{Filter, Quantifier, ScalarOp};
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

/// Most keys one JSON object may have (PostgreSQL's function-argument limit is 100).
const MAX_OBJECT_KEYS: usize = 50;

struct Writer {
    dialect: SqlDialect,
    sql: String,
    params: Vec<Value>,
    aliases: usize,
}

impl Writer {
    fn new(dialect: SqlDialect, tenant: &TenantId) -> Self {
        Writer {
            dialect,
            sql: String::with_capacity(1024),
            // $1 is always the tenant.
            params: vec![Value::text(tenant.as_str())],
            aliases: 0,
        }
    }

    fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// Appends formatted text without an intermediate `String`.
    fn push_fmt(&mut self, text: std::fmt::Arguments<'_>) {
        use std::fmt::Write as _;
        // Writing to a `String` cannot fail.
        let _ = self.sql.write_fmt(text);
    }

    fn param(&mut self, value: Value) {
        self.params.push(value);
        self.dialect
            .write_placeholder(&mut self.sql, self.params.len());
    }

    fn alias(&mut self) -> String {
        let alias = format!("t{}", self.aliases);
        self.aliases += 1;
        alias
    }

    fn finish(self) -> CompiledQuery {
        CompiledQuery {
            sql: self.sql,
            params: self.params,
        }
    }
}

/// SQL for a field of a row aliased `alias` of `ty`, for filters and ordering.
fn field_sql(ty: &TypeDef, alias: &str, field: &FieldDef) -> String {
    match field.source {
        FieldSource::Column(column) => format!("{alias}.{column}"),
        FieldSource::Expr(template) => template.replace("{t}", alias),
        FieldSource::AssetName => ty
            .asset
            .map_or_else(|| "NULL".to_owned(), |a| a.name_expr.replace("{t}", alias)),
        FieldSource::AssetTypeLabel => {
            format!("'{}'", ty.asset.map_or("", |a| a.internal_asset_type))
        }
        FieldSource::AssetCategory => format!("'{}'", ty.asset.map_or("", |a| a.category)),
        FieldSource::Literal(text) => format!("'{text}'"),
    }
}

/// SQL for a field as a JSON value inside a JSON object.
fn json_value_sql(dialect: SqlDialect, ty: &TypeDef, alias: &str, field: &FieldDef) -> String {
    let expr = field_sql(ty, alias, field);
    match (dialect, field.kind) {
        (SqlDialect::Postgres, ScalarKind::DateTime) => dialect.timestamp_as_text(&expr),
        (SqlDialect::Postgres, _) => expr,
        (SqlDialect::Sqlite, ScalarKind::Boolean) => format!(
            "CASE WHEN {expr} IS NULL THEN NULL WHEN {expr} THEN json('true') ELSE json('false') END"
        ),
        (SqlDialect::Sqlite, ScalarKind::StringList) => format!("json({expr})"),
        (SqlDialect::Sqlite, _) => expr,
    }
}

fn check_key(key: &str) -> Result<(), CompileError> {
    let mut chars = key.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(CompileError::BadArgument {
            argument: "selection".to_owned(),
            reason: format!("{key:?} is not a GraphQL name"),
        })
    }
}

fn join_sql(relationship: &RelationshipDef, parent: &str, child: &str) -> String {
    let mut sql = format!("{child}.tenant_id = {parent}.tenant_id");
    for (parent_column, child_column) in relationship.join {
        sql.push_str(&format!(
            " AND {child}.{child_column} = {parent}.{parent_column}"
        ));
    }
    sql
}

fn escape_like(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn text_of(value: &Value) -> String {
    match value {
        Value::Text(Some(text)) => text.clone(),
        _ => String::new(),
    }
}

impl Writer {
    fn predicate(&mut self, ty: &'static TypeDef, alias: &str, filter: &Filter) {
        match filter {
            Filter::And(items) | Filter::Or(items) => {
                let joiner = if matches!(filter, Filter::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                self.push("(");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(joiner);
                    }
                    self.predicate(ty, alias, item);
                }
                self.push(")");
            }
            Filter::Not(inner) => {
                self.push("(NOT ");
                self.predicate(ty, alias, inner);
                self.push(")");
            }
            Filter::Const(true) => self.push("(1 = 1)"),
            Filter::Const(false) => self.push("(1 = 0)"),
            Filter::IsNull { field, negated } => {
                let expr = field_sql(ty, alias, field);
                self.push_fmt(format_args!(
                    "({expr} IS {}NULL)",
                    if *negated { "NOT " } else { "" }
                ));
            }
            Filter::Compare { field, op, values } => self.comparison(ty, alias, field, *op, values),
            Filter::Related {
                relationship,
                quantifier,
                inner,
            } => self.related(alias, relationship, *quantifier, inner.as_deref()),
        }
    }

    fn comparison(
        &mut self,
        ty: &'static TypeDef,
        alias: &str,
        field: &FieldDef,
        op: ScalarOp,
        values: &[Value],
    ) {
        let first = values.first().cloned().unwrap_or(Value::Text(None));
        let expr = match (op, field.source, ty.asset.and_then(|a| a.name_prefix)) {
            // `family:revision` starts with a prefix free of ':' exactly when `family` does.
            (ScalarOp::StartsWith, FieldSource::AssetName, Some((column, separator))) if matches!(&first, Value::Text(Some(prefix)) if !prefix.contains(separator)) =>
            {
                format!("{alias}.{column}")
            }
            _ => field_sql(ty, alias, field),
        };
        let postgres = self.dialect == SqlDialect::Postgres;
        match op {
            ScalarOp::Eq | ScalarOp::Lt | ScalarOp::Lte | ScalarOp::Gt | ScalarOp::Gte => {
                let symbol = match op {
                    ScalarOp::Eq => "=",
                    ScalarOp::Lt => "<",
                    ScalarOp::Lte => "<=",
                    ScalarOp::Gt => ">",
                    _ => ">=",
                };
                self.push_fmt(format_args!("({expr} {symbol} "));
                self.param(first);
                self.push(")");
            }
            ScalarOp::In => {
                self.push_fmt(format_args!("({expr} IN ("));
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.param(value.clone());
                }
                self.push("))");
            }
            ScalarOp::Contains | ScalarOp::StartsWith | ScalarOp::EndsWith if postgres => {
                let needle = escape_like(&text_of(&first));
                let pattern = match op {
                    ScalarOp::Contains => format!("%{needle}%"),
                    ScalarOp::StartsWith => format!("{needle}%"),
                    _ => format!("%{needle}"),
                };
                self.push_fmt(format_args!("({expr} LIKE "));
                self.param(Value::Text(Some(pattern)));
                self.push(" ESCAPE '\\')");
            }
            ScalarOp::Contains => {
                self.push_fmt(format_args!("(instr({expr}, "));
                self.param(first);
                self.push(") > 0)");
            }
            ScalarOp::StartsWith => {
                self.params.push(first);
                let n = self.params.len();
                self.push_fmt(format_args!("(substr({expr}, 1, length(${n})) = ${n})"));
            }
            ScalarOp::EndsWith => {
                self.params.push(first);
                let n = self.params.len();
                self.push_fmt(format_args!(
                    "(length({expr}) >= length(${n}) AND substr({expr}, length({expr}) - length(${n}) + 1) = ${n})"
                ));
            }
            ScalarOp::Matches => {
                let pattern = crate::pattern::anchor(&text_of(&first));
                let operator = if postgres { "~" } else { "REGEXP" };
                self.push_fmt(format_args!("({expr} {operator} "));
                self.param(Value::Text(Some(pattern)));
                self.push(")");
            }
            ScalarOp::Includes if postgres => {
                self.push("(");
                self.param(first);
                self.push_fmt(format_args!(" = ANY({expr}))"));
            }
            ScalarOp::Includes => {
                self.push_fmt(format_args!(
                    "(CASE WHEN {expr} IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM json_each({expr}) WHERE json_each.value = "
                ));
                self.param(first);
                self.push(") END)");
            }
        }
    }

    /// `EXISTS (SELECT 1 FROM target c WHERE join [AND inner])`.
    fn exists(
        &mut self,
        parent: &str,
        relationship: &RelationshipDef,
        inner: Option<&Filter>,
        negate_inner: bool,
    ) {
        let target = TypeDef::target(relationship);
        let child = self.alias();
        self.push_fmt(format_args!(
            "EXISTS (SELECT 1 FROM {} {child} WHERE {}",
            target.table,
            join_sql(relationship, parent, &child)
        ));
        if let Some(inner) = inner {
            self.push(if negate_inner { " AND (NOT " } else { " AND " });
            self.predicate(target, &child, inner);
            if negate_inner {
                self.push(")");
            }
        }
        self.push(")");
    }

    fn related(
        &mut self,
        parent: &str,
        relationship: &RelationshipDef,
        quantifier: Quantifier,
        inner: Option<&Filter>,
    ) {
        match quantifier {
            Quantifier::Some => self.exists(parent, relationship, inner, false),
            Quantifier::None => {
                self.push("(NOT ");
                self.exists(parent, relationship, inner, false);
                self.push(")");
            }
            Quantifier::All => {
                // At least one related row matches and none fails to: false on an empty set,
                // and rows whose predicate is NULL are neither witnesses nor violations.
                self.push("(");
                self.exists(parent, relationship, inner, false);
                self.push(" AND NOT ");
                self.exists(parent, relationship, inner, true);
                self.push(")");
            }
            Quantifier::Single => {
                let target = TypeDef::target(relationship);
                let child = self.alias();
                self.push_fmt(format_args!(
                    "((SELECT count(*) FROM (SELECT 1 FROM {} {child} WHERE {}",
                    target.table,
                    join_sql(relationship, parent, &child)
                ));
                if let Some(inner) = inner {
                    self.push(" AND ");
                    self.predicate(target, &child, inner);
                }
                self.push(" LIMIT 2) single_match) = 1)");
            }
        }
    }

    fn order_by(&mut self, ty: &TypeDef, alias: &str, sort: &[SortKey], defaults: &[(&str, bool)]) {
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

    fn limit_offset(&mut self, limit: Option<u64>, offset: Option<u64>) {
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

    /// A JSON object expression for the row `alias` of `ty`.
    fn object(
        &mut self,
        ty: &'static TypeDef,
        alias: &str,
        selection: &Selection,
    ) -> Result<(), CompileError> {
        self.object_tagged(ty, alias, selection, false)
    }

    /// Like [`Writer::object`]; with `tagged`, the first key is `__type` holding the type name
    /// (for interface results).
    fn object_tagged(
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
    fn nested(
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

    fn root_where(&mut self, ty: &'static TypeDef, alias: &str, filter: Option<&Filter>) {
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

impl Writer {
    /// `(SELECT <JSON array of the query's rows>)`.
    fn list_expr(&mut self, query: &ListQuery) -> Result<(), CompileError> {
        let alias = self.alias();
        self.push(match self.dialect {
            SqlDialect::Postgres => "(SELECT coalesce(json_agg(root.j), '[]'::json) FROM (SELECT ",
            SqlDialect::Sqlite => {
                "(SELECT coalesce(json_group_array(json(root.j)), '[]') FROM (SELECT "
            }
        });
        self.object(query.ty, &alias, &query.selection)?;
        self.push(" AS j");
        self.root_where(query.ty, &alias, query.filter.as_ref());
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
    w.list_expr(query)?;
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
/// each part only when asked for, so that an unselected `totalCount` costs nothing.
pub fn compile_connection(
    dialect: SqlDialect,
    query: &ListQuery,
    nodes: bool,
    count: bool,
) -> Result<CompiledQuery, CompileError> {
    let mut w = Writer::new(dialect, &query.tenant);
    w.push(match dialect {
        SqlDialect::Postgres => "SELECT json_build_object(",
        SqlDialect::Sqlite => "SELECT json_object(",
    });
    if nodes {
        w.push(if dialect == SqlDialect::Sqlite {
            "'nodes', json("
        } else {
            "'nodes', ("
        });
        w.list_expr(query)?;
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
