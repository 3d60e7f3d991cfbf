//! WooCommerce Analytics lookup tables, filled the way WooCommerce's Action
//! Scheduler import leaves them in the reference store: `wc_order_stats` (one
//! row per order and per refund), `wc_order_product_lookup` (per line item,
//! shipping spread over items by quantity), `wc_order_coupon_lookup`,
//! `wc_order_tax_lookup`, and `wc_customer_lookup` (every registered customer,
//! plus one row per guest email that ordered).
//!
//! These tables are derived caches — a sync must not trust them — but a store
//! without them would not look like a real one. Their customer ids are lookup
//! ids, not user ids: registered customer `i` is `i + 1`, guest identity `g` is
//! `users + g + 1` (ids need not be dense). Checkout drafts are left out, as
//! WooCommerce's import does. Amounts are doubles in these tables.

use super::GenerateError;
use super::catalog::SHIPPING;
use super::orders::{Line, Order, OrderContext, Refund, RefundKind, Status};
use super::people::Person;
use super::sql::{SqlWriter, TableId};
use super::text;

/// The Analytics tables.
pub struct AnalyticsTables {
    /// `wc_order_stats`.
    pub stats: TableId,
    /// `wc_order_product_lookup`.
    pub products: TableId,
    /// `wc_order_coupon_lookup`.
    pub coupons: TableId,
    /// `wc_order_tax_lookup`.
    pub taxes: TableId,
    /// `wc_customer_lookup`.
    pub customers: TableId,
}

/// Column lists, in table order.
pub const STATS_COLUMNS: &str = "`order_id`,`parent_id`,`date_created`,`date_created_gmt`,`date_paid`,`date_completed`,`num_items_sold`,`total_sales`,`tax_total`,`shipping_total`,`net_total`,`returning_customer`,`status`,`customer_id`";
/// `wc_order_product_lookup` columns.
pub const PRODUCT_COLUMNS: &str = "`order_item_id`,`order_id`,`product_id`,`variation_id`,`customer_id`,`date_created`,`product_qty`,`product_net_revenue`,`product_gross_revenue`,`coupon_amount`,`tax_amount`,`shipping_amount`,`shipping_tax_amount`";
/// `wc_order_coupon_lookup` columns.
pub const COUPON_COLUMNS: &str = "`order_id`,`coupon_id`,`date_created`,`discount_amount`";
/// `wc_order_tax_lookup` columns.
pub const TAX_COLUMNS: &str =
    "`order_id`,`tax_rate_id`,`date_created`,`shipping_tax`,`order_tax`,`total_tax`";
/// `wc_customer_lookup` columns.
pub const CUSTOMER_COLUMNS: &str = "`customer_id`,`user_id`,`username`,`first_name`,`last_name`,`email`,`date_last_active`,`date_registered`,`country`,`postcode`,`city`,`state`";

/// A double as PHP/MySQL would show it: shortest round-trip text, `0` for zero.
fn double(v: f64) -> String {
    if v == 0.0 {
        "0".to_owned()
    } else {
        format!("{v}")
    }
}

fn cents(c: i64) -> f64 {
    c as f64 / 100.0
}

/// Whether an order status counts for "returning customer" (WooCommerce's
/// default excluded statuses are pending, failed and cancelled).
pub fn counts_as_order(status: Status) -> bool {
    !matches!(
        status,
        Status::Pending | Status::Failed | Status::Cancelled | Status::CheckoutDraft
    )
}

