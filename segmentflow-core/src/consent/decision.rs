//! The consent decisions the plugin takes, as pure functions.
//!
//! Inputs are plain values: the "Require Consent" setting, the parsed cookies,
//! optionally the WP Consent API's answers, and (for writes) the clock and
//! random bytes. The rules, from `Segmentflow_Consent_Cookie`,
//! `Segmentflow_Identity_Cookie`, the two server-event classes and
//! `src/consent.ts` (v2.4.0):
//!
//! * **Browser gate.** `idle` until it reads `sf_consent`; no cookie ⇒
//!   `queuing` (browse events — `product_viewed`, `cart_viewed`,
//!   `checkout_started` — and every `page` call wait in memory); analytics
//!   granted ⇒ `live`; denied ⇒ `withdrawn` (dropped). `identify` and other
//!   track events always pass. The gate reads only the cookie: the "Require
//!   Consent" setting is handed to the CDN SDK as `consentRequired`, whose
//!   behaviour is not part of the plugin's source.
//! * **May the SDK track** ([`tracking_decision`]). Our combined rule: a
//!   recorded `sf_consent` decision wins; without one, the WP Consent API's
//!   answer (if the embedder has one — our extension, see
//!   [`super::wp_consent_api`]); without either, tracking is allowed only
//!   when consent is not required.
//! * **Identity cookie.** PHP writes or merges `sf_id` only once *some*
//!   decision is recorded (`is_set()`), whether granted or denied; it never
//!   mints an anonymous id before that. The browser writes `sf_id` on grant
//!   and deletes it (and `sf_utm`) on denial.
//! * **Ingest `consent` block.** `{"analytics": bool, "marketing": bool}` is
//!   attached to a server-side batch only when `sf_consent` exists.
//! * **Server events without consent.** Events for a confirmed user action
//!   (registration, login, approved comment, form submission, checkout) fire
//!   even without `sf_id`, anchored on the prefixed user id or the email
//!   (GDPR Art. 6 legitimate interest / contract); cart events need `sf_id`.

use serde_json::{Map, Value};

use super::cookie::{ConsentCookie, IdCookie, IdField, Side};
use super::set_cookie::SetCookie;
use super::uuid::uuid_v7;
use super::wp_consent_api::WpConsentAnswers;
use super::{BROWSE_EVENTS, ConsentFlags};

/// The browser consent gate's state (`ConsentState` in `src/consent.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GateState {
    /// Before `init()` has read the cookie.
    Idle,
    /// No decision yet: browse events wait in memory.
    Queuing,
    /// Analytics granted: events flow to the SDK.
    Live,
    /// Analytics denied or revoked: browse events are dropped.
    Withdrawn,
}

impl GateState {
    /// The state name as the bundle spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Queuing => "queuing",
            Self::Live => "live",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The state `init()` reaches from the cookie it reads.
    pub fn after_init(consent: Option<&ConsentCookie>) -> Self {
        match consent {
            None => Self::Queuing,
            Some(c) if c.analytics_granted() => Self::Live,
            Some(_) => Self::Withdrawn,
        }
    }

    /// The state `setConsent(flags)` moves to.
    pub fn after_set_consent(flags: ConsentFlags) -> Self {
        if flags.analytics {
            Self::Live
        } else {
            Self::Withdrawn
        }
    }

    /// What happens to a `track(event)` call in this state.
    pub fn track(self, event: &str) -> Disposition {
        if BROWSE_EVENTS.contains(&event) {
            self.browse()
        } else {
            Disposition::Send
        }
    }

    /// What happens to a `page()` call in this state (pages are browse events).
    pub fn page(self) -> Disposition {
        self.browse()
    }

    fn browse(self) -> Disposition {
        match self {
            Self::Queuing => Disposition::Queue,
            Self::Withdrawn => Disposition::Drop,
            // `idle` never sees calls in practice; the bundle forwards them.
            Self::Idle | Self::Live => Disposition::Send,
        }
    }
}

/// What the gate does with one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// Passed to the CDN SDK now.
    Send,
    /// Held in memory until a decision (flushed on grant, dropped on denial).
    Queue,
    /// Silently discarded.
    Drop,
}

/// What decided [`TrackingDecision::may_track`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionBasis {
    /// The visitor's `sf_consent` cookie.
    ConsentCookie,
    /// The WP Consent API's `statistics` answer (no `sf_consent` yet).
    WpConsentApi,
    /// Consent is required and no decision exists yet.
    AwaitingDecision,
    /// The site does not require consent.
    ConsentNotRequired,
}

