//! The sandbox over real HTTP on loopback: the connect flow, disconnect,
//! ingest, the WooCommerce delivery receiver (with the three real WooCommerce
//! 9.2.5 deliveries), fault injection, "down" periods, the inspection
//! endpoints, and the example binary's start-up line.
//!
//! Every test starts its own sandbox in-process with `sandbox::start` (port
//! 0) and talks to it with a blocking `ureq` agent, outside any runtime.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use segmentflow_wpcli::sandbox::{self, DownMode, FaultPlan, SandboxConfig, SandboxHandle, Stats};
use serde_json::{Value, json};

const STATUS: &str = "/api/v1/integrations/connect/status";
const START: &str = "/api/v1/integrations/connect/start";
const DISCONNECT: &str = "/api/v1/integrations/connect/disconnect";
const INGEST: &str = "/api/v1/ingest/batch";

/// A running sandbox and a keep-alive client.
struct Env {
    sandbox: SandboxHandle,
    agent: ureq::Agent,
}

/// One HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

fn answer(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Answer, ureq::Error> {
    let mut response = result?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.body_mut().read_to_string()?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

impl Env {
    fn start(config: SandboxConfig) -> Env {
        Env {
            sandbox: sandbox::start(config).expect("sandbox starts"),
            agent: agent(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.sandbox.base_url(), path)
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = self.agent.get(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        answer(req.call()).expect("GET answered")
    }

    fn post_raw(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, ureq::Error> {
        let mut req = self.agent.post(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        answer(req.send(body))
    }

    fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        self.post_raw(&self.url(path), headers, body)
            .expect("POST answered")
    }

    fn poll(&self, token: &str) -> Answer {
        self.get(
            STATUS,
            &[("X-Poll-Token", token), ("Accept", "application/json")],
        )
    }

    fn ingest(&self, body: &Value) -> Answer {
        self.post(
            INGEST,
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }

    fn stats_over_http(&self) -> Stats {
        serde_json::from_str(&self.get("/__sandbox/stats", &[]).body).expect("stats parse")
    }

    /// Sends a signed `<resource>.updated` delivery for `id`.
    fn deliver(
        &self,
        resource: &str,
        id: u64,
        delivery_id: &str,
        extra: &[(&str, &str)],
    ) -> Result<Answer, ureq::Error> {
        let body = format!(
            r#"{{"id":{id},"status":"completed","padding":"{}"}}"#,
            "x".repeat(64)
        );
        self.deliver_body(resource, delivery_id, body.as_bytes(), extra)
    }

    fn deliver_body(
        &self,
        resource: &str,
        delivery_id: &str,
        body: &[u8],
        extra: &[(&str, &str)],
    ) -> Result<Answer, ureq::Error> {
        let signature = self.sandbox.sign(body);
        let topic = format!("{resource}.updated");
        let mut headers = vec![
            ("Content-Type", "application/json"),
            ("X-WC-Webhook-Source", "http://shop.test/"),
            ("X-WC-Webhook-Topic", topic.as_str()),
            ("X-WC-Webhook-Resource", resource),
            ("X-WC-Webhook-Event", "updated"),
            ("X-WC-Webhook-Signature", signature.as_str()),
            ("X-WC-Webhook-ID", "7"),
            ("X-WC-Webhook-Delivery-ID", delivery_id),
        ];
        headers.extend_from_slice(extra);
        let url = self.sandbox.credentials().webhook_delivery_url.clone();
        self.post_raw(&url, &headers, body)
    }
}

fn delivery_id(n: u64) -> String {
    format!("{n:032x}")
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/woocommerce-9.2.5/sample")
}

/// One recorded WooCommerce delivery.
struct Recorded {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn recorded_deliveries() -> (String, Vec<Recorded>) {
    let dir = fixture_dir();
    let secret = std::fs::read_to_string(dir.join("webhook-secret.txt")).expect("secret fixture");
    let secret = secret.strip_suffix('\n').unwrap_or(&secret).to_owned();
    let lines =
        std::fs::read_to_string(dir.join("webhook-deliveries.jsonl")).expect("deliveries fixture");
    let deliveries = lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("fixture line is JSON");
            let headers = v["headers"]
                .as_object()
                .expect("headers")
                .iter()
                // Hop-by-hop and length headers are the client's business.
                .filter(|(k, _)| {
                    !matches!(
                        k.to_ascii_lowercase().as_str(),
                        "host" | "connection" | "content-length" | "accept-encoding"
                    )
                })
                .map(|(k, v)| (k.clone(), v.as_str().expect("header text").to_owned()))
                .collect();
            let body = v["body"].as_str().expect("body").as_bytes().to_vec();
            Recorded { headers, body }
        })
        .collect();
    (secret, deliveries)
}

fn send_recorded(env: &Env, d: &Recorded, body: &[u8]) -> Answer {
    let headers: Vec<(&str, &str)> = d
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let url = env.sandbox.credentials().webhook_delivery_url.clone();
    env.post_raw(&url, &headers, body)
        .expect("delivery answered")
}

// ---- connect flow -----------------------------------------------------------

#[test]
fn connect_flow_pending_then_approved_after_n_polls_then_gone() {
    let env = Env::start(SandboxConfig {
        approve_after: Some(2),
        ..SandboxConfig::default()
    });
    let creds = env.sandbox.credentials().clone();
    for _ in 0..2 {
        let a = env.poll(&creds.poll_token);
        assert_eq!((a.status, a.json()), (200, json!({"connected": false})));
    }
    let approved = env.poll(&creds.poll_token);
    assert_eq!(approved.status, 200);
    let v = approved.json();
    let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "connected",
            "write_key",
            "organization_name",
            "organization_id",
            "webhook_secret",
            "webhook_delivery_url"
        ])
    );
    assert_eq!(v["connected"], json!(true));
    assert_eq!(v["write_key"], json!(creds.write_key));
    assert_eq!(v["webhook_secret"], json!(creds.webhook_secret));
    assert_eq!(v["webhook_delivery_url"], json!(creds.webhook_delivery_url));
    assert_eq!(v["organization_id"], json!(creds.organization_id));
    assert_eq!(v["organization_name"], json!("Sandbox Store"));
    assert!(creds.write_key.starts_with("sk_sandbox_"));
    assert!(creds.webhook_secret.starts_with("whsec_sandbox_"));
    assert_eq!(
        creds.webhook_delivery_url,
        format!(
            "{}/webhooks/woocommerce/{}",
            env.sandbox.base_url(),
            creds.organization_id
        )
    );

    // The core reads this answer as an approval carrying webhook credentials.
    match segmentflow_core::connection::parse_poll_response(200, approved.body.as_bytes()) {
        segmentflow_core::connection::PollOutcome::Approved(c) => {
            assert_eq!(c.write_key.expose(), creds.write_key);
            let webhook = c.webhook.expect("webhook credentials");
            assert_eq!(webhook.delivery_url, creds.webhook_delivery_url);
        }
        other => panic!("core did not see an approval: {other:?}"),
    }

    // The secret is revealed once: the used token is gone.
    let again = env.poll(&creds.poll_token);
    assert_eq!(again.status, 410);
    assert_eq!(again.error(), "poll token already used");
    let unknown = env.poll("pt_sandbox_nope");
    assert_eq!(
        (unknown.status, unknown.error().as_str()),
        (404, "unknown poll token")
    );
    let missing = env.get(STATUS, &[]);
    assert_eq!(missing.status, 400);
    let c = env.sandbox.stats().connect;
    assert_eq!(
        (c.pending, c.approved, c.gone_token, c.unknown_token),
        (2, 1, 1, 2)
    );
}

#[test]
fn approve_endpoint_and_new_tokens() {
    let env = Env::start(SandboxConfig {
        approve_after: None,
        ..SandboxConfig::default()
    });
    let token = env.sandbox.credentials().poll_token.clone();
    for _ in 0..3 {
        assert_eq!(env.poll(&token).json(), json!({"connected": false}));
    }
    let approve = env.post(&format!("/__sandbox/approve?token={token}"), &[], b"");
    assert_eq!(
        (approve.status, approve.json()),
        (200, json!({"approved": true}))
    );
    assert_eq!(env.poll(&token).json()["connected"], json!(true));
    assert_eq!(
        env.post("/__sandbox/approve?token=pt_sandbox_nope", &[], b"")
            .status,
        404
    );
    assert_eq!(
        env.post(&format!("/__sandbox/approve?token={token}"), &[], b"")
            .status,
        410
    );

    // connect/start issues fresh tokens, approvable with a JSON body too.
    let started = env.post(START, &[], b"");
    assert_eq!(started.status, 200);
    let fresh = started.json()["poll_token"].as_str().unwrap().to_owned();
    assert_ne!(fresh, token);
    assert!(fresh.starts_with("pt_sandbox_"));
    assert_eq!(env.poll(&fresh).json(), json!({"connected": false}));
    let body = json!({ "poll_token": fresh }).to_string();
    assert_eq!(
        env.post("/__sandbox/approve", &[], body.as_bytes()).status,
        200
    );
    assert_eq!(env.poll(&fresh).json()["connected"], json!(true));
    assert_eq!(env.sandbox.stats().connect.manual_approvals, 2);
}

#[test]
fn credentials_are_deterministic_from_the_seed() {
    let seeded = |seed| {
        sandbox::start(SandboxConfig {
            seed,
            ..SandboxConfig::default()
        })
        .unwrap()
    };
    let (a, b, c) = (seeded(9), seeded(9), seeded(10));
    let (ca, cb, cc) = (a.credentials(), b.credentials(), c.credentials());
    assert_eq!(
        (
            &ca.write_key,
            &ca.webhook_secret,
            &ca.poll_token,
            &ca.organization_id
        ),
        (
            &cb.write_key,
            &cb.webhook_secret,
            &cb.poll_token,
            &cb.organization_id
        )
    );
    assert_ne!(ca.write_key, cc.write_key);
    assert_ne!(ca.poll_token, cc.poll_token);
    assert_ne!(ca.base_url, cb.base_url, "two sandboxes, two ports");
}

#[test]
fn refuses_a_non_loopback_listen_address() {
    let err = sandbox::start(SandboxConfig {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..SandboxConfig::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains("not a loopback address"), "{err}");
}

// ---- disconnect -------------------------------------------------------------

#[test]
fn disconnect_good_and_bad_keys() {
    let env = Env::start(SandboxConfig {
        approve_after: Some(0),
        ..SandboxConfig::default()
    });
    let key = env.sandbox.credentials().write_key.clone();
    let delete = |headers: &[(&str, &str)]| {
        let mut req = env.agent.delete(env.url(DISCONNECT));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        answer(req.call()).unwrap()
    };
    let bad = delete(&[("X-Write-Key", "sk_sandbox_wrong")]);
    assert_eq!(
        (bad.status, bad.error().as_str()),
        (401, "invalid write key")
    );
    let missing = delete(&[]);
    assert_eq!(
        (missing.status, missing.error().as_str()),
        (401, "missing X-Write-Key header")
    );
    assert!(env.sandbox.stats().connected);

    let ok = delete(&[("X-Write-Key", &key)]);
    assert_eq!((ok.status, ok.json()), (200, json!({"success": true})));
    assert!(!env.sandbox.stats().connected);
    // The revoked key no longer works anywhere.
    assert_eq!(delete(&[("X-Write-Key", &key)]).status, 401);
    let batch = json!({"writeKey": key, "batch": [{"type": "page", "messageId": "m1", "email": "a@b.test"}]});
    let refused = env.ingest(&batch);
    assert_eq!(refused.status, 401);
    assert!(refused.error().contains("disconnected"));
    let delivery = env.deliver("order", 1, &delivery_id(1), &[]).unwrap();
    assert_eq!(delivery.status, 410);

    // Approving a new connect reconnects the organization.
    let token = env.post(START, &[], b"").json()["poll_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(env.poll(&token).json()["connected"], json!(true));
    assert_eq!(env.ingest(&batch).status, 200);
    let d = env.sandbox.stats().disconnect;
    assert_eq!((d.ok, d.unauthorized), (1, 3));
}

// ---- ingest -----------------------------------------------------------------

#[test]
fn ingest_accepts_a_valid_batch_and_dedups_message_ids() {
    let env = Env::start(SandboxConfig::default());
    let key = env.sandbox.credentials().write_key.clone();
    let batch = json!({
        "writeKey": key,
        "batch": [
            {"type": "identify", "messageId": "sfc:v1:identify:aa", "email": "ana@example.test", "userId": "wp_1",
             "traits": {"email": "ana@example.test", "first_name": "Ana"}, "source": "wordpress",
             "timestamp": "2025-01-31T12:00:00+00:00"},
            {"type": "track", "messageId": "sfc:v1:track:bb", "userId": "wp_1", "event": "user_registered", "properties": {}},
            {"type": "page", "messageId": "sfc:v1:page:cc", "email": "ana@example.test", "name": "Home"},
        ],
        "consent": {"analytics": true, "marketing": false},
    });
    let first = env.ingest(&batch);
    assert_eq!(first.status, 200, "{}", first.body);
    let v = first.json();
    assert_eq!(v["success"], json!(true));
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["index"], json!(i));
        assert_eq!(r["messageId"], batch["batch"][i]["messageId"]);
        assert_eq!(r["status"], json!("accepted"));
        assert_eq!(
            (&r["duplicate"], &r["retryable"]),
            (&json!(false), &json!(false))
        );
        assert!(r["eventId"].as_str().unwrap().starts_with("evt_"));
    }
    assert_eq!(
        v["summary"],
        json!({"accepted": 3, "duplicate": 0, "dropped": 0, "rejected": 0, "failed": 0})
    );

    // The same batch again: every item is a duplicate with the same eventId.
    let second = env.ingest(&batch).json();
    for (r, before) in second["results"].as_array().unwrap().iter().zip(results) {
        assert_eq!(r["status"], json!("duplicate"));
        assert_eq!(r["reason"], json!("duplicate_occurrence"));
        assert_eq!(r["duplicate"], json!(true));
        assert_eq!(r["eventId"], before["eventId"]);
    }
    assert_eq!(second["summary"]["duplicate"], json!(3));

    let ids = env.get("/__sandbox/identifies", &[]).json();
    assert_eq!(ids["total"], json!(1));
    assert_eq!(
        ids["items"][0],
        json!({"messageId": "sfc:v1:identify:aa", "userId": "wp_1", "email": "ana@example.test"})
    );
    let s = env.sandbox.stats();
    assert_eq!(
        (s.ingest.accepted, s.ingest.duplicate, s.ingest.batches_ok),
        (3, 3, 2)
    );
    assert_eq!(
        (
            s.ingest.identify,
            s.ingest.track,
            s.ingest.page,
            s.identify_events
        ),
        (1, 1, 1, 1)
    );
}

#[test]
fn ingest_refusals_name_the_problem() {
    let env = Env::start(SandboxConfig::default());
    let key = env.sandbox.credentials().write_key.clone();
    let item = json!({"type": "identify", "messageId": "m", "email": "a@b.test"});

    let bad_key = env.ingest(&json!({"writeKey": "sk_sandbox_nope", "batch": [item]}));
    assert_eq!(
        (bad_key.status, bad_key.error().as_str()),
        (401, "invalid writeKey")
    );
    let no_key = env.ingest(&json!({ "batch": [item] }));
    assert_eq!(
        (no_key.status, no_key.error().as_str()),
        (401, "missing writeKey")
    );

    let not_json = env.post(INGEST, &[], b"{\"writeKey\": ");
    assert_eq!(not_json.status, 400);
    assert!(
        not_json.error().starts_with("body is not JSON"),
        "{}",
        not_json.error()
    );
    let no_message_id = env.ingest(&json!({"writeKey": key, "batch": [item, {"type": "track", "event": "x", "email": "a@b.test"}]}));
    assert_eq!(
        (no_message_id.status, no_message_id.error().as_str()),
        (400, "batch[1].messageId is required")
    );
    let not_array = env.ingest(&json!({"writeKey": key, "batch": "x"}));
    assert_eq!(
        (not_array.status, not_array.error().as_str()),
        (400, "batch must be an array")
    );

    // Per-item problems are rejected results naming the field.
    let mixed = env.ingest(&json!({"writeKey": key, "batch": [
        {"type": "identify", "messageId": "m2", "userId": "wp_2"},
        {"type": "track", "messageId": "m3", "email": "a@b.test", "event": "x", "anonymousId": "0190"},
    ]}));
    assert_eq!(mixed.status, 200);
    let v = mixed.json();
    assert_eq!(v["results"][0]["status"], json!("rejected"));
    assert_eq!(v["results"][0]["reason"], json!("invalid_input"));
    assert_eq!(
        v["results"][0]["detail"],
        json!("batch[0].email is required for identify")
    );
    assert_eq!(
        v["results"][1]["detail"],
        json!("batch[1].anonymousId is not accepted")
    );
    assert_eq!(v["summary"]["rejected"], json!(2));

    // Size limits: 101 events, and a body over 500 KiB.
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"type": "page", "messageId": format!("p{i}"), "email": "a@b.test"}))
        .collect();
    let too_many = env.ingest(&json!({"writeKey": key, "batch": many}));
    assert_eq!(too_many.status, 413);
    assert_eq!(
        too_many.error(),
        "batch has 101 events; at most 100 are accepted"
    );
    let huge = json!({"writeKey": key, "batch": [{"type": "page", "messageId": "big", "email": "a@b.test",
        "properties": {"blob": "x".repeat(600 * 1024)}}]});
    let too_big = env.ingest(&huge);
    assert_eq!(too_big.status, 413);
    assert!(
        too_big.error().contains("exceeds 512000 bytes"),
        "{}",
        too_big.error()
    );

    let s = env.sandbox.stats().ingest;
    assert_eq!(
        (
            s.unauthorized,
            s.bad_request,
            s.too_large,
            s.batches_ok,
            s.rejected
        ),
        (2, 3, 2, 1, 2)
    );
}

