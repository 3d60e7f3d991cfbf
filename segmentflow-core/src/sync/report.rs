//! The report of a sync run: what was sent, skipped, failed and retried, per
//! resource, with the duration and throughput.
//!
//! [`ReportBuilder`] collects counts while the run goes (the engine owns one
//! and feeds it from its workers); [`ReportBuilder::finish`] turns them into
//! a [`SyncReport`], which is what the command prints (json, yaml or a table
//! of [`SyncReport::rows`]) and what is stored in the
//! `segmentflow_last_sync` option.
//!
//! The list of failed items is capped ([`ReportBuilder::with_failure_cap`]);
//! the count of failures is always exact, and `failures_omitted` says how
//! many were left out of the list.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Resource;

/// The option holding the last run's report.
pub const LAST_SYNC_OPTION: &str = "segmentflow_last_sync";

/// How many failed items a report lists per resource by default.
pub const DEFAULT_FAILURE_CAP: usize = 100;

/// One item that failed for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct FailedItem {
    /// The item's id.
    pub id: u64,
    /// Why it failed (`HTTP 400`, `gave up after 8 attempts: HTTP 503`, …).
    pub reason: String,
}

/// The counts for one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ResourceReport {
    /// `customers`, `orders`, `products` or `users`.
    pub resource: String,
    /// Items the receiver acknowledged.
    pub sent: u64,
    /// Items skipped because the checkpoint shows they were sent before.
    pub unchanged: u64,
    /// Items that failed for good.
    pub failed: u64,
    /// Extra attempts made (a request sent three times counts 2).
    pub retried: u64,
    /// The failed items, at most the cap.
    pub failures: Vec<FailedItem>,
    /// Failed items left out of `failures` because of the cap.
    pub failures_omitted: u64,
    /// Time spent on this resource, in milliseconds.
    pub duration_ms: u64,
    /// `sent` per second of `duration_ms`.
    pub throughput_per_sec: f64,
}

/// The report of one sync run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SyncReport {
    /// The run id (also sent as `X-Segmentflow-Sync`).
    pub run_id: String,
    /// When the run started, ISO 8601 UTC.
    pub started_at: String,
    /// Whether nothing was sent (`--dry-run`).
    pub dry_run: bool,
    /// Per resource, in [`Resource::ALL`] order.
    pub resources: Vec<ResourceReport>,
    /// Sum of `sent`.
    pub sent: u64,
    /// Sum of `unchanged`.
    pub unchanged: u64,
    /// Sum of `failed`.
    pub failed: u64,
    /// Sum of `retried`.
    pub retried: u64,
    /// Wall time of the run, in milliseconds.
    pub duration_ms: u64,
    /// `sent` per second of wall time.
    pub throughput_per_sec: f64,
    /// Why the run stopped before the end, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_early: Option<String>,
}

impl SyncReport {
    /// Whether some items failed or the run stopped early: the command then
    /// exits with 3 (partial success) or an error.
    pub fn is_partial(&self) -> bool {
        self.failed > 0 || self.stopped_early.is_some()
    }

    /// One flat row per resource plus a `total` row, for table and csv
    /// output.
    pub fn rows(&self) -> Vec<ReportRow> {
        let mut rows: Vec<ReportRow> = self
            .resources
            .iter()
            .map(|r| ReportRow {
                resource: r.resource.clone(),
                sent: r.sent,
                unchanged: r.unchanged,
                failed: r.failed,
                retried: r.retried,
                duration_s: seconds(r.duration_ms),
                throughput_per_sec: round1(r.throughput_per_sec),
            })
            .collect();
        rows.push(ReportRow {
            resource: "total".to_owned(),
            sent: self.sent,
            unchanged: self.unchanged,
            failed: self.failed,
            retried: self.retried,
            duration_s: seconds(self.duration_ms),
            throughput_per_sec: round1(self.throughput_per_sec),
        });
        rows
    }
}

/// A flat row of a report table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    /// Resource name, or `total`.
    pub resource: String,
    /// Items sent.
    pub sent: u64,
    /// Items skipped by the checkpoint.
    pub unchanged: u64,
    /// Items failed.
    pub failed: u64,
    /// Extra attempts.
    pub retried: u64,
    /// Duration in seconds, to the millisecond.
    pub duration_s: f64,
    /// Items per second, to one decimal.
    pub throughput_per_sec: f64,
}

fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn throughput(sent: u64, duration: Duration) -> f64 {
    let secs = duration.as_secs_f64();
    if secs <= 0.0 { 0.0 } else { sent as f64 / secs }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[derive(Debug, Clone, Default)]
struct Counts {
    sent: u64,
    unchanged: u64,
    failed: u64,
    retried: u64,
    failures: Vec<FailedItem>,
    duration: Option<Duration>,
    touched: bool,
}

/// Collects a run's counts; see the module doc.
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    run_id: String,
    started_at: String,
    dry_run: bool,
    failure_cap: usize,
    counts: BTreeMap<Resource, Counts>,
}

impl ReportBuilder {
    /// A builder for run `run_id` that started at `started_at` (ISO 8601).
    pub fn new(run_id: impl Into<String>, started_at: impl Into<String>) -> ReportBuilder {
        ReportBuilder {
            run_id: run_id.into(),
            started_at: started_at.into(),
            dry_run: false,
            failure_cap: DEFAULT_FAILURE_CAP,
            counts: BTreeMap::new(),
        }
    }

    /// Lists at most `cap` failed items per resource.
    pub fn with_failure_cap(mut self, cap: usize) -> ReportBuilder {
        self.failure_cap = cap;
        self
    }

    /// Marks the run as a dry run.
    pub fn dry_run(mut self, dry_run: bool) -> ReportBuilder {
        self.dry_run = dry_run;
        self
    }

    fn entry(&mut self, resource: Resource) -> &mut Counts {
        let counts = self.counts.entry(resource).or_default();
        counts.touched = true;
        counts
    }

    /// Makes `resource` appear in the report even with nothing to count.
    pub fn include(&mut self, resource: Resource) {
        self.entry(resource);
    }

    /// Counts `n` items acknowledged by the receiver.
    pub fn sent(&mut self, resource: Resource, n: u64) {
        self.entry(resource).sent += n;
    }

    /// Counts `n` items skipped by the checkpoint.
    pub fn unchanged(&mut self, resource: Resource, n: u64) {
        self.entry(resource).unchanged += n;
    }

    /// Counts `n` extra attempts.
    pub fn retried(&mut self, resource: Resource, n: u64) {
        self.entry(resource).retried += n;
    }

    /// Records an item that failed for good.
    pub fn failed(&mut self, resource: Resource, id: u64, reason: impl Into<String>) {
        let cap = self.failure_cap;
        let counts = self.entry(resource);
        counts.failed += 1;
        if counts.failures.len() < cap {
            counts.failures.push(FailedItem {
                id,
                reason: reason.into(),
            });
        }
    }

    /// Sets the time spent on `resource` (otherwise the run's duration is
    /// used for it).
    pub fn duration(&mut self, resource: Resource, duration: Duration) {
        self.entry(resource).duration = Some(duration);
    }

