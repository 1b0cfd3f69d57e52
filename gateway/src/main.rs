//! The `imis` binary.

// The composed schema's resolver futures nest deeper than rustc's default query depth in release
// builds, as in the library.
#![recursion_limit = "256"]

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = imis_gateway::cli::parse();
    imis_gateway::cli::run(cli, started).await
}
