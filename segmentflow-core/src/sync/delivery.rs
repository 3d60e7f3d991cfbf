//! Planning a WooCommerce webhook delivery: topic, headers, signature and a
//! deterministic delivery id.
//!
//! A sync sends each customer, order and product the way WooCommerce's own
//! `*.updated` webhook would, so the Segmentflow receiver takes a backfill
//! with no change: `POST` to the stored delivery URL, the REST JSON of the
//! resource as the body (produced elsewhere; this module only sees the
//! bytes), and WooCommerce's headers:
//!
//! | header | value |
//! |---|---|
//! | `Content-Type` | `application/json` |
//! | `User-Agent` | `WooCommerce/<wc version> Hookshot (WordPress/<wp version>)` |
//! | `X-WC-Webhook-Source` | `home_url('/')`: the home URL with one trailing slash |
//! | `X-WC-Webhook-Topic` | `order.updated`, `customer.updated`, `product.updated` |
//! | `X-WC-Webhook-Resource` | `order`, `customer`, `product` |
//! | `X-WC-Webhook-Event` | `updated` |
//! | `X-WC-Webhook-Signature` | base64(HMAC-SHA256(key = webhook secret after `wp_specialchars_decode`, message = body bytes)) |
//! | `X-WC-Webhook-ID` | id of the site's Segmentflow webhook for the topic (0 when none is registered) |
//! | `X-WC-Webhook-Delivery-ID` | see [`delivery_id`] |
//! | `X-Segmentflow-Sync` | the sync run id (ours; lets the receiver tell a backfill from live traffic) |
//!
//! WooCommerce's delivery id is a keyed MD5 of the webhook id and the current
//! second, so it changes on every send. Ours has the same shape (32 lowercase
//! hex digits) but depends only on the item, so a resent item carries the
//! id it had before and the receiver can drop it as a duplicate.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{Checkpoint, Resource};
use crate::options::Secret;

/// The webhook event every sync delivery carries.
pub const SYNC_EVENT: &str = "updated";

/// The header carrying the sync run id.
pub const SYNC_RUN_HEADER: &str = "X-Segmentflow-Sync";

/// The site facts that go into WooCommerce's delivery headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSite {
    /// `home_url()`, with or without a trailing slash.
    pub home_url: String,
    /// WooCommerce version (`9.8.1`).
    pub wc_version: String,
    /// WordPress version (`6.8`).
    pub wp_version: String,
}

/// Why a delivery could not be planned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeliveryError {
    /// The resource does not travel as a webhook.
    #[error("{0} are not delivered as WooCommerce webhooks")]
    NotAWebhookResource(Resource),
}

/// One planned webhook delivery: everything the sender needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// What is delivered.
    pub resource: Resource,
    /// The item's read-order key (its id is the resource id).
    pub checkpoint: Checkpoint,
    /// `order.updated`, …
    pub topic: String,
    /// The deterministic delivery id (also in the headers).
    pub delivery_id: String,
    /// Request headers, in the order WooCommerce sets them.
    pub headers: Vec<(&'static str, String)>,
    /// The exact body bytes that were signed.
    pub body: Vec<u8>,
}

/// Builds [`Delivery`] values for one sync run.
#[derive(Debug, Clone)]
pub struct DeliveryPlanner {
    source: String,
    user_agent: String,
    secret: Secret,
    run_id: String,
    webhook_ids: [u64; 3],
}

impl DeliveryPlanner {
    /// A planner for `site`, signing with `secret` (the stored
    /// `segmentflow_webhook_secret`) and tagging deliveries with `run_id`.
    pub fn new(site: &WebhookSite, secret: Secret, run_id: impl Into<String>) -> DeliveryPlanner {
        DeliveryPlanner {
            source: home_url_with_slash(&site.home_url),
            user_agent: format!(
                "WooCommerce/{} Hookshot (WordPress/{})",
                site.wc_version, site.wp_version
            ),
            secret,
            run_id: run_id.into(),
            webhook_ids: [0; 3],
        }
    }

    /// Sets the `X-WC-Webhook-ID` sent for `resource` (the `webhook_id` of the
    /// site's `Segmentflow: <resource>.updated` row). Ignored for users.
    pub fn with_webhook_id(mut self, resource: Resource, webhook_id: u64) -> DeliveryPlanner {
        if let Some(slot) = webhook_slot(resource) {
            self.webhook_ids[slot] = webhook_id;
        }
        self
    }

