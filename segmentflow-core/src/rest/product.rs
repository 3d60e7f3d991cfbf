//! `GET /wc/v{2,3}/products/<id>` (also for a variation id, which is what a
//! variation's `product.updated` webhook carries: `type: "variation"`), and
//! the shared product view the v3 variations endpoint
//! ([`super::variation`]) builds on.
//!
//! Field order is the schema order `get_product_data()` walks
//! (`WC_REST_Products_V2_Controller`), then the getter-based fields
//! (`price_html`, `related_ids`, `meta_data`). Differences implemented:
//!
//! * v2 prints `in_stock` (`is_in_stock()`) after `stock_quantity` and has
//!   no `low_stock_amount` (absent from the v2 schema that `get_product_data`
//!   walks); v3 prints `low_stock_amount` after `backordered`, and
//!   `stock_status` after `meta_data`, followed by the v3 extras
//!   `has_options`, `post_password`, `global_unique_id`
//!   (`WC_REST_Products_Controller`, WooCommerce 9.2.5; `brands` only exists
//!   from 9.6).
//! * v2 `images` items carry `position`, and a product without images gets
//!   one placeholder item (`id: 0`, the placeholder URL, "now" dates from
//!   [`Site::now_gmt`]); v3 items have no `position` and no placeholder.
//!
//! Texts run through the view-context filters: `description` through
//! `wpautop`, `purchase_note` through `wp_kses_post`'s entity normalization
//! and `wpautop`, `short_description` through
//! `wptexturize` + `wpautop` (see [`super::content`] for what is covered).
//! `price_html` follows `get_price_html()` for simple, variation, external
//! and variable products with the shop showing prices as stored (no tax
//! adjustment); grouped products print `""`. `related_ids` come from the
//! record (WooCommerce shuffles them at random).
//!
//! [`Site::now_gmt`]: crate::store::Site::now_gmt

use super::content::{wpautop, wptexturize};
use super::format::{self, absint, intval};
use super::order::{attachment_url, sanitize_title};
use super::{ApiVersion, links};
use crate::store::{
    Attachment, MetaValue, ProductAttribute, ProductRecord, Site, TermRef, VariationSummary,
    find_meta, meta_text,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

/// Product meta keys `WC_Product_Data_Store_CPT` keeps internal.
pub const PRODUCT_INTERNAL_META_KEYS: &[&str] = &[
    "_visibility",
    "_sku",
    "_global_unique_id",
    "_price",
    "_regular_price",
    "_sale_price",
    "_sale_price_dates_from",
    "_sale_price_dates_to",
    "total_sales",
    "_tax_status",
    "_tax_class",
    "_manage_stock",
    "_stock",
    "_stock_status",
    "_backorders",
    "_low_stock_amount",
    "_sold_individually",
    "_weight",
    "_length",
    "_width",
    "_height",
    "_upsell_ids",
    "_crosssell_ids",
    "_purchase_note",
    "_default_attributes",
    "_product_attributes",
    "_virtual",
    "_downloadable",
    "_download_limit",
    "_download_expiry",
    "_featured",
    "_downloadable_files",
    "_wc_rating_count",
    "_wc_average_rating",
    "_wc_review_count",
    "_variation_description",
    "_thumbnail_id",
    "_file_paths",
    "_product_image_gallery",
    "_product_version",
    "_wp_old_slug",
    "_edit_last",
    "_edit_lock",
];

/// `WC_Product` data keys (`_` + key is internal too).
pub const PRODUCT_DATA_KEYS: &[&str] = &[
    "name",
    "slug",
    "date_created",
    "date_modified",
    "status",
    "featured",
    "catalog_visibility",
    "description",
    "short_description",
    "sku",
    "global_unique_id",
    "price",
    "regular_price",
    "sale_price",
    "date_on_sale_from",
    "date_on_sale_to",
    "total_sales",
    "tax_status",
    "tax_class",
    "manage_stock",
    "stock_quantity",
    "stock_status",
    "backorders",
    "low_stock_amount",
    "sold_individually",
    "weight",
    "length",
    "width",
    "height",
    "upsell_ids",
    "cross_sell_ids",
    "parent_id",
    "reviews_allowed",
    "purchase_note",
    "attributes",
    "default_attributes",
    "menu_order",
    "post_password",
    "virtual",
    "downloadable",
    "category_ids",
    "tag_ids",
    "shipping_class_id",
    "downloads",
    "image_id",
    "gallery_image_ids",
    "download_limit",
    "download_expiry",
    "rating_counts",
    "average_rating",
    "review_count",
    "product_url",
    "button_text",
    "children",
];

/// Whether a product meta key is hidden from `meta_data`.
pub fn is_hidden_product_meta(key: &str, variation: bool) -> bool {
    format::is_internal_key(key, PRODUCT_INTERNAL_META_KEYS, PRODUCT_DATA_KEYS)
        || (variation && key.starts_with("attribute_"))
}

/// A product (or variation) with its parent, and the derived values several
/// fields share.
pub(super) struct View<'a> {
    pub(super) p: &'a ProductRecord,
    pub(super) parent: Option<&'a ProductRecord>,
    pub(super) site: &'a Site,
    pub(super) tz: TimeZone,
    pub(super) now: Option<Timestamp>,
    pub(super) variation: bool,
}

