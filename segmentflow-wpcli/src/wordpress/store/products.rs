//! Products and variations (`product`, `product_variation` posts) with
//! their postmeta, terms, attachments, variations and parent, and the small
//! [`ProductRef`]s order line items need.
//!
//! The product stream walks both post types together in
//! `(post_modified_gmt, ID)` order, so a variation comes as its own record
//! (embedding its parent's record) wherever its modification time puts it.
//! Skipped: `trash` and `auto-draft` posts (WooCommerce delivers no
//! `product.updated` for them).

use std::collections::HashMap;

use segmentflow_core::store::{
    Attachment, AttributeTerm, ProductAttribute, ProductRecord, ProductRef, TermRef,
    VariationSummary,
};

use super::super::db::{Db, Param};
use super::decode::{
    RawMeta, collect_meta, decoded, first, int_list, key_string, php_bool, php_int, php_string,
    text,
};
use super::paging::{Page, after_clause, count, select_keys, through_clause};
use super::site::read_options;
use super::{Cursor, MAX_IN, Paged, ReadError, Tables, id_params, placeholders};

/// Runs `sql` (with one `{in}` placeholder list) for `ids` in chunks.
pub(crate) fn for_ids(
    db: &mut Db,
    sql: &str,
    ids: &[u64],
    each: impl FnMut(&super::super::db::Row) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    for_ids_then(db, sql, ids, &[], each)
}