/// Whether the storefront may record browse/page analytics for a visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrackingDecision {
    /// Browse and page events may be recorded.
    pub may_track: bool,
    /// Marketing-tier use is allowed.
    pub may_market: bool,
    /// The browser gate's state after `init()`.
    pub gate: GateState,
    /// Which input decided `may_track`.
    pub basis: DecisionBasis,
}

/// Decides whether a visitor may be tracked (see the module docs for the rule).
pub fn tracking_decision(
    consent_required: bool,
    consent: Option<&ConsentCookie>,
    wp_consent_api: Option<&WpConsentAnswers>,
) -> TrackingDecision {
    let gate = GateState::after_init(consent);
    let (flags, basis) = match (consent, wp_consent_api) {
        (Some(c), _) => (c.flags(), DecisionBasis::ConsentCookie),
        (None, Some(wp)) => (wp.flags(), DecisionBasis::WpConsentApi),
        (None, None) if consent_required => (
            ConsentFlags {
                analytics: false,
                marketing: false,
            },
            DecisionBasis::AwaitingDecision,
        ),
        (None, None) => (
            ConsentFlags {
                analytics: true,
                marketing: true,
            },
            DecisionBasis::ConsentNotRequired,
        ),
    };
    TrackingDecision {
        may_track: flags.analytics,
        may_market: flags.marketing,
        gate,
        basis,
    }
}

/// Whether PHP may write or merge the `sf_id` cookie
/// (`Segmentflow_Identity_Cookie::write()` is a no-op until a consent
/// decision, granted or denied, is recorded).
pub fn php_may_write_identity_cookie(consent: Option<&ConsentCookie>) -> bool {
    consent.is_some()
}

/// What the browser gate does to its cookies on `setConsent(flags)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BrowserCookieAction {
    /// Analytics granted: keep `sf_id` or mint one (`{"a": uuid}`, 1 year),
    /// then flush the queue.
    EnsureIdentity,
    /// Analytics denied: delete `sf_id` and `sf_utm`, drop the queue.
    DeleteIdentityAndUtm,
}

/// The browser's `sf_id` / `sf_utm` handling for a banner decision (the
/// `sf_consent` cookie itself is written in both cases).
pub fn browser_cookie_action(flags: ConsentFlags) -> BrowserCookieAction {
    if flags.analytics {
        BrowserCookieAction::EnsureIdentity
    } else {
        BrowserCookieAction::DeleteIdentityAndUtm
    }
}

/// The result of `ensure_anonymous_id()`, run by PHP early on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnonymousId {
    /// The visitor already has one.
    Existing(String),
    /// A new id was minted and the cookie is (re)written with it.
    Minted {
        /// The new UUIDv7.
        id: String,
        /// The merged cookie members PHP writes.
        members: Map<String, Value>,
    },
    /// No consent decision yet: nothing is minted (the plugin returns `''`).
    Refused,
}

impl AnonymousId {
    /// The id, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Existing(id) | Self::Minted { id, .. } => Some(id),
            Self::Refused => None,
        }
    }

    /// The `Set-Cookie` PHP sends, if it writes one.
    pub fn set_cookie(&self, is_https: bool) -> Option<SetCookie> {
        match self {
            Self::Minted { members, .. } => IdCookie::set_cookie(members, Side::Php, is_https).ok(),
            Self::Existing(_) | Self::Refused => None,
        }
    }
}

/// PHP `ensure_anonymous_id()`: keep an existing `a`, otherwise mint a UUIDv7
/// from `now_ms` and `random` — but only once a consent decision exists.
pub fn ensure_anonymous_id(
    identity: Option<&IdCookie>,
    consent: Option<&ConsentCookie>,
    now_ms: u64,
    random: [u8; 10],
) -> AnonymousId {
    if let Some(existing) = identity
        .and_then(|c| c.get(IdField::AnonymousId))
        .filter(|a| super::cookie::truthy(a, Side::Php))
    {
        let text = match existing {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return AnonymousId::Existing(text);
    }
    if !php_may_write_identity_cookie(consent) {
        return AnonymousId::Refused;
    }
    let id = uuid_v7(now_ms, random);
    let members = IdCookie::merged(identity, &[(IdField::AnonymousId, id.as_str())]);
    AnonymousId::Minted { id, members }
}

/// The `consent` member of a server-side ingest batch: present only when an
/// `sf_consent` cookie exists.
///
/// ```
/// use segmentflow_core::consent::{ingest_consent, ConsentCookie};
/// let block = ingest_consent(Some(&ConsentCookie::new(true, false))).map(|f| f.to_json());
/// assert_eq!(block, Some(serde_json::json!({"analytics": true, "marketing": false})));
/// assert_eq!(ingest_consent(None), None);
/// ```
pub fn ingest_consent(consent: Option<&ConsentCookie>) -> Option<ConsentFlags> {
    consent.map(ConsentCookie::flags)
}

/// The legal ground the plugin relies on for a server-side event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LawfulBasis {
    /// A confirmed user action (GDPR Art. 6(1)(f)).
    LegitimateInterest,
    /// Performance of a contract: placing an order (Art. 6(1)(b)).
    Contract,
    /// Needs the visitor's `sf_id`, which exists only after a consent decision.
    CookieAnchor,
}

