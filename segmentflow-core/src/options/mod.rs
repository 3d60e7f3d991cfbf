//! The plugin's state in `wp_options`: option names, defaults and meanings,
//! how the stored strings read back, and the exact rows to write when a
//! setting changes.
//!
//! The names, defaults and reading rules are those of the original
//! Segmentflow Connect plugin (`Segmentflow_Options`): every option is read
//! with `get_option()` and cast with `(string)` or `(bool)`, an absent row
//! gives the plugin's default (`segmentflow_wc_enabled` defaults to **true**),
//! and checkboxes are stored as `"1"`/`""` because `update_option(true)`
//! writes `1` and `update_option(false)` writes the empty string. Two
//! options are ours: `segmentflow_sync_state` and `segmentflow_last_sync`
//! (PHP-serialized arrays written by the sync).
//!
//! ```
//! use segmentflow_core::options::{PluginOptions, Setting, RecordedPlatform};
//!
//! let rows: &[(&str, &[u8])] = &[
//!     ("segmentflow_write_key", b"sk_live_abcdef0123456789a1b2"),
//!     ("segmentflow_connected_platform", b"wordpress"),
//!     ("segmentflow_debug_mode", b"1"),
//! ];
//! let options = PluginOptions::from_rows(rows.iter().copied());
//! assert!(options.is_connected());
//! assert!(options.debug_mode);
//! assert!(options.wc_enabled); // absent row: the plugin's default
//! assert_eq!(options.connected_platform, RecordedPlatform::WordPress);
//! assert_eq!(format!("{:?}", options.write_key), "Secret(\"sk_live…a1b2\")");
//!
//! // Turning consent on writes what update_option(true) would.
//! let value = Setting::ConsentRequired.parse_value("on").unwrap();
//! let row = value.to_row("6.7.1").unwrap();
//! assert_eq!((row.name(), row.value(), row.autoload_if_new()), ("segmentflow_consent_required", &b"1"[..], "auto"));
//! ```

mod secret;
mod stored;
mod url;

pub use secret::{Secret, mask_secret};
pub use url::{UrlError, UrlKind, ValidUrl, is_loopback_host, validate_url};

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// `segmentflow_write_key`: the write key; connected ⇔ non-empty.
pub const WRITE_KEY: &str = "segmentflow_write_key";
/// `segmentflow_organization_name`: the organization's display name.
pub const ORGANIZATION_NAME: &str = "segmentflow_organization_name";
/// `segmentflow_organization_id`: the organization's id.
pub const ORGANIZATION_ID: &str = "segmentflow_organization_id";
/// `segmentflow_api_host`: the Segmentflow API base URL.
pub const API_HOST: &str = "segmentflow_api_host";
/// `segmentflow_app_host`: the Segmentflow dashboard base URL.
pub const APP_HOST: &str = "segmentflow_app_host";
/// `segmentflow_debug_mode`: the SDK debug flag.
pub const DEBUG_MODE: &str = "segmentflow_debug_mode";
/// `segmentflow_consent_required`: "Require Consent".
pub const CONSENT_REQUIRED: &str = "segmentflow_consent_required";
/// `segmentflow_wc_enabled`: WooCommerce features on/off.
pub const WC_ENABLED: &str = "segmentflow_wc_enabled";
/// `segmentflow_connected_platform`: `woocommerce` or `wordpress`.
pub const CONNECTED_PLATFORM: &str = "segmentflow_connected_platform";
/// `segmentflow_webhook_secret`: the WooCommerce webhook HMAC secret.
pub const WEBHOOK_SECRET: &str = "segmentflow_webhook_secret";
/// `segmentflow_webhook_delivery_url`: where WooCommerce webhooks go.
pub const WEBHOOK_DELIVERY_URL: &str = "segmentflow_webhook_delivery_url";
/// `segmentflow_activated_at`: first activation time, `Y-m-d H:i:s` in GMT.
pub const ACTIVATED_AT: &str = "segmentflow_activated_at";
/// `segmentflow_sync_state` (ours): the sync checkpoints, PHP-serialized.
pub const SYNC_STATE: &str = "segmentflow_sync_state";
/// `segmentflow_last_sync` (ours): the last sync report, PHP-serialized.
pub const LAST_SYNC: &str = "segmentflow_last_sync";
/// The transient set when WooCommerce is activated on a site connected as
/// plain WordPress (`set_transient(…, true, 0)`).
pub const WC_UPGRADE_NOTICE_TRANSIENT: &str = "segmentflow_wc_upgrade_notice";
/// The `wp_options` row that holds [`WC_UPGRADE_NOTICE_TRANSIENT`] when no
/// persistent object cache is in use.
pub const WC_UPGRADE_NOTICE_OPTION: &str = "_transient_segmentflow_wc_upgrade_notice";

