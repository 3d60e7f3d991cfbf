//! The site-wide settings the REST mapping needs, as raw option values.
//!
//! The reader copies options from `wp_options` (and a few rows of other
//! tables) without interpreting them; [`crate::rest`] derives what WordPress
//! and WooCommerce would (timezone, decimals, URLs).

use serde::{Deserialize, Serialize};

/// One global product attribute (`wp_woocommerce_attribute_taxonomies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeTaxonomy {
    /// `attribute_id`.
    pub id: u64,
    /// `attribute_name` (the taxonomy is `pa_<name>`).
    pub name: String,
    /// `attribute_label`.
    pub label: String,
    /// `attribute_orderby` (`menu_order`, `name`, `name_num`, `id`).
    pub orderby: String,
}

/// Site options and derived site facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Option `home` (no trailing slash).
    pub home_url: String,
    /// Option `siteurl`.
    pub site_url: String,
    /// Option `timezone_string` (IANA name, may be empty).
    pub timezone_string: String,
    /// Option `gmt_offset` (hours as a string, may be fractional/negative).
    pub gmt_offset: String,
    /// Option `woocommerce_price_num_decimals` (raw; default `2`).
    pub price_num_decimals: String,
    /// Option `woocommerce_price_decimal_sep` (raw; default `.`).
    pub price_decimal_sep: String,
    /// Option `woocommerce_price_thousand_sep` (raw; default `,`).
    pub price_thousand_sep: String,
    /// Option `woocommerce_currency_pos` (`left`, `right`, `left_space`,
    /// `right_space`).
    pub currency_pos: String,
    /// Option `woocommerce_currency` (ISO 4217).
    pub currency: String,
    /// Option `woocommerce_price_display_suffix` (raw).
    pub price_display_suffix: String,
    /// Option `woocommerce_prices_include_tax` (`yes`/`no`), the default for
    /// orders whose storage has no `prices_include_tax` value.
    pub prices_include_tax: String,
    /// Option `woocommerce_manage_stock` (`yes`/`no`).
    pub manage_stock: String,
    /// Option `woocommerce_notify_no_stock_amount` (raw).
    pub notify_no_stock_amount: String,
    /// Option `woocommerce_version`.
    pub woocommerce_version: String,
    /// WordPress version (`$wp_version`, from the site context).
    pub wordpress_version: String,
    /// Option `permalink_structure` (empty = plain `?p=` links).
    pub permalink_structure: String,
    /// `product_base` of option `woocommerce_permalinks` (empty = default
    /// `product`), decoded by the reader.
    pub product_base: String,
    /// URI of the checkout page (`get_page_uri( woocommerce_checkout_page_id )`,
    /// e.g. `checkout`); empty when there is no checkout page.
    pub checkout_page_uri: String,
    /// Option `woocommerce_checkout_page_id`.
    pub checkout_page_id: u64,
    /// Base URL of the uploads directory (`…/wp-content/uploads`).
    pub uploads_base_url: String,
    /// URL of WooCommerce's placeholder image (`wc_placeholder_img_src()`),
    /// used by the v2 products response when a product has no image.
    pub placeholder_image_src: String,
    /// Option `avatar_default` (e.g. `mystery`).
    pub avatar_default: String,
    /// Option `avatar_rating` (e.g. `G`).
    pub avatar_rating: String,
    /// Whether the payload is built during an HTTPS request (`is_ssl()`):
    /// Gravatar URLs use `https://secure.gravatar.com` then.
    pub is_ssl: bool,
    /// Role names registered in option `{prefix}user_roles`.
    pub roles: Vec<String>,
    /// Global attributes (`wp_woocommerce_attribute_taxonomies`).
    pub attribute_taxonomies: Vec<AttributeTaxonomy>,
    /// The response time (GMT `YYYY-MM-DD HH:MM:SS`) the caller passes in;
    /// used only where WooCommerce prints "now" (v2 placeholder image dates).
    pub now_gmt: Option<String>,
}

impl Default for Site {
    fn default() -> Self {
        Site {
            home_url: String::new(),
            site_url: String::new(),
            timezone_string: String::new(),
            gmt_offset: "0".into(),
            price_num_decimals: "2".into(),
            price_decimal_sep: ".".into(),
            price_thousand_sep: ",".into(),
            currency_pos: "left".into(),
            currency: "USD".into(),
            price_display_suffix: String::new(),
            prices_include_tax: "no".into(),
            manage_stock: "yes".into(),
            notify_no_stock_amount: "0".into(),
            woocommerce_version: String::new(),
            wordpress_version: String::new(),
            permalink_structure: String::new(),
            product_base: String::new(),
            checkout_page_uri: String::new(),
            checkout_page_id: 0,
            uploads_base_url: String::new(),
            placeholder_image_src: String::new(),
            avatar_default: "mystery".into(),
            avatar_rating: "G".into(),
            is_ssl: false,
            roles: Vec::new(),
            attribute_taxonomies: Vec::new(),
            now_gmt: None,
        }
    }
}
