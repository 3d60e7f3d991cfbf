//! The sync protocol, as values: what a `wp segmentflow sync` run sends, how
//! far it got, when it retries and what it reports. The shell
//! (`segmentflow-wpcli`'s sync engine) does the reading, sending, sleeping
//! and storing around these pieces.
//!
//! * [`Resource`]: customers, orders, products (WooCommerce webhooks) and
//!   users (`identify` events).
//! * [`Checkpoint`] and [`CheckpointTracker`]: per-resource resume points that
//!   only advance past a contiguous run of acknowledged items, however out
//!   of order the parallel senders finish.
//! * [`SyncState`]: the checkpoints as stored in the `segmentflow_sync_state`
//!   option.
//! * [`RetryPolicy`]: outcome classes, exponential backoff with jitter,
//!   `Retry-After`, attempt and time budgets.
//! * [`DeliveryPlanner`]: WooCommerce's webhook headers and signature, with a
//!   deterministic delivery id.
//! * [`IdentifyEvent`] and [`BatchPacker`]: users as ingest batches under
//!   size caps.
//! * [`ReportBuilder`] and [`SyncReport`]: the run's counts, stored in the
//!   `segmentflow_last_sync` option and printed by the command.
//!
//! ```
//! use segmentflow_core::options::Secret;
//! use segmentflow_core::sync::{Checkpoint, DeliveryPlanner, Resource, WebhookSite};
//!
//! let site = WebhookSite {
//!     home_url: "https://shop.example".into(),
//!     wc_version: "9.8.1".into(),
//!     wp_version: "6.8".into(),
//! };
//! let planner = DeliveryPlanner::new(&site, Secret::new("whsec"), "run-1");
//! let key = Checkpoint::new("2024-05-01 13:45:00", 1042).unwrap();
//! let delivery = planner.plan(Resource::Orders, key, br#"{"id":1042}"#.to_vec()).unwrap();
//! assert_eq!(delivery.topic, "order.updated");
//! assert_eq!(delivery.delivery_id.len(), 32);
//! ```

mod checkpoint;
mod delivery;
mod identify;
mod report;
mod resource;
mod retry;
mod state;

pub use checkpoint::{Checkpoint, CheckpointError, CheckpointTracker, OutOfOrder, Ticket};
pub use delivery::{
    Delivery, DeliveryError, DeliveryPlanner, SYNC_EVENT, SYNC_RUN_HEADER, WebhookSite,
    delivery_id, home_url_with_slash,
};
pub use identify::{
    BatchItem, BatchLimits, BatchPacker, INGEST_PATH, IdentifyBatch, IdentifyEvent, ItemVerdict,
    OversizedEvent, Traits, UserIdentity, item_verdicts,
};
pub use report::{
    DEFAULT_FAILURE_CAP, FailedItem, LAST_SYNC_OPTION, ReportBuilder, ReportRow, ResourceReport,
    SyncReport,
};
pub use resource::{Resource, UnknownResource};
pub use retry::{
    Jitter, Outcome, OutcomeClass, RetryDecision, RetryPolicy, classify_status, parse_retry_after,
};
pub use state::{MemberCensus, SYNC_STATE_OPTION, SYNC_STATE_VERSION, SyncState};
