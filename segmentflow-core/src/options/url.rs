//! Validation of the URLs the connector stores: the API and dashboard hosts
//! (`segmentflow_api_host`, `segmentflow_app_host`) and the WooCommerce
//! webhook delivery URL.
//!
//! The plugin saves the host settings through `esc_url_raw` (after the
//! settings form trimmed surrounding whitespace) and its own URL helper also
//! strips trailing slashes. It then builds request URLs by plain
//! concatenation (`{api_host}/api/v1/…`). The rules here accept what that
//! pipeline would store unchanged, and add ours:
//!
//! * surrounding whitespace is trimmed; trailing `/` are removed from hosts;
//! * the scheme must be `https://`, or `http://` to a loopback host
//!   (`localhost`, `127.0.0.0/8`, `[::1]`) — a write key or webhook secret
//!   never travels in clear text over a network;
//! * no credentials (`user@`), and for hosts no `?query` or `#fragment`
//!   (they would break the concatenation); the delivery URL may carry a query;
//! * no character `esc_url_raw` would strip or rewrite (spaces, quotes,
//!   `<`, `>`, `{`, `}`, `^`, backticks, control characters).
//!
//! A scheme-less value is an error rather than silently becoming `http://`
//! as `esc_url_raw` would do. The scheme is stored lowercased, as
//! `esc_url_raw` does.

use std::net::{Ipv4Addr, Ipv6Addr};
use thiserror::Error;

/// Why a URL setting was rejected. Every variant carries the setting's name
/// and the value as given.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlError {
    /// The value is empty (after trimming).
    #[error("{setting}: a URL is required, got an empty value")]
    Empty {
        /// The setting or field name.
        setting: String,
    },
    /// No `scheme://` prefix.
    #[error("{setting}: {value:?} has no scheme; write it as https://{value}")]
    MissingScheme {
        /// The setting or field name.
        setting: String,
        /// The value as given.
        value: String,
    },
    /// A scheme other than `https`/`http`.
    #[error(
        "{setting}: {value:?} uses the {scheme:?} scheme; only https:// (or http:// to localhost) is allowed"
    )]
    UnsupportedScheme {
        /// The setting or field name.
        setting: String,
        /// The value as given.
        value: String,
        /// The scheme found.
        scheme: String,
    },
    /// `http://` to a host that is not loopback.
    #[error(
        "{setting}: {value:?} uses plain http:// to {host:?}; use https://, or http:// only to localhost, 127.0.0.0/8 or [::1]"
    )]
    InsecureHttp {
        /// The setting or field name.
        setting: String,
        /// The value as given.
        value: String,
        /// The host found.
        host: String,
    },
    /// The host part is empty or malformed.
    #[error("{setting}: {value:?} has no valid host ({reason})")]
    BadHost {
        /// The setting or field name.
        setting: String,
        /// The value as given.
        value: String,
        /// What is wrong with the host.
        reason: &'static str,
    },
    /// The port is not a number between 1 and 65535.
    #[error("{setting}: {value:?} has an invalid port {port:?}")]
    BadPort {
        /// The setting or field name.
        setting: String,
        /// The value as given.
        value: String,
        /// The port text found.
        port: String,
    },
    /// `user:password@` in the URL.
    #[error("{setting}: {value:?} contains credentials (user@host); remove them")]
    Credentials {
        /// The setting or field name.
        setting: String,
        /// The value as given.
        value: String,
    },
    /// A query string or fragment where only a base URL fits.
    #[error("{setting}: {value:?} must be a base URL without ?query or #fragment")]
    QueryOrFragment {
        /// The setting or field name.
        setting: String,
        /// The value as given.
        value: String,
    },
    /// A character `esc_url_raw` would strip or rewrite.
    #[error(
        "{setting}: {value:?} contains {character:?} at byte {offset}, which is not allowed in a URL"
    )]
    BadCharacter {
        /// The setting or field name.
        setting: String,
        /// The value as given.
        value: String,
        /// The offending character.
        character: char,
        /// Its byte offset in the trimmed value.
        offset: usize,
    },
}

/// What a URL may contain besides scheme, host, port and path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlKind {
    /// An API or dashboard base URL: trailing `/` removed, no query or fragment.
    Host,
    /// A webhook delivery URL: kept as given (trimmed), a query is allowed.
    Endpoint,
}

/// A URL that passed [`validate_url`]: `https://…` or `http://` to loopback.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValidUrl {
    text: String,
    host: String,
    loopback: bool,
}

