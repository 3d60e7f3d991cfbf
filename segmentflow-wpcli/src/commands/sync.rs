//! `sync`: send the store to Segmentflow exactly as WooCommerce's own
//! webhooks would, and plain users as identify events.
//!
//! Flow of a run:
//!
//! 1. Refuse when the site is not connected, or when it is connected as
//!    WordPress only and WooCommerce resources are asked for (there are no
//!    Segmentflow webhooks to speak for).
//! 2. Read the checkpoints from `segmentflow_sync_state` (PHP-serialized
//!    [`SyncState`]) unless `--full`; the API version and webhook ids from
//!    the site's Segmentflow rows in `wc_webhooks` (v2 when there are none).
//! 3. Customers, orders, products: a reader thread streams items from the
//!    [`RecordSource`] — the database ([`DatabaseSource`], on a second
//!    connection from [`Site::connect_again`]), or the hidden
//!    `--records-dir` — skips those at or before the checkpoint (counted as
//!    unchanged, with what the source skipped itself: the database source
//!    skips them in SQL, and all resources' skipped items are counted up
//!    front, in parallel), reports unreadable records as failed items, plans each delivery ([`DeliveryPlanner`]: headers,
//!    signature, deterministic delivery id) and hands it to the engine
//!    ([`deliver`]), which sends in parallel and gives acknowledged
//!    checkpoints to the [`CheckpointSink`] — here, a write of
//!    `segmentflow_sync_state` (batched by the engine).
//! 4. Users: identify batches ([`BatchPacker`]) to
//!    `{api_host}/api/v1/ingest/batch` ([`send_identify`]).
//! 5. The [`SyncReport`] goes to `segmentflow_last_sync` and to stdout in
//!    `--format`; failures are listed on stderr.
//!
//! `--dry-run` reads, maps and signs but sends and stores nothing; its
//! report counts what would have been sent. Exit codes: 0, 3 when some items
//! failed, 1 when the run stopped early (wrong webhook secret, unreachable
//! host, read error) — the checkpoints then stay where the acknowledged
//! items left them.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context as _, anyhow, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use segmentflow_core::connection::{Connection, RecordedPlatform};
use segmentflow_core::php;
use segmentflow_core::rest::ApiVersion;
use segmentflow_core::sync::{
    BatchLimits, BatchPacker, Checkpoint, DeliveryPlanner, INGEST_PATH, IdentifyBatch,
    IdentifyEvent, LAST_SYNC_OPTION, OversizedEvent, ReportBuilder, Resource, RetryPolicy,
    SYNC_STATE_OPTION, SyncReport, SyncState, WebhookSite,
};

use super::site_state::{self, SiteFacts};
use super::sync_source::{
    DatabaseSource, FixtureSource, Items, RecordSource, SourceError, UserItem,
};
use crate::config::SyncOptions;
use crate::exit::ExitStatus;
use crate::output::{self, Printer, Record};
use crate::sync::{
    CheckpointSink, EngineConfig, EngineError, IngestTarget, PreparedItem, Progress, deliver,
    send_identify,
};
use crate::wordpress::store::Tables;
use crate::wordpress::store::site::SiteFacts as StoreFacts;
use crate::wordpress::{options, site::Site, webhooks};
use segmentflow_core::wpconfig::Table;

/// The report fields shown without `--fields`.
pub const DEFAULT_FIELDS: &[&str] = &[
    "resource",
    "sent",
    "unchanged",
    "failed",
    "retried",
    "duration_s",
    "throughput_per_sec",
];

/// The message of a run every delivery of which was refused with 401.
pub const WRONG_SECRET: &str = "all deliveries were rejected with 401: the stored webhook secret does not match — reconnect with `wp segmentflow connect`";

/// Stores checkpoints in `segmentflow_sync_state`.
struct OptionSink<'s> {
    site: &'s mut Site,
    state: SyncState,
    wrote: bool,
}

impl OptionSink<'_> {
    fn store(&mut self) -> anyhow::Result<()> {
        let bytes = php::to_bytes(&self.state).context("cannot encode the sync state")?;
        let table = self.site.options_table()?;
        options::write(
            &mut self.site.db,
            &table,
            &[options::OptionWrite {
                name: SYNC_STATE_OPTION.to_owned(),
                value: bytes,
            }],
        )
        .context("cannot store the sync state")?;
        self.wrote = true;
        Ok(())
    }
}

impl CheckpointSink for OptionSink<'_> {
    fn save(&mut self, resource: Resource, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.state
            .set_checkpoint(resource, Some(checkpoint.clone()));
        self.store()
    }
}

