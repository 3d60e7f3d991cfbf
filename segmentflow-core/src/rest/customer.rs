//! `GET /wc/v{2,3}/customers/<id>`: the customer JSON of
//! `WC_REST_Customers_V2_Controller::get_formatted_item_data` (v2) and
//! `WC_REST_Customers_Controller` (v3).
//!
//! The two versions differ only in v2's `orders_count` (int) and
//! `total_spent` (string, `wc_format_decimal( $spent, 2 )`), placed after
//! `is_paying_customer`. Dates: `date_created` from `user_registered` (GMT),
//! `date_modified` from the `last_update` usermeta; both shown in the site
//! timezone and in GMT, as WooCommerce 9.2.5 printed them for the samples
//! (newer controllers re-read `date_created` through `get_date_from_gmt`).
//! `avatar_url` is `get_avatar_url( $email )`: Gravatar with the MD5 of the
//! trimmed, lower-cased email, `s=96`, the site's default image and rating.

use super::format;
use super::{ApiVersion, links};
use crate::store::{CustomerRecord, Site, meta_text};
use serde_json::{Map, Value, json};

/// Usermeta keys `WC_Customer_Data_Store` keeps internal.
pub const CUSTOMER_INTERNAL_META_KEYS: &[&str] = &[
    "locale",
    "billing_postcode",
    "billing_city",
    "billing_address_1",
    "billing_address_2",
    "billing_state",
    "billing_country",
    "shipping_postcode",
    "shipping_city",
    "shipping_address_1",
    "shipping_address_2",
    "shipping_state",
    "shipping_country",
    "paying_customer",
    "last_update",
    "first_name",
    "last_name",
    "display_name",
    "show_admin_bar_front",
    "use_ssl",
    "admin_color",
    "rich_editing",
    "comment_shortcuts",
    "dismissed_wp_pointers",
    "show_welcome_panel",
    "session_tokens",
    "nickname",
    "description",
    "billing_first_name",
    "billing_last_name",
    "billing_company",
    "billing_phone",
    "billing_email",
    "shipping_first_name",
    "shipping_last_name",
    "shipping_company",
    "shipping_phone",
    "wptests_capabilities",
    "wptests_user_level",
    "syntax_highlighting",
    "_order_count",
    "_money_spent",
    "_last_order",
    "_woocommerce_tracks_anon_id",
];

/// `WC_Customer_Data_Store::exclude_internal_meta_keys`.
pub fn is_hidden_customer_meta(key: &str, table_prefix: &str) -> bool {
    let prefix = if table_prefix.is_empty() {
        "wp_"
    } else {
        table_prefix
    };
    CUSTOMER_INTERNAL_META_KEYS.contains(&key)
        || key.starts_with("_woocommerce_persistent_cart")
        || key.starts_with("closedpostboxes_")
        || key.starts_with("metaboxhidden_")
        || key.starts_with("manageedit-")
        || key.contains(prefix)
        || (key.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("wp_")))
}

/// Maps a customer record to the REST JSON of `version`, `_links` included.
pub fn to_json(customer: &CustomerRecord, site: &Site, version: ApiVersion) -> Value {
    let tz = format::site_timezone(site);
    let created = format::gmt_instant(customer.user_registered_gmt.as_deref());
    let modified = customer
        .last_update
        .as_ref()
        .and_then(|d| format::db_date_instant(d, &tz));
    let m = |k: &str| meta_text(&customer.meta, k);
    let address = |kind: &str| {
        let mut a = Map::new();
        for field in [
            "first_name",
            "last_name",
            "company",
            "address_1",
            "address_2",
            "city",
            "postcode",
            "country",
            "state",
        ] {
            a.insert(field.into(), json!(m(&format!("{kind}_{field}"))));
        }
        if kind == "billing" {
            a.insert("email".into(), json!(m("billing_email")));
        }
        a.insert("phone".into(), json!(m(&format!("{kind}_phone"))));
        Value::Object(a)
    };
    let mut o = Map::new();
    o.insert("id".into(), json!(customer.id));
    o.insert("date_created".into(), format::local_date(created, &tz));
    o.insert("date_created_gmt".into(), format::gmt_date(created));
    o.insert("date_modified".into(), format::local_date(modified, &tz));
    o.insert("date_modified_gmt".into(), format::gmt_date(modified));
    o.insert("email".into(), json!(customer.user_email));
    o.insert("first_name".into(), json!(m("first_name")));
    o.insert("last_name".into(), json!(m("last_name")));
    o.insert("role".into(), json!(role(customer, site)));
    o.insert("username".into(), json!(customer.user_login));
    o.insert("billing".into(), address("billing"));
    o.insert("shipping".into(), address("shipping"));
    let paying = m("paying_customer");
    o.insert(
        "is_paying_customer".into(),
        json!(!paying.is_empty() && paying != "0"),
    );
    if version == ApiVersion::V2 {
        o.insert("orders_count".into(), json!(customer.order_count));
        o.insert(
            "total_spent".into(),
            json!(format::format_decimal(&customer.total_spent, 2, site)),
        );
    }
    o.insert(
        "avatar_url".into(),
        json!(avatar_url(&customer.user_email, site)),
    );
    o.insert(
        "meta_data".into(),
        format::meta_data(&customer.meta, |k| {
            is_hidden_customer_meta(k, &customer.table_prefix)
        }),
    );
    let ns = version.namespace();
    o.insert(
        "_links".into(),
        links::links(&[
            (
                "self",
                links::rest_url(site, &format!("/{ns}/customers/{}", customer.id)),
            ),
            (
                "collection",
                links::rest_url(site, &format!("/{ns}/customers")),
            ),
        ]),
    );
    Value::Object(o)
}

