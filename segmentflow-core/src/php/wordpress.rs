//! WordPress's rules around PHP serialization: `is_serialized()`,
//! `maybe_unserialize()`, `maybe_serialize()`, and the exact bytes
//! `add_option()`/`update_option()` leave in `wp_options.option_value`.
//!
//! These decide how an option or meta value round-trips through WordPress,
//! so they follow `wp-includes/functions.php` rule for rule (the rules are
//! summarized in `shared/reference/woocommerce-data.md` §2.3–2.4). The unit
//! tests compare them with WordPress itself through
//! `fixtures/php-serialized/wordpress/oracle.json`, which
//! `scripts/gen-php-fixtures.php` records by calling WordPress's functions.
//!
//! Known differences from PHP, all about inputs WordPress never writes: a
//! payload holding an `i:` beyond the 64-bit range is [`Unserialized::Broken`]
//! here (PHP clamps the number), and an `E:` naming an enum the site does not
//! declare decodes here (PHP returns `false`).

use super::decode::DecodeOptions;
use super::encode::encode;
use super::error::DecodeError;
use super::value::Value;

/// The bytes PHP's `trim()` strips by default: `" \t\n\r\0\x0B"`.
fn is_php_trim_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0 | 0x0b)
}

/// PHP's `trim()` with its default character list.
pub fn php_trim(data: &[u8]) -> &[u8] {
    let start = data
        .iter()
        .position(|&b| !is_php_trim_byte(b))
        .unwrap_or(data.len());
    let end = data
        .iter()
        .rposition(|&b| !is_php_trim_byte(b))
        .map_or(start, |p| p + 1);
    &data[start..end]
}

/// WordPress's `is_serialized($data, $strict)`: whether `data` looks like a
/// serialized value. It is a quick shape test, not a parse: a "serialized"
/// string may still fail to decode, and `C:`, `r:`, `R:` and `S:` at the top
/// level are never recognized.
///
/// ```
/// use segmentflow_core::php::wordpress::is_serialized;
/// assert!(is_serialized(b" a:0:{} ", true));
/// assert!(!is_serialized(b"i:5;x", true));
/// assert!(is_serialized(b"i:5;x", false));
/// assert!(!is_serialized(b"d:INF;", true)); // WordPress's pattern has no I, N, F
/// ```
pub fn is_serialized(data: &[u8], strict: bool) -> bool {
    let data = php_trim(data);
    if data == b"N;" {
        return true;
    }
    if data.len() < 4 || data[1] != b':' {
        return false;
    }
    let last = data[data.len() - 1];
    if strict {
        if last != b';' && last != b'}' {
            return false;
        }
    } else {
        let semicolon = data.iter().position(|&b| b == b';');
        let brace = data.iter().position(|&b| b == b'}');
        if semicolon.is_none() && brace.is_none() {
            return false;
        }
        if semicolon.is_some_and(|p| p < 3) || brace.is_some_and(|p| p < 4) {
            return false;
        }
    }
    match data[0] {
        token @ (b's' | b'a' | b'O' | b'E') => {
            if token == b's' {
                let quoted = if strict {
                    data[data.len() - 2] == b'"'
                } else {
                    data.contains(&b'"')
                };
                if !quoted {
                    return false;
                }
            }
            // /^X:[0-9]+:/
            let digits = data[2..].iter().take_while(|b| b.is_ascii_digit()).count();
            digits > 0 && data.get(2 + digits) == Some(&b':')
        }
        b'b' | b'i' | b'd' => {
            // /^X:[0-9.E+-]+;/ and, strict, nothing after the `;`.
            let run = data[2..]
                .iter()
                .take_while(|&&b| b.is_ascii_digit() || matches!(b, b'.' | b'E' | b'+' | b'-'))
                .count();
            let semicolon = 2 + run;
            run > 0
                && data.get(semicolon) == Some(&b';')
                && (!strict || semicolon + 1 == data.len())
        }
        _ => false,
    }
}

