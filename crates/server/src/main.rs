//! `assetql`: the one binary (serve, migrate, …). See `assetql --help`.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = assetql_server::cli::Cli::parse();
    assetql_server::telemetry::init(&cli.global);
    match assetql_server::cli::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "assetql failed");
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
