//! The Segmentflow API calls of the connect flow, as values: the status poll
//! and the disconnect notification, how a poll answer is read, and the poll
//! schedule. The shell sends the requests; nothing here touches a socket.
//!
//! Conventions are the plugin's `Segmentflow_API::request()`: headers
//! `Content-Type: application/json`, `Accept: application/json`,
//! `User-Agent: SegmentflowConnect/<version> WordPress/<wp version>`, then
//! the call's own header; blocking calls time out after 15 s; an error's
//! text is the JSON `error`, else the JSON `message`, else `HTTP <code>`.

use super::ConnectCredentials;
use super::credentials::{CredentialsError, Source};
use crate::options::{Secret, ValidUrl};
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// Path of the connection status poll.
pub const STATUS_PATH: &str = "/api/v1/integrations/connect/status";
/// Path of the disconnect notification.
pub const DISCONNECT_PATH: &str = "/api/v1/integrations/connect/disconnect";
/// Timeout of the plugin's blocking API calls.
pub const BLOCKING_TIMEOUT: Duration = Duration::from_secs(15);
/// Timeout of the disconnect notification sent on uninstall.
pub const UNINSTALL_TIMEOUT: Duration = Duration::from_secs(5);

/// How often and how long to poll: every 2.5 s, at most 12 tries (30 s), as
/// the plugin's admin page does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSchedule {
    /// The wait after an attempt that did not finish the flow.
    pub interval: Duration,
    /// The number of attempts before giving up.
    pub max_attempts: u32,
}

/// The plugin's poll schedule.
pub const POLL_SCHEDULE: PollSchedule = PollSchedule {
    interval: Duration::from_millis(2500),
    max_attempts: 12,
};

impl PollSchedule {
    /// The longest the polling can take, counting a wait after every attempt.
    pub fn total(&self) -> Duration {
        self.interval * self.max_attempts
    }
}

/// An HTTP method the connect flow uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Delete => "DELETE",
        }
    }
}

/// A header value; secret ones print masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// An ordinary value.
    Plain(String),
    /// A credential (poll token, write key).
    Secret(Secret),
}

impl HeaderValue {
    /// The value to send.
    pub fn expose(&self) -> &str {
        match self {
            HeaderValue::Plain(s) => s,
            HeaderValue::Secret(s) => s.expose(),
        }
    }
}

impl fmt::Display for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderValue::Plain(s) => f.write_str(s),
            HeaderValue::Secret(s) => fmt::Display::fmt(s, f),
        }
    }
}

/// A request for the shell to send. `Debug` shows credentials masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// The method.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// Headers in the order the plugin sends them.
    pub headers: Vec<(&'static str, HeaderValue)>,
    /// The request timeout.
    pub timeout: Duration,
}

impl ApiRequest {
    /// A header's value by name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// Who is calling, for the `User-Agent` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// The connector version reported after `SegmentflowConnect/`.
    pub connector_version: String,
    /// The site's WordPress version.
    pub wordpress_version: String,
}

impl ClientInfo {
    /// `SegmentflowConnect/<version> WordPress/<wp version>`.
    pub fn user_agent(&self) -> String {
        format!(
            "SegmentflowConnect/{} WordPress/{}",
            self.connector_version, self.wordpress_version
        )
    }

    fn default_headers(&self) -> Vec<(&'static str, HeaderValue)> {
        vec![
            (
                "Content-Type",
                HeaderValue::Plain("application/json".into()),
            ),
            ("Accept", HeaderValue::Plain("application/json".into())),
            ("User-Agent", HeaderValue::Plain(self.user_agent())),
        ]
    }
}

/// `GET {api_host}/api/v1/integrations/connect/status` with `X-Poll-Token`.
pub fn poll_request(api_host: &ValidUrl, poll_token: &Secret, client: &ClientInfo) -> ApiRequest {
    let mut headers = client.default_headers();
    headers.push(("X-Poll-Token", HeaderValue::Secret(poll_token.clone())));
    ApiRequest {
        method: Method::Get,
        url: format!("{}{STATUS_PATH}", api_host.as_str()),
        headers,
        timeout: BLOCKING_TIMEOUT,
    }
}

/// Which disconnect notification to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectKind {
    /// The admin "Disconnect" button: the API client's usual headers, 15 s.
    Admin,
    /// Plugin uninstall: `X-Write-Key`, `Content-Type`, `Accept` only, 5 s.
    Uninstall,
}

