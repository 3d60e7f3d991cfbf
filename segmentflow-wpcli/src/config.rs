//! The plain, documented configuration a run works from.
//!
//! [`Config::from_cli`] is the one place where clap's [`crate::cli::Args`]
//! become values; commands receive their own small option structs and never
//! see clap. Checks that clap cannot express (which `--format` a command
//! accepts, `--context` must be `-`) happen here and come back as a
//! [`UsageError`], which the caller maps to exit code 2.

use std::path::PathBuf;

use segmentflow_core::options::Setting;

use crate::cli::{Args, Command, FormatArg, OptionsCommand, SettingsCommand};
use crate::cli::{ConnectArgs, SyncArgs};
use crate::output::{Fields, Format, ScalarFormat};

/// A command line that parsed but does not make sense; exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Where the site's database settings come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteSource {
    /// Read `wp-config.php` under this WordPress root (or its parent).
    Path(PathBuf),
    /// Read the JSON site context from the first line of stdin.
    StdinContext,
}

/// Everything a run needs, decided once from the command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the site comes from.
    pub site: SiteSource,
    /// `--url`: which site of a multisite network.
    pub url: Option<String>,
    /// `--quiet`: no informational messages on stderr.
    pub quiet: bool,
    /// `--debug`: debugging messages on stderr.
    pub debug: bool,
    /// The command and its own options.
    pub command: CommandConfig,
}

/// The command to run, with its options.
#[derive(Debug, Clone)]
pub enum CommandConfig {
    /// `options get`
    OptionsGet(OptionsGet),
    /// `options list`
    OptionsList(OptionsList),
    /// `options set`
    OptionsSet(OptionsSet),
    /// `options delete`
    OptionsDelete(OptionsDelete),
    /// `status`
    Status(Status),
    /// `settings list`
    SettingsList(SettingsList),
    /// `settings get`
    SettingsGet(SettingsGet),
    /// `settings set`
    SettingsSet(SettingsSet),
    // ---- connection and sync (branch sync-cmd)
    /// `sandbox`
    Sandbox(crate::sandbox::SandboxConfig),
    /// `connect`
    Connect(Connect),
    /// `disconnect`
    Disconnect,
    /// `sync`
    Sync(SyncOptions),
    // ---- webhooks, tracking, doctor (branch wpcli-cmds)
    /// `webhooks list`
    WebhooksList(WebhooksList),
    /// `webhooks register`
    WebhooksRegister,
    /// `webhooks remove`
    WebhooksRemove,
    /// `webhooks plan`
    WebhooksPlan(crate::cli::PlanAction),
    /// `tracking snippet`
    TrackingSnippet(TrackingSnippet),
    /// `doctor`
    Doctor(Doctor),
    // ---- segments (branch seg-shell)
    /// `segments list|show|export|query`
    Segments(Segments),
    // ---- revenue and brand (branch revenue-brand)
    /// `revenue`
    Revenue(RevenueConfig),
    /// `brand`
    Brand(BrandConfig),
}

impl CommandConfig {
    /// Whether the command's stdout is a machine format (json, csv, yaml,
    /// ids, count): messages such as `Success:` then go to stderr so stdout
    /// stays parseable.
    pub fn machine_output(&self) -> bool {
        let list = |f: Format| f != Format::Table;
        match self {
            CommandConfig::OptionsGet(o) => o.format == ValueFormat::Json,
            CommandConfig::OptionsList(o) => list(o.format),
            CommandConfig::Status(o) => list(o.format),
            CommandConfig::SettingsList(o) => list(o.format),
            CommandConfig::SettingsGet(o) => o.format != ScalarFormat::Plain,
            CommandConfig::OptionsSet(_)
            | CommandConfig::OptionsDelete(_)
            | CommandConfig::SettingsSet(_) => false,
            // ---- connection and sync (branch sync-cmd)
            CommandConfig::Connect(c) => c.porcelain,
            CommandConfig::Sync(o) => list(o.format),
            CommandConfig::Sandbox(_) | CommandConfig::Disconnect => false,
            // ---- webhooks, tracking, doctor (branch wpcli-cmds)
            CommandConfig::WebhooksList(o) => list(o.format),
            CommandConfig::WebhooksPlan(_) => true,
            CommandConfig::TrackingSnippet(o) => o.json,
            CommandConfig::Doctor(o) => list(o.format),
            CommandConfig::WebhooksRegister | CommandConfig::WebhooksRemove => false,
            // ---- segments (branch seg-shell)
            CommandConfig::Segments(o) => list(o.format),
            // ---- revenue and brand (branch revenue-brand)
            CommandConfig::Revenue(o) => list(o.format),
            CommandConfig::Brand(o) => list(o.format),
        }
    }
}

