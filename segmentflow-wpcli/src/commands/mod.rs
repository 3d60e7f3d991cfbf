//! One file per subcommand. Each takes its plain options struct from
//! [`crate::config`], the [`Printer`], and returns the exit status; errors
//! bubble up as `anyhow` chains and are printed once by [`crate::run`].
//!
//! `status` and `settings` read the plugin's options through
//! `segmentflow_core::options`; `options …` are the generic debugging
//! commands over raw rows (writes limited to `segmentflow_*`).

pub mod options_delete;
pub mod options_get;
pub mod options_list;
pub mod options_set;
pub mod settings;
pub mod status;

// ---- connection and sync (branch sync-cmd)
pub mod connect;
pub mod disconnect;
pub mod sandbox;
pub mod site_state;
pub mod sync;
pub mod sync_source;

// ---- webhooks, tracking, doctor (branch wpcli-cmds)
pub mod doctor;
pub mod tracking;
pub mod webhooks;

// ---- segments (branch seg-shell)
pub mod segments;
// ---- revenue and brand (branch revenue-brand)
pub mod brand;
pub mod revenue;

use std::io::BufRead;

use anyhow::Context as _;

use crate::config::{CommandConfig, Config, SiteSource};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::wordpress::site::Site;
use segmentflow_core::wpconfig::SiteContext;

/// Runs the configured command.
pub fn run(config: &Config, printer: &Printer) -> anyhow::Result<ExitStatus> {
    // ---- connection and sync (branch sync-cmd): commands without a site.
    if let CommandConfig::Sandbox(sandbox_config) = &config.command {
        return sandbox::run(sandbox_config.clone());
    }
    // ---- webhooks, tracking, doctor (branch wpcli-cmds): doctor reports an
    // unreachable database as a failed check rather than an error.
    if let CommandConfig::Doctor(opts) = &config.command {
        return doctor::run(open_site(config, printer), opts, printer);
    }
    let mut site = open_site(config, printer)?;
    match &config.command {
        CommandConfig::OptionsGet(opts) => options_get::run(&mut site, opts, printer),
        CommandConfig::OptionsList(opts) => options_list::run(&mut site, opts, printer),
        CommandConfig::OptionsSet(opts) => options_set::run(&mut site, opts, printer),
        CommandConfig::OptionsDelete(opts) => options_delete::run(&mut site, opts, printer),
        CommandConfig::Status(opts) => status::run(&mut site, opts, printer),
        CommandConfig::SettingsList(opts) => settings::list(&mut site, opts, printer),
        CommandConfig::SettingsGet(opts) => settings::get(&mut site, opts, printer),
        CommandConfig::SettingsSet(opts) => settings::set(&mut site, opts, printer),
        // ---- connection and sync (branch sync-cmd)
        CommandConfig::Sandbox(_) => unreachable!("the sandbox runs without a site"),
        CommandConfig::Connect(opts) => connect::run(&mut site, opts, printer),
        CommandConfig::Disconnect => disconnect::run(&mut site, printer),
        CommandConfig::Sync(opts) => sync::run(&mut site, opts, config.quiet, printer),
        // ---- webhooks, tracking, doctor (branch wpcli-cmds)
        CommandConfig::WebhooksList(opts) => webhooks::list(&mut site, opts, printer),
        CommandConfig::WebhooksRegister => webhooks::register(&mut site, printer),
        CommandConfig::WebhooksRemove => webhooks::remove(&mut site, printer),
        CommandConfig::WebhooksPlan(action) => webhooks::plan(&mut site, *action, printer),
        CommandConfig::TrackingSnippet(opts) => tracking::snippet(&mut site, opts, printer),
        CommandConfig::Doctor(_) => unreachable!("doctor opens the site itself"),
        // ---- segments (branch seg-shell)
        CommandConfig::Segments(opts) => segments::run(&mut site, opts, printer),
        // ---- revenue and brand (branch revenue-brand)
        CommandConfig::Revenue(opts) => revenue::run(&mut site, opts, printer),
        CommandConfig::Brand(opts) => brand::run(&mut site, opts, printer),
    }
}

/// Opens the site from `--path` or from the stdin context line.
fn open_site(config: &Config, printer: &Printer) -> anyhow::Result<Site> {
    let site = match &config.site {
        SiteSource::Path(root) => Site::open_path(root, config.url.as_deref())?,
        SiteSource::StdinContext => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the site context from stdin")?;
            if line.trim().is_empty() {
                anyhow::bail!("--context=- was given but stdin has no site context line");
            }
            let ctx = SiteContext::from_json_line(&line)?;
            Site::open_context(ctx, config.url.as_deref())?
        }
    };
    printer.debug(&format!(
        "site from {}: {:?} database, options table {}",
        site.source,
        site.db.engine(),
        site.options_table()?
    ));
    Ok(site)
}

/// Options we may write: only the plugin's own.
pub(crate) fn check_own_option(name: &str) -> anyhow::Result<()> {
    const OWN: &str = "segmentflow_";
    if name.starts_with(OWN) && name.len() > OWN.len() && name.len() <= 191 {
        Ok(())
    } else {
        anyhow::bail!(
            "refusing to write option '{name}': only Segmentflow's own options (segmentflow_*) can be written"
        )
    }
}
