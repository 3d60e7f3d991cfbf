//! The kinds of things a sync sends, and how each is named.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What a sync sends: the three WooCommerce webhook resources and the plain
/// WordPress users backfilled as `identify` events.
///
/// The plural, lowercase name (`orders`) is what the command line
/// (`--resources=orders,customers`), the report and the stored sync state use;
/// [`Resource::webhook_resource`] gives WooCommerce's singular name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    /// Registered WooCommerce customers, delivered as `customer.updated`.
    Customers,
    /// Orders (refunds inside them), delivered as `order.updated`.
    Orders,
    /// Products and their variations, delivered as `product.updated`.
    Products,
    /// WordPress users, sent as `identify` events to the ingest endpoint.
    Users,
}

impl Resource {
    /// Every resource, in the order a sync handles them.
    pub const ALL: [Resource; 4] = [
        Resource::Customers,
        Resource::Orders,
        Resource::Products,
        Resource::Users,
    ];

    /// The plural name: `customers`, `orders`, `products`, `users`.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Customers => "customers",
            Resource::Orders => "orders",
            Resource::Products => "products",
            Resource::Users => "users",
        }
    }

    /// WooCommerce's webhook resource name (`customer`, `order`, `product`),
    /// or `None` for users, which do not travel as webhooks.
    pub fn webhook_resource(self) -> Option<&'static str> {
        match self {
            Resource::Customers => Some("customer"),
            Resource::Orders => Some("order"),
            Resource::Products => Some("product"),
            Resource::Users => None,
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource name that is not one of `customers`, `orders`, `products`,
/// `users`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown resource {0:?}: expected one of customers, orders, products, users")]
pub struct UnknownResource(pub String);

impl FromStr for Resource {
    type Err = UnknownResource;

    /// Reads a plural name; the singular webhook names are accepted too, and
    /// case and surrounding spaces are ignored.
    fn from_str(s: &str) -> Result<Resource, UnknownResource> {
        match s.trim().to_ascii_lowercase().as_str() {
            "customers" | "customer" => Ok(Resource::Customers),
            "orders" | "order" => Ok(Resource::Orders),
            "products" | "product" => Ok(Resource::Products),
            "users" | "user" => Ok(Resource::Users),
            _ => Err(UnknownResource(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let cases: &[(&str, Option<Resource>)] = &[
            ("orders", Some(Resource::Orders)),
            ("order", Some(Resource::Orders)),
            (" Customers ", Some(Resource::Customers)),
            ("PRODUCT", Some(Resource::Products)),
            ("users", Some(Resource::Users)),
            ("coupons", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Resource>().ok(), *expected, "{text:?}");
        }
        for r in Resource::ALL {
            assert_eq!(r.as_str().parse::<Resource>(), Ok(r));
            assert_eq!(serde_json::to_string(&r).ok(), Some(format!("\"{r}\"")));
        }
        assert_eq!(Resource::Products.webhook_resource(), Some("product"));
        assert_eq!(Resource::Users.webhook_resource(), None);
        let err = "coupons".parse::<Resource>().expect_err("unknown");
        assert!(err.to_string().contains("\"coupons\""));
    }
}
