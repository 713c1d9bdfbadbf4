//! The command line: global options, subcommands, and what each runs.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use std::sync::Arc;

use anyhow::Context;
use assetql_graphql::Engine;
use assetql_sql::Syntax;
use assetql_store::{Database, PoolOptions};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::http;

/// assetql keeps an inventory of AWS ECS in a database and answers GraphQL queries over it.
#[derive(Debug, Parser)]
#[command(name = "assetql", version, about, long_about = None)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every subcommand.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database URL: `sqlite://FILE` (embedded, created on first use) or `postgres://…`.
    #[arg(
        long,
        global = true,
        env = "ASSETQL_DATABASE_URL",
        default_value = "sqlite://assetql.db"
    )]
    pub database_url: String,
    /// Most database connections per process.
    #[arg(
        long,
        global = true,
        env = "ASSETQL_DATABASE_MAX_CONNECTIONS",
        default_value_t = 8
    )]
    pub database_max_connections: u32,
    /// Seconds to wait for a database connection before reporting the database unavailable.
    #[arg(
        long,
        global = true,
        env = "ASSETQL_DATABASE_TIMEOUT_SECS",
        default_value_t = 5
    )]
    pub database_timeout_secs: u64,
    /// Log format.
    #[arg(long, global = true, env = "ASSETQL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Log level (`error`, `warn`, `info`, `debug`, `trace`); `RUST_LOG` overrides it.
    #[arg(long, global = true, env = "ASSETQL_LOG_LEVEL", default_value = "info")]
    pub log_level: String,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API: POST /graphql (GET for GraphiQL), /healthz, /readyz.
    Serve(ServeArgs),
    /// Apply pending database migrations; a no-op when the schema is current.
    Migrate,
    /// Print the GraphQL schema (SDL) of a dialect.
    Schema(SchemaArgs),
}

/// Options of `assetql schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which dialect's schema to print.
    #[arg(long, value_enum, default_value_t = DialectArg::Current)]
    pub dialect: DialectArg,
}

/// A GraphQL dialect on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// Neo4j GraphQL 7.x: `{eq: …}` operator objects.
    Current,
    /// Neo4j GraphQL 3.16–5.x: implicit equality and suffix operators.
    Legacy,
}

/// Options of `assetql serve`.
#[derive(Debug, Args)]
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
}

impl GlobalArgs {
    fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_connections: self.database_max_connections.max(1),
            acquire_timeout: Duration::from_secs(self.database_timeout_secs.max(1)),
        }
    }

    async fn connect(&self) -> anyhow::Result<Database> {
        Database::connect(&self.database_url, &self.pool_options())
            .await
            .context("connecting to the database")
    }
}

/// Runs the parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Schema(args) => {
            let engine = Engine::new().context("building the GraphQL schema")?;
            let syntax = match args.dialect {
                DialectArg::Current => Syntax::Current,
                DialectArg::Legacy => Syntax::Legacy,
            };
            print!("{}", engine.sdl(syntax));
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = cli.global.connect().await?;
            let applied = db.migrate().await.context("applying migrations")?;
            tracing::info!(applied, dialect = db.dialect().name(), "migrations applied");
            println!("applied {applied} migration(s); schema is up to date");
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => {
            let engine = Arc::new(Engine::new().context("building the GraphQL schema")?);
            let db = cli.global.connect().await?;
            let auto_migrate = args
                .auto_migrate
                .unwrap_or(matches!(db, Database::Sqlite(_)));
            if auto_migrate {
                let applied = db.migrate().await.context("applying migrations")?;
                tracing::info!(applied, "migrations applied at start-up");
            }
            let listener = tokio::net::TcpListener::bind(args.listen)
                .await
                .with_context(|| format!("binding {}", args.listen))?;
            let local = listener.local_addr().context("reading the bound address")?;
            tracing::info!(address = %local, dialect = db.dialect().name(), "serving");
            http::serve(
                listener,
                http::AppState {
                    db: db.clone(),
                    engine,
                },
                http::shutdown_signal(),
                Duration::from_secs(args.shutdown_grace_secs),
            )
            .await
            .context("serving HTTP")?;
            db.close().await;
            tracing::info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
    }
}
