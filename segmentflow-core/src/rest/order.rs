//! `GET /wc/v{2,3}/orders/<id>`: the order JSON of
//! `WC_REST_Orders_V2_Controller::get_formatted_item_data` (v2) and
//! `WC_REST_Orders_Controller` (v3).
//!
//! v2 and v3 give the same fields in the same order (the order of
//! `WC_Order::get_base_data()` plus the extra fields, then the `*_gmt` dates
//! appended by the date formatting loop), then `currency_symbol`
//! (`html_entity_decode( get_woocommerce_currency_symbol( $currency ) )`),
//! which WooCommerce's admin API adds on the
//! `woocommerce_rest_prepare_shop_order_object` filter, a hook both versions
//! run (seen in the v3 samples and delivery; for v2 it follows from the
//! shared hook name, not from a v2 sample).
//!
//! Money fields are `wc_format_decimal( $x, dp )` strings, except
//! the raw item `taxes` amounts, `discount`/`discount_tax` of coupon lines and
//! `amount` of fee lines, which WooCommerce prints as stored; line item
//! `price` is a number (`total / quantity`).
//!
//! Order `meta_data` hides the keys the order data stores treat as internal
//! (HPOS and post storage lists, `_` + every order data key, `wp_*`), and item
//! `meta_data` hides each item type's internal keys; item meta carries
//! `display_key`/`display_value` as `get_all_formatted_meta_data()` makes them
//! (attribute labels, term names, `wp_kses_post` entity normalization,
//! `wc_clean`), with `key`/`value` `rawurldecode`d where WooCommerce formats
//! them.

use super::format::{self, absint, intval, number};
use super::{ApiVersion, links};
use crate::store::{
    DbDate, LineTaxData, MetaRow, MetaValue, OrderItem, OrderRecord, ProductRef, Site, TaxAmount,
    TaxEntry, TaxKey, meta_text,
};
use serde_json::{Map, Value, json};

/// Order meta keys the order data stores keep internal (HPOS
/// `OrdersTableDataStore::$internal_meta_keys`, `WC_Order_Data_Store_CPT`,
/// `Abstract_WC_Order_Data_Store_CPT`).
pub const ORDER_INTERNAL_META_KEYS: &[&str] = &[
    "_customer_user",
    "_order_key",
    "_order_currency",
    "_billing_first_name",
    "_billing_last_name",
    "_billing_company",
    "_billing_address_1",
    "_billing_address_2",
    "_billing_city",
    "_billing_state",
    "_billing_postcode",
    "_billing_country",
    "_billing_email",
    "_billing_phone",
    "_shipping_first_name",
    "_shipping_last_name",
    "_shipping_company",
    "_shipping_address_1",
    "_shipping_address_2",
    "_shipping_city",
    "_shipping_state",
    "_shipping_postcode",
    "_shipping_country",
    "_shipping_phone",
    "_completed_date",
    "_paid_date",
    "_edit_lock",
    "_edit_last",
    "_cart_discount",
    "_cart_discount_tax",
    "_order_shipping",
    "_order_shipping_tax",
    "_order_tax",
    "_order_total",
    "_payment_method",
    "_payment_method_title",
    "_transaction_id",
    "_customer_ip_address",
    "_customer_user_agent",
    "_created_via",
    "_order_version",
    "_prices_include_tax",
    "_date_completed",
    "_date_paid",
    "_payment_tokens",
    "_billing_address_index",
    "_shipping_address_index",
    "_recorded_sales",
    "_recorded_coupon_usage_counts",
    "_download_permissions_granted",
    "_order_stock_reduced",
    "_new_order_email_sent",
];

/// `WC_Order` data keys (`_` + key is internal too).
pub const ORDER_DATA_KEYS: &[&str] = &[
    "parent_id",
    "status",
    "currency",
    "version",
    "prices_include_tax",
    "date_created",
    "date_modified",
    "discount_total",
    "discount_tax",
    "shipping_total",
    "shipping_tax",
    "cart_tax",
    "total",
    "total_tax",
    "customer_id",
    "order_key",
    "billing",
    "shipping",
    "payment_method",
    "payment_method_title",
    "transaction_id",
    "customer_ip_address",
    "customer_user_agent",
    "created_via",
    "customer_note",
    "date_completed",
    "date_paid",
    "cart_hash",
    "order_stock_reduced",
    "download_permissions_granted",
    "new_order_email_sent",
    "recorded_sales",
    "recorded_coupon_usage_counts",
];

