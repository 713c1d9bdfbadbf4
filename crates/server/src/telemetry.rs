//! Logging set-up: human-readable text by default, JSON lines with `--log-format json`.

use tracing_subscriber::EnvFilter;

use crate::args::{GlobalArgs, LogFormat};

/// Installs the global tracing subscriber. `RUST_LOG` overrides `--log-level`.
pub fn init(args: &GlobalArgs) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{},sqlx=warn", args.log_level)));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match args.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // A subscriber already installed (tests) is fine.
    drop(result);
}
