//! The WooCommerce delivery receiver's checks: signature over the raw body
//! bytes (base64 HMAC-SHA256 with the webhook secret, compared in constant
//! time), the `X-WC-Webhook-*` headers, WooCommerce's form-encoded ping, and
//! the resource id read cheaply from the body.
//!
//! The order of checks mirrors a careful receiver: the signature first (an
//! unsigned or mis-signed request learns nothing else), then the headers,
//! then the body.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use hyper::HeaderMap;
use hyper::header::HeaderName;
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::state::{CheckedDelivery, Resource};

pub(crate) const H_TOPIC: HeaderName = HeaderName::from_static("x-wc-webhook-topic");
pub(crate) const H_RESOURCE: HeaderName = HeaderName::from_static("x-wc-webhook-resource");
pub(crate) const H_EVENT: HeaderName = HeaderName::from_static("x-wc-webhook-event");
pub(crate) const H_SIGNATURE: HeaderName = HeaderName::from_static("x-wc-webhook-signature");
pub(crate) const H_ID: HeaderName = HeaderName::from_static("x-wc-webhook-id");
pub(crate) const H_DELIVERY_ID: HeaderName = HeaderName::from_static("x-wc-webhook-delivery-id");
pub(crate) const H_SOURCE: HeaderName = HeaderName::from_static("x-wc-webhook-source");
/// The sync run id a `segmentflow-wpcli sync` adds to its deliveries.
pub(crate) const H_SYNC_RUN: HeaderName = HeaderName::from_static("x-segmentflow-sync");

/// Longest delivery id or sync run id accepted.
const MAX_ID_LEN: usize = 128;

/// Signs and verifies WooCommerce webhook bodies with one secret.
///
// SEAM(core::webhooks): segmentflow-core's `webhooks` module (written in
// parallel) has the same signature functions; switch to it once merged.
#[derive(Clone)]
pub(crate) struct Verifier {
    /// The keyed HMAC state, cloned per request (saves the key schedule).
    keyed: Hmac<Sha256>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier(..)")
    }
}

impl Verifier {
    pub(crate) fn new(secret: &[u8]) -> Verifier {
        Verifier {
            keyed: <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
                .expect("HMAC accepts keys of any length"),
        }
    }

    fn digest(&self, body: &[u8]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(body);
        let out = mac.finalize().into_bytes();
        let mut digest = [0u8; 32];
        digest.copy_from_slice(&out);
        digest
    }

    /// base64(HMAC-SHA256(body, secret)), as `X-WC-Webhook-Signature`.
    pub(crate) fn sign(&self, body: &[u8]) -> String {
        STANDARD.encode(self.digest(body))
    }

    /// Whether `signature` (the header's bytes) is the body's signature;
    /// the digests are compared in constant time.
    pub(crate) fn verify(&self, body: &[u8], signature: &[u8]) -> bool {
        let mut decoded = [0u8; 48];
        let Ok(32) = STANDARD.decode_slice(signature.trim_ascii(), &mut decoded) else {
            return false;
        };
        let expected = self.digest(body);
        bool::from(expected.ct_eq(&decoded[..32]))
    }
}

/// Why a delivery was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefusalKind {
    MissingSignature,
    BadSignature,
    BadRequest,
}

/// A refused delivery: status, the `{error}` text, and the counter to bump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub message: String,
    pub kind: RefusalKind,
}

fn bad_request(message: String) -> Refusal {
    Refusal {
        status: 400,
        message,
        kind: RefusalKind::BadRequest,
    }
}

/// What a request to the delivery URL is.
#[derive(Debug)]
pub(crate) enum Checked<'a> {
    /// WooCommerce's ping after saving a webhook (`webhook_id=<id>`).
    Ping,
    /// A signed delivery.
    Delivery(CheckedDelivery<'a>),
}

