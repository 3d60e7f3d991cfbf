//! `webhooks list|register|remove|plan`: the ten Segmentflow WooCommerce
//! webhooks in `{prefix}wc_webhooks`.
//!
//! The decisions are the core's (`segmentflow_core::webhooks::registration`):
//! [`registration::plan`] says what to create, update, re-activate or
//! delete, [`registration::removal`] what disconnecting deletes,
//! [`registration::health`] how each topic stands.
//!
//! * `list` shows one line per topic (the row the plan keeps, or `missing`),
//!   then duplicate and unknown-topic Segmentflow rows, each with a `health`
//!   text. Secrets are never shown.
//! * `register` / `remove` write the rows with SQL, with the column values
//!   and date formats `WC_Webhook_Data_Store` writes, and then delete
//!   WooCommerce's cached webhook-id transients (`woocommerce_webhook_ids`
//!   and `woocommerce_webhook_ids_status_{active,paused,disabled}`) as its
//!   `delete_transients()` does; the option names are reported to the PHP
//!   side, which also drops them from the object cache. A direct write sends
//!   no ping: `pending_delivery` stays set on new rows until WooCommerce
//!   saves them.
//! * `plan` prints the JSON the PHP package carries out through
//!   `WC_Webhook` when WooCommerce is loaded (`WebhooksCommand::apply_plan`):
//!
//! ```json
//! {"create":[{"topic":"order.created","name":"Segmentflow: order.created","delivery_url":"…","secret":"…","api_version":"wp_api_v2","user_id":1}],
//!  "update":[{"id":12,"topic":"order.updated","name":"Segmentflow: order.updated","delivery_url":"…","secret":"…","status":"active","api_version":"wp_api_v2","failure_count":0}],
//!  "delete":[{"id":15,"reason":"duplicate"}]}
//! ```
//!
//! `failure_count` is present only when the row is re-activated, `user_id`
//! on an update only when the row had none. The plan carries the webhook
//! secret (WooCommerce must store it), so it is refused on a terminal.

use std::io::IsTerminal as _;

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use segmentflow_core::options::PluginOptions;
use segmentflow_core::webhooks::registration::{
    self, Change, Connection, DeleteReason, Health, Plan, WebhookRow,
};
use segmentflow_core::webhooks::{ApiVersion, Topic, WebhookSecret, WebhookStatus};
use segmentflow_core::wpconfig::Table;

use super::site_state::{self, SiteFacts};
use crate::cli::PlanAction;
use crate::config::WebhooksList;
use crate::exit::ExitStatus;
use crate::output::{self, Format, Printer, Record};
use crate::wordpress::{options, site::Site, webhooks};

/// The fields `webhooks list` shows by default.
pub const DEFAULT_FIELDS: &[&str] = &[
    "id",
    "topic",
    "status",
    "health",
    "failure_count",
    "pending_delivery",
    "delivery_url",
    "api_version",
];

/// The error when `{prefix}wc_webhooks` does not exist.
fn table_missing(table: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "the {table} table does not exist: WooCommerce is not installed on this site (or its tables were never created)"
    )
}

/// What the stored connection says the webhooks should carry, when the
/// webhook credentials are stored (`None` otherwise: rows are then judged
/// without them).
pub fn expected_connection(plugin: &PluginOptions, user_id: u64) -> Option<Connection> {
    Connection::new(
        plugin.webhook_delivery_url.clone(),
        WebhookSecret::new(plugin.webhook_secret.expose()),
        ApiVersion::PLUGIN_DEFAULT,
        user_id,
    )
    .ok()
}

/// The stored connection, or a clear error telling how to get one.
fn required_connection(site: &mut Site) -> anyhow::Result<Connection> {
    let plugin = site_state::plugin_options(site)?;
    if plugin.webhook_secret.expose().is_empty() || plugin.webhook_delivery_url.is_empty() {
        bail!(
            "no webhook credentials are stored (segmentflow_webhook_secret, segmentflow_webhook_delivery_url): connect the site first (wp segmentflow connect)"
        );
    }
    let user_id = super::connect::first_administrator(site)?;
    Connection::new(
        plugin.webhook_delivery_url.clone(),
        WebhookSecret::new(plugin.webhook_secret.expose()),
        ApiVersion::PLUGIN_DEFAULT,
        user_id,
    )
    .context("the stored webhook credentials cannot be used")
}

