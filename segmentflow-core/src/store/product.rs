//! Product and variation records: the post row, its postmeta rows, its term
//! rows per taxonomy, its attachments, and for variations the parent record.

use super::MetaRow;
use serde::{Deserialize, Serialize};

/// A term attached to a product (`terms` ⨝ `term_taxonomy` ⨝
/// `term_relationships`), in the order `wp_get_object_terms` returns them
/// (`ORDER BY name`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TermRef {
    /// `term_id`.
    pub id: u64,
    /// `name`.
    pub name: String,
    /// `slug`.
    pub slug: String,
}

/// A term of a global attribute taxonomy (`pa_*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttributeTerm {
    /// Taxonomy (`pa_color`).
    pub taxonomy: String,
    /// `term_id`.
    pub id: u64,
    /// `name`.
    pub name: String,
    /// `slug`.
    pub slug: String,
    /// `order` termmeta, when set.
    pub order: Option<i64>,
}

/// One entry of `_product_attributes`, decoded, in stored order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductAttribute {
    /// The array key (sanitized name; `pa_color` for taxonomy attributes).
    pub key: String,
    /// `name` (`pa_color`, or the custom attribute's display name).
    pub name: String,
    /// `value` (custom attributes: `A | B | C`; taxonomy attributes: empty).
    pub value: String,
    /// `position`.
    pub position: i64,
    /// `is_visible`.
    pub is_visible: bool,
    /// `is_variation`.
    pub is_variation: bool,
    /// `is_taxonomy`.
    pub is_taxonomy: bool,
}

/// An attachment post (`post_type = attachment`) and its meta.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// `ID`.
    pub id: u64,
    /// `post_title`.
    pub title: String,
    /// `post_date` (site-local, as stored).
    pub post_date: String,
    /// `post_date_gmt`.
    pub post_date_gmt: String,
    /// `post_modified` (site-local, as stored).
    pub post_modified: String,
    /// `post_modified_gmt`.
    pub post_modified_gmt: String,
    /// `_wp_attached_file` (path relative to the uploads directory).
    pub attached_file: String,
    /// `_wp_attachment_image_alt`.
    pub alt: String,
}

/// What a variable product needs from each of its variations (prices for
/// `price`, `on_sale` and `price_html`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VariationSummary {
    /// Variation id.
    pub id: u64,
    /// `post_status` (`publish` = enabled, `private` = disabled).
    pub status: String,
    /// `_price`.
    pub price: String,
    /// `_regular_price`.
    pub regular_price: String,
    /// `_sale_price`.
    pub sale_price: String,
    /// `_sale_price_dates_from` (Unix timestamp string or `""`).
    pub sale_from: String,
    /// `_sale_price_dates_to` (Unix timestamp string or `""`).
    pub sale_to: String,
    /// `_stock_status`.
    pub stock_status: String,
}

/// A product (`post_type = product`) or variation (`product_variation`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductRecord {
    /// `ID`.
    pub id: u64,
    /// `post_type`.
    pub post_type: String,
    /// `post_parent`.
    pub parent_id: u64,
    /// Slug of the `product_type` term (`simple`, `variable`, `grouped`,
    /// `external`; `""` when none); variations: `variation`.
    pub product_type: String,
    /// `post_title`.
    pub title: String,
    /// `post_name`.
    pub slug: String,
    /// `post_content`.
    pub content: String,
    /// `post_excerpt`.
    pub excerpt: String,
    /// `post_status`.
    pub status: String,
    /// `post_password`.
    pub post_password: String,
    /// `comment_status`.
    pub comment_status: String,
    /// `menu_order`.
    pub menu_order: i64,
    /// `post_date_gmt` (`None` for a zero date).
    pub date_created_gmt: Option<String>,
    /// `post_modified_gmt`.
    pub date_modified_gmt: Option<String>,
    /// All postmeta rows, in `meta_id` order.
    pub meta: Vec<MetaRow>,
    /// `product_cat` terms.
    pub categories: Vec<TermRef>,
    /// `product_tag` terms.
    pub tags: Vec<TermRef>,
    /// `product_shipping_class` terms.
    pub shipping_classes: Vec<TermRef>,
    /// Slugs of the `product_visibility` terms (`featured`,
    /// `exclude-from-catalog`, `exclude-from-search`, `outofstock`, …).
    pub visibility: Vec<String>,
    /// `_product_attributes`, decoded.
    pub attributes: Vec<ProductAttribute>,
    /// Terms of this product in attribute taxonomies (`pa_*`).
    pub attribute_terms: Vec<AttributeTerm>,
    /// `_default_attributes`, decoded (`taxonomy or name` ⇒ value).
    pub default_attributes: Vec<(String, String)>,
    /// `_upsell_ids`, decoded.
    pub upsell_ids: Vec<u64>,
    /// `_crosssell_ids`, decoded.
    pub cross_sell_ids: Vec<u64>,
    /// `_children` of a grouped product, decoded.
    pub grouped_children: Vec<u64>,
    /// Attachments referenced by `_thumbnail_id` and `_product_image_gallery`.
    pub attachments: Vec<Attachment>,
    /// Variations of a variable product, ordered `menu_order, ID`, statuses
    /// `publish` and `private`.
    pub variations: Vec<VariationSummary>,
    /// The parent product (variations only).
    pub parent: Option<Box<ProductRecord>>,
    /// Related product ids. WooCommerce picks them at random from a cached
    /// candidate list (`wc_get_related_products` shuffles), so the reader or
    /// the caller decides them; the mapping prints them as given.
    pub related_ids: Vec<u64>,
}