// ---- deliveries -------------------------------------------------------------

#[test]
fn real_woocommerce_deliveries_are_accepted_and_deduplicated() {
    let (secret, deliveries) = recorded_deliveries();
    assert_eq!(deliveries.len(), 3);
    let env = Env::start(SandboxConfig {
        webhook_secret: Some(secret),
        ..SandboxConfig::default()
    });
    for d in &deliveries {
        let a = send_recorded(&env, d, &d.body);
        assert_eq!(
            (a.status, a.json()),
            (200, json!({"status": "accepted"})),
            "{:?}",
            d.headers
        );
    }
    // WooCommerce retrying the same deliveries: answered 200, counted once.
    for d in &deliveries {
        let a = send_recorded(&env, d, &d.body);
        assert_eq!((a.status, a.json()), (200, json!({"status": "duplicate"})));
    }
    let s = env.sandbox.stats();
    assert_eq!((s.deliveries.accepted, s.deliveries.duplicate), (3, 3));
    let order = &s.deliveries.resources["order"];
    assert_eq!(
        (
            order.accepted,
            order.unique_ids,
            order.duplicate,
            order.redelivered
        ),
        (1, 1, 1, 0)
    );
    let product = &s.deliveries.resources["product"];
    assert_eq!(
        (product.accepted, product.unique_ids, product.duplicate),
        (2, 2, 2)
    );

    let orders = env.get("/__sandbox/deliveries?resource=order", &[]).json();
    assert_eq!(orders["total"], json!(1));
    assert_eq!(
        orders["items"][0],
        json!({"id": 118, "delivery_id": "856a848fa978d47b7c006c4d9a886312", "topic": "order.updated",
               "body_len": 2849, "sync_run": null, "accepted": 1})
    );
    let products = env.sandbox.deliveries("product").unwrap();
    let ids: Vec<(u64, &str)> = products
        .iter()
        .map(|p| (p.id, p.delivery_id.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            (11, "efca7c8296e336977ff0fc0607254703"),
            (42, "4b30a1cd7e0cbee1fecec31199146772")
        ]
    );
}