    /// The `User-Agent` deliveries carry.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Plans the delivery of one item whose REST JSON is `body`.
    pub fn plan(
        &self,
        resource: Resource,
        checkpoint: Checkpoint,
        body: Vec<u8>,
    ) -> Result<Delivery, DeliveryError> {
        let (Some(name), Some(slot)) = (resource.webhook_resource(), webhook_slot(resource)) else {
            return Err(DeliveryError::NotAWebhookResource(resource));
        };
        let topic = format!("{name}.{SYNC_EVENT}");
        let delivery_id = delivery_id(name, checkpoint.id, &checkpoint.modified_gmt);
        let signature = sign(&body, &self.secret);
        let webhook_id = self.webhook_ids.get(slot).copied().unwrap_or(0);
        let headers = vec![
            ("Content-Type", "application/json".to_owned()),
            ("User-Agent", self.user_agent.clone()),
            ("X-WC-Webhook-Source", self.source.clone()),
            ("X-WC-Webhook-Topic", topic.clone()),
            ("X-WC-Webhook-Resource", name.to_owned()),
            ("X-WC-Webhook-Event", SYNC_EVENT.to_owned()),
            ("X-WC-Webhook-Signature", signature),
            ("X-WC-Webhook-ID", webhook_id.to_string()),
            ("X-WC-Webhook-Delivery-ID", delivery_id.clone()),
            (SYNC_RUN_HEADER, self.run_id.clone()),
        ];
        Ok(Delivery {
            resource,
            checkpoint,
            topic,
            delivery_id,
            headers,
            body,
        })
    }
}

fn webhook_slot(resource: Resource) -> Option<usize> {
    match resource {
        Resource::Customers => Some(0),
        Resource::Orders => Some(1),
        Resource::Products => Some(2),
        Resource::Users => None,
    }
}

/// `home_url('/')`: the home URL with exactly one trailing slash.
pub fn home_url_with_slash(home_url: &str) -> String {
    format!("{}/", home_url.trim_end_matches('/'))
}

/// The deterministic delivery id of an item: the first 16 bytes of
/// SHA-256(`"{resource}:{id}:{modified_gmt}"`) as 32 lowercase hex digits,
/// where `resource` is WooCommerce's singular name (`order`) and
/// `modified_gmt` the `YYYY-MM-DD HH:MM:SS` text of the item's checkpoint.
///
/// It does not depend on the run, the machine or the body: the same item at
/// the same modification time always gets the same id, and a modified item
/// gets a new one.
///
/// ```
/// use segmentflow_core::sync::delivery_id;
/// let id = delivery_id("order", 1042, "2024-05-01 13:45:00");
/// assert_eq!(id, "7c065174d84408f7676e76f6138ee94e");
/// ```
pub fn delivery_id(resource: &str, id: u64, modified_gmt: &str) -> String {
    let digest = Sha256::digest(format!("{resource}:{id}:{modified_gmt}").as_bytes());
    lower_hex(digest.get(..16).unwrap_or(&[]))
}

