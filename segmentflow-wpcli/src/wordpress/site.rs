//! Opening a WordPress site: from `--path` (reading `wp-config.php` as
//! WordPress does) or from the PHP package's `--context=-`.
//!
//! Parsing is the core's (`segmentflow_core::wpconfig`): `WpConfig::parse`
//! for `wp-config.php`, `DbHost` for `DB_HOST` and where mysqli would really
//! connect, `TablePrefix`/`Table` for every table name, `SiteContext` for the
//! stdin context. This module only does the I/O around them:
//!
//! * wp-config.php is read from the root, or from its parent when the root
//!   has none and the parent is not itself a WordPress root (the rule in
//!   `wp-load.php`).
//! * The DB password never comes from argv: from the context, from
//!   `SEGMENTFLOW_DB_PASSWORD`, or from a literal `DB_PASSWORD`. With
//!   `--path` the environment wins over wp-config.php (which may compute the
//!   password at run time); with `--context` a non-empty context password
//!   wins and the environment fills in an empty or missing one.
//! * `localhost` (or an empty host) without a socket means "the default Unix
//!   socket" to PHP's mysqli. Standalone, that is `SEGMENTFLOW_DB_SOCKET`, else
//!   the first of the usual Debian/RedHat paths that exists, else TCP
//!   127.0.0.1; with a context it is the `db_default_socket` PHP reported.
//! * A site on the SQLite Database Integration plugin is recognised by its
//!   `wp-content/db.php` drop-in; the database file is `FQDB`, or
//!   `DB_DIR`/`DB_FILE`, by default `wp-content/database/.ht.sqlite`.
//! * Multisite: `--url` selects the blog by domain and path in `wp_blogs`;
//!   a context selects it by `blog_id` (and `--url`, when given, wins).
//! * The WordPress version is the context's, or standalone the
//!   `$wp_version = '…';` line of `wp-includes/version.php` under the
//!   WordPress root or `ABSPATH` (the database only has `db_version`).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use segmentflow_core::wpconfig::{
    ConfigError, DbEndpoint, DbHost, SiteContext, Table, TableName, TablePrefix, WpConfig,
};

use super::db::{ConnectParams, Db, Param};
use crate::env;

/// Default Unix socket paths tried for `localhost`, in order.
const DEFAULT_SOCKETS: &[&str] = &[
    "/run/mysqld/mysqld.sock",
    "/var/run/mysqld/mysqld.sock",
    "/var/lib/mysql/mysql.sock",
    "/tmp/mysql.sock",
];

/// An open site: its database and the tables of the selected blog.
#[derive(Debug)]
pub struct Site {
    /// The database.
    pub db: Db,
    /// The base table prefix (`$table_prefix`).
    pub prefix: TablePrefix,
    /// The selected blog (1 on single sites).
    pub blog_id: u64,
    /// Whether the site is a multisite network.
    pub multisite: bool,
    /// Where the settings came from (for messages): the wp-config.php path or
    /// `stdin context`.
    pub source: String,
    /// `$wp_version`, when known (from the context or `version.php`).
    pub wp_version: Option<String>,
    /// What the PHP package told us (`--context=-`), `None` standalone.
    /// Facts it leaves `None` (URLs, versions, WooCommerce) are read from the
    /// database by the commands that need them.
    pub context: Option<SiteContext>,
    /// How [`db`](Self::db) was opened, so [`connect_again`](Self::connect_again)
    /// can open a second connection without re-reading wp-config.php or stdin.
    target: DbTarget,
}

/// The already-resolved connection parameters of a site's database.
#[derive(Debug, Clone)]
pub enum DbTarget {
    /// MariaDB/MySQL (the password is masked in `Debug`).
    Mysql(ConnectParams),
    /// A SQLite database file.
    Sqlite(PathBuf),
}

