//! The store readers: customers, orders, products and users read from a
//! WordPress + WooCommerce database into `segmentflow_core::store` records.
//!
//! `scripts/extract-records.php` is the executable specification of every
//! record field; these readers produce the same records with a bounded
//! number of queries per page instead of per row:
//!
//! * **Streaming.** Each reader walks its table in keyset order
//!   `(modified GMT, id)` — never `OFFSET` — one page at a time
//!   ([`PAGE_SIZE`] rows by default), and loads the page's children (meta,
//!   addresses, items, item meta, refunds, terms, attachments) with bound
//!   `IN (…)` lists. Memory holds one page.
//! * **Resumable.** Every record has a checkpoint [`Cursor`]; passing the
//!   last acknowledged one as `after` continues right after it.
//! * **Errors per row.** A row that fails to decode (a corrupt serialized
//!   value that a typed field needs, a bad decimal) is yielded as a
//!   [`ReadError::Row`] naming the table, id and column; the iterator goes on
//!   with the next row. Only a failing query ends an iterator.
//! * **One code path for MariaDB and SQLite.** The SQL is the same; the few
//!   dialect differences (integer casts) live in [`Dialect`].
//! * **Table names** come only from the validated core
//!   [`TablePrefix`] (see [`Tables`]).

pub mod brand;
pub mod customers;
pub mod insight;
pub mod members;
pub mod orders;
pub mod products;
pub mod site;
pub mod users;

mod decode;
mod paging;

pub use decode::{decimal_sum, meta_value};
pub use paging::{Cursor, Paged};

use segmentflow_core::wpconfig::{Table, TableName, TableNameError, TablePrefix};

use super::db::{DbError, Engine, Param};

/// Rows per page unless the caller asks otherwise.
pub const PAGE_SIZE: usize = 500;

/// Why a record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A query failed (the iterator stops after yielding it).
    #[error(transparent)]
    Db(#[from] DbError),
    /// One row could not be decoded; the rest are still read.
    #[error("{table} id {id}: column {column}: {problem}")]
    Row {
        /// The table (`wp_wc_orders`, `wp_woocommerce_order_itemmeta`, …).
        table: String,
        /// The record's id (the order, user or product whose row failed).
        id: u64,
        /// The column or meta key that failed (`meta_value` of `_line_tax_data`).
        column: String,
        /// What was wrong.
        problem: String,
    },
    /// A table name could not be built from the prefix.
    #[error(transparent)]
    TableName(#[from] TableNameError),
}

impl ReadError {
    pub(crate) fn row(
        table: &TableName,
        id: u64,
        column: impl Into<String>,
        problem: impl Into<String>,
    ) -> ReadError {
        ReadError::Row {
            table: table.as_str().to_owned(),
            id,
            column: column.into(),
            problem: problem.into(),
        }
    }
}

/// The tables of one blog, named from the validated prefix.
#[derive(Debug, Clone)]
pub struct Tables {
    /// The blog's table prefix (`wp_`, `wp_2_`): usermeta keys use it.
    pub blog_prefix: String,
    /// The blog id (1 for a single site).
    pub blog_id: u64,
    pub(crate) options: TableName,
    pub(crate) posts: TableName,
    pub(crate) postmeta: TableName,
    pub(crate) terms: TableName,
    pub(crate) term_taxonomy: TableName,
    pub(crate) term_relationships: TableName,
    pub(crate) termmeta: TableName,
    pub(crate) users: TableName,
    pub(crate) usermeta: TableName,
    pub(crate) wc_orders: TableName,
    pub(crate) wc_orders_meta: TableName,
    pub(crate) wc_order_addresses: TableName,
    pub(crate) wc_order_operational_data: TableName,
    pub(crate) order_items: TableName,
    pub(crate) order_itemmeta: TableName,
    pub(crate) attribute_taxonomies: TableName,
}

impl Tables {
    /// The tables of blog `blog_id` (1 for a single site) under `prefix`;
    /// `users`/`usermeta` are the network's global ones.
    pub fn new(prefix: &TablePrefix, blog_id: u64) -> Result<Tables, TableNameError> {
        let t = |table| prefix.table(blog_id, table);
        Ok(Tables {
            blog_prefix: prefix.blog_prefix(blog_id),
            blog_id: blog_id.max(1),
            options: t(Table::Options)?,
            posts: t(Table::Posts)?,
            postmeta: t(Table::Postmeta)?,
            terms: t(Table::Terms)?,
            term_taxonomy: t(Table::TermTaxonomy)?,
            term_relationships: t(Table::TermRelationships)?,
            termmeta: t(Table::Termmeta)?,
            users: t(Table::Users)?,
            usermeta: t(Table::Usermeta)?,
            wc_orders: t(Table::WcOrders)?,
            wc_orders_meta: t(Table::WcOrdersMeta)?,
            wc_order_addresses: t(Table::WcOrderAddresses)?,
            wc_order_operational_data: t(Table::WcOrderOperationalData)?,
            order_items: t(Table::WoocommerceOrderItems)?,
            order_itemmeta: t(Table::WoocommerceOrderItemmeta)?,
            attribute_taxonomies: prefix
                .custom_table(blog_id, "woocommerce_attribute_taxonomies")?,
        })
    }

    /// The usermeta key of this blog's roles (`wp_capabilities`).
    pub fn capabilities_key(&self) -> String {
        format!("{}capabilities", self.blog_prefix)
    }
}

/// The SQL differences between MariaDB/MySQL and SQLite, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect(pub Engine);

impl Dialect {
    /// `expr` as a signed integer (`CAST(x AS SIGNED)` / `CAST(x AS INTEGER)`).
    pub fn int(self, expr: &str) -> String {
        match self.0 {
            Engine::Mysql => format!("CAST({expr} AS SIGNED)"),
            Engine::Sqlite => format!("CAST({expr} AS INTEGER)"),
        }
    }
}

/// `?, ?, ?` for `n` parameters (at least one, so `IN ()` never happens:
/// callers skip empty lists).
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

/// Ids as bound integer parameters.
pub(crate) fn id_params(ids: &[u64]) -> Vec<Param<'static>> {
    ids.iter()
        .map(|&id| Param::Int(i64::try_from(id).unwrap_or(i64::MAX)))
        .collect()
}

/// The largest number of ids bound in one `IN (…)` list (SQLite's default
/// limit is 32766 variables; MySQL's 65535).
pub(crate) const MAX_IN: usize = 1000;