impl<'a> View<'a> {
    pub(super) fn new(p: &'a ProductRecord, site: &'a Site) -> Self {
        let variation = p.post_type == "product_variation" || p.product_type == "variation";
        View {
            p,
            parent: p.parent.as_deref(),
            site,
            tz: format::site_timezone(site),
            now: format::gmt_instant(site.now_gmt.as_deref()),
            variation,
        }
    }

    pub(super) fn m(&self, key: &str) -> &'a str {
        meta_text(&self.p.meta, key)
    }

    pub(super) fn pm(&self, key: &str) -> &'a str {
        self.parent.map_or("", |pp| meta_text(&pp.meta, key))
    }

    /// Own value, or the parent's when a variation's own value is empty.
    pub(super) fn inherit(&self, key: &str) -> &'a str {
        let own = self.m(key);
        if self.variation && own.is_empty() {
            self.pm(key)
        } else {
            own
        }
    }

    pub(super) fn product_type(&self) -> String {
        if self.variation {
            "variation".into()
        } else if self.p.product_type.is_empty() {
            "simple".into()
        } else {
            self.p.product_type.clone()
        }
    }

    pub(super) fn yes(&self, key: &str) -> bool {
        self.m(key) == "yes"
    }

    pub(super) fn sku(&self) -> &'a str {
        self.inherit("_sku")
    }

    /// `_tax_class`; a variation without the row, or with `parent`, shows
    /// its parent's class.
    pub(super) fn tax_class(&self) -> &'a str {
        let own = find_meta(&self.p.meta, "_tax_class").and_then(MetaValue::as_text);
        match own {
            Some(c) if !(self.variation && c == "parent") => c,
            None if !self.variation => "",
            _ => self.pm("_tax_class"),
        }
    }

    /// `_tax_status` (a variation reads its parent's: the variation data
    /// store has no own value for it).
    pub(super) fn tax_status(&self) -> &'static str {
        let raw = if self.variation {
            self.pm("_tax_status")
        } else {
            self.m("_tax_status")
        };
        match raw {
            "shipping" => "shipping",
            "none" => "none",
            _ => "taxable",
        }
    }

    /// `get_manage_stock( 'view' )`: `true`/`false`, or `"parent"` for a
    /// variation that does not manage stock while its parent does.
    pub(super) fn manage_stock_value(&self) -> Value {
        if self.m("_manage_stock") == "yes" {
            json!(true)
        } else if self.variation && self.pm("_manage_stock") == "yes" {
            json!("parent")
        } else {
            json!(false)
        }
    }

    fn stock_from_parent(&self) -> bool {
        self.variation && self.manage_stock_value() == json!("parent")
    }

    /// `managing_stock()`: the store-wide switch, then the product's value.
    pub(super) fn managing_stock(&self) -> Value {
        if self.site.manage_stock == "yes" {
            self.manage_stock_value()
        } else {
            json!(false)
        }
    }

    pub(super) fn managing_stock_bool(&self) -> bool {
        self.managing_stock() != json!(false)
    }

    pub(super) fn stock_quantity(&self) -> Value {
        if self.stock_from_parent() {
            return json!(intval(self.pm("_stock")));
        }
        let raw = self.m("_stock");
        if raw.trim().is_empty() {
            Value::Null
        } else {
            json!(intval(raw))
        }
    }

    pub(super) fn stock_status(&self) -> String {
        let s = self.m("_stock_status");
        if s.is_empty() {
            "instock".into()
        } else {
            s.to_string()
        }
    }

    pub(super) fn backorders(&self) -> String {
        let b = if self.stock_from_parent() {
            self.pm("_backorders")
        } else {
            self.m("_backorders")
        };
        if b.is_empty() {
            "no".into()
        } else {
            b.to_string()
        }
    }

    pub(super) fn backorders_allowed(&self) -> bool {
        matches!(self.backorders().as_str(), "yes" | "notify")
    }

    pub(super) fn virtual_(&self) -> bool {
        self.yes("_virtual")
    }

    /// The active price: variable products the lowest visible variation
    /// price; variations their sale price while on sale, else the regular
    /// price (the variation data store ignores `_price`); simple products
    /// `_price`, switched to the sale price while a sale runs.
    pub(super) fn price(&self) -> String {
        match self.product_type().as_str() {
            "variable" => self
                .variation_prices()
                .first()
                .map(|v| v.0.clone())
                .unwrap_or_default(),
            "variation" => {
                if self.is_on_sale() {
                    self.m("_sale_price").to_string()
                } else {
                    self.m("_regular_price").to_string()
                }
            }
            kind => {
                let stored = self.m("_price");
                let sale = self.m("_sale_price");
                if kind == "simple" && self.is_on_sale() && sale != stored {
                    sale.to_string()
                } else {
                    stored.to_string()
                }
            }
        }
    }

    pub(super) fn sale_window_open(&self, from: &str, to: &str) -> bool {
        let Some(now) = self.now else { return true };
        if !from.is_empty()
            && let Ok(t) = Timestamp::from_second(intval(from))
            && t > now
        {
            return false;
        }
        if !to.is_empty()
            && let Ok(t) = Timestamp::from_second(intval(to))
            && t < now
        {
            return false;
        }
        true
    }

    pub(super) fn on_sale_prices(&self, regular: &str, sale: &str, from: &str, to: &str) -> bool {
        !sale.is_empty()
            && format::to_f64(regular) > format::to_f64(sale)
            && self.sale_window_open(from, to)
    }

    pub(super) fn is_on_sale(&self) -> bool {
        if self.product_type() == "variable" {
            return self.visible_variations().iter().any(|v| {
                self.on_sale_prices(&v.regular_price, &v.sale_price, &v.sale_from, &v.sale_to)
            });
        }
        self.on_sale_prices(
            self.m("_regular_price"),
            self.m("_sale_price"),
            self.m("_sale_price_dates_from"),
            self.m("_sale_price_dates_to"),
        )
    }

    pub(super) fn visible_variations(&self) -> Vec<&'a VariationSummary> {
        self.p
            .variations
            .iter()
            .filter(|v| v.status == "publish" && !v.price.is_empty())
            .collect()
    }

    /// `get_variation_prices()`: (price, regular, sale) per visible
    /// variation, each list sorted ascending.
    pub(super) fn variation_prices(&self) -> Vec<(String, String, String)> {
        let dp = format::price_decimals(self.site);
        let fmt = |s: &str| format::format_decimal(s, dp, self.site);
        let vis = self.visible_variations();
        let mut prices: Vec<String> = vis.iter().map(|v| fmt(&v.price)).collect();
        let mut regular: Vec<String> = vis
            .iter()
            .map(|v| {
                fmt(if v.regular_price.is_empty() {
                    &v.price
                } else {
                    &v.regular_price
                })
            })
            .collect();
        let mut sale: Vec<String> = vis
            .iter()
            .map(|v| {
                fmt(if v.sale_price.is_empty() {
                    &v.price
                } else {
                    &v.sale_price
                })
            })
            .collect();
        let by_num = |a: &String, b: &String| format::to_f64(a).total_cmp(&format::to_f64(b));
        prices.sort_by(by_num);
        regular.sort_by(by_num);
        sale.sort_by(by_num);
        prices
            .into_iter()
            .zip(regular)
            .zip(sale)
            .map(|((p, r), s)| (p, r, s))
            .collect()
    }

    pub(super) fn purchasable(&self) -> bool {
        match self.product_type().as_str() {
            "external" | "grouped" => false,
            "variation" => self.p.status != "private" && !self.price().is_empty(),
            _ => !self.price().is_empty(),
        }
    }

    pub(super) fn price_html(&self) -> String {
        let site = self.site;
        let suffix = if site.price_display_suffix.is_empty() {
            String::new()
        } else {
            format!(
                " <small class=\"woocommerce-price-suffix\">{}</small>",
                site.price_display_suffix
            )
        };
        match self.product_type().as_str() {
            "grouped" => String::new(),
            "variable" => {
                let prices = self.variation_prices();
                let (Some(first), Some(last)) = (prices.first(), prices.last()) else {
                    return String::new();
                };
                let html = if first.0 != last.0 {
                    format!(
                        "{} &ndash; {}",
                        format::wc_price(&first.0, site),
                        format::wc_price(&last.0, site)
                    )
                } else if self.is_on_sale() && first.1 == last.1 {
                    sale_price_html(
                        &format::wc_price(&last.1, site),
                        &format::wc_price(&first.0, site),
                    )
                } else {
                    format::wc_price(&first.0, site)
                };
                format!("{html}{suffix}")
            }
            _ => {
                let price = self.price();
                if price.is_empty() {
                    String::new()
                } else if self.is_on_sale() {
                    let html = sale_price_html(
                        &format::wc_price(self.m("_regular_price"), site),
                        &format::wc_price(&price, site),
                    );
                    format!("{html}{suffix}")
                } else {
                    format!("{}{suffix}", format::wc_price(&price, site))
                }
            }
        }
    }

    pub(super) fn image_id(&self) -> u64 {
        let own = absint(self.m("_thumbnail_id"));
        if self.variation && own == 0 {
            absint(self.pm("_thumbnail_id"))
        } else {
            own
        }
    }

    pub(super) fn attachment(&self, id: u64) -> Option<&'a Attachment> {
        self.p
            .attachments
            .iter()
            .chain(
                self.parent
                    .map(|pp| pp.attachments.iter())
                    .into_iter()
                    .flatten(),
            )
            .find(|a| a.id == id)
    }

    pub(super) fn image_json(&self, a: &Attachment, position: Option<usize>) -> Value {
        let mut o = Map::new();
        o.insert("id".into(), json!(a.id));
        o.insert(
            "date_created".into(),
            format::string_date_local(&a.post_date, &self.tz),
        );
        o.insert(
            "date_created_gmt".into(),
            format::gmt_date(format::gmt_instant(Some(&a.post_date_gmt))),
        );
        o.insert(
            "date_modified".into(),
            format::string_date_local(&a.post_modified, &self.tz),
        );
        o.insert(
            "date_modified_gmt".into(),
            format::gmt_date(format::gmt_instant(Some(&a.post_modified_gmt))),
        );
        o.insert(
            "src".into(),
            json!(attachment_url(self.site, &a.attached_file)),
        );
        o.insert("name".into(), json!(a.title));
        o.insert("alt".into(), json!(a.alt));
        if let Some(pos) = position {
            o.insert("position".into(), json!(pos));
        }
        Value::Object(o)
    }

    pub(super) fn images(&self, version: ApiVersion) -> Value {
        let mut ids = Vec::new();
        let image = self.image_id();
        if image != 0 {
            ids.push(image);
        }
        if !self.variation {
            ids.extend(
                self.m("_product_image_gallery")
                    .split(',')
                    .map(absint)
                    .filter(|id| *id != 0),
            );
        }
        let mut images = Vec::new();
        for (position, id) in ids.iter().enumerate() {
            if let Some(a) = self.attachment(*id) {
                images.push(self.image_json(a, (version == ApiVersion::V2).then_some(position)));
            }
        }
        if images.is_empty() && version == ApiVersion::V2 {
            let now = self
                .now
                .or_else(|| format::gmt_instant(self.p.date_modified_gmt.as_deref()));
            let local_now = now.map(|t| {
                t.to_zoned_datetime(self.tz.clone())
                    .datetime()
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            });
            let local = match local_now {
                Some(s) => format::string_date_local(&s, &self.tz),
                None => Value::Null,
            };
            images.push(json!({
                "id": 0,
                "date_created": local,
                "date_created_gmt": format::gmt_date(now),
                "date_modified": local,
                "date_modified_gmt": format::gmt_date(now),
                "src": self.site.placeholder_image_src,
                "name": "Placeholder",
                "alt": "Placeholder",
                "position": 0,
            }));
        }
        Value::Array(images)
    }

    /// The product whose attributes name things (the parent for a variation).
    pub(super) fn attribute_owner(&self) -> &'a ProductRecord {
        if self.variation {
            self.parent.unwrap_or(self.p)
        } else {
            self.p
        }
    }

    /// `get_attribute_taxonomy_name( $slug, $product )`.
    pub(super) fn attribute_display_name(&self, slug: &str) -> String {
        let slug = slug.strip_prefix("pa_").unwrap_or(slug);
        if let Some(t) = self
            .site
            .attribute_taxonomies
            .iter()
            .find(|t| t.name == slug)
        {
            let owner = self.attribute_owner();
            if owner
                .attributes
                .iter()
                .any(|a| sanitize_title(&a.key) == format!("pa_{slug}"))
            {
                return t.label.clone();
            }
        }
        let owner = self.attribute_owner();
        match owner
            .attributes
            .iter()
            .find(|a| sanitize_title(&a.key) == slug)
        {
            Some(a) if a.is_taxonomy => self
                .site
                .attribute_taxonomies
                .iter()
                .find(|t| format!("pa_{}", t.name) == a.name)
                .map_or(slug.to_string(), |t| t.label.clone()),
            Some(a) => a.name.clone(),
            None => slug.to_string(),
        }
    }

    pub(super) fn taxonomy_id(&self, taxonomy: &str) -> u64 {
        taxonomy
            .strip_prefix("pa_")
            .and_then(|n| self.site.attribute_taxonomies.iter().find(|t| t.name == n))
            .map_or(0, |t| t.id)
    }

    pub(super) fn term_name(&self, taxonomy: &str, slug: &str) -> Option<String> {
        self.p
            .attribute_terms
            .iter()
            .chain(
                self.parent
                    .map(|pp| pp.attribute_terms.iter())
                    .into_iter()
                    .flatten(),
            )
            .find(|t| t.taxonomy == taxonomy && t.slug == slug)
            .map(|t| t.name.clone())
    }

    /// `get_variation_attributes()`: (`attribute_<key>`, value) in the
    /// parent's attribute order.
    pub(super) fn variation_attributes(&self) -> Vec<(String, String)> {
        let Some(parent) = self.parent else {
            return self
                .p
                .meta
                .iter()
                .filter(|m| m.key.starts_with("attribute_"))
                .map(|m| (m.key.clone(), m.value.as_text().unwrap_or("").to_string()))
                .collect();
        };
        parent
            .attributes
            .iter()
            .filter(|a| a.is_variation)
            .map(|a| {
                let key = format!("attribute_{}", sanitize_title(&a.name));
                let value = self.m(&key).to_string();
                (key, value)
            })
            .collect()
    }

    pub(super) fn attribute_options(&self, a: &ProductAttribute) -> Vec<String> {
        if a.is_taxonomy {
            let mut terms: Vec<_> = self
                .p
                .attribute_terms
                .iter()
                .filter(|t| t.taxonomy == a.name)
                .collect();
            let orderby = a
                .name
                .strip_prefix("pa_")
                .and_then(|n| self.site.attribute_taxonomies.iter().find(|t| t.name == n))
                .map_or("menu_order", |t| t.orderby.as_str());
            match orderby {
                "id" => terms.sort_by_key(|t| t.id),
                "name" | "name_num" => terms.sort_by_key(|t| t.name.to_lowercase()),
                _ => terms.sort_by(|x, y| {
                    x.order
                        .unwrap_or(0)
                        .cmp(&y.order.unwrap_or(0))
                        .then(x.name.to_lowercase().cmp(&y.name.to_lowercase()))
                }),
            }
            terms.into_iter().map(|t| t.name.clone()).collect()
        } else {
            a.value.split('|').map(|s| s.trim().to_string()).collect()
        }
    }

    pub(super) fn attributes(&self) -> Value {
        if self.variation {
            let mut out = Vec::new();
            for (attr_key, value) in self.variation_attributes() {
                if value.is_empty() {
                    continue;
                }
                let name = attr_key.trim_start_matches("attribute_").to_string();
                if attr_key.starts_with("attribute_pa_") {
                    let option = self.term_name(&name, &value).map_or_else(
                        || format::rawurldecode(&value),
                        |n| format::rawurldecode(&n),
                    );
                    out.push(json!({
                        "id": self.taxonomy_id(&name),
                        "name": self.attribute_display_name(&name),
                        "slug": format::rawurldecode(&name),
                        "option": option,
                    }));
                } else {
                    out.push(json!({
                        "id": 0,
                        "name": self.attribute_display_name(&name),
                        "slug": name,
                        "option": value,
                    }));
                }
            }
            return Value::Array(out);
        }
        Value::Array(
            self.p
                .attributes
                .iter()
                .map(|a| {
                    json!({
                        "id": if a.is_taxonomy { self.taxonomy_id(&a.name) } else { 0 },
                        "name": self.attribute_display_name(&a.name),
                        "slug": a.name,
                        "position": a.position,
                        "visible": a.is_visible,
                        "variation": a.is_variation,
                        "options": self.attribute_options(a),
                    })
                })
                .collect(),
        )
    }

    pub(super) fn default_attributes(&self) -> Value {
        if self.product_type() != "variable" {
            return json!([]);
        }
        Value::Array(
            self.p
                .default_attributes
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| {
                    json!({
                        "id": if k.starts_with("pa_") { self.taxonomy_id(k) } else { 0 },
                        "name": self.attribute_display_name(k),
                        "option": v,
                    })
                })
                .collect(),
        )
    }

    pub(super) fn permalink(&self) -> String {
        if self.variation {
            let parent = self.parent;
            let base = match parent {
                Some(pp) => links::product_permalink(
                    self.site,
                    pp.id,
                    &pp.slug,
                    &pp.status,
                    pp.categories.first().map(|c| c.slug.as_str()),
                ),
                None => links::product_permalink(self.site, self.p.parent_id, "", "draft", None),
            };
            let args: Vec<(String, String)> = self
                .variation_attributes()
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (urlencode(&k), urlencode(&v)))
                .collect();
            let args: Vec<(&str, String)> =
                args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            return links::add_query_arg(&base, &args);
        }
        let first_cat = self
            .p
            .categories
            .iter()
            .min_by_key(|c| c.id)
            .map(|c| c.slug.as_str());
        links::product_permalink(
            self.site,
            self.p.id,
            &self.p.slug,
            &self.p.status,
            first_cat,
        )
    }

    pub(super) fn catalog_visibility(&self) -> &'static str {
        let terms = if self.variation {
            self.parent.map_or(&self.p.visibility, |pp| &pp.visibility)
        } else {
            &self.p.visibility
        };
        let catalog = terms.iter().any(|t| t == "exclude-from-catalog");
        let search = terms.iter().any(|t| t == "exclude-from-search");
        match (catalog, search) {
            (true, true) => "hidden",
            (true, false) => "search",
            (false, true) => "catalog",
            (false, false) => "visible",
        }
    }

    pub(super) fn shipping_class(&self) -> Option<&'a TermRef> {
        let own = self.p.shipping_classes.first();
        if self.variation && own.is_none() {
            self.parent.and_then(|pp| pp.shipping_classes.first())
        } else {
            own
        }
    }

    pub(super) fn rating_count(&self) -> i64 {
        match find_meta(&self.p.meta, "_wc_rating_count") {
            Some(MetaValue::Json(Value::Object(map))) => map
                .values()
                .map(|v| v.as_i64().unwrap_or_else(|| v.as_str().map_or(0, intval)))
                .fold(0i64, i64::saturating_add),
            Some(MetaValue::Json(Value::Array(list))) => list
                .iter()
                .map(|v| v.as_i64().unwrap_or_else(|| v.as_str().map_or(0, intval)))
                .fold(0i64, i64::saturating_add),
            _ => 0,
        }
    }

    pub(super) fn downloads(&self) -> Value {
        if !self.yes("_downloadable") {
            return json!([]);
        }
        let Some(MetaValue::Json(Value::Object(files))) =
            find_meta(&self.p.meta, "_downloadable_files")
        else {
            return json!([]);
        };
        Value::Array(
            files
                .iter()
                .map(|(id, f)| {
                    json!({
                        "id": id,
                        "name": f.get("name").cloned().unwrap_or(json!("")),
                        "file": f.get("file").cloned().unwrap_or(json!("")),
                    })
                })
                .collect(),
        )
    }

    pub(super) fn date_pair(&self, o: &mut Map<String, Value>, field: &str, ts: Option<Timestamp>) {
        o.insert(field.into(), format::local_date(ts, &self.tz));
        o.insert(format!("{field}_gmt"), format::gmt_date(ts));
    }

    pub(super) fn sale_date(&self, key: &str) -> Option<Timestamp> {
        let raw = self.m(key);
        if raw.trim().is_empty() {
            None
        } else {
            Timestamp::from_second(intval(raw)).ok()
        }
    }

    pub(super) fn download_setting(&self, key: &str) -> i64 {
        let raw = self.m(key);
        if raw.is_empty() || intval(raw) == -1 {
            -1
        } else {
            intval(raw).saturating_abs()
        }
    }

    pub(super) fn low_stock_amount(&self) -> Value {
        let raw = self.inherit("_low_stock_amount");
        if raw.is_empty() {
            Value::Null
        } else {
            json!(absint(raw))
        }
    }

    pub(super) fn dimension(&self, key: &str) -> Value {
        json!(self.inherit(key))
    }

    pub(super) fn description(&self) -> String {
        if self.variation {
            wpautop(self.m("_variation_description"))
        } else {
            wpautop(&self.p.content)
        }
    }
}

