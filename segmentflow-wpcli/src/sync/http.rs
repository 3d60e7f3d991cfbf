//! One HTTP POST, and the loop that repeats it under a [`RetryPolicy`].
//!
//! The client is `ureq` with a shared keep-alive pool: every worker thread
//! clones the same [`HttpClient`], and idle connections are reused across
//! requests to the same host. Hosts resolve through
//! [`SyncResolver`](super::resolver::SyncResolver), not a thread per
//! request. Redirects are not followed (WooCommerce does not follow them
//! for deliveries either; 301/302 count as success, other 3xx as permanent
//! failures), and every status comes back as a value, never as an error, so
//! the core's [`Outcome`] classification decides.
//!
//! Transport failures are mapped to outcomes: DNS failure (ureq's
//! `HostNotFound`, a resolver timeout, or std's "failed to lookup address
//! information" I/O error, which has no `ErrorKind` of its own), connection
//! refused or unreachable → [`Outcome::ConnectFailed`]; a reset or truncated
//! answer → [`Outcome::ConnectionReset`]; a timeout → [`Outcome::TimedOut`].
//! TLS failures and malformed URLs cannot get better by waiting: they are
//! [`Attempt::Fatal`].

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use segmentflow_core::options::{UrlKind, validate_url};
use segmentflow_core::sync::{Outcome, RetryDecision, RetryPolicy, parse_retry_after};

/// Largest response body read (the rest is dropped with the connection).
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// How long a stop-aware sleep naps between looks at the stop flag.
const SLEEP_SLICE: Duration = Duration::from_millis(25);

/// A keep-alive HTTP client shared by the worker threads.
#[derive(Clone, Debug)]
pub struct HttpClient {
    agent: ureq::Agent,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// An answer or a retryable transport failure, with the response body
    /// (empty for transport failures) and a short description for reports.
    Done {
        /// The outcome, as the retry policy sees it.
        outcome: Outcome,
        /// The response body (up to 1 MiB).
        body: Vec<u8>,
        /// `HTTP 503`, `connection refused by shop.example:443`, …
        detail: String,
    },
    /// A failure no retry can fix (TLS, malformed URL).
    Fatal(String),
}

