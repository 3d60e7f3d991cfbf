//! The credentials a connect produces — from the status poll or piped in by
//! a host — their validation, and the option rows saving them writes.
//!
//! Saving follows the plugin's `ajax_save_connection()`: the write key is
//! required; the organization name and id are written only when non-empty;
//! `connected_platform` is always written; the webhook secret and delivery
//! URL are written only when both are present. Text fields go through a
//! check equivalent to WordPress's `sanitize_text_field()`: whitespace runs
//! collapse to one space and the ends are trimmed (as WordPress does), and
//! values WordPress would rewrite in ways that change their meaning (`<`,
//! `%XX` octets, control characters) are refused instead of silently
//! altered.

use super::WebhookCredentials;
use crate::options::{
    self, Autoload, OptionRow, Platform, Secret, UrlError, UrlKind, validate_url,
};
use serde_json::{Map, Value};
use thiserror::Error;

/// Why connect credentials were refused. Field names are the JSON keys.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CredentialsError {
    /// The input is not JSON.
    #[error("connect input is not valid JSON (line {line}, column {column}): {message}")]
    NotJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The JSON is not an object.
    #[error("connect input must be a JSON object, got {found}")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// Keys that are not part of the format.
    #[error("connect input has unknown field(s): {}; accepted: write_key, organization_id, organization_name, webhook_secret, webhook_delivery_url, platform", .fields.join(", "))]
    UnknownFields {
        /// The unknown keys, in input order.
        fields: Vec<String>,
    },
    /// No usable write key (absent, empty, or `"0"`, which the plugin treats
    /// as empty).
    #[error("write_key is missing or empty")]
    MissingWriteKey,
    /// A field with the wrong JSON type.
    #[error("{field} must be a string, got {found}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A text value WordPress's `sanitize_text_field()` would alter.
    #[error(
        "{field} contains {problem} at character {position}; refusing to store an altered value"
    )]
    InvalidText {
        /// The field.
        field: &'static str,
        /// What was found.
        problem: &'static str,
        /// 0-based character index in the trimmed value.
        position: usize,
    },
    /// The webhook delivery URL is not acceptable.
    #[error(transparent)]
    BadUrl(#[from] UrlError),
    /// Only one of the two webhook fields was given.
    #[error("{present} was given without {missing}; give both webhook fields or neither")]
    IncompleteWebhook {
        /// The field given.
        present: &'static str,
        /// The field missing.
        missing: &'static str,
    },
    /// `platform` is not `woocommerce` or `wordpress`.
    #[error("platform {value:?} is not one of: woocommerce, wordpress")]
    UnknownPlatform {
        /// The value as given.
        value: String,
    },
}

/// Credentials ready to save. `Debug` shows secrets masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectCredentials {
    /// The write key.
    pub write_key: Secret,
    /// Organization id; empty when not given.
    pub organization_id: String,
    /// Organization name; empty when not given.
    pub organization_name: String,
    /// Webhook secret and delivery URL, when both were given.
    pub webhook: Option<WebhookCredentials>,
    /// The platform the host asked for (non-interactive input only); `None`
    /// means "the site's current platform".
    pub platform: Option<Platform>,
}

/// The keys of the non-interactive connect input.
const INPUT_FIELDS: [&str; 6] = [
    "write_key",
    "organization_id",
    "organization_name",
    "webhook_secret",
    "webhook_delivery_url",
    "platform",
];

/// Where credentials come from: the rules differ slightly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The status poll response: unknown keys ignored, a lone webhook field
    /// ignored (as the plugin does).
    Poll,
    /// Input piped by a host: unknown keys and a lone webhook field are
    /// errors.
    Input,
}

