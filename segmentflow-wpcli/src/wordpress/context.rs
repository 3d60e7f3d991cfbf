//! The JSON site context the PHP package writes as the first line of stdin.
//!
//! SEAM(core::wpconfig): the core defines the context struct shared with the
//! PHP side; this is the shell's stand-in with the fields DESIGN.md §3.1
//! lists. Unknown fields are ignored so the PHP side can send more.

use serde::Deserialize;

/// The site as PHP resolved it.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct SiteContext {
    /// Host part of DB_HOST as `wpdb::parse_db_host()` split it.
    pub db_host: Option<String>,
    /// Port, if DB_HOST had one.
    pub db_port: Option<u16>,
    /// Socket path (DB_HOST's, or `mysqli.default_socket` for `localhost`).
    pub db_socket: Option<String>,
    /// DB_USER.
    pub db_user: String,
    /// DB_PASSWORD (never printed).
    pub db_password: Option<String>,
    /// DB_NAME.
    pub db_name: String,
    /// DB_CHARSET.
    pub db_charset: Option<String>,
    /// The SQLite database file, for sites on the SQLite Database Integration.
    pub sqlite_path: Option<String>,
    /// `$table_prefix` (the base prefix, without a blog number).
    pub table_prefix: String,
    /// The current blog (1 on single sites).
    pub blog_id: Option<u64>,
    /// `is_multisite()`.
    pub multisite: Option<bool>,
    /// `home_url()`.
    pub home_url: Option<String>,
    /// `site_url()`.
    pub site_url: Option<String>,
    /// `$wp_version`.
    pub wp_version: Option<String>,
    /// `WC()->version`, when WooCommerce is loaded.
    pub wc_version: Option<String>,
    /// Whether WooCommerce is active.
    pub wc_active: Option<bool>,
    /// Whether HPOS is authoritative.
    pub hpos: Option<bool>,
    /// `get_locale()`.
    pub locale: Option<String>,
}

impl std::fmt::Debug for SiteContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteContext")
            .field("db_host", &self.db_host)
            .field("db_port", &self.db_port)
            .field("db_socket", &self.db_socket)
            .field("db_user", &self.db_user)
            .field("db_password", &self.db_password.as_ref().map(|_| "***"))
            .field("db_name", &self.db_name)
            .field("table_prefix", &self.table_prefix)
            .field("blog_id", &self.blog_id)
            .finish_non_exhaustive()
    }
}

/// Parses the context line.
pub fn parse(line: &str) -> Result<SiteContext, serde_json::Error> {
    serde_json::from_str(line.trim_end_matches(['\n', '\r']))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_and_masks() {
        let ctx = super::parse(
            r#"{"db_host":"localhost","db_socket":"/run/mysqld/mysqld.sock","db_user":"wp","db_password":"s3cret","db_name":"wp","table_prefix":"wp_","blog_id":2,"extra":1}"#,
        )
        .unwrap();
        assert_eq!(ctx.blog_id, Some(2));
        assert_eq!(ctx.db_password.as_deref(), Some("s3cret"));
        assert!(!format!("{ctx:?}").contains("s3cret"));
        assert!(super::parse("not json").is_err());
    }
}
