//! `X-WC-Webhook-Signature`: how WooCommerce signs a delivery and how a
//! receiver checks it.
//!
//! `WC_Webhook::generate_signature()` computes
//! `base64_encode(hash_hmac('sha256', $body, wp_specialchars_decode($secret, ENT_QUOTES), true))`:
//! an HMAC-SHA256 over the **exact raw body bytes**, keyed with the stored
//! secret after WordPress has decoded its HTML special-character entities
//! (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#039;` and their numeric spellings),
//! then the raw 32-byte digest in standard base64 with padding. (The hash
//! algorithm can be changed with the `woocommerce_webhook_hash_algorithm`
//! filter; nobody does, and the Segmentflow backend expects SHA-256.)
//!
//! Verification always runs on the bytes received, never on re-encoded JSON,
//! and compares in constant time (`hmac`'s `verify_slice`).

use super::WebhookSecret;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-WC-Webhook-Signature` header, or an empty one.
    #[error("missing X-WC-Webhook-Signature header")]
    Missing,
    /// The header is not standard base64.
    #[error("X-WC-Webhook-Signature {value:?} is not base64")]
    NotBase64 {
        /// The header value as received (trimmed).
        value: String,
    },
    /// The header decodes to something other than a 32-byte SHA-256 MAC.
    #[error("X-WC-Webhook-Signature decodes to {len} bytes, expected 32 (HMAC-SHA256)")]
    WrongLength {
        /// The decoded length.
        len: usize,
    },
    /// The signature does not match the body and secret (tampered body, wrong
    /// secret, or a body re-encoded after signing).
    #[error("X-WC-Webhook-Signature does not match the body and the webhook secret")]
    Mismatch,
}

/// `wp_specialchars_decode($text, ENT_QUOTES)`, exactly: decodes `&amp;`,
/// `&lt;`, `&gt;`, `&quot;`, `&#039;`/`&#39;`/`&#x27;`, `&#034;`/`&#x22;`,
/// `&#060;`, `&#062;`, `&#038;`/`&#x26;` (numeric forms with any number of
/// leading zeros, `x` in either case), each in a single left-to-right pass
/// (`&amp;lt;` gives `&lt;`). Named entities are case-sensitive and no other
/// entity (`&apos;`, `&nbsp;`, `&#40;`) is touched.
pub fn decode_secret(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Start of the run of bytes copied verbatim; entity boundaries are ASCII,
    // so every slice boundary below is a char boundary.
    let mut copied_to = 0;
    while i < bytes.len() {
        if bytes[i] == b'&'
            && let Some((decoded, len)) = entity_at(&bytes[i..])
        {
            out.push_str(&text[copied_to..i]);
            out.push(decoded);
            i += len;
            copied_to = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[copied_to..]);
    out
}

/// The character an entity starting at `s[0] == b'&'` decodes to, and the
/// entity's length in bytes.
fn entity_at(s: &[u8]) -> Option<(char, usize)> {
    const NAMED: [(&[u8], char); 4] = [
        (b"&amp;", '&'),
        (b"&lt;", '<'),
        (b"&gt;", '>'),
        (b"&quot;", '"'),
    ];
    for (name, ch) in NAMED {
        if s.starts_with(name) {
            return Some((ch, name.len()));
        }
    }
    let rest = s.strip_prefix(b"&#")?;
    let (hex, digits_start) = match rest.first() {
        Some(b'x' | b'X') => (true, 3),
        _ => (false, 2),
    };
    let after_prefix = s.get(digits_start..)?;
    let zeros = after_prefix.iter().take_while(|&&b| b == b'0').count();
    let body = after_prefix.get(zeros..)?;
    // The numbers WordPress recognises (after stripping leading zeros).
    let table: &[(&[u8], char)] = if hex {
        &[(b"27;", '\''), (b"22;", '"'), (b"26;", '&')]
    } else {
        &[
            (b"39;", '\''),
            (b"34;", '"'),
            (b"60;", '<'),
            (b"62;", '>'),
            (b"38;", '&'),
        ]
    };
    table
        .iter()
        .find(|(digits, _)| body.starts_with(digits))
        .map(|(digits, ch)| (*ch, digits_start + zeros + digits.len()))
}

/// The raw HMAC-SHA256 of `body` keyed with the decoded `secret`.
fn mac(body: &[u8], secret: &WebhookSecret) -> HmacSha256 {
    let key = decode_secret(secret.expose());
    let mut mac =
        HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}

/// The `X-WC-Webhook-Signature` value WooCommerce sends for `body` (the exact
/// bytes on the wire) with the webhook's stored `secret`.
pub fn sign(body: &[u8], secret: &WebhookSecret) -> String {
    STANDARD.encode(mac(body, secret).finalize().into_bytes())
}

/// Checks a received `X-WC-Webhook-Signature` header (`None` when absent)
/// against the raw `body` and the stored `secret`, in constant time.
/// Surrounding whitespace in the header value is ignored.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &WebhookSecret,
) -> Result<(), SignatureError> {
    let value = header.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(SignatureError::Missing);
    }
    let tag = STANDARD
        .decode(value)
        .map_err(|_| SignatureError::NotBase64 {
            value: value.to_owned(),
        })?;
    if tag.len() != 32 {
        return Err(SignatureError::WrongLength { len: tag.len() });
    }
    mac(body, secret)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values produced by running WordPress 6.1's
    /// `wp_specialchars_decode($s, ENT_QUOTES)` under PHP 8.2.
    #[test]
    fn decode_secret_matches_wordpress() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("a&amp;b", "a&b"),
            ("a&amp;amp;b", "a&amp;b"),
            (
                "&lt;&gt;&quot;&#039;&#39;&#x27;&#X27;&#0039;&#x0027;",
                "<>\"''''''",
            ),
            ("&#34;&#034;&#x22;&#X22;&#x0022;", "\"\"\"\"\""),
            ("&#60;&#060;&#0060;&#62;&#38;&#038;&#x26;&#X26;", "<<<>&&&&"),
            (
                "&QUOT;&Amp;&apos;&nbsp;&#40;&#x3c;",
                "&QUOT;&Amp;&apos;&nbsp;&#40;&#x3c;",
            ),
            ("&#0;&#;&#x;&amp", "&#0;&#;&#x;&amp"),
            ("&&amp;;", "&&;"),
            ("k&#039s", "k&#039s"),
            ("&#00000038;amp;", "&amp;"),
            ("&#x000026;lt;", "&lt;"),
            ("é&amp;ü&", "é&ü&"),
        ];
        for (input, expected) in cases {
            assert_eq!(decode_secret(input), expected, "{input:?}");
        }
    }

    #[test]
    fn signs_like_woocommerce() {
        // RFC 4231 test case 2, base64 of the published digest.
        let secret = WebhookSecret::new("Jefe");
        assert_eq!(
            sign(b"what do ya want for nothing?", &secret),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
        // An entity in the stored secret signs like its decoded form.
        assert_eq!(
            sign(b"{}", &WebhookSecret::new("a&amp;b")),
            sign(b"{}", &WebhookSecret::new("a&b"))
        );
        assert_ne!(
            sign(b"{}", &WebhookSecret::new("a&amp;b")),
            sign(b"{}", &WebhookSecret::new("a&amp;amp;b"))
        );
    }

    #[test]
    fn verify_errors() {
        let secret = WebhookSecret::new("s3cret");
        let body = br#"{"id":1}"#;
        let good = sign(body, &secret);
        assert_eq!(verify(Some(&good), body, &secret), Ok(()));
        assert_eq!(verify(Some(&format!(" {good}\t")), body, &secret), Ok(()));
        let cases: [(Option<&str>, &[u8], SignatureError); 6] = [
            (None, body, SignatureError::Missing),
            (Some("  "), body, SignatureError::Missing),
            (
                Some("not base64!"),
                body,
                SignatureError::NotBase64 {
                    value: "not base64!".into(),
                },
            ),
            (Some("AAAA"), body, SignatureError::WrongLength { len: 3 }),
            (Some(&good), br#"{"id":2}"#, SignatureError::Mismatch),
            (
                Some("W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="),
                body,
                SignatureError::Mismatch,
            ),
        ];
        for (header, body, expected) in cases {
            assert_eq!(
                verify(header, body, &secret),
                Err(expected.clone()),
                "{header:?}"
            );
        }
        assert_eq!(
            verify(Some(&good), body, &WebhookSecret::new("other")),
            Err(SignatureError::Mismatch)
        );
    }

    proptest::proptest! {
        /// Decoding never panics and only ever shortens the text.
        #[test]
        fn decode_never_panics(text in "(&|#|x|X|0|2|3|6|7|8|9|4|;|amp|lt|gt|quot|é|a)*") {
            let decoded = decode_secret(&text);
            proptest::prop_assert!(decoded.len() <= text.len());
        }

        #[test]
        fn verify_never_panics(header in proptest::prelude::any::<String>(), body in proptest::prelude::any::<Vec<u8>>()) {
            let _ = verify(Some(&header), &body, &WebhookSecret::new("k"));
        }
    }
}
