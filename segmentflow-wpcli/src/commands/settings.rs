//! `settings list|get|set`: the plugin's settings (`debug_mode`,
//! `consent_required`, `api_host`, `app_host`, `wc_enabled`).
//!
//! What a setting is, how its stored value reads, its default, how a typed
//! value is validated and which row and autoload it is written as are all
//! `segmentflow_core::options`; this file reads and writes the rows.
//!
//! * `list` fields: `name`, `value`, `default`, `is_set` (a row exists;
//!   otherwise the default applies); also available: `option_name`,
//!   `description`. Switches read `on`/`off`, hosts the URL as stored.
//! * `get <name>` prints the value (`--format=json|yaml` as
//!   `WP_CLI::print_value()`).
//! * `set <name> <value>`: switches accept on/off, true/false, yes/no, 1/0;
//!   hosts an `https://` URL, or `http://` to a loopback address, without
//!   credentials, query or fragment (trailing `/` removed). A bad value is an
//!   error naming the setting and what it accepts (exit 1); an unknown
//!   setting name is a usage error listing the valid names (exit 2, decided
//!   in [`crate::config`]). The row is written in one transaction as
//!   `update_option()` would: an existing row keeps its autoload, a new one
//!   gets `auto` on WordPress ≥ 6.6 and `yes` before (the version comes from
//!   the PHP context or `wp-includes/version.php`, else from `db_version`). The written option name is
//!   reported to the PHP package (`SEGMENTFLOW_WRITTEN_OPTIONS_FILE`).

use anyhow::{Context as _, bail};
use serde_json::Value;

use segmentflow_core::options::{
    self as core_options, Autoload, PluginOptions, Setting, SettingValue, UrlKind,
};

use crate::config::{SettingsGet, SettingsList, SettingsSet};
use crate::exit::ExitStatus;
use crate::output::{self, Printer, Record};
use crate::wordpress::{options, site::Site};

/// The fields `settings list` shows without `--fields`.
pub const LIST_FIELDS: &[&str] = &["name", "value", "default", "is_set"];

/// A setting's current value as shown: `on`/`off` or the stored URL.
pub fn value_text(plugin: &PluginOptions, setting: Setting) -> String {
    let flag = |b: bool| if b { "on" } else { "off" }.to_owned();
    match setting {
        Setting::DebugMode => flag(plugin.debug_mode),
        Setting::ConsentRequired => flag(plugin.consent_required),
        Setting::WcEnabled => flag(plugin.wc_enabled),
        Setting::ApiHost => plugin.api_host.clone(),
        Setting::AppHost => plugin.app_host.clone(),
    }
}

fn read(site: &mut Site, printer: &Printer) -> anyhow::Result<PluginOptions> {
    let table = site.options_table()?;
    let plugin = options::read_plugin_options(&mut site.db, &table)?;
    for problem in &plugin.problems {
        printer.warning(&problem.to_string());
    }
    Ok(plugin)
}

/// `settings list`.
pub fn list(site: &mut Site, opts: &SettingsList, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let plugin = read(site, printer)?;
    let items: Vec<Record> = Setting::ALL
        .into_iter()
        .map(|setting| {
            let info = core_options::option_info(setting.option_name());
            let mut r = Record::new();
            r.insert("name".into(), Value::String(setting.key().into()));
            r.insert("value".into(), Value::String(value_text(&plugin, setting)));
            r.insert(
                "default".into(),
                Value::String(info.map(|i| i.default.to_string()).unwrap_or_default()),
            );
            r.insert(
                "is_set".into(),
                Value::Bool(plugin.is_stored(setting.option_name())),
            );
            r.insert(
                "option_name".into(),
                Value::String(setting.option_name().into()),
            );
            r.insert(
                "description".into(),
                Value::String(info.map(|i| i.meaning).unwrap_or_default().into()),
            );
            r
        })
        .collect();
    let fields = opts.fields.resolve(LIST_FIELDS);
    let text = output::render_items(opts.format, &fields, "name", &items, printer.piped())?;
    printer.result(&text)?;
    Ok(ExitStatus::Success)
}

