//! Backfilling WordPress users as `identify` events through the ingest
//! endpoint (`POST {api_host}/api/v1/ingest/batch`).
//!
//! Each user becomes one event:
//!
//! ```json
//! {"type":"identify","userId":"wc_42","email":"ana@example.com",
//!  "traits":{"email":"ana@example.com","first_name":"Ana","last_name":"Silva","name":"Ana Silva"},
//!  "timestamp":"2024-05-01T13:45:00+00:00",
//!  "messageId":"sfc:v1:identify:<64 hex>","source":"woocommerce"}
//! ```
//!
//! * `userId` is the WordPress user id with the plugin's prefix: `wc_` when
//!   WooCommerce is active, `wp_` otherwise; `source` follows the same switch
//!   (`woocommerce` / `wordpress`).
//! * `email` is repeated at the top level because the planned ingest contract
//!   requires it there for `identify`; the plugin's current events carry it in
//!   `traits` only, and receivers ignore fields they do not know.
//! * Empty or blank names are left out, as the plugin leaves them out.
//! * `messageId` follows the planned contract, `sfc:v1:identify:<sha256>`,
//!   where the hash input is the JSON array `[userId, email, first_name,
//!   last_name, name]` (`null` for absent names). It depends on what the event
//!   says and nothing else — not the timestamp, the run or the machine — so a
//!   resent identity is the same message and a changed one is a new message.
//!
//! Events are packed into bodies `{"writeKey":…,"batch":[…]}` by
//! [`BatchPacker`] under a byte cap and an event-count cap. The ingest
//! response's per-item results (planned contract) are read by
//! [`item_verdicts`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::Checkpoint;
use super::delivery::lower_hex;
use crate::options::Secret;

/// The ingest endpoint's path under the API host.
pub const INGEST_PATH: &str = "/api/v1/ingest/batch";

/// A WordPress user as the identify backfill needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserIdentity {
    /// The WordPress user id (`wp_users.ID`).
    pub user_id: u64,
    /// `user_email`.
    pub email: String,
    /// `first_name` user meta.
    pub first_name: Option<String>,
    /// `last_name` user meta.
    pub last_name: Option<String>,
    /// `display_name`.
    pub display_name: Option<String>,
}

/// The traits of an identify event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traits {
    /// The user's email.
    pub email: String,
    /// Given name, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_name: Option<String>,
    /// Family name, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_name: Option<String>,
    /// Display name, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
}

/// One `identify` event, serialized in the ingest wire format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifyEvent {
    /// Always `identify`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `wp_<id>` or `wc_<id>`.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The email, at the top level as the planned contract requires.
    pub email: String,
    /// The user's traits.
    pub traits: Traits,
    /// ISO 8601 with offset (`2024-05-01T13:45:00+00:00`).
    pub timestamp: String,
    /// Retry-stable message id (see the module doc).
    #[serde(rename = "messageId")]
    pub message_id: String,
    /// `wordpress` or `woocommerce`.
    pub source: String,
}

fn clean(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl IdentifyEvent {
    /// The event for `user`; `woocommerce` says whether WooCommerce is active
    /// (prefix and source), `timestamp` is the ISO 8601 time the caller
    /// chose (the run's start, typically).
    pub fn new(
        user: &UserIdentity,
        woocommerce: bool,
        timestamp: impl Into<String>,
    ) -> IdentifyEvent {
        let (prefix, source) = if woocommerce {
            ("wc_", "woocommerce")
        } else {
            ("wp_", "wordpress")
        };
        let user_id = format!("{prefix}{}", user.user_id);
        let email = user.email.trim().to_owned();
        let traits = Traits {
            email: email.clone(),
            first_name: clean(&user.first_name),
            last_name: clean(&user.last_name),
            name: clean(&user.display_name),
        };
        let message_id = identify_message_id(&user_id, &traits);
        IdentifyEvent {
            kind: "identify".to_owned(),
            user_id,
            email,
            traits,
            timestamp: timestamp.into(),
            message_id,
            source: source.to_owned(),
        }
    }
}

/// `sfc:v1:identify:<sha256 hex>` of `[userId, email, first_name, last_name, name]`.
fn identify_message_id(user_id: &str, traits: &Traits) -> String {
    let input = serde_json::json!([
        user_id,
        traits.email,
        traits.first_name,
        traits.last_name,
        traits.name
    ]);
    let digest = Sha256::digest(input.to_string().as_bytes());
    format!("sfc:v1:identify:{}", lower_hex(&digest))
}

/// Caps on one ingest body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Largest body in bytes.
    pub max_bytes: usize,
    /// Most events in one body (at least 1).
    pub max_events: usize,
}

