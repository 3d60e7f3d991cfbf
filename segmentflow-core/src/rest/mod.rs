//! WooCommerce's REST API JSON for the store's records, as its webhooks
//! deliver it.
//!
//! Each `to_json` maps a [`crate::store`] record to the `serde_json::Value`
//! WooCommerce's controllers build for `GET /wc/v{2,3}/<resource>/<id>`
//! (view context, as an administrator), with object keys in WooCommerce's
//! order and `_links` as the webhook payload carries them.
//! [`webhook_body`] then gives the exact bytes WooCommerce signs and sends
//! (`trim( wp_json_encode( $payload ) )`).
//!
//! ```
//! use segmentflow_core::rest::{self, ApiVersion};
//! use segmentflow_core::store::{CustomerRecord, Site};
//!
//! let site = Site { home_url: "https://shop.example".into(), permalink_structure: "/%postname%/".into(), ..Site::default() };
//! let customer = CustomerRecord { id: 7, user_login: "ana".into(), user_email: "ana@example.test".into(), ..CustomerRecord::default() };
//! let json = rest::customer::to_json(&customer, &site, ApiVersion::V2);
//! assert_eq!(json["orders_count"], 0);
//! assert!(rest::webhook_body(&json).contains(r#""href":"https:\/\/shop.example\/wp-json\/wc\/v2\/customers\/7""#));
//! ```
//!
//! Values that do not follow from the database alone, and how they are
//! handled:
//!
//! * "now": sale windows (`on_sale`, the active price) and the v2
//!   placeholder image dates use [`Site::now_gmt`]; without it sale windows
//!   count as open. Local twins of dates use the site timezone at mapping
//!   time, as WooCommerce does at response time.
//! * `related_ids`: WooCommerce shuffles its cached candidates on every
//!   request; the record carries the ids to print.
//! * `_links` hosts and `avatar_url`'s scheme: from [`Site::home_url`] and
//!   [`Site::is_ssl`] (WooCommerce uses the request's scheme).
//! * `needs_processing`: WooCommerce caches it for a day in a transient; the
//!   mapping computes it from the products as they are now.
//!
//! [`Site::home_url`]: crate::store::Site::home_url
//! [`Site::is_ssl`]: crate::store::Site::is_ssl
//! [`Site::now_gmt`]: crate::store::Site::now_gmt

pub mod content;
pub mod customer;
pub mod format;
pub mod links;
pub mod order;
pub mod product;
pub mod refund;
pub mod variation;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The REST API version a webhook is registered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApiVersion {
    /// `wp_api_v2` (what the Segmentflow plugin registers).
    V2,
    /// `wp_api_v3`.
    V3,
}

impl ApiVersion {
    /// The route namespace (`wc/v2`).
    pub fn namespace(self) -> &'static str {
        match self {
            ApiVersion::V2 => "wc/v2",
            ApiVersion::V3 => "wc/v3",
        }
    }
}

/// The webhook body for a payload: `trim( wp_json_encode( $payload ) )`.
pub fn webhook_body(payload: &Value) -> String {
    crate::wp_json::encode(payload)
}