/// How `options get` prints the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// The stored bytes, followed by a newline (like `wp option get`).
    Raw,
    /// The value as PHP's `json_encode(get_option(…))` would print it.
    Json,
}

/// Options of `options get`.
#[derive(Debug, Clone)]
pub struct OptionsGet {
    /// The option name.
    pub name: String,
    /// How to print it.
    pub format: ValueFormat,
}

/// Options of `options list`.
#[derive(Debug, Clone)]
pub struct OptionsList {
    /// `*`-wildcard name pattern; `None` lists every option.
    pub search: Option<String>,
    /// Output format.
    pub format: Format,
    /// Fields to show.
    pub fields: Fields,
}

/// Options of `options set`.
#[derive(Debug, Clone)]
pub struct OptionsSet {
    /// The option name.
    pub name: String,
    /// The stored value, or `None` to read it from stdin.
    pub value: Option<String>,
}

/// Options of `options delete`.
#[derive(Debug, Clone)]
pub struct OptionsDelete {
    /// The option name.
    pub name: String,
}

/// Options of `status`.
#[derive(Debug, Clone)]
pub struct Status {
    /// Output format.
    pub format: Format,
    /// Fields to show.
    pub fields: Fields,
}

/// Options of `settings list`.
#[derive(Debug, Clone)]
pub struct SettingsList {
    /// Output format.
    pub format: Format,
    /// Fields to show.
    pub fields: Fields,
}

/// Options of `settings get`.
#[derive(Debug, Clone)]
pub struct SettingsGet {
    /// The setting.
    pub setting: Setting,
    /// How to print the value.
    pub format: ScalarFormat,
}

/// Options of `settings set`.
#[derive(Debug, Clone)]
pub struct SettingsSet {
    /// The setting.
    pub setting: Setting,
    /// The value as typed (validated by the command, which reports a bad
    /// value as an error, exit 1).
    pub value: String,
}

/// A setting name the CLI does not know: a usage error (exit 2), like an
/// unknown subcommand — the command line names something that does not
/// exist and nothing is done. (A bad *value* is an ordinary error, exit 1,
/// as WP-CLI's commands report invalid input with `WP_CLI::error()`.)
fn setting(name: &str) -> Result<Setting, UsageError> {
    Setting::from_name(name).map_err(|_| {
        let valid: Vec<&str> = Setting::ALL.iter().map(|s| s.key()).collect();
        UsageError(format!(
            "unknown setting '{name}'; valid settings: {}",
            valid.join(", ")
        ))
    })
}