impl DbTarget {
    /// Opens a new connection to the same database.
    pub fn connect(&self) -> anyhow::Result<Db> {
        Ok(match self {
            DbTarget::Mysql(params) => Db::connect_mysql(params)?,
            DbTarget::Sqlite(path) => Db::open_sqlite(path)?,
        })
    }
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

/// The socket mysqli would use for `localhost` when PHP cannot be asked.
fn default_socket() -> Option<PathBuf> {
    if let Some(s) = env::var(env::DB_SOCKET) {
        return Some(PathBuf::from(s));
    }
    DEFAULT_SOCKETS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Connect parameters for where mysqli would connect, standalone: the
/// default socket is guessed ([`default_socket`]); when none exists,
/// `localhost` falls back to TCP 127.0.0.1.
fn connect_params_standalone(host: &DbHost) -> ConnectParams {
    let guessed = default_socket();
    let fallback = guessed
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    match host.endpoint(&fallback).endpoint {
        DbEndpoint::Socket { path } if path.is_empty() => ConnectParams {
            host: Some("127.0.0.1".into()),
            port: host.port,
            ..ConnectParams::default()
        },
        endpoint => endpoint_params(endpoint),
    }
}

fn endpoint_params(endpoint: DbEndpoint) -> ConnectParams {
    match endpoint {
        DbEndpoint::Socket { path } => ConnectParams {
            socket: Some(PathBuf::from(path)),
            ..ConnectParams::default()
        },
        DbEndpoint::Tcp { host, port, .. } => ConnectParams {
            host: Some(host),
            port: Some(port),
            ..ConnectParams::default()
        },
    }
}

/// A core wp-config error, with the file named and, for `DB_PASSWORD`, the
/// environment variable that provides it.
fn config_error(err: ConfigError, file: &Path) -> anyhow::Error {
    let password = matches!(&err,
        ConfigError::NotLiteral { name, .. }
        | ConfigError::Conditional { name, .. }
        | ConfigError::MaybeOverridden { name, .. }
        | ConfigError::Missing { name, .. } if name == "DB_PASSWORD");
    // The core's messages say "wp-config.php"; name the real file instead.
    let text = err.to_string();
    let path = file.display().to_string();
    let text = if text.contains("wp-config.php") {
        text.replacen("wp-config.php", &path, 1)
    } else {
        format!("{path}: {text}")
    };
    if password {
        anyhow!("{text} (set {} to the password)", env::DB_PASSWORD)
    } else {
        anyhow!("{text}")
    }
}

fn required(config: &WpConfig, name: &str, file: &Path) -> anyhow::Result<String> {
    config
        .string(name)
        .map_err(|e| config_error(e, file))?
        .ok_or_else(|| {
            config_error(
                ConfigError::Missing {
                    name: name.to_owned(),
                    include_line: config.first_include,
                },
                file,
            )
        })
}

/// A literal string constant, `None` when absent or not readable.
fn optional(config: &WpConfig, name: &str) -> Option<String> {
    config.string(name).ok().flatten()
}

/// The `$wp_version = '…';` literal of a `wp-includes/version.php` text.
fn parse_wp_version(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("$wp_version")?;
        let rest = rest.trim_start().strip_prefix('=')?.trim_start();
        let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let inner = &rest[1..];
        let end = inner.find(quote)?;
        let version = &inner[..end];
        (!version.is_empty()
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c)))
        .then(|| version.to_owned())
    })
}

/// `$wp_version` from `wp-includes/version.php` under the site's root or
/// its `ABSPATH`.
fn wp_version_from_files(root: &Path, config: &WpConfig) -> Option<String> {
    std::iter::once(root.to_path_buf())
        .chain(optional(config, "ABSPATH").map(PathBuf::from))
        .find_map(|dir| {
            let text = std::fs::read(dir.join("wp-includes/version.php")).ok()?;
            parse_wp_version(&String::from_utf8_lossy(&text))
        })
}

