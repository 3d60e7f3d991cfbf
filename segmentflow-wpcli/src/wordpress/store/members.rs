//! The blog's members — every user with a `{blog prefix}capabilities`
//! usermeta row and a `users` row — read once with the keys both people
//! readers walk: customers by `(last_update, ID)`, users by
//! `(user_registered, ID)`.
//!
//! Neither key has an index in WordPress, so neither reader can page in
//! SQL without sorting every member on every page (and a no-change sync
//! would count them with such scans too). Instead three scans are joined
//! here, in memory: the capabilities rows and the `last_update` rows (both
//! ranges of the usermeta `meta_key` index) and the `users` primary key
//! with `user_registered`. As one SQL join, MariaDB walked every user's
//! meta by `user_id` (all 8M usermeta rows of the 1M-order bench store:
//! 32 s) to find the capabilities rows.
//!
//! Memory: 16 bytes per member for the customers' keys and 32 for the
//! users', held while a reader walks them.
//!
//! A resumed sync need not read every member: [`fingerprint`] tells
//! whether membership changed since a census, [`customer_keys_after`] and
//! [`user_keys_after`] find the keys past a checkpoint (members or not),
//! and [`members_among`] keeps the members among those.

use std::collections::{HashMap, HashSet};

use super::super::db::{Db, Param};
use super::customers::gmt_to_unix;
use super::paging::Page;
use super::products::for_ids_then;
use super::{Cursor, ReadError, Tables};

/// A `user_registered` value as its `YYYY-MM-DD HH:MM:SS` bytes, which
/// sort as the dates do. The zero date (and a cursor's `""`) is
/// `0000-00-00 00:00:00`, first.
pub type Registered = [u8; 19];

/// The zero `user_registered`.
pub const ZERO_REGISTERED: Registered = *b"0000-00-00 00:00:00";

/// A `user_registered` text (or a users cursor's `modified`) as a key:
/// its first 19 bytes over the zero date's, so `""` is the zero date and
/// a bare `YYYY-MM-DD` is that day's midnight.
pub fn registered_key(text: &[u8]) -> Registered {
    let mut key = ZERO_REGISTERED;
    let n = text.len().min(19);
    key[..n].copy_from_slice(&text[..n]);
    key
}

/// The members of one blog with both readers' keys, unsorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    /// `(last_update as Unix time, ID)` — 0 when absent or not a number,
    /// as [`super::customers::checkpoint`] keys a customer record.
    pub customers: Vec<(i64, u64)>,
    /// `(user_registered, ID)`, as [`super::users::user_checkpoint`] keys
    /// a user.
    pub users: Vec<(Registered, u64)>,
}

/// Reads the members of the blog `tables` names (three scans, see the
/// module doc), one after another on `db`.
pub fn members(db: &mut Db, tables: &Tables) -> Result<Members, ReadError> {
    let last_update = last_updates(db, tables)?;
    let registered = registrations(db, tables)?;
    let caps = capability_holders(db, tables)?;
    Ok(join(caps, &registered, &last_update))
}

/// [`members`] with its three scans at once, one on each connection: they
/// are independent, and each is mostly MariaDB's work (a clustered-index
/// lookup per `usermeta` row found in the `meta_key` index).
pub fn members_on(dbs: [&mut Db; 3], tables: &Tables) -> Result<Members, ReadError> {
    let [a, b, c] = dbs;
    std::thread::scope(|scope| {
        let last_update = scope.spawn(|| last_updates(a, tables));
        let registered = scope.spawn(|| registrations(b, tables));
        let caps = capability_holders(c, tables);
        // A scan cannot panic short of a bug; if one did, so does this.
        let last_update = last_update
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))?;
        let registered = registered
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))?;
        Ok(join(caps?, &registered, &last_update))
    })
}

/// Every `last_update` row's value as a Unix time, by user. The first row
/// by `umeta_id` counts, as WordPress's
/// `get_user_meta( $id, 'last_update', true )`.
fn last_updates(db: &mut Db, tables: &Tables) -> Result<HashMap<u64, (u64, i64)>, ReadError> {
    let mut last_update = HashMap::new();
    last_updates_in(db, tables, None, &mut last_update)?;
    Ok(last_update)
}

