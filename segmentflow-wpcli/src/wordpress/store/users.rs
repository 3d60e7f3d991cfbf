//! Plain WordPress users (for `identify` events) and guest customers (for
//! local features: segments, attribution).
//!
//! * Users: every `users` row that is a member of the blog, in
//!   `(user_registered, ID)` order, with `first_name`/`last_name` usermeta
//!   (read per page, or for a whole run in one pass: [`NameReads`]).
//! * Guests: the distinct billing emails of orders without a customer
//!   (`customer_id = 0`), lower-cased and trimmed in SQL (SQLite's `LOWER`
//!   folds ASCII only), in email order; each with its order count, paid
//!   total and first/last order dates. The cursor is the last email.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::super::db::{Db, Param};
use super::customers::{ORDER_STATUSES, PAID_STATUSES};
use super::decode::decimal_sum;
use super::members::{Registered, ZERO_REGISTERED, members, next_page, user_key};
use super::paging::Page;
use super::products::for_ids;
use super::site::OrderStorage;
use super::{Cursor, MAX_IN, Paged, ReadError, Tables, placeholders};

/// A WordPress user as an `identify` event needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WpUser {
    /// `ID`.
    pub id: u64,
    /// `user_login`.
    pub login: String,
    /// `user_email`.
    pub email: String,
    /// `first_name` usermeta.
    pub first_name: String,
    /// `last_name` usermeta.
    pub last_name: String,
    /// `display_name`.
    pub display_name: String,
    /// `user_registered` (GMT), `None` for a zero date.
    pub registered_gmt: Option<String>,
}

/// The checkpoint key of a user.
pub fn user_checkpoint(u: &WpUser) -> Cursor {
    Cursor::new(u.registered_gmt.clone().unwrap_or_default(), u.id)
}

/// Users of the blog after `after`.
pub fn users<'db>(
    db: &'db mut Db,
    tables: &'db Tables,
    after: Option<Cursor>,
    page_size: usize,
) -> Paged<'db, WpUser> {
    users_of(db, tables, None, after, page_size)
}

/// [`users`] over the users' keys already read with
/// [`super::members::members`] (`None`: read them on the first page), in
/// `(user_registered, ID)` order: `user_registered` has no index, so
/// paging in SQL sorted every member for each window of keys.
pub fn users_of<'db>(
    db: &'db mut Db,
    tables: &'db Tables,
    keys: Option<Vec<(Registered, u64)>>,
    after: Option<Cursor>,
    page_size: usize,
) -> Paged<'db, WpUser> {
    users_with(db, tables, keys, after, page_size, NameReads::Auto)
}

/// How a users reader reads first and last names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameReads {
    /// Every name row in one pass when that is cheaper (see
    /// [`names_in_one_pass`]), else per page.
    Auto,
    /// Every name row in one pass, whatever the count.
    OnePass,
    /// Per page of users.
    PerPage,
}

/// Fewest users left to read for [`NameReads::Auto`] to read the names in
/// one pass: below it the per-page reads cost little anyway.
pub const ONE_PASS_MIN_USERS: usize = 2_000;

/// Most users for a one-pass read of names, so that what it keeps stays
/// bounded (the 250k-user bench store's users run peaked 8.5 MB higher
/// with it; twice the users, about twice that).
pub const ONE_PASS_MAX_USERS: usize = 500_000;

/// Whether [`NameReads::Auto`] reads the names of `pending` users out of
/// `all_users` rows in one pass. `usermeta` has no `(user_id, meta_key)`
/// index: a page's name query reads every meta row of its users (≈ 35
/// each in a WooCommerce store) to keep two, while one pass over the
/// `meta_key` index reads the name rows alone — of every user, hence only
/// when most of them are wanted (not for one small blog of a network).
pub fn names_in_one_pass(pending: usize, all_users: u64) -> bool {
    (ONE_PASS_MIN_USERS..=ONE_PASS_MAX_USERS).contains(&pending)
        && (pending as u64).saturating_mul(2) >= all_users
}

