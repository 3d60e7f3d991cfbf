//! The `sf_consent` and `sf_id` cookie formats, byte for byte.
//!
//! Both cookies are `base64(JSON)` and are written by two parties: the PHP
//! plugin (`wp_json_encode` — `/` escaped as `\/`, non-ASCII as `\uXXXX` —
//! then `base64_encode`, then `setcookie()`, which percent-encodes the value
//! like `rawurlencode`) and the browser bundle (`btoa(JSON.stringify(…))`, no
//! escaping, then `encodeURIComponent`). Each side reads what the other wrote,
//! so the decoders here accept both forms and say which reader's rules to
//! apply where the two disagree ([`Side`]):
//!
//! | point | PHP reader | browser reader |
//! |---|---|---|
//! | wire value | `urldecode` (`+` becomes a space, bad `%` escapes kept) | `decodeURIComponent` (`+` kept, a bad `%` escape is an error) |
//! | base64 | strict alphabet, ASCII whitespace skipped, padding optional but if present exact, trailing bits ignored | `atob`: the same rules |
//! | JSON text | must be UTF-8 | bytes read as Latin-1 (`atob` gives a binary string) |
//! | truthiness of `a`/`m` | PHP `(bool)`: `0`, `0.0`, `""`, `"0"`, `null`, `[]`, `{}` are false | JS `Boolean()`: `0`, `""`, `null` are false; `"0"`, `[]`, `{}` are true |
//! | `sf_id` validity | `! empty($data['a'])` (so `"0"` is empty) | `existing.a` truthy |
//!
//! A cookie that is absent or malformed means "no decision yet" to the plugin;
//! [`ConsentState`] and [`read_identity`] keep the typed error for reporting
//! while giving callers exactly that decision input.

use crate::wp_json;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use super::set_cookie::SetCookie;
use super::{
    CONSENT_COOKIE, CONSENT_COOKIE_LIFETIME, ConsentFlags, ID_COOKIE, ID_COOKIE_LIFETIME_BROWSER,
    ID_COOKIE_LIFETIME_PHP,
};

/// Which of the plugin's two halves wrote (or reads) a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The PHP plugin (`Segmentflow_Consent_Cookie`, `Segmentflow_Identity_Cookie`).
    Php,
    /// The storefront bundle (`src/consent.ts`) running in the visitor's browser.
    Browser,
}

/// Why a cookie value could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CookieError {
    /// The value is empty (PHP's `empty()` also treats `"0"` as empty).
    #[error("cookie `{cookie}` is empty")]
    Empty {
        /// Cookie name.
        cookie: &'static str,
    },
    /// A `%` escape is not followed by two hex digits (browser reader only;
    /// PHP keeps such bytes as they are).
    #[error("cookie `{cookie}` has a malformed percent escape at byte {offset}")]
    PercentEscape {
        /// Cookie name.
        cookie: &'static str,
        /// Byte offset of the `%` in the wire value.
        offset: usize,
    },
    /// The percent-decoded wire value is not UTF-8 (browser reader only).
    #[error("cookie `{cookie}` does not percent-decode to UTF-8")]
    PercentUtf8 {
        /// Cookie name.
        cookie: &'static str,
    },
    /// The value is not base64 in the forms PHP's strict `base64_decode` and
    /// `atob` accept.
    #[error("cookie `{cookie}` is not valid base64: {reason} (at byte {offset})")]
    Base64 {
        /// Cookie name.
        cookie: &'static str,
        /// Byte offset in the cookie value (after percent-decoding).
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// The base64 payload is not JSON.
    #[error("cookie `{cookie}` does not hold JSON: {message} (line {line}, column {column})")]
    Json {
        /// Cookie name.
        cookie: &'static str,
        /// The parser's message.
        message: String,
        /// 1-based line of the error in the decoded JSON text.
        line: usize,
        /// 1-based column of the error in the decoded JSON text.
        column: usize,
    },
    /// The JSON is valid but is not an object.
    #[error("cookie `{cookie}` holds a JSON {found}, not an object")]
    NotAnObject {
        /// Cookie name.
        cookie: &'static str,
        /// The JSON type found (`array`, `string`, …).
        found: &'static str,
    },
    /// `sf_consent` carries neither `a` nor `m`: the plugin refuses it.
    #[error("cookie `sf_consent` has neither an `a` (analytics) nor an `m` (marketing) member")]
    NoConsentDecision,
    /// `sf_id` has no usable anonymous id in `a`.
    #[error("cookie `sf_id` has no non-empty anonymous id in member `a`")]
    MissingAnonymousId,
    /// The browser cannot write the value: `btoa` throws on characters above U+00FF.
    #[error("cookie `{cookie}` cannot be written by the browser: `btoa` rejects {character:?}")]
    NotLatin1 {
        /// Cookie name.
        cookie: &'static str,
        /// The first character above U+00FF.
        character: char,
    },
}

// ---------------------------------------------------------------------------
// Percent-encoding on the wire
// ---------------------------------------------------------------------------

/// Characters PHP's `setcookie()` leaves alone (it uses `rawurlencode`):
/// letters, digits and `-_.~`. Checked against PHP 8.2: the value
/// `x-_.~!*()'` goes out as `x-_.~%21%2A%28%29%27`, a space as `%20`.
const PHP_COOKIE_SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Characters `encodeURIComponent` leaves alone: letters, digits and `-_.!~*'()`.
const JS_URI_COMPONENT_SET: &percent_encoding::AsciiSet = &PHP_COOKIE_SET
    .remove(b'!')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes a cookie value as `writer` puts it on the wire.