impl ConnectCredentials {
    /// Parses the non-interactive connect input a host pipes on stdin:
    ///
    /// ```json
    /// {"write_key": "…", "organization_id": "…", "organization_name": "…",
    ///  "webhook_secret": "…", "webhook_delivery_url": "https://…",
    ///  "platform": "woocommerce"}
    /// ```
    ///
    /// `write_key` is required; the other fields may be absent, `null` or
    /// empty. Unknown keys are refused, all of them named.
    ///
    /// ```
    /// use segmentflow_core::connection::ConnectCredentials;
    /// let c = ConnectCredentials::from_input_json(br#"{"write_key":"sk_live_abcdef0123456789a1b2"}"#).unwrap();
    /// assert_eq!(c.write_key.expose(), "sk_live_abcdef0123456789a1b2");
    /// assert!(ConnectCredentials::from_input_json(br#"{"writekey":"x"}"#).is_err());
    /// ```
    pub fn from_input_json(input: &[u8]) -> Result<ConnectCredentials, CredentialsError> {
        let value: Value =
            serde_json::from_slice(input).map_err(|e| CredentialsError::NotJson {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        let Value::Object(map) = value else {
            return Err(CredentialsError::NotAnObject {
                found: json_type(&value),
            });
        };
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !INPUT_FIELDS.contains(&k.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(CredentialsError::UnknownFields { fields: unknown });
        }
        Self::from_map(&map, Source::Input)
    }

    /// Builds credentials from a JSON object (input or poll response).
    pub(crate) fn from_map(
        map: &Map<String, Value>,
        source: Source,
    ) -> Result<ConnectCredentials, CredentialsError> {
        let write_key = text_field(map, "write_key")?.unwrap_or_default();
        if write_key.is_empty() || write_key == "0" {
            return Err(CredentialsError::MissingWriteKey);
        }
        let organization_id = text_field(map, "organization_id")?.unwrap_or_default();
        let organization_name = text_field(map, "organization_name")?.unwrap_or_default();
        let secret = text_field(map, "webhook_secret")?.filter(|s| !s.is_empty());
        let url = string_field(map, "webhook_delivery_url")?
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let webhook = match (secret, url) {
            (Some(secret), Some(url)) => Some(WebhookCredentials {
                secret: Secret::new(secret),
                delivery_url: validate_url("webhook_delivery_url", url, UrlKind::Endpoint)?
                    .into_string(),
            }),
            (None, None) => None,
            (Some(_), None) if source == Source::Input => {
                return Err(CredentialsError::IncompleteWebhook {
                    present: "webhook_secret",
                    missing: "webhook_delivery_url",
                });
            }
            (None, Some(_)) if source == Source::Input => {
                return Err(CredentialsError::IncompleteWebhook {
                    present: "webhook_delivery_url",
                    missing: "webhook_secret",
                });
            }
            _ => None,
        };
        let platform = match source {
            Source::Poll => None,
            Source::Input => match string_field(map, "platform")?.map(str::trim) {
                None | Some("") => None,
                Some("woocommerce") => Some(Platform::WooCommerce),
                Some("wordpress") => Some(Platform::WordPress),
                Some(other) => {
                    return Err(CredentialsError::UnknownPlatform {
                        value: other.to_string(),
                    });
                }
            },
        };
        Ok(ConnectCredentials {
            write_key: Secret::new(write_key),
            organization_id,
            organization_name,
            webhook,
            platform,
        })
    }

    /// The platform to record: the one asked for, else the site's current
    /// one (`woocommerce` when WooCommerce is active).
    pub fn platform_for(&self, woocommerce_active: bool) -> Platform {
        self.platform
            .unwrap_or_else(|| Platform::current(woocommerce_active))
    }

    /// The option rows saving these credentials writes, in the plugin's
    /// order: write key; organization name and id when non-empty;
    /// `connected_platform`; webhook secret and delivery URL when present.
    /// `autoload` applies to rows that do not exist yet.
    pub fn rows_to_write(&self, platform: Platform, autoload: Autoload) -> Vec<OptionRow> {
        let mut rows = vec![OptionRow::new(
            options::WRITE_KEY,
            self.write_key.expose(),
            autoload,
        )];
        if !self.organization_name.is_empty() {
            rows.push(OptionRow::new(
                options::ORGANIZATION_NAME,
                self.organization_name.as_str(),
                autoload,
            ));
        }
        if !self.organization_id.is_empty() {
            rows.push(OptionRow::new(
                options::ORGANIZATION_ID,
                self.organization_id.as_str(),
                autoload,
            ));
        }
        rows.push(OptionRow::new(
            options::CONNECTED_PLATFORM,
            platform.as_str(),
            autoload,
        ));
        if let Some(webhook) = &self.webhook {
            rows.push(OptionRow::new(
                options::WEBHOOK_SECRET,
                webhook.secret.expose(),
                autoload,
            ));
            rows.push(OptionRow::new(
                options::WEBHOOK_DELIVERY_URL,
                webhook.delivery_url.as_str(),
                autoload,
            ));
        }
        rows
    }
}

/// The JSON type name of a value, for messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string field; absent or `null` is `None`.
fn string_field<'a>(
    map: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a str>, CredentialsError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(CredentialsError::WrongType {
            field,
            found: json_type(other),
        }),
    }
}