/// The `last_update` rows with `umeta_id` in `range` (all without one)
/// into `into`, keeping each user's first by `umeta_id`.
fn last_updates_in(
    db: &mut Db,
    tables: &Tables,
    range: Option<(u64, u64)>,
    into: &mut HashMap<u64, (u64, i64)>,
) -> Result<(), ReadError> {
    let mut sql = format!(
        "SELECT user_id, umeta_id, meta_value FROM {} WHERE meta_key = 'last_update'",
        tables.usermeta.quoted()
    );
    let mut params = Vec::new();
    if let Some((from, to)) = range {
        sql.push_str(" AND umeta_id BETWEEN ? AND ?");
        params.extend([Param::Int(from as i64), Param::Int(to as i64)]);
    }
    db.query_rows(&sql, &params, |row| {
        let user = row.i64(0)?.unwrap_or(0) as u64;
        let umeta = row.i64(1)?.unwrap_or(0) as u64;
        let t = last_update_time(row.str(2)?.unwrap_or(""));
        let slot = into.entry(user).or_insert((umeta, t));
        if umeta < slot.0 {
            *slot = (umeta, t);
        }
        Ok::<_, ReadError>(())
    })
}

/// [`last_updates`] in two halves of the `umeta_id` range at once, one on
/// each connection: the scan is a clustered-index lookup per row, all
/// MariaDB's work, and the rest of a resumed run's counting waits on it.
fn last_updates_on(
    dbs: [&mut Db; 2],
    tables: &Tables,
) -> Result<HashMap<u64, (u64, i64)>, ReadError> {
    let [a, b] = dbs;
    let bounds = a.query_first(
        &format!(
            "SELECT MIN(umeta_id), MAX(umeta_id) FROM {} WHERE meta_key = 'last_update'",
            tables.usermeta.quoted()
        ),
        &[],
    )?;
    let (Some(lo), Some(hi)) = (match &bounds {
        Some(row) => (row.i64(0)?, row.i64(1)?),
        None => (None, None),
    }) else {
        return Ok(HashMap::new());
    };
    let (lo, hi) = (lo.max(0) as u64, hi.max(0) as u64);
    let mid = lo + (hi - lo) / 2;
    let mut first = HashMap::new();
    let mut second = HashMap::new();
    std::thread::scope(|scope| {
        let other = scope.spawn(|| last_updates_in(b, tables, Some((mid + 1, hi)), &mut second));
        let mine = last_updates_in(a, tables, Some((lo, mid)), &mut first);
        other
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
            .and(mine)
    })?;
    // The first half's rows have the lower ids: they win for a user in both.
    for (user, slot) in second {
        first.entry(user).or_insert(slot);
    }
    Ok(first)
}

/// Every user's `user_registered` (a primary-key scan).
fn registrations(db: &mut Db, tables: &Tables) -> Result<HashMap<u64, Registered>, ReadError> {
    let mut registered: HashMap<u64, Registered> = HashMap::new();
    db.query_rows(
        &format!("SELECT ID, user_registered FROM {}", tables.users.quoted()),
        &[],
        |row| {
            let id = row.i64(0)?.unwrap_or(0) as u64;
            registered.insert(id, registered_key(row.bytes(1)?.unwrap_or(b"")));
            Ok::<_, ReadError>(())
        },
    )?;
    Ok(registered)
}

/// The users with a capabilities row for the blog (duplicates possible).
fn capability_holders(db: &mut Db, tables: &Tables) -> Result<Vec<u64>, ReadError> {
    let mut ids = Vec::new();
    db.query_rows(
        &format!(
            "SELECT user_id FROM {} WHERE meta_key = ?",
            tables.usermeta.quoted()
        ),
        &[Param::Str(&tables.capabilities_key())],
        |row| {
            ids.push(row.i64(0)?.unwrap_or(0) as u64);
            Ok::<_, ReadError>(())
        },
    )?;
    Ok(ids)
}

/// The capability holders that are users, with both keys.
fn join(
    mut ids: Vec<u64>,
    registered: &HashMap<u64, Registered>,
    last_update: &HashMap<u64, (u64, i64)>,
) -> Members {
    ids.retain(|id| registered.contains_key(id));
    ids.sort_unstable();
    ids.dedup();
    Members {
        customers: ids
            .iter()
            .map(|id| (last_update.get(id).map_or(0, |&(_, t)| t), *id))
            .collect(),
        users: ids
            .iter()
            .map(|id| (registered.get(id).copied().unwrap_or(ZERO_REGISTERED), *id))
            .collect(),
    }
}

