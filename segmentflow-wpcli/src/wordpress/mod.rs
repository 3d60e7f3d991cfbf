//! Everything that reads or writes a WordPress site: opening it (from
//! `wp-config.php` or the PHP package's context, both parsed by
//! `segmentflow_core::wpconfig`), its database, the options table, and the
//! WooCommerce webhooks table.

pub mod db;
pub mod mysql_to_sqlite;
pub mod options;
pub mod site;
pub mod store;
pub mod webhooks;
