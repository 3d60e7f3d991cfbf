//! Keeping the ten Segmentflow webhooks in `{prefix}wc_webhooks` right:
//! a registration plan, the rows WooCommerce would insert, removal, and a
//! health summary.
//!
//! ## What the plugin does (`Segmentflow_WC_Webhooks`)
//!
//! * A row is the plugin's when its `name` matches `LIKE 'Segmentflow: %'`
//!   ([`NAME_LIKE`]). Under the table's case-insensitive collation that means
//!   "starts with `Segmentflow: `, letters in any case"
//!   ([`is_segmentflow_name`], which folds ASCII case only; MariaDB's
//!   `utf8mb4_unicode_520_ci` also equates accented letters, so
//!   `Ségmentflow: x` matches there and not here — a name nobody writes).
//! * `register_webhooks()` skips every topic that already has a Segmentflow
//!   row **with `status = 'active'`** and creates the others through
//!   `WC_Webhook` (name `Segmentflow: <topic>`, status active, `wp_api_v2`,
//!   the current user). A paused or disabled Segmentflow webhook is therefore
//!   not "existing": plain registration adds a second row for its topic.
//! * `update_webhook_credentials()` (run on reconnect, before registration)
//!   sets the new secret and delivery URL **and `status = active`** on every
//!   Segmentflow row, whatever its status or topic. It leaves
//!   `failure_count`, `user_id`, `api_version` and duplicates as they are.
//! * `remove_webhooks()` (disconnect, deactivation) deletes every Segmentflow
//!   row, whatever its status ([`removal`]).
//!
//! ## What [`plan`] does
//!
//! The reconnect path above, made idempotent and tidy, so that running it any
//! number of times leaves exactly one active row per topic with the current
//! credentials:
//!
//! * rows that are not Segmentflow's are never touched;
//! * Segmentflow rows whose `topic` is not one of the ten are deleted;
//! * for each topic, one Segmentflow row is kept — the best status first
//!   (active, then paused, then disabled), then the lowest `webhook_id` — and
//!   the others are deleted as duplicates (the plugin would deliver each event
//!   once per duplicate);
//! * the kept row is updated where it differs: the secret (rotation), the
//!   delivery URL, the API version, the canonical name; a paused or disabled
//!   row is re-activated — as the plugin's reconnect does — **and its
//!   `failure_count` reset to 0**, because WooCommerce disables again on the
//!   first failure of a row whose count is already above the threshold;
//!   `user_id` is only set when the row has none (0: payloads would be built
//!   without permissions), since the plugin keeps the creating user;
//! * topics with no row get one, with the values of [`NewWebhookRow`].
//!
//! ## Writing with SQL
//!
//! WooCommerce caches the ids of webhooks in the transients listed in
//! [`WEBHOOK_ID_TRANSIENTS`] and loads the active ones from there on every
//! request: after inserting, updating the status of, or deleting rows with
//! SQL, delete those transients (`_transient_<name>` and
//! `_transient_timeout_<name>` options, or the object cache) or WooCommerce
//! will not see the change. An update through WooCommerce also sets
//! `date_modified`/`date_modified_gmt` to [`row_dates`] of the moment; a
//! direct update should do the same. A direct update does not send
//! WooCommerce's ping
//! (`webhook_id=<id>` form POST) either; `pending_delivery` stays set until an
//! update through WooCommerce sends one.

use super::delivery::{DEFAULT_MAX_FAILURES, failures_until_disabled};
use super::{ApiVersion, NAME_PREFIX, Topic, WebhookSecret, WebhookStatus};
use serde::Serialize;
use std::collections::BTreeMap;

/// The `LIKE` pattern the plugin selects its rows with.
pub const NAME_LIKE: &str = "Segmentflow: %";

/// The transients in which WooCommerce caches webhook ids
/// (`WC_Webhook_Data_Store::get_transient_key`): the unfiltered list and one
/// per status.
pub const WEBHOOK_ID_TRANSIENTS: [&str; 4] = [
    "woocommerce_webhook_ids",
    "woocommerce_webhook_ids_status_active",
    "woocommerce_webhook_ids_status_paused",
    "woocommerce_webhook_ids_status_disabled",
];

/// One row of `{prefix}wc_webhooks`, as read from the database. Zero dates
/// (`0000-00-00 00:00:00`, the column default) are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookRow {
    /// `webhook_id`.
    pub webhook_id: u64,
    /// `status`, as stored (see [`WebhookStatus::from_column`]).
    pub status: String,
    /// `name`.
    pub name: String,
    /// `user_id`: payloads are built with this user's permissions.
    pub user_id: u64,
    /// `delivery_url`.
    pub delivery_url: String,
    /// `secret`, as stored.
    pub secret: WebhookSecret,
    /// `topic`, as stored.
    pub topic: String,
    /// `date_created` (site-local time).
    pub date_created: Option<String>,
    /// `date_created_gmt`.
    pub date_created_gmt: Option<String>,
    /// `date_modified` (site-local time).
    pub date_modified: Option<String>,
    /// `date_modified_gmt`.
    pub date_modified_gmt: Option<String>,
    /// `api_version` (see [`ApiVersion::from_column`]).
    pub api_version: i16,
    /// `failure_count`.
    pub failure_count: i16,
    /// `pending_delivery`.
    pub pending_delivery: bool,
}

