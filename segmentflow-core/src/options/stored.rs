//! What `get_option()` hands the plugin for a raw `option_value`, and what
//! the plugin's `(bool)` and `(string)` casts make of it.
//!
//! `get_option()` runs `maybe_unserialize()` ([`php::wordpress::maybe_unserialize`]):
//! a value that passes WordPress's strict `is_serialized()` test is
//! unserialized (a broken payload becomes `false`), anything else is returned
//! as the raw string. The plugin then casts: `(bool) get_option(…)` for its
//! checkboxes and `(string) get_option(…)` for everything else. PHP's
//! `(bool)` of a string is false only for `""` and `"0"` — so `"false"`,
//! `"no"` and `"off"` read as **true**, exactly as they would in the plugin.

use crate::php::{
    self, Value,
    wordpress::{Unserialized, maybe_unserialize},
};
use std::borrow::Cow;

/// PHP's `(bool)` of a value.
fn php_truthy(value: &Value<'_>) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => f.value() != 0.0,
        Value::Str(s) => !(s.is_empty() || s.as_ref() == b"0"),
        Value::Array(entries) => !entries.is_empty(),
        _ => true,
    }
}

/// `(bool) get_option($name, $default)`: `default` when the row is absent.
pub(crate) fn read_bool(raw: Option<&[u8]>, default: bool) -> bool {
    let Some(raw) = raw else {
        return default;
    };
    match maybe_unserialize(raw) {
        Unserialized::Plain(s) => !(s.is_empty() || s == b"0"),
        Unserialized::Serialized(value) => php_truthy(&value),
        Unserialized::Broken(_) => false,
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
        Unserialized::Plain(s) => Cow::Borrowed(s),
        Unserialized::Broken(_) => return (Cow::Borrowed(""), Some(StringProblem::Broken)),
        Unserialized::Serialized(value) => match value {
            Value::Str(s) => Cow::Owned(s.into_owned()),
            Value::Null | Value::Bool(false) => Cow::Borrowed(b""),
            Value::Bool(true) => Cow::Borrowed(b"1"),
            Value::Int(i) => Cow::Owned(i.to_string().into_bytes()),
            Value::Float(f) => {
                Cow::Owned(php::wordpress::php_string_from_float(f.value()).into_bytes())
            }
            _ => return (Cow::Borrowed(""), Some(StringProblem::NotAScalar)),
        },
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
}
