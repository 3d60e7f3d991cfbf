//! What `connect`, `disconnect` and `sync` need to know about a site before
//! they act: its URLs and WooCommerce facts, the plugin's options as the
//! core reads them, and one blocking call to the Segmentflow API.
//!
//! `status` reads the same facts its own way (it also needs HPOS); the two
//! could share one reader.

use std::io::Read as _;
use std::time::Duration;

use segmentflow_core::connection::{ApiRequest, ClientInfo, Method};
use segmentflow_core::options::PluginOptions;
use segmentflow_core::wpconfig::Table;

use crate::wordpress::{db::Param, options as wp_options, site::Site};

/// The plugin file WordPress records in `active_plugins` for WooCommerce.
const WOOCOMMERCE_PLUGIN: &str = "woocommerce/woocommerce.php";

/// Facts about the site read from its options table.
#[derive(Debug, Clone, Default)]
pub struct SiteFacts {
    /// `home`.
    pub home_url: String,
    /// `siteurl`.
    pub site_url: String,
    /// Whether WooCommerce is active (site or network-wide).
    pub wc_active: bool,
    /// `woocommerce_version`, or empty.
    pub wc_version: String,
    /// The WordPress version, when known (`unknown` otherwise).
    pub wp_version: String,
    /// `timezone_string`.
    pub timezone_string: String,
    /// `gmt_offset`.
    pub gmt_offset: String,
}

fn serialized_mentions(raw: &[u8], plugin: &str) -> bool {
    let token = format!("s:{}:\"{}\";", plugin.len(), plugin);
    raw.windows(token.len()).any(|w| w == token.as_bytes())
}

impl SiteFacts {
    /// Reads the facts: what the PHP package said, else the options table.
    pub fn read(site: &mut Site) -> anyhow::Result<SiteFacts> {
        let options_table = site.options_table()?;
        let names = [
            "siteurl",
            "home",
            "active_plugins",
            "woocommerce_version",
            "timezone_string",
            "gmt_offset",
        ];
        let rows = wp_options::get_many(&mut site.db, &options_table, &names)?;
        let find = |name: &str| {
            rows.iter()
                .find(|r| r.name == name)
                .map(|r| r.value.as_slice())
        };
        let text = |name: &str| {
            find(name)
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .unwrap_or_default()
        };
        let ctx = site.context.clone();
        let wc_active = match ctx.as_ref().and_then(|c| c.wc_active) {
            Some(active) => active,
            None => {
                let mut active = find("active_plugins")
                    .is_some_and(|v| serialized_mentions(v, WOOCOMMERCE_PLUGIN));
                if !active && site.multisite {
                    let sql = format!(
                        "SELECT meta_value FROM {} WHERE meta_key = ? LIMIT 1",
                        site.table(Table::Sitemeta)?.quoted()
                    );
                    if let Some(row) = site
                        .db
                        .query_first(&sql, &[Param::Str("active_sitewide_plugins")])?
                    {
                        active = serialized_mentions(
                            row.bytes(0)?.unwrap_or_default(),
                            WOOCOMMERCE_PLUGIN,
                        );
                    }
                }
                active
            }
        };
        let from_ctx = |f: fn(&segmentflow_core::wpconfig::SiteContext) -> Option<String>| {
            ctx.as_ref().and_then(f).filter(|v| !v.is_empty())
        };
        Ok(SiteFacts {
            home_url: from_ctx(|c| c.home_url.clone()).unwrap_or_else(|| text("home")),
            site_url: from_ctx(|c| c.site_url.clone()).unwrap_or_else(|| text("siteurl")),
            wc_active,
            wc_version: from_ctx(|c| c.woocommerce.as_ref().map(|w| w.version.clone()))
                .unwrap_or_else(|| text("woocommerce_version")),
            wp_version: site
                .wp_version
                .clone()
                .unwrap_or_else(|| "unknown".to_owned()),
            timezone_string: text("timezone_string"),
            gmt_offset: text("gmt_offset"),
        })
    }

    /// The site's UTC offset now (`wp_timezone()`).
    pub fn utc_offset(&self, now: jiff::Timestamp) -> jiff::tz::Offset {
        if !self.timezone_string.is_empty()
            && let Ok(tz) = jiff::tz::TimeZone::get(&self.timezone_string)
        {
            return tz.to_offset(now);
        }
        let hours: f64 = self.gmt_offset.trim().parse().unwrap_or(0.0);
        let seconds = (hours * 3600.0).round() as i32;
        jiff::tz::Offset::from_seconds(seconds).unwrap_or(jiff::tz::Offset::UTC)
    }

    /// Who we are, for the API's `User-Agent`.
    pub fn client(&self) -> ClientInfo {
        ClientInfo {
            connector_version: env!("CARGO_PKG_VERSION").to_owned(),
            wordpress_version: self.wp_version.clone(),
        }
    }
}

/// The plugin's options as stored.
pub fn plugin_options(site: &mut Site) -> anyhow::Result<PluginOptions> {
    let table = site.options_table()?;
    Ok(wp_options::read_plugin_options(&mut site.db, &table)?)
}

/// Largest API answer read.
const MAX_ANSWER: u64 = 1024 * 1024;

/// Sends one API request; `Ok((status, body))` for any HTTP answer, `Err`
/// with a one-line reason when no answer came.
pub fn call(request: &ApiRequest) -> Result<(u16, Vec<u8>), String> {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(request.timeout.max(Duration::from_millis(1))))
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let result = match request.method {
        Method::Get => {
            let mut r = agent.get(&request.url);
            for (name, value) in &request.headers {
                r = r.header(*name, value.expose());
            }
            r.call()
        }
        Method::Delete => {
            let mut r = agent.delete(&request.url);
            for (name, value) in &request.headers {
                r = r.header(*name, value.expose());
            }
            r.call()
        }
    };
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let mut body = Vec::new();
            let _ = response
                .body_mut()
                .as_reader()
                .take(MAX_ANSWER)
                .read_to_end(&mut body);
            Ok((status, body))
        }
        Err(e) => Err(format!("{} {}: {e}", request.method.as_str(), request.url)),
    }
}
