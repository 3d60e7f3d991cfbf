//! `wp_json_encode()`: JSON text byte-identical to what WordPress and
//! WooCommerce send.
//!
//! WooCommerce signs webhook bodies over the exact bytes of
//! `trim(wp_json_encode($payload))`, and the plugin renders its tracking
//! configuration with `wp_json_encode()`. PHP's `json_encode()` with default
//! flags differs from `serde_json`: it escapes `/` as `\/`, writes every
//! non-ASCII character as a lowercase `\uXXXX` escape (UTF-16 surrogate pairs
//! above the BMP), and prints floats with `serialize_precision = -1`
//! (`10.5`, `10` for an integral float, `1.0e+25`). Object key order is kept
//! (`serde_json` is built with `preserve_order`).

use crate::php::float::{self, ExponentChar};
use serde_json::Value;

/// Encodes `value` as `wp_json_encode($value)` would (default flags).
///
/// ```
/// use segmentflow_core::wp_json;
/// let v = serde_json::json!({"name": "Café/Bar", "price": 10.0, "ok": true});
/// assert_eq!(wp_json::encode(&v), r#"{"name":"Caf\u00e9\/Bar","price":10,"ok":true}"#);
/// ```
pub fn encode(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value);
    out
}

/// Appends the encoding of `value` to `out`.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                push_display(out, i);
            } else if let Some(u) = n.as_u64() {
                push_display(out, u);
            } else if let Some(f) = n.as_f64() {
                out.push_str(&float::format(f, ExponentChar::Lower));
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, v);
            }
            out.push('}');
        }
    }
}

/// Appends an integer's decimal text without a temporary `String`.
fn push_display(out: &mut String, n: impl std::fmt::Display) {
    use std::fmt::Write as _;
    // Writing to a `String` cannot fail.
    let _ = write!(out, "{n}");
}

/// Whether byte `b` of a string is copied as it is: printable ASCII other
/// than `"`, `\\` and `/`.
fn is_plain(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' && b != b'/'
}

/// Appends `s` as a PHP `json_encode()` string literal.
///
/// Runs of plain ASCII (most of a webhook body) are copied as one slice;
/// only the bytes around them are looked at one character at a time.
pub fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    fn unicode_escape(out: &mut String, unit: u16) {
        out.push_str("\\u");
        for shift in [12, 8, 4, 0] {
            out.push(HEX[((unit >> shift) & 0xf) as usize] as char);
        }
    }
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && is_plain(bytes[i]) {
            i += 1;
        }
        // `start..i` is ASCII, so both ends are character boundaries.
        out.push_str(&s[start..i]);
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => unicode_escape(out, c as u16),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    unicode_escape(out, *unit);
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::{encode, write_string};
    use serde_json::json;

    /// The escaping rules one character at a time, as PHP states them.
    fn reference(s: &str) -> String {
        let mut out = String::from('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '/' => out.push_str("\\/"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || !c.is_ascii() => {
                    let mut buf = [0u16; 2];
                    for unit in c.encode_utf16(&mut buf) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    proptest::proptest! {
        #[test]
        fn fast_path_escapes_like_the_character_rules(s in "\\PC*|[ -~\\x00-\\x1f\\x7f\u{e9}\u{1f600}/]*") {
            let mut out = String::new();
            write_string(&mut out, &s);
            proptest::prop_assert_eq!(out, reference(&s));
        }
    }

    #[test]
    fn escapes_like_php() {
        let cases = [
            (json!("a/b"), r#""a\/b""#),
            (json!("é"), r#""\u00e9""#),
            (json!("日本"), r#""\u65e5\u672c""#),
            (json!("😀"), r#""\ud83d\ude00""#),
            (json!("tab\tnl\n\u{1}"), r#""tab\tnl\n\u0001""#),
            (json!("quote\"back\\"), r#""quote\"back\\""#),
            (json!(10.5), "10.5"),
            (json!(10.0), "10"),
            (json!(33.333333333333336), "33.333333333333336"),
            (json!(1e25), "1.0e+25"),
            (json!(-3), "-3"),
            (json!([]), "[]"),
            (json!({}), "{}"),
            (
                json!({"b": 1, "a": [null, false]}),
                r#"{"b":1,"a":[null,false]}"#,
            ),
        ];
        for (v, want) in cases {
            assert_eq!(encode(&v), want, "value {v}");
        }
    }
}
