//! Registered customers: `users` rows with their usermeta, this blog's
//! roles, and the order aggregates of the customers endpoint.
//!
//! Which users: every member of the blog (a `{blog prefix}capabilities`
//! usermeta row), administrators included — WooCommerce's
//! `customer.updated` webhook fires on `profile_update` for any user, and
//! the REST customer JSON is built for whoever it is. Guests are not REST
//! customers (see [`super::users::guests`]).
//!
//! Order: `(last_update, ID)` — `last_update` is the Unix time WooCommerce
//! stamps on every customer save (REST `date_modified`); users without one
//! sort first (as time 0). The cursor's `modified` is that time as a GMT
//! date-time.
//!
//! Aggregates are recomputed, never read from WooCommerce's caches:
//! `order_count` counts the user's order rows in a registered status;
//! `total_spent` sums `total` of those in `processing`/`completed`, exactly
//! (written with 8 decimals as MySQL sums a `decimal(26,8)` column, in both
//! storages).

use std::collections::HashMap;

use segmentflow_core::php::Value;
use segmentflow_core::store::{CustomerRecord, DbDate};

use super::super::db::{Db, Param};
use super::decode::{collect_meta, decimal_sum, decoded, first, key_string, php_bool, sort_meta};
use super::members::{customer_key, next_page};
use super::products::for_ids;
use super::site::OrderStorage;
use super::{Cursor, Paged, ReadError, Tables};

/// The statuses of `wc_get_order_statuses()` (WooCommerce core).
pub const ORDER_STATUSES: &[&str] = &[
    "wc-pending",
    "wc-processing",
    "wc-on-hold",
    "wc-completed",
    "wc-cancelled",
    "wc-refunded",
    "wc-failed",
    "wc-checkout-draft",
];

/// The paid statuses (`wc_get_is_paid_statuses()`).
pub const PAID_STATUSES: &[&str] = &["wc-processing", "wc-completed"];

/// A Unix time as a GMT `YYYY-MM-DD HH:MM:SS`.
pub fn unix_to_gmt(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A GMT `YYYY-MM-DD HH:MM:SS` as a Unix time.
pub fn gmt_to_unix(s: &str) -> Option<i64> {
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<i64>().ok());
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = if s.len() >= 19 {
        (n(11..13)?, n(14..16)?, n(17..19)?)
    } else {
        (0, 0, 0)
    };
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// The checkpoint key of a customer record.
pub fn checkpoint(c: &CustomerRecord) -> Cursor {
    let t = match &c.last_update {
        Some(DbDate::Timestamp(t)) => *t,
        _ => 0,
    };
    Cursor::new(unix_to_gmt(t), c.id)
}

/// Customers after `after`, with `last_update` at or after `since` (GMT).
pub fn customers<'db>(
    db: &'db mut Db,
    tables: &'db Tables,
    storage: OrderStorage,
    after: Option<Cursor>,
    since: Option<String>,
    page_size: usize,
) -> Paged<'db, CustomerRecord> {
    customers_of(db, tables, storage, None, after, since, page_size)
}

/// [`customers`] over the customers' keys already read with
/// [`super::members::members`] (`None`: read them on the first page) — so
/// that a sync that counted the unchanged customers does not read every
/// key twice.
pub fn customers_of<'db>(
    db: &'db mut Db,
    tables: &'db Tables,
    storage: OrderStorage,
    members: Option<Vec<(i64, u64)>>,
    after: Option<Cursor>,
    since: Option<String>,
    page_size: usize,
) -> Paged<'db, CustomerRecord> {
    // All keys after the start, sorted, computed on the first page.
    let mut keys: Option<std::vec::IntoIter<(i64, u64)>> = None;
    let mut members = members;
    Paged::new(db, after, move |db, cursor| {
        let pending = match &mut keys {
            Some(k) => k,
            None => {
                let mut all = match members.take() {
                    Some(all) => all,
                    None => super::members::members(db, tables)?.customers,
                };
                let start = cursor.map(customer_key);
                let since = since.as_deref().map(|s| gmt_to_unix(s).unwrap_or(0));
                all.retain(|&(k, id)| {
                    start.is_none_or(|s| (k, id) > s) && since.is_none_or(|s| k >= s)
                });
                all.sort_unstable();
                keys.insert(all.into_iter())
            }
        };
        next_page(
            db,
            pending,
            page_size,
            |db, ids| load_customers(db, tables, storage, ids),
            |&(k, id)| Cursor::new(unix_to_gmt(k), id),
        )
    })
}

