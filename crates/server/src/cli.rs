//! The command line: global options, subcommands, and what each runs.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use std::sync::Arc;

use anyhow::Context;
use assetql_controls::{new_exception, render, Catalogue, Control, Format, Runner};
use assetql_graphql::Engine;
use assetql_ingest::{
    sync_round, sync_with_progress, AccountConfig, IngestConfig, Round, SyncReport,
};
use assetql_sql::Syntax;
use assetql_store::{ControlStatus, Database, PoolOptions};
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

/// `assetql tokens …`.
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create a token and print it once (only its hash is stored).
    Create(TokenCreateArgs),
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke(TokenRevokeArgs),
}

/// Options of `assetql tokens create`.
#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The tenant whose inventory the token may read.
    #[arg(long)]
    pub tenant: String,
    /// A label for the token.
    #[arg(long, default_value = "api")]
    pub name: String,
    /// Lifetime (`90s`, `30m`, `12h`, `30d`) or an RFC 3339 expiry; none by default.
    #[arg(long)]
    pub expires: Option<String>,
}

/// Options of `assetql tokens revoke`.
#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// Token id (see `assetql tokens list`).
    pub id: i64,
}

fn parse_expiry(text: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&chrono::Utc));
    }
    let seconds = match text.strip_suffix('d') {
        Some(days) => days
            .parse::<u64>()
            .map(|d| d * 86_400)
            .map_err(|_| anyhow::anyhow!("--expires {text:?}: not a number of days"))?,
        None => parse_interval(text)
            .map_err(|e| anyhow::anyhow!("--expires: {e}"))?
            .as_secs(),
    };
    let lifetime = chrono::Duration::seconds(i64::try_from(seconds).unwrap_or(i64::MAX));
    Ok(chrono::Utc::now() + lifetime)
}

async fn run_tokens(cli: &GlobalArgs, command: TokensCommand) -> anyhow::Result<ExitCode> {
    let db = cli.connect().await?;
    db.migrate().await.context("applying migrations")?;
    let code = match command {
        TokensCommand::Create(args) => {
            let tenant = tenant(&args.tenant)?;
            let expires = args.expires.as_deref().map(parse_expiry).transpose()?;
            let secret = format!(
                "aq_{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            );
            let id = db
                .create_api_token(&tenant, &args.name, &secret, expires)
                .await?;
            eprintln!("token {id} for tenant {tenant}; it is shown once, store it now:");
            println!("{secret}");
            ExitCode::SUCCESS
        }
        TokensCommand::List => {
            println!(
                "{:>5} {:<16} {:<16} {:<26} {:<26} status",
                "id", "tenant", "name", "created", "expires"
            );
            let now = chrono::Utc::now();
            for token in db.api_tokens().await? {
                let status = match (token.revoked_at, token.is_valid(now)) {
                    (Some(_), _) => "revoked",
                    (None, false) => "expired",
                    (None, true) => "active",
                };
                println!(
                    "{:>5} {:<16} {:<16} {:<26} {:<26} {status}",
                    token.id,
                    token.tenant,
                    token.name,
                    token.created_at.to_rfc3339(),
                    token
                        .expires_at
                        .map(|e| e.to_rfc3339())
                        .unwrap_or_else(|| "never".to_owned()),
                );
            }
            ExitCode::SUCCESS
        }
        TokensCommand::Revoke(args) => {
            if db.revoke_api_token(args.id).await? {
                println!("token {} revoked", args.id);
                ExitCode::SUCCESS
            } else {
                eprintln!("error: no active token {}", args.id);
                ExitCode::from(2)
            }
        }
    };
    db.close().await;
    Ok(code)
}

/// `assetql controls …`.
#[derive(Debug, Subcommand)]
pub enum ControlsCommand {
    /// List the catalogue's controls (and files that failed to load).
    List(CatalogueArgs),
    /// Evaluate controls, record the runs, print a report. Exit code: 0 when all pass, 1 when
    /// any fails and --fail-on-findings is set, 2 when any control errors.
    Run(ControlsRunArgs),
    /// Except one asset from one control until a date.
    Except(ExceptArgs),
    /// Revoke an exception by id.
    Revoke(RevokeArgs),
}

/// Where controls come from.
#[derive(Debug, Args)]
pub struct CatalogueArgs {
    /// Directory of controls: `*.toml` files, and/or the public catalogue's `controls/` +
    /// `queries/` JSON layout. Default: the catalogue built into the binary.
    #[arg(long, env = "ASSETQL_CONTROLS_DIR")]
    pub catalogue: Option<std::path::PathBuf>,
}

/// Output format of `assetql controls run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns, for people.
    Table,
    /// JSON, for scripts.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
}

