//! Results on stdout in WP-CLI's formats; people's text on stderr.
//!
//! The renderers reproduce `WP_CLI\Formatter` byte for byte, so a script that
//! parses `wp option list --format=csv` parses ours too:
//!
//! * `table`: `cli\Table` — ASCII borders (`+---+`) when stdout is a
//!   terminal, tab-separated lines with a header row when it is piped
//!   (WP-CLI's `SHELL_PIPE` variable overrides the guess, see
//!   [`crate::env::SHELL_PIPE`]). Cells that are arrays/objects are shown as
//!   JSON, booleans as `true`/`false`. Unlike WP-CLI we do not shrink columns
//!   to the terminal width, and widths count characters, not display cells.
//! * `json`: PHP `json_encode()` (`\/`, `\u00e9`), no trailing newline after
//!   a list (as WP-CLI), one after a single item.
//! * `csv`: PHP `fputcsv()` quoting, a header row.
//! * `yaml`: the Spyc dumper WP-CLI uses (`---`, `- ` then the fields).
//! * `ids`: the id field of each item joined by spaces; `count`: the number.
//!
//! A single record (`status`) is shown as WP-CLI's `display_item()` does:
//! `Field`/`Value` rows for table and csv, an object for json and yaml. A
//! single value (`settings get`) as `WP_CLI::print_value()` does
//! ([`render_scalar`]).
//!
//! Messages follow WP-CLI's streams: `Success: …` goes to **stdout** (as
//! `WP_CLI::success()`), except when the command's output is a machine
//! format (json, csv, yaml, ids, count), where it goes to stderr so stdout
//! stays parseable; `--quiet` drops it. Warnings, errors and debug lines go
//! to stderr.

mod csv;
mod table;
mod yaml;

use std::io::{self, IsTerminal, Write};

use serde_json::{Map, Value};

use crate::env;

/// One record: field name to value, in display order.
pub type Record = Map<String, Value>;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `cli\Table`.
    Table,
    /// PHP `json_encode()`.
    Json,
    /// PHP `fputcsv()` with a header row.
    Csv,
    /// Spyc YAML.
    Yaml,
    /// Space-separated ids.
    Ids,
    /// The number of items.
    Count,
}

/// How a single value is printed (`WP_CLI::print_value()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarFormat {
    /// The value as text, then a newline.
    Plain,
    /// `json_encode()`, then a newline.
    Json,
    /// `Spyc::YAMLDump()` (a scalar becomes a one-item list), then a newline.
    Yaml,
}

/// Renders one value as `WP_CLI::print_value()` does.
pub fn render_scalar(format: ScalarFormat, value: &Value) -> String {
    let mut out = match format {
        ScalarFormat::Plain => cell_text(value),
        ScalarFormat::Json => segmentflow_core::wp_json::encode(value),
        ScalarFormat::Yaml => match value {
            Value::Array(_) | Value::Object(_) => yaml::dump(value),
            scalar => yaml::dump(&Value::Array(vec![scalar.clone()])),
        },
    };
    out.push('\n');
    out
}

/// Which fields of each record to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fields {
    /// The command's default fields.
    Default,
    /// Exactly these (`--fields=a,b`).
    Only(Vec<String>),
}

impl Fields {
    /// The field names to show, given the command's defaults.
    pub fn resolve<'a>(&'a self, default: &'a [&'a str]) -> Vec<&'a str> {
        match self {
            Fields::Default => default.to_vec(),
            Fields::Only(list) => list.iter().map(String::as_str).collect(),
        }
    }
}

/// A field asked for with `--fields` that the records do not have (WP-CLI's
/// wording, which scripts may match).
#[derive(Debug, thiserror::Error)]
#[error("Invalid field: {0}.")]
pub struct InvalidField(pub String);