impl Config {
    /// Turns parsed arguments into a configuration.
    pub fn from_cli(args: Args) -> Result<Config, UsageError> {
        let site = match (&args.context, &args.path) {
            (Some(ctx), _) if ctx != "-" => {
                return Err(UsageError(format!(
                    "--context only accepts '-' (read the site context from stdin), not '{ctx}'"
                )));
            }
            (Some(_), Some(_)) => {
                return Err(UsageError(
                    "--context=- and --path cannot be used together".into(),
                ));
            }
            (Some(_), None) => SiteSource::StdinContext,
            (None, Some(path)) => SiteSource::Path(path.clone()),
            (None, None) => SiteSource::Path(PathBuf::from(".")),
        };
        let fields = match &args.fields {
            Some(list) => Fields::Only(
                list.split(',')
                    .map(|f| f.trim().to_owned())
                    .filter(|f| !f.is_empty())
                    .collect(),
            ),
            None => Fields::Default,
        };
        let command = match args.command {
            Command::Options(OptionsCommand::Get { name }) => {
                let format = match args.format {
                    None | Some(FormatArg::Raw) => ValueFormat::Raw,
                    Some(FormatArg::Json) => ValueFormat::Json,
                    Some(other) => return Err(bad_format(other, "options get", "raw, json")),
                };
                CommandConfig::OptionsGet(OptionsGet { name, format })
            }
            Command::Options(OptionsCommand::List { search }) => {
                CommandConfig::OptionsList(OptionsList {
                    search,
                    format: list_format(args.format, "options list")?,
                    fields,
                })
            }
            Command::Options(OptionsCommand::Set { name, value }) => {
                no_format(args.format, "options set")?;
                CommandConfig::OptionsSet(OptionsSet { name, value })
            }
            Command::Options(OptionsCommand::Delete { name }) => {
                no_format(args.format, "options delete")?;
                CommandConfig::OptionsDelete(OptionsDelete { name })
            }
            // ---- connection and sync (branch sync-cmd)
            Command::Sandbox(sandbox) => {
                no_format(args.format, "sandbox")?;
                CommandConfig::Sandbox(
                    sandbox
                        .into_config()
                        .map_err(|e| UsageError(e.to_string()))?,
                )
            }
            Command::Connect(connect) => {
                no_format(args.format, "connect")?;
                CommandConfig::Connect(Connect::from_args(connect)?)
            }
            Command::Disconnect => {
                no_format(args.format, "disconnect")?;
                CommandConfig::Disconnect
            }
            Command::Sync(sync) => {
                let format = match args.format {
                    None | Some(FormatArg::Table) => Format::Table,
                    Some(FormatArg::Json) => Format::Json,
                    Some(FormatArg::Yaml) => Format::Yaml,
                    Some(other) => return Err(bad_format(other, "sync", "table, json, yaml")),
                };
                CommandConfig::Sync(SyncOptions::from_args(sync, format, fields)?)
            }
            // ---- webhooks, tracking, doctor (branch wpcli-cmds)
            Command::Webhooks(cmd) => webhooks_config(cmd, args.format, fields)?,
            Command::Tracking(crate::cli::TrackingCommand::Snippet {
                user,
                consent,
                anonymous_id,
            }) => {
                let json = match args.format {
                    None | Some(FormatArg::Raw) => false,
                    Some(FormatArg::Json) => true,
                    Some(other) => return Err(bad_format(other, "tracking snippet", "raw, json")),
                };
                CommandConfig::TrackingSnippet(TrackingSnippet {
                    user,
                    consent,
                    anonymous_id,
                    json,
                })
            }
            Command::Doctor(doctor) => {
                let format = match args.format {
                    Some(f @ (FormatArg::Ids | FormatArg::Raw)) => {
                        return Err(bad_format(f, "doctor", "table, json, csv, yaml, count"));
                    }
                    other => list_format(other, "doctor")?,
                };
                CommandConfig::Doctor(Doctor {
                    offline: doctor.offline,
                    clock_tolerance: std::time::Duration::from_secs(doctor.clock_tolerance),
                    format,
                    fields,
                })
            }
            // ---- revenue and brand (branch revenue-brand)
            Command::Revenue(revenue) => {
                CommandConfig::Revenue(RevenueConfig::from_args(revenue, args.format, fields)?)
            }
            Command::Brand(brand) => {
                CommandConfig::Brand(BrandConfig::from_args(brand, args.format, &site)?)
            }
            Command::Status => {
                let format = match args.format {
                    Some(FormatArg::Ids) | Some(FormatArg::Count) | Some(FormatArg::Raw) => {
                        return Err(bad_format(
                            args.format.unwrap_or(FormatArg::Raw),
                            "status",
                            "table, json, csv, yaml",
                        ));
                    }
                    other => list_format(other, "status")?,
                };
                CommandConfig::Status(Status { format, fields })
            }
            // ---- segments (branch seg-shell)
            Command::Segments(cmd) => segments_config(cmd, args.format, fields)?,
            Command::Settings(SettingsCommand::List) => {
                let format = match args.format {
                    Some(f @ (FormatArg::Ids | FormatArg::Raw)) => {
                        return Err(bad_format(
                            f,
                            "settings list",
                            "table, json, csv, yaml, count",
                        ));
                    }
                    other => list_format(other, "settings list")?,
                };
                CommandConfig::SettingsList(SettingsList { format, fields })
            }
            Command::Settings(SettingsCommand::Get { name }) => {
                let format = match args.format {
                    None | Some(FormatArg::Table) => ScalarFormat::Plain,
                    Some(FormatArg::Json) => ScalarFormat::Json,
                    Some(FormatArg::Yaml) => ScalarFormat::Yaml,
                    Some(other) => {
                        return Err(bad_format(other, "settings get", "table, json, yaml"));
                    }
                };
                CommandConfig::SettingsGet(SettingsGet {
                    setting: setting(&name)?,
                    format,
                })
            }
            Command::Settings(SettingsCommand::Set { name, value }) => {
                no_format(args.format, "settings set")?;
                CommandConfig::SettingsSet(SettingsSet {
                    setting: setting(&name)?,
                    value,
                })
            }
        };
        Ok(Config {
            site,
            url: args.url,
            quiet: args.quiet,
            debug: args.debug,
            command,
        })
    }
}

// ---- connection and sync (branch sync-cmd)

/// Where `connect` gets the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectInput {
    /// The credentials JSON on stdin (after the context line, if any).
    Stdin,
    /// The credentials JSON in a file.
    File(PathBuf),
    /// The interactive flow: poll the API until the connection is approved.
    Poll {
        /// `--poll-token`; `None`: from `SEGMENTFLOW_POLL_TOKEN` or stdin.
        token: Option<String>,
        /// Time between two polls.
        interval: std::time::Duration,
        /// Give up after this long.
        timeout: std::time::Duration,
    },
}

/// Options of `connect`.
#[derive(Debug, Clone)]
pub struct Connect {
    /// Where the credentials come from.
    pub input: ConnectInput,
    /// `--porcelain`: print only the organization id.
    pub porcelain: bool,
}

