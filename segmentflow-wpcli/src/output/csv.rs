//! CSV lines exactly as PHP's `fputcsv()` writes them (delimiter `,`,
//! enclosure `"`, escape `\`), which is what WP-CLI's `write_csv()` uses.

/// One CSV line, `\n`-terminated.
pub(super) fn line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(&mut out, cell);
    }
    out.push('\n');
    out
}

fn push_field(out: &mut String, field: &str) {
    let needs_quotes = field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\\' | b'\n' | b'\r' | b'\t' | b' '));
    if !needs_quotes {
        out.push_str(field);
        return;
    }
    out.push('"');
    // PHP doubles an enclosure character unless an escape character came
    // right before it (then both are written as they are).
    let mut escaped = false;
    for c in field.chars() {
        if c == '\\' {
            escaped = true;
        } else if !escaped && c == '"' {
            out.push('"');
        } else {
            escaped = false;
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::line;

    /// Expected lines were produced by PHP 8.2's `fputcsv()`.
    #[test]
    fn quoting_matches_php() {
        let cases: &[(&[&str], &str)] = &[
            (&["plain"], "plain\n"),
            (&["a b", "c,d", "e\"f"], "\"a b\",\"c,d\",\"e\"\"f\"\n"),
            (&["g\\\"h", "i\tj"], "\"g\\\"h\",\"i\tj\"\n"),
            (&["k\nl", "", "x\\y", "=1"], "\"k\nl\",,\"x\\y\",=1\n"),
            (&["é", "a\"\"b"], "é,\"a\"\"\"\"b\"\n"),
        ];
        for (cells, want) in cases {
            assert_eq!(line(cells.iter().copied()), *want, "{cells:?}");
        }
    }
}
