//! The parallel delivery engine: sends prepared WooCommerce webhook
//! deliveries with a fixed number of worker threads, retries them under the
//! core's [`RetryPolicy`], and moves the per-resource checkpoints forward as
//! the receiver acknowledges them.
//!
//! Shape of a run:
//!
//! ```text
//! reader (caller's iterator) ──► feeder (calling thread) ──► bounded queue ──► N workers ──► receiver
//!                                 dispatch in read order                    ack / fail
//!                                 to the CheckpointTracker ◄────────────────────┘
//!                                          │ newest contiguous checkpoint
//!                                          ▼
//!                                 checkpoint writer (own thread) ──► CheckpointSink
//! ```
//!
//! * Memory stays flat: the queue holds at most `queue` items, and the
//!   in-flight window (below) holds at most `max_unsaved` items per resource.
//! * The **checkpoint writer** is a thread of its own: it hands the newest
//!   contiguous acknowledged checkpoint of each resource to the
//!   [`CheckpointSink`] as soon as the previous save finished and one of
//!   these holds: `checkpoint_every` acknowledgements since the last save,
//!   `checkpoint_interval` elapsed, or a resource's in-flight window reached
//!   half of `max_unsaved`; and once at the end. Workers never wait for a
//!   save (a slow database only makes the writer take bigger steps), and a
//!   saved checkpoint never moves back. Measured cost of one save of
//!   `segmentflow_sync_state` (one transaction: read `db_version`, lock the
//!   row, update it) on the local MariaDB (socket,
//!   `innodb_flush_log_at_trx_commit=2`): 0.15 ms on the server alone; inside
//!   a 20k-store sync on the loaded 2-core machine (load ~4), 172 saves for
//!   12.7k items took 3.6 ms at the median, 23 ms at p90 and 77 ms at most —
//!   scheduling, not the database. That is why saves are off the workers'
//!   path, and why W leaves room for about 100 acknowledgements during one
//!   save above the `workers + queue` items in the pipe (the window measured
//!   84 items at the median save, 220 at p90, 250 at most).
//! * **The in-flight window** of a resource is the set of its items dispatched
//!   past its last *saved* checkpoint: items waiting in the queue, in flight
//!   (sent or waiting for a retry), and acknowledged but not yet covered by a
//!   saved checkpoint (an acknowledgement after a still-unresolved item, or a
//!   contiguous one the writer has not stored yet). The feeder does not
//!   dispatch an item while its resource's window holds `max_unsaved` (W,
//!   default 256) items, so **W bounds the window at every moment**. Items
//!   outside the window are either at or before the saved checkpoint (never
//!   sent again) or not sent yet. Hence a run killed at any point (SIGKILL,
//!   power loss) and started again resends at most W items per resource that
//!   the receiver had already accepted — with the same delivery ids (they
//!   derive from resource, id and modification time), so the receiver drops
//!   them as duplicates. In a fault-free run the window holds
//!   `workers + queue + checkpoint_every` items plus what is acknowledged
//!   while a save runs; an item held up by retries, or a slow save, lets it
//!   grow to W, and then the feeder waits. The bound holds
//!   for runs where no item of the resource failed for good: after a
//!   permanent failure the checkpoint stays before the failed item for the
//!   rest of the run (see below), so the next run resends everything after
//!   it by design, and the window is no longer limited (the tracker keeps no
//!   entries then).
//! * A permanent failure is recorded (id and reason) and the run goes on; the
//!   checkpoint of that resource stays before the failed item.
//! * Early stops, each returned as an [`EngineError`] while the report keeps
//!   what was counted:
//!   - **wrong secret**: when the first `unauthorized_threshold` (default 10)
//!     deliveries to finish were *all* answered 401, or when every delivery
//!     of a shorter run was; a single 401 among successes is just a failed
//!     item;
//!   - **unreachable host**: an item used up its retry budget failing to
//!     connect (refused, DNS), so every other item would too;
//!   - **fatal transport error** (TLS failure) or an insecure URL (plain
//!     `http://` to a host that is not loopback, refused before sending);
//!   - the checkpoint sink failed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use segmentflow_core::sync::{
    Checkpoint, CheckpointTracker, Delivery, OutOfOrder, Outcome, ReportBuilder, Resource,
    RetryPolicy, Ticket,
};

use super::http::{Final, HttpClient, Request, host_of, require_tls, send_with_retry};
use super::progress::Progress;

