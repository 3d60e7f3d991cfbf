//! `segments list|show|export|query` end to end: the real binary on a
//! generated store (with the generator's scripted segment members), on
//! the real WooCommerce dump, in both order storages.
//!
//! The expected members of each of the 11 segments (and of a few English
//! queries) are computed here by straight SQL over `wc_orders` & co.,
//! written from the definitions — not from the core's code — with
//! a fixed `--as-of`.

use std::collections::{BTreeMap, BTreeSet};

use segmentflow_wpcli::generator::{GenerateOptions, Storage};

use crate::insight::{generated_store, sql_rows};
use crate::util::{Output, TEST_PASSWORD, TEST_USER, TempDir, bin, server};

/// The as-of date of the generated store (its generator "now" is
/// 2026-11-27 00:00 UTC) and of the real dump (last order 2026-11-11).
const AS_OF: &str = "2026-11-27";

/// A WordPress root whose wp-config.php points at `db`.
struct Site {
    root: TempDir,
}

impl Site {
    fn new(db: &str) -> Site {
        let root = TempDir::new();
        let text = format!(
            "<?php\ndefine( 'DB_NAME', '{db}' );\ndefine( 'DB_USER', '{TEST_USER}' );\ndefine( 'DB_PASSWORD', '{TEST_PASSWORD}' );\ndefine( 'DB_HOST', '{}' );\ndefine( 'DB_CHARSET', 'utf8mb4' );\n$table_prefix = 'wp_';\n",
            server().php_db_host()
        );
        std::fs::write(root.path().join("wp-config.php"), text).unwrap();
        Site { root }
    }

    fn run(&self, args: &[&str]) -> Output {
        bin()
            .args([format!("--path={}", self.root.path().display())])
            .args(args)
            .run()
    }
}

fn store(storage: Storage) -> GenerateOptions {
    GenerateOptions {
        seed: 7,
        orders: 1500,
        storage,
        ..GenerateOptions::default()
    }
}

/// The orders the definitions talk about: one row per order of a
/// customer, with its customer key, bare status, time, net amount, coupon
/// use and age in UTC calendar days at the as-of date.
fn orders_cte(as_of: &str) -> String {
    format!(
        "WITH o AS ( \
           SELECT o.id, \
             CASE WHEN COALESCE(o.customer_id, 0) <> 0 THEN CONCAT('user:', o.customer_id) \
                  WHEN TRIM(COALESCE(o.billing_email, '')) <> '' THEN CONCAT('guest:', LOWER(TRIM(o.billing_email))) END AS k, \
             REPLACE(o.status, 'wc-', '') AS st, \
             COALESCE(o.date_created_gmt, op.date_paid_gmt) AS t, \
             o.total_amount - COALESCE((SELECT SUM(ABS(r.total_amount)) FROM wp_wc_orders r \
               WHERE r.parent_order_id = o.id AND r.type = 'shop_order_refund'), 0) AS net, \
             EXISTS (SELECT 1 FROM wp_woocommerce_order_items c WHERE c.order_id = o.id \
               AND c.order_item_type = 'coupon') AS coupon \
           FROM wp_wc_orders o LEFT JOIN wp_wc_order_operational_data op ON op.order_id = o.id \
           WHERE o.type = 'shop_order' AND o.status NOT IN ('trash', 'draft', 'auto-draft') \
             AND COALESCE(o.date_created_gmt, op.date_paid_gmt) <= '{as_of} 23:59:59' \
         ), \
         a AS (SELECT o.*, DATEDIFF('{as_of}', DATE(o.t)) AS days FROM o), \
         p AS (SELECT * FROM a WHERE st IN ('processing', 'completed')), \
         pk AS (SELECT * FROM p WHERE k IS NOT NULL), \
         agg AS (SELECT k, COUNT(*) AS n, MAX(days) AS first_days, MIN(days) AS last_days, \
           SUM(net) AS spend, SUM(CASE WHEN days <= 365 THEN net ELSE 0 END) AS spend365, \
           SUM(CASE WHEN days <= 365 THEN 1 ELSE 0 END) AS n365, SUM(coupon) AS with_coupon \
           FROM pk GROUP BY k), \
         people AS ( \
           SELECT CONCAT('user:', user_id) AS k FROM wp_usermeta WHERE meta_key = 'wp_capabilities' \
             AND meta_value LIKE '%s:8:\"customer\";b:1;%' \
           UNION SELECT CASE WHEN COALESCE(user_id, 0) <> 0 THEN CONCAT('user:', user_id) \
             ELSE CONCAT('guest:', LOWER(TRIM(email))) END FROM wp_wc_customer_lookup \
             WHERE COALESCE(user_id, 0) <> 0 OR TRIM(COALESCE(email, '')) <> '' \
         ), \
         everyone AS (SELECT k FROM people UNION SELECT k FROM a WHERE k IS NOT NULL) "
    )
}

