//! Opt-in lenient readings for the ways WordPress and WooCommerce store
//! booleans and numbers, for `#[serde(deserialize_with = "…")]`.
//!
//! The default mapping is strict: a `bool` field wants `b:` and an integer
//! field wants `i:`. Real options are messier: `update_option('x', true)`
//! stores `"1"` and `false` stores `""`, WooCommerce settings say `"yes"` and
//! `"no"`, and form input arrives as decimal strings. Mark the fields that
//! may hold such values:
//!
//! ```
//! use segmentflow_core::php::{self, Value};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Settings {
//!     #[serde(deserialize_with = "php::serde::wp_bool")]
//!     enabled: bool,
//!     #[serde(deserialize_with = "php::serde::wp_int")]
//!     limit: u32,
//! }
//!
//! let stored = Value::Array(vec![
//!     ("enabled".into(), Value::string("yes")),
//!     ("limit".into(), Value::string("25")),
//! ]);
//! let settings: Settings = php::from_value(&stored)?;
//! assert!(settings.enabled);
//! assert_eq!(settings.limit, 25);
//! # Ok::<(), php::SerdeError>(())
//! ```
//!
//! Both functions work with any serde deserializer (they go through
//! `deserialize_any`), so the same struct also reads JSON.

use std::fmt;

use ::serde::de::{self, Deserializer, Unexpected, Visitor};

/// Reads a WordPress-style boolean.
///
/// | stored | gives |
/// |---|---|
/// | `b:1;` / `b:0;` | `true` / `false` |
/// | `i:1;` / `i:0;` | `true` / `false` |
/// | `s:1:"1";`, `"yes"`, `"true"` | `true` |
/// | `s:0:"";`, `"0"`, `"no"`, `"false"` | `false` |
///
/// `yes`/`no`/`true`/`false` are compared ignoring ASCII case, as
/// WooCommerce's `wc_string_to_bool()` does (it is also where `"true"`
/// comes from). Anything else (other integers, other strings, `N;`) is an
/// error rather than a guess.
pub fn wp_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    deserializer.deserialize_any(WpBool)
}

struct WpBool;

impl Visitor<'_> for WpBool {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            r#"a WordPress boolean (b:, i:0/1, "1", "", "0", "yes", "no", "true", "false")"#,
        )
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(Unexpected::Signed(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        const TRUE: [&str; 2] = ["yes", "true"];
        const FALSE: [&str; 2] = ["no", "false"];
        match v {
            "1" => Ok(true),
            "" | "0" => Ok(false),
            _ if TRUE.iter().any(|t| v.eq_ignore_ascii_case(t)) => Ok(true),
            _ if FALSE.iter().any(|t| v.eq_ignore_ascii_case(t)) => Ok(false),
            _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
        }
    }
}

/// Reads an integer stored either as `i:` or as a decimal string.
///
/// The string may have surrounding ASCII whitespace and one leading `+` or
/// `-`, then ASCII digits only (leading zeros allowed, as `intval()` reads
/// them). Floats, `"1e3"`, `"12abc"` and the empty string are errors. The
/// number must fit the field's type.
pub fn wp_int<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let n = deserializer.deserialize_any(WpInt)?;
    T::try_from(n).map_err(|_| {
        de::Error::invalid_value(Unexpected::Signed(n), &"an integer that fits the field")
    })
}

struct WpInt;

impl Visitor<'_> for WpInt {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a decimal string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        parse_decimal(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }
}

/// Parses `[ws][+-]digits[ws]` into an i64.
fn parse_decimal(text: &str) -> Option<i64> {
    let t = text.trim_ascii();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `i64::from_str` takes the same sign forms, and reports overflow.
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use ::serde::Deserialize;

    use super::*;
    use crate::php::serde::{SerdeError, from_value};
    use crate::php::{Float, Key, Value};

    #[derive(Debug, Deserialize)]
    struct Flag {
        #[serde(deserialize_with = "wp_bool")]
        on: bool,
    }

    #[derive(Debug, Deserialize)]
    struct Count {
        #[serde(deserialize_with = "wp_int")]
        n: u16,
    }

    fn field(name: &str, value: Value<'static>) -> Value<'static> {
        Value::Array(vec![(Key::from(name).into_owned(), value)])
    }

    #[test]
    fn wp_bool_cases() {
        let ok: Vec<(Value<'static>, bool)> = vec![
            (Value::Bool(true), true),
            (Value::Bool(false), false),
            (Value::Int(1), true),
            (Value::Int(0), false),
            (Value::string("1"), true),
            (Value::string(""), false),
            (Value::string("0"), false),
            (Value::string("yes"), true),
            (Value::string("YES"), true),
            (Value::string("no"), false),
            (Value::string("true"), true),
            (Value::string("False"), false),
        ];
        for (value, want) in ok {
            let got: Flag = from_value(&field("on", value.clone())).unwrap();
            assert_eq!(got.on, want, "{value:?}");
        }
        let bad = vec![
            Value::Int(2),
            Value::Int(-1),
            Value::string("on"),
            Value::string(" 1"),
            Value::Null,
            Value::Float(Float::new(1.0)),
            Value::Reference(1),
        ];
        for value in bad {
            let err = from_value::<Flag>(&field("on", value.clone())).unwrap_err();
            assert_eq!(
                err.path().map(ToString::to_string).as_deref(),
                Some("on"),
                "{value:?}: {err}"
            );
        }
    }

    #[test]
    fn wp_int_cases() {
        let ok: Vec<(Value<'static>, u16)> = vec![
            (Value::Int(7), 7),
            (Value::string("25"), 25),
            (Value::string("+25"), 25),
            (Value::string(" 25 "), 25),
            (Value::string("007"), 7),
            (Value::string("65535"), 65535),
        ];
        for (value, want) in ok {
            let got: Count = from_value(&field("n", value.clone())).unwrap();
            assert_eq!(got.n, want, "{value:?}");
        }
        let bad = vec![
            Value::string(""),
            Value::string("-"),
            Value::string("1.5"),
            Value::string("1e3"),
            Value::string("12abc"),
            Value::string("65536"),
            Value::string("-1"),
            Value::Int(70_000),
            Value::Bool(true),
            Value::Null,
        ];
        for value in bad {
            let err = from_value::<Count>(&field("n", value.clone())).unwrap_err();
            assert!(
                matches!(
                    err,
                    SerdeError::InvalidValue { .. } | SerdeError::InvalidType { .. }
                ),
                "{value:?}: {err}"
            );
            assert_eq!(err.path().map(ToString::to_string).as_deref(), Some("n"));
        }
    }

    #[test]
    fn parse_decimal_cases() {
        let cases: &[(&str, Option<i64>)] = &[
            ("0", Some(0)),
            ("-12", Some(-12)),
            ("\t42\n", Some(42)),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("+-1", None),
            ("1 2", None),
            ("", None),
        ];
        for &(text, want) in cases {
            assert_eq!(parse_decimal(text), want, "{text:?}");
        }
    }

    #[test]
    fn works_with_json_too() {
        let flag: Flag = serde_json::from_str(r#"{"on":"yes"}"#).unwrap();
        assert!(flag.on);
        let count: Count = serde_json::from_str(r#"{"n":"12"}"#).unwrap();
        assert_eq!(count.n, 12);
    }
}