impl HttpClient {
    /// A client whose requests time out after `timeout` (connect, send and
    /// answer together), keeping up to `connections` idle connections per
    /// host.
    pub fn new(timeout: Duration, connections: usize) -> HttpClient {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .max_idle_connections_per_host(connections.max(1))
            .max_idle_connections(connections.max(1) * 4)
            .user_agent(concat!("segmentflow-wpcli/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpClient {
            agent: ureq::Agent::with_parts(
                config,
                ureq::unversioned::transport::DefaultConnector::default(),
                super::resolver::SyncResolver::default(),
            ),
        }
    }

    /// POSTs `body` with `headers` to `url` once.
    pub fn post(&self, url: &str, headers: &[(&str, String)], body: &[u8]) -> Attempt {
        let mut request = self.agent.post(url);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        match request.send(body) {
            Ok(mut response) => {
                let code = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
                // Reading the whole answer lets the connection go back to the pool.
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(MAX_RESPONSE_BYTES)
                    .read_to_vec()
                    .unwrap_or_default();
                Attempt::Done {
                    outcome: Outcome::Status { code, retry_after },
                    body,
                    detail: format!("HTTP {code}"),
                }
            }
            Err(error) => transport_failure(url, error),
        }
    }
}

/// `host:port` of `url`, for messages.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

fn transport_failure(url: &str, error: ureq::Error) -> Attempt {
    let host = host_of(url);
    let done = |outcome, detail: String| Attempt::Done {
        outcome,
        body: Vec::new(),
        detail,
    };
    match error {
        ureq::Error::HostNotFound => done(
            Outcome::ConnectFailed,
            format!("host {host} not found (DNS)"),
        ),
        ureq::Error::ConnectionFailed => done(
            Outcome::ConnectFailed,
            format!("could not connect to {host}"),
        ),
        ureq::Error::Timeout(ureq::Timeout::Resolve) => done(
            Outcome::ConnectFailed,
            format!("host {host} not found (DNS lookup timed out)"),
        ),
        ureq::Error::Timeout(kind) => done(
            Outcome::TimedOut,
            format!("no answer from {host} in time ({kind:?})"),
        ),
        // The resolver's own failure (std's getaddrinfo error has no
        // ErrorKind of its own, only this message): the name does not
        // resolve, which no connection can fix — not a lost connection.
        ureq::Error::Io(e) if is_dns_failure(&e) => done(
            Outcome::ConnectFailed,
            format!("host {host} not found (DNS: {e})"),
        ),
        ureq::Error::Io(e) => match e.kind() {
            io::ErrorKind::ConnectionRefused => done(
                Outcome::ConnectFailed,
                format!("connection refused by {host}"),
            ),
            io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::AddrNotAvailable => {
                done(Outcome::ConnectFailed, format!("{host} unreachable: {e}"))
            }
            // rustls reports handshake and certificate failures as
            // InvalidData: waiting does not fix a certificate.
            io::ErrorKind::InvalidData
                if url
                    .get(..8)
                    .is_some_and(|s| s.eq_ignore_ascii_case("https://")) =>
            {
                Attempt::Fatal(format!("TLS with {host} failed: {e}"))
            }
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                done(Outcome::TimedOut, format!("no answer from {host} in time"))
            }
            _ => done(
                Outcome::ConnectionReset,
                format!("connection to {host} lost: {e}"),
            ),
        },
        ureq::Error::Protocol(e) => done(
            Outcome::ConnectionReset,
            format!("bad HTTP answer from {host}: {e}"),
        ),
        ureq::Error::BodyStalled => done(Outcome::TimedOut, format!("answer from {host} stalled")),
        other @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
            Attempt::Fatal(format!("TLS with {host} failed: {other}"))
        }
        other @ (ureq::Error::BadUri(_) | ureq::Error::Http(_)) => {
            Attempt::Fatal(format!("cannot send to {url:?}: {other}"))
        }
        other => done(
            Outcome::ConnectionReset,
            format!("request to {host} failed: {other}"),
        ),
    }
}

/// Whether an I/O error is a failed DNS lookup (`failed to lookup address
/// information: Name or service not known`, as std reports getaddrinfo
/// errors).
fn is_dns_failure(error: &io::Error) -> bool {
    error.kind() != io::ErrorKind::ConnectionRefused
        && error
            .to_string()
            .contains("failed to lookup address information")
}

/// Refuses a URL that is not `https://`, or `http://` to a loopback host.
pub fn require_tls(setting: &str, url: &str) -> Result<(), String> {
    validate_url(setting, url, UrlKind::Endpoint)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// How a request ended after its retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Final {
    /// The receiver took it (HTTP 200–302).
    Success {
        /// The status.
        code: u16,
        /// The response body.
        body: Vec<u8>,
    },
    /// A permanent failure (a 4xx other than 408/429, or another non-success
    /// status), not retried.
    Permanent {
        /// The status, when the server answered.
        code: Option<u16>,
        /// What happened.
        detail: String,
    },
    /// Retryable failures until the attempts or the time ran out.
    Exhausted {
        /// The last attempt's outcome.
        last: Outcome,
        /// What the last attempt said.
        detail: String,
    },
    /// A failure no retry can fix (TLS, malformed URL).
    Fatal(String),
    /// The run was stopped while this request waited for a retry.
    Stopped,
}

/// What [`send_with_retry`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// How it ended.
    pub fin: Final,
    /// Attempts made (1 when the first one settled it).
    pub attempts: u32,
}

/// Receives a note before each retry wait.
pub type OnRetry<'a> = &'a mut dyn FnMut(u32, Duration, &str);

/// One request to send (borrowed from the item or batch it belongs to).
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Where to POST.
    pub url: &'a str,
    /// The headers.
    pub headers: &'a [(&'static str, String)],
    /// The body.
    pub body: &'a [u8],
}

