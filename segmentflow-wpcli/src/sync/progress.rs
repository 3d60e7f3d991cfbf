//! What a sync tells the person watching it while it runs.
//!
//! The engine calls a [`Progress`] from its worker threads; the command turns
//! it into progress bars on a terminal (stderr) or into nothing.

use std::time::Duration;

use segmentflow_core::sync::{Checkpoint, Resource};

/// Receives progress events from the worker threads. Every method has an
/// empty default.
pub trait Progress: Sync {
    /// The receiver acknowledged item `id` (for identify batches, each user).
    fn sent(&self, resource: Resource, id: u64) {
        let _ = (resource, id);
    }

    /// Item `id` failed for good.
    fn failed(&self, resource: Resource, id: u64, reason: &str) {
        let _ = (resource, id, reason);
    }

    /// Attempt number `attempt` for item `id` (for identify batches, the
    /// batch's first user) failed with `detail`; the next one starts after
    /// `wait`.
    fn retrying(&self, resource: Resource, id: u64, attempt: u32, wait: Duration, detail: &str) {
        let _ = (resource, id, attempt, wait, detail);
    }

    /// A checkpoint was handed to the checkpoint sink.
    fn checkpoint_saved(&self, resource: Resource, checkpoint: &Checkpoint) {
        let _ = (resource, checkpoint);
    }
}

/// Shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
