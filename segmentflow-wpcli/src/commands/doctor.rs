//! `doctor [--offline] [--clock-tolerance=<secs>]`: checks the installation
//! and prints one row per check — `check`, `status` (`pass`, `fail` or
//! `skip`), `detail` — in every list format. Exit 1 when any check fails
//! (after printing the whole table).
//!
//! | check | passes when |
//! |---|---|
//! | `binary` | always (it runs); the detail is its version |
//! | `database` | the site's database opens (a failure here skips the rest) |
//! | `options` | the plugin's options decode as the plugin reads them |
//! | `api` | the API knows the stored write key (`GET status` with `X-Write-Key`); skipped with `--offline` or when not connected |
//! | `webhooks` | connected on WooCommerce: the ten rows are exactly as `webhooks register` leaves them; not connected: no Segmentflow rows are left over |
//! | `hpos` | WooCommerce's order storage is consistent: with HPOS authoritative every `wc_orders` order has its `posts` row (placeholder or synced copy); with posts authoritative no order exists only as a placeholder |
//! | `clock` | the database clock (`UNIX_TIMESTAMP()`) and this machine's differ by at most the tolerance (webhook and API signatures allow 300 s of skew) |

use serde_json::Value;

use segmentflow_core::connection::{CheckOutcome, check_request, parse_check_response};
use segmentflow_core::options::{Platform, PluginOptions};
use segmentflow_core::wpconfig::Table;

use super::site_state::{self, SiteFacts};
use super::webhooks as webhook_cmd;
use crate::config::Doctor;
use crate::exit::ExitStatus;
use crate::output::{self, Format, Printer, Record};
use crate::wordpress::db::{Engine, Param};
use crate::wordpress::{options, site::Site, webhooks};

/// The fields shown by default.
pub const DEFAULT_FIELDS: &[&str] = &["check", "status", "detail"];

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// All is well.
    Pass,
    /// Something is wrong; the command exits 1.
    Fail,
    /// Not applicable here (or not run).
    Skip,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone)]
pub struct Check {
    /// The check's name.
    pub name: &'static str,
    /// Its outcome.
    pub outcome: Outcome,
    /// What was seen.
    pub detail: String,
}

fn check(name: &'static str, outcome: Outcome, detail: impl Into<String>) -> Check {
    Check {
        name,
        outcome,
        detail: detail.into(),
    }
}

/// Runs the command on the site (or the error opening it).
pub fn run(
    site: anyhow::Result<Site>,
    opts: &Doctor,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let mut checks = vec![check(
        "binary",
        Outcome::Pass,
        format!("segmentflow-wpcli {}", env!("CARGO_PKG_VERSION")),
    )];
    match site {
        Err(e) => {
            checks.push(check("database", Outcome::Fail, format!("{e:#}")));
            for name in ["options", "api", "webhooks", "hpos", "clock"] {
                checks.push(check(name, Outcome::Skip, "the database is unreachable"));
            }
        }
        Ok(mut site) => run_checks(&mut site, opts, &mut checks)?,
    }
    let items: Vec<Record> = checks
        .iter()
        .map(|c| {
            let mut r = Record::new();
            r.insert("check".into(), Value::String(c.name.into()));
            r.insert("status".into(), Value::String(c.outcome.as_str().into()));
            r.insert("detail".into(), Value::String(c.detail.clone()));
            r
        })
        .collect();
    let fields = opts.fields.resolve(DEFAULT_FIELDS);
    let mut out = output::render_items(opts.format, &fields, "check", &items, printer.piped())?;
    if !out.ends_with('\n') && opts.format != Format::Json {
        out.push('\n');
    }
    printer.result(&out)?;
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.name)
        .collect();
    if failed.is_empty() {
        printer.success("All checks passed.");
        Ok(ExitStatus::Success)
    } else {
        eprintln!(
            "Error: {} of {} checks failed: {}.",
            failed.len(),
            checks.len(),
            failed.join(", ")
        );
        Ok(ExitStatus::Error)
    }
}

fn run_checks(site: &mut Site, opts: &Doctor, checks: &mut Vec<Check>) -> anyhow::Result<()> {
    checks.push(database(site));
    let plugin = site_state::plugin_options(site);
    let facts = SiteFacts::read(site);
    match (plugin, facts) {
        (Ok(plugin), Ok(facts)) => {
            checks.push(options_check(&plugin));
            checks.push(api(&plugin, &facts, opts.offline));
            checks.push(webhooks_check(site, &plugin, &facts));
            checks.push(hpos(site, &facts));
        }
        (Err(e), _) | (_, Err(e)) => {
            checks.push(check("options", Outcome::Fail, format!("{e:#}")));
            for name in ["api", "webhooks", "hpos"] {
                checks.push(check(name, Outcome::Skip, "the options cannot be read"));
            }
        }
    }
    checks.push(clock(site, opts.clock_tolerance));
    Ok(())
}

