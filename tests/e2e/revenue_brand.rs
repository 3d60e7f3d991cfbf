//! `revenue` and `brand` end to end: the real binary on the real
//! WooCommerce 9.2.5 dump, on a generated store changed by SQL here (UTM
//! meta removed and added, a second currency), and on a real WordPress
//! install with logo, icon, attachments and global styles rows.
//!
//! Expected values never come from the code under test: revenue totals,
//! per-campaign rows (last and first touch) and windows are computed by
//! SQL written here; brand URLs and the palette by WordPress's own PHP
//! (`tests/support/wp-brand.php`: `wp_get_attachment_url()`,
//! `wp_get_global_settings()`), the product ranking by SQL over the order
//! items.

use std::collections::BTreeMap;
use std::path::Path;

use segmentflow_core::insight::Money;
use serde_json::Value;

use crate::insight::{DbCopy, generated_store, sql_rows};
use crate::util::{
    ABSPATH, Output, TEST_PASSWORD, TEST_USER, TempDir, TestEnv, bin, run_wp_php, server,
};
use segmentflow_wpcli::generator::{GenerateOptions, Storage};

/// A WordPress root whose wp-config.php points at `db`.
fn site_for(db: &str) -> TempDir {
    let root = TempDir::new();
    let text = format!(
        "<?php\ndefine( 'DB_NAME', '{db}' );\ndefine( 'DB_USER', '{TEST_USER}' );\ndefine( 'DB_PASSWORD', '{TEST_PASSWORD}' );\ndefine( 'DB_HOST', '{}' );\ndefine( 'DB_CHARSET', 'utf8mb4' );\n$table_prefix = 'wp_';\n",
        server().php_db_host()
    );
    std::fs::write(root.path().join("wp-config.php"), text).unwrap();
    root
}

fn run(root: &Path, args: &[&str]) -> Output {
    bin()
        .args([format!("--path={}", root.display())])
        .args(args)
        .run()
}

