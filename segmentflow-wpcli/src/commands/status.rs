//! `status`: facts about the site, in every output format.
//!
//! A first skeleton: the site and WooCommerce facts read straight from the
//! options table. The plugin's connection state joins these fields once the
//! core's `options` module is merged (SEAM(core::options)).

use serde_json::Value;

use crate::config::Status;
use crate::exit::ExitStatus;
use crate::output::{self, Printer, Record};
use crate::wordpress::{db::Engine, options, site::Site};

/// The fields shown without `--fields`.
pub const DEFAULT_FIELDS: &[&str] = &[
    "site_url",
    "home_url",
    "blog_id",
    "multisite",
    "database",
    "wp_db_version",
    "woocommerce_active",
    "woocommerce_version",
    "hpos_enabled",
    "hpos_sync_enabled",
];

/// The plugin file WordPress records in `active_plugins` for WooCommerce.
const WOOCOMMERCE_PLUGIN: &str = "woocommerce/woocommerce.php";

/// Whether a serialized plugin list/map mentions a plugin file.
///
/// SEAM(core::php): decode with the core's codec once merged; the
/// serialized string token is exact (length-prefixed), so this never
/// matches a different plugin.
fn serialized_mentions(raw: &[u8], plugin: &str) -> bool {
    let token = format!("s:{}:\"{}\";", plugin.len(), plugin);
    raw.windows(token.len()).any(|w| w == token.as_bytes())
}

/// Runs the command.
pub fn run(site: &mut Site, opts: &Status, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let names = [
        "siteurl",
        "home",
        "db_version",
        "active_plugins",
        "woocommerce_version",
        "woocommerce_custom_orders_table_enabled",
        "woocommerce_custom_orders_table_data_sync_enabled",
    ];
    let rows = options::get_many(&mut site.db, &site.prefix, &names)?;
    let find = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .map(|r| r.value.as_slice())
    };
    let text = |name: &str| find(name).map(|v| String::from_utf8_lossy(v).into_owned());
    let yes = |name: &str| find(name) == Some(b"yes".as_slice());

    let mut wc_active =
        find("active_plugins").is_some_and(|v| serialized_mentions(v, WOOCOMMERCE_PLUGIN));
    if !wc_active && site.multisite {
        let sql = format!(
            "SELECT meta_value FROM {} WHERE meta_key = 'active_sitewide_plugins' LIMIT 1",
            site.prefix.global_table("sitemeta")
        );
        if let Some(row) = site.db.query_first(&sql, &[])? {
            wc_active = serialized_mentions(row.bytes(0)?.unwrap_or_default(), WOOCOMMERCE_PLUGIN);
        }
    }

    let mut item = Record::new();
    let opt_str = |v: Option<String>| v.map_or(Value::Null, Value::String);
    item.insert("site_url".into(), opt_str(text("siteurl")));
    item.insert("home_url".into(), opt_str(text("home")));
    item.insert("blog_id".into(), Value::from(site.prefix.blog_id()));
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
    item.insert(
        "wp_db_version".into(),
        text("db_version")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map_or(Value::Null, Value::from),
    );
    item.insert("woocommerce_active".into(), Value::Bool(wc_active));
    item.insert(
        "woocommerce_version".into(),
        opt_str(text("woocommerce_version")),
    );
    item.insert(
        "hpos_enabled".into(),
        Value::Bool(yes("woocommerce_custom_orders_table_enabled")),
    );
    item.insert(
        "hpos_sync_enabled".into(),
        Value::Bool(yes("woocommerce_custom_orders_table_data_sync_enabled")),
    );

    let fields = opts.fields.resolve(DEFAULT_FIELDS);
    let out = output::render_item(opts.format, &fields, &item, printer.piped())?;
    printer.result(&out)?;
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::serialized_mentions;

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
}
