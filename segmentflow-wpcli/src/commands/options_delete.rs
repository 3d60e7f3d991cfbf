//! `options delete <name>`: remove one of Segmentflow's own options.

use anyhow::{Context as _, bail};

use crate::config::OptionsDelete;
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::wordpress::{options, site::Site};

/// Runs the command.
pub fn run(site: &mut Site, opts: &OptionsDelete, printer: &Printer) -> anyhow::Result<ExitStatus> {
    super::check_own_option(&opts.name)?;
    let table = site.options_table()?;
    let deleted = options::delete(&mut site.db, &table, &[opts.name.as_str()])?;
    options::report_written(&deleted).context("cannot write the list of written options")?;
    if deleted.is_empty() {
        bail!("Could not delete '{}' option. Does it exist?", opts.name);
    }
    printer.success(&format!("Deleted '{}' option.", opts.name));
    Ok(ExitStatus::Success)
}
