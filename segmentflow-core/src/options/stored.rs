//! What `get_option()` hands the plugin for a raw `option_value`, and what
//! the plugin's `(bool)` and `(string)` casts make of it.
//!
//! `get_option()` runs `maybe_unserialize()`: a value that passes
//! WordPress's strict `is_serialized()` test is unserialized (a broken
//! payload becomes `false`), anything else is returned as the raw string.
//! The plugin then casts: `(bool) get_option(…)` for its checkboxes and
//! `(string) get_option(…)` for everything else. PHP's `(bool)` of a string
//! is false only for `""` and `"0"` — so `"false"`, `"no"` and `"off"` read
//! as **true**, exactly as they would in the plugin.
//!
//! Scalars (`N;`, `b:`, `i:`, `d:`, `s:`) are decoded here; arrays and
//! objects go through [`crate::php::decode`].

use crate::php::{self, Value};
use std::borrow::Cow;

/// PHP's `trim()` character set.
fn php_trim(raw: &[u8]) -> &[u8] {
    const WS: &[u8] = b" \t\n\r\0\x0B";
    let start = raw
        .iter()
        .position(|b| !WS.contains(b))
        .unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|b| !WS.contains(b))
        .map_or(start, |i| i + 1);
    raw.get(start..end).unwrap_or_default()
}

/// WordPress's `is_serialized($data, strict = true)`.
pub(crate) fn is_serialized(raw: &[u8]) -> bool {
    let data = php_trim(raw);
    if data == b"N;" {
        return true;
    }
    if data.len() < 4 || data.get(1) != Some(&b':') {
        return false;
    }
    let (Some(&first), Some(&last)) = (data.first(), data.last()) else {
        return false;
    };
    if last != b';' && last != b'}' {
        return false;
    }
    let digits_then_colon = |body: &[u8]| {
        let n = body.iter().take_while(|b| b.is_ascii_digit()).count();
        n > 0 && body.get(n) == Some(&b':')
    };
    match first {
        b's' => data.get(data.len() - 2) == Some(&b'"') && digits_then_colon(&data[2..]),
        b'a' | b'O' | b'E' => digits_then_colon(&data[2..]),
        b'b' | b'i' | b'd' => {
            let body = &data[2..data.len() - 1];
            last == b';'
                && !body.is_empty()
                && body
                    .iter()
                    .all(|b| b.is_ascii_digit() || b".E+-".contains(b))
        }
        _ => false,
    }
}

/// The PHP value `get_option()` returns for a stored value, as far as the
/// plugin's casts can tell them apart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Unserialized<'a> {
    /// Not serialized: the raw string.
    Raw(&'a [u8]),
    /// `N;`
    Null,
    /// `b:0;`/`b:1;`, and `false` for a payload `unserialize()` rejects.
    Bool(bool),
    /// `i:<n>;` (saturating like PHP).
    Int(i64),
    /// `d:<x>;` with its text.
    Float(f64, &'a [u8]),
    /// `s:<n>:"…";`
    Str(&'a [u8]),
    /// An array, object or enum: only its truthiness matters here.
    Compound {
        /// `(bool)` of the value: false only for an empty array.
        truthy: bool,
    },
    /// An array or object payload `unserialize()` rejects (PHP: `false`).
    Broken,
}

/// `maybe_unserialize()` for one stored value.
pub(crate) fn maybe_unserialize(raw: &[u8]) -> Unserialized<'_> {
    if !is_serialized(raw) {
        return Unserialized::Raw(raw);
    }
    let data = php_trim(raw);
    match data.first() {
        Some(b'N') => Unserialized::Null,
        Some(b'b') => match data {
            b"b:0;" => Unserialized::Bool(false),
            b"b:1;" => Unserialized::Bool(true),
            _ => Unserialized::Bool(false),
        },
        Some(b'i') => {
            parse_int(&data[2..data.len() - 1]).map_or(Unserialized::Bool(false), Unserialized::Int)
        }
        Some(b'd') => {
            let text = &data[2..data.len() - 1];
            std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .map_or(Unserialized::Bool(false), |f| Unserialized::Float(f, text))
        }
        Some(b's') => parse_string(data).map_or(Unserialized::Bool(false), Unserialized::Str),
        _ => match php::decode(data) {
            Ok(Value::Array(entries)) => Unserialized::Compound {
                truthy: !entries.is_empty(),
            },
            Ok(_) => Unserialized::Compound { truthy: true },
            Err(_) => Unserialized::Broken,
        },
    }
}

/// `i:` body: optional sign, digits; saturates on overflow as PHP does.
fn parse_int(body: &[u8]) -> Option<i64> {
    let (negative, digits) = match body.first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: i64 = 0;
    for d in digits {
        let digit = i64::from(d - b'0');
        value = value.saturating_mul(10);
        value = if negative {
            value.saturating_sub(digit)
        } else {
            value.saturating_add(digit)
        };
    }
    Some(value)
}

/// `s:<len>:"<bytes>";` with an exact byte length.
fn parse_string(data: &[u8]) -> Option<&[u8]> {
    let rest = data.strip_prefix(b"s:")?;
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let len: usize = std::str::from_utf8(&rest[..n]).ok()?.parse().ok()?;
    let rest = rest[n..].strip_prefix(b":\"")?;
    let body = rest.get(..len)?;
    (rest.get(len..)? == b"\";").then_some(body)
}

/// `(bool) get_option($name, $default)`: `default` when the row is absent.
pub(crate) fn read_bool(raw: Option<&[u8]>, default: bool) -> bool {
    let Some(raw) = raw else {
        return default;
    };
    match maybe_unserialize(raw) {
        Unserialized::Raw(s) | Unserialized::Str(s) => !(s.is_empty() || s == b"0"),
        Unserialized::Null | Unserialized::Broken => false,
        Unserialized::Bool(b) => b,
        Unserialized::Int(i) => i != 0,
        Unserialized::Float(f, _) => f != 0.0,
        Unserialized::Compound { truthy } => truthy,
    }
}

/// What was odd about a stored string option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StringProblem {
    /// An array, object or enum where a string was expected; PHP would read
    /// `"Array"` or fail.
    NotAScalar,
    /// A serialized array or object `unserialize()` rejects.
    Broken,
    /// Bytes that are not UTF-8 (replaced by U+FFFD).
    NotUtf8,
}