/// Writes the Analytics rows of `o` (and of its refund).
pub fn write_order(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &AnalyticsTables,
    o: &Order,
    customer: u64,
    returning: bool,
) -> Result<(), GenerateError> {
    if o.status == Status::CheckoutDraft {
        return Ok(());
    }
    let local = |ts: i64| text::datetime((ctx.local)(ts));
    let created = local(o.created);
    let items: i64 = o.lines.iter().map(|l| l.qty).sum();
    let ship = o.shipping_cost();
    let tax_total = o.cart_tax + o.shipping_tax;
    w.row(t.stats)
        .int(o.id as i64)
        .int(0)
        .str(&created)
        .datetime(Some(o.created))
        .opt_str(o.paid.map(local).as_deref())
        .opt_str(o.completed.map(local).as_deref())
        .int(items)
        .money(o.total)
        .money(tax_total)
        .money(ship)
        .money(o.total - tax_total - ship)
        .int(i64::from(returning))
        .str(o.status.slug())
        .int(customer as i64)
        .end()?;
    let ship_tax_exact = o.shipping_tax_e8 as f64 / 1e8;
    for l in &o.lines {
        let share = l.qty as f64 / items.max(1) as f64;
        product_row(
            ctx,
            w,
            t,
            o.id,
            l,
            &created,
            customer,
            cents(ship) * share,
            ship_tax_exact * share,
        )?;
    }
    if let Some((_, c, amount)) = o.coupon {
        let coupon = &ctx.catalog.coupons[c];
        w.row(t.coupons)
            .int(o.id as i64)
            .int(coupon.id as i64)
            .str(&created)
            .raw_text(&double(cents(amount)))
            .end()?;
    }
    if let Some(rate) = o.rate {
        w.row(t.taxes)
            .int(o.id as i64)
            .int(i64::from(rate.id))
            .str(&created)
            .raw_text(&double(cents(o.shipping_tax)))
            .raw_text(&double(cents(o.cart_tax)))
            .raw_text(&double(cents(tax_total)))
            .end()?;
    }
    if let Some(r) = &o.refund {
        write_refund(ctx, w, t, o, r, customer, items)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn product_row(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &AnalyticsTables,
    order_id: u64,
    l: &Line,
    created: &str,
    customer: u64,
    shipping: f64,
    shipping_tax: f64,
) -> Result<(), GenerateError> {
    let unit = &ctx.catalog.units[l.unit];
    let product = &ctx.catalog.products[unit.product];
    let variation = unit.variation.map_or(0, |v| product.variations[v].id);
    let (net, tax) = (cents(l.total), cents(l.tax()));
    w.row(t.products)
        .int(l.item_id as i64)
        .int(order_id as i64)
        .int(product.id as i64)
        .int(variation as i64)
        .int(customer as i64)
        .str(created)
        .int(l.qty)
        .raw_text(&double(net))
        .raw_text(&double(net + tax + shipping + shipping_tax))
        .raw_text(&double(cents(l.subtotal - l.total)))
        .raw_text(&double(tax))
        .raw_text(&double(shipping))
        .raw_text(&double(shipping_tax))
        .end()
}

fn write_refund(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &AnalyticsTables,
    o: &Order,
    r: &Refund,
    customer: u64,
    order_items: i64,
) -> Result<(), GenerateError> {
    let local = text::datetime((ctx.local)(r.at));
    let (tax, total, ship, ship_tax) = super::order_rows::refund_amounts(o, r);
    let lines: Vec<&Line> = match r.kind {
        RefundKind::Full => o.lines.iter().collect(),
        RefundKind::OneLine(i) => o.lines.get(i).into_iter().collect(),
        RefundKind::Amount(_) => Vec::new(),
    };
    let items: i64 = lines.iter().map(|l| l.qty).sum();
    w.row(t.stats)
        .int(r.id as i64)
        .int(o.id as i64)
        .str(&local)
        .datetime(Some(r.at))
        .str(&local)
        .str(&local)
        .int(-items)
        .money(total)
        .money(tax + ship_tax)
        .money(ship)
        .money(total - tax - ship_tax - ship)
        .null()
        .str(o.status.slug())
        .int(customer as i64)
        .end()?;
    let full = matches!(r.kind, RefundKind::Full);
    // Refund line items were numbered first, in this order (see `order_rows`).
    for (pos, l) in lines.into_iter().enumerate() {
        let share = l.qty as f64 / order_items.max(1) as f64;
        let (s, st) = if full {
            (
                -cents(SHIPPING[o.shipping].0.cost) * share,
                -cents(o.shipping_tax) * share,
            )
        } else {
            (0.0, 0.0)
        };
        let refund_item = r.first_item + pos as u64;
        product_row_refund(ctx, w, t, r.id, refund_item, l, &local, customer, s, st)?;
    }
    if let Some(rate) = o.rate
        && (tax != 0 || ship_tax != 0)
    {
        w.row(t.taxes)
            .int(r.id as i64)
            .int(i64::from(rate.id))
            .str(&local)
            .raw_text(&double(cents(ship_tax)))
            .raw_text(&double(cents(tax)))
            .raw_text(&double(cents(tax + ship_tax)))
            .end()?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn product_row_refund(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &AnalyticsTables,
    refund_id: u64,
    item_id: u64,
    l: &Line,
    created: &str,
    customer: u64,
    shipping: f64,
    shipping_tax: f64,
) -> Result<(), GenerateError> {
    let unit = &ctx.catalog.units[l.unit];
    let product = &ctx.catalog.products[unit.product];
    let variation = unit.variation.map_or(0, |v| product.variations[v].id);
    let (net, tax) = (-cents(l.total), -cents(l.tax()));
    w.row(t.products)
        .int(item_id as i64)
        .int(refund_id as i64)
        .int(product.id as i64)
        .int(variation as i64)
        .int(customer as i64)
        .str(created)
        .int(-l.qty)
        .raw_text(&double(net))
        .raw_text(&double(net + tax + shipping + shipping_tax))
        .raw_text("0")
        .raw_text(&double(tax))
        .raw_text(&double(shipping))
        .raw_text(&double(shipping_tax))
        .end()
}

/// A `wc_customer_lookup` row.
#[allow(clippy::too_many_arguments)]
pub fn write_customer(
    w: &mut SqlWriter<'_>,
    t: &AnalyticsTables,
    lookup_id: u64,
    user_id: Option<u64>,
    person: &Person,
    last_active: Option<i64>,
    registered: Option<i64>,
) -> Result<(), GenerateError> {
    let a = &person.address;
    let row = w.row(t.customers).int(lookup_id as i64);
    let row = match user_id {
        Some(id) => row.int(id as i64).str(&person.login),
        None => row.null().str(""),
    };
    row.str(&a.first_name)
        .str(&a.last_name)
        .str(&person.email)
        .datetime(last_active)
        .datetime(registered)
        .str(a.country)
        .str(a.postcode)
        .str(a.city)
        .str(a.state)
        .end()
}
