//! WooCommerce's `{prefix}wc_webhooks` table, written with SQL: reading the
//! rows, applying the core's registration plan ([`webhooks::registration`])
//! and removal, and dropping WooCommerce's cached webhook ids afterwards.
//!
//! The plan decides *what* changes; this module only turns it into bound
//! `INSERT`/`UPDATE`/`DELETE` statements in one transaction, with the column
//! values [`NewWebhookRow`] and [`Update::assignments`] give. WooCommerce
//! caches webhook ids in transients ([`WEBHOOK_ID_TRANSIENTS`]); after any
//! change their `_transient_*` / `_transient_timeout_*` rows are deleted so
//! WooCommerce reloads the list.
//!
//! [`webhooks::registration`]: segmentflow_core::webhooks::registration
//! [`Update::assignments`]: segmentflow_core::webhooks::registration::Update::assignments

use segmentflow_core::webhooks::WebhookSecret;
use segmentflow_core::webhooks::registration::{
    ColumnValue, Connection, NewWebhookRow, Plan, WEBHOOK_ID_TRANSIENTS, WebhookRow, row_dates,
};

use super::db::{Db, DbError, Engine, Param, Row};
use super::options;
use super::prefix::TablePrefix;

/// The columns read, in [`WebhookRow`] order.
const COLUMNS: &str = "webhook_id, status, name, user_id, delivery_url, secret, topic, \
     date_created, date_created_gmt, date_modified, date_modified_gmt, api_version, \
     failure_count, pending_delivery";

/// Whether the site's table `name` (unprefixed, e.g. `wc_webhooks`) exists.
pub fn table_exists(
    db: &mut Db,
    prefix: &TablePrefix,
    name: &'static str,
) -> Result<bool, DbError> {
    // `site_table` gives the quoted identifier; the catalogs hold the bare name.
    let quoted = prefix.site_table(name);
    let table = quoted.trim_matches('`');
    let row = match db.engine() {
        Engine::Mysql => db.query_first(
            "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            &[Param::Str(table)],
        )?,
        Engine::Sqlite => db.query_first(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            &[Param::Str(table)],
        )?,
    };
    Ok(row.is_some())
}

fn date(row: &Row, column: usize) -> Result<Option<String>, DbError> {
    Ok(row
        .str(column)?
        .filter(|d| !d.is_empty() && !d.starts_with("0000-00-00"))
        .map(str::to_owned))
}

fn small(row: &Row, column: usize) -> Result<i16, DbError> {
    Ok(row
        .i64(column)?
        .and_then(|v| i16::try_from(v).ok())
        .unwrap_or(0))
}

fn to_webhook_row(row: &Row) -> Result<WebhookRow, DbError> {
    Ok(WebhookRow {
        webhook_id: row.i64(0)?.and_then(|v| u64::try_from(v).ok()).unwrap_or(0),
        status: row.str(1)?.unwrap_or_default().to_owned(),
        name: row.str(2)?.unwrap_or_default().to_owned(),
        user_id: row.i64(3)?.and_then(|v| u64::try_from(v).ok()).unwrap_or(0),
        delivery_url: row.str(4)?.unwrap_or_default().to_owned(),
        secret: WebhookSecret::new(row.str(5)?.unwrap_or_default()),
        topic: row.str(6)?.unwrap_or_default().to_owned(),
        date_created: date(row, 7)?,
        date_created_gmt: date(row, 8)?,
        date_modified: date(row, 9)?,
        date_modified_gmt: date(row, 10)?,
        api_version: small(row, 11)?,
        failure_count: small(row, 12)?,
        pending_delivery: row.i64(13)?.unwrap_or(0) != 0,
    })
}

/// Every row of `{prefix}wc_webhooks`, by id.
pub fn read_rows(db: &mut Db, prefix: &TablePrefix) -> Result<Vec<WebhookRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {} ORDER BY webhook_id",
        prefix.site_table("wc_webhooks")
    );
    let mut out = Vec::new();
    db.query_rows(&sql, &[], |row| {
        out.push(to_webhook_row(row)?);
        Ok::<(), DbError>(())
    })?;
    Ok(out)
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
    prefix: &TablePrefix,
    plan: &Plan,
    connection: &Connection,
    now: jiff::Timestamp,
    offset: jiff::tz::Offset,
) -> Result<Applied, DbError> {
    let table = prefix.site_table("wc_webhooks");
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
pub fn delete_rows(db: &mut Db, prefix: &TablePrefix, ids: &[u64]) -> Result<usize, DbError> {
    let table = prefix.site_table("wc_webhooks");
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

/// Deletes WooCommerce's cached webhook ids; returns the option names that
/// existed.
pub fn forget_cached_ids(db: &mut Db, prefix: &TablePrefix) -> Result<Vec<String>, DbError> {
    let names = transient_option_names();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    options::delete(db, prefix, &refs)
}
