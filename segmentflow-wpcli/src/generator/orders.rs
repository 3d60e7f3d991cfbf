//! Orders: how one order is drawn (customer, items, coupon, fee, shipping,
//! taxes, status, dates, refunds, attribution) and how it is written — as
//! HPOS rows (`wc_orders`, addresses, operational data, `wc_orders_meta`, plus
//! a `shop_order_placehold` post) or as legacy `shop_order` posts with
//! postmeta — with its items in `woocommerce_order_items`/`itemmeta` in both.
//!
//! Value formats follow what WooCommerce 9.2.5 wrote in the reference store:
//! trimmed decimals in item meta, 2-decimal strings for order-level postmeta
//! and refund amounts, unrounded 6-digit taxes in `_line_tax_data`, rounded
//! taxes in refund items.

use std::fmt::Write as _;

use super::catalog::{Catalog, DiscountType, SHIPPING, TaxRate, tax_rate_for};
use super::people::{Address, Person};
use super::rng::Rng;
use super::sql::{SqlWriter, TableId};
use super::text::{self, e8_to_cents, line_tax_data, money_trim, money2, tax_exact};
use super::{GenerateError, Storage};

/// An order status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// `wc-completed`.
    Completed,
    /// `wc-processing`.
    Processing,
    /// `wc-on-hold`.
    OnHold,
    /// `wc-pending`.
    Pending,
    /// `wc-failed`.
    Failed,
    /// `wc-cancelled`.
    Cancelled,
    /// `wc-refunded`.
    Refunded,
    /// `wc-checkout-draft`.
    CheckoutDraft,
}

impl Status {
    /// Every status, in summary order.
    pub const ALL: [Status; 8] = [
        Status::Completed,
        Status::Processing,
        Status::OnHold,
        Status::Pending,
        Status::Failed,
        Status::Cancelled,
        Status::Refunded,
        Status::CheckoutDraft,
    ];

    /// The stored status (`wc-completed`).
    pub fn slug(self) -> &'static str {
        match self {
            Status::Completed => "wc-completed",
            Status::Processing => "wc-processing",
            Status::OnHold => "wc-on-hold",
            Status::Pending => "wc-pending",
            Status::Failed => "wc-failed",
            Status::Cancelled => "wc-cancelled",
            Status::Refunded => "wc-refunded",
            Status::CheckoutDraft => "wc-checkout-draft",
        }
    }

    fn was_paid(self) -> bool {
        matches!(
            self,
            Status::Completed | Status::Processing | Status::Refunded
        )
    }

    fn reduced_stock(self) -> bool {
        self.was_paid() || self == Status::OnHold
    }

    /// Position in [`Status::ALL`].
    pub fn index(self) -> usize {
        Status::ALL.iter().position(|&s| s == self).unwrap_or(0)
    }
}

/// Status weights per 10 000 orders (the real store's mix).
const STATUS_WEIGHTS: [u32; 8] = [6800, 500, 100, 270, 700, 900, 700, 30];

const PAYMENTS: &[(&str, &str, u32)] = &[
    ("stripe", "Credit Card (Stripe)", 30),
    ("paypal", "PayPal", 15),
    ("bacs", "Direct bank transfer", 17),
    ("cheque", "Check payments", 16),
    ("cod", "Cash on delivery", 17),
];

const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
];
const DEVICES: &[&str] = &["Desktop", "Mobile", "Tablet"];

