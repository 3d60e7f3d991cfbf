//! The `$table_prefix` and the table names built from it.
//!
//! Table names cannot be bound as SQL parameters, so every name the binary
//! puts into a query is built here from a validated prefix and a known
//! suffix, and can only ever be `[A-Za-z0-9_]{1,64}` — safe to interpolate,
//! quoted or not. WordPress itself refuses a prefix with any other character
//! (`wpdb::set_prefix`: `preg_match('|[^a-z0-9_]|i', $prefix)` ⇒
//! `invalid_db_prefix`) and its installer refuses an empty one.
//!
//! Multisite (`wpdb::get_blog_prefix`): the main site (blog 1, or 0) uses the
//! base prefix; blog `N` uses `{prefix}{N}_`. Global tables (`users`,
//! `usermeta`, and the network tables `blogs`, `blogmeta`, `site`,
//! `sitemeta`, `signups`, `registration_log`) always use the base prefix.

use serde::Serialize;
use std::fmt;

/// MySQL's maximum identifier length.
pub const MAX_IDENTIFIER_LEN: usize = 64;

/// A table prefix WordPress accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TablePrefix(String);

/// A prefix or table name that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableNameError {
    /// The prefix is empty.
    #[error("the table prefix is empty; WordPress requires one (e.g. wp_)")]
    EmptyPrefix,
    /// The prefix has a character outside `[A-Za-z0-9_]`.
    #[error(
        "table prefix {prefix:?} has {character:?} at byte {offset}; WordPress allows only letters, digits and underscores"
    )]
    InvalidPrefix {
        /// The prefix.
        prefix: String,
        /// The first offending character.
        character: char,
        /// Its byte offset.
        offset: usize,
    },
    /// A table suffix is empty or has a character outside `[A-Za-z0-9_]`.
    #[error("table name suffix {suffix:?} is not made of letters, digits and underscores")]
    InvalidSuffix {
        /// The suffix.
        suffix: String,
    },
    /// The table name would exceed MySQL's 64-character limit.
    #[error("table name {name:?} is longer than MySQL's {MAX_IDENTIFIER_LEN} characters")]
    TooLong {
        /// The name that would result.
        name: String,
    },
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl TablePrefix {
    /// Validates `prefix`.
    pub fn new(prefix: &str) -> Result<TablePrefix, TableNameError> {
        if prefix.is_empty() {
            return Err(TableNameError::EmptyPrefix);
        }
        if let Some((offset, character)) = prefix
            .char_indices()
            .find(|(_, c)| !c.is_ascii() || !is_identifier_byte(*c as u8))
        {
            return Err(TableNameError::InvalidPrefix {
                prefix: prefix.to_owned(),
                character,
                offset,
            });
        }
        if prefix.len() >= MAX_IDENTIFIER_LEN {
            return Err(TableNameError::TooLong {
                name: prefix.to_owned(),
            });
        }
        Ok(TablePrefix(prefix.to_owned()))
    }

    /// The prefix.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The prefix of blog `blog_id`'s per-site tables: the base prefix for
    /// blog 0 or 1 (and for every single-site install, which is blog 1),
    /// `{prefix}{blog_id}_` otherwise.
    pub fn blog_prefix(&self, blog_id: u64) -> String {
        if blog_id <= 1 {
            self.0.clone()
        } else {
            format!("{}{blog_id}_", self.0)
        }
    }

    /// The name of `table` for blog `blog_id`.
    pub fn table(&self, blog_id: u64, table: Table) -> Result<TableName, TableNameError> {
        let prefix = if table.is_global() {
            self.0.clone()
        } else {
            self.blog_prefix(blog_id)
        };
        finish(prefix + table.suffix())
    }

    /// The name of a table not listed in [`Table`] (a plugin's own table),
    /// per-site for blog `blog_id`; `suffix` must be `[A-Za-z0-9_]+`.
    pub fn custom_table(&self, blog_id: u64, suffix: &str) -> Result<TableName, TableNameError> {
        if suffix.is_empty() || !suffix.bytes().all(is_identifier_byte) {
            return Err(TableNameError::InvalidSuffix {
                suffix: suffix.to_owned(),
            });
        }
        finish(self.blog_prefix(blog_id) + suffix)
    }

    /// The `usermeta` key holding a user's roles on blog `blog_id`
    /// (`wp_capabilities`, `wp_2_capabilities`).
    pub fn capabilities_meta_key(&self, blog_id: u64) -> String {
        format!("{}capabilities", self.blog_prefix(blog_id))
    }
}

impl fmt::Display for TablePrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn finish(name: String) -> Result<TableName, TableNameError> {
    if name.len() > MAX_IDENTIFIER_LEN {
        return Err(TableNameError::TooLong { name });
    }
    Ok(TableName(name))
}

/// A validated table name: `[A-Za-z0-9_]{1,64}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TableName(String);