impl WebhookRow {
    /// Whether the plugin considers this row its own.
    pub fn is_segmentflow(&self) -> bool {
        is_segmentflow_name(&self.name)
    }

    /// The status as WooCommerce reads it.
    pub fn status_kind(&self) -> WebhookStatus {
        WebhookStatus::from_column(&self.status)
    }

    /// The topic, when it is one of the plugin's ten.
    pub fn topic_kind(&self) -> Option<Topic> {
        self.topic.parse().ok()
    }
}

/// Whether `name` matches the plugin's `name LIKE 'Segmentflow: %'` under
/// the table's case-insensitive collation (ASCII case folding).
pub fn is_segmentflow_name(name: &str) -> bool {
    name.get(..NAME_PREFIX.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(NAME_PREFIX))
}

/// The topics the plugin's `get_existing_topics()` reports: `topic` of every
/// Segmentflow row whose status is exactly `active`, in row order.
pub fn plugin_existing_topics(rows: &[WebhookRow]) -> Vec<&str> {
    rows.iter()
        .filter(|r| r.is_segmentflow() && r.status == "active")
        .map(|r| r.topic.as_str())
        .collect()
}

/// What the Segmentflow webhooks should look like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    delivery_url: String,
    secret: WebhookSecret,
    api_version: ApiVersion,
    user_id: u64,
}

/// Why a [`Connection`] cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    /// The webhook secret is empty (the plugin registers nothing then).
    #[error("the webhook secret is empty")]
    EmptySecret,
    /// The delivery URL is empty.
    #[error("the webhook delivery URL is empty")]
    EmptyDeliveryUrl,
    /// The delivery URL is not `http://` or `https://` (WooCommerce's
    /// `esc_url_raw($url, ['http', 'https'])` would blank it).
    #[error("the webhook delivery URL {url:?} is not an http:// or https:// URL")]
    DeliveryUrlScheme {
        /// The URL given.
        url: String,
    },
    /// The delivery URL contains whitespace or control characters, which
    /// `esc_url_raw` would rewrite: it would not be stored as given.
    #[error("the webhook delivery URL {url:?} contains whitespace or control characters")]
    DeliveryUrlCharacters {
        /// The URL given.
        url: String,
    },
}

impl Connection {
    /// A connection delivering to `delivery_url`, signed with `secret`,
    /// payloads of `api_version` built as user `user_id`.
    pub fn new(
        delivery_url: impl Into<String>,
        secret: WebhookSecret,
        api_version: ApiVersion,
        user_id: u64,
    ) -> Result<Connection, ConnectionError> {
        let delivery_url = delivery_url.into();
        if secret.is_empty() {
            return Err(ConnectionError::EmptySecret);
        }
        if delivery_url.is_empty() {
            return Err(ConnectionError::EmptyDeliveryUrl);
        }
        let lower = delivery_url.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        if rest.is_none_or(str::is_empty) {
            return Err(ConnectionError::DeliveryUrlScheme { url: delivery_url });
        }
        if delivery_url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ConnectionError::DeliveryUrlCharacters { url: delivery_url });
        }
        Ok(Connection {
            delivery_url,
            secret,
            api_version,
            user_id,
        })
    }

    /// The delivery URL.
    pub fn delivery_url(&self) -> &str {
        &self.delivery_url
    }

    /// The secret.
    pub fn secret(&self) -> &WebhookSecret {
        &self.secret
    }

    /// The API version.
    pub fn api_version(&self) -> ApiVersion {
        self.api_version
    }

    /// The user payloads are built as.
    pub fn user_id(&self) -> u64 {
        self.user_id
    }
}

/// The site-local and GMT `DATETIME` texts of one moment, as WordPress's
/// `current_time('mysql')` and `current_time('mysql', 1)` give them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowDates {
    /// Site-local time (`date_created`, `date_modified`).
    pub local: String,
    /// GMT (`date_created_gmt`, `date_modified_gmt`).
    pub gmt: String,
}

/// `now` as the `(local, gmt)` pair WooCommerce writes, for a site whose UTC
/// offset at `now` is `offset` (`wp_timezone()`; for a named time zone pass
/// its offset at that instant).
pub fn row_dates(now: jiff::Timestamp, offset: jiff::tz::Offset) -> RowDates {
    const FORMAT: &str = "%Y-%m-%d %H:%M:%S";
    RowDates {
        local: offset.to_datetime(now).strftime(FORMAT).to_string(),
        gmt: jiff::tz::Offset::UTC
            .to_datetime(now)
            .strftime(FORMAT)
            .to_string(),
    }
}

