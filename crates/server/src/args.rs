//! Command-line options shared by several commands: the database and logging options every
//! command has, the AWS accounts of `sync` and `worker`, and the small parsers they use.

use std::time::Duration;

use anyhow::Context;
use assetql_ingest::{AccountConfig, IngestConfig};
use assetql_store::{Database, PoolOptions};
use clap::{Args, ValueEnum};

/// Options shared by every subcommand.
#[derive(Debug, Clone, Args)]
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
    /// Default: `info` for `serve` and `worker`, `warn` for the other commands.
    #[arg(long, global = true, env = "ASSETQL_LOG_LEVEL")]
    pub log_level: Option<String>,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The AWS accounts and regions of `sync` and `worker`.
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// TOML file with `[[aws.accounts]]` (name, tenant, role_arn, external_id, regions). Without
    /// it, the default credential chain's account and AWS_REGION form the one scope.
    #[arg(long, env = "ASSETQL_CONFIG")]
    pub config: Option<std::path::PathBuf>,
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
    pub(crate) fn ingest_config(
        &self,
        base: &aws_config::SdkConfig,
    ) -> anyhow::Result<IngestConfig> {
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
                    environment: None,
                }]))
            }
        }
    }
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
