use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use assetql_model::TenantId;
use assetql_sql::{SqlDialect, Value};
use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use crate::error::{redact_url, StoreError};
use crate::exec::{self, Conn, Tx};

/// Pool settings; the server derives them from its configuration.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections the pool opens.
    pub max_connections: u32,
    /// How long a caller waits for a connection before the database counts as unavailable.
    pub acquire_timeout: Duration,
    /// PostgreSQL `statement_timeout` for every statement of the pool (the query path's), so
    /// the server cancels what the client gave up on. Ignored by SQLite.
    pub statement_timeout: Option<Duration>,
    /// PostgreSQL: plan every statement for its bound values (`plan_cache_mode =
    /// force_custom_plan`) instead of reusing a generic plan. The query path sets it: a generic
    /// plan cannot see that `network_mode = 'host'` is 10% of the rows, and at 200,000 revisions
    /// it read the whole table in primary-key order (114 ms against 48 ms). Costs a plan per
    /// statement (well under a millisecond). Ignored by SQLite.
    pub custom_plans: bool,
    /// PostgreSQL: the deployment's tenant key ([`Database::tenant_key`]), given to every
    /// session of the pool at connection start (`assetql.key`). The row-level security policies
    /// honour `assetql.tenant` only in a session that holds it, so someone who connects with the
    /// reader role's password alone cannot name another tenant. The query path's reader pool
    /// sets it; nothing else needs it.
    pub tenant_key: Option<String>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: None,
            custom_plans: false,
            tenant_key: None,
        }
    }
}

/// A connection pool to the inventory database: PostgreSQL in production, SQLite embedded.
#[derive(Debug, Clone)]
pub enum Database {
    /// PostgreSQL.
    Postgres(PgPool),
    /// SQLite (one file).
    Sqlite(SqlitePool),
}

impl Database {
    /// Connects to `url`: `postgres://` or `postgresql://` selects PostgreSQL, `sqlite:` SQLite
    /// (the file is created when missing).
    pub async fn connect(url: &str, options: &PoolOptions) -> Result<Self, StoreError> {
        let unavailable = |source| StoreError::Unavailable {
            target: redact_url(url),
            source,
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut connect = PgConnectOptions::from_str(url).map_err(unavailable)?;
            if let Some(timeout) = options.statement_timeout {
                connect =
                    connect.options([("statement_timeout", format!("{}ms", timeout.as_millis()))]);
            }
            if options.custom_plans {
                connect = connect.options([("plan_cache_mode", "force_custom_plan")]);
            }
            // A startup parameter, not a statement: it never shows in pg_stat_activity.
            if let Some(key) = &options.tenant_key {
                connect = connect.options([("assetql.key", key.as_str())]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                // No ping before every checkout (a round trip per statement); a connection that
                // died fails its statement, which is answered as unavailable, and is dropped.
                .test_before_acquire(false)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(unavailable)?;
            Ok(Database::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(url)
                .map_err(unavailable)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // `_MATCHES` compiles to REGEXP, which SQLite leaves to the application.
                .with_regexp();
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(unavailable)?;
            Ok(Database::Sqlite(pool))
        } else {
            Err(StoreError::UnsupportedUrl {
                url: redact_url(url),
            })
        }
    }

    /// The SQL dialect of this database.
    pub fn dialect(&self) -> SqlDialect {
        match self {
            Database::Postgres(_) => SqlDialect::Postgres,
            Database::Sqlite(_) => SqlDialect::Sqlite,
        }
    }

    /// Checks that the database answers a trivial statement.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.acquire("ping").await?;
        exec::execute(&mut conn, "ping", "SELECT 1", &[]).await?;
        Ok(())
    }

    /// Closes every connection of the pool.
    pub async fn close(&self) {
        match self {
            Database::Postgres(pool) => pool.close().await,
            Database::Sqlite(pool) => pool.close().await,
        }
    }

    pub(crate) async fn acquire(&self, operation: &'static str) -> Result<Conn, StoreError> {
        let conn = match self {
            Database::Postgres(pool) => Conn::Postgres(
                pool.acquire()
                    .await
                    .map_err(|e| StoreError::from_sqlx(operation, e))?,
            ),
            Database::Sqlite(pool) => Conn::Sqlite(
                pool.acquire()
                    .await
                    .map_err(|e| StoreError::from_sqlx(operation, e))?,
            ),
        };
        Ok(conn)
    }

    /// Runs a compiled query (one row, one TEXT column of JSON) and returns the JSON text.
    pub async fn fetch_json(&self, sql: &str, params: &[Value]) -> Result<String, StoreError> {
        let mut conn = self.acquire("query").await?;
        let rows = exec::fetch_text_rows(&mut conn, "query", sql, params).await?;
        rows.into_iter()
            .next()
            .and_then(|row| row.into_iter().next().flatten())
            .ok_or(StoreError::Corrupt {
                column: "query result",
                reason: "the statement returned no JSON".to_owned(),
            })
    }

    /// The task definition revisions stored for `scope` under the current description of the
    /// type, with their status: a revision listed with the same status need not be described
    /// again. One stored under an older description (or before descriptions were versioned)
    /// is left out, so the next sync describes it once more.
    pub async fn stored_task_definitions(
        &self,
        scope: &assetql_model::Scope,
    ) -> Result<std::collections::HashMap<String, Option<String>>, StoreError> {
        let ty = &assetql_model::catalogue::ECS_TASK_DEFINITION;
        let mut conn = self.acquire("stored_task_definitions").await?;
        let rows = exec::fetch_text_rows(
            &mut conn,
            "stored_task_definitions",
            &format!(
                "SELECT arn, status FROM {} \
                 WHERE tenant_id = $1 AND cloud_account_id = $2 AND region = $3 \
                 AND model_version = $4",
                ty.table
            ),
            &[
                Value::text(scope.tenant.as_str()),
                Value::text(&scope.cloud_account_id),
                Value::text(&scope.region),
                Value::text(assetql_model::catalogue::document::model_version(ty)),
            ],
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                Some((row.next().flatten()?, row.next().flatten()))
            })
            .collect())
    }