/// The values `WC_Webhook_Data_Store::create()` inserts for a webhook the
/// plugin creates. `webhook_id` is the auto-increment; `date_modified` and
/// `date_modified_gmt` are not written (they keep the zero-date default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewWebhookRow {
    /// `status`: `active`.
    pub status: WebhookStatus,
    /// `name`: `Segmentflow: <topic>`.
    pub name: String,
    /// `user_id`.
    pub user_id: u64,
    /// `delivery_url`.
    pub delivery_url: String,
    /// `secret`.
    pub secret: WebhookSecret,
    /// `topic`.
    pub topic: Topic,
    /// `date_created` (site-local).
    pub date_created: String,
    /// `date_created_gmt`.
    pub date_created_gmt: String,
    /// `api_version` column value.
    pub api_version: i16,
    /// `failure_count`: 0.
    pub failure_count: i16,
    /// `pending_delivery`: true (WooCommerce sets it on create; it is cleared
    /// by the first successful ping).
    pub pending_delivery: bool,
}

impl NewWebhookRow {
    /// The row for `topic` under `connection`, created at `now` on a site
    /// whose UTC offset is `offset`.
    pub fn new(
        topic: Topic,
        connection: &Connection,
        now: jiff::Timestamp,
        offset: jiff::tz::Offset,
    ) -> NewWebhookRow {
        let dates = row_dates(now, offset);
        NewWebhookRow {
            status: WebhookStatus::Active,
            name: topic.webhook_name(),
            user_id: connection.user_id,
            delivery_url: connection.delivery_url.clone(),
            secret: connection.secret.clone(),
            topic,
            date_created: dates.local,
            date_created_gmt: dates.gmt,
            api_version: connection.api_version.column_value(),
            failure_count: 0,
            pending_delivery: true,
        }
    }
}

/// A value to write into a `wc_webhooks` column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ColumnValue {
    /// A text column.
    Text(String),
    /// A signed integer column.
    Int(i64),
    /// An unsigned integer column (`user_id`).
    UInt(u64),
    /// The `secret` column (masked in `Debug` and `Serialize`).
    Secret(WebhookSecret),
}

impl NewWebhookRow {
    /// The `(column, value)` pairs of the `INSERT`, in the order
    /// `WC_Webhook_Data_Store::create()` writes them.
    pub fn columns(&self) -> Vec<(&'static str, ColumnValue)> {
        vec![
            ("status", ColumnValue::Text(self.status.as_str().to_owned())),
            ("name", ColumnValue::Text(self.name.clone())),
            ("user_id", ColumnValue::UInt(self.user_id)),
            ("delivery_url", ColumnValue::Text(self.delivery_url.clone())),
            ("secret", ColumnValue::Secret(self.secret.clone())),
            ("topic", ColumnValue::Text(self.topic.as_str().to_owned())),
            ("date_created", ColumnValue::Text(self.date_created.clone())),
            (
                "date_created_gmt",
                ColumnValue::Text(self.date_created_gmt.clone()),
            ),
            ("api_version", ColumnValue::Int(self.api_version.into())),
            ("failure_count", ColumnValue::Int(self.failure_count.into())),
            (
                "pending_delivery",
                ColumnValue::Int(i64::from(self.pending_delivery)),
            ),
        ]
    }
}

/// One change to a kept row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Change {
    /// `status` becomes `active` and `failure_count` 0.
    Reactivate {
        /// The status before.
        from: String,
        /// The failure count before.
        failure_count: i16,
    },
    /// `secret` becomes the connection's (rotation).
    Secret {
        /// The new secret.
        to: WebhookSecret,
    },
    /// `delivery_url` changes.
    DeliveryUrl {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// `api_version` changes.
    ApiVersion {
        /// The column value before.
        from: i16,
        /// After.
        to: ApiVersion,
    },
    /// `user_id` is set (it was 0).
    UserId {
        /// Before.
        from: u64,
        /// After.
        to: u64,
    },
    /// `name` becomes the canonical `Segmentflow: <topic>`.
    Name {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
}

/// The changes to one kept row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Update {
    /// The row.
    pub webhook_id: u64,
    /// Its topic.
    pub topic: Topic,
    /// What changes, in a fixed order (status, secret, URL, API version,
    /// user, name).
    pub changes: Vec<Change>,
}

impl Update {
    /// The `(column, value)` pairs of the `UPDATE … WHERE webhook_id = ?`,
    /// including `date_modified`/`date_modified_gmt` set to `modified` (see
    /// [`row_dates`]), as WooCommerce's own update writes them.
    pub fn assignments(&self, modified: &RowDates) -> Vec<(&'static str, ColumnValue)> {
        let mut out = Vec::new();
        for change in &self.changes {
            match change {
                Change::Reactivate { .. } => {
                    out.push((
                        "status",
                        ColumnValue::Text(WebhookStatus::Active.as_str().to_owned()),
                    ));
                    out.push(("failure_count", ColumnValue::Int(0)));
                }
                Change::Secret { to } => out.push(("secret", ColumnValue::Secret(to.clone()))),
                Change::DeliveryUrl { to, .. } => {
                    out.push(("delivery_url", ColumnValue::Text(to.clone())));
                }
                Change::ApiVersion { to, .. } => {
                    out.push(("api_version", ColumnValue::Int(to.column_value().into())));
                }
                Change::UserId { to, .. } => out.push(("user_id", ColumnValue::UInt(*to))),
                Change::Name { to, .. } => out.push(("name", ColumnValue::Text(to.clone()))),
            }
        }
        out.push(("date_modified", ColumnValue::Text(modified.local.clone())));
        out.push(("date_modified_gmt", ColumnValue::Text(modified.gmt.clone())));
        out
    }