/// [`users_of`] with the names read as `names` says.
pub fn users_with<'db>(
    db: &'db mut Db,
    tables: &'db Tables,
    keys: Option<Vec<(Registered, u64)>>,
    after: Option<Cursor>,
    page_size: usize,
    names: NameReads,
) -> Paged<'db, WpUser> {
    let mut pending: Option<std::vec::IntoIter<(Registered, u64)>> = None;
    let mut keys = keys;
    let mut all_names: Option<Names> = None;
    Paged::new(db, after, move |db, cursor| {
        let pending = match &mut pending {
            Some(p) => p,
            None => {
                let mut all = match keys.take() {
                    Some(all) => all,
                    None => members(db, tables)?.users,
                };
                let start = cursor.map(user_key);
                all.retain(|k| start.is_none_or(|s| *k > s));
                all.sort_unstable();
                let one_pass = match names {
                    NameReads::OnePass => true,
                    NameReads::PerPage => false,
                    // The size test first, so a small run asks for no count.
                    NameReads::Auto => {
                        all.len() >= ONE_PASS_MIN_USERS
                            && names_in_one_pass(all.len(), count_users(db, tables)?)
                    }
                };
                if one_pass {
                    all_names = Some(Names::of_all(db, tables)?);
                }
                pending.insert(all.into_iter())
            }
        };
        let all_names = all_names.as_ref();
        next_page(
            db,
            pending,
            page_size,
            |db, ids| load_users(db, tables, ids, all_names),
            |(k, id)| {
                let text = if *k == ZERO_REGISTERED {
                    String::new()
                } else {
                    String::from_utf8_lossy(k).into_owned()
                };
                Cursor::new(text, *id)
            },
        )
    })
}

/// Rows in the `users` table (an index-only count).
fn count_users(db: &mut Db, tables: &Tables) -> Result<u64, ReadError> {
    super::paging::count(
        db,
        &format!("SELECT COUNT(*) FROM {}", tables.users.quoted()),
        &[],
    )
}

/// Reads the users `ids` with their first and last names (from
/// `all_names` when given, else read for `ids`), in the given order; a user
/// gone since its key was read is a row error.
fn load_users(
    db: &mut Db,
    tables: &Tables,
    ids: &[u64],
    all_names: Option<&Names>,
) -> Result<Vec<Result<WpUser, ReadError>>, ReadError> {
    let mut found = HashMap::new();
    let sql = format!(
        "SELECT ID, user_login, user_email, display_name, user_registered FROM {} WHERE ID IN ({{in}})",
        tables.users.quoted()
    );
    for_ids(db, &sql, ids, |row| {
        let id = row.i64(0)?.unwrap_or(0) as u64;
        let s = |i| -> Result<String, ReadError> { Ok(row.str(i)?.unwrap_or("").to_owned()) };
        found.insert(
            id,
            WpUser {
                id,
                login: s(1)?,
                email: s(2)?,
                first_name: String::new(),
                last_name: String::new(),
                display_name: s(3)?,
                registered_gmt: row
                    .str(4)?
                    .filter(|d| !d.starts_with("0000-00-00"))
                    .map(str::to_owned),
            },
        );
        Ok(())
    })?;
    let page_names;
    let names = match all_names {
        Some(names) => names,
        None => {
            page_names = Names::of(db, tables, ids)?;
            &page_names
        }
    };
    for u in found.values_mut() {
        let (first, last) = names.get(u.id);
        u.first_name = first.to_owned();
        u.last_name = last.to_owned();
    }
    Ok(ids
        .iter()
        .map(|id| {
            found.remove(id).ok_or_else(|| {
                ReadError::row(&tables.users, *id, "ID", "the user no longer exists")
            })
        })
        .collect())
}

/// Users' `first_name` and `last_name` usermeta: the row with the lowest
/// `umeta_id` of each (what `get_user_meta( $id, $key, true )` returns),
/// text kept in one buffer.
#[derive(Debug, Default)]
struct Names {
    text: String,
    by_user: HashMap<u64, [NameRef; 2]>,
}

