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
//! the run's duration and maps a report with failures to exit code 3.

mod engine;
mod http;
mod identify;
mod progress;
#[cfg(test)]
mod tests;

pub use engine::{CheckpointSink, EngineConfig, EngineError, PreparedItem, RunSummary, deliver};
pub use http::{Attempt, Final, HttpClient, Request, Sent, host_of, require_tls, send_with_retry};
pub use identify::{ITEM_RETRY_ROUNDS, IngestTarget, send_identify};
pub use progress::{NoProgress, Progress};
