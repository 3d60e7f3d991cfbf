//! Orders: how one order is drawn — customer, basket, coupon, fee, shipping,
//! taxes (exact, carried in 1e-8 units), status, dates, refunds, attribution —
//! and the running tallies the rest of the store needs (sales per product,
//! coupon uses, paying customers). `order_rows` turns a drawn order into rows.

use super::catalog::{Catalog, DiscountType, SHIPPING, TaxRate, tax_rate_for};
use super::order_rows;
use super::people::{Address, Person};
use super::rng::Rng;
use super::sql::{SqlWriter, TableId};
use super::text::{self, e8_to_cents};
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

    pub(super) fn was_paid(self) -> bool {
        matches!(
            self,
            Status::Completed | Status::Processing | Status::Refunded
        )
    }

    pub(super) fn reduced_stock(self) -> bool {
        self.was_paid() || self == Status::OnHold
    }

    /// Position in [`Status::ALL`].
    pub fn index(self) -> usize {
        Status::ALL.iter().position(|&s| s == self).unwrap_or(0)
    }
}

/// Status weights per 10 000 orders (the real store's mix).
const STATUS_WEIGHTS: [u32; 8] = [6800, 500, 100, 270, 700, 900, 700, 30];

pub(super) const PAYMENTS: &[(&str, &str, u32)] = &[
    ("stripe", "Credit Card (Stripe)", 30),
    ("paypal", "PayPal", 15),
    ("bacs", "Direct bank transfer", 17),
    ("cheque", "Check payments", 16),
    ("cod", "Cash on delivery", 17),
];

