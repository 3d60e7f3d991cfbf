//! `segmentflow-wpcli sandbox`: a local, faithful stand-in for the
//! Segmentflow API over real HTTP, for demos (`make demo`), the sync's
//! reliability tests and benchmarks. It must never be the default target of
//! a real sync.
//!
//! What it serves (`{base}` is `http://127.0.0.1:PORT`):
//!
//! | endpoint | behaviour |
//! |---|---|
//! | `GET /api/v1/integrations/connect/status` (`X-Poll-Token`) | `{"connected": false}` until the token is approved (after `--approve-after N` pending answers, or by `POST /__sandbox/approve`); then once `{connected: true, write_key, organization_name, organization_id, webhook_secret, webhook_delivery_url}`. The plugin's admin script treats 404/410 as "token expired or already consumed" and the reference notes the secret is revealed only in that answer, so a used token answers `410`, an expired one `410`, an unknown one `404`, a missing header `400`. |
//! | `POST /api/v1/integrations/connect/start` | sandbox-only: issues a new poll token (the dashboard does this for the real service); one token is also issued at start-up and printed. |
//! | `DELETE /api/v1/integrations/connect/disconnect` (`X-Write-Key`) | `200 {"success": true}` and the organization is disconnected: its write key stops working for ingest (`401`) and deliveries answer `410` until a poll token is approved again; a wrong, missing or already-revoked key gets `401 {error}`. |
//! | `POST /api/v1/ingest/batch` | the planned identified-ingest contract; see "Ingest limits and answers" below. |
//! | `POST {base}/webhooks/woocommerce/{organization_id}` | the WooCommerce delivery receiver: signature (base64 HMAC-SHA256 of the raw body with the webhook secret, constant-time compare) → `401`; missing `X-WC-Webhook-*` headers → `400` naming the header; WooCommerce's ping (`webhook_id=<id>`, no headers) → `200`; a delivery id seen before → `200 {"status":"duplicate"}` (counted, not stored again); otherwise `200 {"status":"accepted"}` and the entity's latest delivery is stored. Another organization id → `404`. |
//! | `GET /__sandbox/stats` | [`Stats`] as JSON. |
//! | `GET /__sandbox/deliveries?resource=order&offset=&limit=` | the latest accepted delivery per id, sorted by id ([`DeliveryRecord`]), with `total` and `next_offset`. |
//! | `GET /__sandbox/identifies?offset=&limit=` | accepted `identify` events ([`IdentifyRecord`]). |
//! | `POST /__sandbox/approve?token=…` | approves a poll token (also `X-Poll-Token` or `{"poll_token"}`). |
//! | `POST /__sandbox/down?ms=…&mode=503\|refuse` | the ingest and delivery endpoints go down for a while (`ms=0`: up again). |
//! | `POST /__sandbox/reset` | forgets everything received and every counter, rewinds the fault draws; keeps poll tokens and credentials; reconnects. |
//!
//! **Ingest limits and answers.** Bodies over 500 KiB or batches over 100
//! events get `413 {error}`; a missing/wrong/revoked `writeKey` `401 {error}`;
//! a body that is not `{writeKey, batch:[…], consent?}` or an item without a
//! string `messageId` `400 {error}` naming the field (`batch[3].messageId is
//! required`). Otherwise `200 {success: true, results: [{index, messageId,
//! status, reason?, detail?, eventId?, duplicate, retryable}], summary}`:
//! `accepted`; `duplicate` (`reason: duplicate_occurrence`) for a
//! `messageId` seen before; `rejected` (`reason: invalid_input`, `detail`
//! naming the field) for a wrong `type`, an `identify` without `email`, a
//! `track` without `event`, a `track`/`page` with neither `email` nor
//! `userId`, or a forbidden field such as `anonymousId`.
//!
//! **Faults** (`--faults`, see [`FaultPlan`]) apply per request to ingest
//! and deliveries only, drawn from a stream seeded by `--seed`; never to the
//! connect flow or `/__sandbox/*`.
//!
//! **What is stored.** Per accepted delivery a 16-byte delivery id (a
//! 32-hex-digit id decoded; any other id hashed, its text kept for listing)
//! and per (resource, id) a 32-byte record of the latest accepted delivery:
//! delivery id, topic, body length, the `X-Segmentflow-Sync` run id when the
//! sync sends one, and how many deliveries of that entity were accepted —
//! never bodies (about 120 MB for a million orders).
//!
//! **Throughput.** On the 2-core machine, a release build answered 20,000
//! signed 3 KB deliveries over 4 keep-alive connections at about 11,000
//! requests/s with the machine under load (the `ureq` client was the
//! bottleneck), spending about 25 µs of CPU per delivery on one runtime
//! thread; `examples/sandbox_load.rs` repeats the measurement.
//!
//! ```no_run
//! use segmentflow_wpcli::sandbox::{self, SandboxConfig};
//! let sandbox = sandbox::start(SandboxConfig::default())?;
//! println!("deliver to {}", sandbox.credentials().webhook_delivery_url);
//! let stats = sandbox.shutdown();
//! assert_eq!(stats.deliveries.accepted, 0);
//! # Ok::<(), sandbox::SandboxError>(())
//! ```

