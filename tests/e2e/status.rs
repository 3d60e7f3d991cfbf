//! `status` against real WordPress: disconnected defaults, a connected
//! site, WooCommerce with its real `wc_webhooks` table (healthy, paused and
//! failing rows), the upgrade notice, and the context PHP sends before
//! WordPress loads.

use crate::assert_output;
use crate::util::{TestEnv, bin};

const WRITE_KEY: &str = "sk_live_abcdef0123456789a1b2";
const WEBHOOK_SECRET: &str = "whsec_0123456789abcdefXYZW";
const DELIVERY_URL: &str = "https://api.segmentflow.ai/webhooks/woocommerce/org_42";

fn connect(env: &TestEnv, platform: &str) {
    env.sql(&format!(
        "INSERT INTO wp_options (option_name, option_value, autoload) VALUES \
         ('segmentflow_write_key', '{WRITE_KEY}', 'yes'), \
         ('segmentflow_organization_name', 'Acme Shop', 'yes'), \
         ('segmentflow_organization_id', 'org_42', 'yes'), \
         ('segmentflow_connected_platform', '{platform}', 'yes'), \
         ('segmentflow_webhook_secret', '{WEBHOOK_SECRET}', 'yes'), \
         ('segmentflow_webhook_delivery_url', '{DELIVERY_URL}', 'yes'), \
         ('segmentflow_consent_required', '1', 'yes')"
    ));
}