pub fn encode_wire_value(value: &str, writer: Side) -> String {
    let set = match writer {
        Side::Php => PHP_COOKIE_SET,
        Side::Browser => JS_URI_COMPONENT_SET,
    };
    percent_encoding::utf8_percent_encode(value, set).to_string()
}

/// Percent-decodes a cookie value from the wire as `reader` does: PHP's
/// `$_COOKIE` parsing (`urldecode`: `+` is a space, malformed escapes are kept
/// verbatim) or the browser's `decodeURIComponent` (strict).
pub fn decode_wire_value(
    cookie: &'static str,
    raw: &str,
    reader: Side,
) -> Result<Vec<u8>, CookieError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes
                    .get(i + 1)
                    .and_then(|h| hex_val(*h))
                    .zip(bytes.get(i + 2).and_then(|l| hex_val(*l)));
                match (hex, reader) {
                    (Some((h, l)), _) => {
                        out.push(h << 4 | l);
                        i += 3;
                    }
                    (None, Side::Php) => {
                        out.push(b'%');
                        i += 1;
                    }
                    (None, Side::Browser) => {
                        return Err(CookieError::PercentEscape { cookie, offset: i });
                    }
                }
            }
            b'+' if reader == Side::Php => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    if reader == Side::Browser && std::str::from_utf8(&out).is_err() {
        return Err(CookieError::PercentUtf8 { cookie });
    }
    Ok(out)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// base64 and JSON
// ---------------------------------------------------------------------------

/// Standard alphabet; padding optional but exact when present; trailing bits
/// ignored. This is what both PHP's `base64_decode($s, true)` and `atob` accept
/// once ASCII whitespace is removed (checked against PHP 8.2: `eyJhIjoxfQ`,
/// `eyJhIjoxfR` and `eyJh IjoxfQ==` decode; `eyJhIjoxfQ=`, `eyJhIjoxfQ===`
/// and `e` do not).
const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn base64_decode(cookie: &'static str, input: &[u8]) -> Result<Vec<u8>, CookieError> {
    // Keep the original offsets for error messages.
    let mut compact = Vec::with_capacity(input.len());
    let mut offsets = Vec::with_capacity(input.len());
    for (i, &b) in input.iter().enumerate() {
        if !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c') {
            compact.push(b);
            offsets.push(i);
        }
    }
    let at = |k: usize| offsets.get(k).copied().unwrap_or(input.len());
    // Padding, when present, must complete the last group exactly (the
    // engine's "indifferent" mode would also take a short `=`).
    let pad = compact.iter().rev().take_while(|&&b| b == b'=').count();
    if pad > 0 && (pad > 2 || compact.len() % 4 != 0) {
        return Err(CookieError::Base64 {
            cookie,
            offset: at(compact.len() - pad),
            reason: "wrong amount of padding",
        });
    }
    LENIENT_STANDARD.decode(&compact).map_err(|e| match e {
        base64::DecodeError::InvalidByte(k, b'=') => CookieError::Base64 {
            cookie,
            offset: at(k),
            reason: "misplaced padding",
        },
        base64::DecodeError::InvalidByte(k, _) => CookieError::Base64 {
            cookie,
            offset: at(k),
            reason: "character outside the base64 alphabet",
        },
        base64::DecodeError::InvalidLength(k) => CookieError::Base64 {
            cookie,
            offset: at(k),
            reason: "truncated final group",
        },
        base64::DecodeError::InvalidLastSymbol { offset: k, .. } => CookieError::Base64 {
            cookie,
            offset: at(k),
            reason: "invalid final symbol",
        },
        base64::DecodeError::InvalidPadding => CookieError::Base64 {
            cookie,
            offset: input.len(),
            reason: "wrong amount of padding",
        },
    })
}

fn parse_json_object(
    cookie: &'static str,
    bytes: &[u8],
    reader: Side,
) -> Result<Map<String, Value>, CookieError> {
    let text: std::borrow::Cow<'_, str> = match reader {
        Side::Php => match std::str::from_utf8(bytes) {
            Ok(s) => s.into(),
            Err(e) => {
                return Err(CookieError::Json {
                    cookie,
                    message: "malformed UTF-8".to_owned(),
                    line: 1,
                    column: e.valid_up_to() + 1,
                });
            }
        },
        // `atob` returns a binary string: one char per byte.
        Side::Browser => bytes
            .iter()
            .map(|&b| char::from(b))
            .collect::<String>()
            .into(),
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| CookieError::Json {
        cookie,
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })?;
    match value {
        Value::Object(map) => Ok(map),
        // PHP's json_decode(…, true) turns a JSON array into a PHP array, which
        // passes `is_array`, and JS arrays are objects; either way there is no
        // `a`/`m` key in a list, so the result is the same as for a scalar.
        other => Err(CookieError::NotAnObject {
            cookie,
            found: json_type(&other),
        }),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Truthiness of a decoded JSON value as `reader` sees it (PHP `(bool)` /
/// `! empty()` versus JavaScript `Boolean()`).
pub fn truthy(v: &Value, reader: Side) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => match reader {
            Side::Php => !(s.is_empty() || s == "0"),
            Side::Browser => !s.is_empty(),
        },
        Value::Array(a) => reader == Side::Browser || !a.is_empty(),
        Value::Object(o) => reader == Side::Browser || !o.is_empty(),
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `JSON.stringify` + `btoa`: the JSON text must be Latin-1.
fn browser_base64(cookie: &'static str, json: &str) -> Result<String, CookieError> {
    let mut bytes = Vec::with_capacity(json.len());
    for c in json.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => bytes.push(b),
            Err(_) => {
                return Err(CookieError::NotLatin1 {
                    cookie,
                    character: c,
                });
            }
        }
    }
    Ok(base64_encode(&bytes))
}

