//! `options list [--search=<pattern>]`: rows of the options table.

use serde_json::Value;

use crate::config::OptionsList;
use crate::exit::ExitStatus;
use crate::output::{self, Printer, Record};
use crate::wordpress::{db::DbError, options, site::Site};

/// The fields shown without `--fields` (as `wp option list`).
pub const DEFAULT_FIELDS: &[&str] = &["option_name", "option_value"];

/// Runs the command.
pub fn run(site: &mut Site, opts: &OptionsList, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let mut items: Vec<Record> = Vec::new();
    let table = site.options_table()?;
    options::list(&mut site.db, &table, opts.search.as_deref(), |row| {
        let mut r = Record::new();
        r.insert("option_name".into(), Value::String(row.name));
        r.insert(
            "option_value".into(),
            Value::String(String::from_utf8_lossy(&row.value).into_owned()),
        );
        r.insert("autoload".into(), Value::String(row.autoload));
        items.push(r);
        Ok::<(), DbError>(())
    })?;
    let fields = opts.fields.resolve(DEFAULT_FIELDS);
    let text = output::render_items(opts.format, &fields, "option_name", &items, printer.piped())?;
    printer.result(&text)?;
    Ok(ExitStatus::Success)
}
