use sqlx::migrate::Migrator;

use crate::database::Database;
use crate::error::StoreError;
use crate::exec;

static POSTGRES: Migrator = sqlx::migrate!("../../migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How far the database's schema is from the migrations built into this binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationState {
    /// Every embedded migration is applied.
    UpToDate {
        /// The newest applied version.
        version: i64,
    },
    /// Some embedded migrations are not applied yet (or none at all).
    Pending {
        /// Versions applied successfully.
        applied: usize,
        /// Versions this binary knows.
        expected: usize,
    },
}

impl Database {
    fn migrator(&self) -> &'static Migrator {
        match self {
            Database::Postgres(_) => &POSTGRES,
            Database::Sqlite(_) => &SQLITE,
        }
    }

    /// Applies every pending migration; a no-op when the schema is current.
    /// Returns the number of migrations applied by this call.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let before = self.applied_versions().await?.len();
        match self {
            Database::Postgres(pool) => POSTGRES.run(pool).await?,
            Database::Sqlite(pool) => SQLITE.run(pool).await?,
        }
        let after = self.applied_versions().await?.len();
        if after > before {
            self.bump_all_generations().await?;
        }
        Ok(after.saturating_sub(before))
    }

    /// Compares the applied migrations with the ones embedded in the binary.
    pub async fn migration_state(&self) -> Result<MigrationState, StoreError> {
        let applied = self.applied_versions().await?;
        let expected: Vec<i64> = self.migrator().iter().map(|m| m.version).collect();
        if expected.iter().all(|v| applied.contains(v)) {
            Ok(MigrationState::UpToDate {
                version: expected.iter().copied().max().unwrap_or_default(),
            })
        } else {
            Ok(MigrationState::Pending {
                applied: applied.len(),
                expected: expected.len(),
            })
        }
    }

    async fn applied_versions(&self) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.acquire("migration_state").await?;
        let exists_sql = match self {
            Database::Postgres(_) => "SELECT count(*)::BIGINT FROM information_schema.tables \
                                      WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
            Database::Sqlite(_) => "SELECT count(*) FROM sqlite_master \
                                    WHERE type = 'table' AND name = '_sqlx_migrations'",
        };
        if exec::fetch_i64(&mut conn, "migration_state", exists_sql, &[]).await? == 0 {
            return Ok(Vec::new());
        }
        let rows = exec::fetch_text_rows(
            &mut conn,
            "migration_state",
            "SELECT CAST(version AS TEXT) FROM _sqlx_migrations WHERE success ORDER BY version",
            &[],
        )
        .await?;
        rows.into_iter()
            .map(|row| {
                let text = row.into_iter().next().flatten().unwrap_or_default();
                text.parse().map_err(|_| StoreError::Corrupt {
                    column: "_sqlx_migrations.version",
                    reason: format!("not an integer: {text:?}"),
                })
            })
            .collect()
    }
}

impl Database {
    /// Creates (or updates) a PostgreSQL login role that can only read the inventory: CONNECT
    /// on the database, USAGE on the schema, SELECT on every table now and later. The query
    /// path connects with it (`--read-database-url`).
    pub async fn create_reader_role(&self, role: &str, password: &str) -> Result<(), StoreError> {
        let Database::Postgres(_) = self else {
            return Err(StoreError::Query {
                operation: "create_reader_role",
                source: sqlx::Error::Protocol("database roles exist only on PostgreSQL".to_owned()),
            });
        };
        if role.is_empty() || !role.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(StoreError::Query {
                operation: "create_reader_role",
                source: sqlx::Error::Protocol(format!(
                    "invalid role name {role:?}: use letters, digits and _"
                )),
            });
        }
        let mut conn = self.acquire("create_reader_role").await?;
        // Role names cannot be bound parameters; the name is validated above, the password is
        // passed as a quoted literal built by PostgreSQL's own quote_literal.
        let password_literal = {
            let rows = exec::fetch_text_rows(
                &mut conn,
                "create_reader_role",
                "SELECT quote_literal($1)",
                &[assetql_sql::Value::text(password)],
            )
            .await?;
            rows.into_iter()
                .next()
                .and_then(|r| r.into_iter().next().flatten())
                .unwrap_or_default()
        };
        let exists = exec::fetch_i64(
            &mut conn,
            "create_reader_role",
            "SELECT count(*)::BIGINT FROM pg_roles WHERE rolname = $1",
            &[assetql_sql::Value::text(role)],
        )
        .await?;
        let verb = if exists == 0 { "CREATE" } else { "ALTER" };
        let statements = [
            format!("{verb} ROLE {role} LOGIN PASSWORD {password_literal}"),
            format!(
                "GRANT CONNECT ON DATABASE \"{}\" TO {role}",
                self.current_database().await?
            ),
            format!("GRANT USAGE ON SCHEMA public TO {role}"),
            format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"),
            format!("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}"),
            // Token hashes and the tenant list have no row-level policy: the query path never
            // reads them, so the reader may not either; nor the tenant key the policies check.
            format!("REVOKE ALL ON api_tokens, tenants, assetql_tenant_key FROM {role}"),
        ];
        for statement in &statements {
            exec::execute(&mut conn, "create_reader_role", statement, &[]).await?;
        }
        Ok(())
    }

    async fn current_database(&self) -> Result<String, StoreError> {
        let mut conn = self.acquire("current_database").await?;
        let rows = exec::fetch_text_rows(
            &mut conn,
            "current_database",
            "SELECT current_database()::text",
            &[],
        )
        .await?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next().flatten())
            .unwrap_or_default())
    }
}
