//! The intelligence layer's reader: the store streamed into the small,
//! storage-independent records of `segmentflow_core::insight::input`
//! ([`OrderFact`] per order, [`PersonFact`] per known person), which
//! segments and revenue attribution are computed from.
//!
//! # What is read
//!
//! * **Orders** (`shop_order`, any status but `trash`, `draft` and
//!   `auto-draft`, like the sync's order reader) from the authoritative
//!   storage — HPOS (`wc_orders` + `wc_order_operational_data` +
//!   `wc_orders_meta`) or posts (`shop_order` posts + postmeta) — with:
//!   * `refunded`: the refunds (`shop_order_refund` children) summed by
//!     absolute value (`total_amount` / `_order_total`, stored negative);
//!   * `coupons`: the `coupon` order items' names, lower-cased;
//!   * `lines`: the `line_item` order items with `_product_id`,
//!     `_variation_id`, `_qty` and `_line_total`, plus the SKU (`_sku`
//!     postmeta of the variation when it has one, else of the product) and
//!     the `product_cat` terms of the (parent) product — a deleted product
//!     gives an empty SKU and no categories;
//!   * `segmentflow_touch`: the plugin's `_segmentflow_utm_{campaign,source,
//!     medium,content,term}` order meta;
//!   * `wc_touch`: WooCommerce's order attribution meta (WC ≥ 8.5)
//!     `_wc_order_attribution_utm_{campaign,source,medium,content,term}`.
//!     WooCommerce fills `utm_source` itself for non-UTM visits (`google`
//!     for organic search, the referring host for a referral, `(direct)`
//!     for a typed-in URL); when it is missing, the source is derived from
//!     `_wc_order_attribution_source_type` the way WooCommerce labels it
//!     (`typein` → `(direct)`, `admin` → `(admin)`, `mobile_app` →
//!     `(mobile app)`), so an order WooCommerce attributed is never
//!     counted as unattributed.
//!
//!   A touch is `Some` only when at least one of its values is non-empty.
//!   Dates are GMT: `date_created_gmt` / `post_date_gmt`, and
//!   `date_paid_gmt` / the `_date_paid` Unix timestamp (posts storage's
//!   legacy site-local `_paid_date` alone is not used: it needs the site's
//!   zone, and only WooCommerce < 3.0 wrote it without `_date_paid`).
//! * **People**: registered users whose `<prefix>capabilities` usermeta
//!   grants the `customer` role (with `first_name` / `last_name`
//!   usermeta), then the rows of `wc_customer_lookup` (WooCommerce
//!   Analytics' customers, guests included) not already known by the same
//!   customer key — what *Prospects* (known, never paid) needs.
//!
//! # How: bulk windows, not rows
//!
//! Orders are walked in id order, a window of [`WINDOW`] orders at a time
//! (keyset `id > last`, never `OFFSET`). For each window, one query per
//! child table loads the children of the whole id range `[first, last]`
//! (refunds, meta filtered to the keys above, coupon and line items, line
//! item meta joined to its items) — six queries per window whatever the
//! number of orders, plus two `IN (…)` queries for products the reader has
//! not seen yet (their SKUs and categories are cached for the whole read).
//! A million orders are about 200 windows and 1,200 queries. Memory holds
//! one window and the product cache; the caller folds the facts as they
//! stream.
//!
//! A row that does not decode (a total that is not a decimal, a date that
//! does not exist) is yielded as a [`ReadError::Row`] naming the table, the
//! order and the column; the stream goes on. Only a failing query ends it.

use std::collections::{HashMap, HashSet, VecDeque};

use jiff::Timestamp;
use segmentflow_core::insight::input::{LineFact, OrderFact, PersonFact, Touch};
use segmentflow_core::insight::money::Money;
use segmentflow_core::php::Value;
use segmentflow_core::php::wordpress::{Unserialized, maybe_unserialize};
use segmentflow_core::wpconfig::TablePrefix;

use super::super::db::{Db, Param, Row};
use super::products::for_ids;
use super::site::OrderStorage;
use super::{ReadError, TableName, Tables};

/// Orders per window unless the caller asks otherwise.
pub const WINDOW: usize = 5000;