    /// Adds everything `other` counted (its run id, start and cap are
    /// ignored; failure lists are appended up to this builder's cap).
    pub fn merge(&mut self, other: &ReportBuilder) {
        let cap = self.failure_cap;
        for (resource, theirs) in &other.counts {
            let ours = self.entry(*resource);
            ours.sent += theirs.sent;
            ours.unchanged += theirs.unchanged;
            ours.failed += theirs.failed;
            ours.retried += theirs.retried;
            let room = cap.saturating_sub(ours.failures.len());
            ours.failures
                .extend(theirs.failures.iter().take(room).cloned());
            ours.duration = match (ours.duration, theirs.duration) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
    }

    /// Whether any item failed so far.
    pub fn has_failures(&self) -> bool {
        self.counts.values().any(|c| c.failed > 0)
    }

    /// The report of a run that took `duration`; `stopped_early` says why it
    /// stopped before the end, if it did.
    pub fn finish(self, duration: Duration, stopped_early: Option<String>) -> SyncReport {
        let mut report = SyncReport {
            run_id: self.run_id,
            started_at: self.started_at,
            dry_run: self.dry_run,
            duration_ms: millis(duration),
            stopped_early,
            ..SyncReport::default()
        };
        for resource in Resource::ALL {
            let Some(c) = self.counts.get(&resource).filter(|c| c.touched) else {
                continue;
            };
            let own = c.duration.unwrap_or(duration);
            report.sent += c.sent;
            report.unchanged += c.unchanged;
            report.failed += c.failed;
            report.retried += c.retried;
            report.resources.push(ResourceReport {
                resource: resource.as_str().to_owned(),
                sent: c.sent,
                unchanged: c.unchanged,
                failed: c.failed,
                retried: c.retried,
                failures: c.failures.clone(),
                failures_omitted: c.failed.saturating_sub(c.failures.len() as u64),
                duration_ms: millis(own),
                throughput_per_sec: throughput(c.sent, own),
            });
        }
        report.throughput_per_sec = throughput(report.sent, duration);
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SyncReport {
        let mut b = ReportBuilder::new("run-1", "2024-05-01T13:45:00Z").with_failure_cap(2);
        b.sent(Resource::Orders, 90);
        b.unchanged(Resource::Orders, 10);
        b.retried(Resource::Orders, 3);
        for id in [5, 6, 7] {
            b.failed(Resource::Orders, id, "HTTP 400");
        }
        b.sent(Resource::Customers, 10);
        b.duration(Resource::Customers, Duration::from_millis(500));
        b.include(Resource::Products);
        b.finish(Duration::from_secs(4), None)
    }

    #[test]
    fn counts_and_caps() {
        let report = sample();
        assert_eq!(report.sent, 100);
        assert_eq!(report.failed, 3);
        let orders = &report.resources[1];
        assert_eq!(orders.resource, "orders");
        assert_eq!(orders.failures.len(), 2);
        assert_eq!(orders.failures_omitted, 1);
        assert_eq!(report.resources[0].throughput_per_sec, 20.0);
        assert_eq!(report.throughput_per_sec, 25.0);
        assert!(report.is_partial());
        let names: Vec<&str> = report
            .resources
            .iter()
            .map(|r| r.resource.as_str())
            .collect();
        assert_eq!(names, ["customers", "orders", "products"]);
    }

    #[test]
    fn json_and_rows() {
        let report = sample();
        insta::assert_json_snapshot!(report);
        insta::assert_json_snapshot!(report.rows());
    }

    #[test]
    fn zero_duration_has_zero_throughput() {
        let mut b = ReportBuilder::new("r", "t");
        b.sent(Resource::Users, 3);
        let report = b.finish(Duration::ZERO, Some("stopped".to_owned()));
        assert_eq!(report.throughput_per_sec, 0.0);
        assert!(report.is_partial());
        assert!(
            !ReportBuilder::new("r", "t")
                .finish(Duration::ZERO, None)
                .is_partial()
        );
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = ReportBuilder::new("r", "t").with_failure_cap(3);
        a.sent(Resource::Orders, 1);
        a.failed(Resource::Orders, 1, "x");
        let mut b = ReportBuilder::new("other", "t");
        b.sent(Resource::Orders, 2);
        b.retried(Resource::Orders, 4);
        for id in 2..=5 {
            b.failed(Resource::Orders, id, "y");
        }
        a.merge(&b);
        assert!(a.has_failures());
        let report = a.finish(Duration::from_secs(1), None);
        let orders = &report.resources[0];
        assert_eq!((orders.sent, orders.retried, orders.failed), (3, 4, 5));
        assert_eq!(orders.failures.len(), 3);
        assert_eq!(orders.failures_omitted, 2);
        assert_eq!(report.run_id, "r");
    }

    #[test]
    fn round_trips_through_php_values() {
        let report = sample();
        let value = crate::php::to_value(&report).expect("serializable as PHP");
        let back: SyncReport = crate::php::from_value(&value).expect("readable from PHP");
        assert_eq!(back, report);
    }

    #[test]
    fn stored_report_ignores_unknown_fields() {
        let stored = r#"{"run_id":"r","sent":3,"future_field":{"x":1},"resources":[{"resource":"coupons","sent":3,"extra":true}]}"#;
        let report: SyncReport = serde_json::from_str(stored).expect("forward compatible");
        assert_eq!(report.sent, 3);
        assert_eq!(report.resources[0].resource, "coupons");
        assert_eq!(report.failed, 0);
    }
}
