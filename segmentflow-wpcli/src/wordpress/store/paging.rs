//! Keyset pagination: a resumable cursor and an iterator that loads one
//! page of records at a time.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::super::db::{Db, Param};
use super::ReadError;

/// A checkpoint: the `(modified GMT, id)` of the last record handed out.
/// `modified` is `YYYY-MM-DD HH:MM:SS`, or `""` for a record without a
/// modification date (those come first).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cursor {
    /// Modification time (GMT).
    pub modified: String,
    /// Id.
    pub id: u64,
}

impl Cursor {
    /// A cursor.
    pub fn new(modified: impl Into<String>, id: u64) -> Cursor {
        Cursor {
            modified: modified.into(),
            id,
        }
    }
}

/// One loaded page: the records (or per-row errors) and the key of the last
/// row the page selected.
pub(crate) struct Page<T> {
    pub items: Vec<Result<T, ReadError>>,
    pub last: Option<Cursor>,
    pub full: bool,
}

/// Loads pages after a cursor until a page comes back short.
pub struct Paged<'db, T> {
    db: &'db mut Db,
    after: Option<Cursor>,
    buffer: VecDeque<Result<T, ReadError>>,
    done: bool,
    #[allow(clippy::type_complexity)]
    load: Box<dyn FnMut(&mut Db, Option<&Cursor>) -> Result<Page<T>, ReadError> + 'db>,
}

impl<'db, T> Paged<'db, T> {
    pub(crate) fn new(
        db: &'db mut Db,
        after: Option<Cursor>,
        load: impl FnMut(&mut Db, Option<&Cursor>) -> Result<Page<T>, ReadError> + 'db,
    ) -> Paged<'db, T> {
        Paged {
            db,
            after,
            buffer: VecDeque::new(),
            done: false,
            load: Box::new(load),
        }
    }
}

impl<T> Iterator for Paged<'_, T> {
    type Item = Result<T, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            match (self.load)(self.db, self.after.as_ref()) {
                Ok(page) => {
                    self.done = !page.full || page.last.is_none();
                    if page.last.is_some() {
                        self.after = page.last;
                    }
                    self.buffer.extend(page.items);
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// The keyset condition on `(modified_col, id_col)` after `cursor`, and its
/// parameters. A `NULL` modification date sorts first in both engines; the
/// cursor's `""` stands for it.
pub(crate) fn after_clause<'a>(
    modified_col: &str,
    id_col: &str,
    cursor: Option<&'a Cursor>,
) -> (String, Vec<Param<'a>>) {
    match cursor {
        None => ("1 = 1".into(), Vec::new()),
        Some(c) if c.modified.is_empty() => (
            format!("(({modified_col} IS NULL AND {id_col} > ?) OR {modified_col} IS NOT NULL)"),
            vec![Param::Int(c.id as i64)],
        ),
        Some(c) => (
            format!("({modified_col} > ? OR ({modified_col} = ? AND {id_col} > ?))"),
            vec![
                Param::Str(&c.modified),
                Param::Str(&c.modified),
                Param::Int(c.id as i64),
            ],
        ),
    }
}

/// The complement of [`after_clause`]: rows at or before `cursor` in
/// keyset order (a `NULL` modification date sorts first).
pub(crate) fn through_clause<'a>(
    modified_col: &str,
    id_col: &str,
    cursor: &'a Cursor,
) -> (String, Vec<Param<'a>>) {
    if cursor.modified.is_empty() {
        (
            format!("({modified_col} IS NULL AND {id_col} <= ?)"),
            vec![Param::Int(cursor.id as i64)],
        )
    } else {
        (
            format!(
                "({modified_col} IS NULL OR {modified_col} < ? OR ({modified_col} = ? AND {id_col} <= ?))"
            ),
            vec![
                Param::Str(&cursor.modified),
                Param::Str(&cursor.modified),
                Param::Int(cursor.id as i64),
            ],
        )
    }
}

/// Keys selected by one keyset query of a windowed walk ([`KeyWindow`]).
pub(crate) const KEY_WINDOW: usize = 50_000;

