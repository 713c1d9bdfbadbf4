//! Helpers shared by assetql's cross-database and end-to-end tests: a fresh, migrated database
//! per test on PostgreSQL or SQLite, table dumps, and fixture assets.

// The surface fixtures are large `json!` literals.
#![recursion_limit = "256"]

pub mod fixtures;
pub mod moto;
pub mod security_hub;
pub mod server;
pub mod surface;

/// A loopback port that was free a moment ago (for a server process a test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("find a free port")
        .port()
}

use std::time::Duration;

use assetql_model::catalogue::{
    ECS_CAPACITY_PROVIDER, ECS_CLUSTER, ECS_SERVICE, ECS_TASK, ECS_TASK_DEFINITION, ECS_TASK_SET,
};
use assetql_model::Scope;
use assetql_model::SyncRunId;
use assetql_store::{Database, PoolOptions, UpsertStats};
use chrono::{DateTime, Utc};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh database on the PostgreSQL server named by `DATABASE_URL`.
    Postgres,
    /// A fresh SQLite file in a temporary directory.
    Sqlite,
}

/// A database created for one test and removed when it is dropped.
pub struct TestDb {
    /// The connected store.
    pub db: Database,
    /// Its URL (for spawning the binary against it).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Postgres { admin_url: String, name: String },
    Sqlite { _dir: tempfile::TempDir },
}

fn admin_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "DATABASE_URL is not set. Run the suite with `scripts/test`, which starts a throwaway \
             PostgreSQL itself, or point DATABASE_URL at a PostgreSQL server \
             (postgres://USER@HOST:PORT/postgres) whose user may create databases."
        )
    })
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A small deterministic generator (xorshift) for the tests that edit documents at random,
/// so that a failure reproduces.
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % u64::try_from(n).expect("small")).expect("small")
    }
}

impl TestDb {
    /// The engine's request context on this database for the default tenant, paged, without
    /// row-level security (what `assetql serve` gives an unauthenticated request).
    pub fn request_context(&self) -> assetql_graphql::RequestContext {
        assetql_graphql::RequestContext {
            db: self.db.clone(),
            tenant: assetql_model::TenantId::default_tenant(),
            controls: None,
            unpaged: false,
            row_level_security: false,
            gate: Default::default(),
        }
    }

    /// A fresh, migrated database on `backend`.
    pub async fn new(backend: Backend) -> Self {
        let test_db = Self::unmigrated(backend).await;
        test_db
            .db
            .migrate()
            .await
            .expect("migrations apply to a fresh database");
        test_db
    }

