//! The command line as clap sees it.
//!
//! Nothing outside this module and [`crate::config`] touches clap types:
//! [`crate::config::Config::from_cli`] turns an [`Args`] into a plain
//! [`crate::config::Config`] exactly once.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Segmentflow Connect for WP-CLI: read and sync a WordPress/WooCommerce site.
///
/// Run it as `wp segmentflow <command>` (the PHP package passes the site on
/// stdin with `--context=-`) or standalone with `--path=<wordpress root>`.
#[derive(Debug, Parser)]
#[command(name = "segmentflow-wpcli", version, about, long_about = None)]
pub struct Args {
    /// The WordPress root directory (where wp-config.php or its parent's is).
    #[arg(long, global = true, value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// Read the JSON site context from the first line of stdin (`-`).
    #[arg(long, global = true, value_name = "-")]
    pub context: Option<String>,

    /// In a multisite network, the site to act on.
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,

    /// Render output in a particular format.
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<FormatArg>,

    /// Limit the output to specific fields (comma-separated).
    #[arg(long, global = true, value_name = "FIELDS")]
    pub fields: Option<String>,

    /// Print no informational messages (results still go to stdout).
    #[arg(long, global = true)]
    pub quiet: bool,

    /// Print debugging messages on stderr.
    #[arg(long, global = true)]
    pub debug: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--format` values (each command accepts a subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A table (ASCII borders on a terminal, tab-separated when piped).
    Table,
    /// JSON, as PHP's `json_encode()` writes it.
    Json,
    /// CSV with a header row.
    Csv,
    /// YAML, as WP-CLI's Spyc writes it.
    Yaml,
    /// Space-separated ids.
    Ids,
    /// The number of items.
    Count,
    /// The stored bytes, unchanged.
    Raw,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read and write rows of the WordPress options table.
    #[command(subcommand)]
    Options(OptionsCommand),
    /// Show the connection, settings, WooCommerce and webhook state.
    Status,
    /// List, read and change the plugin's settings.
    #[command(subcommand)]
    Settings(SettingsCommand),
}

/// `settings …`
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// List every setting with its value, default and whether it is stored.
    List,
    /// Print one setting's value (`on`/`off` for switches, the URL for hosts).
    Get {
        /// debug_mode, consent_required, api_host, app_host or wc_enabled.
        name: String,
    },
    /// Change one setting, after validating the value.
    Set {
        /// debug_mode, consent_required, api_host, app_host or wc_enabled.
        name: String,
        /// on/off (true/false, yes/no, 1/0) for switches; an https:// URL (or
        /// http:// to a loopback address) for hosts.
        value: String,
    },
}

/// `options …`
#[derive(Debug, Subcommand)]
pub enum OptionsCommand {
    /// Print one option's value (`--format=raw` by default, or `json`).
    Get {
        /// The option name.
        name: String,
    },
    /// List options whose names match a pattern (`*` is a wildcard).
    List {
        /// Only names matching this pattern, e.g. `segmentflow_*`.
        #[arg(long, value_name = "PATTERN")]
        search: Option<String>,
    },
    /// Store the value of one of Segmentflow's own options, as `update_option` would.
    ///
    /// The value is the stored form (e.g. PHP-serialized text) and is read from
    /// stdin when not given, so secrets stay off the command line.
    Set {
        /// The option name (must start with `segmentflow_`).
        name: String,
        /// The stored value; read from stdin when left out.
        value: Option<String>,
    },
    /// Delete one of Segmentflow's own options.
    Delete {
        /// The option name (must start with `segmentflow_`).
        name: String,
    },
}
