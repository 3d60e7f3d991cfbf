//! Customer records: a `wp_users` row, its usermeta rows, its roles, and the
//! order aggregates the reader computes.

use super::{DbDate, MetaRow};
use serde::{Deserialize, Serialize};

/// A registered user as the customers endpoint sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerRecord {
    /// `ID`.
    pub id: u64,
    /// `user_login`.
    pub user_login: String,
    /// `user_email`.
    pub user_email: String,
    /// `user_registered` (GMT; `None` for a zero date).
    pub user_registered_gmt: Option<String>,
    /// `display_name`.
    pub display_name: String,
    /// All usermeta rows (`umeta_id` order), internal keys included.
    pub meta: Vec<MetaRow>,
    /// `{prefix}capabilities`, decoded: keys in stored order with their
    /// boolean value.
    pub capabilities: Vec<(String, bool)>,
    /// The blog table prefix (`wp_`): usermeta keys containing it are hidden.
    pub table_prefix: String,
    /// `last_update` usermeta (the customer's modification time).
    pub last_update: Option<DbDate>,
    /// Number of order rows of this customer (`customer_id` = user) in a
    /// status of `wc_get_order_statuses()` (`WC_Customer_Data_Store::get_order_count`;
    /// refunds carry no customer id). WooCommerce prefers its cached
    /// `wc_order_count_{prefix}` usermeta when set; the reader recomputes.
    pub order_count: u64,
    /// Sum of `total` of this customer's orders in paid statuses
    /// (`processing`, `completed`), as a decimal string
    /// (`get_total_spent`; cached as `wc_money_spent_{prefix}`).
    pub total_spent: String,
}
