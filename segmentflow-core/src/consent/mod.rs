//! Consent: the "Require Consent" rules and the `sf_consent` / `sf_id`
//! cookies, as a Rust embedder can call them.
//!
//! The Segmentflow Connect plugin records a visitor's decision in a
//! first-party `sf_consent` cookie with two categories, analytics (`a`) and
//! marketing (`m`), and the visitor's identity in `sf_id` (`a` anonymous id,
//! `u` user id, `e` email, `p` phone). Its PHP half and its storefront bundle
//! both read and write them, so every format here is reproduced byte for byte
//! and every reader rule for both sides ([`Side`]). Decisions are pure
//! functions of the "Require Consent" setting, the parsed cookies, the WP
//! Consent API's answers if any, and the clock/random bytes passed in.
//!
//! ```
//! use segmentflow_core::consent::{self, ConsentState, Side};
//!
//! // The raw value from the visitor's `Cookie:` header, as PHP wrote it.
//! let state = ConsentState::read(Some("eyJhIjoxLCJtIjowfQ=="), Side::Php);
//! let decision = consent::tracking_decision(true, state.decision(), None);
//! assert!(decision.may_track);
//! assert_eq!(decision.gate.as_str(), "live");
//! // A server-side batch carries the decision along.
//! let block = consent::ingest_consent(state.decision()).map(|f| f.to_json());
//! assert_eq!(block, Some(serde_json::json!({"analytics": true, "marketing": false})));
//! ```
//!
//! Version note: this models v2.4.0 (the queuing gate that mints `sf_id` on
//! grant). Later commits in the plugin's repository (the identified-ingest
//! plan) turn the gate into a permission-only `pending`/`live`/`withdrawn`
//! machine that never creates `sf_id`; the cookie formats are unchanged.

mod cookie;
mod decision;
mod set_cookie;
mod uuid;
pub mod wp_consent_api;

pub use cookie::{
    ConsentCookie, ConsentState, CookieError, IdCookie, IdField, IdentityRead, IdentitySource,
    Side, decode_wire_value, encode_wire_value, read_identity, sanitize_text_field, truthy,
};
pub use decision::{
    AnonymousId, BrowserCookieAction, DecisionBasis, Disposition, GateState, LawfulBasis,
    ServerEvent, ServerIdentity, TrackingDecision, browser_cookie_action, ensure_anonymous_id,
    ingest_consent, is_email, php_may_write_identity_cookie, resolve_server_identity,
    tracking_decision,
};
pub use set_cookie::SetCookie;
pub use uuid::{UuidError, is_uuid_v7, parse_uuid_v7, uuid_v7};
pub use wp_consent_api::{WpConsentAnswers, WpConsentCategory};

/// Name of the consent cookie.
pub const CONSENT_COOKIE: &str = "sf_consent";
/// Name of the identity cookie.
pub const ID_COOKIE: &str = "sf_id";
/// Legacy anonymous-id cookie, read only as a migration fallback.
pub const LEGACY_ANON_COOKIE: &str = "sf_anon_id";
/// Legacy user-id cookie, read only with [`LEGACY_ANON_COOKIE`].
pub const LEGACY_USER_COOKIE: &str = "sf_user_id";
/// First-touch UTM cookie (URL-encoded JSON), deleted on consent withdrawal.
pub const UTM_COOKIE: &str = "sf_utm";
/// `sf_consent` lifetime, both sides: 1 year.
pub const CONSENT_COOKIE_LIFETIME: i64 = 31_536_000;
/// `sf_id` lifetime when PHP writes it: 2 years.
pub const ID_COOKIE_LIFETIME_PHP: i64 = 63_072_000;
/// `sf_id` lifetime when the browser writes it: 1 year.
pub const ID_COOKIE_LIFETIME_BROWSER: i64 = 31_536_000;
/// Track events the browser gate treats as browsing (with every `page` call).
pub const BROWSE_EVENTS: [&str; 3] = ["product_viewed", "cart_viewed", "checkout_started"];
/// Telemetry events the browser gate emits.
pub const TELEMETRY_EVENTS: [&str; 3] = [
    "consent_granted",
    "consent_withdrawn",
    "consent_queue_flushed",
];

/// One of the plugin's two consent categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// `analytics` (`a`).
    Analytics,
    /// `marketing` (`m`).
    Marketing,
}

impl Category {
    /// The category name (`has_consent( 'analytics' )`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Analytics => "analytics",
            Self::Marketing => "marketing",
        }
    }

    /// The short key in the cookie.
    pub fn cookie_key(self) -> &'static str {
        match self {
            Self::Analytics => "a",
            Self::Marketing => "m",
        }
    }
}

/// Granted/denied for both categories: the ingest batch's `consent` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConsentFlags {
    /// Analytics granted.
    pub analytics: bool,
    /// Marketing granted.
    pub marketing: bool,
}

impl ConsentFlags {
    /// `{"analytics": bool, "marketing": bool}` in the plugin's key order.
    pub fn to_json(self) -> serde_json::Value {
        serde_json::json!({"analytics": self.analytics, "marketing": self.marketing})
    }
}

/// Which platform prefix a WordPress user id gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Plain WordPress: `wp_<id>`.
    WordPress,
    /// WooCommerce active: `wc_<id>`.
    WooCommerce,
}

/// The plugin's external user id for a WordPress user (`wc_42` / `wp_42`).
/// Tracking picks the platform from the WooCommerce context, server events
/// from whether WooCommerce is active, and checkout always uses `wc_`.
pub fn prefixed_user_id(wp_user_id: u64, platform: Platform) -> String {
    match platform {
        Platform::WordPress => format!("wp_{wp_user_id}"),
        Platform::WooCommerce => format!("wc_{wp_user_id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(prefixed_user_id(42, Platform::WooCommerce), "wc_42");
        assert_eq!(prefixed_user_id(7, Platform::WordPress), "wp_7");
        assert_eq!(Category::Analytics.cookie_key(), "a");
        assert_eq!(Category::Marketing.as_str(), "marketing");
    }
}
