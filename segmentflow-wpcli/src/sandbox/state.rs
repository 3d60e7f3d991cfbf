//! What the sandbox remembers between requests, behind one mutex: the
//! organization's connection, the poll tokens, the dedup sets (16-byte ids),
//! the latest accepted delivery per (resource, id), the accepted `identify`
//! events, and the counters behind `/__sandbox/stats`.
//!
//! It stores only what the tests need to prove "nothing lost, nothing
//! doubled" — never request bodies — so a million deliveries cost tens of
//! megabytes, not gigabytes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::config::DownMode;
use super::faults::FaultKind;

/// The WooCommerce resources the receiver accepts (the plugin registers
/// webhooks for orders, customers and products; coupons are the other
/// WooCommerce resource with an `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resource {
    Order,
    Customer,
    Product,
    Coupon,
}

impl Resource {
    pub(crate) const ALL: [Resource; 4] = [
        Resource::Order,
        Resource::Customer,
        Resource::Product,
        Resource::Coupon,
    ];

    pub(crate) fn parse(name: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.name() == name)
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Resource::Order => "order",
            Resource::Customer => "customer",
            Resource::Product => "product",
            Resource::Coupon => "coupon",
        }
    }

    fn index(self) -> usize {
        match self {
            Resource::Order => 0,
            Resource::Customer => 1,
            Resource::Product => 2,
            Resource::Coupon => 3,
        }
    }
}

/// A 16-byte id: a 32-hex-digit delivery id decoded, or the first 16 bytes
/// of SHA-256 of any other id.
pub(crate) type Id16 = [u8; 16];

/// Decodes 32 hex digits (either case) into 16 bytes.
pub(crate) fn parse_hex16(text: &[u8]) -> Option<Id16> {
    if text.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        let hi = hex_digit(pair[0])?;
        let lo = hex_digit(pair[1])?;
        out[i] = (hi << 4) | lo;
    }
    Some(out)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The first 16 bytes of SHA-256 of `text`.
pub(crate) fn hash16(text: &[u8]) -> Id16 {
    let digest = Sha256::digest(text);
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// Lowercase hex of 16 bytes.
pub(crate) fn hex16(id: &Id16) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for b in id {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// Small strings seen over and over (topics, sync run ids) kept once.
#[derive(Debug, Default)]
struct Interner {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Interner {
    /// The index of `name`, adding it if there is room under `cap`.
    fn intern(&mut self, name: &str, cap: usize) -> Option<u32> {
        if let Some(i) = self.index.get(name) {
            return Some(*i);
        }
        if self.names.len() >= cap {
            return None;
        }
        let i = u32::try_from(self.names.len()).ok()?;
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        Some(i)
    }

    fn get(&self, i: u32) -> Option<&str> {
        self.names.get(i as usize).map(|s| &**s)
    }
}

/// Most distinct topics remembered (WooCommerce has a handful).
const MAX_TOPICS: usize = 256;
/// Most distinct sync run ids remembered; later runs are stored without one.
const MAX_RUNS: usize = 65_535;
/// "No run id".
const NO_RUN: u32 = u32::MAX;

/// The latest accepted delivery of one entity (32 bytes).
#[derive(Debug, Clone, Copy)]
struct Latest {
    delivery_id: Id16,
    body_len: u32,
    topic: u32,
    run: u32,
    accepted: u32,
}

/// One accepted delivery, as listed by `/__sandbox/deliveries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// The resource id (the body's `id`).
    pub id: u64,
    /// Delivery id of the latest accepted delivery of this entity.
    pub delivery_id: String,
    /// Its topic (`order.updated`…).
    pub topic: String,
    /// Its body length in bytes.
    pub body_len: u64,
    /// Its `X-Segmentflow-Sync` header, if any.
    pub sync_run: Option<String>,
    /// How many deliveries of this entity were accepted (1 = exactly once).
    pub accepted: u32,
}

/// One accepted `identify` event, as listed by `/__sandbox/identifies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifyRecord {
    /// Its `messageId`.
    #[serde(rename = "messageId")]
    pub message_id: String,
    /// Its `userId`, if any.
    #[serde(rename = "userId")]
    pub user_id: Option<String>,
    /// Its `email`.
    pub email: String,
}

/// Counters of the connect flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectStats {
    /// Poll tokens issued (`connect/start`, and the one at start-up).
    pub tokens_issued: u64,
    /// Status polls answered `{"connected": false}`.
    pub pending: u64,
    /// Status polls answered with the credentials.
    pub approved: u64,
    /// Status polls with an unknown or missing token (404/400).
    pub unknown_token: u64,
    /// Status polls with an expired or used token (410).
    pub gone_token: u64,
    /// Tokens approved through `/__sandbox/approve`.
    pub manual_approvals: u64,
}

