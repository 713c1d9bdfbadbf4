//! `assetql healthcheck`: the container's health probe. One HTTP/1.0 GET over a plain socket
//! (no shell, curl or bash `/dev/tcp` needed in the image): exit 0 on 200, 1 otherwise.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

/// Options of `assetql healthcheck`.
#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The server to probe.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub address: SocketAddr,
    /// The path: `/readyz` (database reachable and migrated) or `/healthz` (process up).
    #[arg(long, default_value = "/readyz")]
    pub path: String,
}

fn status(args: &HealthcheckArgs) -> std::io::Result<u16> {
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&args.address, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {} HTTP/1.0\r\nHost: {}\r\n\r\n",
        args.path, args.address
    )?;
    let mut head = [0u8; 64];
    let read = stream.read(&mut head)?;
    let line = String::from_utf8_lossy(&head[..read]);
    Ok(line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0))
}

/// Runs `assetql healthcheck`.
pub fn run(args: &HealthcheckArgs) -> ExitCode {
    match status(args) {
        Ok(200) => ExitCode::SUCCESS,
        Ok(code) => {
            eprintln!("unhealthy: {}{} answered {code}", args.address, args.path);
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("unhealthy: {}{}: {e}", args.address, args.path);
            ExitCode::FAILURE
        }
    }
}
