//! `webhooks`, `tracking snippet` and `doctor` end to end: the real binary,
//! real MariaDB with WordPress installed, WooCommerce's real `wc_webhooks`
//! (and `wc_orders`) DDL, and the sandbox over real HTTP.

use segmentflow_wpcli::sandbox::SandboxConfig;
use serde_json::Value;

use crate::connect::{connect_to, start_sandbox};
use crate::util::{TempDir, TestEnv, server};

const SECRET: &str = "whsec_cmds_0123456789abcdef";

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// (id, status, health) of every line of `webhooks list`.
fn listed(env: &TestEnv) -> Vec<(Value, String, String)> {
    let out = env.cmd().args(["webhooks", "list", "--format=json"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&out.stdout)
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["id"].clone(),
                w["status"].as_str().unwrap().to_owned(),
                w["health"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn webhooks_register_list_repair_and_remove() {
    let env = TestEnv::new();
    env.install_woocommerce_webhooks();
    let sandbox = start_sandbox(SandboxConfig::default());
    connect_to(&env, &sandbox, SECRET);
    let creds = sandbox.credentials().clone();

    // Start from none: remove what connect registered.
    let out = env.cmd().args(["webhooks", "remove"]).run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Success: Removed 10 webhooks.\n"),
        "{}",
        out.stderr
    );
    assert!(env.segmentflow_webhooks().is_empty());
    let foreign = env.sql("SELECT COUNT(*) FROM wp_wc_webhooks");
    assert_eq!(foreign[0][0].as_deref(), Some("3"), "other webhooks stay");
    let lines = listed(&env);
    assert_eq!(lines.len(), 10);
    assert!(
        lines
            .iter()
            .all(|(id, s, h)| id.is_null() && s == "missing" && h == "missing"),
        "{lines:?}"
    );

    // WooCommerce's cached ids must go when rows change.
    env.set_option(
        "_transient_woocommerce_webhook_ids_status_active",
        "a:1:{i:0;i:1;}",
    );
    env.set_option("_transient_woocommerce_webhook_ids", "a:1:{i:0;i:1;}");
    let written = TempDir::new();
    let report = written.path().join("written.json");
    let out = env
        .cmd()
        .env("SEGMENTFLOW_WRITTEN_OPTIONS_FILE", &report)
        .args(["webhooks", "register"])
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (
            0,
            "Success: 10 webhooks active (10 created, 0 updated, 0 deleted, 0 unchanged).\n"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(env.option_row("_transient_woocommerce_webhook_ids"), None);
    assert_eq!(
        env.option_row("_transient_woocommerce_webhook_ids_status_active"),
        None
    );
    let names: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(
        names,
        vec![
            "_transient_woocommerce_webhook_ids",
            "_transient_woocommerce_webhook_ids_status_active"
        ]
    );
    assert_eq!(
        env.php_get_option("_transient_woocommerce_webhook_ids"),
        "b:0;"
    );

    // The rows are what WC_Webhook_Data_Store::create() writes.
    let rows = env.sql(
        "SELECT name, status, user_id, api_version, failure_count, pending_delivery, \
         CAST(date_created AS CHAR), CAST(date_created_gmt AS CHAR), CAST(date_modified AS CHAR), \
         secret, delivery_url, topic FROM wp_wc_webhooks WHERE name LIKE 'Segmentflow: %' ORDER BY webhook_id",
    );
    assert_eq!(rows.len(), 10);
    let topics: Vec<&str> = rows.iter().map(|r| r[11].as_deref().unwrap()).collect();
    assert_eq!(
        topics,
        [
            "order.created",
            "order.updated",
            "order.deleted",
            "order.restored",
            "customer.created",
            "customer.updated",
            "customer.deleted",
            "product.created",
            "product.updated",
            "product.deleted"
        ]
    );
    for r in &rows {
        let s = |i: usize| r[i].clone().unwrap_or_default();
        assert_eq!(s(0), format!("Segmentflow: {}", s(11)));
        assert_eq!(
            (
                s(1).as_str(),
                s(2).as_str(),
                s(3).as_str(),
                s(4).as_str(),
                s(5).as_str()
            ),
            ("active", "1", "2", "0", "1"),
            "status, first admin, wp_api_v2, no failures, pending ping"
        );
        assert_eq!(s(6), s(7), "the test site's time zone is UTC");
        assert!(s(7).len() == 19 && s(7).starts_with("20"), "{}", s(7));
        assert_eq!(s(8), "0000-00-00 00:00:00", "create() leaves date_modified");
        assert_eq!(
            (s(9), s(10)),
            (SECRET.to_owned(), creds.webhook_delivery_url.clone())
        );
    }
    assert!(
        listed(&env)
            .iter()
            .all(|(_, s, h)| s == "active" && h == "ok")
    );

    // Break things the way sites do.
    let ids: Vec<u64> = env.segmentflow_webhooks().iter().map(|h| h.0).collect();
    env.sql(&format!(
        "UPDATE wp_wc_webhooks SET status = 'paused' WHERE webhook_id = {}",
        ids[0]
    ));
    env.sql(&format!(
        "UPDATE wp_wc_webhooks SET status = 'disabled', failure_count = 6 WHERE webhook_id = {}",
        ids[1]
    ));
    env.sql(&format!(
        "UPDATE wp_wc_webhooks SET failure_count = 2 WHERE webhook_id = {}",
        ids[2]
    ));
    env.sql(&format!(
        "UPDATE wp_wc_webhooks SET secret = 'whsec_old_secret_000000' WHERE webhook_id = {}",
        ids[3]
    ));
    env.sql(&format!(
        "INSERT INTO wp_wc_webhooks (status, name, user_id, delivery_url, secret, topic, date_created, date_created_gmt, api_version, failure_count, pending_delivery) \
         SELECT status, name, user_id, delivery_url, secret, topic, date_created, date_created_gmt, api_version, 0, 0 FROM wp_wc_webhooks WHERE webhook_id = {}",
        ids[4]
    ));
    let dup = ids.iter().max().unwrap() + 1;
    let lines = listed(&env);
    assert_eq!(lines.len(), 11, "ten topics and the duplicate: {lines:?}");
    let health: Vec<&str> = lines.iter().map(|l| l.2.as_str()).collect();
    assert_eq!(health[0], "paused");
    assert_eq!(health[1], "disabled");
    assert_eq!(
        health[2],
        "2 failed deliveries, 5 more before WooCommerce disables it"
    );
    assert_eq!(health[3], "outdated secret");
    assert_eq!(health[10], format!("duplicate of #{}", ids[4]));
    assert_eq!(lines[10].0, Value::from(dup));
    let out = env.cmd().args(["webhooks", "list"]).run();
    assert!(!out.stdout.contains(SECRET), "secrets are never listed");
    assert!(
        !out.stdout.contains("whsec_old"),
        "secrets are never listed"
    );

    // The plan the PHP package runs through WC_Webhook.
    let out = env.cmd().args(["webhooks", "plan"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plan = json(&out.stdout);
    assert_eq!(plan["create"], Value::Array(vec![]));
    assert_eq!(
        plan["delete"],
        serde_json::json!([{"id": dup, "topic": "customer.created", "reason": "duplicate"}])
    );
    let updates = plan["update"].as_array().unwrap();
    assert_eq!(
        updates
            .iter()
            .map(|u| u["id"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![ids[0], ids[1], ids[3]]
    );
    for u in updates {
        assert_eq!(u["secret"], SECRET);
        assert_eq!(u["status"], "active");
        assert_eq!(u["delivery_url"], creds.webhook_delivery_url.as_str());
        assert_eq!(u["api_version"], "wp_api_v2");
    }
    assert_eq!(
        updates[0]["failure_count"], 0,
        "re-activation resets failures"
    );
    assert!(updates[2].get("failure_count").is_none());
    let out = env
        .cmd()
        .args(["webhooks", "plan", "--action=remove"])
        .run();
    assert_eq!(json(&out.stdout)["delete"].as_array().unwrap().len(), 11);

    // Register repairs all of it.
    let out = env.cmd().args(["webhooks", "register"]).run();
    assert_eq!(
        out.stdout, "Success: 10 webhooks active (0 created, 3 updated, 1 deleted, 7 unchanged).\n",
        "{}",
        out.stderr
    );
    let after = env.sql(&format!(
        "SELECT status, failure_count, secret, CAST(date_modified_gmt AS CHAR) FROM wp_wc_webhooks WHERE webhook_id IN ({}, {}) ORDER BY webhook_id",
        ids[1], ids[3]
    ));
    assert_eq!(after[0][0].as_deref(), Some("active"));
    assert_eq!(after[0][1].as_deref(), Some("0"));
    assert_eq!(after[1][2].as_deref(), Some(SECRET));
    assert_ne!(after[1][3].as_deref(), Some("0000-00-00 00:00:00"));
    let lines = listed(&env);
    assert_eq!(lines.len(), 10);
    // The row with two failures is kept as it is (still active).
    assert!(lines[2].2.starts_with("2 failed deliveries"));
    let out = env.cmd().args(["webhooks", "register"]).run();
    assert!(
        out.stdout
            .contains("(0 created, 0 updated, 0 deleted, 10 unchanged)"),
        "{}",
        out.stdout
    );

    // ids / count / csv.
    let out = env.cmd().args(["webhooks", "list", "--format=count"]).run();
    assert_eq!(out.stdout, "10\n");
    let out = env.cmd().args(["webhooks", "list", "--format=ids"]).run();
    assert_eq!(out.stdout.split_whitespace().count(), 10, "{}", out.stdout);
    let out = env
        .cmd()
        .args(["webhooks", "list", "--format=csv", "--fields=topic,status"])
        .run();
    assert!(
        out.stdout
            .starts_with("topic,status\norder.created,active\n"),
        "{}",
        out.stdout
    );

    // remove again, and once more (nothing left).
    let out = env.cmd().args(["webhooks", "remove"]).run();
    assert_eq!(out.stdout, "Success: Removed 10 webhooks.\n");
    let out = env.cmd().args(["webhooks", "remove"]).run();
    assert_eq!(out.stdout, "Success: Removed 0 webhooks.\n");
    assert_eq!(
        env.sql("SELECT COUNT(*) FROM wp_wc_webhooks")[0][0].as_deref(),
        Some("3")
    );
}

#[test]
fn webhooks_without_woocommerce_or_credentials() {
    let env = TestEnv::read_only();
    let out = env.cmd().args(["webhooks", "list"]).run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("the wp_wc_webhooks table does not exist: WooCommerce is not installed"),
        "{}",
        out.stderr
    );
    let out = env.cmd().args(["webhooks", "remove"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("no webhooks to remove"),
        "{}",
        out.stdout
    );

    let env = TestEnv::new();
    env.install_woocommerce_webhooks();
    let out = env.cmd().args(["webhooks", "register"]).run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no webhook credentials are stored"),
        "{}",
        out.stderr
    );
    assert!(env.segmentflow_webhooks().is_empty());
    let out = env.cmd().args(["webhooks", "plan", "--format=csv"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn tracking_snippet_for_visitors() {
    let env = TestEnv::new();
    // Not connected: nothing is rendered.
    let out = env.cmd().args(["tracking", "snippet"]).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    assert!(out.stderr.contains("not connected"), "{}", out.stderr);

    let sandbox = start_sandbox(SandboxConfig::default());
    connect_to(&env, &sandbox, SECRET);
    let key = sandbox.credentials().write_key.clone();
    let api = sandbox.base_url().to_owned();

    let out = env.cmd().args(["tracking", "snippet"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = out.stdout;
    assert!(
        html.starts_with(
            "<script src=\"https://cdn.cloud.segmentflow.ai/v1/sdk.js?ver=2.4.0\" id=\"segmentflow-sdk-js\"></script>\n<script id=\"segmentflow-sdk-js-after\">\n"
        ),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "window.__sf_config = {{ writeKey: \"{key}\", host: \"{}\" }};",
            api.replace('/', "\\/")
        )),
        "{html}"
    );
    assert!(
        html.contains("siteUrl: \"http:\\/\\/example.test\""),
        "{html}"
    );
    assert!(html.ends_with("</script>\n"), "{html}");

    // A logged-in user who accepted analytics only, with an existing id.
    let out = env
        .cmd()
        .args([
            "tracking",
            "snippet",
            "--user=1",
            "--consent={\"a\":1,\"m\":0}",
            "--anonymous-id=0190a8e4-1c2b-7def-8123-456789abcdef",
            "--format=json",
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let snippet = json(&out.stdout);
    let config = &snippet["config"];
    assert_eq!(config["config"]["writeKey"], key.as_str());
    assert_eq!(config["wpContext"]["userId"], "wp_1");
    assert_eq!(
        config["wpContext"]["anonymousId"],
        "0190a8e4-1c2b-7def-8123-456789abcdef"
    );
    let email = env.sql("SELECT user_email FROM wp_users WHERE ID = 1")[0][0]
        .clone()
        .unwrap();
    assert_eq!(config["identify"]["traits"]["email"], email.as_str());
    let tags = snippet["tags"].as_array().unwrap();
    assert_eq!(tags[0]["kind"], "external");
    assert_eq!(tags[1]["kind"], "inline");

    let out = env
        .cmd()
        .args(["tracking", "snippet", "--format=json"])
        .run();
    let anonymous = json(&out.stdout);
    assert_eq!(
        anonymous["config"]["identify"],
        Value::Null,
        "anonymous: no identify"
    );
    assert_eq!(anonymous["config"]["wpContext"]["userId"], Value::Null);
    assert_eq!(
        anonymous["config"]["wpContext"]["anonymousId"],
        Value::Null,
        "no consent decision: PHP mints no id"
    );

    // Consent but no id yet: PHP mints a UUIDv7.
    let out = env
        .cmd()
        .args([
            "tracking",
            "snippet",
            "--consent={\"a\":true}",
            "--format=json",
        ])
        .run();
    let minted = json(&out.stdout)["config"]["wpContext"]["anonymousId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(segmentflow_core::consent::is_uuid_v7(&minted), "{minted}");

    // Consent required shows in the config.
    env.set_option("segmentflow_consent_required", "1");
    let out = env.cmd().args(["tracking", "snippet"]).run();
    assert!(
        out.stdout.contains("consentRequired: true"),
        "{}",
        out.stdout
    );

    for (args, want) in [
        (
            &["tracking", "snippet", "--user=999"][..],
            "no user with id 999",
        ),
        (&["tracking", "snippet", "--consent=yes"][..], "is not JSON"),
        (
            &["tracking", "snippet", "--consent={}"][..],
            "records no decision",
        ),
    ] {
        let out = env.cmd().args(args).run();
        assert_eq!(out.code, 1, "{args:?}");
        assert!(out.stderr.contains(want), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}

/// (check, status) pairs of `doctor --format=json`, and the exit code.
fn doctor(env: &TestEnv, extra: &[&str]) -> (i32, Vec<(String, String, String)>) {
    let out = env
        .cmd()
        .args(["doctor", "--format=json"])
        .args(extra)
        .run();
    let rows = json(&out.stdout)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["check"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
                r["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (out.code, rows)
}

fn status_of<'a>(rows: &'a [(String, String, String)], check: &str) -> (&'a str, &'a str) {
    rows.iter()
        .find(|r| r.0 == check)
        .map(|r| (r.1.as_str(), r.2.as_str()))
        .unwrap_or_else(|| panic!("no {check} in {rows:?}"))
}

#[test]
fn doctor_checks_a_plain_site() {
    let env = TestEnv::read_only();
    let out = env.cmd().args(["doctor", "--offline"]).run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .starts_with("check\tstatus\tdetail\nbinary\tpass\tsegmentflow-wpcli ")
    );
    assert!(
        out.stdout.contains("Success: All checks passed."),
        "{}",
        out.stdout
    );
    let (code, rows) = doctor(&env, &[]);
    assert_eq!(code, 0);
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "binary", "database", "options", "api", "webhooks", "hpos", "clock"
        ]
    );
    assert_eq!(status_of(&rows, "api"), ("skip", "not connected"));
    assert_eq!(status_of(&rows, "hpos").0, "skip");
    assert!(status_of(&rows, "database").1.starts_with("MySQL/MariaDB "));
    let (s, detail) = status_of(&rows, "clock");
    assert_eq!(s, "pass", "{detail}");
    assert!(detail.contains("(tolerance 300 s)"), "{detail}");

    // An unreachable database is a failed check, not a crash.
    env.write_wp_config("127.0.0.1:1", "");
    let (code, rows) = doctor(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(status_of(&rows, "database").0, "fail");
    assert_eq!(
        status_of(&rows, "clock"),
        ("skip", "the database is unreachable")
    );
}

#[test]
fn doctor_checks_connection_webhooks_and_hpos() {
    let env = TestEnv::new();
    env.install_woocommerce_webhooks();
    let sandbox = start_sandbox(SandboxConfig::default());
    connect_to(&env, &sandbox, SECRET);

    let (code, rows) = doctor(&env, &[]);
    assert_eq!(code, 0, "{rows:?}");
    assert_eq!(status_of(&rows, "api").0, "pass");
    assert_eq!(status_of(&rows, "webhooks"), ("pass", "10 of 10 active"));
    // WooCommerce active, posts authoritative, no orders.
    assert_eq!(
        status_of(&rows, "hpos"),
        (
            "pass",
            "posts authoritative, sync off: 0 orders, 0 in HPOS tables, 0 placeholder posts"
        )
    );
    let (code, rows) = doctor(&env, &["--offline"]);
    assert_eq!((code, status_of(&rows, "api")), (0, ("skip", "--offline")));

    // A paused webhook and a key the API does not know both fail.
    env.sql("UPDATE wp_wc_webhooks SET status = 'paused' WHERE topic = 'order.created' AND name LIKE 'Segmentflow: %'");
    env.set_option("segmentflow_write_key", "wk_not_known_to_the_api");
    let out = env.cmd().args(["doctor"]).run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("Error: 2 of 7 checks failed: api, webhooks."),
        "{}",
        out.stderr
    );
    let (_, rows) = doctor(&env, &[]);
    let (s, detail) = status_of(&rows, "api");
    assert_eq!(s, "fail");
    assert!(detail.contains("HTTP 401: invalid write key"), "{detail}");
    let (s, detail) = status_of(&rows, "webhooks");
    assert_eq!(s, "fail");
    assert!(detail.contains("paused"), "{detail}");

    // An API that does not answer is a failure too (not a hang).
    env.set_option("segmentflow_write_key", &sandbox.credentials().write_key);
    env.set_option("segmentflow_api_host", "http://127.0.0.1:1");
    let (_, rows) = doctor(&env, &[]);
    let (s, detail) = status_of(&rows, "api");
    assert_eq!(s, "fail", "{rows:?}");
    assert!(
        detail.starts_with("no answer: GET http://127.0.0.1:1/api/v1/integrations/connect/status"),
        "{detail}"
    );
    env.set_option("segmentflow_api_host", sandbox.base_url());

    // HPOS authoritative: every order needs its posts row.
    let mut conn = server().admin();
    use mysql::prelude::Queryable as _;
    conn.select_db(&env.db).unwrap();
    for statement in crate::util::woocommerce_ddl(&["wp_wc_orders"], false) {
        conn.query_drop(statement).unwrap();
    }
    env.set_option("woocommerce_custom_orders_table_enabled", "yes");
    env.sql(
        "INSERT INTO wp_wc_orders (id, status, type) VALUES (90001, 'wc-processing', 'shop_order')",
    );
    let (_, rows) = doctor(&env, &["--offline"]);
    let (s, detail) = status_of(&rows, "hpos");
    assert_eq!(s, "fail", "{detail}");
    assert!(detail.contains("1 orders have no posts row"), "{detail}");
    env.sql("INSERT INTO wp_posts (ID, post_type, post_status, post_content, post_title, post_excerpt, to_ping, pinged, post_content_filtered) VALUES (90001, 'shop_order_placehold', 'draft', '', '', '', '', '', '')");
    let (_, rows) = doctor(&env, &["--offline"]);
    assert_eq!(
        status_of(&rows, "hpos"),
        (
            "pass",
            "HPOS authoritative, sync off: 1 orders, 1 placeholder posts, 0 synced posts"
        )
    );
    // Back to posts: the placeholder now hides an order.
    env.set_option("woocommerce_custom_orders_table_enabled", "no");
    let (code, rows) = doctor(&env, &["--offline"]);
    assert_eq!(code, 1);
    assert!(
        status_of(&rows, "hpos")
            .1
            .contains("exist only in the HPOS tables")
    );

    // Disconnected with rows left over.
    env.sql("DELETE FROM wp_options WHERE option_name = 'segmentflow_write_key'");
    let (_, rows) = doctor(&env, &["--offline"]);
    let (s, detail) = status_of(&rows, "webhooks");
    assert_eq!(s, "fail");
    assert!(detail.contains("left over while not connected"), "{detail}");
}

#[test]
fn url_selects_the_blog_under_after_wp_config_load() {
    // What the PHP package sends before WordPress loads: blog 1, no URLs,
    // and WP-CLI's --url, which the binary resolves in wp_blogs.
    let env = TestEnv::read_only_multisite();
    let out = crate::util::bin()
        .args([
            "--context=-",
            "--url=http://example.test/second/",
            "status",
            "--format=json",
            "--fields=blog_id,home_url",
        ])
        .stdin(format!("{}\n", env.context_json_early()))
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (
            0,
            "{\"blog_id\":2,\"home_url\":\"http:\\/\\/example.test\\/second\"}\n"
        ),
        "{}",
        out.stderr
    );
    let out = crate::util::bin()
        .args([
            "--context=-",
            "--url=example.test/second",
            "doctor",
            "--offline",
        ])
        .stdin(format!("{}\n", env.context_json_early()))
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}