/// Progress bars on stderr, one per resource; hidden unless stderr is a
/// terminal and `--quiet` is off.
struct Bars {
    bars: BTreeMap<Resource, ProgressBar>,
    _multi: MultiProgress,
}

impl Bars {
    fn new(resources: &[Resource], visible: bool) -> Bars {
        let multi = MultiProgress::with_draw_target(if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let style = ProgressStyle::with_template(
            "{prefix:>9} {spinner} {pos} sent, {msg} [{elapsed_precise}] {per_sec}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bars = resources
            .iter()
            .map(|r| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(r.as_str());
                bar.set_message("0 failed");
                (*r, bar)
            })
            .collect();
        Bars {
            bars,
            _multi: multi,
        }
    }

    fn finish(&self) {
        for bar in self.bars.values() {
            bar.finish();
        }
    }
}

/// Failed items per resource, for the bars' messages.
static FAILED: [AtomicU64; 4] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

fn slot(resource: Resource) -> usize {
    Resource::ALL
        .iter()
        .position(|r| *r == resource)
        .unwrap_or(0)
}

impl Progress for Bars {
    fn sent(&self, resource: Resource, _id: u64) {
        if let Some(bar) = self.bars.get(&resource) {
            bar.inc(1);
        }
    }

    fn failed(&self, resource: Resource, _id: u64, _reason: &str) {
        let n = FAILED[slot(resource)].fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(bar) = self.bars.get(&resource) {
            bar.set_message(format!("{n} failed"));
        }
    }
}

/// The API version and webhook ids of the site's active Segmentflow webhooks.
fn webhook_setup(
    site: &mut Site,
    printer: &Printer,
) -> anyhow::Result<(ApiVersion, Vec<(Resource, u64)>)> {
    let table = site.table(Table::WcWebhooks)?;
    let Some(rows) = webhooks::read_all(&mut site.db, &table)? else {
        return Ok((ApiVersion::V2, Vec::new()));
    };
    let ours: Vec<_> = rows
        .iter()
        .filter(|r| r.is_segmentflow() && r.status == "active")
        .collect();
    let version = match ours.first().map(|r| r.api_version) {
        Some(3) => ApiVersion::V3,
        Some(2) | None => ApiVersion::V2,
        Some(other) => {
            printer.warning(&format!(
                "the Segmentflow webhooks use API version {other}, which sync does not build; sending REST v2 bodies"
            ));
            ApiVersion::V2
        }
    };
    let mut ids = Vec::new();
    for (resource, topic) in [
        (Resource::Customers, "customer.updated"),
        (Resource::Orders, "order.updated"),
        (Resource::Products, "product.updated"),
    ] {
        if let Some(row) = ours.iter().find(|r| r.topic == topic) {
            ids.push((resource, row.webhook_id));
        }
    }
    Ok((version, ids))
}

/// Runs the command.
pub fn run(
    site: &mut Site,
    opts: &SyncOptions,
    quiet: bool,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let now = jiff::Timestamp::now();
    let utc = jiff::tz::Offset::UTC.to_datetime(now);
    let started_at = utc.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let now_gmt = utc.strftime("%Y-%m-%d %H:%M:%S").to_string();
    let run_id = format!("{:016x}", fastrand::u64(..));

    let facts = SiteFacts::read(site)?;
    let stored = site_state::plugin_options(site)?;
    let Connection::Connected(connection) = Connection::from_options(&stored, facts.wc_active)
    else {
        bail!("the site is not connected to Segmentflow: run `wp segmentflow connect` first");
    };
    let wordpress_only = connection.recorded_platform == RecordedPlatform::WordPress;
    let resources = match &opts.resources {
        Some(list) => list.clone(),
        None if wordpress_only => vec![Resource::Users],
        None => vec![
            Resource::Customers,
            Resource::Orders,
            Resource::Products,
            Resource::Users,
        ],
    };
    let webhook_resources: Vec<Resource> = resources
        .iter()
        .copied()
        .filter(|r| r.webhook_resource().is_some())
        .collect();
    if wordpress_only && !webhook_resources.is_empty() {
        let names: Vec<&str> = webhook_resources.iter().map(|r| r.as_str()).collect();
        bail!(
            "the site is connected to Segmentflow as WordPress only, so there are no WooCommerce webhooks to send {} through: run `wp segmentflow connect` again now that WooCommerce is active, or sync users only with `--resources=users`",
            names.join(", ")
        );
    }
    let webhook = if webhook_resources.is_empty() {
        None
    } else {
        Some(connection.webhook.clone().ok_or_else(|| {
            anyhow!(
                "no webhook secret and delivery URL are stored: reconnect with `wp segmentflow connect`"
            )
        })?)
    };

    let options_table = site.options_table()?;
    let mut state: SyncState = match options::get(&mut site.db, &options_table, SYNC_STATE_OPTION)?
    {
        Some(row) => php::from_bytes(&row.value).with_context(|| {
            format!("{SYNC_STATE_OPTION} cannot be read; `sync --full` rewrites it")
        })?,
        None => SyncState::default(),
    };
    if opts.full {
        for r in &resources {
            state.set_checkpoint(*r, None);
        }
        // Recount the members too.
        state.members = None;
    }
    let start_points: BTreeMap<Resource, Checkpoint> = resources
        .iter()
        .filter_map(|r| state.checkpoint(*r).map(|c| (*r, c.clone())))
        .collect();

    let (version, webhook_ids) = webhook_setup(site, printer)?;
    let source: Box<dyn RecordSource> = match &opts.records_dir {
        Some(dir) => Box::new(FixtureSource::open(dir, &now_gmt)?),
        None => {
            let tables = Tables::new(&site.prefix, site.blog_id)
                .with_context(|| format!("table prefix '{}'", site.prefix))?;
            let store_facts = StoreFacts {
                wordpress_version: facts.wp_version.clone(),
                is_ssl: facts.home_url.starts_with("https://"),
                now_gmt: Some(now_gmt.clone()),
            };
            let target = site.db_target().clone();
            Box::new(DatabaseSource::open(
                &mut site.db,
                target,
                tables,
                store_facts,
                state.members.clone(),
            )?)
        }
    };

    let mut report = ReportBuilder::new(run_id.clone(), started_at.clone()).dry_run(opts.dry_run);
    for r in &resources {
        report.include(*r);
    }
    let engine = EngineConfig {
        workers: opts.concurrency,
        retry: scaled_retry(opts.retry_scale),
        ..EngineConfig::default()
    };
    let bars = Bars::new(&resources, !quiet && std::io::stderr().is_terminal());
    let unchanged: BTreeMap<Resource, AtomicU64> =
        resources.iter().map(|r| (*r, AtomicU64::new(0))).collect();
    let read_error: Mutex<Option<String>> = Mutex::new(None);
    // Records that could not be read: reported as failed items.
    let unreadable: Mutex<Vec<(Resource, u64, String)>> = Mutex::new(Vec::new());
    let mut sink = OptionSink {
        site,
        state,
        wrote: false,
    };
    let mut stopped: Option<String> = None;

    // What the source skips itself (everything at or before a checkpoint),
    // counted for the report before anything is read, every resource at
    // once: a run with nothing new is only these counts.
    if let Err(e) = count_skipped(&*source, &start_points, opts.since.as_deref(), &unchanged) {
        *read_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{e:#}"));
    }

    // Customers, orders, products.
    if let Some(webhook) = webhook
        .as_ref()
        .filter(|_| read_or_none(&read_error).is_none())
    {
        let mut planner = DeliveryPlanner::new(
            &WebhookSite {
                home_url: facts.home_url.clone(),
                wc_version: facts.wc_version.clone(),
                wp_version: facts.wp_version.clone(),
            },
            webhook.secret.clone(),
            run_id.clone(),
        );
        for (resource, id) in &webhook_ids {
            planner = planner.with_webhook_id(*resource, *id);
        }
        let url: Arc<str> = Arc::from(webhook.delivery_url.as_str());
        let (tx, rx) = sync_channel::<PreparedItem>(256);
        let result = std::thread::scope(|scope| {
            let source = &source;
            let planner = &planner;
            let unchanged = &unchanged;
            let read_error = &read_error;
            let unreadable = &unreadable;
            let bars = &bars;
            let start_points = &start_points;
            let since = opts.since.as_deref();
            let resources = &webhook_resources;
            scope.spawn(move || {
                for resource in resources {
                    let after = start_points.get(resource);
                    let items = match source.webhook_items(*resource, after, since, version) {
                        Ok(items) => items,
                        Err(e) => {
                            *read_error.lock().unwrap_or_else(|p| p.into_inner()) =
                                Some(format!("{e:#}"));
                            return;
                        }
                    };
                    for item in items {
                        let item = match item {
                            Ok(item) => item,
                            Err(SourceError::Row { id, reason }) => {
                                bars.failed(*resource, id, &reason);
                                unreadable
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push((*resource, id, reason));
                                continue;
                            }
                            Err(e) => {
                                *read_error.lock().unwrap_or_else(|p| p.into_inner()) =
                                    Some(format!("reading {resource} failed: {e}"));
                                return;
                            }
                        };
                        if after.is_some_and(|a| item.checkpoint <= *a) {
                            if let Some(n) = unchanged.get(resource) {
                                n.fetch_add(1, Ordering::Relaxed);
                            }
                            continue;
                        }
                        let planned = planner
                            .plan(*resource, item.checkpoint, item.body)
                            .map(|d| PreparedItem::from_delivery(d, Arc::clone(&url)));
                        match planned {
                            Ok(prepared) => {
                                if tx.send(prepared).is_err() {
                                    return;
                                }
                            }
                            Err(e) => {
                                *read_error.lock().unwrap_or_else(|p| p.into_inner()) =
                                    Some(e.to_string());
                                return;
                            }
                        }
                    }
                }
            });
            if opts.dry_run {
                for item in rx {
                    report.sent(item.resource, 1);
                    bars.sent(item.resource, item.checkpoint.id);
                }
                Ok(Default::default())
            } else {
                deliver(rx, &engine, &mut report, &mut sink, bars)
            }
        });
        if let Err(e) = result {
            stopped = Some(match e {
                EngineError::WrongSecret { .. } => WRONG_SECRET.to_owned(),
                other => other.to_string(),
            });
        }
    }

    // Users.
    if resources.contains(&Resource::Users)
        && stopped.is_none()
        && read_or_none(&read_error).is_none()
    {
        let user_started = Instant::now();
        let api = stored.api_host_url()?;
        let target = IngestTarget {
            url: format!("{}{INGEST_PATH}", api.as_str()),
            user_agent: facts.client().user_agent(),
        };
        let after = start_points.get(&Resource::Users);
        match source.users(after, opts.since.as_deref()) {
            Err(e) => {
                *read_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{e:#}"))
            }
            Ok(users) => {
                let mut batches = IdentifyFeed {
                    users,
                    after,
                    packer: Some(BatchPacker::new(
                        connection.write_key.clone(),
                        BatchLimits::default(),
                    )),
                    woocommerce: facts.wc_active,
                    timestamp: started_at.clone(),
                    unchanged: unchanged.get(&Resource::Users),
                    read_error: &read_error,
                    unreadable: &unreadable,
                };
                let result = if opts.dry_run {
                    for next in batches.by_ref() {
                        match next {
                            Ok(batch) => {
                                report.sent(Resource::Users, batch.len() as u64);
                                for item in &batch.items {
                                    bars.sent(Resource::Users, item.checkpoint.id);
                                }
                            }
                            Err(oversized) => report.failed(
                                Resource::Users,
                                oversized.checkpoint.id,
                                oversized.to_string(),
                            ),
                        }
                    }
                    Ok(Default::default())
                } else {
                    send_identify(batches, &target, &engine, &mut report, &mut sink, &bars)
                };
                if let Err(e) = result {
                    stopped = Some(e.to_string());
                }
                report.duration(Resource::Users, user_started.elapsed());
            }
        }
    }
    bars.finish();

    for (resource, id, reason) in unreadable.into_inner().unwrap_or_else(|p| p.into_inner()) {
        report.failed(resource, id, reason);
    }
    for (resource, n) in &unchanged {
        report.unchanged(*resource, n.load(Ordering::Relaxed));
    }
    if let Some(e) = read_or_none(&read_error) {
        stopped.get_or_insert(e);
    }
    let report = report.finish(started.elapsed(), stopped.clone());
    let mut written = Vec::new();
    if !opts.dry_run {
        if let Some(census) = source.census() {
            sink.state.members = Some(census);
        }
        sink.state.set_run(run_id.clone(), started_at.clone());
        sink.store()?;
        written.push(SYNC_STATE_OPTION.to_owned());
        let bytes = php::to_bytes(&report).context("cannot encode the sync report")?;
        written.extend(
            options::write(
                &mut sink.site.db,
                &options_table,
                &[options::OptionWrite {
                    name: LAST_SYNC_OPTION.to_owned(),
                    value: bytes,
                }],
            )
            .context("cannot store the sync report")?,
        );
        options::report_written(&written).context("cannot write the list of written options")?;
    }
    print_report(&report, opts, printer)?;
    if let Some(reason) = stopped {
        return Err(anyhow!(reason));
    }
    Ok(if report.is_partial() {
        ExitStatus::Partial
    } else {
        ExitStatus::Success
    })
}

/// Users packed into identify batches as they are read; users at or before
/// the checkpoint are counted as unchanged, a read error is recorded and
/// ends the stream.
struct IdentifyFeed<'a> {
    users: Items<UserItem>,
    after: Option<&'a Checkpoint>,
    packer: Option<BatchPacker>,
    woocommerce: bool,
    timestamp: String,
    unchanged: Option<&'a AtomicU64>,
    read_error: &'a Mutex<Option<String>>,
    unreadable: &'a Mutex<Vec<(Resource, u64, String)>>,
}

impl Iterator for IdentifyFeed<'_> {
    type Item = Result<IdentifyBatch, OversizedEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let packer = self.packer.as_mut()?;
            match self.users.next() {
                Some(Ok(user)) => {
                    if self.after.is_some_and(|a| user.checkpoint <= *a) {
                        if let Some(n) = self.unchanged {
                            n.fetch_add(1, Ordering::Relaxed);
                        }
                        continue;
                    }
                    let event = IdentifyEvent::new(
                        &user.identity,
                        self.woocommerce,
                        self.timestamp.clone(),
                    );
                    match packer.push(user.checkpoint, &event) {
                        Ok(Some(batch)) => return Some(Ok(batch)),
                        Ok(None) => {}
                        Err(oversized) => return Some(Err(oversized)),
                    }
                }
                Some(Err(SourceError::Row { id, reason })) => {
                    self.unreadable
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((Resource::Users, id, reason));
                }
                Some(Err(e)) => {
                    *self.read_error.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(format!("reading users failed: {e}"));
                    self.packer = None;
                    return None;
                }
                None => return self.packer.take().and_then(BatchPacker::finish).map(Ok),
            }
        }
    }
}