/// Whether a raw `$_COOKIE` value passes PHP's `! empty()` test.
fn php_non_empty(value: &str) -> bool {
    !(value.is_empty() || value == "0")
}

// ---------------------------------------------------------------------------
// sf_consent
// ---------------------------------------------------------------------------

/// A decoded `sf_consent` cookie: the visitor's recorded decision.
///
/// Each member is `None` when the cookie does not carry it. PHP keeps that
/// distinction (a partial update merges into the existing keys); a missing
/// member counts as "not granted" for every decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConsentCookie {
    /// `a`: analytics.
    pub analytics: Option<bool>,
    /// `m`: marketing.
    pub marketing: Option<bool>,
}

impl ConsentCookie {
    /// A full decision over both categories (what a banner records).
    pub fn new(analytics: bool, marketing: bool) -> Self {
        Self {
            analytics: Some(analytics),
            marketing: Some(marketing),
        }
    }

    /// Decodes a cookie value as it sits in `$_COOKIE` / after
    /// `decodeURIComponent` (i.e. the base64 text).
    pub fn decode(value: &str, reader: Side) -> Result<Self, CookieError> {
        Self::decode_bytes(value.as_bytes(), reader)
    }

    /// Decodes the value exactly as it arrives in a `Cookie:` request header
    /// (still percent-encoded).
    pub fn decode_wire(raw: &str, reader: Side) -> Result<Self, CookieError> {
        let bytes = decode_wire_value(CONSENT_COOKIE, raw, reader)?;
        Self::decode_bytes(&bytes, reader)
    }

    fn decode_bytes(value: &[u8], reader: Side) -> Result<Self, CookieError> {
        let cookie = CONSENT_COOKIE;
        if value.is_empty() || value == b"0" && reader == Side::Php {
            return Err(CookieError::Empty { cookie });
        }
        let json = base64_decode(cookie, value)?;
        let map = parse_json_object(cookie, &json, reader)?;
        let analytics = map.get("a").map(|v| truthy(v, reader));
        let marketing = map.get("m").map(|v| truthy(v, reader));
        if analytics.is_none() && marketing.is_none() {
            return Err(CookieError::NoConsentDecision);
        }
        Ok(Self {
            analytics,
            marketing,
        })
    }

    /// Whether analytics is granted (a missing member is not a grant).
    pub fn analytics_granted(&self) -> bool {
        self.analytics == Some(true)
    }

    /// Whether marketing is granted (a missing member is not a grant).
    pub fn marketing_granted(&self) -> bool {
        self.marketing == Some(true)
    }

    /// The two flags as the plugin reports them (`has_consent()` per category).
    pub fn flags(&self) -> ConsentFlags {
        ConsentFlags {
            analytics: self.analytics_granted(),
            marketing: self.marketing_granted(),
        }
    }

    /// PHP `set_consent()` merge: only the categories given are written, the
    /// others keep their existing value (or stay absent).
    #[must_use]
    pub fn merged(
        existing: Option<&Self>,
        analytics: Option<bool>,
        marketing: Option<bool>,
    ) -> Self {
        let base = existing.copied().unwrap_or(Self {
            analytics: None,
            marketing: None,
        });
        Self {
            analytics: analytics.or(base.analytics),
            marketing: marketing.or(base.marketing),
        }
    }

    /// The cookie value (base64 text, before percent-encoding) as `writer`
    /// produces it. PHP writes only the members present, in `a`, `m` order,
    /// as `1`/`0`; the browser always writes both (`{"a":1,"m":0}`). Both JSON
    /// texts are plain ASCII, so PHP's and JS's encoders agree on the bytes.
    ///
    /// ```
    /// use segmentflow_core::consent::{ConsentCookie, Side};
    /// // php -r 'echo base64_encode(json_encode(["a"=>1,"m"=>0]));'
    /// assert_eq!(ConsentCookie::new(true, false).encode(Side::Php), "eyJhIjoxLCJtIjowfQ==");
    /// ```
    pub fn encode(&self, writer: Side) -> String {
        let bit = |b: bool| if b { 1 } else { 0 };
        let mut map = Map::new();
        match writer {
            Side::Php => {
                if let Some(a) = self.analytics {
                    map.insert("a".into(), bit(a).into());
                }
                if let Some(m) = self.marketing {
                    map.insert("m".into(), bit(m).into());
                }
            }
            Side::Browser => {
                map.insert("a".into(), bit(self.analytics_granted()).into());
                map.insert("m".into(), bit(self.marketing_granted()).into());
            }
        }
        base64_encode(wp_json::encode(&Value::Object(map)).as_bytes())
    }

    /// The cookie `writer` sets for this decision (1 year, `Path=/`,
    /// `SameSite=Lax`, `Secure` on HTTPS, readable by JS).
    pub fn set_cookie(&self, writer: Side, is_https: bool) -> SetCookie {
        SetCookie::new(
            CONSENT_COOKIE,
            self.encode(writer),
            CONSENT_COOKIE_LIFETIME,
            is_https,
            writer,
        )
    }
}

