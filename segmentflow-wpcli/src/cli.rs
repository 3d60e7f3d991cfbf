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

    // ---- connection and sync (branch sync-cmd)
    /// Serve a local stand-in for the Segmentflow API (demos, tests, benchmarks).
    ///
    /// Prints one JSON line with the credentials it hands out, then serves
    /// until SIGINT/SIGTERM. Loopback only unless --allow-remote.
    Sandbox(crate::sandbox::SandboxArgs),
    /// Connect the site to Segmentflow.
    ///
    /// Non-interactive (hosts, scripts): `--stdin` or `--from-file=<path>`
    /// with the credentials JSON. Interactive: prints the dashboard URL on
    /// stderr and polls the API with the poll token until the connection is
    /// approved.
    Connect(ConnectArgs),
    /// Disconnect the site: remove the webhooks, notify Segmentflow (best
    /// effort), delete the connection options.
    Disconnect,
    /// Send the store's customers, orders, products (and users) to Segmentflow.
    Sync(SyncArgs),

    // ---- webhooks, tracking, doctor (branch wpcli-cmds)
    /// List, register and remove the ten Segmentflow WooCommerce webhooks.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Inspect what the storefront tracking renders for a visitor.
    #[command(subcommand)]
    Tracking(TrackingCommand),
    /// Check the installation and print a pass/fail table; exit 1 when a
    /// check fails.
    Doctor(DoctorArgs),

    // ---- segments (branch seg-shell)
    /// Customer segments computed locally from the store: the 11 pre-built
    /// ones, rules you write, and English descriptions.
    #[command(subcommand)]
    Segments(SegmentsCommand),
    // ---- revenue and brand (branch revenue-brand)
    /// Paid revenue net of refunds per UTM campaign, source, medium,
    /// content or term, one section per currency, unattributed revenue as
    /// its own row.
    Revenue(RevenueArgs),
    /// The brand kit: site name, tagline, logo and icon URLs, colour
    /// palette and the top product photos by revenue.
    Brand(BrandArgs),
}

/// `connect …`
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// Read the credentials JSON from stdin (after the context line with --context=-).
    #[arg(long, conflicts_with_all = ["from_file", "poll_token"])]
    pub stdin: bool,
    /// Read the credentials JSON from this file.
    #[arg(long, value_name = "PATH", conflicts_with = "poll_token")]
    pub from_file: Option<PathBuf>,
    /// Poll token of the interactive flow. A poll token is short-lived and
    /// only reveals credentials once, after the approval in the dashboard,
    /// so it may go on the command line; it can also come from the
    /// SEGMENTFLOW_POLL_TOKEN environment variable or the first line of stdin.
    #[arg(long, value_name = "TOKEN")]
    pub poll_token: Option<String>,
    /// Milliseconds between two status polls.
    #[arg(long, default_value_t = 2500, value_name = "MS")]
    pub poll_interval_ms: u64,
    /// Give up polling after this many seconds.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub timeout: u64,
    /// Print only the organization id.
    #[arg(long)]
    pub porcelain: bool,
}

/// `sync …`
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// Which resources: comma-separated orders, customers, products, users.
    /// Default: all that apply to the connected platform.
    #[arg(long, value_name = "LIST")]
    pub resources: Option<String>,
    /// Resend everything, ignoring the stored checkpoints.
    #[arg(long)]
    pub full: bool,
    /// Only items modified at or after this GMT date (YYYY-MM-DD[ HH:MM:SS]).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Read, map and sign, but send nothing and store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Deliveries in flight at once.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,
    /// Read records from a directory of store-record JSON files
    /// (`orders/`, `customers/`, `products/`, `site.json`) instead of the
    /// database. For tests and demos.
    #[arg(long, value_name = "DIR", hide = true)]
    pub records_dir: Option<PathBuf>,
    /// Multiply every retry wait by this factor (0 < F <= 1): the backoff's
    /// base and cap and the longest `Retry-After` honoured (so `0.001`
    /// turns 0.5 s–30 s backoffs into 0.5–30 ms and caps a `Retry-After`
    /// at 120 ms). For tests that inject faults into a local sandbox, so
    /// that thousands of retries do not make the run slow; default 1.
    #[arg(long, value_name = "F", default_value_t = 1.0, hide = true)]
    pub retry_scale: f64,
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

// ---- webhooks, tracking, doctor (branch wpcli-cmds)

