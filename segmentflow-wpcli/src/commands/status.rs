//! `status`: what the plugin's Connection and WooCommerce tabs show, plus
//! facts about the site, as one record in every output format.
//!
//! The decisions are the core's: `PluginOptions::from_rows` reads the
//! options as the plugin does, `connection::Connection::from_options` says
//! connected / platform / upgrade available, `webhooks::registration::health`
//! judges the `wc_webhooks` rows. Facts the PHP package knew are taken from
//! its context; the ones it sent as `null` (under `@when
//! after_wp_config_load`) are read from the database.
//!
//! Fields (stable names; the first group is what the plugin shows):
//!
//! | field | value |
//! |---|---|
//! | `connected` | bool |
//! | `organization_name`, `organization_id` | string; null when disconnected |
//! | `platform` | `wordpress` / `woocommerce` as connected; null when disconnected |
//! | `write_key` | masked (`sk_live…a1b2`); null when disconnected |
//! | `tracking` | bool: the storefront script is served (connected ⇒ tracking) |
//! | `consent_required`, `debug_mode`, `wc_enabled` | bool |
//! | `api_host`, `app_host` | string, as stored or the default |
//! | `upgrade_available` | bool: WooCommerce appeared after a WordPress-only connection |
//! | `woocommerce_active` | bool |
//! | `woocommerce_version`, `currency` | string or null |
//! | `hpos_enabled`, `hpos_sync_enabled` | bool (`woocommerce_custom_orders_table_enabled` / `…_data_sync_enabled` = `yes`) |
//! | `order_storage` | `hpos` or `posts` (the authoritative store); null without WooCommerce |
//! | `webhooks` | summary: `10 of 10 active`, the problems per topic, or `WooCommerce tables missing` |
//! | `webhooks_ok` | bool; null when the table is missing |
//! | `webhook_topics` | per topic: `topic`, `present`, `webhook_id`, `status`, `failure_count`, `disabled`, `failing` (active with failed deliveries), `ok` (default field for json and yaml only) |
//! | `last_sync` | the decoded `segmentflow_last_sync` report; `unreadable (N bytes)` when it cannot be decoded; null when absent |
//! | `site_url`, `home_url`, `blog_id`, `multisite`, `database`, `wp_version`, `wp_db_version` | the site |
//!
//! Secrets are never printed unmasked: the write key goes through the core's
//! `mask_secret`, webhook secrets are not shown at all.

use serde_json::{Value, json};

use segmentflow_core::connection::Connection;
use segmentflow_core::options::{self as core_options, PluginOptions};
use segmentflow_core::webhooks::registration::{self, Health, WebhookRow};
use segmentflow_core::webhooks::{ApiVersion, WebhookSecret, WebhookStatus};
use segmentflow_core::wpconfig::Table;

use crate::config::Status;
use crate::exit::ExitStatus;
use crate::output::{self, Format, Printer, Record};
use crate::wordpress::db::{Engine, Param};
use crate::wordpress::{options, site::Site, webhooks};

/// The fields shown without `--fields` (plus [`DETAIL_FIELDS`] for json and
/// yaml).
pub const DEFAULT_FIELDS: &[&str] = &[
    "connected",
    "organization_name",
    "organization_id",
    "platform",
    "write_key",
    "tracking",
    "consent_required",
    "debug_mode",
    "wc_enabled",
    "api_host",
    "app_host",
    "upgrade_available",
    "woocommerce_active",
    "woocommerce_version",
    "currency",
    "hpos_enabled",
    "hpos_sync_enabled",
    "order_storage",
    "webhooks",
    "webhooks_ok",
    "last_sync",
    "site_url",
    "home_url",
    "blog_id",
    "multisite",
    "database",
    "wp_version",
    "wp_db_version",
];

/// Structured fields shown by default only in json and yaml (a table cell
/// would hold a long JSON text); any format shows them with `--fields`.
pub const DETAIL_FIELDS: &[&str] = &["webhook_topics"];

/// The plugin file WordPress records in `active_plugins` for WooCommerce.
const WOOCOMMERCE_PLUGIN: &str = "woocommerce/woocommerce.php";

/// The summary when `{prefix}wc_webhooks` does not exist.
pub const TABLES_MISSING: &str = "WooCommerce tables missing";

/// Site options read besides the plugin's own.
const SITE_OPTIONS: &[&str] = &[
    "siteurl",
    "home",
    "db_version",
    "active_plugins",
    "woocommerce_version",
    "woocommerce_currency",
    "woocommerce_custom_orders_table_enabled",
    "woocommerce_custom_orders_table_data_sync_enabled",
];

