//! Orders with their refunds, items and product refs, from the
//! authoritative storage: HPOS (`wc_orders`, `wc_order_addresses`,
//! `wc_order_operational_data`, `wc_orders_meta`) or posts (`shop_order`
//! and `shop_order_refund` posts + postmeta). Items come from
//! `woocommerce_order_items` + `woocommerce_order_itemmeta` in both.
//!
//! The stream holds `shop_order` rows whose status is not `trash`, `draft`
//! or `auto-draft` (`checkout-draft` is a registered status and is kept);
//! refunds travel inside their order; placeholders
//! (`shop_order_placehold`) and other types (subscriptions) are not read.
//!
//! Posts storage: the postmeta keys that HPOS keeps in columns (§6.3 of the
//! reference) fill the record's fields and are left out of `meta`, so both
//! storages give the same `meta`. Dates `_date_paid` / `_date_completed`
//! are Unix timestamps ([`DbDate::Timestamp`]), falling back to the legacy
//! site-local `_paid_date` / `_completed_date` ([`DbDate::SiteLocal`]).
//!
//! What legitimately differs between the two storages for the same order
//! (the e2e test converts the real HPOS store to posts and compares all 300
//! orders): meta row ids (postmeta has its own sequence), the date form
//! above, and money text (`317.34000000` from a `decimal(26,8)` column,
//! `317.34` in postmeta of a real posts store). The REST JSON is the same.
//! Customer `total_spent` is summed exactly in Rust in both storages.
//!
//! Queries per page: the keys come from a window query (50 000 keys at a
//! time, on the `(modified, id)` index with `FORCE INDEX` where MariaDB has
//! one: HPOS `date_updated`; see `paging::KeyWindow`), then one query each
//! for order rows (+ operational data), addresses, meta, items joined with
//! their meta, refund ids (and the same for the refunds), attribute terms,
//! and product refs not yet cached — bound `IN (…)` lists of at most 1000
//! ids.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use segmentflow_core::store::{Address, AttributeTerm, DbDate, OrderItem, OrderRecord};

use super::super::db::{Db, Param, Row};
use super::decode::{RawMeta, collect_meta, decoded, sort_meta, tax_data, text};
use super::paging::{
    KEY_WINDOW, KeyWindow, Page, after_range_clause, count, index_on, select_keys, through_clause,
};
use super::products::{ProductRefs, for_ids};
use super::site::OrderStorage;
use super::{Cursor, Paged, ReadError, TableName, Tables};

/// Order statuses never read.
const SKIPPED: &str = "'trash', 'draft', 'auto-draft'";

/// The checkpoint key of an order record.
pub fn checkpoint(o: &OrderRecord) -> Cursor {
    Cursor::new(o.date_modified_gmt.clone().unwrap_or_default(), o.id)
}

/// Orders after `after`, modified at or after `since` (GMT), from `storage`.
pub fn orders<'db>(
    db: &'db mut Db,
    tables: &'db Tables,
    storage: OrderStorage,
    after: Option<Cursor>,
    since: Option<String>,
    page_size: usize,
) -> Paged<'db, OrderRecord> {
    let mut refs = ProductRefs::new();
    let mut keys = OrderKeys::new(tables, storage, since);
    Paged::new(db, after, move |db, cursor| {
        let page = keys.next_page(db, cursor, page_size)?;
        let ids: Vec<u64> = page.iter().map(|(id, _)| *id).collect();
        let items = if ids.is_empty() {
            Vec::new()
        } else {
            load_orders(db, tables, storage, &ids, &mut refs)?
        };
        Ok(Page {
            full: keys.more(),
            last: page.last().map(|(_, c)| c.clone()),
            items,
        })
    })
}

/// The keyset walk over the orders' `(modified, id)` keys that [`orders`]
/// pages through: windows of keys on the modified index, handed out a page
/// at a time.
struct OrderKeys<'t> {
    tables: &'t Tables,
    storage: OrderStorage,
    since: Option<String>,
    window: KeyWindow,
    /// The `FORCE INDEX` hint for the `(modified, id)` index, looked up on
    /// the first page (`None` inside when the table has none).
    hint: Option<Option<String>>,
}