/// What decides membership, summarised from index-only reads: the
/// capabilities rows' count and highest `umeta_id`, and the users' count
/// and highest `ID`.
///
/// WordPress only inserts these rows (with ever-growing auto-increment
/// ids) and deletes them — it never rewrites `user_id`, `meta_key` or `ID`
/// in place — so while the fingerprint reads the same, so does the set of
/// members. An insert raises a highest id; a delete alone lowers a count.
/// (SQL run by hand that inserts below the highest id while deleting, or
/// rewrites ids, goes unseen until `sync --full`.)
pub fn fingerprint(db: &mut Db, tables: &Tables) -> Result<String, ReadError> {
    let caps = db.query_first(
        &format!(
            "SELECT COUNT(*), MAX(umeta_id) FROM {} WHERE meta_key = ?",
            tables.usermeta.quoted()
        ),
        &[Param::Str(&tables.capabilities_key())],
    )?;
    let users = db.query_first(
        &format!("SELECT COUNT(*), MAX(ID) FROM {}", tables.users.quoted()),
        &[],
    )?;
    let pair = |row: Option<super::super::db::Row>| -> Result<(i64, i64), ReadError> {
        Ok(match row {
            Some(r) => (r.i64(0)?.unwrap_or(0), r.i64(1)?.unwrap_or(0)),
            None => (0, 0),
        })
    };
    let (caps_n, caps_max) = pair(caps)?;
    let (users_n, users_max) = pair(users)?;
    Ok(format!(
        "caps {caps_n}/{caps_max}; users {users_n}/{users_max}"
    ))
}

/// The customers' keys after `after` of every user with a `last_update`
/// row, member or not: one scan of the `last_update` rows, in two halves
/// when there is a second connection `other`. Members without one key as
/// time 0, so with `after` at a time above 0 none of them is missing here.
pub fn customer_keys_after(
    db: &mut Db,
    other: Option<&mut Db>,
    tables: &Tables,
    after: (i64, u64),
) -> Result<Vec<(i64, u64)>, ReadError> {
    let last_update = match other {
        Some(other) => last_updates_on([db, other], tables)?,
        None => last_updates(db, tables)?,
    };
    Ok(last_update
        .into_iter()
        .map(|(user, (_, t))| (t, user))
        .filter(|k| *k > after)
        .collect())
}

/// The users' keys after `after` of every user, member or not (a scan of
/// the `users` primary key).
pub fn user_keys_after(
    db: &mut Db,
    tables: &Tables,
    after: (Registered, u64),
) -> Result<Vec<(Registered, u64)>, ReadError> {
    Ok(registrations(db, tables)?
        .into_iter()
        .map(|(id, r)| (r, id))
        .filter(|k| *k > after)
        .collect())
}

/// Which of `ids` are members: a `users` row with a capabilities row for
/// the blog (found through the `user_id` index).
pub fn members_among(db: &mut Db, tables: &Tables, ids: &[u64]) -> Result<HashSet<u64>, ReadError> {
    let mut members = HashSet::new();
    let sql = format!(
        "SELECT u.ID FROM {users} u WHERE u.ID IN ({{in}}) AND EXISTS \
         (SELECT 1 FROM {um} c WHERE c.user_id = u.ID AND c.meta_key = ?)",
        users = tables.users.quoted(),
        um = tables.usermeta.quoted(),
    );
    let cap_key = tables.capabilities_key();
    for_ids_then(db, &sql, ids, &[Param::Str(&cap_key)], |row| {
        members.insert(row.i64(0)?.unwrap_or(0) as u64);
        Ok(())
    })?;
    Ok(members)
}

/// The next page of a reader walking members' keys in memory: the next
/// `page_size` of `pending` (sorted), their records from `load`, and the
/// last key as the readers' cursor (`cursor`).
pub(crate) fn next_page<K, T>(
    db: &mut Db,
    pending: &mut std::vec::IntoIter<(K, u64)>,
    page_size: usize,
    load: impl FnOnce(&mut Db, &[u64]) -> Result<Vec<Result<T, ReadError>>, ReadError>,
    cursor: impl Fn(&(K, u64)) -> Cursor,
) -> Result<Page<T>, ReadError> {
    let page: Vec<(K, u64)> = pending.by_ref().take(page_size).collect();
    let ids: Vec<u64> = page.iter().map(|(_, id)| *id).collect();
    let items = if ids.is_empty() {
        Vec::new()
    } else {
        load(db, &ids)?
    };
    Ok(Page {
        full: pending.len() > 0,
        last: page.last().map(cursor),
        items,
    })
}