/// Options of `assetql controls run`.
#[derive(Debug, Args)]
pub struct ControlsRunArgs {
    /// Controls.
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    /// Run only this control.
    #[arg(long)]
    pub control: Option<String>,
    /// Tenant whose inventory is evaluated.
    #[arg(long, env = "ASSETQL_TENANT", default_value = "default")]
    pub tenant: String,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Exit with 1 when any control fails, or has no data (no successful sync of its asset
    /// types for the tenant) unless --allow-no-data.
    #[arg(long)]
    pub fail_on_findings: bool,
    /// With --fail-on-findings, let controls without data pass the exit code (they are still
    /// reported as no_data).
    #[arg(long)]
    pub allow_no_data: bool,
}

/// Options of `assetql controls except`.
#[derive(Debug, Args)]
pub struct ExceptArgs {
    /// The control.
    #[arg(long)]
    pub control: String,
    /// The asset's identifier (its ARN).
    #[arg(long)]
    pub asset: String,
    /// Who answers for the exception.
    #[arg(long)]
    pub owner: String,
    /// Why the asset is excepted.
    #[arg(long)]
    pub reason: String,
    /// When the exception stops applying (RFC 3339, e.g. 2027-01-31T00:00:00Z).
    #[arg(long)]
    pub expires: String,
    /// Tenant.
    #[arg(long, env = "ASSETQL_TENANT", default_value = "default")]
    pub tenant: String,
    /// Who creates it (default: $USER).
    #[arg(long)]
    pub created_by: Option<String>,
}

/// Options of `assetql controls revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Exception id.
    pub id: i64,
    /// Tenant.
    #[arg(long, env = "ASSETQL_TENANT", default_value = "default")]
    pub tenant: String,
}

impl CatalogueArgs {
    fn load(&self) -> anyhow::Result<Catalogue> {
        let catalogue = match &self.catalogue {
            Some(dir) => {
                Catalogue::load_dir(dir).with_context(|| format!("reading {}", dir.display()))?
            }
            None => Catalogue::builtin(),
        };
        for rejected in &catalogue.rejected {
            eprintln!(
                "warning: control file {} rejected: {}",
                rejected.file, rejected.reason
            );
        }
        Ok(catalogue)
    }
}

fn tenant(text: &str) -> anyhow::Result<assetql_model::TenantId> {
    assetql_model::TenantId::parse(text).map_err(|e| anyhow::anyhow!("{e}"))
}