/// Reads the customer records of `ids`, in the given order.
pub fn load_customers(
    db: &mut Db,
    tables: &Tables,
    storage: OrderStorage,
    ids: &[u64],
) -> Result<Vec<Result<CustomerRecord, ReadError>>, ReadError> {
    let sql = format!(
        "SELECT ID, user_login, user_email, user_registered, display_name FROM {} WHERE ID IN ({{in}})",
        tables.users.quoted()
    );
    let mut users = HashMap::new();
    for_ids(db, &sql, ids, |row| {
        let id = row.i64(0)?.unwrap_or(0) as u64;
        let s = |i| -> Result<String, ReadError> {
            Ok(String::from_utf8_lossy(row.bytes(i)?.unwrap_or_default()).into_owned())
        };
        users.insert(
            id,
            CustomerRecord {
                id,
                user_login: s(1)?,
                user_email: s(2)?,
                user_registered_gmt: row
                    .str(3)?
                    .filter(|d| !d.is_empty() && !d.starts_with("0000-00-00"))
                    .map(str::to_owned),
                display_name: s(4)?,
                table_prefix: tables.blog_prefix.clone(),
                total_spent: "0.00000000".into(),
                ..CustomerRecord::default()
            },
        );
        Ok(())
    })?;

    let sql = format!(
        "SELECT user_id, umeta_id, meta_key, meta_value FROM {} WHERE user_id IN ({{in}})",
        tables.usermeta.quoted()
    );
    let mut meta = HashMap::new();
    for_ids(db, &sql, ids, |row| collect_meta(row, &mut meta))?;
    // In umeta_id order, sorted here rather than by a filesort of the values.
    sort_meta(&mut meta);

    // Orders of these customers: (customer, status, total).
    let mut orders: HashMap<u64, Vec<(String, String)>> = HashMap::new();
    match storage {
        OrderStorage::Hpos => {
            let sql = format!(
                "SELECT customer_id, status, total_amount FROM {} WHERE customer_id IN ({{in}})",
                tables.wc_orders.quoted()
            );
            for_ids(db, &sql, ids, |row| {
                orders
                    .entry(row.i64(0)?.unwrap_or(0) as u64)
                    .or_default()
                    .push((
                        row.str(1)?.unwrap_or("").to_owned(),
                        row.str(2)?.unwrap_or("").to_owned(),
                    ));
                Ok(())
            })?;
        }
        OrderStorage::Posts => {
            let sql = format!(
                "SELECT pm.meta_value, p.post_status, \
                   (SELECT t.meta_value FROM {pm} t WHERE t.post_id = p.ID AND t.meta_key = '_order_total' ORDER BY t.meta_id LIMIT 1) \
                 FROM {posts} p JOIN {pm} pm ON pm.post_id = p.ID AND pm.meta_key = '_customer_user' \
                 WHERE p.post_type IN ('shop_order', 'shop_order_refund') AND pm.meta_value IN ({{in}})",
                pm = tables.postmeta.quoted(),
                posts = tables.posts.quoted(),
            );
            let id_strings: Vec<String> = ids.iter().map(u64::to_string).collect();
            for chunk in id_strings.chunks(super::MAX_IN) {
                let sql = sql.replace("{in}", &super::placeholders(chunk.len()));
                let params: Vec<Param> = chunk.iter().map(|s| Param::Str(s)).collect();
                db.query_rows(&sql, &params, |row| {
                    let cid = super::decode::leading_int(row.str(0)?.unwrap_or("0"));
                    orders.entry(cid.max(0) as u64).or_default().push((
                        row.str(1)?.unwrap_or("").to_owned(),
                        row.str(2)?.unwrap_or("").to_owned(),
                    ));
                    Ok::<_, ReadError>(())
                })?;
            }
        }
    }

    let cap_key = tables.capabilities_key();
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let Some(mut rec) = users.remove(&id) else {
            out.push(Err(ReadError::row(
                &tables.users,
                id,
                "ID",
                "the user no longer exists",
            )));
            continue;
        };
        let m = meta.remove(&id).unwrap_or_default();
        let caps = match decoded(&m, &cap_key, &tables.usermeta, id) {
            Ok(v) => v,
            Err(e) => {
                out.push(Err(e));
                continue;
            }
        };
        if let Some(Value::Array(entries)) = &caps {
            rec.capabilities = entries
                .iter()
                .map(|(k, v)| (key_string(k), php_bool(v)))
                .collect();
        }
        rec.last_update = first(&m, "last_update")
            .and_then(|r| r.row.value.as_text())
            .and_then(|s| {
                let s = s.trim();
                s.parse::<i64>()
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().map(|f| f as i64))
            })
            .map(DbDate::Timestamp);
        rec.meta = m.into_iter().map(|r| r.row).collect();
        let list = orders.remove(&id).unwrap_or_default();
        rec.order_count = list
            .iter()
            .filter(|(st, _)| ORDER_STATUSES.contains(&st.as_str()))
            .count() as u64;
        match decimal_sum(
            list.iter()
                .filter(|(st, _)| PAID_STATUSES.contains(&st.as_str()))
                .map(|(_, total)| total.as_str()),
        ) {
            Ok(sum) => rec.total_spent = sum,
            Err(bad) => {
                out.push(Err(ReadError::row(
                    &tables.wc_orders,
                    id,
                    "total_amount",
                    format!("not a decimal: '{bad}'"),
                )));
                continue;
            }
        }
        out.push(Ok(rec));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_round_trip() {
        let cases = [
            (0, "1970-01-01 00:00:00"),
            (1_795_818_801, "2026-11-27 22:33:21"),
            (951_782_400, "2000-02-29 00:00:00"),
            (-1, "1969-12-31 23:59:59"),
        ];
        for (t, s) in cases {
            assert_eq!(unix_to_gmt(t), s, "{t}");
            assert_eq!(gmt_to_unix(s), Some(t), "{s}");
        }
        assert_eq!(gmt_to_unix("nope"), None);
    }
}