/// Maps an order record to the REST JSON of `version`, `_links` included.
pub fn to_json(order: &OrderRecord, site: &Site, version: ApiVersion) -> Value {
    let tz = format::site_timezone(site);
    let dp = format::price_decimals(site);
    let money = |s: &str| Value::String(format::format_decimal(s, dp, site));
    let status = order
        .status
        .strip_prefix("wc-")
        .unwrap_or(&order.status)
        .to_string();

    let created = format::gmt_instant(order.date_created_gmt.as_deref());
    let modified = format::gmt_instant(order.date_modified_gmt.as_deref());
    let paid = order
        .date_paid
        .as_ref()
        .and_then(|d| format::db_date_instant(d, &tz));
    let completed = order
        .date_completed
        .as_ref()
        .and_then(|d| format::db_date_instant(d, &tz));

    let mut o = Map::new();
    o.insert("id".into(), json!(order.id));
    o.insert("parent_id".into(), json!(order.parent_id));
    o.insert("status".into(), json!(status));
    o.insert("currency".into(), json!(order.currency));
    o.insert("version".into(), json!(order.version));
    o.insert(
        "prices_include_tax".into(),
        json!(prices_include_tax(order, site)),
    );
    o.insert("date_created".into(), format::local_date(created, &tz));
    o.insert("date_modified".into(), format::local_date(modified, &tz));
    o.insert("discount_total".into(), money(&order.discount_total));
    o.insert("discount_tax".into(), money(&order.discount_tax));
    o.insert("shipping_total".into(), money(&order.shipping_total));
    o.insert("shipping_tax".into(), money(&order.shipping_tax));
    o.insert("cart_tax".into(), money(&order.cart_tax));
    o.insert("total".into(), money(&order.total));
    o.insert(
        "total_tax".into(),
        json!(format::add_and_round(
            &order.cart_tax,
            &order.shipping_tax,
            dp,
            site
        )),
    );
    o.insert("customer_id".into(), json!(order.customer_id));
    o.insert("order_key".into(), json!(order.order_key));
    o.insert("billing".into(), address_json(&order.billing, true));
    o.insert("shipping".into(), address_json(&order.shipping, false));
    o.insert("payment_method".into(), json!(order.payment_method));
    o.insert(
        "payment_method_title".into(),
        json!(order.payment_method_title),
    );
    o.insert("transaction_id".into(), json!(order.transaction_id));
    o.insert(
        "customer_ip_address".into(),
        json!(order.customer_ip_address),
    );
    o.insert(
        "customer_user_agent".into(),
        json!(order.customer_user_agent),
    );
    o.insert("created_via".into(), json!(order.created_via));
    o.insert("customer_note".into(), json!(order.customer_note));
    o.insert("date_completed".into(), format::local_date(completed, &tz));
    o.insert("date_paid".into(), format::local_date(paid, &tz));
    o.insert("cart_hash".into(), json!(order.cart_hash));
    o.insert("number".into(), json!(order.id.to_string()));
    o.insert(
        "meta_data".into(),
        format::meta_data(&order.meta, |k| {
            format::is_internal_key(k, ORDER_INTERNAL_META_KEYS, ORDER_DATA_KEYS)
        }),
    );
    for (field, kind) in [
        ("line_items", "line_item"),
        ("tax_lines", "tax"),
        ("shipping_lines", "shipping"),
        ("fee_lines", "fee"),
        ("coupon_lines", "coupon"),
    ] {
        o.insert(field.into(), items_json(order, kind, site));
    }
    o.insert("refunds".into(), refunds_json(order, site));
    o.insert(
        "payment_url".into(),
        json!(links::checkout_payment_url(
            site,
            order.id,
            &order.order_key
        )),
    );
    o.insert(
        "is_editable".into(),
        json!(matches!(
            status.as_str(),
            "pending" | "on-hold" | "auto-draft"
        )),
    );
    o.insert(
        "needs_payment".into(),
        json!(
            matches!(status.as_str(), "pending" | "failed") && format::to_f64(&order.total) > 0.0
        ),
    );
    o.insert("needs_processing".into(), json!(needs_processing(order)));
    o.insert("date_created_gmt".into(), format::gmt_date(created));
    o.insert("date_modified_gmt".into(), format::gmt_date(modified));
    o.insert("date_completed_gmt".into(), format::gmt_date(completed));
    o.insert("date_paid_gmt".into(), format::gmt_date(paid));
    o.insert(
        "currency_symbol".into(),
        json!(format::decode_entities(format::currency_symbol(
            &order.currency
        ))),
    );
    let ns = version.namespace();
    let mut l = vec![
        (
            "self",
            links::rest_url(site, &format!("/{ns}/orders/{}", order.id)),
        ),
        (
            "collection",
            links::rest_url(site, &format!("/{ns}/orders")),
        ),
    ];
    if order.customer_id != 0 {
        l.push((
            "customer",
            links::rest_url(site, &format!("/{ns}/customers/{}", order.customer_id)),
        ));
    }
    if order.parent_id != 0 {
        l.push((
            "up",
            links::rest_url(site, &format!("/{ns}/orders/{}", order.parent_id)),
        ));
    }
    o.insert("_links".into(), links::links(&l));
    Value::Object(o)
}

