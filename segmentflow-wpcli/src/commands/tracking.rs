//! `tracking snippet [--user=<id>] [--consent=<json>] [--anonymous-id=<id>]`:
//! the exact script tags and inline configuration the plugin prints for one
//! visitor, from `segmentflow_core::tracking::build`.
//!
//! The inputs are read as the plugin reads them on a front-end request: the
//! connection and switches from its options, `home_url()` and the locale
//! (`WPLANG`, or the context's `get_locale()`), WooCommerce's currency when
//! WooCommerce is active (the page is a generic one: no product, cart or
//! session, which a command line does not have), the user's id and email
//! from `{prefix}users`. The visitor's cookies are what the flags say:
//! `--consent` is the decoded `sf_consent` JSON (`{"a":1,"m":0}`),
//! `--anonymous-id` the `a` member of an existing `sf_id`; without one, PHP's
//! `ensure_anonymous_id()` mints a UUIDv7 from this machine's clock and
//! randomness once a consent decision exists, exactly as on a first visit.
//!
//! Output: the HTML (head tags, then footer tags) or, with `--format=json`,
//! `{"tags":[…],"config":{…}}`. A site that is not connected renders nothing;
//! a warning says so.

use anyhow::{Context as _, bail};
use serde_json::Value;

use segmentflow_core::consent::{
    ConsentCookie, IdCookie, Side, ensure_anonymous_id, is_uuid_v7, truthy,
};
use segmentflow_core::tracking::{self, ScriptLoader, TrackingInput, WcPage, WooCommerce, WpUser};
use segmentflow_core::wpconfig::Table;

use super::site_state::{self, SiteFacts};
use crate::config::TrackingSnippet;
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::wordpress::{db::Param, options, site::Site};

/// Parses `--consent`: a JSON object with `a` and/or `m`, read with PHP's
/// truthiness as the plugin reads the decoded cookie.
pub fn parse_consent(text: &str) -> anyhow::Result<ConsentCookie> {
    let value: Value = serde_json::from_str(text).with_context(|| {
        format!("--consent={text:?} is not JSON (expected e.g. '{{\"a\":1,\"m\":0}}')")
    })?;
    let Value::Object(map) = value else {
        bail!("--consent={text:?} is not a JSON object (expected e.g. '{{\"a\":1,\"m\":0}}')");
    };
    let analytics = map.get("a").map(|v| truthy(v, Side::Php));
    let marketing = map.get("m").map(|v| truthy(v, Side::Php));
    if analytics.is_none() && marketing.is_none() {
        bail!(
            "--consent={text:?} records no decision: give \"a\" (analytics) and/or \"m\" (marketing)"
        );
    }
    Ok(ConsentCookie {
        analytics,
        marketing,
    })
}

/// WordPress 6.9 and later end inline blocks with a `//# sourceURL=` line.
fn prints_source_url(wp_version: &str) -> bool {
    let mut parts = wp_version.split(['.', '-']).map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) >= (6, 9),
        (Some(major), None) => major > 6,
        _ => false,
    }
}

fn read_user(site: &mut Site, id: u64) -> anyhow::Result<WpUser> {
    let users = site.table(Table::Users)?;
    let id_param = i64::try_from(id).context("--user is too large")?;
    let row = site.db.query_first(
        &format!("SELECT user_email FROM {} WHERE ID = ?", users.quoted()),
        &[Param::Int(id_param)],
    )?;
    let Some(row) = row else {
        bail!("no user with id {id} in {}", users.as_str());
    };
    let email = row.str(0)?.unwrap_or_default().to_owned();
    let meta = site.table(Table::Usermeta)?;
    let mut first_name = String::new();
    let mut last_name = String::new();
    site.db.query_rows(
        &format!(
            "SELECT meta_key, meta_value FROM {} WHERE user_id = ? AND meta_key IN ('first_name', 'last_name')",
            meta.quoted()
        ),
        &[Param::Int(id_param)],
        |r| {
            let value = r.str(1)?.unwrap_or_default().to_owned();
            match r.str(0)? {
                Some("first_name") => first_name = value,
                Some("last_name") => last_name = value,
                _ => {}
            }
            Ok::<(), crate::wordpress::db::DbError>(())
        },
    )?;
    Ok(WpUser {
        id,
        email,
        first_name,
        last_name,
    })
}