fn database(site: &mut Site) -> Check {
    let (engine, sql) = match site.db.engine() {
        Engine::Mysql => ("MySQL/MariaDB", "SELECT VERSION()"),
        Engine::Sqlite => ("SQLite", "SELECT sqlite_version()"),
    };
    match site.db.query_first(sql, &[]) {
        Ok(row) => {
            let version = row
                .as_ref()
                .and_then(|r| r.str(0).ok().flatten().map(str::to_owned))
                .unwrap_or_default();
            check(
                "database",
                Outcome::Pass,
                format!("{engine} {version} ({})", site.source),
            )
        }
        Err(e) => check("database", Outcome::Fail, e.to_string()),
    }
}

fn options_check(plugin: &PluginOptions) -> Check {
    if plugin.problems.is_empty() {
        check(
            "options",
            Outcome::Pass,
            format!(
                "{} Segmentflow options stored, all readable",
                plugin.stored.len()
            ),
        )
    } else {
        let problems: Vec<String> = plugin.problems.iter().map(ToString::to_string).collect();
        check("options", Outcome::Fail, problems.join("; "))
    }
}

fn api(plugin: &PluginOptions, facts: &SiteFacts, offline: bool) -> Check {
    if !plugin.is_connected() {
        return check("api", Outcome::Skip, "not connected");
    }
    if offline {
        return check("api", Outcome::Skip, "--offline");
    }
    let host = match plugin.api_host_url() {
        Ok(host) => host,
        Err(e) => return check("api", Outcome::Fail, e.to_string()),
    };
    let Some(request) = check_request(&host, &plugin.write_key, &facts.client()) else {
        return check("api", Outcome::Skip, "no write key stored");
    };
    match site_state::call(&request) {
        Err(reason) => check("api", Outcome::Fail, format!("no answer: {reason}")),
        Ok((status, body)) => match parse_check_response(status, &body) {
            CheckOutcome::Valid { organization_id } => {
                let stored = &plugin.organization_id;
                match organization_id {
                    Some(id) if !stored.is_empty() && &id != stored => check(
                        "api",
                        Outcome::Fail,
                        format!(
                            "the write key belongs to organization {id}, the site stores {stored}"
                        ),
                    ),
                    _ => check(
                        "api",
                        Outcome::Pass,
                        format!("{} accepts the write key", host.as_str()),
                    ),
                }
            }
            CheckOutcome::Rejected(text) => check(
                "api",
                Outcome::Fail,
                format!("{} rejects the stored connection ({text})", host.as_str()),
            ),
            CheckOutcome::Unclear(text) => check(
                "api",
                Outcome::Fail,
                format!(
                    "{} could not confirm the connection ({text})",
                    host.as_str()
                ),
            ),
        },
    }
}

fn webhooks_check(site: &mut Site, plugin: &PluginOptions, facts: &SiteFacts) -> Check {
    let table = match site.table(Table::WcWebhooks) {
        Ok(t) => t,
        Err(e) => return check("webhooks", Outcome::Fail, format!("{e:#}")),
    };
    let rows = match webhooks::read_all(&mut site.db, &table) {
        Ok(rows) => rows,
        Err(e) => return check("webhooks", Outcome::Fail, e.to_string()),
    };
    let Some(rows) = rows else {
        return if facts.wc_active {
            check(
                "webhooks",
                Outcome::Fail,
                format!(
                    "WooCommerce is active but {} does not exist",
                    table.as_str()
                ),
            )
        } else {
            check("webhooks", Outcome::Skip, "WooCommerce is not installed")
        };
    };
    let ours = rows.iter().filter(|r| r.is_segmentflow()).count();
    if !plugin.is_connected() {
        return if ours == 0 {
            check("webhooks", Outcome::Skip, "not connected")
        } else {
            check(
                "webhooks",
                Outcome::Fail,
                format!(
                    "{ours} Segmentflow webhook(s) left over while not connected (wp segmentflow webhooks remove)"
                ),
            )
        };
    }
    let connection =
        segmentflow_core::connection::Connection::from_options(plugin, facts.wc_active);
    let on_woocommerce = match &connection {
        segmentflow_core::connection::Connection::Connected(s) => {
            s.platform == Platform::WooCommerce
        }
        _ => false,
    };
    if !on_woocommerce {
        return check(
            "webhooks",
            Outcome::Skip,
            "connected without WooCommerce: no webhooks are used",
        );
    }
    let expected = webhook_cmd::expected_connection(plugin, 0);
    let judged = webhook_cmd::judge(&rows, expected.as_ref());
    let all_ok = judged.health.ok && judged.rows.iter().all(|(_, h)| h == "ok");
    let summary = webhook_cmd::summary(&judged, &rows);
    if all_ok {
        check("webhooks", Outcome::Pass, summary)
    } else {
        check(
            "webhooks",
            Outcome::Fail,
            format!("{summary} (wp segmentflow webhooks register repairs them)"),
        )
    }
}

