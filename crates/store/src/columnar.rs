//! PostgreSQL batch inserts as one array parameter per column, expanded by `unnest`: the
//! statement text depends only on the table (parsed and planned once per connection), the
//! values travel in binary (no JSON to parse on the server), and any number of rows fits in as
//! many parameters as the table has columns.

use assetql_sql::Value;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::Postgres;

use crate::error::StoreError;

/// The values of one column of a batch.
#[derive(Debug, PartialEq)]
enum Column {
    Bool(Vec<Option<bool>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
    /// `text[]` values as array literals (`{"a","b"}`), cast per row: `unnest` of a
    /// two-dimensional array would flatten it.
    TextList(Vec<Option<String>>),
    Timestamp(Vec<Option<DateTime<Utc>>>),
    /// JSON text, cast to `jsonb` per row.
    Json(Vec<Option<String>>),
}

impl Column {
    fn like(value: &Value, capacity: usize) -> Column {
        match value {
            Value::Bool(_) => Column::Bool(Vec::with_capacity(capacity)),
            Value::Int(_) => Column::Int(Vec::with_capacity(capacity)),
            Value::Float(_) => Column::Float(Vec::with_capacity(capacity)),
            Value::Text(_) => Column::Text(Vec::with_capacity(capacity)),
            Value::TextList(_) => Column::TextList(Vec::with_capacity(capacity)),
            Value::Timestamp(_) => Column::Timestamp(Vec::with_capacity(capacity)),
            Value::Json(_) => Column::Json(Vec::with_capacity(capacity)),
        }
    }

    /// Appends `value`; `false` when it is not of the column's type.
    fn push(&mut self, value: Value) -> bool {
        match (self, value) {
            (Column::Bool(c), Value::Bool(v)) => c.push(v),
            (Column::Int(c), Value::Int(v)) => c.push(v),
            (Column::Float(c), Value::Float(v)) => c.push(v),
            (Column::Text(c), Value::Text(v)) => c.push(v),
            (Column::TextList(c), Value::TextList(v)) => c.push(v.as_deref().map(array_literal)),
            (Column::Timestamp(c), Value::Timestamp(v)) => c.push(v),
            (Column::Json(c), Value::Json(v)) => c.push(v.map(|j| j.to_string())),
            _ => return false,
        }
        true
    }

    /// The type of the array parameter.
    fn array_type(&self) -> &'static str {
        match self {
            Column::Bool(_) => "bool[]",
            Column::Int(_) => "int8[]",
            Column::Float(_) => "float8[]",
            Column::Text(_) | Column::TextList(_) | Column::Json(_) => "text[]",
            Column::Timestamp(_) => "timestamptz[]",
        }
    }

    /// The cast from the unnested element to the column's type.
    fn cast(&self) -> &'static str {
        match self {
            Column::TextList(_) => "::text[]",
            Column::Json(_) => "::jsonb",
            _ => "",
        }
    }

    fn bind<'q>(self, query: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        match self {
            Column::Bool(v) => query.bind(v),
            Column::Int(v) => query.bind(v),
            Column::Float(v) => query.bind(v),
            Column::Text(v) | Column::TextList(v) | Column::Json(v) => query.bind(v),
            Column::Timestamp(v) => query.bind(v),
        }
    }
}

/// A PostgreSQL array literal of strings: every element quoted, `"` and `\` escaped.
fn array_literal(items: &[String]) -> String {
    let mut out = String::with_capacity(2 + items.iter().map(|s| s.len() + 3).sum::<usize>());
    out.push('{');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in item.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push('}');
    out
}

/// One batch of rows of `table`, ready to run.
pub(crate) struct Batch {
    sql: String,
    columns: Vec<Column>,
}