fn prices_include_tax(order: &OrderRecord, site: &Site) -> bool {
    order
        .prices_include_tax
        .unwrap_or(site.prices_include_tax == "yes")
}

fn address_json(a: &crate::store::Address, billing: bool) -> Value {
    let mut o = Map::new();
    o.insert("first_name".into(), json!(a.first_name));
    o.insert("last_name".into(), json!(a.last_name));
    o.insert("company".into(), json!(a.company));
    o.insert("address_1".into(), json!(a.address_1));
    o.insert("address_2".into(), json!(a.address_2));
    o.insert("city".into(), json!(a.city));
    o.insert("state".into(), json!(a.state));
    o.insert("postcode".into(), json!(a.postcode));
    o.insert("country".into(), json!(a.country));
    if billing {
        o.insert("email".into(), json!(a.email.as_deref().unwrap_or("")));
    }
    o.insert("phone".into(), json!(a.phone));
    Value::Object(o)
}

fn refunds_json(order: &OrderRecord, site: &Site) -> Value {
    let dp = format::price_decimals(site);
    let mut refunds: Vec<&OrderRecord> = order.refunds.iter().collect();
    refunds.sort_by(|a, b| {
        b.date_created_gmt
            .cmp(&a.date_created_gmt)
            .then(b.id.cmp(&a.id))
    });
    Value::Array(
        refunds
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "reason": meta_text(&r.meta, "_refund_reason"),
                    "total": format!("-{}", format::format_decimal(meta_text(&r.meta, "_refund_amount"), dp, site)),
                })
            })
            .collect(),
    )
}

fn needs_processing(order: &OrderRecord) -> bool {
    order
        .items
        .iter()
        .filter(|i| i.item_type == "line_item")
        .any(|item| match product_for(order, item) {
            Some(p) => !(p.virtual_ == "yes" && p.downloadable == "yes"),
            None => false,
        })
}

/// The product a line item points at (`variation_id` when set).
pub(crate) fn product_for<'a>(order: &'a OrderRecord, item: &OrderItem) -> Option<&'a ProductRef> {
    let variation = absint(meta_text(&item.meta, "_variation_id"));
    let id = if variation != 0 {
        variation
    } else {
        absint(meta_text(&item.meta, "_product_id"))
    };
    if id == 0 {
        return None;
    }
    order.products.iter().find(|p| p.id == id)
}

/// The items of one type as REST JSON.
pub(crate) fn items_json(order: &OrderRecord, kind: &str, site: &Site) -> Value {
    Value::Array(
        order
            .items
            .iter()
            .filter(|i| i.item_type == kind)
            .map(|i| item_json(order, i, site))
            .collect(),
    )
}