/// Whether a serialized plugin list/map mentions a plugin file.
///
/// The serialized string token is exact (length-prefixed), so this never
/// matches a different plugin; it does not need the PHP codec.
fn serialized_mentions(raw: &[u8], plugin: &str) -> bool {
    let token = format!("s:{}:\"{}\";", plugin.len(), plugin);
    raw.windows(token.len()).any(|w| w == token.as_bytes())
}

/// `segmentflow_last_sync` for display: decoded when the PHP codec can,
/// otherwise a note with its size; null when absent.
fn last_sync(raw: Option<&[u8]>) -> Value {
    let Some(raw) = raw else {
        return Value::Null;
    };
    match segmentflow_core::php::decode(raw.trim_ascii()) {
        Ok(value) => super::options_get::php_to_json(&value)
            .unwrap_or_else(|_| Value::String(format!("unreadable ({} bytes)", raw.len()))),
        Err(_) => Value::String(format!("unreadable ({} bytes)", raw.len())),
    }
}

/// One line about the webhooks, and whether all is well.
fn webhook_summary(health: &Health, rows: &[WebhookRow]) -> String {
    let total = health.topics.len();
    let active = health
        .topics
        .iter()
        .filter(|t| t.status == Some(WebhookStatus::Active))
        .count();
    let mut parts = vec![format!("{active} of {total} active")];
    let mut by_kind: Vec<(&str, Vec<String>)> = vec![
        ("missing", Vec::new()),
        ("paused", Vec::new()),
        ("disabled", Vec::new()),
        ("failing", Vec::new()),
        ("duplicated", Vec::new()),
        ("outdated", Vec::new()),
    ];
    let mut push = |kind: &str, text: String| {
        if let Some((_, list)) = by_kind.iter_mut().find(|(k, _)| *k == kind) {
            list.push(text);
        }
    };
    for t in &health.topics {
        let topic = t.topic.as_str().to_owned();
        match t.status {
            None => push("missing", topic.clone()),
            Some(WebhookStatus::Paused) => push("paused", topic.clone()),
            Some(WebhookStatus::Disabled) => push("disabled", topic.clone()),
            Some(WebhookStatus::Active) => {
                let failures = t.failure_count.unwrap_or(0);
                if failures > 0 {
                    push("failing", format!("{topic} ({failures} failures)"));
                }
                if t.credentials_current == Some(false) {
                    push("outdated", topic.clone());
                }
            }
        }
        if t.duplicates > 0 {
            push("duplicated", format!("{topic} (+{})", t.duplicates));
        }
    }
    for (kind, list) in by_kind {
        if !list.is_empty() {
            parts.push(format!("{kind}: {}", list.join(", ")));
        }
    }
    if !health.unknown_topic_rows.is_empty() {
        let unknown: Vec<String> = rows
            .iter()
            .filter(|r| health.unknown_topic_rows.contains(&r.webhook_id))
            .map(|r| format!("{} (#{})", r.topic, r.webhook_id))
            .collect();
        parts.push(format!("unknown topics: {}", unknown.join(", ")));
    }
    parts.join("; ")
}

fn topic_details(health: &Health) -> Value {
    Value::Array(
        health
            .topics
            .iter()
            .map(|t| {
                json!({
                    "topic": t.topic.as_str(),
                    "present": t.present,
                    "webhook_id": t.webhook_id,
                    "status": t.status.map(WebhookStatus::as_str),
                    "failure_count": t.failure_count,
                    "disabled": t.disabled,
                    "failing": t.status == Some(WebhookStatus::Active)
                        && t.failure_count.unwrap_or(0) > 0,
                    "ok": t.ok,
                })
            })
            .collect(),
    )
}

/// What the webhooks should carry: the stored credentials, when connected
/// with both stored (otherwise rows are judged without them).
fn expected_webhooks(plugin: &PluginOptions) -> Option<registration::Connection> {
    if !plugin.is_connected() {
        return None;
    }
    registration::Connection::new(
        plugin.webhook_delivery_url.clone(),
        WebhookSecret::new(plugin.webhook_secret.expose()),
        ApiVersion::PLUGIN_DEFAULT,
        0,
    )
    .ok()
}