impl Batch {
    /// Transposes `rows` (each `columns.len()` values, of one type per column) into column
    /// arrays. `suffix` follows the statement (an `ON CONFLICT` clause, or empty).
    pub(crate) fn new(
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
        suffix: &str,
    ) -> Result<Option<Batch>, StoreError> {
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mismatch = |reason: String| StoreError::Corrupt {
            column: "batch insert",
            reason,
        };
        if first.len() != columns.len() {
            return Err(mismatch(format!(
                "{table}: {} values for {} columns",
                first.len(),
                columns.len()
            )));
        }
        let mut arrays: Vec<Column> = first.iter().map(|v| Column::like(v, rows.len())).collect();
        for row in rows {
            if row.len() != columns.len() {
                return Err(mismatch(format!(
                    "{table}: {} values for {} columns",
                    row.len(),
                    columns.len()
                )));
            }
            for ((array, value), name) in arrays.iter_mut().zip(row).zip(columns) {
                if !array.push(value) {
                    return Err(mismatch(format!(
                        "{table}.{name}: values of different types in one batch"
                    )));
                }
            }
        }
        let column_list = columns.join(", ");
        let select: Vec<String> = columns
            .iter()
            .zip(&arrays)
            .map(|(name, array)| format!("u.{name}{}", array.cast()))
            .collect();
        let parameters: Vec<String> = arrays
            .iter()
            .enumerate()
            .map(|(i, array)| format!("${}::{}", i + 1, array.array_type()))
            .collect();
        let mut sql = format!(
            "INSERT INTO {table} ({column_list}) SELECT {} FROM unnest({}) AS u({column_list})",
            select.join(", "),
            parameters.join(", ")
        );
        if !suffix.is_empty() {
            sql.push(' ');
            sql.push_str(suffix);
        }
        Ok(Some(Batch {
            sql,
            columns: arrays,
        }))
    }

    /// The statement and its parameters (one array per column).
    pub(crate) fn query(&self) -> &str {
        &self.sql
    }

    /// Binds the column arrays to `query`, built from [`Batch::query`].
    pub(crate) fn bind<'q>(
        self,
        query: Query<'q, Postgres, PgArguments>,
    ) -> Query<'q, Postgres, PgArguments> {
        self.columns.into_iter().fold(query, |q, c| c.bind(q))
    }
}

/// Rows per statement (a few MB of parameters at most).
pub(crate) const ROWS_PER_STATEMENT: usize = 5_000;

/// Inserts `rows` into `table` on PostgreSQL as column arrays, [`ROWS_PER_STATEMENT`] rows a
/// statement, each followed by `suffix`.
pub(crate) async fn insert(
    conn: &mut sqlx::PgConnection,
    operation: &'static str,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    suffix: &str,
) -> Result<(), StoreError> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let Some(batch) = Batch::new(table, columns, chunk, suffix)? else {
            continue;
        };
        let sql = batch.query().to_owned();
        batch
            .bind(sqlx::query(&sql))
            .execute(&mut *conn)
            .await
            .map_err(|e| StoreError::from_sqlx(operation, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_literals_quote_every_element() {
        assert_eq!(array_literal(&[]), "{}");
        assert_eq!(
            array_literal(&["a".into(), "b c".into(), r#"q"\"#.into(), "NULL".into()]),
            r#"{"a","b c","q\"\\","NULL"}"#
        );
    }

    #[test]
    fn a_batch_is_one_statement_with_one_array_per_column() {
        let rows = vec![
            vec![
                Value::text("t"),
                Value::Int(Some(1)),
                Value::TextList(Some(vec!["x".into()])),
            ],
            vec![Value::text("t"), Value::Int(None), Value::TextList(None)],
        ];
        let batch = Batch::new("things", &["tenant_id", "n", "tags"], rows, "")
            .expect("valid")
            .expect("rows");
        assert_eq!(
            batch.query(),
            "INSERT INTO things (tenant_id, n, tags) SELECT u.tenant_id, u.n, u.tags::text[] \
             FROM unnest($1::text[], $2::int8[], $3::text[]) AS u(tenant_id, n, tags)"
        );
        assert_eq!(
            batch.columns[2],
            Column::TextList(vec![Some(r#"{"x"}"#.into()), None])
        );
    }

    #[test]
    fn mixed_types_and_short_rows_are_refused() {
        let mixed = vec![vec![Value::Int(Some(1))], vec![Value::text("1")]];
        assert!(Batch::new("t", &["n"], mixed, "").is_err());
        let short = vec![
            vec![Value::Int(Some(1)), Value::Int(Some(2))],
            vec![Value::Int(None)],
        ];
        assert!(Batch::new("t", &["a", "b"], short, "").is_err());
        assert!(Batch::new("t", &["a"], vec![], "")
            .expect("no rows is fine")
            .is_none());
    }
}