#[test]
fn tampered_unsigned_and_incomplete_deliveries_are_refused() {
    let (secret, deliveries) = recorded_deliveries();
    let env = Env::start(SandboxConfig {
        webhook_secret: Some(secret),
        ..SandboxConfig::default()
    });
    let d = &deliveries[0];

    // One byte changed in the body.
    let mut tampered = d.body.clone();
    let pos = tampered
        .iter()
        .position(|b| *b == b'8')
        .expect("a digit to change");
    tampered[pos] = b'9';
    let a = send_recorded(&env, d, &tampered);
    assert_eq!(
        (a.status, a.error().as_str()),
        (401, "X-WC-Webhook-Signature does not match the body")
    );

    // The body re-encoded (PHP's escaped slashes dropped) no longer verifies.
    let reencoded = serde_json::to_vec(&serde_json::from_slice::<Value>(&d.body).unwrap()).unwrap();
    assert_ne!(reencoded, d.body);
    assert_eq!(send_recorded(&env, d, &reencoded).status, 401);

    let with = |name: &str, value: Option<&str>| -> Recorded {
        let mut headers: Vec<(String, String)> = d
            .headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case(name))
            .cloned()
            .collect();
        if let Some(v) = value {
            headers.push((name.to_owned(), v.to_owned()));
        }
        Recorded {
            headers,
            body: d.body.clone(),
        }
    };
    let cases: &[(&str, Option<&str>, u16, &str)] = &[
        (
            "X-WC-Webhook-Signature",
            Some("2J9jPgmQqD7EP/t+VauaHg3x32hXznYhOvl7Wt097JZ="),
            401,
            "does not match",
        ),
        (
            "X-WC-Webhook-Signature",
            None,
            401,
            "missing X-WC-Webhook-Signature header",
        ),
        (
            "X-WC-Webhook-Topic",
            None,
            400,
            "missing X-WC-Webhook-Topic header",
        ),
        (
            "X-WC-Webhook-Resource",
            None,
            400,
            "missing X-WC-Webhook-Resource header",
        ),
        (
            "X-WC-Webhook-Event",
            None,
            400,
            "missing X-WC-Webhook-Event header",
        ),
        (
            "X-WC-Webhook-ID",
            None,
            400,
            "missing X-WC-Webhook-ID header",
        ),
        (
            "X-WC-Webhook-Delivery-ID",
            None,
            400,
            "missing X-WC-Webhook-Delivery-ID header",
        ),
        (
            "X-WC-Webhook-Source",
            None,
            400,
            "missing X-WC-Webhook-Source header",
        ),
    ];
    for (name, value, status, text) in cases {
        let a = send_recorded(&env, &with(name, *value), &d.body);
        assert_eq!(a.status, *status, "{name}: {}", a.body);
        assert!(a.error().contains(text), "{name}: {}", a.error());
    }

    // Another secret: the real signatures do not verify.
    let other = Env::start(SandboxConfig::default());
    assert_eq!(send_recorded(&other, d, &d.body).status, 401);

    let s = env.sandbox.stats().deliveries;
    assert_eq!(
        (
            s.accepted,
            s.bad_signature,
            s.missing_signature,
            s.bad_request
        ),
        (0, 3, 1, 6)
    );
    assert_eq!(env.sandbox.deliveries("order").unwrap().len(), 0);
}

