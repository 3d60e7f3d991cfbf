//! Order and refund records: the storage-independent union of what HPOS
//! (`wc_orders`, `wc_order_addresses`, `wc_order_operational_data`,
//! `wc_orders_meta`) and post storage (`wp_posts` + `wp_postmeta`) hold,
//! plus the order's items and what its line items need from products.

use super::product::Attachment;
use super::{DbDate, MetaRow};
use serde::{Deserialize, Serialize};

/// A billing or shipping address (`wc_order_addresses` row or the
/// `_billing_*` / `_shipping_*` postmeta). Missing values are `""`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// `first_name`.
    pub first_name: String,
    /// `last_name`.
    pub last_name: String,
    /// `company`.
    pub company: String,
    /// `address_1`.
    pub address_1: String,
    /// `address_2`.
    pub address_2: String,
    /// `city`.
    pub city: String,
    /// `state`.
    pub state: String,
    /// `postcode`.
    pub postcode: String,
    /// `country`.
    pub country: String,
    /// `email` (billing only; `None` when the column is NULL, which
    /// `sanitize_email()` turns into `""` in the REST output).
    pub email: Option<String>,
    /// `phone`.
    pub phone: String,
}

/// An order (`shop_order`) or refund (`shop_order_refund`) as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderRecord {
    /// Order id.
    pub id: u64,
    /// `parent_order_id` / `post_parent` (refunds: the order).
    pub parent_id: u64,
    /// `type` / `post_type`: `shop_order`, `shop_order_refund`, …
    pub order_type: String,
    /// Raw status (`wc-completed`, `trash`, …).
    pub status: String,
    /// Order currency.
    pub currency: String,
    /// `woocommerce_version` / `_order_version`.
    pub version: String,
    /// `prices_include_tax` (`None` when post storage has no
    /// `_prices_include_tax` row: the site option applies).
    pub prices_include_tax: Option<bool>,
    /// Creation date (`date_created_gmt` / `post_date_gmt`).
    pub date_created_gmt: Option<String>,
    /// Modification date (`date_updated_gmt` / `post_modified_gmt`).
    pub date_modified_gmt: Option<String>,
    /// Paid date (`date_paid_gmt` / `_date_paid` / `_paid_date`).
    pub date_paid: Option<DbDate>,
    /// Completed date (`date_completed_gmt` / `_date_completed` /
    /// `_completed_date`).
    pub date_completed: Option<DbDate>,
    /// `discount_total_amount` / `_cart_discount`.
    pub discount_total: String,
    /// `discount_tax_amount` / `_cart_discount_tax`.
    pub discount_tax: String,
    /// `shipping_total_amount` / `_order_shipping`.
    pub shipping_total: String,
    /// `shipping_tax_amount` / `_order_shipping_tax`.
    pub shipping_tax: String,
    /// `tax_amount` / `_order_tax`.
    pub cart_tax: String,
    /// `total_amount` / `_order_total`.
    pub total: String,
    /// `customer_id` / `_customer_user` (0 = guest).
    pub customer_id: u64,
    /// `order_key` / `_order_key`.
    pub order_key: String,
    /// Billing address.
    pub billing: Address,
    /// Shipping address.
    pub shipping: Address,
    /// `payment_method`.
    pub payment_method: String,
    /// `payment_method_title`.
    pub payment_method_title: String,
    /// `transaction_id`.
    pub transaction_id: String,
    /// `ip_address` / `_customer_ip_address`.
    pub customer_ip_address: String,
    /// `user_agent` / `_customer_user_agent`.
    pub customer_user_agent: String,
    /// `created_via`.
    pub created_via: String,
    /// `customer_note` / `post_excerpt`.
    pub customer_note: String,
    /// `cart_hash`.
    pub cart_hash: String,
    /// All meta rows of the order (`wc_orders_meta` / `wp_postmeta`), in id
    /// order, internal keys included: the mapping hides them.
    pub meta: Vec<MetaRow>,
    /// Items (`woocommerce_order_items`), in `order_item_id` order.
    pub items: Vec<OrderItem>,
    /// The order's refunds, each a full record (any order; the mapping sorts).
    pub refunds: Vec<OrderRecord>,
    /// The products and variations the line items point at (those that
    /// still exist).
    pub products: Vec<ProductRef>,
    /// Terms of attribute taxonomies used as item meta values (`pa_color` ⇒
    /// `black` ⇒ "Black").
    pub attribute_terms: Vec<super::product::AttributeTerm>,
}

/// One `woocommerce_order_items` row with its item meta.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    /// `order_item_id`.
    pub id: u64,
    /// `order_item_name`.
    pub name: String,
    /// `order_item_type`: `line_item`, `shipping`, `fee`, `coupon`, `tax`.
    pub item_type: String,
    /// Item meta rows (`woocommerce_order_itemmeta`), in `meta_id` order.
    pub meta: Vec<MetaRow>,
    /// `_line_tax_data` (line items, fees) or `taxes` (shipping), decoded by
    /// the reader; `None` when the row is missing or not an array.
    pub taxes: Option<LineTaxData>,
}

/// Serialized tax data of an item, decoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LineTaxData {
    /// The `total` sub-array, when the key exists.
    pub total: Option<Vec<TaxEntry>>,
    /// The `subtotal` sub-array, when the key exists.
    pub subtotal: Option<Vec<TaxEntry>>,
    /// The whole array when it has neither key (pre-2.2 shipping taxes).
    pub flat: Option<Vec<TaxEntry>>,
}

/// One `rate id => amount` pair of a tax array, in array order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxEntry {
    /// The array key (the tax rate id).
    pub rate_id: TaxKey,
    /// The amount.
    pub amount: TaxAmount,
}

/// A PHP array key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TaxKey {
    /// Integer key.
    Int(i64),
    /// String key.
    Str(String),
}

/// A PHP scalar amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TaxAmount {
    /// A string, or an integer written as PHP's `(string)` cast does.
    Text(String),
    /// A PHP float.
    Float(f64),
}

/// What an order's line item needs from the product it points at.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductRef {
    /// Product or variation id.
    pub id: u64,
    /// `product_type` term (`simple`, `variable`, …) or `variation`.
    pub product_type: String,
    /// `_sku`.
    pub sku: String,
    /// Parent's `_sku` (variations).
    pub parent_sku: String,
    /// `_thumbnail_id` (raw; `""` when absent).
    pub thumbnail_id: String,
    /// Parent's `_thumbnail_id` (variations).
    pub parent_thumbnail_id: String,
    /// Attachment rows for the thumbnail ids above.
    pub attachments: Vec<Attachment>,
    /// Parent's `post_title` (variations).
    pub parent_title: String,
    /// `_virtual` (`yes`/`no`).
    #[serde(rename = "virtual")]
    pub virtual_: String,
    /// `_downloadable` (`yes`/`no`).
    pub downloadable: String,
    /// Names of the custom (non-taxonomy) attributes of the product (of the
    /// parent for a variation), keyed as `_product_attributes` keys them.
    pub custom_attributes: Vec<(String, String)>,
}