/// What the plugin knows about the visitor's consent decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentState {
    /// No `sf_consent` cookie: no decision yet.
    Absent,
    /// A cookie that the plugin refuses: also "no decision yet".
    Malformed(CookieError),
    /// A recorded decision.
    Decided(ConsentCookie),
}

impl ConsentState {
    /// Reads the `sf_consent` value as found in `$_COOKIE` (or after
    /// `decodeURIComponent`), `None` when the cookie is absent.
    pub fn read(value: Option<&str>, reader: Side) -> Self {
        match value {
            None | Some("") => Self::Absent,
            Some(v) if reader == Side::Php && !php_non_empty(v) => Self::Absent,
            Some(v) => match ConsentCookie::decode(v, reader) {
                Ok(c) => Self::Decided(c),
                Err(e) => Self::Malformed(e),
            },
        }
    }

    /// The decision, if there is one (`Segmentflow_Consent_Cookie::is_set()`).
    pub fn decision(&self) -> Option<&ConsentCookie> {
        match self {
            Self::Decided(c) => Some(c),
            Self::Absent | Self::Malformed(_) => None,
        }
    }
}

// ---------------------------------------------------------------------------
// sf_id
// ---------------------------------------------------------------------------

/// A member of the `sf_id` cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdField {
    /// `a`: the anonymous id (a UUIDv7).
    AnonymousId,
    /// `u`: the prefixed user id (`wc_42`, `wp_42`) or, for guests, an email.
    UserId,
    /// `e`: the email address.
    Email,
    /// `p`: the phone number.
    Phone,
}

impl IdField {
    /// The short JSON key.
    pub fn key(self) -> &'static str {
        match self {
            Self::AnonymousId => "a",
            Self::UserId => "u",
            Self::Email => "e",
            Self::Phone => "p",
        }
    }
}

/// A decoded `sf_id` cookie.
///
/// The members are kept as the JSON object they came in (key order, unknown
/// keys and non-string values included) because PHP's merge-on-write
/// (`array_merge` then `wp_json_encode`) carries all of them forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCookie {
    members: Map<String, Value>,
}

impl IdCookie {
    /// A cookie holding only an anonymous id (what the browser and
    /// `ensure_anonymous_id()` write first).
    pub fn new(anonymous_id: &str) -> Self {
        let mut members = Map::new();
        members.insert("a".into(), Value::String(anonymous_id.to_owned()));
        Self { members }
    }

    /// Builds a cookie from raw members, applying the same validity rule as
    /// `reader` (non-empty `a`).
    pub fn from_members(members: Map<String, Value>, reader: Side) -> Result<Self, CookieError> {
        match members.get("a") {
            Some(a) if truthy(a, reader) => Ok(Self { members }),
            _ => Err(CookieError::MissingAnonymousId),
        }
    }

    /// Decodes a cookie value as found in `$_COOKIE` (base64 text).
    pub fn decode(value: &str, reader: Side) -> Result<Self, CookieError> {
        Self::decode_bytes(value.as_bytes(), reader)
    }

    /// Decodes the value as it arrives in a `Cookie:` header (percent-encoded).
    pub fn decode_wire(raw: &str, reader: Side) -> Result<Self, CookieError> {
        let bytes = decode_wire_value(ID_COOKIE, raw, reader)?;
        Self::decode_bytes(&bytes, reader)
    }

    fn decode_bytes(value: &[u8], reader: Side) -> Result<Self, CookieError> {
        let cookie = ID_COOKIE;
        if value.is_empty() || value == b"0" && reader == Side::Php {
            return Err(CookieError::Empty { cookie });
        }
        let json = base64_decode(cookie, value)?;
        let members = parse_json_object(cookie, &json, reader)?;
        Self::from_members(members, reader)
    }

    /// A member as a string, `None` when absent or not a string.
    pub fn get_str(&self, field: IdField) -> Option<&str> {
        self.members.get(field.key()).and_then(Value::as_str)
    }

    /// A member as the JSON value PHP would echo (`$sf_identity['u'] ?? null`).
    pub fn get(&self, field: IdField) -> Option<&Value> {
        self.members.get(field.key())
    }

    /// The anonymous id when it is a string.
    pub fn anonymous_id(&self) -> Option<&str> {
        self.get_str(IdField::AnonymousId)
    }

    /// All members in cookie order.
    pub fn members(&self) -> &Map<String, Value> {
        &self.members
    }

    /// PHP `Segmentflow_Identity_Cookie::write()` merge: new fields win,
    /// existing keys keep their position, new keys are appended, then every
    /// member whose value is `""` or `null` is dropped.
    #[must_use]
    pub fn merged(existing: Option<&Self>, fields: &[(IdField, &str)]) -> Map<String, Value> {
        let mut members = existing.map(|c| c.members.clone()).unwrap_or_default();
        for (field, value) in fields {
            members.insert(field.key().to_owned(), Value::String((*value).to_owned()));
        }
        members.retain(|_, v| !matches!(v, Value::Null) && v.as_str() != Some(""));
        members
    }

