//! The sync's imperative shell: sending what the core planned, in parallel,
//! with retries, and reporting checkpoints and progress back to the command.
//!
//! * [`deliver`] sends WooCommerce webhook deliveries ([`PreparedItem`]s
//!   produced by a reader) with N worker threads over keep-alive connections.
//! * [`send_identify`] sends users as identify batches to the ingest
//!   endpoint.
//! * [`CheckpointSink`] receives checkpoints (the command stores them in the
//!   `segmentflow_sync_state` option); [`Progress`] receives progress events
//!   (the command draws bars).
//!
//! Counts go into the core's `ReportBuilder`; the command finishes it with
//! the run's duration and maps a report with failures to exit code 3
//! (`SyncReport::is_partial`).
//!
//! How a command wires it (the reader and the option writes are elsewhere):
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Instant;
//! use segmentflow_core::options::Secret;
//! use segmentflow_core::sync::{Checkpoint, DeliveryPlanner, ReportBuilder, Resource, WebhookSite};
//! use segmentflow_wpcli::sync::{EngineConfig, NoProgress, PreparedItem, deliver};
//!
//! let site = WebhookSite {
//!     home_url: "https://shop.example".into(),
//!     wc_version: "9.8.1".into(),
//!     wp_version: "6.8".into(),
//! };
//! let planner = DeliveryPlanner::new(&site, Secret::new("whsec…"), "run-1");
//! let url: Arc<str> = Arc::from("https://hooks.segmentflow.ai/wc/abc");
//! // In the real command this iterator reads the store in (modified_gmt, id) order.
//! let items = (1..=3u64).map(|id| {
//!     let key = Checkpoint::new("2024-05-01 13:45:00", id).expect("valid");
//!     let body = format!("{{\"id\":{id}}}").into_bytes();
//!     let delivery = planner.plan(Resource::Orders, key, body).expect("a webhook resource");
//!     PreparedItem::from_delivery(delivery, Arc::clone(&url))
//! });
//! let started = Instant::now();
//! let mut report = ReportBuilder::new("run-1", "2024-05-01T13:50:00Z");
//! let mut save = |resource: Resource, checkpoint: &Checkpoint| -> anyhow::Result<()> {
//!     // Write SyncState to the segmentflow_sync_state option here.
//!     let _ = (resource, checkpoint);
//!     Ok(())
//! };
//! let result = deliver(items, &EngineConfig::default(), &mut report, &mut save, &NoProgress);
//! let stopped = result.as_ref().err().map(ToString::to_string);
//! let report = report.finish(started.elapsed(), stopped);
//! // 1 when the run stopped early, 3 when some items failed, 0 otherwise.
//! let _exit = if result.is_err() { 1 } else if report.is_partial() { 3 } else { 0 };
//! ```

mod engine;
mod http;
mod identify;
mod progress;
mod resolver;
#[cfg(test)]
mod tests;

pub use engine::{CheckpointSink, EngineConfig, EngineError, PreparedItem, RunSummary, deliver};
pub use http::{Attempt, Final, HttpClient, Request, Sent, host_of, require_tls, send_with_retry};
pub use identify::{ITEM_RETRY_ROUNDS, IngestTarget, send_identify};
pub use progress::{NoProgress, Progress};