/// Every row of the table, or the "table missing" error.
fn read_rows(site: &mut Site) -> anyhow::Result<Vec<WebhookRow>> {
    let table = site.table(Table::WcWebhooks)?;
    webhooks::read_all(&mut site.db, &table)?.ok_or_else(|| table_missing(table.as_str()))
}

/// Describes one change of a kept row.
fn describe(change: &Change) -> String {
    match change {
        Change::Reactivate { from, .. } => from.clone(),
        Change::Secret { .. } => "outdated secret".into(),
        Change::DeliveryUrl { .. } => "outdated delivery URL".into(),
        Change::ApiVersion { from, to } => format!(
            "API version {} instead of {to}",
            ApiVersion::from_column((*from).into())
                .map_or_else(|_| from.to_string(), |v| v.to_string())
        ),
        Change::UserId { .. } => "no user (user_id 0)".into(),
        Change::Name { from, .. } => format!("non-canonical name {from:?}"),
    }
}

/// The health text of each Segmentflow row by id, plus the missing topics,
/// from the plan that would fix them (`expected`: the stored connection).
pub struct Judged {
    /// `(webhook_id, health text)` of every Segmentflow row.
    pub rows: Vec<(u64, String)>,
    /// Topics with no row.
    pub missing: Vec<Topic>,
    /// The core's summary.
    pub health: Health,
}

/// Judges the rows.
pub fn judge(rows: &[WebhookRow], expected: Option<&Connection>) -> Judged {
    let health = registration::health_default(rows, expected);
    // Without stored credentials, judge against each row's own values so
    // only status, duplicates and topics count.
    let plan: Option<Plan> = expected.map(|c| registration::plan(rows, c));
    let mut out = Vec::new();
    for t in &health.topics {
        let Some(id) = t.webhook_id else { continue };
        let mut reasons: Vec<String> = Vec::new();
        match &plan {
            Some(plan) => {
                if let Some(update) = plan.update.iter().find(|u| u.webhook_id == id) {
                    reasons.extend(update.changes.iter().map(describe));
                }
            }
            None => {
                if let Some(status) = t.status.filter(|s| *s != WebhookStatus::Active) {
                    reasons.push(status.as_str().to_owned());
                }
            }
        }
        if t.status == Some(WebhookStatus::Active)
            && let Some(failures) = t.failure_count.filter(|f| *f > 0)
        {
            let left = t.failures_until_disabled.map_or(String::new(), |l| {
                format!(", {l} more before WooCommerce disables it")
            });
            reasons.push(format!("{failures} failed deliveries{left}"));
        }
        let text = if reasons.is_empty() {
            "ok".to_owned()
        } else {
            reasons.join("; ")
        };
        out.push((id, text));
    }
    let deletions = match &plan {
        Some(plan) => plan.delete.clone(),
        None => Vec::new(),
    };
    for row in rows.iter().filter(|r| r.is_segmentflow()) {
        if out.iter().any(|(id, _)| *id == row.webhook_id) {
            continue;
        }
        let text = match deletions.iter().find(|d| d.webhook_id == row.webhook_id) {
            Some(d) => match d.reason {
                DeleteReason::Duplicate { kept } => format!("duplicate of #{kept}"),
                DeleteReason::UnknownTopic | DeleteReason::Removal => "unknown topic".to_owned(),
            },
            None => match row.topic_kind() {
                None => "unknown topic".to_owned(),
                Some(topic) => {
                    let kept = health
                        .topics
                        .iter()
                        .find(|t| t.topic == topic)
                        .and_then(|t| t.webhook_id)
                        .unwrap_or(0);
                    format!("duplicate of #{kept}")
                }
            },
        };
        out.push((row.webhook_id, text));
    }
    let missing = health
        .topics
        .iter()
        .filter(|t| !t.present)
        .map(|t| t.topic)
        .collect();
    Judged {
        rows: out,
        missing,
        health,
    }
}

/// One line about everything that is not ok (`10 of 10 active` when all is).
pub fn summary(judged: &Judged, rows: &[WebhookRow]) -> String {
    let active = judged
        .health
        .topics
        .iter()
        .filter(|t| t.status == Some(WebhookStatus::Active))
        .count();
    let mut parts = vec![format!("{active} of {} active", judged.health.topics.len())];
    if !judged.missing.is_empty() {
        let names: Vec<&str> = judged.missing.iter().map(|t| t.as_str()).collect();
        parts.push(format!("missing: {}", names.join(", ")));
    }
    for (id, text) in &judged.rows {
        if text != "ok" {
            let topic = rows
                .iter()
                .find(|r| r.webhook_id == *id)
                .map_or("?", |r| r.topic.as_str());
            parts.push(format!("#{id} {topic}: {text}"));
        }
    }
    parts.join("; ")
}