impl ValidUrl {
    /// The normalized URL text (what is stored).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The host, without brackets for IPv6 and without the port.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the host is a loopback address.
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// Consumes the value, giving the URL text.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl std::fmt::Display for ValidUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether `host` (no brackets, no port) is `localhost`, an address in
/// `127.0.0.0/8`, or `::1`.
pub fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.is_loopback();
    }
    if let Ok(v6) = host.parse::<Ipv6Addr>() {
        return v6.is_loopback();
    }
    false
}

/// Characters `esc_url_raw` keeps (besides ASCII alphanumerics and bytes
/// ≥ 0x80).
const URL_PUNCTUATION: &str = "-~+_.?#=!&;,/:%@$|*'()[]";

/// Validates and normalizes a URL setting; see the module documentation.
///
/// ```
/// use segmentflow_core::options::{validate_url, UrlKind};
/// let url = validate_url("segmentflow_api_host", " https://api.example.com/ ", UrlKind::Host).unwrap();
/// assert_eq!(url.as_str(), "https://api.example.com");
/// assert!(validate_url("segmentflow_api_host", "http://example.com", UrlKind::Host).is_err());
/// assert!(validate_url("segmentflow_api_host", "http://127.0.0.2:8080", UrlKind::Host).is_ok());
/// ```
pub fn validate_url(setting: &str, input: &str, kind: UrlKind) -> Result<ValidUrl, UrlError> {
    let setting_s = || setting.to_string();
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(UrlError::Empty {
            setting: setting_s(),
        });
    }
    let value_s = || trimmed.to_string();
    for (offset, character) in trimmed.char_indices() {
        let ok = (character as u32) >= 0x80
            || character.is_ascii_alphanumeric()
            || URL_PUNCTUATION.contains(character);
        // Non-ASCII control characters are never fine either.
        if !ok || character.is_control() {
            return Err(UrlError::BadCharacter {
                setting: setting_s(),
                value: value_s(),
                character,
                offset,
            });
        }
    }
    let Some(colon) = trimmed.find(':') else {
        return Err(UrlError::MissingScheme {
            setting: setting_s(),
            value: value_s(),
        });
    };
    let scheme = &trimmed[..colon];
    let scheme_ok = !scheme.is_empty()
        && scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.');
    if !scheme_ok {
        // `localhost:8080` or `api.example.com:443/x`: a host with a port,
        // not a scheme.
        return Err(UrlError::MissingScheme {
            setting: setting_s(),
            value: value_s(),
        });
    }
    let scheme_lower = scheme.to_ascii_lowercase();
    let rest = &trimmed[colon + 1..];
    if scheme_lower != "https" && scheme_lower != "http" {
        if rest.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            // `localhost:8080/x`: a host and a port, not a scheme.
            return Err(UrlError::MissingScheme {
                setting: setting_s(),
                value: value_s(),
            });
        }
        return Err(UrlError::UnsupportedScheme {
            setting: setting_s(),
            value: value_s(),
            scheme: scheme.to_string(),
        });
    }
    let Some(after_slashes) = rest.strip_prefix("//") else {
        return Err(UrlError::BadHost {
            setting: setting_s(),
            value: value_s(),
            reason: "expected // after the scheme",
        });
    };
    let authority_end = after_slashes
        .find(['/', '?', '#'])
        .unwrap_or(after_slashes.len());
    let authority = &after_slashes[..authority_end];
    let tail = &after_slashes[authority_end..];
    if authority.contains('@') {
        return Err(UrlError::Credentials {
            setting: setting_s(),
            value: value_s(),
        });
    }
    let (host, port) = split_host_port(authority).map_err(|reason| UrlError::BadHost {
        setting: setting_s(),
        value: value_s(),
        reason,
    })?;
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !valid {
            return Err(UrlError::BadPort {
                setting: setting_s(),
                value: value_s(),
                port: port.to_string(),
            });
        }
    }
    let loopback = is_loopback_host(host);
    if scheme_lower == "http" && !loopback {
        return Err(UrlError::InsecureHttp {
            setting: setting_s(),
            value: value_s(),
            host: host.to_string(),
        });
    }
    let mut path = tail;
    match kind {
        UrlKind::Host => {
            if path.contains(['?', '#']) {
                return Err(UrlError::QueryOrFragment {
                    setting: setting_s(),
                    value: value_s(),
                });
            }
            path = path.trim_end_matches('/');
        }
        UrlKind::Endpoint => {
            if path.contains('#') {
                return Err(UrlError::QueryOrFragment {
                    setting: setting_s(),
                    value: value_s(),
                });
            }
        }
    }
    Ok(ValidUrl {
        text: format!("{scheme_lower}://{authority}{path}"),
        host: host.to_string(),
        loopback,
    })
}