impl Connect {
    fn from_args(args: ConnectArgs) -> Result<Connect, UsageError> {
        let input = if args.stdin {
            ConnectInput::Stdin
        } else if let Some(path) = args.from_file {
            ConnectInput::File(path)
        } else {
            if args.poll_interval_ms == 0 {
                return Err(UsageError("--poll-interval-ms must be at least 1".into()));
            }
            ConnectInput::Poll {
                token: args.poll_token,
                interval: std::time::Duration::from_millis(args.poll_interval_ms),
                timeout: std::time::Duration::from_secs(args.timeout),
            }
        };
        Ok(Connect {
            input,
            porcelain: args.porcelain,
        })
    }
}

/// Options of `sync`.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// `--resources`; `None`: every resource the platform has.
    pub resources: Option<Vec<segmentflow_core::sync::Resource>>,
    /// `--full`: ignore the checkpoints.
    pub full: bool,
    /// `--since`, as `YYYY-MM-DD HH:MM:SS` GMT.
    pub since: Option<String>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--concurrency` (at least 1).
    pub concurrency: usize,
    /// Format of the final report.
    pub format: Format,
    /// Fields of the final report.
    pub fields: Fields,
    /// Hidden `--records-dir`: read store records from JSON files.
    pub records_dir: Option<PathBuf>,
    /// Hidden `--retry-scale`: factor on every retry wait (1 normally).
    pub retry_scale: f64,
}

impl SyncOptions {
    fn from_args(
        args: SyncArgs,
        format: Format,
        fields: Fields,
    ) -> Result<SyncOptions, UsageError> {
        let resources = match &args.resources {
            None => None,
            Some(list) => {
                let mut out = Vec::new();
                for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let resource: segmentflow_core::sync::Resource = part.parse().map_err(|_| {
                        UsageError(format!(
                            "unknown resource '{part}' in --resources (possible values: orders, customers, products, users)"
                        ))
                    })?;
                    if !out.contains(&resource) {
                        out.push(resource);
                    }
                }
                if out.is_empty() {
                    return Err(UsageError("--resources names no resource".into()));
                }
                Some(out)
            }
        };
        let since = args.since.as_deref().map(parse_since).transpose()?;
        if args.concurrency == 0 {
            return Err(UsageError("--concurrency must be at least 1".into()));
        }
        if !(args.retry_scale > 0.0 && args.retry_scale <= 1.0) {
            return Err(UsageError(format!(
                "--retry-scale must be above 0 and at most 1, not {}",
                args.retry_scale
            )));
        }
        Ok(SyncOptions {
            resources,
            full: args.full,
            since,
            dry_run: args.dry_run,
            concurrency: args.concurrency,
            format,
            fields,
            records_dir: args.records_dir,
            retry_scale: args.retry_scale,
        })
    }
}

/// `--since`: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`
/// (GMT) → `YYYY-MM-DD HH:MM:SS`.
fn parse_since(text: &str) -> Result<String, UsageError> {
    let t = text.trim();
    let parsed = if t.len() == 10 {
        t.parse::<jiff::civil::Date>()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    } else {
        t.replacen(' ', "T", 1)
            .trim_end_matches('Z')
            .parse::<jiff::civil::DateTime>()
    };
    parsed
        .map(|dt| dt.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .map_err(|_| {
            UsageError(format!(
                "--since={text:?} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, GMT)"
            ))
        })
}

// ---- webhooks, tracking, doctor (branch wpcli-cmds)

/// Options of `webhooks list`.
#[derive(Debug, Clone)]
pub struct WebhooksList {
    /// Output format.
    pub format: Format,
    /// Fields to show.
    pub fields: Fields,
}

/// Options of `tracking snippet`.
#[derive(Debug, Clone)]
pub struct TrackingSnippet {
    /// `--user`: render for this logged-in user.
    pub user: Option<u64>,
    /// `--consent`: the visitor's decision as JSON text (checked by the command).
    pub consent: Option<String>,
    /// `--anonymous-id`: the visitor's existing anonymous id.
    pub anonymous_id: Option<String>,
    /// `--format=json`: the tags and configuration as data instead of HTML.
    pub json: bool,
}

/// Options of `doctor`.
#[derive(Debug, Clone)]
pub struct Doctor {
    /// `--offline`: skip the API check.
    pub offline: bool,
    /// `--clock-tolerance`.
    pub clock_tolerance: std::time::Duration,
    /// Output format.
    pub format: Format,
    /// Fields to show.
    pub fields: Fields,
}

fn webhooks_config(
    cmd: crate::cli::WebhooksCommand,
    format: Option<FormatArg>,
    fields: Fields,
) -> Result<CommandConfig, UsageError> {
    use crate::cli::WebhooksCommand as W;
    Ok(match cmd {
        W::List => CommandConfig::WebhooksList(WebhooksList {
            format: list_format(format, "webhooks list")?,
            fields,
        }),
        W::Register => {
            no_format(format, "webhooks register")?;
            CommandConfig::WebhooksRegister
        }
        W::Remove => {
            no_format(format, "webhooks remove")?;
            CommandConfig::WebhooksRemove
        }
        W::Plan { action } => {
            match format {
                None | Some(FormatArg::Json) => {}
                Some(other) => return Err(bad_format(other, "webhooks plan", "json")),
            }
            CommandConfig::WebhooksPlan(action)
        }
    })
}

// ---- revenue and brand (branch revenue-brand)

/// Options of `revenue`.
#[derive(Debug, Clone)]
pub struct RevenueConfig {
    /// What to compute (dimension, model, window).
    pub options: segmentflow_core::insight::revenue::RevenueOptions,
    /// Output format (table, json, csv, yaml).
    pub format: Format,
    /// Fields to show.
    pub fields: Fields,
}

impl RevenueConfig {
    fn from_args(
        args: crate::cli::RevenueArgs,
        format: Option<FormatArg>,
        fields: Fields,
    ) -> Result<RevenueConfig, UsageError> {
        use crate::cli::{ByArg, ModelArg};
        use segmentflow_core::insight::revenue::{GroupBy, Model, RevenueOptions};
        let format = match format {
            None | Some(FormatArg::Table) => Format::Table,
            Some(FormatArg::Json) => Format::Json,
            Some(FormatArg::Csv) => Format::Csv,
            Some(FormatArg::Yaml) => Format::Yaml,
            Some(other) => return Err(bad_format(other, "revenue", "table, json, csv, yaml")),
        };
        let by = match args.by {
            ByArg::Campaign => GroupBy::Campaign,
            ByArg::Source => GroupBy::Source,
            ByArg::Medium => GroupBy::Medium,
            ByArg::Content => GroupBy::Content,
            ByArg::Term => GroupBy::Term,
        };
        let model = match args.model {
            ModelArg::FirstTouch => Model::FirstTouch,
            ModelArg::LastTouch => Model::LastTouch,
        };
        let since = args
            .since
            .as_deref()
            .map(|t| window_bound("--since", t, false))
            .transpose()?;
        let until = args
            .until
            .as_deref()
            .map(|t| window_bound("--until", t, true))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until)
            && s >= u
        {
            return Err(UsageError(format!(
                "--since={} is not before --until={}: the window is empty",
                args.since.unwrap_or_default(),
                args.until.unwrap_or_default()
            )));
        }
        Ok(RevenueConfig {
            options: RevenueOptions {
                by,
                model,
                since,
                until,
            },
            format,
            fields,
        })
    }
}

