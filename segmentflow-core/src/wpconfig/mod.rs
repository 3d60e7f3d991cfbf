//! How the binary finds a WordPress site's database without PHP, and what
//! PHP tells it when it runs under `wp segmentflow`.
//!
//! * [`db_host`]: `DB_HOST` split exactly like `wpdb::parse_db_host()`, and
//!   the endpoint PHP's mysqli would really connect to (`localhost` means a
//!   Unix socket);
//! * [`config_file`]: the literal `define()`s and `$table_prefix` of a
//!   `wp-config.php`, with clear errors for values only PHP can compute;
//! * [`table_prefix`]: the validated table prefix and multisite table names
//!   (table names are interpolated into SQL, so they are only ever built
//!   here);
//! * [`site_context`]: the JSON site context the PHP package sends on the
//!   first stdin line.
//!
//! Reading files and stdin is the binary's job; everything here works on
//! text already read.
//!
//! ```
//! use segmentflow_core::wpconfig::{WpConfig, DbEndpoint};
//!
//! let config = WpConfig::parse(r#"<?php
//! define( 'DB_NAME', 'shop' );
//! define( 'DB_USER', 'shop' );
//! define( 'DB_PASSWORD', 's3cret' );
//! define( 'DB_HOST', 'localhost' );
//! $table_prefix = 'wp_';
//! "#).expect("readable");
//! let db = config.database().expect("literal settings");
//! let endpoint = db.host.endpoint("/run/mysqld/mysqld.sock").endpoint;
//! assert_eq!(endpoint, DbEndpoint::Socket { path: "/run/mysqld/mysqld.sock".into() });
//! assert_eq!(format!("{:?}", db.password), "DbPassword(…)");
//! ```

pub mod config_file;
pub mod db_host;
mod extract;
mod lexer;
pub mod site_context;
pub mod table_prefix;

pub use config_file::{ConfigError, DatabaseConfig, WpConfig};
pub use db_host::{DbEndpoint, DbHost, DbHostError, ResolvedEndpoint};
pub use site_context::{ContextError, RawSiteContext, SiteContext};
pub use table_prefix::{Table, TableName, TableNameError, TablePrefix};

use serde::{Deserialize, Serialize};
use std::fmt;

/// The database password. `Debug` shows it masked; [`DbPassword::expose`]
/// gives the value. It serializes as the plain value because it travels in
/// the site context; types that are shown to people skip it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DbPassword(String);

impl DbPassword {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Self {
        DbPassword(password.into())
    }

    /// The password.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the password is empty (allowed: local MySQL accounts often
    /// have none).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for DbPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("DbPassword(empty)")
        } else {
            f.write_str("DbPassword(…)")
        }
    }
}