const LINE_ITEM_INTERNAL: &[&str] = &[
    "_product_id",
    "_variation_id",
    "_qty",
    "_tax_class",
    "_line_subtotal",
    "_line_subtotal_tax",
    "_line_total",
    "_line_tax",
    "_line_tax_data",
];
const LINE_ITEM_DATA: &[&str] = &[
    "order_id",
    "name",
    "product_id",
    "variation_id",
    "quantity",
    "tax_class",
    "subtotal",
    "subtotal_tax",
    "total",
    "total_tax",
    "taxes",
];
const SHIPPING_INTERNAL: &[&str] = &["method_id", "instance_id", "cost", "total_tax", "taxes"];
const SHIPPING_DATA: &[&str] = &[
    "order_id",
    "name",
    "method_title",
    "method_id",
    "instance_id",
    "total",
    "total_tax",
    "taxes",
];
const FEE_INTERNAL: &[&str] = &[
    "_fee_amount",
    "_tax_class",
    "_tax_status",
    "_line_subtotal",
    "_line_subtotal_tax",
    "_line_total",
    "_line_tax",
    "_line_tax_data",
];
const FEE_DATA: &[&str] = &[
    "order_id",
    "name",
    "tax_class",
    "tax_status",
    "amount",
    "total",
    "total_tax",
    "taxes",
];
const COUPON_INTERNAL: &[&str] = &["discount_amount", "discount_amount_tax"];
const COUPON_DATA: &[&str] = &["order_id", "name", "code", "discount", "discount_tax"];
const TAX_INTERNAL: &[&str] = &[
    "rate_id",
    "label",
    "compound",
    "tax_amount",
    "shipping_tax_amount",
    "rate_percent",
];
const TAX_DATA: &[&str] = &[
    "order_id",
    "name",
    "rate_code",
    "rate_id",
    "label",
    "compound",
    "tax_total",
    "shipping_tax_total",
    "rate_percent",
];

fn item_key_lists(kind: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        "line_item" => (LINE_ITEM_INTERNAL, LINE_ITEM_DATA),
        "shipping" => (SHIPPING_INTERNAL, SHIPPING_DATA),
        "fee" => (FEE_INTERNAL, FEE_DATA),
        "coupon" => (COUPON_INTERNAL, COUPON_DATA),
        "tax" => (TAX_INTERNAL, TAX_DATA),
        _ => (&[], &["order_id", "name"]),
    }
}

fn item_json(order: &OrderRecord, item: &OrderItem, site: &Site) -> Value {
    let dp = format::price_decimals(site);
    let money = |s: &str| Value::String(format::format_decimal(s, dp, site));
    let raw = |s: &str| Value::String(format::format_decimal_raw(s, site));
    let m = |k: &str| meta_text(&item.meta, k);
    let product = if item.item_type == "line_item" {
        product_for(order, item)
    } else {
        None
    };
    let mut o = Map::new();
    o.insert("id".into(), json!(item.id));
    match item.item_type.as_str() {
        "line_item" => {
            o.insert("name".into(), json!(item.name));
            o.insert("product_id".into(), json!(absint(m("_product_id"))));
            o.insert("variation_id".into(), json!(absint(m("_variation_id"))));
            let qty = intval(m("_qty"));
            o.insert("quantity".into(), json!(qty));
            o.insert("tax_class".into(), json!(m("_tax_class")));
            o.insert("subtotal".into(), money(m("_line_subtotal")));
            o.insert("subtotal_tax".into(), money(m("_line_subtotal_tax")));
            o.insert("total".into(), money(m("_line_total")));
            o.insert("total_tax".into(), money(m("_line_tax")));
            o.insert("taxes".into(), product_taxes(item.taxes.as_ref(), site));
            o.insert(
                "meta_data".into(),
                item_meta_json(order, item, product, site),
            );
            o.insert(
                "sku".into(),
                product.map_or(Value::Null, |p| {
                    json!(if p.sku.is_empty() && p.product_type == "variation" {
                        &p.parent_sku
                    } else {
                        &p.sku
                    })
                }),
            );
            let total = format::format_decimal_raw(m("_line_total"), site);
            let price = if qty != 0 {
                number(format::to_f64(&total) / qty as f64)
            } else {
                json!(0)
            };
            o.insert("price".into(), price);
            o.insert("image".into(), line_item_image(product, site));
            o.insert(
                "parent_name".into(),
                match product {
                    Some(p) if p.product_type == "variation" => json!(p.parent_title),
                    _ => Value::Null,
                },
            );
        }
        "shipping" => {
            o.insert("method_title".into(), json!(item.name));
            o.insert("method_id".into(), json!(m("method_id")));
            o.insert("instance_id".into(), json!(m("instance_id")));
            o.insert("total".into(), money(m("cost")));
            o.insert("total_tax".into(), money(m("total_tax")));
            o.insert(
                "taxes".into(),
                total_only_taxes(item.taxes.as_ref(), true, site),
            );
            o.insert("meta_data".into(), item_meta_json(order, item, None, site));
        }
        "fee" => {
            o.insert("name".into(), json!(item.name));
            o.insert("tax_class".into(), json!(m("_tax_class")));
            let tax_status = if m("_tax_status") == "none" {
                "none"
            } else {
                "taxable"
            };
            o.insert("tax_status".into(), json!(tax_status));
            o.insert("amount".into(), raw(m("_fee_amount")));
            o.insert("total".into(), money(m("_line_total")));
            o.insert("total_tax".into(), money(m("_line_tax")));
            o.insert(
                "taxes".into(),
                total_only_taxes(item.taxes.as_ref(), false, site),
            );
            o.insert("meta_data".into(), item_meta_json(order, item, None, site));
        }
        "coupon" => {
            o.insert("code".into(), json!(item.name));
            o.insert("discount".into(), raw(m("discount_amount")));
            o.insert("discount_tax".into(), raw(m("discount_amount_tax")));
            o.insert("meta_data".into(), item_meta_json(order, item, None, site));
            let (discount_type, amount, free_shipping) = coupon_info(&item.meta);
            o.insert("discount_type".into(), json!(discount_type));
            o.insert("nominal_amount".into(), number(amount));
            o.insert("free_shipping".into(), json!(free_shipping));
        }
        "tax" => {
            o.insert("rate_code".into(), json!(item.name));
            o.insert("rate_id".into(), json!(absint(m("rate_id"))));
            o.insert("label".into(), json!(m("label")));
            o.insert("compound".into(), json!(string_to_bool(m("compound"))));
            o.insert("tax_total".into(), money(m("tax_amount")));
            o.insert("shipping_tax_total".into(), money(m("shipping_tax_amount")));
            o.insert(
                "rate_percent".into(),
                number(format::to_f64(m("rate_percent"))),
            );
            o.insert("meta_data".into(), item_meta_json(order, item, None, site));
        }
        _ => {
            o.insert("name".into(), json!(item.name));
            o.insert("meta_data".into(), item_meta_json(order, item, None, site));
        }
    }
    Value::Object(o)
}