fn api_version_text(column: i16) -> String {
    ApiVersion::from_column(column.into())
        .map_or_else(|_| column.to_string(), |v| v.as_str().to_owned())
}

fn record(row: &WebhookRow, health: &str) -> Record {
    let mut item = Record::new();
    item.insert("id".into(), Value::from(row.webhook_id));
    item.insert("topic".into(), Value::String(row.topic.clone()));
    item.insert("status".into(), Value::String(row.status.clone()));
    item.insert("health".into(), Value::String(health.to_owned()));
    item.insert("failure_count".into(), Value::from(row.failure_count));
    item.insert("pending_delivery".into(), Value::Bool(row.pending_delivery));
    item.insert(
        "delivery_url".into(),
        Value::String(row.delivery_url.clone()),
    );
    item.insert(
        "api_version".into(),
        Value::String(api_version_text(row.api_version)),
    );
    item.insert("name".into(), Value::String(row.name.clone()));
    item.insert("user_id".into(), Value::from(row.user_id));
    let date = |d: &Option<String>| d.clone().map_or(Value::Null, Value::String);
    item.insert("date_created_gmt".into(), date(&row.date_created_gmt));
    item.insert("date_modified_gmt".into(), date(&row.date_modified_gmt));
    item
}

fn missing_record(topic: Topic) -> Record {
    let mut item = Record::new();
    item.insert("id".into(), Value::Null);
    item.insert("topic".into(), Value::String(topic.as_str().into()));
    item.insert("status".into(), Value::String("missing".into()));
    item.insert("health".into(), Value::String("missing".into()));
    for field in [
        "failure_count",
        "pending_delivery",
        "delivery_url",
        "api_version",
        "name",
        "user_id",
        "date_created_gmt",
        "date_modified_gmt",
    ] {
        item.insert(field.into(), Value::Null);
    }
    item
}

/// `webhooks list`.
pub fn list(site: &mut Site, opts: &WebhooksList, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let rows = read_rows(site)?;
    let plugin = site_state::plugin_options(site)?;
    let expected = expected_connection(&plugin, 0);
    let judged = judge(&rows, expected.as_ref());
    let health_of = |id: u64| {
        judged
            .rows
            .iter()
            .find(|(i, _)| *i == id)
            .map_or("ok", |(_, h)| h.as_str())
    };
    let mut items = Vec::new();
    // One line per topic in the plugin's order: the kept row or "missing".
    for t in &judged.health.topics {
        match t
            .webhook_id
            .and_then(|id| rows.iter().find(|r| r.webhook_id == id))
        {
            Some(row) => items.push(record(row, health_of(row.webhook_id))),
            None => items.push(missing_record(t.topic)),
        }
    }
    // Then the other Segmentflow rows (duplicates, unknown topics), by id.
    let kept: Vec<u64> = judged
        .health
        .topics
        .iter()
        .filter_map(|t| t.webhook_id)
        .collect();
    for row in rows
        .iter()
        .filter(|r| r.is_segmentflow() && !kept.contains(&r.webhook_id))
    {
        items.push(record(row, health_of(row.webhook_id)));
    }
    if matches!(opts.format, Format::Ids | Format::Count) {
        items.retain(|i| !i["id"].is_null());
    }
    let fields = opts.fields.resolve(DEFAULT_FIELDS);
    let mut out = output::render_items(opts.format, &fields, "id", &items, printer.piped())?;
    if !out.ends_with('\n') && !(opts.format == Format::Json) {
        out.push('\n');
    }
    printer.result(&out)?;
    Ok(ExitStatus::Success)
}

