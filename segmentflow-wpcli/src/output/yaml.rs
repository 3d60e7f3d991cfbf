//! YAML as WP-CLI prints it: `Spyc::YAMLDump($data, 2, 0)` (indent 2, no
//! folding) from the `mustangostang/spyc` library.
//!
//! Spyc is not a general YAML emitter; it quotes by a fixed list of
//! characters and writes a list of records as `- ` followed by the record's
//! fields indented below it. This module follows its `_dumpNode()` step by
//! step (including the order of its checks) so the bytes match.

use serde_json::Value;

/// Spyc's placeholder for "this key has children".
const REMPTY: &str = "\0\0\0\0\0";
const INDENT: usize = 2;
const PHP_TRIM: &[char] = &[' ', '\t', '\n', '\r', '\0', '\x0B'];

/// `Spyc::YAMLDump($value, 2, 0)`.
pub(super) fn dump(value: &Value) -> String {
    let mut out = String::from("---\n");
    match value {
        Value::Array(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                yamlize(&mut out, &i.to_string(), item, 0, true);
            }
        }
        Value::Object(map) if !map.is_empty() => {
            let seq = is_sequence(map);
            for (k, v) in map {
                yamlize(&mut out, k, v, 0, seq);
            }
        }
        _ => {}
    }
    out
}

/// PHP turns `"0"`, `"1"`… keys into ints; an array keyed 0..n-1 is a list.
fn is_sequence(map: &serde_json::Map<String, Value>) -> bool {
    map.keys().enumerate().all(|(i, k)| *k == i.to_string())
}

fn yamlize(out: &mut String, key: &str, value: &Value, indent: usize, in_sequence: bool) {
    match value {
        Value::Array(items) if items.is_empty() => {
            dump_node(out, key, Node::EmptyArray, indent, in_sequence)
        }
        Value::Object(map) if map.is_empty() => {
            dump_node(out, key, Node::EmptyArray, indent, in_sequence)
        }
        Value::Array(items) => {
            dump_node(out, key, Node::Str(REMPTY.into()), indent, in_sequence);
            for (i, item) in items.iter().enumerate() {
                yamlize(out, &i.to_string(), item, indent + INDENT, true);
            }
        }
        Value::Object(map) => {
            dump_node(out, key, Node::Str(REMPTY.into()), indent, in_sequence);
            let seq = is_sequence(map);
            for (k, v) in map {
                yamlize(out, k, v, indent + INDENT, seq);
            }
        }
        Value::Null => dump_node(out, key, Node::Null, indent, in_sequence),
        Value::Bool(b) => dump_node(out, key, Node::Bool(*b), indent, in_sequence),
        Value::Number(n) => {
            let text = match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => i.to_string(),
                (None, Some(u), _) => u.to_string(),
                (None, None, Some(f)) => segmentflow_core::php::float::format(
                    f,
                    segmentflow_core::php::float::ExponentChar::Upper,
                ),
                _ => n.to_string(),
            };
            dump_node(out, key, Node::Number(text), indent, in_sequence)
        }
        Value::String(s) => dump_node(out, key, Node::Str(s.clone()), indent, in_sequence),
    }
}

/// A scalar on its way through `_dumpNode()`: PHP strings and non-strings
/// take different branches.
enum Node {
    Str(String),
    Number(String),
    Bool(bool),
    Null,
    EmptyArray,
}

fn dump_node(out: &mut String, key: &str, value: Node, indent: usize, in_sequence: bool) {
    const TRIGGERS: &[&str] = &[
        "\n", ": ", "- ", "*", "#", "<", ">", "%", "  ", "[", "]", "{", "}", "&", "'",
    ];
    let mut value = match value {
        Node::Str(s) => {
            let literal =
                TRIGGERS.iter().any(|t| s.contains(t)) || s.starts_with('!') || s.ends_with(':');
            if literal {
                Node::Str(literal_block(&s, indent))
            } else if is_numeric(&s) {
                // _doFolding() with wordwrap 0: numeric strings are quoted.
                Node::Str(format!("\"{s}\""))
            } else {
                Node::Str(s)
            }
        }
        other => other,
    };
    if let Node::EmptyArray = value {
        value = Node::Str("[ ]".into());
    }
    if let Node::Str(s) = &value
        && s.is_empty()
    {
        value = Node::Str("\"\"".into());
    }
    if let Node::Str(s) = &value
        && (is_translation_word(s) || s.trim_matches(PHP_TRIM) != s)
    {
        value = Node::Str(literal_block(s, indent));
    }
    let text = match value {
        Node::Str(s) if s == format!("'{REMPTY}'") => String::new(),
        Node::Str(s) | Node::Number(s) => s,
        Node::Bool(b) => if b { "true" } else { "false" }.to_owned(),
        Node::Null => "null".to_owned(),
        Node::EmptyArray => "[ ]".to_owned(),
    };
    let spaces = " ".repeat(indent);
    if in_sequence {
        out.push_str(&format!("{spaces}- {text}\n"));
    } else {
        let key = if key.contains(':') || key.contains('#') {
            format!("\"{key}\"")
        } else {
            key.to_owned()
        };
        let line = format!("{spaces}{key}: {text}");
        out.push_str(line.trim_end_matches(PHP_TRIM));
        out.push('\n');
    }
}