/// The server-side events the plugin sends from PHP hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerEvent {
    /// `user_register` → identify + `user_registered`.
    UserRegistered,
    /// `wp_login` → identify.
    Login,
    /// `wp_insert_comment` (approved, not an order note) → identify (with an
    /// email) + `comment_posted`.
    CommentPosted,
    /// `wpcf7_mail_sent` / `elementor_pro/forms/new_record` → identify (with
    /// an email) + `form_submission`.
    FormSubmission,
    /// `woocommerce_checkout_order_processed` → identify from billing data.
    CheckoutIdentify,
    /// `woocommerce_add_to_cart` → `add_to_cart`.
    AddToCart,
    /// `woocommerce_cart_item_removed` → `remove_from_cart`.
    RemoveFromCart,
}

impl ServerEvent {
    /// Every server event, in the order the plugin documents them.
    pub const ALL: [Self; 7] = [
        Self::UserRegistered,
        Self::Login,
        Self::CommentPosted,
        Self::FormSubmission,
        Self::CheckoutIdentify,
        Self::AddToCart,
        Self::RemoveFromCart,
    ];

    /// The WordPress action that triggers it.
    pub fn hook(self) -> &'static str {
        match self {
            Self::UserRegistered => "user_register",
            Self::Login => "wp_login",
            Self::CommentPosted => "wp_insert_comment",
            Self::FormSubmission => "wpcf7_mail_sent | elementor_pro/forms/new_record",
            Self::CheckoutIdentify => "woocommerce_checkout_order_processed",
            Self::AddToCart => "woocommerce_add_to_cart",
            Self::RemoveFromCart => "woocommerce_cart_item_removed",
        }
    }

    /// The ground the plugin relies on.
    pub fn basis(self) -> LawfulBasis {
        match self {
            Self::UserRegistered | Self::Login | Self::CommentPosted | Self::FormSubmission => {
                LawfulBasis::LegitimateInterest
            }
            Self::CheckoutIdentify => LawfulBasis::Contract,
            Self::AddToCart | Self::RemoveFromCart => LawfulBasis::CookieAnchor,
        }
    }

    /// Whether the event is sent without an `sf_id` cookie (given the hook
    /// supplies an email or user id where the event has one).
    pub fn sent_without_identity_cookie(self) -> bool {
        self.basis() != LawfulBasis::CookieAnchor
    }
}

/// The identity a server event is sent with (`anonymousId`/`userId` of the
/// ingest item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerIdentity {
    /// `anonymousId` (from `sf_id.a`).
    pub anonymous_id: Option<String>,
    /// `userId`: the cookie's `u`, the hook's prefixed user id, or the email.
    pub user_id: Option<String>,
    /// The email the identity carries.
    pub email: Option<String>,
    /// Whether it came from the `sf_id` cookie.
    pub from_cookie: bool,
}

/// PHP `resolve_identity( $hook_email, $hook_user_id )`: the `sf_id` cookie
/// when it has an anonymous id; otherwise the hook's prefixed user id, then
/// its email (which also becomes the `userId` when there is no user id);
/// `None` when neither gives an anchor — the event is then not sent.
pub fn resolve_server_identity(
    identity: Option<&IdCookie>,
    hook_email: Option<&str>,
    hook_user_id: Option<&str>,
) -> Option<ServerIdentity> {
    if let Some(c) = identity.filter(|c| {
        c.get(IdField::AnonymousId)
            .is_some_and(|a| super::cookie::truthy(a, Side::Php))
    }) {
        let text = |f: IdField| {
            c.get(f)
                .filter(|v| super::cookie::truthy(v, Side::Php))
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        };
        return Some(ServerIdentity {
            anonymous_id: text(IdField::AnonymousId),
            user_id: text(IdField::UserId),
            email: text(IdField::Email),
            from_cookie: true,
        });
    }
    let user_id = hook_user_id.filter(|u| !u.is_empty() && *u != "0");
    let email = hook_email.filter(|e| is_email(e));
    let anchor = user_id.or(email)?;
    Some(ServerIdentity {
        anonymous_id: None,
        user_id: Some(anchor.to_owned()),
        email: email.map(str::to_owned),
        from_cookie: false,
    })
}