/// Runs the command.
pub fn snippet(
    site: &mut Site,
    opts: &TrackingSnippet,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let consent = opts.consent.as_deref().map(parse_consent).transpose()?;
    let plugin = site_state::plugin_options(site)?;
    for problem in &plugin.problems {
        printer.warning(&problem.to_string());
    }
    let facts = SiteFacts::read(site)?;
    let options_table = site.options_table()?;
    let rows = options::get_many(
        &mut site.db,
        &options_table,
        &["WPLANG", "woocommerce_currency"],
    )?;
    let text = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .map(|r| String::from_utf8_lossy(&r.value).into_owned())
            .filter(|v| !v.is_empty())
    };
    let locale = site
        .context
        .as_ref()
        .and_then(|c| c.locale.clone())
        .filter(|l| !l.is_empty())
        .or_else(|| text("WPLANG"))
        .unwrap_or_else(|| "en_US".to_owned());

    let mut input =
        TrackingInput::new(plugin.write_key.expose(), &plugin.api_host, &facts.home_url);
    input.debug = plugin.debug_mode;
    input.consent_required = plugin.consent_required;
    input.locale = locale;
    input.loader = ScriptLoader {
        html5_script: true,
        source_url_comment: prints_source_url(&facts.wp_version),
    };
    input.user = opts.user.map(|id| read_user(site, id)).transpose()?;
    input.consent = consent;
    let existing = match opts.anonymous_id.as_deref() {
        Some(id) if id.trim().is_empty() => bail!("--anonymous-id is empty"),
        Some(id) => {
            if !is_uuid_v7(id) {
                printer.warning(&format!(
                    "--anonymous-id={id:?} is not a UUIDv7; used as given, as PHP would"
                ));
            }
            Some(IdCookie::new(id))
        }
        None => None,
    };
    let now_ms = u64::try_from(jiff::Timestamp::now().as_millisecond()).unwrap_or(0);
    let mut random = [0u8; 10];
    random.iter_mut().for_each(|b| *b = fastrand::u8(..));
    input.identity = match ensure_anonymous_id(existing.as_ref(), consent.as_ref(), now_ms, random)
    {
        segmentflow_core::consent::AnonymousId::Minted { members, .. } => {
            IdCookie::from_members(members, Side::Php).ok()
        }
        _ => existing,
    };
    if facts.wc_active {
        let mut wc = WooCommerce::new(
            WcPage::Other,
            &text("woocommerce_currency").unwrap_or_else(|| "USD".to_owned()),
        );
        wc.integration_enabled = plugin.wc_enabled;
        input.woocommerce = Some(wc);
    }

    let snippet = tracking::build(&input);
    if snippet.config.is_none() {
        printer.warning("the site is not connected to Segmentflow: the plugin renders no tracking");
    }
    if opts.json {
        let value = serde_json::to_value(&snippet)?;
        printer.result(&format!("{}\n", segmentflow_core::wp_json::encode(&value)))?;
    } else {
        printer.result(&snippet.render())?;
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_flags() {
        let cases = [
            (r#"{"a":1,"m":0}"#, Some((Some(true), Some(false)))),
            (r#"{"a":true}"#, Some((Some(true), None))),
            (r#"{"m":"1"}"#, Some((None, Some(true)))),
            (r#"{"a":"0","m":""}"#, Some((Some(false), Some(false)))),
            (r#"{}"#, None),
            (r#"[1]"#, None),
            ("nope", None),
        ];
        for (text, want) in cases {
            let got = parse_consent(text).ok().map(|c| (c.analytics, c.marketing));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn source_url_versions() {
        for (v, want) in [
            ("6.1.9", false),
            ("6.8.3", false),
            ("6.9", true),
            ("6.9-RC1", true),
            ("7.0", true),
            ("unknown", false),
        ] {
            assert_eq!(prints_source_url(v), want, "{v}");
        }
    }
}