/// Order statuses never read (as the sync's order reader).
const SKIPPED: &str = "'trash', 'draft', 'auto-draft'";

/// The plugin's UTM meta keys, in [`Touch`] field order.
pub const SEGMENTFLOW_UTM_KEYS: [&str; 5] = [
    "_segmentflow_utm_campaign",
    "_segmentflow_utm_source",
    "_segmentflow_utm_medium",
    "_segmentflow_utm_content",
    "_segmentflow_utm_term",
];

/// WooCommerce's order attribution UTM meta keys, in [`Touch`] field order.
pub const WC_UTM_KEYS: [&str; 5] = [
    "_wc_order_attribution_utm_campaign",
    "_wc_order_attribution_utm_source",
    "_wc_order_attribution_utm_medium",
    "_wc_order_attribution_utm_content",
    "_wc_order_attribution_utm_term",
];

/// WooCommerce's attribution source type (`utm`, `organic`, `referral`,
/// `typein`, `admin`, `mobile_app`).
pub const WC_SOURCE_TYPE_KEY: &str = "_wc_order_attribution_source_type";

/// Posts storage: the postmeta keys that hold what HPOS keeps in columns.
const POSTS_HEAD_KEYS: [&str; 5] = [
    "_customer_user",
    "_billing_email",
    "_order_currency",
    "_order_total",
    "_date_paid",
];

/// Line item meta read for a line.
const LINE_KEYS: &str = "'_product_id', '_variation_id', '_qty', '_line_total'";

/// SKU and categories of a product, cached for the whole read.
#[derive(Debug, Clone, Default)]
struct ProductInfo {
    sku: String,
    category_slugs: Vec<String>,
    category_names: Vec<String>,
}

/// The stream of [`OrderFact`]s, in order id order (see [`order_facts`]).
pub struct OrderFacts<'db> {
    db: &'db mut Db,
    tables: &'db Tables,
    storage: OrderStorage,
    window: usize,
    after: u64,
    done: bool,
    buffer: VecDeque<Result<OrderFact, ReadError>>,
    products: HashMap<u64, ProductInfo>,
    windows: u64,
}

/// Streams every order of `storage` as an [`OrderFact`], `window` orders
/// (and their children) per batch of queries.
pub fn order_facts<'db>(
    db: &'db mut Db,
    tables: &'db Tables,
    storage: OrderStorage,
    window: usize,
) -> OrderFacts<'db> {
    OrderFacts {
        db,
        tables,
        storage,
        window: window.max(1),
        after: 0,
        done: false,
        buffer: VecDeque::new(),
        products: HashMap::new(),
        windows: 0,
    }
}

