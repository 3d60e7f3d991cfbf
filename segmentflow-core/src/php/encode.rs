//! The encoder: [`Value`] to the bytes PHP 8's `serialize()` writes.
//!
//! For any value decoded from PHP's own output, `encode(&decode(x)?) == x`
//! byte for byte: floats keep non-canonical text, keys keep their int or
//! string type and order, property names keep their NUL mangling, `C:`
//! payloads and `r:`/`R:` slot numbers are written back as read. The encoder
//! does not check slot numbers in values built by hand; a wrong `r:` slot
//! encodes as given and PHP will refuse it.

use super::float::{ExponentChar, format as format_float};
use super::value::{Key, Value};

/// Encodes `value` as PHP's `serialize()` would.
///
/// ```
/// use segmentflow_core::php::{encode, Value};
/// let v = Value::list([Value::Int(1), Value::string("é"), Value::Null]);
/// assert_eq!(encode(&v), b"a:3:{i:0;i:1;i:1;s:2:\"\xc3\xa9\";i:2;N;}".to_vec());
/// ```
pub fn encode(value: &Value<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(value, &mut out);
    out
}

/// Appends the serialization of `value` to `out`.
pub fn encode_into(value: &Value<'_>, out: &mut Vec<u8>) {
    // This recurses once per nesting level, so it keeps few locals (4096
    // levels are tested on a 2 MiB stack in a debug build).
    match value {
        Value::Array(items) => {
            out.extend_from_slice(b"a:");
            push_entries(out, items);
        }
        Value::Object(o) => {
            push_object_head(out, &o.class);
            push_entries(out, &o.properties);
        }
        _ => encode_leaf(value, out),
    }
}

/// `O:<len>:"<class>":`
fn push_object_head(out: &mut Vec<u8>, class: &[u8]) {
    out.extend_from_slice(b"O:");
    push_quoted(out, class);
    out.push(b':');
}

/// Appends a value that holds no other values (kept out of
/// [`encode_into`], which recurses, so that its locals do not grow every
/// level's stack frame in a debug build).
fn encode_leaf(value: &Value<'_>, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"N;"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"b:1;" } else { b"b:0;" }),
        Value::Int(i) => {
            out.extend_from_slice(b"i:");
            push_int(out, *i);
            out.push(b';');
        }
        Value::Float(f) => {
            out.extend_from_slice(b"d:");
            match f.text() {
                Some(text) => out.extend_from_slice(text),
                None => {
                    out.extend_from_slice(format_float(f.value(), ExponentChar::Upper).as_bytes())
                }
            }
            out.push(b';');
        }
        Value::Str(s) => {
            out.extend_from_slice(b"s:");
            push_quoted(out, s);
            out.push(b';');
        }
        Value::Array(_) | Value::Object(_) => {
            unreachable!("encode_into writes containers")
        }
        Value::Custom(c) => {
            out.extend_from_slice(b"C:");
            push_quoted(out, &c.class);
            out.push(b':');
            push_uint(out, c.payload.len() as u64);
            out.extend_from_slice(b":{");
            out.extend_from_slice(&c.payload);
            out.push(b'}');
        }
        Value::Enum(e) => {
            out.extend_from_slice(b"E:");
            push_uint(out, (e.class.len() + 1 + e.case.len()) as u64);
            out.extend_from_slice(b":\"");
            out.extend_from_slice(&e.class);
            out.push(b':');
            out.extend_from_slice(&e.case);
            out.extend_from_slice(b"\";");
        }
        Value::ObjectRef(n) => {
            out.extend_from_slice(b"r:");
            push_uint(out, *n);
            out.push(b';');
        }
        Value::Reference(n) => {
            out.extend_from_slice(b"R:");
            push_uint(out, *n);
            out.push(b';');
        }
    }
}

/// `<count>:{<key><value>…}`
fn push_entries(out: &mut Vec<u8>, items: &[(Key<'_>, Value<'_>)]) {
    push_uint(out, items.len() as u64);
    out.extend_from_slice(b":{");
    for (key, value) in items {
        push_key(out, key);
        encode_into(value, out);
    }
    out.push(b'}');
}

/// `i:<n>;` or `s:<len>:"<bytes>";`
fn push_key(out: &mut Vec<u8>, key: &Key<'_>) {
    match key {
        Key::Int(i) => {
            out.extend_from_slice(b"i:");
            push_int(out, *i);
        }
        Key::Str(s) => {
            out.extend_from_slice(b"s:");
            push_quoted(out, s);
        }
    }
    out.push(b';');
}

/// `<len>:"<bytes>"`
fn push_quoted(out: &mut Vec<u8>, bytes: &[u8]) {
    push_uint(out, bytes.len() as u64);
    out.extend_from_slice(b":\"");
    out.extend_from_slice(bytes);
    out.push(b'"');
}

fn push_int(out: &mut Vec<u8>, i: i64) {
    if i < 0 {
        out.push(b'-');
    }
    push_uint(out, i.unsigned_abs());
}

fn push_uint(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_print_in_full_range() {
        let cases: &[(i64, &[u8])] = &[
            (0, b"i:0;"),
            (-1, b"i:-1;"),
            (1234567890, b"i:1234567890;"),
            (i64::MAX, b"i:9223372036854775807;"),
            (i64::MIN, b"i:-9223372036854775808;"),
        ];
        for (i, want) in cases {
            assert_eq!(encode(&Value::Int(*i)), want.to_vec(), "{i}");
        }
    }
}