fn sqlite_file(root: &Path, config: &WpConfig) -> Option<PathBuf> {
    let content = optional(config, "WP_CONTENT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("wp-content"));
    let dropin = std::fs::read(content.join("db.php")).ok()?;
    let marker = String::from_utf8_lossy(&dropin).to_ascii_lowercase();
    if !marker.contains("sqlite") {
        return None;
    }
    if let Some(fqdb) = optional(config, "FQDB") {
        return Some(PathBuf::from(fqdb));
    }
    let dir = optional(config, "DB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| content.join("database"));
    let file = optional(config, "DB_FILE").unwrap_or_else(|| ".ht.sqlite".into());
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
        let config =
            WpConfig::parse(&String::from_utf8_lossy(&text)).map_err(|e| config_error(e, &file))?;
        let prefix = config.table_prefix().map_err(|e| config_error(e, &file))?;
        let root_dir = file.parent().unwrap_or(root);
        let multisite = config
            .boolean("MULTISITE")
            .map_err(|e| config_error(e, &file))?
            .unwrap_or(false);
        let target = if let Some(sqlite) =
            sqlite_file(root, &config).or_else(|| sqlite_file(root_dir, &config))
        {
            if !sqlite.is_file() {
                bail!(
                    "this site uses SQLite (wp-content/db.php) but its database {} does not exist",
                    sqlite.display()
                );
            }
            DbTarget::Sqlite(sqlite)
        } else {
            let host_raw = required(&config, "DB_HOST", &file)?;
            let host = DbHost::parse(&host_raw).map_err(|e| config_error(e.into(), &file))?;
            let mut params = connect_params_standalone(&host);
            params.user = required(&config, "DB_USER", &file)?;
            params.database = required(&config, "DB_NAME", &file)?;
            params.charset = optional(&config, "DB_CHARSET");
            params.password = match env::var(env::DB_PASSWORD) {
                Some(p) => p,
                None => required(&config, "DB_PASSWORD", &file)?,
            };
            DbTarget::Mysql(params)
        };
        let db = target.connect()?;
        let mut site = Site {
            db,
            target,
            prefix,
            blog_id: 1,
            multisite,
            source: file.display().to_string(),
            wp_version: wp_version_from_files(root_dir, &config),
            context: None,
        };
        if let Some(url) = url {
            site.select_blog_by_url(url)?;
        }
        Ok(site)
    }

    /// Opens the site the PHP package described.
    pub fn open_context(ctx: SiteContext, url: Option<&str>) -> anyhow::Result<Site> {
        let mut params = match ctx.db_endpoint.endpoint.clone() {
            // PHP's default socket is not there (a chroot, a container):
            // try ours before failing.
            DbEndpoint::Socket { path }
                if ctx.db_host.socket.is_none() && !Path::new(&path).exists() =>
            {
                connect_params_standalone(&ctx.db_host)
            }
            endpoint => endpoint_params(endpoint),
        };
        params.user = ctx.db_user.clone();
        params.database = ctx.db_name.clone();
        params.charset = Some(ctx.db_charset.clone());
        params.password = if ctx.db_password.is_empty() {
            env::var(env::DB_PASSWORD).unwrap_or_default()
        } else {
            ctx.db_password.expose().to_owned()
        };
        let db = Db::connect_mysql(&params)?;
        let mut site = Site {
            db,
            target: DbTarget::Mysql(params),
            prefix: ctx.table_prefix.clone(),
            blog_id: ctx.blog_id,
            multisite: ctx.multisite,
            source: "stdin context".into(),
            wp_version: ctx.wp_version.clone(),
            context: Some(ctx),
        };
        if let Some(url) = url {
            site.select_blog_by_url(url)?;
        }
        Ok(site)
    }

    /// Where the database is, as resolved when the site was opened.
    pub fn db_target(&self) -> &DbTarget {
        &self.target
    }

    /// A second connection to the site's database, from the parameters
    /// resolved when it was opened (no second read of wp-config.php or of
    /// the stdin context).
    pub fn connect_again(&self) -> anyhow::Result<Db> {
        self.target.connect()
    }

    /// The name of `table` for the selected blog.
    pub fn table(&self, table: Table) -> anyhow::Result<TableName> {
        self.prefix
            .table(self.blog_id, table)
            .with_context(|| format!("table prefix '{}'", self.prefix))
    }

    /// The selected blog's options table.
    pub fn options_table(&self) -> anyhow::Result<TableName> {
        self.table(Table::Options)
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
            self.table(Table::Blogs)?.quoted()
        );
        let row = self
            .db
            .query_first(&sql, &[Param::Str(domain), Param::Str(&path)])?;
        let blog_id = match row {
            Some(row) => row.i64(0)?.unwrap_or(1),
            None => bail!("Site '{url}' not found. Verify `--url=<url>` matches an existing site."),
        };
        self.blog_id = u64::try_from(blog_id).unwrap_or(1).max(1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_become_connect_params() {
        let p = connect_params_standalone(&DbHost::parse("127.0.0.1:3307").unwrap());
        assert_eq!(
            (p.host.as_deref(), p.port, p.socket.is_none()),
            (Some("127.0.0.1"), Some(3307), true)
        );
        let p = connect_params_standalone(&DbHost::parse(":/tmp/x.sock").unwrap());
        assert_eq!(p.socket, Some(PathBuf::from("/tmp/x.sock")));
        assert_eq!(p.host, None);
        // localhost: a socket when one exists, else TCP to 127.0.0.1.
        let p = connect_params_standalone(&DbHost::parse("localhost").unwrap());
        assert!(p.socket.is_some() || p.host.as_deref() == Some("127.0.0.1"));
        let p = connect_params_standalone(&DbHost::parse("db.example").unwrap());
        assert_eq!(
            (p.host.as_deref(), p.port),
            (Some("db.example"), Some(3306))
        );
    }

    #[test]
    fn wp_version_lines() {
        let cases = [
            (
                "<?php\n/** @global string $wp_version */\n$wp_version = '6.1.9';\n",
                Some("6.1.9"),
            ),
            ("$wp_version=\"6.7-RC1\";", Some("6.7-RC1")),
            ("$wp_version_x = '1';", None),
            ("$wp_version = get_it();", None),
            ("$wp_version = '';", None),
            ("$wp_version = '6.1", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_wp_version(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn password_errors_name_the_environment_variable() {
        let config = WpConfig::parse(
            "<?php define( 'DB_PASSWORD', getenv( 'X' ) ); define( 'DB_USER', getenv( 'Y' ) );",
        )
        .unwrap();
        let file = Path::new("/srv/wp-config.php");
        let err = required(&config, "DB_PASSWORD", file)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("DB_PASSWORD in /srv/wp-config.php (line 1)")
                && err.contains(env::DB_PASSWORD),
            "{err}"
        );
        let err = required(&config, "DB_USER", file).unwrap_err().to_string();
        assert!(!err.contains(env::DB_PASSWORD), "{err}");
        let err = required(&config, "DB_NAME", file).unwrap_err().to_string();
        assert!(err.contains("DB_NAME is not defined"), "{err}");
    }
}