/// The default API host.
pub const DEFAULT_API_HOST: &str = "https://api.segmentflow.ai";
/// The default dashboard host.
pub const DEFAULT_APP_HOST: &str = "https://dashboard.segmentflow.ai";

/// What kind of value an option holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionKind {
    /// Free text.
    Text,
    /// A secret string, shown masked.
    Secret,
    /// A URL.
    Url,
    /// A checkbox: `"1"` or `""`.
    Bool,
    /// `woocommerce`, `wordpress` or empty.
    Platform,
    /// `Y-m-d H:i:s` in GMT.
    DateTime,
    /// A PHP-serialized array.
    Serialized,
}

/// An option's default when its row is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OptionDefault {
    /// A string default (possibly empty).
    Text(&'static str),
    /// A boolean default.
    Bool(bool),
    /// No default: absent means "never set".
    None,
}

impl fmt::Display for OptionDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionDefault::Text(t) => f.write_str(t),
            OptionDefault::Bool(true) => f.write_str("on"),
            OptionDefault::Bool(false) => f.write_str("off"),
            OptionDefault::None => Ok(()),
        }
    }
}

/// One row of the option table: everything a `settings list` needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OptionInfo {
    /// The `option_name`.
    pub name: &'static str,
    /// The value used when the row is absent.
    pub default: OptionDefault,
    /// What the value is.
    pub kind: OptionKind,
    /// One line saying what it is for.
    pub meaning: &'static str,
    /// Whether the value is shown masked.
    pub secret: bool,
    /// The CLI setting that changes it, if the CLI may change it.
    pub setting: Option<Setting>,
    /// Whether the option is the original plugin's (false: ours).
    pub plugin: bool,
}