    /// Whether the row is re-activated.
    pub fn reactivates(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c, Change::Reactivate { .. }))
    }
}

/// Why a Segmentflow row is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DeleteReason {
    /// Another row for the same topic is kept.
    Duplicate {
        /// The kept row.
        kept: u64,
    },
    /// Its `topic` is not one of the ten.
    UnknownTopic,
    /// Disconnect: every Segmentflow row goes.
    Removal,
}

/// A Segmentflow row to delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deletion {
    /// The row.
    pub webhook_id: u64,
    /// Its `name`.
    pub name: String,
    /// Its `topic`, as stored.
    pub topic: String,
    /// Why.
    pub reason: DeleteReason,
}

/// A Segmentflow row that is already right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// The row.
    pub webhook_id: u64,
    /// Its topic.
    pub topic: Topic,
}

/// What to do to `wc_webhooks` (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Topics to create a row for ([`NewWebhookRow::new`]), in plugin order.
    pub create: Vec<Topic>,
    /// Rows to update, in plugin topic order.
    pub update: Vec<Update>,
    /// Rows to delete, by `webhook_id`.
    pub delete: Vec<Deletion>,
    /// Rows left as they are, in plugin topic order.
    pub unchanged: Vec<Kept>,
}

impl Plan {
    /// Whether the table is already as it should be.
    pub fn is_noop(&self) -> bool {
        self.create.is_empty() && self.update.is_empty() && self.delete.is_empty()
    }

    /// The rows the plan re-activates (paused or disabled before).
    pub fn reactivated(&self) -> Vec<u64> {
        self.update
            .iter()
            .filter(|u| u.reactivates())
            .map(|u| u.webhook_id)
            .collect()
    }
}

/// Orders rows of one topic: best status, then lowest id.
fn keeper_rank(row: &WebhookRow) -> (u8, u64) {
    let status = match row.status_kind() {
        WebhookStatus::Active => 0,
        WebhookStatus::Paused => 1,
        WebhookStatus::Disabled => 2,
    };
    (status, row.webhook_id)
}

/// Segmentflow rows by topic (each sorted best-first), and Segmentflow rows
/// with an unknown topic (by id).
fn group(rows: &[WebhookRow]) -> (BTreeMap<Topic, Vec<&WebhookRow>>, Vec<&WebhookRow>) {
    let mut by_topic: BTreeMap<Topic, Vec<&WebhookRow>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for row in rows.iter().filter(|r| r.is_segmentflow()) {
        match row.topic_kind() {
            Some(topic) => by_topic.entry(topic).or_default().push(row),
            None => unknown.push(row),
        }
    }
    for group in by_topic.values_mut() {
        group.sort_by_key(|r| keeper_rank(r));
    }
    unknown.sort_by_key(|r| r.webhook_id);
    (by_topic, unknown)
}

/// The plan that brings `rows` (the whole `wc_webhooks` table) to one active,
/// current Segmentflow webhook per topic for `connection`.
pub fn plan(rows: &[WebhookRow], connection: &Connection) -> Plan {
    let (by_topic, unknown) = group(rows);
    let mut result = Plan {
        create: Vec::new(),
        update: Vec::new(),
        delete: Vec::new(),
        unchanged: Vec::new(),
    };
    for row in unknown {
        result.delete.push(Deletion {
            webhook_id: row.webhook_id,
            name: row.name.clone(),
            topic: row.topic.clone(),
            reason: DeleteReason::UnknownTopic,
        });
    }
    for topic in Topic::ALL {
        let Some((keep, duplicates)) = by_topic.get(&topic).and_then(|g| g.split_first()) else {
            result.create.push(topic);
            continue;
        };
        for dup in duplicates {
            result.delete.push(Deletion {
                webhook_id: dup.webhook_id,
                name: dup.name.clone(),
                topic: dup.topic.clone(),
                reason: DeleteReason::Duplicate {
                    kept: keep.webhook_id,
                },
            });
        }
        let changes = changes_for(keep, topic, connection);
        if changes.is_empty() {
            result.unchanged.push(Kept {
                webhook_id: keep.webhook_id,
                topic,
            });
        } else {
            result.update.push(Update {
                webhook_id: keep.webhook_id,
                topic,
                changes,
            });
        }
    }
    result.delete.sort_by_key(|d| d.webhook_id);
    result
}

