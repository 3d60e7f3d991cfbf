//! Everything that reads or writes a WordPress site: its configuration
//! (`wp-config.php` or the PHP package's context), its database, and the
//! options table.

pub mod context;
pub mod db;
pub mod options;
pub mod prefix;
pub mod site;
pub mod store;
pub mod wpconfig;
