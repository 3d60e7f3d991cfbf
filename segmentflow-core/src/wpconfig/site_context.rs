//! The site context: the JSON line the PHP package writes first on the
//! binary's stdin (`segmentflow-wpcli --context=-`, DESIGN.md §3.1).
//!
//! Inside WordPress, PHP knows everything the binary would otherwise have to
//! guess from `wp-config.php`: the database host, port and socket as
//! `wpdb::parse_db_host()` split them (and `mysqli.default_socket` for a
//! `localhost` host), the credentials, the charset `wpdb` settled on, the
//! table prefix and current blog, the URLs, versions, whether WooCommerce is
//! active and whether its HPOS order tables are authoritative, and the
//! locale. The field names are the constants of [`fields`]; the PHP package
//! must use the same (a contract test compares them).
//!
//! [`RawSiteContext`] is the JSON as sent; [`SiteContext`] is the validated,
//! typed form the binary uses. Neither shows the password in `Debug`.
//!
//! Read-only commands run at WP-CLI's `@when after_wp_config_load`: only
//! `wp-config.php` has run, WordPress itself has not loaded, so the PHP
//! package cannot know the URLs, the WordPress version (unless it reads
//! `wp-includes/version.php`), the locale or anything about WooCommerce. It
//! sends `null` for those ([`fields::HOME_URL`], [`fields::SITE_URL`],
//! [`fields::WP_VERSION`], [`fields::LOCALE`], [`fields::WC_ACTIVE`],
//! [`fields::WC_VERSION`], [`fields::HPOS`]); a missing key reads as `null`
//! too. They are `None` in [`SiteContext`] and the binary reads them from the
//! database (`home`, `siteurl`, `db_version`, `active_plugins`,
//! `woocommerce_version`, the HPOS options). Values that are present are
//! still validated. A missing `db_password` reads as the empty password.

use super::DbPassword;
use super::db_host::{DbHost, ResolvedEndpoint};
use super::table_prefix::{TableNameError, TablePrefix};
use serde::{Deserialize, Serialize};

/// The context format version this crate reads.
pub const CONTEXT_VERSION: u32 = 1;

/// The socket mysqlnd uses when `mysqli.default_socket` is empty.
pub const MYSQLND_DEFAULT_SOCKET: &str = "/tmp/mysql.sock";

/// The JSON field names of the site context, shared with the PHP package.
pub mod fields {
    /// Format version (integer, currently 1).
    pub const VERSION: &str = "version";
    /// Host part of `DB_HOST` after `wpdb::parse_db_host()` (`""` for a
    /// socket-only `DB_HOST`).
    pub const DB_HOST: &str = "db_host";
    /// Port from `DB_HOST`, or null.
    pub const DB_PORT: &str = "db_port";
    /// Socket path from `DB_HOST`, or null.
    pub const DB_SOCKET: &str = "db_socket";
    /// `ini_get('mysqli.default_socket')`, or null.
    pub const DB_DEFAULT_SOCKET: &str = "db_default_socket";
    /// `DB_USER`.
    pub const DB_USER: &str = "db_user";
    /// `DB_PASSWORD`.
    pub const DB_PASSWORD: &str = "db_password";
    /// `DB_NAME`.
    pub const DB_NAME: &str = "db_name";
    /// `$wpdb->charset`.
    pub const DB_CHARSET: &str = "db_charset";
    /// `$wpdb->collate` (may be empty).
    pub const DB_COLLATE: &str = "db_collate";
    /// `$wpdb->base_prefix`.
    pub const TABLE_PREFIX: &str = "table_prefix";
    /// `get_current_blog_id()`.
    pub const BLOG_ID: &str = "blog_id";
    /// `is_multisite()`.
    pub const MULTISITE: &str = "multisite";
    /// `home_url()`.
    pub const HOME_URL: &str = "home_url";
    /// `site_url()`.
    pub const SITE_URL: &str = "site_url";
    /// `$wp_version`.
    pub const WP_VERSION: &str = "wp_version";
    /// `WC_VERSION`, or null when WooCommerce is not loaded.
    pub const WC_VERSION: &str = "wc_version";
    /// Whether WooCommerce is active.
    pub const WC_ACTIVE: &str = "wc_active";
    /// `OrderUtil::custom_orders_table_usage_is_enabled()`.
    pub const HPOS: &str = "hpos";
    /// `get_locale()`.
    pub const LOCALE: &str = "locale";

