//! `assetql serve`: the HTTP server's options and start-up (limits, pools, controls backend,
//! metrics access, listeners).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use assetql_graphql::Engine;
use assetql_store::{Database, PoolOptions};
use clap::Args;

use crate::args::GlobalArgs;
use crate::controls_command::CatalogueArgs;
use crate::http;
use crate::listen;

/// Options of `assetql serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ASSETQL_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Apply pending migrations at start-up. Defaults to on for SQLite and off for PostgreSQL,
    /// where `assetql migrate` is run as its own deployment step.
    #[arg(long, env = "ASSETQL_AUTO_MIGRATE")]
    pub auto_migrate: Option<bool>,
    /// Seconds to let in-flight requests finish after SIGTERM/Ctrl-C.
    #[arg(long, env = "ASSETQL_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// Controls served by the controls API.
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    /// Require `Authorization: Bearer <token>` on /graphql (see `assetql tokens`). Defaults to on
    /// for PostgreSQL and off for the embedded SQLite default.
    #[arg(long, env = "ASSETQL_AUTH")]
    pub auth: Option<bool>,
    /// Database URL of the query path, e.g. with the read-only role `assetql migrate
    /// --create-reader-role` creates; defaults to --database-url. Writes (control runs,
    /// exceptions, tokens) always use --database-url.
    #[arg(long, env = "ASSETQL_READ_DATABASE_URL")]
    pub read_database_url: Option<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "ASSETQL_MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,
    /// Rows a list or connection returns when the client gives no limit/first.
    #[arg(long, env = "ASSETQL_DEFAULT_PAGE_SIZE", default_value_t = 1_000)]
    pub default_page_size: u64,
    /// Most rows a client may ask for in one list or connection page.
    #[arg(long, env = "ASSETQL_MAX_PAGE_SIZE", default_value_t = 10_000)]
    pub max_page_size: u64,
    /// Seconds one root field's SQL statement may run.
    #[arg(long, env = "ASSETQL_QUERY_TIMEOUT_SECS", default_value_t = 30)]
    pub query_timeout_secs: u64,
    /// Serve `/metrics` (and `/healthz`) on this address instead of the main listener.
    #[arg(long, env = "ASSETQL_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Serve `/metrics` on the main listener to requests with `Authorization: Bearer <this>`.
    /// Without it (and without --metrics-listen) `/metrics` is open when auth is off and not
    /// served when auth is on: it names every client's operations.
    #[arg(long, env = "ASSETQL_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Most HTTP connections open at once; more clients wait in the listen backlog.
    #[arg(long, env = "ASSETQL_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers; an idle keep-alive connection is
    /// closed after the same time.
    #[arg(long, env = "ASSETQL_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a client has to send a request's body (HTTP 408 `REQUEST_TIMEOUT` after).
    #[arg(long, env = "ASSETQL_BODY_TIMEOUT_SECS", default_value_t = 10)]
    pub body_timeout_secs: u64,
    /// Bytes of repeated queries' answers kept until the tenant's inventory changes (least
    /// recently used out); 0 turns the answer cache off.
    #[arg(long, env = "ASSETQL_ANSWER_CACHE_BYTES", default_value_t = crate::answer_cache::DEFAULT_BYTES)]
    pub answer_cache_bytes: usize,
    /// AWS accounts (the worker's configuration file): with it, `runControls(resync: true)`
    /// syncs the scopes it names before evaluating; without it, re-scans answer NOT_CONFIGURED.
    #[command(flatten)]
    pub aws: crate::args::AwsArgs,
}