/// Every option the connector reads or writes, in the plugin's order.
pub const OPTIONS: &[OptionInfo] = &[
    OptionInfo {
        name: WRITE_KEY,
        default: OptionDefault::Text(""),
        kind: OptionKind::Secret,
        meaning: "Write key of the Segmentflow source; the site is connected when it is non-empty",
        secret: true,
        setting: None,
        plugin: true,
    },
    OptionInfo {
        name: ORGANIZATION_NAME,
        default: OptionDefault::Text(""),
        kind: OptionKind::Text,
        meaning: "Display name of the connected Segmentflow organization",
        secret: false,
        setting: None,
        plugin: true,
    },
    OptionInfo {
        name: ORGANIZATION_ID,
        default: OptionDefault::Text(""),
        kind: OptionKind::Text,
        meaning: "Id of the connected Segmentflow organization",
        secret: false,
        setting: None,
        plugin: true,
    },
    OptionInfo {
        name: API_HOST,
        default: OptionDefault::Text(DEFAULT_API_HOST),
        kind: OptionKind::Url,
        meaning: "Base URL of the Segmentflow API (events, connect status, disconnect)",
        secret: false,
        setting: Some(Setting::ApiHost),
        plugin: true,
    },
    OptionInfo {
        name: APP_HOST,
        default: OptionDefault::Text(DEFAULT_APP_HOST),
        kind: OptionKind::Url,
        meaning: "Base URL of the Segmentflow dashboard (connect links)",
        secret: false,
        setting: Some(Setting::AppHost),
        plugin: true,
    },
    OptionInfo {
        name: DEBUG_MODE,
        default: OptionDefault::Bool(false),
        kind: OptionKind::Bool,
        meaning: "Debug logging in the storefront SDK",
        secret: false,
        setting: Some(Setting::DebugMode),
        plugin: true,
    },
    OptionInfo {
        name: CONSENT_REQUIRED,
        default: OptionDefault::Bool(false),
        kind: OptionKind::Bool,
        meaning: "Require Consent: queue tracking until the visitor consents",
        secret: false,
        setting: Some(Setting::ConsentRequired),
        plugin: true,
    },
    OptionInfo {
        name: WC_ENABLED,
        default: OptionDefault::Bool(true),
        kind: OptionKind::Bool,
        meaning: "WooCommerce features (cart context, order events, webhooks) when WooCommerce is active",
        secret: false,
        setting: Some(Setting::WcEnabled),
        plugin: true,
    },
    OptionInfo {
        name: CONNECTED_PLATFORM,
        default: OptionDefault::Text(""),
        kind: OptionKind::Platform,
        meaning: "Platform the site connected as: woocommerce or wordpress",
        secret: false,
        setting: None,
        plugin: true,
    },
    OptionInfo {
        name: WEBHOOK_SECRET,
        default: OptionDefault::Text(""),
        kind: OptionKind::Secret,
        meaning: "HMAC secret of the WooCommerce webhooks (also signs the discounts API)",
        secret: true,
        setting: None,
        plugin: true,
    },
    OptionInfo {
        name: WEBHOOK_DELIVERY_URL,
        default: OptionDefault::Text(""),
        kind: OptionKind::Url,
        meaning: "Where WooCommerce delivers the Segmentflow webhooks",
        secret: false,
        setting: None,
        plugin: true,
    },
    OptionInfo {
        name: ACTIVATED_AT,
        default: OptionDefault::None,
        kind: OptionKind::DateTime,
        meaning: "When the plugin was first activated (GMT)",
        secret: false,
        setting: None,
        plugin: true,
    },
    OptionInfo {
        name: SYNC_STATE,
        default: OptionDefault::None,
        kind: OptionKind::Serialized,
        meaning: "Sync checkpoints per resource (written by segmentflow-wpcli)",
        secret: false,
        setting: None,
        plugin: false,
    },
    OptionInfo {
        name: LAST_SYNC,
        default: OptionDefault::None,
        kind: OptionKind::Serialized,
        meaning: "Report of the last sync run (written by segmentflow-wpcli)",
        secret: false,
        setting: None,
        plugin: false,
    },
];

/// The metadata of one option by name.
pub fn option_info(name: &str) -> Option<&'static OptionInfo> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// Every `option_name` to read to build [`PluginOptions`] (the options in
/// [`OPTIONS`] plus the upgrade-notice transient row).
pub fn names_to_read() -> impl Iterator<Item = &'static str> {
    OPTIONS
        .iter()
        .map(|o| o.name)
        .chain(std::iter::once(WC_UPGRADE_NOTICE_OPTION))
}

/// The platform a site is, or connected as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Plain WordPress.
    WordPress,
    /// WordPress with WooCommerce.
    WooCommerce,
}