    /// Every field, in the order the PHP package writes them.
    pub const ALL: [&str; 20] = [
        VERSION,
        DB_HOST,
        DB_PORT,
        DB_SOCKET,
        DB_DEFAULT_SOCKET,
        DB_USER,
        DB_PASSWORD,
        DB_NAME,
        DB_CHARSET,
        DB_COLLATE,
        TABLE_PREFIX,
        BLOG_ID,
        MULTISITE,
        HOME_URL,
        SITE_URL,
        WP_VERSION,
        WC_VERSION,
        WC_ACTIVE,
        HPOS,
        LOCALE,
    ];
}

/// The site context exactly as the PHP package sends it. Unknown fields are
/// ignored (a newer PHP package may send more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawSiteContext {
    /// See [`fields::VERSION`].
    pub version: u32,
    /// See [`fields::DB_HOST`].
    pub db_host: String,
    /// See [`fields::DB_PORT`].
    #[serde(default)]
    pub db_port: Option<u32>,
    /// See [`fields::DB_SOCKET`].
    #[serde(default)]
    pub db_socket: Option<String>,
    /// See [`fields::DB_DEFAULT_SOCKET`].
    #[serde(default)]
    pub db_default_socket: Option<String>,
    /// See [`fields::DB_USER`].
    pub db_user: String,
    /// See [`fields::DB_PASSWORD`] (absent: the empty password).
    #[serde(default)]
    pub db_password: DbPassword,
    /// See [`fields::DB_NAME`].
    pub db_name: String,
    /// See [`fields::DB_CHARSET`].
    pub db_charset: String,
    /// See [`fields::DB_COLLATE`].
    pub db_collate: String,
    /// See [`fields::TABLE_PREFIX`].
    pub table_prefix: String,
    /// See [`fields::BLOG_ID`].
    pub blog_id: u64,
    /// See [`fields::MULTISITE`].
    pub multisite: bool,
    /// See [`fields::HOME_URL`]; `None` before WordPress has loaded.
    #[serde(default)]
    pub home_url: Option<String>,
    /// See [`fields::SITE_URL`]; `None` before WordPress has loaded.
    #[serde(default)]
    pub site_url: Option<String>,
    /// See [`fields::WP_VERSION`]; `None` when PHP could not tell.
    #[serde(default)]
    pub wp_version: Option<String>,
    /// See [`fields::WC_VERSION`].
    #[serde(default)]
    pub wc_version: Option<String>,
    /// See [`fields::WC_ACTIVE`]; `None` before WordPress has loaded.
    #[serde(default)]
    pub wc_active: Option<bool>,
    /// See [`fields::HPOS`]; `None` when unknown.
    #[serde(default)]
    pub hpos: Option<bool>,
    /// See [`fields::LOCALE`]; `None` before WordPress has loaded.
    #[serde(default)]
    pub locale: Option<String>,
}

/// A site context that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    /// The line is not the expected JSON object.
    #[error(
        "site context (first stdin line) is not valid: {message} (line {line}, column {column})"
    )]
    Json {
        /// serde_json's message (names the missing or mistyped field).
        message: String,
        /// 1-based line within the JSON text.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A version this crate does not read.
    #[error(
        "site context version {found} is not supported (expected {CONTEXT_VERSION}); update the segmentflow-wpcli binary or the PHP package so they match"
    )]
    UnsupportedVersion {
        /// The version sent.
        found: u32,
    },
    /// A field has an unusable value.
    #[error("site context field {field}: {reason}")]
    Invalid {
        /// The field name (one of [`fields`]).
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// WooCommerce, when PHP saw it active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WooCommerceContext {
    /// `WC_VERSION`.
    pub version: String,
    /// Whether HPOS tables are authoritative (`None`: PHP could not ask
    /// `OrderUtil`; read the options).
    pub hpos: Option<bool>,
}

/// A validated site context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteContext {
    /// `DB_HOST` as PHP split it.
    pub db_host: DbHost,
    /// Where PHP connects.
    pub db_endpoint: ResolvedEndpoint,
    /// `DB_USER`.
    pub db_user: String,
    /// `DB_PASSWORD` (never serialized).
    #[serde(skip)]
    pub db_password: DbPassword,
    /// `DB_NAME`.
    pub db_name: String,
    /// The connection charset.
    pub db_charset: String,
    /// The collation (`None` for the server default).
    pub db_collate: Option<String>,
    /// The base table prefix.
    pub table_prefix: TablePrefix,
    /// The current blog (1 on a single site).
    pub blog_id: u64,
    /// Whether the install is a network.
    pub multisite: bool,
    /// `home_url()`, when known.
    pub home_url: Option<String>,
    /// `site_url()`, when known.
    pub site_url: Option<String>,
    /// `$wp_version`, when known.
    pub wp_version: Option<String>,
    /// Whether WooCommerce is active, when known (`None` before WordPress
    /// has loaded).
    pub wc_active: Option<bool>,
    /// WooCommerce, when PHP saw it active.
    pub woocommerce: Option<WooCommerceContext>,
    /// `get_locale()`, when known.
    pub locale: Option<String>,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> ContextError {
    ContextError::Invalid {
        field,
        reason: reason.into(),
    }
}

