//! Sending identify batches to the ingest endpoint.
//!
//! Batches go one after the other (each already carries up to
//! `BatchLimits::max_events` users, so a sync of users is a few hundred
//! requests, not worth the threads), under the same retry rules as
//! deliveries: the whole batch is retried on 408/429/5xx and transport
//! failures, honouring `Retry-After`.
//!
//! When the endpoint answers with per-item results (the planned ingest
//! contract), items marked `retryable: true` are sent again **once**, in a
//! batch of their own with the same `messageId`s, as the contract asks;
//! rejected items are recorded as failed. Without results, a success status
//! acknowledges the whole batch.
//!
//! A 401 or 403 means the write key is wrong: every batch would fail the
//! same way, so the run stops with [`EngineError::WriteKeyRejected`].

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use segmentflow_core::sync::{
    CheckpointTracker, IdentifyBatch, ItemVerdict, Outcome, OversizedEvent, ReportBuilder,
    Resource, Ticket, item_verdicts,
};

use super::engine::{CheckpointSink, EngineConfig, EngineError, RunSummary};
use super::http::{
    Final, HttpClient, Request, host_of, require_tls, send_with_retry, sleep_unless_stopped,
};
use super::progress::Progress;

/// Rounds of resending the items a response marked retryable.
pub const ITEM_RETRY_ROUNDS: u32 = 1;

/// Where identify batches go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestTarget {
    /// `{api_host}/api/v1/ingest/batch`.
    pub url: String,
    /// `SegmentflowConnect/<version> WordPress/<wp version>`.
    pub user_agent: String,
}

/// Sends identify batches in order; counts go into `report` under
/// [`Resource::Users`], the users checkpoint to `sink` after every batch
/// that moved it. An `Err` item (a user too big for any batch) is recorded
/// as failed in its place in read order.
pub fn send_identify<I>(
    batches: I,
    target: &IngestTarget,
    config: &EngineConfig,
    report: &mut ReportBuilder,
    sink: &mut dyn CheckpointSink,
    progress: &dyn Progress,
) -> Result<RunSummary, EngineError>
where
    I: IntoIterator<Item = Result<IdentifyBatch, OversizedEvent>>,
{
    require_tls("ingest URL", &target.url).map_err(EngineError::InsecureUrl)?;
    let host = host_of(&target.url);
    let client = HttpClient::new(config.timeout, 1);
    let headers = [
        ("Content-Type", "application/json".to_owned()),
        ("Accept", "application/json".to_owned()),
        ("User-Agent", target.user_agent.clone()),
    ];
    let never = AtomicBool::new(false);
    let mut rng = fastrand::Rng::with_seed(config.seed);
    let mut tracker = CheckpointTracker::new(None);
    let mut summary = RunSummary::default();
    let resource = Resource::Users;
    report.include(resource);
    for next in batches {
        let batch = match next {
            Ok(batch) => batch,
            Err(oversized) => {
                let ticket = tracker
                    .dispatch(oversized.checkpoint.clone())
                    .map_err(|source| EngineError::OutOfOrder { resource, source })?;
                tracker.fail(ticket);
                let reason = oversized.to_string();
                report.failed(resource, oversized.checkpoint.id, reason.clone());
                progress.failed(resource, oversized.checkpoint.id, &reason);
                continue;
            }
        };
        let tickets = batch
            .items
            .iter()
            .map(|item| tracker.dispatch(item.checkpoint.clone()))
            .collect::<Result<Vec<Ticket>, _>>()
            .map_err(|source| EngineError::OutOfOrder { resource, source })?;
        summary.dispatched += tickets.len() as u64;
        let before = tracker.checkpoint().cloned();
        let result = send_batch(
            &client,
            &target.url,
            &headers,
            batch,
            tickets,
            config,
            &mut rng,
            &never,
            &mut tracker,
            report,
            progress,
        );
        if let Some(checkpoint) = tracker.checkpoint().filter(|c| Some(*c) != before.as_ref()) {
            sink.save(resource, checkpoint)
                .map_err(|source| EngineError::Checkpoint { resource, source })?;
            progress.checkpoint_saved(resource, checkpoint);
            summary.checkpoints.insert(resource, checkpoint.clone());
        }
        match result {
            BatchEnd::Done => {}
            BatchEnd::Stop(StopKind::WriteKey(code)) => {
                return Err(EngineError::WriteKeyRejected {
                    host: host.clone(),
                    code,
                });
            }
            BatchEnd::Stop(StopKind::Unreachable { attempts, detail }) => {
                return Err(EngineError::Unreachable {
                    host: host.clone(),
                    attempts,
                    detail,
                });
            }
            BatchEnd::Stop(StopKind::Fatal(detail)) => return Err(EngineError::Fatal(detail)),
        }
    }
    Ok(summary)
}

