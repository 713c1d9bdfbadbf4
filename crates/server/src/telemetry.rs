//! Logging set-up: human-readable text by default, JSON lines with `--log-format json`.

use tracing_subscriber::EnvFilter;

use crate::args::{GlobalArgs, LogFormat};

/// Installs the global tracing subscriber. `RUST_LOG` overrides `--log-level`, which
/// overrides `default_level`. Colours only when stderr is a terminal (log files stay plain).
pub fn init(args: &GlobalArgs, default_level: &str) {
    use std::io::IsTerminal;
    let level = args.log_level.as_deref().unwrap_or(default_level);
    let filter = EnvFilter::try_from_default_env()
        // The AWS SDK's credential chain warns once per provider it tries (IMDS with a
        // multi-kilobyte dump): `sync` says what is missing in one line instead.
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},sqlx=warn,aws_config=error")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let result = match args.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // A subscriber already installed (tests) is fine.
    drop(result);
}