impl OrderFacts<'_> {
    /// How many windows (batches of queries) have been loaded so far.
    pub fn windows(&self) -> u64 {
        self.windows
    }

    /// How many distinct products the reader has looked up so far.
    pub fn products_seen(&self) -> usize {
        self.products.len()
    }

    fn load_window(&mut self) -> Result<(), ReadError> {
        self.windows += 1;
        let mut heads = match self.storage {
            OrderStorage::Hpos => hpos_heads(self.db, self.tables, self.after, self.window)?,
            OrderStorage::Posts => posts_heads(self.db, self.tables, self.after, self.window)?,
        };
        if heads.len() < self.window {
            self.done = true;
        }
        let (Some(first), Some(last)) = (heads.first(), heads.last()) else {
            self.done = true;
            return Ok(());
        };
        let (lo, hi) = (first.id, last.id);
        self.after = hi;
        let index: HashMap<u64, usize> = heads.iter().enumerate().map(|(i, h)| (h.id, i)).collect();

        if self.storage == OrderStorage::Hpos {
            self.hpos_meta(lo, hi, &index, &mut heads)?;
        }
        self.refunds(lo, hi, &index, &mut heads)?;
        let lines = self.items(lo, hi, &index, &mut heads)?;
        let wanted: Vec<u64> = {
            let mut ids: Vec<u64> = lines
                .iter()
                .flat_map(|l| [l.product_id, l.variation_id])
                .filter(|&id| id != 0 && !self.products.contains_key(&id))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        self.load_products(&wanted)?;
        for raw in lines {
            let Some(&i) = index.get(&raw.order_id) else {
                continue;
            };
            let h = &mut heads[i];
            let total = match Money::parse_or_zero(&raw.total) {
                Ok(m) => m,
                Err(e) => {
                    h.error.get_or_insert_with(|| {
                        ReadError::row(
                            &self.tables.order_itemmeta,
                            h.id,
                            format!("meta_value of _line_total (order item {})", raw.item_id),
                            e.to_string(),
                        )
                    });
                    continue;
                }
            };
            let product = self.products.get(&raw.product_id);
            let variation = self.products.get(&raw.variation_id);
            let sku = variation
                .map(|v| v.sku.as_str())
                .filter(|s| !s.is_empty() && raw.variation_id != 0)
                .or_else(|| product.map(|p| p.sku.as_str()))
                .unwrap_or("")
                .to_owned();
            h.fact.lines.push(LineFact {
                product_id: raw.product_id,
                variation_id: raw.variation_id,
                name: raw.name,
                sku,
                category_slugs: product
                    .map(|p| p.category_slugs.clone())
                    .unwrap_or_default(),
                category_names: product
                    .map(|p| p.category_names.clone())
                    .unwrap_or_default(),
                quantity: raw.quantity,
                total,
            });
        }
        for h in heads {
            self.buffer.push_back(match h.error {
                Some(e) => Err(e),
                None => Ok(h.fact),
            });
        }
        Ok(())
    }

    /// HPOS: the UTM meta of the window's orders.
    fn hpos_meta(
        &mut self,
        lo: u64,
        hi: u64,
        index: &HashMap<u64, usize>,
        heads: &mut [Head],
    ) -> Result<(), ReadError> {
        let keys = utm_key_list();
        let sql = format!(
            "SELECT order_id, meta_key, meta_value FROM {} \
             WHERE order_id BETWEEN ? AND ? AND meta_key IN ({keys}) ORDER BY id",
            self.tables.wc_orders_meta.quoted()
        );
        self.db.query_rows(&sql, &range(lo, hi), |row| {
            let id = uint(row, 0)?;
            if let Some(&i) = index.get(&id) {
                let key = row.str(1)?.unwrap_or("");
                let value = lossy(row, 2)?;
                heads[i].utm(key, value);
            }
            Ok::<_, ReadError>(())
        })?;
        for h in heads.iter_mut() {
            h.finish_touches();
        }
        Ok(())
    }

    /// Refund totals of the window's orders, folded into `refunded`.
    fn refunds(
        &mut self,
        lo: u64,
        hi: u64,
        index: &HashMap<u64, usize>,
        heads: &mut [Head],
    ) -> Result<(), ReadError> {
        let (sql, table) = match self.storage {
            OrderStorage::Hpos => (
                format!(
                    "SELECT parent_order_id, id, total_amount FROM {} \
                     WHERE type = 'shop_order_refund' AND parent_order_id BETWEEN ? AND ?",
                    self.tables.wc_orders.quoted()
                ),
                &self.tables.wc_orders,
            ),
            OrderStorage::Posts => (
                format!(
                    "SELECT p.post_parent, p.ID, \
                       (SELECT t.meta_value FROM {pm} t WHERE t.post_id = p.ID AND t.meta_key = '_order_total' \
                        ORDER BY t.meta_id LIMIT 1) \
                     FROM {posts} p WHERE p.post_type = 'shop_order_refund' AND p.post_parent BETWEEN ? AND ?",
                    pm = self.tables.postmeta.quoted(),
                    posts = self.tables.posts.quoted(),
                ),
                &self.tables.postmeta,
            ),
        };
        self.db.query_rows(&sql, &range(lo, hi), |row| {
            let parent = uint(row, 0)?;
            let Some(&i) = index.get(&parent) else {
                return Ok(());
            };
            let refund_id = uint(row, 1)?;
            let text = lossy(row, 2)?;
            let h = &mut heads[i];
            match Money::parse_or_zero(&text) {
                Ok(m) => h.fact.refunded += if m.is_negative() { -m } else { m },
                Err(e) => {
                    h.error.get_or_insert_with(|| {
                        ReadError::row(
                            table,
                            parent,
                            format!("total of refund {refund_id}"),
                            e.to_string(),
                        )
                    });
                }
            }
            Ok::<_, ReadError>(())
        })
    }

    /// Coupon codes (into the heads) and line items (returned) of the window.
    fn items(
        &mut self,
        lo: u64,
        hi: u64,
        index: &HashMap<u64, usize>,
        heads: &mut [Head],
    ) -> Result<Vec<RawLine>, ReadError> {
        let sql = format!(
            "SELECT order_id, order_item_id, order_item_name, order_item_type FROM {} \
             WHERE order_id BETWEEN ? AND ? AND order_item_type IN ('line_item', 'coupon') \
             ORDER BY order_item_id",
            self.tables.order_items.quoted()
        );
        let mut lines: Vec<RawLine> = Vec::new();
        let mut line_at: HashMap<u64, usize> = HashMap::new();
        self.db.query_rows(&sql, &range(lo, hi), |row| {
            let order_id = uint(row, 0)?;
            let Some(&i) = index.get(&order_id) else {
                return Ok(());
            };
            let item_id = uint(row, 1)?;
            let name = lossy(row, 2)?;
            match row.str(3)? {
                Some("coupon") => heads[i].fact.coupons.push(name.trim().to_lowercase()),
                _ => {
                    line_at.insert(item_id, lines.len());
                    lines.push(RawLine {
                        order_id,
                        item_id,
                        name,
                        ..RawLine::default()
                    });
                }
            }
            Ok::<_, ReadError>(())
        })?;
        if lines.is_empty() {
            return Ok(lines);
        }
        let sql = format!(
            "SELECT im.order_item_id, im.meta_key, im.meta_value FROM {items} oi \
             JOIN {meta} im ON im.order_item_id = oi.order_item_id \
             WHERE oi.order_id BETWEEN ? AND ? AND oi.order_item_type = 'line_item' \
             AND im.meta_key IN ({LINE_KEYS}) ORDER BY im.meta_id",
            items = self.tables.order_items.quoted(),
            meta = self.tables.order_itemmeta.quoted(),
        );
        self.db.query_rows(&sql, &range(lo, hi), |row| {
            let item_id = uint(row, 0)?;
            let Some(&l) = line_at.get(&item_id) else {
                return Ok(());
            };
            let line = &mut lines[l];
            let value = row.str(2)?.unwrap_or("");
            match row.str(1)? {
                Some("_product_id") => line.product_id = leading_uint(value),
                Some("_variation_id") => line.variation_id = leading_uint(value),
                Some("_qty") => line.quantity = super::decode::leading_int(value),
                Some("_line_total") => line.total = value.trim().to_owned(),
                _ => {}
            }
            Ok::<_, ReadError>(())
        })?;
        Ok(lines)
    }

    /// SKUs and `product_cat` terms of products not seen yet.
    fn load_products(&mut self, ids: &[u64]) -> Result<(), ReadError> {
        if ids.is_empty() {
            return Ok(());
        }
        for &id in ids {
            self.products.insert(id, ProductInfo::default());
        }
        let sql = format!(
            "SELECT post_id, meta_value FROM {} WHERE post_id IN ({{in}}) AND meta_key = '_sku' \
             ORDER BY meta_id",
            self.tables.postmeta.quoted()
        );
        let products = &mut self.products;
        for_ids(self.db, &sql, ids, |row| {
            let id = uint(row, 0)?;
            let sku = lossy(row, 1)?;
            if let Some(p) = products.get_mut(&id)
                && p.sku.is_empty()
            {
                p.sku = sku;
            }
            Ok(())
        })?;
        let sql = format!(
            "SELECT tr.object_id, t.slug, t.name FROM {tr} tr \
             JOIN {tt} tt ON tt.term_taxonomy_id = tr.term_taxonomy_id AND tt.taxonomy = 'product_cat' \
             JOIN {terms} t ON t.term_id = tt.term_id \
             WHERE tr.object_id IN ({{in}}) ORDER BY tr.object_id, t.term_id",
            tr = self.tables.term_relationships.quoted(),
            tt = self.tables.term_taxonomy.quoted(),
            terms = self.tables.terms.quoted(),
        );
        for_ids(self.db, &sql, ids, |row| {
            let id = uint(row, 0)?;
            if let Some(p) = products.get_mut(&id) {
                p.category_slugs.push(lossy(row, 1)?);
                p.category_names.push(lossy(row, 2)?);
            }
            Ok(())
        })?;
        Ok(())
    }
}

