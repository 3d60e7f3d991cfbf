//! The rows an order becomes: HPOS (`wc_orders`, addresses, operational data,
//! `wc_orders_meta`, a `shop_order_placehold` post) or legacy posts storage
//! (`shop_order` / `shop_order_refund` posts and postmeta), and the order items
//! with their meta, which both storages share.
//!
//! Value formats follow what WooCommerce 9.2.5 wrote in the reference store:
//! trimmed decimals in item meta, 2-decimal strings for order-level postmeta
//! and refund amounts, unrounded 6-digit taxes in `_line_tax_data`, rounded
//! taxes in refund items.

use std::fmt::Write as _;

use super::GenerateError;
use super::catalog::{DiscountType, SHIPPING, TaxRate};
use super::orders::{
    DEVICES, Ids, Line, Order, OrderContext, PAYMENTS, Refund, RefundKind, Status, Tables,
    USER_AGENTS, UTMS,
};
use super::sql::SqlWriter;
use super::text::{self, e8_to_cents, line_tax_data, money_trim, money2, tax_exact};

pub(super) fn local_datetime(ctx: &OrderContext<'_>, ts: i64) -> String {
    text::datetime((ctx.local)(ts))
}

fn or_null(s: &str) -> Option<&str> {
    if s.is_empty() { None } else { Some(s) }
}

/// Custom order meta in the order the plugins write it.
fn custom_meta(o: &Order) -> Vec<(&'static str, &'static str)> {
    let mut m = Vec::new();
    if let Some(u) = o.utm {
        let (source, medium, campaign, content, term, source_type, _) = UTMS[u];
        m.push(("_segmentflow_utm_source", source));
        m.push(("_segmentflow_utm_medium", medium));
        for (k, v) in [
            ("_segmentflow_utm_campaign", campaign),
            ("_segmentflow_utm_content", content),
            ("_segmentflow_utm_term", term),
        ] {
            if !v.is_empty() {
                m.push((k, v));
            }
        }
        m.push(("_wc_order_attribution_source_type", source_type));
        m.push(("_wc_order_attribution_utm_source", source));
        m.push(("_wc_order_attribution_utm_medium", medium));
        m.push(("_wc_order_attribution_device_type", DEVICES[o.device]));
    }
    if let Some(l) = o.locale {
        m.push(("_segmentflow_locale", l));
    }
    m
}

pub(super) struct Flags {
    coupons_counted: bool,
    downloads: bool,
    stock_reduced: bool,
    recorded_sales: bool,
}

pub(super) fn flags(o: &Order) -> Flags {
    let r = o.status.reduced_stock();
    Flags {
        coupons_counted: r,
        downloads: o.status.was_paid(),
        stock_reduced: r,
        recorded_sales: r,
    }
}

pub(super) fn created_via(o: &Order) -> &'static str {
    if o.status == Status::CheckoutDraft {
        "store-api"
    } else {
        "checkout"
    }
}

fn placeholder(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    id: u64,
    parent: u64,
    created: i64,
    comment_count: usize,
) -> Result<(), GenerateError> {
    let local = local_datetime(ctx, created);
    let guid = format!("{}/?post_type=shop_order_placehold&p={id}", ctx.site_url);
    w.row(t.posts)
        .int(id as i64)
        .int(0)
        .str(&local)
        .datetime(Some(created))
        .str("")
        .str("")
        .str("")
        .str("draft")
        .str("closed")
        .str("closed")
        .str("")
        .str("")
        .str("")
        .str("")
        .str(&local)
        .datetime(Some(created))
        .str("")
        .int(parent as i64)
        .str(&guid)
        .int(0)
        .str("shop_order_placehold")
        .str("")
        .int(comment_count as i64)
        .end()
}

