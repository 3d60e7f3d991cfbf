//! WooCommerce webhooks as the Segmentflow Connect plugin registers them and
//! as WooCommerce delivers them.
//!
//! The plugin (`Segmentflow_WC_Webhooks`) registers one WooCommerce webhook per
//! [`Topic`] — ten of them, named `Segmentflow: <topic>`, REST API version
//! `wp_api_v2` — and the Segmentflow backend receives WooCommerce's own
//! deliveries. The sync of this project sends a backfill *as if* WooCommerce
//! had delivered it, so this module holds everything about those deliveries
//! that can be decided from values:
//!
//! * [`Topic`], [`Resource`], [`Event`], [`ApiVersion`] and [`WebhookStatus`]:
//!   the typed vocabulary of the `{prefix}wc_webhooks` table;
//! * [`signature`]: `X-WC-Webhook-Signature` (base64 HMAC-SHA256 of the raw
//!   body, keyed with the HTML-entity-decoded secret) and its constant-time
//!   verification;
//! * [`delivery`]: the request headers WooCommerce sends, our deterministic
//!   delivery ids, and WooCommerce's success/failure-count rules;
//! * [`registration`]: what to create, update, re-activate or delete in
//!   `wc_webhooks` so the ten Segmentflow webhooks exist exactly once with the
//!   current credentials, the row values WooCommerce itself would insert, and a
//!   per-topic health summary.
//!
//! Secrets are carried in [`WebhookSecret`], whose `Debug` and `Serialize`
//! output is masked; the raw value is only reachable through
//! [`WebhookSecret::expose`].
//!
//! ```
//! use segmentflow_core::webhooks::{Topic, WebhookSecret, delivery, signature};
//!
//! let secret = WebhookSecret::new("whsec_example_0123456789");
//! let body = br#"{"id":118,"status":"completed"}"#;
//! let sender = delivery::Sender {
//!     home_url: "https://shop.example".into(),
//!     wc_version: "9.2.5".into(),
//!     wp_version: "6.6.2".into(),
//! };
//! // Same order, same modification time: same delivery id, on every run.
//! let id = delivery::delivery_id(&sender.source(), Topic::OrderUpdated, 118, 1_795_819_178, None);
//! let headers = delivery::headers(&sender, 7, Topic::OrderUpdated, body, &secret, &id);
//! assert_eq!(headers.get("x-wc-webhook-topic"), Some("order.updated"));
//!
//! // The receiving side checks the signature over the raw bytes.
//! let sig = headers.get("X-WC-Webhook-Signature");
//! assert!(signature::verify(sig, body, &secret).is_ok());
//! assert!(signature::verify(sig, b"{}", &secret).is_err());
//! ```

pub mod delivery;
pub mod registration;
pub mod signature;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The prefix of the `name` of every webhook the plugin registers
/// (`Segmentflow: order.created`). The plugin recognises its webhooks by this
/// prefix only (`name LIKE 'Segmentflow: %'`).
pub const NAME_PREFIX: &str = "Segmentflow: ";

/// A WooCommerce webhook resource (the part of a topic before the dot), limited
/// to the resources the plugin subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    /// `order` (shop orders; refunds travel inside their order).
    Order,
    /// `customer` (registered users).
    Customer,
    /// `product` (products and variations).
    Product,
}

impl Resource {
    /// The resource as WooCommerce writes it (`X-WC-Webhook-Resource`).
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Order => "order",
            Resource::Customer => "customer",
            Resource::Product => "product",
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A WooCommerce webhook event (the part of a topic after the dot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// `created`.
    Created,
    /// `updated`.
    Updated,
    /// `deleted` (for orders and products: moved to the trash; the payload is
    /// `{"id": …}` only).
    Deleted,
    /// `restored` (taken out of the trash).
    Restored,
}

impl Event {
    /// The event as WooCommerce writes it (`X-WC-Webhook-Event`).
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Created => "created",
            Event::Updated => "updated",
            Event::Deleted => "deleted",
            Event::Restored => "restored",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of the ten topics the plugin registers a webhook for
/// (`Segmentflow_WC_Webhooks::WEBHOOK_TOPICS`, in that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// `order.created`.
    OrderCreated,
    /// `order.updated`.
    OrderUpdated,
    /// `order.deleted`.
    OrderDeleted,
    /// `order.restored`.
    OrderRestored,
    /// `customer.created`.
    CustomerCreated,
    /// `customer.updated`.
    CustomerUpdated,
    /// `customer.deleted`.
    CustomerDeleted,
    /// `product.created`.
    ProductCreated,
    /// `product.updated`.
    ProductUpdated,
    /// `product.deleted`.
    ProductDeleted,
}

impl Topic {
    /// The ten topics, in the plugin's registration order.
    pub const ALL: [Topic; 10] = [
        Topic::OrderCreated,
        Topic::OrderUpdated,
        Topic::OrderDeleted,
        Topic::OrderRestored,
        Topic::CustomerCreated,
        Topic::CustomerUpdated,
        Topic::CustomerDeleted,
        Topic::ProductCreated,
        Topic::ProductUpdated,
        Topic::ProductDeleted,
    ];