impl Default for BatchLimits {
    /// 500 KB and 100 events.
    fn default() -> BatchLimits {
        BatchLimits {
            max_bytes: 500 * 1024,
            max_events: 100,
        }
    }
}

/// An event that does not fit in a body on its own.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "identify event for {user_id} needs a {body_bytes}-byte body, over the {max_bytes}-byte cap"
)]
pub struct OversizedEvent {
    /// The event's `userId`.
    pub user_id: String,
    /// The checkpoint of the user it came from.
    pub checkpoint: Checkpoint,
    /// Size of a body holding only this event.
    pub body_bytes: usize,
    /// The cap.
    pub max_bytes: usize,
}

/// One event of a batch, kept serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    /// The user's read-order key.
    pub checkpoint: Checkpoint,
    /// The event's `messageId`.
    pub message_id: String,
    /// The event as JSON.
    pub json: String,
}

/// A batch of identify events ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifyBatch {
    write_key: Secret,
    /// The events, in read order.
    pub items: Vec<BatchItem>,
}

impl IdentifyBatch {
    /// The request body `{"writeKey":…,"batch":[…]}`.
    pub fn body(&self) -> Vec<u8> {
        let (prefix, suffix) = envelope(&self.write_key);
        let mut out = Vec::with_capacity(self.body_len_hint(&prefix, suffix));
        out.extend_from_slice(prefix.as_bytes());
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(item.json.as_bytes());
        }
        out.extend_from_slice(suffix.as_bytes());
        out
    }

    fn body_len_hint(&self, prefix: &str, suffix: &str) -> usize {
        prefix.len() + suffix.len() + self.items.iter().map(|i| i.json.len() + 1).sum::<usize>()
    }

    /// The batch of only the items at `indices` (out-of-range indices are
    /// ignored; order and duplicates follow the batch, not `indices`): what
    /// is resent after a response marks some items retryable.
    pub fn subset(&self, indices: &[usize]) -> IdentifyBatch {
        let items = self
            .items
            .iter()
            .enumerate()
            .filter(|(i, _)| indices.contains(i))
            .map(|(_, item)| item.clone())
            .collect();
        IdentifyBatch {
            write_key: self.write_key.clone(),
            items,
        }
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the batch has no events.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// `{"writeKey":"…","batch":[` and `]}`.
fn envelope(write_key: &Secret) -> (String, &'static str) {
    let key = serde_json::Value::String(write_key.expose().to_owned()).to_string();
    (format!("{{\"writeKey\":{key},\"batch\":["), "]}")
}

/// Packs events into batches as they come, so memory holds one batch.
#[derive(Debug)]
pub struct BatchPacker {
    write_key: Secret,
    limits: BatchLimits,
    envelope_bytes: usize,
    current: Vec<BatchItem>,
    current_bytes: usize,
}

impl BatchPacker {
    /// A packer for bodies carrying `write_key`, under `limits`.
    pub fn new(write_key: Secret, limits: BatchLimits) -> BatchPacker {
        let (prefix, suffix) = envelope(&write_key);
        let envelope_bytes = prefix.len() + suffix.len();
        BatchPacker {
            write_key,
            limits: BatchLimits {
                max_bytes: limits.max_bytes,
                max_events: limits.max_events.max(1),
            },
            envelope_bytes,
            current: Vec::new(),
            current_bytes: envelope_bytes,
        }
    }

    /// Adds an event. Returns the batch that was full before it, if any; an
    /// event too big for a body of its own is refused (and nothing is
    /// emitted).
    pub fn push(
        &mut self,
        checkpoint: Checkpoint,
        event: &IdentifyEvent,
    ) -> Result<Option<IdentifyBatch>, OversizedEvent> {
        let json = serde_json::to_string(event).expect("an identify event always serializes");
        let alone = self.envelope_bytes + json.len();
        if alone > self.limits.max_bytes {
            return Err(OversizedEvent {
                user_id: event.user_id.clone(),
                checkpoint,
                body_bytes: alone,
                max_bytes: self.limits.max_bytes,
            });
        }
        let separator = usize::from(!self.current.is_empty());
        let fits = self.current.len() < self.limits.max_events
            && self.current_bytes + separator + json.len() <= self.limits.max_bytes;
        let emitted = if fits { None } else { self.take() };
        let separator = usize::from(!self.current.is_empty());
        self.current_bytes += separator + json.len();
        self.current.push(BatchItem {
            checkpoint,
            message_id: event.message_id.clone(),
            json,
        });
        Ok(emitted)
    }

    /// The last, partly filled batch, if any.
    pub fn finish(mut self) -> Option<IdentifyBatch> {
        self.take()
    }

    fn take(&mut self) -> Option<IdentifyBatch> {
        if self.current.is_empty() {
            return None;
        }
        self.current_bytes = self.envelope_bytes;
        Some(IdentifyBatch {
            write_key: self.write_key.clone(),
            items: std::mem::take(&mut self.current),
        })
    }
}

/// What the ingest endpoint said about one event of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemVerdict {
    /// Taken (`accepted` or `duplicate`).
    Accepted,
    /// Not taken this time; send again with the same `messageId`.
    Retry,
    /// Not taken, and sending again will not help.
    Rejected(String),
}

