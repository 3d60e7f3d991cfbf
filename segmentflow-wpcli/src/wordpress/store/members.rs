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

use std::collections::HashMap;

use super::super::db::{Db, Param};
use super::customers::gmt_to_unix;
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
/// module doc).
pub fn members(db: &mut Db, tables: &Tables) -> Result<Members, ReadError> {
    // The first `last_update` row by `umeta_id` counts, as WordPress's
    // `get_user_meta( $id, 'last_update', true )`.
    let mut last_update: HashMap<u64, (u64, i64)> = HashMap::new();
    db.query_rows(
        &format!(
            "SELECT user_id, umeta_id, meta_value FROM {} WHERE meta_key = 'last_update'",
            tables.usermeta.quoted()
        ),
        &[],
        |row| {
            let user = row.i64(0)?.unwrap_or(0) as u64;
            let umeta = row.i64(1)?.unwrap_or(0) as u64;
            let t = last_update_time(row.str(2)?.unwrap_or(""));
            let slot = last_update.entry(user).or_insert((umeta, t));
            if umeta < slot.0 {
                *slot = (umeta, t);
            }
            Ok::<_, ReadError>(())
        },
    )?;
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
    let mut ids = Vec::new();
    db.query_rows(
        &format!(
            "SELECT user_id FROM {} WHERE meta_key = ?",
            tables.usermeta.quoted()
        ),
        &[Param::Str(&tables.capabilities_key())],
        |row| {
            let id = row.i64(0)?.unwrap_or(0) as u64;
            if registered.contains_key(&id) {
                ids.push(id);
            }
            Ok::<_, ReadError>(())
        },
    )?;
    ids.sort_unstable();
    ids.dedup();
    Ok(Members {
        customers: ids
            .iter()
            .map(|id| (last_update.get(id).map_or(0, |&(_, t)| t), *id))
            .collect(),
        users: ids
            .iter()
            .map(|id| (registered.get(id).copied().unwrap_or(ZERO_REGISTERED), *id))
            .collect(),
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