/// `DELETE {api_host}/api/v1/integrations/connect/disconnect` with
/// `X-Write-Key`; `None` when there is no write key (the plugin then skips
/// the call). The call is best-effort: its failure never stops the local
/// clean-up.
pub fn disconnect_request(
    api_host: &ValidUrl,
    write_key: &Secret,
    kind: DisconnectKind,
    client: &ClientInfo,
) -> Option<ApiRequest> {
    let key = write_key.expose();
    if key.is_empty() || key == "0" {
        return None;
    }
    let key_header = ("X-Write-Key", HeaderValue::Secret(write_key.clone()));
    let (headers, timeout) = match kind {
        DisconnectKind::Admin => {
            let mut headers = client.default_headers();
            headers.push(key_header);
            (headers, BLOCKING_TIMEOUT)
        }
        DisconnectKind::Uninstall => (
            vec![
                key_header,
                (
                    "Content-Type",
                    HeaderValue::Plain("application/json".into()),
                ),
                ("Accept", HeaderValue::Plain("application/json".into())),
            ],
            UNINSTALL_TIMEOUT,
        ),
    };
    Some(ApiRequest {
        method: Method::Delete,
        url: format!("{}{DISCONNECT_PATH}", api_host.as_str()),
        headers,
        timeout,
    })
}

/// What one poll answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollOutcome {
    /// The user approved: save these credentials.
    Approved(ConnectCredentials),
    /// Not approved yet: wait [`PollSchedule::interval`] and poll again.
    Pending,
    /// 404 or 410: the poll token expired or was used; stop.
    Expired {
        /// The HTTP status.
        status: u16,
    },
    /// Any other failure: keep polling. Carries the plugin's error text.
    RetryableError(String),
    /// Approved, but the credentials are unusable (single-use: start over).
    Invalid(CredentialsError),
}

/// The plugin's error text for a failed call: JSON `error`, else JSON
/// `message`, else `HTTP <code>`. Non-string values are shown as JSON.
pub fn error_text(status: u16, body: &[u8]) -> String {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| match parsed.as_ref().and_then(|v| v.get(name)) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    field("error")
        .or_else(|| field("message"))
        .unwrap_or_else(|| format!("HTTP {status}"))
}

/// PHP's `!empty()` of a decoded JSON value.
fn php_non_empty(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !(s.is_empty() || s == "0"),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// Reads a status poll answer (HTTP status and raw body).
///
/// * 2xx with a JSON object whose `connected` and `write_key` are non-empty:
///   [`PollOutcome::Approved`] (or [`PollOutcome::Invalid`]);
/// * other 2xx JSON: [`PollOutcome::Pending`];
/// * 2xx that is not JSON: [`PollOutcome::RetryableError`];
/// * 404, 410: [`PollOutcome::Expired`];
/// * anything else: [`PollOutcome::RetryableError`] with [`error_text`].
pub fn parse_poll_response(status: u16, body: &[u8]) -> PollOutcome {
    if status == 404 || status == 410 {
        return PollOutcome::Expired { status };
    }
    if !(200..300).contains(&status) {
        return PollOutcome::RetryableError(error_text(status, body));
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return PollOutcome::RetryableError(format!(
                "HTTP {status}: the status response is not JSON ({e})"
            ));
        }
    };
    let Value::Object(map) = value else {
        return PollOutcome::Pending;
    };
    if !php_non_empty(map.get("connected")) || !php_non_empty(map.get("write_key")) {
        return PollOutcome::Pending;
    }
    match ConnectCredentials::from_map(&map, Source::Poll) {
        Ok(credentials) => PollOutcome::Approved(credentials),
        Err(e) => PollOutcome::Invalid(e),
    }
}

/// `GET {api_host}/api/v1/integrations/connect/status` with `X-Write-Key`:
/// "is this connection still valid?", as `doctor` asks it. `None` when
/// there is no write key.
///
/// The plugin itself only calls the status endpoint with a poll token; the
/// write-key form is what the project's sandbox answers (200 with
/// `connected`, 401 for an unknown key) and is assumed for the real API.
pub fn check_request(
    api_host: &ValidUrl,
    write_key: &Secret,
    client: &ClientInfo,
) -> Option<ApiRequest> {
    let key = write_key.expose();
    if key.is_empty() || key == "0" {
        return None;
    }
    let mut headers = client.default_headers();
    headers.push(("X-Write-Key", HeaderValue::Secret(write_key.clone())));
    Some(ApiRequest {
        method: Method::Get,
        url: format!("{}{STATUS_PATH}", api_host.as_str()),
        headers,
        timeout: BLOCKING_TIMEOUT,
    })
}

/// What the API said about a stored connection ([`check_request`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// 2xx with `connected` true: the write key is known and connected.
    Valid {
        /// The organization id in the answer, when it has one.
        organization_id: Option<String>,
    },
    /// 2xx with `connected` false, or 401/403/404: the API does not (or no
    /// longer) know this connection.
    Rejected(String),
    /// Any other answer: the API could not say.
    Unclear(String),
}

