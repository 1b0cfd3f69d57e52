//! The `imis` binary.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = imis_gateway::cli::parse();
    imis_gateway::cli::run(cli, started).await
}
