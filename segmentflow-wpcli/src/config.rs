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