    /// Runs a compiled query like [`Database::fetch_json_as_tenant`] (or
    /// [`Database::fetch_json`] without a tenant) and has the database itself stop it after
    /// `timeout`: PostgreSQL through the pool's `statement_timeout`, SQLite through a progress
    /// handler that interrupts the statement at its deadline. A cancelled statement is
    /// [`StoreError::Timeout`]. When the caller drops the future mid-statement, the SQLite
    /// statement is interrupted at once and its connection closed, not returned to the pool.
    pub async fn fetch_json_within(
        &self,
        tenant: Option<&str>,
        sql: &str,
        params: &[Value],
        timeout: Duration,
    ) -> Result<String, StoreError> {
        let Database::Sqlite(pool) = self else {
            return match tenant {
                Some(tenant) => self.fetch_json_as_tenant(tenant, sql, params).await,
                None => self.fetch_json(sql, params).await,
            };
        };
        let conn = pool
            .acquire()
            .await
            .map_err(|e| StoreError::from_sqlx("query", e))?;
        let mut guard = InterruptGuard::install(conn, Instant::now() + timeout).await?;
        let rows = exec::fetch_text_rows(&mut guard, "query", sql, params).await;
        guard.finish().await?;
        rows?
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next().flatten())
            .ok_or(StoreError::Corrupt {
                column: "query result",
                reason: "the statement returned no JSON".to_owned(),
            })
    }

    /// Like [`Database::fetch_json`], but on PostgreSQL inside a transaction that names
    /// `tenant` for the row-level security policies (`assetql.tenant`), so that a role subject
    /// to them sees only that tenant's rows.
    pub async fn fetch_json_as_tenant(
        &self,
        tenant: &str,
        sql: &str,
        params: &[Value],
    ) -> Result<String, StoreError> {
        let Database::Postgres(pool) = self else {
            return self.fetch_json(sql, params).await;
        };
        let err = |e| StoreError::from_sqlx("query", e);
        let mut tx = exec::Tx::Postgres(pool.begin().await.map_err(err)?);
        exec::fetch_text_rows(
            &mut tx,
            "query",
            "SELECT set_config('assetql.tenant', $1, true)",
            &[Value::text(tenant)],
        )
        .await?;
        let rows = exec::fetch_text_rows(&mut tx, "query", sql, params).await?;
        if let exec::Tx::Postgres(tx) = tx {
            tx.commit().await.map_err(err)?;
        }
        rows.into_iter()
            .next()
            .and_then(|row| row.into_iter().next().flatten())
            .ok_or(StoreError::Corrupt {
                column: "query result",
                reason: "the statement returned no JSON".to_owned(),
            })
    }

    /// The deployment's tenant key (PostgreSQL, migration 0005): readable only by the owner
    /// role, so a server reads it through its writer connection and hands it to its reader
    /// pool ([`PoolOptions::tenant_key`]). `None` on SQLite, which has no row-level security.
    pub async fn tenant_key(&self) -> Result<Option<String>, StoreError> {
        let Database::Postgres(_) = self else {
            return Ok(None);
        };
        let mut conn = self.acquire("tenant_key").await?;
        let rows = exec::fetch_text_rows(
            &mut conn,
            "tenant_key",
            "SELECT key FROM assetql_tenant_key",
            &[],
        )
        .await?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next().flatten()))
    }

    /// A write transaction (SQLite: `BEGIN IMMEDIATE`, so that writers queue on the busy
    /// timeout instead of failing when a reader upgrades).
    pub(crate) async fn begin_write(&self, operation: &'static str) -> Result<Tx, StoreError> {
        let err = |e| StoreError::from_sqlx(operation, e);
        Ok(match self {
            Database::Postgres(pool) => Tx::Postgres(pool.begin().await.map_err(err)?),
            Database::Sqlite(pool) => {
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await.map_err(err)?)
            }
        })
    }

    /// Creates the tenant if it does not exist; an existing tenant keeps its name.
    pub async fn ensure_tenant(&self, tenant: &TenantId, name: &str) -> Result<(), StoreError> {
        let mut conn = self.acquire("ensure_tenant").await?;
        exec::execute(
            &mut conn,
            "ensure_tenant",
            "INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            &[Value::text(tenant.as_str()), Value::text(name)],
        )
        .await?;
        Ok(())
    }

    /// Records a cloud account of `tenant` (display name optional), or refreshes its name and
    /// `last_seen_at`.
    pub async fn upsert_cloud_account(
        &self,
        tenant: &TenantId,
        account_id: &str,
        name: Option<&str>,
        seen_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write("upsert_cloud_account").await?;
        exec::execute(
            &mut tx,
            "upsert_cloud_account",
            "INSERT INTO cloud_accounts (tenant_id, id, name, first_seen_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET \
             name = COALESCE(excluded.name, cloud_accounts.name), last_seen_at = excluded.last_seen_at",
            &[
                Value::text(tenant.as_str()),
                Value::text(account_id),
                Value::Text(name.map(str::to_owned)),
                Value::Timestamp(Some(seen_at)),
            ],
        )
        .await?;
        exec::bump_generation(&mut tx, tenant.as_str()).await?;
        tx.commit("upsert_cloud_account").await
    }
}

