//! `sandbox`: run the local Segmentflow API stand-in in the foreground
//! ([`crate::sandbox::serve`]). It prints one JSON line with the credentials
//! it hands out on stdout, logs on stderr, and stops on SIGINT/SIGTERM. It
//! needs no WordPress site.

use anyhow::Context as _;

use crate::exit::ExitStatus;
use crate::sandbox::{self, SandboxConfig};

/// Runs the command.
pub fn run(config: SandboxConfig) -> anyhow::Result<ExitStatus> {
    sandbox::serve(config).context("sandbox")?;
    Ok(ExitStatus::Success)
}