/// (source, medium, campaign, content, term, attribution source type, weight)
type Utm = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
);
const UTMS: &[Utm] = &[
    ("google", "organic", "", "", "", "organic", 14),
    (
        "google",
        "cpc",
        "brand_search_2025",
        "ad_variant_a",
        "coffee grinder",
        "utm",
        14,
    ),
    (
        "bing",
        "cpc",
        "generic_gifts",
        "ad_variant_b",
        "gift ideas for him",
        "utm",
        12,
    ),
    (
        "facebook",
        "paid_social",
        "spring-sale-2025",
        "carousel_2",
        "",
        "utm",
        24,
    ),
    (
        "instagram",
        "social",
        "été-2025",
        "story_swipe",
        "",
        "utm",
        16,
    ),
    (
        "newsletter",
        "email",
        "weekly_digest",
        "footer_link",
        "",
        "utm",
        16,
    ),
    (
        "newsletter",
        "email",
        "black_friday_2025",
        "hero_button",
        "",
        "utm",
        14,
    ),
    (
        "partner-blog",
        "referral",
        "kaffee_guide",
        "inline",
        "beste kaffeemühle",
        "utm",
        16,
    ),
    (
        "tiktok",
        "social",
        "ugc_creators_q1",
        "video_15s",
        "",
        "utm",
        13,
    ),
];
const REFUND_REASONS: &[&str] = &[
    "Item damaged in transit",
    "Customer changed mind",
    "Late delivery goodwill",
    "Wrong size — exchanged",
    "Article défectueux",
];

/// Who places an order.
#[derive(Clone, Copy, Debug)]
pub enum Buyer {
    /// Registered customer index.
    Registered(u64),
    /// Guest identity index; `case` ≠ 0 types the email in another case.
    Guest { index: u64, case: u64 },
}

/// What the driver asks for: who, when, and optionally a forced shape.
#[derive(Clone, Copy, Debug)]
pub struct OrderPlan {
    /// Creation time.
    pub created: i64,
    /// The buyer.
    pub buyer: Buyer,
    /// Forced status (scripted segment members).
    pub status: Option<Status>,
    /// Always use a coupon.
    pub coupon: bool,
    /// Bigger baskets.
    pub big: bool,
}

struct Line {
    item_id: u64,
    unit: usize,
    qty: i64,
    subtotal: i64,
    total: i64,
    sub_tax_e8: i64,
    tax_e8: i64,
}

impl Line {
    fn tax(&self) -> i64 {
        e8_to_cents(self.tax_e8)
    }
    fn sub_tax(&self) -> i64 {
        e8_to_cents(self.sub_tax_e8)
    }
}

enum RefundKind {
    Full,
    OneLine(usize),
    Amount(i64),
}

struct Refund {
    id: u64,
    at: i64,
    kind: RefundKind,
    reason: &'static str,
}

/// A fully drawn order.
struct Order {
    id: u64,
    created: i64,
    updated: i64,
    paid: Option<i64>,
    completed: Option<i64>,
    status: Status,
    customer_id: u64,
    email: String,
    address: Address,
    payment: usize,
    transaction_id: String,
    ip: String,
    ua: usize,
    key: String,
    lines: Vec<Line>,
    shipping: usize,
    shipping_item: u64,
    shipping_tax_e8: i64,
    fee: Option<(u64, i64, i64)>,
    coupon: Option<(u64, usize, i64)>,
    discount_tax: i64,
    rate: Option<&'static TaxRate>,
    tax_item: u64,
    cart_tax: i64,
    shipping_tax: i64,
    total: i64,
    utm: Option<usize>,
    device: usize,
    locale: Option<&'static str>,
    refund: Option<Refund>,
}

impl Order {
    fn discount_total(&self) -> i64 {
        self.coupon.map_or(0, |c| c.2)
    }
    fn shipping_cost(&self) -> i64 {
        SHIPPING[self.shipping].0.cost
    }
    fn fee_tax(&self) -> i64 {
        self.fee.map_or(0, |f| e8_to_cents(f.2))
    }
}

/// The tables orders are written to.
pub struct Tables {
    /// `posts`.
    pub posts: TableId,
    /// `postmeta`.
    pub postmeta: TableId,
    /// `wc_orders`.
    pub orders: TableId,
    /// `wc_order_addresses`.
    pub addresses: TableId,
    /// `wc_order_operational_data`.
    pub operational: TableId,
    /// `wc_orders_meta`.
    pub orders_meta: TableId,
    /// `woocommerce_order_items`.
    pub items: TableId,
    /// `woocommerce_order_itemmeta`.
    pub itemmeta: TableId,
}