fn activate_woocommerce(env: &TestEnv) {
    env.sql(r#"UPDATE wp_options SET option_value = 'a:1:{i:0;s:27:"woocommerce/woocommerce.php";}' WHERE option_name = 'active_plugins'"#);
    env.sql(
        "INSERT INTO wp_options (option_name, option_value, autoload) VALUES \
             ('woocommerce_version', '9.2.5', 'yes'), ('woocommerce_currency', 'EUR', 'yes'), \
             ('woocommerce_custom_orders_table_enabled', 'yes', 'yes'), \
             ('woocommerce_custom_orders_table_data_sync_enabled', 'no', 'yes')",
    );
}

fn json(out: &crate::util::Output) -> serde_json::Value {
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

#[test]
fn status_of_a_connected_site_masks_the_key() {
    let env = TestEnv::new();
    connect(&env, "wordpress");
    let out = env.cmd().args(["status", "--format=json"]).run();
    let s = json(&out);
    assert_eq!(s["connected"], true);
    assert_eq!(s["write_key"], "sk_live…a1b2");
    let mut all = String::new();
    for format in ["table", "json", "yaml"] {
        let out = env
            .cmd()
            .args([
                "status",
                &format!("--format={format}"),
                "--fields=connected,organization_name,organization_id,platform,write_key,tracking,consent_required,debug_mode,upgrade_available,webhooks",
            ])
            .run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        for secret in ["abcdef0123456789", "0123456789abcdefXYZW"] {
            assert!(!out.stdout.contains(secret), "{format}: {}", out.stdout);
            assert!(!out.stderr.contains(secret), "{format}: {}", out.stderr);
        }
        all.push_str(&format!("== {format}\n{}\n", out.stdout));
    }
    insta::assert_snapshot!("status_connected", all);
}

#[test]
fn status_with_woocommerce_and_webhooks() {
    let env = TestEnv::new();
    connect(&env, "woocommerce");
    activate_woocommerce(&env);

    // WooCommerce active but its tables not created (yet).
    let s = json(&env.cmd().args(["status", "--format=json"]).run());
    assert_eq!(s["webhooks"], "WooCommerce tables missing");
    assert_eq!(s["webhooks_ok"], serde_json::Value::Null);

    env.create_wc_webhooks();
    let topics = [
        ("order.created", "active", 0),
        ("order.updated", "active", 3),
        ("order.deleted", "paused", 0),
        ("order.restored", "active", 0),
        ("customer.created", "active", 0),
        ("customer.updated", "disabled", 6),
        ("customer.deleted", "active", 0),
        ("product.created", "active", 0),
        ("product.updated", "active", 0),
    ];
    for (i, (topic, status, failures)) in topics.iter().enumerate() {
        env.sql(&format!(
            "INSERT INTO wp_wc_webhooks (webhook_id, status, name, user_id, delivery_url, secret, topic, \
             date_created, date_created_gmt, api_version, failure_count, pending_delivery) VALUES \
             ({id}, '{status}', 'Segmentflow: {topic}', 1, '{DELIVERY_URL}', '{WEBHOOK_SECRET}', '{topic}', \
             '2026-01-05 09:00:00', '2026-01-05 08:00:00', 2, {failures}, 0)",
            id = i + 1
        ));
    }
    // Somebody else's webhook is not ours and not counted.
    env.sql("INSERT INTO wp_wc_webhooks (webhook_id, status, name, user_id, delivery_url, secret, topic, api_version) \
             VALUES (40, 'active', 'Zapier', 1, 'https://hooks.zapier.example/x', 'zz', 'product.deleted', 3)");

    let mut all = String::new();
    for format in ["table", "json", "csv", "yaml"] {
        let out = env
            .cmd()
            .args([
                "status",
                &format!("--format={format}"),
                "--fields=woocommerce_active,woocommerce_version,currency,hpos_enabled,hpos_sync_enabled,order_storage,upgrade_available,webhooks,webhooks_ok,webhook_topics",
            ])
            .run();
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(!out.stdout.contains(WEBHOOK_SECRET), "{}", out.stdout);
        all.push_str(&format!("== {format}\n{}\n", out.stdout));
    }
    insta::assert_snapshot!("status_woocommerce_webhooks", all);

    let s = json(&env.cmd().args(["status", "--format=json"]).run());
    assert_eq!(s["order_storage"], "hpos");
    assert_eq!(s["webhooks_ok"], false);
    let topics = s["webhook_topics"].as_array().unwrap();
    assert_eq!(topics.len(), 10);
    assert_eq!(topics[2]["status"], "paused");
    assert_eq!(topics[5]["disabled"], true);
    assert_eq!(topics[1]["failure_count"], 3);
    assert_eq!(topics[1]["failing"], true);
    assert_eq!(topics[0]["failing"], false);
    assert_eq!(topics[9]["present"], false);

    // HPOS off: orders live in posts.
    env.sql("UPDATE wp_options SET option_value = 'no' WHERE option_name = 'woocommerce_custom_orders_table_enabled'");
    let s = json(&env.cmd().args(["status", "--format=json"]).run());
    assert_eq!(
        (s["hpos_enabled"].clone(), s["order_storage"].clone()),
        (false.into(), "posts".into())
    );
}

#[test]
fn upgrade_available_after_woocommerce_appears() {
    let env = TestEnv::new();
    connect(&env, "wordpress");
    let s = json(&env.cmd().args(["status", "--format=json"]).run());
    assert_eq!(
        (s["upgrade_available"].clone(), s["platform"].clone()),
        (false.into(), "wordpress".into())
    );

    activate_woocommerce(&env);
    let s = json(&env.cmd().args(["status", "--format=json"]).run());
    assert_eq!(s["upgrade_available"], true);
    assert_eq!(s["platform"], "wordpress", "still connected as WordPress");

    // What PHP saw after a full load wins over the database.
    let mut ctx: serde_json::Value = serde_json::from_str(&env.context_json()).unwrap();
    ctx["wc_active"] = false.into();
    let out = bin()
        .args(["--context=-", "status", "--format=json"])
        .stdin(format!("{ctx}\n"))
        .run();
    assert_eq!(json(&out)["upgrade_available"], false);

    // The transient the plugin sets on WooCommerce activation also counts.
    env.sql("UPDATE wp_options SET option_value = 'a:0:{}' WHERE option_name = 'active_plugins'");
    env.sql("INSERT INTO wp_options (option_name, option_value, autoload) VALUES ('_transient_segmentflow_wc_upgrade_notice', '1', 'yes')");
    let s = json(&env.cmd().args(["status", "--format=json"]).run());
    assert_eq!(
        (
            s["woocommerce_active"].clone(),
            s["upgrade_available"].clone()
        ),
        (false.into(), true.into())
    );
}

#[test]
fn status_with_the_context_php_sends_before_wordpress_loads() {
    let env = TestEnv::new();
    connect(&env, "woocommerce");
    activate_woocommerce(&env);
    let out = bin()
        .args(["--context=-", "status", "--format=json"])
        .stdin(format!("{}\n", env.context_json_early()))
        .run();
    let s = json(&out);
    // Read from the database: URLs, WooCommerce, HPOS.
    assert_eq!(s["site_url"], "http://example.test");
    assert_eq!(s["home_url"], "http://example.test");
    assert_eq!(s["woocommerce_active"], true);
    assert_eq!(s["woocommerce_version"], "9.2.5");
    assert_eq!(s["hpos_enabled"], true);
    // Sent by PHP (read from wp-includes/version.php).
    assert_eq!(s["wp_version"], "6.1.9");
    assert_eq!(s["platform"], "woocommerce");

    let out = bin()
        .args(["--context=-", "settings", "list", "--format=csv"])
        .stdin(format!("{}\n", env.context_json_early()))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("consent_required,on,off,true"),
        "{}",
        out.stdout
    );
}

#[test]
fn unreadable_last_sync_is_reported_not_fatal() {
    let env = TestEnv::new();
    env.sql("INSERT INTO wp_options (option_name, option_value, autoload) VALUES ('segmentflow_last_sync', 'a:2:{s:8:\"finished\";', 'no')");
    let out = env
        .cmd()
        .args(["status", "--format=json", "--fields=last_sync"])
        .run();
    assert_output!("status_last_sync_broken", out);
}
