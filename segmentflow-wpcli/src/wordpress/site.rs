//! Opening a WordPress site: from `--path` (reading `wp-config.php` as
//! WordPress does) or from the PHP package's `--context=-`.
//!
//! * wp-config.php is read from the root, or from its parent when the root
//!   has none and the parent is not itself a WordPress root (the rule in
//!   `wp-load.php`).
//! * The DB password never comes from argv: from the context, from
//!   `SEGMENTFLOW_DB_PASSWORD`, or from a literal `DB_PASSWORD`. With
//!   `--path` the environment wins over wp-config.php (which may compute the
//!   password at run time); with `--context` the context wins.
//! * `localhost` without a socket means "the default Unix socket" to PHP's
//!   mysqli; we do the same (`SEGMENTFLOW_DB_SOCKET`, else the usual paths),
//!   falling back to TCP 127.0.0.1 when no socket exists.
//! * A site on the SQLite Database Integration plugin is recognised by its
//!   `wp-content/db.php` drop-in; the database file is `FQDB`, or
//!   `DB_DIR`/`DB_FILE`, by default `wp-content/database/.ht.sqlite`.
//! * Multisite: `--url` selects the blog by domain and path in `wp_blogs`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};

use super::context::SiteContext;
use super::db::{ConnectParams, Db, Param};
use super::prefix::TablePrefix;
use super::wpconfig::{self, ConfigValue, WpConfig};
use crate::env;

/// Default Unix socket paths tried for `localhost`, in order.
const DEFAULT_SOCKETS: &[&str] = &[
    "/run/mysqld/mysqld.sock",
    "/var/run/mysqld/mysqld.sock",
    "/var/lib/mysql/mysql.sock",
    "/tmp/mysql.sock",
];

/// An open site: its database and the prefix of the selected blog.
#[derive(Debug)]
pub struct Site {
    /// The database.
    pub db: Db,
    /// Table names of the selected blog.
    pub prefix: TablePrefix,
    /// Whether the site is a multisite network.
    pub multisite: bool,
    /// Where the settings came from (for messages): the wp-config.php path or
    /// `stdin context`.
    pub source: String,
}

/// Finds wp-config.php for a WordPress root, as wp-load.php does.
pub fn locate_wp_config(root: &Path) -> Option<PathBuf> {
    let here = root.join("wp-config.php");
    if here.is_file() {
        return Some(here);
    }
    let parent = root.join("..");
    let above = parent.join("wp-config.php");
    if above.is_file() && !parent.join("wp-settings.php").exists() {
        return Some(above);
    }
    None
}

fn required<'a>(config: &'a WpConfig, name: &str, file: &Path) -> anyhow::Result<&'a str> {
    match config.constants.get(name) {
        Some(ConfigValue::Str(s)) => Ok(s),
        Some(ConfigValue::Int(_)) | Some(ConfigValue::Bool(_)) => {
            bail!("{name} in {} is not a string", file.display())
        }
        Some(ConfigValue::Expression(e)) => bail!(
            "{name} in {} is not a literal value ({e}); run through `wp segmentflow` so PHP resolves it",
            file.display()
        ),
        None => bail!("{} does not define {name}", file.display()),
    }
}

