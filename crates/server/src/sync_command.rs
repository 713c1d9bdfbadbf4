//! `assetql sync` (one pass over every account and region) and `assetql worker` (a sync round
//! on an interval, each followed by the scheduled control runs).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use assetql_controls::Runner;
use assetql_graphql::Engine;
use assetql_ingest::{sync_round, sync_with_progress, Round, ScopeStatus, SyncReport};
use assetql_store::ControlStatus;
use clap::Args;

use crate::args::{parse_interval, AwsArgs, GlobalArgs};
use crate::controls_command::CatalogueArgs;
use crate::listen;

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
    /// Control runs name the scopes whose newest successful sync is older than this.
    #[arg(long, env = "ASSETQL_MAX_DATA_AGE", default_value = "24h", value_parser = parse_interval)]
    pub max_data_age: Duration,
}

/// Runs `assetql sync`.
pub async fn run_sync(global: &GlobalArgs, args: SyncArgs) -> anyhow::Result<ExitCode> {
    let db = global.connect().await?;
    db.migrate().await.context("applying migrations")?;
    let base = aws_config::load_from_env().await;
    let config = args.aws.ingest_config(&base)?;
    if let Err(message) = credentials_available(&base).await {
        eprintln!("error: {message}");
        return Ok(ExitCode::from(2));
    }
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

/// Runs `assetql worker` until a shutdown signal.
pub async fn run_worker(global: &GlobalArgs, args: WorkerArgs) -> anyhow::Result<ExitCode> {
    let db = global.connect().await?;
    db.migrate().await.context("applying migrations")?;
    let base = aws_config::load_from_env().await;
    let config = args.aws.ingest_config(&base)?;
    let catalogue = args.catalogue.load()?;
    let engine = Arc::new(Engine::new().context("building the GraphQL schema")?);
    let runner = Runner::new(engine, db.clone()).with_max_data_age(args.max_data_age);
    let metrics = Arc::new(crate::metrics::Metrics::default());
    if let Some(address) = args.metrics_listen {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("binding {address}"))?;
        tokio::spawn(listen::serve_metrics(
            listener,
            Arc::clone(&metrics),
            db.clone(),
            None,
        ));
        tracing::info!(%address, "worker metrics served");
    }
    let shutdown = listen::shutdown_signal();
    tokio::pin!(shutdown);
    let worker = format!(
        "{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".to_owned()),
        std::process::id()
    );
    loop {
        let round = Round::containing(chrono::Utc::now(), args.interval, worker.clone());
        let report = sync_round(&db, &base, &config, Some(&round)).await;
        for scope in report
            .scopes
            .iter()
            .filter(|s| s.status != ScopeStatus::Skipped)
        {
            metrics.record_sync(
                scope.status.as_str(),
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
                .filter(|s| {
                    s.tenant == account.tenant.as_str() && s.status == ScopeStatus::Succeeded
                })
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
            succeeded = count(ScopeStatus::Succeeded),
            failed = count(ScopeStatus::Failed),
            skipped = count(ScopeStatus::Skipped),
            "sync round finished"
        );
        let next = round.start + chrono::Duration::from_std(args.interval).unwrap_or_default();
        let wait = (next - chrono::Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(wait) => {}
        }
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
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

/// Whether the AWS credential chain yields credentials: one line saying what to set when it
/// does not (instead of every scope failing with the chain's full report).
pub(crate) async fn credentials_available(base: &aws_config::SdkConfig) -> Result<(), String> {
    use aws_credential_types::provider::ProvideCredentials;
    let Some(provider) = base.credentials_provider() else {
        return Err(NO_CREDENTIALS.to_owned());
    };
    match tokio::time::timeout(Duration::from_secs(10), provider.provide_credentials()).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(_)) | Err(_) => Err(NO_CREDENTIALS.to_owned()),
    }
}

const NO_CREDENTIALS: &str = "no AWS credentials: set AWS_PROFILE (with ~/.aws/config), or \
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task role is \
    available; then `assetql sync` again";