/// Sends until success, a permanent failure, the end of the policy's budget
/// or a stop; sleeps between attempts as the policy says, with a jitter
/// drawn from `rng`.
pub fn send_with_retry(
    client: &HttpClient,
    request: Request<'_>,
    policy: &RetryPolicy,
    rng: &mut fastrand::Rng,
    stop: &AtomicBool,
    on_retry: OnRetry<'_>,
) -> Sent {
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let (outcome, response, detail) =
            match client.post(request.url, request.headers, request.body) {
                Attempt::Fatal(detail) => {
                    return Sent {
                        fin: Final::Fatal(detail),
                        attempts: attempt,
                    };
                }
                Attempt::Done {
                    outcome,
                    body,
                    detail,
                } => (outcome, body, detail),
            };
        let fin = match policy.decide(attempt, &outcome, started.elapsed(), rng.f64()) {
            RetryDecision::Success => Final::Success {
                code: match outcome {
                    Outcome::Status { code, .. } => code,
                    _ => 0,
                },
                body: response,
            },
            RetryDecision::Permanent => Final::Permanent {
                code: match outcome {
                    Outcome::Status { code, .. } => Some(code),
                    _ => None,
                },
                detail,
            },
            RetryDecision::Exhausted { .. } => Final::Exhausted {
                last: outcome,
                detail,
            },
            RetryDecision::Retry(wait) => {
                on_retry(attempt, wait, &detail);
                if !sleep_unless_stopped(wait, stop) {
                    return Sent {
                        fin: Final::Stopped,
                        attempts: attempt,
                    };
                }
                continue;
            }
        };
        return Sent {
            fin,
            attempts: attempt,
        };
    }
}

/// Sleeps `wait` in short slices; returns false as soon as `stop` is set.
pub fn sleep_unless_stopped(wait: Duration, stop: &AtomicBool) -> bool {
    let until = Instant::now() + wait;
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = Instant::now();
        if now >= until {
            return true;
        }
        std::thread::sleep((until - now).min(SLEEP_SLICE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_for_messages() {
        let cases = [
            ("https://shop.example/wc/hook?x=1", "shop.example"),
            ("http://127.0.0.1:8080/in", "127.0.0.1:8080"),
            ("https://user:pw@h.example:444", "h.example:444"),
            ("https://[::1]:9/x", "[::1]:9"),
            ("noscheme/path", "noscheme"),
        ];
        for (url, host) in cases {
            assert_eq!(host_of(url), host, "{url}");
        }
    }

    #[test]
    fn dns_failure_and_refusal_are_connect_failures_naming_the_host() {
        // `.invalid` never resolves (RFC 2606), without any network.
        let client = HttpClient::new(Duration::from_secs(10), 1);
        match client.post("https://nonexistent.invalid/hook", &[], b"{}") {
            Attempt::Done {
                outcome, detail, ..
            } => {
                assert_eq!(outcome, Outcome::ConnectFailed, "{detail}");
                assert!(
                    detail.contains("host nonexistent.invalid not found"),
                    "{detail}"
                );
            }
            other => panic!("a DNS failure is retryable, then unreachable: {other:?}"),
        }
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("address").port()
        };
        match client.post(&format!("http://127.0.0.1:{port}/hook"), &[], b"{}") {
            Attempt::Done {
                outcome, detail, ..
            } => {
                assert_eq!(outcome, Outcome::ConnectFailed, "{detail}");
                assert!(detail.contains(&format!("127.0.0.1:{port}")), "{detail}");
            }
            other => panic!("refused is retryable, then unreachable: {other:?}"),
        }
    }

    #[test]
    fn tls_is_required_off_loopback() {
        let cases = [
            ("https://hooks.segmentflow.ai/wc/1", true),
            ("http://127.0.0.1:9999/hook", true),
            ("http://localhost/hook", true),
            ("http://[::1]:8080/hook", true),
            ("http://hooks.segmentflow.ai/wc/1", false),
            ("http://10.0.0.5/hook", false),
            ("ftp://x.example/", false),
        ];
        for (url, ok) in cases {
            let result = require_tls("segmentflow_webhook_delivery_url", url);
            assert_eq!(result.is_ok(), ok, "{url}: {result:?}");
        }
        let err = require_tls("segmentflow_webhook_delivery_url", "http://hooks.example/x")
            .expect_err("plain http");
        assert!(err.contains("hooks.example"), "{err}");
    }
}