impl TableName {
    /// The bare name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name in backquotes, for SQL text.
    pub fn quoted(&self) -> String {
        format!("`{}`", self.0)
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The WordPress and WooCommerce tables the connector reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// `options`.
    Options,
    /// `posts`.
    Posts,
    /// `postmeta`.
    Postmeta,
    /// `terms`.
    Terms,
    /// `term_taxonomy`.
    TermTaxonomy,
    /// `term_relationships`.
    TermRelationships,
    /// `termmeta`.
    Termmeta,
    /// `comments` (order notes).
    Comments,
    /// `users` (global).
    Users,
    /// `usermeta` (global).
    Usermeta,
    /// `blogs` (global, multisite).
    Blogs,
    /// `site` (global, multisite).
    Site,
    /// `sitemeta` (global, multisite).
    Sitemeta,
    /// `wc_orders` (HPOS).
    WcOrders,
    /// `wc_orders_meta` (HPOS).
    WcOrdersMeta,
    /// `wc_order_addresses` (HPOS).
    WcOrderAddresses,
    /// `wc_order_operational_data` (HPOS).
    WcOrderOperationalData,
    /// `woocommerce_order_items`.
    WoocommerceOrderItems,
    /// `woocommerce_order_itemmeta`.
    WoocommerceOrderItemmeta,
    /// `wc_product_meta_lookup`.
    WcProductMetaLookup,
    /// `wc_customer_lookup`.
    WcCustomerLookup,
    /// `wc_order_stats`.
    WcOrderStats,
    /// `wc_webhooks`.
    WcWebhooks,
}

impl Table {
    /// The name without prefix.
    pub fn suffix(self) -> &'static str {
        match self {
            Table::Options => "options",
            Table::Posts => "posts",
            Table::Postmeta => "postmeta",
            Table::Terms => "terms",
            Table::TermTaxonomy => "term_taxonomy",
            Table::TermRelationships => "term_relationships",
            Table::Termmeta => "termmeta",
            Table::Comments => "comments",
            Table::Users => "users",
            Table::Usermeta => "usermeta",
            Table::Blogs => "blogs",
            Table::Site => "site",
            Table::Sitemeta => "sitemeta",
            Table::WcOrders => "wc_orders",
            Table::WcOrdersMeta => "wc_orders_meta",
            Table::WcOrderAddresses => "wc_order_addresses",
            Table::WcOrderOperationalData => "wc_order_operational_data",
            Table::WoocommerceOrderItems => "woocommerce_order_items",
            Table::WoocommerceOrderItemmeta => "woocommerce_order_itemmeta",
            Table::WcProductMetaLookup => "wc_product_meta_lookup",
            Table::WcCustomerLookup => "wc_customer_lookup",
            Table::WcOrderStats => "wc_order_stats",
            Table::WcWebhooks => "wc_webhooks",
        }
    }

    /// Whether the table is shared by the whole network (never numbered).
    pub fn is_global(self) -> bool {
        matches!(
            self,
            Table::Users | Table::Usermeta | Table::Blogs | Table::Site | Table::Sitemeta
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_validation() {
        for ok in ["wp_", "WP_", "wp", "a", "site2_", "_", "wp_2_x"] {
            assert_eq!(
                TablePrefix::new(ok).map(|p| p.to_string()),
                Ok(ok.to_owned())
            );
        }
        let cases = [
            ("", TableNameError::EmptyPrefix),
            (
                "wp-",
                TableNameError::InvalidPrefix {
                    prefix: "wp-".into(),
                    character: '-',
                    offset: 2,
                },
            ),
            (
                "wp_`; DROP",
                TableNameError::InvalidPrefix {
                    prefix: "wp_`; DROP".into(),
                    character: '`',
                    offset: 3,
                },
            ),
            (
                "wp ",
                TableNameError::InvalidPrefix {
                    prefix: "wp ".into(),
                    character: ' ',
                    offset: 2,
                },
            ),
            (
                "wé_",
                TableNameError::InvalidPrefix {
                    prefix: "wé_".into(),
                    character: 'é',
                    offset: 1,
                },
            ),
            (
                "wp.",
                TableNameError::InvalidPrefix {
                    prefix: "wp.".into(),
                    character: '.',
                    offset: 2,
                },
            ),
        ];
        for (prefix, expected) in cases {
            assert_eq!(
                TablePrefix::new(prefix),
                Err(expected.clone()),
                "{prefix:?}"
            );
        }
        assert!(matches!(
            TablePrefix::new(&"x".repeat(64)),
            Err(TableNameError::TooLong { .. })
        ));
    }

    #[test]
    fn multisite_table_names() {
        let p = TablePrefix::new("wp_").expect("valid");
        let cases = [
            (1, Table::Options, "wp_options"),
            (0, Table::Options, "wp_options"),
            (2, Table::Options, "wp_2_options"),
            (2, Table::WcOrders, "wp_2_wc_orders"),
            (17, Table::Postmeta, "wp_17_postmeta"),
            (2, Table::Users, "wp_users"),
            (2, Table::Usermeta, "wp_usermeta"),
            (5, Table::Sitemeta, "wp_sitemeta"),
            (1, Table::WcWebhooks, "wp_wc_webhooks"),
            (3, Table::WcWebhooks, "wp_3_wc_webhooks"),
        ];
        for (blog, table, expected) in cases {
            let name = p.table(blog, table).expect("valid");
            assert_eq!(name.as_str(), expected, "{blog} {table:?}");
            assert_eq!(name.quoted(), format!("`{expected}`"));
        }
        assert_eq!(p.blog_prefix(1), "wp_");
        assert_eq!(p.blog_prefix(2), "wp_2_");
        assert_eq!(p.capabilities_meta_key(1), "wp_capabilities");
        assert_eq!(p.capabilities_meta_key(2), "wp_2_capabilities");
        assert_eq!(
            p.custom_table(2, "segmentflow_log").map(|t| t.to_string()),
            Ok("wp_2_segmentflow_log".into())
        );
        for bad in ["", "a-b", "x`", "x y", "é"] {
            assert_eq!(
                p.custom_table(1, bad),
                Err(TableNameError::InvalidSuffix { suffix: bad.into() })
            );
        }
        let long = TablePrefix::new(&"p".repeat(50)).expect("valid");
        assert!(matches!(
            long.table(123_456, Table::WcOrderOperationalData),
            Err(TableNameError::TooLong { .. })
        ));
    }
}
