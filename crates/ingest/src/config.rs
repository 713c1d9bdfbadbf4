use assetql_model::TenantId;
use serde::Deserialize;

/// How the AWS SDK retries throttled and transient failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RetryMode {
    /// Exponential backoff with jitter (the SDK default).
    #[default]
    Standard,
    /// Standard plus client-side rate limiting.
    Adaptive,
}

/// One AWS account to inventory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// Display name (`cloudAccountName`); the account id is discovered through STS.
    #[serde(default)]
    pub name: Option<String>,
    /// The tenant that owns the account's assets.
    #[serde(default = "TenantId::default_tenant")]
    pub tenant: TenantId,
    /// Role to assume; without it the default credential chain is used.
    #[serde(default)]
    pub role_arn: Option<String>,
    /// External id for the AssumeRole call.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Regions to inventory.
    pub regions: Vec<String>,
    /// What the account is for (`production`, `staging`…): stored on the cloud account, shown
    /// on every asset as `environment`, and used to put production findings first.
    #[serde(default)]
    pub environment: Option<String>,
}

/// What the collector needs to know, built by the binary from its config file and flags.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestConfig {
    /// The accounts.
    pub accounts: Vec<AccountConfig>,
    /// Most scopes synced at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Most DescribeTaskDefinition calls in flight per scope.
    #[serde(default = "default_describe_concurrency")]
    pub describe_concurrency: usize,
    /// SDK retry mode.
    #[serde(default)]
    pub retry_mode: RetryMode,
    /// SDK attempts per call, first included.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
}

fn default_concurrency() -> usize {
    4
}
fn default_describe_concurrency() -> usize {
    8
}
fn default_max_attempts() -> u32 {
    8
}

impl IngestConfig {
    /// A configuration with the given accounts and default limits.
    pub fn with_accounts(accounts: Vec<AccountConfig>) -> Self {
        IngestConfig {
            accounts,
            concurrency: default_concurrency(),
            describe_concurrency: default_describe_concurrency(),
            retry_mode: RetryMode::default(),
            max_attempts: default_max_attempts(),
        }
    }
}
