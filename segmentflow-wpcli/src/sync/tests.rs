//! Tests of the sync shell against a mock HTTP server (`mockito`): retries,
//! `Retry-After`, early stops, permanent failures and checkpoint saves.
//! Delays are shrunk through the retry policy so the whole file runs in a
//! few seconds; the one real wait is the 1-second `Retry-After`.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mockito::Matcher;
use segmentflow_core::options::Secret;
use segmentflow_core::sync::{
    BatchLimits, BatchPacker, Checkpoint, DeliveryPlanner, IdentifyEvent, Jitter, ReportBuilder,
    Resource, RetryPolicy, UserIdentity, WebhookSite,
};

use super::*;

const SECRET: &str = "whsec_test_secret";
const RUN: &str = "run-test-1";

fn key(id: u64) -> Checkpoint {
    Checkpoint::new(
        format!("2024-05-01 10:{:02}:{:02}", id / 60 % 60, id % 60),
        id,
    )
    .expect("valid key")
}

fn planner() -> DeliveryPlanner {
    let site = WebhookSite {
        home_url: "https://shop.example".to_owned(),
        wc_version: "9.8.1".to_owned(),
        wp_version: "6.8".to_owned(),
    };
    DeliveryPlanner::new(&site, Secret::new(SECRET), RUN).with_webhook_id(Resource::Orders, 7)
}

fn item(url: &str, id: u64) -> PreparedItem {
    let delivery = planner()
        .plan(
            Resource::Orders,
            key(id),
            format!("{{\"id\":{id}}}").into_bytes(),
        )
        .expect("orders are webhooks");
    PreparedItem::from_delivery(delivery, Arc::from(url))
}

fn fast_config() -> EngineConfig {
    EngineConfig {
        workers: 4,
        queue: 8,
        max_unsaved: 1000,
        retry: RetryPolicy {
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
            max_attempts: 4,
            max_elapsed: Duration::from_secs(10),
            jitter: Jitter::Full,
        },
        timeout: Duration::from_secs(5),
        seed: 42,
        checkpoint_every: 1,
        checkpoint_interval: Duration::from_secs(60),
        unauthorized_threshold: 10,
    }
}

/// Records checkpoint saves.
#[derive(Default)]
struct Saved(Vec<(Resource, Checkpoint)>);

impl CheckpointSink for Saved {
    fn save(&mut self, resource: Resource, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.0.push((resource, checkpoint.clone()));
        Ok(())
    }
}

/// Records retry waits.
#[derive(Default)]
struct Waits(Mutex<Vec<Duration>>);

impl Progress for Waits {
    fn retrying(&self, _: Resource, _: u64, _: u32, wait: Duration, _: &str) {
        self.0.lock().expect("not poisoned").push(wait);
    }
}

fn report() -> ReportBuilder {
    ReportBuilder::new(RUN, "2024-05-01T10:00:00Z")
}