/// `webhooks register`.
pub fn register(site: &mut Site, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let connection = required_connection(site)?;
    let rows = read_rows(site)?;
    let plan = registration::plan(&rows, &connection);
    printer.debug(&format!(
        "plan: {} to create, {} to update, {} to delete, {} unchanged",
        plan.create.len(),
        plan.update.len(),
        plan.delete.len(),
        plan.unchanged.len()
    ));
    let facts = SiteFacts::read(site)?;
    let now = jiff::Timestamp::now();
    let table = site.table(Table::WcWebhooks)?;
    let options_table = site.options_table()?;
    let applied = webhooks::apply_plan(
        &mut site.db,
        &table,
        &plan,
        &connection,
        now,
        facts.utc_offset(now),
    )
    .context("cannot register the Segmentflow webhooks")?;
    let mut written = Vec::new();
    if applied.changed() {
        written = webhooks::forget_cached_ids(&mut site.db, &options_table)?;
    }
    options::report_written(&written).context("cannot write the list of written options")?;
    printer.success(&format!(
        "{} webhooks active ({} created, {} updated, {} deleted, {} unchanged).",
        Topic::ALL.len(),
        applied.created,
        applied.updated,
        applied.deleted,
        plan.unchanged.len()
    ));
    Ok(ExitStatus::Success)
}

/// `webhooks remove`.
pub fn remove(site: &mut Site, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let table = site.table(Table::WcWebhooks)?;
    let Some(rows) = webhooks::read_all(&mut site.db, &table)? else {
        options::report_written(&[]).context("cannot write the list of written options")?;
        printer.success(&format!(
            "No {} table (WooCommerce is not installed): no webhooks to remove.",
            table.as_str()
        ));
        return Ok(ExitStatus::Success);
    };
    let ids: Vec<u64> = registration::removal(&rows)
        .iter()
        .map(|d| d.webhook_id)
        .collect();
    let mut written = Vec::new();
    let mut removed = 0;
    if !ids.is_empty() {
        removed = webhooks::delete_rows(&mut site.db, &table, &ids)
            .context("cannot remove the Segmentflow webhooks")?;
        let options_table = site.options_table()?;
        written = webhooks::forget_cached_ids(&mut site.db, &options_table)?;
    }
    options::report_written(&written).context("cannot write the list of written options")?;
    printer.success(&format!("Removed {removed} webhooks."));
    Ok(ExitStatus::Success)
}

/// The plan as the JSON `WebhooksCommand::apply_plan` reads.
pub fn plan_json(plan: &Plan, connection: &Connection) -> Value {
    let api_version = connection.api_version().as_str();
    let create: Vec<Value> = plan
        .create
        .iter()
        .map(|topic| {
            json!({
                "topic": topic.as_str(),
                "name": topic.webhook_name(),
                "delivery_url": connection.delivery_url(),
                "secret": connection.secret().expose(),
                "api_version": api_version,
                "user_id": connection.user_id(),
            })
        })
        .collect();
    let update: Vec<Value> = plan
        .update
        .iter()
        .map(|u| {
            let mut entry = json!({
                "id": u.webhook_id,
                "topic": u.topic.as_str(),
                "name": u.topic.webhook_name(),
                "delivery_url": connection.delivery_url(),
                "secret": connection.secret().expose(),
                "status": WebhookStatus::Active.as_str(),
                "api_version": api_version,
            });
            for change in &u.changes {
                match change {
                    Change::Reactivate { .. } => entry["failure_count"] = json!(0),
                    Change::UserId { to, .. } => entry["user_id"] = json!(to),
                    _ => {}
                }
            }
            entry
        })
        .collect();
    json!({
        "create": create,
        "update": update,
        "delete": deletions_json(&plan.delete),
    })
}

fn deletions_json(deletions: &[registration::Deletion]) -> Vec<Value> {
    deletions
        .iter()
        .map(|d| {
            let reason = match d.reason {
                DeleteReason::Duplicate { .. } => "duplicate",
                DeleteReason::UnknownTopic => "unknown_topic",
                DeleteReason::Removal => "removal",
            };
            json!({ "id": d.webhook_id, "topic": d.topic, "reason": reason })
        })
        .collect()
}

/// `webhooks plan`.
pub fn plan(site: &mut Site, action: PlanAction, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let value = match action {
        PlanAction::Register => {
            if std::io::stdout().is_terminal() {
                bail!(
                    "the webhook plan carries the webhook secret, so it is only written to a pipe (the PHP package reads it); use `webhooks list` to look at the webhooks"
                );
            }
            let connection = required_connection(site)?;
            let rows = read_rows(site)?;
            plan_json(&registration::plan(&rows, &connection), &connection)
        }
        PlanAction::Remove => {
            let rows = read_rows(site)?;
            json!({
                "create": [],
                "update": [],
                "delete": deletions_json(&registration::removal(&rows)),
            })
        }
    };
    printer.result(&format!("{}\n", serde_json::to_string(&value)?))?;
    Ok(ExitStatus::Success)
}
