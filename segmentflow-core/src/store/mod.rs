//! The store's entities as read from the WordPress database: "records".
//!
//! A record is what a database reader can fill from SQL rows without knowing
//! any WooCommerce rule: raw column values, meta rows with their `meta_id`s
//! (in `meta_id` order), order item rows with their item meta, term rows,
//! attachment rows and a few site options. Every WooCommerce rule (which meta
//! keys are hidden, how money is rounded, how dates are shown, how a
//! variation inherits from its parent…) lives in [`crate::rest`], which maps a
//! record to the JSON WooCommerce's REST API gives.
//!
//! Conventions shared by all records:
//!
//! * Dates are GMT `YYYY-MM-DD HH:MM:SS` strings as the database stores them
//!   (HPOS `*_gmt` columns, `post_date_gmt`, `user_registered`); a zero date
//!   (`0000-00-00 00:00:00`) or a missing value is `None`. Where WooCommerce
//!   stores a date another way (post storage's `_date_paid` Unix timestamps,
//!   the legacy site-local `_paid_date`) the reader passes a [`DbDate`] that
//!   says which form it found.
//! * Money and quantities are the decimal strings read from the database
//!   (`10.50000000` from an HPOS `decimal(26,8)` column, `10.5` from
//!   postmeta), never `f64`.
//! * **The reader decodes PHP-serialized meta into these typed fields**
//!   (`_line_tax_data`, `taxes`, `_product_attributes`, `_default_attributes`,
//!   `_upsell_ids`, `_crosssell_ids`, `wp_capabilities`,
//!   `_wp_attachment_metadata`, `coupon_data`), so the mapping never parses
//!   PHP serialization. Meta that the REST API shows in `meta_data` is carried
//!   as a [`MetaValue`]: the plain string, or the already-unserialized value
//!   as JSON (PHP arrays with keys `0..n-1` in order become JSON arrays, other
//!   arrays and objects become JSON objects, as `json_encode` does).
//!
//! The fixture files under `fixtures/woocommerce-9.2.5/records/` are records
//! of a real store, written by `scripts/extract-records.php`; they define what
//! the Rust reader must produce.

pub mod customer;
pub mod order;
pub mod product;
pub mod site;

pub use customer::CustomerRecord;
pub use order::{
    Address, LineTaxData, OrderItem, OrderRecord, ProductRef, TaxAmount, TaxEntry, TaxKey,
};
pub use product::{
    Attachment, AttributeTerm, ProductAttribute, ProductRecord, TermRef, VariationSummary,
};
pub use site::{AttributeTaxonomy, Site};

use serde::{Deserialize, Serialize};

/// One meta row (`wp_postmeta`, `wp_wc_orders_meta`, `wp_usermeta`,
/// `wp_woocommerce_order_itemmeta`), in `meta_id` order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaRow {
    /// The row's `meta_id` / `umeta_id` / `id`.
    pub id: u64,
    /// `meta_key`.
    pub key: String,
    /// `meta_value`, unserialized when it was PHP-serialized.
    pub value: MetaValue,
}

/// A meta value as WooCommerce holds it after `maybe_unserialize()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MetaValue {
    /// A plain (not serialized) string, exactly as stored.
    Text(String),
    /// A serialized value, already unserialized and converted to JSON the
    /// way `json_encode` shows the PHP value.
    Json(serde_json::Value),
}

impl MetaValue {
    /// The value as WooCommerce's REST API shows it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            MetaValue::Text(s) => serde_json::Value::String(s.clone()),
            MetaValue::Json(v) => v.clone(),
        }
    }

    /// The string, when the value is a plain string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            MetaValue::Text(s) => Some(s),
            MetaValue::Json(serde_json::Value::String(s)) => Some(s),
            MetaValue::Json(_) => None,
        }
    }
}

/// A date as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DbDate {
    /// A GMT `YYYY-MM-DD HH:MM:SS` string (HPOS columns, `*_gmt` post columns).
    Gmt(String),
    /// A Unix timestamp (post storage `_date_paid`, `_date_completed`,
    /// usermeta `last_update`).
    Timestamp(i64),
    /// A site-local `YYYY-MM-DD HH:MM:SS` string (legacy `_paid_date`,
    /// `_completed_date`), read in the site's timezone.
    SiteLocal(String),
}

/// Finds the first meta row with `key`.
pub fn find_meta<'a>(meta: &'a [MetaRow], key: &str) -> Option<&'a MetaValue> {
    meta.iter().find(|m| m.key == key).map(|m| &m.value)
}

/// The first meta row with `key` as a string (`''` when absent or not a
/// string), as `get_post_meta( $id, $key, true )` gives it.
pub fn meta_text<'a>(meta: &'a [MetaRow], key: &str) -> &'a str {
    find_meta(meta, key)
        .and_then(MetaValue::as_text)
        .unwrap_or("")
}
