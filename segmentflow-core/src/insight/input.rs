//! What the intelligence layer reads from the store: one small, flat record
//! per order and per known person, independent of how WooCommerce stored
//! them (HPOS tables, legacy posts, or the REST JSON of a delivery).
//!
//! The shell (the binary's store readers) produces these; segments and
//! revenue attribution consume them as pure values. Keeping the record
//! small is what lets a million customers and three million orders be
//! evaluated in memory in a few seconds.

use jiff::Timestamp;

use super::money::Money;
use super::paid::{CustomerKey, customer_key};

/// One product line of an order, as far as segments care.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineFact {
    /// The product id (the parent for a variation).
    pub product_id: u64,
    /// The variation id, 0 when the line is a simple product.
    pub variation_id: u64,
    /// The line's product name as stored on the order item.
    pub name: String,
    /// The SKU of the product (or variation) when the store knows it.
    pub sku: String,
    /// Category slugs of the (parent) product.
    pub category_slugs: Vec<String>,
    /// Category display names of the (parent) product.
    pub category_names: Vec<String>,
    /// Quantity ordered.
    pub quantity: i64,
    /// Line total after discounts, before tax (`_line_total`).
    pub total: Money,
}

/// UTM values stamped on an order (the plugin's `_segmentflow_utm_*`
/// meta, else WooCommerce's `_wc_order_attribution_*` meta).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Touch {
    /// `utm_campaign`.
    pub campaign: Option<String>,
    /// `utm_source`.
    pub source: Option<String>,
    /// `utm_medium`.
    pub medium: Option<String>,
    /// `utm_content`.
    pub content: Option<String>,
    /// `utm_term`.
    pub term: Option<String>,
}

/// One order (never a refund: refunds are folded into
/// [`OrderFact::refunded`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderFact {
    /// The order id.
    pub id: u64,
    /// `customer_id` (0 for a guest).
    pub customer_id: u64,
    /// Billing email as stored.
    pub billing_email: String,
    /// Status as stored (`wc-completed`) or bare (`completed`).
    pub status: String,
    /// When the order was created (GMT).
    pub created: Option<Timestamp>,
    /// When it was paid (GMT), when the store recorded it.
    pub paid: Option<Timestamp>,
    /// Order currency (`USD`).
    pub currency: String,
    /// Order total as stored (tax and shipping included).
    pub total: Money,
    /// What its refunds gave back, as a positive amount.
    pub refunded: Money,
    /// Coupon codes used (lower-cased).
    pub coupons: Vec<String>,
    /// Product lines.
    pub lines: Vec<LineFact>,
    /// UTM data from the plugin's own meta (first touch / last touch as
    /// the plugin stamped them); `None` when the order has none.
    pub segmentflow_touch: Option<Touch>,
    /// UTM data from WooCommerce's order attribution meta.
    pub wc_touch: Option<Touch>,
}

impl OrderFact {
    /// The customer this order belongs to, if any (see [`customer_key`]).
    pub fn customer(&self) -> Option<CustomerKey> {
        customer_key(self.customer_id, &self.billing_email)
    }
}

/// A person the store knows without an order necessarily: a registered
/// user (WordPress user with a customer role, or a `wc_customer_lookup`
/// row), so that *Prospects* (known, never paid) can be found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonFact {
    /// WordPress user id, 0 for a guest known only by email.
    pub user_id: u64,
    /// Email address as stored.
    pub email: String,
    /// First name, when known.
    pub first_name: String,
    /// Last name, when known.
    pub last_name: String,
    /// When they registered (GMT), when known.
    pub registered: Option<Timestamp>,
}

impl PersonFact {
    /// The customer key of this person (user id, else lower-cased email).
    pub fn customer(&self) -> Option<CustomerKey> {
        customer_key(self.user_id, &self.email)
    }
}
