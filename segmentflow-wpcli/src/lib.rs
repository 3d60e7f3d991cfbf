//! `segmentflow-wpcli`: the imperative shell around `segmentflow-core`.
//!
//! It reads `wp-config.php` and the WordPress database (MariaDB/MySQL or
//! SQLite), prints results in WP-CLI's formats, and (later) talks HTTP to the
//! Segmentflow API and serves a local sandbox. `main.rs` only calls [`run`].
//!
//! The flow of one run: clap parses ([`cli`]), [`config::Config::from_cli`]
//! turns that into plain values once, [`commands::run`] does the work, and
//! [`run`] prints an error chain once (`Error: …` on stderr) and maps the
//! outcome to an [`exit::ExitStatus`].
//!
//! # Contract with the PHP package
//!
//! * `wp segmentflow <cmd>` runs `segmentflow-wpcli --context=- <cmd>` and
//!   writes one line of JSON first on the child's stdin: the site context
//!   whose field names are `segmentflow_core::wpconfig::site_context::fields`
//!   (`version`, `db_host`, `db_port`, `db_socket`, `db_default_socket`,
//!   `db_user`, `db_password`, `db_name`, `db_charset`, `db_collate`,
//!   `table_prefix`, `blog_id`, `multisite`, `home_url`, `site_url`,
//!   `wp_version`, `wc_active`, `wc_version`, `hpos`, `locale`; the last
//!   seven may be `null` under `@when after_wp_config_load`, and are then
//!   read from the database). The rest of stdin is the command's own input
//!   (e.g. the value for `options set`).
//! * Environment variables are listed in [`env`](mod@env): the PHP side sets
//!   `SEGMENTFLOW_WRITTEN_OPTIONS_FILE` to a temp file and, after the child
//!   exits, deletes the option names listed there (a JSON array) from the
//!   object cache; it sets `SHELL_PIPE=0` when its own stdout is a terminal so
//!   tables keep their borders.
//! * stdout is the result, in WP-CLI's formats ([`output`]), and — as with
//!   `WP_CLI::success()` — `Success: …` lines, except under a machine
//!   `--format` (json, csv, yaml…), where they go to stderr; stderr is
//!   `Error: …`, `Warning: …` and `Debug: …` lines. The exit code ([`exit`])
//!   is relayed with `WP_CLI::halt()`.

pub mod cli;
pub mod commands;
pub mod config;
pub mod env;
pub mod exit;
pub mod output;
pub mod wordpress;

pub mod sandbox;

pub mod sync;

pub mod generator;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::exit::ExitStatus;

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    run_status(args).into()
}

/// [`run`], returning our status type (for tests and embedders).
pub fn run_status(args: impl IntoIterator<Item = OsString>) -> ExitStatus {
    let args = match cli::Args::try_parse_from(args) {
        Ok(args) => args,
        Err(err) => {
            // --help and --version print to stdout and succeed; real usage
            // errors print to stderr and exit 2.
            let _ = err.print();
            return if err.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Success
            };
        }
    };
    let config = match config::Config::from_cli(args) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("Error: {err}");
            return ExitStatus::Usage;
        }
    };
    let printer = output::Printer::new(config.quiet, config.debug)
        .with_machine_output(config.command.machine_output());
    match commands::run(&config, &printer) {
        Ok(status) => status,
        Err(err) if is_broken_pipe(&err) => ExitStatus::Success,
        Err(err) => {
            eprintln!("Error: {err:#}");
            ExitStatus::Error
        }
    }
}

/// Whether the error is stdout's reader going away (`… | head`): not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