/// [`for_ids`] with `then` bound after each chunk's ids (for `?`s that
/// follow the `{in}` list in `sql`).
pub(crate) fn for_ids_then(
    db: &mut Db,
    sql: &str,
    ids: &[u64],
    then: &[Param<'_>],
    mut each: impl FnMut(&super::super::db::Row) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    for chunk in ids.chunks(MAX_IN) {
        let sql = sql.replace("{in}", &placeholders(chunk.len()));
        let mut params = id_params(chunk);
        params.extend(then.iter().cloned());
        db.query_rows(&sql, &params, &mut each)?;
    }
    Ok(())
}

/// All postmeta rows of `ids` (optionally only `keys`), in `meta_id` order.
pub(crate) fn load_postmeta(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
    keys: Option<&[&str]>,
) -> Result<HashMap<u64, Vec<RawMeta>>, ReadError> {
    let mut out = HashMap::new();
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let key_filter = match keys {
        Some(k) => format!(
            " AND meta_key IN ({})",
            k.iter()
                .map(|k| format!("'{}'", k.replace('\'', "")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT post_id, meta_id, meta_key, meta_value FROM {} WHERE post_id IN ({{in}}){key_filter}",
        tables.postmeta.quoted()
    );
    for_ids(db, &sql, &ids, |row| collect_meta(row, &mut out))?;
    // In meta_id order, sorted here rather than by a filesort of the values.
    super::decode::sort_meta(&mut out);
    Ok(out)
}

/// A term row of an object.
#[derive(Debug, Clone)]
pub(crate) struct ObjectTerm {
    pub taxonomy: String,
    pub term: TermRef,
    pub order: Option<i64>,
}

/// Terms of `ids` in every taxonomy, ordered by taxonomy then name.
pub(crate) fn load_terms(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
) -> Result<HashMap<u64, Vec<ObjectTerm>>, ReadError> {
    let mut out: HashMap<u64, Vec<ObjectTerm>> = HashMap::new();
    let sql = format!(
        "SELECT tr.object_id, tt.taxonomy, t.term_id, t.name, t.slug, \
           (SELECT tm.meta_value FROM {termmeta} tm WHERE tm.term_id = t.term_id AND tm.meta_key = 'order' LIMIT 1) AS term_order \
         FROM {terms} t \
         JOIN {tt} tt ON tt.term_id = t.term_id \
         JOIN {tr} tr ON tr.term_taxonomy_id = tt.term_taxonomy_id \
         WHERE tr.object_id IN ({{in}}) ORDER BY tt.taxonomy, t.name",
        termmeta = tables.termmeta.quoted(),
        terms = tables.terms.quoted(),
        tt = tables.term_taxonomy.quoted(),
        tr = tables.term_relationships.quoted(),
    );
    for_ids(db, &sql, ids, |row| {
        let object = row.i64(0)?.unwrap_or(0) as u64;
        out.entry(object).or_default().push(ObjectTerm {
            taxonomy: row.str(1)?.unwrap_or("").to_owned(),
            term: TermRef {
                id: row.i64(2)?.unwrap_or(0) as u64,
                name: row.str(3)?.unwrap_or("").to_owned(),
                slug: row.str(4)?.unwrap_or("").to_owned(),
            },
            order: row.str(5)?.map(super::decode::leading_int),
        });
        Ok(())
    })?;
    if db.engine() == super::super::db::Engine::Sqlite {
        // SQLite sorts names by bytes; MySQL's collation folds case and
        // accents (`éco` before `organic`). Re-sort the way MySQL does.
        for list in out.values_mut() {
            list.sort_by_cached_key(|t| (t.taxonomy.clone(), collation_key(&t.term.name)));
        }
    }
    Ok(out)
}

/// An approximation of MySQL's `utf8mb4_unicode_ci` ordering for names:
/// case folded and Latin diacritics removed.
pub(crate) fn collation_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => "i",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ś' | 'š' => "s",
            'ź' | 'ż' | 'ž' => "z",
            'ł' => "l",
            'ř' => "r",
            'ť' => "t",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(folded);
    }
    out
}

fn terms_in(terms: Option<&Vec<ObjectTerm>>, taxonomy: &str) -> Vec<TermRef> {
    terms
        .map(|ts| {
            ts.iter()
                .filter(|t| t.taxonomy == taxonomy)
                .map(|t| t.term.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Attachment posts by id (absent ids and non-attachments are missing).
pub(crate) fn load_attachments(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
) -> Result<HashMap<u64, Attachment>, ReadError> {
    let mut ids: Vec<u64> = ids.iter().copied().filter(|&i| i != 0).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT ID, post_title, post_date, post_date_gmt, post_modified, post_modified_gmt FROM {} \
         WHERE ID IN ({{in}}) AND post_type = 'attachment'",
        tables.posts.quoted()
    );
    for_ids(db, &sql, &ids, |row| {
        let id = row.i64(0)?.unwrap_or(0) as u64;
        out.insert(
            id,
            Attachment {
                id,
                title: row.str(1)?.unwrap_or("").to_owned(),
                post_date: row.str(2)?.unwrap_or("").to_owned(),
                post_date_gmt: row.str(3)?.unwrap_or("").to_owned(),
                post_modified: row.str(4)?.unwrap_or("").to_owned(),
                post_modified_gmt: row.str(5)?.unwrap_or("").to_owned(),
                attached_file: String::new(),
                alt: String::new(),
            },
        );
        Ok(())
    })?;
    let found: Vec<u64> = out.keys().copied().collect();
    let meta = load_postmeta(
        db,
        tables,
        &found,
        Some(&["_wp_attached_file", "_wp_attachment_image_alt"]),
    )?;
    for (id, a) in &mut out {
        if let Some(m) = meta.get(id) {
            a.attached_file = text(m, "_wp_attached_file").to_owned();
            a.alt = text(m, "_wp_attachment_image_alt").to_owned();
        }
    }
    Ok(out)
}

/// `sanitize_title`-like key of a custom attribute, as WooCommerce keys
/// item meta of custom attributes.
fn sanitize_key_name(s: &str) -> String {
    let lower = s.trim().to_lowercase();
    let mut dashed = String::new();
    let mut in_space = false;
    for c in lower.chars() {
        if c.is_whitespace() {
            if !in_space {
                dashed.push('-');
            }
            in_space = true;
        } else {
            in_space = false;
            dashed.push(c);
        }
    }
    let kept: String = dashed
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    kept.trim_matches('-').to_owned()
}

fn product_attributes(
    meta: &[RawMeta],
    table: &super::TableName,
    id: u64,
) -> Result<Vec<ProductAttribute>, ReadError> {
    let Some(v) = decoded(meta, "_product_attributes", table, id)? else {
        return Ok(Vec::new());
    };
    Ok(v.entries()
        .unwrap_or_default()
        .iter()
        .map(|(key, a)| ProductAttribute {
            key: key_string(key),
            name: a.get("name").map(php_string).unwrap_or_default(),
            value: a.get("value").map(php_string).unwrap_or_default(),
            position: a.get("position").map(php_int).unwrap_or(0),
            is_visible: a.get("is_visible").is_some_and(php_bool),
            is_variation: a.get("is_variation").is_some_and(php_bool),
            is_taxonomy: a.get("is_taxonomy").is_some_and(php_bool),
        })
        .collect())
}

#[derive(Debug, Clone)]
struct PostRow {
    id: u64,
    post_type: String,
    parent_id: u64,
    title: String,
    slug: String,
    content: String,
    excerpt: String,
    status: String,
    post_password: String,
    comment_status: String,
    menu_order: i64,
    date_created_gmt: Option<String>,
    date_modified_gmt: Option<String>,
}

fn gmt(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty() && !s.starts_with("0000-00-00"))
        .map(str::to_owned)
}

fn load_posts(db: &mut Db, tables: &Tables, ids: &[u64]) -> Result<Vec<PostRow>, ReadError> {
    let sql = format!(
        "SELECT ID, post_type, post_parent, post_title, post_name, post_content, post_excerpt, post_status, \
         post_password, comment_status, menu_order, post_date_gmt, post_modified_gmt FROM {} WHERE ID IN ({{in}})",
        tables.posts.quoted()
    );
    let mut rows = Vec::new();
    for_ids(db, &sql, ids, |row| {
        let s = |i| -> Result<String, ReadError> { Ok(row.str(i)?.unwrap_or("").to_owned()) };
        rows.push(PostRow {
            id: row.i64(0)?.unwrap_or(0) as u64,
            post_type: s(1)?,
            parent_id: row.i64(2)?.unwrap_or(0) as u64,
            title: s(3)?,
            slug: s(4)?,
            content: s(5)?,
            excerpt: s(6)?,
            status: s(7)?,
            post_password: s(8)?,
            comment_status: s(9)?,
            menu_order: row.i64(10)?.unwrap_or(0),
            date_created_gmt: gmt(row.str(11)?),
            date_modified_gmt: gmt(row.str(12)?),
        });
        Ok(())
    })?;
    Ok(rows)
}

fn thumbnail_and_gallery(meta: &[RawMeta]) -> Vec<u64> {
    let mut ids = Vec::new();
    let thumb = super::decode::leading_int(text(meta, "_thumbnail_id"));
    if thumb != 0 {
        ids.push(thumb as u64);
    }
    for g in text(meta, "_product_image_gallery").split(',') {
        if !g.is_empty() && g != "0" {
            ids.push(super::decode::leading_int(g) as u64);
        }
    }
    ids
}

const VARIATION_KEYS: &[&str] = &[
    "_price",
    "_regular_price",
    "_sale_price",
    "_sale_price_dates_from",
    "_sale_price_dates_to",
    "_stock_status",
];

/// Builds the records of `ids` (in the given order); a variation embeds
/// its parent's record when `with_parent`.
pub fn load_products(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
    with_parent: bool,
) -> Result<Vec<Result<ProductRecord, ReadError>>, ReadError> {
    let posts = load_posts(db, tables, ids)?;
    let by_id: HashMap<u64, &PostRow> = posts.iter().map(|p| (p.id, p)).collect();
    let meta = load_postmeta(db, tables, ids, None)?;
    let terms = load_terms(db, tables, ids)?;
    let empty = Vec::new();

    let mut attachment_ids = Vec::new();
    for id in ids {
        attachment_ids.extend(thumbnail_and_gallery(meta.get(id).unwrap_or(&empty)));
    }
    let attachments = load_attachments(db, tables, &attachment_ids)?;

    let type_of = |id: u64, p: &PostRow| -> String {
        if p.post_type == "product_variation" {
            return "variation".into();
        }
        terms
            .get(&id)
            .and_then(|ts| ts.iter().find(|t| t.taxonomy == "product_type"))
            .map(|t| t.term.slug.clone())
            .unwrap_or_default()
    };

    // Variations of the variable products.
    let variable: Vec<u64> = posts
        .iter()
        .filter(|p| type_of(p.id, p) == "variable")
        .map(|p| p.id)
        .collect();
    let mut children: HashMap<u64, Vec<(u64, String)>> = HashMap::new();
    if !variable.is_empty() {
        let sql = format!(
            "SELECT ID, post_status, post_parent FROM {} WHERE post_parent IN ({{in}}) AND post_type = 'product_variation' \
             AND post_status IN ('publish', 'private') ORDER BY menu_order ASC, ID ASC",
            tables.posts.quoted()
        );
        for_ids(db, &sql, &variable, |row| {
            let parent = row.i64(2)?.unwrap_or(0) as u64;
            children.entry(parent).or_default().push((
                row.i64(0)?.unwrap_or(0) as u64,
                row.str(1)?.unwrap_or("").to_owned(),
            ));
            Ok(())
        })?;
    }
    let child_ids: Vec<u64> = children.values().flatten().map(|(id, _)| *id).collect();
    let child_meta = if child_ids.is_empty() {
        HashMap::new()
    } else {
        load_postmeta(db, tables, &child_ids, Some(VARIATION_KEYS))?
    };

    // Related candidates (`wc_related_<id>` transients).
    let related_names: Vec<String> = posts
        .iter()
        .filter(|p| p.post_type != "product_variation")
        .map(|p| format!("_transient_wc_related_{}", p.id))
        .collect();
    let related_refs: Vec<&str> = related_names.iter().map(String::as_str).collect();
    let related_opts = if related_refs.is_empty() {
        HashMap::new()
    } else {
        read_options(db, tables, &related_refs)?
    };

    // Parents of variations.
    let mut parents: HashMap<u64, Result<ProductRecord, String>> = HashMap::new();
    if with_parent {
        let mut parent_ids: Vec<u64> = posts
            .iter()
            .filter(|p| p.post_type == "product_variation")
            .map(|p| p.parent_id)
            .collect();
        parent_ids.sort_unstable();
        parent_ids.dedup();
        if !parent_ids.is_empty() {
            for (pid, rec) in parent_ids
                .iter()
                .zip(load_products(db, tables, &parent_ids, false)?)
            {
                parents.insert(*pid, rec.map_err(|e| e.to_string()));
            }
        }
    }

    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let Some(p) = by_id.get(&id) else {
            out.push(Err(ReadError::row(
                &tables.posts,
                id,
                "ID",
                "the post no longer exists",
            )));
            continue;
        };
        let m = meta.get(&id).unwrap_or(&empty);
        out.push(build_product(
            tables,
            p,
            m,
            terms.get(&id),
            &attachments,
            type_of(id, p),
            children.get(&id),
            &child_meta,
            related_opts.get(&format!("_transient_wc_related_{id}")),
            &parents,
            with_parent,
        ));
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn build_product(
    tables: &Tables,
    p: &PostRow,
    m: &[RawMeta],
    terms: Option<&Vec<ObjectTerm>>,
    attachments: &HashMap<u64, Attachment>,
    product_type: String,
    children: Option<&Vec<(u64, String)>>,
    child_meta: &HashMap<u64, Vec<RawMeta>>,
    related: Option<&String>,
    parents: &HashMap<u64, Result<ProductRecord, String>>,
    with_parent: bool,
) -> Result<ProductRecord, ReadError> {
    let table = &tables.postmeta;
    let id = p.id;
    let variation = p.post_type == "product_variation";
    let default_attributes = decoded(m, "_default_attributes", table, id)?
        .and_then(|v| {
            v.entries().map(|e| {
                e.iter()
                    .map(|(k, v)| (key_string(k), php_string(v)))
                    .collect()
            })
        })
        .unwrap_or_default();
    let empty = Vec::new();
    let variations = children
        .map(|cs| {
            cs.iter()
                .map(|(cid, status)| {
                    let cm = child_meta.get(cid).unwrap_or(&empty);
                    VariationSummary {
                        id: *cid,
                        status: status.clone(),
                        price: text(cm, "_price").to_owned(),
                        regular_price: text(cm, "_regular_price").to_owned(),
                        sale_price: text(cm, "_sale_price").to_owned(),
                        sale_from: text(cm, "_sale_price_dates_from").to_owned(),
                        sale_to: text(cm, "_sale_price_dates_to").to_owned(),
                        stock_status: text(cm, "_stock_status").to_owned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let related_ids = if variation {
        Vec::new()
    } else {
        related
            .map(|raw| related_candidates(raw.as_bytes()))
            .unwrap_or_default()
    };
    let parent = if variation && with_parent {
        match parents.get(&p.parent_id) {
            Some(Ok(rec)) => Some(Box::new(rec.clone())),
            Some(Err(e)) => {
                return Err(ReadError::row(
                    &tables.posts,
                    id,
                    "post_parent",
                    format!("parent {} unreadable: {e}", p.parent_id),
                ));
            }
            None => None,
        }
    } else {
        None
    };
    Ok(ProductRecord {
        id,
        post_type: p.post_type.clone(),
        parent_id: p.parent_id,
        product_type,
        title: p.title.clone(),
        slug: p.slug.clone(),
        content: p.content.clone(),
        excerpt: p.excerpt.clone(),
        status: p.status.clone(),
        post_password: p.post_password.clone(),
        comment_status: p.comment_status.clone(),
        menu_order: p.menu_order,
        date_created_gmt: p.date_created_gmt.clone(),
        date_modified_gmt: p.date_modified_gmt.clone(),
        meta: m.iter().map(|r| r.row.clone()).collect(),
        categories: terms_in(terms, "product_cat"),
        tags: terms_in(terms, "product_tag"),
        shipping_classes: terms_in(terms, "product_shipping_class"),
        visibility: terms_in(terms, "product_visibility")
            .into_iter()
            .map(|t| t.slug)
            .collect(),
        attributes: product_attributes(m, table, id)?,
        attribute_terms: terms
            .map(|ts| {
                ts.iter()
                    .filter(|t| t.taxonomy.starts_with("pa_"))
                    .map(|t| AttributeTerm {
                        taxonomy: t.taxonomy.clone(),
                        id: t.term.id,
                        name: t.term.name.clone(),
                        slug: t.term.slug.clone(),
                        order: t.order,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        default_attributes,
        upsell_ids: int_list(decoded(m, "_upsell_ids", table, id)?.as_ref()),
        cross_sell_ids: int_list(decoded(m, "_crosssell_ids", table, id)?.as_ref()),
        grouped_children: int_list(decoded(m, "_children", table, id)?.as_ref()),
        attachments: thumbnail_and_gallery(m)
            .iter()
            .filter_map(|a| attachments.get(a).cloned())
            .collect(),
        variations,
        parent,
        related_ids,
    })
}

/// The first five ids of the first list in a `wc_related_<id>` transient.
fn related_candidates(raw: &[u8]) -> Vec<u64> {
    use segmentflow_core::php::wordpress::{Unserialized, maybe_unserialize};
    let Unserialized::Serialized(v) = maybe_unserialize(raw) else {
        return Vec::new();
    };
    v.entries()
        .and_then(|e| e.first())
        .and_then(|(_, list)| list.entries())
        .map(|l| l.iter().take(5).map(|(_, v)| php_int(v) as u64).collect())
        .unwrap_or_default()
}

/// The checkpoint key of a product record.
pub fn checkpoint(p: &ProductRecord) -> Cursor {
    Cursor::new(p.date_modified_gmt.clone().unwrap_or_default(), p.id)
}

/// Products and variations after `after`, modified at or after `since`
/// (GMT), `page_size` per page.
pub fn products<'db>(
    db: &'db mut Db,
    tables: &'db Tables,
    after: Option<Cursor>,
    since: Option<String>,
    page_size: usize,
) -> Paged<'db, ProductRecord> {
    Paged::new(db, after, move |db, cursor| {
        let (cond, mut params) = after_clause("post_modified_gmt", "ID", cursor);
        let since_cond = if since.is_some() {
            " AND post_modified_gmt >= ?"
        } else {
            ""
        };
        if let Some(s) = &since {
            params.push(Param::Str(s));
        }
        params.push(Param::Int(page_size as i64));
        let sql = format!(
            "SELECT ID, post_modified_gmt FROM {} WHERE post_type IN ('product', 'product_variation') \
             AND post_status NOT IN ('trash', 'auto-draft') AND {cond}{since_cond} \
             ORDER BY post_modified_gmt, ID LIMIT ?",
            tables.posts.quoted()
        );
        let keys = select_keys(db, &sql, &params)?;
        let ids: Vec<u64> = keys.iter().map(|(id, _)| *id).collect();
        let items = if ids.is_empty() {
            Vec::new()
        } else {
            load_products(db, tables, &ids, true)?
        };
        Ok(Page {
            full: keys.len() >= page_size,
            last: keys.last().map(|(_, c)| c.clone()),
            items,
        })
    })
}

/// How many products and variations [`products`] would yield at or before
/// `through` (modified at or after `since`): what a resumed read skips.
pub fn count_through(
    db: &mut Db,
    tables: &Tables,
    through: &Cursor,
    since: Option<&str>,
) -> Result<u64, ReadError> {
    let (cond, mut params) = through_clause("post_modified_gmt", "ID", through);
    let since_cond = if let Some(s) = since {
        params.push(Param::Str(s));
        " AND post_modified_gmt >= ?"
    } else {
        ""
    };
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE post_type IN ('product', 'product_variation') \
         AND post_status NOT IN ('trash', 'auto-draft') AND {cond}{since_cond}",
        tables.posts.quoted()
    );
    count(db, &sql, &params)
}

/// A cache of [`ProductRef`]s (products rarely change during a read; the
/// cache is cleared when it grows past a bound, so memory stays flat).
#[derive(Debug, Default)]
pub struct ProductRefs {
    cache: HashMap<u64, Option<ProductRef>>,
}

const REF_CACHE_MAX: usize = 20_000;

impl ProductRefs {
    /// An empty cache.
    pub fn new() -> ProductRefs {
        ProductRefs::default()
    }

    /// Loads the refs of `ids` not cached yet.
    pub fn load(&mut self, db: &mut Db, tables: &Tables, ids: &[u64]) -> Result<(), ReadError> {
        let mut missing: Vec<u64> = ids
            .iter()
            .copied()
            .filter(|id| *id != 0 && !self.cache.contains_key(id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        if self.cache.len() + missing.len() > REF_CACHE_MAX {
            self.cache.clear();
        }
        let sql = format!(
            "SELECT ID, post_type, post_parent, post_title FROM {} WHERE ID IN ({{in}}) \
             AND post_type IN ('product', 'product_variation')",
            tables.posts.quoted()
        );
        let mut rows: Vec<(u64, bool, u64)> = Vec::new();
        let mut titles: HashMap<u64, String> = HashMap::new();
        for_ids(db, &sql, &missing, |row| {
            let id = row.i64(0)?.unwrap_or(0) as u64;
            let variation = row.str(1)? == Some("product_variation");
            rows.push((id, variation, row.i64(2)?.unwrap_or(0) as u64));
            titles.insert(id, row.str(3)?.unwrap_or("").to_owned());
            Ok(())
        })?;
        let parents: Vec<u64> = rows
            .iter()
            .filter(|r| r.1 && r.2 != 0)
            .map(|r| r.2)
            .collect();
        if !parents.is_empty() {
            let sql = format!(
                "SELECT ID, post_title FROM {} WHERE ID IN ({{in}})",
                tables.posts.quoted()
            );
            for_ids(db, &sql, &parents, |row| {
                titles.insert(
                    row.i64(0)?.unwrap_or(0) as u64,
                    row.str(1)?.unwrap_or("").to_owned(),
                );
                Ok(())
            })?;
        }
        let mut meta_ids: Vec<u64> = rows.iter().map(|r| r.0).collect();
        meta_ids.extend(&parents);
        let meta = load_postmeta(db, tables, &meta_ids, None)?;
        let terms = load_terms(db, tables, &rows.iter().map(|r| r.0).collect::<Vec<_>>())?;
        let empty = Vec::new();
        let thumb = |m: &[RawMeta]| {
            first(m, "_thumbnail_id").and_then(|r| r.row.value.as_text().map(str::to_owned))
        };
        let mut attach_ids = Vec::new();
        for id in &meta_ids {
            if let Some(t) = thumb(meta.get(id).unwrap_or(&empty)) {
                attach_ids.push(super::decode::leading_int(&t).max(0) as u64);
            }
        }
        let attachments = load_attachments(db, tables, &attach_ids)?;
        for id in &missing {
            self.cache.insert(*id, None);
        }
        for (id, variation, parent) in rows {
            let m = meta.get(&id).unwrap_or(&empty);
            let pm = if variation {
                meta.get(&parent).unwrap_or(&empty)
            } else {
                &empty
            };
            let t = thumb(m);
            let pt = thumb(pm);
            let mut atts = Vec::new();
            for x in [&t, &pt].into_iter().flatten() {
                let n = super::decode::leading_int(x);
                if n != 0
                    && let Some(a) = attachments.get(&(n as u64))
                {
                    atts.push(a.clone());
                }
            }
            // A corrupt `_product_attributes` gives no custom names here;
            // the product's own record reports the error.
            let attrs = product_attributes(if variation { pm } else { m }, &tables.postmeta, id)
                .unwrap_or_default();
            let product_type = if variation {
                "variation".to_owned()
            } else {
                terms
                    .get(&id)
                    .and_then(|ts| ts.iter().find(|t| t.taxonomy == "product_type"))
                    .map(|t| t.term.slug.clone())
                    .unwrap_or_default()
            };
            self.cache.insert(
                id,
                Some(ProductRef {
                    id,
                    product_type,
                    sku: text(m, "_sku").to_owned(),
                    parent_sku: text(pm, "_sku").to_owned(),
                    thumbnail_id: t.unwrap_or_default(),
                    parent_thumbnail_id: pt.unwrap_or_default(),
                    attachments: atts,
                    parent_title: if variation {
                        titles.get(&parent).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    },
                    virtual_: text(m, "_virtual").to_owned(),
                    downloadable: text(m, "_downloadable").to_owned(),
                    custom_attributes: attrs
                        .iter()
                        .filter(|a| !a.is_taxonomy)
                        .map(|a| (sanitize_key_name(&a.key), a.name.clone()))
                        .collect(),
                }),
            );
        }
        Ok(())
    }

    /// A cached ref (after [`load`](Self::load)).
    pub fn get(&self, id: u64) -> Option<&ProductRef> {
        self.cache.get(&id).and_then(Option::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_keys_are_sanitized() {
        let cases = [
            ("Gift Wrap", "gift-wrap"),
            ("  Größe  XL ", "größe-xl"),
            ("a&b", "ab"),
            ("-x-", "x"),
        ];
        for (have, want) in cases {
            assert_eq!(sanitize_key_name(have), want, "{have}");
        }
    }

    #[test]
    fn names_collate_like_mysql() {
        let mut names = vec!["organic", "Éco", "apple", "Zebra", "ébène"];
        names.sort_by_cached_key(|n| collation_key(n));
        assert_eq!(names, ["apple", "ébène", "Éco", "organic", "Zebra"]);
    }

    #[test]
    fn related_candidates_take_five_of_the_first_list() {
        let raw = br#"a:1:{s:3:"abc";a:6:{i:0;s:1:"1";i:1;i:2;i:2;i:3;i:3;i:4;i:4;i:5;i:5;i:6;}}"#;
        assert_eq!(related_candidates(raw), vec![1, 2, 3, 4, 5]);
        assert_eq!(related_candidates(b"nope"), Vec::<u64>::new());
    }
}
