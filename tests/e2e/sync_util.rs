//! What the `sync` tests (`sync.rs`) and the reliability suite
//! (`reliability.rs`) share: reading the JSON report, counting what a store
//! should send with plain SQL, checking the sandbox received each entity
//! exactly once, and a site whose store is the real WooCommerce dump.

use segmentflow_wpcli::sandbox::{SandboxConfig, SandboxHandle};

use crate::connect::connected_sandbox;
use crate::util::{Output, TestEnv};

/// The report's rows by resource: (sent, unchanged, failed).
pub(crate) fn rows(out: &Output) -> std::collections::BTreeMap<String, (u64, u64, u64)> {
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("report is JSON ({e}): {}", out.stdout));
    rows.iter()
        .map(|r| {
            (
                r["resource"].as_str().unwrap().to_owned(),
                (
                    r["sent"].as_u64().unwrap(),
                    r["unchanged"].as_u64().unwrap(),
                    r["failed"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// The report's total row: (sent, unchanged, failed).
pub(crate) fn total(out: &Output) -> (u64, u64, u64) {
    rows(out)["total"]
}

/// The one number a `SELECT COUNT…` returns.
pub(crate) fn sql_count(env: &TestEnv, sql: &str) -> u64 {
    env.sql(sql)[0][0].as_deref().unwrap().parse().unwrap()
}

/// What the readers should yield, counted with plain SQL.
pub(crate) struct StoreCounts {
    /// Orders (HPOS, not trashed or drafts).
    pub orders: u64,
    /// Members of the blog (every user with capabilities).
    pub customers: u64,
    /// Products and variations, not trashed.
    pub products: u64,
}

/// [`StoreCounts`] of an HPOS store.
pub(crate) fn store_counts(env: &TestEnv) -> StoreCounts {
    StoreCounts {
        orders: sql_count(
            env,
            "SELECT COUNT(*) FROM wp_wc_orders WHERE type = 'shop_order' AND status NOT IN ('trash', 'draft', 'auto-draft')",
        ),
        customers: sql_count(
            env,
            "SELECT COUNT(DISTINCT user_id) FROM wp_usermeta WHERE meta_key = 'wp_capabilities'",
        ),
        products: sql_count(
            env,
            "SELECT COUNT(*) FROM wp_posts WHERE post_type IN ('product', 'product_variation') AND post_status NOT IN ('trash', 'auto-draft')",
        ),
    }
}

/// The sandbox holds exactly the store's entities, each accepted once: a
/// resend under another delivery id would have been accepted a second time.
pub(crate) fn assert_each_accepted_once(sandbox: &SandboxHandle, counts: &StoreCounts) {
    for (resource, count) in [
        ("order", counts.orders),
        ("customer", counts.customers),
        ("product", counts.products),
    ] {
        let records = sandbox.deliveries(resource).unwrap();
        assert_eq!(records.len() as u64, count, "{resource}");
        assert!(
            records.iter().all(|d| d.accepted == 1),
            "{resource}: every entity accepted exactly once"
        );
    }
}

/// The dump's tables `sync` reads (the readers' tables and `wc_webhooks`).
fn dump_tables() -> Vec<String> {
    crate::store::READER_TABLES
        .iter()
        .chain(&["wc_webhooks"])
        .map(|t| format!("wp_{t}"))
        .collect()
}

/// A site of its own whose store is the real dump, connected to a sandbox
/// with `secret` as the stored webhook secret (the sandbox's own when
/// `None`).
pub(crate) fn connected_store(
    config: SandboxConfig,
    secret: Option<&str>,
) -> (TestEnv, SandboxHandle) {
    use mysql::prelude::Queryable;
    let env = TestEnv::new();
    let template = crate::store::template();
    let mut conn = crate::util::server().admin();
    for table in dump_tables() {
        conn.query_drop(format!("DROP TABLE IF EXISTS `{}`.`{table}`", env.db))
            .unwrap();
        conn.query_drop(format!(
            "CREATE TABLE `{}`.`{table}` LIKE `{template}`.`{table}`",
            env.db
        ))
        .unwrap();
        conn.query_drop(format!(
            "INSERT INTO `{}`.`{table}` SELECT * FROM `{template}`.`{table}`",
            env.db
        ))
        .unwrap();
    }
    let sandbox = connected_sandbox(&env, config, secret);
    (env, sandbox)
}
