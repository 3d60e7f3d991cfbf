//! What a *paid order* is, and whose it is.
//!
//! One definition, used by every segment and by revenue attribution:
//!
//! * **Paid** means the order's status is `processing` or `completed`
//!   (stored as `wc-processing` / `wc-completed`). `on-hold` waits for
//!   payment, `pending` / `failed` / `checkout-draft` were never paid,
//!   `cancelled` and `refunded` gave the money back.
//! * Its **net amount** is its total minus what its refunds gave back.
//!   WooCommerce stores a refund as a `shop_order_refund` whose total is
//!   negative (`-10.00`), so the net is `total + Σ refund totals`; a refund
//!   stored with a positive total is counted by its absolute value.
//! * Its **customer** is the registered user (`customer_id` ≠ 0); for a
//!   guest, the billing email lower-cased and trimmed. A guest order
//!   without an email belongs to no customer.

use super::money::Money;

/// Statuses of a paid order, without the `wc-` prefix.
pub const PAID_STATUSES: [&str; 2] = ["processing", "completed"];

/// Statuses of an order abandoned at checkout (the Abandoned Checkouts
/// segment), without the `wc-` prefix.
pub const ABANDONED_STATUSES: [&str; 3] = ["pending", "failed", "checkout-draft"];

/// The status without WooCommerce's `wc-` storage prefix.
pub fn bare_status(status: &str) -> &str {
    status.strip_prefix("wc-").unwrap_or(status)
}

/// Whether an order with this status (`wc-completed` or `completed`) is paid.
pub fn is_paid_status(status: &str) -> bool {
    PAID_STATUSES.contains(&bare_status(status))
}

/// Whether an order with this status counts as an abandoned checkout.
pub fn is_abandoned_status(status: &str) -> bool {
    ABANDONED_STATUSES.contains(&bare_status(status))
}

/// An order's total net of its refunds (each refund's total counted by its
/// absolute value, whatever sign it was stored with).
///
/// ```
/// use segmentflow_core::insight::{Money, net_paid};
/// let total = Money::parse("50.00").unwrap();
/// let refunds = [Money::parse("-12.50").unwrap()];
/// assert_eq!(net_paid(total, refunds).to_string(), "37.50");
/// ```
pub fn net_paid(total: Money, refund_totals: impl IntoIterator<Item = Money>) -> Money {
    refund_totals.into_iter().fold(
        total,
        |net, r| if r.is_negative() { net + r } else { net - r },
    )
}

/// Who an order belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CustomerKey {
    /// A registered user (`customer_id`).
    User(u64),
    /// A guest, by billing email (lower-cased, trimmed).
    Guest(String),
}

impl std::fmt::Display for CustomerKey {
    /// `user:12` or `guest:ana@example.com`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CustomerKey::User(id) => write!(f, "user:{id}"),
            CustomerKey::Guest(email) => write!(f, "guest:{email}"),
        }
    }
}

/// The customer of an order: the user when `customer_id` is not 0, else the
/// guest's billing email; `None` for a guest order without an email.
pub fn customer_key(customer_id: u64, billing_email: &str) -> Option<CustomerKey> {
    if customer_id != 0 {
        return Some(CustomerKey::User(customer_id));
    }
    let email = billing_email.trim();
    if email.is_empty() {
        None
    } else {
        Some(CustomerKey::Guest(email.to_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paid_is_processing_or_completed_with_or_without_prefix() {
        for s in ["wc-processing", "wc-completed", "processing", "completed"] {
            assert!(is_paid_status(s), "{s}");
        }
        for s in [
            "wc-on-hold",
            "wc-pending",
            "wc-failed",
            "wc-cancelled",
            "wc-refunded",
            "wc-checkout-draft",
            "trash",
            "",
            "wc-",
        ] {
            assert!(!is_paid_status(s), "{s}");
        }
        assert!(is_abandoned_status("wc-checkout-draft"));
        assert!(is_abandoned_status("wc-failed"));
        assert!(!is_abandoned_status("wc-completed"));
    }

    #[test]
    fn net_subtracts_refunds_whatever_their_sign() {
        let m = |s| Money::parse(s).unwrap();
        assert_eq!(net_paid(m("100"), [m("-10"), m("5")]), m("85"));
        assert_eq!(net_paid(m("100"), []), m("100"));
    }

    #[test]
    fn customer_is_the_user_else_the_guest_email() {
        assert_eq!(customer_key(7, "X@Y.z"), Some(CustomerKey::User(7)));
        assert_eq!(
            customer_key(0, "  Ana@Example.COM "),
            Some(CustomerKey::Guest("ana@example.com".into()))
        );
        assert_eq!(customer_key(0, " "), None);
        assert_eq!(CustomerKey::User(3).to_string(), "user:3");
    }
}