/// Runs the command.
pub fn run(site: &mut Site, opts: &Status, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let options_table = site.options_table()?;
    let plugin = options::read_plugin_options(&mut site.db, &options_table)?;
    for problem in &plugin.problems {
        printer.warning(&problem.to_string());
    }
    let rows = options::get_many(&mut site.db, &options_table, SITE_OPTIONS)?;
    let find = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .map(|r| r.value.as_slice())
    };
    let text = |name: &str| find(name).map(|v| String::from_utf8_lossy(v).into_owned());
    let yes = |name: &str| find(name) == Some(b"yes".as_slice());
    let ctx = site.context.clone();

    // WooCommerce: what PHP saw, else the active plugin lists.
    let wc_active = match ctx.as_ref().and_then(|c| c.wc_active) {
        Some(active) => active,
        None => {
            let mut active =
                find("active_plugins").is_some_and(|v| serialized_mentions(v, WOOCOMMERCE_PLUGIN));
            if !active && site.multisite {
                let sql = format!(
                    "SELECT meta_value FROM {} WHERE meta_key = 'active_sitewide_plugins' LIMIT 1",
                    site.table(Table::Sitemeta)?.quoted()
                );
                if let Some(row) = site.db.query_first(&sql, &[] as &[Param<'_>])? {
                    active =
                        serialized_mentions(row.bytes(0)?.unwrap_or_default(), WOOCOMMERCE_PLUGIN);
                }
            }
            active
        }
    };
    let wc_context = ctx.as_ref().and_then(|c| c.woocommerce.clone());
    let wc_version = wc_context
        .as_ref()
        .map(|w| w.version.clone())
        .or_else(|| text("woocommerce_version"));
    let hpos_enabled = wc_context
        .as_ref()
        .and_then(|w| w.hpos)
        .unwrap_or_else(|| yes("woocommerce_custom_orders_table_enabled"));

    let connection = Connection::from_options(&plugin, wc_active);
    let connected_site = match &connection {
        Connection::Connected(site) => Some(site),
        _ => None,
    };

    let webhook_table = site.table(Table::WcWebhooks)?;
    let webhook_rows = webhooks::read_all(&mut site.db, &webhook_table)?;
    let expected = expected_webhooks(&plugin);
    let health = webhook_rows
        .as_ref()
        .map(|rows| registration::health_default(rows, expected.as_ref()));

    let mut item = Record::new();
    let opt_str = |v: Option<String>| v.map_or(Value::Null, Value::String);
    item.insert("connected".into(), Value::Bool(connection.is_connected()));
    item.insert(
        "organization_name".into(),
        opt_str(connected_site.map(|s| s.organization.name.clone())),
    );
    item.insert(
        "organization_id".into(),
        opt_str(connected_site.map(|s| s.organization.id.clone())),
    );
    item.insert(
        "platform".into(),
        opt_str(connected_site.map(|s| s.platform.as_str().to_owned())),
    );
    item.insert(
        "write_key".into(),
        opt_str(connected_site.map(|s| s.write_key.masked())),
    );
    item.insert("tracking".into(), Value::Bool(connection.is_connected()));
    item.insert(
        "consent_required".into(),
        Value::Bool(plugin.consent_required),
    );
    item.insert("debug_mode".into(), Value::Bool(plugin.debug_mode));
    item.insert("wc_enabled".into(), Value::Bool(plugin.wc_enabled));
    item.insert("api_host".into(), Value::String(plugin.api_host.clone()));
    item.insert("app_host".into(), Value::String(plugin.app_host.clone()));
    item.insert(
        "upgrade_available".into(),
        Value::Bool(connection.upgrade_available()),
    );
    item.insert("woocommerce_active".into(), Value::Bool(wc_active));
    item.insert("woocommerce_version".into(), opt_str(wc_version));
    item.insert("currency".into(), opt_str(text("woocommerce_currency")));
    item.insert("hpos_enabled".into(), Value::Bool(hpos_enabled));
    item.insert(
        "hpos_sync_enabled".into(),
        Value::Bool(yes("woocommerce_custom_orders_table_data_sync_enabled")),
    );
    item.insert(
        "order_storage".into(),
        if wc_active {
            Value::String(if hpos_enabled { "hpos" } else { "posts" }.into())
        } else {
            Value::Null
        },
    );
    match (&health, &webhook_rows) {
        (Some(health), Some(rows)) => {
            item.insert(
                "webhooks".into(),
                Value::String(webhook_summary(health, rows)),
            );
            item.insert("webhooks_ok".into(), Value::Bool(health.ok));
            item.insert("webhook_topics".into(), topic_details(health));
        }
        _ => {
            item.insert("webhooks".into(), Value::String(TABLES_MISSING.into()));
            item.insert("webhooks_ok".into(), Value::Null);
            item.insert("webhook_topics".into(), Value::Null);
        }
    }
    item.insert(
        "last_sync".into(),
        last_sync(find_plugin_row(site, &options_table)?.as_deref()),
    );
    item.insert(
        "site_url".into(),
        opt_str(
            ctx.as_ref()
                .and_then(|c| c.site_url.clone())
                .or_else(|| text("siteurl")),
        ),
    );
    item.insert(
        "home_url".into(),
        opt_str(
            ctx.as_ref()
                .and_then(|c| c.home_url.clone())
                .or_else(|| text("home")),
        ),
    );
    item.insert("blog_id".into(), Value::from(site.blog_id));
    item.insert("multisite".into(), Value::Bool(site.multisite));
    item.insert(
        "database".into(),
        Value::String(
            match site.db.engine() {
                Engine::Mysql => "mysql",
                Engine::Sqlite => "sqlite",
            }
            .into(),
        ),
    );
    item.insert("wp_version".into(), opt_str(site.wp_version.clone()));
    item.insert(
        "wp_db_version".into(),
        text("db_version")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map_or(Value::Null, Value::from),
    );

    let defaults: Vec<&str> = match opts.format {
        Format::Json | Format::Yaml => DEFAULT_FIELDS
            .iter()
            .chain(DETAIL_FIELDS)
            .copied()
            .collect(),
        _ => DEFAULT_FIELDS.to_vec(),
    };
    let fields = opts.fields.resolve(&defaults);
    let out = output::render_item(opts.format, &fields, &item, printer.piped())?;
    printer.result(&out)?;
    Ok(ExitStatus::Success)
}