/// A `--since`/`--until` value as a GMT instant. A bare date starts that
/// day; as `--until` (`end_of_day`) it includes that day, so the bound is
/// the next midnight (the window's end is exclusive).
fn window_bound(flag: &str, text: &str, end_of_day: bool) -> Result<jiff::Timestamp, UsageError> {
    let t = text.trim();
    let bad = || {
        UsageError(format!(
            "{flag}={text:?} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, GMT)"
        ))
    };
    let datetime = if t.len() == 10 {
        let date: jiff::civil::Date = t.parse().map_err(|_| bad())?;
        let date = if end_of_day {
            date.tomorrow().map_err(|_| bad())?
        } else {
            date
        };
        date.to_datetime(jiff::civil::Time::midnight())
    } else {
        t.replacen(' ', "T", 1)
            .trim_end_matches('Z')
            .parse::<jiff::civil::DateTime>()
            .map_err(|_| bad())?
    };
    datetime
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|_| bad())
}

/// Options of `brand`.
#[derive(Debug, Clone)]
pub struct BrandConfig {
    /// `--top`: how many product photos.
    pub top: usize,
    /// `--content-dir`, else derived from the WordPress root when standalone.
    pub content_dir: Option<PathBuf>,
    /// `--uploads-url`: the uploads base URL WordPress computed.
    pub uploads_url: Option<String>,
    /// The WordPress root (`--path`), to read wp-config.php's URL and
    /// directory constants; `None` with a site context.
    pub wp_root: Option<PathBuf>,
    /// Output format (table or json).
    pub format: Format,
}

impl BrandConfig {
    fn from_args(
        args: crate::cli::BrandArgs,
        format: Option<FormatArg>,
        site: &SiteSource,
    ) -> Result<BrandConfig, UsageError> {
        let format = match format {
            None | Some(FormatArg::Table) => Format::Table,
            Some(FormatArg::Json) => Format::Json,
            Some(other) => return Err(bad_format(other, "brand", "table, json")),
        };
        Ok(BrandConfig {
            top: args.top,
            content_dir: args.content_dir,
            uploads_url: args.uploads_url.filter(|u| !u.trim().is_empty()),
            wp_root: match site {
                SiteSource::Path(root) => Some(root.clone()),
                SiteSource::StdinContext => None,
            },
            format,
        })
    }
}