/// `webhooks …`
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// List the Segmentflow webhooks (one line per topic, plus stray rows)
    /// with their health.
    List,
    /// Create the missing Segmentflow webhooks and repair the existing ones
    /// with the stored delivery URL and secret (writes `wc_webhooks`).
    Register,
    /// Delete every Segmentflow webhook (writes `wc_webhooks`).
    Remove,
    /// Print the JSON plan the PHP package carries out with WooCommerce's
    /// own `WC_Webhook` class. It carries the webhook secret, so it is only
    /// written to a pipe, never to a terminal.
    Plan {
        /// What the plan is for.
        #[arg(long, value_enum, default_value_t = PlanAction::Register)]
        action: PlanAction,
    },
}

/// `webhooks plan --action=…`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanAction {
    /// What `webhooks register` would do.
    Register,
    /// What `webhooks remove` would do.
    Remove,
}

/// `tracking …`
#[derive(Debug, Subcommand)]
pub enum TrackingCommand {
    /// Print the exact SDK tags and inline configuration a visitor gets
    /// (`--format=json`: the tags and the configuration as data).
    Snippet {
        /// Render for this logged-in WordPress user id (default: an
        /// anonymous visitor).
        #[arg(long, value_name = "ID")]
        user: Option<u64>,
        /// The visitor's `sf_consent` decision as JSON, e.g. '{"a":1,"m":0}'.
        #[arg(long, value_name = "JSON")]
        consent: Option<String>,
        /// The visitor's existing anonymous id (the `a` member of `sf_id`);
        /// without it a new one is minted when the consent allows, as PHP
        /// does on a first visit.
        #[arg(long, value_name = "ID")]
        anonymous_id: Option<String>,
    },
}

/// `doctor …`
#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
    /// Skip the check that calls the Segmentflow API.
    #[arg(long)]
    pub offline: bool,
    /// Largest accepted difference between the database clock and this
    /// machine's, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub clock_tolerance: u64,
}

// ---- segments (branch seg-shell)

/// `segments …`
#[derive(Debug, Subcommand)]
pub enum SegmentsCommand {
    /// List the 11 pre-built segments with their rule and member count.
    List(AsOfArg),
    /// Show the members of a pre-built segment (or of --rule).
    Show {
        /// The segment's slug (`vip-customers`); see `segments list`.
        slug: Option<String>,
        /// A rule of your own instead of a slug, e.g.
        /// 'paid_orders >= 3 and spend[last 365 days] > 500'.
        #[arg(long, value_name = "RULE", conflicts_with = "slug")]
        rule: Option<String>,
        #[command(flatten)]
        as_of: AsOfArg,
    },
    /// Print every membership of the 11 pre-built segments (one row per
    /// segment and customer).
    Export(AsOfArg),
    /// Compile an English description to a rule, print it and its members.
    Query {
        /// What you are looking for, e.g. "customers who bought twice but
        /// haven't ordered in a month".
        text: String,
        #[command(flatten)]
        as_of: AsOfArg,
    },
}

/// `--as-of` of the segments commands.
#[derive(Debug, Clone, clap::Args)]
pub struct AsOfArg {
    /// Evaluate as of the end of this UTC date (YYYY-MM-DD), for
    /// reproducible results; default: now.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

// ---- revenue and brand (branch revenue-brand)

/// `revenue --by=…`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// `utm_campaign`.
    Campaign,
    /// `utm_source`.
    Source,
    /// `utm_medium`.
    Medium,
    /// `utm_content`.
    Content,
    /// `utm_term`.
    Term,
}

/// `revenue --model=…`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Credit each order to the touch that first brought its customer.
    FirstTouch,
    /// Credit each order to its own touch.
    LastTouch,
}

/// `revenue …`
#[derive(Debug, Clone, clap::Args)]
pub struct RevenueArgs {
    /// The UTM value revenue is grouped by.
    #[arg(long, value_enum, default_value_t = ByArg::Campaign)]
    pub by: ByArg,
    /// Only orders paid (else created) on or after this GMT date
    /// (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only orders paid (else created) up to this GMT date, inclusive
    /// (YYYY-MM-DD), or before this instant (YYYY-MM-DD HH:MM:SS).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// The attribution model.
    #[arg(long, value_enum, default_value_t = ModelArg::LastTouch)]
    pub model: ModelArg,
}

/// `brand …`
#[derive(Debug, Clone, clap::Args)]
pub struct BrandArgs {
    /// How many product photos (best-selling products first).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub top: usize,
    /// The wp-content directory, to read the active theme's theme.json
    /// (default: WP_CONTENT_DIR of wp-config.php, else <path>/wp-content).
    #[arg(long, value_name = "DIR")]
    pub content_dir: Option<PathBuf>,
    /// The uploads base URL as WordPress computes it
    /// (`wp_upload_dir()['baseurl']`); the PHP package passes it. Without
    /// it the URL is computed from the options and wp-config.php.
    #[arg(long, value_name = "URL")]
    pub uploads_url: Option<String>,
}