pub(super) const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
];
pub(super) const DEVICES: &[&str] = &["Desktop", "Mobile", "Tablet"];

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
pub(super) const UTMS: &[Utm] = &[
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
pub(super) const REFUND_REASONS: &[&str] = &[
    "Item damaged in transit",
    "Customer changed mind",
    "Late delivery goodwill",
    "Wrong size — exchanged",
    "Article défectueux",
];

/// Notes shoppers leave at checkout (about 14 % of orders in the reference store).
const NOTES: &[&str] = &[
    "Please leave it at the back door.",
    "Bitte beim Nachbarn abgeben.",
    "It's a gift: no invoice in the parcel, please.",
    "Could this go out before the weekend?",
    "配達前にご連絡ください。",
    "Knock twice 🔔",
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

pub(super) struct Line {
    pub(super) item_id: u64,
    pub(super) unit: usize,
    pub(super) qty: i64,
    pub(super) subtotal: i64,
    pub(super) total: i64,
    pub(super) sub_tax_e8: i64,
    pub(super) tax_e8: i64,
}

impl Line {
    pub(super) fn tax(&self) -> i64 {
        e8_to_cents(self.tax_e8)
    }
    pub(super) fn sub_tax(&self) -> i64 {
        e8_to_cents(self.sub_tax_e8)
    }
}

pub(super) enum RefundKind {
    Full,
    OneLine(usize),
    Amount(i64),
}

pub(super) struct Refund {
    pub(super) id: u64,
    /// Id of the refund's first order item (its line items come first).
    pub(super) first_item: u64,
    pub(super) at: i64,
    pub(super) kind: RefundKind,
    pub(super) reason: &'static str,
}

/// A fully drawn order.
pub(super) struct Order {
    pub(super) id: u64,
    pub(super) created: i64,
    pub(super) updated: i64,
    pub(super) paid: Option<i64>,
    pub(super) completed: Option<i64>,
    pub(super) status: Status,
    pub(super) customer_id: u64,
    pub(super) email: String,
    pub(super) address: Address,
    pub(super) payment: usize,
    pub(super) transaction_id: String,
    pub(super) ip: String,
    pub(super) ua: usize,
    pub(super) key: String,
    pub(super) lines: Vec<Line>,
    pub(super) shipping: usize,
    pub(super) shipping_item: u64,
    pub(super) shipping_tax_e8: i64,
    pub(super) fee: Option<(u64, i64, i64)>,
    pub(super) coupon: Option<(u64, usize, i64)>,
    pub(super) discount_tax: i64,
    pub(super) rate: Option<&'static TaxRate>,
    pub(super) tax_item: u64,
    pub(super) cart_tax: i64,
    pub(super) shipping_tax: i64,
    pub(super) total: i64,
    pub(super) utm: Option<usize>,
    pub(super) device: usize,
    pub(super) locale: Option<&'static str>,
    /// Customer note (`customer_note` / `post_excerpt`).
    pub(super) note: &'static str,
    pub(super) refund: Option<Refund>,
}

impl Order {
    pub(super) fn discount_total(&self) -> i64 {
        self.coupon.map_or(0, |c| c.2)
    }
    pub(super) fn shipping_cost(&self) -> i64 {
        SHIPPING[self.shipping].0.cost
    }
    pub(super) fn fee_tax(&self) -> i64 {
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
    /// `comments` (order notes).
    pub comments: TableId,
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
/// `comments` columns written for order notes.
pub const COMMENTS_COLUMNS: &str = "`comment_post_ID`,`comment_author`,`comment_author_email`,`comment_author_url`,`comment_author_IP`,`comment_date`,`comment_date_gmt`,`comment_content`,`comment_karma`,`comment_approved`,`comment_agent`,`comment_type`,`comment_parent`,`user_id`";
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
    /// Per guest identity: last order time (0 = none).
    pub guest_last_order: Vec<i64>,
    /// Per registered customer, then per guest: has an order that counts for
    /// Analytics' "returning customer".
    pub counted: Vec<bool>,
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
    /// Registered customers + scripted ones (guest lookup ids start after them).
    pub users: u64,
    /// The Analytics tables.
    pub analytics: &'a super::analytics::AnalyticsTables,
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
    // Analytics identity: lookup id, and whether an earlier order counts.
    let (lookup, slot) = match plan.buyer {
        Buyer::Registered(i) => (i + 1, i as usize),
        Buyer::Guest { index, .. } => (ctx.users + index + 1, (ctx.users + index) as usize),
    };
    let returning = tally.counted.get(slot).copied().unwrap_or(false);
    if super::analytics::counts_as_order(order.status)
        && let Some(c) = tally.counted.get_mut(slot)
    {
        *c = true;
    }
    // Tally.
    tally.statuses[order.status.index()] += 1;
    match plan.buyer {
        Buyer::Guest { index, .. } => {
            tally.guest_orders += 1;
            if let Some(l) = tally.guest_last_order.get_mut(index as usize) {
                *l = (*l).max(order.created);
            }
        }
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
        Storage::Hpos => order_rows::write_hpos(ctx, w, t, &order)?,
        Storage::Posts => order_rows::write_posts(ctx, w, t, &order)?,
    }
    order_rows::write_items(ctx, w, t, &order)?;
    if let Some(r) = &order.refund {
        match ctx.storage {
            Storage::Hpos => order_rows::write_hpos_refund(ctx, w, t, &order, r)?,
            Storage::Posts => order_rows::write_posts_refund(ctx, w, t, &order, r)?,
        }
        order_rows::write_refund_items(ctx, w, t, &order, r, ids)?;
    }
    super::analytics::write_order(ctx, w, ctx.analytics, &order, lookup, returning)
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
            first_item: 0,
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
            first_item: 0,
            at: refund_at,
            kind,
            reason: rng.pick::<&str>(REFUND_REASONS),
        });
    }
    if let Some(r) = &mut refund {
        r.id = ids.post;
        ids.post += 1;
        // Refund items are numbered right after the order's own items.
        r.first_item = ids.item;
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
    let note = if rng.chance(0.14) {
        *rng.pick(NOTES)
    } else {
        ""
    };
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
        note,
        refund,
    }
}