/// Where one name is in [`Names::text`], and the row it came from.
#[derive(Debug, Clone, Copy)]
struct NameRef {
    umeta_id: u64,
    start: usize,
    end: usize,
}

impl Default for NameRef {
    fn default() -> NameRef {
        // No row yet: any row's id is lower.
        NameRef {
            umeta_id: u64::MAX,
            start: 0,
            end: 0,
        }
    }
}

/// The name rows' columns, after `SELECT` (the `WHERE` adds the rest).
const NAME_ROWS: &str = "SELECT user_id, umeta_id, meta_key, meta_value FROM";

impl Names {
    /// The names of `ids`: their meta rows through the `user_id` index.
    fn of(db: &mut Db, tables: &Tables, ids: &[u64]) -> Result<Names, ReadError> {
        let mut names = Names::default();
        let sql = format!(
            "{NAME_ROWS} {} WHERE user_id IN ({{in}}) AND meta_key IN ('first_name', 'last_name')",
            tables.usermeta.quoted()
        );
        for_ids(db, &sql, ids, |row| names.add(row))?;
        Ok(names)
    }

    /// The names of every user: the name rows through the `meta_key`
    /// index, in one query.
    fn of_all(db: &mut Db, tables: &Tables) -> Result<Names, ReadError> {
        let mut names = Names::default();
        let sql = format!(
            "{NAME_ROWS} {} WHERE meta_key IN ('first_name', 'last_name')",
            tables.usermeta.quoted()
        );
        db.query_rows(&sql, &[], |row| names.add(row))?;
        Ok(names)
    }

    /// Takes one `(user_id, umeta_id, meta_key, meta_value)` row.
    fn add(&mut self, row: &super::super::db::Row) -> Result<(), ReadError> {
        let which = match row.bytes(2)? {
            Some(b"first_name") => 0,
            Some(b"last_name") => 1,
            _ => return Ok(()),
        };
        let user = row.i64(0)?.unwrap_or(0) as u64;
        let umeta_id = row.i64(1)?.unwrap_or(0) as u64;
        let slot = &mut self.by_user.entry(user).or_default()[which];
        if umeta_id < slot.umeta_id {
            let start = self.text.len();
            self.text
                .push_str(&String::from_utf8_lossy(row.bytes(3)?.unwrap_or_default()));
            *slot = NameRef {
                umeta_id,
                start,
                end: self.text.len(),
            };
        }
        Ok(())
    }

    /// `(first_name, last_name)` of `user`, empty when it has none.
    fn get(&self, user: u64) -> (&str, &str) {
        let text = |r: &NameRef| self.text.get(r.start..r.end).unwrap_or("");
        match self.by_user.get(&user) {
            Some([first, last]) => (text(first), text(last)),
            None => ("", ""),
        }
    }
}

/// A guest customer: the orders of one billing email without an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuestCustomer {
    /// Billing email, trimmed and lower-cased.
    pub email: String,
    /// Orders in a registered status.
    pub order_count: u64,
    /// Sum of totals of paid orders (8 decimals).
    pub total_spent: String,
    /// First order's creation date (GMT).
    pub first_order_gmt: Option<String>,
    /// Last order's creation date (GMT).
    pub last_order_gmt: Option<String>,
}

