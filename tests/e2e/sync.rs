//! `sync` end to end: a real WordPress database connected to the sandbox
//! (webhooks registered by `connect` in WooCommerce's real `wc_webhooks`),
//! deliveries and identify batches over real HTTP, checkpoints and reports
//! in real options. The first tests read the store from the committed record
//! fixtures (the hidden `--records-dir`, on a plain WordPress install); the
//! `database_store_*` ones read it from the database — the real WooCommerce
//! 9.2.5 dump, on MariaDB and on its SQLite twin.

use mysql::prelude::Queryable as _;
use segmentflow_wpcli::sandbox::{FaultPlan, SandboxConfig, SandboxHandle};

use crate::connect::connected_sandbox;
use crate::sync_util::{
    assert_each_accepted_once, connected_store, rows, sql_count, store_counts, total,
};
use crate::util::{Output, TestEnv, records_dir};

/// Orders, customers, products (variations included) in the fixtures.
const ORDERS: u64 = 8;
const CUSTOMERS: u64 = 3;
const PRODUCTS: u64 = 16;
const WEBHOOK_ITEMS: u64 = ORDERS + CUSTOMERS + PRODUCTS;
/// Users (the fixture customers) sent as identify events.
const USERS: u64 = 3;

fn connected(config: SandboxConfig, secret: Option<&str>) -> (TestEnv, SandboxHandle) {
    let env = TestEnv::new();
    env.install_woocommerce_webhooks();
    let sandbox = connected_sandbox(&env, config, secret);
    (env, sandbox)
}

fn sync(env: &TestEnv, extra: &[&str]) -> Output {
    env.cmd()
        .args([
            "sync".to_owned(),
            "--format=json".to_owned(),
            format!("--records-dir={}", records_dir().display()),
        ])
        .args(extra)
        .run()
}