impl Iterator for OrderFacts<'_> {
    type Item = Result<OrderFact, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.load_window() {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}

/// An order being assembled, with the first problem found in its rows.
struct Head {
    id: u64,
    fact: OrderFact,
    error: Option<ReadError>,
    sf: [Option<String>; 5],
    wc: [Option<String>; 5],
    wc_source_type: Option<String>,
}

impl Head {
    fn new(id: u64) -> Head {
        Head {
            id,
            fact: OrderFact {
                id,
                ..OrderFact::default()
            },
            error: None,
            sf: Default::default(),
            wc: Default::default(),
            wc_source_type: None,
        }
    }

    /// Records one UTM meta row (the first non-empty value of a key wins).
    fn utm(&mut self, key: &str, value: String) {
        let value = value.trim().to_owned();
        if value.is_empty() {
            return;
        }
        let slot = if let Some(i) = SEGMENTFLOW_UTM_KEYS.iter().position(|k| *k == key) {
            &mut self.sf[i]
        } else if let Some(i) = WC_UTM_KEYS.iter().position(|k| *k == key) {
            &mut self.wc[i]
        } else if key == WC_SOURCE_TYPE_KEY {
            &mut self.wc_source_type
        } else {
            return;
        };
        slot.get_or_insert(value);
    }