/// Counters of the disconnect endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisconnectStats {
    /// Disconnects with a valid write key.
    pub ok: u64,
    /// Disconnects refused with 401.
    pub unauthorized: u64,
}

/// Counters of the ingest endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestStats {
    /// Requests received.
    pub requests: u64,
    /// Batches answered 200.
    pub batches_ok: u64,
    /// Batches refused with 401.
    pub unauthorized: u64,
    /// Batches refused with 400.
    pub bad_request: u64,
    /// Batches refused with 413.
    pub too_large: u64,
    /// Requests answered by an injected fault (or "down").
    pub faulted: u64,
    /// Events accepted.
    pub accepted: u64,
    /// Events answered `duplicate` (same `messageId` seen before).
    pub duplicate: u64,
    /// Events answered `rejected`.
    pub rejected: u64,
    /// Accepted `identify` events.
    pub identify: u64,
    /// Accepted `track` events.
    pub track: u64,
    /// Accepted `page` events.
    pub page: u64,
}

/// Counters of one resource at the delivery receiver.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceStats {
    /// Deliveries accepted (new delivery id).
    pub accepted: u64,
    /// Deliveries answered as duplicates (delivery id seen before).
    pub duplicate: u64,
    /// Distinct resource ids accepted.
    pub unique_ids: u64,
    /// Accepted deliveries for an id already received under another
    /// delivery id (a changed entity sent again — or a sync that lost its
    /// dedup): `accepted - unique_ids`.
    pub redelivered: u64,
}

/// Counters of the delivery receiver.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryStats {
    /// Requests received.
    pub requests: u64,
    /// Deliveries accepted.
    pub accepted: u64,
    /// Deliveries answered as duplicates.
    pub duplicate: u64,
    /// WooCommerce pings (`webhook_id=<id>`) answered 200.
    pub pings: u64,
    /// Deliveries refused for a wrong signature (401).
    pub bad_signature: u64,
    /// Deliveries refused for a missing signature (401).
    pub missing_signature: u64,
    /// Deliveries refused for missing headers or an unreadable body (400).
    pub bad_request: u64,
    /// Deliveries refused for their size (413).
    pub too_large: u64,
    /// Deliveries to an unknown organization (404).
    pub unknown_org: u64,
    /// Deliveries refused because the organization is disconnected (410).
    pub disconnected: u64,
    /// Requests answered by an injected fault (or "down").
    pub faulted: u64,
    /// Per resource (`order`, `customer`, `product`, `coupon`).
    pub resources: BTreeMap<String, ResourceStats>,
}

/// Everything `/__sandbox/stats` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests received on any endpoint.
    pub requests: u64,
    /// Connect flow.
    pub connect: ConnectStats,
    /// Disconnect endpoint.
    pub disconnect: DisconnectStats,
    /// Event ingest.
    pub ingest: IngestStats,
    /// WooCommerce delivery receiver.
    pub deliveries: DeliveryStats,
    /// Faults injected, by kind (`429`, `500`, `502`, `503`, `reset`,
    /// `lost`, `slow`, and `down` for requests met while down); every kind
    /// is listed.
    pub faults: BTreeMap<String, u64>,
    /// Accepted `identify` events (same as `ingest.identify`).
    pub identify_events: u64,
    /// Whether the organization is connected (its write key valid).
    pub connected: bool,
}