impl Database {
    /// Records what `account_id` of `tenant` is for (`production`, …; `None` clears it),
    /// creating the account's row when the sync has not yet.
    pub async fn set_account_environment(
        &self,
        tenant: &TenantId,
        account_id: &str,
        environment: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write("set_account_environment").await?;
        exec::execute(
            &mut tx,
            "set_account_environment",
            "INSERT INTO cloud_accounts (tenant_id, id, environment, first_seen_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET environment = excluded.environment",
            &[
                Value::text(tenant.as_str()),
                Value::text(account_id),
                Value::Text(environment.map(str::to_owned)),
                Value::Timestamp(Some(at)),
            ],
        )
        .await?;
        exec::bump_generation(&mut tx, tenant.as_str()).await?;
        tx.commit("set_account_environment").await
    }
}

/// SQLite virtual-machine instructions between two deadline checks: a check costs one clock
/// read, and SQLite runs millions of instructions per second, so the interrupt lands within a
/// millisecond or so of the deadline.
const PROGRESS_EVERY_OPS: i32 = 10_000;

/// A pooled SQLite connection with a progress handler that interrupts its statement at a
/// deadline, or as soon as the guard is dropped before [`InterruptGuard::finish`].
struct InterruptGuard {
    conn: PoolConnection<Sqlite>,
    abandoned: Arc<AtomicBool>,
    finished: bool,
}

impl InterruptGuard {
    async fn install(
        mut conn: PoolConnection<Sqlite>,
        deadline: Instant,
    ) -> Result<Self, StoreError> {
        let abandoned = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&abandoned);
        conn.lock_handle()
            .await
            .map_err(|e| StoreError::from_sqlx("query", e))?
            .set_progress_handler(PROGRESS_EVERY_OPS, move || {
                !flag.load(Ordering::Relaxed) && Instant::now() < deadline
            });
        Ok(Self {
            conn,
            abandoned,
            finished: false,
        })
    }

    /// Removes the handler and lets the connection go back to the pool.
    async fn finish(mut self) -> Result<(), StoreError> {
        self.conn
            .lock_handle()
            .await
            .map_err(|e| StoreError::from_sqlx("query", e))?
            .remove_progress_handler();
        self.finished = true;
        Ok(())
    }
}

impl exec::AsConn for InterruptGuard {
    fn conn(&mut self) -> exec::ConnRef<'_> {
        exec::ConnRef::Sqlite(&mut self.conn)
    }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        if !self.finished {
            // Dropped mid-statement (the caller gave up) or the handler could not be removed:
            // stop the statement and do not hand this connection back to the pool.
            self.abandoned.store(true, Ordering::Relaxed);
            self.conn.close_on_drop();
        }
    }
}