    fn finish_touches(&mut self) {
        let touch = |v: &mut [Option<String>; 5]| {
            let [campaign, source, medium, content, term] = std::mem::take(v);
            Touch {
                campaign,
                source,
                medium,
                content,
                term,
            }
        };
        let sf = touch(&mut self.sf);
        let mut wc = touch(&mut self.wc);
        if wc.source.is_none() {
            wc.source = self
                .wc_source_type
                .take()
                .and_then(|t| source_from_type(&t))
                .map(str::to_owned);
        }
        self.fact.segmentflow_touch = has_any(&sf).then_some(sf);
        self.fact.wc_touch = has_any(&wc).then_some(wc);
    }
}

/// The source WooCommerce shows for an attribution without `utm_source`.
fn source_from_type(source_type: &str) -> Option<&'static str> {
    match source_type {
        "typein" => Some("(direct)"),
        "admin" => Some("(admin)"),
        "mobile_app" => Some("(mobile app)"),
        _ => None,
    }
}

fn has_any(t: &Touch) -> bool {
    [&t.campaign, &t.source, &t.medium, &t.content, &t.term]
        .iter()
        .any(|v| v.is_some())
}

/// A line item before its product is known.
#[derive(Debug, Default)]
struct RawLine {
    order_id: u64,
    item_id: u64,
    name: String,
    product_id: u64,
    variation_id: u64,
    quantity: i64,
    total: String,
}

/// `'k1', 'k2', …` of every UTM key read (constants, no user input).
fn utm_key_list() -> String {
    SEGMENTFLOW_UTM_KEYS
        .iter()
        .chain(WC_UTM_KEYS.iter())
        .chain([WC_SOURCE_TYPE_KEY].iter())
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn range(lo: u64, hi: u64) -> [Param<'static>; 2] {
    [Param::Int(to_i64(lo)), Param::Int(to_i64(hi))]
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn uint(row: &Row, i: usize) -> Result<u64, ReadError> {
    Ok(row.i64(i)?.unwrap_or(0).max(0) as u64)
}

fn lossy(row: &Row, i: usize) -> Result<String, ReadError> {
    Ok(String::from_utf8_lossy(row.bytes(i)?.unwrap_or_default()).into_owned())
}

fn leading_uint(s: &str) -> u64 {
    super::decode::leading_int(s).max(0) as u64
}

/// A GMT date-time cell as a timestamp (`None` for NULL or a zero date).
fn gmt(row: &Row, i: usize, table: &TableName, id: u64) -> Result<Option<Timestamp>, ReadError> {
    let Some(d) = row.datetime(i)? else {
        return Ok(None);
    };
    jiff::civil::DateTime::new(
        d.year as i16,
        d.month as i8,
        d.day as i8,
        d.hour as i8,
        d.minute as i8,
        d.second as i8,
        0,
    )
    .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt))
    .map(Some)
    .map_err(|e| {
        let column = row.columns().get(i).cloned().unwrap_or_default();
        ReadError::row(table, id, column, format!("not a date: {e}"))
    })
}

