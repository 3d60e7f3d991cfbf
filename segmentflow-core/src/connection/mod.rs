//! Connection state and the connect / disconnect flows of the plugin, as
//! pure values.
//!
//! * [`Connection::from_options`] says whether a site is connected, as what,
//!   and whether a WooCommerce upgrade is available.
//! * [`dashboard_connect_url`] starts the interactive flow; the user approves
//!   in the dashboard, which hands back a poll token; [`poll_request`] and
//!   [`parse_poll_response`] turn polling into [`PollOutcome`]s on the
//!   [`POLL_SCHEDULE`]; [`ConnectCredentials::rows_to_write`] gives the
//!   option rows to save.
//! * Hosts connect without prompts by piping JSON to
//!   [`ConnectCredentials::from_input_json`].
//! * Disconnect: remove the webhooks named [`WEBHOOK_NAME_LIKE`], send
//!   [`disconnect_request`] (best-effort), delete [`DISCONNECT_DELETES`].
//!
//! ```
//! use segmentflow_core::connection::{Connection, Platform};
//! use segmentflow_core::options::PluginOptions;
//!
//! let rows: &[(&str, &[u8])] = &[
//!     ("segmentflow_write_key", b"sk_live_abcdef0123456789a1b2"),
//!     ("segmentflow_connected_platform", b"wordpress"),
//! ];
//! let options = PluginOptions::from_rows(rows.iter().copied());
//! // WooCommerce was activated after connecting as plain WordPress.
//! let connection = Connection::from_options(&options, true);
//! assert!(connection.upgrade_available());
//! let Connection::Connected(site) = connection else { unreachable!() };
//! assert_eq!(site.platform, Platform::WordPress);
//! ```

mod api;
mod credentials;
mod urls;

pub use api::{
    ApiRequest, BLOCKING_TIMEOUT, ClientInfo, DISCONNECT_PATH, DisconnectKind, HeaderValue, Method,
    POLL_SCHEDULE, PollOutcome, PollSchedule, STATUS_PATH, UNINSTALL_TIMEOUT, disconnect_request,
    error_text, parse_poll_response, poll_request,
};
pub use api::{CheckOutcome, check_request, parse_check_response};
pub use credentials::{ConnectCredentials, CredentialsError, clean_text};
pub use urls::{
    admin_url, connect_return_url, dashboard_connect_url, rawurlencode, rawurlencode_bytes,
    wc_auth_url,
};

pub use crate::options::{Platform, RecordedPlatform, Secret};

use crate::options::{self, PluginOptions};

/// The connected organization.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Organization {
    /// `segmentflow_organization_id`; empty when unknown.
    pub id: String,
    /// `segmentflow_organization_name`; empty when unknown.
    pub name: String,
}

/// The WooCommerce webhook credentials. `Debug` masks the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookCredentials {
    /// `segmentflow_webhook_secret`.
    pub secret: Secret,
    /// `segmentflow_webhook_delivery_url`.
    pub delivery_url: String,
}

/// A connected site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedSite {
    /// The platform as the plugin shows it (`woocommerce` ⇒ WooCommerce,
    /// anything else, empty included, ⇒ WordPress).
    pub platform: Platform,
    /// What `segmentflow_connected_platform` actually holds.
    pub recorded_platform: RecordedPlatform,
    /// The organization.
    pub organization: Organization,
    /// The write key.
    pub write_key: Secret,
    /// Webhook credentials, when both are stored.
    pub webhook: Option<WebhookCredentials>,
    /// WooCommerce was activated after connecting as plain WordPress: the
    /// recorded platform is `wordpress` and WooCommerce is active now, or the
    /// `segmentflow_wc_upgrade_notice` transient is set.
    pub upgrade_available: bool,
    /// The plugin's WooCommerce tab would ask to reconnect: WooCommerce is
    /// active, its features are enabled, and the site did not connect as
    /// `woocommerce` (empty platform included).
    pub woocommerce_reconnect_suggested: bool,
}

/// Where a site stands with Segmentflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// No write key.
    Disconnected,
    /// The user was sent to the dashboard; polling with this token.
    AwaitingApproval {
        /// The poll token the dashboard handed back.
        poll_token: Secret,
    },
    /// Connected.
    Connected(ConnectedSite),
}

