//! The store's intelligence layer, computed locally: what the Segmentflow
//! dashboard shows about customers and revenue, as pure functions over
//! values read from the store.
//!
//! This module holds the definitions every part of that layer shares, so
//! that segments and revenue attribution agree to the cent:
//!
//! * [`money`]: exact decimal amounts (never floats), as WooCommerce keeps
//!   them in `decimal(26,8)` columns and postmeta text.
//! * [`paid`]: what a *paid order* is, its net amount after refunds, and the
//!   key that identifies its customer (registered user id, else the
//!   lower-cased billing email of a guest).
//! * [`input`]: the flat per-order and per-person records the store
//!   readers produce and every computation here consumes.
//! * [`rules`]: the segment rule language (AST, text syntax, printer).
//! * [`facts`]: per-customer aggregates of a store as of one instant.
//! * [`segments`]: the 11 pre-built segments and rule evaluation.
//! * [`query`]: English segment descriptions compiled to rules.
//! * [`brand`]: the brand kit (name, logo, icon, palette, top product
//!   photos) from options, theme data and attachment rows.
//! * [`revenue`]: paid revenue net of refunds attributed to UTM values,
//!   per currency.

pub mod brand;
pub mod facts;
pub mod input;
pub mod money;
pub mod paid;
pub mod query;
pub mod revenue;
pub mod rules;
pub mod segments;

pub use facts::{CustomerId, CustomerSummary, Facts};
pub use input::{LineFact, OrderFact, PersonFact, Touch};
pub use money::{Money, MoneyError};
pub use paid::{
    CustomerKey, bare_status, customer_key, is_abandoned_status, is_paid_status, net_paid,
};
pub use rules::{ParseError, Rule};
pub use segments::{Members, PREBUILT, Segment, evaluate, evaluate_all};
