//! The `imis` binary.

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = imis_gateway::cli::Cli::parse();
    imis_gateway::cli::run(cli, started).await
}