pub(super) fn write_hpos(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
) -> Result<(), GenerateError> {
    placeholder(ctx, w, t, o.id, 0, o.created, notes(o).len())?;
    write_notes(ctx, w, t, o)?;
    let (pm, pm_title, _) = PAYMENTS[o.payment];
    w.row(t.orders)
        .int(o.id as i64)
        .str(o.status.slug())
        .str(ctx.currency)
        .str("shop_order")
        .money(o.cart_tax)
        .money(o.total)
        .int(o.customer_id as i64)
        .str(&o.email)
        .datetime(Some(o.created))
        .datetime(Some(o.updated))
        .int(0)
        .str(pm)
        .str(pm_title)
        .str(&o.transaction_id)
        .str(&o.ip)
        .str(USER_AGENTS[o.ua])
        .str(o.note)
        .end()?;
    for (kind, email, phone) in [
        (
            "billing",
            Some(o.email.as_str()),
            Some(o.address.phone.as_str()),
        ),
        ("shipping", None, None),
    ] {
        let a = &o.address;
        w.row(t.addresses)
            .int(o.id as i64)
            .str(kind)
            .opt_str(or_null(&a.first_name))
            .opt_str(or_null(&a.last_name))
            .opt_str(or_null(&a.company))
            .opt_str(or_null(&a.address_1))
            .opt_str(or_null(&a.address_2))
            .opt_str(or_null(a.city))
            .opt_str(or_null(a.state))
            .opt_str(or_null(a.postcode))
            .opt_str(or_null(a.country))
            .opt_str(email)
            .opt_str(phone)
            .end()?;
    }
    let f = flags(o);
    w.row(t.operational)
        .int(o.id as i64)
        .str(created_via(o))
        .str("9.2.5")
        .int(0)
        .int(i64::from(f.coupons_counted))
        .int(i64::from(f.downloads))
        .str("")
        .int(0)
        .str(&o.key)
        .int(i64::from(f.stock_reduced))
        .datetime(o.paid)
        .datetime(o.completed)
        .money(o.shipping_tax)
        .money(o.shipping_cost())
        .money(o.discount_tax)
        .money(o.discount_total())
        .int(i64::from(f.recorded_sales))
        .end()?;
    for (k, v) in custom_meta(o) {
        w.row(t.orders_meta).int(o.id as i64).str(k).str(v).end()?;
    }
    w.row(t.orders_meta)
        .int(o.id as i64)
        .str("_billing_address_index")
        .str(&o.address.index_text(Some(&o.email)))
        .end()?;
    w.row(t.orders_meta)
        .int(o.id as i64)
        .str("_shipping_address_index")
        .str(&o.address.index_text(None))
        .end()
}

/// (tax, total, shipping, shipping tax) of a refund, all negative.
pub(super) fn refund_amounts(o: &Order, r: &Refund) -> (i64, i64, i64, i64) {
    match r.kind {
        RefundKind::Full => (-o.cart_tax, -o.total, -o.shipping_cost(), -o.shipping_tax),
        RefundKind::OneLine(i) => {
            let l = &o.lines[i];
            (-l.tax(), -(l.total + l.tax()), 0, 0)
        }
        RefundKind::Amount(a) => (0, -a, 0, 0),
    }
}

pub(super) fn write_hpos_refund(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
    r: &Refund,
) -> Result<(), GenerateError> {
    placeholder(ctx, w, t, r.id, o.id, r.at, 0)?;
    let (tax, total, ship, ship_tax) = refund_amounts(o, r);
    w.row(t.orders)
        .int(r.id as i64)
        .str("wc-completed")
        .str(ctx.currency)
        .str("shop_order_refund")
        .money(tax)
        .money(total)
        .null()
        .null()
        .datetime(Some(r.at))
        .datetime(Some(r.at))
        .int(o.id as i64)
        .null()
        .null()
        .null()
        .null()
        .null()
        .null()
        .end()?;
    w.row(t.operational)
        .int(r.id as i64)
        .null()
        .str("9.2.5")
        .int(0)
        .null()
        .null()
        .null()
        .null()
        .null()
        .null()
        .null()
        .null()
        .money(ship_tax)
        .money(ship)
        .money(0)
        .money(0)
        .null()
        .end()?;
    for (k, v) in refund_meta(total, r) {
        w.row(t.orders_meta).int(r.id as i64).str(k).str(&v).end()?;
    }
    Ok(())
}

