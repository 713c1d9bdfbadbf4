//! The command line: global options, subcommands, and what each runs.

use std::process::ExitCode;

use anyhow::Context;
use assetql_graphql::Engine;
use assetql_sql::QueryDialect;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::args::{tenant, GlobalArgs};
use crate::controls_command::{run_controls, ControlsCommand};
use crate::serve::ServeArgs;
use crate::sync_command::{SyncArgs, WorkerArgs};
use crate::tokens_command::{run_tokens, TokensCommand};

/// assetql keeps an inventory of AWS ECS in a database and answers GraphQL queries over it.
#[derive(Debug, Parser)]
#[command(
    name = "assetql",
    version,
    about = "assetql keeps an inventory of AWS ECS in a database, answers GraphQL over it, and \
             checks stored security controls on it (and on files before deploy).",
    long_about = None
)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The log level when neither `--log-level` nor `RUST_LOG` says: the long-running commands
    /// log their work; the others print a report that INFO lines would drown.
    pub fn default_log_level(&self) -> &'static str {
        match self.command {
            Command::Serve(_) | Command::Worker(_) => "info",
            _ => "warn",
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API: POST /graphql (GET for GraphiQL), /healthz, /readyz.
    Serve(ServeArgs),
    /// Apply pending database migrations; a no-op when the schema is current.
    Migrate(MigrateArgs),
    /// Print the GraphQL schema (SDL) of a dialect.
    Schema(SchemaArgs),
    /// Sync every configured AWS scope (account x region) once, then print a summary.
    /// Exits non-zero when any scope failed.
    Sync(SyncArgs),
    /// Sync on an interval until stopped.
    Worker(WorkerArgs),
    /// Stored controls: list, run, except.
    #[command(subcommand)]
    Controls(ControlsCommand),
    /// API bearer tokens, each scoped to one tenant.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Probe a running server (`/readyz` by default): exit 0 when it answers 200. The
    /// container image's health check.
    Healthcheck(crate::healthcheck::HealthcheckArgs),
    /// Build a demo estate (two accounts, two regions, 14 days of control runs) into its own
    /// embedded database and serve it on loopback with auth off.
    Demo(crate::demo::DemoArgs),
    /// Check task-definition, CloudFormation and Terraform files with the stored controls
    /// before deploy (no database, network or AWS credentials needed).
    Check(crate::check_command::CheckArgs),
    /// Write a deterministic synthetic ECS inventory (for benchmarks), through the store's own
    /// upserts, and report rows written and write throughput.
    Generate(GenerateArgs),
}

/// Options of `assetql generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Task definition revisions to write (S = 10000, L = 200000).
    #[arg(long, default_value_t = 10_000)]
    pub task_definitions: u64,
    /// Seed: the same seed writes the same inventory.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Tenant to write into.
    #[arg(long, default_value = "default")]
    pub tenant: String,
    /// Revisions per upsert batch.
    #[arg(long, default_value_t = 1_000)]
    pub batch: usize,
    /// Scopes (account x region) written at once on PostgreSQL, each in its own transaction,
    /// as the ingest worker syncs them; SQLite writes one at a time.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
}

/// Where the AWS accounts come from.
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

/// Options of `assetql migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Also create (or update) a PostgreSQL login role that can only read the inventory, for
    /// the query path (`serve --read-database-url`).
    #[arg(long, value_name = "ROLE")]
    pub create_reader_role: Option<String>,
    /// The reader role's password.
    #[arg(long, env = "ASSETQL_READER_PASSWORD", requires = "create_reader_role")]
    pub reader_password: Option<String>,
}

/// Runs the parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Sync(args) => crate::sync_command::run_sync(&cli.global, args).await,
        Command::Worker(args) => crate::sync_command::run_worker(&cli.global, args).await,
        Command::Controls(command) => run_controls(&cli.global, command).await,
        Command::Tokens(command) => run_tokens(&cli.global, command).await,
        Command::Check(args) => crate::check_command::run_check(args).await,
        Command::Demo(args) => crate::demo::run(&cli.global, args).await,
        Command::Healthcheck(args) => Ok(crate::healthcheck::run(&args)),
        Command::Generate(args) => {
            let db = cli.global.connect().await?;
            db.migrate().await.context("applying migrations")?;
            let report = crate::generate::generate(
                &db,
                &tenant(&args.tenant)?,
                args.task_definitions,
                args.seed,
                args.batch.max(1),
                args.concurrency.max(1),
            )
            .await
            .context("writing the synthetic inventory")?;
            println!(
                "{}",
                serde_json::to_string_pretty(&report).context("encoding the report")?
            );
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema(args) => {
            let engine = Engine::new().context("building the GraphQL schema")?;
            let syntax = match args.dialect {
                DialectArg::Current => QueryDialect::Current,
                DialectArg::Legacy => QueryDialect::Legacy,
            };
            print!("{}", engine.sdl(syntax));
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate(args) => {
            let db = cli.global.connect().await?;
            let applied = db.migrate().await.context("applying migrations")?;
            tracing::info!(applied, dialect = db.dialect().name(), "migrations applied");
            println!("applied {applied} migration(s); schema is up to date");
            if let Some(role) = &args.create_reader_role {
                let password = args.reader_password.as_deref().context(
                    "--create-reader-role needs --reader-password (or ASSETQL_READER_PASSWORD)",
                )?;
                db.create_reader_role(role, password)
                    .await
                    .with_context(|| format!("creating the reader role {role}"))?;
                println!("reader role {role} can read every inventory table and write none");
            }
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => crate::serve::run(&cli.global, args).await,
    }
}
