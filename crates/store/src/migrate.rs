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