#[test]
fn ping_unknown_org_and_run_ids() {
    let env = Env::start(SandboxConfig::default());
    let url = env.sandbox.credentials().webhook_delivery_url.clone();
    let ping = env
        .post_raw(
            &url,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"webhook_id=12",
        )
        .unwrap();
    assert_eq!(ping.status, 200);
    let not_ping = env.post_raw(&url, &[], b"hello").unwrap();
    assert_eq!(not_ping.status, 401);
    let other_org = env.post(
        "/webhooks/woocommerce/org_someone_else",
        &[],
        b"webhook_id=12",
    );
    assert_eq!(other_org.status, 404);

    let a = env
        .deliver(
            "customer",
            5,
            &delivery_id(1),
            &[("X-Segmentflow-Sync", "run-a")],
        )
        .unwrap();
    assert_eq!(a.status, 200);
    // The same customer again under a new delivery id: the latest is kept.
    let b = env
        .deliver(
            "customer",
            5,
            &delivery_id(2),
            &[("X-Segmentflow-Sync", "run-b")],
        )
        .unwrap();
    assert_eq!(b.json(), json!({"status": "accepted"}));
    let latest = env.sandbox.deliveries("customer").unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(
        (
            latest[0].delivery_id.as_str(),
            latest[0].sync_run.as_deref(),
            latest[0].accepted
        ),
        (delivery_id(2).as_str(), Some("run-b"), 2)
    );
    let s = env.sandbox.stats().deliveries;
    assert_eq!((s.pings, s.unknown_org, s.missing_signature), (1, 1, 1));
    assert_eq!(s.resources["customer"].redelivered, 1);
}