fn refund_meta(total: i64, r: &Refund) -> [(&'static str, String); 4] {
    [
        ("_refund_amount", money2(-total)),
        ("_refunded_by", "1".to_owned()),
        ("_refunded_payment", String::new()),
        ("_refund_reason", r.reason.to_owned()),
    ]
}

#[allow(clippy::too_many_arguments)]
fn order_post(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    id: u64,
    kind: &str,
    status: &str,
    excerpt: &str,
    password: &str,
    parent: u64,
    created: i64,
    updated: i64,
    comment_count: usize,
) -> Result<(), GenerateError> {
    let (title, slug) = text::order_post_title(
        if kind == "shop_order" {
            "Order"
        } else {
            "Refund"
        },
        (ctx.local)(created),
    );
    let guid = format!("{}/?post_type={kind}&#038;p={id}", ctx.site_url);
    w.row(t.posts)
        .int(id as i64)
        .int(1)
        .str(&local_datetime(ctx, created))
        .datetime(Some(created))
        .str("")
        .str(&title)
        .str(excerpt)
        .str(status)
        .str("closed")
        .str("closed")
        .str(password)
        .str(&slug)
        .str("")
        .str("")
        .str(&local_datetime(ctx, updated))
        .datetime(Some(updated))
        .str("")
        .int(parent as i64)
        .str(&guid)
        .int(0)
        .str(kind)
        .str("")
        .int(comment_count as i64)
        .end()
}

/// The order notes WooCommerce adds as an order moves through its statuses
/// (time, text), oldest first.
fn notes(o: &Order) -> Vec<(i64, &'static str)> {
    let mut n = Vec::with_capacity(3);
    match o.status {
        Status::Completed | Status::Processing | Status::Refunded => {
            if let Some(p) = o.paid {
                n.push((p, "Payment received. Order status changed from Pending payment to Processing."));
            }
            if let Some(c) = o.completed {
                n.push((c, "Order status changed from Processing to Completed."));
            }
            if o.status == Status::Refunded
                && let Some(r) = &o.refund
            {
                n.push((
                    r.at,
                    if o.completed.is_some() {
                        "Order status changed from Completed to Refunded."
                    } else {
                        "Order status changed from Processing to Refunded."
                    },
                ));
            }
        }
        Status::OnHold => n.push((o.updated, "Awaiting payment confirmation. Order status changed from Pending payment to On hold.")),
        Status::Failed => {
            n.push((o.updated, "Payment declined by the gateway. Order status changed from Pending payment to Failed."))
        }
        Status::Cancelled => n.push((
            o.updated,
            "Unpaid order cancelled — time limit reached. Order status changed from Pending payment to Cancelled.",
        )),
        Status::Pending | Status::CheckoutDraft => {}
    }
    n
}

/// Writes the order's notes (`comments` of type `order_note`).
fn write_notes(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
) -> Result<(), GenerateError> {
    for (at, text) in notes(o) {
        w.row(t.comments)
            .int(o.id as i64)
            .str("WooCommerce")
            .str("")
            .str("")
            .str("")
            .str(&local_datetime(ctx, at))
            .datetime(Some(at))
            .str(text)
            .int(0)
            .str("1")
            .str("WooCommerce")
            .str("order_note")
            .int(0)
            .int(0)
            .end()?;
    }
    Ok(())
}

pub(super) fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

pub(super) fn write_posts(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
) -> Result<(), GenerateError> {
    order_post(
        ctx,
        w,
        t,
        o.id,
        "shop_order",
        o.status.slug(),
        o.note,
        &o.key,
        0,
        o.created,
        o.updated,
        notes(o).len(),
    )?;
    write_notes(ctx, w, t, o)?;
    let (pm, pm_title, _) = PAYMENTS[o.payment];
    let mut meta: Vec<(&str, String)> = vec![
        ("_order_key", o.key.clone()),
        ("_customer_user", o.customer_id.to_string()),
        ("_payment_method", pm.to_owned()),
        ("_payment_method_title", pm_title.to_owned()),
        ("_transaction_id", o.transaction_id.clone()),
        ("_customer_ip_address", o.ip.clone()),
        ("_customer_user_agent", USER_AGENTS[o.ua].to_owned()),
        ("_created_via", created_via(o).to_owned()),
    ];
    if let Some(c) = o.completed {
        meta.push(("_date_completed", c.to_string()));
    }
    if let Some(p) = o.paid {
        meta.push(("_date_paid", p.to_string()));
    }
    let a = &o.address;
    for (prefix, email) in [("_billing_", Some(o.email.as_str())), ("_shipping_", None)] {
        for (k, v) in [
            ("first_name", a.first_name.as_str()),
            ("last_name", a.last_name.as_str()),
            ("company", a.company.as_str()),
            ("address_1", a.address_1.as_str()),
            ("address_2", a.address_2.as_str()),
            ("city", a.city),
            ("state", a.state),
            ("postcode", a.postcode),
            ("country", a.country),
        ] {
            if !v.is_empty() {
                meta.push((meta_key(prefix, k), v.to_owned()));
            }
        }
        if let Some(e) = email {
            meta.push(("_billing_email", e.to_owned()));
            meta.push(("_billing_phone", a.phone.clone()));
        }
    }
    let f = flags(o);
    meta.extend([
        ("_order_currency", ctx.currency.to_owned()),
        ("_cart_discount", money2(o.discount_total())),
        ("_cart_discount_tax", money2(o.discount_tax)),
        ("_order_shipping", money2(o.shipping_cost())),
        ("_order_shipping_tax", money2(o.shipping_tax)),
        ("_order_tax", money2(o.cart_tax)),
        ("_order_total", money2(o.total)),
        ("_order_version", "9.2.5".to_owned()),
        ("_prices_include_tax", "no".to_owned()),
        ("_billing_address_index", a.index_text(Some(&o.email))),
        ("_shipping_address_index", a.index_text(None)),
    ]);
    if let Some(p) = o.paid {
        meta.push(("_paid_date", local_datetime(ctx, p)));
    }
    if let Some(c) = o.completed {
        meta.push(("_completed_date", local_datetime(ctx, c)));
    }
    meta.extend([
        ("_recorded_sales", yes_no(f.recorded_sales).to_owned()),
        (
            "_recorded_coupon_usage_counts",
            yes_no(f.coupons_counted).to_owned(),
        ),
        (
            "_download_permissions_granted",
            yes_no(f.downloads).to_owned(),
        ),
        ("_order_stock_reduced", yes_no(f.stock_reduced).to_owned()),
        ("_new_order_email_sent", "no".to_owned()),
    ]);
    for (k, v) in custom_meta(o) {
        meta.push((k, v.to_owned()));
    }
    for (k, v) in meta {
        if k == "_transaction_id" && v.is_empty() {
            continue;
        }
        w.row(t.postmeta).int(o.id as i64).str(k).str(&v).end()?;
    }
    Ok(())
}

fn meta_key(prefix: &str, field: &str) -> &'static str {
    const BILLING: [(&str, &str); 9] = [
        ("first_name", "_billing_first_name"),
        ("last_name", "_billing_last_name"),
        ("company", "_billing_company"),
        ("address_1", "_billing_address_1"),
        ("address_2", "_billing_address_2"),
        ("city", "_billing_city"),
        ("state", "_billing_state"),
        ("postcode", "_billing_postcode"),
        ("country", "_billing_country"),
    ];
    const SHIPPING_KEYS: [(&str, &str); 9] = [
        ("first_name", "_shipping_first_name"),
        ("last_name", "_shipping_last_name"),
        ("company", "_shipping_company"),
        ("address_1", "_shipping_address_1"),
        ("address_2", "_shipping_address_2"),
        ("city", "_shipping_city"),
        ("state", "_shipping_state"),
        ("postcode", "_shipping_postcode"),
        ("country", "_shipping_country"),
    ];
    let table = if prefix == "_billing_" {
        &BILLING
    } else {
        &SHIPPING_KEYS
    };
    table
        .iter()
        .find(|(f, _)| *f == field)
        .map_or("_unknown", |(_, k)| k)
}