/// `_doLiteralBlock()`.
fn literal_block(value: &str, indent: usize) -> String {
    if value == "\n" {
        return "\\n".to_owned();
    }
    if !value.contains('\n') && !value.contains('\'') {
        return format!("'{value}'");
    }
    if !value.contains('\n') && !value.contains('"') {
        return format!("\"{value}\"");
    }
    let mut lines: Vec<&str> = value.split('\n').collect();
    let mut block = String::from("|");
    if let Some(first) = lines.first()
        && matches!(*first, "|" | "|-" | ">")
    {
        block = (*first).to_owned();
        lines.remove(0);
    }
    let spaces = " ".repeat(indent + INDENT);
    for line in lines {
        let mut line = line.trim_matches(PHP_TRIM);
        let quoted = |q: char| line.starts_with(q) && line.rfind(q) == Some(line.len() - 1);
        if quoted('"') || quoted('\'') {
            line = line.get(1..line.len().saturating_sub(1)).unwrap_or("");
        }
        block.push('\n');
        block.push_str(&spaces);
        block.push_str(line);
    }
    block
}

/// Spyc's `isTranslationWord()`: YAML 1.1 booleans and nulls in the three
/// spellings `ucfirst`, `UPPER`, `lower`.
fn is_translation_word(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "true", "on", "yes", "y", "false", "off", "no", "n", "null", "~",
    ];
    WORDS.iter().any(|w| {
        let mut ucfirst = String::new();
        let mut chars = w.chars();
        if let Some(c) = chars.next() {
            ucfirst.push(c.to_ascii_uppercase());
            ucfirst.push_str(chars.as_str());
        }
        s == *w || s == w.to_ascii_uppercase() || s == ucfirst
    })
}

/// PHP 8's `is_numeric()` for strings: optional surrounding whitespace, a
/// sign, digits with an optional fraction, an optional exponent.
fn is_numeric(s: &str) -> bool {
    const WS: &[char] = &[' ', '\t', '\n', '\r', '\x0B', '\x0C'];
    let t = s.trim_start_matches(WS).trim_end_matches(WS);
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut digits = i - int_start;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_start = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j > exp_start {
            i = j;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_strings_like_php() {
        let cases = [
            ("1", true),
            ("-1.5", true),
            (".5", true),
            ("5.", true),
            ("1e5", true),
            (" 1", true),
            ("1 ", true),
            ("1e", false),
            ("0x1A", false),
            ("", false),
            ("abc", false),
            ("+.e1", false),
            ("53496", true),
        ];
        for (s, want) in cases {
            assert_eq!(is_numeric(s), want, "{s:?}");
        }
    }

    /// Expected text produced by running Spyc 0.6.2's dump methods
    /// (`Spyc::YAMLDump($v, 2, 0)`) under PHP 8.2 on the same values.
    #[test]
    fn matches_spyc() {
        let cases = [
            (json!({"k": "plain"}), "---\nk: plain\n"),
            (json!({"k": "a: b"}), "---\nk: 'a: b'\n"),
            (json!({"k": "it's"}), "---\nk: \"it's\"\n"),
            (json!({"k": "42"}), "---\nk: \"42\"\n"),
            (json!({"k": 42}), "---\nk: 42\n"),
            (json!({"k": ""}), "---\nk: \"\"\n"),
            (json!({"k": "yes"}), "---\nk: 'yes'\n"),
            (json!({"k": true}), "---\nk: true\n"),
            (json!({"k": null}), "---\nk: null\n"),
            (json!({"k": []}), "---\nk: [ ]\n"),
            (json!({"k": " x"}), "---\nk: ' x'\n"),
            (json!({"a:b": 1}), "---\n\"a:b\": 1\n"),
            (json!({"k": "l1\nl2"}), "---\nk: |\n  l1\n  l2\n"),
            (json!({"k": {"x": 1}}), "---\nk:\n  x: 1\n"),
            (json!([{"a": 1, "b": "x"}]), "---\n- \n  a: 1\n  b: x\n"),
            (json!(["x", "y"]), "---\n- x\n- 'y'\n"),
            (json!({"k": "a\"b'c"}), "---\nk: |\n  a\"b'c\n"),
            (json!({"k": "x\n"}), "---\nk: |\n  x\n"),
            (json!({"k": "\n"}), "---\nk: \\n\n"),
            (json!({"k": "l1\n  \"q\"\n"}), "---\nk: |\n  l1\n  q\n"),
            (json!({"k": "-5"}), "---\nk: \"-5\"\n"),
            (json!({"k": 1.5}), "---\nk: 1.5\n"),
            (json!({"k": "trailing "}), "---\nk: 'trailing '\n"),
            (json!({"k": "!bang"}), "---\nk: '!bang'\n"),
            (json!({"k": "ends:"}), "---\nk: 'ends:'\n"),
            (json!({"k": "50%"}), "---\nk: '50%'\n"),
            (
                json!({"k": "a:1:{s:1:\"x\";}"}),
                "---\nk: 'a:1:{s:1:\"x\";}'\n",
            ),
        ];
        for (value, want) in cases {
            assert_eq!(dump(&value), want, "{value}");
        }
    }
}