#[test]
fn deliveries_listing_pages() {
    // Also runs the multi-threaded runtime.
    let env = Env::start(SandboxConfig {
        threads: 2,
        ..SandboxConfig::default()
    });
    for id in [5u64, 3, 9, 1, 7] {
        assert_eq!(
            env.deliver("order", id, &delivery_id(id), &[])
                .unwrap()
                .status,
            200
        );
    }
    let page1 = env
        .get("/__sandbox/deliveries?resource=order&limit=2", &[])
        .json();
    assert_eq!(
        (&page1["total"], &page1["next_offset"]),
        (&json!(5), &json!(2))
    );
    let ids = |v: &Value| -> Vec<u64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids(&page1), [1, 3]);
    let page3 = env
        .get("/__sandbox/deliveries?resource=order&offset=4&limit=2", &[])
        .json();
    assert_eq!(
        (ids(&page3), &page3["next_offset"]),
        (vec![9], &Value::Null)
    );
    assert_eq!(
        env.get("/__sandbox/deliveries?resource=refund", &[]).status,
        400
    );
    assert_eq!(env.get("/__sandbox/deliveries", &[]).status, 400);
}

// ---- faults -----------------------------------------------------------------

#[test]
fn every_delivery_fails_with_500_at_probability_one() {
    let env = Env::start(SandboxConfig {
        faults: "500:1.0".parse().unwrap(),
        ..SandboxConfig::default()
    });
    for n in 0..20 {
        let a = env.deliver("order", n, &delivery_id(n), &[]).unwrap();
        assert_eq!(a.status, 500);
        assert_eq!(a.error(), "injected fault 500");
    }
    // The connect flow and /__sandbox are never faulted.
    assert_eq!(
        env.poll(&env.sandbox.credentials().poll_token.clone())
            .status,
        200
    );
    let s = env.stats_over_http();
    assert_eq!(s.faults["500"], 20);
    assert_eq!((s.deliveries.accepted, s.deliveries.faulted), (0, 20));
    assert!(env.sandbox.deliveries("order").unwrap().is_empty());
}

