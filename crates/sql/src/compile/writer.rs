//! The statement being written: SQL text, bound parameters, fresh aliases, and the small
//! SQL spellings of fields, joins and LIKE patterns.

use assetql_model::catalogue::{FieldDef, FieldSource, RelationshipDef, ScalarKind, TypeDef};
use assetql_model::TenantId;

use crate::dialect::SqlDialect;
use crate::error::CompileError;
use crate::value::Value;

use super::CompiledQuery;

/// Most keys one JSON object may have (PostgreSQL's function-argument limit is 100).
pub(super) const MAX_OBJECT_KEYS: usize = 50;

pub(super) struct Writer {
    pub(super) dialect: SqlDialect,
    pub(super) sql: String,
    pub(super) params: Vec<Value>,
    pub(super) aliases: usize,
}

impl Writer {
    pub(super) fn new(dialect: SqlDialect, tenant: &TenantId) -> Self {
        Writer {
            dialect,
            sql: String::with_capacity(1024),
            // $1 is always the tenant.
            params: vec![Value::text(tenant.as_str())],
            aliases: 0,
        }
    }

    pub(super) fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// Appends formatted text without an intermediate `String`.
    pub(super) fn push_fmt(&mut self, text: std::fmt::Arguments<'_>) {
        use std::fmt::Write as _;
        // Writing to a `String` cannot fail.
        let _ = self.sql.write_fmt(text);
    }

    pub(super) fn param(&mut self, value: Value) {
        self.params.push(value);
        self.dialect
            .write_placeholder(&mut self.sql, self.params.len());
    }

    pub(super) fn alias(&mut self) -> String {
        let alias = format!("t{}", self.aliases);
        self.aliases += 1;
        alias
    }

    pub(super) fn finish(self) -> CompiledQuery {
        CompiledQuery {
            sql: self.sql,
            params: self.params,
        }
    }
}

/// SQL for a field of a row aliased `alias` of `ty`, for filters and ordering.
pub(super) fn field_sql(ty: &TypeDef, alias: &str, field: &FieldDef) -> String {
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
pub(super) fn json_value_sql(
    dialect: SqlDialect,
    ty: &TypeDef,
    alias: &str,
    field: &FieldDef,
) -> String {
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

pub(super) fn check_key(key: &str) -> Result<(), CompileError> {
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

pub(super) fn join_sql(relationship: &RelationshipDef, parent: &str, child: &str) -> String {
    let mut sql = format!("{child}.tenant_id = {parent}.tenant_id");
    for (parent_column, child_column) in relationship.join {
        sql.push_str(&format!(
            " AND {child}.{child_column} = {parent}.{parent_column}"
        ));
    }
    sql
}

pub(super) fn escape_like(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn text_of(value: &Value) -> String {
    match value {
        Value::Text(Some(text)) => text.clone(),
        _ => String::new(),
    }
}
