//! The [`Site`] record from options (and a few rows of other tables), plus
//! which order storage is authoritative.

use std::collections::HashMap;

use segmentflow_core::php::Value;
use segmentflow_core::php::wordpress::{Unserialized, maybe_unserialize};
use segmentflow_core::store::{AttributeTaxonomy, Site};

use super::super::db::{Db, Param};
use super::decode::key_string;
use super::{ReadError, Tables, placeholders};

/// What the caller knows about the site that the options do not say.
#[derive(Debug, Clone, Default)]
pub struct SiteFacts {
    /// WordPress version (`$wp_version`, from the site context).
    pub wordpress_version: String,
    /// Whether payloads are built as during an HTTPS request.
    pub is_ssl: bool,
    /// The response time (GMT `YYYY-MM-DD HH:MM:SS`): the caller's clock.
    pub now_gmt: Option<String>,
}

/// Where orders are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStorage {
    /// High-performance order storage (`wc_orders` and friends).
    Hpos,
    /// Legacy posts storage (`shop_order` posts + postmeta).
    Posts,
}

const OPTIONS: &[&str] = &[
    "home",
    "siteurl",
    "timezone_string",
    "gmt_offset",
    "woocommerce_price_num_decimals",
    "woocommerce_price_decimal_sep",
    "woocommerce_price_thousand_sep",
    "woocommerce_currency_pos",
    "woocommerce_currency",
    "woocommerce_price_display_suffix",
    "woocommerce_prices_include_tax",
    "woocommerce_manage_stock",
    "woocommerce_notify_no_stock_amount",
    "woocommerce_version",
    "permalink_structure",
    "woocommerce_permalinks",
    "woocommerce_checkout_page_id",
    "upload_url_path",
    "woocommerce_placeholder_image",
    "avatar_default",
    "avatar_rating",
    "woocommerce_custom_orders_table_enabled",
];

/// Reads options by name (absent ones are missing from the map).
pub fn read_options(
    db: &mut Db,
    tables: &Tables,
    names: &[&str],
) -> Result<HashMap<String, String>, ReadError> {
    let sql = format!(
        "SELECT option_name, option_value FROM {} WHERE option_name IN ({})",
        tables.options.quoted(),
        placeholders(names.len())
    );
    let params: Vec<Param> = names.iter().map(|n| Param::Str(n)).collect();
    let mut out = HashMap::new();
    db.query_rows(&sql, &params, |row| {
        let name = row.str(0)?.unwrap_or("").to_owned();
        let value = String::from_utf8_lossy(row.bytes(1)?.unwrap_or_default()).into_owned();
        out.insert(name, value);
        Ok::<_, ReadError>(())
    })?;
    Ok(out)
}

/// Which order storage WooCommerce reads: HPOS when
/// `woocommerce_custom_orders_table_enabled` is `yes`
/// (`OrderUtil::custom_orders_table_usage_is_enabled()`), posts otherwise.
pub fn order_storage(db: &mut Db, tables: &Tables) -> Result<OrderStorage, ReadError> {
    let opts = read_options(db, tables, &["woocommerce_custom_orders_table_enabled"])?;
    Ok(
        match opts
            .get("woocommerce_custom_orders_table_enabled")
            .map(String::as_str)
        {
            Some("yes") => OrderStorage::Hpos,
            _ => OrderStorage::Posts,
        },
    )
}

fn postmeta_value(
    db: &mut Db,
    tables: &Tables,
    post_id: i64,
    key: &str,
) -> Result<Option<Vec<u8>>, ReadError> {
    let sql = format!(
        "SELECT meta_value FROM {} WHERE post_id = ? AND meta_key = ? ORDER BY meta_id LIMIT 1",
        tables.postmeta.quoted()
    );
    Ok(db
        .query_first(&sql, &[Param::Int(post_id), Param::Str(key)])?
        .and_then(|r| r.bytes(0).ok().flatten().map(<[u8]>::to_vec)))
}