    /// The topic text, `resource.event` (`X-WC-Webhook-Topic`, column `topic`).
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::OrderCreated => "order.created",
            Topic::OrderUpdated => "order.updated",
            Topic::OrderDeleted => "order.deleted",
            Topic::OrderRestored => "order.restored",
            Topic::CustomerCreated => "customer.created",
            Topic::CustomerUpdated => "customer.updated",
            Topic::CustomerDeleted => "customer.deleted",
            Topic::ProductCreated => "product.created",
            Topic::ProductUpdated => "product.updated",
            Topic::ProductDeleted => "product.deleted",
        }
    }

    /// The resource part.
    pub fn resource(self) -> Resource {
        match self {
            Topic::OrderCreated
            | Topic::OrderUpdated
            | Topic::OrderDeleted
            | Topic::OrderRestored => Resource::Order,
            Topic::CustomerCreated | Topic::CustomerUpdated | Topic::CustomerDeleted => {
                Resource::Customer
            }
            Topic::ProductCreated | Topic::ProductUpdated | Topic::ProductDeleted => {
                Resource::Product
            }
        }
    }

    /// The event part.
    pub fn event(self) -> Event {
        match self {
            Topic::OrderCreated | Topic::CustomerCreated | Topic::ProductCreated => Event::Created,
            Topic::OrderUpdated | Topic::CustomerUpdated | Topic::ProductUpdated => Event::Updated,
            Topic::OrderDeleted | Topic::CustomerDeleted | Topic::ProductDeleted => Event::Deleted,
            Topic::OrderRestored => Event::Restored,
        }
    }

    /// The topic made of `resource` and `event`, if the plugin registers it
    /// (`customer.restored` and `product.restored` are valid WooCommerce topics
    /// but not the plugin's).
    pub fn from_parts(resource: Resource, event: Event) -> Option<Topic> {
        Topic::ALL
            .into_iter()
            .find(|t| t.resource() == resource && t.event() == event)
    }

    /// The webhook name the plugin gives this topic: `Segmentflow: <topic>`.
    pub fn webhook_name(self) -> String {
        format!("{NAME_PREFIX}{}", self.as_str())
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A topic text that is not one of the plugin's ten topics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown webhook topic {topic:?} (expected one of order.*, customer.*, product.* as the Segmentflow plugin registers them)"
)]
pub struct UnknownTopic {
    /// The text that was given.
    pub topic: String,
}

impl FromStr for Topic {
    type Err = UnknownTopic;

    /// Parses the exact topic text (`order.created`); WooCommerce compares
    /// topics case-sensitively, and so does this.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Topic::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownTopic {
                topic: s.to_owned(),
            })
    }
}

impl Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Topic {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The REST API version a webhook's payloads are built with.
///
/// WooCommerce stores it in the `api_version` smallint column: `-1` for
/// `legacy_v3`, `1`/`2`/`3` for `wp_api_v1/v2/v3`. The plugin registers
/// `wp_api_v2`, so Segmentflow receives REST v2 shapes by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiVersion {
    /// `legacy_v3`: the Legacy REST API (removed from WooCommerce 9.0 unless the
    /// legacy plugin is installed; WooCommerce then refuses to deliver).
    LegacyV3,
    /// `wp_api_v1` (`/wc/v1`).
    WpApiV1,
    /// `wp_api_v2` (`/wc/v2`), what the plugin registers.
    WpApiV2,
    /// `wp_api_v3` (`/wc/v3`).
    WpApiV3,
}

/// An `api_version` value WooCommerce cannot deliver with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiVersionError {
    /// A text that is not `legacy_v3` or `wp_api_v1/2/3`.
    #[error(
        "unknown webhook API version {0:?} (expected wp_api_v1, wp_api_v2, wp_api_v3 or legacy_v3)"
    )]
    UnknownName(String),
    /// A column value above 3 (`wp_api_v4` and up do not exist).
    #[error("unknown webhook api_version column value {0} (expected -1, 1, 2 or 3)")]
    UnknownColumn(i64),
}