impl Platform {
    /// The value the plugin stores: `wordpress` or `woocommerce`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::WordPress => "wordpress",
            Platform::WooCommerce => "woocommerce",
        }
    }

    /// How the plugin shows it: `WordPress` or `WooCommerce`.
    pub fn label(self) -> &'static str {
        match self {
            Platform::WordPress => "WordPress",
            Platform::WooCommerce => "WooCommerce",
        }
    }

    /// The platform of the site right now (the plugin's `get_platform()`).
    pub fn current(woocommerce_active: bool) -> Platform {
        if woocommerce_active {
            Platform::WooCommerce
        } else {
            Platform::WordPress
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `segmentflow_connected_platform` holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordedPlatform {
    /// `wordpress`.
    WordPress,
    /// `woocommerce`.
    WooCommerce,
    /// Empty or absent: connected by a plugin version that did not record
    /// the platform, or not connected.
    Unrecorded,
    /// Anything else (compared exactly, as the plugin does).
    Other(String),
}

impl RecordedPlatform {
    /// Reads the stored value.
    pub fn parse(stored: &str) -> RecordedPlatform {
        match stored {
            "wordpress" => RecordedPlatform::WordPress,
            "woocommerce" => RecordedPlatform::WooCommerce,
            "" => RecordedPlatform::Unrecorded,
            other => RecordedPlatform::Other(other.to_string()),
        }
    }

    /// The platform the plugin's Connection tab shows: WooCommerce only for
    /// `woocommerce`, WordPress for everything else (empty included).
    pub fn displayed(&self) -> Platform {
        match self {
            RecordedPlatform::WooCommerce => Platform::WooCommerce,
            _ => Platform::WordPress,
        }
    }
}

/// Something unexpected in a stored option; the option was read as the
/// plugin would and the problem is reported beside it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OptionProblem {
    /// A serialized array/object where a string belongs (the plugin would
    /// read `"Array"`); the default was used instead.
    #[error("option {name}: holds a serialized array or object, not a string; using the default")]
    NotAScalar {
        /// The option name.
        name: &'static str,
    },
    /// A serialized payload PHP cannot read (`get_option` gives `false`);
    /// the default was used instead.
    #[error("option {name}: holds a broken serialized value; using the default")]
    Broken {
        /// The option name.
        name: &'static str,
    },
    /// Bytes that are not UTF-8; invalid sequences were replaced.
    #[error("option {name}: is not valid UTF-8")]
    NotUtf8 {
        /// The option name.
        name: &'static str,
    },
}

/// The plugin's options, read from raw `option_value` bytes as the plugin
/// reads them. `Debug` shows secrets masked.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginOptions {
    /// `segmentflow_write_key`.
    pub write_key: Secret,
    /// `segmentflow_organization_name`.
    pub organization_name: String,
    /// `segmentflow_organization_id`.
    pub organization_id: String,
    /// `segmentflow_api_host`, as stored (see [`PluginOptions::api_host_url`]).
    pub api_host: String,
    /// `segmentflow_app_host`, as stored (see [`PluginOptions::app_host_url`]).
    pub app_host: String,
    /// `segmentflow_debug_mode`.
    pub debug_mode: bool,
    /// `segmentflow_consent_required`.
    pub consent_required: bool,
    /// `segmentflow_wc_enabled` (absent ⇒ true).
    pub wc_enabled: bool,
    /// `segmentflow_connected_platform`.
    pub connected_platform: RecordedPlatform,
    /// `segmentflow_webhook_secret`.
    pub webhook_secret: Secret,
    /// `segmentflow_webhook_delivery_url`, as stored.
    pub webhook_delivery_url: String,
    /// `segmentflow_activated_at`, when present.
    pub activated_at: Option<String>,
    /// Whether the `segmentflow_wc_upgrade_notice` transient is set.
    pub wc_upgrade_notice: bool,
    /// Names of the options that have a row (the others are defaults).
    pub stored: Vec<&'static str>,
    /// Oddities found while reading.
    pub problems: Vec<OptionProblem>,
}

impl Default for PluginOptions {
    /// The options of a site where no row exists (all defaults).
    fn default() -> Self {
        PluginOptions::from_rows(std::iter::empty())
    }
}