impl<'t> OrderKeys<'t> {
    fn new(tables: &'t Tables, storage: OrderStorage, since: Option<String>) -> OrderKeys<'t> {
        OrderKeys {
            tables,
            storage,
            since,
            window: KeyWindow::default(),
            hint: None,
        }
    }

    /// The next page of keys after `cursor` (the walk's start on the first
    /// call); empty when the walk is over.
    fn next_page(
        &mut self,
        db: &mut Db,
        cursor: Option<&Cursor>,
        page_size: usize,
    ) -> Result<Vec<(u64, Cursor)>, ReadError> {
        let (table, id_col, mod_col, type_col, status_col) = columns(self.tables, self.storage);
        let hint = match &self.hint {
            Some(hint) => hint.clone(),
            None => {
                let found = index_on(db, table.as_str(), mod_col)
                    .map(|name| format!(" FORCE INDEX (`{name}`)"));
                self.hint = Some(found.clone());
                found
            }
        };
        let window_size = match self.storage {
            // An index range scan per window: any size is linear.
            OrderStorage::Hpos => KEY_WINDOW,
            // WordPress has no index on post_modified_gmt: every window
            // is a sort of all orders, so fewer, bigger windows.
            OrderStorage::Posts => 4 * KEY_WINDOW,
        };
        let since = &self.since;
        self.window
            .take(db, cursor, page_size, window_size, |db, after, limit| {
                let (cond, mut params) = after_range_clause(mod_col, id_col, after);
                let since_cond = if since.is_some() {
                    format!(" AND {mod_col} >= ?")
                } else {
                    String::new()
                };
                if let Some(s) = since {
                    params.push(Param::Str(s));
                }
                params.push(Param::Int(limit as i64));
                let sql = format!(
                    "SELECT {id_col}, {mod_col} FROM {}{} WHERE {type_col} = 'shop_order' \
                     AND {status_col} NOT IN ({SKIPPED}) AND {cond}{since_cond} \
                     ORDER BY {mod_col}, {id_col} LIMIT ?",
                    table.quoted(),
                    hint.as_deref().unwrap_or("")
                );
                select_keys(db, &sql, &params)
            })
    }

    /// Whether keys remain after the pages handed out so far.
    fn more(&self) -> bool {
        self.window.more()
    }
}

/// What a page loader sends back: the page's records, or the query error
/// that ends the walk.
type PageResult = Result<Vec<Result<OrderRecord, ReadError>>, ReadError>;

/// The same orders, in the same order, as [`orders`], handed to `each`
/// until it returns `false` — with the pages loaded on `loaders` extra
/// connections opened by `connect`, so that MariaDB works on one page while
/// this process decodes another.
///
/// `db` walks the keys (one index range scan per window) and deals out
/// the pages in turn; a loader reads a whole page (`load_orders`); pages
/// are handed on strictly in key order. At most `loaders + 1` pages are in
/// flight, so memory stays flat. With `loaders == 0`, or when no loader
/// can connect, the pages are read on `db` alone, as [`orders`] does.
#[allow(clippy::too_many_arguments)]
pub fn orders_parallel(
    db: &mut Db,
    connect: &(dyn Fn() -> anyhow::Result<Db> + Sync),
    tables: &Tables,
    storage: OrderStorage,
    after: Option<Cursor>,
    since: Option<String>,
    page_size: usize,
    loaders: usize,
    each: &mut dyn FnMut(Result<OrderRecord, ReadError>) -> bool,
) {
    let mut conns = Vec::with_capacity(loaders);
    for _ in 0..loaders {
        match connect() {
            Ok(conn) => conns.push(conn),
            Err(_) => break,
        }
    }
    if conns.is_empty() {
        for order in orders(db, tables, storage, after, since, page_size) {
            if !each(order) {
                return;
            }
        }
        return;
    }
    // Pages dealt out and not yet handed on: one per loader, plus the one
    // being handed on. Each is up to a page of whole orders in memory.
    let in_flight = conns.len();
    // Work for the loaders: a page's ids and where its records go.
    let (work_tx, work_rx) = sync_channel::<(Vec<u64>, SyncSender<PageResult>)>(0);
    let work_rx = Mutex::new(work_rx);
    // The pages' answer channels, in key order.
    let (order_tx, order_rx) = sync_channel::<Receiver<PageResult>>(in_flight);
    std::thread::scope(|scope| {
        for mut conn in conns {
            let work_rx = &work_rx;
            scope.spawn(move || {
                let mut refs = ProductRefs::new();
                loop {
                    let job = work_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok((ids, reply)) = job else {
                        return;
                    };
                    // The receiver may be gone (the consumer stopped).
                    let _ = reply.send(load_orders(&mut conn, tables, storage, &ids, &mut refs));
                }
            });
        }
        scope.spawn(move || {
            let mut keys = OrderKeys::new(tables, storage, since);
            let mut cursor = after;
            loop {
                let (reply, answer) = sync_channel(1);
                if order_tx.send(answer).is_err() {
                    return;
                }
                match keys.next_page(db, cursor.as_ref(), page_size) {
                    Ok(page) if page.is_empty() => return,
                    Ok(page) => {
                        cursor = page.last().map(|(_, c)| c.clone());
                        let ids = page.into_iter().map(|(id, _)| id).collect();
                        if work_tx.send((ids, reply)).is_err() {
                            return;
                        }
                        if !keys.more() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e));
                        return;
                    }
                }
            }
        });
        'pages: for answer in order_rx {
            // A closed channel without an answer is the walk's end.
            let Ok(page) = answer.recv() else {
                break;
            };
            match page {
                Ok(records) => {
                    for record in records {
                        if !each(record) {
                            break 'pages;
                        }
                    }
                }
                Err(e) => {
                    each(Err(e));
                    break;
                }
            }
        }
        // Dropping the page channels here ends the walker and the loaders.
    });
}