/// The raw `segmentflow_last_sync` row (the plugin options reader does not
/// decode our serialized options).
fn find_plugin_row(
    site: &mut Site,
    table: &segmentflow_core::wpconfig::TableName,
) -> anyhow::Result<Option<Vec<u8>>> {
    Ok(options::get(&mut site.db, table, core_options::LAST_SYNC)?.map(|row| row.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_tokens() {
        let cases: &[(&[u8], bool)] = &[
            (br#"a:1:{i:0;s:27:"woocommerce/woocommerce.php";}"#, true),
            (
                br#"a:1:{s:27:"woocommerce/woocommerce.php";i:1700000000;}"#,
                true,
            ),
            (
                br#"a:1:{i:0;s:33:"woocommerce-xyz/woocommerce.php.bak";}"#,
                false,
            ),
            (b"a:0:{}", false),
        ];
        for (raw, want) in cases {
            assert_eq!(
                serialized_mentions(raw, "woocommerce/woocommerce.php"),
                *want
            );
        }
    }

    #[test]
    fn last_sync_never_panics() {
        assert_eq!(last_sync(None), Value::Null);
        // Whatever the codec can do, a broken value is reported by size.
        assert_eq!(
            last_sync(Some(b"a:9:{broken")),
            Value::String("unreadable (11 bytes)".into())
        );
        let raw = br#"a:1:{s:8:"finished";s:19:"2026-11-28 01:00:00";}"#;
        let v = last_sync(Some(raw));
        assert!(
            v.is_object() || v == Value::String(format!("unreadable ({} bytes)", raw.len())),
            "{v}"
        );
    }

    fn row(id: u64, topic: &str, status: &str, failures: i16) -> WebhookRow {
        WebhookRow {
            webhook_id: id,
            status: status.into(),
            name: format!("Segmentflow: {topic}"),
            user_id: 1,
            delivery_url: "https://h.example/wc".into(),
            secret: WebhookSecret::new("whsec_0123456789abcdef"),
            topic: topic.into(),
            date_created: None,
            date_created_gmt: None,
            date_modified: None,
            date_modified_gmt: None,
            api_version: 2,
            failure_count: failures,
            pending_delivery: false,
        }
    }

    #[test]
    fn webhook_summaries() {
        use segmentflow_core::webhooks::Topic;
        let all: Vec<WebhookRow> = Topic::ALL
            .iter()
            .enumerate()
            .map(|(i, t)| row(i as u64 + 1, t.as_str(), "active", 0))
            .collect();
        let cases: Vec<(Vec<WebhookRow>, &str)> = vec![
            (all.clone(), "10 of 10 active"),
            (
                Vec::new(),
                "0 of 10 active; missing: order.created, order.updated, order.deleted, order.restored, customer.created, customer.updated, customer.deleted, product.created, product.updated, product.deleted",
            ),
            (
                {
                    let mut rows = all.clone();
                    rows[0].status = "paused".into();
                    rows[1].failure_count = 3;
                    rows[2].status = "disabled".into();
                    rows.pop();
                    rows.push(row(50, "coupon.created", "active", 0));
                    rows
                },
                "7 of 10 active; missing: product.deleted; paused: order.created; disabled: order.deleted; failing: order.updated (3 failures); unknown topics: coupon.created (#50)",
            ),
        ];
        for (rows, want) in cases {
            let health = registration::health_default(&rows, None);
            assert_eq!(webhook_summary(&health, &rows), want);
        }
    }
}
