//! The HTTP side of the sandbox: a hyper 1 HTTP/1.1 server (keep-alive) on
//! a small tokio runtime, the routing table, fault injection around the
//! ingest and delivery endpoints, "down" periods, and the `/__sandbox/*`
//! inspection endpoints.
//!
//! Per request the hot path (a WooCommerce delivery) reads the body into one
//! buffer, clones a pre-keyed HMAC, parses the `id` without a JSON tree,
//! takes the state mutex once, and answers with a static body.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::sync::{Notify, watch};

use super::config::{DownMode, SandboxConfig};
use super::credentials::{Credentials, DELIVERY_PATH_PREFIX, poll_token};
use super::delivery::{self, Checked, RefusalKind, Verifier};
use super::faults::{DrawStream, FaultKind};
use super::ingest::{self, IngestContext};
use super::state::{ApproveAnswer, PollAnswer, RecordError, Recorded, Resource, State};

/// Path of the status poll.
pub(crate) const STATUS_PATH: &str = "/api/v1/integrations/connect/status";
/// Path of the sandbox-only "start a connect" helper.
pub(crate) const START_PATH: &str = "/api/v1/integrations/connect/start";
/// Path of the disconnect notification.
pub(crate) const DISCONNECT_PATH: &str = "/api/v1/integrations/connect/disconnect";
/// Path of event ingest.
pub(crate) const INGEST_PATH: &str = "/api/v1/ingest/batch";

/// Largest body accepted on the connect and `/__sandbox` endpoints.
const SMALL_BODY_LIMIT: usize = 64 * 1024;
/// Most bytes read (and discarded) from an oversized body before the
/// connection is simply closed.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;
/// Largest page of `/__sandbox/deliveries` and `/__sandbox/identifies`.
const MAX_PAGE: usize = 1_000_000;

type Body = Full<Bytes>;

/// The service's error: the connection is closed without an answer.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

/// Everything request handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: SandboxConfig,
    pub credentials: Credentials,
    pub delivery_path: String,
    pub verifier: Verifier,
    pub state: Mutex<State>,
    pub draws: DrawStream,
    /// Wakes the accept loop when the down state changes.
    pub down_changed: Notify,
    pub local_addr: SocketAddr,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes the ingest and delivery endpoints down for `duration` (or up
    /// again with zero).
    pub(crate) fn set_down(&self, duration: Duration, mode: DownMode) {
        let down = (!duration.is_zero()).then(|| (Instant::now() + duration, mode));
        self.lock().set_down(down);
        self.down_changed.notify_one();
    }
}

/// The routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Root,
    Status,
    Start,
    Disconnect,
    Ingest,
    Delivery { known_org: bool },
    Stats,
    Deliveries,
    Identifies,
    Reset,
    Approve,
    Down,
    NotFound,
    MethodNotAllowed(&'static str),
}

fn route(method: &Method, path: &str, delivery_path: &str) -> Route {
    let want = |m: Method, allow: &'static str, r: Route| {
        if *method == m {
            r
        } else {
            Route::MethodNotAllowed(allow)
        }
    };
    match path {
        "/" => want(Method::GET, "GET", Route::Root),
        STATUS_PATH => want(Method::GET, "GET", Route::Status),
        START_PATH => want(Method::POST, "POST", Route::Start),
        DISCONNECT_PATH => want(Method::DELETE, "DELETE", Route::Disconnect),
        INGEST_PATH => want(Method::POST, "POST", Route::Ingest),
        "/__sandbox/stats" => want(Method::GET, "GET", Route::Stats),
        "/__sandbox/deliveries" => want(Method::GET, "GET", Route::Deliveries),
        "/__sandbox/identifies" => want(Method::GET, "GET", Route::Identifies),
        "/__sandbox/reset" => want(Method::POST, "POST", Route::Reset),
        "/__sandbox/approve" => want(Method::POST, "POST", Route::Approve),
        "/__sandbox/down" => want(Method::POST, "POST", Route::Down),
        _ if path == delivery_path => {
            want(Method::POST, "POST", Route::Delivery { known_org: true })
        }
        _ if path.starts_with(DELIVERY_PATH_PREFIX) => {
            want(Method::POST, "POST", Route::Delivery { known_org: false })
        }
        _ => Route::NotFound,
    }
}

