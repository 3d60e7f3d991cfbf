//! Everything that reads or writes a WordPress site: its configuration
//! (`wp-config.php` or the PHP package's context), its database, and the
//! options table.

pub mod context;
pub mod db;
pub mod options;
pub mod prefix;
pub mod site;
// The wc_webhooks table (branch sync-cmd).
pub mod webhooks;
pub mod wpconfig;