fn count(site: &mut Site, sql: &str, params: &[Param<'_>]) -> anyhow::Result<i64> {
    Ok(site
        .db
        .query_first(sql, params)?
        .map(|r| r.i64(0))
        .transpose()?
        .flatten()
        .unwrap_or(0))
}

fn hpos(site: &mut Site, facts: &SiteFacts) -> Check {
    if !facts.wc_active {
        return check("hpos", Outcome::Skip, "WooCommerce is not active");
    }
    match hpos_state(site) {
        Ok(c) => c,
        Err(e) => check("hpos", Outcome::Fail, format!("{e:#}")),
    }
}

fn hpos_state(site: &mut Site) -> anyhow::Result<Check> {
    let options_table = site.options_table()?;
    let rows = options::get_many(
        &mut site.db,
        &options_table,
        &[
            "woocommerce_custom_orders_table_enabled",
            "woocommerce_custom_orders_table_data_sync_enabled",
        ],
    )?;
    let yes = |name: &str| rows.iter().any(|r| r.name == name && r.value == b"yes");
    let hpos_on = yes("woocommerce_custom_orders_table_enabled");
    let sync_on = yes("woocommerce_custom_orders_table_data_sync_enabled");
    let posts = site.table(Table::Posts)?;
    let orders = site.table(Table::WcOrders)?;
    let orders_exist = site.db.table_exists(orders.as_str())?;
    let posts_q = posts.quoted();
    let n_posts = count(
        site,
        &format!("SELECT COUNT(*) FROM {posts_q} WHERE post_type = ?"),
        &[Param::Str("shop_order")],
    )?;
    let n_placeholders = count(
        site,
        &format!("SELECT COUNT(*) FROM {posts_q} WHERE post_type = ?"),
        &[Param::Str("shop_order_placehold")],
    )?;
    let sync = if sync_on { "sync on" } else { "sync off" };
    if hpos_on {
        if !orders_exist {
            return Ok(check(
                "hpos",
                Outcome::Fail,
                format!(
                    "HPOS is authoritative but {} does not exist",
                    orders.as_str()
                ),
            ));
        }
        let orders_q = orders.quoted();
        let n_orders = count(
            site,
            &format!("SELECT COUNT(*) FROM {orders_q} WHERE type = ?"),
            &[Param::Str("shop_order")],
        )?;
        let orphans = count(
            site,
            &format!(
                "SELECT COUNT(*) FROM {orders_q} o LEFT JOIN {posts_q} p ON p.ID = o.id WHERE o.type = ? AND p.ID IS NULL"
            ),
            &[Param::Str("shop_order")],
        )?;
        let detail = format!(
            "HPOS authoritative, {sync}: {n_orders} orders, {n_placeholders} placeholder posts, {n_posts} synced posts"
        );
        return Ok(if orphans > 0 {
            check(
                "hpos",
                Outcome::Fail,
                format!("{detail}; {orphans} orders have no posts row reserving their id"),
            )
        } else {
            check("hpos", Outcome::Pass, detail)
        });
    }
    let n_orders = if orders_exist {
        count(
            site,
            &format!("SELECT COUNT(*) FROM {} WHERE type = ?", orders.quoted()),
            &[Param::Str("shop_order")],
        )?
    } else {
        0
    };
    let detail = format!(
        "posts authoritative, {sync}: {n_posts} orders, {n_orders} in HPOS tables, {n_placeholders} placeholder posts"
    );
    Ok(if n_placeholders > 0 {
        check(
            "hpos",
            Outcome::Fail,
            format!(
                "{detail}; placeholder posts while posts are authoritative: those orders exist only in the HPOS tables"
            ),
        )
    } else {
        check("hpos", Outcome::Pass, detail)
    })
}

fn clock(site: &mut Site, tolerance: std::time::Duration) -> Check {
    let sql = match site.db.engine() {
        Engine::Mysql => "SELECT UNIX_TIMESTAMP()",
        Engine::Sqlite => "SELECT CAST(strftime('%s', 'now') AS INTEGER)",
    };
    let db_now = match count(site, sql, &[]) {
        Ok(t) => t,
        Err(e) => return check("clock", Outcome::Fail, format!("{e:#}")),
    };
    let here = jiff::Timestamp::now().as_second();
    let skew = db_now - here;
    let limit = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    let detail = format!(
        "database clock {} this machine's by {} s (tolerance {limit} s)",
        if skew >= 0 { "ahead of" } else { "behind" },
        skew.abs()
    );
    check(
        "clock",
        if skew.abs() <= limit {
            Outcome::Pass
        } else {
            Outcome::Fail
        },
        detail,
    )
}