fn json_response(status: u16, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn json_value<T: Serialize>(status: u16, value: &T) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    json_response(status, Bytes::from(body))
}

fn error(status: u16, message: &str) -> Response<Body> {
    json_value(status, &serde_json::json!({ "error": message }))
}

/// Adds `Retry-After` in the configured form.
fn with_retry_after(
    mut response: Response<Body>,
    config: &SandboxConfig,
    secs: u64,
) -> Response<Body> {
    let value = if config.retry_after_http_date {
        httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(secs))
    } else {
        secs.to_string()
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// Why a body could not be read.
#[derive(Debug)]
enum BodyError {
    /// Over the limit: answer 413. The rest of the body was read and
    /// discarded (up to [`DRAIN_LIMIT`]) so the client, not cut off
    /// mid-send, actually sees the answer.
    TooLarge { limit: usize },
    /// The client went away, or sent far too much: close the connection.
    Dropped,
}

impl BodyError {
    /// The answer for this error.
    fn answer(self) -> Result<Response<Body>, Dropped> {
        match self {
            BodyError::TooLarge { limit } => {
                Ok(error(413, &format!("request body exceeds {limit} bytes")))
            }
            BodyError::Dropped => Err(Dropped),
        }
    }
}

/// Reads the body, at most `limit` bytes.
async fn read_body(
    headers: &hyper::HeaderMap,
    mut body: Incoming,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let drain = DRAIN_LIMIT.max(limit);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > drain as u64) {
        return Err(BodyError::Dropped);
    }
    let mut too_large = declared.is_some_and(|len| len > limit as u64);
    let mut first: Option<Bytes> = None;
    let mut rest: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(BodyError::Dropped);
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        seen = seen.saturating_add(data.len());
        if seen > drain {
            return Err(BodyError::Dropped);
        }
        if seen > limit {
            too_large = true;
        }
        if too_large {
            continue;
        }
        match &first {
            None => first = Some(data),
            Some(f) => {
                if rest.is_empty() {
                    rest.extend_from_slice(f);
                }
                rest.extend_from_slice(&data);
            }
        }
    }
    if too_large {
        return Err(BodyError::TooLarge { limit });
    }
    Ok(if rest.is_empty() {
        first.unwrap_or_default()
    } else {
        Bytes::from(rest)
    })
}