/// Splits `host[:port]` / `[v6][:port]`. The host is returned without
/// brackets.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), &'static str> {
    if let Some(inner) = authority.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err("unclosed [ in an IPv6 address");
        };
        let host = &inner[..close];
        if host.parse::<Ipv6Addr>().is_err() {
            return Err("not an IPv6 address inside [ ]");
        }
        let after = &inner[close + 1..];
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if after.is_empty() => Ok((host, None)),
            None => Err("unexpected text after ]"),
        };
    }
    let (host, port) = match authority.rfind(':') {
        Some(i) => (&authority[..i], Some(&authority[i + 1..])),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err("the host is empty");
    }
    if host.contains([':', '[', ']']) {
        return Err("IPv6 addresses must be written in [ ]");
    }
    if host.starts_with('.') || host.ends_with('.') || host.contains("..") {
        return Err("empty label in the host name");
    }
    if host.contains('%') {
        return Err("percent-encoding is not allowed in the host");
    }
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(input: &str) -> Result<String, UrlError> {
        validate_url("segmentflow_api_host", input, UrlKind::Host).map(ValidUrl::into_string)
    }

    #[test]
    fn host_cases() {
        let ok: &[(&str, &str)] = &[
            ("https://api.segmentflow.ai", "https://api.segmentflow.ai"),
            ("https://api.segmentflow.ai/", "https://api.segmentflow.ai"),
            (
                "https://api.segmentflow.ai///",
                "https://api.segmentflow.ai",
            ),
            (
                "  https://api.segmentflow.ai \n",
                "https://api.segmentflow.ai",
            ),
            ("HTTPS://API.example.com", "https://API.example.com"),
            ("https://example.com/proxy/", "https://example.com/proxy"),
            ("https://example.com:8443", "https://example.com:8443"),
            ("http://localhost", "http://localhost"),
            ("http://LocalHost:3000/", "http://LocalHost:3000"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.0.0.2", "http://127.0.0.2"),
            ("http://127.255.255.254", "http://127.255.255.254"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("http://[::1]", "http://[::1]"),
            ("https://[2001:db8::1]", "https://[2001:db8::1]"),
            ("https://bücher.example", "https://bücher.example"),
        ];
        for (input, expected) in ok {
            assert_eq!(host(input).as_deref(), Ok(*expected), "input {input:?}");
        }
    }

    #[test]
    fn host_rejections() {
        use UrlError as E;
        let s = || "segmentflow_api_host".to_string();
        let cases: &[(&str, UrlError)] = &[
            ("", E::Empty { setting: s() }),
            ("   ", E::Empty { setting: s() }),
            (
                "http://example.com",
                E::InsecureHttp {
                    setting: s(),
                    value: "http://example.com".into(),
                    host: "example.com".into(),
                },
            ),
            (
                "http://128.0.0.1",
                E::InsecureHttp {
                    setting: s(),
                    value: "http://128.0.0.1".into(),
                    host: "128.0.0.1".into(),
                },
            ),
            (
                "http://localhost.evil.com",
                E::InsecureHttp {
                    setting: s(),
                    value: "http://localhost.evil.com".into(),
                    host: "localhost.evil.com".into(),
                },
            ),
            (
                "ftp://example.com",
                E::UnsupportedScheme {
                    setting: s(),
                    value: "ftp://example.com".into(),
                    scheme: "ftp".into(),
                },
            ),
            (
                "javascript:alert(1)",
                E::UnsupportedScheme {
                    setting: s(),
                    value: "javascript:alert(1)".into(),
                    scheme: "javascript".into(),
                },
            ),
            (
                "api.example.com",
                E::MissingScheme {
                    setting: s(),
                    value: "api.example.com".into(),
                },
            ),
            (
                "localhost:8080",
                E::MissingScheme {
                    setting: s(),
                    value: "localhost:8080".into(),
                },
            ),
            (
                "127.0.0.1:8080",
                E::MissingScheme {
                    setting: s(),
                    value: "127.0.0.1:8080".into(),
                },
            ),
            (
                "https://exa mple.com",
                E::BadCharacter {
                    setting: s(),
                    value: "https://exa mple.com".into(),
                    character: ' ',
                    offset: 11,
                },
            ),
            (
                "https://example.com/\"x",
                E::BadCharacter {
                    setting: s(),
                    value: "https://example.com/\"x".into(),
                    character: '"',
                    offset: 20,
                },
            ),
            (
                "https://a.com/p?q=1",
                E::QueryOrFragment {
                    setting: s(),
                    value: "https://a.com/p?q=1".into(),
                },
            ),
            (
                "https://a.com#x",
                E::QueryOrFragment {
                    setting: s(),
                    value: "https://a.com#x".into(),
                },
            ),
            (
                "http://localhost@evil.com",
                E::Credentials {
                    setting: s(),
                    value: "http://localhost@evil.com".into(),
                },
            ),
            (
                "https://user:pw@h.com",
                E::Credentials {
                    setting: s(),
                    value: "https://user:pw@h.com".into(),
                },
            ),
            (
                "https://",
                E::BadHost {
                    setting: s(),
                    value: "https://".into(),
                    reason: "the host is empty",
                },
            ),
            (
                "https:/example.com",
                E::BadHost {
                    setting: s(),
                    value: "https:/example.com".into(),
                    reason: "expected // after the scheme",
                },
            ),
            (
                "https://example.com:0",
                E::BadPort {
                    setting: s(),
                    value: "https://example.com:0".into(),
                    port: "0".into(),
                },
            ),
            (
                "https://example.com:99999",
                E::BadPort {
                    setting: s(),
                    value: "https://example.com:99999".into(),
                    port: "99999".into(),
                },
            ),
            (
                "https://example.com:",
                E::BadPort {
                    setting: s(),
                    value: "https://example.com:".into(),
                    port: "".into(),
                },
            ),
            (
                "http://[::2]",
                E::InsecureHttp {
                    setting: s(),
                    value: "http://[::2]".into(),
                    host: "::2".into(),
                },
            ),
            (
                "http://[::1",
                E::BadHost {
                    setting: s(),
                    value: "http://[::1".into(),
                    reason: "unclosed [ in an IPv6 address",
                },
            ),
            (
                "http://::1",
                E::BadHost {
                    setting: s(),
                    value: "http://::1".into(),
                    reason: "IPv6 addresses must be written in [ ]",
                },
            ),
            (
                "https://.example.com",
                E::BadHost {
                    setting: s(),
                    value: "https://.example.com".into(),
                    reason: "empty label in the host name",
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(host(input).as_ref(), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn endpoint_keeps_path_and_query() {
        let url = validate_url(
            "webhook_delivery_url",
            "https://api.segmentflow.ai/api/v1/webhooks/woocommerce/abc?x=1",
            UrlKind::Endpoint,
        )
        .expect("valid");
        assert_eq!(
            url.as_str(),
            "https://api.segmentflow.ai/api/v1/webhooks/woocommerce/abc?x=1"
        );
        let url = validate_url(
            "webhook_delivery_url",
            "http://127.0.0.1:9000/hook/",
            UrlKind::Endpoint,
        )
        .expect("valid");
        assert_eq!(url.as_str(), "http://127.0.0.1:9000/hook/");
        assert!(url.is_loopback());
        assert!(validate_url("webhook_delivery_url", "https://a/b#c", UrlKind::Endpoint).is_err());
    }

    #[test]
    fn loopback_hosts() {
        let cases: &[(&str, bool)] = &[
            ("localhost", true),
            ("LOCALHOST", true),
            ("127.0.0.1", true),
            ("127.1.2.3", true),
            ("::1", true),
            ("0:0:0:0:0:0:0:1", true),
            ("126.255.255.255", false),
            ("0.0.0.0", false),
            ("::", false),
            ("localhost.localdomain", false),
            ("127.0.0.1.nip.io", false),
            ("", false),
        ];
        for (host, expected) in cases {
            assert_eq!(is_loopback_host(host), *expected, "host {host:?}");
        }
    }

    #[test]
    fn errors_name_setting_and_value() {
        let err = host("http://example.com").expect_err("insecure");
        let text = err.to_string();
        assert!(text.starts_with("segmentflow_api_host:"), "{text}");
        assert!(text.contains("http://example.com"), "{text}");
    }
}