/// `wc_string_to_bool()`.
pub(crate) fn string_to_bool(s: &str) -> bool {
    matches!(s.to_ascii_lowercase().as_str(), "yes" | "true" | "1")
}

fn line_item_image(product: Option<&ProductRef>, site: &Site) -> Value {
    let Some(p) = product else {
        return json!({ "id": 0, "src": "" });
    };
    let own = if p.thumbnail_id.is_empty() {
        None
    } else {
        Some(absint(&p.thumbnail_id))
    };
    let id: Option<u64> = if p.product_type == "variation" && own.unwrap_or(0) == 0 {
        match (
            p.parent_thumbnail_id.is_empty(),
            absint(&p.parent_thumbnail_id),
        ) {
            (false, parent) if parent != 0 => Some(parent),
            _ => own,
        }
    } else {
        own
    };
    match id {
        None => json!({ "id": "", "src": "" }),
        Some(0) => json!({ "id": 0, "src": "" }),
        Some(id) => {
            let src = p
                .attachments
                .iter()
                .find(|a| a.id == id)
                .map_or(Value::Bool(false), |a| {
                    json!(attachment_url(site, &a.attached_file))
                });
            json!({ "id": id, "src": src })
        }
    }
}

/// `wp_get_attachment_url()` from `_wp_attached_file`.
pub(crate) fn attachment_url(site: &Site, file: &str) -> String {
    if file.starts_with("http://") || file.starts_with("https://") {
        return file.to_string();
    }
    if let Some(pos) = file.find("wp-content/uploads/") {
        return format!(
            "{}/{}",
            site.uploads_base_url.trim_end_matches('/'),
            &file[pos + 19..]
        );
    }
    format!(
        "{}/{}",
        site.uploads_base_url.trim_end_matches('/'),
        file.trim_start_matches('/')
    )
}

fn tax_amount_text(a: &TaxAmount, site: &Site) -> String {
    match a {
        TaxAmount::Text(s) => format::format_decimal_raw(s, site),
        TaxAmount::Float(f) => format::format_float_raw(*f, site),
    }
}