/// One delivery ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedItem {
    /// What is delivered.
    pub resource: Resource,
    /// The item's read-order key.
    pub checkpoint: Checkpoint,
    /// Where to POST it.
    pub url: Arc<str>,
    /// Request headers.
    pub headers: Vec<(&'static str, String)>,
    /// The signed body.
    pub body: Vec<u8>,
}

impl PreparedItem {
    /// The item for a planned delivery to `url`.
    pub fn from_delivery(delivery: Delivery, url: Arc<str>) -> PreparedItem {
        PreparedItem {
            resource: delivery.resource,
            checkpoint: delivery.checkpoint,
            url,
            headers: delivery.headers,
            body: delivery.body,
        }
    }
}

/// Tuning of a run. [`EngineConfig::default`] suits a real sync; tests
/// shrink the retry policy's delays.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Worker threads, each with its own request in flight (at least 1;
    /// default 8).
    pub workers: usize,
    /// Items waiting between the reader and the workers (default 64).
    pub queue: usize,
    /// The in-flight window W: most items of one resource dispatched past
    /// its last saved checkpoint (default 256; see the module doc). A run
    /// killed at any point resends at most this many already-accepted items
    /// per resource.
    pub max_unsaved: usize,
    /// The retry rules ([`RetryPolicy::default`]).
    pub retry: RetryPolicy,
    /// Per-request timeout (WooCommerce uses 60 s).
    pub timeout: Duration,
    /// Seed of the jitter RNG (worker `i` uses `seed + i`), so a run's
    /// waits can be replayed.
    pub seed: u64,
    /// Save checkpoints at least every this many acknowledgements (default
    /// 32)…
    pub checkpoint_every: u64,
    /// …or this often (default 2 s), whichever comes first, and at the end.
    pub checkpoint_interval: Duration,
    /// How many deliveries, all answered 401 with no other outcome among
    /// them, stop the run (default 10).
    pub unauthorized_threshold: u64,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            workers: 8,
            queue: 64,
            max_unsaved: 256,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            seed: 0x5eed_5f10,
            checkpoint_every: 32,
            checkpoint_interval: Duration::from_secs(2),
            unauthorized_threshold: 10,
        }
    }
}

/// Where checkpoints go (the shell stores them in the sync state option).
pub trait CheckpointSink: Send {
    /// Stores `checkpoint` as the point `resource` reached.
    fn save(&mut self, resource: Resource, checkpoint: &Checkpoint) -> anyhow::Result<()>;
}

impl<F> CheckpointSink for F
where
    F: FnMut(Resource, &Checkpoint) -> anyhow::Result<()> + Send,
{
    fn save(&mut self, resource: Resource, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self(resource, checkpoint)
    }
}

/// Why a run stopped before the end.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Every delivery so far was answered 401.
    #[error(
        "stopped early: all {count} deliveries so far were refused by {host} with HTTP 401 Unauthorized; \
         the webhook secret (segmentflow_webhook_secret) is most likely wrong or was rotated — \
         reconnect the site to fetch the current one"
    )]
    WrongSecret {
        /// `host:port` of the delivery URL.
        host: String,
        /// Deliveries answered 401.
        count: u64,
    },
    /// A host could not be reached within the retry budget.
    #[error("stopped: {host} could not be reached ({detail}) after {attempts} attempts")]
    Unreachable {
        /// `host:port`.
        host: String,
        /// Attempts made for the last item.
        attempts: u32,
        /// The last failure.
        detail: String,
    },
    /// A URL that would send data in clear text.
    #[error("refusing to send: {0}")]
    InsecureUrl(String),
    /// A failure no retry can fix.
    #[error("stopped: {0}")]
    Fatal(String),
    /// The write key was refused by the ingest endpoint.
    #[error(
        "stopped: the ingest endpoint {host} refused the write key with HTTP {code}; \
         the write key (segmentflow_write_key) is most likely wrong or revoked — reconnect the site"
    )]
    WriteKeyRejected {
        /// `host:port` of the API.
        host: String,
        /// The status (401 or 403).
        code: u16,
    },
    /// The reader gave items out of `(modified_gmt, id)` order (a bug in the
    /// reader: a checkpoint could then skip items).
    #[error("stopped: the {resource} reader gave items out of order: {source}")]
    OutOfOrder {
        /// The resource.
        resource: Resource,
        /// The two keys.
        source: OutOfOrder,
    },
    /// Storing a checkpoint failed.
    #[error("saving the {resource} checkpoint failed: {source:#}")]
    Checkpoint {
        /// The resource.
        resource: Resource,
        /// What went wrong.
        source: anyhow::Error,
    },
}

