//! `connect`: link the site to a Segmentflow organization.
//!
//! * Non-interactive (`--stdin`, `--from-file=<path>`): the credentials JSON
//!   of [`ConnectCredentials::from_input_json`] — secrets never on argv.
//! * Interactive: the dashboard URL goes to stderr, then the status endpoint
//!   is polled with the poll token every `--poll-interval-ms` (2.5 s, the
//!   plugin's pace) until the connection is approved, the token expires
//!   (404/410: a clear error) or `--timeout` passes. The token comes from
//!   `--poll-token`, `SEGMENTFLOW_POLL_TOKEN` or the first line of stdin; it
//!   is short-lived and reveals the credentials only once, which is why the
//!   plugin's own model treats it as not secret and argv is acceptable.
//!
//! Saving is the same either way: the option rows of
//! [`ConnectCredentials::rows_to_write`] in one transaction (the platform
//! recorded as `woocommerce` when WooCommerce is active unless the input
//! says otherwise); then, when WooCommerce's tables exist and webhook
//! credentials came, the ten Segmentflow webhooks are brought to the core's
//! registration plan with SQL and WooCommerce's cached webhook ids dropped.
//! The option names written are reported to the PHP side through the
//! written-options file. `--porcelain` prints only the organization id.

use std::io::{BufRead as _, IsTerminal as _, Read as _};
use std::time::Instant;

use anyhow::{Context as _, bail};
use segmentflow_core::connection::{
    ConnectCredentials, PollOutcome, Secret, admin_url, dashboard_connect_url, parse_poll_response,
    poll_request,
};
use segmentflow_core::options::{Autoload, Platform};
use segmentflow_core::webhooks::registration::{self, Connection};
use segmentflow_core::webhooks::{ApiVersion, WebhookSecret};
use segmentflow_core::wpconfig::Table;

use super::site_state::{self, SiteFacts};
use crate::config::{Connect, ConnectInput};
use crate::env;
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::wordpress::{db::Param, options, site::Site, webhooks};

/// Runs the command.
pub fn run(site: &mut Site, opts: &Connect, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let facts = SiteFacts::read(site)?;
    let credentials = match &opts.input {
        ConnectInput::Stdin => {
            let mut input = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut input)
                .context("cannot read the connect credentials from stdin")?;
            ConnectCredentials::from_input_json(&input)?
        }
        ConnectInput::File(path) => {
            let input =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            ConnectCredentials::from_input_json(&input)
                .with_context(|| format!("in {}", path.display()))?
        }
        ConnectInput::Poll {
            token,
            interval,
            timeout,
        } => poll(site, &facts, token.as_deref(), *interval, *timeout, printer)?,
    };
    let saved = save(site, &facts, &credentials, printer)?;
    options::report_written(&saved.written).context("cannot write the list of written options")?;
    printer.debug(&format!("written options: {:?}", saved.written));
    if opts.porcelain {
        printer.result(&format!("{}\n", credentials.organization_id))?;
    } else {
        let org = if credentials.organization_name.is_empty() {
            credentials.organization_id.clone()
        } else {
            format!(
                "{} ({})",
                credentials.organization_name, credentials.organization_id
            )
        };
        let hooks = match &saved.webhooks {
            Some(a) => format!(
                "; webhooks: {} created, {} updated, {} deleted",
                a.created, a.updated, a.deleted
            ),
            None => String::new(),
        };
        printer.success(&format!(
            "Connected to Segmentflow organization {org} as {}{hooks}.",
            saved.platform
        ));
    }
    Ok(ExitStatus::Success)
}

/// What saving did.
struct Saved {
    platform: Platform,
    written: Vec<String>,
    webhooks: Option<webhooks::Applied>,
}

/// The first administrator (the user WooCommerce builds webhook payloads as).
pub(crate) fn first_administrator(site: &mut Site) -> anyhow::Result<u64> {
    let key = site.prefix.capabilities_meta_key(site.blog_id);
    let sql = format!(
        "SELECT user_id FROM {} WHERE meta_key = ? AND meta_value LIKE ? ORDER BY user_id LIMIT 1",
        site.table(Table::Usermeta)?.quoted()
    );
    let row = site
        .db
        .query_first(&sql, &[Param::Str(&key), Param::Str("%\"administrator\"%")])?;
    Ok(row
        .map(|r| r.i64(0))
        .transpose()?
        .flatten()
        .and_then(|v| u64::try_from(v).ok())
        .unwrap_or(0))
}