/// WordPress's `is_email()` rules (without the DNS-free filters): at least
/// six characters, an `@` after the first character, a local part of
/// `[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]`, and a domain of two or more
/// dot-separated labels of `[A-Za-z0-9-]` with no `..`, no leading/trailing
/// dot and no label starting or ending with `-`.
pub fn is_email(email: &str) -> bool {
    if email.len() < 6 {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty() {
        return false;
    }
    let local_ok = local
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
    if !local_ok || domain.contains("..") {
        return false;
    }
    let trim_set = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\x0b' | '.');
    if domain.trim_matches(trim_set) != domain {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
#[allow(clippy::type_complexity)] // case tables are tuples on purpose
mod tests {
    use super::*;
    use crate::consent::WpConsentAnswers;
    use serde_json::json;

    fn yes_no(a: bool, m: bool) -> ConsentCookie {
        ConsentCookie::new(a, m)
    }

    #[test]
    fn tracking_decision_table() {
        let granted = yes_no(true, false);
        let denied = yes_no(false, true);
        let wp_stats = WpConsentAnswers {
            statistics: true,
            ..WpConsentAnswers::default()
        };
        use DecisionBasis as B;
        use GateState::*;
        let cases: [(
            bool,
            Option<&ConsentCookie>,
            Option<&WpConsentAnswers>,
            bool,
            bool,
            GateState,
            DecisionBasis,
        ); 8] = [
            (
                false,
                None,
                None,
                true,
                true,
                Queuing,
                B::ConsentNotRequired,
            ),
            (true, None, None, false, false, Queuing, B::AwaitingDecision),
            (
                true,
                Some(&granted),
                None,
                true,
                false,
                Live,
                B::ConsentCookie,
            ),
            (
                false,
                Some(&denied),
                None,
                false,
                true,
                Withdrawn,
                B::ConsentCookie,
            ),
            (
                true,
                None,
                Some(&wp_stats),
                true,
                false,
                Queuing,
                B::WpConsentApi,
            ),
            (
                false,
                None,
                Some(&WpConsentAnswers::default()),
                false,
                false,
                Queuing,
                B::WpConsentApi,
            ),
            // The cookie wins over the WP Consent API.
            (
                true,
                Some(&denied),
                Some(&wp_stats),
                false,
                true,
                Withdrawn,
                B::ConsentCookie,
            ),
            (
                true,
                Some(&granted),
                Some(&WpConsentAnswers::default()),
                true,
                false,
                Live,
                B::ConsentCookie,
            ),
        ];
        for (required, cookie, wp, may_track, may_market, gate, basis) in cases {
            let d = tracking_decision(required, cookie, wp);
            assert_eq!(
                (d.may_track, d.may_market, d.gate, d.basis),
                (may_track, may_market, gate, basis),
                "required={required} cookie={cookie:?} wp={wp:?}"
            );
        }
    }

    #[test]
    fn gate_dispositions() {
        use Disposition::*;
        let cases = [
            (GateState::Queuing, "product_viewed", Queue),
            (GateState::Queuing, "form_submission", Send),
            (GateState::Withdrawn, "cart_viewed", Drop),
            (GateState::Withdrawn, "consent_withdrawn", Send),
            (GateState::Live, "checkout_started", Send),
        ];
        for (state, event, want) in cases {
            assert_eq!(state.track(event), want, "{} {event}", state.as_str());
        }
        assert_eq!(GateState::Queuing.page(), Queue);
        assert_eq!(GateState::Withdrawn.page(), Drop);
        assert_eq!(GateState::Live.page(), Send);
        assert_eq!(
            GateState::after_set_consent(ConsentFlags {
                analytics: false,
                marketing: true
            }),
            GateState::Withdrawn
        );
    }

    #[test]
    fn anonymous_id_is_minted_only_after_a_decision() {
        let random = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        let now = 1_700_000_000_000;
        assert_eq!(
            ensure_anonymous_id(None, None, now, random),
            AnonymousId::Refused
        );
        assert_eq!(AnonymousId::Refused.set_cookie(true), None);

        // A denial is still a decision: PHP mints (the browser would not).
        let denied = yes_no(false, false);
        let minted = ensure_anonymous_id(None, Some(&denied), now, random);
        assert_eq!(minted.id(), Some("018bcfe5-6800-7001-8203-040506070809"));
        let cookie = minted.set_cookie(false).expect("php writes");
        assert_eq!(cookie.lifetime, 63_072_000);
        assert_eq!(
            cookie.render(0),
            "sf_id=eyJhIjoiMDE4YmNmZTUtNjgwMC03MDAxLTgyMDMtMDQwNTA2MDcwODA5In0%3D; \
             expires=Sat, 01 Jan 1972 00:00:00 GMT; Max-Age=63072000; path=/; SameSite=Lax"
        );

        let existing = IdCookie::new("kept");
        assert_eq!(
            ensure_anonymous_id(Some(&existing), None, now, random),
            AnonymousId::Existing("kept".into())
        );
        assert!(!php_may_write_identity_cookie(None));
        assert!(php_may_write_identity_cookie(Some(&denied)));
    }

    #[test]
    fn browser_cookie_actions() {
        let cases = [
            (true, false, BrowserCookieAction::EnsureIdentity),
            (true, true, BrowserCookieAction::EnsureIdentity),
            (false, true, BrowserCookieAction::DeleteIdentityAndUtm),
            (false, false, BrowserCookieAction::DeleteIdentityAndUtm),
        ];
        for (analytics, marketing, want) in cases {
            assert_eq!(
                browser_cookie_action(ConsentFlags {
                    analytics,
                    marketing
                }),
                want
            );
        }
    }

    #[test]
    fn ingest_consent_block() {
        let cases = [
            (None, None),
            (
                Some(yes_no(true, true)),
                Some(json!({"analytics": true, "marketing": true})),
            ),
            (
                Some(ConsentCookie {
                    analytics: None,
                    marketing: Some(true),
                }),
                Some(json!({"analytics": false, "marketing": true})),
            ),
        ];
        for (cookie, want) in cases {
            assert_eq!(ingest_consent(cookie.as_ref()).map(|f| f.to_json()), want);
        }
    }

    #[test]
    fn server_identity_table() {
        let with_anon = IdCookie::decode(
            &base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                r#"{"a":"anon-1","u":"wc_9","e":"c@x.io"}"#,
            ),
            Side::Php,
        )
        .expect("valid");
        let cases: [(
            Option<&IdCookie>,
            Option<&str>,
            Option<&str>,
            Option<(Option<&str>, Option<&str>, bool)>,
        ); 6] = [
            // Cookie present: it wins over the hook's data.
            (
                Some(&with_anon),
                Some("b@x.io"),
                Some("wc_1"),
                Some((Some("anon-1"), Some("wc_9"), true)),
            ),
            // No cookie: prefixed user id.
            (
                None,
                Some("b@x.io"),
                Some("wp_1"),
                Some((None, Some("wp_1"), false)),
            ),
            // No cookie, guest: the email becomes the userId.
            (
                None,
                Some("b@x.io"),
                None,
                Some((None, Some("b@x.io"), false)),
            ),
            // Invalid email and no user id: nothing is sent.
            (None, Some("not-an-email"), None, None),
            // Cart events pass neither: they need the cookie.
            (None, None, None, None),
            (
                Some(&with_anon),
                None,
                None,
                Some((Some("anon-1"), Some("wc_9"), true)),
            ),
        ];
        for (cookie, email, user, want) in cases {
            let got = resolve_server_identity(cookie, email, user);
            let got = got.as_ref().map(|i| {
                (
                    i.anonymous_id.as_deref(),
                    i.user_id.as_deref(),
                    i.from_cookie,
                )
            });
            assert_eq!(got, want, "{email:?} {user:?}");
        }
    }

    #[test]
    fn server_event_bases() {
        let without_cookie: Vec<&str> = ServerEvent::ALL
            .into_iter()
            .filter(|e| e.sent_without_identity_cookie())
            .map(ServerEvent::hook)
            .collect();
        assert_eq!(
            without_cookie,
            [
                "user_register",
                "wp_login",
                "wp_insert_comment",
                "wpcf7_mail_sent | elementor_pro/forms/new_record",
                "woocommerce_checkout_order_processed"
            ]
        );
        assert_eq!(ServerEvent::CheckoutIdentify.basis(), LawfulBasis::Contract);
    }

    #[test]
    fn is_email_table() {
        let cases = [
            ("a@b.co", true),
            ("first.last+tag@example.co.uk", true),
            ("a@b.c", false),
            ("@example.com", false),
            ("ab@example", false),
            ("ab@ex..ample.com", false),
            ("ab@-example.com", false),
            ("a b@example.com", false),
            ("ab@example.com.", false),
        ];
        for (email, want) in cases {
            assert_eq!(is_email(email), want, "{email}");
        }
    }
}