fn sale_price_html(regular: &str, sale: &str) -> String {
    let strip = |s: &str| format::normalize_numeric_entities(&strip_tags(s));
    format!(
        "<del aria-hidden=\"true\">{regular}</del> <span class=\"screen-reader-text\">Original price was: {}.</span><ins aria-hidden=\"true\">{sale}</ins><span class=\"screen-reader-text\">Current price is: {}.</span>",
        strip(regular),
        strip(sale)
    )
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// PHP `urlencode()`.
fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn terms_json(terms: &[TermRef]) -> Value {
    Value::Array(
        terms
            .iter()
            .map(|t| json!({ "id": t.id, "name": t.name, "slug": t.slug }))
            .collect(),
    )
}

fn ids_json(ids: &[u64]) -> Value {
    json!(ids)
}

/// Maps a product or variation record to the products-controller JSON.
pub fn to_json(product: &ProductRecord, site: &Site, version: ApiVersion) -> Value {
    let v = View::new(product, site);
    let p = product;
    let ptype = v.product_type();
    let mut o = Map::new();
    o.insert("id".into(), json!(p.id));
    o.insert("name".into(), json!(p.title));
    o.insert("slug".into(), json!(p.slug));
    o.insert("permalink".into(), json!(v.permalink()));
    v.date_pair(
        &mut o,
        "date_created",
        format::gmt_instant(p.date_created_gmt.as_deref()),
    );
    v.date_pair(
        &mut o,
        "date_modified",
        format::gmt_instant(p.date_modified_gmt.as_deref()),
    );
    o.insert("type".into(), json!(ptype));
    o.insert("status".into(), json!(p.status));
    o.insert(
        "featured".into(),
        json!(!v.variation && p.visibility.iter().any(|t| t == "featured")),
    );
    o.insert("catalog_visibility".into(), json!(v.catalog_visibility()));
    o.insert("description".into(), json!(v.description()));
    let short = if v.variation {
        String::new()
    } else {
        wpautop(&wptexturize(&p.excerpt))
    };
    o.insert("short_description".into(), json!(short));
    o.insert("sku".into(), json!(v.sku()));
    let price = v.price();
    o.insert("price".into(), json!(price));
    let variable_like = matches!(ptype.as_str(), "variable" | "grouped");
    o.insert(
        "regular_price".into(),
        json!(if variable_like {
            ""
        } else {
            v.m("_regular_price")
        }),
    );
    let sale = v.m("_sale_price");
    let sale = if variable_like || sale.is_empty() || sale == "0" {
        ""
    } else {
        sale
    };
    o.insert("sale_price".into(), json!(sale));
    v.date_pair(
        &mut o,
        "date_on_sale_from",
        v.sale_date("_sale_price_dates_from"),
    );
    v.date_pair(
        &mut o,
        "date_on_sale_to",
        v.sale_date("_sale_price_dates_to"),
    );
    o.insert("on_sale".into(), json!(v.is_on_sale()));
    o.insert("purchasable".into(), json!(v.purchasable()));
    o.insert(
        "total_sales".into(),
        if v.variation {
            json!("0")
        } else {
            json!(absint(v.m("total_sales")))
        },
    );
    o.insert("virtual".into(), json!(v.virtual_()));
    o.insert("downloadable".into(), json!(v.yes("_downloadable")));
    o.insert("downloads".into(), v.downloads());
    o.insert(
        "download_limit".into(),
        json!(v.download_setting("_download_limit")),
    );
    o.insert(
        "download_expiry".into(),
        json!(v.download_setting("_download_expiry")),
    );
    let external = ptype == "external";
    o.insert(
        "external_url".into(),
        json!(if external { v.m("_product_url") } else { "" }),
    );
    o.insert(
        "button_text".into(),
        json!(if external { v.m("_button_text") } else { "" }),
    );
    o.insert("tax_status".into(), json!(v.tax_status()));
    o.insert("tax_class".into(), json!(v.tax_class()));
    let managing = v.managing_stock_bool();
    o.insert("manage_stock".into(), v.managing_stock());
    let qty = v.stock_quantity();
    o.insert("stock_quantity".into(), qty.clone());
    let stock_status = v.stock_status();
    if version == ApiVersion::V2 {
        o.insert("in_stock".into(), json!(stock_status != "outofstock"));
    }
    o.insert("backorders".into(), json!(v.backorders()));
    let allowed = v.backorders_allowed();
    o.insert("backorders_allowed".into(), json!(allowed));
    let backordered = stock_status == "onbackorder"
        || (managing && allowed && qty.as_i64().is_some_and(|q| q < 0));
    o.insert("backordered".into(), json!(backordered));
    if version == ApiVersion::V3 {
        o.insert("low_stock_amount".into(), v.low_stock_amount());
    }
    o.insert(
        "sold_individually".into(),
        json!(if v.variation {
            v.pm("_sold_individually") == "yes"
        } else {
            v.yes("_sold_individually")
        }),
    );
    o.insert("weight".into(), json!(v.inherit("_weight")));
    o.insert(
        "dimensions".into(),
        json!({ "length": v.dimension("_length"), "width": v.dimension("_width"), "height": v.dimension("_height") }),
    );
    o.insert("shipping_required".into(), json!(!v.virtual_()));
    o.insert(
        "shipping_taxable".into(),
        json!(!v.virtual_() && matches!(v.tax_status(), "taxable" | "shipping")),
    );
    let class = v.shipping_class();
    o.insert(
        "shipping_class".into(),
        json!(class.map_or("", |c| c.slug.as_str())),
    );
    o.insert("shipping_class_id".into(), json!(class.map_or(0, |c| c.id)));
    o.insert("reviews_allowed".into(), json!(p.comment_status == "open"));
    let rating = if v.variation {
        "0".to_string()
    } else {
        v.m("_wc_average_rating").to_string()
    };
    o.insert(
        "average_rating".into(),
        json!(format::format_decimal(&rating, 2, site)),
    );
    o.insert(
        "rating_count".into(),
        json!(if v.variation { 0 } else { v.rating_count() }),
    );
    o.insert("upsell_ids".into(), ids_json(&p.upsell_ids));
    let cross_sells = match v.parent {
        Some(parent) if v.variation => &parent.cross_sell_ids,
        _ => &p.cross_sell_ids,
    };
    o.insert("cross_sell_ids".into(), ids_json(cross_sells));
    o.insert("parent_id".into(), json!(p.parent_id));
    o.insert(
        "purchase_note".into(),
        json!(wpautop(&format::kses_text(v.m("_purchase_note")))),
    );
    o.insert("categories".into(), terms_json(&p.categories));
    o.insert("tags".into(), terms_json(&p.tags));
    o.insert("images".into(), v.images(version));
    o.insert("attributes".into(), v.attributes());
    o.insert("default_attributes".into(), v.default_attributes());
    let variations: Vec<u64> = if ptype == "variable" {
        p.variations.iter().map(|x| x.id).collect()
    } else {
        Vec::new()
    };
    o.insert("variations".into(), ids_json(&variations));
    let grouped: &[u64] = if ptype == "grouped" {
        &p.grouped_children
    } else {
        &[]
    };
    o.insert("grouped_products".into(), ids_json(grouped));
    o.insert("menu_order".into(), json!(p.menu_order));
    o.insert("price_html".into(), json!(v.price_html()));
    o.insert("related_ids".into(), ids_json(&p.related_ids));
    o.insert(
        "meta_data".into(),
        format::meta_data(&p.meta, |k| is_hidden_product_meta(k, v.variation)),
    );
    if version == ApiVersion::V3 {
        o.insert("stock_status".into(), json!(stock_status));
        o.insert("has_options".into(), json!(ptype == "variable"));
        o.insert("post_password".into(), json!(p.post_password));
        o.insert("global_unique_id".into(), json!(v.m("_global_unique_id")));
    }
    let ns = version.namespace();
    let mut l = vec![
        (
            "self",
            links::rest_url(site, &format!("/{ns}/products/{}", p.id)),
        ),
        (
            "collection",
            links::rest_url(site, &format!("/{ns}/products")),
        ),
    ];
    if p.parent_id != 0 {
        l.push((
            "up",
            links::rest_url(site, &format!("/{ns}/products/{}", p.parent_id)),
        ));
    }
    o.insert("_links".into(), links::links(&l));
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MetaRow;

    fn product(kind: &str, meta: &[(&str, &str)]) -> ProductRecord {
        ProductRecord {
            id: 5,
            post_type: "product".into(),
            product_type: kind.into(),
            title: "Thing".into(),
            slug: "thing".into(),
            status: "publish".into(),
            comment_status: "open".into(),
            meta: meta
                .iter()
                .enumerate()
                .map(|(i, (k, v))| MetaRow {
                    id: i as u64 + 1,
                    key: (*k).into(),
                    value: MetaValue::Text((*v).into()),
                })
                .collect(),
            ..ProductRecord::default()
        }
    }

    fn site() -> Site {
        Site {
            home_url: "https://shop.example".into(),
            permalink_structure: "/%postname%/".into(),
            now_gmt: Some("2026-01-01 00:00:00".into()),
            ..Site::default()
        }
    }

    #[test]
    fn sale_window_stock_and_visibility_cases() {
        // 2025-06-01 and 2027-01-01 as Unix timestamps.
        let past = "1748736000";
        let future = "1798761600";
        type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, Value);
        let cases: Vec<Case<'_>> = vec![
            (
                "simple",
                vec![
                    ("_price", "8"),
                    ("_regular_price", "10"),
                    ("_sale_price", "8"),
                ],
                "on_sale",
                json!(true),
            ),
            (
                "simple",
                vec![
                    ("_price", "10"),
                    ("_regular_price", "10"),
                    ("_sale_price", "8"),
                    ("_sale_price_dates_from", future),
                ],
                "on_sale",
                json!(false),
            ),
            (
                "simple",
                vec![
                    ("_price", "10"),
                    ("_regular_price", "10"),
                    ("_sale_price", "8"),
                    ("_sale_price_dates_to", past),
                ],
                "on_sale",
                json!(false),
            ),
            (
                "simple",
                vec![("_sale_price", "0")],
                "sale_price",
                json!(""),
            ),
            ("simple", vec![("_price", "")], "purchasable", json!(false)),
            (
                "external",
                vec![("_price", "5"), ("_product_url", "https://x.example")],
                "external_url",
                json!("https://x.example"),
            ),
            (
                "external",
                vec![("_price", "5")],
                "purchasable",
                json!(false),
            ),
            ("grouped", vec![], "price_html", json!("")),
            (
                "simple",
                vec![("_manage_stock", "yes"), ("_stock", "")],
                "stock_quantity",
                Value::Null,
            ),
            (
                "simple",
                vec![("_manage_stock", "yes"), ("_stock", "7.0")],
                "stock_quantity",
                json!(7),
            ),
            (
                "simple",
                vec![("_stock_status", "onbackorder")],
                "backordered",
                json!(true),
            ),
            (
                "simple",
                vec![
                    ("_manage_stock", "yes"),
                    ("_stock", "-2"),
                    ("_backorders", "notify"),
                ],
                "backordered",
                json!(true),
            ),
            (
                "simple",
                vec![("_virtual", "yes"), ("_tax_status", "taxable")],
                "shipping_taxable",
                json!(false),
            ),
            (
                "simple",
                vec![("_download_limit", "")],
                "download_limit",
                json!(-1),
            ),
            (
                "simple",
                vec![("_download_expiry", "30")],
                "download_expiry",
                json!(30),
            ),
            (
                "simple",
                vec![("_wc_average_rating", "4.5")],
                "average_rating",
                json!("4.50"),
            ),
            (
                "simple",
                vec![("_low_stock_amount", "3")],
                "low_stock_amount",
                json!(3),
            ),
            (
                "simple",
                vec![("_price", "1234.5")],
                "price_html",
                json!(
                    "<span class=\"woocommerce-Price-amount amount\"><bdi><span class=\"woocommerce-Price-currencySymbol\">&#36;</span>1,234.50</bdi></span>"
                ),
            ),
            (
                "simple",
                vec![("_my_plugin", "x"), ("_sku", "S"), ("wp_thing", "y")],
                "meta_data",
                json!([{ "id": 1, "key": "_my_plugin", "value": "x" }]),
            ),
        ];
        for (kind, meta, field, want) in cases {
            let json = to_json(&product(kind, &meta), &site(), ApiVersion::V3);
            assert_eq!(json[field], want, "{kind} {meta:?} field {field}");
        }
    }

    #[test]
    fn variations_inherit_from_their_parent() {
        let mut parent = product(
            "variable",
            &[
                ("_manage_stock", "yes"),
                ("_stock", "12"),
                ("_backorders", "notify"),
                ("_tax_class", "reduced-rate"),
                ("_tax_status", "shipping"),
                ("_sold_individually", "yes"),
                ("_weight", "2"),
            ],
        );
        parent.cross_sell_ids = vec![7, 8];
        let mut variation = product(
            "",
            &[
                ("_manage_stock", "no"),
                ("_price", "99"),
                ("_regular_price", "10"),
                ("_sale_price", "8"),
            ],
        );
        variation.post_type = "product_variation".into();
        variation.parent_id = parent.id;
        variation.parent = Some(Box::new(parent));
        let json = to_json(&variation, &site(), ApiVersion::V3);
        let cases = [
            ("type", json!("variation")),
            ("manage_stock", json!("parent")),
            ("stock_quantity", json!(12)),
            ("backorders", json!("notify")),
            ("tax_class", json!("reduced-rate")),
            ("tax_status", json!("shipping")),
            ("sold_individually", json!(true)),
            ("cross_sell_ids", json!([7, 8])),
            ("weight", json!("2")),
            ("price", json!("8")),
            ("total_sales", json!("0")),
            ("has_options", json!(false)),
        ];
        for (field, want) in cases {
            assert_eq!(json[field], want, "field {field}");
        }
        assert_eq!(
            json["_links"]["up"][0]["href"],
            json!("https://shop.example/wp-json/wc/v3/products/5")
        );
    }

    #[test]
    fn version_differences() {
        let p = product("simple", &[("_stock_status", "outofstock")]);
        let v2 = to_json(&p, &site(), ApiVersion::V2);
        let v3 = to_json(&p, &site(), ApiVersion::V3);
        assert_eq!(v2["in_stock"], json!(false));
        assert!(v2.get("stock_status").is_none() && v2.get("low_stock_amount").is_none());
        assert_eq!(v3["stock_status"], json!("outofstock"));
        assert!(v3.get("in_stock").is_none());
        assert_eq!(v2["images"][0]["id"], json!(0));
        assert_eq!(
            v2["images"][0]["date_created_gmt"],
            json!("2026-01-01T00:00:00")
        );
        assert_eq!(v3["images"], json!([]));
        assert_eq!(
            v2["_links"]["self"][0]["href"],
            json!("https://shop.example/wp-json/wc/v2/products/5")
        );
    }
}