pub(super) fn write_posts_refund(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
    r: &Refund,
) -> Result<(), GenerateError> {
    order_post(
        ctx,
        w,
        t,
        r.id,
        "shop_order_refund",
        "wc-completed",
        r.reason,
        "",
        o.id,
        r.at,
        r.at,
        0,
    )?;
    let (tax, total, ship, ship_tax) = refund_amounts(o, r);
    let mut meta: Vec<(&str, String)> = vec![
        ("_order_currency", ctx.currency.to_owned()),
        ("_cart_discount", money2(0)),
        ("_cart_discount_tax", money2(0)),
        ("_order_shipping", money2(ship)),
        ("_order_shipping_tax", money2(ship_tax)),
        ("_order_tax", money2(tax)),
        ("_order_total", money2(total)),
        ("_order_version", "9.2.5".to_owned()),
        ("_prices_include_tax", "no".to_owned()),
    ];
    meta.extend(refund_meta(total, r));
    for (k, v) in meta {
        w.row(t.postmeta).int(r.id as i64).str(k).str(&v).end()?;
    }
    Ok(())
}

fn item(
    w: &mut SqlWriter<'_>,
    t: &Tables,
    id: u64,
    name: &str,
    kind: &str,
    order: u64,
) -> Result<(), GenerateError> {
    w.row(t.items)
        .int(id as i64)
        .str(name)
        .str(kind)
        .int(order as i64)
        .end()
}