/// The `last_update` usermeta value as the key's Unix time: what the
/// customer loader reads into `CustomerRecord::last_update` (so the key
/// equals the record's checkpoint), 0 when it is not a number.
fn last_update_time(value: &str) -> i64 {
    let s = value.trim();
    s.parse::<i64>()
        .ok()
        .or_else(|| s.parse::<f64>().ok().map(|f| f as i64))
        .unwrap_or(0)
}

/// A customers cursor as the key it stands for.
pub fn customer_key(cursor: &Cursor) -> (i64, u64) {
    (gmt_to_unix(&cursor.modified).unwrap_or(0), cursor.id)
}

/// A users cursor as the key it stands for.
pub fn user_key(cursor: &Cursor) -> (Registered, u64) {
    (registered_key(cursor.modified.as_bytes()), cursor.id)
}

/// How many of the customers' keys `keys` ([`Members::customers`]) the
/// customer reader yields at or before `through` (with `last_update` at
/// or after `since`): what a resumed read skips.
pub fn count_customers(keys: &[(i64, u64)], through: &Cursor, since: Option<&str>) -> u64 {
    let through = customer_key(through);
    let since = since.map(|s| gmt_to_unix(s).unwrap_or(0));
    keys.iter()
        .filter(|&&(k, id)| (k, id) <= through && since.is_none_or(|s| k >= s))
        .count() as u64
}

/// How many of the users' keys `keys` ([`Members::users`]) the users
/// reader yields at or before `through` (registered at or after `since`):
/// what a resumed read skips.
pub fn count_users(keys: &[(Registered, u64)], through: &Cursor, since: Option<&str>) -> u64 {
    let through = user_key(through);
    let since = since.map(|s| registered_key(s.as_bytes()));
    keys.iter()
        .filter(|&&(k, id)| (k, id) <= through && since.is_none_or(|s| k >= s))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> Members {
        Members {
            customers: vec![(0, 7), (100, 3), (100, 5), (200, 1)],
            users: vec![
                (ZERO_REGISTERED, 9),
                (registered_key(b"2024-01-01 00:00:00"), 4),
                (registered_key(b"2024-01-01 00:00:00"), 6),
                (registered_key(b"2025-06-30 12:00:00"), 2),
            ],
        }
    }

    #[test]
    fn registered_keys_sort_as_dates_with_the_zero_date_first() {
        assert_eq!(registered_key(b""), ZERO_REGISTERED);
        assert_eq!(&registered_key(b"2024-01-01"), b"2024-01-01 00:00:00");
        assert!(ZERO_REGISTERED < registered_key(b"1970-01-01 00:00:00"));
        assert!(registered_key(b"2024-01-01 00:00:00") < registered_key(b"2024-01-01 00:00:01"));
    }

    #[test]
    fn customers_counted_through_a_cursor_and_since() {
        let m = members();
        let at = |t: i64, id| Cursor::new(super::super::customers::unix_to_gmt(t), id);
        assert_eq!(count_customers(&m.customers, &at(100, 3), None), 2);
        assert_eq!(count_customers(&m.customers, &at(100, 4), None), 2);
        assert_eq!(count_customers(&m.customers, &at(200, 1), None), 4);
        assert_eq!(count_customers(&m.customers, &at(0, 6), None), 0);
        assert_eq!(count_customers(&m.customers, &at(0, 7), None), 1);
        let since = super::super::customers::unix_to_gmt(100);
        assert_eq!(count_customers(&m.customers, &at(200, 1), Some(&since)), 3);
    }

    #[test]
    fn users_counted_through_a_cursor_and_since() {
        let m = members();
        assert_eq!(count_users(&m.users, &Cursor::new("", 9), None), 1);
        assert_eq!(count_users(&m.users, &Cursor::new("", 8), None), 0);
        assert_eq!(
            count_users(&m.users, &Cursor::new("2024-01-01 00:00:00", 4), None),
            2
        );
        assert_eq!(
            count_users(&m.users, &Cursor::new("2024-01-01 00:00:00", 5), None),
            2
        );
        assert_eq!(
            count_users(&m.users, &Cursor::new("2030-01-01 00:00:00", 0), None),
            4
        );
        assert_eq!(
            count_users(
                &m.users,
                &Cursor::new("2030-01-01 00:00:00", 0),
                Some("2024-06-01")
            ),
            1
        );
    }
}