impl PluginOptions {
    /// Reads the options from `(option_name, option_value)` rows. Unknown
    /// names are ignored; an absent row gives the plugin's default. When a
    /// name appears twice the last row wins.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> PluginOptions {
        let mut raw: BTreeMap<&'static str, &'a [u8]> = BTreeMap::new();
        for (name, value) in rows {
            if let Some(known) = names_to_read().find(|n| *n == name) {
                raw.insert(known, value);
            }
        }
        let mut problems = Vec::new();
        let mut text = |name: &'static str, default: &str| -> String {
            let Some(bytes) = raw.get(name) else {
                return default.to_string();
            };
            let (value, problem) = stored::read_string(bytes);
            match problem {
                None => value.into_owned(),
                Some(stored::StringProblem::NotUtf8) => {
                    problems.push(OptionProblem::NotUtf8 { name });
                    value.into_owned()
                }
                Some(stored::StringProblem::Broken) => {
                    problems.push(OptionProblem::Broken { name });
                    default.to_string()
                }
                Some(stored::StringProblem::NotAScalar) => {
                    problems.push(OptionProblem::NotAScalar { name });
                    default.to_string()
                }
            }
        };
        let write_key = Secret::new(text(WRITE_KEY, ""));
        let organization_name = text(ORGANIZATION_NAME, "");
        let organization_id = text(ORGANIZATION_ID, "");
        let api_host = text(API_HOST, DEFAULT_API_HOST);
        let app_host = text(APP_HOST, DEFAULT_APP_HOST);
        let connected_platform = RecordedPlatform::parse(&text(CONNECTED_PLATFORM, ""));
        let webhook_secret = Secret::new(text(WEBHOOK_SECRET, ""));
        let webhook_delivery_url = text(WEBHOOK_DELIVERY_URL, "");
        let activated_at = raw
            .contains_key(ACTIVATED_AT)
            .then(|| text(ACTIVATED_AT, ""));
        let flag = |name: &str, default: bool| stored::read_bool(raw.get(name).copied(), default);
        PluginOptions {
            write_key,
            organization_name,
            organization_id,
            api_host,
            app_host,
            debug_mode: flag(DEBUG_MODE, false),
            consent_required: flag(CONSENT_REQUIRED, false),
            wc_enabled: flag(WC_ENABLED, true),
            connected_platform,
            webhook_secret,
            webhook_delivery_url,
            activated_at,
            wc_upgrade_notice: flag(WC_UPGRADE_NOTICE_OPTION, false),
            stored: OPTIONS
                .iter()
                .map(|o| o.name)
                .filter(|n| raw.contains_key(n))
                .collect(),
            problems,
        }
    }

    /// Whether the site is connected: the write key is not PHP-`empty()`
    /// (neither `""` nor `"0"`).
    pub fn is_connected(&self) -> bool {
        let key = self.write_key.expose();
        !(key.is_empty() || key == "0")
    }

    /// The API host, validated (see [`validate_url`]).
    pub fn api_host_url(&self) -> Result<ValidUrl, UrlError> {
        validate_url(API_HOST, &self.api_host, UrlKind::Host)
    }

    /// The dashboard host, validated (see [`validate_url`]).
    pub fn app_host_url(&self) -> Result<ValidUrl, UrlError> {
        validate_url(APP_HOST, &self.app_host, UrlKind::Host)
    }

    /// `segmentflow_activated_at` as a UTC timestamp, when it parses.
    pub fn activated_at_utc(&self) -> Option<jiff::Timestamp> {
        let text = self.activated_at.as_deref()?;
        let civil: jiff::civil::DateTime = text.trim().replace(' ', "T").parse().ok()?;
        jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()
    }

    /// Whether the option has a row (rather than its default).
    pub fn is_stored(&self, name: &str) -> bool {
        self.stored.contains(&name)
    }

    /// The current value of every option in [`OPTIONS`] for display,
    /// secrets masked.
    pub fn entries(&self) -> Vec<OptionEntry> {
        OPTIONS
            .iter()
            .map(|info| {
                let flag = |b: bool| if b { "on" } else { "off" }.to_string();
                let value = match info.name {
                    WRITE_KEY => Some(self.write_key.masked()),
                    ORGANIZATION_NAME => Some(self.organization_name.clone()),
                    ORGANIZATION_ID => Some(self.organization_id.clone()),
                    API_HOST => Some(self.api_host.clone()),
                    APP_HOST => Some(self.app_host.clone()),
                    DEBUG_MODE => Some(flag(self.debug_mode)),
                    CONSENT_REQUIRED => Some(flag(self.consent_required)),
                    WC_ENABLED => Some(flag(self.wc_enabled)),
                    CONNECTED_PLATFORM => Some(match &self.connected_platform {
                        RecordedPlatform::WordPress => "wordpress".to_string(),
                        RecordedPlatform::WooCommerce => "woocommerce".to_string(),
                        RecordedPlatform::Unrecorded => String::new(),
                        RecordedPlatform::Other(o) => o.clone(),
                    }),
                    WEBHOOK_SECRET => Some(self.webhook_secret.masked()),
                    WEBHOOK_DELIVERY_URL => Some(self.webhook_delivery_url.clone()),
                    ACTIVATED_AT => self.activated_at.clone(),
                    // Serialized options of ours are not decoded here.
                    _ => None,
                };
                OptionEntry {
                    name: info.name,
                    value,
                    stored: self.is_stored(info.name),
                    info,
                }
            })
            .collect()
    }
}

/// One option's current value, for a `settings list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionEntry {
    /// The option name.
    pub name: &'static str,
    /// The value as the plugin reads it (secrets masked, booleans `on`/`off`);
    /// `None` for serialized options and an absent `activated_at`.
    pub value: Option<String>,
    /// Whether a row exists (false: the default applies).
    pub stored: bool,
    /// The option's metadata.
    #[serde(skip)]
    pub info: &'static OptionInfo,
}