/// Column lists.
pub const POSTS_COLUMNS: &str = "`ID`,`post_author`,`post_date`,`post_date_gmt`,`post_content`,`post_title`,`post_excerpt`,`post_status`,`comment_status`,`ping_status`,`post_password`,`post_name`,`to_ping`,`pinged`,`post_modified`,`post_modified_gmt`,`post_content_filtered`,`post_parent`,`guid`,`menu_order`,`post_type`,`post_mime_type`,`comment_count`";
/// `wc_orders` columns.
pub const ORDERS_COLUMNS: &str = "`id`,`status`,`currency`,`type`,`tax_amount`,`total_amount`,`customer_id`,`billing_email`,`date_created_gmt`,`date_updated_gmt`,`parent_order_id`,`payment_method`,`payment_method_title`,`transaction_id`,`ip_address`,`user_agent`,`customer_note`";
/// `wc_order_addresses` columns.
pub const ADDRESS_COLUMNS: &str = "`order_id`,`address_type`,`first_name`,`last_name`,`company`,`address_1`,`address_2`,`city`,`state`,`postcode`,`country`,`email`,`phone`";
/// `wc_order_operational_data` columns.
pub const OPERATIONAL_COLUMNS: &str = "`order_id`,`created_via`,`woocommerce_version`,`prices_include_tax`,`coupon_usages_are_counted`,`download_permission_granted`,`cart_hash`,`new_order_email_sent`,`order_key`,`order_stock_reduced`,`date_paid_gmt`,`date_completed_gmt`,`shipping_tax_amount`,`shipping_total_amount`,`discount_tax_amount`,`discount_total_amount`,`recorded_sales`";
/// `*_meta` tables keyed by an object id.
pub const META_COLUMNS_ORDER: &str = "`order_id`,`meta_key`,`meta_value`";
/// `postmeta` columns.
pub const POSTMETA_COLUMNS: &str = "`post_id`,`meta_key`,`meta_value`";
/// `woocommerce_order_items` columns.
pub const ITEMS_COLUMNS: &str = "`order_item_id`,`order_item_name`,`order_item_type`,`order_id`";
/// `woocommerce_order_itemmeta` columns.
pub const ITEMMETA_COLUMNS: &str = "`order_item_id`,`meta_key`,`meta_value`";

/// Running totals the driver needs after the stream (for users, products, coupons).
pub struct Tally {
    /// Orders per status.
    pub statuses: [u64; 8],
    /// Guest orders.
    pub guest_orders: u64,
    /// Full refunds.
    pub full_refunds: u64,
    /// Partial refunds.
    pub partial_refunds: u64,
    /// Units sold per product index.
    pub product_sales: Vec<i64>,
    /// Coupon uses per coupon index.
    pub coupon_uses: [u64; 3],
    /// Per registered customer: has a paid order.
    pub paying: Vec<bool>,
    /// Per registered customer: last order time (0 = none).
    pub last_order: Vec<i64>,
}

/// Everything fixed for the run.
pub struct OrderContext<'a> {
    /// Seed.
    pub seed: u64,
    /// Catalog.
    pub catalog: &'a Catalog,
    /// Storage mode.
    pub storage: Storage,
    /// "As of" time.
    pub now: i64,
    /// Site URL without trailing slash.
    pub site_url: &'a str,
    /// Site-local time of a Unix timestamp.
    pub local: &'a dyn Fn(i64) -> i64,
    /// First registered user id.
    pub first_user_id: u64,
    /// Currency.
    pub currency: &'a str,
}

/// Ids handed out as orders are written.
pub struct Ids {
    /// Next post id (orders, refunds).
    pub post: u64,
    /// Next order item id.
    pub item: u64,
}