/// HPOS: the window's order rows.
fn hpos_heads(
    db: &mut Db,
    tables: &Tables,
    after: u64,
    window: usize,
) -> Result<Vec<Head>, ReadError> {
    let sql = format!(
        "SELECT o.id, o.customer_id, o.billing_email, o.status, o.currency, o.total_amount, \
           o.date_created_gmt, op.date_paid_gmt \
         FROM {orders} o LEFT JOIN {op} op ON op.order_id = o.id \
         WHERE o.type = 'shop_order' AND o.status NOT IN ({SKIPPED}) AND o.id > ? \
         ORDER BY o.id LIMIT ?",
        orders = tables.wc_orders.quoted(),
        op = tables.wc_order_operational_data.quoted(),
    );
    let table = &tables.wc_orders;
    let mut heads = Vec::with_capacity(window.min(100_000));
    db.query_rows(
        &sql,
        &[Param::Int(to_i64(after)), Param::Int(to_i64(window as u64))],
        |row| {
            let id = uint(row, 0)?;
            let mut h = Head::new(id);
            let f = &mut h.fact;
            f.customer_id = uint(row, 1)?;
            f.billing_email = lossy(row, 2)?;
            f.status = lossy(row, 3)?;
            f.currency = lossy(row, 4)?;
            let total = lossy(row, 5)?;
            let parsed = (|| {
                h.fact.total = Money::parse_or_zero(&total)
                    .map_err(|e| ReadError::row(table, id, "total_amount", e.to_string()))?;
                h.fact.created = gmt(row, 6, table, id)?;
                h.fact.paid = gmt(row, 7, &tables.wc_order_operational_data, id)?;
                Ok::<_, ReadError>(())
            })();
            if let Err(e) = parsed {
                h.error = Some(e);
            }
            heads.push(h);
            Ok::<_, ReadError>(())
        },
    )?;
    Ok(heads)
}

