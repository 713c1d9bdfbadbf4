//! The assetql binary's library half: the command line, configuration from flags and
//! `ASSETQL_*` variables, telemetry set-up and the axum router. Only this crate reads the
//! environment, binds sockets or speaks HTTP.

pub mod answer_cache;
pub mod args;
pub mod assets;
pub mod check_command;
pub mod cli;
pub mod controls_command;
pub mod demo;
pub mod generate;
pub mod generation_clock;
pub mod healthcheck;
pub mod http;
pub mod listen;
pub mod metrics;
pub mod resync;
pub mod serve;
pub mod sync_command;
pub mod telemetry;
pub mod tokens_command;