mod config;
mod credentials;
mod delivery;
mod faults;
mod ingest;
mod server;
mod state;

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

pub use config::{
    ConfigError, DEFAULT_MAX_BATCH_EVENTS, DEFAULT_MAX_DELIVERY_BYTES, DEFAULT_MAX_INGEST_BYTES,
    DownMode, SandboxArgs, SandboxConfig,
};
pub use credentials::Credentials;
pub use faults::{FaultKind, FaultPlan, FaultPlanError};
pub use state::{
    ConnectStats, DeliveryRecord, DeliveryStats, DisconnectStats, IdentifyRecord, IngestStats,
    ResourceStats, Stats,
};

use credentials::{
    DELIVERY_PATH_PREFIX, poll_token, seeded_organization_id, seeded_webhook_secret,
    seeded_write_key,
};
use delivery::Verifier;
use faults::DrawStream;
use server::Shared;
use state::{Resource, State};

/// How long in-flight requests get to finish at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(250);

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listen address is not loopback and `allow_remote` is off.
    #[error(
        "refusing to listen on {addr}: not a loopback address (pass --allow-remote to serve other machines)"
    )]
    NotLoopback {
        /// The refused address.
        addr: SocketAddr,
    },
    /// Binding the listen address failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// `public_url` is not an http(s) URL.
    #[error("public URL {url:?} must start with http:// or https://")]
    PublicUrl {
        /// The offending URL.
        url: String,
    },
    /// The tokio runtime or the sandbox thread could not start.
    #[error("cannot start the sandbox runtime: {0}")]
    Runtime(std::io::Error),
}

/// Binds the listener and builds the shared state.
fn prepare(config: SandboxConfig) -> Result<(Arc<Shared>, std::net::TcpListener), SandboxError> {
    let addr = config.listen;
    if !addr.ip().is_loopback() && !config.allow_remote {
        return Err(SandboxError::NotLoopback { addr });
    }
    let listener =
        std::net::TcpListener::bind(addr).map_err(|source| SandboxError::Bind { addr, source })?;
    let local_addr = listener
        .local_addr()
        .and_then(|a| listener.set_nonblocking(true).map(|()| a))
        .map_err(|source| SandboxError::Bind { addr, source })?;
    let base_url = match &config.public_url {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            url.trim_end_matches('/').to_owned()
        }
        Some(url) => return Err(SandboxError::PublicUrl { url: url.clone() }),
        None => format!("http://{local_addr}"),
    };
    let organization_id = seeded_organization_id(config.seed);
    let delivery_path = format!("{DELIVERY_PATH_PREFIX}{organization_id}");
    let mut state = State::new();
    let now = Instant::now();
    let first_token = poll_token(config.seed, state.next_token_number());
    state.issue_token(first_token.clone(), now);
    if let Some(down_for) = config.down_for.filter(|d| !d.is_zero()) {
        state.set_down(Some((now + down_for, config.down_mode)));
    }
    let credentials = Credentials {
        api_host: base_url.clone(),
        poll_token: first_token,
        write_key: config
            .write_key
            .clone()
            .unwrap_or_else(|| seeded_write_key(config.seed)),
        webhook_secret: config
            .webhook_secret
            .clone()
            .unwrap_or_else(|| seeded_webhook_secret(config.seed)),
        webhook_delivery_url: format!("{base_url}{delivery_path}"),
        organization_id,
        organization_name: config.organization_name.clone(),
        base_url,
    };
    let shared = Shared {
        verifier: Verifier::new(credentials.webhook_secret.as_bytes()),
        draws: DrawStream::new(config.seed),
        config,
        credentials,
        delivery_path,
        state: Mutex::new(state),
        down_changed: Notify::new(),
        local_addr,
    };
    Ok((Arc::new(shared), listener))
}

fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, SandboxError> {
    let mut builder = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    builder
        .enable_io()
        .enable_time()
        .thread_name("sandbox")
        .build()
        .map_err(SandboxError::Runtime)
}

/// Runs the sandbox in the foreground until SIGINT or SIGTERM: prints the
/// start-up JSON line ([`Credentials`]) to stdout, logs to stderr (one line
/// per request with `verbose`), and prints the final stats to stderr before
/// returning them.
pub fn serve(config: SandboxConfig) -> Result<Stats, SandboxError> {
    let threads = config.threads;
    let (shared, listener) = prepare(config)?;
    let rt = runtime(threads)?;
    let line = serde_json::to_string(&shared.credentials).unwrap_or_default();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
    eprintln!(
        "sandbox: listening on {} (faults: {}); Ctrl-C stops",
        shared.credentials.base_url, shared.config.faults
    );
    let (_keep_open, shutdown) = watch::channel(false);
    let result = rt.block_on(server::accept_loop(
        Arc::clone(&shared),
        listener,
        shutdown,
        true,
    ));
    rt.shutdown_timeout(SHUTDOWN_GRACE);
    result.map_err(SandboxError::Runtime)?;
    let stats = shared.lock().stats();
    eprintln!(
        "sandbox: final stats {}",
        serde_json::to_string(&stats).unwrap_or_default()
    );
    Ok(stats)
}

/// Starts the sandbox on a background thread (for tests and embedding); it
/// runs until [`SandboxHandle::shutdown`] or until the handle is dropped.
/// Nothing is printed except with `verbose`.
pub fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    let threads = config.threads;
    let (shared, listener) = prepare(config)?;
    let rt = runtime(threads)?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let for_thread = Arc::clone(&shared);
    let thread = std::thread::Builder::new()
        .name("sandbox".into())
        .spawn(move || {
            let result = rt.block_on(server::accept_loop(
                for_thread,
                listener,
                shutdown_rx,
                false,
            ));
            rt.shutdown_timeout(SHUTDOWN_GRACE);
            if let Err(e) = result {
                eprintln!("sandbox: stopped: {e}");
            }
        })
        .map_err(SandboxError::Runtime)?;
    Ok(SandboxHandle {
        shared,
        shutdown: shutdown_tx,
        thread: Some(thread),
    })
}

/// A running sandbox started by [`start`].
#[derive(Debug)]
pub struct SandboxHandle {
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT` (or the configured public URL).
    pub fn base_url(&self) -> &str {
        &self.shared.credentials.base_url
    }

    /// The address the sandbox listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.shared.local_addr
    }

    /// The credentials it hands out (the start-up JSON line).
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// A snapshot of the counters (as `GET /__sandbox/stats`).
    pub fn stats(&self) -> Stats {
        self.shared.lock().stats()
    }

    /// Every accepted delivery of `resource` (`order`, `customer`,
    /// `product`, `coupon`), sorted by id; `None` for another name.
    pub fn deliveries(&self, resource: &str) -> Option<Vec<DeliveryRecord>> {
        let resource = Resource::parse(resource)?;
        Some(self.shared.lock().deliveries_of(resource, 0, usize::MAX).1)
    }

    /// The `X-WC-Webhook-Signature` the sandbox expects for `body`.
    pub fn sign(&self, body: &[u8]) -> String {
        self.shared.verifier.sign(body)
    }

    /// Makes the ingest and delivery endpoints down for `duration` (zero:
    /// up again), as `POST /__sandbox/down`.
    pub fn set_down(&self, duration: Duration, mode: DownMode) {
        self.shared.set_down(duration, mode);
    }

    /// Stops the server and returns the final stats.
    pub fn shutdown(mut self) -> Stats {
        self.stop();
        self.stats()
    }

    fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
