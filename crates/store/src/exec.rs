//! Statement execution over either database: binds [`Value`]s and classifies errors. The one
//! place that matches on the connection kind for plain statements.

use assetql_sql::{format_timestamp, Value};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{PgConnection, Postgres, Row, Sqlite, SqliteConnection, Transaction};

use crate::error::StoreError;

/// A pooled connection of either kind.
pub(crate) enum Conn {
    Postgres(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

/// An open transaction of either kind.
pub(crate) enum Tx {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Tx {
    /// Commits the transaction.
    pub(crate) async fn commit(self, operation: &'static str) -> Result<(), StoreError> {
        let err = |e| StoreError::from_sqlx(operation, e);
        match self {
            Tx::Postgres(tx) => tx.commit().await.map_err(err),
            Tx::Sqlite(tx) => tx.commit().await.map_err(err),
        }
    }
}

/// A borrowed connection, what statements run on.
pub(crate) enum ConnRef<'a> {
    Postgres(&'a mut PgConnection),
    Sqlite(&'a mut SqliteConnection),
}

/// Anything statements can run on.
pub(crate) trait AsConn {
    fn conn(&mut self) -> ConnRef<'_>;
}

impl AsConn for Conn {
    fn conn(&mut self) -> ConnRef<'_> {
        match self {
            Conn::Postgres(c) => ConnRef::Postgres(c),
            Conn::Sqlite(c) => ConnRef::Sqlite(c),
        }
    }
}

impl AsConn for Tx {
    fn conn(&mut self) -> ConnRef<'_> {
        match self {
            Tx::Postgres(t) => ConnRef::Postgres(t),
            Tx::Sqlite(t) => ConnRef::Sqlite(t),
        }
    }
}

fn bind_postgres<'q>(
    query: Query<'q, Postgres, PgArguments>,
    value: &'q Value,
) -> Query<'q, Postgres, PgArguments> {
    match value {
        Value::Bool(v) => query.bind(*v),
        Value::Int(v) => query.bind(*v),
        Value::Float(v) => query.bind(*v),
        Value::Text(v) => query.bind(v.as_deref()),
        Value::TextList(v) => query.bind(v.as_deref()),
        Value::Timestamp(v) => query.bind(*v),
        Value::Json(v) => query.bind(v.as_ref().map(sqlx::types::Json)),
    }
}

fn bind_sqlite<'q>(
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    value: &'q Value,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    match value {
        Value::Bool(v) => query.bind(*v),
        Value::Int(v) => query.bind(*v),
        Value::Float(v) => query.bind(*v),
        Value::Text(v) => query.bind(v.as_deref()),
        Value::TextList(v) => query.bind(v.as_deref().map(Value::list_as_json)),
        Value::Timestamp(v) => query.bind(v.as_ref().map(format_timestamp)),
        Value::Json(v) => query.bind(v.as_ref().map(|v| v.to_string())),
    }
}

/// PostgreSQL statements with more bound values than this are one-offs (`IN` lists of a batch's
/// ARNs, whose length varies): they are not kept as prepared statements, so PostgreSQL plans
/// each for its values. (SQLite has no generic plans: its statements are always kept, which
/// spares re-parsing the 2,000-parameter batch inserts.) A cached generic plan made while the tables were small (the first batches of a first
/// sync) read every row for each 1,000-ARN lookup at 200,000 revisions.
const MAX_PREPARED_VALUES: usize = 64;

fn statement<'q>(sql: &'q str, values: &[Value]) -> Query<'q, Postgres, PgArguments> {
    sqlx::query(sql).persistent(values.len() <= MAX_PREPARED_VALUES)
}

/// Runs a statement that returns no rows; returns the number of rows affected.
pub(crate) async fn execute(
    conn: &mut impl AsConn,
    operation: &'static str,
    sql: &str,
    values: &[Value],
) -> Result<u64, StoreError> {
    let err = |e| StoreError::from_sqlx(operation, e);
    match conn.conn() {
        ConnRef::Postgres(c) => {
            let query = values.iter().fold(statement(sql, values), bind_postgres);
            Ok(query.execute(c).await.map_err(err)?.rows_affected())
        }
        ConnRef::Sqlite(c) => {
            let query = values.iter().fold(sqlx::query(sql), bind_sqlite);
            Ok(query.execute(c).await.map_err(err)?.rows_affected())
        }
    }
}

/// Runs a query whose rows are all TEXT columns (NULL allowed) and returns them.
pub(crate) async fn fetch_text_rows(
    conn: &mut impl AsConn,
    operation: &'static str,
    sql: &str,
    values: &[Value],
) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    let err = |e| StoreError::from_sqlx(operation, e);
    match conn.conn() {
        ConnRef::Postgres(c) => {
            let query = values.iter().fold(statement(sql, values), bind_postgres);
            let rows = query.fetch_all(c).await.map_err(err)?;
            rows.iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| row.try_get(i).map_err(err))
                        .collect()
                })
                .collect()
        }
        ConnRef::Sqlite(c) => {
            let query = values.iter().fold(sqlx::query(sql), bind_sqlite);
            let rows = query.fetch_all(c).await.map_err(err)?;
            rows.iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| row.try_get(i).map_err(err))
                        .collect()
                })
                .collect()
        }
    }
}

/// Runs a query returning one BIGINT column of one row (e.g. `RETURNING id`, `count(*)`).
pub(crate) async fn fetch_i64(
    conn: &mut impl AsConn,
    operation: &'static str,
    sql: &str,
    values: &[Value],
) -> Result<i64, StoreError> {
    let err = |e| StoreError::from_sqlx(operation, e);
    match conn.conn() {
        ConnRef::Postgres(c) => {
            let query = values.iter().fold(statement(sql, values), bind_postgres);
            query
                .fetch_one(c)
                .await
                .map_err(err)?
                .try_get(0)
                .map_err(err)
        }
        ConnRef::Sqlite(c) => {
            let query = values.iter().fold(sqlx::query(sql), bind_sqlite);
            query
                .fetch_one(c)
                .await
                .map_err(err)?
                .try_get(0)
                .map_err(err)
        }
    }
}

/// Bumps `tenant`'s inventory generation on `conn`, inside the caller's transaction: every write
/// that can change an answer to the tenant does (see `generations.rs`).
pub(crate) async fn bump_generation(
    conn: &mut impl AsConn,
    tenant: &str,
) -> Result<(), StoreError> {
    execute(
        conn,
        "bump_generation",
        "INSERT INTO inventory_generations (tenant_id, generation) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET generation = inventory_generations.generation + 1",
        &[Value::text(tenant)],
    )
    .await?;
    Ok(())
}
