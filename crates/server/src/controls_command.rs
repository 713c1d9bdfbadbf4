//! `assetql controls …`: listing, running and reporting controls, and their exceptions.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use assetql_controls::{new_exception, render, Catalogue, Control, Format, Runner};
use assetql_graphql::Engine;
use assetql_store::ControlStatus;
use clap::{Args, Subcommand, ValueEnum};

use crate::args::{tenant, GlobalArgs};

/// `assetql controls …`.
#[derive(Debug, Subcommand)]
pub enum ControlsCommand {
    /// List the catalogue's controls (and files that failed to load).
    List(CatalogueArgs),
    /// Evaluate controls, record the runs, print a report. Exit code: 0 when all pass, 1 when
    /// any fails (or has no data, unless --allow-no-data) and --fail-on-findings is set, 2 when
    /// any control errors or a --resync scope could not be synced.
    Run(ControlsRunArgs),
    /// Print docs/controls.md: every control with its origin, reading and differences.
    Docs(CatalogueArgs),
    /// Except one asset from one control until a date.
    Except(ExceptArgs),
    /// Revoke an exception by id.
    Revoke(RevokeArgs),
}

/// Where controls come from.
#[derive(Debug, Clone, Args)]
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
    /// Sync the tenant's scopes (those of --account and --region) from AWS first, through the
    /// worker's own code, then evaluate: a re-scan after remediation.
    #[arg(long)]
    pub resync: bool,
    /// With --resync: only the account whose configured name or id is this.
    #[arg(long, requires = "resync")]
    pub account: Option<String>,
    /// With --resync: only this region.
    #[arg(long, requires = "resync")]
    pub region: Option<String>,
    /// Runs and reports name the scopes whose newest successful sync is older than this
    /// (`24h`, `90m`).
    #[arg(long, default_value = "24h", value_parser = crate::args::parse_interval)]
    pub max_data_age: std::time::Duration,
    /// AWS accounts (for --resync).
    #[command(flatten)]
    pub aws: crate::args::AwsArgs,
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
    pub(crate) fn load(&self) -> anyhow::Result<Catalogue> {
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

pub(crate) async fn run_controls(
    cli: &GlobalArgs,
    command: ControlsCommand,
) -> anyhow::Result<ExitCode> {
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
        ControlsCommand::Docs(args) => {
            let catalogue = args.load()?;
            print!("{}", assetql_controls::markdown(&catalogue));
            Ok(ExitCode::SUCCESS)
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
            let runner = Runner::new(engine, db.clone()).with_max_data_age(args.max_data_age);
            let tenant_id = tenant(&args.tenant)?;
            // A scope the re-scan could not sync is read from its older data: the report
            // still comes, but the exit code says the re-scan failed (2).
            let (sync_run, resync_failed) = if args.resync {
                match resync(&db, &args, &tenant_id).await? {
                    Ok(outcome) => outcome,
                    Err(code) => return Ok(code),
                }
            } else {
                (None, false)
            };
            let runs = runner
                .run_and_record(&tenant_id, &selected, sync_run)
                .await
                .context("recording control runs")?;
            warn_stale(&runs);
            let format = match args.format {
                ReportFormat::Table => Format::Table,
                ReportFormat::Json => Format::Json,
                ReportFormat::Sarif => Format::Sarif,
                ReportFormat::Junit => Format::Junit,
            };
            println!("{}", render(format, &catalogue, &runs));
            db.close().await;
            let errored = runs.iter().any(|r| r.status == ControlStatus::Error)
                || !catalogue.rejected.is_empty()
                || resync_failed;
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

/// Syncs the tenant's configured scopes (narrowed by --account and --region) before a control
/// run, claiming each for a round of its own so two re-scans never sync one scope at once (a
/// worker's sync of the same scope is kept safe by the sync runs themselves: the older of two
/// overlapping runs cannot commit). Returns the newest sync run it made and whether any scope
/// failed, or the exit code when no configured scope matches.
async fn resync(
    db: &assetql_store::Database,
    args: &ControlsRunArgs,
    tenant: &assetql_model::TenantId,
) -> anyhow::Result<Result<(Option<i64>, bool), ExitCode>> {
    let base = aws_config::load_from_env().await;
    let config = args.aws.ingest_config(&base)?;
    let scope = assetql_graphql::ResyncScope {
        account: args.account.clone(),
        region: args.region.clone(),
    };
    let done = match crate::resync::resync(db, &base, &config, tenant, &scope).await {
        Ok(done) => done,
        Err(message) => {
            eprintln!("error: --resync: {message} (--account/--region)");
            return Ok(Err(ExitCode::from(2)));
        }
    };
    for scope in &done.scopes {
        eprintln!(
            "resync {}/{}: {}{}",
            scope.cloud_account_id,
            scope.region,
            scope.status,
            scope
                .error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        );
    }
    Ok(Ok((done.newest, done.any_failed())))
}

/// Says which scopes the run read from data older than `max_age` (their newest successful
/// sync): stale data is visible, never silently current.
fn warn_stale(runs: &[assetql_store::ControlRun]) {
    let mut seen = std::collections::BTreeSet::new();
    for scope in runs.iter().flat_map(|r| &r.stale_scopes) {
        if seen.insert((&scope.cloud_account_id, &scope.region)) {
            eprintln!(
                "warning: stale data: {}/{} was last synced at {} (older than \
                 --max-data-age); run with --resync or check the worker",
                scope.cloud_account_id,
                scope.region,
                scope.last_synced_at.to_rfc3339()
            );
        }
    }
}
