//! `revenue`: paid revenue net of refunds per UTM value, per currency.
//!
//! The store is streamed once into `OrderFact`s by the intelligence
//! layer's reader (`wordpress::store::insight`) and the attribution is the
//! core's (`segmentflow_core::insight::revenue`, whose module doc states
//! every rule: which orders count, the plugin's touch before
//! WooCommerce's, first vs last touch, the paid-else-created window).
//!
//! Output: one row per (currency, value), in WP-CLI's list formats
//! (`table`, `json`, `csv`, `yaml`). Currencies are never added: rows are
//! grouped by `currency`, and `share` is of that currency's total.
//!
//! | field | value |
//! |---|---|
//! | `currency` | order currency (`USD`) |
//! | `campaign` / `source` / `medium` / `content` / `term` (the `--by` dimension) | the UTM value; the unattributed row shows `(unattributed)` in table and csv, `null` in json and yaml |
//! | `orders` | paid orders credited to it |
//! | `revenue` | their net revenue, exact decimal text (`1234.50`; more decimals only when the store has them) |
//! | `average_order_value` | `revenue / orders`, 2 decimals |
//! | `share` | percent of the currency's revenue, one decimal (`12.5`); empty/null when that total is 0 |
//! | `attributed` | false for the unattributed row (with `--fields`) |
//! | `segmentflow_orders`, `woocommerce_orders` | of `orders`, how many were credited from the plugin's meta / from WooCommerce's fallback (with `--fields`) |
//!
//! After the rows, one line per currency on stderr (dropped by `--quiet`)
//! gives its paid order count and net total: the rows add up to it exactly.
//! Orders whose rows cannot be decoded are skipped with a warning naming
//! them, and the exit status is then 3 (partial).

use anyhow::Context as _;
use serde_json::Value;

use segmentflow_core::insight::OrderFact;
use segmentflow_core::insight::revenue::{RevenueReport, attribute, exact_text};

use crate::config::RevenueConfig;
use crate::exit::ExitStatus;
use crate::output::{self, Format, Printer, Record};
use crate::wordpress::site::Site;
use crate::wordpress::store::Tables;
use crate::wordpress::store::insight::{WINDOW, order_facts};
use crate::wordpress::store::site::order_storage;

/// What the unattributed row shows as its value in table and csv output.
pub const UNATTRIBUTED: &str = "(unattributed)";

/// Reads every order of the site as an [`OrderFact`]; rows that cannot be
/// decoded are reported on stderr and skipped (their count is returned).
pub fn read_orders(site: &mut Site, printer: &Printer) -> anyhow::Result<(Vec<OrderFact>, u64)> {
    let tables = Tables::new(&site.prefix, site.blog_id)
        .with_context(|| format!("table prefix '{}'", site.prefix))?;
    let storage =
        order_storage(&mut site.db, &tables).context("cannot tell where orders are stored")?;
    let mut facts = Vec::new();
    let mut skipped = 0u64;
    for item in order_facts(&mut site.db, &tables, storage, WINDOW) {
        match item {
            Ok(fact) => facts.push(fact),
            Err(e @ crate::wordpress::store::ReadError::Row { .. }) => {
                skipped += 1;
                printer.warning(&format!("skipped: {e}"));
            }
            Err(e) => return Err(e).context("cannot read the orders"),
        }
    }
    Ok((facts, skipped))
}

/// The report's rows as records (see the module doc for the fields).
pub fn records(report: &RevenueReport, format: Format) -> Vec<Record> {
    let by = report.options.by.as_str();
    let mut out = Vec::new();
    for section in &report.currencies {
        for row in &section.rows {
            let value = match (&row.value, format) {
                (Some(v), _) => Value::String(v.clone()),
                (None, Format::Json | Format::Yaml) => Value::Null,
                (None, _) => Value::String(UNATTRIBUTED.into()),
            };
            let mut r = Record::new();
            r.insert("currency".into(), Value::String(section.currency.clone()));
            r.insert(by.into(), value);
            r.insert("orders".into(), Value::from(row.orders));
            r.insert("revenue".into(), Value::String(exact_text(row.revenue)));
            r.insert(
                "average_order_value".into(),
                Value::String(row.average_order_value.to_string()),
            );
            r.insert(
                "share".into(),
                row.share.clone().map_or(Value::Null, Value::String),
            );
            r.insert("attributed".into(), Value::Bool(row.value.is_some()));
            r.insert(
                "segmentflow_orders".into(),
                Value::from(row.from_segmentflow),
            );
            r.insert(
                "woocommerce_orders".into(),
                Value::from(row.from_woocommerce),
            );
            out.push(r);
        }
    }
    out
}

/// Runs `revenue`.
pub fn run(site: &mut Site, opts: &RevenueConfig, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let started = std::time::Instant::now();
    let (facts, skipped) = read_orders(site, printer)?;
    let read = started.elapsed();
    let report = attribute(&facts, &opts.options)?;
    printer.debug(&format!(
        "read {} orders in {:.3}s, attributed in {:.3}s",
        facts.len(),
        read.as_secs_f64(),
        (started.elapsed() - read).as_secs_f64()
    ));
    let by = report.options.by.as_str();
    let default_fields = [
        "currency",
        by,
        "orders",
        "revenue",
        "average_order_value",
        "share",
    ];
    let fields = opts.fields.resolve(&default_fields);
    let items = records(&report, opts.format);
    let mut out = output::render_items(opts.format, &fields, "currency", &items, printer.piped())?;
    if !out.ends_with('\n') && opts.format != Format::Json {
        out.push('\n');
    }
    printer.result(&out)?;
    for section in &report.currencies {
        printer.info(&format!(
            "{}: {} paid orders, {} net revenue ({} model, by {by})",
            if section.currency.is_empty() {
                "(no currency)"
            } else {
                &section.currency
            },
            section.orders,
            exact_text(section.revenue),
            report.options.model.as_str(),
        ));
    }
    if report.currencies.is_empty() {
        printer.info("No paid orders in this window.");
    }
    Ok(if skipped > 0 {
        ExitStatus::Partial
    } else {
        ExitStatus::Success
    })
}