/// Sends `n` distinct deliveries; returns what the client saw per outcome.
fn client_outcomes(env: &Env, n: u64) -> BTreeMap<String, u64> {
    let mut seen = BTreeMap::new();
    for i in 0..n {
        let key = match env.deliver("order", i, &delivery_id(i), &[]) {
            Ok(a) => a.status.to_string(),
            Err(_) => "error".to_owned(),
        };
        *seen.entry(key).or_insert(0) += 1;
    }
    seen
}

#[test]
fn seeded_fault_mix_is_within_bounds_and_reproducible() {
    let faults: FaultPlan = "429:0.025,500:0.025,503:0.025,reset:0.025".parse().unwrap();
    let env = Env::start(SandboxConfig {
        faults,
        seed: 1234,
        ..SandboxConfig::default()
    });
    let first = client_outcomes(&env, 1000);
    let s = env.sandbox.stats();
    // Each kind has expectation 25 of 1000 (sd ≈ 4.9): allow ±15 (3σ).
    for kind in ["429", "500", "503", "reset"] {
        let n = s.faults[kind];
        assert!((10..=40).contains(&n), "{kind}: {n} of 1000");
    }
    assert_eq!(s.faults["502"] + s.faults["slow"] + s.faults["lost"], 0);
    // What the client saw is what the sandbox counted.
    let saw = |k: &str| first.get(k).copied().unwrap_or(0);
    assert_eq!(saw("429"), s.faults["429"]);
    assert_eq!(saw("500"), s.faults["500"]);
    assert_eq!(saw("503"), s.faults["503"]);
    assert_eq!(saw("error"), s.faults["reset"]);
    assert_eq!(saw("200"), s.deliveries.accepted);
    assert_eq!(s.deliveries.accepted + s.deliveries.faulted, 1000);
    assert_eq!(
        s.deliveries.resources["order"].unique_ids,
        s.deliveries.accepted
    );

    // After a reset the same seed draws the same faults in the same order.
    assert_eq!(env.post("/__sandbox/reset", &[], b"").status, 200);
    assert_eq!(env.sandbox.stats().deliveries.accepted, 0);
    let second = client_outcomes(&env, 1000);
    assert_eq!(first, second);
    assert_eq!(env.sandbox.stats().faults, s.faults);
}