impl Connection {
    /// The stored state of a site. `woocommerce_active` is whether the
    /// WooCommerce plugin is active now. (`AwaitingApproval` exists only
    /// during a connect run; stored options never produce it.)
    pub fn from_options(options: &PluginOptions, woocommerce_active: bool) -> Connection {
        if !options.is_connected() {
            return Connection::Disconnected;
        }
        let recorded = options.connected_platform.clone();
        let webhook = (!options.webhook_secret.is_empty()
            && !options.webhook_delivery_url.is_empty())
        .then(|| WebhookCredentials {
            secret: options.webhook_secret.clone(),
            delivery_url: options.webhook_delivery_url.clone(),
        });
        let upgrade_available = (recorded == RecordedPlatform::WordPress && woocommerce_active)
            || options.wc_upgrade_notice;
        Connection::Connected(ConnectedSite {
            platform: recorded.displayed(),
            woocommerce_reconnect_suggested: woocommerce_active
                && options.wc_enabled
                && recorded != RecordedPlatform::WooCommerce,
            recorded_platform: recorded,
            organization: Organization {
                id: options.organization_id.clone(),
                name: options.organization_name.clone(),
            },
            write_key: options.write_key.clone(),
            webhook,
            upgrade_available,
        })
    }

    /// Whether the site is connected.
    pub fn is_connected(&self) -> bool {
        matches!(self, Connection::Connected(_))
    }

    /// Whether a WooCommerce upgrade of the connection is available (see
    /// [`ConnectedSite::upgrade_available`]); false unless connected.
    pub fn upgrade_available(&self) -> bool {
        matches!(self, Connection::Connected(site) if site.upgrade_available)
    }
}

/// Options the admin "Disconnect" deletes, in the plugin's order.
pub const DISCONNECT_DELETES: [&str; 6] = [
    options::WRITE_KEY,
    options::ORGANIZATION_NAME,
    options::ORGANIZATION_ID,
    options::CONNECTED_PLATFORM,
    options::WEBHOOK_SECRET,
    options::WEBHOOK_DELIVERY_URL,
];

/// Options the plugin's uninstall deletes: every default it creates, then
/// `segmentflow_activated_at`.
pub const UNINSTALL_DELETES: [&str; 12] = [
    options::WRITE_KEY,
    options::ORGANIZATION_NAME,
    options::ORGANIZATION_ID,
    options::API_HOST,
    options::APP_HOST,
    options::DEBUG_MODE,
    options::CONSENT_REQUIRED,
    options::WC_ENABLED,
    options::CONNECTED_PLATFORM,
    options::WEBHOOK_SECRET,
    options::WEBHOOK_DELIVERY_URL,
    options::ACTIVATED_AT,
];

/// Our own options, which a full clean-up removes as well.
pub const OWN_OPTIONS: [&str; 2] = [options::SYNC_STATE, options::LAST_SYNC];

/// The name prefix of the WooCommerce webhooks the plugin registers
/// (`Segmentflow: order.created`, …).
pub const WEBHOOK_NAME_PREFIX: &str = "Segmentflow: ";

/// The SQL `LIKE` pattern selecting those webhooks (`wc_webhooks.name`); the
/// prefix has no `%`, `_` or `\` to escape. Disconnect deletes every row it
/// matches, whatever the status.
pub const WEBHOOK_NAME_LIKE: &str = "Segmentflow: %";

#[cfg(test)]
mod tests {
    use super::*;

    fn options(rows: &[(&str, &[u8])]) -> PluginOptions {
        PluginOptions::from_rows(rows.iter().copied())
    }

    const KEY: &[u8] = b"sk_live_abcdef0123456789a1b2";

    #[test]
    fn disconnected_without_a_write_key() {
        for rows in [
            &[][..],
            &[(options::WRITE_KEY, &b""[..])][..],
            &[(options::WRITE_KEY, &b"0"[..])][..],
            &[(options::CONNECTED_PLATFORM, &b"woocommerce"[..])][..],
        ] {
            let c = Connection::from_options(&options(rows), true);
            assert_eq!(c, Connection::Disconnected);
            assert!(!c.upgrade_available());
        }
    }