/// The orders table of `storage` and its id, modified, type and status
/// columns.
fn columns(
    tables: &Tables,
    storage: OrderStorage,
) -> (
    &TableName,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
) {
    match storage {
        OrderStorage::Hpos => (
            &tables.wc_orders,
            "id",
            "date_updated_gmt",
            "type",
            "status",
        ),
        OrderStorage::Posts => (
            &tables.posts,
            "ID",
            "post_modified_gmt",
            "post_type",
            "post_status",
        ),
    }
}

/// How many orders [`orders`] would yield at or before `through` (modified
/// at or after `since`): what a resumed read skips.
pub fn count_through(
    db: &mut Db,
    tables: &Tables,
    storage: OrderStorage,
    through: &Cursor,
    since: Option<&str>,
) -> Result<u64, ReadError> {
    let (table, id_col, mod_col, type_col, status_col) = columns(tables, storage);
    let Some(since) = since else {
        // All orders less those after the cursor: the total is an
        // index-only count (`type_status_date`), and what follows the
        // cursor a range of the `(modified, id)` index — little of it when
        // nothing changed. Counting "at or before" directly reads every row.
        // (Counting the type's range and taking off the few skipped rows'
        // ranges is a third cheaper than testing every row's status.)
        let of_type = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM {} WHERE {type_col} = 'shop_order'",
                table.quoted()
            ),
            &[],
        )?;
        let skipped = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM {} WHERE {type_col} = 'shop_order' AND {status_col} IN ({SKIPPED})",
                table.quoted()
            ),
            &[],
        )?;
        let total = of_type.saturating_sub(skipped);
        let hint = index_on(db, table.as_str(), mod_col)
            .map(|name| format!(" FORCE INDEX (`{name}`)"))
            .unwrap_or_default();
        let (cond, params) = after_range_clause(mod_col, id_col, Some(through));
        let after = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM {}{hint} WHERE {type_col} = 'shop_order' \
                 AND {status_col} NOT IN ({SKIPPED}) AND {cond}",
                table.quoted()
            ),
            &params,
        )?;
        return Ok(total.saturating_sub(after));
    };
    let (cond, mut params) = through_clause(mod_col, id_col, through);
    params.push(Param::Str(since));
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE {type_col} = 'shop_order' \
         AND {status_col} NOT IN ({SKIPPED}) AND {cond} AND {mod_col} >= ?",
        table.quoted()
    );
    count(db, &sql, &params)
}

/// The order's own fields, before items, refunds and products.
struct Head {
    rec: OrderRecord,
}