    /// Encodes `members` as `writer` does: PHP `base64_encode(wp_json_encode(…))`
    /// (escaped `\/` and `\uXXXX`), or the browser's `btoa(JSON.stringify(…))`.
    ///
    /// The members need not hold an anonymous id: PHP writes whatever the
    /// merge produced.
    pub fn encode_members(
        members: &Map<String, Value>,
        writer: Side,
    ) -> Result<String, CookieError> {
        let object = Value::Object(members.clone());
        match writer {
            Side::Php => Ok(base64_encode(wp_json::encode(&object).as_bytes())),
            Side::Browser => browser_base64(ID_COOKIE, &object.to_string()),
        }
    }

    /// Encodes this cookie (see [`IdCookie::encode_members`]).
    pub fn encode(&self, writer: Side) -> Result<String, CookieError> {
        Self::encode_members(&self.members, writer)
    }

    /// The cookie `writer` sets for `members`: PHP keeps it 2 years, the
    /// browser 1 year.
    pub fn set_cookie(
        members: &Map<String, Value>,
        writer: Side,
        is_https: bool,
    ) -> Result<SetCookie, CookieError> {
        let lifetime = match writer {
            Side::Php => ID_COOKIE_LIFETIME_PHP,
            Side::Browser => ID_COOKIE_LIFETIME_BROWSER,
        };
        Ok(SetCookie::new(
            ID_COOKIE,
            Self::encode_members(members, writer)?,
            lifetime,
            is_https,
            writer,
        ))
    }
}

/// Where PHP found the visitor's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentitySource {
    /// The unified `sf_id` cookie.
    SfId,
    /// The pre-`sf_id` cookies `sf_anon_id` (and `sf_user_id`).
    Legacy,
}

/// The result of `Segmentflow_Identity_Cookie::read()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRead {
    /// The identity and where it came from; `None` when the visitor has none.
    pub identity: Option<(IdCookie, IdentitySource)>,
    /// Why a present `sf_id` cookie was refused (the legacy fallback may
    /// still have produced an identity).
    pub sf_id_error: Option<CookieError>,
}

impl IdentityRead {
    /// The identity cookie, whatever its source.
    pub fn cookie(&self) -> Option<&IdCookie> {
        self.identity.as_ref().map(|(c, _)| c)
    }
}

/// PHP's identity read: `sf_id` first; when it is absent or refused, the
/// legacy `sf_anon_id` (plus `sf_user_id`) cookies, each passed through
/// `sanitize_text_field`. Values are as found in `$_COOKIE` (already
/// percent-decoded).
pub fn read_identity(
    sf_id: Option<&str>,
    sf_anon_id: Option<&str>,
    sf_user_id: Option<&str>,
) -> IdentityRead {
    let mut sf_id_error = None;
    if let Some(raw) = sf_id.filter(|v| php_non_empty(v)) {
        match IdCookie::decode(raw, Side::Php) {
            Ok(c) => {
                return IdentityRead {
                    identity: Some((c, IdentitySource::SfId)),
                    sf_id_error: None,
                };
            }
            Err(e) => sf_id_error = Some(e),
        }
    }
    let legacy = sf_anon_id
        .filter(|v| php_non_empty(v))
        .map(sanitize_text_field)
        .filter(|v| php_non_empty(v));
    let identity = legacy.map(|anon| {
        let mut members = Map::new();
        members.insert("a".into(), Value::String(anon));
        if let Some(user) = sf_user_id.filter(|v| php_non_empty(v)) {
            members.insert("u".into(), Value::String(sanitize_text_field(user)));
        }
        (IdCookie { members }, IdentitySource::Legacy)
    });
    IdentityRead {
        identity,
        sf_id_error,
    }
}

/// A close model of WordPress's `sanitize_text_field()` for the plain ids the
/// legacy cookies hold: tags stripped, a stray `<` kept as `&lt;`, whitespace
/// runs (tabs, line breaks) collapsed to one space, percent-encoded octets
/// removed, trimmed.
pub fn sanitize_text_field(input: &str) -> String {
    // 1. Strip tags; keep a `<` that does not open one as `&lt;`.
    let mut stripped = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('<') {
        let (before, from) = rest.split_at(pos);
        stripped.push_str(before);
        let opens_tag = from
            .as_bytes()
            .get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        match (opens_tag, from.find('>')) {
            (true, Some(end)) => rest = from.get(end + 1..).unwrap_or(""),
            (true, None) => rest = "",
            (false, _) => {
                stripped.push_str("&lt;");
                rest = from.get(1..).unwrap_or("");
            }
        }
    }
    stripped.push_str(rest);
    // 2. Collapse whitespace runs.
    let collapse = |s: &str| {
        let mut out = String::with_capacity(s.len());
        let mut in_ws = false;
        for c in s.chars() {
            if matches!(c, ' ' | '\t' | '\r' | '\n') {
                if !in_ws {
                    out.push(' ');
                }
                in_ws = true;
            } else {
                out.push(c);
                in_ws = false;
            }
        }
        out
    };
    let mut text = collapse(&stripped).trim().to_owned();
    // 3. Remove percent-encoded octets.
    let mut found = false;
    loop {
        let bytes = text.as_bytes();
        let hit = (0..bytes.len()).find(|&i| {
            bytes.get(i) == Some(&b'%')
                && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        });
        match hit {
            Some(i) => {
                text.replace_range(i..i + 3, "");
                found = true;
            }
            None => break,
        }
    }
    if found {
        text = collapse(text.trim()).trim().to_owned();
    }
    text
}