/// The query parameter `name`, percent-decoding nothing (the sandbox's own
/// values are plain).
fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Handles one request and logs it when verbose.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    let started = Instant::now();
    let verbose = shared.config.verbose;
    let log_line = verbose.then(|| format!("{} {}", req.method(), req.uri()));
    let result = dispatch(&shared, req).await;
    if let Some(line) = log_line {
        let outcome = match &result {
            Ok(r) => r.status().as_u16().to_string(),
            Err(_) => "dropped".to_owned(),
        };
        eprintln!(
            "sandbox: {line} -> {outcome} ({:.1} ms)",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    result
}

async fn dispatch(shared: &Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, Dropped> {
    let r = route(req.method(), req.uri().path(), &shared.delivery_path);
    shared.lock().requests += 1;
    match r {
        Route::Ingest | Route::Delivery { .. } => faulted(shared, r, req).await,
        Route::Root => Ok(root(shared)),
        Route::Status => Ok(status(shared, &req)),
        Route::Start => Ok(start_connect(shared)),
        Route::Disconnect => Ok(disconnect(shared, &req)),
        Route::Stats => Ok(json_value(200, &shared.lock().stats())),
        Route::Deliveries => Ok(list_deliveries(shared, req.uri().query())),
        Route::Identifies => Ok(list_identifies(shared, req.uri().query())),
        Route::Reset => {
            shared.lock().reset();
            shared.draws.rewind();
            shared.down_changed.notify_one();
            Ok(json_value(200, &serde_json::json!({ "reset": true })))
        }
        Route::Approve => approve(shared, req).await,
        Route::Down => Ok(down(shared, req.uri().query())),
        Route::NotFound => Ok(error(404, "no such endpoint")),
        Route::MethodNotAllowed(allow) => {
            let mut response = error(405, "method not allowed");
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            Ok(response)
        }
    }
}

/// The ingest and delivery endpoints, wrapped in "down" and fault
/// injection.
async fn faulted(
    shared: &Arc<Shared>,
    r: Route,
    req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    let is_ingest = r == Route::Ingest;
    let now = Instant::now();
    let down = {
        let mut st = shared.lock();
        if is_ingest {
            st.ingest.requests += 1;
        } else {
            st.deliveries.requests += 1;
        }
        let down = st.down_at(now);
        if down.is_some() {
            st.count_down_hit();
            if is_ingest {
                st.ingest.faulted += 1;
            } else {
                st.deliveries.faulted += 1;
            }
        }
        down
    };
    match down {
        None => {}
        Some((_, DownMode::Refuse)) => return Err(Dropped),
        Some((until, DownMode::Unavailable)) => {
            // Drain the body so the connection stays usable.
            let (parts, body) = req.into_parts();
            let _ = read_body(&parts.headers, body, shared.config.max_delivery_bytes).await;
            let secs = until
                .saturating_duration_since(now)
                .as_secs_f64()
                .ceil()
                .max(1.0) as u64;
            return Ok(with_retry_after(
                error(503, "receiver is down"),
                &shared.config,
                secs,
            ));
        }
    }
    let limit = if is_ingest {
        shared.config.max_ingest_bytes
    } else {
        shared.config.max_delivery_bytes
    };
    let (parts, body) = req.into_parts();
    let body = match read_body(&parts.headers, body, limit).await {
        Ok(body) => body,
        Err(e @ BodyError::TooLarge { .. }) => {
            let mut st = shared.lock();
            if is_ingest {
                st.ingest.too_large += 1;
            } else {
                st.deliveries.too_large += 1;
            }
            drop(st);
            return e.answer();
        }
        Err(e) => return e.answer(),
    };
    let fault = if shared.config.faults.is_empty() {
        None
    } else {
        shared.config.faults.pick(shared.draws.next_unit())
    };
    if let Some(kind) = fault {
        let mut st = shared.lock();
        st.count_fault(kind);
        if is_ingest {
            st.ingest.faulted += 1;
        } else {
            st.deliveries.faulted += 1;
        }
    }
    match fault {
        Some(FaultKind::Reset) => return Err(Dropped),
        Some(kind) if kind.status().is_some() => {
            let status = kind.status().unwrap_or(500);
            let response = error(status, &format!("injected fault {kind}"));
            return Ok(if status == 429 {
                with_retry_after(response, &shared.config, shared.config.retry_after_secs)
            } else {
                response
            });
        }
        Some(FaultKind::Slow) => tokio::time::sleep(shared.config.slow).await,
        _ => {}
    }
    let response = if is_ingest {
        let reply = ingest::handle_batch(
            &body,
            &IngestContext {
                write_key: &shared.credentials.write_key,
                max_batch_events: shared.config.max_batch_events,
            },
            &shared.state,
        );
        json_response(reply.status, Bytes::from(reply.body))
    } else {
        receive_delivery(shared, &parts.headers, &body, r)
    };
    if fault == Some(FaultKind::Lost) {
        return Err(Dropped);
    }
    Ok(response)
}

static ACCEPTED: &[u8] = br#"{"status":"accepted"}"#;
static DUPLICATE: &[u8] = br#"{"status":"duplicate"}"#;
static PING: &[u8] = br#"{"status":"ok"}"#;

fn receive_delivery(
    shared: &Shared,
    headers: &hyper::HeaderMap,
    body: &[u8],
    r: Route,
) -> Response<Body> {
    if r == (Route::Delivery { known_org: false }) {
        shared.lock().deliveries.unknown_org += 1;
        return error(404, "unknown organization");
    }
    let checked = delivery::check(headers, body, &shared.verifier);
    let mut st = shared.lock();
    match checked {
        Err(refusal) => {
            match refusal.kind {
                RefusalKind::MissingSignature => st.deliveries.missing_signature += 1,
                RefusalKind::BadSignature => st.deliveries.bad_signature += 1,
                RefusalKind::BadRequest => st.deliveries.bad_request += 1,
            }
            drop(st);
            error(refusal.status, &refusal.message)
        }
        Ok(Checked::Ping) => {
            st.deliveries.pings += 1;
            json_response(200, Bytes::from_static(PING))
        }
        Ok(Checked::Delivery(_)) if !st.is_connected() => {
            st.deliveries.disconnected += 1;
            drop(st);
            error(410, "the integration was disconnected")
        }
        Ok(Checked::Delivery(d)) => match st.record_delivery(&d) {
            Ok(Recorded::Accepted) => json_response(200, Bytes::from_static(ACCEPTED)),
            Ok(Recorded::Duplicate) => json_response(200, Bytes::from_static(DUPLICATE)),
            Err(RecordError::TooManyTopics) => {
                st.deliveries.bad_request += 1;
                drop(st);
                error(400, "too many distinct topics")
            }
        },
    }
}

fn root(shared: &Shared) -> Response<Body> {
    json_value(
        200,
        &serde_json::json!({
            "sandbox": "segmentflow-wpcli",
            "version": env!("CARGO_PKG_VERSION"),
            "api_host": shared.credentials.api_host,
            "webhook_delivery_url": shared.credentials.webhook_delivery_url,
            "endpoints": [
                format!("GET {STATUS_PATH}"),
                format!("POST {START_PATH}"),
                format!("DELETE {DISCONNECT_PATH}"),
                format!("POST {INGEST_PATH}"),
                format!("POST {}", shared.delivery_path),
                "GET /__sandbox/stats",
                "GET /__sandbox/deliveries?resource=order&offset=0&limit=1000",
                "GET /__sandbox/identifies?offset=0&limit=1000",
                "POST /__sandbox/approve?token=…",
                "POST /__sandbox/down?ms=…&mode=503|refuse",
                "POST /__sandbox/reset",
            ],
        }),
    )
}

fn status(shared: &Shared, req: &Request<Incoming>) -> Response<Body> {
    // `doctor`'s check: no poll token, the write key instead (branch wpcli-cmds).
    if req.headers().get("x-poll-token").is_none()
        && let Some(key) = req.headers().get("x-write-key")
    {
        return write_key_status(shared, key.as_bytes());
    }
    let Some(token) = req
        .headers()
        .get("x-poll-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        shared.lock().connect.unknown_token += 1;
        return error(400, "missing X-Poll-Token header");
    };
    let answer = shared.lock().poll(
        token,
        Instant::now(),
        shared.config.poll_token_ttl,
        shared.config.approve_after,
    );
    match answer {
        PollAnswer::Pending => json_value(200, &serde_json::json!({ "connected": false })),
        PollAnswer::Approved => {
            let c = &shared.credentials;
            json_value(
                200,
                &serde_json::json!({
                    "connected": true,
                    "write_key": c.write_key,
                    "organization_name": c.organization_name,
                    "organization_id": c.organization_id,
                    "webhook_secret": c.webhook_secret,
                    "webhook_delivery_url": c.webhook_delivery_url,
                }),
            )
        }
        PollAnswer::Unknown => error(404, "unknown poll token"),
        PollAnswer::Gone(why) => error(410, why),
    }
}

/// `GET status` with `X-Write-Key`: 200 `{connected, organization_id,
/// organization_name}` for the sandbox's write key while connected, 401
/// otherwise.
fn write_key_status(shared: &Shared, key: &[u8]) -> Response<Body> {
    use subtle::ConstantTimeEq;
    let c = &shared.credentials;
    let matches = !key.is_empty() && bool::from(key.ct_eq(c.write_key.as_bytes()));
    if !matches {
        return error(401, "invalid write key");
    }
    let connected = shared.lock().is_connected();
    json_value(
        200,
        &serde_json::json!({
            "connected": connected,
            "organization_id": c.organization_id,
            "organization_name": c.organization_name,
        }),
    )
}

fn start_connect(shared: &Shared) -> Response<Body> {
    let mut st = shared.lock();
    let token = poll_token(shared.config.seed, st.next_token_number());
    st.issue_token(token.clone(), Instant::now());
    drop(st);
    json_value(
        200,
        &serde_json::json!({
            "poll_token": token,
            "expires_in": shared.config.poll_token_ttl.as_secs(),
        }),
    )
}

fn disconnect(shared: &Shared, req: &Request<Incoming>) -> Response<Body> {
    use subtle::ConstantTimeEq;
    let key = req
        .headers()
        .get("x-write-key")
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    let matches = !key.is_empty() && bool::from(key.ct_eq(shared.credentials.write_key.as_bytes()));
    let mut st = shared.lock();
    if matches && st.is_connected() {
        st.disconnect();
        drop(st);
        json_value(200, &serde_json::json!({ "success": true }))
    } else {
        st.disconnect.unauthorized += 1;
        drop(st);
        error(
            401,
            if key.is_empty() {
                "missing X-Write-Key header"
            } else {
                "invalid write key"
            },
        )
    }
}

fn page_params(query: Option<&str>) -> Result<(usize, usize), String> {
    let number = |name: &str, default: usize| -> Result<usize, String> {
        match query_param(query, name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("{name} must be a non-negative integer")),
        }
    };
    Ok((number("offset", 0)?, number("limit", 1000)?.min(MAX_PAGE)))
}

fn list_deliveries(shared: &Shared, query: Option<&str>) -> Response<Body> {
    let Some(name) = query_param(query, "resource") else {
        return error(
            400,
            "resource is required (order, customer, product or coupon)",
        );
    };
    let Some(resource) = Resource::parse(name) else {
        return error(400, &format!("unknown resource {name:?}"));
    };
    let (offset, limit) = match page_params(query) {
        Ok(p) => p,
        Err(message) => return error(400, &message),
    };
    let (total, items) = shared.lock().deliveries_of(resource, offset, limit);
    let next = offset.saturating_add(items.len());
    json_value(
        200,
        &serde_json::json!({
            "resource": resource.name(),
            "total": total,
            "offset": offset,
            "next_offset": (next < total).then_some(next),
            "items": items,
        }),
    )
}

fn list_identifies(shared: &Shared, query: Option<&str>) -> Response<Body> {
    let (offset, limit) = match page_params(query) {
        Ok(p) => p,
        Err(message) => return error(400, &message),
    };
    let (total, items) = shared.lock().identifies(offset, limit);
    let next = offset.saturating_add(items.len());
    json_value(
        200,
        &serde_json::json!({
            "total": total,
            "offset": offset,
            "next_offset": (next < total).then_some(next),
            "items": items,
        }),
    )
}

async fn approve(shared: &Shared, req: Request<Incoming>) -> Result<Response<Body>, Dropped> {
    let from_query = query_param(req.uri().query(), "token")
        .or_else(|| query_param(req.uri().query(), "poll_token"))
        .map(str::to_owned);
    let from_header = req
        .headers()
        .get("x-poll-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = req.into_parts();
    let body = match read_body(&parts.headers, body, SMALL_BODY_LIMIT).await {
        Ok(body) => body,
        Err(e) => return e.answer(),
    };
    let from_body = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("poll_token")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
        });
    let Some(token) = from_query.or(from_header).or(from_body) else {
        return Ok(error(
            400,
            "give the poll token as ?token=, X-Poll-Token or {\"poll_token\"}",
        ));
    };
    let answer = shared
        .lock()
        .approve(&token, Instant::now(), shared.config.poll_token_ttl);
    Ok(match answer {
        ApproveAnswer::Approved => json_value(200, &serde_json::json!({ "approved": true })),
        ApproveAnswer::Unknown => error(404, "unknown poll token"),
        ApproveAnswer::Gone(why) => error(410, why),
    })
}