/// The default retry policy with its waits multiplied by `scale` (the
/// hidden `--retry-scale`; 1 leaves it as it is): the backoff through
/// [`RetryPolicy::scaled`], and here also the cap on `Retry-After`, which
/// `scaled` keeps.
fn scaled_retry(scale: f64) -> RetryPolicy {
    let policy = RetryPolicy::default().scaled(scale);
    RetryPolicy {
        max_retry_after: policy.max_retry_after.mul_f64(scale),
        ..policy
    }
}

/// Adds to `unchanged` what `source` skips itself at or before each
/// resource's checkpoint in `start_points` (from `since` on), one thread
/// per resource: on the database the counts are index scans and the
/// members' scans (customers and users share them), which a no-change run
/// would otherwise wait for one after another. A count that fails beside
/// the others — a host's `max_user_connections` leaves it no connection —
/// runs again alone once they are done; a second failure is the error.
fn count_skipped(
    source: &dyn RecordSource,
    start_points: &BTreeMap<Resource, Checkpoint>,
    since: Option<&str>,
    unchanged: &BTreeMap<Resource, AtomicU64>,
) -> anyhow::Result<()> {
    let counted: Vec<(Resource, &Checkpoint, anyhow::Result<u64>)> = std::thread::scope(|scope| {
        let counts: Vec<_> = start_points
            .iter()
            .map(|(resource, through)| {
                (
                    *resource,
                    through,
                    scope.spawn(move || source.skipped(*resource, through, since)),
                )
            })
            .collect();
        counts
            .into_iter()
            .map(|(resource, through, count)| {
                let n = count
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                (resource, through, n)
            })
            .collect()
    });
    for (resource, through, n) in counted {
        let n = match n {
            Ok(n) => n,
            Err(_) => source.skipped(resource, through, since)?,
        };
        if let Some(total) = unchanged.get(&resource) {
            total.fetch_add(n, Ordering::Relaxed);
        }
    }
    Ok(())
}

fn read_or_none(slot: &Mutex<Option<String>>) -> Option<String> {
    slot.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

fn print_report(report: &SyncReport, opts: &SyncOptions, printer: &Printer) -> anyhow::Result<()> {
    for resource in &report.resources {
        for failure in &resource.failures {
            printer.warning(&format!(
                "{} {} failed: {}",
                resource.resource, failure.id, failure.reason
            ));
        }
        if resource.failures_omitted > 0 {
            printer.warning(&format!(
                "… and {} more {} failures",
                resource.failures_omitted, resource.resource
            ));
        }
    }
    let rows: Vec<Record> = report
        .rows()
        .iter()
        .filter_map(|row| match serde_json::to_value(row) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        })
        .collect();
    let fields = opts.fields.resolve(DEFAULT_FIELDS);
    let out = output::render_items(opts.format, &fields, "resource", &rows, printer.piped())?;
    printer.result(&out)?;
    if report.dry_run {
        printer.info(&format!(
            "Dry run: {} item(s) read, mapped and signed; nothing was sent or stored.",
            report.sent
        ));
    }
    Ok(())
}