/// Posts storage: the window's order posts and their head + UTM postmeta.
fn posts_heads(
    db: &mut Db,
    tables: &Tables,
    after: u64,
    window: usize,
) -> Result<Vec<Head>, ReadError> {
    let sql = format!(
        "SELECT ID, post_status, post_date_gmt FROM {} \
         WHERE post_type = 'shop_order' AND post_status NOT IN ({SKIPPED}) AND ID > ? \
         ORDER BY ID LIMIT ?",
        tables.posts.quoted()
    );
    let mut heads = Vec::with_capacity(window.min(100_000));
    db.query_rows(
        &sql,
        &[Param::Int(to_i64(after)), Param::Int(to_i64(window as u64))],
        |row| {
            let id = uint(row, 0)?;
            let mut h = Head::new(id);
            h.fact.status = lossy(row, 1)?;
            match gmt(row, 2, &tables.posts, id) {
                Ok(t) => h.fact.created = t,
                Err(e) => h.error = Some(e),
            }
            heads.push(h);
            Ok::<_, ReadError>(())
        },
    )?;
    let (Some(lo), Some(hi)) = (heads.first().map(|h| h.id), heads.last().map(|h| h.id)) else {
        return Ok(heads);
    };
    let index: HashMap<u64, usize> = heads.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
    let head_keys = POSTS_HEAD_KEYS
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT post_id, meta_key, meta_value FROM {} \
         WHERE post_id BETWEEN ? AND ? AND meta_key IN ({head_keys}, {}) ORDER BY meta_id",
        tables.postmeta.quoted(),
        utm_key_list()
    );
    // The first row of a key wins (`get_post_meta( …, true )`).
    let mut seen: HashSet<(usize, &'static str)> = HashSet::new();
    let table = &tables.postmeta;
    db.query_rows(&sql, &range(lo, hi), |row| {
        let id = uint(row, 0)?;
        let Some(&i) = index.get(&id) else {
            return Ok(());
        };
        let key = row.str(1)?.unwrap_or("");
        let value = lossy(row, 2)?;
        let h = &mut heads[i];
        if let Some(k) = POSTS_HEAD_KEYS.iter().find(|k| **k == key) {
            if !seen.insert((i, k)) {
                return Ok(());
            }
            let f = &mut h.fact;
            match *k {
                "_customer_user" => f.customer_id = leading_uint(&value),
                "_billing_email" => f.billing_email = value,
                "_order_currency" => f.currency = value,
                "_order_total" => match Money::parse_or_zero(&value) {
                    Ok(m) => f.total = m,
                    Err(e) => {
                        h.error.get_or_insert_with(|| {
                            ReadError::row(table, id, "meta_value of _order_total", e.to_string())
                        });
                    }
                },
                _ => {
                    // `_date_paid`: a Unix timestamp.
                    let v = value.trim();
                    if !v.is_empty() {
                        match v
                            .parse::<i64>()
                            .ok()
                            .and_then(|t| Timestamp::from_second(t).ok())
                        {
                            Some(t) => f.paid = Some(t),
                            None => {
                                h.error.get_or_insert_with(|| {
                                    ReadError::row(
                                        table,
                                        id,
                                        "meta_value of _date_paid",
                                        format!("not a Unix timestamp: '{v}'"),
                                    )
                                });
                            }
                        }
                    }
                }
            }
        } else {
            h.utm(key, value);
        }
        Ok::<_, ReadError>(())
    })?;
    for h in heads.iter_mut() {
        h.finish_touches();
    }
    Ok(heads)
}

/// Everyone the store knows as a customer, whether or not they ordered:
/// users with the `customer` role, then `wc_customer_lookup` rows for
/// customer keys not seen yet (guests by lower-cased email). Read in
/// windows of `window` rows.
pub fn person_facts(
    db: &mut Db,
    tables: &Tables,
    window: usize,
) -> Result<Vec<PersonFact>, ReadError> {
    let window = window.max(1);
    let mut out: Vec<PersonFact> = Vec::new();
    let mut seen: HashSet<segmentflow_core::insight::CustomerKey> = HashSet::new();
    let cap_key = tables.capabilities_key();

    // Registered customers.
    let sql = format!(
        "SELECT u.ID, u.user_email, u.user_registered, c.meta_value FROM {users} u \
         JOIN {um} c ON c.user_id = u.ID AND c.meta_key = ? \
         WHERE u.ID > ? ORDER BY u.ID LIMIT ?",
        users = tables.users.quoted(),
        um = tables.usermeta.quoted(),
    );
    let names_sql = format!(
        "SELECT user_id, meta_key, meta_value FROM {} WHERE user_id BETWEEN ? AND ? \
         AND meta_key IN ('first_name', 'last_name') ORDER BY umeta_id",
        tables.usermeta.quoted()
    );
    let mut after = 0u64;
    loop {
        let mut rows = 0usize;
        let mut last = after;
        let start = out.len();
        db.query_rows(
            &sql,
            &[
                Param::Str(&cap_key),
                Param::Int(to_i64(after)),
                Param::Int(to_i64(window as u64)),
            ],
            |row| {
                rows += 1;
                let id = uint(row, 0)?;
                last = id;
                if !is_customer_role(row.bytes(3)?.unwrap_or_default()) {
                    return Ok(());
                }
                let registered = gmt(row, 2, &tables.users, id).unwrap_or(None);
                out.push(PersonFact {
                    user_id: id,
                    email: lossy(row, 1)?,
                    registered,
                    ..PersonFact::default()
                });
                Ok::<_, ReadError>(())
            },
        )?;
        if out.len() > start {
            let index: HashMap<u64, usize> =
                (start..out.len()).map(|i| (out[i].user_id, i)).collect();
            let mut named: HashSet<(u64, bool)> = HashSet::new();
            db.query_rows(&names_sql, &range(after + 1, last), |row| {
                let id = uint(row, 0)?;
                if let Some(&i) = index.get(&id) {
                    let first = row.str(1)? == Some("first_name");
                    if named.insert((id, first)) {
                        let v = lossy(row, 2)?;
                        if first {
                            out[i].first_name = v;
                        } else {
                            out[i].last_name = v;
                        }
                    }
                }
                Ok::<_, ReadError>(())
            })?;
        }
        after = last;
        if rows < window {
            break;
        }
    }
    for p in &out {
        if let Some(k) = p.customer() {
            seen.insert(k);
        }
    }

    // WooCommerce Analytics' customer list (guests included).
    let lookup = TablePrefix::new(&tables.blog_prefix)?.custom_table(1, "wc_customer_lookup")?;
    if !db.table_exists(lookup.as_str())? {
        return Ok(out);
    }
    let sql = format!(
        "SELECT customer_id, user_id, email, first_name, last_name, date_registered FROM {} \
         WHERE customer_id > ? ORDER BY customer_id LIMIT ?",
        lookup.quoted()
    );
    let mut after = 0u64;
    loop {
        let mut rows = 0usize;
        db.query_rows(
            &sql,
            &[Param::Int(to_i64(after)), Param::Int(to_i64(window as u64))],
            |row| {
                rows += 1;
                after = uint(row, 0)?;
                let p = PersonFact {
                    user_id: uint(row, 1)?,
                    email: lossy(row, 2)?,
                    first_name: lossy(row, 3)?,
                    last_name: lossy(row, 4)?,
                    registered: gmt(row, 5, &lookup, after).unwrap_or(None),
                };
                if let Some(k) = p.customer()
                    && seen.insert(k)
                {
                    out.push(p);
                }
                Ok::<_, ReadError>(())
            },
        )?;
        if rows < window {
            break;
        }
    }
    Ok(out)
}

