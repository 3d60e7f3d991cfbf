//! The URLs of the connect flow: the dashboard link that starts it, the
//! admin page the dashboard sends the user back to, and the WooCommerce
//! auto-auth link the dashboard builds for WooCommerce stores.
//!
//! The plugin builds them with `rawurlencode()` and WordPress's
//! `add_query_arg()`. `add_query_arg()` itself does not encode values (the
//! plugin encodes each value once beforehand), keeps the order given, and
//! drops the `=` of an empty value (`user_id=&x=1` becomes `user_id&x=1`);
//! those rules are reproduced here.

use crate::options::{Platform, ValidUrl};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode, utf8_percent_encode};

/// What PHP's `rawurlencode()` keeps: RFC 3986 unreserved characters.
const RAWURLENCODE_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// PHP's `rawurlencode()`: every byte except `A-Za-z0-9-_.~` becomes `%XX`
/// (uppercase hex), spaces included (`%20`, never `+`).
///
/// ```
/// use segmentflow_core::connection::rawurlencode;
/// assert_eq!(rawurlencode("https://shop.example/ä b"), "https%3A%2F%2Fshop.example%2F%C3%A4%20b");
/// ```
pub fn rawurlencode(value: &str) -> String {
    utf8_percent_encode(value, RAWURLENCODE_KEEP).to_string()
}

/// [`rawurlencode`] for raw bytes (PHP strings need not be UTF-8).
pub fn rawurlencode_bytes(value: &[u8]) -> String {
    percent_encode(value, RAWURLENCODE_KEEP).to_string()
}

/// WordPress's `trailingslashit()`: removes trailing `/` and `\`, adds one `/`.
fn trailingslashit(url: &str) -> String {
    format!("{}/", url.trim_end_matches(['/', '\\']))
}

/// The admin base URL (`admin_url()`) of a site whose `siteurl` is
/// `site_url`: `{site_url}/wp-admin/`.
pub fn admin_url(site_url: &str) -> String {
    format!("{}wp-admin/", trailingslashit(site_url))
}

/// Where the dashboard sends the user back to:
/// `admin_url('admin.php?page=segmentflow&connected=1')`. `admin_url` is the
/// admin base URL (see [`admin_url`]); a missing trailing `/` is added.
pub fn connect_return_url(admin_url: &str) -> String {
    format!(
        "{}admin.php?page=segmentflow&connected=1",
        trailingslashit(admin_url)
    )
}

/// `add_query_arg()` over a base URL without a query string: `key=value`
/// pairs joined by `&`, values used as given, and every `=` directly before
/// an `&` or the end removed (WordPress's `=(&|$)` cleanup).
fn add_query_args(base: &str, args: &[(&str, &str)]) -> String {
    let query = args
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut cleaned = String::with_capacity(query.len());
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '=' && matches!(chars.peek(), None | Some('&')) {
            continue;
        }
        cleaned.push(c);
    }
    if cleaned.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{cleaned}")
    }
}

/// The dashboard link that starts the connect flow
/// (`Segmentflow_Auth::get_connect_url()`):
///
/// * WooCommerce: `{app_host}/connect/woocommerce?store_url=…&return_url=…`
/// * WordPress: `{app_host}/connect/wordpress?site_url=…&return_url=…`
///
/// `home_url` is the site's `home_url()`; `admin_url` its admin base URL.
/// Both values are [`rawurlencode`]d once.
///
/// ```
/// use segmentflow_core::connection::{dashboard_connect_url};
/// use segmentflow_core::options::{validate_url, Platform, UrlKind};
/// let app = validate_url("segmentflow_app_host", "https://dashboard.segmentflow.ai", UrlKind::Host).unwrap();
/// let url = dashboard_connect_url(&app, "https://shop.example", "https://shop.example/wp-admin/", Platform::WordPress);
/// assert_eq!(url, "https://dashboard.segmentflow.ai/connect/wordpress?site_url=https%3A%2F%2Fshop.example&return_url=https%3A%2F%2Fshop.example%2Fwp-admin%2Fadmin.php%3Fpage%3Dsegmentflow%26connected%3D1");
/// ```
pub fn dashboard_connect_url(
    app_host: &ValidUrl,
    home_url: &str,
    admin_url: &str,
    platform: Platform,
) -> String {
    let (path, site_param) = match platform {
        Platform::WooCommerce => ("connect/woocommerce", "store_url"),
        Platform::WordPress => ("connect/wordpress", "site_url"),
    };
    let base = format!("{}/{path}", app_host.as_str());
    let site = rawurlencode(home_url);
    let back = rawurlencode(&connect_return_url(admin_url));
    add_query_args(&base, &[(site_param, &site), ("return_url", &back)])
}