/// Renders many records (WP-CLI's `format_items()` / `display_items()`).
///
/// `id_field` is the field printed by `--format=ids`. `piped` picks the
/// table renderer (tab-separated when true).
pub fn render_items(
    format: Format,
    fields: &[&str],
    id_field: &str,
    items: &[Record],
    piped: bool,
) -> Result<String, InvalidField> {
    if matches!(format, Format::Table | Format::Csv | Format::Json)
        && let Some(first) = items.first()
    {
        for field in fields {
            if !first.contains_key(*field) {
                return Err(InvalidField((*field).to_owned()));
            }
        }
    }
    let pick = |item: &Record| -> Vec<Value> {
        fields
            .iter()
            .map(|f| item.get(*f).cloned().unwrap_or(Value::Null))
            .collect()
    };
    Ok(match format {
        Format::Count => items.len().to_string(),
        Format::Ids => items
            .iter()
            .map(|item| cell_text(item.get(id_field).unwrap_or(&Value::Null)))
            .collect::<Vec<_>>()
            .join(" "),
        Format::Table => {
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|item| pick(item).iter().map(cell_text).collect())
                .collect();
            table::render(fields, &rows, piped)
        }
        Format::Csv => {
            let mut out = csv::line(fields.iter().copied());
            for item in items {
                let cells: Vec<String> = pick(item).iter().map(cell_text).collect();
                out.push_str(&csv::line(cells.iter().map(String::as_str)));
            }
            out
        }
        Format::Json | Format::Yaml => {
            let list: Vec<Value> = items
                .iter()
                .map(|item| {
                    let mut picked = Map::new();
                    for (f, v) in fields.iter().zip(pick(item)) {
                        picked.insert((*f).to_owned(), v);
                    }
                    Value::Object(picked)
                })
                .collect();
            let list = Value::Array(list);
            if format == Format::Json {
                segmentflow_core::wp_json::encode(&list)
            } else {
                yaml::dump(&list)
            }
        }
    })
}

/// Renders one record (WP-CLI's `display_item()`); `fields` limits it.
pub fn render_item(
    format: Format,
    fields: &[&str],
    item: &Record,
    piped: bool,
) -> Result<String, InvalidField> {
    let mut picked = Map::new();
    for field in fields {
        let value = item
            .get(*field)
            .ok_or_else(|| InvalidField((*field).to_owned()))?;
        picked.insert((*field).to_owned(), value.clone());
    }
    Ok(match format {
        Format::Table | Format::Csv | Format::Ids | Format::Count => {
            // assoc_array_to_rows(): non-strings are shown as JSON.
            let rows: Vec<Vec<String>> = picked
                .iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => segmentflow_core::wp_json::encode(other),
                    };
                    vec![k.clone(), text]
                })
                .collect();
            if format == Format::Csv {
                let mut out = csv::line(["Field", "Value"]);
                for row in &rows {
                    out.push_str(&csv::line(row.iter().map(String::as_str)));
                }
                out
            } else {
                table::render(&["Field", "Value"], &rows, piped)
            }
        }
        Format::Json => {
            let mut s = segmentflow_core::wp_json::encode(&Value::Object(picked));
            s.push('\n');
            s
        }
        Format::Yaml => {
            let mut s = yaml::dump(&Value::Object(picked));
            s.push('\n');
            s
        }
    })
}

/// A cell as table and CSV output show it (`transform_item_values_to_json`
/// and PHP's string conversion).
fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            (None, None, Some(f)) => segmentflow_core::php::float::format(
                f,
                segmentflow_core::php::float::ExponentChar::Upper,
            ),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        other => segmentflow_core::wp_json::encode(other),
    }
}

/// Decides where text goes: results to stdout, messages to stderr.
#[derive(Debug, Clone)]
pub struct Printer {
    quiet: bool,
    debug: bool,
    piped: bool,
    machine: bool,
}

impl Printer {
    /// A printer for this process's stdout/stderr.
    pub fn new(quiet: bool, debug: bool) -> Printer {
        let piped = env::flag(env::SHELL_PIPE).unwrap_or_else(|| !io::stdout().is_terminal());
        Printer {
            quiet,
            debug,
            piped,
            machine: false,
        }
    }

    /// The same printer for a command whose stdout is a machine format:
    /// `Success:` lines then go to stderr (see the module doc).
    pub fn with_machine_output(mut self, machine: bool) -> Printer {
        self.machine = machine;
        self
    }

    /// Whether tables render tab-separated (stdout is not a terminal).
    pub fn piped(&self) -> bool {
        self.piped
    }

    /// Writes a result to stdout, as is.
    pub fn result(&self, text: &str) -> io::Result<()> {
        self.result_bytes(text.as_bytes())
    }

    /// Writes result bytes to stdout, as is.
    pub fn result_bytes(&self, bytes: &[u8]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    }