/// What a finished (or stopped) run leaves besides the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// The checkpoint each resource reached in this run (only resources that
    /// advanced).
    pub checkpoints: BTreeMap<Resource, Checkpoint>,
    /// Items handed to the workers.
    pub dispatched: u64,
}

struct Job {
    item: PreparedItem,
    ticket: Ticket,
}

/// The newest contiguous acknowledged checkpoint of a resource, not saved yet.
struct Pending {
    checkpoint: Checkpoint,
    /// Items of the resource at or before it (dispatched in this run).
    prefix: u64,
}

struct State<'r> {
    trackers: BTreeMap<Resource, CheckpointTracker>,
    pending: BTreeMap<Resource, Pending>,
    /// Per resource, the items of this run at or before its saved checkpoint.
    saved_prefix: BTreeMap<Resource, u64>,
    reached: BTreeMap<Resource, Checkpoint>,
    acks_since_flush: u64,
    last_flush: Instant,
    /// Set when the workers are done: the writer saves what is pending and
    /// ends.
    finished: bool,
    report: &'r mut ReportBuilder,
    completed: u64,
    unauthorized: u64,
    last_host: String,
    error: Option<EngineError>,
}

struct Run<'a, 'r> {
    config: &'a EngineConfig,
    client: HttpClient,
    state: Mutex<State<'r>>,
    window_freed: Condvar,
    /// Wakes the checkpoint writer.
    checkpoint_due: Condvar,
    stop: AtomicBool,
    sink: Mutex<&'a mut dyn CheckpointSink>,
    progress: &'a dyn Progress,
}

impl State<'_> {
    /// Items of `resource` in its in-flight window: dispatched past its
    /// saved checkpoint. Zero once an item failed for good (the checkpoint
    /// cannot move any more, see the module doc).
    fn unsaved(&self, resource: Resource) -> u64 {
        match self.trackers.get(&resource) {
            Some(tracker) if !tracker.is_blocked() => tracker
                .dispatched()
                .saturating_sub(self.saved_prefix.get(&resource).copied().unwrap_or(0)),
            _ => 0,
        }
    }
}

fn lock<'g, T>(mutex: &'g Mutex<T>) -> MutexGuard<'g, T> {
    // A worker that panicked leaves consistent counts behind; keep going.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Sends `items` (in read order) and returns where the checkpoints got;
/// counts go into `report`. See the module doc for the early stops.
pub fn deliver<I>(
    items: I,
    config: &EngineConfig,
    report: &mut ReportBuilder,
    sink: &mut dyn CheckpointSink,
    progress: &dyn Progress,
) -> Result<RunSummary, EngineError>
where
    I: IntoIterator<Item = PreparedItem>,
{
    let workers = config.workers.max(1);
    let run = Run {
        config,
        client: HttpClient::new(config.timeout, workers),
        state: Mutex::new(State {
            trackers: BTreeMap::new(),
            pending: BTreeMap::new(),
            saved_prefix: BTreeMap::new(),
            reached: BTreeMap::new(),
            acks_since_flush: 0,
            last_flush: Instant::now(),
            finished: false,
            report,
            completed: 0,
            unauthorized: 0,
            last_host: String::new(),
            error: None,
        }),
        window_freed: Condvar::new(),
        checkpoint_due: Condvar::new(),
        stop: AtomicBool::new(false),
        sink: Mutex::new(sink),
        progress,
    };
    let (tx, rx) = sync_channel::<Job>(config.queue.max(1));
    let rx = Mutex::new(rx);
    let mut dispatched = 0u64;
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| run.write_checkpoints());
        let handles: Vec<_> = (0..workers)
            .map(|index| {
                let run = &run;
                let rx = &rx;
                let seed = config.seed.wrapping_add(index as u64);
                scope.spawn(move || run.work(rx, seed))
            })
            .collect();
        dispatched = run.feed(items, tx);
        for handle in handles {
            // A worker that panicked resolved nothing more; its items stay
            // unacknowledged, so the checkpoint cannot pass them.
            let _ = handle.join();
        }
        lock(&run.state).finished = true;
        run.checkpoint_due.notify_all();
        let _ = writer.join();
    });
    let mut state = run.state.into_inner().unwrap_or_else(|p| p.into_inner());
    if state.error.is_none() && state.completed > 0 && state.completed == state.unauthorized {
        state.error = Some(EngineError::WrongSecret {
            host: state.last_host.clone(),
            count: state.unauthorized,
        });
    }
    match state.error {
        Some(error) => Err(error),
        None => Ok(RunSummary {
            checkpoints: state.reached,
            dispatched,
        }),
    }
}

