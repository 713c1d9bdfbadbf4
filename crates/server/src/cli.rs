//! The command line: global options, subcommands, and what each runs.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use std::sync::Arc;

use anyhow::Context;
use assetql_controls::Runner;
use assetql_graphql::Engine;
use assetql_ingest::{
    sync_round, sync_with_progress, AccountConfig, IngestConfig, Round, SyncReport,
};
use assetql_sql::Syntax;
use assetql_store::{ControlStatus, Database, PoolOptions};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::controls_command::{run_controls, CatalogueArgs, ControlsCommand};
use crate::http;
use crate::serve::ServeArgs;
use crate::tokens_command::{run_tokens, TokensCommand};

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
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// TOML file with `[[aws.accounts]]` (name, tenant, role_arn, external_id, regions). Without
    /// it, the default credential chain's account and AWS_REGION form the one scope.
    #[arg(long, env = "ASSETQL_CONFIG")]
    pub config: Option<std::path::PathBuf>,
}

/// Options of `assetql sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// AWS accounts.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `assetql worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// AWS accounts.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Time between the starts of two syncs: `90s`, `15m`, `1h`.
    #[arg(long, env = "ASSETQL_SYNC_INTERVAL", default_value = "15m", value_parser = parse_interval)]
    pub interval: Duration,
    /// Controls evaluated after each round.
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    /// Serve Prometheus metrics (sync durations, AWS API calls, control runs) at
    /// http://ADDRESS/metrics.
    #[arg(long, env = "ASSETQL_WORKER_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
}

/// Parses `90s`, `15m`, `2h` (a bare number is seconds).
pub(crate) fn parse_interval(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 90s, 15m or 1h"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        other => return Err(format!("unknown unit {other:?}: use s, m or h")),
    };
    if seconds == 0 {
        return Err("the interval must be positive".to_owned());
    }
    Ok(Duration::from_secs(seconds))
}

/// The `aws` table of the configuration file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    aws: IngestConfig,
}

impl AwsArgs {
    /// The accounts to sync: from the file, or the default chain's account in AWS_REGION.
    fn ingest_config(&self, base: &aws_config::SdkConfig) -> anyhow::Result<IngestConfig> {
        match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let file: ConfigFile = toml::from_str(&text)
                    .with_context(|| format!("invalid configuration in {}", path.display()))?;
                if file.aws.accounts.is_empty() {
                    anyhow::bail!("{} lists no [[aws.accounts]]", path.display());
                }
                Ok(file.aws)
            }
            None => {
                let region = base
                    .region()
                    .map(|r| r.to_string())
                    .context("no AWS region: set AWS_REGION, or list regions in a --config file")?;
                Ok(IngestConfig::with_accounts(vec![AccountConfig {
                    name: None,
                    tenant: assetql_model::TenantId::default_tenant(),
                    role_arn: None,
                    external_id: None,
                    regions: vec![region],
                }]))
            }
        }
    }
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

pub(crate) fn tenant(text: &str) -> anyhow::Result<assetql_model::TenantId> {
    assetql_model::TenantId::parse(text).map_err(|e| anyhow::anyhow!("{e}"))
}

impl GlobalArgs {
    pub(crate) fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_connections: self.database_max_connections.max(1),
            acquire_timeout: Duration::from_secs(self.database_timeout_secs.max(1)),
            statement_timeout: None,
            custom_plans: false,
            tenant_key: None,
        }
    }

    pub(crate) async fn connect(&self) -> anyhow::Result<Database> {
        Database::connect(&self.database_url, &self.pool_options())
            .await
            .context("connecting to the database")
    }
}