#[cfg(test)]
#[allow(clippy::type_complexity)] // case tables are tuples on purpose
mod tests {
    use super::*;
    use serde_json::json;

    /// `php -r 'echo base64_encode(json_encode([...]));'` outputs, PHP 8.2.
    const PHP_CONSENT_A1_M0: &str = "eyJhIjoxLCJtIjowfQ==";
    const PHP_ID_FULL: &str = "eyJhIjoiMDE5MmQ1ZTQtN2IzYS03YzFkLThlMmYtMDEyMzQ1Njc4OWFiIiwidSI6IndjXzQyIiwiZSI6Impvc1x1MDBlOVwveEBleGFtcGxlLmNvbSIsInAiOiIrMSA1NTUifQ==";

    fn b64(s: &str) -> String {
        base64_encode(s.as_bytes())
    }

    #[test]
    fn consent_cookie_decode_table() {
        use Side::{Browser, Php};
        let cases: Vec<(String, Side, Result<(Option<bool>, Option<bool>), &str>)> = vec![
            (PHP_CONSENT_A1_M0.into(), Php, Ok((Some(true), Some(false)))),
            (
                PHP_CONSENT_A1_M0.into(),
                Browser,
                Ok((Some(true), Some(false))),
            ),
            (
                b64(r#"{"a":true,"m":false}"#),
                Php,
                Ok((Some(true), Some(false))),
            ),
            (b64(r#"{"a":0,"m":1}"#), Php, Ok((Some(false), Some(true)))),
            (b64(r#"{"m":1}"#), Php, Ok((None, Some(true)))),
            (b64(r#"{"a":1}"#), Browser, Ok((Some(true), None))),
            (b64(r#"{"a":null}"#), Php, Ok((Some(false), None))),
            // PHP and JS disagree on the string "0" and on empty containers.
            (b64(r#"{"a":"0"}"#), Php, Ok((Some(false), None))),
            (b64(r#"{"a":"0"}"#), Browser, Ok((Some(true), None))),
            (b64(r#"{"a":[]}"#), Php, Ok((Some(false), None))),
            (b64(r#"{"a":[]}"#), Browser, Ok((Some(true), None))),
            (b64(r#"{"a":0.0}"#), Php, Ok((Some(false), None))),
            // Missing padding is accepted by both PHP strict mode and atob.
            (
                "eyJhIjoxLCJtIjowfQ".into(),
                Php,
                Ok((Some(true), Some(false))),
            ),
            (b64(r#"{"foo":"bar"}"#), Php, Err("neither")),
            (b64("[1,0]"), Php, Err("JSON array")),
            (b64("not-json"), Php, Err("does not hold JSON")),
            ("!!!not-base64!!!".into(), Php, Err("base64")),
            ("eyJhIjoxfQ=".into(), Php, Err("base64")),
            ("".into(), Php, Err("empty")),
            ("0".into(), Php, Err("empty")),
        ];
        for (value, reader, want) in cases {
            let got = ConsentCookie::decode(&value, reader);
            match (got, want) {
                (Ok(c), Ok((a, m))) => {
                    assert_eq!((c.analytics, c.marketing), (a, m), "{value} {reader:?}");
                }
                (Err(e), Err(fragment)) => {
                    assert!(e.to_string().contains(fragment), "{value}: {e}");
                }
                (got, want) => panic!("{value} {reader:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn consent_cookie_wire_forms() {
        // PHP setcookie() form and encodeURIComponent form of the same value.
        let php_wire = "eyJhIjoxLCJtIjowfQ%3D%3D";
        for reader in [Side::Php, Side::Browser] {
            let c = ConsentCookie::decode_wire(php_wire, reader).expect("decodes");
            assert_eq!(c, ConsentCookie::new(true, false));
            let c = ConsentCookie::decode_wire(PHP_CONSENT_A1_M0, reader).expect("unencoded");
            assert!(c.flags().analytics);
        }
        // A raw '+' in base64 is a space to PHP (skipped as whitespace, which
        // corrupts the payload) but a '+' to the browser.
        let plus = b64(r#"{"a":1,"x":"00>"}"#);
        assert!(plus.contains('+'), "{plus}");
        assert!(ConsentCookie::decode_wire(&plus, Side::Browser).is_ok());
        assert!(ConsentCookie::decode_wire(&plus, Side::Php).is_err());
        let encoded = encode_wire_value(&plus, Side::Php);
        assert!(ConsentCookie::decode_wire(&encoded, Side::Php).is_ok());
        // decodeURIComponent throws on a broken escape; PHP keeps it.
        let err = ConsentCookie::decode_wire("eyJh%zz", Side::Browser).unwrap_err();
        assert_eq!(
            err,
            CookieError::PercentEscape {
                cookie: "sf_consent",
                offset: 4
            }
        );
        assert!(matches!(
            ConsentCookie::decode_wire("eyJh%zz", Side::Php),
            Err(CookieError::Base64 { offset: 4, .. })
        ));
    }

    #[test]
    fn consent_cookie_encode_table() {
        let cases = [
            (
                ConsentCookie::new(true, false),
                Side::Php,
                r#"{"a":1,"m":0}"#,
            ),
            (
                ConsentCookie::new(false, true),
                Side::Browser,
                r#"{"a":0,"m":1}"#,
            ),
            (
                ConsentCookie {
                    analytics: None,
                    marketing: Some(false),
                },
                Side::Php,
                r#"{"m":0}"#,
            ),
            (
                ConsentCookie {
                    analytics: None,
                    marketing: Some(false),
                },
                Side::Browser,
                r#"{"a":0,"m":0}"#,
            ),
        ];
        for (cookie, writer, json) in cases {
            assert_eq!(cookie.encode(writer), b64(json), "{cookie:?} {writer:?}");
        }
        assert_eq!(
            ConsentCookie::new(true, false).encode(Side::Php),
            PHP_CONSENT_A1_M0
        );
    }

    #[test]
    fn consent_merge_keeps_untouched_categories() {
        let both = ConsentCookie::new(true, true);
        let revoked = ConsentCookie::merged(Some(&both), None, Some(false));
        assert_eq!(revoked, ConsentCookie::new(true, false));
        let partial = ConsentCookie::merged(None, None, Some(true));
        assert_eq!(partial.analytics, None);
        assert!(!partial.analytics_granted());
        assert!(partial.marketing_granted());
    }

    #[test]
    fn consent_state_read() {
        assert_eq!(ConsentState::read(None, Side::Php), ConsentState::Absent);
        assert_eq!(
            ConsentState::read(Some("0"), Side::Php),
            ConsentState::Absent
        );
        assert!(matches!(
            ConsentState::read(Some("garbage!"), Side::Php),
            ConsentState::Malformed(CookieError::Base64 { .. })
        ));
        let s = ConsentState::read(Some(PHP_CONSENT_A1_M0), Side::Php);
        assert_eq!(s.decision(), Some(&ConsentCookie::new(true, false)));
    }

    #[test]
    fn id_cookie_php_bytes_match_php() {
        // php -r 'echo base64_encode(json_encode(["a"=>"0192d5e4-…","u"=>"wc_42",
        //          "e"=>"jos\u{e9}/x@example.com","p"=>"+1 555"]));'
        let mut members = Map::new();
        members.insert("a".into(), json!("0192d5e4-7b3a-7c1d-8e2f-0123456789ab"));
        members.insert("u".into(), json!("wc_42"));
        members.insert("e".into(), json!("josé/x@example.com"));
        members.insert("p".into(), json!("+1 555"));
        assert_eq!(
            IdCookie::encode_members(&members, Side::Php).expect("php encodes"),
            PHP_ID_FULL
        );
        let back = IdCookie::decode(PHP_ID_FULL, Side::Php).expect("decodes");
        assert_eq!(back.get_str(IdField::Email), Some("josé/x@example.com"));
        // The browser reads the same bytes (ASCII JSON with escapes).
        let js = IdCookie::decode(PHP_ID_FULL, Side::Browser).expect("browser decodes");
        assert_eq!(js.get_str(IdField::Email), Some("josé/x@example.com"));
        // The browser writes without escapes, so the bytes differ.
        let browser = IdCookie::encode_members(&members, Side::Browser).expect("latin-1");
        assert_eq!(
            base64::engine::general_purpose::STANDARD.decode(browser).expect("b64"),
            "{\"a\":\"0192d5e4-7b3a-7c1d-8e2f-0123456789ab\",\"u\":\"wc_42\",\"e\":\"jos\u{e9}/x@example.com\",\"p\":\"+1 555\"}"
                .chars()
                .map(|c| c as u8)
                .collect::<Vec<u8>>()
        );
    }

    #[test]
    fn id_cookie_decode_table() {
        use Side::{Browser, Php};
        let cases: Vec<(String, Side, Result<Option<&str>, &str>)> = vec![
            (b64(r#"{"a":"abc"}"#), Php, Ok(Some("abc"))),
            (
                b64(r#"{"a":"abc","u":"wp_1","x":5}"#),
                Browser,
                Ok(Some("abc")),
            ),
            (b64(r#"{"a":""}"#), Php, Err("no non-empty")),
            (b64(r#"{"a":"0"}"#), Php, Err("no non-empty")),
            (b64(r#"{"a":"0"}"#), Browser, Ok(Some("0"))),
            (b64(r#"{"a":7}"#), Php, Ok(None)),
            (b64(r#"{"u":"wc_1"}"#), Php, Err("no non-empty")),
            (b64(r#""abc""#), Php, Err("JSON string")),
            ("%%%".into(), Php, Err("base64")),
            // UTF-8 written raw (not by PHP): PHP reads UTF-8, atob reads Latin-1.
            (b64(r#"{"a":"é"}"#), Php, Ok(Some("é"))),
            (b64(r#"{"a":"é"}"#), Browser, Ok(Some("Ã©"))),
        ];
        for (value, reader, want) in cases {
            match (IdCookie::decode(&value, reader), want) {
                (Ok(c), Ok(a)) => assert_eq!(c.anonymous_id(), a, "{value}"),
                (Err(e), Err(fragment)) => assert!(e.to_string().contains(fragment), "{e}"),
                (got, want) => panic!("{value} {reader:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn id_cookie_merge_on_write() {
        let existing = IdCookie::decode(
            &b64(r#"{"a":"anon","x":1,"e":"old@x.io","p":""}"#),
            Side::Php,
        )
        .expect("valid");
        let merged = IdCookie::merged(
            Some(&existing),
            &[
                (IdField::UserId, "wc_7"),
                (IdField::Email, "new@x.io"),
                (IdField::Phone, ""),
            ],
        );
        assert_eq!(
            Value::Object(merged),
            json!({"a": "anon", "x": 1, "e": "new@x.io", "u": "wc_7"})
        );
        let fresh = IdCookie::merged(None, &[(IdField::Email, "a@b.co")]);
        assert_eq!(Value::Object(fresh), json!({"e": "a@b.co"}));
    }

    #[test]
    fn browser_cannot_write_non_latin1() {
        let mut members = Map::new();
        members.insert("a".into(), json!("日本"));
        assert_eq!(
            IdCookie::encode_members(&members, Side::Browser),
            Err(CookieError::NotLatin1 {
                cookie: "sf_id",
                character: '日'
            })
        );
        assert!(IdCookie::encode_members(&members, Side::Php).is_ok());
    }

    #[test]
    fn identity_read_falls_back_to_legacy() {
        let good = b64(r#"{"a":"new-id"}"#);
        let r = read_identity(Some(&good), Some("old"), None);
        assert_eq!(r.cookie().and_then(IdCookie::anonymous_id), Some("new-id"));
        assert_eq!(
            r.identity.as_ref().map(|(_, s)| *s),
            Some(IdentitySource::SfId)
        );

        let r = read_identity(Some("not base64!"), Some(" old\tid "), Some("wp_3<b>x</b>"));
        let (c, source) = r.identity.clone().expect("legacy identity");
        assert_eq!(source, IdentitySource::Legacy);
        assert_eq!(
            Value::Object(c.members().clone()),
            json!({"a": "old id", "u": "wp_3x"})
        );
        assert!(matches!(r.sf_id_error, Some(CookieError::Base64 { .. })));

        let none = read_identity(None, Some("0"), Some("wp_1"));
        assert_eq!(none.identity, None);
        assert_eq!(none.sf_id_error, None);
    }

    #[test]
    fn sanitize_text_field_cases() {
        let cases = [
            ("  a  b ", "a b"),
            ("a\n\tb", "a b"),
            ("x<script>y</script>z", "xyz"),
            ("1 < 2", "1 &lt; 2"),
            ("id%41%4a", "id"),
            ("plain-uuid", "plain-uuid"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize_text_field(input), want, "{input:?}");
        }
    }

    #[test]
    fn unescaped_json_from_other_writers_is_accepted() {
        // JSON.stringify leaves `/` and non-ASCII alone; PHP's reader takes it.
        let raw = b64(r#"{"a":"x","e":"a/b@c.de"}"#);
        let c = IdCookie::decode_wire(&encode_wire_value(&raw, Side::Browser), Side::Php)
            .expect("php reads the browser form");
        assert_eq!(c.get_str(IdField::Email), Some("a/b@c.de"));
        // Re-encoding by PHP escapes the slash.
        let php = c.encode(Side::Php).expect("php encodes");
        assert_eq!(php, b64(r#"{"a":"x","e":"a\/b@c.de"}"#));
    }

    proptest::proptest! {
        #[test]
        fn decoders_never_panic(raw in ".{0,80}") {
            for side in [Side::Php, Side::Browser] {
                let _ = ConsentCookie::decode_wire(&raw, side);
                let _ = IdCookie::decode_wire(&raw, side);
                let _ = ConsentState::read(Some(&raw), side);
            }
            let _ = read_identity(Some(&raw), Some(&raw), Some(&raw));
            let _ = sanitize_text_field(&raw);
        }

        #[test]
        fn consent_round_trips(a in proptest::option::of(proptest::bool::ANY),
                               m in proptest::option::of(proptest::bool::ANY)) {
            proptest::prop_assume!(a.is_some() || m.is_some());
            let cookie = ConsentCookie { analytics: a, marketing: m };
            for writer in [Side::Php, Side::Browser] {
                let wire = cookie.set_cookie(writer, true);
                let on_wire = encode_wire_value(&wire.value, writer);
                for reader in [Side::Php, Side::Browser] {
                    let back = ConsentCookie::decode_wire(&on_wire, reader).expect("round trip");
                    proptest::prop_assert_eq!(back.flags(), cookie.flags());
                }
            }
        }

        #[test]
        fn id_cookie_round_trips_through_php(a in "[a-z0-9-]{2,40}", e in ".{0,40}", p in "[+0-9 ]{0,15}") {
            let base = IdCookie::new(&a);
            let members = IdCookie::merged(Some(&base), &[(IdField::Email, &e), (IdField::Phone, &p)]);
            let value = IdCookie::encode_members(&members, Side::Php).expect("php encodes anything");
            let wire = encode_wire_value(&value, Side::Php);
            let back = IdCookie::decode_wire(&wire, Side::Php).expect("round trip");
            proptest::prop_assert_eq!(back.members(), &members);
        }
    }

    #[test]
    fn wire_encoding_matches_php_and_js() {
        // PHP 8.2 setcookie(): `a%20b%2Bc%2Fd%3D%C3%A9`, `x-_.~%21%2A%28%29%27`.
        assert_eq!(
            encode_wire_value("a b+c/d=é", Side::Php),
            "a%20b%2Bc%2Fd%3D%C3%A9"
        );
        assert_eq!(
            encode_wire_value("x-_.~!*()'", Side::Php),
            "x-_.~%21%2A%28%29%27"
        );
        assert_eq!(encode_wire_value("x-_.~!*()'", Side::Browser), "x-_.~!*()'");
        assert_eq!(encode_wire_value("ab==", Side::Browser), "ab%3D%3D");
    }
}