#[test]
fn rate_limits_carry_retry_after() {
    let env = Env::start(SandboxConfig {
        faults: "429:1".parse().unwrap(),
        retry_after_secs: 3,
        ..SandboxConfig::default()
    });
    let a = env.deliver("order", 1, &delivery_id(1), &[]).unwrap();
    assert_eq!(a.status, 429);
    assert_eq!(a.headers.get("retry-after").unwrap(), "3");
    let key = env.sandbox.credentials().write_key.clone();
    let i = env.ingest(&json!({"writeKey": key, "batch": [{"type": "page", "messageId": "m", "email": "a@b.test"}]}));
    assert_eq!(i.status, 429);
    assert_eq!(i.headers.get("retry-after").unwrap(), "3");

    let dated = Env::start(SandboxConfig {
        faults: "429:1".parse().unwrap(),
        retry_after_secs: 30,
        retry_after_http_date: true,
        ..SandboxConfig::default()
    });
    let a = dated.deliver("order", 1, &delivery_id(1), &[]).unwrap();
    let header = a.headers.get("retry-after").unwrap().to_str().unwrap();
    let when = httpdate::parse_http_date(header).expect("an HTTP date");
    let ahead = when
        .duration_since(std::time::SystemTime::now())
        .expect("in the future");
    assert!(
        ahead > Duration::from_secs(20) && ahead <= Duration::from_secs(31),
        "{ahead:?}"
    );
}

#[test]
fn reset_drops_the_connection_and_lost_answers_are_deduplicated() {
    let env = Env::start(SandboxConfig {
        faults: "reset:1".parse().unwrap(),
        ..SandboxConfig::default()
    });
    let err = env.deliver("order", 1, &delivery_id(1), &[]).unwrap_err();
    assert!(
        matches!(
            err,
            ureq::Error::Io(_) | ureq::Error::Protocol(_) | ureq::Error::ConnectionFailed
        ),
        "{err:?}"
    );
    let s = env.sandbox.stats();
    assert_eq!((s.faults["reset"], s.deliveries.accepted), (1, 0));

    // `lost`: processed, then the connection drops; the client's retry is a
    // duplicate, so the entity is accepted exactly once.
    let env = Env::start(SandboxConfig {
        faults: "lost:1".parse().unwrap(),
        ..SandboxConfig::default()
    });
    assert!(env.deliver("order", 1, &delivery_id(1), &[]).is_err());
    assert!(env.deliver("order", 1, &delivery_id(1), &[]).is_err());
    let s = env.sandbox.stats();
    assert_eq!(
        (
            s.deliveries.accepted,
            s.deliveries.duplicate,
            s.faults["lost"]
        ),
        (1, 1, 2)
    );
}