/// Reads the [`Site`] record as `scripts/extract-records.php` fills it.
pub fn read_site(db: &mut Db, tables: &Tables, facts: &SiteFacts) -> Result<Site, ReadError> {
    let mut names: Vec<&str> = OPTIONS.to_vec();
    let roles_option = format!("{}user_roles", tables.blog_prefix);
    names.push(&roles_option);
    let opts = read_options(db, tables, &names)?;
    let opt = |name: &str, default: &str| {
        opts.get(name)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    let site_url = opt("siteurl", "").trim_end_matches('/').to_owned();

    let uploads_base_url = {
        let path = opt("upload_url_path", "");
        if !path.is_empty() {
            path.trim_end_matches('/').to_owned()
        } else if tables.blog_id > 1 {
            format!("{site_url}/wp-content/uploads/sites/{}", tables.blog_id)
        } else {
            format!("{site_url}/wp-content/uploads")
        }
    };

    let product_base = match maybe_unserialize(opt("woocommerce_permalinks", "").as_bytes()) {
        Unserialized::Serialized(v) => v
            .get("product_base")
            .map(super::decode::php_string)
            .unwrap_or_default(),
        _ => String::new(),
    };

    let checkout_page_id = super::decode::leading_int(&opt("woocommerce_checkout_page_id", "0"));
    let mut uri = Vec::new();
    let mut page = checkout_page_id;
    let sql = format!(
        "SELECT post_name, post_parent FROM {} WHERE ID = ?",
        tables.posts.quoted()
    );
    let mut guard = 0;
    while page != 0 && guard < 64 {
        guard += 1;
        let Some(row) = db.query_first(&sql, &[Param::Int(page)])? else {
            break;
        };
        uri.insert(0, row.str(0)?.unwrap_or("").to_owned());
        page = row.i64(1)?.unwrap_or(0);
    }

    let placeholder = opt("woocommerce_placeholder_image", "");
    let mut placeholder_image_src =
        format!("{site_url}/wp-content/plugins/woocommerce/assets/images/placeholder.png");
    let numeric = !placeholder.is_empty() && placeholder.trim().parse::<f64>().is_ok();
    if numeric && super::decode::leading_int(&placeholder) != 0 {
        let id = super::decode::leading_int(&placeholder);
        if let Some(file) = postmeta_value(db, tables, id, "_wp_attached_file")? {
            let mut path = String::from_utf8_lossy(&file).into_owned();
            let md = postmeta_value(db, tables, id, "_wp_attachment_metadata")?;
            if let Some(md) = md
                && let Unserialized::Serialized(v) = maybe_unserialize(&md)
                && let Some(thumb) = v
                    .get("sizes")
                    .and_then(|s| s.get("woocommerce_thumbnail"))
                    .and_then(|s| s.get("file"))
            {
                let dir = match path.rfind('/') {
                    Some(i) => path[..i].to_owned(),
                    None => String::new(),
                };
                let file = super::decode::php_string(thumb);
                path = if dir.is_empty() {
                    file
                } else {
                    format!("{dir}/{file}")
                };
            }
            placeholder_image_src = format!("{uploads_base_url}/{path}");
        }
    } else if !placeholder.is_empty() {
        placeholder_image_src = placeholder.clone();
    }

    let roles = match maybe_unserialize(opt(&roles_option, "").as_bytes()) {
        Unserialized::Serialized(Value::Array(entries)) => {
            entries.iter().map(|(k, _)| key_string(k)).collect()
        }
        _ => Vec::new(),
    };

    // A WordPress-only site (users sync) has no WooCommerce tables at all.
    let mut attribute_taxonomies = Vec::new();
    let has_attributes = db.table_exists(tables.attribute_taxonomies.as_str())?;
    let sql = format!(
        "SELECT attribute_id, attribute_name, attribute_label, attribute_orderby FROM {} ORDER BY attribute_name",
        tables.attribute_taxonomies.quoted()
    );
    if has_attributes {
        db.query_rows(&sql, &[], |row| {
            attribute_taxonomies.push(AttributeTaxonomy {
                id: row.i64(0)?.unwrap_or(0) as u64,
                name: row.str(1)?.unwrap_or("").to_owned(),
                label: row.str(2)?.unwrap_or("").to_owned(),
                orderby: row.str(3)?.unwrap_or("").to_owned(),
            });
            Ok::<_, ReadError>(())
        })?;
    }

    Ok(Site {
        home_url: opt("home", "").trim_end_matches('/').to_owned(),
        site_url,
        timezone_string: opt("timezone_string", ""),
        gmt_offset: opt("gmt_offset", "0"),
        price_num_decimals: opt("woocommerce_price_num_decimals", "2"),
        price_decimal_sep: opt("woocommerce_price_decimal_sep", "."),
        price_thousand_sep: opt("woocommerce_price_thousand_sep", ","),
        currency_pos: opt("woocommerce_currency_pos", "left"),
        currency: opt("woocommerce_currency", "USD"),
        price_display_suffix: opt("woocommerce_price_display_suffix", ""),
        prices_include_tax: opt("woocommerce_prices_include_tax", "no"),
        manage_stock: opt("woocommerce_manage_stock", "yes"),
        notify_no_stock_amount: opt("woocommerce_notify_no_stock_amount", "0"),
        woocommerce_version: opt("woocommerce_version", ""),
        wordpress_version: facts.wordpress_version.clone(),
        permalink_structure: opt("permalink_structure", ""),
        product_base,
        checkout_page_uri: uri.join("/"),
        checkout_page_id: checkout_page_id.max(0) as u64,
        uploads_base_url,
        placeholder_image_src,
        avatar_default: opt("avatar_default", "mystery"),
        avatar_rating: opt("avatar_rating", "G"),
        is_ssl: facts.is_ssl,
        roles,
        attribute_taxonomies,
        now_gmt: facts.now_gmt.clone(),
    })
}