#[test]
fn retried_once_after_503_with_woocommerce_headers() {
    let mut server = mockito::Server::new();
    let first = server
        .mock("POST", "/hook")
        .with_status(503)
        .expect(1)
        .create();
    let expected = item("x", 1);
    let header = |name: &str| {
        expected
            .headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .expect("planned header")
    };
    let second = server
        .mock("POST", "/hook")
        .match_header("content-type", "application/json")
        .match_header("user-agent", "WooCommerce/9.8.1 Hookshot (WordPress/6.8)")
        .match_header("x-wc-webhook-topic", "order.updated")
        .match_header("x-wc-webhook-source", "https://shop.example/")
        .match_header(
            "x-wc-webhook-signature",
            header("X-WC-Webhook-Signature").as_str(),
        )
        .match_header(
            "x-wc-webhook-delivery-id",
            header("X-WC-Webhook-Delivery-ID").as_str(),
        )
        .match_header("x-segmentflow-sync", RUN)
        .match_body(r#"{"id":1}"#)
        .with_status(202)
        .expect(1)
        .create();
    let url = format!("{}/hook", server.url());
    let mut report = report();
    let mut saved = Saved::default();
    let summary = deliver(
        vec![item(&url, 1)],
        &fast_config(),
        &mut report,
        &mut saved,
        &NoProgress,
    )
    .expect("delivered");
    first.assert();
    second.assert();
    let report = report.finish(Duration::from_secs(1), None);
    assert_eq!((report.sent, report.retried, report.failed), (1, 1, 0));
    assert_eq!(summary.checkpoints.get(&Resource::Orders), Some(&key(1)));
    assert_eq!(saved.0, vec![(Resource::Orders, key(1))]);
}

#[test]
fn retry_after_is_honoured() {
    let mut server = mockito::Server::new();
    let limited = server
        .mock("POST", "/hook")
        .with_status(429)
        .with_header("retry-after", "1")
        .expect(1)
        .create();
    let ok = server
        .mock("POST", "/hook")
        .with_status(200)
        .expect(1)
        .create();
    let url = format!("{}/hook", server.url());
    let waits = Waits::default();
    let mut report = report();
    let started = Instant::now();
    deliver(
        vec![item(&url, 1)],
        &fast_config(),
        &mut report,
        &mut Saved::default(),
        &waits,
    )
    .expect("delivered");
    let elapsed = started.elapsed();
    limited.assert();
    ok.assert();
    // The policy's own backoff is at most 20 ms: only the header explains a
    // wait of a second.
    assert!(elapsed >= Duration::from_secs(1), "waited only {elapsed:?}");
    assert_eq!(
        *waits.0.lock().expect("not poisoned"),
        vec![Duration::from_secs(1)]
    );
    assert_eq!(report.finish(elapsed, None).retried, 1);
}

#[test]
fn every_delivery_401_stops_early_naming_the_secret() {
    let mut server = mockito::Server::new();
    let refused = server
        .mock("POST", "/hook")
        .with_status(401)
        .expect_at_least(10)
        .expect_at_most(30)
        .create();
    let url = format!("{}/hook", server.url());
    let items: Vec<PreparedItem> = (1..=200).map(|id| item(&url, id)).collect();
    let mut report = report();
    let mut saved = Saved::default();
    let err = deliver(items, &fast_config(), &mut report, &mut saved, &NoProgress)
        .expect_err("must stop");
    refused.assert();
    let message = err.to_string();
    assert!(
        matches!(err, EngineError::WrongSecret { count, .. } if count >= 10),
        "{err:?}"
    );
    assert!(message.contains("webhook secret"), "{message}");
    assert!(message.contains(&server.host_with_port()), "{message}");
    let report = report.finish(Duration::from_secs(1), Some(message));
    assert_eq!(report.sent, 0);
    assert!(
        report.failed >= 10 && report.failed < 200,
        "failed {}",
        report.failed
    );
    assert_eq!(report.retried, 0, "401 is not retried");
    assert!(saved.0.is_empty());
}

#[test]
fn a_short_run_of_only_401s_is_an_error_too() {
    let mut server = mockito::Server::new();
    let _refused = server.mock("POST", "/hook").with_status(401).create();
    let url = format!("{}/hook", server.url());
    let items: Vec<PreparedItem> = (1..=3).map(|id| item(&url, id)).collect();
    let err = deliver(
        items,
        &fast_config(),
        &mut report(),
        &mut Saved::default(),
        &NoProgress,
    )
    .expect_err("all 401");
    assert!(
        matches!(err, EngineError::WrongSecret { count: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn one_401_among_successes_is_a_failed_item() {
    let mut server = mockito::Server::new();
    let _refused = server
        .mock("POST", "/hook/2")
        .with_status(401)
        .expect(1)
        .create();
    let _ok = server.mock("POST", Matcher::Any).with_status(200).create();
    let items: Vec<PreparedItem> = (1..=4)
        .map(|id| item(&format!("{}/hook/{id}", server.url()), id))
        .collect();
    let mut report = report();
    let mut config = fast_config();
    config.workers = 1;
    deliver(
        items,
        &config,
        &mut report,
        &mut Saved::default(),
        &NoProgress,
    )
    .expect("not every delivery was refused");
    let report = report.finish(Duration::from_secs(1), None);
    assert_eq!((report.sent, report.failed), (3, 1));
    assert!(report.resources[0].failures[0].reason.contains("401"));
}

#[test]
fn permanent_failure_in_the_middle_is_recorded_and_blocks_the_checkpoint() {
    let mut server = mockito::Server::new();
    // Mockito picks the first matching mock still short of its expected
    // hits: item 3 gets 400, everything else 200.
    let bad = server
        .mock("POST", "/hook/3")
        .with_status(400)
        .with_body(r#"{"error":"bad payload"}"#)
        .expect(1)
        .create();
    let _ok = server.mock("POST", Matcher::Any).with_status(200).create();
    let items: Vec<PreparedItem> = (1..=12)
        .map(|id| item(&format!("{}/hook/{id}", server.url()), id))
        .collect();
    let mut report = report();
    let mut saved = Saved::default();
    let summary = deliver(items, &fast_config(), &mut report, &mut saved, &NoProgress)
        .expect("a permanent failure does not stop the run");
    bad.assert();
    let report = report.finish(Duration::from_secs(1), None);
    assert_eq!((report.sent, report.failed, report.retried), (11, 1, 0));
    assert!(report.is_partial());
    let failure = &report.resources[0].failures[0];
    assert_eq!((failure.id, failure.reason.as_str()), (3, "HTTP 400"));
    // Saved checkpoints never pass item 2 and never move back.
    assert!(
        saved
            .0
            .iter()
            .all(|(r, c)| *r == Resource::Orders && c.id <= 2),
        "{:?}",
        saved.0
    );
    assert!(saved.0.windows(2).all(|w| w[0].1 < w[1].1), "{:?}", saved.0);
    // …and reach it: items 1 and 2 were acknowledged, whatever the order.
    assert_eq!(saved.0.last(), Some(&(Resource::Orders, key(2))));
    assert_eq!(summary.checkpoints.get(&Resource::Orders), Some(&key(2)));
}

#[test]
fn all_acknowledged_reaches_the_last_item_with_few_saves() {
    let mut server = mockito::Server::new();
    let ok = server
        .mock("POST", "/hook")
        .with_status(201)
        .expect(300)
        .create();
    let url = format!("{}/hook", server.url());
    let items: Vec<PreparedItem> = (1..=300).map(|id| item(&url, id)).collect();
    let mut config = fast_config();
    config.checkpoint_every = 100;
    let mut report = report();
    let mut saved = Saved::default();
    let summary = deliver(items, &config, &mut report, &mut saved, &NoProgress).expect("delivered");
    ok.assert();
    assert_eq!(summary.dispatched, 300);
    assert_eq!(saved.0.last(), Some(&(Resource::Orders, key(300))));
    assert!(saved.0.len() <= 4, "saves are batched: {}", saved.0.len());
    assert_eq!(report.finish(Duration::from_secs(1), None).sent, 300);
}

#[test]
fn connection_refused_is_retried_then_names_the_host() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let url = format!("http://127.0.0.1:{port}/hook");
    let mut report = report();
    let mut config = fast_config();
    config.retry.max_attempts = 3;
    let err = deliver(
        vec![item(&url, 1), item(&url, 2)],
        &config,
        &mut report,
        &mut Saved::default(),
        &NoProgress,
    )
    .expect_err("nobody listens");
    let message = err.to_string();
    assert!(
        matches!(err, EngineError::Unreachable { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    let report = report.finish(Duration::from_secs(1), None);
    assert!(report.retried >= 2);
    assert_eq!(report.sent, 0);
}

#[test]
fn plain_http_off_loopback_is_refused_before_sending() {
    let mut report = report();
    let err = deliver(
        vec![item("http://hooks.example.com/wc", 1)],
        &fast_config(),
        &mut report,
        &mut Saved::default(),
        &NoProgress,
    )
    .expect_err("insecure");
    assert!(matches!(err, EngineError::InsecureUrl(_)), "{err:?}");
    assert!(err.to_string().contains("hooks.example.com"), "{err}");
    assert_eq!(report.finish(Duration::ZERO, None).failed, 0);
}

fn identify_batches(
    n: u64,
    max_events: usize,
) -> Vec<Result<segmentflow_core::sync::IdentifyBatch, segmentflow_core::sync::OversizedEvent>> {
    let mut packer = BatchPacker::new(
        Secret::new("wk_test"),
        BatchLimits {
            max_bytes: 64 * 1024,
            max_events,
        },
    );
    let mut out = Vec::new();
    for id in 1..=n {
        let user = UserIdentity {
            user_id: id,
            email: format!("u{id}@example.com"),
            first_name: None,
            last_name: None,
            display_name: None,
        };
        let event = IdentifyEvent::new(&user, false, "2024-05-01T10:00:00+00:00");
        out.extend(packer.push(key(id), &event).transpose());
    }
    out.extend(packer.finish().map(Ok));
    out
}

#[test]
fn identify_resends_only_retryable_items_once() {
    let mut server = mockito::Server::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let ingest = server
        .mock("POST", "/api/v1/ingest/batch")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Regex("\"writeKey\":\"wk_test\"".to_owned()))
        .with_status(200)
        .with_body_from_request(move |request| {
            let body: serde_json::Value =
                serde_json::from_slice(request.body().expect("body")).expect("JSON");
            let n = body["batch"].as_array().map_or(0, Vec::len);
            let call = seen.fetch_add(1, Ordering::SeqCst);
            let results: Vec<serde_json::Value> = (0..n)
                .map(|index| {
                    // First call: item 1 is retryable. Resend: all accepted.
                    if call == 0 && index == 1 {
                        serde_json::json!({"index": index, "status": "failed", "retryable": true})
                    } else {
                        serde_json::json!({"index": index, "status": "accepted", "retryable": false})
                    }
                })
                .collect();
            serde_json::json!({"success": true, "results": results}).to_string().into_bytes()
        })
        .expect(2)
        .create();
    let target = IngestTarget {
        url: format!("{}/api/v1/ingest/batch", server.url()),
        user_agent: "SegmentflowConnect/2.4.0 WordPress/6.8".to_owned(),
    };
    let mut report = report();
    let mut saved = Saved::default();
    let summary = send_identify(
        identify_batches(3, 10),
        &target,
        &fast_config(),
        &mut report,
        &mut saved,
        &NoProgress,
    )
    .expect("sent");
    ingest.assert();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let report = report.finish(Duration::from_secs(1), None);
    assert_eq!((report.sent, report.failed, report.retried), (3, 0, 1));
    assert_eq!(summary.checkpoints.get(&Resource::Users), Some(&key(3)));
    assert_eq!(saved.0.last(), Some(&(Resource::Users, key(3))));
}

#[test]
fn identify_with_a_wrong_write_key_stops() {
    let mut server = mockito::Server::new();
    let refused = server
        .mock("POST", "/api/v1/ingest/batch")
        .with_status(401)
        .expect(1)
        .create();
    let target = IngestTarget {
        url: format!("{}/api/v1/ingest/batch", server.url()),
        user_agent: "SegmentflowConnect/2.4.0 WordPress/6.8".to_owned(),
    };
    let mut report = report();
    let err = send_identify(
        identify_batches(5, 2),
        &target,
        &fast_config(),
        &mut report,
        &mut Saved::default(),
        &NoProgress,
    )
    .expect_err("write key refused");
    refused.assert();
    assert!(
        matches!(err, EngineError::WriteKeyRejected { code: 401, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("write key"));
    assert_eq!(report.finish(Duration::ZERO, None).failed, 2);
}

#[test]
fn identify_oversized_user_is_failed_in_its_place() {
    let mut server = mockito::Server::new();
    let ingest = server
        .mock("POST", "/api/v1/ingest/batch")
        .with_status(200)
        .with_body(r#"{"success":true}"#)
        .expect(2)
        .create();
    let target = IngestTarget {
        url: format!("{}/api/v1/ingest/batch", server.url()),
        user_agent: "SegmentflowConnect/2.4.0 WordPress/6.8".to_owned(),
    };
    let mut batches = identify_batches(2, 10);
    batches.push(Err(segmentflow_core::sync::OversizedEvent {
        user_id: "wp_3".to_owned(),
        checkpoint: key(3),
        body_bytes: 70_000,
        max_bytes: 65_536,
    }));
    let mut later = identify_batches(5, 10);
    if let Some(Ok(batch)) = later.pop() {
        // Users 4 and 5 only.
        batches.push(Ok(batch.subset(&[3, 4])));
    }
    let mut report = report();
    let mut saved = Saved::default();
    let summary = send_identify(
        batches,
        &target,
        &fast_config(),
        &mut report,
        &mut saved,
        &NoProgress,
    )
    .expect("an oversized user does not stop the run");
    ingest.assert();
    let report = report.finish(Duration::from_secs(1), None);
    assert_eq!((report.sent, report.failed), (4, 1));
    assert_eq!(report.resources[0].failures[0].id, 3);
    assert!(
        report.resources[0].failures[0]
            .reason
            .contains("65536-byte cap")
    );
    // The checkpoint stops before user 3.
    assert_eq!(summary.checkpoints.get(&Resource::Users), Some(&key(2)));
    assert_eq!(saved.0, vec![(Resource::Users, key(2))]);
}

#[test]
fn items_out_of_order_stop_the_run() {
    let mut server = mockito::Server::new();
    let _ok = server.mock("POST", "/hook").with_status(200).create();
    let url = format!("{}/hook", server.url());
    let items = vec![item(&url, 1), item(&url, 5), item(&url, 3), item(&url, 6)];
    let mut config = fast_config();
    config.workers = 1;
    let mut report = report();
    let mut saved = Saved::default();
    let err = deliver(items, &config, &mut report, &mut saved, &NoProgress)
        .expect_err("a reader bug must not move the checkpoint past item 3");
    assert!(
        matches!(
            err,
            EngineError::OutOfOrder {
                resource: Resource::Orders,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(saved.0.iter().all(|(_, c)| c.id <= 5));
    assert!(report.finish(Duration::ZERO, None).sent <= 2);
}

/// How the test server answers one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// This status, empty body.
    Status(u16),
    /// This status with a `Retry-After`.
    RetryAfter(u16, &'static str),
    /// Close the connection without answering.
    Drop,
}

type Answerer = dyn Fn(usize, &str) -> Answer + Send + Sync;

/// A tiny HTTP/1.1 server on loopback that keeps connections open, answers
/// each request as told (by request number and `X-WC-Webhook-Delivery-ID`),
/// and records connections, requests and what each delivery id got. It
/// stops when dropped, or after 30 s.
struct CountingServer {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<(String, Answer)>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl CountingServer {
    fn start() -> CountingServer {
        CountingServer::start_with(|_, _| Answer::Status(200))
    }

    fn start_with(
        answer: impl Fn(usize, &str) -> Answer + Send + Sync + 'static,
    ) -> CountingServer {
        use std::io::{BufRead, BufReader, Read, Write};
        let answer: Arc<Answerer> = Arc::new(answer);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (c, r, log, halt) = (
            Arc::clone(&connections),
            Arc::clone(&requests),
            Arc::clone(&received),
            Arc::clone(&stop),
        );
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(30);
            while !halt.load(Ordering::Relaxed) && Instant::now() < deadline {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                };
                c.fetch_add(1, Ordering::SeqCst);
                let (r, log, answer) = (Arc::clone(&r), Arc::clone(&log), Arc::clone(&answer));
                std::thread::spawn(move || {
                    stream.set_nonblocking(false).expect("blocking");
                    stream
                        .set_read_timeout(Some(Duration::from_secs(5)))
                        .expect("timeout");
                    let mut writer = stream.try_clone().expect("clone");
                    let mut reader = BufReader::new(stream);
                    loop {
                        let mut length = 0usize;
                        let mut delivery_id = String::new();
                        let mut line = String::new();
                        // Request line and headers.
                        loop {
                            line.clear();
                            match reader.read_line(&mut line) {
                                Ok(0) | Err(_) => return,
                                Ok(_) => {}
                            }
                            if line == "\r\n" {
                                break;
                            }
                            if let Some((name, value)) = line.split_once(':') {
                                if name.eq_ignore_ascii_case("content-length") {
                                    length = value.trim().parse().unwrap_or(0);
                                } else if name.eq_ignore_ascii_case("x-wc-webhook-delivery-id") {
                                    delivery_id = value.trim().to_owned();
                                }
                            }
                        }
                        let mut body = vec![0u8; length];
                        if reader.read_exact(&mut body).is_err() {
                            return;
                        }
                        let n = r.fetch_add(1, Ordering::SeqCst);
                        let reply = answer(n, &delivery_id);
                        log.lock().expect("not poisoned").push((delivery_id, reply));
                        let head = match reply {
                            Answer::Drop => return,
                            Answer::Status(code) => {
                                format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\n\r\n")
                            }
                            Answer::RetryAfter(code, after) => format!(
                                "HTTP/1.1 {code} X\r\nRetry-After: {after}\r\nContent-Length: 0\r\n\r\n"
                            ),
                        };
                        if writer.write_all(head.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        CountingServer {
            port,
            connections,
            requests,
            received,
            stop,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// How many times each delivery id was answered 2xx.
    fn accepted(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for (id, answer) in self.received.lock().expect("not poisoned").iter() {
            if matches!(answer, Answer::Status(200..=299)) {
                *counts.entry(id.clone()).or_insert(0) += 1;
            }
        }
        counts
    }
}

impl Drop for CountingServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[test]
fn connections_are_kept_alive_and_bounded_by_the_workers() {
    let server = CountingServer::start();
    let url = format!("http://127.0.0.1:{}/hook", server.port);
    let items: Vec<PreparedItem> = (1..=400).map(|id| item(&url, id)).collect();
    let mut config = fast_config();
    config.workers = 3;
    config.checkpoint_every = 1000;
    let mut report = report();
    let mut saved = Saved::default();
    let started = Instant::now();
    let summary = deliver(items, &config, &mut report, &mut saved, &NoProgress).expect("delivered");
    let elapsed = started.elapsed();
    assert_eq!(server.requests.load(Ordering::SeqCst), 400);
    let connections = server.connections.load(Ordering::SeqCst);
    assert!(connections <= 3, "{connections} connections for 3 workers");
    assert_eq!(summary.checkpoints.get(&Resource::Orders), Some(&key(400)));
    assert_eq!(saved.0, vec![(Resource::Orders, key(400))]);
    let report = report.finish(elapsed, None);
    assert_eq!(report.sent, 400);
    assert!(report.throughput_per_sec > 0.0);
}

#[test]
fn a_silent_server_times_out_is_retried_and_recorded() {
    // Connections complete through the listen backlog; nobody ever answers.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let mut config = fast_config();
    config.timeout = Duration::from_millis(200);
    config.retry.max_attempts = 2;
    let mut report = report();
    let summary = deliver(
        vec![item(&url, 1)],
        &config,
        &mut report,
        &mut Saved::default(),
        &NoProgress,
    )
    .expect("a timeout fails the item, not the run");
    drop(listener);
    assert!(summary.checkpoints.is_empty());
    let report = report.finish(Duration::from_secs(1), None);
    assert_eq!((report.sent, report.failed, report.retried), (0, 1, 1));
    let reason = &report.resources[0].failures[0].reason;
    assert!(
        reason.starts_with("gave up after 2 attempts: no answer from 127.0.0.1:"),
        "{reason}"
    );
}

#[test]
fn a_tls_failure_stops_the_run_without_retries() {
    use std::io::Write;
    // A plain-HTTP server behind an https:// URL: the TLS handshake fails.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let server = std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let url = format!("https://127.0.0.1:{port}/hook");
    let mut report = report();
    let err = deliver(
        vec![item(&url, 1)],
        &fast_config(),
        &mut report,
        &mut Saved::default(),
        &NoProgress,
    )
    .expect_err("TLS cannot work");
    server.join().expect("server thread");
    assert!(matches!(err, EngineError::Fatal(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("TLS with 127.0.0.1:{port}")),
        "{err}"
    );
    let report = report.finish(Duration::ZERO, None);
    assert_eq!((report.failed, report.retried), (1, 0));
}

fn delivery_id_of(item: &PreparedItem) -> String {
    item.headers
        .iter()
        .find(|(name, _)| *name == "X-WC-Webhook-Delivery-ID")
        .map(|(_, value)| value.clone())
        .expect("planned header")
}

#[test]
fn faults_lose_nothing_and_double_nothing() {
    // Each delivery gets 0, 1 or 2 faults before it is accepted (by its
    // id), cycling through 503, 429 with Retry-After: 0, and a connection
    // dropped without an answer.
    let attempts = Mutex::new(std::collections::HashMap::<String, usize>::new());
    let server = CountingServer::start_with(move |n, id| {
        let mut attempts = attempts.lock().expect("not poisoned");
        let seen = attempts.entry(id.to_owned()).or_insert(0);
        *seen += 1;
        let faults = usize::from(id.as_bytes().first().copied().unwrap_or(0)) % 3;
        if *seen > faults {
            return Answer::Status(200);
        }
        match n % 3 {
            0 => Answer::Status(503),
            1 => Answer::RetryAfter(429, "0"),
            _ => Answer::Drop,
        }
    });
    let url = server.url();
    let items: Vec<PreparedItem> = (1..=300).map(|id| item(&url, id)).collect();
    let ids: Vec<String> = items.iter().map(delivery_id_of).collect();
    let mut config = fast_config();
    config.retry.max_attempts = 6;
    let mut report = report();
    let mut saved = Saved::default();
    let summary = deliver(items, &config, &mut report, &mut saved, &NoProgress).expect("delivered");
    let report = report.finish(Duration::from_secs(1), None);
    let accepted = server.accepted();
    for id in &ids {
        let log: Vec<Answer> = server
            .received
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|(got, _)| got == id)
            .map(|(_, answer)| *answer)
            .collect();
        assert_eq!(
            accepted.get(id),
            Some(&1),
            "delivery {id}: {log:?} {:?}",
            report.resources
        );
    }
    assert_eq!(accepted.len(), 300);
    assert_eq!((report.sent, report.failed), (300, 0));
    assert_eq!(
        report.retried as usize,
        server.requests.load(Ordering::SeqCst) - 300,
        "every extra request is counted as a retry"
    );
    assert!(
        report.retried > 150,
        "about one fault per item: {}",
        report.retried
    );
    assert_eq!(summary.checkpoints.get(&Resource::Orders), Some(&key(300)));
}

#[test]
fn a_resumed_run_resends_from_the_checkpoint_with_the_same_delivery_ids() {
    let failing = delivery_id_of(&item("x", 50));
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let still_broken = Arc::clone(&broken);
    let server = CountingServer::start_with(move |_, id| {
        if id == failing && still_broken.load(Ordering::SeqCst) {
            Answer::Status(422)
        } else {
            Answer::Status(200)
        }
    });
    let url = server.url();
    let store: Vec<PreparedItem> = (1..=120).map(|id| item(&url, id)).collect();
    let mut config = fast_config();
    config.checkpoint_every = 10;

    // First run: item 50 is refused for good; the rest go through.
    let mut first = report();
    let mut saved = Saved::default();
    deliver(store.clone(), &config, &mut first, &mut saved, &NoProgress).expect("run 1");
    let first = first.finish(Duration::from_secs(1), None);
    assert_eq!((first.sent, first.failed), (119, 1));
    let checkpoint = saved.0.last().map(|(_, c)| c.clone()).expect("saved");
    assert_eq!(checkpoint, key(49));

    // Second run: the receiver is fixed; the reader resumes after the
    // stored checkpoint, as its keyset query would.
    broken.store(false, Ordering::SeqCst);
    let resumed: Vec<PreparedItem> = store
        .iter()
        .filter(|item| item.checkpoint > checkpoint)
        .cloned()
        .collect();
    let mut second = report();
    let mut saved_again = Saved::default();
    deliver(resumed, &config, &mut second, &mut saved_again, &NoProgress).expect("run 2");
    let second = second.finish(Duration::from_secs(1), None);
    assert_eq!((second.sent, second.failed), (71, 0));
    assert_eq!(saved_again.0.last(), Some(&(Resource::Orders, key(120))));

    // Nothing lost; the duplicates are exactly the items after the failed
    // one, resent with the delivery ids they had, for the receiver to drop.
    let accepted = server.accepted();
    for (n, item) in store.iter().enumerate() {
        let id = n as u64 + 1;
        let expected = match id {
            1..=49 => 1,
            50 => 1,
            _ => 2,
        };
        assert_eq!(
            accepted.get(&delivery_id_of(item)),
            Some(&expected),
            "item {id}"
        );
    }
}

/// Records the id of the newest saved checkpoint where the server can see it.
struct SharedSaved(Arc<std::sync::atomic::AtomicU64>);

impl CheckpointSink for SharedSaved {
    fn save(&mut self, _: Resource, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.0.fetch_max(checkpoint.id, Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn no_item_is_sent_more_than_the_window_past_the_saved_checkpoint() {
    const W: u64 = 8;
    const N: u64 = 200;
    let store: Vec<PreparedItem> = (1..=N).map(|id| item("x", id)).collect();
    let ids: std::collections::HashMap<String, u64> = store
        .iter()
        .map(|item| (delivery_id_of(item), item.checkpoint.id))
        .collect();
    let saved = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let widest = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (seen_saved, seen_widest) = (Arc::clone(&saved), Arc::clone(&widest));
    // Every 25th item is refused twice with 503, so it holds the checkpoint
    // back while the others go on: the window fills up to W.
    let refusals = Mutex::new(std::collections::HashMap::<u64, u32>::new());
    let server = CountingServer::start_with(move |_, delivery_id| {
        let id = ids[delivery_id];
        let ahead = id.saturating_sub(seen_saved.load(Ordering::SeqCst));
        seen_widest.fetch_max(ahead, Ordering::SeqCst);
        let mut refused = refusals.lock().expect("not poisoned");
        let count = refused.entry(id).or_insert(0);
        if id.is_multiple_of(25) && *count < 2 {
            *count += 1;
            std::thread::sleep(Duration::from_millis(5));
            return Answer::Status(503);
        }
        Answer::Status(200)
    });
    let url = server.url();
    let items: Vec<PreparedItem> = (1..=N).map(|id| item(&url, id)).collect();
    let mut config = fast_config();
    config.max_unsaved = W as usize;
    // Only a half-full window makes the writer save before the end.
    config.checkpoint_every = 10_000;
    let mut report = report();
    let summary = deliver(
        items,
        &config,
        &mut report,
        &mut SharedSaved(Arc::clone(&saved)),
        &NoProgress,
    )
    .expect("delivered");
    assert_eq!(summary.checkpoints.get(&Resource::Orders), Some(&key(N)));
    assert_eq!(saved.load(Ordering::SeqCst), N);
    let widest = widest.load(Ordering::SeqCst);
    assert!(
        widest <= W,
        "an item was sent {widest} items past the saved checkpoint (W = {W})"
    );
    // The retried items did hold the window back to its limit.
    assert_eq!(widest, W, "the window never filled up");
    assert_eq!(report.finish(Duration::from_secs(1), None).sent, N);
}

#[test]
fn the_interval_saves_a_checkpoint_while_the_next_item_is_slow() {
    let store: Vec<PreparedItem> = (1..=2).map(|id| item("x", id)).collect();
    let slow = delivery_id_of(&store[1]);
    let saved = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let seen = Arc::new(std::sync::atomic::AtomicU64::new(u64::MAX));
    let (saved_then, seen_by_server) = (Arc::clone(&saved), Arc::clone(&seen));
    let server = CountingServer::start_with(move |_, delivery_id| {
        if delivery_id == slow {
            // Item 1 was acknowledged; no acknowledgement comes during this
            // wait, so only the interval can make the writer save.
            std::thread::sleep(Duration::from_millis(400));
            seen_by_server.store(saved_then.load(Ordering::SeqCst), Ordering::SeqCst);
        }
        Answer::Status(200)
    });
    let url = server.url();
    let mut config = fast_config();
    config.workers = 1;
    config.checkpoint_every = 10_000;
    config.checkpoint_interval = Duration::from_millis(50);
    let mut report = report();
    deliver(
        (1..=2).map(|id| item(&url, id)),
        &config,
        &mut report,
        &mut SharedSaved(Arc::clone(&saved)),
        &NoProgress,
    )
    .expect("delivered");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "item 1 saved by the interval"
    );
    assert_eq!(saved.load(Ordering::SeqCst), 2);
}