#[test]
fn slow_answers_come_late() {
    let env = Env::start(SandboxConfig {
        faults: "slow:1".parse().unwrap(),
        slow: Duration::from_millis(300),
        ..SandboxConfig::default()
    });
    let started = Instant::now();
    let a = env.deliver("order", 1, &delivery_id(1), &[]).unwrap();
    assert_eq!(a.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    // The inspection endpoints are never slowed.
    let started = Instant::now();
    env.get("/__sandbox/stats", &[]);
    assert!(started.elapsed() < Duration::from_millis(300));
    assert_eq!(env.sandbox.stats().faults["slow"], 1);
}

#[test]
fn down_for_a_while_answers_503_then_recovers() {
    let env = Env::start(SandboxConfig {
        down_for: Some(Duration::from_millis(400)),
        ..SandboxConfig::default()
    });
    let a = env.deliver("order", 1, &delivery_id(1), &[]).unwrap();
    assert_eq!(a.status, 503);
    assert_eq!(a.headers.get("retry-after").unwrap(), "1");
    assert_eq!(env.get("/__sandbox/stats", &[]).status, 200);
    std::thread::sleep(Duration::from_millis(450));
    assert_eq!(
        env.deliver("order", 1, &delivery_id(1), &[])
            .unwrap()
            .status,
        200
    );

    // Down again through the endpoint, then up again with ms=0.
    assert_eq!(env.post("/__sandbox/down?ms=60000", &[], b"").status, 200);
    assert_eq!(
        env.deliver("order", 2, &delivery_id(2), &[])
            .unwrap()
            .status,
        503
    );
    assert_eq!(env.post("/__sandbox/down?ms=0", &[], b"").status, 200);
    assert_eq!(
        env.deliver("order", 2, &delivery_id(2), &[])
            .unwrap()
            .status,
        200
    );
    let s = env.sandbox.stats();
    assert_eq!((s.faults["down"], s.deliveries.accepted), (2, 2));
}

#[test]
fn down_in_refuse_mode_refuses_connections() {
    let env = Env::start(SandboxConfig::default());
    assert_eq!(
        env.deliver("order", 1, &delivery_id(1), &[])
            .unwrap()
            .status,
        200
    );
    env.sandbox
        .set_down(Duration::from_millis(500), DownMode::Refuse);
    // The kept-alive connection is dropped on its next sync request...
    assert!(env.deliver("order", 2, &delivery_id(2), &[]).is_err());
    // ...and new connections are refused.
    std::thread::sleep(Duration::from_millis(50));
    let refused = std::net::TcpStream::connect(env.sandbox.local_addr());
    assert!(refused.is_err(), "connect succeeded while down");
    std::thread::sleep(Duration::from_millis(550));
    let fresh = agent();
    let url = env.url("/__sandbox/stats");
    let mut up = None;
    for _ in 0..20 {
        if let Ok(a) = answer(fresh.get(&url).call()) {
            up = Some(a);
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(up.expect("listening again").status, 200);
    assert_eq!(
        env.deliver("order", 2, &delivery_id(2), &[])
            .unwrap()
            .status,
        200
    );
    assert_eq!(env.sandbox.stats().deliveries.accepted, 2);
}

// ---- stats and the example binary -------------------------------------------

#[test]
fn stats_endpoint_matches_the_handle_and_adds_up() {
    let env = Env::start(SandboxConfig {
        faults: "503:0.2".parse().unwrap(),
        seed: 5,
        ..SandboxConfig::default()
    });
    let first = client_outcomes(&env, 200);
    // Send the first 50 again: each is a duplicate if it landed before,
    // accepted if it was faulted before — unless faulted again now.
    let again = client_outcomes(&env, 50);
    let key = env.sandbox.credentials().write_key.clone();
    let _ = env.ingest(&json!({"writeKey": key, "batch": [{"type": "identify", "messageId": "m", "email": "a@b.test"}]}));
    let over_http = env.stats_over_http();
    // Both snapshots count the stats request itself.
    assert_eq!(over_http, env.sandbox.stats());
    let d = &over_http.deliveries;
    assert_eq!(d.requests, 250);
    assert_eq!(d.accepted + d.duplicate + d.faulted, d.requests);
    assert_eq!(
        d.faulted,
        first.get("503").copied().unwrap_or(0) + again.get("503").copied().unwrap_or(0)
    );
    assert_eq!(d.resources["order"].unique_ids, d.accepted);
    assert_eq!(d.resources["order"].redelivered, 0);
    assert_eq!(
        over_http.faults["503"],
        d.faulted + over_http.ingest.faulted
    );
    assert_eq!(over_http.requests, 250 + 1 + 1);
}

#[test]
fn the_example_prints_one_json_line_and_stops_on_sigterm() {
    // `cargo test` builds the examples next to the test binaries.
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("examples").join("sandbox"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "the sandbox example was not built next to {}",
                exe.display()
            )
        });
    let mut child = std::process::Command::new(&path)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "3",
            "--approve-after",
            "0",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("example runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line).expect("a JSON line");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "base_url",
            "api_host",
            "poll_token",
            "write_key",
            "webhook_secret",
            "webhook_delivery_url",
            "organization_id",
            "organization_name"
        ]
    );
    let seeded = sandbox::start(SandboxConfig {
        seed: 3,
        ..SandboxConfig::default()
    })
    .unwrap();
    assert_eq!(v["write_key"], json!(seeded.credentials().write_key));
    assert_eq!(v["poll_token"], json!(seeded.credentials().poll_token));
    let base = v["base_url"].as_str().unwrap();
    let token = v["poll_token"].as_str().unwrap();
    let a = answer(
        agent()
            .get(format!("{base}{STATUS}"))
            .header("X-Poll-Token", token)
            .call(),
    )
    .unwrap();
    assert_eq!(a.json()["connected"], json!(true));

    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("sandbox: final stats {\"requests\":1,"),
        "{stderr}"
    );
}
