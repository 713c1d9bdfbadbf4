//! `assetql`: the one binary (serve, migrate, …). See `assetql --help`.

use clap::Parser;

// The write path allocates a value per column of every row it reads from the API's JSON;
// glibc's allocator spent a third of the writer's CPU on it (perf, BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = assetql_server::cli::Cli::parse();
    assetql_server::telemetry::init(&cli.global, cli.default_log_level());
    match assetql_server::cli::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "assetql failed");
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