fn m(s: &str) -> Money {
    Money::parse_or_zero(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// (currency, value) → (orders, revenue).
type Rows = BTreeMap<(String, Option<String>), (u64, Money)>;

/// The rows of `revenue --format=json`.
fn revenue_rows(root: &Path, by: &str, extra: &[&str]) -> Rows {
    let by_flag = format!("--by={by}");
    let mut args = vec!["revenue", "--format=json", by_flag.as_str()];
    args.extend_from_slice(extra);
    let out = run(root, &args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    let list: Vec<Value> = serde_json::from_str(&out.stdout).expect("revenue JSON");
    let mut rows = Rows::new();
    for r in list {
        let key = (
            r["currency"].as_str().unwrap().to_owned(),
            r[by].as_str().map(str::to_owned),
        );
        let value = (
            r["orders"].as_u64().unwrap(),
            m(r["revenue"].as_str().unwrap()),
        );
        assert!(rows.insert(key, value).is_none(), "one row per value");
    }
    rows
}

/// Per currency: (orders, revenue) summed over rows.
fn totals(rows: &Rows) -> BTreeMap<String, (u64, Money)> {
    let mut out: BTreeMap<String, (u64, Money)> = BTreeMap::new();
    for ((currency, _), (n, r)) in rows {
        let e = out.entry(currency.clone()).or_default();
        e.0 += n;
        e.1 += *r;
    }
    out
}

/// SQL (HPOS): one row per order that is not trash/draft, with its
/// currency, customer key, created date, window date, whether it is paid,
/// its net amount, whether it has a usable plugin / WooCommerce UTM value
/// and its cleaned campaign from each source.
const ORDERS_SQL: &str = "
  SELECT o.id, UPPER(TRIM(o.currency)) AS currency,
    CASE WHEN o.customer_id <> 0 THEN CONCAT('u', o.customer_id)
         WHEN TRIM(COALESCE(o.billing_email, '')) <> '' THEN CONCAT('g', LOWER(TRIM(o.billing_email)))
    END AS k,
    o.date_created_gmt AS c,
    COALESCE(op.date_paid_gmt, o.date_created_gmt) AS w,
    o.status IN ('wc-processing', 'wc-completed') AS paid,
    o.total_amount - COALESCE((SELECT SUM(ABS(r.total_amount)) FROM wp_wc_orders r
        WHERE r.type = 'shop_order_refund' AND r.parent_order_id = o.id), 0) AS net,
    EXISTS (SELECT 1 FROM wp_wc_orders_meta m WHERE m.order_id = o.id
        AND m.meta_key IN ('_segmentflow_utm_campaign', '_segmentflow_utm_source', '_segmentflow_utm_medium', '_segmentflow_utm_content', '_segmentflow_utm_term')
        AND TRIM(m.meta_value) NOT IN ('', '(none)')) AS sf_any,
    EXISTS (SELECT 1 FROM wp_wc_orders_meta m WHERE m.order_id = o.id
        AND ((m.meta_key IN ('_wc_order_attribution_utm_campaign', '_wc_order_attribution_utm_source', '_wc_order_attribution_utm_medium', '_wc_order_attribution_utm_content', '_wc_order_attribution_utm_term')
              AND TRIM(m.meta_value) NOT IN ('', '(none)'))
          OR (m.meta_key = '_wc_order_attribution_source_type' AND m.meta_value IN ('typein', 'admin', 'mobile_app')))) AS wc_any,
    (SELECT NULLIF(NULLIF(TRIM(m.meta_value), ''), '(none)') FROM wp_wc_orders_meta m
        WHERE m.order_id = o.id AND m.meta_key = '_segmentflow_utm_campaign' ORDER BY m.id LIMIT 1) AS sf_campaign,
    (SELECT NULLIF(NULLIF(TRIM(m.meta_value), ''), '(none)') FROM wp_wc_orders_meta m
        WHERE m.order_id = o.id AND m.meta_key = '_wc_order_attribution_utm_campaign' ORDER BY m.id LIMIT 1) AS wc_campaign
  FROM wp_wc_orders o
  LEFT JOIN wp_wc_order_operational_data op ON op.order_id = o.id
  WHERE o.type = 'shop_order' AND o.status NOT IN ('trash', 'draft', 'auto-draft')";

/// Expected campaign rows, by SQL. `first_touch`: each paid order is
/// credited to the campaign of its customer's earliest touched order not
/// later than it (window functions); otherwise to its own. The window is
/// on the paid date, else the created date (`[since, until)`).
fn expected_campaigns(db: &str, first_touch: bool, since: &str, until: &str) -> Rows {
    let own = "CASE WHEN sf_any THEN sf_campaign WHEN wc_any THEN wc_campaign END";
    let sql = if first_touch {
        format!(
            "WITH o AS ({ORDERS_SQL}),
             t AS (SELECT o.*, {own} AS v, sf_any OR wc_any AS touched FROM o),
             f AS (SELECT k, v, c, id, ROW_NUMBER() OVER (PARTITION BY k ORDER BY c IS NULL, c, id) AS rn
                   FROM t WHERE touched AND k IS NOT NULL)
             SELECT t.currency,
               CASE WHEN t.k IS NULL THEN t.v
                    WHEN f.id IS NOT NULL AND (f.c < t.c OR (f.c = t.c AND f.id <= t.id)) THEN f.v
               END AS v, COUNT(*), SUM(t.net)
             FROM t LEFT JOIN f ON f.k = t.k AND f.rn = 1
             WHERE t.paid AND t.w >= '{since}' AND t.w < '{until}'
             GROUP BY 1, 2"
        )
    } else {
        format!(
            "WITH o AS ({ORDERS_SQL})
             SELECT currency, {own} AS v, COUNT(*), SUM(net) FROM o
             WHERE paid AND w >= '{since}' AND w < '{until}' GROUP BY 1, 2"
        )
    };
    let mut out = Rows::new();
    for r in sql_rows(db, &sql) {
        let key = (r[0].clone().unwrap(), r[1].clone());
        let n: u64 = r[2].clone().unwrap().parse().unwrap();
        let e = out.entry(key).or_default();
        e.0 += n;
        e.1 += m(&r[3].clone().unwrap());
    }
    out
}

/// The store's paid net totals per currency, by SQL.
fn paid_totals(db: &str) -> BTreeMap<String, (u64, Money)> {
    let sql = format!(
        "WITH o AS ({ORDERS_SQL}) SELECT currency, COUNT(*), SUM(net) FROM o WHERE paid GROUP BY 1"
    );
    sql_rows(db, &sql)
        .into_iter()
        .map(|r| {
            (
                r[0].clone().unwrap(),
                (
                    r[1].clone().unwrap().parse().unwrap(),
                    m(&r[2].clone().unwrap()),
                ),
            )
        })
        .collect()
}

const ALL_TIME: (&str, &str) = ("1970-01-01", "2100-01-01");

/// Every dimension and model reconciles to the paid totals; campaign rows
/// equal the SQL ones for both models.
fn check_store(db: &str) {
    let root = site_for(db);
    let want = paid_totals(db);
    assert!(!want.is_empty(), "{db} has paid orders");
    for by in ["campaign", "source", "medium", "content", "term"] {
        for model in ["last-touch", "first-touch"] {
            let rows = revenue_rows(root.path(), by, &[&format!("--model={model}")]);
            assert_eq!(
                totals(&rows),
                want,
                "{by} {model}: rows add up to the paid totals"
            );
        }
    }
    for (model, first) in [("last-touch", false), ("first-touch", true)] {
        let got = revenue_rows(root.path(), "campaign", &[&format!("--model={model}")]);
        assert_eq!(
            got,
            expected_campaigns(db, first, ALL_TIME.0, ALL_TIME.1),
            "{model}"
        );
    }
}

#[test]
fn revenue_on_the_real_dump_reconciles_and_matches_sql() {
    let db = crate::store::template();
    check_store(db);
    // The dump is USD only: 218 paid orders, 24952.52 net (its README's
    // completed 204 + processing 14).
    assert_eq!(
        paid_totals(db),
        BTreeMap::from([("USD".to_owned(), (218, m("24952.52")))])
    );
    // Windows: on the paid date, else the created date; --until is inclusive.
    let root = site_for(db);
    let got = revenue_rows(
        root.path(),
        "campaign",
        &["--since=2026-01-01", "--until=2026-03-31"],
    );
    assert_eq!(
        got,
        expected_campaigns(db, false, "2026-01-01", "2026-04-01")
    );
    let got = revenue_rows(root.path(), "campaign", &["--since=2025-09-01 12:00:00"]);
    assert_eq!(
        got,
        expected_campaigns(db, false, "2025-09-01 12:00:00", ALL_TIME.1)
    );
    // The table: a header, the unattributed row last, the totals on stderr.
    let out = run(root.path(), &["revenue", "--by=source"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "currency\tsource\torders\trevenue\taverage_order_value\tshare"
    );
    assert!(
        lines.last().unwrap().starts_with("USD\t(unattributed)\t"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr,
        "USD: 218 paid orders, 24952.52 net revenue (last-touch model, by source)\n"
    );
}

#[test]
fn revenue_on_a_generated_store_with_fallback_and_two_currencies() {
    let copy = DbCopy::of(&generated_store(&GenerateOptions {
        seed: 11,
        orders: 1200,
        storage: Storage::Hpos,
        ..GenerateOptions::default()
    }));
    let db = copy.db.as_str();
    let exec = |sql: &str| {
        sql_rows(db, sql);
    };
    // A second currency (orders and their refunds).
    exec("UPDATE wp_wc_orders SET currency = 'EUR' WHERE type = 'shop_order' AND id % 4 = 0");
    exec(
        "UPDATE wp_wc_orders r JOIN wp_wc_orders o ON o.id = r.parent_order_id SET r.currency = o.currency WHERE r.type = 'shop_order_refund'",
    );
    // The plugin's touch removed from some orders: WooCommerce's is the fallback.
    exec(
        "DELETE FROM wp_wc_orders_meta WHERE meta_key LIKE '\\_segmentflow\\_utm\\_%' AND order_id % 3 = 0",
    );
    // WooCommerce's campaign on every order that has its attribution, so
    // that the fallback shows in campaign rows.
    exec(
        "INSERT INTO wp_wc_orders_meta (order_id, meta_key, meta_value) SELECT DISTINCT order_id, '_wc_order_attribution_utm_campaign', 'wc-campaign' FROM wp_wc_orders_meta WHERE meta_key = '_wc_order_attribution_source_type'",
    );
    // A plugin-only campaign on orders that had no touch at all, and a
    // plugin touch with only placeholders (which must fall back).
    exec(
        "INSERT INTO wp_wc_orders_meta (order_id, meta_key, meta_value) SELECT o.id, '_segmentflow_utm_campaign', 'sf-only' FROM wp_wc_orders o WHERE o.type = 'shop_order' AND o.id % 5 = 1 AND NOT EXISTS (SELECT 1 FROM wp_wc_orders_meta m WHERE m.order_id = o.id AND (m.meta_key LIKE '\\_segmentflow\\_utm\\_%' OR m.meta_key LIKE '\\_wc\\_order\\_attribution\\_%'))",
    );
    exec(
        "UPDATE wp_wc_orders_meta SET meta_value = '(none)' WHERE meta_key LIKE '\\_segmentflow\\_utm\\_%' AND order_id % 7 = 2",
    );

    check_store(db);
    let totals = paid_totals(db);
    assert_eq!(totals.keys().collect::<Vec<_>>(), ["EUR", "USD"]);

    // Fallback: rows credited from WooCommerce exist, and "sf-only" rows
    // came only from the plugin.
    let root = site_for(db);
    let out = run(
        root.path(),
        &[
            "revenue",
            "--format=json",
            "--fields=currency,campaign,orders,segmentflow_orders,woocommerce_orders,attributed",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let list: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let wc: u64 = list
        .iter()
        .filter(|r| r["campaign"] == "wc-campaign")
        .map(|r| r["woocommerce_orders"].as_u64().unwrap())
        .sum();
    assert!(wc > 0, "{}", out.stdout);
    for r in &list {
        if r["campaign"] == "sf-only" {
            assert_eq!(r["segmentflow_orders"], r["orders"], "{r}");
        }
        if r["campaign"].is_null() {
            assert_eq!(r["attributed"], false);
            assert_eq!(r["segmentflow_orders"].as_u64(), Some(0));
        }
    }
    assert!(list.iter().any(|r| r["campaign"] == "sf-only"));
    // Both currencies have their own unattributed row and their shares
    // are of their own total.
    for currency in ["EUR", "USD"] {
        assert!(
            list.iter()
                .any(|r| r["currency"] == currency && r["campaign"].is_null()),
            "{currency}"
        );
    }
    // Windows on this store too.
    let got = revenue_rows(
        root.path(),
        "campaign",
        &[
            "--model=first-touch",
            "--since=2025-06-01",
            "--until=2025-12-31",
        ],
    );
    assert_eq!(
        got,
        expected_campaigns(db, true, "2025-06-01", "2026-01-01")
    );
    // csv and yaml carry the same rows.
    let out = run(root.path(), &["revenue", "--format=csv"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout.lines().count(),
        list.len() + 1,
        "a header and one line per row"
    );
    assert!(out.stdout.contains(",(unattributed),"), "{}", out.stdout);
    // Usage errors: an empty window, an unknown dimension.
    let out = run(
        root.path(),
        &["revenue", "--since=2026-01-02", "--until=2026-01-01"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run(root.path(), &["revenue", "--by=channel"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run(root.path(), &["revenue", "--format=ids"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn revenue_on_a_store_without_paid_orders() {
    let copy = DbCopy::of(crate::store::template());
    sql_rows(
        &copy.db,
        "UPDATE wp_wc_orders SET status = 'wc-cancelled' WHERE type = 'shop_order'",
    );
    let root = site_for(&copy.db);
    let out = run(root.path(), &["revenue", "--format=json"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "[]", "No paid orders in this window.\n")
    );
}

// ---------------------------------------------------------------- brand

/// What WordPress's own PHP says (`tests/support/wp-brand.php`).
fn wordpress_brand(db: &str, products: &[u64]) -> Value {
    let ids: Vec<String> = products.iter().map(u64::to_string).collect();
    let stdout = run_wp_php("wp-brand.php", &ids.join(","), db);
    serde_json::from_slice(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&stdout)))
}

fn content_dir() -> String {
    format!("{ABSPATH}wp-content")
}

/// Inserts an attachment post with its `_wp_attached_file`; returns its id.
fn attachment(env: &TestEnv, file: &str) -> u64 {
    env.sql(&format!(
        "INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, guid, post_type, post_mime_type) \
         VALUES (1, NOW(), UTC_TIMESTAMP(), '', '{file}', '', 'inherit', '{file}', '', '', NOW(), UTC_TIMESTAMP(), '', 'http://old.example/{file}', 'attachment', 'image/png')"
    ));
    let id: u64 = env.sql("SELECT MAX(ID) FROM wp_posts")[0][0]
        .clone()
        .unwrap()
        .parse()
        .unwrap();
    env.sql(&format!(
        "INSERT INTO wp_postmeta (post_id, meta_key, meta_value) VALUES ({id}, '_wp_attached_file', '{file}')"
    ));
    id
}

fn palette_of(list: &Value) -> Vec<(String, String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["slug"].as_str().unwrap().to_owned(),
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["color"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn brand_on_real_wordpress_matches_what_wordpress_says() {
    let env = TestEnv::new();
    env.set_option("stylesheet", "twentytwentythree");
    env.set_option("template", "twentytwentythree");
    env.set_option("blogdescription", "Fresh beans & more");
    let logo = attachment(&env, "2026/01/logo.png");
    let icon = attachment(&env, "2026/01/icon.png");
    env.set_option(
        "theme_mods_twentytwentythree",
        &format!(r#"a:2:{{i:0;b:0;s:11:"custom_logo";i:{logo};}}"#),
    );
    env.set_option("site_icon", &icon.to_string());
    // The user's global styles: one custom colour and an edited theme palette.
    let styles = r##"{"version":2,"isGlobalStylesUserThemeJSON":true,"settings":{"color":{"palette":{"custom":[{"slug":"custom-coffee","color":"#6f4e37","name":"Coffee"}]}}}}"##;
    env.sql(&format!(
        "INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, guid, post_type) \
         VALUES (1, NOW(), UTC_TIMESTAMP(), '{}', 'Custom Styles', '', 'publish', 'wp-global-styles-twentytwentythree', '', '', NOW(), UTC_TIMESTAMP(), '', '', 'wp_global_styles')",
        styles.replace('\'', "''")
    ));
    let post: u64 = env.sql("SELECT MAX(ID) FROM wp_posts")[0][0]
        .clone()
        .unwrap()
        .parse()
        .unwrap();
    env.sql("INSERT INTO wp_terms (name, slug, term_group) VALUES ('twentytwentythree', 'twentytwentythree', 0)");
    env.sql("INSERT INTO wp_term_taxonomy (term_id, taxonomy, description, parent, count) SELECT term_id, 'wp_theme', '', 0, 1 FROM wp_terms WHERE slug = 'twentytwentythree'");
    env.sql(&format!(
        "INSERT INTO wp_term_relationships (object_id, term_taxonomy_id, term_order) SELECT {post}, term_taxonomy_id, 0 FROM wp_term_taxonomy WHERE taxonomy = 'wp_theme'"
    ));

    let want = wordpress_brand(&env.db, &[]);
    let content = content_dir();
    let out = env
        .cmd()
        .args([
            "brand",
            "--format=json",
            &format!("--content-dir={content}"),
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let kit: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(kit["site_name"], want["site_name"]);
    assert_eq!(kit["tagline"], "Fresh beans & more");
    assert_eq!(kit["theme"], "twentytwentythree");
    assert_eq!(kit["block_theme"], want["block_theme"]);
    assert_eq!(kit["logo"]["url"], want["logo"]);
    assert_eq!(
        kit["logo"]["url"],
        "http://example.test/wp-content/uploads/2026/01/logo.png"
    );
    assert_eq!(kit["logo"]["attachment_id"], logo);
    assert_eq!(kit["site_icon"]["url"], want["site_icon"]);
    // The palette: the theme's (theme.json) then the user's custom colours,
    // exactly as WordPress merges them.
    let got: Vec<(String, String, String)> = palette_of(&kit["palette"]);
    let mut expected = palette_of(&want["palette_theme"]);
    expected.extend(palette_of(&want["palette_custom"]));
    assert_eq!(got, expected);
    assert_eq!(got.len(), 6, "{got:?}");
    assert_eq!(kit["palette"][5]["origin"], "global_styles_custom");
    assert_eq!(kit["problems"], serde_json::json!([]));

    // upload_url_path moves every URL, as in WordPress.
    env.set_option("upload_url_path", "https://cdn.example/media");
    let want = wordpress_brand(&env.db, &[]);
    let out = env.cmd().args(["brand", "--format=json"]).run();
    let kit: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(kit["logo"]["url"], want["logo"]);
    assert_eq!(
        kit["logo"]["url"],
        "https://cdn.example/media/2026/01/logo.png"
    );
    // Without the theme directory the palette is the database's only.
    assert_eq!(
        kit["block_theme"],
        Value::Null,
        "no content dir given: {}",
        out.stderr
    );
    assert_eq!(
        palette_of(&kit["palette"]),
        palette_of(&want["palette_custom"])
    );

    // --uploads-url (what the PHP package passes) wins; a dangling icon id
    // is a warning, not an error.
    env.set_option("site_icon", "999999");
    let out = env
        .cmd()
        .args(["brand", "--uploads-url=https://offload.example/u"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("logo\tattachment ")
            && out
                .stdout
                .contains("https://offload.example/u/2026/01/logo.png"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr,
        "Warning: site_icon: attachment 999999 does not exist\n"
    );
}

#[test]
fn brand_top_product_photos_by_paid_revenue() {
    let copy = DbCopy::of(&generated_store(&GenerateOptions {
        seed: 5,
        orders: 800,
        storage: Storage::Hpos,
        ..GenerateOptions::default()
    }));
    let db = copy.db.as_str();
    // The generator writes WooCommerce's options only: give the site the
    // few WordPress needs to load (for the expected URLs).
    sql_rows(
        db,
        "INSERT INTO wp_options (option_name, option_value, autoload) VALUES \
         ('siteurl', 'http://shop.example', 'yes'), ('home', 'http://shop.example', 'yes'), \
         ('blogname', 'Generated', 'yes'), ('stylesheet', 'twentytwentythree', 'yes'), \
         ('template', 'twentytwentythree', 'yes'), ('db_version', '53496', 'yes')",
    );
    // Expected ranking by SQL: paid line totals in the store currency per
    // (parent) product.
    let currency = sql_rows(
        db,
        "SELECT option_value FROM wp_options WHERE option_name = 'woocommerce_currency'",
    )[0][0]
        .clone()
        .unwrap();
    let ranking = sql_rows(
        db,
        &format!(
            "SELECT CAST(pid.meta_value AS UNSIGNED) AS product, SUM(CAST(lt.meta_value AS DECIMAL(26,8))) AS revenue, SUM(CAST(q.meta_value AS SIGNED)) AS qty
             FROM wp_woocommerce_order_items i
             JOIN wp_wc_orders o ON o.id = i.order_id
             JOIN wp_woocommerce_order_itemmeta pid ON pid.order_item_id = i.order_item_id AND pid.meta_key = '_product_id'
             JOIN wp_woocommerce_order_itemmeta lt ON lt.order_item_id = i.order_item_id AND lt.meta_key = '_line_total'
             JOIN wp_woocommerce_order_itemmeta q ON q.order_item_id = i.order_item_id AND q.meta_key = '_qty'
             WHERE i.order_item_type = 'line_item' AND o.type = 'shop_order'
               AND o.status IN ('wc-processing', 'wc-completed') AND o.currency = '{currency}'
               AND CAST(pid.meta_value AS UNSIGNED) > 0
             GROUP BY product ORDER BY revenue DESC, qty DESC, product"
        ),
    );
    let ranked: Vec<u64> = ranking
        .iter()
        .map(|r| r[0].clone().unwrap().parse().unwrap())
        .collect();
    assert!(ranked.len() >= 6, "{ranked:?}");
    // Photos for every ranked product except the second best-seller, so
    // that the photos come from further down the ranking.
    let photographed: Vec<u64> = ranked
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, id)| *id)
        .collect();
    for id in &photographed {
        sql_rows(
            db,
            &format!(
                "INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, guid, post_type, post_mime_type, post_parent) \
                 VALUES (1, NOW(), UTC_TIMESTAMP(), '', 'photo {id}', '', 'inherit', 'photo-{id}', '', '', NOW(), UTC_TIMESTAMP(), '', '', 'attachment', 'image/jpeg', {id})"
            ),
        );
        sql_rows(
            db,
            &format!(
                "INSERT INTO wp_postmeta (post_id, meta_key, meta_value) SELECT MAX(ID), '_wp_attached_file', '2025/11/product-{id}.jpg' FROM wp_posts"
            ),
        );
        sql_rows(
            db,
            &format!(
                "INSERT INTO wp_postmeta (post_id, meta_key, meta_value) SELECT {id}, '_thumbnail_id', MAX(ID) FROM wp_posts WHERE post_type = 'attachment'"
            ),
        );
    }
    let root = site_for(db);
    let out = run(root.path(), &["brand", "--top=4", "--format=json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let kit: Value = serde_json::from_str(&out.stdout).unwrap();
    let photos = kit["product_photos"].as_array().unwrap();
    let got: Vec<u64> = photos
        .iter()
        .map(|p| p["product_id"].as_u64().unwrap())
        .collect();
    assert_eq!(got, photographed[..4].to_vec());
    // Each URL is WordPress's own for the product's thumbnail; the revenue
    // is the SQL's.
    let want = wordpress_brand(db, &got);
    for (i, p) in photos.iter().enumerate() {
        let id = p["product_id"].as_u64().unwrap();
        assert_eq!(p["url"], want["thumbs"][id.to_string()], "product {id}");
        assert_eq!(p["rank"], i + 1);
        let row = ranking
            .iter()
            .find(|r| r[0].as_deref() == Some(&id.to_string()))
            .unwrap();
        assert_eq!(
            m(p["revenue"].as_str().unwrap()),
            m(row[1].as_deref().unwrap())
        );
        assert_eq!(p["currency"], currency.to_uppercase());
    }
    // The table lists them as product_photo rows.
    let out = run(root.path(), &["brand", "--top=2"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.starts_with("product_photo\t"))
            .count(),
        2,
        "{}",
        out.stdout
    );
    let out = run(root.path(), &["brand", "--format=csv"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}