/// A text field, checked with [`clean_text`].
fn text_field(
    map: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, CredentialsError> {
    string_field(map, field)?
        .map(|s| clean_text(field, s))
        .transpose()
}

/// `sanitize_text_field()` where it is harmless (collapse whitespace runs,
/// trim), a refusal where it would change the meaning.
pub fn clean_text(field: &'static str, value: &str) -> Result<String, CredentialsError> {
    let mut out = String::with_capacity(value.len());
    let mut pending_space = false;
    for c in value.chars() {
        if matches!(c, ' ' | '\t' | '\r' | '\n') {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    let refuse = |problem, position| CredentialsError::InvalidText {
        field,
        problem,
        position,
    };
    let chars: Vec<char> = out.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '<' {
            return Err(refuse("'<' (markup WordPress would strip)", i));
        }
        if c.is_control() {
            return Err(refuse("a control character", i));
        }
        if c == '%'
            && chars.get(i + 1).is_some_and(char::is_ascii_hexdigit)
            && chars.get(i + 2).is_some_and(char::is_ascii_hexdigit)
        {
            return Err(refuse("a %XX octet (WordPress would remove it)", i));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_cases() {
        let ok: &[(&str, &str)] = &[
            ("sk_live_abc", "sk_live_abc"),
            ("  Acme  Shop \n", "Acme Shop"),
            ("a\t\tb", "a b"),
            ("100% organic", "100% organic"),
            ("Café & Co > others", "Café & Co > others"),
            ("", ""),
        ];
        for (input, expected) in ok {
            assert_eq!(
                clean_text("organization_name", input).as_deref(),
                Ok(*expected),
                "{input:?}"
            );
        }
        let bad: &[(&str, &str, usize)] = &[
            ("<b>Acme</b>", "'<' (markup WordPress would strip)", 0),
            ("Acme %41", "a %XX octet (WordPress would remove it)", 5),
            ("A\u{0}B", "a control character", 1),
        ];
        for (input, problem, position) in bad {
            assert_eq!(
                clean_text("organization_name", input),
                Err(CredentialsError::InvalidText {
                    field: "organization_name",
                    problem,
                    position: *position
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn input_json_cases() {
        let full = br#"{
            "write_key": " sk_live_abcdef0123456789a1b2 ",
            "organization_id": "org_1",
            "organization_name": "Acme  Shop",
            "webhook_secret": "whsec_0123456789abcdefXYZW",
            "webhook_delivery_url": "https://api.segmentflow.ai/api/v1/webhooks/woocommerce/int_1",
            "platform": "woocommerce"
        }"#;
        let c = ConnectCredentials::from_input_json(full).expect("valid");
        assert_eq!(c.write_key.expose(), "sk_live_abcdef0123456789a1b2");
        assert_eq!(c.organization_name, "Acme Shop");
        assert_eq!(c.platform, Some(Platform::WooCommerce));
        let webhook = c.webhook.expect("both webhook fields");
        assert_eq!(webhook.secret.expose(), "whsec_0123456789abcdefXYZW");

        let minimal = ConnectCredentials::from_input_json(
            br#"{"write_key":"k_0123456789","organization_id":null,"webhook_secret":"","webhook_delivery_url":null}"#,
        )
        .expect("valid");
        assert_eq!(minimal.organization_id, "");
        assert_eq!(minimal.webhook, None);
        assert_eq!(minimal.platform, None);
    }

    #[test]
    fn input_json_errors() {
        use CredentialsError as E;
        let cases: &[(&[u8], E)] = &[
            (br#"{}"#, E::MissingWriteKey),
            (br#"{"write_key":""}"#, E::MissingWriteKey),
            (br#"{"write_key":"  "}"#, E::MissingWriteKey),
            (br#"{"write_key":"0"}"#, E::MissingWriteKey),
            (br#"{"write_key":null}"#, E::MissingWriteKey),
            (
                br#"{"write_key":42}"#,
                E::WrongType {
                    field: "write_key",
                    found: "a number",
                },
            ),
            (br#"[]"#, E::NotAnObject { found: "an array" }),
            (
                br#"{"write_key":"k","writekey":"x","org":"y"}"#,
                E::UnknownFields {
                    fields: vec!["writekey".into(), "org".into()],
                },
            ),
            (
                br#"{"write_key":"k","webhook_secret":"s"}"#,
                E::IncompleteWebhook {
                    present: "webhook_secret",
                    missing: "webhook_delivery_url",
                },
            ),
            (
                br#"{"write_key":"k","webhook_delivery_url":"https://a.example/h"}"#,
                E::IncompleteWebhook {
                    present: "webhook_delivery_url",
                    missing: "webhook_secret",
                },
            ),
            (
                br#"{"write_key":"k","webhook_secret":"s","webhook_delivery_url":"http://a.example/h"}"#,
                E::BadUrl(UrlError::InsecureHttp {
                    setting: "webhook_delivery_url".into(),
                    value: "http://a.example/h".into(),
                    host: "a.example".into(),
                }),
            ),
            (
                br#"{"write_key":"k","platform":"shopify"}"#,
                E::UnknownPlatform {
                    value: "shopify".into(),
                },
            ),
            (
                br#"{"write_key":"<script>"}"#,
                E::InvalidText {
                    field: "write_key",
                    problem: "'<' (markup WordPress would strip)",
                    position: 0,
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                ConnectCredentials::from_input_json(input).as_ref(),
                Err(expected),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        let err = ConnectCredentials::from_input_json(b"{\"write_key\": ").expect_err("truncated");
        assert!(matches!(err, E::NotJson { line: 1, .. }), "{err:?}");
        let err = ConnectCredentials::from_input_json(br#"{"a":1,"b":2}"#).expect_err("unknown");
        assert!(err.to_string().contains("unknown field(s): a, b"), "{err}");
    }

    #[test]
    fn rows_written_on_connect() {
        let full = ConnectCredentials::from_input_json(
            br#"{"write_key":"sk_live_abcdef0123456789a1b2","organization_id":"org_1","organization_name":"Acme Shop","webhook_secret":"whsec_0123456789abcdefXYZW","webhook_delivery_url":"https://api.segmentflow.ai/api/v1/webhooks/woocommerce/int_1"}"#,
        )
        .expect("valid");
        let minimal =
            ConnectCredentials::from_input_json(br#"{"write_key":"sk_test_0123456789abcdefwxyz"}"#)
                .expect("valid");
        let full_rows = full.rows_to_write(full.platform_for(true), Autoload::Auto);
        let minimal_rows = minimal.rows_to_write(minimal.platform_for(false), Autoload::Yes);
        // The exact bytes, which the masked snapshot below does not show.
        assert_eq!(full_rows[0].value(), b"sk_live_abcdef0123456789a1b2");
        assert_eq!(full_rows[4].value(), b"whsec_0123456789abcdefXYZW");
        insta::assert_yaml_snapshot!("connect_rows_full", full_rows);
        insta::assert_yaml_snapshot!("connect_rows_minimal", minimal_rows);
    }
}