/// What [`maybe_unserialize`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Unserialized<'a> {
    /// The data looked serialized and decoded (what `get_option` returns for
    /// an array, object or double-serialized string).
    Serialized(Value<'a>),
    /// The data does not look serialized; WordPress returns it unchanged.
    Plain(&'a [u8]),
    /// The data looked serialized but does not decode: PHP's `unserialize()`
    /// returns `false` (e.g. byte counts broken by a search-and-replace).
    Broken(DecodeError),
}

/// WordPress's `maybe_unserialize()`: decodes `data` when
/// [`is_serialized`] (strict) says it is serialized, as
/// `unserialize(trim($data))` — which, like PHP, ignores bytes after the
/// value.
///
/// PHP cannot tell a stored `b:0;` from a broken value (both give `false`);
/// here they are `Serialized(Value::Bool(false))` and `Broken(..)`.
///
/// ```
/// use segmentflow_core::php::{Value, wordpress::{maybe_unserialize, Unserialized}};
/// assert_eq!(maybe_unserialize(b"yes"), Unserialized::Plain(b"yes"));
/// assert_eq!(maybe_unserialize(b"i:5;"), Unserialized::Serialized(Value::Int(5)));
/// assert!(matches!(maybe_unserialize(b"s:9:\"short\";"), Unserialized::Broken(_)));
/// ```
pub fn maybe_unserialize(data: &[u8]) -> Unserialized<'_> {
    maybe_unserialize_with(data, &DecodeOptions::default())
}

/// [`maybe_unserialize`] with explicit decoder settings.
pub fn maybe_unserialize_with<'a>(data: &'a [u8], options: &DecodeOptions) -> Unserialized<'a> {
    if !is_serialized(data, true) {
        return Unserialized::Plain(data);
    }
    let trimmed = php_trim(data);
    match options.decode_prefix(trimmed) {
        Ok((value, _)) => Unserialized::Serialized(value),
        Err(e) => Unserialized::Broken(e),
    }
}

/// What [`maybe_serialize`] gives: serialized bytes, or the scalar unchanged.
#[derive(Debug, Clone, PartialEq)]
pub enum MaybeSerialized<'v, 'a> {
    /// The bytes of `serialize($data)`.
    Serialized(Vec<u8>),
    /// The value passed through unchanged (a scalar that does not look
    /// serialized).
    Unchanged(&'v Value<'a>),
}

/// WordPress's `maybe_serialize()`: arrays and objects (including enums and
/// `Serializable` objects) are serialized; a string that
/// [`is_serialized`] in the non-strict sense is serialized *again*, so it
/// reads back as the same string; every other scalar passes through.
///
/// A top-level `r:`/`R:` is not a PHP value on its own; it is serialized as
/// given.
pub fn maybe_serialize<'v, 'a>(value: &'v Value<'a>) -> MaybeSerialized<'v, 'a> {
    match value {
        Value::Array(_)
        | Value::Object(_)
        | Value::Custom(_)
        | Value::Enum(_)
        | Value::ObjectRef(_)
        | Value::Reference(_) => MaybeSerialized::Serialized(encode(value)),
        Value::Str(s) if is_serialized(s, false) => MaybeSerialized::Serialized(encode(value)),
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_) => {
            MaybeSerialized::Unchanged(value)
        }
    }
}

/// The exact `option_value` bytes `add_option()`/`update_option()` store
/// for `value`: [`maybe_serialize`], then wpdb's `%s` conversion of the
/// scalar (`true` → `1`, `false` → empty, ints in decimal, floats as PHP's
/// string cast with `precision = 14`, see [`php_string_from_float`]).
///
/// `None` means WordPress sends SQL `NULL` (for a `null` value), which the
/// `NOT NULL` column turns into an error or an empty string depending on the
/// SQL mode — callers should not store `null`.
///
/// ```
/// use segmentflow_core::php::{Value, wordpress::option_value};
/// assert_eq!(option_value(&Value::Bool(true)), Some(b"1".to_vec()));
/// assert_eq!(option_value(&Value::Float((0.1 + 0.2).into())), Some(b"0.3".to_vec()));
/// assert_eq!(option_value(&Value::string("a:0:{}")), Some(b"s:6:\"a:0:{}\";".to_vec()));
/// ```
pub fn option_value(value: &Value<'_>) -> Option<Vec<u8>> {
    match maybe_serialize(value) {
        MaybeSerialized::Serialized(bytes) => Some(bytes),
        MaybeSerialized::Unchanged(scalar) => match scalar {
            Value::Null => None,
            Value::Bool(true) => Some(b"1".to_vec()),
            Value::Bool(false) => Some(Vec::new()),
            Value::Int(i) => Some(i.to_string().into_bytes()),
            Value::Float(f) => Some(php_string_from_float(f.value()).into_bytes()),
            Value::Str(s) => Some(s.to_vec()),
            other => Some(encode(other)),
        },
    }
}