/// A keyset walk that selects its keys in big windows and hands them out a
/// page at a time. One window query is one index range scan (or, without a
/// usable index, one sort), so a walk of `n` rows costs `n / window` of
/// them instead of `n / page` — with a page of 500 and no index on the key,
/// the per-page sort made a walk quadratic in the store size. Memory holds
/// one window of keys (about 60 bytes each).
#[derive(Default)]
pub(crate) struct KeyWindow {
    keys: VecDeque<(u64, Cursor)>,
    /// Where the next window starts (the last key selected so far).
    next_after: Option<Cursor>,
    started: bool,
    exhausted: bool,
}

impl KeyWindow {
    /// The next (at most) `page` keys after `cursor` — the walk's start on
    /// the first call — loading windows of `window` keys with
    /// `fetch(db, after, limit)` as needed. Empty when the walk is over.
    pub(crate) fn take(
        &mut self,
        db: &mut Db,
        cursor: Option<&Cursor>,
        page: usize,
        window: usize,
        mut fetch: impl FnMut(&mut Db, Option<&Cursor>, usize) -> Result<Vec<(u64, Cursor)>, ReadError>,
    ) -> Result<Vec<(u64, Cursor)>, ReadError> {
        if !self.started {
            self.started = true;
            self.next_after = cursor.cloned();
        }
        let window = window.max(page).max(1);
        while self.keys.len() < page && !self.exhausted {
            let got = fetch(db, self.next_after.as_ref(), window)?;
            self.exhausted = got.len() < window;
            if let Some((_, last)) = got.last() {
                self.next_after = Some(last.clone());
            }
            self.keys.extend(got);
        }
        let n = page.min(self.keys.len());
        Ok(self.keys.drain(..n).collect())
    }

    /// Whether keys remain (a page that took keys is full unless this is
    /// false).
    pub(crate) fn more(&self) -> bool {
        !(self.exhausted && self.keys.is_empty())
    }
}

/// The keyset condition of [`after_clause`] written so that MariaDB can
/// start an index range scan on `(modified_col, id_col)` at the cursor
/// (`modified >= ? AND (modified > ? OR id > ?)`): the plain `OR` form is
/// not a range, and a forced index walked from its start.
pub(crate) fn after_range_clause<'a>(
    modified_col: &str,
    id_col: &str,
    cursor: Option<&'a Cursor>,
) -> (String, Vec<Param<'a>>) {
    match cursor {
        Some(c) if !c.modified.is_empty() => (
            format!("({modified_col} >= ? AND ({modified_col} > ? OR {id_col} > ?))"),
            vec![
                Param::Str(&c.modified),
                Param::Str(&c.modified),
                Param::Int(c.id as i64),
            ],
        ),
        other => after_clause(modified_col, id_col, other),
    }
}

/// The name of an index of `table` (MariaDB/MySQL) whose first column is
/// `column`, for a `FORCE INDEX` hint; `None` on SQLite, when there is none,
/// or when the catalogue cannot be read (the query then runs unhinted).
pub(crate) fn index_on(db: &mut Db, table: &str, column: &str) -> Option<String> {
    if db.engine() != super::super::db::Engine::Mysql {
        return None;
    }
    let row = db
        .query_first(
            "SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME = ? AND COLUMN_NAME = ? AND SEQ_IN_INDEX = 1 \
             ORDER BY INDEX_NAME = 'PRIMARY', INDEX_NAME LIMIT 1",
            &[Param::Str(table), Param::Str(column)],
        )
        .ok()??;
    let name = row.str(0).ok()??.to_owned();
    // Only a plain identifier goes into the hint.
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some(name)
}

/// Runs a `SELECT COUNT(*) …` query.
pub(crate) fn count(db: &mut Db, sql: &str, params: &[Param<'_>]) -> Result<u64, ReadError> {
    let row = db.query_first(sql, params)?;
    Ok(match row {
        Some(row) => row.i64(0)?.unwrap_or(0).max(0) as u64,
        None => 0,
    })
}

/// Runs a keyset id query (`SELECT id, modified … LIMIT ?`) and returns the
/// ids with their keys.
pub(crate) fn select_keys(
    db: &mut Db,
    sql: &str,
    params: &[Param<'_>],
) -> Result<Vec<(u64, Cursor)>, ReadError> {
    let mut keys = Vec::new();
    db.query_rows(sql, params, |row| {
        let id = row.i64(0)?.unwrap_or(0) as u64;
        let modified = row.str(1)?.unwrap_or("").to_owned();
        keys.push((id, Cursor { modified, id }));
        Ok::<_, ReadError>(())
    })?;
    Ok(keys)
}
