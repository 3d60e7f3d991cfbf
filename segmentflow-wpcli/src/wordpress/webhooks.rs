//! `{prefix}wc_webhooks`, WooCommerce's webhook table: reading it into the
//! core's `WebhookRow`s (what `segmentflow_core::webhooks::registration`
//! plans and judges), and writing the registration plan and removals with
//! SQL ([`apply_plan`], [`delete_rows`]).
//!
//! The plan decides *what* changes; writing only turns it into bound
//! `INSERT`/`UPDATE`/`DELETE` statements in one transaction, with the column
//! values `NewWebhookRow` and `Update::assignments` give. WooCommerce caches
//! webhook ids in transients (`WEBHOOK_ID_TRANSIENTS`); after any change
//! [`forget_cached_ids`] deletes their `_transient_*` /
//! `_transient_timeout_*` rows so WooCommerce reloads the list.
//!
//! The table only exists once WooCommerce has been installed; [`read_all`]
//! says so with `None` rather than failing, so `status` can report
//! "WooCommerce tables missing". Zero dates (the column default) read as
//! `None`, as the core expects.

use segmentflow_core::webhooks::WebhookSecret;
use segmentflow_core::webhooks::registration::{
    ColumnValue, Connection, NewWebhookRow, Plan, WEBHOOK_ID_TRANSIENTS, WebhookRow, row_dates,
};
use segmentflow_core::wpconfig::TableName;

use super::db::{Db, DbError, Param, Row};
use super::options;

/// The columns read, in order.
const COLUMNS: &str = "webhook_id, status, name, user_id, delivery_url, secret, topic, \
     date_created, date_created_gmt, date_modified, date_modified_gmt, api_version, \
     failure_count, pending_delivery";

fn text(row: &Row, column: usize) -> Result<String, DbError> {
    Ok(String::from_utf8_lossy(row.bytes(column)?.unwrap_or_default()).into_owned())
}

fn date(row: &Row, column: usize) -> Result<Option<String>, DbError> {
    Ok(row.datetime(column)?.map(|d| {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            d.year, d.month, d.day, d.hour, d.minute, d.second
        )
    }))
}

fn small(row: &Row, column: usize) -> Result<i16, DbError> {
    let value = row.i64(column)?.unwrap_or(0);
    // SMALLINT columns: out-of-range values cannot come from MySQL; clamp
    // rather than fail on a hand-edited SQLite file.
    Ok(i16::try_from(value).unwrap_or(if value < 0 { i16::MIN } else { i16::MAX }))
}

fn unsigned(row: &Row, column: usize) -> Result<u64, DbError> {
    Ok(row
        .i64(column)?
        .and_then(|v| u64::try_from(v).ok())
        .unwrap_or(0))
}

fn to_webhook_row(row: &Row) -> Result<WebhookRow, DbError> {
    Ok(WebhookRow {
        webhook_id: unsigned(row, 0)?,
        status: text(row, 1)?,
        name: text(row, 2)?,
        user_id: unsigned(row, 3)?,
        delivery_url: text(row, 4)?,
        secret: WebhookSecret::new(text(row, 5)?),
        topic: text(row, 6)?,
        date_created: date(row, 7)?,
        date_created_gmt: date(row, 8)?,
        date_modified: date(row, 9)?,
        date_modified_gmt: date(row, 10)?,
        api_version: small(row, 11)?,
        failure_count: small(row, 12)?,
        pending_delivery: row.i64(13)?.unwrap_or(0) != 0,
    })
}

/// Every row of the webhooks table in `webhook_id` order, or `None` when the
/// table does not exist.
pub fn read_all(db: &mut Db, table: &TableName) -> Result<Option<Vec<WebhookRow>>, DbError> {
    if !db.table_exists(table.as_str())? {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM {} ORDER BY webhook_id",
        table.quoted()
    );
    let mut rows = Vec::new();
    db.query_rows(&sql, &[], |row| {
        rows.push(to_webhook_row(row)?);
        Ok::<(), DbError>(())
    })?;
    Ok(Some(rows))
}

fn param(value: &ColumnValue) -> Param<'_> {
    match value {
        ColumnValue::Text(s) => Param::Str(s),
        ColumnValue::Int(i) => Param::Int(*i),
        ColumnValue::UInt(u) => Param::Int(i64::try_from(*u).unwrap_or(i64::MAX)),
        ColumnValue::Secret(s) => Param::Str(s.expose()),
    }
}

/// What applying a plan or a removal did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Rows inserted.
    pub created: usize,
    /// Rows updated.
    pub updated: usize,
    /// Rows deleted.
    pub deleted: usize,
}

impl Applied {
    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        self.created + self.updated + self.deleted > 0
    }
}