/// `settings get <name>`.
pub fn get(site: &mut Site, opts: &SettingsGet, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let plugin = read(site, printer)?;
    let value = Value::String(value_text(&plugin, opts.setting));
    printer.result(&output::render_scalar(opts.format, &value))?;
    Ok(ExitStatus::Success)
}

/// Validates a typed value for `setting`. Hosts are checked under the
/// setting's short name so the error names what the user typed.
fn parse(setting: Setting, input: &str) -> anyhow::Result<SettingValue> {
    match setting {
        Setting::ApiHost | Setting::AppHost => {
            match core_options::validate_url(setting.key(), input, UrlKind::Host) {
                Ok(url) => Ok(SettingValue::Url(setting, url)),
                Err(e) => bail!(
                    "{e} ({} must be an https:// URL, or http:// to localhost, 127.0.0.0/8 or [::1], without credentials, query or fragment)",
                    setting.key()
                ),
            }
        }
        _ => setting.parse_value(input).map_err(anyhow::Error::new),
    }
}

/// The autoload a new row gets: from the WordPress version (PHP's, or
/// `version.php`'s), else from the site's `db_version`.
fn autoload(site: &mut Site) -> anyhow::Result<Autoload> {
    if let Some(version) = site.wp_version.as_deref()
        && let Ok(autoload) = Autoload::for_wordpress(version)
    {
        return Ok(autoload);
    }
    let table = site.options_table()?;
    Ok(
        match options::default_autoload(options::db_version(&mut site.db, &table)?) {
            "auto" => Autoload::Auto,
            _ => Autoload::Yes,
        },
    )
}

/// `settings set <name> <value>`.
pub fn set(site: &mut Site, opts: &SettingsSet, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let value = parse(opts.setting, &opts.value)?;
    let row = value.to_row_with(autoload(site)?);
    let shown = match &value {
        SettingValue::Bool(_, b) => if *b { "on" } else { "off" }.to_owned(),
        SettingValue::Url(_, url) => url.as_str().to_owned(),
    };
    let table = site.options_table()?;
    let written = options::write_rows(&mut site.db, &table, std::slice::from_ref(&row))?;
    options::report_written(&written).context("cannot write the list of written options")?;
    printer.debug(&format!("written options: {written:?}"));
    let key = opts.setting.key();
    if written.is_empty() {
        printer.success(&format!("{key} is already {shown}."));
    } else {
        printer.success(&format!("{key} is now {shown}."));
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_the_plugin_reads_them() {
        let rows: &[(&str, &[u8])] = &[
            ("segmentflow_debug_mode", b"1"),
            ("segmentflow_wc_enabled", b""),
            ("segmentflow_api_host", b"http://127.0.0.1:8080"),
        ];
        let plugin = PluginOptions::from_rows(rows.iter().copied());
        let cases = [
            (Setting::DebugMode, "on"),
            (Setting::ConsentRequired, "off"),
            (Setting::WcEnabled, "off"),
            (Setting::ApiHost, "http://127.0.0.1:8080"),
            (Setting::AppHost, "https://dashboard.segmentflow.ai"),
        ];
        for (setting, want) in cases {
            assert_eq!(value_text(&plugin, setting), want, "{setting}");
        }
    }

    #[test]
    fn bad_values_name_the_setting_and_the_rule() {
        let cases = [
            (Setting::DebugMode, "maybe", "debug_mode"),
            (Setting::ApiHost, "http://example.com", "api_host"),
            (Setting::AppHost, "ftp://x.example", "app_host"),
            (Setting::ApiHost, "", "api_host"),
        ];
        for (setting, input, name) in cases {
            let err = parse(setting, input).unwrap_err().to_string();
            assert!(err.starts_with(name), "{err}");
            assert!(!err.contains("segmentflow_"), "{err}");
        }
        assert!(matches!(
            parse(Setting::ApiHost, " https://api.example/ "),
            Ok(SettingValue::Url(_, url)) if url.as_str() == "https://api.example"
        ));
        assert!(matches!(
            parse(Setting::WcEnabled, "NO"),
            Ok(SettingValue::Bool(Setting::WcEnabled, false))
        ));
    }
}