fn format_name(f: FormatArg) -> &'static str {
    match f {
        FormatArg::Table => "table",
        FormatArg::Json => "json",
        FormatArg::Csv => "csv",
        FormatArg::Yaml => "yaml",
        FormatArg::Ids => "ids",
        FormatArg::Count => "count",
        FormatArg::Raw => "raw",
    }
}

fn bad_format(f: FormatArg, command: &str, allowed: &str) -> UsageError {
    UsageError(format!(
        "invalid value '{}' for '--format' of '{command}' (possible values: {allowed})",
        format_name(f)
    ))
}

fn list_format(f: Option<FormatArg>, command: &str) -> Result<Format, UsageError> {
    Ok(match f {
        None | Some(FormatArg::Table) => Format::Table,
        Some(FormatArg::Json) => Format::Json,
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Yaml) => Format::Yaml,
        Some(FormatArg::Ids) => Format::Ids,
        Some(FormatArg::Count) => Format::Count,
        Some(FormatArg::Raw) => {
            return Err(bad_format(
                FormatArg::Raw,
                command,
                "table, json, csv, yaml, ids, count",
            ));
        }
    })
}

fn no_format(f: Option<FormatArg>, command: &str) -> Result<(), UsageError> {
    match f {
        None => Ok(()),
        Some(f) => Err(UsageError(format!(
            "'{command}' prints no result, so '--format={}' does not apply",
            format_name(f)
        ))),
    }
}

// ---- segments (branch seg-shell)

/// What a `segments` command evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentsAction {
    /// `segments list`
    List,
    /// `segments show <slug>`
    Show(String),
    /// `segments show --rule=…`
    Rule(String),
    /// `segments export`
    Export,
    /// `segments query "<english>"`
    Query(String),
}

/// Options of `segments …`.
#[derive(Debug, Clone)]
pub struct Segments {
    /// What to evaluate and print.
    pub action: SegmentsAction,
    /// `--as-of`: evaluate as of the end of this UTC date; `None`: now.
    pub as_of: Option<jiff::civil::Date>,
    /// Output format.
    pub format: Format,
    /// Fields to show.
    pub fields: Fields,
}