    #[test]
    fn platform_and_upgrade_rules() {
        // (stored platform, WooCommerce active, transient, wc_enabled,
        //  shown platform, upgrade available, reconnect suggested)
        type Case = (
            &'static [u8],
            bool,
            bool,
            &'static [u8],
            Platform,
            bool,
            bool,
        );
        let cases: &[Case] = &[
            (
                b"woocommerce",
                true,
                false,
                b"1",
                Platform::WooCommerce,
                false,
                false,
            ),
            (
                b"woocommerce",
                false,
                false,
                b"1",
                Platform::WooCommerce,
                false,
                false,
            ),
            (
                b"wordpress",
                false,
                false,
                b"1",
                Platform::WordPress,
                false,
                false,
            ),
            (
                b"wordpress",
                true,
                false,
                b"1",
                Platform::WordPress,
                true,
                true,
            ),
            (
                b"wordpress",
                true,
                false,
                b"",
                Platform::WordPress,
                true,
                false,
            ),
            (
                b"wordpress",
                false,
                true,
                b"1",
                Platform::WordPress,
                true,
                false,
            ),
            // Empty platform (older plugin versions): shown as WordPress, no
            // upgrade notice (the plugin compares with 'wordpress' exactly),
            // but the WooCommerce tab suggests reconnecting.
            (b"", true, false, b"1", Platform::WordPress, false, true),
            (b"", false, false, b"1", Platform::WordPress, false, false),
            (
                b"WordPress",
                true,
                false,
                b"1",
                Platform::WordPress,
                false,
                true,
            ),
        ];
        for (platform, wc_active, transient, wc_enabled, shown, upgrade, reconnect) in cases {
            let mut rows: Vec<(&str, &[u8])> = vec![
                (options::WRITE_KEY, KEY),
                (options::CONNECTED_PLATFORM, platform),
                (options::WC_ENABLED, wc_enabled),
            ];
            if *transient {
                rows.push((options::WC_UPGRADE_NOTICE_OPTION, b"1"));
            }
            let c = Connection::from_options(&options(&rows), *wc_active);
            let Connection::Connected(site) = &c else {
                panic!("expected connected");
            };
            let label = format!(
                "platform {:?}, wc active {wc_active}, transient {transient}",
                String::from_utf8_lossy(platform)
            );
            assert_eq!(site.platform, *shown, "{label}");
            assert_eq!(c.upgrade_available(), *upgrade, "{label}");
            assert_eq!(site.woocommerce_reconnect_suggested, *reconnect, "{label}");
        }
    }

    #[test]
    fn connected_site_details() {
        let o = options(&[
            (options::WRITE_KEY, KEY),
            (options::ORGANIZATION_ID, b"org_1"),
            (options::ORGANIZATION_NAME, b"Acme"),
            (options::CONNECTED_PLATFORM, b"woocommerce"),
            (options::WEBHOOK_SECRET, b"whsec_0123456789abcdefXYZW"),
            (
                options::WEBHOOK_DELIVERY_URL,
                b"https://api.segmentflow.ai/h",
            ),
        ]);
        let Connection::Connected(site) = Connection::from_options(&o, true) else {
            panic!("expected connected");
        };
        assert_eq!(
            site.organization,
            Organization {
                id: "org_1".into(),
                name: "Acme".into()
            }
        );
        assert_eq!(site.write_key.expose().as_bytes(), KEY);
        let webhook = site.webhook.clone().expect("both stored");
        assert_eq!(webhook.delivery_url, "https://api.segmentflow.ai/h");
        let debug = format!("{site:?}");
        assert!(!debug.contains("abcdef0123456789"), "{debug}");
        assert!(!debug.contains("0123456789abcdefXYZW"), "{debug}");

        // Only one webhook field stored: no webhook.
        let o = options(&[(options::WRITE_KEY, KEY), (options::WEBHOOK_SECRET, b"s")]);
        let Connection::Connected(site) = Connection::from_options(&o, true) else {
            panic!("expected connected");
        };
        assert_eq!(site.webhook, None);
    }

    #[test]
    fn deletion_lists() {
        assert_eq!(
            DISCONNECT_DELETES,
            [
                "segmentflow_write_key",
                "segmentflow_organization_name",
                "segmentflow_organization_id",
                "segmentflow_connected_platform",
                "segmentflow_webhook_secret",
                "segmentflow_webhook_delivery_url",
            ]
        );
        // Uninstall removes every plugin option in the table, ours excluded.
        let plugin_options: Vec<&str> = options::OPTIONS
            .iter()
            .filter(|o| o.plugin)
            .map(|o| o.name)
            .collect();
        assert_eq!(UNINSTALL_DELETES.to_vec(), plugin_options);
        for name in DISCONNECT_DELETES {
            assert!(UNINSTALL_DELETES.contains(&name), "{name}");
        }
        assert!(WEBHOOK_NAME_LIKE.starts_with(WEBHOOK_NAME_PREFIX));
    }
}