/// Whether a serialized `<prefix>capabilities` value grants `customer`.
fn is_customer_role(raw: &[u8]) -> bool {
    match maybe_unserialize(raw) {
        Unserialized::Serialized(v) => match v.get("customer") {
            Some(Value::Bool(b)) => *b,
            Some(Value::Int(i)) => *i != 0,
            Some(Value::Str(s)) => !s.is_empty() && s.as_ref() != b"0",
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_role_is_read_from_serialized_capabilities() {
        assert!(is_customer_role(br#"a:1:{s:8:"customer";b:1;}"#));
        assert!(is_customer_role(
            br#"a:2:{s:10:"subscriber";b:1;s:8:"customer";i:1;}"#
        ));
        assert!(!is_customer_role(br#"a:1:{s:13:"administrator";b:1;}"#));
        assert!(!is_customer_role(br#"a:1:{s:8:"customer";b:0;}"#));
        assert!(!is_customer_role(b"customer"));
        assert!(!is_customer_role(b"a:1:{s:8:\"custo"));
    }

    #[test]
    fn touches_take_the_first_value_and_fall_back_on_the_source_type() {
        let mut h = Head::new(1);
        h.utm("_segmentflow_utm_campaign", " spring ".into());
        h.utm("_segmentflow_utm_campaign", "later".into());
        h.utm(WC_SOURCE_TYPE_KEY, "typein".into());
        h.utm("_wc_order_attribution_utm_medium", "".into());
        h.finish_touches();
        let sf = h.fact.segmentflow_touch.clone().expect("segmentflow touch");
        assert_eq!(sf.campaign.as_deref(), Some("spring"));
        assert_eq!(sf.source, None);
        let wc = h.fact.wc_touch.clone().expect("wc touch");
        assert_eq!(wc.source.as_deref(), Some("(direct)"));
        assert_eq!(wc.medium, None);

        let mut h = Head::new(2);
        h.utm(WC_SOURCE_TYPE_KEY, "organic".into());
        h.finish_touches();
        assert_eq!(
            h.fact.wc_touch, None,
            "organic without utm_source says nothing"
        );
        assert_eq!(h.fact.segmentflow_touch, None);
    }
}