/// Reads the records of `ids` (orders or refunds), in the given order.
pub fn load_orders(
    db: &mut Db,
    tables: &Tables,
    storage: OrderStorage,
    ids: &[u64],
    refs: &mut ProductRefs,
) -> Result<Vec<Result<OrderRecord, ReadError>>, ReadError> {
    let mut heads = match storage {
        OrderStorage::Hpos => hpos_heads(db, tables, ids)?,
        OrderStorage::Posts => posts_heads(db, tables, ids)?,
    };
    let mut items = load_items(db, tables, ids)?;

    // Refunds, nested.
    let refund_ids = refund_ids(db, tables, storage, ids)?;
    let all_refunds: Vec<u64> = refund_ids.values().flatten().copied().collect();
    let mut refunds: HashMap<u64, Result<OrderRecord, ReadError>> = HashMap::new();
    if !all_refunds.is_empty() {
        for (id, r) in all_refunds
            .iter()
            .zip(load_orders(db, tables, storage, &all_refunds, refs)?)
        {
            refunds.insert(*id, r);
        }
    }

    // Product refs of the line items.
    let mut wanted = Vec::new();
    for list in items.values() {
        for it in list.iter().flatten() {
            wanted.extend(line_product(it));
        }
    }
    refs.load(db, tables, &wanted)?;

    // Attribute terms used as item meta values.
    let mut term_keys: Vec<(String, String)> = Vec::new();
    for list in items.values() {
        for it in list.iter().flatten() {
            term_keys.extend(item_attribute_keys(it));
        }
    }
    let terms = attribute_terms(db, tables, &term_keys)?;

    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let Some(head) = heads.remove(&id) else {
            out.push(Err(ReadError::row(
                match storage {
                    OrderStorage::Hpos => &tables.wc_orders,
                    OrderStorage::Posts => &tables.posts,
                },
                id,
                "id",
                "the order no longer exists",
            )));
            continue;
        };
        let mut rec = match head {
            Ok(h) => h.rec,
            Err(e) => {
                out.push(Err(e));
                continue;
            }
        };
        let mut failed = None;
        for it in items.remove(&id).unwrap_or_default() {
            match it {
                Ok(it) => rec.items.push(it),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failed {
            out.push(Err(e));
            continue;
        }
        let mut pids: Vec<u64> = rec.items.iter().filter_map(line_product).collect();
        let mut term_map: Vec<AttributeTerm> = Vec::new();
        let add_term = |t: AttributeTerm, list: &mut Vec<AttributeTerm>| match list
            .iter_mut()
            .find(|x| x.taxonomy == t.taxonomy && x.slug == t.slug)
        {
            Some(x) => *x = t,
            None => list.push(t),
        };
        for it in &rec.items {
            for (tax, slug) in item_attribute_keys(it) {
                if let Some(t) = terms.get(&(tax, slug)) {
                    add_term(t.clone(), &mut term_map);
                }
            }
        }
        for rid in refund_ids.get(&id).into_iter().flatten() {
            match refunds.remove(rid) {
                Some(Ok(r)) => {
                    pids.extend(r.products.iter().map(|p| p.id));
                    for t in &r.attribute_terms {
                        add_term(t.clone(), &mut term_map);
                    }
                    rec.refunds.push(r);
                }
                Some(Err(e)) => {
                    failed = Some(e);
                    break;
                }
                None => {}
            }
        }
        if let Some(e) = failed {
            out.push(Err(e));
            continue;
        }
        let mut seen = Vec::new();
        for pid in pids {
            if pid == 0 || seen.contains(&pid) {
                continue;
            }
            seen.push(pid);
            if let Some(p) = refs.get(pid) {
                rec.products.push(p.clone());
            }
        }
        rec.attribute_terms = term_map;
        out.push(Ok(rec));
    }
    Ok(out)
}

/// The product (or variation) a line item points at.
fn line_product(it: &OrderItem) -> Option<u64> {
    if it.item_type != "line_item" {
        return None;
    }
    let get = |k: &str| {
        it.meta
            .iter()
            .find(|m| m.key == k)
            .and_then(|m| m.value.as_text())
            .map(super::decode::leading_int)
            .unwrap_or(0)
    };
    let (vid, pid) = (get("_variation_id"), get("_product_id"));
    Some(if vid != 0 { vid } else { pid }.max(0) as u64)
}

/// `(pa_taxonomy, slug)` pairs of a line item's attribute meta.
fn item_attribute_keys(it: &OrderItem) -> Vec<(String, String)> {
    if it.item_type != "line_item" {
        return Vec::new();
    }
    it.meta
        .iter()
        .filter_map(|m| {
            let tax = m.key.replace("attribute_", "");
            let slug = match &m.value {
                segmentflow_core::store::MetaValue::Text(s) => s.clone(),
                segmentflow_core::store::MetaValue::Json(serde_json::Value::String(s)) => s.clone(),
                _ => return None,
            };
            tax.starts_with("pa_").then_some((tax, slug))
        })
        .collect()
}

/// Terms by `(taxonomy, slug)`.
fn attribute_terms(
    db: &mut Db,
    tables: &Tables,
    keys: &[(String, String)],
) -> Result<HashMap<(String, String), AttributeTerm>, ReadError> {
    let mut out = HashMap::new();
    let mut slugs: Vec<&str> = keys.iter().map(|(_, s)| s.as_str()).collect();
    slugs.sort_unstable();
    slugs.dedup();
    for chunk in slugs.chunks(super::MAX_IN) {
        let sql = format!(
            "SELECT tt.taxonomy, t.term_id, t.name, t.slug FROM {} t JOIN {} tt ON tt.term_id = t.term_id \
             WHERE SUBSTR(tt.taxonomy, 1, 3) = 'pa_' AND t.slug IN ({}) ORDER BY t.term_id",
            tables.terms.quoted(),
            tables.term_taxonomy.quoted(),
            super::placeholders(chunk.len())
        );
        let params: Vec<Param> = chunk.iter().map(|s| Param::Str(s)).collect();
        db.query_rows(&sql, &params, |row| {
            let t = AttributeTerm {
                taxonomy: row.str(0)?.unwrap_or("").to_owned(),
                id: row.i64(1)?.unwrap_or(0) as u64,
                name: row.str(2)?.unwrap_or("").to_owned(),
                slug: row.str(3)?.unwrap_or("").to_owned(),
                order: None,
            };
            out.entry((t.taxonomy.clone(), t.slug.clone())).or_insert(t);
            Ok::<_, ReadError>(())
        })?;
    }
    Ok(out)
}

/// Refund ids per order, by id.
fn refund_ids(
    db: &mut Db,
    tables: &Tables,
    storage: OrderStorage,
    ids: &[u64],
) -> Result<HashMap<u64, Vec<u64>>, ReadError> {
    let sql = match storage {
        OrderStorage::Hpos => format!(
            "SELECT parent_order_id, id FROM {} WHERE parent_order_id IN ({{in}}) AND type = 'shop_order_refund' ORDER BY id",
            tables.wc_orders.quoted()
        ),
        OrderStorage::Posts => format!(
            "SELECT post_parent, ID FROM {} WHERE post_parent IN ({{in}}) AND post_type = 'shop_order_refund' ORDER BY ID",
            tables.posts.quoted()
        ),
    };
    let mut out: HashMap<u64, Vec<u64>> = HashMap::new();
    for_ids(db, &sql, ids, |row| {
        out.entry(row.i64(0)?.unwrap_or(0) as u64)
            .or_default()
            .push(row.i64(1)?.unwrap_or(0) as u64);
        Ok(())
    })?;
    Ok(out)
}

/// Items of `ids` with their meta, in `order_item_id` order; an item whose
/// tax data is corrupt is an error naming the order.
fn load_items(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
) -> Result<HashMap<u64, Vec<Result<OrderItem, ReadError>>>, ReadError> {
    // Items and their meta in one join: one query per chunk of orders
    // rather than one for the items and more for their (many more) ids.
    let sql = format!(
        "SELECT i.order_id, i.order_item_id, i.order_item_name, i.order_item_type, \
           m.meta_id, m.meta_key, m.meta_value \
         FROM {} i LEFT JOIN {} m ON m.order_item_id = i.order_item_id \
         WHERE i.order_id IN ({{in}})",
        tables.order_items.quoted(),
        tables.order_itemmeta.quoted()
    );
    // No ORDER BY: sorting rows that carry a longtext makes MariaDB build an
    // on-disk temporary table (it doubled the query's time); the rows are
    // put in `order_item_id` / `meta_id` order here instead.
    let mut rows: Vec<(u64, u64, String, String)> = Vec::new();
    let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let mut meta: HashMap<u64, Vec<RawMeta>> = HashMap::new();
    for_ids(db, &sql, ids, |row| {
        let item_id = row.i64(1)?.unwrap_or(0) as u64;
        if seen.insert(item_id) {
            rows.push((
                row.i64(0)?.unwrap_or(0) as u64,
                item_id,
                String::from_utf8_lossy(row.bytes(2)?.unwrap_or_default()).into_owned(),
                row.str(3)?.unwrap_or("").to_owned(),
            ));
        }
        // No meta row: the LEFT JOIN's NULLs.
        if let Some(meta_id) = row.i64(4)? {
            let key = String::from_utf8_lossy(row.bytes(5)?.unwrap_or_default()).into_owned();
            meta.entry(item_id)
                .or_default()
                .push(RawMeta::new(meta_id as u64, key, row.bytes(6)?));
        }
        Ok(())
    })?;
    rows.sort_unstable_by_key(|r| r.1);
    sort_meta(&mut meta);
    let mut out: HashMap<u64, Vec<Result<OrderItem, ReadError>>> = HashMap::new();
    for (order_id, item_id, name, item_type) in rows {
        let m = meta.remove(&item_id).unwrap_or_default();
        let taxes_key = match item_type.as_str() {
            "line_item" | "fee" => Some("_line_tax_data"),
            "shipping" => Some("taxes"),
            _ => None,
        };
        let taxes = match taxes_key {
            Some(k) => decoded(&m, k, &tables.order_itemmeta, order_id)
                .map(|v| tax_data(v.as_ref()))
                .map_err(|e| match e {
                    ReadError::Row {
                        table,
                        column,
                        problem,
                        ..
                    } => ReadError::Row {
                        table,
                        id: order_id,
                        column: format!("{column} (order item {item_id})"),
                        problem,
                    },
                    other => other,
                }),
            None => Ok(None),
        };
        out.entry(order_id)
            .or_default()
            .push(taxes.map(|taxes| OrderItem {
                id: item_id,
                name,
                item_type,
                meta: m.into_iter().map(|r| r.row).collect(),
                taxes,
            }));
    }
    Ok(out)
}

fn s(row: &Row, i: usize) -> Result<String, ReadError> {
    Ok(String::from_utf8_lossy(row.bytes(i)?.unwrap_or_default()).into_owned())
}

fn gmt(row: &Row, i: usize) -> Result<Option<String>, ReadError> {
    Ok(row
        .str(i)?
        .filter(|v| !v.is_empty() && !v.starts_with("0000-00-00"))
        .map(str::to_owned))
}

fn hpos_heads(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
) -> Result<HashMap<u64, Result<Head, ReadError>>, ReadError> {
    let sql = format!(
        "SELECT o.id, o.parent_order_id, o.type, o.status, o.currency, o.tax_amount, o.total_amount, \
           o.customer_id, o.date_created_gmt, o.date_updated_gmt, o.payment_method, o.payment_method_title, \
           o.transaction_id, o.ip_address, o.user_agent, o.customer_note, \
           op.order_id, op.woocommerce_version, op.prices_include_tax, op.date_paid_gmt, op.date_completed_gmt, \
           op.discount_total_amount, op.discount_tax_amount, op.shipping_total_amount, op.shipping_tax_amount, \
           op.order_key, op.created_via, op.cart_hash \
         FROM {} o LEFT JOIN {} op ON op.order_id = o.id WHERE o.id IN ({{in}})",
        tables.wc_orders.quoted(),
        tables.wc_order_operational_data.quoted()
    );
    let mut out = HashMap::new();
    for_ids(db, &sql, ids, |row| {
        let id = row.i64(0)?.unwrap_or(0) as u64;
        let has_op = row.bytes(16)?.is_some();
        let money =
            |i: usize| -> Result<String, ReadError> { Ok(row.str(i)?.unwrap_or("0").to_owned()) };
        let date =
            |i: usize| -> Result<Option<DbDate>, ReadError> { Ok(gmt(row, i)?.map(DbDate::Gmt)) };
        let rec = OrderRecord {
            id,
            parent_id: row.i64(1)?.unwrap_or(0) as u64,
            order_type: s(row, 2)?,
            status: s(row, 3)?,
            currency: s(row, 4)?,
            version: s(row, 17)?,
            prices_include_tax: if has_op {
                row.i64(18)?.map(|v| v != 0)
            } else {
                None
            },
            date_created_gmt: gmt(row, 8)?,
            date_modified_gmt: gmt(row, 9)?,
            date_paid: date(19)?,
            date_completed: date(20)?,
            discount_total: money(21)?,
            discount_tax: money(22)?,
            shipping_total: money(23)?,
            shipping_tax: money(24)?,
            cart_tax: s(row, 5)?,
            total: s(row, 6)?,
            customer_id: row.i64(7)?.unwrap_or(0).max(0) as u64,
            order_key: s(row, 25)?,
            payment_method: s(row, 10)?,
            payment_method_title: s(row, 11)?,
            transaction_id: s(row, 12)?,
            customer_ip_address: s(row, 13)?,
            customer_user_agent: s(row, 14)?,
            created_via: s(row, 26)?,
            customer_note: s(row, 15)?,
            cart_hash: s(row, 27)?,
            ..OrderRecord::default()
        };
        out.insert(id, Ok(Head { rec }));
        Ok(())
    })?;

    let sql = format!(
        "SELECT order_id, address_type, first_name, last_name, company, address_1, address_2, city, state, \
         postcode, country, email, phone FROM {} WHERE order_id IN ({{in}}) ORDER BY id",
        tables.wc_order_addresses.quoted()
    );
    for_ids(db, &sql, ids, |row| {
        let id = row.i64(0)?.unwrap_or(0) as u64;
        let kind = s(row, 1)?;
        let address = Address {
            first_name: s(row, 2)?,
            last_name: s(row, 3)?,
            company: s(row, 4)?,
            address_1: s(row, 5)?,
            address_2: s(row, 6)?,
            city: s(row, 7)?,
            state: s(row, 8)?,
            postcode: s(row, 9)?,
            country: s(row, 10)?,
            email: row
                .bytes(11)?
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            phone: s(row, 12)?,
        };
        if let Some(Ok(head)) = out.get_mut(&id) {
            match kind.as_str() {
                "billing" => head.rec.billing = address,
                "shipping" => head.rec.shipping = address,
                _ => {}
            }
        }
        Ok(())
    })?;

    let sql = format!(
        "SELECT order_id, id, meta_key, meta_value FROM {} WHERE order_id IN ({{in}})",
        tables.wc_orders_meta.quoted()
    );
    let mut meta = HashMap::new();
    for_ids(db, &sql, ids, |row| collect_meta(row, &mut meta))?;
    // In `id` order, sorted here rather than by a filesort of the values.
    sort_meta(&mut meta);
    for (id, m) in meta {
        if let Some(Ok(head)) = out.get_mut(&id) {
            head.rec.meta = m.into_iter().map(|r| r.row).collect();
        }
    }
    Ok(out)
}

/// Postmeta keys that posts storage uses for what HPOS keeps in columns:
/// they fill the record's fields and stay out of `meta`.
const POSTS_COLUMN_KEYS: &[&str] = &[
    "_customer_user",
    "_order_key",
    "_order_currency",
    "_order_total",
    "_order_tax",
    "_order_shipping",
    "_order_shipping_tax",
    "_cart_discount",
    "_cart_discount_tax",
    "_prices_include_tax",
    "_order_version",
    "_payment_method",
    "_payment_method_title",
    "_transaction_id",
    "_customer_ip_address",
    "_customer_user_agent",
    "_created_via",
    "_cart_hash",
    "_date_paid",
    "_date_completed",
    "_paid_date",
    "_completed_date",
    "_recorded_sales",
    "_recorded_coupon_usage_counts",
    "_download_permissions_granted",
    "_order_stock_reduced",
    "_new_order_email_sent",
    "_billing_first_name",
    "_billing_last_name",
    "_billing_company",
    "_billing_address_1",
    "_billing_address_2",
    "_billing_city",
    "_billing_state",
    "_billing_postcode",
    "_billing_country",
    "_billing_email",
    "_billing_phone",
    "_shipping_first_name",
    "_shipping_last_name",
    "_shipping_company",
    "_shipping_address_1",
    "_shipping_address_2",
    "_shipping_city",
    "_shipping_state",
    "_shipping_postcode",
    "_shipping_country",
    "_shipping_phone",
];

fn posts_address(m: &[RawMeta], kind: &str) -> Address {
    let f = |k: &str| text(m, &format!("_{kind}_{k}")).to_owned();
    Address {
        first_name: f("first_name"),
        last_name: f("last_name"),
        company: f("company"),
        address_1: f("address_1"),
        address_2: f("address_2"),
        city: f("city"),
        state: f("state"),
        postcode: f("postcode"),
        country: f("country"),
        email: (kind == "billing")
            .then(|| super::decode::first(m, "_billing_email"))
            .flatten()
            .and_then(|r| r.row.value.as_text().map(str::to_owned)),
        phone: f("phone"),
    }
}

fn posts_date(
    m: &[RawMeta],
    timestamp_key: &str,
    legacy_key: &str,
    table: &TableName,
    id: u64,
) -> Result<Option<DbDate>, ReadError> {
    let ts = text(m, timestamp_key);
    if !ts.is_empty() {
        return ts
            .trim()
            .parse::<i64>()
            .map(|t| Some(DbDate::Timestamp(t)))
            .map_err(|_| {
                ReadError::row(
                    table,
                    id,
                    format!("meta_value of {timestamp_key}"),
                    format!("not a Unix timestamp: '{ts}'"),
                )
            });
    }
    let legacy = text(m, legacy_key);
    Ok((!legacy.is_empty() && !legacy.starts_with("0000-00-00"))
        .then(|| DbDate::SiteLocal(legacy.to_owned())))
}

fn posts_heads(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
) -> Result<HashMap<u64, Result<Head, ReadError>>, ReadError> {
    let sql = format!(
        "SELECT ID, post_parent, post_type, post_status, post_date_gmt, post_modified_gmt, post_excerpt \
         FROM {} WHERE ID IN ({{in}})",
        tables.posts.quoted()
    );
    let mut rows = Vec::new();
    for_ids(db, &sql, ids, |row| {
        rows.push((
            row.i64(0)?.unwrap_or(0) as u64,
            row.i64(1)?.unwrap_or(0) as u64,
            s(row, 2)?,
            s(row, 3)?,
            gmt(row, 4)?,
            gmt(row, 5)?,
            s(row, 6)?,
        ));
        Ok(())
    })?;
    let mut meta = super::products::load_postmeta(db, tables, ids, None)?;
    let mut out = HashMap::new();
    for (id, parent_id, order_type, status, created, modified, excerpt) in rows {
        let m = meta.remove(&id).unwrap_or_default();
        let t = |k: &str| text(&m, k).to_owned();
        let money = |k: &str| {
            let v = text(&m, k);
            if v.is_empty() {
                "0".to_owned()
            } else {
                v.to_owned()
            }
        };
        let table = &tables.postmeta;
        let head = (|| {
            Ok(Head {
                rec: OrderRecord {
                    id,
                    parent_id,
                    order_type,
                    status,
                    currency: t("_order_currency"),
                    version: t("_order_version"),
                    prices_include_tax: super::decode::first(&m, "_prices_include_tax")
                        .map(|r| r.row.value.as_text() == Some("yes")),
                    date_created_gmt: created,
                    date_modified_gmt: modified,
                    date_paid: posts_date(&m, "_date_paid", "_paid_date", table, id)?,
                    date_completed: posts_date(
                        &m,
                        "_date_completed",
                        "_completed_date",
                        table,
                        id,
                    )?,
                    discount_total: money("_cart_discount"),
                    discount_tax: money("_cart_discount_tax"),
                    shipping_total: money("_order_shipping"),
                    shipping_tax: money("_order_shipping_tax"),
                    cart_tax: t("_order_tax"),
                    total: t("_order_total"),
                    customer_id: super::decode::leading_int(text(&m, "_customer_user")).max(0)
                        as u64,
                    order_key: t("_order_key"),
                    billing: posts_address(&m, "billing"),
                    shipping: posts_address(&m, "shipping"),
                    payment_method: t("_payment_method"),
                    payment_method_title: t("_payment_method_title"),
                    transaction_id: t("_transaction_id"),
                    customer_ip_address: t("_customer_ip_address"),
                    customer_user_agent: t("_customer_user_agent"),
                    created_via: t("_created_via"),
                    customer_note: excerpt,
                    cart_hash: t("_cart_hash"),
                    meta: m
                        .iter()
                        .filter(|r| !POSTS_COLUMN_KEYS.contains(&r.row.key.as_str()))
                        .map(|r| r.row.clone())
                        .collect(),
                    ..OrderRecord::default()
                },
            })
        })();
        out.insert(id, head);
    }
    Ok(out)
}