/// Reads the answer to [`check_request`].
pub fn parse_check_response(status: u16, body: &[u8]) -> CheckOutcome {
    if matches!(status, 401 | 403 | 404 | 410) {
        return CheckOutcome::Rejected(format!("HTTP {status}: {}", error_text(status, body)));
    }
    if !(200..300).contains(&status) {
        return CheckOutcome::Unclear(format!("HTTP {status}: {}", error_text(status, body)));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) if php_non_empty(map.get("connected")) => CheckOutcome::Valid {
            organization_id: map
                .get("organization_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
        Ok(Value::Object(_)) => CheckOutcome::Rejected(format!(
            "HTTP {status}: the API reports the site as not connected"
        )),
        _ => CheckOutcome::Unclear(format!("HTTP {status}: the answer is not a JSON object")),
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;

    #[test]
    fn check_answers() {
        let cases: [(u16, &[u8], CheckOutcome); 6] = [
            (
                200,
                br#"{"connected":true,"organization_id":"org_1"}"#,
                CheckOutcome::Valid {
                    organization_id: Some("org_1".into()),
                },
            ),
            (
                200,
                br#"{"connected":1}"#,
                CheckOutcome::Valid {
                    organization_id: None,
                },
            ),
            (
                200,
                br#"{"connected":false}"#,
                CheckOutcome::Rejected(
                    "HTTP 200: the API reports the site as not connected".into(),
                ),
            ),
            (
                401,
                br#"{"error":"invalid write key"}"#,
                CheckOutcome::Rejected("HTTP 401: invalid write key".into()),
            ),
            (
                503,
                b"down",
                CheckOutcome::Unclear("HTTP 503: HTTP 503".into()),
            ),
            (
                200,
                b"<html>",
                CheckOutcome::Unclear("HTTP 200: the answer is not a JSON object".into()),
            ),
        ];
        for (status, body, want) in cases {
            assert_eq!(parse_check_response(status, body), want, "{status}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{UrlKind, validate_url};

    fn api() -> ValidUrl {
        validate_url(
            "segmentflow_api_host",
            "https://api.segmentflow.ai/",
            UrlKind::Host,
        )
        .expect("valid")
    }

    fn client() -> ClientInfo {
        ClientInfo {
            connector_version: "0.1.0".into(),
            wordpress_version: "6.7.1".into(),
        }
    }

    #[test]
    fn poll_request_shape() {
        let req = poll_request(&api(), &Secret::new("pt_0123456789abcdef"), &client());
        assert_eq!(req.method.as_str(), "GET");
        assert_eq!(
            req.url,
            "https://api.segmentflow.ai/api/v1/integrations/connect/status"
        );
        let names: Vec<&str> = req.headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            ["Content-Type", "Accept", "User-Agent", "X-Poll-Token"]
        );
        assert_eq!(
            req.header("user-agent").map(HeaderValue::expose),
            Some("SegmentflowConnect/0.1.0 WordPress/6.7.1")
        );
        assert_eq!(
            req.header("X-Poll-Token").map(HeaderValue::expose),
            Some("pt_0123456789abcdef")
        );
        assert_eq!(req.timeout, Duration::from_secs(15));
        let debug = format!("{req:?}");
        assert!(!debug.contains("0123456789abcdef"), "{debug}");
    }

    #[test]
    fn disconnect_requests() {
        let key = Secret::new("sk_live_abcdef0123456789a1b2");
        let admin =
            disconnect_request(&api(), &key, DisconnectKind::Admin, &client()).expect("connected");
        assert_eq!(admin.method, Method::Delete);
        assert_eq!(
            admin.url,
            "https://api.segmentflow.ai/api/v1/integrations/connect/disconnect"
        );
        let names: Vec<&str> = admin.headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            ["Content-Type", "Accept", "User-Agent", "X-Write-Key"]
        );
        assert_eq!(admin.timeout, Duration::from_secs(15));

        let uninstall = disconnect_request(&api(), &key, DisconnectKind::Uninstall, &client())
            .expect("connected");
        let names: Vec<&str> = uninstall.headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["X-Write-Key", "Content-Type", "Accept"]);
        assert_eq!(uninstall.timeout, Duration::from_secs(5));
        assert_eq!(
            uninstall.header("x-write-key").map(HeaderValue::expose),
            Some("sk_live_abcdef0123456789a1b2")
        );

        for empty in ["", "0"] {
            assert_eq!(
                disconnect_request(
                    &api(),
                    &Secret::new(empty),
                    DisconnectKind::Admin,
                    &client()
                ),
                None
            );
        }
    }

    #[test]
    fn poll_schedule_is_the_plugins() {
        assert_eq!(POLL_SCHEDULE.interval, Duration::from_millis(2500));
        assert_eq!(POLL_SCHEDULE.max_attempts, 12);
        assert_eq!(POLL_SCHEDULE.total(), Duration::from_secs(30));
    }

    #[test]
    fn error_text_cases() {
        let cases: &[(u16, &[u8], &str)] = &[
            (500, br#"{"error":"boom","message":"m"}"#, "boom"),
            (500, br#"{"message":"maintenance"}"#, "maintenance"),
            (500, br#"{"error":null,"message":"m"}"#, "m"),
            (502, b"<html>Bad Gateway</html>", "HTTP 502"),
            (503, b"", "HTTP 503"),
            (500, br#""just a string""#, "HTTP 500"),
            (400, br#"{"error":{"code":"x"}}"#, r#"{"code":"x"}"#),
        ];
        for (status, body, expected) in cases {
            assert_eq!(error_text(*status, body), *expected, "{status} {body:?}");
        }
    }

    #[test]
    fn poll_outcomes() {
        let approved = br#"{"connected":true,"write_key":"sk_live_abcdef0123456789a1b2","organization_name":"Acme","organization_id":"org_1","webhook_secret":"whsec_0123456789abcdefXYZW","webhook_delivery_url":"https://api.segmentflow.ai/api/v1/webhooks/woocommerce/int_1","extra":"ignored"}"#;
        match parse_poll_response(200, approved) {
            PollOutcome::Approved(c) => {
                assert_eq!(c.write_key.expose(), "sk_live_abcdef0123456789a1b2");
                assert_eq!(c.organization_name, "Acme");
                assert_eq!(c.organization_id, "org_1");
                assert!(c.webhook.is_some());
                assert_eq!(c.platform, None);
            }
            other => panic!("expected Approved, got {other:?}"),
        }
        // A lone webhook field is ignored on the poll path, as in the plugin.
        match parse_poll_response(
            200,
            br#"{"connected":1,"write_key":"k_0123456789","webhook_secret":"s"}"#,
        ) {
            PollOutcome::Approved(c) => assert_eq!(c.webhook, None),
            other => panic!("expected Approved, got {other:?}"),
        }
        let cases: &[(u16, &[u8], PollOutcome)] = &[
            (200, br#"{"connected":false}"#, PollOutcome::Pending),
            (200, br#"{"connected":true}"#, PollOutcome::Pending),
            (
                200,
                br#"{"connected":true,"write_key":""}"#,
                PollOutcome::Pending,
            ),
            (
                200,
                br#"{"connected":"0","write_key":"k"}"#,
                PollOutcome::Pending,
            ),
            (200, br#"{}"#, PollOutcome::Pending),
            (200, br#"[]"#, PollOutcome::Pending),
            (204, br#"null"#, PollOutcome::Pending),
            (
                404,
                br#"{"error":"not found"}"#,
                PollOutcome::Expired { status: 404 },
            ),
            (410, b"", PollOutcome::Expired { status: 410 }),
            (
                500,
                br#"{"error":"database unavailable"}"#,
                PollOutcome::RetryableError("database unavailable".into()),
            ),
            (
                502,
                b"<html>Bad Gateway</html>",
                PollOutcome::RetryableError("HTTP 502".into()),
            ),
            (
                429,
                br#"{"message":"slow down"}"#,
                PollOutcome::RetryableError("slow down".into()),
            ),
            (
                200,
                br#"{"connected":true,"write_key":"<b>"}"#,
                PollOutcome::Invalid(CredentialsError::InvalidText {
                    field: "write_key",
                    problem: "'<' (markup WordPress would strip)",
                    position: 0,
                }),
            ),
            (
                200,
                br#"{"connected":true,"write_key":7}"#,
                PollOutcome::Invalid(CredentialsError::WrongType {
                    field: "write_key",
                    found: "a number",
                }),
            ),
        ];
        for (status, body, expected) in cases {
            assert_eq!(
                &parse_poll_response(*status, body),
                expected,
                "{status} {}",
                String::from_utf8_lossy(body)
            );
        }
        match parse_poll_response(200, b"<html>ok</html>") {
            PollOutcome::RetryableError(msg) => assert!(msg.starts_with("HTTP 200"), "{msg}"),
            other => panic!("expected RetryableError, got {other:?}"),
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn poll_parsing_never_panics(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let outcome = parse_poll_response(status, &body);
            if status == 404 || status == 410 {
                prop_assert_eq!(outcome, PollOutcome::Expired { status });
            }
        }

        #[test]
        fn connect_input_never_panics(body in "\\PC{0,120}") {
            let _ = ConnectCredentials::from_input_json(body.as_bytes());
        }
    }
}