impl<'a, 'r> Run<'a, 'r> {
    /// Feeds items to the workers in read order until the end or a stop.
    fn feed<I>(&self, items: I, tx: SyncSender<Job>) -> u64
    where
        I: IntoIterator<Item = PreparedItem>,
    {
        let mut dispatched = 0;
        let mut checked_url: Option<Arc<str>> = None;
        for item in items {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            if checked_url.as_deref() != Some(&*item.url) {
                if let Err(message) = require_tls("segmentflow_webhook_delivery_url", &item.url) {
                    self.halt(EngineError::InsecureUrl(format!(
                        "{message}; nothing was sent — reconnect with `wp segmentflow connect` \
                         to store the https:// delivery URL Segmentflow gives"
                    )));
                    break;
                }
                checked_url = Some(Arc::clone(&item.url));
            }
            let ticket = {
                let mut state = lock(&self.state);
                let max_unsaved = self.config.max_unsaved.max(1) as u64;
                loop {
                    if state.unsaved(item.resource) < max_unsaved
                        || self.stop.load(Ordering::Relaxed)
                    {
                        break;
                    }
                    // Full window: make sure the writer knows.
                    self.checkpoint_due.notify_all();
                    state = self
                        .window_freed
                        .wait_timeout(state, Duration::from_millis(100))
                        .map(|(guard, _)| guard)
                        .unwrap_or_else(|p| p.into_inner().0);
                }
                let dispatched = state
                    .trackers
                    .entry(item.resource)
                    .or_insert_with(|| CheckpointTracker::new(None))
                    .dispatch(item.checkpoint.clone());
                match dispatched {
                    Ok(ticket) => ticket,
                    Err(out_of_order) => {
                        drop(state);
                        self.halt(EngineError::OutOfOrder {
                            resource: item.resource,
                            source: out_of_order,
                        });
                        break;
                    }
                }
            };
            dispatched += 1;
            if tx.send(Job { item, ticket }).is_err() {
                break;
            }
        }
        dispatched
    }

    /// A worker: takes jobs until the queue closes.
    fn work(&self, rx: &Mutex<Receiver<Job>>, seed: u64) {
        let mut rng = fastrand::Rng::with_seed(seed);
        loop {
            let job = match lock(rx).recv() {
                Ok(job) => job,
                Err(_) => return,
            };
            if self.stop.load(Ordering::Relaxed) {
                // Not sent: the checkpoint must not pass it.
                let mut state = lock(&self.state);
                if let Some(tracker) = state.trackers.get_mut(&job.item.resource) {
                    tracker.fail(job.ticket);
                }
                drop(state);
                self.window_freed.notify_all();
                continue;
            }
            self.send(job, &mut rng);
        }
    }

    fn send(&self, job: Job, rng: &mut fastrand::Rng) {
        let Job { item, ticket } = job;
        let resource = item.resource;
        let id = item.checkpoint.id;
        let mut on_retry = |attempt: u32, wait: Duration, detail: &str| {
            self.progress.retrying(resource, id, attempt, wait, detail);
        };
        let request = Request {
            url: &item.url,
            headers: &item.headers,
            body: &item.body,
        };
        let sent = send_with_retry(
            &self.client,
            request,
            &self.config.retry,
            rng,
            &self.stop,
            &mut on_retry,
        );
        let host = host_of(&item.url);
        let mut guard = lock(&self.state);
        let state: &mut State<'r> = &mut guard;
        state.last_host.clone_from(&host);
        state
            .report
            .retried(resource, u64::from(sent.attempts.saturating_sub(1)));
        let tracker = state
            .trackers
            .entry(resource)
            .or_insert_with(|| CheckpointTracker::new(None));
        let failure = match sent.fin {
            Final::Success { .. } => {
                if let Some(checkpoint) = tracker.ack(ticket) {
                    // Everything up to the checkpoint is acknowledged and the
                    // tracker's window holds only what comes after it (true
                    // until an item fails; then the prefix is not used).
                    let prefix = tracker
                        .dispatched()
                        .saturating_sub(tracker.window_len() as u64);
                    state.pending.insert(
                        resource,
                        Pending {
                            checkpoint: checkpoint.clone(),
                            prefix,
                        },
                    );
                    state.reached.insert(resource, checkpoint);
                }
                state.completed += 1;
                state.acks_since_flush += 1;
                state.report.sent(resource, 1);
                None
            }
            Final::Stopped => {
                tracker.fail(ticket);
                drop(guard);
                self.window_freed.notify_all();
                return;
            }
            Final::Permanent { code, detail } => {
                tracker.fail(ticket);
                state.completed += 1;
                if code == Some(401) {
                    state.unauthorized += 1;
                    Some(format!("{detail} (wrong webhook secret?)"))
                } else {
                    Some(detail)
                }
            }
            Final::Exhausted { last, detail } => {
                tracker.fail(ticket);
                state.completed += 1;
                if last == Outcome::ConnectFailed && state.error.is_none() {
                    state.error = Some(EngineError::Unreachable {
                        host: host.clone(),
                        attempts: sent.attempts,
                        detail: detail.clone(),
                    });
                    self.stop.store(true, Ordering::Relaxed);
                }
                Some(format!(
                    "gave up after {} attempts: {detail}",
                    sent.attempts
                ))
            }
            Final::Fatal(detail) => {
                tracker.fail(ticket);
                state.completed += 1;
                if state.error.is_none() {
                    state.error = Some(EngineError::Fatal(detail.clone()));
                    self.stop.store(true, Ordering::Relaxed);
                }
                Some(detail)
            }
        };
        if let Some(reason) = &failure {
            state.report.failed(resource, id, reason.clone());
        }
        let threshold = self.config.unauthorized_threshold.max(1);
        if state.unauthorized >= threshold
            && state.unauthorized == state.completed
            && state.error.is_none()
        {
            state.error = Some(EngineError::WrongSecret {
                host,
                count: state.unauthorized,
            });
            self.stop.store(true, Ordering::Relaxed);
        }
        let due = self.save_due(state);
        drop(guard);
        self.window_freed.notify_all();
        if due {
            self.checkpoint_due.notify_all();
        }
        match &failure {
            None => self.progress.sent(resource, id),
            Some(reason) => self.progress.failed(resource, id, reason),
        }
    }