fn tax_key_json(k: &TaxKey) -> Value {
    match k {
        TaxKey::Int(i) => json!(i),
        TaxKey::Str(s) => json!(s),
    }
}

fn entries_sum(entries: &[(TaxKey, String)]) -> f64 {
    entries.iter().map(|(_, v)| format::to_f64(v)).sum()
}

fn formatted(entries: &[TaxEntry], site: &Site) -> Vec<(TaxKey, String)> {
    entries
        .iter()
        .map(|e| (e.rate_id.clone(), tax_amount_text(&e.amount, site)))
        .collect()
}

/// `WC_Order_Item_Product::set_taxes` + the REST formatting.
fn product_taxes(taxes: Option<&LineTaxData>, site: &Site) -> Value {
    let Some(t) = taxes else { return json!([]) };
    let (Some(total), Some(subtotal)) = (t.total.as_ref(), t.subtotal.as_ref()) else {
        return json!([]);
    };
    if total.is_empty() || subtotal.is_empty() {
        return json!([]);
    }
    let total = formatted(total, site);
    let mut subtotal = formatted(subtotal, site);
    if entries_sum(&subtotal) < entries_sum(&total) {
        subtotal = total.clone();
    }
    Value::Array(
        total
            .iter()
            .map(|(k, v)| {
                let sub = subtotal
                    .iter()
                    .find(|(sk, _)| sk == k)
                    .map_or(String::new(), |(_, s)| s.clone());
                json!({ "id": tax_key_json(k), "total": v, "subtotal": sub })
            })
            .collect(),
    )
}

/// Shipping (`isset( total )`, else the legacy flat array) and fee
/// (`! empty( total )`) taxes: totals only, `subtotal` always `""`.
fn total_only_taxes(taxes: Option<&LineTaxData>, shipping: bool, site: &Site) -> Value {
    let Some(t) = taxes else { return json!([]) };
    let entries: &[TaxEntry] = match (&t.total, &t.flat) {
        (Some(total), _) => total,
        (None, Some(flat)) if shipping => flat,
        _ => &[],
    };
    Value::Array(
        formatted(entries, site)
            .iter()
            .map(|(k, v)| json!({ "id": tax_key_json(k), "total": v, "subtotal": "" }))
            .collect(),
    )
}

/// `discount_type`, `(float) amount` and `free_shipping` of a coupon line
/// from `coupon_info` (compact JSON) or the older `coupon_data`.
fn coupon_info(meta: &[MetaRow]) -> (String, f64, bool) {
    let defaults = ("fixed_cart".to_string(), 0.0, false);
    let info = meta_text(meta, "coupon_info");
    if !info.is_empty() {
        if let Ok(Value::Array(parts)) = serde_json::from_str::<Value>(info) {
            let discount_type = parts
                .get(2)
                .and_then(Value::as_str)
                .unwrap_or("fixed_cart")
                .to_string();
            let amount = parts.get(3).map_or(0.0, php_float);
            let free_shipping = parts.get(4).is_some_and(php_truthy);
            return (discount_type, amount, free_shipping);
        }
        return defaults;
    }
    if let Some(MetaValue::Json(Value::Object(data))) = crate::store::find_meta(meta, "coupon_data")
    {
        let discount_type = data
            .get("discount_type")
            .and_then(Value::as_str)
            .unwrap_or("fixed_cart")
            .to_string();
        let amount = data.get("amount").map_or(0.0, php_float);
        let free_shipping = data.get("free_shipping").is_some_and(php_truthy);
        return (discount_type, amount, free_shipping);
    }
    defaults
}

fn php_float(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => format::to_f64(s),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

fn php_truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => string_to_bool(s),
        _ => false,
    }
}

