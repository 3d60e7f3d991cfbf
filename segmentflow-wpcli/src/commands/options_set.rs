//! `options set <name> [<value>]`: store one of Segmentflow's own options.
//!
//! The value is the stored form; without `<value>` it is read from stdin (the
//! rest of stdin after the context line), with one trailing newline removed,
//! so secrets such as a write key stay off the command line.

use std::io::Read;

use anyhow::Context as _;

use crate::config::OptionsSet;
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::wordpress::{options, site::Site};

/// Runs the command.
pub fn run(site: &mut Site, opts: &OptionsSet, printer: &Printer) -> anyhow::Result<ExitStatus> {
    super::check_own_option(&opts.name)?;
    let value = match &opts.value {
        Some(v) => v.clone().into_bytes(),
        None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .context("cannot read the option value from stdin")?;
            if buf.ends_with(b"\n") {
                buf.pop();
                if buf.ends_with(b"\r") {
                    buf.pop();
                }
            }
            buf
        }
    };
    let table = site.options_table()?;
    let written = options::write(
        &mut site.db,
        &table,
        &[options::OptionWrite {
            name: opts.name.clone(),
            value,
        }],
    )?;
    options::report_written(&written).context("cannot write the list of written options")?;
    printer.debug(&format!("written options: {written:?}"));
    if written.is_empty() {
        printer.success(&format!(
            "Value passed for '{}' option is unchanged.",
            opts.name
        ));
    } else {
        printer.success(&format!("Updated '{}' option.", opts.name));
    }
    Ok(ExitStatus::Success)
}