/// Each pre-built segment's members by SQL, from the definitions.
fn expected_segments(db: &str, as_of: &str) -> BTreeMap<String, BTreeSet<String>> {
    let cte = orders_cte(as_of);
    let aov = sql_rows(
        db,
        &format!("{cte} SELECT ROUND(SUM(net) / COUNT(*), 8) FROM p"),
    );
    let aov = aov[0][0].clone().unwrap_or_else(|| "NULL".into());
    let segments: [(&str, String); 11] = [
        (
            "new-customers",
            "SELECT k FROM agg WHERE first_days <= 30".into(),
        ),
        (
            "recent-customers",
            "SELECT k FROM agg WHERE last_days <= 30".into(),
        ),
        ("repeat-customers", "SELECT k FROM agg WHERE n >= 2".into()),
        (
            "loyal-customers",
            "SELECT k FROM agg WHERE n365 >= 5".into(),
        ),
        (
            "vip-customers",
            format!("SELECT k FROM agg WHERE n >= 2 AND spend365 >= 3 * {aov}"),
        ),
        (
            "one-time-buyers",
            "SELECT k FROM agg WHERE n = 1 AND first_days > 30".into(),
        ),
        (
            "churning-customers",
            "SELECT k FROM agg WHERE n >= 2 AND last_days BETWEEN 91 AND 180".into(),
        ),
        (
            "lapsed-customers",
            "SELECT k FROM agg WHERE last_days > 180".into(),
        ),
        (
            "prospects",
            "SELECT k FROM everyone WHERE k NOT IN (SELECT k FROM agg)".into(),
        ),
        (
            "abandoned-checkouts",
            "SELECT DISTINCT x.k FROM a x WHERE x.k IS NOT NULL \
               AND x.st IN ('pending', 'failed', 'checkout-draft') AND x.days <= 7 \
               AND NOT EXISTS (SELECT 1 FROM pk y WHERE y.k = x.k AND y.t > x.t)"
                .into(),
        ),
        (
            "discount-shoppers",
            "SELECT k FROM agg WHERE with_coupon * 2 >= n".into(),
        ),
    ];
    segments
        .iter()
        .map(|(slug, select)| {
            let keys = sql_rows(db, &format!("{cte} {select}"))
                .into_iter()
                .map(|r| r[0].clone().unwrap_or_default())
                .collect();
            ((*slug).to_owned(), keys)
        })
        .collect()
}

/// `segments export --format=json`, as slug → customer keys.
fn exported(site: &Site, as_of: &str) -> BTreeMap<String, BTreeSet<String>> {
    let out = site.run(&[
        "segments",
        "export",
        "--format=json",
        &format!("--as-of={as_of}"),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        got.entry(r["segment"].as_str().unwrap().to_owned())
            .or_default()
            .insert(r["customer"].as_str().unwrap().to_owned());
    }
    got
}

fn assert_segments(
    got: &BTreeMap<String, BTreeSet<String>>,
    want: &BTreeMap<String, BTreeSet<String>>,
) {
    for (slug, keys) in want {
        let empty = BTreeSet::new();
        let g = got.get(slug).unwrap_or(&empty);
        let missing: Vec<_> = keys.difference(g).take(5).collect();
        let extra: Vec<_> = g.difference(keys).take(5).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{slug}: {} expected, {} got; missing {missing:?}, extra {extra:?}",
            keys.len(),
            g.len()
        );
    }
}