async fn run_controls(cli: &GlobalArgs, command: ControlsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ControlsCommand::List(args) => {
            let catalogue = args.load()?;
            println!(
                "{:<45} {:<8} {:<11} {:<20} title",
                "control", "severity", "supported", "asset types"
            );
            for control in &catalogue.controls {
                println!(
                    "{:<45} {:<8} {:<11} {:<20} {}",
                    control.id,
                    format!("{:?}", control.severity).to_lowercase(),
                    if control.is_supported() {
                        "yes"
                    } else {
                        "unsupported"
                    },
                    control.asset_types.join(","),
                    control.title
                );
            }
            Ok(if catalogue.rejected.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        ControlsCommand::Run(args) => {
            let catalogue = args.catalogue.load()?;
            let selected: Vec<&Control> = match &args.control {
                Some(id) => match catalogue.get(id) {
                    Some(control) => vec![control],
                    None => {
                        eprintln!("error: no control {id:?} in the catalogue (see `assetql controls list`)");
                        return Ok(ExitCode::from(2));
                    }
                },
                None => catalogue.controls.iter().collect(),
            };
            for control in selected.iter().filter(|c| !c.is_supported()) {
                eprintln!(
                    "note: {} evaluates {:?}, which assetql does not inventory; skipped",
                    control.id, control.asset_types
                );
            }
            let db = cli.connect().await?;
            db.migrate().await.context("applying migrations")?;
            let engine = Arc::new(Engine::new().context("building the GraphQL schema")?);
            let runner = Runner::new(engine, db.clone());
            let runs = runner
                .run_and_record(&tenant(&args.tenant)?, &selected, None)
                .await
                .context("recording control runs")?;
            let format = match args.format {
                ReportFormat::Table => Format::Table,
                ReportFormat::Json => Format::Json,
                ReportFormat::Sarif => Format::Sarif,
                ReportFormat::Junit => Format::Junit,
            };
            println!("{}", render(format, &catalogue, &runs));
            db.close().await;
            let errored = runs.iter().any(|r| r.status == ControlStatus::Error)
                || !catalogue.rejected.is_empty();
            let no_data: Vec<&str> = runs
                .iter()
                .filter(|r| r.status == ControlStatus::NoData)
                .map(|r| r.control_id.as_str())
                .collect();
            if !no_data.is_empty() {
                eprintln!(
                    "warning: {} control(s) have no data (no successful sync for tenant {} yet): \
                     {}; run `assetql sync` first",
                    no_data.len(),
                    args.tenant,
                    no_data.join(", ")
                );
            }
            let failed = runs.iter().any(|r| r.status == ControlStatus::Fail)
                || (!no_data.is_empty() && !args.allow_no_data);
            Ok(if errored {
                ExitCode::from(2)
            } else if failed && args.fail_on_findings {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        ControlsCommand::Except(args) => {
            let expires = chrono::DateTime::parse_from_rfc3339(&args.expires)
                .with_context(|| {
                    format!("--expires {:?} is not an RFC 3339 date-time", args.expires)
                })?
                .with_timezone(&chrono::Utc);
            let created_by = args
                .created_by
                .clone()
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "cli".to_owned());
            let exception = new_exception(
                &args.control,
                &args.asset,
                &args.owner,
                &args.reason,
                expires,
                &created_by,
                chrono::Utc::now(),
            )?;
            let db = cli.connect().await?;
            db.migrate().await.context("applying migrations")?;
            let tenant = tenant(&args.tenant)?;
            if !db.asset_exists(&tenant, &args.asset).await? {
                anyhow::bail!(
                    "no asset {:?} in tenant {tenant}'s inventory; --asset names the identifier \
                     (ARN) of an inventoried asset",
                    args.asset
                );
            }
            let id = db.create_control_exception(&tenant, &exception).await?;
            println!(
                "exception {id} created: {} on {} until {}",
                args.asset,
                args.control,
                expires.to_rfc3339()
            );
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        ControlsCommand::Revoke(args) => {
            let db = cli.connect().await?;
            let revoked = db
                .revoke_control_exception(&tenant(&args.tenant)?, args.id, chrono::Utc::now())
                .await?;
            db.close().await;
            if revoked {
                println!("exception {} revoked", args.id);
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("error: no active exception {} for this tenant", args.id);
                Ok(ExitCode::from(2))
            }
        }
    }
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
fn parse_interval(text: &str) -> Result<Duration, String> {
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
}

impl GlobalArgs {
    pub(crate) fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_connections: self.database_max_connections.max(1),
            acquire_timeout: Duration::from_secs(self.database_timeout_secs.max(1)),
            statement_timeout: None,
            custom_plans: false,
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
        Command::Serve(args) => {
            let limits = assetql_graphql::Limits {
                default_page_size: args.default_page_size.max(1),
                max_page_size: args.max_page_size.max(args.default_page_size).max(1),
                query_timeout: Duration::from_secs(args.query_timeout_secs.max(1)),
                // One tenant may hold three quarters of the query pool, never all of it.
                max_tenant_statements: usize::try_from(
                    cli.global.database_max_connections.max(1) * 3 / 4,
                )
                .unwrap_or(usize::MAX)
                .max(1),
                ..assetql_graphql::Limits::default()
            };
            let engine =
                Arc::new(Engine::with_limits(limits).context("building the GraphQL schema")?);
            let catalogue = args.catalogue.load()?;
            // The server cancels a statement the client gave up on (PostgreSQL).
            let pool_options = PoolOptions {
                statement_timeout: Some(Duration::from_secs(args.query_timeout_secs.max(1))),
                custom_plans: true,
                ..cli.global.pool_options()
            };
            let db = Database::connect(&cli.global.database_url, &pool_options)
                .await
                .context("connecting to the database")?;
            let metrics = Arc::new(crate::metrics::Metrics::default());
            let controls = http::controls_backend(
                catalogue,
                Arc::clone(&engine),
                db.clone(),
                Arc::clone(&metrics),
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
            let read_db = match &args.read_database_url {
                Some(url) => Database::connect(url, &pool_options)
                    .await
                    .context("connecting to the read database")?,
                None => db.clone(),
            };
            let metrics_access = match (&args.metrics_listen, &args.metrics_token) {
                (Some(address), _) => {
                    let listener = tokio::net::TcpListener::bind(address)
                        .await
                        .with_context(|| format!("binding {address} for metrics"))?;
                    tracing::info!(%address, "serving metrics");
                    tokio::spawn(http::serve_metrics(
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
            http::serve(
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
                    connections: http::ConnectionLimits {
                        max_connections: args.max_connections.max(1),
                        header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
                        body_timeout: Duration::from_secs(args.body_timeout_secs.max(1)),
                    },
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
