//! Runs the Segmentflow API sandbox from a shell until the
//! `segmentflow-wpcli sandbox` subcommand is wired:
//!
//! ```text
//! cargo run --example sandbox -- --listen 127.0.0.1:0 \
//!     --faults 429:0.05,500:0.03,reset:0.01,slow:0.01 --approve-after 2
//! ```
//!
//! Prints one JSON line with the credentials on stdout, logs on stderr, and
//! stops on Ctrl-C or SIGTERM.

use std::process::ExitCode;

use clap::Parser;
use segmentflow_wpcli::sandbox::{self, SandboxArgs};

/// A local, faithful Segmentflow API for demos, tests and benchmarks.
#[derive(Parser)]
#[command(name = "sandbox")]
struct Cli {
    #[command(flatten)]
    args: SandboxArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match cli.args.into_config() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::from(2);
        }
    };
    match sandbox::serve(config) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::from(1)
        }
    }
}
