//! `disconnect`: unlink the site from Segmentflow, as the plugin's
//! "Disconnect" button does, and idempotently.
//!
//! 1. Every Segmentflow webhook row (`Segmentflow: %`, any status) is deleted
//!    from `{prefix}wc_webhooks` and WooCommerce's cached webhook ids dropped.
//! 2. `DELETE {api_host}/api/v1/integrations/connect/disconnect` with the
//!    write key, best effort: no answer or an error answer is a warning on
//!    stderr, never a failure — the local clean-up is what matters.
//! 3. The connection options ([`DISCONNECT_DELETES`]) are deleted.
//!
//! A site that is not connected succeeds with a note. The sync checkpoints
//! (`segmentflow_sync_state`) are kept, so reconnecting the same
//! organization resumes; `sync --full` resends everything.

use anyhow::Context as _;
use segmentflow_core::connection::{
    DISCONNECT_DELETES, DisconnectKind, disconnect_request, error_text,
};
use segmentflow_core::webhooks::registration;
use segmentflow_core::wpconfig::Table;

use super::site_state::{self, SiteFacts};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::wordpress::{options, site::Site, webhooks};

/// Runs the command.
pub fn run(site: &mut Site, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let facts = SiteFacts::read(site)?;
    let stored = site_state::plugin_options(site)?;
    let connected = stored.is_connected();
    let mut written = Vec::new();

    let options_table = site.options_table()?;
    let webhooks_table = site.table(Table::WcWebhooks)?;
    let mut removed = 0;
    if let Some(rows) = webhooks::read_all(&mut site.db, &webhooks_table)? {
        let ids: Vec<u64> = registration::removal(&rows)
            .iter()
            .map(|d| d.webhook_id)
            .collect();
        if !ids.is_empty() {
            removed = webhooks::delete_rows(&mut site.db, &webhooks_table, &ids)
                .context("cannot remove the Segmentflow webhooks")?;
            written.extend(webhooks::forget_cached_ids(&mut site.db, &options_table)?);
        }
    }

    if connected {
        match stored.api_host_url() {
            Ok(api) => {
                if let Some(request) = disconnect_request(
                    &api,
                    &stored.write_key,
                    DisconnectKind::Admin,
                    &facts.client(),
                ) {
                    match site_state::call(&request) {
                        Ok((status, _)) if (200..300).contains(&status) => {
                            printer.debug(&format!("Segmentflow acknowledged (HTTP {status})"));
                        }
                        Ok((status, body)) => printer.warning(&format!(
                            "Segmentflow answered the disconnect notice with HTTP {status} ({}); the site is disconnected here anyway",
                            error_text(status, &body)
                        )),
                        Err(reason) => printer.warning(&format!(
                            "could not notify Segmentflow ({reason}); the site is disconnected here anyway"
                        )),
                    }
                }
            }
            Err(e) => printer.warning(&format!(
                "not notifying Segmentflow: {e}; the site is disconnected here anyway"
            )),
        }
    }

    let deleted = options::delete(&mut site.db, &options_table, &DISCONNECT_DELETES)
        .context("cannot delete the connection options")?;
    let nothing = !connected && deleted.is_empty() && removed == 0;
    written.extend(deleted);
    options::report_written(&written).context("cannot write the list of written options")?;
    if nothing {
        printer.success("The site is not connected to Segmentflow; nothing to do.");
    } else {
        printer.success(&format!(
            "Disconnected from Segmentflow ({removed} webhook(s) removed)."
        ));
    }
    Ok(ExitStatus::Success)
}
