//! `GET /wc/v{2,3}/orders/<order>/refunds/<id>`: the refund JSON of
//! `WC_REST_Order_Refunds_V2_Controller::get_formatted_item_data`.
//!
//! Both versions give `id, date_created, date_created_gmt, amount, reason,
//! refunded_by, refunded_payment, meta_data, line_items, shipping_lines,
//! tax_lines, fee_lines` and `_links` (`self`, `collection`, `up`); the v3
//! endpoint (WooCommerce 9.2.5) also prints `parent_order_id`, after
//! `_links` as the sample responses show. Refunds reach webhooks only inside
//! their order (`refunds` of the order JSON).

use super::format::{self, absint};
use super::order::items_json;
use super::{ApiVersion, links};
use crate::store::{OrderRecord, Site, meta_text};
use serde_json::{Map, Value, json};

/// Refund meta keys WooCommerce keeps internal (`WC_Order_Refund_Data_Store_CPT`).
pub const REFUND_INTERNAL_META_KEYS: &[&str] = &[
    "_order_currency",
    "_cart_discount",
    "_refund_amount",
    "_refunded_by",
    "_refunded_payment",
    "_refund_reason",
    "_cart_discount_tax",
    "_order_shipping",
    "_order_shipping_tax",
    "_order_tax",
    "_order_total",
    "_order_version",
    "_prices_include_tax",
    "_payment_tokens",
];

/// `WC_Order_Refund` data keys (`_` + key is internal too).
const REFUND_DATA_KEYS: &[&str] = &["amount", "reason", "refunded_by", "refunded_payment"];

/// Maps a refund record (with `order_type = shop_order_refund`) to REST JSON.
pub fn to_json(refund: &OrderRecord, site: &Site, version: ApiVersion) -> Value {
    let tz = format::site_timezone(site);
    let dp = format::price_decimals(site);
    let created = format::gmt_instant(refund.date_created_gmt.as_deref());
    let mut o = Map::new();
    o.insert("id".into(), json!(refund.id));
    o.insert("date_created".into(), format::local_date(created, &tz));
    o.insert("date_created_gmt".into(), format::gmt_date(created));
    o.insert(
        "amount".into(),
        json!(format::format_decimal(
            meta_text(&refund.meta, "_refund_amount"),
            dp,
            site
        )),
    );
    o.insert(
        "reason".into(),
        json!(meta_text(&refund.meta, "_refund_reason")),
    );
    o.insert(
        "refunded_by".into(),
        json!(absint(meta_text(&refund.meta, "_refunded_by"))),
    );
    o.insert(
        "refunded_payment".into(),
        json!(super::order::string_to_bool(meta_text(
            &refund.meta,
            "_refunded_payment"
        ))),
    );
    o.insert(
        "meta_data".into(),
        format::meta_data(&refund.meta, |k| {
            format::is_internal_key(k, REFUND_INTERNAL_META_KEYS, super::order::ORDER_DATA_KEYS)
                || format::is_internal_key(
                    k,
                    super::order::ORDER_INTERNAL_META_KEYS,
                    REFUND_DATA_KEYS,
                )
        }),
    );
    o.insert("line_items".into(), items_json(refund, "line_item", site));
    o.insert(
        "shipping_lines".into(),
        items_json(refund, "shipping", site),
    );
    o.insert("tax_lines".into(), items_json(refund, "tax", site));
    o.insert("fee_lines".into(), items_json(refund, "fee", site));
    let ns = version.namespace();
    let base = format!("/{ns}/orders/{}/refunds", refund.parent_id);
    o.insert(
        "_links".into(),
        links::links(&[
            (
                "self",
                links::rest_url(site, &format!("{base}/{}", refund.id)),
            ),
            ("collection", links::rest_url(site, &base)),
            (
                "up",
                links::rest_url(site, &format!("/{ns}/orders/{}", refund.parent_id)),
            ),
        ]),
    );
    if version == ApiVersion::V3 {
        o.insert("parent_order_id".into(), json!(refund.parent_id));
    }
    Value::Object(o)
}