impl ApiVersion {
    /// The version the plugin registers its webhooks with.
    pub const PLUGIN_DEFAULT: ApiVersion = ApiVersion::WpApiV2;

    /// The name WooCommerce uses (`WC_Webhook::get_api_version`).
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::LegacyV3 => "legacy_v3",
            ApiVersion::WpApiV1 => "wp_api_v1",
            ApiVersion::WpApiV2 => "wp_api_v2",
            ApiVersion::WpApiV3 => "wp_api_v3",
        }
    }

    /// The `api_version` column value
    /// (`WC_Webhook_Data_Store::get_api_version_number`).
    pub fn column_value(self) -> i16 {
        match self {
            ApiVersion::LegacyV3 => -1,
            ApiVersion::WpApiV1 => 1,
            ApiVersion::WpApiV2 => 2,
            ApiVersion::WpApiV3 => 3,
        }
    }

    /// Reads the `api_version` column as WooCommerce does: any value ≤ 0 is
    /// `legacy_v3` (`$version > 0 ? 'wp_api_v' . $version : 'legacy_v3'`);
    /// values above 3 name no existing API and are an error.
    pub fn from_column(value: i64) -> Result<ApiVersion, ApiVersionError> {
        match value {
            i64::MIN..=0 => Ok(ApiVersion::LegacyV3),
            1 => Ok(ApiVersion::WpApiV1),
            2 => Ok(ApiVersion::WpApiV2),
            3 => Ok(ApiVersion::WpApiV3),
            other => Err(ApiVersionError::UnknownColumn(other)),
        }
    }

    /// The REST namespace the payloads come from (`wc/v2`), `None` for the
    /// legacy API.
    pub fn rest_namespace(self) -> Option<&'static str> {
        match self {
            ApiVersion::LegacyV3 => None,
            ApiVersion::WpApiV1 => Some("wc/v1"),
            ApiVersion::WpApiV2 => Some("wc/v2"),
            ApiVersion::WpApiV3 => Some("wc/v3"),
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApiVersion {
    type Err = ApiVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "legacy_v3" => Ok(ApiVersion::LegacyV3),
            "wp_api_v1" => Ok(ApiVersion::WpApiV1),
            "wp_api_v2" => Ok(ApiVersion::WpApiV2),
            "wp_api_v3" => Ok(ApiVersion::WpApiV3),
            other => Err(ApiVersionError::UnknownName(other.to_owned())),
        }
    }
}

impl Serialize for ApiVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A webhook's `status` column as WooCommerce interprets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookStatus {
    /// `active`: delivers.
    Active,
    /// `paused`: set by an administrator; does not deliver.
    Paused,
    /// `disabled`: set by WooCommerce after too many consecutive failed
    /// deliveries (see [`delivery::after_delivery`]); does not deliver.
    Disabled,
}

impl WebhookStatus {
    /// The column text.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookStatus::Active => "active",
            WebhookStatus::Paused => "paused",
            WebhookStatus::Disabled => "disabled",
        }
    }

    /// Reads a `status` column the way `WC_Webhook::set_status` does: any
    /// value that is not a known status becomes `disabled`.
    pub fn from_column(value: &str) -> WebhookStatus {
        match value {
            "active" => WebhookStatus::Active,
            "paused" => WebhookStatus::Paused,
            _ => WebhookStatus::Disabled,
        }
    }
}

impl fmt::Display for WebhookStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A webhook secret (the `secret` column; the `segmentflow_webhook_secret`
/// option). `Debug` and `Serialize` show it masked (`whse…cr3t`); use
/// [`WebhookSecret::expose`] to reach the value.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// Wraps a secret exactly as stored (entities and all).
    pub fn new(secret: impl Into<String>) -> Self {
        WebhookSecret(secret.into())
    }

    /// The secret as stored.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (the plugin registers nothing then).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The masked form shown in logs and output: the first and last four
    /// characters of a secret of at least 12 characters, otherwise only `…`
    /// (or `(empty)`).
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks a secret for display: `abcd…wxyz` when it has at least 12
/// characters, `…` when shorter, `(empty)` when empty.
pub(crate) fn mask(secret: &str) -> String {
    let count = secret.chars().count();
    if count == 0 {
        return "(empty)".to_owned();
    }
    if count < 12 {
        return "…".to_owned();
    }
    let head: String = secret.chars().take(4).collect();
    let tail: String = secret.chars().skip(count - 4).collect();
    format!("{head}…{tail}")
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookSecret({})", self.masked())
    }
}

