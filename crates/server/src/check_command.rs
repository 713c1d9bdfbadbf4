//! `assetql check`: the stored controls on task-definition, CloudFormation and Terraform files
//! before deploy. No database, network or AWS credentials: the files are loaded into an
//! in-memory embedded database and the controls run through the same engine as on the
//! inventory.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::controls_command::CatalogueArgs;

/// Output format of `assetql check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// One line per finding, then a summary, for people.
    Table,
    /// `{"files", "resources", "results", "controls"}` (docs/predeploy.md), for scripts.
    Json,
    /// SARIF 2.1.0, for code scanning (findings point at file and line).
    Sarif,
    /// JUnit XML, one test case per control, for CI test reports.
    Junit,
}

/// Options of `assetql check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories (walked recursively; hidden directories and node_modules are left
    /// out). In a directory, files that are none of the recognised kinds are skipped.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Only this control (repeatable). Default: every enabled control.
    #[arg(long = "control", value_name = "ID")]
    pub controls: Vec<String>,
    /// Controls.
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    /// Exit 1 when a resource fails a control.
    #[arg(long)]
    pub fail_on_findings: bool,
    /// Exit 1 when a verdict depends on values unknown before deploy.
    #[arg(long)]
    pub fail_on_unknown: bool,
    /// Do not count each task definition as having a running task (by default it does: it is
    /// about to run).
    #[arg(long)]
    pub no_assume_running: bool,
    /// Skip a file named on the command line that is none of the recognised kinds, instead of
    /// failing (pre-commit passes every touched file).
    #[arg(long)]
    pub skip_unrecognised: bool,
    /// List the files skipped as none of the recognised kinds (on stderr).
    #[arg(long)]
    pub verbose: bool,
}

/// Runs `assetql check`: exit 0 clean, 1 findings (with --fail-on-findings) or unknowns (with
/// --fail-on-unknown), 2 errors.
pub async fn run_check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let catalogue = args.catalogue.load()?;
    let found = match assetql_check::discover(&args.paths, args.skip_unrecognised) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if args.verbose {
        for file in &found.skipped {
            eprintln!("skipped {file}: not a task definition, template or plan");
        }
    }
    let options = assetql_check::Options {
        controls: args.controls.clone(),
        no_assume_running: args.no_assume_running,
    };
    let report = match assetql_check::evaluate(&found, &catalogue, &options).await {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let format = match args.format {
        CheckFormat::Table => assetql_check::Format::Table,
        CheckFormat::Json => assetql_check::Format::Json,
        CheckFormat::Sarif => assetql_check::Format::Sarif,
        CheckFormat::Junit => assetql_check::Format::Junit,
    };
    println!("{}", assetql_check::render(format, &catalogue, &report));
    for control in report.controls.iter().filter(|c| c.error.is_some()) {
        eprintln!(
            "error: {} could not be evaluated ({}): its verdicts are unknown",
            control.id,
            control.error.as_deref().unwrap_or_default()
        );
    }
    if !catalogue.rejected.is_empty() {
        return Ok(ExitCode::from(2));
    }
    Ok(
        if (args.fail_on_findings && report.has_findings())
            || (args.fail_on_unknown && report.has_unknowns())
        {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}