/// PHP 8's `(string)$float` (also `sprintf('%s')`, `echo`, string
/// concatenation): the `precision` ini setting, 14 by default, in significant
/// digits, trailing zeros dropped; exponent form `1.0E+15` when the decimal
/// exponent is 15 or more or below −4. This is lossy: `0.1 + 0.2` gives
/// `0.3`, and `1e14` gives `1.0E+14`.
///
/// ```
/// use segmentflow_core::php::wordpress::php_string_from_float;
/// assert_eq!(php_string_from_float(0.1 + 0.2), "0.3");
/// assert_eq!(php_string_from_float(1e14), "1.0E+14");
/// assert_eq!(php_string_from_float(1e13), "10000000000000");
/// assert_eq!(php_string_from_float(1.0 / 3.0), "0.33333333333333");
/// assert_eq!(php_string_from_float(-0.0), "-0");
/// ```
pub fn php_string_from_float(value: f64) -> String {
    const PRECISION: i32 = 14;
    if value.is_nan() {
        return "NAN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "INF" } else { "-INF" }.to_owned();
    }
    let mut out = String::with_capacity(24);
    if value.is_sign_negative() {
        out.push('-');
    }
    let abs = value.abs();
    if abs == 0.0 {
        out.push('0');
        return out;
    }
    // 14 significant digits, correctly rounded (ties to even, as zend_dtoa).
    let sci = format!("{:.*e}", (PRECISION - 1) as usize, abs);
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    // zend_gcvt's `decpt`: the value is 0.<digits> × 10^decpt.
    let decpt = exponent + 1;
    if !(-3..=PRECISION).contains(&decpt) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push('E');
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&exponent.unsigned_abs().to_string());
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..-decpt {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let decpt = decpt as usize;
        if digits.len() <= decpt {
            out.push_str(digits);
            for _ in digits.len()..decpt {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..decpt]);
            out.push('.');
            out.push_str(&digits[decpt..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::php::decode;
    use serde_json::Value as Json;

    const ORACLE: &str = include_str!("../../../fixtures/php-serialized/wordpress/oracle.json");

    fn oracle() -> Json {
        serde_json::from_str(ORACLE).expect("oracle.json is JSON")
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    fn hex_of(v: &Json) -> Vec<u8> {
        unhex(v.as_str().expect("hex string"))
    }

    #[test]
    fn is_serialized_matches_wordpress() {
        let oracle = oracle();
        let cases = oracle["is_serialized"].as_array().unwrap();
        assert!(cases.len() > 400);
        for case in cases {
            let input = hex_of(&case["hex"]);
            let shown = String::from_utf8_lossy(&input);
            assert_eq!(
                is_serialized(&input, true),
                case["strict"].as_bool().unwrap(),
                "strict {shown:?}"
            );
            assert_eq!(
                is_serialized(&input, false),
                case["loose"].as_bool().unwrap(),
                "loose {shown:?}"
            );
        }
    }

    #[test]
    fn maybe_unserialize_matches_wordpress() {
        // The documented differences (module doc): PHP clamps this int.
        const KNOWN_DIFFERENCES: &[&[u8]] = &[b"i:12345678901234567890;"];
        let oracle = oracle();
        for case in oracle["maybe_unserialize"].as_array().unwrap() {
            let input = hex_of(&case["hex"]);
            let shown = String::from_utf8_lossy(&input);
            let got = maybe_unserialize(&input);
            if KNOWN_DIFFERENCES.contains(&&input[..]) {
                assert!(matches!(got, Unserialized::Broken(_)), "{shown:?}");
                continue;
            }
            match &case["result"] {
                Json::String(s) if s == "plain" => {
                    assert_eq!(got, Unserialized::Plain(&input[..]), "{shown:?}")
                }
                Json::String(s) if s == "broken" => {
                    assert!(matches!(got, Unserialized::Broken(_)), "{shown:?}: {got:?}")
                }
                other => {
                    let want = hex_of(&other["serialized_hex"]);
                    match got {
                        Unserialized::Serialized(v) => {
                            // PHP re-serialized what it decoded; compare
                            // values (PHP normalizes e.g. `i:+5;`).
                            assert_eq!(v, decode(&want).unwrap(), "{shown:?}")
                        }
                        _ => panic!("{shown:?}: want a value, got {got:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn option_value_matches_what_wordpress_stores() {
        let oracle = oracle();
        let cases = oracle["option_value"].as_array().unwrap();
        assert!(cases.len() > 40);
        for case in cases {
            let ser = hex_of(&case["value_hex"]);
            let value = decode(&ser).unwrap();
            let want = case["stored_hex"].as_str().map(unhex);
            assert_eq!(
                option_value(&value),
                want,
                "value {}",
                String::from_utf8_lossy(&ser)
            );
        }
    }

    #[test]
    fn trim_uses_php_default_characters() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b""),
            (b" \t\n\r\0\x0b", b""),
            (b" a b ", b"a b"),
            (b"\x0ci:1;\x0c", b"\x0ci:1;\x0c"), // form feed is not trimmed
        ];
        for (input, want) in cases {
            assert_eq!(php_trim(input), *want);
        }
    }
}
