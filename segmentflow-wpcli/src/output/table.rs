//! `cli\Table` from php-cli-tools, the table WP-CLI prints.
//!
//! Piped: the `Tabular` renderer — cells joined by tabs, tabs inside a cell
//! become four spaces, a multi-line cell adds lines (with PHP's quirk that
//! only the last column's extra lines are kept), each line trimmed.
//! Terminal: the `Ascii` renderer — `+---+` borders, one space of padding,
//! left-aligned, multi-line cells continue on extra lines.

/// Renders a header row and data rows, one `\n`-terminated line each.
pub(super) fn render<H: AsRef<str>>(headers: &[H], rows: &[Vec<String>], piped: bool) -> String {
    let headers: Vec<String> = headers.iter().map(|h| h.as_ref().to_owned()).collect();
    let mut out = String::new();
    if piped {
        for row in std::iter::once(&headers).chain(rows) {
            out.push_str(&tabular_row(row));
            out.push('\n');
        }
        return out;
    }
    let mut widths: Vec<usize> = vec![0; headers.len()];
    for row in std::iter::once(&headers).chain(rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut border = String::from("+");
    for w in &widths {
        border.push_str(&"-".repeat(w + 2));
        border.push('+');
    }
    border.push('\n');
    out.push_str(&border);
    out.push_str(&ascii_row(&headers, &widths));
    out.push_str(&border);
    for row in rows {
        out.push_str(&ascii_row(row, &widths));
    }
    out.push_str(&border);
    out
}

const PHP_TRIM: &[char] = &[' ', '\t', '\n', '\r', '\0', '\x0B'];

fn tabular_row(row: &[String]) -> String {
    let mut first: Vec<String> = Vec::with_capacity(row.len());
    let mut last_extra: Vec<String> = Vec::new();
    for cell in row {
        let cell = cell.replace('\t', "    ");
        let mut lines = split_lines(&cell).into_iter();
        first.push(lines.next().unwrap_or_default());
        last_extra = lines.collect();
    }
    let mut out = first.join("\t");
    let last_col = row.len().saturating_sub(1);
    for line in last_extra {
        let mut extra = vec![String::new(); row.len()];
        if let Some(slot) = extra.get_mut(last_col) {
            *slot = line;
        }
        out.push('\n');
        out.push_str(&extra.join("\t"));
    }
    out.trim_matches(PHP_TRIM).to_owned()
}

fn split_lines(s: &str) -> Vec<String> {
    s.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
        .collect()
}

fn ascii_row(row: &[String], widths: &[usize]) -> String {
    let columns: Vec<Vec<String>> = row
        .iter()
        .map(|cell| split_lines(&cell.replace('\t', "    ")))
        .collect();
    let height = columns.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let mut out = String::new();
    for line in 0..height {
        out.push('|');
        for (col, w) in columns.iter().zip(widths) {
            let text = col.get(line).map(String::as_str).unwrap_or("");
            out.push(' ');
            out.push_str(text);
            out.push_str(&" ".repeat(w.saturating_sub(text.chars().count())));
            out.push_str(" |");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn tabular_cases() {
        let cases: &[(&[&str], &str)] = &[
            (&["a", "b"], "a\tb\n"),
            (&["", "b"], "b\n"),
            (&["a\tb", "c"], "a    b\tc\n"),
            (&["x", "one\ntwo"], "x\tone\n\ttwo\n"),
        ];
        for (row, want) in cases {
            let rows = vec![row.iter().map(|s| s.to_string()).collect()];
            let out = render(&["h1", "h2"], &rows, true);
            assert_eq!(out.strip_prefix("h1\th2\n").unwrap(), *want, "{row:?}");
        }
    }

    #[test]
    fn ascii_borders() {
        let rows = vec![
            vec!["siteurl".to_string(), "http://example.test".to_string()],
            vec!["x".to_string(), "a\nbb".to_string()],
        ];
        let out = render(&["option_name", "option_value"], &rows, false);
        let want = "\
+-------------+---------------------+
| option_name | option_value        |
+-------------+---------------------+
| siteurl     | http://example.test |
| x           | a                   |
|             | bb                  |
+-------------+---------------------+
";
        assert_eq!(out, want);
    }
}