/// `(string) get_option($name, $default)`, as UTF-8 text.
pub(crate) fn read_string(raw: &[u8]) -> (Cow<'_, str>, Option<StringProblem>) {
    let bytes: Cow<'_, [u8]> = match maybe_unserialize(raw) {
        Unserialized::Raw(s) | Unserialized::Str(s) => Cow::Borrowed(s),
        Unserialized::Null | Unserialized::Bool(false) => Cow::Borrowed(b""),
        Unserialized::Bool(true) => Cow::Borrowed(b"1"),
        Unserialized::Int(i) => Cow::Owned(i.to_string().into_bytes()),
        Unserialized::Float(_, text) => Cow::Borrowed(text),
        Unserialized::Compound { .. } => {
            return (Cow::Borrowed(""), Some(StringProblem::NotAScalar));
        }
        Unserialized::Broken => return (Cow::Borrowed(""), Some(StringProblem::Broken)),
    };
    match bytes {
        Cow::Borrowed(b) => match String::from_utf8_lossy(b) {
            Cow::Borrowed(s) => (Cow::Borrowed(s), None),
            Cow::Owned(s) => (Cow::Owned(s), Some(StringProblem::NotUtf8)),
        },
        Cow::Owned(b) => match String::from_utf8(b) {
            Ok(s) => (Cow::Owned(s), None),
            Err(e) => (
                Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
                Some(StringProblem::NotUtf8),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_serialized_cases() {
        let cases: &[(&[u8], bool)] = &[
            (b"N;", true),
            (b"  N; ", true),
            (b"b:1;", true),
            (b"b:0;", true),
            (b"i:42;", true),
            (b"i:-42;", true),
            (b"d:0.5;", true),
            (b"d:1.0E+25;", true),
            (b"d:INF;", false),
            (b"s:3:\"abc\";", true),
            (b"s:3:\"abc\"", false),
            (b"a:0:{}", true),
            (b"O:8:\"stdClass\":0:{}", true),
            (b"", false),
            (b"1", false),
            (b"0", false),
            (b"abc", false),
            (b"b:1;x", false),
            (b"https://api.segmentflow.ai", false),
            (b"C:3:\"Foo\":0:{}", false),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                is_serialized(raw),
                *expected,
                "is_serialized({:?})",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn bool_reading_follows_php_casts() {
        let cases: &[(Option<&[u8]>, bool, bool)] = &[
            // (raw, default, expected)
            (None, false, false),
            (None, true, true),
            (Some(b""), true, false),
            (Some(b"0"), true, false),
            (Some(b"1"), false, true),
            (Some(b"yes"), false, true),
            // PHP (bool) "false" is true: the plugin would read it as on.
            (Some(b"false"), false, true),
            (Some(b"off"), false, true),
            (Some(b" "), false, true),
            (Some(b"0.0"), false, true),
            (Some(b"b:0;"), true, false),
            (Some(b"b:1;"), false, true),
            (Some(b"b:2;"), true, false),
            (Some(b"i:0;"), true, false),
            (Some(b"i:7;"), false, true),
            (Some(b"d:0;"), true, false),
            (Some(b"d:0.5;"), false, true),
            (Some(b"N;"), true, false),
            (Some(b"s:0:\"\";"), true, false),
            (Some(b"s:1:\"0\";"), true, false),
            (Some(b"s:1:\"1\";"), false, true),
            (Some(b"s:5:\"1\";"), true, false),
            (Some(b"a:0:{}"), true, false),
        ];
        for (raw, default, expected) in cases {
            assert_eq!(
                read_bool(*raw, *default),
                *expected,
                "read_bool({:?}, {default})",
                raw.map(String::from_utf8_lossy)
            );
        }
    }

    #[test]
    fn string_reading() {
        let cases: &[(&[u8], &str, Option<StringProblem>)] = &[
            (b"sk_live_x", "sk_live_x", None),
            (b"", "", None),
            (b"s:4:\"abcd\";", "abcd", None),
            (b"b:1;", "1", None),
            (b"b:0;", "", None),
            (b"i:+5;", "5", None),
            (b"N;", "", None),
            (b"caf\xe9", "caf\u{fffd}", Some(StringProblem::NotUtf8)),
        ];
        for (raw, text, problem) in cases {
            let (got, got_problem) = read_string(raw);
            assert_eq!(
                (got.as_ref(), got_problem),
                (*text, *problem),
                "read_string({:?})",
                String::from_utf8_lossy(raw)
            );
        }
        // An array in a string option: a problem whether or not the codec
        // can read it.
        for raw in [&b"a:0:{}"[..], b"a:1:{i:0;i:1;}", b"a:9:{i:0;}"] {
            let (text, problem) = read_string(raw);
            assert_eq!(text, "");
            assert!(problem.is_some(), "{:?}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn int_parsing_saturates() {
        assert_eq!(parse_int(b"99999999999999999999"), Some(i64::MAX));
        assert_eq!(parse_int(b"-99999999999999999999"), Some(i64::MIN));
        assert_eq!(parse_int(b"05"), Some(5));
        assert_eq!(parse_int(b"-"), None);
        assert_eq!(parse_int(b"1.5"), None);
    }
}