/// The `autoload` value a newly added option gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Autoload {
    /// `auto` (WordPress ≥ 6.6, caller expressed no preference).
    #[serde(rename = "auto")]
    Auto,
    /// `yes` (WordPress before 6.6).
    #[serde(rename = "yes")]
    Yes,
}

impl Autoload {
    /// What `add_option()` without an autoload argument writes on the given
    /// WordPress version (`6.7.1`, `6.6-RC1`, `6.5`): `auto` from 6.6 on,
    /// `yes` before.
    pub fn for_wordpress(version: &str) -> Result<Autoload, VersionError> {
        let bad = || VersionError {
            version: version.to_string(),
        };
        let numeric = version.trim().split(['-', '+']).next().unwrap_or_default();
        let mut parts = numeric.split('.');
        let major: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor: u32 = match parts.next() {
            None => 0,
            Some(p) => p.parse().map_err(|_| bad())?,
        };
        Ok(if (major, minor) >= (6, 6) {
            Autoload::Auto
        } else {
            Autoload::Yes
        })
    }

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Autoload::Auto => "auto",
            Autoload::Yes => "yes",
        }
    }
}

/// A WordPress version string that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unrecognized WordPress version {version:?} (expected e.g. 6.7.1)")]
pub struct VersionError {
    /// The version as given.
    pub version: String,
}

/// One `wp_options` row to write, as `update_option()` would store it.
///
/// `autoload_if_new` applies only when the row is inserted:
/// `update_option()` keeps an existing row's autoload. The row is meant to
/// be written even when it equals the default — `update_option(false)` on an
/// absent `segmentflow_wc_enabled` would be a no-op in PHP and leave the
/// default (true) in force, which is not what the caller asked for.
///
/// `Debug` and `Serialize` show secret values masked; [`OptionRow::value`]
/// gives the bytes to store.
#[derive(Clone, PartialEq, Eq)]
pub struct OptionRow {
    name: &'static str,
    value: Vec<u8>,
    autoload: Autoload,
    secret: bool,
}

impl OptionRow {
    /// A row for a known option; secrecy comes from [`OPTIONS`].
    pub fn new(name: &'static str, value: impl Into<Vec<u8>>, autoload: Autoload) -> OptionRow {
        OptionRow {
            name,
            value: value.into(),
            autoload,
            secret: option_info(name).is_some_and(|o| o.secret),
        }
    }

    /// The `option_name`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The exact `option_value` bytes.
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// The `autoload` value for an insert (`auto` or `yes`).
    pub fn autoload_if_new(&self) -> &'static str {
        self.autoload.as_str()
    }

    /// Whether the value is a secret.
    pub fn is_secret(&self) -> bool {
        self.secret
    }

    /// The value for people: masked when secret.
    pub fn display_value(&self) -> String {
        let text = String::from_utf8_lossy(&self.value);
        if self.secret {
            mask_secret(&text)
        } else {
            text.into_owned()
        }
    }
}

impl fmt::Debug for OptionRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OptionRow")
            .field("name", &self.name)
            .field("value", &self.display_value())
            .field("autoload_if_new", &self.autoload.as_str())
            .finish()
    }
}

impl Serialize for OptionRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("OptionRow", 3)?;
        s.serialize_field("name", self.name)?;
        s.serialize_field("value", &self.display_value())?;
        s.serialize_field("autoload_if_new", self.autoload.as_str())?;
        s.end()
    }
}

/// `update_option()` of a PHP boolean: `true` → `1`, `false` → empty.
pub fn bool_option_value(value: bool) -> &'static [u8] {
    if value { b"1" } else { b"" }
}

/// A setting the CLI may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// `debug_mode` → `segmentflow_debug_mode`.
    DebugMode,
    /// `consent_required` → `segmentflow_consent_required`.
    ConsentRequired,
    /// `api_host` → `segmentflow_api_host`.
    ApiHost,
    /// `app_host` → `segmentflow_app_host`.
    AppHost,
    /// `wc_enabled` → `segmentflow_wc_enabled`.
    WcEnabled,
}

/// Words accepted for a boolean setting.
pub const BOOL_WORDS: &str = "on, off, true, false, yes, no, 1, 0";