/// The WooCommerce auto-auth link (`Segmentflow_WC_Auth::build_auth_url()`):
/// `{store_url}/wc-auth/v1/authorize?app_name=Segmentflow&scope=read_write&user_id=…&return_url=…&callback_url=…`.
///
/// As in the plugin, `user_id` (the organization id) is inserted as given
/// and only `return_url` and `callback_url` are [`rawurlencode`]d.
pub fn wc_auth_url(store_url: &str, user_id: &str, return_url: &str, callback_url: &str) -> String {
    let base = format!("{}wc-auth/v1/authorize", trailingslashit(store_url));
    let back = rawurlencode(return_url);
    let callback = rawurlencode(callback_url);
    add_query_args(
        &base,
        &[
            ("app_name", "Segmentflow"),
            ("scope", "read_write"),
            ("user_id", user_id),
            ("return_url", &back),
            ("callback_url", &callback),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{UrlKind, validate_url};

    /// Expected values produced by PHP 8.2's `rawurlencode()`.
    #[test]
    fn rawurlencode_matches_php() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("AZaz09-_.~", "AZaz09-_.~"),
            ("a-_.~ b+/:?&=é%", "a-_.~%20b%2B%2F%3A%3F%26%3D%C3%A9%25"),
            (
                "https://shop.example.com/wp-admin/admin.php?page=segmentflow&connected=1",
                "https%3A%2F%2Fshop.example.com%2Fwp-admin%2Fadmin.php%3Fpage%3Dsegmentflow%26connected%3D1",
            ),
            ("!*'();@$,[]#", "%21%2A%27%28%29%3B%40%24%2C%5B%5D%23"),
            ("日本", "%E6%97%A5%E6%9C%AC"),
            ("tab\tnl\n", "tab%09nl%0A"),
        ];
        for (input, expected) in cases {
            assert_eq!(rawurlencode(input), *expected, "rawurlencode({input:?})");
        }
        assert_eq!(rawurlencode_bytes(b"caf\xe9"), "caf%E9");
    }

    #[test]
    fn admin_and_return_urls() {
        let cases: &[(&str, &str)] = &[
            ("https://shop.example", "https://shop.example/wp-admin/"),
            ("https://shop.example/", "https://shop.example/wp-admin/"),
            (
                "https://example.com/blog",
                "https://example.com/blog/wp-admin/",
            ),
        ];
        for (site, admin) in cases {
            assert_eq!(admin_url(site), *admin);
        }
        assert_eq!(
            connect_return_url("https://shop.example/wp-admin"),
            "https://shop.example/wp-admin/admin.php?page=segmentflow&connected=1"
        );
    }

    #[test]
    fn query_args_drop_equals_of_empty_values() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("a", "1"), ("b", "2")], "https://x/p?a=1&b=2"),
            (&[("a", ""), ("b", "2")], "https://x/p?a&b=2"),
            (&[("a", "1"), ("b", "")], "https://x/p?a=1&b"),
            (&[], "https://x/p"),
        ];
        for (args, expected) in cases {
            assert_eq!(add_query_args("https://x/p", args), *expected);
        }
    }

    /// Expected strings are what the plugin's PHP produced
    /// (`add_query_arg` + `rawurlencode`, WordPress core, PHP 8.2).
    #[test]
    fn connect_urls_match_the_plugin() {
        let app = validate_url(
            "segmentflow_app_host",
            "https://dashboard.segmentflow.ai",
            UrlKind::Host,
        )
        .expect("valid");
        let woo = dashboard_connect_url(
            &app,
            "https://shop.example.com/x y",
            "https://shop.example.com/wp-admin/",
            Platform::WooCommerce,
        );
        assert_eq!(
            woo,
            "https://dashboard.segmentflow.ai/connect/woocommerce?store_url=https%3A%2F%2Fshop.example.com%2Fx%20y&return_url=https%3A%2F%2Fshop.example.com%2Fwp-admin%2Fadmin.php%3Fpage%3Dsegmentflow%26connected%3D1"
        );
        let wc = wc_auth_url("https://s.example", "", "a b", "https://c/");
        assert_eq!(
            wc,
            "https://s.example/wc-auth/v1/authorize?app_name=Segmentflow&scope=read_write&user_id&return_url=a%20b&callback_url=https%3A%2F%2Fc%2F"
        );
    }

    #[test]
    fn connect_url_snapshots() {
        let app = validate_url(
            "segmentflow_app_host",
            "https://dashboard.segmentflow.ai/",
            UrlKind::Host,
        )
        .expect("valid");
        let local = validate_url(
            "segmentflow_app_host",
            "http://127.0.0.1:8787",
            UrlKind::Host,
        )
        .expect("valid");
        let admin = admin_url("https://shop.example.com/store");
        let urls = [
            dashboard_connect_url(
                &app,
                "https://shop.example.com/store",
                &admin,
                Platform::WooCommerce,
            ),
            dashboard_connect_url(
                &app,
                "https://blog.example.org",
                &admin_url("https://blog.example.org"),
                Platform::WordPress,
            ),
            dashboard_connect_url(
                &local,
                "http://localhost:8080",
                "http://localhost:8080/wp-admin/",
                Platform::WordPress,
            ),
            wc_auth_url(
                "https://shop.example.com/store/",
                "org_2abc",
                &connect_return_url(&admin),
                "https://api.segmentflow.ai/api/v1/integrations/woocommerce/callback",
            ),
        ];
        insta::assert_debug_snapshot!(urls);
    }
}