impl Serialize for WebhookSecret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip_and_split() {
        let cases: [(&str, Resource, Event); 10] = [
            ("order.created", Resource::Order, Event::Created),
            ("order.updated", Resource::Order, Event::Updated),
            ("order.deleted", Resource::Order, Event::Deleted),
            ("order.restored", Resource::Order, Event::Restored),
            ("customer.created", Resource::Customer, Event::Created),
            ("customer.updated", Resource::Customer, Event::Updated),
            ("customer.deleted", Resource::Customer, Event::Deleted),
            ("product.created", Resource::Product, Event::Created),
            ("product.updated", Resource::Product, Event::Updated),
            ("product.deleted", Resource::Product, Event::Deleted),
        ];
        for (i, (text, resource, event)) in cases.into_iter().enumerate() {
            let topic: Topic = text.parse().expect(text);
            assert_eq!(topic, Topic::ALL[i], "{text}: plugin order");
            assert_eq!(topic.as_str(), text);
            assert_eq!(topic.resource(), resource, "{text}");
            assert_eq!(topic.event(), event, "{text}");
            assert_eq!(
                format!("{}.{}", topic.resource(), topic.event()),
                text,
                "parts join back"
            );
            assert_eq!(Topic::from_parts(resource, event), Some(topic));
            assert_eq!(topic.webhook_name(), format!("Segmentflow: {text}"));
        }
    }

    #[test]
    fn unknown_topics_are_rejected() {
        for text in [
            "",
            "order",
            "Order.created",
            "coupon.created",
            "customer.restored",
            "product.restored",
            "order.created ",
            "action.woocommerce_new_order",
        ] {
            let err = text.parse::<Topic>().expect_err(text);
            assert_eq!(err.topic, text);
        }
        assert_eq!(Topic::from_parts(Resource::Customer, Event::Restored), None);
    }

    #[test]
    fn api_version_names_and_columns() {
        let cases = [
            ("legacy_v3", -1, ApiVersion::LegacyV3),
            ("wp_api_v1", 1, ApiVersion::WpApiV1),
            ("wp_api_v2", 2, ApiVersion::WpApiV2),
            ("wp_api_v3", 3, ApiVersion::WpApiV3),
        ];
        for (name, column, version) in cases {
            assert_eq!(name.parse::<ApiVersion>(), Ok(version));
            assert_eq!(version.as_str(), name);
            assert_eq!(version.column_value(), column);
            assert_eq!(ApiVersion::from_column(column.into()), Ok(version));
        }
        // WooCommerce reads every non-positive value as legacy_v3.
        assert_eq!(ApiVersion::from_column(0), Ok(ApiVersion::LegacyV3));
        assert_eq!(ApiVersion::from_column(-7), Ok(ApiVersion::LegacyV3));
        assert_eq!(
            ApiVersion::from_column(4),
            Err(ApiVersionError::UnknownColumn(4))
        );
        assert!("wp_api_v4".parse::<ApiVersion>().is_err());
        assert!("v2".parse::<ApiVersion>().is_err());
        assert_eq!(ApiVersion::PLUGIN_DEFAULT.rest_namespace(), Some("wc/v2"));
        assert_eq!(ApiVersion::LegacyV3.rest_namespace(), None);
    }

    #[test]
    fn status_column_is_read_like_woocommerce() {
        let cases = [
            ("active", WebhookStatus::Active),
            ("paused", WebhookStatus::Paused),
            ("disabled", WebhookStatus::Disabled),
            ("", WebhookStatus::Disabled),
            ("Active", WebhookStatus::Disabled),
            ("publish", WebhookStatus::Disabled),
        ];
        for (text, status) in cases {
            assert_eq!(WebhookStatus::from_column(text), status, "{text:?}");
        }
    }

    #[test]
    fn secrets_are_masked() {
        let cases = [
            ("", "(empty)"),
            ("short", "…"),
            ("elevenchars", "…"),
            ("twelve_chars", "twel…hars"),
            ("segmentflow-acceptance-secret-wp_accept", "segm…cept"),
            ("ééééxxxxüüüü", "éééé…üüüü"),
        ];
        for (secret, masked) in cases {
            let s = WebhookSecret::new(secret);
            assert_eq!(s.masked(), masked, "{secret:?}");
            let debug = format!("{s:?}");
            assert_eq!(debug, format!("WebhookSecret({masked})"));
            if secret.len() >= 12 {
                assert!(!debug.contains(secret));
            }
            assert_eq!(
                serde_json::to_string(&s).expect("serializes"),
                serde_json::to_string(masked).expect("serializes")
            );
            assert_eq!(s.expose(), secret);
        }
    }
}
