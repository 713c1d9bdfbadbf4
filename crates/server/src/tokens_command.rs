//! `assetql tokens …`: API bearer tokens, printed once and stored as a SHA-256.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::args::{parse_interval, tenant, GlobalArgs};

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

pub(crate) async fn run_tokens(
    cli: &GlobalArgs,
    command: TokensCommand,
) -> anyhow::Result<ExitCode> {
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