#[test]
fn sync_sends_everything_once_then_only_what_changed() {
    let (env, sandbox) = connected(SandboxConfig::default(), None);
    let out = sync(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = rows(&out);
    assert_eq!(r["orders"], (ORDERS, 0, 0));
    assert_eq!(r["customers"], (CUSTOMERS, 0, 0));
    assert_eq!(r["products"], (PRODUCTS, 0, 0));
    assert_eq!(r["users"], (USERS, 0, 0));
    let stats = sandbox.stats();
    assert_eq!(stats.deliveries.accepted, WEBHOOK_ITEMS);
    assert_eq!(stats.deliveries.duplicate, 0);
    assert_eq!(stats.deliveries.bad_signature, 0);
    assert_eq!(stats.identify_events, USERS);
    assert_eq!(sandbox.deliveries("order").unwrap().len() as u64, ORDERS);
    assert_eq!(
        sandbox.deliveries("product").unwrap().len() as u64,
        PRODUCTS
    );
    assert_eq!(
        sandbox.deliveries("customer").unwrap().len() as u64,
        CUSTOMERS
    );

    // WordPress reads the state and report we stored.
    let state = env.php_get_option("segmentflow_sync_state");
    assert!(state.starts_with("a:"), "{state}");
    assert!(state.contains("s:6:\"orders\";a:2:{"), "{state}");
    let last = env.php_get_option("segmentflow_last_sync");
    assert!(
        last.contains(&format!("s:4:\"sent\";i:{};", WEBHOOK_ITEMS + USERS)),
        "{last}"
    );

    // A rerun sends nothing: everything is behind the checkpoints.
    let out = sync(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(total(&out), (0, WEBHOOK_ITEMS + USERS, 0));
    assert_eq!(sandbox.stats().deliveries.requests, WEBHOOK_ITEMS);

    // The same as a table, without the timing columns.
    let out = env
        .cmd()
        .args([
            "sync".to_owned(),
            "--fields=resource,sent,unchanged,failed,retried".to_owned(),
            format!("--records-dir={}", records_dir().display()),
        ])
        .run();
    crate::assert_output!("sync_rerun_table", out);

    // --since bounds by date: only the two orders modified in November 2026.
    let out = sync(
        &env,
        &["--full", "--resources=orders", "--since=2026-11-01"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(rows(&out)["orders"], (2, 0, 0));
}

#[test]
fn full_resends_with_the_same_delivery_ids() {
    let (env, sandbox) = connected(SandboxConfig::default(), None);
    let out = sync(&env, &["--resources=orders,customers,products"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let before = sandbox.deliveries("order").unwrap();
    let out = sync(
        &env,
        &[
            "--full",
            "--resources=orders,customers,products",
            "--concurrency=3",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(total(&out).0, WEBHOOK_ITEMS);
    let stats = sandbox.stats();
    assert_eq!(stats.deliveries.accepted, WEBHOOK_ITEMS, "nothing new");
    assert_eq!(
        stats.deliveries.duplicate, WEBHOOK_ITEMS,
        "every resend is a duplicate"
    );
    let after = sandbox.deliveries("order").unwrap();
    assert_eq!(
        before.iter().map(|d| &d.delivery_id).collect::<Vec<_>>(),
        after.iter().map(|d| &d.delivery_id).collect::<Vec<_>>()
    );
}

#[test]
fn dry_run_sends_and_stores_nothing() {
    let (env, sandbox) = connected(SandboxConfig::default(), None);
    let out = sync(&env, &["--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(total(&out), (WEBHOOK_ITEMS + USERS, 0, 0));
    assert!(out.stderr.contains("nothing was sent"), "{}", out.stderr);
    let stats = sandbox.stats();
    assert_eq!(stats.deliveries.requests, 0);
    assert_eq!(stats.ingest.requests, 0);
    assert_eq!(env.option_row("segmentflow_sync_state"), None);
    assert_eq!(env.option_row("segmentflow_last_sync"), None);
}

#[test]
fn wrong_webhook_secret_stops_without_advancing() {
    let (env, sandbox) = connected(SandboxConfig::default(), Some("whsec_not_the_right_one"));
    let out = sync(&env, &["--resources=orders,products"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "all deliveries were rejected with 401: the stored webhook secret does not match"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(sandbox.stats().deliveries.accepted, 0);
    assert!(sandbox.stats().deliveries.bad_signature > 0);
    let state = env
        .option_row("segmentflow_sync_state")
        .map(|r| r.0)
        .unwrap_or_default();
    assert!(!state.contains("orders"), "no checkpoint: {state}");
    assert!(!state.contains("products"), "no checkpoint: {state}");
}

#[test]
fn faults_leave_everything_accepted_exactly_once() {
    let faults: FaultPlan = "500:0.1,503:0.05,429:0.05".parse().unwrap();
    let (env, sandbox) = connected(
        SandboxConfig {
            faults,
            seed: 11,
            ..SandboxConfig::default()
        },
        None,
    );
    let out = sync(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let stats = sandbox.stats();
    assert!(
        stats.deliveries.faulted > 0,
        "faults were injected: {stats:?}"
    );
    assert_eq!(stats.deliveries.accepted, WEBHOOK_ITEMS);
    assert_eq!(stats.deliveries.duplicate, 0);
    assert_eq!(stats.identify_events, USERS);
    for (resource, count) in [
        ("order", ORDERS),
        ("customer", CUSTOMERS),
        ("product", PRODUCTS),
    ] {
        let records = sandbox.deliveries(resource).unwrap();
        assert_eq!(records.len() as u64, count, "{resource}");
        assert!(
            records.iter().all(|d| d.accepted == 1),
            "{resource}: {records:?}"
        );
    }
    assert!(total(&out).0 == WEBHOOK_ITEMS + USERS);
}

#[test]
fn refusals_name_the_fix() {
    // Not connected.
    let env = TestEnv::new();
    let out = sync(&env, &[]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not connected"), "{}", out.stderr);

    // Connected as WordPress only: WooCommerce resources are refused, users go.
    let sandbox = connected_sandbox(&env, SandboxConfig::default(), None);
    let out = sync(&env, &["--resources=orders"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("WordPress only"), "{}", out.stderr);
    assert!(out.stderr.contains("--resources=users"), "{}", out.stderr);
    let out = sync(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(rows(&out)["users"], (USERS, 0, 0));
    assert_eq!(sandbox.stats().deliveries.requests, 0);

    // Usage errors.
    let out = sync(&env, &["--resources=coupons"]);
    assert_eq!(out.code, 2);
    let out = sync(&env, &["--since=yesterday"]);
    assert_eq!(out.code, 2);
}

#[test]
fn killed_mid_run_and_rerun_loses_and_doubles_nothing() {
    let faults: FaultPlan = "slow:1.0".parse().unwrap();
    let (env, sandbox) = connected(
        SandboxConfig {
            faults,
            slow: std::time::Duration::from_millis(250),
            ..SandboxConfig::default()
        },
        None,
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_segmentflow-wpcli"))
        .args([
            format!("--path={}", env.root.path().display()),
            "sync".to_owned(),
            "--resources=orders,customers,products".to_owned(),
            "--concurrency=4".to_owned(),
            format!("--records-dir={}", records_dir().display()),
        ])
        .env_remove("SEGMENTFLOW_WRITTEN_OPTIONS_FILE")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some deliveries were accepted, then SIGKILL.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sandbox.stats().deliveries.accepted < 4 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Let requests that were in flight at the kill settle on the server.
    std::thread::sleep(std::time::Duration::from_millis(600));
    let before = sandbox.stats().deliveries.accepted;
    assert!(before >= 4, "{before}");

    let out = sync(&env, &["--resources=orders,customers,products"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let stats = sandbox.stats();
    assert_eq!(
        stats.deliveries.accepted, WEBHOOK_ITEMS,
        "nothing lost: {stats:?}"
    );
    for (resource, count) in [
        ("order", ORDERS),
        ("customer", CUSTOMERS),
        ("product", PRODUCTS),
    ] {
        let records = sandbox.deliveries(resource).unwrap();
        assert_eq!(records.len() as u64, count, "{resource}");
        assert!(
            records.iter().all(|d| d.accepted == 1),
            "nothing doubled: {records:?}"
        );
    }
    // What was resent was recognised by its delivery id.
    let (sent, unchanged, _) = total(&out);
    assert_eq!(sent + unchanged, WEBHOOK_ITEMS);
    assert_eq!(
        stats.deliveries.duplicate,
        WEBHOOK_ITEMS - unchanged - (WEBHOOK_ITEMS - before)
    );
}

#[test]
fn permanent_failures_are_reported_and_exit_3() {
    // Orders (with their line items) are bigger than this; customers are not.
    let (env, sandbox) = connected(
        SandboxConfig {
            max_delivery_bytes: 2500,
            ..SandboxConfig::default()
        },
        None,
    );
    let out = sync(&env, &["--resources=customers,orders"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    let r = rows(&out);
    assert_eq!(r["customers"], (CUSTOMERS, 0, 0));
    assert_eq!(r["orders"].2, ORDERS, "{r:?}");
    assert!(
        out.stderr.contains("Warning: orders 78 failed"),
        "{}",
        out.stderr
    );
    assert_eq!(sandbox.stats().deliveries.too_large, ORDERS);
    // The orders checkpoint stays before the failed items; customers moved on.
    let state = env.option_row("segmentflow_sync_state").unwrap().0;
    assert!(state.contains("customers"), "{state}");
    assert!(!state.contains("\"orders\""), "{state}");
}

// ---------------------------------------------------------------------------
// The store read from the database (no `--records-dir`): the real
// WooCommerce 9.2.5 dump (`tests/e2e/store.rs` loads it into a cached
// template) under a WordPress install of its own.

fn sync_db(env: &TestEnv, extra: &[&str]) -> Output {
    env.cmd().args(["sync", "--format=json"]).args(extra).run()
}

/// The sandbox's accepted identify events.
fn identifies(sandbox: &SandboxHandle) -> Vec<serde_json::Value> {
    let url = format!(
        "{}/__sandbox/identifies?offset=0&limit=1000",
        sandbox.base_url()
    );
    let text = ureq::get(&url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["items"].as_array().unwrap().clone()
}

#[test]
fn database_store_is_sent_once_then_only_what_changed() {
    let (env, sandbox) = connected_store(SandboxConfig::default(), None);
    let counts = store_counts(&env);
    // The dump's numbers, as the brief and the store tests know them.
    assert_eq!(
        (counts.orders, counts.customers, counts.products),
        (300, 61, 65)
    );
    // Users are the same members of the blog.
    let users = counts.customers;

    // --dry-run reads and maps everything, sends and stores nothing.
    let out = sync_db(&env, &["--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = rows(&out);
    assert_eq!(r["orders"], (counts.orders, 0, 0));
    assert_eq!(r["customers"], (counts.customers, 0, 0));
    assert_eq!(r["products"], (counts.products, 0, 0));
    assert_eq!(r["users"], (users, 0, 0));
    assert_eq!(sandbox.stats().deliveries.requests, 0);
    assert_eq!(sandbox.stats().ingest.requests, 0);
    assert_eq!(env.option_row("segmentflow_sync_state"), None);

    let out = sync_db(&env, &["--concurrency=4"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = rows(&out);
    assert_eq!(r["orders"], (counts.orders, 0, 0));
    assert_eq!(r["customers"], (counts.customers, 0, 0));
    assert_eq!(r["products"], (counts.products, 0, 0));
    assert_eq!(r["users"], (users, 0, 0));
    let stats = sandbox.stats();
    let webhook_items = counts.orders + counts.customers + counts.products;
    assert_eq!(stats.deliveries.accepted, webhook_items);
    assert_eq!(stats.deliveries.duplicate, 0);
    assert_eq!(stats.deliveries.bad_signature, 0);
    assert_eq!(stats.identify_events, users);
    assert_each_accepted_once(&sandbox, &counts);
    // One identify per member of the blog, each user once (`wc_` ids: the
    // site runs WooCommerce).
    let mut identified: Vec<String> = identifies(&sandbox)
        .iter()
        .map(|i| i["userId"].as_str().unwrap().to_owned())
        .collect();
    identified.sort();
    let mut members: Vec<String> = env
        .sql("SELECT DISTINCT user_id FROM wp_usermeta WHERE meta_key = 'wp_capabilities'")
        .into_iter()
        .map(|r| format!("wc_{}", r[0].as_deref().unwrap()))
        .collect();
    members.sort();
    assert_eq!(identified, members);

    // A second run sends nothing: the readers start after the checkpoints,
    // and what they skipped is counted (COUNT queries) as unchanged.
    let out = sync_db(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(total(&out), (0, webhook_items + users, 0), "{}", out.stdout);
    let stats = sandbox.stats();
    assert_eq!(stats.deliveries.requests, webhook_items);
    assert_eq!(stats.identify_events, users);

    // Bumping one order's modification time sends exactly that order.
    env.sql("UPDATE wp_wc_orders SET date_updated_gmt = '2030-01-01 00:00:00' WHERE id = 84");
    let out = sync_db(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = rows(&out);
    assert_eq!(r["orders"], (1, counts.orders - 1, 0));
    assert_eq!(
        total(&out),
        (1, webhook_items + users - 1, 0),
        "{}",
        out.stdout
    );
    let stats = sandbox.stats();
    assert_eq!(stats.deliveries.requests, webhook_items + 1);
    let order = sandbox
        .deliveries("order")
        .unwrap()
        .into_iter()
        .find(|d| d.id == 84)
        .unwrap();
    assert_eq!(order.accepted, 2, "the update is a new delivery");
    let state = env.php_get_option("segmentflow_sync_state");
    assert!(state.contains("2030-01-01 00:00:00"), "{state}");

    // --since bounds the unchanged count too: only the bumped order is
    // modified after 2029, and it is behind the checkpoint now.
    let out = sync_db(&env, &["--resources=orders", "--since=2029-01-01"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(rows(&out)["orders"], (0, 1, 0));
}

/// A host that allows each database user only a few connections
/// (`max_user_connections`): the parallel counts, member scans and order
/// loaders make do with what opens, and the run is the same.
#[test]
fn sync_fits_a_three_connection_limit() {
    let (env, sandbox) = connected_store(SandboxConfig::default(), None);
    let counts = store_counts(&env);
    let user = format!("sf_limited_{}", std::process::id());
    let mut admin = crate::util::server().admin();
    admin
        .query_drop(format!(
            "CREATE USER '{user}'@'localhost' IDENTIFIED BY 'limited-pw' WITH MAX_USER_CONNECTIONS 3"
        ))
        .unwrap();
    admin
        .query_drop(format!(
            "GRANT ALL ON `{}`.* TO '{user}'@'localhost'",
            env.db
        ))
        .unwrap();
    let config = env.root.path().join("wp-config.php");
    let text = std::fs::read_to_string(&config).unwrap();
    let limited = text
        .replace(
            &format!("'DB_USER', '{}'", crate::util::TEST_USER),
            &format!("'DB_USER', '{user}'"),
        )
        .replace(
            &format!("'DB_PASSWORD', '{}'", crate::util::TEST_PASSWORD),
            "'DB_PASSWORD', 'limited-pw'",
        );
    assert_ne!(limited, text, "wp-config.php names the limited user");
    std::fs::write(&config, limited).unwrap();

    let webhook_items = counts.orders + counts.customers + counts.products;
    let all = webhook_items + counts.customers;
    let full = sync_db(&env, &[]);
    let again = sync_db(&env, &[]);
    admin
        .query_drop(format!("DROP USER '{user}'@'localhost'"))
        .unwrap();
    assert_eq!(full.code, 0, "{}", full.stderr);
    assert_eq!(total(&full), (all, 0, 0), "{}", full.stdout);
    assert_eq!(sandbox.stats().deliveries.accepted, webhook_items);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(total(&again), (0, all, 0), "{}", again.stdout);
}

/// A resumed run counts its unchanged customers and users from the census
/// of members the last full read stored, while the members' fingerprint is
/// the same: the counts stay exact through updates to members, to users
/// who are not members, new members and removed ones.
#[test]
fn members_census_keeps_the_unchanged_counts_exact() {
    let (env, _sandbox) = connected_store(SandboxConfig::default(), None);
    let members = store_counts(&env).customers;
    let people = |out: &Output| {
        assert_eq!(out.code, 0, "{}", out.stderr);
        let r = rows(out);
        (r["customers"], r["users"])
    };
    let out = sync_db(&env, &[]);
    assert_eq!(people(&out), ((members, 0, 0), (members, 0, 0)));
    let state = env.php_get_option("segmentflow_sync_state");
    assert!(
        state.contains(&format!("s:7:\"members\";i:{members};")),
        "{state}"
    );

    // Nothing changed.
    let out = sync_db(&env, &[]);
    assert_eq!(people(&out), ((0, members, 0), (0, members, 0)));

    // The census is what the count comes from while the fingerprint holds
    // (a tampered count shows through), and `--full` recounts it.
    let set_census = |from: u64, to: u64| {
        env.sql(&format!(
            "UPDATE wp_options SET option_value = REPLACE(option_value, \
             's:7:\"members\";i:{from};', 's:7:\"members\";i:{to};') \
             WHERE option_name = 'segmentflow_sync_state'"
        ));
    };
    set_census(members, members + 5);
    let out = sync_db(&env, &[]);
    assert_eq!(people(&out), ((0, members + 5, 0), (0, members + 5, 0)));
    let out = sync_db(&env, &["--full", "--dry-run", "--resources=customers"]);
    assert_eq!(rows(&out)["customers"], (members, 0, 0));
    set_census(members + 5, members);

    // A member's `last_update` and another's registration move past the
    // checkpoints: each is sent once, the rest are unchanged.
    env.sql("UPDATE wp_usermeta SET meta_value = '1900000000' WHERE meta_key = 'last_update' AND user_id = 3");
    env.sql("UPDATE wp_users SET user_registered = '2031-01-01 00:00:00' WHERE ID = 4");
    let out = sync_db(&env, &[]);
    assert_eq!(people(&out), ((1, members - 1, 0), (1, members - 1, 0)));

    // A user who is not a member (no capabilities row for the blog).
    env.sql(
        "INSERT INTO wp_users (user_login, user_pass, user_nicename, user_email, user_url, \
         user_registered, user_activation_key, user_status, display_name) VALUES \
         ('outsider', '', 'outsider', 'outsider@example.com', '', '2032-01-01 00:00:00', '', 0, 'Outsider')",
    );
    let outsider = env.sql("SELECT ID FROM wp_users WHERE user_login = 'outsider'")[0][0]
        .clone()
        .unwrap();
    env.sql(&format!(
        "INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES ({outsider}, 'last_update', '1950000000')"
    ));
    // The users table changed: the fingerprint with it, so this run reads
    // every member again and stores a new census.
    let out = sync_db(&env, &[]);
    assert_eq!(people(&out), ((0, members, 0), (0, members, 0)));
    // With that census, the outsider's updates are not members' changes.
    env.sql(&format!(
        "UPDATE wp_usermeta SET meta_value = '1960000000' WHERE meta_key = 'last_update' AND user_id = {outsider}"
    ));
    env.sql(&format!(
        "UPDATE wp_users SET user_registered = '2033-01-01 00:00:00' WHERE ID = {outsider}"
    ));
    let out = sync_db(&env, &[]);
    assert_eq!(people(&out), ((0, members, 0), (0, members, 0)));

    // The outsider joins the blog: one more member, sent as both.
    env.sql(&format!(
        "INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES \
         ({outsider}, 'wp_capabilities', 'a:1:{{s:8:\"customer\";b:1;}}')"
    ));
    let out = sync_db(&env, &[]);
    assert_eq!(people(&out), ((1, members, 0), (1, members, 0)));
    let out = sync_db(&env, &[]);
    assert_eq!(people(&out), ((0, members + 1, 0), (0, members + 1, 0)));

    // A member leaves (its capabilities row deleted): one fewer.
    env.sql("DELETE FROM wp_usermeta WHERE meta_key = 'wp_capabilities' AND user_id = 5");
    let out = sync_db(&env, &[]);
    assert_eq!(people(&out), ((0, members, 0), (0, members, 0)));
}

#[test]
fn wordpress_only_site_syncs_its_users() {
    // A plain WordPress install: no WooCommerce tables at all.
    let env = TestEnv::new();
    let sandbox = connected_sandbox(&env, SandboxConfig::default(), None);
    assert_eq!(
        env.option_row("segmentflow_connected_platform")
            .map(|(v, _)| v)
            .as_deref(),
        Some("wordpress")
    );
    let members = sql_count(
        &env,
        "SELECT COUNT(DISTINCT user_id) FROM wp_usermeta WHERE meta_key = 'wp_capabilities'",
    );
    assert!(members > 0);
    let out = sync_db(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = rows(&out);
    assert_eq!(r["users"], (members, 0, 0));
    assert!(!r.contains_key("orders"), "{}", out.stdout);
    let stats = sandbox.stats();
    assert_eq!(stats.identify_events, members);
    assert_eq!(stats.deliveries.requests, 0);
    // Asking for a WooCommerce resource names the fix instead of a missing table.
    let out = sync_db(&env, &["--resources=orders"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(!out.stderr.contains("doesn't exist"), "{}", out.stderr);
}

#[test]
fn database_store_corrupt_row_is_a_failed_item() {
    let (env, sandbox) = connected_store(SandboxConfig::default(), None);
    let counts = store_counts(&env);
    env.sql(
        "UPDATE wp_woocommerce_order_itemmeta SET meta_value = REPLACE(meta_value, 's:4:\"11.4\"', 's:9:\"11.4\"') \
         WHERE meta_key = '_line_tax_data' AND order_item_id = (SELECT order_item_id FROM wp_woocommerce_order_items WHERE order_id = 84 AND order_item_type = 'line_item' ORDER BY order_item_id LIMIT 1)",
    );
    let out = sync_db(&env, &["--resources=orders"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(rows(&out)["orders"], (counts.orders - 1, 0, 1));
    assert!(
        out.stderr.contains("Warning: orders 84 failed") && out.stderr.contains("_line_tax_data"),
        "{}",
        out.stderr
    );
    let delivered = sandbox.deliveries("order").unwrap();
    assert_eq!(delivered.len() as u64, counts.orders - 1);
    assert!(delivered.iter().all(|d| d.id != 84));
}

#[test]
fn database_store_on_sqlite_is_sent_once() {
    let (env, sandbox) = connected_store(SandboxConfig::default(), None);
    let counts = store_counts(&env);
    // The SQLite twin carries the connection (options, wc_webhooks) too.
    let root = env.sqlite_site();
    let out = crate::util::bin()
        .args([
            format!("--path={}", root.path().display()),
            "sync".to_owned(),
            "--format=json".to_owned(),
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = rows(&out);
    assert_eq!(r["orders"], (counts.orders, 0, 0));
    assert_eq!(r["customers"], (counts.customers, 0, 0));
    assert_eq!(r["products"], (counts.products, 0, 0));
    assert_eq!(r["users"], (counts.customers, 0, 0));
    assert_each_accepted_once(&sandbox, &counts);
    assert_eq!(sandbox.stats().deliveries.bad_signature, 0);
    // The checkpoints went to the SQLite options table: a rerun sends nothing.
    let out = crate::util::bin()
        .args([
            format!("--path={}", root.path().display()),
            "sync".to_owned(),
            "--format=json".to_owned(),
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        total(&out),
        (0, counts.orders + 2 * counts.customers + counts.products, 0),
        "{}",
        out.stdout
    );
}