/// Checks a request to the delivery URL.
pub(crate) fn check<'a>(
    headers: &'a HeaderMap,
    body: &'a [u8],
    verifier: &Verifier,
) -> Result<Checked<'a>, Refusal> {
    let Some(signature) = headers.get(&H_SIGNATURE) else {
        if !headers.contains_key(&H_TOPIC) && is_ping(body) {
            return Ok(Checked::Ping);
        }
        return Err(Refusal {
            status: 401,
            message: "missing X-WC-Webhook-Signature header".to_owned(),
            kind: RefusalKind::MissingSignature,
        });
    };
    if !verifier.verify(body, signature.as_bytes()) {
        return Err(Refusal {
            status: 401,
            message: "X-WC-Webhook-Signature does not match the body".to_owned(),
            kind: RefusalKind::BadSignature,
        });
    }
    let header = |name: &HeaderName, display: &str| -> Result<&'a str, Refusal> {
        let value = headers
            .get(name)
            .ok_or_else(|| bad_request(format!("missing {display} header")))?;
        let text = value
            .to_str()
            .map_err(|_| bad_request(format!("{display} header is not visible ASCII")))?
            .trim();
        if text.is_empty() {
            return Err(bad_request(format!("{display} header is empty")));
        }
        Ok(text)
    };
    let topic = header(&H_TOPIC, "X-WC-Webhook-Topic")?;
    let resource_name = header(&H_RESOURCE, "X-WC-Webhook-Resource")?;
    let event = header(&H_EVENT, "X-WC-Webhook-Event")?;
    let webhook_id = header(&H_ID, "X-WC-Webhook-ID")?;
    let delivery_id = header(&H_DELIVERY_ID, "X-WC-Webhook-Delivery-ID")?;
    header(&H_SOURCE, "X-WC-Webhook-Source")?;
    let resource = Resource::parse(resource_name).ok_or_else(|| {
        bad_request(format!(
            "X-WC-Webhook-Resource {resource_name:?} is not order, customer, product or coupon"
        ))
    })?;
    if !event.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') || event.len() > 32 {
        return Err(bad_request(format!(
            "X-WC-Webhook-Event {event:?} is not an event name"
        )));
    }
    if topic.len() != resource_name.len() + 1 + event.len()
        || !topic.starts_with(resource_name)
        || topic.as_bytes()[resource_name.len()] != b'.'
        || !topic.ends_with(event)
    {
        return Err(bad_request(format!(
            "X-WC-Webhook-Topic {topic:?} is not {resource_name}.{event}"
        )));
    }
    if !webhook_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_request(format!(
            "X-WC-Webhook-ID {webhook_id:?} is not a number"
        )));
    }
    if delivery_id.len() > MAX_ID_LEN {
        return Err(bad_request(format!(
            "X-WC-Webhook-Delivery-ID is longer than {MAX_ID_LEN} bytes"
        )));
    }
    let sync_run = match headers.get(&H_SYNC_RUN) {
        None => None,
        Some(v) => {
            let run = v
                .to_str()
                .map_err(|_| bad_request("X-Segmentflow-Sync header is not visible ASCII".into()))?
                .trim();
            if run.len() > MAX_ID_LEN {
                return Err(bad_request(format!(
                    "X-Segmentflow-Sync is longer than {MAX_ID_LEN} bytes"
                )));
            }
            (!run.is_empty()).then_some(run)
        }
    };
    let resource_id = resource_id(body)
        .ok_or_else(|| bad_request("body is not a JSON object with a numeric \"id\"".to_owned()))?;
    Ok(Checked::Delivery(CheckedDelivery {
        resource,
        resource_id,
        topic,
        delivery_id,
        body_len: body.len(),
        sync_run,
    }))
}

/// Whether `body` is WooCommerce's ping: `webhook_id=<digits>`.
fn is_ping(body: &[u8]) -> bool {
    body.strip_prefix(b"webhook_id=")
        .is_some_and(|id| !id.is_empty() && id.iter().all(u8::is_ascii_digit))
}