fn imeta(
    w: &mut SqlWriter<'_>,
    t: &Tables,
    id: u64,
    key: &str,
    value: &str,
) -> Result<(), GenerateError> {
    w.row(t.itemmeta).int(id as i64).str(key).str(value).end()
}

fn shipping_taxes(rate: Option<&TaxRate>, value: &str) -> String {
    let mut s = String::from("a:1:{s:5:\"total\";");
    match rate {
        Some(r) => {
            let _ = write!(s, "a:1:{{i:{};", r.id);
            text::ser_str(&mut s, value);
            s.push('}');
        }
        None => s.push_str("a:0:{}"),
    }
    s.push('}');
    s
}

pub(super) fn write_items(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
) -> Result<(), GenerateError> {
    let cat = ctx.catalog;
    let rate_id = o.rate.map(|r| r.id);
    let full_refund = matches!(
        o.refund,
        Some(Refund {
            kind: RefundKind::Full,
            ..
        })
    );
    let stock_reduced = flags(o).stock_reduced;
    for l in &o.lines {
        let unit = &cat.units[l.unit];
        let product = &cat.products[unit.product];
        let variation_id = unit.variation.map_or(0, |v| product.variations[v].id);
        item(w, t, l.item_id, &unit.name, "line_item", o.id)?;
        let id = l.item_id;
        imeta(w, t, id, "_product_id", &product.id.to_string())?;
        imeta(w, t, id, "_variation_id", &variation_id.to_string())?;
        imeta(w, t, id, "_qty", &l.qty.to_string())?;
        imeta(w, t, id, "_tax_class", "")?;
        imeta(w, t, id, "_line_subtotal", &money_trim(l.subtotal))?;
        imeta(w, t, id, "_line_subtotal_tax", &money_trim(l.sub_tax()))?;
        imeta(w, t, id, "_line_total", &money_trim(l.total))?;
        imeta(w, t, id, "_line_tax", &money_trim(l.tax()))?;
        let total_s = tax_exact(l.tax_e8);
        let sub_s = tax_exact(l.sub_tax_e8);
        imeta(
            w,
            t,
            id,
            "_line_tax_data",
            &line_tax_data(rate_id, &total_s, Some(&sub_s)),
        )?;
        for &(k, v) in &unit.item_meta {
            imeta(w, t, id, k, v)?;
        }
        if stock_reduced && unit.managed_stock {
            imeta(w, t, id, "_reduced_stock", &l.qty.to_string())?;
        }
        if full_refund {
            imeta(w, t, id, "_restock_refunded_items", &l.qty.to_string())?;
        }
    }
    let ship = &SHIPPING[o.shipping].0;
    item(w, t, o.shipping_item, ship.title, "shipping", o.id)?;
    imeta(w, t, o.shipping_item, "method_id", ship.method_id)?;
    imeta(
        w,
        t,
        o.shipping_item,
        "instance_id",
        &ship.instance_id.to_string(),
    )?;
    imeta(w, t, o.shipping_item, "cost", ship.cost_text)?;
    imeta(
        w,
        t,
        o.shipping_item,
        "total_tax",
        &money_trim(o.shipping_tax),
    )?;
    imeta(
        w,
        t,
        o.shipping_item,
        "taxes",
        &shipping_taxes(o.rate, &tax_exact(o.shipping_tax_e8)),
    )?;
    let items_text: Vec<String> = o
        .lines
        .iter()
        .map(|l| format!("{} &times; {}", cat.units[l.unit].name, l.qty))
        .collect();
    imeta(w, t, o.shipping_item, "Items", &items_text.join(", "))?;
    if let Some((fid, amount, e8)) = o.fee {
        item(w, t, fid, "Gift wrapping", "fee", o.id)?;
        imeta(w, t, fid, "_fee_amount", "")?;
        imeta(w, t, fid, "_tax_class", "")?;
        imeta(w, t, fid, "_tax_status", "taxable")?;
        imeta(w, t, fid, "_line_total", &money2(amount))?;
        imeta(w, t, fid, "_line_tax", &money_trim(e8_to_cents(e8)))?;
        imeta(
            w,
            t,
            fid,
            "_line_tax_data",
            &line_tax_data(rate_id, &tax_exact(e8), None),
        )?;
    }
    if let Some(rate) = o.rate {
        tax_item(w, t, o.tax_item, o.id, rate, o.cart_tax, o.shipping_tax)?;
    }
    if let Some((cid, c, amount)) = o.coupon {
        let coupon = &cat.coupons[c];
        item(w, t, cid, coupon.code, "coupon", o.id)?;
        imeta(w, t, cid, "discount_amount", &money_trim(amount))?;
        imeta(
            w,
            t,
            cid,
            "discount_amount_tax",
            &money_trim(o.discount_tax),
        )?;
        let kind = match coupon.kind {
            DiscountType::Percent => "\"percent\"",
            DiscountType::FixedCart => "null",
        };
        imeta(
            w,
            t,
            cid,
            "coupon_info",
            &format!(
                "[{},\"{}\",{kind},{}]",
                coupon.id, coupon.code, coupon.amount
            ),
        )?;
    }
    Ok(())
}