fn check_url(field: &'static str, url: &str) -> Result<(), ContextError> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    if rest.is_none_or(str::is_empty) {
        return Err(invalid(
            field,
            format!("{url:?} is not an http:// or https:// URL"),
        ));
    }
    Ok(())
}

impl RawSiteContext {
    /// Checks every field and builds the typed context.
    pub fn validate(self) -> Result<SiteContext, ContextError> {
        if self.version != CONTEXT_VERSION {
            return Err(ContextError::UnsupportedVersion {
                found: self.version,
            });
        }
        let port = match self.db_port {
            None | Some(0) => None,
            Some(p) => Some(u16::try_from(p).map_err(|_| {
                invalid(fields::DB_PORT, format!("{p} is not a TCP port (1-65535)"))
            })?),
        };
        let socket = self.db_socket.filter(|s| !s.is_empty());
        let db_host = DbHost {
            is_ipv6: self.db_host.contains(':'),
            host: self.db_host,
            port,
            socket,
            persistent: false,
            ignored: None,
        };
        if db_host
            .host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid(
                fields::DB_HOST,
                format!(
                    "{:?} contains whitespace or control characters",
                    db_host.host
                ),
            ));
        }
        let default_socket = self
            .db_default_socket
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| MYSQLND_DEFAULT_SOCKET.to_owned());
        let db_endpoint = db_host.endpoint(&default_socket);
        if self.db_user.is_empty() {
            return Err(invalid(fields::DB_USER, "is empty"));
        }
        if self.db_name.is_empty() {
            return Err(invalid(fields::DB_NAME, "is empty"));
        }
        if self.db_charset.is_empty()
            || !self
                .db_charset
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(invalid(
                fields::DB_CHARSET,
                format!("{:?} is not a MySQL character set name", self.db_charset),
            ));
        }
        if !self
            .db_collate
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(invalid(
                fields::DB_COLLATE,
                format!("{:?} is not a MySQL collation name", self.db_collate),
            ));
        }
        let table_prefix = TablePrefix::new(&self.table_prefix)
            .map_err(|e: TableNameError| invalid(fields::TABLE_PREFIX, e.to_string()))?;
        if self.blog_id == 0 {
            return Err(invalid(fields::BLOG_ID, "must be 1 or more"));
        }
        if !self.multisite && self.blog_id != 1 {
            return Err(invalid(
                fields::BLOG_ID,
                format!("is {} on a single site (must be 1)", self.blog_id),
            ));
        }
        if let Some(url) = &self.home_url {
            check_url(fields::HOME_URL, url)?;
        }
        if let Some(url) = &self.site_url {
            check_url(fields::SITE_URL, url)?;
        }
        if self.wp_version.as_deref() == Some("") {
            return Err(invalid(fields::WP_VERSION, "is empty"));
        }
        let woocommerce = match self.wc_active {
            Some(true) => {
                let version = self.wc_version.filter(|v| !v.is_empty()).ok_or_else(|| {
                    invalid(fields::WC_VERSION, "is missing while wc_active is true")
                })?;
                Some(WooCommerceContext {
                    version,
                    hpos: self.hpos,
                })
            }
            Some(false) if self.hpos == Some(true) => {
                return Err(invalid(fields::HPOS, "is true while wc_active is false"));
            }
            Some(false) | None => None,
        };
        if self.locale.as_deref() == Some("") {
            return Err(invalid(fields::LOCALE, "is empty"));
        }
        Ok(SiteContext {
            db_host,
            db_endpoint,
            db_user: self.db_user,
            db_password: self.db_password,
            db_name: self.db_name,
            db_charset: self.db_charset,
            db_collate: (!self.db_collate.is_empty()).then_some(self.db_collate),
            table_prefix,
            blog_id: self.blog_id,
            multisite: self.multisite,
            home_url: self.home_url,
            site_url: self.site_url,
            wp_version: self.wp_version,
            wc_active: self.wc_active,
            woocommerce,
            locale: self.locale,
        })
    }
}

