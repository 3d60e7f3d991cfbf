//! The sandbox organization's credentials and poll tokens, derived from the
//! seed so a demo prints the same keys every run. Every value carries a
//! `sandbox` marker (`sk_sandbox_…`, `whsec_sandbox_…`, `org_sandbox_…`,
//! `pt_sandbox_…`) so nobody mistakes it for a key of the real service.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the sandbox hands out: the start-up JSON line and the approving
/// status-poll answer carry these values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// `http://127.0.0.1:PORT` (or `--public-url`).
    pub base_url: String,
    /// The API host to configure (`segmentflow_api_host`): the base URL.
    pub api_host: String,
    /// The poll token issued at start.
    pub poll_token: String,
    /// The write key (`sk_sandbox_…`).
    pub write_key: String,
    /// The WooCommerce webhook secret (`whsec_sandbox_…`).
    pub webhook_secret: String,
    /// Where WooCommerce deliveries go:
    /// `{base_url}/webhooks/woocommerce/{organization_id}`.
    pub webhook_delivery_url: String,
    /// The organization id (`org_sandbox_…`).
    pub organization_id: String,
    /// The organization's display name.
    pub organization_name: String,
}

/// Path prefix of the delivery receiver; the organization id follows.
pub(crate) const DELIVERY_PATH_PREFIX: &str = "/webhooks/woocommerce/";

/// Lowercase hex of the first `len` bytes of SHA-256(label, seed, n).
fn derive_hex(seed: u64, label: &str, n: u64, len: usize) -> String {
    let mut h = Sha256::new();
    h.update(b"segmentflow-sandbox\0");
    h.update(label.as_bytes());
    h.update([0]);
    h.update(seed.to_le_bytes());
    h.update(n.to_le_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(len * 2);
    for b in digest.iter().take(len) {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The seeded write key.
pub(crate) fn seeded_write_key(seed: u64) -> String {
    format!("sk_sandbox_{}", derive_hex(seed, "write_key", 0, 16))
}

/// The seeded webhook secret.
pub(crate) fn seeded_webhook_secret(seed: u64) -> String {
    format!(
        "whsec_sandbox_{}",
        derive_hex(seed, "webhook_secret", 0, 20)
    )
}

/// The seeded organization id.
pub(crate) fn seeded_organization_id(seed: u64) -> String {
    format!("org_sandbox_{}", derive_hex(seed, "organization_id", 0, 6))
}

/// The `n`-th poll token of a run (0 is the one printed at start).
pub(crate) fn poll_token(seed: u64, n: u64) -> String {
    format!("pt_sandbox_{}", derive_hex(seed, "poll_token", n, 16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_values_are_stable_and_marked() {
        assert_eq!(seeded_write_key(1), seeded_write_key(1));
        assert_ne!(seeded_write_key(1), seeded_write_key(2));
        assert_ne!(poll_token(1, 0), poll_token(1, 1));
        let cases = [
            (seeded_write_key(1), "sk_sandbox_", 32),
            (seeded_webhook_secret(1), "whsec_sandbox_", 40),
            (seeded_organization_id(1), "org_sandbox_", 12),
            (poll_token(1, 3), "pt_sandbox_", 32),
        ];
        for (value, prefix, hex_len) in cases {
            let rest = value
                .strip_prefix(prefix)
                .unwrap_or_else(|| panic!("{value}"));
            assert_eq!(rest.len(), hex_len, "{value}");
            assert!(
                rest.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
        }
    }
}