/// Runs `assetql serve` until SIGTERM or Ctrl-C.
pub async fn run(global: &GlobalArgs, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let limits = assetql_graphql::Limits {
        default_page_size: args.default_page_size.max(1),
        max_page_size: args.max_page_size.max(args.default_page_size).max(1),
        query_timeout: Duration::from_secs(args.query_timeout_secs.max(1)),
        // One tenant may hold three quarters of the query pool, never all of it.
        max_tenant_statements: usize::try_from(global.database_max_connections.max(1) * 3 / 4)
            .unwrap_or(usize::MAX)
            .max(1),
        ..assetql_graphql::Limits::default()
    };
    let engine = Arc::new(Engine::with_limits(limits).context("building the GraphQL schema")?);
    let catalogue = args.catalogue.load()?;
    // The server cancels a statement the client gave up on (PostgreSQL).
    let pool_options = PoolOptions {
        statement_timeout: Some(Duration::from_secs(args.query_timeout_secs.max(1))),
        custom_plans: true,
        ..global.pool_options()
    };
    let db = Database::connect(&global.database_url, &pool_options)
        .await
        .context("connecting to the database")?;
    let metrics = Arc::new(crate::metrics::Metrics::default());
    let resync = match &args.aws.config {
        Some(_) => {
            let base = aws_config::load_from_env().await;
            let config = args.aws.ingest_config(&base)?;
            Some(crate::resync::resyncer(db.clone(), base, config))
        }
        None => None,
    };
    let controls = http::controls_backend(
        catalogue,
        Arc::clone(&engine),
        db.clone(),
        Arc::clone(&metrics),
        resync,
    );
    let auth = args.auth.unwrap_or(matches!(db, Database::Postgres(_)));
    tracing::info!(
        auth,
        "bearer tokens {}",
        if auth { "required" } else { "not required" }
    );
    let auto_migrate = args
        .auto_migrate
        .unwrap_or(matches!(db, Database::Sqlite(_)));
    if auto_migrate {
        let applied = db.migrate().await.context("applying migrations")?;
        tracing::info!(applied, "migrations applied at start-up");
    }
    // A newcomer's first `serve` meets an empty inventory: say what fills it.
    if let Ok(synced) = db
        .synced_asset_types(&assetql_model::TenantId::default_tenant(), None)
        .await
    {
        if synced.is_empty() && !args.auth.unwrap_or(false) {
            tracing::warn!(
                "the inventory is empty (no successful sync yet): run `assetql sync` with AWS \
                 credentials, or `assetql demo` to see a demo estate; until then controls say \
                 no_data"
            );
        }
    }
    let read_db = match &args.read_database_url {
        Some(url) => {
            // The reader's sessions carry the tenant key, read through the writer (the reader
            // role cannot read it): without it the row-level policies show no row.
            let tenant_key = db
                .tenant_key()
                .await
                .context("reading the tenant key (is the database migrated?)")?;
            let options = PoolOptions {
                tenant_key,
                ..pool_options.clone()
            };
            Database::connect(url, &options)
                .await
                .context("connecting to the read database")?
        }
        None => db.clone(),
    };
    let metrics_access = match (&args.metrics_listen, &args.metrics_token) {
        (Some(address), _) => {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("binding {address} for metrics"))?;
            tracing::info!(%address, "serving metrics");
            tokio::spawn(listen::serve_metrics(
                listener,
                Arc::clone(&metrics),
                db.clone(),
                Some(Arc::clone(&engine)),
            ));
            http::MetricsAccess::Elsewhere
        }
        (None, Some(token)) if !token.trim().is_empty() => {
            http::MetricsAccess::Token(token.trim().to_owned())
        }
        (None, _) if auth => {
            tracing::warn!(
                "/metrics is not served: with auth on it needs --metrics-listen or \
                 --metrics-token"
            );
            http::MetricsAccess::Elsewhere
        }
        (None, _) => http::MetricsAccess::Open,
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let local = listener.local_addr().context("reading the bound address")?;
    tracing::info!(address = %local, dialect = db.dialect().name(), "serving");
    listen::serve(
        listener,
        http::AppState {
            db: db.clone(),
            engine,
            controls: Some(controls),
            auth,
            max_body_bytes: args.max_body_bytes,
            metrics,
            row_level_security: args.read_database_url.is_some()
                && matches!(read_db, Database::Postgres(_)),
            read_db,
            metrics_access,
            answers: crate::answer_cache::AnswerCache::new(args.answer_cache_bytes, db.clone()),
            connections: http::ConnectionLimits {
                max_connections: args.max_connections.max(1),
                header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
                body_timeout: Duration::from_secs(args.body_timeout_secs.max(1)),
            },
        },
        listen::shutdown_signal(),
        Duration::from_secs(args.shutdown_grace_secs),
    )
    .await
    .context("serving HTTP")?;
    db.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