impl SiteContext {
    /// Reads and validates the first stdin line.
    pub fn from_json_line(line: &str) -> Result<SiteContext, ContextError> {
        let raw: RawSiteContext = serde_json::from_str(line.trim_end_matches(['\r', '\n']))
            .map_err(|e| ContextError::Json {
                message: e.to_string(),
                line: e.line(),
                column: e.column(),
            })?;
        raw.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wpconfig::db_host::DbEndpoint;

    fn sample() -> RawSiteContext {
        RawSiteContext {
            version: 1,
            db_host: "localhost".into(),
            db_port: None,
            db_socket: None,
            db_default_socket: Some("/var/run/mysqld/mysqld.sock".into()),
            db_user: "wp".into(),
            db_password: DbPassword::new("hunter2-correct-horse"),
            db_name: "wordpress".into(),
            db_charset: "utf8mb4".into(),
            db_collate: "utf8mb4_unicode_520_ci".into(),
            table_prefix: "wp_".into(),
            blog_id: 1,
            multisite: false,
            home_url: Some("http://localhost:8089".into()),
            site_url: Some("http://localhost:8089".into()),
            wp_version: Some("6.6.2".into()),
            wc_version: Some("9.2.5".into()),
            wc_active: Some(true),
            hpos: Some(true),
            locale: Some("en_US".into()),
        }
    }

    #[test]
    fn field_names_are_the_shared_constants() {
        let json = serde_json::to_value(sample()).expect("serializes");
        let keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, fields::ALL.to_vec());
    }

    #[test]
    fn a_full_context_validates() {
        let line = serde_json::to_string(&sample()).expect("serializes") + "\n";
        let ctx = SiteContext::from_json_line(&line).expect("valid");
        assert_eq!(
            ctx.db_endpoint.endpoint,
            DbEndpoint::Socket {
                path: "/var/run/mysqld/mysqld.sock".into()
            }
        );
        assert_eq!(ctx.table_prefix.as_str(), "wp_");
        assert_eq!(
            ctx.woocommerce,
            Some(WooCommerceContext {
                version: "9.2.5".into(),
                hpos: Some(true)
            })
        );
        assert_eq!(ctx.db_password.expose(), "hunter2-correct-horse");
        let debug = format!("{ctx:?} {:?}", sample());
        assert!(!debug.contains("hunter2"), "{debug}");
        // Unknown fields from a newer PHP package are ignored.
        let mut v = serde_json::to_value(sample()).expect("serializes");
        v["future_field"] = serde_json::json!(true);
        assert!(SiteContext::from_json_line(&v.to_string()).is_ok());
    }

    #[test]
    fn endpoints_follow_mysqlnd() {
        let with = |f: &dyn Fn(&mut RawSiteContext)| {
            let mut raw = sample();
            f(&mut raw);
            raw.validate().expect("valid").db_endpoint.endpoint
        };
        assert_eq!(
            with(&|r| r.db_default_socket = None),
            DbEndpoint::Socket {
                path: MYSQLND_DEFAULT_SOCKET.into()
            }
        );
        assert_eq!(
            with(&|r| {
                r.db_host = String::new();
                r.db_socket = Some("/tmp/x.sock".into());
            }),
            DbEndpoint::Socket {
                path: "/tmp/x.sock".into()
            }
        );
        assert_eq!(
            with(&|r| {
                r.db_host = "127.0.0.1".into();
                r.db_port = Some(3307);
            }),
            DbEndpoint::Tcp {
                host: "127.0.0.1".into(),
                port: 3307,
                is_ipv6: false
            }
        );
        assert_eq!(
            with(&|r| r.db_host = "::1".into()),
            DbEndpoint::Tcp {
                host: "::1".into(),
                port: 3306,
                is_ipv6: true
            }
        );
    }

    /// A change made to the sample context in a test case.
    type Mutation = Box<dyn Fn(&mut RawSiteContext)>;

