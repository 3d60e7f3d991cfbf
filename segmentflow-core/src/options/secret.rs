//! Secrets (the write key, the webhook secret, poll tokens) and how they are
//! shown to people.
//!
//! A [`Secret`] prints masked through both `Debug` and `Display`, so a secret
//! cannot leak into a log line, a panic message or a `{:?}` of a larger
//! struct by accident; the real text is only reachable through
//! [`Secret::expose`], which is easy to search for in review.
//!
//! How secrets are masked is described on [`mask_secret`].

use std::fmt;
use subtle::ConstantTimeEq;

/// The longest type tag [`mask_secret`] shows, in characters.
const MAX_TAG_CHARS: usize = 7;
/// How many trailing characters [`mask_secret`] shows.
const SHOWN_SUFFIX_CHARS: usize = 4;
/// The fewest characters that must stay hidden.
const MIN_HIDDEN_CHARS: usize = 8;

/// Masks a secret for display.
///
/// It keeps two things a person needs to recognise a key and
/// nothing more:
///
/// * a **type tag**: the leading `_`-terminated segments made only of ASCII
///   letters, at most 7 characters together (`sk_live_…` → `sk_live`,
///   `whsec_…` → `whsec`). Random key material is never shown as a prefix:
///   a key without such a tag (`f3a9…`) shows no prefix at all;
/// * the **last 4 characters**.
///
/// Everything in between becomes `…`. At least 8 characters must stay hidden:
/// if the tag plus the last 4 would leave fewer, the tag is dropped; if even
/// the last 4 would leave fewer than 8 hidden, the whole value is shown as
/// `••••`. The empty secret is shown as the empty string.
///
/// ```
/// use segmentflow_core::options::mask_secret;
/// assert_eq!(mask_secret("sk_live_abcdef0123456789a1b2"), "sk_live…a1b2");
/// assert_eq!(mask_secret("f3a9c2d1e0b7a6c5d4e3"), "…d4e3");
/// assert_eq!(mask_secret("short"), "••••");
/// ```
pub fn mask_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let total = chars.len();
    if total == 0 {
        return String::new();
    }
    if total < SHOWN_SUFFIX_CHARS + MIN_HIDDEN_CHARS {
        return "••••".to_string();
    }
    let suffix: String = chars[total - SHOWN_SUFFIX_CHARS..].iter().collect();
    let tag = type_tag(secret);
    // The tag is shown without its trailing `_`, which stays hidden.
    let tag_chars = tag.map_or(0, |t| t.chars().count() + 1);
    match tag {
        Some(tag) if total >= tag_chars + SHOWN_SUFFIX_CHARS + MIN_HIDDEN_CHARS => {
            format!("{tag}…{suffix}")
        }
        _ => format!("…{suffix}"),
    }
}

/// The leading `_`-terminated, letters-only segments of `secret`, at most
/// [`MAX_TAG_CHARS`] characters together (without the final `_`).
fn type_tag(secret: &str) -> Option<&str> {
    let mut end = None;
    let mut pos = 0;
    while let Some(rel) = secret[pos..].find('_') {
        let segment = &secret[pos..pos + rel];
        if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_alphabetic()) {
            break;
        }
        let candidate_end = pos + rel;
        if candidate_end > MAX_TAG_CHARS {
            break;
        }
        end = Some(candidate_end);
        pos = candidate_end + 1;
    }
    end.map(|e| &secret[..e])
}

/// A secret string: masked in `Debug` and `Display`, compared in constant
/// time, and readable only through [`Secret::expose`].
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret text itself, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form shown to people (see [`mask_secret`]).
    pub fn masked(&self) -> String {
        mask_secret(&self.0)
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&self.masked()).finish()
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_cases() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("a", "••••"),
            ("sk_live", "••••"),
            // 11 chars: fewer than 8 would stay hidden behind the last 4.
            ("abcdefghijk", "••••"),
            // 12 chars: last 4 shown, 8 hidden.
            ("abcdefghijkl", "…ijkl"),
            ("sk_live_abcdef0123456789a1b2", "sk_live…a1b2"),
            ("sk_test_0123456789abcdefwxyz", "sk_test…wxyz"),
            ("whsec_0123456789abcdef", "whsec…cdef"),
            // Tag would leave fewer than 8 hidden: dropped.
            ("sk_live_0123abcd", "…abcd"),
            // Tag longer than 7 characters: not shown.
            ("segmentflow_0123456789abcdef", "…cdef"),
            // First segment has digits: random material, not a tag.
            ("a1_0123456789abcdef", "…cdef"),
            // No underscore at all.
            ("f3a9c2d1e0b7a6c5d4e3", "…d4e3"),
            // Several short letter segments fit in 7 characters.
            ("wk_a_b_0123456789abcdefgh", "wk_a_b…efgh"),
            // Leading underscore: empty segment, no tag.
            ("_0123456789abcdef", "…cdef"),
            // Non-ASCII is counted in characters and never split.
            ("ключ_0123456789абвг", "…абвг"),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_secret(input), *expected, "mask_secret({input:?})");
        }
    }

    #[test]
    fn masking_never_shows_the_hidden_middle() {
        let secret = "sk_live_SENSITIVEMIDDLE_a1b2";
        let masked = mask_secret(secret);
        assert!(!masked.contains("SENSITIVE"), "{masked}");
    }

    #[test]
    fn debug_and_display_are_masked() {
        let s = Secret::new("sk_live_abcdef0123456789a1b2");
        assert_eq!(format!("{s}"), "sk_live…a1b2");
        assert_eq!(format!("{s:?}"), "Secret(\"sk_live…a1b2\")");
        assert!(!format!("{s:?}").contains("abcdef"));
        assert_eq!(s.expose(), "sk_live_abcdef0123456789a1b2");
    }

    #[test]
    fn equality_compares_the_secret() {
        assert_eq!(Secret::new("abc"), Secret::from("abc"));
        assert_ne!(Secret::new("abc"), Secret::new("abd"));
        assert_ne!(Secret::new("abc"), Secret::new("abcd"));
    }
}