#[derive(Debug, Deserialize)]
struct IngestResponse {
    #[serde(default)]
    results: Option<Vec<IngestResult>>,
}

#[derive(Debug, Deserialize)]
struct IngestResult {
    index: Option<usize>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    retryable: Option<bool>,
}

/// The verdict on each of the `batch_len` events of a batch the endpoint
/// answered with a success status and `body`.
///
/// With the planned contract's `results` array: `accepted` and `duplicate`
/// are taken; an item marked `retryable: true` is retried; `dropped`,
/// `rejected` and `failed` items that are not retryable are rejected with
/// their status and reason. An event with no result, and every event of a
/// body without `results` (the current endpoint), counts as accepted: the
/// success status covered the whole batch.
pub fn item_verdicts(batch_len: usize, body: &[u8]) -> Vec<ItemVerdict> {
    let mut verdicts = vec![ItemVerdict::Accepted; batch_len];
    let Ok(IngestResponse {
        results: Some(results),
    }) = serde_json::from_slice::<IngestResponse>(body)
    else {
        return verdicts;
    };
    for (position, result) in results.into_iter().enumerate() {
        let index = result.index.unwrap_or(position);
        let Some(slot) = verdicts.get_mut(index) else {
            continue;
        };
        let status = result.status.as_deref().unwrap_or("accepted");
        *slot = if result.retryable == Some(true) {
            ItemVerdict::Retry
        } else {
            match status {
                "accepted" | "duplicate" => ItemVerdict::Accepted,
                other => ItemVerdict::Rejected(match &result.reason {
                    Some(reason) => format!("{other}: {reason}"),
                    None => other.to_owned(),
                }),
            }
        };
    }
    verdicts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn user(id: u64) -> UserIdentity {
        UserIdentity {
            user_id: id,
            email: format!("user{id}@example.com"),
            first_name: Some("Ana".to_owned()),
            last_name: Some(" ".to_owned()),
            display_name: None,
        }
    }

    fn key(id: u64) -> Checkpoint {
        Checkpoint::new("2024-05-01 13:45:00", id).expect("valid")
    }

    #[test]
    fn event_shape() {
        let event = IdentifyEvent::new(&user(42), true, "2024-05-01T13:45:00+00:00");
        insta::assert_json_snapshot!(event);
        let wp = IdentifyEvent::new(&user(42), false, "2024-05-01T13:45:00+00:00");
        assert_eq!(wp.user_id, "wp_42");
        assert_eq!(wp.source, "wordpress");
        assert_ne!(wp.message_id, event.message_id);
    }

    #[test]
    fn message_id_depends_on_content_only() {
        let a = IdentifyEvent::new(&user(42), true, "2024-05-01T13:45:00+00:00");
        let b = IdentifyEvent::new(&user(42), true, "2030-01-01T00:00:00+00:00");
        assert_eq!(a.message_id, b.message_id);
        let mut renamed = user(42);
        renamed.first_name = Some("Anna".to_owned());
        let c = IdentifyEvent::new(&renamed, true, "2024-05-01T13:45:00+00:00");
        assert_ne!(a.message_id, c.message_id);
        // A blank name and no name are the same message.
        let mut blank = user(42);
        blank.last_name = None;
        let d = IdentifyEvent::new(&blank, true, "2024-05-01T13:45:00+00:00");
        assert_eq!(a.message_id, d.message_id);
        assert!(a.message_id.starts_with("sfc:v1:identify:"));
        assert_eq!(a.message_id.len(), "sfc:v1:identify:".len() + 64);
    }

    #[test]
    fn small_batches_by_count() {
        let mut packer = BatchPacker::new(
            Secret::new("wk_test"),
            BatchLimits {
                max_bytes: 1 << 20,
                max_events: 2,
            },
        );
        let mut batches = Vec::new();
        for id in 1..=5 {
            let event = IdentifyEvent::new(&user(id), false, "t");
            batches.extend(packer.push(key(id), &event).expect("fits"));
        }
        batches.extend(packer.finish());
        let sizes: Vec<usize> = batches.iter().map(IdentifyBatch::len).collect();
        assert_eq!(sizes, [2, 2, 1]);
        let body: serde_json::Value =
            serde_json::from_slice(&batches[0].body()).expect("valid JSON");
        assert_eq!(body["writeKey"], "wk_test");
        assert_eq!(body["batch"][1]["userId"], "wp_2");
    }

    #[test]
    fn oversized_event_is_refused() {
        let mut packer = BatchPacker::new(
            Secret::new("wk"),
            BatchLimits {
                max_bytes: 100,
                max_events: 10,
            },
        );
        let event = IdentifyEvent::new(&user(1), false, "t");
        let err = packer.push(key(1), &event).expect_err("too big");
        assert_eq!(err.user_id, "wp_1");
        assert!(err.body_bytes > 100);
        assert!(packer.finish().is_none());
    }

    #[test]
    fn subset_keeps_batch_order() {
        let mut packer = BatchPacker::new(Secret::new("wk"), BatchLimits::default());
        for id in 1..=4 {
            let event = IdentifyEvent::new(&user(id), false, "t");
            assert!(packer.push(key(id), &event).expect("fits").is_none());
        }
        let batch = packer.finish().expect("one batch");
        let sub = batch.subset(&[3, 1, 9]);
        let ids: Vec<u64> = sub.items.iter().map(|i| i.checkpoint.id).collect();
        assert_eq!(ids, [2, 4]);
        assert!(
            !format!("{sub:?}").contains("\"wk\""),
            "write key is masked in Debug"
        );
    }

    #[test]
    fn verdicts_table() {
        let cases: &[(&str, usize, Vec<ItemVerdict>)] = &[
            ("", 2, vec![ItemVerdict::Accepted, ItemVerdict::Accepted]),
            (r#"{"success":true}"#, 1, vec![ItemVerdict::Accepted]),
            (
                r#"{"results":[{"index":0,"status":"accepted"},{"index":1,"status":"failed","retryable":true},{"index":2,"status":"rejected","reason":"email required","retryable":false},{"index":3,"status":"duplicate","duplicate":true},{"index":9,"status":"failed","retryable":true}]}"#,
                5,
                vec![
                    ItemVerdict::Accepted,
                    ItemVerdict::Retry,
                    ItemVerdict::Rejected("rejected: email required".to_owned()),
                    ItemVerdict::Accepted,
                    ItemVerdict::Accepted,
                ],
            ),
            (
                r#"{"results":[{"status":"dropped"}]}"#,
                1,
                vec![ItemVerdict::Rejected("dropped".to_owned())],
            ),
            ("not json", 1, vec![ItemVerdict::Accepted]),
        ];
        for (body, len, expected) in cases {
            assert_eq!(&item_verdicts(*len, body.as_bytes()), expected, "{body}");
        }
    }

    fn arb_user() -> impl Strategy<Value = UserIdentity> {
        (
            1u64..1_000_000,
            "[a-z]{1,40}@[a-z]{1,20}\\.com",
            proptest::option::of("\\PC{0,60}"),
            proptest::option::of("\\PC{0,60}"),
            proptest::option::of("\\PC{0,80}"),
        )
            .prop_map(|(user_id, email, first_name, last_name, display_name)| {
                UserIdentity {
                    user_id,
                    email,
                    first_name,
                    last_name,
                    display_name,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn every_event_once_and_no_body_over_the_cap(
            users in proptest::collection::vec(arb_user(), 0..120),
            max_bytes in 200usize..4000,
            max_events in 1usize..30,
        ) {
            let limits = BatchLimits { max_bytes, max_events };
            let mut packer = BatchPacker::new(Secret::new("wk_\"quoted\"\u{e9}"), limits);
            let mut batches = Vec::new();
            let mut refused = Vec::new();
            for (seq, u) in users.iter().enumerate() {
                let event = IdentifyEvent::new(u, true, "2024-05-01T13:45:00+00:00");
                match packer.push(key(seq as u64), &event) {
                    Ok(b) => batches.extend(b),
                    Err(e) => {
                        prop_assert!(e.body_bytes > max_bytes);
                        refused.push(seq as u64);
                    }
                }
            }
            batches.extend(packer.finish());
            let mut seen = Vec::new();
            for batch in &batches {
                let body = batch.body();
                prop_assert!(body.len() <= max_bytes, "body of {} bytes", body.len());
                prop_assert!(!batch.is_empty() && batch.len() <= max_events);
                let parsed: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
                let events = parsed["batch"].as_array().expect("batch array");
                prop_assert_eq!(events.len(), batch.len());
                for (item, event) in batch.items.iter().zip(events) {
                    prop_assert_eq!(event["messageId"].as_str(), Some(item.message_id.as_str()));
                    seen.push(item.checkpoint.id);
                }
            }
            seen.extend(refused);
            seen.sort_unstable();
            let expected: Vec<u64> = (0..users.len() as u64).collect();
            prop_assert_eq!(seen, expected);
        }
    }
}
