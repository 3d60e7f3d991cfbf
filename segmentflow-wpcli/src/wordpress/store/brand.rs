//! The rows the brand kit is computed from: a handful of options, the
//! active theme's `wp_global_styles` post, and the attachment and product
//! rows behind the logo, the site icon and the product photos. The
//! decisions (which theme mod, which URL, which palette wins) are the
//! core's (`segmentflow_core::insight::brand`); this module only reads.
//!
//! Every query is bounded: options by name, one global styles post, and
//! attachments/products by `IN (…)` lists of at most [`MAX_IN`] ids.

use std::collections::HashMap;

use segmentflow_core::insight::brand::{AttachmentRow, ProductRow, attachment_id};

use super::super::db::{Db, Param};
use super::{MAX_IN, ReadError, Tables, id_params, placeholders};

/// The options the kit reads besides `theme_mods_<stylesheet>`.
pub const OPTIONS: &[&str] = &[
    "blogname",
    "blogdescription",
    "stylesheet",
    "template",
    "site_icon",
    "siteurl",
    "upload_path",
    "upload_url_path",
    "woocommerce_currency",
];

/// Options by name, as raw bytes (absent ones are missing from the map).
pub fn read_options(
    db: &mut Db,
    tables: &Tables,
    names: &[&str],
) -> Result<HashMap<String, Vec<u8>>, ReadError> {
    let mut out = HashMap::new();
    if names.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT option_name, option_value FROM {} WHERE option_name IN ({})",
        tables.options.quoted(),
        placeholders(names.len())
    );
    let params: Vec<Param> = names.iter().map(|n| Param::Str(n)).collect();
    db.query_rows(&sql, &params, |row| {
        let name = row.str(0)?.unwrap_or_default().to_owned();
        out.insert(name, row.bytes(1)?.unwrap_or_default().to_vec());
        Ok::<_, ReadError>(())
    })?;
    Ok(out)
}

/// The newest published `wp_global_styles` post of a theme, found as
/// WordPress finds it (`WP_Theme_JSON_Resolver::get_user_data_from_wp_global_styles`:
/// the `wp_theme` term named after the stylesheet, newest `post_date`
/// first): `(post id, post_content)`.
pub fn read_global_styles(
    db: &mut Db,
    tables: &Tables,
    stylesheet: &str,
) -> Result<Option<(u64, String)>, ReadError> {
    let sql = format!(
        "SELECT p.ID, p.post_content FROM {posts} p \
         JOIN {tr} tr ON tr.object_id = p.ID \
         JOIN {tt} tt ON tt.term_taxonomy_id = tr.term_taxonomy_id AND tt.taxonomy = 'wp_theme' \
         JOIN {terms} t ON t.term_id = tt.term_id \
         WHERE p.post_type = 'wp_global_styles' AND p.post_status = 'publish' AND t.name = ? \
         ORDER BY p.post_date DESC, p.ID DESC LIMIT 1",
        posts = tables.posts.quoted(),
        tr = tables.term_relationships.quoted(),
        tt = tables.term_taxonomy.quoted(),
        terms = tables.terms.quoted(),
    );
    let Some(row) = db.query_first(&sql, &[Param::Str(stylesheet)])? else {
        return Ok(None);
    };
    let id = row.i64(0)?.unwrap_or(0).max(0) as u64;
    let content = String::from_utf8_lossy(row.bytes(1)?.unwrap_or_default()).into_owned();
    Ok(Some((id, content)))
}

fn id_of(value: Option<i64>) -> u64 {
    value.and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}

/// The attachment rows (any post type: the core checks it is `attachment`)
/// of `ids`, with their `_wp_attached_file`.
pub fn read_attachments(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
) -> Result<Vec<AttachmentRow>, ReadError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(MAX_IN) {
        let sql = format!(
            "SELECT p.ID, p.post_type, p.guid, \
             (SELECT m.meta_value FROM {meta} m WHERE m.post_id = p.ID AND m.meta_key = '_wp_attached_file' ORDER BY m.meta_id LIMIT 1) \
             FROM {posts} p WHERE p.ID IN ({})",
            placeholders(chunk.len()),
            meta = tables.postmeta.quoted(),
            posts = tables.posts.quoted(),
        );
        db.query_rows(&sql, &id_params(chunk), |row| {
            out.push(AttachmentRow {
                id: id_of(row.i64(0)?),
                post_type: row.str(1)?.unwrap_or_default().to_owned(),
                guid: String::from_utf8_lossy(row.bytes(2)?.unwrap_or_default()).into_owned(),
                attached_file: row
                    .bytes(3)?
                    .map(|b| String::from_utf8_lossy(b).into_owned()),
            });
            Ok::<_, ReadError>(())
        })?;
    }
    Ok(out)
}

/// The product rows of `ids` (`product` posts only) with their
/// `_thumbnail_id`.
pub fn read_products(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
) -> Result<Vec<ProductRow>, ReadError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(MAX_IN) {
        let sql = format!(
            "SELECT p.ID, p.post_title, \
             (SELECT m.meta_value FROM {meta} m WHERE m.post_id = p.ID AND m.meta_key = '_thumbnail_id' ORDER BY m.meta_id LIMIT 1) \
             FROM {posts} p WHERE p.post_type = 'product' AND p.ID IN ({})",
            placeholders(chunk.len()),
            meta = tables.postmeta.quoted(),
            posts = tables.posts.quoted(),
        );
        db.query_rows(&sql, &id_params(chunk), |row| {
            out.push(ProductRow {
                id: id_of(row.i64(0)?),
                title: String::from_utf8_lossy(row.bytes(1)?.unwrap_or_default()).into_owned(),
                thumbnail_id: row
                    .bytes(2)?
                    .and_then(|b| attachment_id(&String::from_utf8_lossy(b))),
            });
            Ok::<_, ReadError>(())
        })?;
    }
    Ok(out)
}