/// The body's top-level `id`. WooCommerce's REST JSON starts with
/// `{"id":<n>,` so that is read directly; anything else is parsed (ignoring
/// every other field).
pub(crate) fn resource_id(body: &[u8]) -> Option<u64> {
    if let Some(rest) = body.strip_prefix(b"{\"id\":") {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0
            && matches!(rest.get(digits), Some(b',' | b'}'))
            && let Some(id) = std::str::from_utf8(&rest[..digits])
                .ok()
                .and_then(|d| d.parse().ok())
        {
            return Some(id);
        }
    }
    #[derive(Deserialize)]
    struct IdOnly {
        id: u64,
    }
    serde_json::from_slice::<IdOnly>(body).ok().map(|x| x.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn resource_id_cases() {
        let cases: &[(&str, Option<u64>)] = &[
            (r#"{"id":118,"parent_id":0}"#, Some(118)),
            (r#"{"id":5}"#, Some(5)),
            (r#"{ "id" : 5 }"#, Some(5)),
            (r#"{"name":"x","id":42,"meta":{"id":7}}"#, Some(42)),
            (r#"{"id":"5"}"#, None),
            (r#"{"id":-5}"#, None),
            (r#"{"id":5x}"#, None),
            (r#"{"id":18446744073709551616}"#, None),
            (r#"{"name":"no id"}"#, None),
            (r#"[1,2]"#, None),
            ("webhook_id=3", None),
            ("", None),
        ];
        for (body, want) in cases {
            assert_eq!(resource_id(body.as_bytes()), *want, "{body}");
        }
    }

    #[test]
    fn ping_cases() {
        for (body, want) in [
            ("webhook_id=1", true),
            ("webhook_id=123", true),
            ("webhook_id=", false),
            ("webhook_id=1&x=2", false),
            ("{}", false),
        ] {
            assert_eq!(is_ping(body.as_bytes()), want, "{body}");
        }
    }

    #[test]
    fn sign_and_verify() {
        let v = Verifier::new(b"secret");
        let sig = v.sign(b"{\"id\":1}");
        assert!(v.verify(b"{\"id\":1}", sig.as_bytes()));
        assert!(!v.verify(b"{\"id\":2}", sig.as_bytes()));
        assert!(!Verifier::new(b"other").verify(b"{\"id\":1}", sig.as_bytes()));
        for bad in ["", "not base64!", "AAAA", &sig[..sig.len() - 4]] {
            assert!(!v.verify(b"{\"id\":1}", bad.as_bytes()), "{bad:?}");
        }
    }

    fn signed_headers(v: &Verifier, body: &[u8]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in [
            (H_TOPIC, "order.updated"),
            (H_RESOURCE, "order"),
            (H_EVENT, "updated"),
            (H_ID, "1"),
            (H_DELIVERY_ID, "856a848fa978d47b7c006c4d9a886312"),
            (H_SOURCE, "http://localhost:8089/"),
        ] {
            h.insert(name, HeaderValue::from_static(value));
        }
        h.insert(H_SIGNATURE, HeaderValue::from_str(&v.sign(body)).unwrap());
        h
    }

    #[test]
    fn header_refusals_name_the_header() {
        let v = Verifier::new(b"k");
        let body = br#"{"id":9}"#;
        let cases: &[(HeaderName, Option<&'static str>, u16, &str)] = &[
            (H_SIGNATURE, None, 401, "missing X-WC-Webhook-Signature"),
            (H_SIGNATURE, Some("AAAA"), 401, "does not match"),
            (H_TOPIC, None, 400, "missing X-WC-Webhook-Topic"),
            (H_RESOURCE, None, 400, "missing X-WC-Webhook-Resource"),
            (H_EVENT, None, 400, "missing X-WC-Webhook-Event"),
            (H_ID, None, 400, "missing X-WC-Webhook-ID"),
            (H_DELIVERY_ID, None, 400, "missing X-WC-Webhook-Delivery-ID"),
            (H_SOURCE, None, 400, "missing X-WC-Webhook-Source"),
            (
                H_SOURCE,
                Some(" "),
                400,
                "X-WC-Webhook-Source header is empty",
            ),
            (H_TOPIC, Some("order.created"), 400, "is not order.updated"),
            (
                H_RESOURCE,
                Some("action"),
                400,
                "X-WC-Webhook-Resource \"action\"",
            ),
            (H_ID, Some("x1"), 400, "X-WC-Webhook-ID \"x1\""),
        ];
        for (name, value, status, text) in cases {
            let mut h = signed_headers(&v, body);
            match value {
                None => {
                    h.remove(name);
                }
                Some(value) => {
                    h.insert(name.clone(), HeaderValue::from_static(value));
                }
            }
            let refusal = check(&h, body, &v).unwrap_err();
            assert_eq!(refusal.status, *status, "{name} {value:?}");
            assert!(
                refusal.message.contains(text),
                "{name} {value:?}: {}",
                refusal.message
            );
        }
        let h = signed_headers(&v, b"{\"x\":1}");
        let refusal = check(&h, b"{\"x\":1}", &v).unwrap_err();
        assert!(
            refusal.message.contains("numeric \"id\""),
            "{}",
            refusal.message
        );
        match check(&signed_headers(&v, body), body, &v).unwrap() {
            Checked::Delivery(d) => {
                assert_eq!(
                    (d.resource, d.resource_id, d.topic),
                    (Resource::Order, 9, "order.updated")
                );
                assert_eq!(d.sync_run, None);
            }
            Checked::Ping => panic!("not a ping"),
        }
        assert!(matches!(
            check(&HeaderMap::new(), b"webhook_id=4", &v),
            Ok(Checked::Ping)
        ));
    }
}