    /// A fresh, empty database on `backend` (no migrations applied).
    pub async fn unmigrated(backend: Backend) -> Self {
        let options = PoolOptions {
            max_connections: 4,
            acquire_timeout: Duration::from_secs(30),
            statement_timeout: None,
            custom_plans: false,
            tenant_key: None,
        };
        match backend {
            Backend::Postgres => {
                let admin_url = admin_url();
                let name = format!("assetql_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&admin_url, &options)
                    .await
                    .expect("connect to the PostgreSQL server in DATABASE_URL");
                let Database::Postgres(pool) = &admin else {
                    panic!("DATABASE_URL must be a postgres:// URL");
                };
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(pool)
                    .await
                    .expect("create a test database");
                admin.close().await;
                let url = with_database(&admin_url, &name);
                let db = Database::connect(&url, &options)
                    .await
                    .expect("connect to the test database");
                TestDb {
                    db,
                    url,
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("create a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("assetql.db").display());
                let db = Database::connect(&url, &options)
                    .await
                    .expect("open a SQLite test database");
                TestDb {
                    db,
                    url,
                    cleanup: Cleanup::Sqlite { _dir: dir },
                }
            }
        }
    }

    /// Seeds the controls' fixture inventory (`fixtures::control_inventory`) for the fixture
    /// account and region, seen at time 0.
    pub async fn seed_control_inventory(&self) -> (SyncRunId, UpsertStats) {
        self.seed(
            &fixtures::scope(fixtures::ACCOUNT, fixtures::REGION),
            &fixtures::control_inventory(fixtures::ACCOUNT, fixtures::REGION),
            fixtures::at(0),
        )
        .await
    }

    /// Writes `inventory` into `scope` as one committed sync run, the way the collector does.
    pub async fn seed(
        &self,
        scope: &Scope,
        inventory: &fixtures::Inventory,
        seen_at: DateTime<Utc>,
    ) -> (SyncRunId, UpsertStats) {
        let db = &self.db;
        db.ensure_tenant(&scope.tenant, scope.tenant.as_str())
            .await
            .expect("create the tenant");
        db.upsert_cloud_account(
            &scope.tenant,
            &scope.cloud_account_id,
            Some("production"),
            seen_at,
        )
        .await
        .expect("record the account");
        let run = db
            .begin_sync_run(scope, seen_at)
            .await
            .expect("begin a sync run");
        let mut writer = db
            .scope_writer(scope, run, seen_at)
            .await
            .expect("open a scope writer");
        let mut stats = UpsertStats::default();
        for (ty, assets) in [
            (&ECS_CLUSTER, &inventory.clusters),
            (&ECS_CAPACITY_PROVIDER, &inventory.capacity_providers),
            (&ECS_SERVICE, &inventory.services),
            (&ECS_TASK_SET, &inventory.task_sets),
            (&ECS_TASK_DEFINITION, &inventory.task_definitions),
            (&ECS_TASK, &inventory.tasks),
        ] {
            stats += writer
                .upsert(ty, assets)
                .await
                .unwrap_or_else(|e| panic!("write {}: {e}", ty.name));
        }
        writer.commit().await.expect("commit the scope");
        (run, stats)
    }

    /// Rows of `table` as JSON objects, ordered by their text so that dumps compare equal.
    pub async fn dump(&self, table: &str) -> Vec<serde_json::Value> {
        let texts: Vec<String> = match &self.db {
            Database::Postgres(pool) => sqlx::query_scalar(&format!(
                "SELECT row_to_json(t)::text FROM {table} t ORDER BY 1"
            ))
            .fetch_all(pool)
            .await
            .expect("dump a PostgreSQL table"),
            Database::Sqlite(pool) => {
                let columns: Vec<String> = sqlx::query_scalar(&format!(
                    "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                ))
                .fetch_all(pool)
                .await
                .expect("list SQLite columns");
                let pairs: Vec<String> =
                    columns.iter().map(|c| format!("'{c}', \"{c}\"")).collect();
                sqlx::query_scalar(&format!(
                    "SELECT json_object({}) FROM {table} ORDER BY 1",
                    pairs.join(", ")
                ))
                .fetch_all(pool)
                .await
                .expect("dump a SQLite table")
            }
        };
        texts
            .iter()
            .map(|t| serde_json::from_str(t).expect("the database produced JSON"))
            .collect()
    }

    /// Number of rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        match &self.db {
            Database::Postgres(pool) => {
                sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                    .fetch_one(pool)
                    .await
                    .expect("count rows")
            }
            Database::Sqlite(pool) => sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(pool)
                .await
                .expect("count rows"),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's (single-threaded) runtime, which cannot make progress
            // while we wait here: use a separate thread with its own runtime, and let
            // `WITH (FORCE)` end the test pool's connections instead of closing the pool.
            let handle = std::thread::spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                runtime.block_on(async move {
                    if let Ok(Database::Postgres(pool)) =
                        Database::connect(&admin_url, &PoolOptions::default()).await
                    {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&pool)
                                .await;
                        pool.close().await;
                    }
                });
            });
            let _ = handle.join();
        }
    }
}

/// Declares each test body twice, as `NAME::postgres` and `NAME::sqlite`, each on a fresh
/// migrated database.
#[macro_export]
macro_rules! on_both_databases {
    ($(async fn $name:ident($db:ident: TestDb) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn body($db: $crate::TestDb) $body
                #[tokio::test]
                async fn postgres() {
                    body($crate::TestDb::new($crate::Backend::Postgres).await).await
                }
                #[tokio::test]
                async fn sqlite() {
                    body($crate::TestDb::new($crate::Backend::Sqlite).await).await
                }
            }
        )*
    };
}

/// How many migrations the repository has (the same number in each database's folder).
pub fn migrations() -> i64 {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/sqlite");
    let count = std::fs::read_dir(dir)
        .expect("the migrations folder")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    i64::try_from(count).expect("fits")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5432/postgres", "x"),
            "postgres://u@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h:1/postgres?sslmode=disable", "x"),
            "postgres://u@h:1/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h:1", "x"), "postgres://u@h:1/x");
    }
}