fn tax_item(
    w: &mut SqlWriter<'_>,
    t: &Tables,
    id: u64,
    order: u64,
    rate: &TaxRate,
    tax: i64,
    ship_tax: i64,
) -> Result<(), GenerateError> {
    item(w, t, id, &rate.code(), "tax", order)?;
    imeta(w, t, id, "rate_id", &rate.id.to_string())?;
    imeta(w, t, id, "label", rate.name)?;
    imeta(w, t, id, "compound", "")?;
    imeta(w, t, id, "tax_amount", &money_trim(tax))?;
    imeta(w, t, id, "shipping_tax_amount", &money_trim(ship_tax))?;
    imeta(w, t, id, "rate_percent", &rate.percent_text())
}

pub(super) fn write_refund_items(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
    r: &Refund,
    ids: &mut Ids,
) -> Result<(), GenerateError> {
    let cat = ctx.catalog;
    let rate_id = o.rate.map(|r| r.id);
    ids.item = r.first_item;
    let mut next = || {
        ids.item += 1;
        ids.item - 1
    };
    let lines: Vec<&Line> = match r.kind {
        RefundKind::Full => o.lines.iter().collect(),
        RefundKind::OneLine(i) => o.lines.get(i).into_iter().collect(),
        RefundKind::Amount(_) => Vec::new(),
    };
    for l in &lines {
        let unit = &cat.units[l.unit];
        let product = &cat.products[unit.product];
        let variation_id = unit.variation.map_or(0, |v| product.variations[v].id);
        let id = next();
        item(w, t, id, &unit.name, "line_item", r.id)?;
        imeta(w, t, id, "_product_id", &product.id.to_string())?;
        imeta(w, t, id, "_variation_id", &variation_id.to_string())?;
        imeta(w, t, id, "_qty", &(-l.qty).to_string())?;
        imeta(w, t, id, "_tax_class", "")?;
        imeta(w, t, id, "_line_subtotal", &money_trim(-l.total))?;
        imeta(w, t, id, "_line_subtotal_tax", &money_trim(-l.tax()))?;
        imeta(w, t, id, "_line_total", &money_trim(-l.total))?;
        imeta(w, t, id, "_line_tax", &money_trim(-l.tax()))?;
        let neg = money_trim(-l.tax());
        imeta(
            w,
            t,
            id,
            "_line_tax_data",
            &line_tax_data(rate_id, &neg, Some(&neg)),
        )?;
        imeta(w, t, id, "_refunded_item_id", &l.item_id.to_string())?;
    }
    let full = matches!(r.kind, RefundKind::Full);
    if full {
        let ship = &SHIPPING[o.shipping].0;
        let id = next();
        item(w, t, id, ship.title, "shipping", r.id)?;
        imeta(w, t, id, "method_id", ship.method_id)?;
        imeta(w, t, id, "instance_id", &ship.instance_id.to_string())?;
        imeta(w, t, id, "cost", &money_trim(-ship.cost))?;
        imeta(w, t, id, "total_tax", &money_trim(-o.shipping_tax))?;
        imeta(
            w,
            t,
            id,
            "taxes",
            &shipping_taxes(o.rate, &money_trim(-o.shipping_tax)),
        )?;
        imeta(w, t, id, "_refunded_item_id", &o.shipping_item.to_string())?;
        if let Some((fid, amount, _)) = o.fee {
            let id = next();
            let tax = o.fee_tax();
            item(w, t, id, "Gift wrapping", "fee", r.id)?;
            imeta(w, t, id, "_fee_amount", "")?;
            imeta(w, t, id, "_tax_class", "")?;
            imeta(w, t, id, "_tax_status", "taxable")?;
            imeta(w, t, id, "_line_total", &money_trim(-amount))?;
            imeta(w, t, id, "_line_tax", &money_trim(-tax))?;
            imeta(
                w,
                t,
                id,
                "_line_tax_data",
                &line_tax_data(rate_id, &money_trim(-tax), None),
            )?;
            imeta(w, t, id, "_refunded_item_id", &fid.to_string())?;
        }
    }
    if let Some(rate) = o.rate
        && !lines.is_empty()
    {
        let (tax, _, _, ship_tax) = refund_amounts(o, r);
        let id = next();
        tax_item(w, t, id, r.id, rate, tax, ship_tax)?;
    }
    Ok(())
}