/// Applies `plan` for `connection` in one transaction, dating rows `now` in
/// the site's UTC `offset`.
pub fn apply_plan(
    db: &mut Db,
    table: &TableName,
    plan: &Plan,
    connection: &Connection,
    now: jiff::Timestamp,
    offset: jiff::tz::Offset,
) -> Result<Applied, DbError> {
    let table = table.quoted();
    let modified = row_dates(now, offset);
    db.transaction(|tx| {
        let mut applied = Applied::default();
        for deletion in &plan.delete {
            let id = i64::try_from(deletion.webhook_id).unwrap_or(i64::MAX);
            applied.deleted += usize::from(
                tx.execute(
                    &format!("DELETE FROM {table} WHERE webhook_id = ?"),
                    &[Param::Int(id)],
                )? > 0,
            );
        }
        for update in &plan.update {
            let assignments = update.assignments(&modified);
            let set = assignments
                .iter()
                .map(|(column, _)| format!("{column} = ?"))
                .collect::<Vec<_>>()
                .join(", ");
            let id = i64::try_from(update.webhook_id).unwrap_or(i64::MAX);
            let mut params: Vec<Param<'_>> = assignments.iter().map(|(_, v)| param(v)).collect();
            params.push(Param::Int(id));
            tx.execute(
                &format!("UPDATE {table} SET {set} WHERE webhook_id = ?"),
                &params,
            )?;
            applied.updated += 1;
        }
        for topic in &plan.create {
            let row = NewWebhookRow::new(*topic, connection, now, offset);
            let columns = row.columns();
            let names = columns
                .iter()
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(", ");
            let marks = vec!["?"; columns.len()].join(", ");
            let params: Vec<Param<'_>> = columns.iter().map(|(_, v)| param(v)).collect();
            tx.execute(
                &format!("INSERT INTO {table} ({names}) VALUES ({marks})"),
                &params,
            )?;
            applied.created += 1;
        }
        Ok(applied)
    })
}

/// Deletes the rows with these ids in one transaction; returns how many existed.
pub fn delete_rows(db: &mut Db, table: &TableName, ids: &[u64]) -> Result<usize, DbError> {
    let table = table.quoted();
    db.transaction(|tx| {
        let mut deleted = 0;
        for id in ids {
            let id = i64::try_from(*id).unwrap_or(i64::MAX);
            deleted += usize::from(
                tx.execute(
                    &format!("DELETE FROM {table} WHERE webhook_id = ?"),
                    &[Param::Int(id)],
                )? > 0,
            );
        }
        Ok(deleted)
    })
}

/// The option rows of WooCommerce's cached webhook-id transients.
pub fn transient_option_names() -> Vec<String> {
    WEBHOOK_ID_TRANSIENTS
        .iter()
        .flat_map(|t| [format!("_transient_{t}"), format!("_transient_timeout_{t}")])
        .collect()
}

/// Deletes WooCommerce's cached webhook ids from the options table
/// `options_table`; returns the option names that existed.
pub fn forget_cached_ids(db: &mut Db, options_table: &TableName) -> Result<Vec<String>, DbError> {
    let names = transient_option_names();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    options::delete(db, options_table, &refs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use segmentflow_core::wpconfig::{Table, TablePrefix};

    #[test]
    fn reads_rows_and_reports_a_missing_table() {
        let mut db = Db::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        let table = TablePrefix::new("wp_")
            .unwrap()
            .table(1, Table::WcWebhooks)
            .unwrap();
        assert_eq!(read_all(&mut db, &table).unwrap(), None);
        db.execute(
            "CREATE TABLE wp_wc_webhooks (webhook_id INTEGER PRIMARY KEY, status TEXT, name TEXT, user_id INTEGER, delivery_url TEXT, secret TEXT, topic TEXT, date_created TEXT, date_created_gmt TEXT, date_modified TEXT, date_modified_gmt TEXT, api_version INTEGER, failure_count INTEGER, pending_delivery INTEGER)",
            &[],
        )
        .unwrap();
        db.execute(
            "INSERT INTO wp_wc_webhooks VALUES (7, 'paused', 'Segmentflow: order.created', 1, 'https://h.example/x', 'whsec_abcdefghijklmnop', 'order.created', '2026-01-05 09:00:00', '2026-01-05 14:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', 2, 99999, 1)",
            &[],
        )
        .unwrap();
        let rows = read_all(&mut db, &table).unwrap().unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(
            (row.webhook_id, row.status.as_str(), row.topic.as_str()),
            (7, "paused", "order.created")
        );
        assert_eq!(row.date_created.as_deref(), Some("2026-01-05 09:00:00"));
        assert_eq!(row.date_modified, None, "zero date");
        assert_eq!((row.api_version, row.failure_count), (2, i16::MAX));
        assert!(row.pending_delivery && row.is_segmentflow());
        assert!(!format!("{row:?}").contains("abcdefghijklmnop"));
    }
}