/// Guest customers with an email after `after`.
pub fn guests<'db>(
    db: &'db mut Db,
    tables: &'db Tables,
    storage: OrderStorage,
    after: Option<String>,
    page_size: usize,
) -> Paged<'db, GuestCustomer> {
    let start = after.map(|email| Cursor::new(email, 0));
    Paged::new(db, start, move |db, cursor| {
        // (email expression, FROM … WHERE guest orders)
        let (email, from, status, total, created) = match storage {
            OrderStorage::Hpos => (
                "LOWER(TRIM(o.billing_email))".to_owned(),
                format!(
                    "{} o WHERE o.type = 'shop_order' AND COALESCE(o.customer_id, 0) = 0",
                    tables.wc_orders.quoted()
                ),
                "o.status",
                "o.total_amount",
                "o.date_created_gmt",
            ),
            OrderStorage::Posts => (
                format!(
                    "LOWER(TRIM((SELECT e.meta_value FROM {pm} e WHERE e.post_id = o.ID AND e.meta_key = '_billing_email' ORDER BY e.meta_id LIMIT 1)))",
                    pm = tables.postmeta.quoted()
                ),
                format!(
                    "{posts} o WHERE o.post_type = 'shop_order' AND NOT EXISTS (SELECT 1 FROM {pm} c WHERE c.post_id = o.ID \
                     AND c.meta_key = '_customer_user' AND c.meta_value NOT IN ('', '0'))",
                    posts = tables.posts.quoted(),
                    pm = tables.postmeta.quoted()
                ),
                "o.post_status",
                "(SELECT t.meta_value FROM {pm} t WHERE t.post_id = o.ID AND t.meta_key = '_order_total' ORDER BY t.meta_id LIMIT 1)",
                "o.post_date_gmt",
            ),
        };
        let total = total.replace("{pm}", &tables.postmeta.quoted());
        let mut params: Vec<Param> = Vec::new();
        let mut cond = String::new();
        if let Some(c) = cursor {
            cond = format!(" AND {email} > ?");
            params.push(Param::Str(&c.modified));
        }
        params.push(Param::Int(page_size as i64));
        let sql = format!(
            "SELECT DISTINCT {email} AS e FROM {from} AND {email} IS NOT NULL AND {email} <> ''{cond} ORDER BY e LIMIT ?"
        );
        let mut emails: Vec<String> = Vec::new();
        db.query_rows(&sql, &params, |row| {
            emails.push(row.str(0)?.unwrap_or("").to_owned());
            Ok::<_, ReadError>(())
        })?;
        let mut per: HashMap<String, Vec<(String, String, Option<String>)>> = HashMap::new();
        for chunk in emails.chunks(MAX_IN) {
            let sql = format!(
                "SELECT {email}, {status}, {total}, {created} FROM {from} AND {email} IN ({})",
                placeholders(chunk.len())
            );
            let params: Vec<Param> = chunk.iter().map(|e| Param::Str(e)).collect();
            db.query_rows(&sql, &params, |row| {
                per.entry(row.str(0)?.unwrap_or("").to_owned())
                    .or_default()
                    .push((
                        row.str(1)?.unwrap_or("").to_owned(),
                        row.str(2)?.unwrap_or("").to_owned(),
                        row.str(3)?
                            .filter(|d| !d.starts_with("0000-00-00"))
                            .map(str::to_owned),
                    ));
                Ok::<_, ReadError>(())
            })?;
        }
        let items = emails
            .iter()
            .map(|e| {
                let list = per.remove(e).unwrap_or_default();
                let total = decimal_sum(
                    list.iter()
                        .filter(|(s, _, _)| PAID_STATUSES.contains(&s.as_str()))
                        .map(|(_, t, _)| t.as_str()),
                )
                .map_err(|bad| {
                    ReadError::row(
                        &tables.wc_orders,
                        0,
                        "total",
                        format!("guest {e}: not a decimal: '{bad}'"),
                    )
                })?;
                let dates: Vec<&String> = list.iter().filter_map(|(_, _, d)| d.as_ref()).collect();
                Ok(GuestCustomer {
                    email: e.clone(),
                    order_count: list
                        .iter()
                        .filter(|(s, _, _)| ORDER_STATUSES.contains(&s.as_str()))
                        .count() as u64,
                    total_spent: total,
                    first_order_gmt: dates.iter().min().map(|d| (*d).clone()),
                    last_order_gmt: dates.iter().max().map(|d| (*d).clone()),
                })
            })
            .collect();
        Ok(Page {
            full: emails.len() >= page_size,
            last: emails.last().map(|e| Cursor::new(e.clone(), 0)),
            items,
        })
    })
}