/// Runs the parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Controls(command) => run_controls(&cli.global, command).await,
        Command::Tokens(command) => run_tokens(&cli.global, command).await,
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
                DialectArg::Current => Syntax::Current,
                DialectArg::Legacy => Syntax::Legacy,
            };
            print!("{}", engine.sdl(syntax));
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync(args) => {
            let db = cli.global.connect().await?;
            db.migrate().await.context("applying migrations")?;
            let base = aws_config::load_from_env().await;
            let config = args.aws.ingest_config(&base)?;
            let total: usize = config.accounts.iter().map(|a| a.regions.len()).sum();
            let bar = progress_bar(total);
            let report = sync_with_progress(&db, &base, &config, None, |scope| {
                let label = format!(
                    "{}/{} {}",
                    scope.cloud_account_id, scope.region, scope.status
                );
                match &bar {
                    Some(bar) => {
                        bar.set_message(label);
                        bar.inc(1);
                    }
                    None => tracing::info!(scope = %label, "scope done"),
                }
            })
            .await;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).context("encoding the summary")?
                );
            } else {
                print_summary(&report);
            }
            db.close().await;
            Ok(if report.any_failed() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Worker(args) => {
            let db = cli.global.connect().await?;
            db.migrate().await.context("applying migrations")?;
            let base = aws_config::load_from_env().await;
            let config = args.aws.ingest_config(&base)?;
            let catalogue = args.catalogue.load()?;
            let engine = Arc::new(Engine::new().context("building the GraphQL schema")?);
            let runner = Runner::new(engine, db.clone());
            let metrics = Arc::new(crate::metrics::Metrics::default());
            if let Some(address) = args.metrics_listen {
                let listener = tokio::net::TcpListener::bind(address)
                    .await
                    .with_context(|| format!("binding {address}"))?;
                tokio::spawn(http::serve_metrics(
                    listener,
                    Arc::clone(&metrics),
                    db.clone(),
                    None,
                ));
                tracing::info!(%address, "worker metrics served");
            }
            let shutdown = http::shutdown_signal();
            tokio::pin!(shutdown);
            let worker = format!(
                "{}-{}",
                std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".to_owned()),
                std::process::id()
            );
            loop {
                let round = Round::containing(chrono::Utc::now(), args.interval, worker.clone());
                let report = sync_round(&db, &base, &config, Some(&round)).await;
                for scope in report.scopes.iter().filter(|s| s.status != "skipped") {
                    metrics.record_sync(
                        scope.status,
                        Duration::from_millis(scope.duration_ms),
                        &scope.api_calls,
                    );
                }
                // Controls run after every round's syncs (so also on the interval when a sync
                // failed); one scheduler per tenant and round.
                let mut tenants: Vec<(assetql_model::TenantId, Option<i64>)> = Vec::new();
                for account in &config.accounts {
                    let latest = report
                        .scopes
                        .iter()
                        .filter(|s| s.tenant == account.tenant.as_str() && s.status == "succeeded")
                        .filter_map(|s| s.run_id)
                        .max();
                    match tenants.iter_mut().find(|(t, _)| *t == account.tenant) {
                        Some((_, run)) => *run = (*run).max(latest),
                        None => tenants.push((account.tenant.clone(), latest)),
                    }
                }
                match runner
                    .scheduled_round(&catalogue, &tenants, round.start, &worker)
                    .await
                {
                    Ok(runs) => {
                        for run in &runs {
                            metrics.record_control(run.status.as_str());
                        }
                        let failing = runs
                            .iter()
                            .filter(|r| r.status == ControlStatus::Fail)
                            .count();
                        tracing::info!(controls = runs.len(), failing, "controls evaluated");
                    }
                    Err(error) => tracing::error!(%error, "control round failed"),
                }
                let count = |status| report.scopes.iter().filter(|s| s.status == status).count();
                tracing::info!(
                    round = %round.start,
                    succeeded = count("succeeded"),
                    failed = count("failed"),
                    skipped = count("skipped"),
                    "sync round finished"
                );
                let next =
                    round.start + chrono::Duration::from_std(args.interval).unwrap_or_default();
                let wait = (next - chrono::Utc::now()).to_std().unwrap_or_default();
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(wait) => {}
                }
            }
            db.close().await;
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

fn print_summary(report: &SyncReport) {
    println!(
        "{:<10} {:<14} {:<16} {:<10} {:>6} {:>8} {:>8} {:>9}  error",
        "tenant", "account", "region", "status", "added", "updated", "removed", "api calls"
    );
    for scope in &report.scopes {
        let calls: u64 = scope.api_calls.values().sum();
        println!(
            "{:<10} {:<14} {:<16} {:<10} {:>6} {:>8} {:>8} {:>9}  {}",
            scope.tenant,
            scope.cloud_account_id,
            scope.region,
            scope.status,
            scope.added,
            scope.updated,
            scope.removed,
            calls,
            scope.error.as_deref().unwrap_or("")
        );
    }
    let mut totals = std::collections::BTreeMap::<&str, u64>::new();
    for scope in &report.scopes {
        for (operation, count) in &scope.api_calls {
            *totals.entry(operation).or_default() += count;
        }
    }
    let calls: Vec<String> = totals.iter().map(|(op, n)| format!("{op}={n}")).collect();
    println!("api calls: {}", calls.join(" "));
}

/// A progress bar over scopes when stderr is a terminal; plain log lines otherwise.
fn progress_bar(total: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} scopes {msg}")
    {
        bar.set_style(style);
    }
    Some(bar)
}
