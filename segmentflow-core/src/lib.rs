//! # segmentflow-core
//!
//! The pure model of the Segmentflow Connect connector for WordPress and
//! WooCommerce: how the plugin's state is stored (PHP-serialized WordPress
//! options), how a site connects to Segmentflow, the consent rules and cookies,
//! the storefront tracking configuration, WooCommerce webhook topics and
//! signatures, and the JSON WooCommerce's REST API gives for the store's data.
//!
//! Nothing in this crate performs I/O: no network, no database, no files, and
//! no clock or randomness unless the caller passes them in. The
//! `segmentflow-wpcli` crate is the imperative shell around it.
//!
//! ```
//! use segmentflow_core::php;
//!
//! // A WooCommerce capabilities row, as it sits in wp_usermeta.
//! let raw = br#"a:1:{s:8:"customer";b:1;}"#;
//! let value = php::decode(raw).expect("valid PHP serialization");
//! assert_eq!(value.get("customer").and_then(|v| v.as_bool()), Some(true));
//! // Encoding gives back the very same bytes.
//! assert_eq!(php::encode(&value), raw.to_vec());
//! ```
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod connection;
pub mod consent;
pub mod insight;
pub mod options;
pub mod php;
pub mod rest;
pub mod store;
pub mod sync;
pub mod tracking;
pub mod webhooks;
pub mod wp_json;
pub mod wpconfig;