fn default_socket() -> Option<PathBuf> {
    if let Some(s) = env::var(env::DB_SOCKET) {
        return Some(PathBuf::from(s));
    }
    DEFAULT_SOCKETS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Builds connect parameters from DB_HOST the way PHP's mysqli would use it.
fn connect_params_for_host(raw_host: &str) -> anyhow::Result<ConnectParams> {
    let parsed = wpconfig::parse_db_host(raw_host)?;
    let mut params = ConnectParams {
        host: Some(parsed.host.clone()).filter(|h| !h.is_empty()),
        port: parsed.port,
        socket: parsed.socket.map(PathBuf::from),
        ..ConnectParams::default()
    };
    if params.socket.is_none() && parsed.host.eq_ignore_ascii_case("localhost") {
        match default_socket() {
            Some(socket) => params.socket = Some(socket),
            None => params.host = Some("127.0.0.1".into()),
        }
    }
    Ok(params)
}

fn sqlite_file(root: &Path, config: &WpConfig) -> Option<PathBuf> {
    let content = config
        .str("WP_CONTENT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("wp-content"));
    let dropin = std::fs::read(content.join("db.php")).ok()?;
    let marker = String::from_utf8_lossy(&dropin).to_ascii_lowercase();
    if !marker.contains("sqlite") {
        return None;
    }
    if let Some(fqdb) = config.str("FQDB") {
        return Some(PathBuf::from(fqdb));
    }
    let dir = config
        .str("DB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| content.join("database"));
    let file = config.str("DB_FILE").unwrap_or(".ht.sqlite");
    Some(dir.join(file))
}

impl Site {
    /// Opens the site under a WordPress root directory.
    pub fn open_path(root: &Path, url: Option<&str>) -> anyhow::Result<Site> {
        let file = locate_wp_config(root).ok_or_else(|| {
            anyhow!(
                "no wp-config.php in {} or its parent; is --path the WordPress root?",
                root.display()
            )
        })?;
        let text =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let config = wpconfig::read(&String::from_utf8_lossy(&text));
        let prefix = match &config.table_prefix {
            Some(ConfigValue::Str(p)) => TablePrefix::new(p)?,
            Some(ConfigValue::Expression(e)) => bail!(
                "$table_prefix in {} is not a literal string ({e}); run through `wp segmentflow` so PHP resolves it",
                file.display()
            ),
            Some(_) => bail!("$table_prefix in {} is not a string", file.display()),
            None => bail!("{} does not set $table_prefix", file.display()),
        };
        let root_dir = file.parent().unwrap_or(root);
        let multisite = config.truthy("MULTISITE");
        let db = if let Some(sqlite) =
            sqlite_file(root, &config).or_else(|| sqlite_file(root_dir, &config))
        {
            if !sqlite.is_file() {
                bail!(
                    "this site uses SQLite (wp-content/db.php) but its database {} does not exist",
                    sqlite.display()
                );
            }
            Db::open_sqlite(&sqlite)?
        } else {
            let host = required(&config, "DB_HOST", &file)?;
            let mut params = connect_params_for_host(host)?;
            params.user = required(&config, "DB_USER", &file)?.to_owned();
            params.database = required(&config, "DB_NAME", &file)?.to_owned();
            params.charset = config.str("DB_CHARSET").map(str::to_owned);
            params.password = match (
                env::var(env::DB_PASSWORD),
                config.constants.get("DB_PASSWORD"),
            ) {
                (Some(p), _) => p,
                (None, Some(ConfigValue::Str(p))) => p.clone(),
                (None, Some(ConfigValue::Expression(e))) => bail!(
                    "DB_PASSWORD in {} is not a literal value ({e}); set {} or run through `wp segmentflow`",
                    file.display(),
                    env::DB_PASSWORD
                ),
                (None, _) => bail!(
                    "{} does not define DB_PASSWORD as a string; set {}",
                    file.display(),
                    env::DB_PASSWORD
                ),
            };
            Db::connect_mysql(&params)?
        };
        let mut site = Site {
            db,
            prefix,
            multisite,
            source: file.display().to_string(),
        };
        if let Some(url) = url {
            site.select_blog_by_url(url)?;
        }
        Ok(site)
    }

    /// Opens the site the PHP package described.
    pub fn open_context(ctx: &SiteContext, url: Option<&str>) -> anyhow::Result<Site> {
        let prefix = TablePrefix::new(&ctx.table_prefix)?;
        let db = if let Some(path) = &ctx.sqlite_path {
            Db::open_sqlite(Path::new(path))?
        } else {
            let mut params = match (&ctx.db_socket, &ctx.db_host) {
                (Some(socket), _) if !socket.is_empty() => ConnectParams {
                    socket: Some(PathBuf::from(socket)),
                    host: ctx.db_host.clone(),
                    ..ConnectParams::default()
                },
                (_, Some(host)) => {
                    let mut p = connect_params_for_host(host)?;
                    p.port = ctx.db_port.or(p.port);
                    p
                }
                (_, None) => connect_params_for_host("localhost")?,
            };
            params.user = ctx.db_user.clone();
            params.database = ctx.db_name.clone();
            params.charset = ctx.db_charset.clone();
            params.password = match (&ctx.db_password, env::var(env::DB_PASSWORD)) {
                (Some(p), _) => p.clone(),
                (None, Some(p)) => p,
                (None, None) => String::new(),
            };
            Db::connect_mysql(&params)?
        };
        let mut site = Site {
            db,
            prefix: prefix.for_blog(ctx.blog_id.unwrap_or(1)),
            multisite: ctx.multisite.unwrap_or(false),
            source: "stdin context".into(),
        };
        if let (Some(url), None) = (url, ctx.blog_id) {
            site.select_blog_by_url(url)?;
        }
        Ok(site)
    }

    /// Selects the blog of a multisite network whose home is `url`.
    pub fn select_blog_by_url(&mut self, url: &str) -> anyhow::Result<()> {
        if !self.multisite {
            // WP-CLI ignores --url on single sites too.
            return Ok(());
        }
        let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let (domain, path) = match without_scheme.find('/') {
            Some(i) => (&without_scheme[..i], &without_scheme[i..]),
            None => (without_scheme, "/"),
        };
        let mut path = path.split(['?', '#']).next().unwrap_or("/").to_owned();
        if !path.ends_with('/') {
            path.push('/');
        }
        let sql = format!(
            "SELECT blog_id FROM {} WHERE domain = ? AND path = ? LIMIT 1",
            self.prefix.global_table("blogs")
        );
        let row = self
            .db
            .query_first(&sql, &[Param::Str(domain), Param::Str(&path)])?;
        let blog_id = match row {
            Some(row) => row.i64(0)?.unwrap_or(1),
            None => bail!("Site '{url}' not found. Verify `--url=<url>` matches an existing site."),
        };
        self.prefix = self.prefix.for_blog(u64::try_from(blog_id).unwrap_or(1));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_means_a_socket_when_one_exists() {
        let p = connect_params_for_host("127.0.0.1:3307").unwrap();
        assert_eq!(
            (p.host.as_deref(), p.port, p.socket.is_none()),
            (Some("127.0.0.1"), Some(3307), true)
        );
        let p = connect_params_for_host(":/tmp/x.sock").unwrap();
        assert_eq!(p.socket, Some(PathBuf::from("/tmp/x.sock")));
        assert_eq!(p.host, None);
        let p = connect_params_for_host("localhost").unwrap();
        assert!(p.socket.is_some() || p.host.as_deref() == Some("127.0.0.1"));
    }
}