const ORDER_STREAM: u64 = 0x0D0E;
const KEY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Draws and writes order number `seq` for `plan`.
#[allow(clippy::too_many_arguments)]
pub fn write_order(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    ids: &mut Ids,
    tally: &mut Tally,
    seq: u64,
    plan: OrderPlan,
    buyer: &Person,
) -> Result<(), GenerateError> {
    let order = draw(ctx, ids, seq, plan, buyer);
    // Tally.
    tally.statuses[order.status.index()] += 1;
    match plan.buyer {
        Buyer::Guest { .. } => tally.guest_orders += 1,
        Buyer::Registered(i) => {
            if let Some(p) = tally.paying.get_mut(i as usize) {
                *p |= order.status.was_paid();
            }
            if let Some(l) = tally.last_order.get_mut(i as usize) {
                *l = (*l).max(order.created);
            }
        }
    }
    if order.status.reduced_stock() {
        for l in &order.lines {
            if let Some(s) = tally
                .product_sales
                .get_mut(ctx.catalog.units[l.unit].product)
            {
                *s += l.qty;
            }
        }
    }
    match &order.refund {
        Some(Refund {
            kind: RefundKind::Full,
            ..
        }) => tally.full_refunds += 1,
        Some(_) => tally.partial_refunds += 1,
        None => {}
    }
    if let Some((_, c, _)) = order.coupon
        && order.status.reduced_stock()
    {
        tally.coupon_uses[c] += 1;
        let used_by = if order.customer_id > 0 {
            order.customer_id.to_string()
        } else {
            order.email.clone()
        };
        w.row(t.postmeta)
            .int(ctx.catalog.coupons[c].id as i64)
            .str("_used_by")
            .str(&used_by)
            .end()?;
    }

    match ctx.storage {
        Storage::Hpos => write_hpos(ctx, w, t, &order)?,
        Storage::Posts => write_posts(ctx, w, t, &order)?,
    }
    write_items(ctx, w, t, &order)?;
    if let Some(r) = &order.refund {
        match ctx.storage {
            Storage::Hpos => write_hpos_refund(ctx, w, t, &order, r)?,
            Storage::Posts => write_posts_refund(ctx, w, t, &order, r)?,
        }
        write_refund_items(ctx, w, t, &order, r, ids)?;
    }
    Ok(())
}