impl Setting {
    /// Every settable setting.
    pub const ALL: [Setting; 5] = [
        Setting::DebugMode,
        Setting::ConsentRequired,
        Setting::ApiHost,
        Setting::AppHost,
        Setting::WcEnabled,
    ];

    /// The short name used on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Setting::DebugMode => "debug_mode",
            Setting::ConsentRequired => "consent_required",
            Setting::ApiHost => "api_host",
            Setting::AppHost => "app_host",
            Setting::WcEnabled => "wc_enabled",
        }
    }

    /// The option it writes.
    pub fn option_name(self) -> &'static str {
        match self {
            Setting::DebugMode => DEBUG_MODE,
            Setting::ConsentRequired => CONSENT_REQUIRED,
            Setting::ApiHost => API_HOST,
            Setting::AppHost => APP_HOST,
            Setting::WcEnabled => WC_ENABLED,
        }
    }

    /// Finds a setting by its short name (`debug_mode`), its dashed form
    /// (`debug-mode`) or its option name (`segmentflow_debug_mode`),
    /// ignoring ASCII case.
    pub fn from_name(name: &str) -> Result<Setting, SettingError> {
        let normalized = name.trim().to_ascii_lowercase().replace('-', "_");
        let short = normalized
            .strip_prefix("segmentflow_")
            .unwrap_or(&normalized);
        Setting::ALL
            .into_iter()
            .find(|s| s.key() == short)
            .ok_or_else(|| SettingError::UnknownSetting {
                name: name.to_string(),
            })
    }

    /// Parses a value typed by a person: booleans accept [`BOOL_WORDS`]
    /// (any case), hosts go through [`validate_url`].
    pub fn parse_value(self, input: &str) -> Result<SettingValue, SettingError> {
        match self {
            Setting::ApiHost | Setting::AppHost => {
                validate_url(self.option_name(), input, UrlKind::Host)
                    .map(|url| SettingValue::Url(self, url))
                    .map_err(SettingError::Url)
            }
            _ => parse_bool_word(input)
                .map(|b| SettingValue::Bool(self, b))
                .ok_or_else(|| SettingError::InvalidBool {
                    setting: self.key(),
                    value: input.to_string(),
                }),
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// `on/off/true/false/yes/no/1/0`, trimmed, any ASCII case.
pub fn parse_bool_word(input: &str) -> Option<bool> {
    match input.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Some(true),
        "off" | "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// A validated new value for a [`Setting`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    /// A checkbox setting.
    Bool(Setting, bool),
    /// A host setting.
    Url(Setting, ValidUrl),
}

impl SettingValue {
    /// The setting being changed.
    pub fn setting(&self) -> Setting {
        match self {
            SettingValue::Bool(s, _) | SettingValue::Url(s, _) => *s,
        }
    }

    /// The row `update_option()` would write, with the autoload an insert
    /// gets on `wordpress_version`.
    pub fn to_row(&self, wordpress_version: &str) -> Result<OptionRow, VersionError> {
        let autoload = Autoload::for_wordpress(wordpress_version)?;
        Ok(self.to_row_with(autoload))
    }

    /// The row, with an explicit autoload.
    pub fn to_row_with(&self, autoload: Autoload) -> OptionRow {
        match self {
            SettingValue::Bool(s, b) => {
                OptionRow::new(s.option_name(), bool_option_value(*b), autoload)
            }
            SettingValue::Url(s, url) => OptionRow::new(s.option_name(), url.as_str(), autoload),
        }
    }
}

/// Why a setting change was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingError {
    /// The setting name is not one the CLI may change.
    #[error(
        "unknown setting {name:?}; settable: debug_mode, consent_required, api_host, app_host, wc_enabled"
    )]
    UnknownSetting {
        /// The name as given.
        name: String,
    },
    /// A boolean setting got something else.
    #[error(
        "{setting}: {value:?} is not a boolean; use one of: on, off, true, false, yes, no, 1, 0"
    )]
    InvalidBool {
        /// The setting's short name.
        setting: &'static str,
        /// The value as given.
        value: String,
    },
    /// A host setting got an unacceptable URL.
    #[error(transparent)]
    Url(#[from] UrlError),
}

#[cfg(test)]
mod tests;