    /// An informational line on stderr (`--quiet` drops it).
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{msg}");
        }
    }

    /// `Success: …` on stdout as `WP_CLI::success()` prints it, or on
    /// stderr when stdout carries a machine format; `--quiet` drops it.
    /// (A reader that went away is not an error for a message.)
    pub fn success(&self, msg: &str) {
        if self.quiet {
            return;
        }
        if self.machine {
            let _ = writeln!(io::stderr().lock(), "Success: {msg}");
        } else {
            let _ = self.result(&format!("Success: {msg}\n"));
        }
    }

    /// `Warning: …` on stderr (`--quiet` drops it).
    pub fn warning(&self, msg: &str) {
        self.info(&format!("Warning: {msg}"));
    }

    /// `Debug: …` on stderr, only with `--debug`.
    pub fn debug(&self, msg: &str) {
        if self.debug {
            let _ = writeln!(io::stderr().lock(), "Debug: {msg}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn records() -> Vec<Record> {
        let v = json!([
            {"option_name": "siteurl", "option_value": "http://example.test", "autoload": "yes"},
            {"option_name": "a b", "option_value": "x,\"y\"", "autoload": "auto"},
            {"option_name": "flag", "option_value": true, "autoload": null},
        ]);
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_object().unwrap().clone())
            .collect()
    }

    #[test]
    fn every_list_format() {
        let items = records();
        let fields = ["option_name", "option_value"];
        let mut all = String::new();
        for (name, format, piped) in [
            ("table piped", Format::Table, true),
            ("table tty", Format::Table, false),
            ("json", Format::Json, true),
            ("csv", Format::Csv, true),
            ("yaml", Format::Yaml, true),
            ("ids", Format::Ids, true),
            ("count", Format::Count, true),
        ] {
            let out = render_items(format, &fields, "option_name", &items, piped).unwrap();
            all.push_str(&format!("== {name}\n{out}\n"));
        }
        insta::assert_snapshot!(all);
    }

    #[test]
    fn single_item_formats() {
        let item = json!({"site_url": "http://example.test/", "db_version": 53496, "woocommerce_active": false, "woocommerce_version": null})
            .as_object()
            .unwrap()
            .clone();
        let fields = [
            "site_url",
            "db_version",
            "woocommerce_active",
            "woocommerce_version",
        ];
        let mut all = String::new();
        for (name, format, piped) in [
            ("table piped", Format::Table, true),
            ("table tty", Format::Table, false),
            ("json", Format::Json, true),
            ("csv", Format::Csv, true),
            ("yaml", Format::Yaml, true),
        ] {
            let out = render_item(format, &fields, &item, piped).unwrap();
            all.push_str(&format!("== {name}\n{out}"));
        }
        insta::assert_snapshot!(all);
    }

    #[test]
    fn scalar_formats() {
        let cases = [
            (ScalarFormat::Plain, json!("on"), "on\n"),
            (
                ScalarFormat::Plain,
                json!("https://a.example"),
                "https://a.example\n",
            ),
            (
                ScalarFormat::Json,
                json!("https://a.example"),
                "\"https:\\/\\/a.example\"\n",
            ),
            // Spyc quotes YAML's boolean words.
            (ScalarFormat::Yaml, json!("off"), "---\n- 'off'\n\n"),
            (
                ScalarFormat::Yaml,
                json!("https://a.example"),
                "---\n- https://a.example\n\n",
            ),
        ];
        for (format, value, want) in cases {
            assert_eq!(render_scalar(format, &value), want, "{format:?}");
        }
    }

    #[test]
    fn unknown_field_is_an_error() {
        let items = records();
        let err = render_items(Format::Table, &["nope"], "nope", &items, true).unwrap_err();
        assert_eq!(err.to_string(), "Invalid field: nope.");
    }

    #[test]
    fn empty_lists() {
        let cases = [
            (Format::Json, "[]"),
            (Format::Count, "0"),
            (Format::Ids, ""),
            (Format::Csv, "a,b\n"),
            (Format::Yaml, "---\n"),
            (Format::Table, "a\tb\n"),
        ];
        for (format, want) in cases {
            assert_eq!(
                render_items(format, &["a", "b"], "a", &[], true).unwrap(),
                want,
                "{format:?}"
            );
        }
    }
}