/// A poll token's life.
#[derive(Debug, Clone)]
struct PollToken {
    issued: Instant,
    pending_answers: u32,
    approved: bool,
    used: bool,
}

/// What a status poll answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PollAnswer {
    /// 200 `{"connected": false}`.
    Pending,
    /// 200 with the credentials; the token is used up.
    Approved,
    /// 404: never issued.
    Unknown,
    /// 410: expired or already used.
    Gone(&'static str),
}

/// What an approve call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApproveAnswer {
    Approved,
    Unknown,
    Gone(&'static str),
}

/// A delivery that passed every check, ready to be recorded.
#[derive(Debug)]
pub(crate) struct CheckedDelivery<'a> {
    pub resource: Resource,
    pub resource_id: u64,
    pub topic: &'a str,
    pub delivery_id: &'a str,
    pub body_len: usize,
    pub sync_run: Option<&'a str>,
}

/// What recording a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recorded {
    Accepted,
    Duplicate,
}

/// Why recording a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordError {
    TooManyTopics,
}

/// The mutable state of a sandbox.
#[derive(Debug)]
pub(crate) struct State {
    connected: bool,
    tokens: HashMap<String, PollToken>,
    next_token: u64,
    delivery_ids: HashSet<Id16>,
    /// Delivery ids that are not 32 hex digits, by their hash, for listing.
    odd_delivery_ids: HashMap<Id16, Box<str>>,
    entities: [HashMap<u64, Latest>; 4],
    resource_counts: [(u64, u64); 4],
    topics: Interner,
    runs: Interner,
    message_ids: HashSet<Id16>,
    identifies: Vec<IdentifyRecord>,
    down: Option<(Instant, DownMode)>,
    faults: [u64; 7],
    down_hits: u64,
    pub(crate) requests: u64,
    pub(crate) connect: ConnectStats,
    pub(crate) disconnect: DisconnectStats,
    pub(crate) ingest: IngestStats,
    pub(crate) deliveries: DeliveryStats,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            connected: true,
            tokens: HashMap::new(),
            next_token: 0,
            delivery_ids: HashSet::new(),
            odd_delivery_ids: HashMap::new(),
            entities: Default::default(),
            resource_counts: [(0, 0); 4],
            topics: Interner::default(),
            runs: Interner::default(),
            message_ids: HashSet::new(),
            identifies: Vec::new(),
            down: None,
            faults: [0; 7],
            down_hits: 0,
            requests: 0,
            connect: ConnectStats::default(),
            disconnect: DisconnectStats::default(),
            ingest: IngestStats::default(),
            deliveries: DeliveryStats::default(),
        }
    }

    /// Forgets everything received and every counter; keeps the poll tokens
    /// and reconnects the organization.
    pub(crate) fn reset(&mut self) {
        let tokens = std::mem::take(&mut self.tokens);
        let next_token = self.next_token;
        *self = State::new();
        self.tokens = tokens;
        self.next_token = next_token;
    }

    // ---- connection -------------------------------------------------------

    pub(crate) fn is_connected(&self) -> bool {
        self.connected
    }

    /// Issues the next poll token, returning its sequence number.
    pub(crate) fn issue_token(&mut self, token: String, now: Instant) -> u64 {
        let n = self.next_token;
        self.next_token += 1;
        self.tokens.insert(
            token,
            PollToken {
                issued: now,
                pending_answers: 0,
                approved: false,
                used: false,
            },
        );
        self.connect.tokens_issued += 1;
        n
    }

    /// The sequence number the next token gets.
    pub(crate) fn next_token_number(&self) -> u64 {
        self.next_token
    }

    /// Answers a status poll.
    pub(crate) fn poll(
        &mut self,
        token: &str,
        now: Instant,
        ttl: Duration,
        approve_after: Option<u32>,
    ) -> PollAnswer {
        let Some(t) = self.tokens.get_mut(token) else {
            self.connect.unknown_token += 1;
            return PollAnswer::Unknown;
        };
        if t.used {
            self.connect.gone_token += 1;
            return PollAnswer::Gone("poll token already used");
        }
        if now.saturating_duration_since(t.issued) > ttl {
            self.connect.gone_token += 1;
            return PollAnswer::Gone("poll token expired");
        }
        if !t.approved && approve_after.is_some_and(|n| t.pending_answers >= n) {
            t.approved = true;
        }
        if t.approved {
            t.used = true;
            self.connected = true;
            self.connect.approved += 1;
            PollAnswer::Approved
        } else {
            t.pending_answers = t.pending_answers.saturating_add(1);
            self.connect.pending += 1;
            PollAnswer::Pending
        }
    }

    /// Approves a token by hand.
    pub(crate) fn approve(&mut self, token: &str, now: Instant, ttl: Duration) -> ApproveAnswer {
        let Some(t) = self.tokens.get_mut(token) else {
            return ApproveAnswer::Unknown;
        };
        if t.used {
            return ApproveAnswer::Gone("poll token already used");
        }
        if now.saturating_duration_since(t.issued) > ttl {
            return ApproveAnswer::Gone("poll token expired");
        }
        if !t.approved {
            t.approved = true;
            self.connect.manual_approvals += 1;
        }
        ApproveAnswer::Approved
    }

    /// Marks the organization disconnected (its write key stops working
    /// until a poll token is approved again).
    pub(crate) fn disconnect(&mut self) {
        self.connected = false;
        self.disconnect.ok += 1;
    }

    // ---- down and faults ---------------------------------------------------

    /// Makes the receiver down until `until` (or up, with `None`).
    pub(crate) fn set_down(&mut self, down: Option<(Instant, DownMode)>) {
        self.down = down;
    }

    /// The down state in force at `now`.
    pub(crate) fn down_at(&mut self, now: Instant) -> Option<(Instant, DownMode)> {
        match self.down {
            Some((until, _)) if now >= until => {
                self.down = None;
                None
            }
            other => other,
        }
    }

    pub(crate) fn count_fault(&mut self, kind: FaultKind) {
        self.faults[kind.index()] += 1;
    }

    pub(crate) fn count_down_hit(&mut self) {
        self.down_hits += 1;
    }

    // ---- deliveries --------------------------------------------------------

    /// Records a checked delivery: a new delivery id is accepted and becomes
    /// the entity's latest; a known one is a duplicate.
    pub(crate) fn record_delivery(
        &mut self,
        d: &CheckedDelivery<'_>,
    ) -> Result<Recorded, RecordError> {
        let (id16, odd) = match parse_hex16(d.delivery_id.as_bytes()) {
            Some(id) => (id, false),
            None => (hash16(d.delivery_id.as_bytes()), true),
        };
        let r = d.resource.index();
        if self.delivery_ids.contains(&id16) {
            self.deliveries.duplicate += 1;
            self.resource_counts[r].1 += 1;
            return Ok(Recorded::Duplicate);
        }
        let topic = self
            .topics
            .intern(d.topic, MAX_TOPICS)
            .ok_or(RecordError::TooManyTopics)?;
        let run = d
            .sync_run
            .and_then(|run| self.runs.intern(run, MAX_RUNS))
            .unwrap_or(NO_RUN);
        self.delivery_ids.insert(id16);
        if odd {
            self.odd_delivery_ids.insert(id16, d.delivery_id.into());
        }
        let latest = Latest {
            delivery_id: id16,
            body_len: u32::try_from(d.body_len).unwrap_or(u32::MAX),
            topic,
            run,
            accepted: 1,
        };
        self.entities[r]
            .entry(d.resource_id)
            .and_modify(|e| {
                let accepted = e.accepted.saturating_add(1);
                *e = Latest { accepted, ..latest };
            })
            .or_insert(latest);
        self.deliveries.accepted += 1;
        self.resource_counts[r].0 += 1;
        Ok(Recorded::Accepted)
    }

    /// The accepted deliveries of `resource`, sorted by id, `offset` and
    /// `limit` applied; with the total count.
    pub(crate) fn deliveries_of(
        &self,
        resource: Resource,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<DeliveryRecord>) {
        let map = &self.entities[resource.index()];
        let mut ids: Vec<u64> = map.keys().copied().collect();
        ids.sort_unstable();
        let records = ids
            .into_iter()
            .skip(offset)
            .take(limit)
            .filter_map(|id| map.get(&id).map(|e| (id, e)))
            .map(|(id, e)| DeliveryRecord {
                id,
                delivery_id: self
                    .odd_delivery_ids
                    .get(&e.delivery_id)
                    .map_or_else(|| hex16(&e.delivery_id), |s| s.to_string()),
                topic: self.topics.get(e.topic).unwrap_or("").to_owned(),
                body_len: u64::from(e.body_len),
                sync_run: self.runs.get(e.run).map(str::to_owned),
                accepted: e.accepted,
            })
            .collect();
        (map.len(), records)
    }

    // ---- ingest ------------------------------------------------------------

    /// Whether a message id is new; remembers it.
    pub(crate) fn first_message(&mut self, message_id: &str) -> bool {
        self.message_ids.insert(hash16(message_id.as_bytes()))
    }

    pub(crate) fn record_identify(&mut self, record: IdentifyRecord) {
        self.identifies.push(record);
    }

    pub(crate) fn identifies(&self, offset: usize, limit: usize) -> (usize, Vec<IdentifyRecord>) {
        let page = self
            .identifies
            .iter()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect();
        (self.identifies.len(), page)
    }

    // ---- stats -------------------------------------------------------------

    /// A snapshot of the counters.
    pub(crate) fn stats(&self) -> Stats {
        let mut deliveries = self.deliveries.clone();
        deliveries.resources = Resource::ALL
            .into_iter()
            .map(|r| {
                let (accepted, duplicate) = self.resource_counts[r.index()];
                let unique_ids = self.entities[r.index()].len() as u64;
                (
                    r.name().to_owned(),
                    ResourceStats {
                        accepted,
                        duplicate,
                        unique_ids,
                        redelivered: accepted.saturating_sub(unique_ids),
                    },
                )
            })
            .collect();
        let mut faults: BTreeMap<String, u64> = FaultKind::ALL
            .into_iter()
            .map(|k| (k.name().to_owned(), self.faults[k.index()]))
            .collect();
        faults.insert("down".to_owned(), self.down_hits);
        Stats {
            requests: self.requests,
            connect: self.connect.clone(),
            disconnect: self.disconnect.clone(),
            ingest: self.ingest.clone(),
            deliveries,
            faults,
            identify_events: self.ingest.identify,
            connected: self.connected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery<'a>(resource: Resource, id: u64, delivery_id: &'a str) -> CheckedDelivery<'a> {
        CheckedDelivery {
            resource,
            resource_id: id,
            topic: "order.updated",
            delivery_id,
            body_len: 10,
            sync_run: Some("run-1"),
        }
    }

    #[test]
    fn hex16_round_trips_and_rejects() {
        let cases: &[(&str, bool)] = &[
            ("856a848fa978d47b7c006c4d9a886312", true),
            ("856A848FA978D47B7C006C4D9A886312", true),
            ("856a848fa978d47b7c006c4d9a88631", false),
            ("856a848fa978d47b7c006c4d9a8863120", false),
            ("856a848fa978d47b7c006c4d9a88631g", false),
            ("", false),
        ];
        for (text, ok) in cases {
            let parsed = parse_hex16(text.as_bytes());
            assert_eq!(parsed.is_some(), *ok, "{text}");
            if let Some(id) = parsed {
                assert_eq!(hex16(&id), text.to_ascii_lowercase());
            }
        }
    }

    #[test]
    fn deliveries_dedup_by_delivery_id_and_keep_the_latest() {
        let mut s = State::new();
        let d1 = "00000000000000000000000000000001";
        let d2 = "00000000000000000000000000000002";
        assert_eq!(
            s.record_delivery(&delivery(Resource::Order, 7, d1)),
            Ok(Recorded::Accepted)
        );
        assert_eq!(
            s.record_delivery(&delivery(Resource::Order, 7, d1)),
            Ok(Recorded::Duplicate)
        );
        assert_eq!(
            s.record_delivery(&delivery(Resource::Order, 7, d2)),
            Ok(Recorded::Accepted)
        );
        assert_eq!(
            s.record_delivery(&delivery(Resource::Product, 7, "not-hex-id")),
            Ok(Recorded::Accepted)
        );
        // The same delivery id for another resource is still a duplicate.
        assert_eq!(
            s.record_delivery(&delivery(Resource::Customer, 1, "not-hex-id")),
            Ok(Recorded::Duplicate)
        );
        let (total, orders) = s.deliveries_of(Resource::Order, 0, 10);
        assert_eq!(total, 1);
        assert_eq!(orders[0].delivery_id, d2);
        assert_eq!(orders[0].accepted, 2);
        assert_eq!(orders[0].sync_run.as_deref(), Some("run-1"));
        let (_, products) = s.deliveries_of(Resource::Product, 0, 10);
        assert_eq!(products[0].delivery_id, "not-hex-id");
        let stats = s.stats();
        assert_eq!(stats.deliveries.accepted, 3);
        assert_eq!(stats.deliveries.duplicate, 2);
        let order = &stats.deliveries.resources["order"];
        assert_eq!(
            (
                order.accepted,
                order.duplicate,
                order.unique_ids,
                order.redelivered
            ),
            (2, 1, 1, 1)
        );
        assert_eq!(stats.deliveries.resources["customer"].duplicate, 1);
    }

    #[test]
    fn poll_token_life() {
        let mut s = State::new();
        let t0 = Instant::now();
        let ttl = Duration::from_secs(60);
        s.issue_token("a".into(), t0);
        s.issue_token("b".into(), t0);
        let answers: Vec<PollAnswer> = (0..4).map(|_| s.poll("a", t0, ttl, Some(2))).collect();
        assert_eq!(
            answers,
            [
                PollAnswer::Pending,
                PollAnswer::Pending,
                PollAnswer::Approved,
                PollAnswer::Gone("poll token already used")
            ]
        );
        assert_eq!(s.poll("zzz", t0, ttl, Some(0)), PollAnswer::Unknown);
        assert_eq!(s.poll("b", t0, ttl, None), PollAnswer::Pending);
        assert_eq!(s.approve("b", t0, ttl), ApproveAnswer::Approved);
        assert_eq!(s.poll("b", t0, ttl, None), PollAnswer::Approved);
        assert_eq!(
            s.approve("b", t0, ttl),
            ApproveAnswer::Gone("poll token already used")
        );
        s.issue_token("c".into(), t0);
        let late = t0 + Duration::from_secs(61);
        assert_eq!(
            s.poll("c", late, ttl, Some(0)),
            PollAnswer::Gone("poll token expired")
        );
        assert_eq!(
            s.approve("c", late, ttl),
            ApproveAnswer::Gone("poll token expired")
        );
        let c = s.stats().connect;
        assert_eq!(
            (c.pending, c.approved, c.unknown_token, c.gone_token),
            (3, 2, 1, 2)
        );
    }

    #[test]
    fn reset_keeps_tokens_and_reconnects() {
        let mut s = State::new();
        let t0 = Instant::now();
        s.issue_token("a".into(), t0);
        s.disconnect();
        assert!(s.first_message("m1"));
        assert!(!s.first_message("m1"));
        s.reset();
        assert!(s.is_connected());
        assert!(s.first_message("m1"));
        assert_eq!(
            s.poll("a", t0, Duration::from_secs(5), Some(0)),
            PollAnswer::Approved
        );
        assert_eq!(s.next_token_number(), 1);
    }
}