enum StopKind {
    WriteKey(u16),
    Unreachable { attempts: u32, detail: String },
    Fatal(String),
}

enum BatchEnd {
    Done,
    Stop(StopKind),
}

#[allow(clippy::too_many_arguments)]
fn send_batch(
    client: &HttpClient,
    url: &str,
    headers: &[(&'static str, String)],
    mut batch: IdentifyBatch,
    mut tickets: Vec<Ticket>,
    config: &EngineConfig,
    rng: &mut fastrand::Rng,
    never: &AtomicBool,
    tracker: &mut CheckpointTracker,
    report: &mut ReportBuilder,
    progress: &dyn Progress,
) -> BatchEnd {
    let resource = Resource::Users;
    let mut round = 0u32;
    loop {
        let first_id = batch.items.first().map_or(0, |item| item.checkpoint.id);
        let mut on_retry = |attempt: u32, wait: Duration, detail: &str| {
            progress.retrying(resource, first_id, attempt, wait, detail);
        };
        let body = batch.body();
        let request = Request {
            url,
            headers,
            body: &body,
        };
        let sent = send_with_retry(client, request, &config.retry, rng, never, &mut on_retry);
        report.retried(resource, u64::from(sent.attempts.saturating_sub(1)));
        let fail_all = |reason: &str,
                        tracker: &mut CheckpointTracker,
                        report: &mut ReportBuilder,
                        batch: &IdentifyBatch,
                        tickets: &[Ticket]| {
            for (item, ticket) in batch.items.iter().zip(tickets) {
                tracker.fail(*ticket);
                report.failed(resource, item.checkpoint.id, reason);
                progress.failed(resource, item.checkpoint.id, reason);
            }
        };
        let body = match sent.fin {
            Final::Success { body, .. } => body,
            Final::Permanent { code, detail } => {
                fail_all(&detail, tracker, report, &batch, &tickets);
                return match code {
                    Some(code @ (401 | 403)) => BatchEnd::Stop(StopKind::WriteKey(code)),
                    _ => BatchEnd::Done,
                };
            }
            Final::Exhausted { last, detail } => {
                let reason = format!("gave up after {} attempts: {detail}", sent.attempts);
                fail_all(&reason, tracker, report, &batch, &tickets);
                return if last == Outcome::ConnectFailed {
                    BatchEnd::Stop(StopKind::Unreachable {
                        attempts: sent.attempts,
                        detail,
                    })
                } else {
                    BatchEnd::Done
                };
            }
            Final::Fatal(detail) => {
                fail_all(&detail, tracker, report, &batch, &tickets);
                return BatchEnd::Stop(StopKind::Fatal(detail));
            }
            Final::Stopped => {
                fail_all("run stopped", tracker, report, &batch, &tickets);
                return BatchEnd::Done;
            }
        };
        let verdicts = item_verdicts(batch.len(), &body);
        let mut again = Vec::new();
        for (index, ((item, ticket), verdict)) in
            batch.items.iter().zip(&tickets).zip(verdicts).enumerate()
        {
            let id = item.checkpoint.id;
            match verdict {
                ItemVerdict::Accepted => {
                    tracker.ack(*ticket);
                    report.sent(resource, 1);
                    progress.sent(resource, id);
                }
                ItemVerdict::Retry if round < ITEM_RETRY_ROUNDS => again.push(index),
                ItemVerdict::Retry => {
                    let reason = "still marked retryable by the ingest endpoint after a resend";
                    tracker.fail(*ticket);
                    report.failed(resource, id, reason);
                    progress.failed(resource, id, reason);
                }
                ItemVerdict::Rejected(reason) => {
                    tracker.fail(*ticket);
                    report.failed(resource, id, reason.clone());
                    progress.failed(resource, id, &reason);
                }
            }
        }
        if again.is_empty() {
            return BatchEnd::Done;
        }
        round += 1;
        report.retried(resource, again.len() as u64);
        tickets = again
            .iter()
            .filter_map(|i| tickets.get(*i).copied())
            .collect();
        batch = batch.subset(&again);
        let wait = config.retry.backoff(round, rng.f64());
        sleep_unless_stopped(wait, never);
    }
}