fn changes_for(row: &WebhookRow, topic: Topic, connection: &Connection) -> Vec<Change> {
    let mut changes = Vec::new();
    if row.status != WebhookStatus::Active.as_str() {
        changes.push(Change::Reactivate {
            from: row.status.clone(),
            failure_count: row.failure_count,
        });
    }
    if row.secret != connection.secret {
        changes.push(Change::Secret {
            to: connection.secret.clone(),
        });
    }
    if row.delivery_url != connection.delivery_url {
        changes.push(Change::DeliveryUrl {
            from: row.delivery_url.clone(),
            to: connection.delivery_url.clone(),
        });
    }
    if row.api_version != connection.api_version.column_value() {
        changes.push(Change::ApiVersion {
            from: row.api_version,
            to: connection.api_version,
        });
    }
    if row.user_id == 0 && connection.user_id != 0 {
        changes.push(Change::UserId {
            from: 0,
            to: connection.user_id,
        });
    }
    let name = topic.webhook_name();
    if row.name != name {
        changes.push(Change::Name {
            from: row.name.clone(),
            to: name,
        });
    }
    changes
}

/// What disconnecting deletes: every Segmentflow row, whatever its status or
/// topic (`remove_webhooks()`), by `webhook_id`.
pub fn removal(rows: &[WebhookRow]) -> Vec<Deletion> {
    let mut deletions: Vec<Deletion> = rows
        .iter()
        .filter(|r| r.is_segmentflow())
        .map(|r| Deletion {
            webhook_id: r.webhook_id,
            name: r.name.clone(),
            topic: r.topic.clone(),
            reason: DeleteReason::Removal,
        })
        .collect();
    deletions.sort_by_key(|d| d.webhook_id);
    deletions
}

/// The state of one topic's Segmentflow webhook, for `status` and `doctor`.
/// Fields about the row are `None` when the topic has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicHealth {
    /// The topic.
    pub topic: Topic,
    /// Whether a Segmentflow row exists for it.
    pub present: bool,
    /// The row that counts (the one [`plan`] would keep).
    pub webhook_id: Option<u64>,
    /// Its status as WooCommerce reads it.
    pub status: Option<WebhookStatus>,
    /// Its `failure_count`.
    pub failure_count: Option<i16>,
    /// Whether WooCommerce has disabled it (status `disabled`).
    pub disabled: bool,
    /// Consecutive failures left before WooCommerce disables it (only for
    /// an active row).
    pub failures_until_disabled: Option<i64>,
    /// Its `pending_delivery` flag.
    pub pending_delivery: Option<bool>,
    /// Its API version (`None` also when the column holds an unknown value).
    pub api_version: Option<ApiVersion>,
    /// Whether its secret and delivery URL are the expected ones (`None`
    /// when no expectation was given or the topic has no row).
    pub credentials_current: Option<bool>,
    /// Other Segmentflow rows for the same topic.
    pub duplicates: usize,
    /// Present, active and without duplicates; with an expected connection,
    /// also exactly as [`plan`] would leave it (nothing to update).
    pub ok: bool,
}

/// The state of all ten Segmentflow webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// One entry per topic, in plugin order.
    pub topics: Vec<TopicHealth>,
    /// Segmentflow rows whose topic is not one of the ten.
    pub unknown_topic_rows: Vec<u64>,
    /// Every topic is ok and there is no unknown-topic row.
    pub ok: bool,
}

/// Summarises `rows` (the whole `wc_webhooks` table). With `expected`, also
/// checks each row's secret and delivery URL. `max_failures` is the
/// site's failure threshold ([`DEFAULT_MAX_FAILURES`] unless filtered).
pub fn health(rows: &[WebhookRow], expected: Option<&Connection>, max_failures: i64) -> Health {
    let (by_topic, unknown) = group(rows);
    let topics: Vec<TopicHealth> = Topic::ALL
        .into_iter()
        .map(|topic| {
            let group = by_topic.get(&topic).map(Vec::as_slice).unwrap_or_default();
            match group.split_first() {
                None => TopicHealth {
                    topic,
                    present: false,
                    webhook_id: None,
                    status: None,
                    failure_count: None,
                    disabled: false,
                    failures_until_disabled: None,
                    pending_delivery: None,
                    api_version: None,
                    credentials_current: None,
                    duplicates: 0,
                    ok: false,
                },
                Some((row, others)) => {
                    let status = row.status_kind();
                    let credentials_current = expected
                        .map(|c| row.secret == c.secret && row.delivery_url == c.delivery_url);
                    TopicHealth {
                        topic,
                        present: true,
                        webhook_id: Some(row.webhook_id),
                        status: Some(status),
                        failure_count: Some(row.failure_count),
                        disabled: status == WebhookStatus::Disabled,
                        failures_until_disabled: (status == WebhookStatus::Active).then(|| {
                            failures_until_disabled(row.failure_count.into(), max_failures)
                        }),
                        pending_delivery: Some(row.pending_delivery),
                        api_version: ApiVersion::from_column(row.api_version.into()).ok(),
                        credentials_current,
                        duplicates: others.len(),
                        ok: status == WebhookStatus::Active
                            && others.is_empty()
                            && expected.is_none_or(|c| changes_for(row, topic, c).is_empty()),
                    }
                }
            }
        })
        .collect();
    let unknown_topic_rows: Vec<u64> = unknown.iter().map(|r| r.webhook_id).collect();
    let ok = unknown_topic_rows.is_empty() && topics.iter().all(|t| t.ok);
    Health {
        topics,
        unknown_topic_rows,
        ok,
    }
}