/// `sanitize_title()` for attribute keys (ASCII subset).
pub(crate) fn sanitize_title(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().to_lowercase().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else if c.is_whitespace() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn item_meta_json(
    order: &OrderRecord,
    item: &OrderItem,
    product: Option<&ProductRef>,
    site: &Site,
) -> Value {
    let (internal, data) = item_key_lists(&item.item_type);
    Value::Array(
        item.meta
            .iter()
            .filter(|m| !format::is_internal_key(&m.key, internal, data))
            .map(|m| item_meta_entry(order, m, product, site))
            .collect(),
    )
}

fn scalar_text(v: &MetaValue) -> Option<String> {
    match v {
        MetaValue::Text(s) => Some(s.clone()),
        MetaValue::Json(Value::String(s)) => Some(s.clone()),
        MetaValue::Json(Value::Number(n)) => Some(n.to_string()),
        MetaValue::Json(Value::Bool(b)) => Some(if *b { "1".into() } else { String::new() }),
        MetaValue::Json(_) => None,
    }
}

fn item_meta_entry(
    order: &OrderRecord,
    m: &MetaRow,
    product: Option<&ProductRef>,
    site: &Site,
) -> Value {
    let raw_value = m.value.to_json();
    let formattable = m.id != 0
        && !matches!(&m.value, MetaValue::Text(s) if s.is_empty())
        && !matches!(&m.value, MetaValue::Json(Value::String(s)) if s.is_empty());
    let text = if formattable {
        scalar_text(&m.value)
    } else {
        None
    };
    let Some(text) = text else {
        return json!({
            "id": m.id, "key": m.key, "value": raw_value,
            "display_key": m.key, "display_value": raw_value,
        });
    };
    let key = format::rawurldecode(&m.key);
    let value = format::rawurldecode(&text);
    let attribute_key = key.replace("attribute_", "");
    let display_key = attribute_label(&attribute_key, product, site);
    let mut display_value = format::kses_text(&value);
    if is_attribute_taxonomy(&attribute_key, site)
        && let Some(term) = order
            .attribute_terms
            .iter()
            .find(|t| t.taxonomy == attribute_key && t.slug == value)
        && !term.name.is_empty()
    {
        display_value = term.name.clone();
    }
    json!({
        "id": m.id,
        "key": key,
        "value": value,
        "display_key": format::sanitize_text_field(&display_key),
        "display_value": format::sanitize_text_field(&super::content::wpautop(&display_value)),
    })
}

fn is_attribute_taxonomy(name: &str, site: &Site) -> bool {
    name.strip_prefix("pa_")
        .is_some_and(|slug| site.attribute_taxonomies.iter().any(|t| t.name == slug))
}

/// `wc_attribute_label( $name, $product )`.
pub(crate) fn attribute_label(name: &str, product: Option<&ProductRef>, site: &Site) -> String {
    if let Some(slug) = name.strip_prefix("pa_")
        && let Some(t) = site.attribute_taxonomies.iter().find(|t| t.name == slug)
    {
        return t.label.clone();
    }
    if let Some(p) = product {
        let wanted = sanitize_title(name);
        if let Some((_, label)) = p.custom_attributes.iter().find(|(k, _)| *k == wanted) {
            return label.clone();
        }
    }
    name.to_string()
}

/// Resolves an order date for callers outside this module.
pub fn order_date(date: &DbDate, site: &Site) -> Option<jiff::Timestamp> {
    format::db_date_instant(date, &format::site_timezone(site))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coupon_info_cases() {
        let row = |k: &str, v: &str| MetaRow {
            id: 1,
            key: k.into(),
            value: MetaValue::Text(v.into()),
        };
        let cases = [
            (
                vec![row("coupon_info", "[75,\"welcome10\",\"percent\",10]")],
                ("percent".to_string(), 10.0, false),
            ),
            (
                vec![row("coupon_info", "[1,\"x\",\"fixed_cart\",\"5.5\",true]")],
                ("fixed_cart".to_string(), 5.5, true),
            ),
            (vec![], ("fixed_cart".to_string(), 0.0, false)),
            (
                vec![row("coupon_info", "not json")],
                ("fixed_cart".to_string(), 0.0, false),
            ),
        ];
        for (meta, want) in cases {
            assert_eq!(coupon_info(&meta), want);
        }
    }

    #[test]
    fn product_taxes_keep_raw_amounts() {
        let site = Site::default();
        let e = |id: i64, a: &str| TaxEntry {
            rate_id: TaxKey::Int(id),
            amount: TaxAmount::Text(a.into()),
        };
        let data = LineTaxData {
            total: Some(vec![e(1, "6.035")]),
            subtotal: Some(vec![e(1, "5")]),
            flat: None,
        };
        assert_eq!(
            product_taxes(Some(&data), &site),
            json!([{ "id": 1, "total": "6.035", "subtotal": "6.035" }])
        );
        let no_sub = LineTaxData {
            total: Some(vec![e(1, "1")]),
            subtotal: None,
            flat: None,
        };
        assert_eq!(product_taxes(Some(&no_sub), &site), json!([]));
        let flat = LineTaxData {
            total: None,
            subtotal: None,
            flat: Some(vec![e(2, "0.5")]),
        };
        assert_eq!(
            total_only_taxes(Some(&flat), true, &site),
            json!([{ "id": 2, "total": "0.5", "subtotal": "" }])
        );
        assert_eq!(total_only_taxes(Some(&flat), false, &site), json!([]));
    }
}

#[cfg(test)]
mod mapping_tests {
    use super::*;
    use crate::store::OrderItem;

    fn row(id: u64, k: &str, v: &str) -> MetaRow {
        MetaRow {
            id,
            key: k.into(),
            value: MetaValue::Text(v.into()),
        }
    }

    fn order(status: &str, total: &str) -> OrderRecord {
        OrderRecord {
            id: 9,
            order_type: "shop_order".into(),
            status: status.into(),
            currency: "EUR".into(),
            total: total.into(),
            cart_tax: "1.005".into(),
            shipping_tax: "0".into(),
            date_paid: Some(DbDate::Timestamp(1_750_000_000)),
            date_completed: Some(DbDate::SiteLocal("2025-06-15 12:00:00".into())),
            ..OrderRecord::default()
        }
    }

    fn site() -> Site {
        Site {
            home_url: "https://s.example".into(),
            timezone_string: "Europe/Berlin".into(),
            ..Site::default()
        }
    }

    #[test]
    fn status_flags_and_dates() {
        let cases = [
            ("wc-pending", "10", true, true),
            ("wc-pending", "0", false, true),
            ("wc-failed", "3", true, false),
            ("wc-on-hold", "3", false, true),
            ("wc-completed", "3", false, false),
        ];
        for (status, total, needs_payment, editable) in cases {
            let json = to_json(&order(status, total), &site(), ApiVersion::V2);
            assert_eq!(
                json["needs_payment"],
                json!(needs_payment),
                "{status} {total}"
            );
            assert_eq!(json["is_editable"], json!(editable), "{status} {total}");
        }
        let json = to_json(&order("wc-completed", "5"), &site(), ApiVersion::V2);
        assert_eq!(json["status"], json!("completed"));
        assert_eq!(json["total_tax"], json!("1.01"));
        assert_eq!(json["currency_symbol"], json!("€"));
        assert_eq!(json["date_paid_gmt"], json!("2025-06-15T15:06:40"));
        assert_eq!(json["date_paid"], json!("2025-06-15T17:06:40"));
        assert_eq!(json["date_completed_gmt"], json!("2025-06-15T10:00:00"));
        assert_eq!(json["date_created"], Value::Null);
        assert_eq!(json["billing"]["email"], json!(""));
    }

    #[test]
    fn refunds_newest_first_and_deleted_products() {
        let mut o = order("wc-completed", "5");
        for (id, date, amount) in [
            (20, "2025-01-01 00:00:00", "1"),
            (21, "2025-02-01 00:00:00", "2.5"),
        ] {
            o.refunds.push(OrderRecord {
                id,
                parent_id: 9,
                order_type: "shop_order_refund".into(),
                date_created_gmt: Some(date.into()),
                meta: vec![
                    row(1, "_refund_amount", amount),
                    row(2, "_refund_reason", ""),
                ],
                ..OrderRecord::default()
            });
        }
        o.items.push(OrderItem {
            id: 3,
            name: "Gone".into(),
            item_type: "line_item".into(),
            meta: vec![
                row(1, "_product_id", "404"),
                row(2, "_qty", "0"),
                row(3, "_line_total", "0"),
            ],
            taxes: None,
        });
        let json = to_json(&o, &site(), ApiVersion::V3);
        assert_eq!(
            json["refunds"],
            json!([{ "id": 21, "reason": "", "total": "-2.50" }, { "id": 20, "reason": "", "total": "-1.00" }])
        );
        let item = &json["line_items"][0];
        assert_eq!(item["sku"], Value::Null);
        assert_eq!(item["image"], json!({ "id": 0, "src": "" }));
        assert_eq!(item["price"], json!(0));
        assert_eq!(item["parent_name"], Value::Null);
        assert_eq!(item["taxes"], json!([]));
        assert_eq!(json["needs_processing"], json!(false));
    }
}