/// `roles[0]` of `WP_User` (the first capability key when it is a role),
/// else `customer`.
fn role(customer: &CustomerRecord, site: &Site) -> String {
    let known = |r: &str| {
        site.roles.iter().any(|x| x == r)
            || (site.roles.is_empty()
                && matches!(
                    r,
                    "administrator"
                        | "editor"
                        | "author"
                        | "contributor"
                        | "subscriber"
                        | "customer"
                        | "shop_manager"
                ))
    };
    match customer.capabilities.first() {
        Some((name, _)) if known(name) => name.clone(),
        _ => "customer".into(),
    }
}

/// `get_avatar_url( $email )` with default arguments.
pub fn avatar_url(email: &str, site: &Site) -> String {
    let hash = md5_hex(email.trim().to_lowercase().as_bytes());
    let default = match site.avatar_default.as_str() {
        "mystery" | "mm" | "" => "mm".to_string(),
        "blank" => "blank".to_string(),
        "gravatar_default" => String::new(),
        other => other.to_string(),
    };
    let rating = site.avatar_rating.to_lowercase();
    let rating = if rating.is_empty() {
        "g".to_string()
    } else {
        rating
    };
    let base = if site.is_ssl {
        format!("https://secure.gravatar.com/avatar/{hash}")
    } else {
        let server = hash
            .chars()
            .next()
            .and_then(|c| c.to_digit(16))
            .unwrap_or(0)
            % 3;
        format!("http://{server}.gravatar.com/avatar/{hash}")
    };
    let d = if default.is_empty() {
        String::new()
    } else {
        format!("&d={}", rawurlencode(&default))
    };
    format!("{base}?s=96{d}&r={rating}")
}

/// PHP `rawurlencode()`.
fn rawurlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// MD5 (RFC 1321), lowercase hex.
fn md5_hex(input: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i: u32| ((f64::from(i + 1).sin().abs()) * 4294967296.0) as u32)
        .collect();
    let mut msg = input.to_vec();
    let bit_len = (input.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    let (mut a0, mut b0, mut c0, mut d0) =
        (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    for chunk in msg.chunks_exact(64) {
        let m: Vec<u32> = chunk
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    [a0, b0, c0, d0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_rfc1321_vectors() {
        let cases = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(md5_hex(input.as_bytes()), want, "input {input:?}");
        }
    }

    #[test]
    fn avatar_urls() {
        let site = Site::default();
        let cases = [
            (
                Site { ..site.clone() },
                " Emma.Johnson@Example.test ",
                "http://1.gravatar.com/avatar/4d75165a0b803b2f7849c91c3acb51ac?s=96&d=mm&r=g",
            ),
            (
                Site {
                    is_ssl: true,
                    avatar_default: "identicon".into(),
                    avatar_rating: "PG".into(),
                    ..site.clone()
                },
                "emma.johnson@example.test",
                "https://secure.gravatar.com/avatar/4d75165a0b803b2f7849c91c3acb51ac?s=96&d=identicon&r=pg",
            ),
            (
                Site {
                    avatar_default: "https://x.example/a.png".into(),
                    ..site.clone()
                },
                "emma.johnson@example.test",
                "http://1.gravatar.com/avatar/4d75165a0b803b2f7849c91c3acb51ac?s=96&d=https%3A%2F%2Fx.example%2Fa.png&r=g",
            ),
        ];
        for (site, email, want) in cases {
            assert_eq!(avatar_url(email, &site), want, "email {email:?}");
        }
    }

    #[test]
    fn hidden_customer_meta() {
        let cases = [
            ("wp_capabilities", true),
            ("billing_email", true),
            ("_woocommerce_persistent_cart_1", true),
            ("my_wp_thing", true),
            ("favourite_colour", false),
            ("_segmentflow_id", false),
        ];
        for (key, want) in cases {
            assert_eq!(is_hidden_customer_meta(key, "wp_"), want, "key {key}");
        }
    }
}