/// [`health`] with WooCommerce's default failure threshold.
pub fn health_default(rows: &[WebhookRow], expected: Option<&Connection>) -> Health {
    health(rows, expected, DEFAULT_MAX_FAILURES)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://api.segmentflow.ai/webhooks/woocommerce/org_123";
    const SECRET: &str = "whsec_current_0123456789abcdef";

    fn connection() -> Connection {
        Connection::new(URL, WebhookSecret::new(SECRET), ApiVersion::WpApiV2, 1).expect("valid")
    }

    /// A Segmentflow row that is exactly right for `topic`.
    fn good(id: u64, topic: Topic) -> WebhookRow {
        WebhookRow {
            webhook_id: id,
            status: "active".into(),
            name: topic.webhook_name(),
            user_id: 1,
            delivery_url: URL.into(),
            secret: WebhookSecret::new(SECRET),
            topic: topic.as_str().into(),
            date_created: Some("2026-01-05 09:00:00".into()),
            date_created_gmt: Some("2026-01-05 14:00:00".into()),
            date_modified: None,
            date_modified_gmt: None,
            api_version: 2,
            failure_count: 0,
            pending_delivery: false,
        }
    }

    fn all_good() -> Vec<WebhookRow> {
        Topic::ALL
            .into_iter()
            .enumerate()
            .map(|(i, t)| good(10 + i as u64, t))
            .collect()
    }

    /// The three webhooks of the real WooCommerce 9.2.5 fixture store
    /// (`wp_accept-hpos.sql.gz`): not named `Segmentflow: …`.
    fn fixture_store_rows() -> Vec<WebhookRow> {
        [
            (1, "order.updated"),
            (2, "customer.updated"),
            (3, "product.updated"),
        ]
        .into_iter()
        .map(|(id, topic)| WebhookRow {
            webhook_id: id,
            status: "active".into(),
            name: format!("Segmentflow acceptance {topic}"),
            user_id: 1,
            delivery_url: format!("http://127.0.0.1:8090/hook/{}", topic.replace('.', "-")),
            secret: WebhookSecret::new("segmentflow-acceptance-secret-wp_accept"),
            topic: topic.into(),
            date_created: Some("2026-11-27 17:39:37".into()),
            date_created_gmt: Some("2026-11-27 22:39:37".into()),
            date_modified: Some("2026-11-27 17:39:42".into()),
            date_modified_gmt: Some("2026-11-27 22:39:42".into()),
            api_version: 3,
            failure_count: 0,
            pending_delivery: false,
        })
        .collect()
    }

    fn ids<T>(items: &[T], id: impl Fn(&T) -> u64) -> Vec<u64> {
        items.iter().map(id).collect()
    }

    #[test]
    fn segmentflow_names_follow_like() {
        let cases = [
            ("Segmentflow: order.created", true),
            ("segmentflow: order.created", true),
            ("SEGMENTFLOW: anything", true),
            ("Segmentflow: ", true),
            ("Segmentflow:order.created", false),
            ("Segmentflow acceptance order.updated", false),
            (" Segmentflow: order.created", false),
            ("Segmentflow", false),
            ("", false),
            ("Ségmentflow: order.created", false),
        ];
        for (name, ours) in cases {
            assert_eq!(is_segmentflow_name(name), ours, "{name:?}");
        }
    }

    #[test]
    fn connection_validation() {
        let s = || WebhookSecret::new(SECRET);
        assert!(Connection::new("http://127.0.0.1:8090/hook", s(), ApiVersion::WpApiV2, 0).is_ok());
        let cases = [
            (
                "https://x.test/",
                WebhookSecret::new(""),
                ConnectionError::EmptySecret,
            ),
            ("", s(), ConnectionError::EmptyDeliveryUrl),
            (
                "ftp://x.test/",
                s(),
                ConnectionError::DeliveryUrlScheme {
                    url: "ftp://x.test/".into(),
                },
            ),
            (
                "https://",
                s(),
                ConnectionError::DeliveryUrlScheme {
                    url: "https://".into(),
                },
            ),
            (
                "https://x.test/a b",
                s(),
                ConnectionError::DeliveryUrlCharacters {
                    url: "https://x.test/a b".into(),
                },
            ),
        ];
        for (url, secret, expected) in cases {
            assert_eq!(
                Connection::new(url, secret, ApiVersion::WpApiV2, 1),
                Err(expected.clone()),
                "{url:?}"
            );
        }
    }

    #[test]
    fn empty_table_creates_all_ten() {
        let p = plan(&[], &connection());
        assert_eq!(p.create, Topic::ALL.to_vec());
        assert!(p.update.is_empty() && p.delete.is_empty() && p.unchanged.is_empty());
        assert!(!p.is_noop());
    }

    #[test]
    fn all_present_and_current_is_a_noop() {
        let rows = all_good();
        let p = plan(&rows, &connection());
        assert!(p.is_noop(), "{p:#?}");
        assert_eq!(
            ids(&p.unchanged, |k| k.webhook_id),
            (10..20).collect::<Vec<_>>()
        );
        assert!(health_default(&rows, Some(&connection())).ok);
    }

    #[test]
    fn other_webhooks_are_never_touched() {
        let mut rows = fixture_store_rows();
        let p = plan(&rows, &connection());
        assert_eq!(p.create.len(), 10);
        assert!(p.update.is_empty() && p.delete.is_empty());
        assert!(removal(&rows).is_empty());
        rows.extend(all_good());
        let p = plan(&rows, &connection());
        assert!(p.is_noop());
        assert_eq!(
            ids(&removal(&rows), |d| d.webhook_id),
            (10..20).collect::<Vec<_>>()
        );
    }

    #[test]
    fn paused_and_disabled_rows_are_reactivated() {
        let mut rows = all_good();
        rows[1].status = "paused".into();
        rows[2].status = "disabled".into();
        rows[2].failure_count = 6;
        rows[3].status = "bogus".into();
        let p = plan(&rows, &connection());
        assert!(p.create.is_empty() && p.delete.is_empty());
        let expected = [(11, "paused", 0), (12, "disabled", 6), (13, "bogus", 0)];
        assert_eq!(p.update.len(), expected.len());
        for (update, (id, from, count)) in p.update.iter().zip(expected) {
            assert_eq!(update.webhook_id, id);
            assert!(update.reactivates());
            assert_eq!(
                update.changes,
                vec![Change::Reactivate {
                    from: from.into(),
                    failure_count: count
                }]
            );
        }
        // The plugin alone would not see them as existing and would add rows.
        let existing = plugin_existing_topics(&rows);
        assert_eq!(existing.len(), 7);
        assert!(!existing.contains(&"order.updated"));
        let h = health_default(&rows, Some(&connection()));
        assert!(!h.ok);
        assert!(h.topics[2].disabled && !h.topics[1].disabled);
        assert_eq!(h.topics[2].failures_until_disabled, None);
        assert_eq!(h.topics[0].failures_until_disabled, Some(7));
    }

    #[test]
    fn duplicates_keep_the_best_row() {
        let mut rows = all_good();
        // order.created: a disabled older row and an active newer one.
        rows[0].status = "disabled".into();
        let mut newer = good(30, Topic::OrderCreated);
        newer.secret = WebhookSecret::new("old-secret-xxxxxxxxxxxx");
        rows.push(newer);
        // product.deleted: two active rows; the lower id wins.
        rows.push(good(31, Topic::ProductDeleted));
        // customer.updated: two paused rows, named in another case.
        rows[5].status = "paused".into();
        let mut other = good(32, Topic::CustomerUpdated);
        other.status = "paused".into();
        other.name = "SEGMENTFLOW: customer.updated".into();
        rows.push(other);
        let p = plan(&rows, &connection());
        let deleted: Vec<(u64, DeleteReason)> =
            p.delete.iter().map(|d| (d.webhook_id, d.reason)).collect();
        assert_eq!(
            deleted,
            vec![
                (10, DeleteReason::Duplicate { kept: 30 }),
                (31, DeleteReason::Duplicate { kept: 19 }),
                (32, DeleteReason::Duplicate { kept: 15 }),
            ]
        );
        let updated: Vec<u64> = ids(&p.update, |u| u.webhook_id);
        assert_eq!(updated, vec![30, 15]);
        assert_eq!(
            p.update[0].changes,
            vec![Change::Secret {
                to: WebhookSecret::new(SECRET)
            }]
        );
        let h = health_default(&rows, Some(&connection()));
        assert_eq!(h.topics[0].webhook_id, Some(30));
        assert_eq!(h.topics[0].duplicates, 1);
        assert_eq!(h.topics[0].credentials_current, Some(false));
        assert!(!h.topics[0].ok && !h.ok);
    }

    #[test]
    fn rotated_secret_and_url_update_every_row() {
        let rows = all_good();
        let rotated = Connection::new(
            "https://api.segmentflow.ai/webhooks/woocommerce/org_456",
            WebhookSecret::new("whsec_rotated_9876543210fedcba"),
            ApiVersion::WpApiV2,
            7,
        )
        .expect("valid");
        let p = plan(&rows, &rotated);
        assert_eq!(p.update.len(), 10);
        for u in &p.update {
            assert_eq!(u.changes.len(), 2, "secret and URL, user kept: {u:?}");
            assert!(matches!(u.changes[0], Change::Secret { .. }));
            assert!(matches!(u.changes[1], Change::DeliveryUrl { .. }));
        }
        let h = health_default(&rows, Some(&rotated));
        assert!(
            h.topics
                .iter()
                .all(|t| t.credentials_current == Some(false))
        );
        assert!(health_default(&rows, None).ok);
    }

    #[test]
    fn unknown_topics_are_deleted() {
        let mut rows = all_good();
        let mut coupon = good(40, Topic::OrderCreated);
        coupon.topic = "coupon.created".into();
        coupon.name = "Segmentflow: coupon.created".into();
        let mut blank = good(41, Topic::OrderCreated);
        blank.topic = String::new();
        rows.push(coupon);
        rows.push(blank);
        let p = plan(&rows, &connection());
        assert_eq!(ids(&p.delete, |d| d.webhook_id), vec![40, 41]);
        assert!(
            p.delete
                .iter()
                .all(|d| d.reason == DeleteReason::UnknownTopic)
        );
        assert_eq!(health_default(&rows, None).unknown_topic_rows, vec![40, 41]);
        assert_eq!(removal(&rows).len(), 12);
    }

    #[test]
    fn new_rows_match_what_woocommerce_inserts() {
        let now: jiff::Timestamp = "2026-11-27T22:39:37Z".parse().expect("timestamp");
        let new_york = jiff::tz::Offset::from_seconds(-5 * 3600).expect("offset");
        let row = NewWebhookRow::new(Topic::OrderUpdated, &connection(), now, new_york);
        // The fixture store (America/New_York) wrote this very pair.
        assert_eq!(row.date_created, "2026-11-27 17:39:37");
        assert_eq!(row.date_created_gmt, "2026-11-27 22:39:37");
        assert_eq!(row.status, WebhookStatus::Active);
        assert_eq!(row.name, "Segmentflow: order.updated");
        assert_eq!(row.api_version, 2);
        assert_eq!((row.failure_count, row.pending_delivery), (0, true));
        let columns: Vec<&str> = row.columns().iter().map(|(c, _)| *c).collect();
        assert_eq!(
            columns,
            [
                "status",
                "name",
                "user_id",
                "delivery_url",
                "secret",
                "topic",
                "date_created",
                "date_created_gmt",
                "api_version",
                "failure_count",
                "pending_delivery"
            ]
        );
        assert_eq!(
            row.columns()[4].1,
            ColumnValue::Secret(WebhookSecret::new(SECRET))
        );
        assert!(!format!("{:?}", row.columns()).contains(SECRET));
        let kolkata = jiff::tz::Offset::from_seconds(5 * 3600 + 1800).expect("offset");
        let dates = row_dates("2026-12-31T20:00:00Z".parse().expect("ts"), kolkata);
        assert_eq!(dates.local, "2027-01-01 01:30:00");
        assert_eq!(dates.gmt, "2026-12-31 20:00:00");
    }

    #[test]
    fn full_plan_snapshot() {
        let mut rows = fixture_store_rows();
        let mut ours = all_good();
        ours.truncate(8); // product.updated and product.deleted are missing
        ours[0].status = "disabled".into(); // order.created
        ours[0].failure_count = 6;
        ours[1].status = "paused".into(); // order.updated
        ours[2].user_id = 0; // order.deleted
        ours[3].api_version = 3; // order.restored
        ours[4].name = "segmentflow: customer.created".into();
        ours[5].secret = WebhookSecret::new("whsec_previous_aaaaaaaaaaaa");
        ours[5].delivery_url = "https://api.segmentflow.ai/webhooks/woocommerce/org_old".into();
        let mut dup = good(50, Topic::CustomerDeleted);
        dup.status = "disabled".into();
        let mut stray = good(51, Topic::ProductCreated);
        stray.topic = "coupon.created".into();
        stray.name = "Segmentflow: coupon.created".into();
        rows.extend(ours);
        rows.push(dup);
        rows.push(stray);
        let p = plan(&rows, &connection());
        let h = health_default(&rows, Some(&connection()));
        assert_eq!(p.reactivated(), vec![10, 11]);
        let modified = RowDates {
            local: "2026-11-28 01:00:00".into(),
            gmt: "2026-11-28 06:00:00".into(),
        };
        let reactivation = p.update[0].assignments(&modified);
        assert_eq!(
            reactivation,
            vec![
                ("status", ColumnValue::Text("active".into())),
                ("failure_count", ColumnValue::Int(0)),
                ("date_modified", ColumnValue::Text(modified.local.clone())),
                ("date_modified_gmt", ColumnValue::Text(modified.gmt.clone())),
            ]
        );
        let rotation = p.update[5].assignments(&modified);
        assert_eq!(
            rotation[0],
            ("secret", ColumnValue::Secret(WebhookSecret::new(SECRET)))
        );
        assert_eq!(rotation[1].0, "delivery_url");
        // A topic is healthy exactly when the plan has nothing to do for it.
        for t in &h.topics {
            let unchanged = p.unchanged.iter().any(|k| k.topic == t.topic);
            let has_duplicates = p.delete.iter().any(|d| {
                d.topic == t.topic.as_str() && matches!(d.reason, DeleteReason::Duplicate { .. })
            });
            assert_eq!(t.ok, unchanged && !has_duplicates, "{}", t.topic);
        }
        insta::assert_json_snapshot!("full_plan", p);
        insta::assert_json_snapshot!("health", h);
    }
}
