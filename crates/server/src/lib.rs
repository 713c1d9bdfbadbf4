//! The assetql binary's library half: the command line, configuration from flags and
//! `ASSETQL_*` variables, telemetry set-up and the axum router. Only this crate reads the
//! environment, binds sockets or speaks HTTP.

pub mod cli;
pub mod generate;
pub mod http;
pub mod metrics;
pub mod telemetry;