fn draw(ctx: &OrderContext<'_>, ids: &mut Ids, seq: u64, plan: OrderPlan, buyer: &Person) -> Order {
    let mut rng = Rng::stream(ctx.seed, ORDER_STREAM, seq);
    let cat = ctx.catalog;
    let id = ids.post;
    ids.post += 1;
    let status = plan
        .status
        .unwrap_or_else(|| Status::ALL[rng.weighted(&STATUS_WEIGHTS)]);

    // Basket.
    let n_lines = if plan.big {
        4
    } else {
        1 + (0..5).take_while(|_| rng.chance(0.42)).count()
    };
    let mut lines: Vec<Line> = Vec::with_capacity(n_lines);
    for _ in 0..n_lines {
        let mut unit = cat.pick_unit(&mut rng);
        for _ in 0..3 {
            if !lines.iter().any(|l| l.unit == unit) {
                break;
            }
            unit = cat.pick_unit(&mut rng);
        }
        if lines.iter().any(|l| l.unit == unit) {
            continue;
        }
        let mut qty = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3][rng.below(10) as usize];
        if plan.big {
            qty += 3;
        }
        let subtotal = cat.units[unit].price * qty;
        lines.push(Line {
            item_id: 0,
            unit,
            qty,
            subtotal,
            total: subtotal,
            sub_tax_e8: 0,
            tax_e8: 0,
        });
    }
    let cart: i64 = lines.iter().map(|l| l.subtotal).sum();

    // Coupon.
    let coupon_idx = if plan.coupon || rng.chance(0.12) {
        let c = [0usize, 1, 1, 2, 2][rng.below(5) as usize];
        if cat.coupons[c].kind == DiscountType::FixedCart && cart < 1000 {
            None
        } else {
            Some(c)
        }
    } else {
        None
    };
    let mut discount = 0;
    if let Some(c) = coupon_idx {
        let coupon = &cat.coupons[c];
        let target = match coupon.kind {
            DiscountType::Percent => text::div_round(cart * coupon.amount, 100),
            DiscountType::FixedCart => (coupon.amount * 100).min(cart),
        };
        let mut given = 0;
        for l in &mut lines {
            let d = l.subtotal * target / cart.max(1);
            l.total = l.subtotal - d;
            given += d;
        }
        let mut rest = target - given;
        for l in &mut lines {
            if rest == 0 {
                break;
            }
            if l.total > 0 {
                l.total -= 1;
                rest -= 1;
            }
        }
        discount = target - rest;
    }

    // Address, taxes.
    let address = buyer.address.clone();
    let rate = tax_rate_for(address.country, address.state);
    let rate_e4 = rate.map_or(0, |r| r.rate_e4);
    for l in &mut lines {
        l.sub_tax_e8 = text::tax_e8(l.subtotal, rate_e4);
        l.tax_e8 = text::tax_e8(l.total, rate_e4);
    }
    let weights: Vec<u32> = SHIPPING.iter().map(|s| s.1).collect();
    let shipping = rng.weighted(&weights);
    let shipping_tax_e8 = text::tax_e8(SHIPPING[shipping].0.cost, rate_e4);
    let fee = rng
        .chance(0.07)
        .then(|| (0u64, 400i64, text::tax_e8(400, rate_e4)));

    let cart_tax: i64 =
        lines.iter().map(Line::tax).sum::<i64>() + fee.map_or(0, |f| e8_to_cents(f.2));
    let shipping_tax = e8_to_cents(shipping_tax_e8);
    let discount_tax = e8_to_cents(
        lines.iter().map(|l| l.sub_tax_e8).sum::<i64>()
            - lines.iter().map(|l| l.tax_e8).sum::<i64>(),
    );
    let total = lines.iter().map(|l| l.total).sum::<i64>()
        + SHIPPING[shipping].0.cost
        + fee.map_or(0, |f| f.1)
        + cart_tax
        + shipping_tax;

    // Item ids in WooCommerce's save order: lines, shipping, fee, tax, coupon.
    for l in &mut lines {
        l.item_id = ids.item;
        ids.item += 1;
    }
    let shipping_item = ids.item;
    ids.item += 1;
    let fee = fee.map(|(_, a, e8)| {
        ids.item += 1;
        (ids.item - 1, a, e8)
    });
    let tax_item = if rate.is_some() {
        ids.item += 1;
        ids.item - 1
    } else {
        0
    };
    let coupon = coupon_idx.map(|c| {
        ids.item += 1;
        (ids.item - 1, c, discount)
    });

    // Dates.
    let created = plan.created;
    let latest = ctx.now - 60;
    let mut status = status;
    let paid = status
        .was_paid()
        .then(|| (created + rng.range(60, 1800)).min(latest));
    let mut completed = match status {
        Status::Completed | Status::Refunded => {
            paid.map(|p| p + rng.range(1, 5) * 86_400 + rng.range(0, 40_000))
        }
        _ => None,
    };
    if completed.is_some_and(|c| c > latest) {
        completed = None;
        if status == Status::Completed && plan.status.is_none() {
            status = Status::Processing;
        } else if status == Status::Completed {
            completed = Some(latest.max(paid.unwrap_or(created)));
        }
    }
    let mut refund = None;
    let paid_base = completed.or(paid).unwrap_or(created);
    let refund_at = (paid_base + rng.range(1, 15) * 86_400 + rng.range(0, 80_000))
        .min(latest)
        .max(paid_base);
    if status == Status::Refunded {
        refund = Some(Refund {
            id: 0,
            at: refund_at,
            kind: RefundKind::Full,
            reason: rng.pick::<&str>(REFUND_REASONS),
        });
    } else if status == Status::Completed && plan.status.is_none() && rng.chance(0.10) {
        let kind = if rng.chance(0.85) {
            RefundKind::OneLine(rng.below(lines.len() as u64) as usize)
        } else {
            RefundKind::Amount((total / 4).clamp(1, 1000))
        };
        refund = Some(Refund {
            id: 0,
            at: refund_at,
            kind,
            reason: rng.pick::<&str>(REFUND_REASONS),
        });
    }
    if let Some(r) = &mut refund {
        r.id = ids.post;
        ids.post += 1;
    }
    let updated = match status {
        _ if refund.is_some() => refund.as_ref().map_or(created, |r| r.at),
        Status::Completed => completed.unwrap_or(created),
        Status::Processing => paid.unwrap_or(created),
        Status::OnHold | Status::Failed => (created + 60).min(latest).max(created),
        Status::Cancelled => (created + rng.range(1, 3) * 86_400)
            .min(latest)
            .max(created),
        _ => created,
    };

    let payment = if status == Status::OnHold {
        [1usize, 2, 3][rng.below(3) as usize]
    } else {
        rng.weighted(&PAYMENTS.iter().map(|p| p.2).collect::<Vec<_>>())
    };
    let transaction_id = if status.was_paid() {
        format!(
            "{}-{:08}",
            PAYMENTS[payment].0.to_ascii_uppercase(),
            rng.below(100_000_000)
        )
    } else {
        String::new()
    };
    let ip = format!(
        "{}.{}",
        ["198.51.100", "192.0.2", "203.0.113"][rng.below(3) as usize],
        rng.range(1, 254)
    );
    let mut key = String::from("wc_order_");
    rng.token(KEY_ALPHABET, 13, &mut key);
    let utm = rng
        .chance(0.45)
        .then(|| rng.weighted(&UTMS.iter().map(|u| u.6).collect::<Vec<_>>()));
    let device = rng.below(3) as usize;
    let locale = rng.chance(0.6).then_some(buyer.locale);
    let (customer_id, email) = match plan.buyer {
        Buyer::Registered(i) => (ctx.first_user_id + i, buyer.email.clone()),
        Buyer::Guest { case: 0, .. } => (0, buyer.email.clone()),
        Buyer::Guest { case, .. } => (0, super::people::case_variant(&buyer.email, case)),
    };
    Order {
        id,
        created,
        updated,
        paid,
        completed,
        status,
        customer_id,
        email,
        address,
        payment,
        transaction_id,
        ip,
        ua: rng.below(USER_AGENTS.len() as u64) as usize,
        key,
        lines,
        shipping,
        shipping_item,
        shipping_tax_e8,
        fee,
        coupon,
        discount_tax,
        rate,
        tax_item,
        cart_tax,
        shipping_tax,
        total,
        utm,
        device,
        locale,
        refund,
    }
}