/// Members of a query (or rule) as customer keys.
fn keys_of(site: &Site, args: &[&str]) -> BTreeSet<String> {
    let mut all = vec!["segments"];
    all.extend_from_slice(args);
    let as_of = format!("--as-of={AS_OF}");
    all.extend(["--format=ids", as_of.as_str()]);
    let out = site.run(&all);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout.split_whitespace().map(str::to_owned).collect()
}

fn sql_keys(db: &str, select: &str) -> BTreeSet<String> {
    sql_rows(db, &format!("{} {select}", orders_cte(AS_OF)))
        .into_iter()
        .map(|r| r[0].clone().unwrap_or_default())
        .collect()
}

#[test]
fn generated_store_segments_equal_sql() {
    let db = generated_store(&store(Storage::Hpos));
    let site = Site::new(&db);
    let want = expected_segments(&db, AS_OF);
    for (slug, keys) in &want {
        assert!(!keys.is_empty(), "the generator scripts members of {slug}");
    }
    let got = exported(&site, AS_OF);
    assert_segments(&got, &want);

    // `list` counts and `show` members agree with the export.
    let out = site.run(&[
        "segments",
        "list",
        "--format=json",
        &format!("--as-of={AS_OF}"),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let list: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(list.len(), 11);
    for s in &list {
        let slug = s["slug"].as_str().unwrap();
        assert_eq!(
            s["members"].as_u64().unwrap() as usize,
            want[slug].len(),
            "{slug}"
        );
        assert!(!s["rule"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        keys_of(&site, &["show", "vip-customers"]),
        want["vip-customers"]
    );
    // A user-written rule equal to a segment's gives its members.
    assert_eq!(
        keys_of(
            &site,
            &[
                "show",
                "--rule=paid_orders >= 2 and last_paid_days between 91 and 180"
            ]
        ),
        want["churning-customers"]
    );
}

#[test]
fn generated_store_queries_equal_sql() {
    let db = generated_store(&store(Storage::Hpos));
    let site = Site::new(&db);
    let cases: [(&str, &str); 6] = [
        (
            "customers who ordered at least 3 times since 2025-01-01",
            "SELECT k FROM pk WHERE DATE(t) >= '2025-01-01' GROUP BY k HAVING COUNT(*) >= 3",
        ),
        (
            "customers who spent between 50 and 150",
            "SELECT k FROM agg WHERE spend BETWEEN 50 AND 150",
        ),
        (
            "guests who ordered in the last 7 days",
            "SELECT DISTINCT k FROM pk WHERE k LIKE 'guest:%' AND days <= 7",
        ),
        (
            "customers who bought product SKU TSHIRT-RED",
            "SELECT DISTINCT pk.k FROM pk JOIN wp_woocommerce_order_items i ON i.order_id = pk.id \
               AND i.order_item_type = 'line_item' \
             JOIN wp_woocommerce_order_itemmeta pm ON pm.order_item_id = i.order_item_id AND pm.meta_key = '_product_id' \
             LEFT JOIN wp_woocommerce_order_itemmeta vm ON vm.order_item_id = i.order_item_id AND vm.meta_key = '_variation_id' \
             WHERE LOWER(COALESCE(NULLIF((SELECT s.meta_value FROM wp_postmeta s WHERE s.post_id = vm.meta_value \
                 AND vm.meta_value <> '0' AND s.meta_key = '_sku' LIMIT 1), ''), \
               (SELECT s.meta_value FROM wp_postmeta s WHERE s.post_id = pm.meta_value AND s.meta_key = '_sku' LIMIT 1))) \
               = 'tshirt-red'",
        ),
        (
            "people who bought from the Accessories category but not in the last 90 days",
            "SELECT DISTINCT pk.k FROM pk JOIN wp_woocommerce_order_items i ON i.order_id = pk.id \
               AND i.order_item_type = 'line_item' \
             JOIN wp_woocommerce_order_itemmeta pm ON pm.order_item_id = i.order_item_id AND pm.meta_key = '_product_id' \
             JOIN wp_term_relationships tr ON tr.object_id = pm.meta_value \
             JOIN wp_term_taxonomy tt ON tt.term_taxonomy_id = tr.term_taxonomy_id AND tt.taxonomy = 'product_cat' \
             JOIN wp_terms te ON te.term_id = tt.term_id AND LOWER(te.name) = 'accessories' \
             GROUP BY pk.k HAVING MIN(pk.days) > 90",
        ),
        (
            "customers whose last order was refunded",
            "SELECT k FROM a x WHERE k IS NOT NULL AND st = 'refunded' AND NOT EXISTS (SELECT 1 FROM a y \
               WHERE y.k = x.k AND (y.t > x.t OR (y.t = x.t AND y.id > x.id)))",
        ),
    ];
    for (query, select) in cases {
        let want = sql_keys(&db, select);
        assert!(!want.is_empty(), "{query}: the store has members");
        assert_eq!(keys_of(&site, &["query", query]), want, "{query}");
    }
}

#[test]
fn posts_storage_gives_the_same_segments() {
    let hpos = Site::new(&generated_store(&store(Storage::Hpos)));
    let posts = Site::new(&generated_store(&store(Storage::Posts)));
    let want = exported(&hpos, AS_OF);
    assert_eq!(want.len(), 11);
    assert_eq!(exported(&posts, AS_OF), want);
}

#[test]
fn real_store_segments_equal_sql() {
    let db = crate::store::template();
    let site = Site::new(db);
    let want = expected_segments(db, AS_OF);
    assert_segments(&exported(&site, AS_OF), &want);
    assert!(
        want.values().filter(|k| !k.is_empty()).count() >= 5,
        "the real store populates segments: {:?}",
        want.iter().map(|(s, k)| (s, k.len())).collect::<Vec<_>>()
    );
}

#[test]
fn formats_and_errors() {
    let db = generated_store(&store(Storage::Hpos));
    let site = Site::new(&db);
    let as_of = format!("--as-of={AS_OF}");
    let json = site.run(&[
        "segments",
        "show",
        "repeat-customers",
        "--format=json",
        &as_of,
    ]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).unwrap();
    let first = &rows[0];
    for f in [
        "customer",
        "user_id",
        "email",
        "name",
        "paid_orders",
        "spend",
    ] {
        assert!(first.get(f).is_some(), "{f} in {first}");
    }
    assert!(first["paid_orders"].as_u64().unwrap() >= 2);
    let csv = site.run(&[
        "segments",
        "show",
        "repeat-customers",
        "--format=csv",
        &as_of,
    ]);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines[0], "customer,user_id,email,name,paid_orders,spend");
    assert_eq!(lines.len(), rows.len() + 1);
    let count = site.run(&[
        "segments",
        "show",
        "repeat-customers",
        "--format=count",
        &as_of,
    ]);
    assert_eq!(count.stdout.trim(), rows.len().to_string());
    let table = site.run(&["segments", "show", "repeat-customers", &as_of]);
    assert_eq!(table.stdout.lines().count(), rows.len() + 1);
    let export = site.run(&["segments", "export", &as_of]);
    assert!(
        export
            .stdout
            .starts_with("segment,customer,user_id,email\n")
    );

    // Remote parts are flagged, never dropped.
    let q = site.run(&[
        "segments",
        "query",
        "customers who bought twice but haven't opened an email in a month",
        &as_of,
    ]);
    assert_eq!(q.code, 0, "{}", q.stderr);
    assert!(q.stdout.starts_with("Rule: "), "{}", q.stdout);
    assert!(
        q.stdout.contains("evaluated in Segmentflow, not locally"),
        "{}",
        q.stdout
    );
    assert!(q.stdout.contains("undecided"), "{}", q.stdout);

    // Errors point at the word.
    let bad = site.run(&["segments", "query", "customers who bougth twice"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stdout.is_empty());
    assert!(bad.stderr.contains("\"bougth\""), "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("customers who bougth twice\n              ^"),
        "{}",
        bad.stderr
    );
    let bad = site.run(&["segments", "show", "--rule=paid_orders >= 2 and spendd > 5"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("invalid --rule"), "{}", bad.stderr);
    assert!(
        bad.stderr.contains("\n                     ^"),
        "{}",
        bad.stderr
    );
    for args in [
        &["segments", "show", "nope"][..],
        &["segments", "show"][..],
        &["segments", "list", "--as-of=27/11/2026"][..],
        &["segments", "list", "--format=ids"][..],
    ] {
        let out = site.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