fn down(shared: &Shared, query: Option<&str>) -> Response<Body> {
    let Some(ms) = query_param(query, "ms").and_then(|v| v.parse::<u64>().ok()) else {
        return error(400, "ms is required (milliseconds; 0 = up again)");
    };
    let mode = match query_param(query, "mode") {
        None => shared.config.down_mode,
        Some(m) => match m.parse::<DownMode>() {
            Ok(mode) => mode,
            Err(e) => return error(400, &e),
        },
    };
    shared.set_down(Duration::from_millis(ms), mode);
    json_value(
        200,
        &serde_json::json!({
            "down_ms": ms,
            "mode": match mode { DownMode::Unavailable => "503", DownMode::Refuse => "refuse" },
        }),
    )
}

/// Serves connections until `shutdown` turns true (or, with `signals`, until
/// SIGINT/SIGTERM). Runs inside the sandbox's runtime.
pub(crate) async fn accept_loop(
    shared: Arc<Shared>,
    listener: std::net::TcpListener,
    mut shutdown: watch::Receiver<bool>,
    signals: bool,
) -> std::io::Result<()> {
    let mut listener = Some(tokio::net::TcpListener::from_std(listener)?);
    let signal = wait_for_signal(signals);
    tokio::pin!(signal);
    let addr = shared.local_addr;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let refuse_until = match shared.lock().down_at(Instant::now()) {
            Some((until, DownMode::Refuse)) => Some(until),
            _ => None,
        };
        if let Some(until) = refuse_until {
            // Stop listening: new connections are refused until `until`.
            listener = None;
            tokio::select! {
                _ = tokio::time::sleep_until(until.into()) => {}
                _ = shared.down_changed.notified() => {}
                _ = shutdown.changed() => break,
                _ = &mut signal => break,
            }
            continue;
        }
        let active = match &listener {
            Some(l) => l,
            None => {
                match std::net::TcpListener::bind(addr).and_then(|l| {
                    l.set_nonblocking(true)?;
                    tokio::net::TcpListener::from_std(l)
                }) {
                    Ok(l) => listener.insert(l),
                    Err(e) => {
                        eprintln!("sandbox: cannot listen on {addr} again: {e}; retrying");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                }
            }
        };
        tokio::select! {
            accepted = active.accept() => {
                let (stream, _) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a moment.
                        eprintln!("sandbox: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = Arc::clone(&shared);
                        async move { handle(shared, req).await }
                    });
                    let _ = http1::Builder::new()
                        .keep_alive(true)
                        .timer(TokioTimer::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = shared.down_changed.notified() => {}
            _ = shutdown.changed() => break,
            _ = &mut signal => break,
        }
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM when `enabled`, never otherwise.
async fn wait_for_signal(enabled: bool) {
    if !enabled {
        return std::future::pending::<()>().await;
    }
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let d = "/webhooks/woocommerce/org_sandbox_1";
        let cases: &[(Method, &str, Route)] = &[
            (Method::GET, "/", Route::Root),
            (Method::GET, STATUS_PATH, Route::Status),
            (Method::POST, STATUS_PATH, Route::MethodNotAllowed("GET")),
            (Method::POST, START_PATH, Route::Start),
            (Method::DELETE, DISCONNECT_PATH, Route::Disconnect),
            (Method::POST, INGEST_PATH, Route::Ingest),
            (Method::GET, INGEST_PATH, Route::MethodNotAllowed("POST")),
            (Method::POST, d, Route::Delivery { known_org: true }),
            (
                Method::POST,
                "/webhooks/woocommerce/org_other",
                Route::Delivery { known_org: false },
            ),
            (Method::GET, "/__sandbox/stats", Route::Stats),
            (Method::GET, "/__sandbox/deliveries", Route::Deliveries),
            (Method::POST, "/__sandbox/reset", Route::Reset),
            (Method::POST, "/__sandbox/approve", Route::Approve),
            (Method::POST, "/__sandbox/down", Route::Down),
            (Method::GET, "/api/v1/other", Route::NotFound),
        ];
        for (method, path, want) in cases {
            assert_eq!(route(method, path, d), *want, "{method} {path}");
        }
    }

    #[test]
    fn query_params() {
        let q = Some("resource=order&offset=5&flag&limit=");
        assert_eq!(query_param(q, "resource"), Some("order"));
        assert_eq!(query_param(q, "offset"), Some("5"));
        assert_eq!(query_param(q, "flag"), Some(""));
        assert_eq!(query_param(q, "limit"), Some(""));
        assert_eq!(query_param(q, "missing"), None);
        assert_eq!(query_param(None, "resource"), None);
    }
}
