//! URLs WordPress builds: `rest_url()` for `_links`, permalinks of products
//! and the checkout payment URL.

use crate::store::Site;
use serde_json::{Map, Value, json};

/// `rest_url( $path )`: pretty permalinks give `{home}/wp-json{path}`,
/// plain ones `{home}/?rest_route={path}`.
pub fn rest_url(site: &Site, path: &str) -> String {
    let home = site.home_url.trim_end_matches('/');
    let path = format!("/{}", path.trim_start_matches('/'));
    if site.permalink_structure.is_empty() {
        format!("{home}/?rest_route={path}")
    } else {
        format!("{home}/wp-json{path}")
    }
}

/// A `_links` object from `(relation, href)` pairs, in order.
pub fn links(pairs: &[(&str, String)]) -> Value {
    let mut map = Map::new();
    for (rel, href) in pairs {
        map.insert((*rel).to_string(), json!([{ "href": href }]));
    }
    Value::Object(map)
}

/// `user_trailingslashit()`: a trailing slash when the permalink structure
/// ends with one.
pub fn user_trailingslashit(site: &Site, s: &str) -> String {
    let s = s.trim_end_matches('/');
    if site.permalink_structure.ends_with('/') {
        format!("{s}/")
    } else {
        s.to_string()
    }
}

/// The permalink of a published product post.
pub fn product_permalink(
    site: &Site,
    id: u64,
    slug: &str,
    status: &str,
    first_category: Option<&str>,
) -> String {
    let home = site.home_url.trim_end_matches('/');
    let draft = matches!(status, "draft" | "pending" | "auto-draft") || slug.is_empty();
    if site.permalink_structure.is_empty() || draft {
        return if draft {
            format!("{home}/?post_type=product&p={id}")
        } else {
            format!("{home}/?product={slug}")
        };
    }
    let base = if site.product_base.trim_matches('/').is_empty() {
        "product".to_string()
    } else {
        site.product_base.trim_matches('/').to_string()
    };
    let base = base.replace("%product_cat%", first_category.unwrap_or("uncategorized"));
    user_trailingslashit(site, &format!("{home}/{base}/{slug}"))
}

/// `$order->get_checkout_payment_url()`.
pub fn checkout_payment_url(site: &Site, order_id: u64, order_key: &str) -> String {
    let home = site.home_url.trim_end_matches('/');
    let pretty = !site.permalink_structure.is_empty();
    let checkout = if site.checkout_page_id == 0 {
        home.to_string()
    } else if pretty {
        user_trailingslashit(
            site,
            &format!("{home}/{}", site.checkout_page_uri.trim_matches('/')),
        )
    } else {
        format!("{home}/?page_id={}", site.checkout_page_id)
    };
    let endpoint = if pretty {
        let (base, query) = match checkout.split_once('?') {
            Some((b, q)) => (b.to_string(), format!("?{q}")),
            None => (checkout.clone(), String::new()),
        };
        format!(
            "{}/order-pay/{}{query}",
            base.trim_end_matches('/'),
            user_trailingslashit(site, &order_id.to_string())
        )
    } else {
        add_query_arg(&checkout, &[("order-pay", order_id.to_string())])
    };
    add_query_arg(
        &endpoint,
        &[
            ("pay_for_order", "true".into()),
            ("key", order_key.to_string()),
        ],
    )
}

/// `add_query_arg()` for new keys (values as given, not encoded).
pub fn add_query_arg(url: &str, args: &[(&str, String)]) -> String {
    let mut out = url.to_string();
    for (k, v) in args {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(structure: &str) -> Site {
        Site {
            home_url: "http://localhost:8089".into(),
            permalink_structure: structure.into(),
            checkout_page_id: 7,
            checkout_page_uri: "checkout".into(),
            product_base: "product".into(),
            ..Site::default()
        }
    }

    #[test]
    fn urls_follow_the_permalink_structure() {
        let cases = [
            (
                rest_url(&site("/%postname%/"), "/wc/v3/orders/78"),
                "http://localhost:8089/wp-json/wc/v3/orders/78",
            ),
            (
                rest_url(&site(""), "/wc/v3/orders/78"),
                "http://localhost:8089/?rest_route=/wc/v3/orders/78",
            ),
            (
                checkout_payment_url(&site("/%postname%/"), 78, "wc_order_k"),
                "http://localhost:8089/checkout/order-pay/78/?pay_for_order=true&key=wc_order_k",
            ),
            (
                checkout_payment_url(&site(""), 78, "wc_order_k"),
                "http://localhost:8089/?page_id=7&order-pay=78&pay_for_order=true&key=wc_order_k",
            ),
            (
                product_permalink(&site("/%postname%/"), 11, "mug", "publish", None),
                "http://localhost:8089/product/mug/",
            ),
            (
                product_permalink(&site(""), 11, "mug", "publish", None),
                "http://localhost:8089/?product=mug",
            ),
            (
                product_permalink(&site("/%postname%/"), 11, "mug", "draft", None),
                "http://localhost:8089/?post_type=product&p=11",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