    /// Whether the writer should save now: something is pending and
    /// `checkpoint_every` acknowledgements came in, `checkpoint_interval`
    /// passed, or a resource's window is half full.
    fn save_due(&self, state: &State<'_>) -> bool {
        if state.pending.is_empty() {
            return false;
        }
        let half_window = (self.config.max_unsaved.max(1) as u64).div_ceil(2);
        state.acks_since_flush >= self.config.checkpoint_every.max(1)
            || state.last_flush.elapsed() >= self.config.checkpoint_interval
            || state
                .pending
                .keys()
                .any(|resource| state.unsaved(*resource) >= half_window)
    }

    /// The checkpoint writer's thread: saves the pending checkpoints
    /// whenever [`Run::save_due`] says so (one save at a time, always the
    /// newest checkpoint), and everything pending once the workers are done.
    /// Stops at the first failed save (the run stops with it).
    fn write_checkpoints(&self) {
        let mut state = lock(&self.state);
        loop {
            let finished = state.finished;
            if finished || self.save_due(&state) {
                state.acks_since_flush = 0;
                state.last_flush = Instant::now();
                let pending = std::mem::take(&mut state.pending);
                drop(state);
                let mut saved = Vec::with_capacity(pending.len());
                {
                    let mut sink = lock(&self.sink);
                    for (resource, entry) in pending {
                        match sink.save(resource, &entry.checkpoint) {
                            Ok(()) => {
                                self.progress.checkpoint_saved(resource, &entry.checkpoint);
                                saved.push((resource, entry.prefix));
                            }
                            Err(source) => {
                                drop(sink);
                                self.halt(EngineError::Checkpoint { resource, source });
                                return;
                            }
                        }
                    }
                }
                state = lock(&self.state);
                for (resource, prefix) in saved {
                    let slot = state.saved_prefix.entry(resource).or_insert(0);
                    *slot = (*slot).max(prefix);
                }
                self.window_freed.notify_all();
                if finished && state.pending.is_empty() {
                    return;
                }
                continue;
            }
            // Workers wake the writer when a save is due; the timeout only
            // catches the interval running out with no acknowledgement after
            // it (nothing to catch while nothing is pending).
            let wait = if state.pending.is_empty() {
                Duration::from_millis(200)
            } else {
                self.config
                    .checkpoint_interval
                    .saturating_sub(state.last_flush.elapsed())
                    .clamp(Duration::from_millis(1), Duration::from_millis(200))
            };
            state = self
                .checkpoint_due
                .wait_timeout(state, wait)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Stops the run with `error` (the first error wins).
    fn halt(&self, error: EngineError) {
        let mut state = lock(&self.state);
        if state.error.is_none() {
            state.error = Some(error);
        }
        self.stop.store(true, Ordering::Relaxed);
        drop(state);
        self.window_freed.notify_all();
    }
}