fn save(
    site: &mut Site,
    facts: &SiteFacts,
    credentials: &ConnectCredentials,
    printer: &Printer,
) -> anyhow::Result<Saved> {
    let platform = credentials.platform_for(facts.wc_active);
    let writes: Vec<options::OptionWrite> = credentials
        .rows_to_write(platform, Autoload::Yes)
        .iter()
        .map(|row| options::OptionWrite {
            name: row.name().to_owned(),
            value: row.value().to_vec(),
        })
        .collect();
    let options_table = site.options_table()?;
    let mut written = options::write(&mut site.db, &options_table, &writes)
        .context("cannot save the connection options")?;
    let mut applied = None;
    let webhooks_table = site.table(Table::WcWebhooks)?;
    let existing = webhooks::read_all(&mut site.db, &webhooks_table)?;
    printer.debug(&format!(
        "platform {platform}, webhook credentials: {}, wc_webhooks table: {}",
        credentials.webhook.is_some(),
        existing.is_some()
    ));
    if let Some(webhook) = &credentials.webhook
        && platform == Platform::WooCommerce
        && let Some(rows) = existing
    {
        let user_id = first_administrator(site)?;
        let connection = Connection::new(
            webhook.delivery_url.clone(),
            WebhookSecret::new(webhook.secret.expose()),
            ApiVersion::PLUGIN_DEFAULT,
            user_id,
        )?;
        let plan = registration::plan(&rows, &connection);
        let now = jiff::Timestamp::now();
        let done = webhooks::apply_plan(
            &mut site.db,
            &webhooks_table,
            &plan,
            &connection,
            now,
            facts.utc_offset(now),
        )
        .context("cannot register the Segmentflow webhooks")?;
        if done.changed() {
            written.extend(webhooks::forget_cached_ids(&mut site.db, &options_table)?);
        }
        applied = Some(done);
    }
    Ok(Saved {
        platform,
        written,
        webhooks: applied,
    })
}

fn poll_token(given: Option<&str>) -> anyhow::Result<String> {
    if let Some(token) = given.map(str::trim).filter(|t| !t.is_empty()) {
        return Ok(token.to_owned());
    }
    if let Some(token) = env::var(env::POLL_TOKEN) {
        return Ok(token.trim().to_owned());
    }
    if std::io::stdin().is_terminal() {
        eprint!("Poll token: ");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the poll token from stdin")?;
    let token = line.trim();
    if token.is_empty() {
        bail!(
            "no poll token: pass --poll-token=<token> (or {}, or a line on stdin), or connect non-interactively with --stdin / --from-file",
            env::POLL_TOKEN
        );
    }
    Ok(token.to_owned())
}

fn poll(
    site: &mut Site,
    facts: &SiteFacts,
    token: Option<&str>,
    interval: std::time::Duration,
    timeout: std::time::Duration,
    printer: &Printer,
) -> anyhow::Result<ConnectCredentials> {
    let stored = site_state::plugin_options(site)?;
    let api = stored.api_host_url()?;
    let app = stored.app_host_url()?;
    let url = dashboard_connect_url(
        &app,
        &facts.home_url,
        &admin_url(&facts.site_url),
        Platform::current(facts.wc_active),
    );
    printer.info(&format!(
        "Approve the connection in the Segmentflow dashboard: {url}"
    ));
    let token = Secret::new(poll_token(token)?);
    let request = poll_request(&api, &token, &facts.client());
    let deadline = Instant::now() + timeout;
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        match site_state::call(&request) {
            Ok((status, body)) => match parse_poll_response(status, &body) {
                PollOutcome::Approved(credentials) => return Ok(credentials),
                PollOutcome::Pending => printer.debug(&format!("poll {attempts}: pending")),
                PollOutcome::Expired { status } => bail!(
                    "the poll token has expired or was already used (HTTP {status}); start the connection again from the Segmentflow dashboard"
                ),
                PollOutcome::RetryableError(text) => {
                    printer.debug(&format!("poll {attempts}: {text}"));
                }
                PollOutcome::Invalid(e) => {
                    bail!("the approved connection carries unusable credentials: {e}")
                }
            },
            Err(reason) => printer.debug(&format!("poll {attempts}: {reason}")),
        }
        let now = Instant::now();
        if now >= deadline {
            bail!(
                "timed out after {} s waiting for the connection to be approved ({attempts} polls of {})",
                timeout.as_secs(),
                request.url
            );
        }
        std::thread::sleep(interval.min(deadline - now));
    }
}