fn segments_config(
    cmd: crate::cli::SegmentsCommand,
    format: Option<FormatArg>,
    fields: Fields,
) -> Result<CommandConfig, UsageError> {
    use crate::cli::SegmentsCommand as S;
    let (action, as_of, name, formats) = match cmd {
        S::List(a) => (
            SegmentsAction::List,
            a,
            "segments list",
            "table, json, csv, yaml, count",
        ),
        S::Show { slug, rule, as_of } => {
            let action = match (slug, rule) {
                (_, Some(rule)) => SegmentsAction::Rule(rule),
                (Some(slug), None) => {
                    if segmentflow_core::insight::segments::prebuilt(&slug).is_none() {
                        let valid: Vec<&str> = segmentflow_core::insight::segments::PREBUILT
                            .iter()
                            .map(|s| s.slug)
                            .collect();
                        return Err(UsageError(format!(
                            "unknown segment '{slug}'; the segments are: {} (or give --rule)",
                            valid.join(", ")
                        )));
                    }
                    SegmentsAction::Show(slug)
                }
                (None, None) => {
                    return Err(UsageError(
                        "'segments show' needs a segment slug or --rule".into(),
                    ));
                }
            };
            (
                action,
                as_of,
                "segments show",
                "table, json, csv, yaml, ids, count",
            )
        }
        S::Export(a) => (
            SegmentsAction::Export,
            a,
            "segments export",
            "csv, json, table, yaml, count",
        ),
        S::Query { text, as_of } => (
            SegmentsAction::Query(text),
            as_of,
            "segments query",
            "table, json, csv, yaml, ids, count",
        ),
    };
    let format = match (format, &action) {
        (None, SegmentsAction::Export) => Format::Csv,
        (Some(f @ FormatArg::Ids), SegmentsAction::List | SegmentsAction::Export) => {
            return Err(bad_format(f, name, formats));
        }
        (Some(f @ FormatArg::Raw), _) => return Err(bad_format(f, name, formats)),
        (other, _) => list_format(other, name)?,
    };
    let as_of = match as_of.as_of {
        None => None,
        Some(text) => Some(text.parse::<jiff::civil::Date>().map_err(|_| {
            UsageError(format!(
                "--as-of must be a date as YYYY-MM-DD, not '{text}'"
            ))
        })?),
    };
    Ok(CommandConfig::Segments(Segments {
        action,
        as_of,
        format,
        fields,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(line: &[&str]) -> Result<Config, UsageError> {
        let args =
            Args::try_parse_from(std::iter::once("segmentflow-wpcli").chain(line.iter().copied()))
                .map_err(|e| UsageError(e.to_string()))?;
        Config::from_cli(args)
    }

    #[test]
    fn site_sources() {
        let c = parse(&["--path=/srv/wp", "status"]).unwrap();
        assert_eq!(c.site, SiteSource::Path("/srv/wp".into()));
        let c = parse(&["--context=-", "status"]).unwrap();
        assert_eq!(c.site, SiteSource::StdinContext);
        let c = parse(&["status"]).unwrap();
        assert_eq!(c.site, SiteSource::Path(".".into()));
        for bad in [
            &["--context=/tmp/x", "status"][..],
            &["--context=-", "--path=/srv", "status"][..],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn formats_per_command() {
        let cases: &[(&[&str], bool)] = &[
            (&["options", "get", "x"], true),
            (&["options", "get", "x", "--format=json"], true),
            (&["options", "get", "x", "--format=raw"], true),
            (&["options", "get", "x", "--format=table"], false),
            (&["options", "list", "--format=count"], true),
            (&["options", "list", "--format=raw"], false),
            (&["status", "--format=yaml"], true),
            (&["status", "--format=ids"], false),
            (
                &["options", "set", "segmentflow_a", "1", "--format=json"],
                false,
            ),
            (&["settings", "list", "--format=csv"], true),
            (&["settings", "list", "--format=ids"], false),
            (&["settings", "get", "debug_mode", "--format=yaml"], true),
            (&["settings", "get", "debug_mode", "--format=csv"], false),
            (
                &["settings", "set", "debug_mode", "on", "--format=json"],
                false,
            ),
        ];
        for (line, ok) in cases {
            assert_eq!(parse(line).is_ok(), *ok, "{line:?}");
        }
    }

    #[test]
    fn setting_names() {
        let cases: &[(&[&str], Option<Setting>)] = &[
            (&["settings", "get", "debug_mode"], Some(Setting::DebugMode)),
            (&["settings", "get", "api-host"], Some(Setting::ApiHost)),
            (
                &["settings", "set", "segmentflow_consent_required", "on"],
                Some(Setting::ConsentRequired),
            ),
            // The PHP package passes positionals after `--`.
            (
                &["settings", "set", "--", "wc_enabled", "off"],
                Some(Setting::WcEnabled),
            ),
            (&["settings", "get", "write_key"], None),
            (&["settings", "set", "nope", "1"], None),
        ];
        for (line, want) in cases {
            match (parse(line), want) {
                (Ok(c), Some(want)) => match c.command {
                    CommandConfig::SettingsGet(g) => assert_eq!(g.setting, *want),
                    CommandConfig::SettingsSet(s) => assert_eq!(s.setting, *want),
                    other => panic!("{line:?}: {other:?}"),
                },
                (Err(e), None) => assert!(
                    e.0.contains("valid settings: debug_mode, consent_required, api_host, app_host, wc_enabled"),
                    "{e}"
                ),
                (got, _) => panic!("{line:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn machine_output_per_format() {
        let cases: &[(&[&str], bool)] = &[
            (&["status"], false),
            (&["status", "--format=json"], true),
            (&["settings", "list", "--format=csv"], true),
            (&["settings", "get", "debug_mode"], false),
            (&["settings", "set", "debug_mode", "on"], false),
            (&["options", "get", "x", "--format=json"], true),
        ];
        for (line, want) in cases {
            assert_eq!(
                parse(line).unwrap().command.machine_output(),
                *want,
                "{line:?}"
            );
        }
    }

    #[test]
    fn fields_are_split_and_trimmed() {
        let c = parse(&["options", "list", "--fields= option_name ,autoload"]).unwrap();
        let CommandConfig::OptionsList(list) = c.command else {
            panic!("wrong command")
        };
        assert_eq!(
            list.fields,
            Fields::Only(vec!["option_name".into(), "autoload".into()])
        );
    }
}

// ---- connection and sync (branch sync-cmd)
#[cfg(test)]
mod connection_and_sync_tests {
    use super::*;
    use clap::Parser;
    use segmentflow_core::sync::Resource;

    fn parse(line: &[&str]) -> Result<Config, UsageError> {
        let args =
            Args::try_parse_from(std::iter::once("segmentflow-wpcli").chain(line.iter().copied()))
                .map_err(|e| UsageError(e.to_string()))?;
        Config::from_cli(args)
    }

    #[test]
    fn connect_inputs() {
        let cases: &[(&[&str], Option<ConnectInput>)] = &[
            (&["connect", "--stdin"], Some(ConnectInput::Stdin)),
            (
                &["connect", "--from-file=/tmp/c.json"],
                Some(ConnectInput::File("/tmp/c.json".into())),
            ),
            (
                &[
                    "connect",
                    "--poll-token=pt_1",
                    "--poll-interval-ms=10",
                    "--timeout=5",
                ],
                Some(ConnectInput::Poll {
                    token: Some("pt_1".into()),
                    interval: std::time::Duration::from_millis(10),
                    timeout: std::time::Duration::from_secs(5),
                }),
            ),
            (
                &["connect"],
                Some(ConnectInput::Poll {
                    token: None,
                    interval: std::time::Duration::from_millis(2500),
                    timeout: std::time::Duration::from_secs(600),
                }),
            ),
            (&["connect", "--stdin", "--poll-token=x"], None),
            (&["connect", "--stdin", "--from-file=/x"], None),
            (&["connect", "--poll-interval-ms=0"], None),
            (&["connect", "--stdin", "--format=json"], None),
        ];
        for (line, want) in cases {
            let got = parse(line).ok().map(|c| match c.command {
                CommandConfig::Connect(c) => c.input,
                other => panic!("{line:?}: {other:?}"),
            });
            assert_eq!(&got, want, "{line:?}");
        }
    }

    #[test]
    fn sync_options() {
        let c = parse(&[
            "sync",
            "--resources=orders, users,orders",
            "--since=2024-05-01",
            "--full",
            "--dry-run",
            "--concurrency=3",
            "--format=yaml",
        ])
        .unwrap();
        let CommandConfig::Sync(s) = c.command else {
            panic!("not sync")
        };
        assert_eq!(s.resources, Some(vec![Resource::Orders, Resource::Users]));
        assert_eq!(s.since.as_deref(), Some("2024-05-01 00:00:00"));
        assert!(s.full && s.dry_run);
        assert_eq!((s.concurrency, s.format), (3, Format::Yaml));
        assert_eq!(s.retry_scale, 1.0, "real waits unless a test shrinks them");
        let c = parse(&["sync", "--retry-scale=0.001"]).unwrap();
        let CommandConfig::Sync(s) = c.command else {
            panic!("not sync")
        };
        assert_eq!(s.retry_scale, 0.001);

        let since_cases = [
            ("2024-05-01 13:45:00", Some("2024-05-01 13:45:00")),
            ("2024-05-01T13:45:00Z", Some("2024-05-01 13:45:00")),
            ("2024-02-30", None),
            ("yesterday", None),
        ];
        for (input, want) in since_cases {
            assert_eq!(parse_since(input).ok().as_deref(), want, "{input}");
        }
        for bad in [
            &["sync", "--resources=coupons"][..],
            &["sync", "--resources=,"][..],
            &["sync", "--concurrency=0"][..],
            &["sync", "--format=csv"][..],
            &["sync", "--since=soon"][..],
            &["sync", "--retry-scale=0"][..],
            &["sync", "--retry-scale=2"][..],
            &["sync", "--retry-scale=NaN"][..],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sandbox_needs_no_format() {
        assert!(matches!(
            parse(&["sandbox", "--listen=127.0.0.1:0"]).unwrap().command,
            CommandConfig::Sandbox(_)
        ));
        assert!(parse(&["sandbox", "--faults=404:1"]).is_err());
        assert!(parse(&["disconnect", "--format=json"]).is_err());
    }

    // ---- revenue and brand (branch revenue-brand)
    #[test]
    fn revenue_and_brand_flags() {
        let c = parse(&[
            "revenue",
            "--since=2026-01-01",
            "--until=2026-01-31",
            "--by=term",
            "--model=first-touch",
        ])
        .unwrap();
        let CommandConfig::Revenue(r) = c.command else {
            panic!("{c:?}")
        };
        let ts = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert_eq!(r.options.since, Some(ts("2026-01-01T00:00:00Z")));
        // A bare --until date includes that day.
        assert_eq!(r.options.until, Some(ts("2026-02-01T00:00:00Z")));
        assert_eq!(r.options.by.as_str(), "term");
        assert_eq!(r.options.model.as_str(), "first-touch");
        let c = parse(&["revenue", "--until=2026-01-31 12:30:00"]).unwrap();
        let CommandConfig::Revenue(r) = c.command else {
            panic!("{c:?}")
        };
        assert_eq!(r.options.until, Some(ts("2026-01-31T12:30:00Z")));
        for bad in [
            &["revenue", "--since=2026-13-01"][..],
            &["revenue", "--since=2026-02-01", "--until=2026-01-31"][..],
            &["revenue", "--by=channel"][..],
            &["revenue", "--format=ids"][..],
            &["brand", "--format=csv"][..],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let c = parse(&["--path=/srv/wp", "brand", "--top=3", "--uploads-url="]).unwrap();
        let CommandConfig::Brand(b) = c.command else {
            panic!("{c:?}")
        };
        assert_eq!(
            (b.top, b.uploads_url, b.wp_root),
            (3, None, Some("/srv/wp".into()))
        );
    }
}