    #[test]
    fn invalid_contexts_name_the_field() {
        let cases: Vec<(Mutation, &str)> = vec![
            (Box::new(|r| r.db_port = Some(70000)), fields::DB_PORT),
            (
                Box::new(|r| r.db_host = "local host".into()),
                fields::DB_HOST,
            ),
            (Box::new(|r| r.db_user = String::new()), fields::DB_USER),
            (Box::new(|r| r.db_name = String::new()), fields::DB_NAME),
            (
                Box::new(|r| r.db_charset = "utf8; DROP".into()),
                fields::DB_CHARSET,
            ),
            (
                Box::new(|r| r.db_collate = "x y".into()),
                fields::DB_COLLATE,
            ),
            (
                Box::new(|r| r.table_prefix = "wp-".into()),
                fields::TABLE_PREFIX,
            ),
            (
                Box::new(|r| r.table_prefix = String::new()),
                fields::TABLE_PREFIX,
            ),
            (Box::new(|r| r.blog_id = 0), fields::BLOG_ID),
            (Box::new(|r| r.blog_id = 2), fields::BLOG_ID),
            (
                Box::new(|r| r.home_url = Some("localhost".into())),
                fields::HOME_URL,
            ),
            (
                Box::new(|r| r.site_url = Some(String::new())),
                fields::SITE_URL,
            ),
            (
                Box::new(|r| r.wp_version = Some(String::new())),
                fields::WP_VERSION,
            ),
            (Box::new(|r| r.wc_version = None), fields::WC_VERSION),
            (
                Box::new(|r| {
                    r.wc_active = Some(false);
                    r.hpos = Some(true);
                }),
                fields::HPOS,
            ),
            (Box::new(|r| r.locale = Some(String::new())), fields::LOCALE),
        ];
        for (mutate, field) in cases {
            let mut raw = sample();
            mutate(&mut raw);
            match raw.validate() {
                Err(ContextError::Invalid { field: f, reason }) => {
                    assert_eq!(f, field, "{reason}");
                }
                other => panic!("{field}: expected Invalid, got {other:?}"),
            }
        }
        let mut multisite = sample();
        multisite.multisite = true;
        multisite.blog_id = 3;
        assert_eq!(multisite.validate().map(|c| c.blog_id), Ok(3));
        let mut old = sample();
        old.version = 2;
        assert_eq!(
            old.validate(),
            Err(ContextError::UnsupportedVersion { found: 2 })
        );
    }

    /// What the PHP package sends under `@when after_wp_config_load`:
    /// WordPress has not loaded, so URLs, locale and WooCommerce are null.
    #[test]
    fn before_wordpress_loads_the_unknowns_are_null() {
        let line = r#"{"version":1,"db_host":"localhost","db_port":null,"db_socket":null,"db_default_socket":null,"db_user":"wp","db_password":"pw-0123456789","db_name":"wordpress","db_charset":"utf8mb4","db_collate":"","table_prefix":"wp_","blog_id":1,"multisite":false,"home_url":null,"site_url":null,"wp_version":"6.6.2","wc_active":null,"wc_version":null,"hpos":null,"locale":null}"#;
        let ctx = SiteContext::from_json_line(line).expect("valid");
        assert_eq!(
            (
                ctx.home_url.as_deref(),
                ctx.site_url.as_deref(),
                ctx.wp_version.as_deref(),
                ctx.wc_active,
                ctx.woocommerce.as_ref(),
                ctx.locale.as_deref()
            ),
            (None, None, Some("6.6.2"), None, None, None)
        );
        // Keys left out entirely read as null, the password as empty.
        let mut v: serde_json::Value = serde_json::from_str(line).expect("json");
        let obj = v.as_object_mut().expect("object");
        for key in [
            fields::HOME_URL,
            fields::SITE_URL,
            fields::WP_VERSION,
            fields::WC_ACTIVE,
            fields::WC_VERSION,
            fields::HPOS,
            fields::LOCALE,
            fields::DB_PASSWORD,
            fields::DB_PORT,
            fields::DB_SOCKET,
            fields::DB_DEFAULT_SOCKET,
        ] {
            obj.remove(key);
        }
        let ctx = SiteContext::from_json_line(&v.to_string()).expect("valid");
        assert_eq!((ctx.wp_version, ctx.wc_active), (None, None));
        assert!(ctx.db_password.is_empty());
        // WooCommerce active but HPOS unknown (no OrderUtil): hpos is None.
        let mut raw = sample();
        raw.hpos = None;
        let ctx = raw.validate().expect("valid");
        assert_eq!(ctx.woocommerce.map(|w| w.hpos), Some(None));
        // HPOS said without knowing whether WooCommerce is active: accepted.
        let mut raw = sample();
        raw.wc_active = None;
        raw.wc_version = None;
        assert_eq!(raw.validate().map(|c| c.woocommerce), Ok(None));
    }

    #[test]
    fn json_errors_say_what_and_where() {
        let err = SiteContext::from_json_line(r#"{"version": 1}"#).expect_err("incomplete");
        match err {
            ContextError::Json { message, line, .. } => {
                assert!(message.contains("db_host"), "{message}");
                assert_eq!(line, 1);
            }
            other => panic!("expected Json, got {other:?}"),
        }
        assert!(matches!(
            SiteContext::from_json_line("not json"),
            Err(ContextError::Json { .. })
        ));
        // The password never appears in an error either.
        let mut v = serde_json::to_value(sample()).expect("serializes");
        v["blog_id"] = serde_json::json!("one");
        let err = SiteContext::from_json_line(&v.to_string()).expect_err("mistyped");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
