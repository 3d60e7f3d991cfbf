//! `segmentflow-wpcli`: the imperative shell around `segmentflow-core`.
//!
//! It reads `wp-config.php` and the WordPress database, talks HTTP to the
//! Segmentflow API, and serves a local Segmentflow API sandbox.

pub mod generator;

use std::ffi::OsString;
use std::process::ExitCode;

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    if args.iter().any(|a| a == "--version") {
        println!("segmentflow-wpcli {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    eprintln!("Error: no commands are available yet.");
    ExitCode::from(2)
}