fn local_datetime(ctx: &OrderContext<'_>, ts: i64) -> String {
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

struct Flags {
    coupons_counted: bool,
    downloads: bool,
    stock_reduced: bool,
    recorded_sales: bool,
}

fn flags(o: &Order) -> Flags {
    let r = o.status.reduced_stock();
    Flags {
        coupons_counted: r,
        downloads: o.status.was_paid(),
        stock_reduced: r,
        recorded_sales: r,
    }
}

fn created_via(o: &Order) -> &'static str {
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
        .int(0)
        .end()
}

fn write_hpos(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
) -> Result<(), GenerateError> {
    placeholder(ctx, w, t, o.id, 0, o.created)?;
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
        .str("")
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
fn refund_amounts(o: &Order, r: &Refund) -> (i64, i64, i64, i64) {
    match r.kind {
        RefundKind::Full => (-o.cart_tax, -o.total, -o.shipping_cost(), -o.shipping_tax),
        RefundKind::OneLine(i) => {
            let l = &o.lines[i];
            (-l.tax(), -(l.total + l.tax()), 0, 0)
        }
        RefundKind::Amount(a) => (0, -a, 0, 0),
    }
}

fn write_hpos_refund(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
    r: &Refund,
) -> Result<(), GenerateError> {
    placeholder(ctx, w, t, r.id, o.id, r.at)?;
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
        .int(0)
        .end()
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn write_posts(
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
        "",
        &o.key,
        0,
        o.created,
        o.updated,
    )?;
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
        ("_new_order_email_sent", "false".to_owned()),
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

fn write_posts_refund(
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

fn write_items(
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

fn write_refund_items(
    ctx: &OrderContext<'_>,
    w: &mut SqlWriter<'_>,
    t: &Tables,
    o: &Order,
    r: &Refund,
    ids: &mut Ids,
) -> Result<(), GenerateError> {
    let cat = ctx.catalog;
    let rate_id = o.rate.map(|r| r.id);
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