/// Lowercase hex of `bytes`.
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// base64(HMAC-SHA256(key = secret, message = body)), as WooCommerce signs a
/// delivery (`X-WC-Webhook-Signature`). Like WooCommerce, the key is the
/// secret after `wp_specialchars_decode($secret, ENT_QUOTES)` (a no-op for
/// the usual random secrets without `&`).
// SEAM(core::webhooks): the webhooks module has the same function; switch to
// it once both are merged and drop this copy.
fn sign(body: &[u8], secret: &Secret) -> String {
    let key = specialchars_decode_quotes(secret.expose());
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// WordPress's `wp_specialchars_decode($text, ENT_QUOTES)`: decodes `&amp;`,
/// `&lt;`, `&gt;`, `&quot;` (case-sensitive) and the numeric forms of `'`,
/// `"`, `<`, `>`, `&` (decimal with any leading zeros; hex for `'`, `"`, `&`
/// with an `x` of either case), in one left-to-right pass; everything else
/// is kept.
fn specialchars_decode_quotes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match decode_entity(rest) {
            Some((decoded, len)) => {
                out.push(decoded);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The character and byte length of the entity `s` starts with, if it is one
/// `wp_specialchars_decode` decodes with `ENT_QUOTES`.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    for (name, decoded) in [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
    ] {
        if s.starts_with(name) {
            return Some((decoded, name.len()));
        }
    }
    let numeric = s.strip_prefix("&#")?;
    let (hex, digits) = match numeric.strip_prefix(['x', 'X']) {
        Some(after) => (true, after),
        None => (false, numeric),
    };
    let zeros = digits.len() - digits.trim_start_matches('0').len();
    let value = &digits[zeros..];
    let end = value.find(';')?;
    let decoded = match (hex, &value[..end]) {
        (false, "39") | (true, "27") => '\'',
        (false, "34") | (true, "22") => '"',
        (false, "60") => '<',
        (false, "62") => '>',
        (false, "38") | (true, "26") => '&',
        _ => return None,
    };
    let len = 2 + usize::from(hex) + zeros + end + 1;
    Some((decoded, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> WebhookSite {
        WebhookSite {
            home_url: "https://shop.example".to_owned(),
            wc_version: "9.8.1".to_owned(),
            wp_version: "6.8".to_owned(),
        }
    }

    fn key(id: u64) -> Checkpoint {
        Checkpoint::new("2024-05-01 13:45:00", id).expect("valid")
    }

    #[test]
    fn signatures_match_php() {
        // Expected values from PHP 8.2:
        // base64_encode(hash_hmac('sha256', $body, $secret, true)).
        let cases: &[(&[u8], &str, &str)] = &[
            (
                br#"{"id":1,"name":"Caf\u00e9"}"#,
                "wh_s3cr3t",
                "BWyd8aE1lRkgGP/M/7B/gi53kF1/sJSwBrsDQjEV1Xw=",
            ),
            (b"", "k", "i7mQxAp9YcuXWXqUISUCW+UKyL63RDbjc1uYiTp/ZiA="),
        ];
        for (body, secret, expected) in cases {
            assert_eq!(sign(body, &Secret::new(*secret)), *expected);
        }
    }

    #[test]
    fn secrets_are_entity_decoded_like_wordpress() {
        // Expected values from PHP 8.2 with WordPress's formatting.php:
        // wp_specialchars_decode($s, ENT_QUOTES).
        let cases = [
            ("a&amp;b", "a&b"),
            ("&#0039;x&#X27;&#x027;", "'x''"),
            ("&quot;&#34;&#x22;&#X0022;", "\"\"\"\""),
            ("&lt;&#60;&#0060;&gt;&#62;", "<<<>>"),
            ("&#0038;lt;", "&lt;"),
            ("&AMP;&Lt;", "&AMP;&Lt;"),
            ("&#38;&#x26;&#X026;", "&&&"),
            ("&#039", "&#039"),
            ("&&amp;;", "&&;"),
            ("&#039;&#0000039;", "''"),
            ("plain", "plain"),
            ("", ""),
            ("&#x3c;&#60", "&#x3c;&#60"),
        ];
        for (input, expected) in cases {
            assert_eq!(specialchars_decode_quotes(input), expected, "{input:?}");
        }
        // So a secret with an entity signs like its decoded form.
        assert_eq!(
            sign(b"{}", &Secret::new("a&amp;b")),
            sign(b"{}", &Secret::new("a&b"))
        );
    }

    proptest::proptest! {
        #[test]
        fn entity_decoding_never_panics_and_only_shrinks(text in "(&|#|x|X|0|[0-9]|;|[a-z]|\\PC){0,40}") {
            let decoded = specialchars_decode_quotes(&text);
            proptest::prop_assert!(decoded.len() <= text.len());
            if !text.contains('&') {
                proptest::prop_assert_eq!(decoded.as_ref(), text.as_str());
            }
        }
    }

    #[test]
    fn delivery_ids_are_deterministic() {
        // Expected value from PHP: substr(hash('sha256', 'order:1042:2024-05-01 13:45:00'), 0, 32).
        assert_eq!(
            delivery_id("order", 1042, "2024-05-01 13:45:00"),
            "7c065174d84408f7676e76f6138ee94e"
        );
        let base = delivery_id("order", 1042, "2024-05-01 13:45:00");
        let others = [
            delivery_id("order", 1042, "2024-05-01 13:45:01"),
            delivery_id("order", 1043, "2024-05-01 13:45:00"),
            delivery_id("product", 1042, "2024-05-01 13:45:00"),
        ];
        for other in &others {
            assert_ne!(&base, other);
            assert_eq!(other.len(), 32);
            assert!(
                other
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
        }
    }

    #[test]
    fn delivery_id_does_not_depend_on_the_run() {
        let a = DeliveryPlanner::new(&site(), Secret::new("s"), "run-a")
            .plan(Resource::Orders, key(7), b"{}".to_vec())
            .expect("planned");
        let b = DeliveryPlanner::new(&site(), Secret::new("other"), "run-b")
            .plan(Resource::Orders, key(7), b"{\"x\":1}".to_vec())
            .expect("planned");
        assert_eq!(a.delivery_id, b.delivery_id);
        assert_ne!(a.headers, b.headers);
    }

    #[test]
    fn home_url_gets_one_trailing_slash() {
        let cases = [
            ("https://shop.example", "https://shop.example/"),
            ("https://shop.example/", "https://shop.example/"),
            ("https://shop.example/blog//", "https://shop.example/blog/"),
        ];
        for (input, expected) in cases {
            assert_eq!(home_url_with_slash(input), expected);
        }
    }

    #[test]
    fn users_are_not_webhooks() {
        let planner = DeliveryPlanner::new(&site(), Secret::new("s"), "r");
        assert_eq!(
            planner.plan(Resource::Users, key(1), Vec::new()),
            Err(DeliveryError::NotAWebhookResource(Resource::Users))
        );
    }

    #[test]
    fn planned_order_delivery() {
        let planner = DeliveryPlanner::new(&site(), Secret::new("wh_s3cr3t"), "sync-20240501-abc")
            .with_webhook_id(Resource::Orders, 12)
            .with_webhook_id(Resource::Users, 99);
        let d = planner
            .plan(Resource::Orders, key(1042), br#"{"id":1042}"#.to_vec())
            .expect("planned");
        insta::assert_debug_snapshot!(d);
    }
}
