//! The bundled demo store, `fixtures/demo-site`: the real binary opens it
//! as any SQLite-based WordPress site (`--path`), it is WooCommerce-active,
//! HPOS and disconnected, it holds the store `scripts/make-demo-site.sh`
//! generates (the generator is re-run here with the script's settings and
//! its row counts compared with the file), and its `MANIFEST` matches the
//! database. No MariaDB needed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use segmentflow_wpcli::generator::{self, GenerateOptions, GenerateSummary, Storage};

use crate::util::bin;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate lives in the workspace")
        .to_path_buf()
}

fn site() -> PathBuf {
    repo().join("fixtures/demo-site")
}

fn database() -> PathBuf {
    site().join("wp-content/database/.ht.sqlite")
}

/// The store settings `scripts/make-demo-site.sh` uses (`name=value` lines).
fn script_settings() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(repo().join("scripts/make-demo-site.sh")).unwrap();
    let mut settings = BTreeMap::new();
    for line in text.lines() {
        for name in [
            "seed", "orders", "storage", "now", "site_url", "timezone", "prefix",
        ] {
            if let Some(value) = line.strip_prefix(&format!("{name}=")) {
                settings.insert(name.to_owned(), value.trim_matches('"').to_owned());
            }
        }
    }
    assert_eq!(
        settings.len(),
        7,
        "settings found in the script: {settings:?}"
    );
    settings
}

/// What the generator writes with the script's settings.
fn generated() -> GenerateSummary {
    let s = script_settings();
    let now = s["now"]
        .replace(' ', "T")
        .parse::<jiff::civil::DateTime>()
        .and_then(|d| jiff::tz::TimeZone::UTC.to_timestamp(d))
        .unwrap()
        .as_second();
    let opts = GenerateOptions {
        seed: s["seed"].parse().unwrap(),
        orders: s["orders"].parse().unwrap(),
        storage: match s["storage"].as_str() {
            "hpos" => Storage::Hpos,
            "posts" => Storage::Posts,
            other => panic!("storage {other}"),
        },
        table_prefix: s["prefix"].clone(),
        now,
        site_url: s["site_url"].clone(),
        timezone: s["timezone"].clone(),
        ..GenerateOptions::default()
    };
    generator::generate(&opts, &mut std::io::sink()).unwrap()
}

fn open() -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(database(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
}

fn count(db: &rusqlite::Connection, sql: &str) -> u64 {
    db.query_row(sql, [], |r| r.get::<_, i64>(0))
        .map(|n| u64::try_from(n).unwrap())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Rows per table of the SQLite file, the plugin's own tables left out.
fn table_counts(db: &rusqlite::Connection) -> BTreeMap<String, u64> {
    let mut stmt = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_mysql_data_types_cache'")
        .unwrap();
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    names
        .into_iter()
        .map(|t| {
            let n = count(db, &format!("SELECT COUNT(*) FROM \"{t}\""));
            (t, n)
        })
        .collect()
}

#[test]
fn the_binary_opens_the_demo_site() {
    let before = std::fs::read(database()).unwrap();
    let out = bin()
        .args([
            format!("--path={}", site().display()),
            "status".into(),
            "--format=json".into(),
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(s["database"], "sqlite");
    assert_eq!(s["connected"], false, "the demo ships disconnected");
    assert_eq!(s["write_key"], serde_json::Value::Null);
    assert_eq!(s["api_host"], "https://api.segmentflow.ai");
    assert_eq!(s["woocommerce_active"], true);
    assert_eq!(s["woocommerce_version"], "9.2.5");
    assert_eq!(s["hpos_enabled"], true);
    assert_eq!(s["hpos_sync_enabled"], false);
    assert_eq!(s["order_storage"], "hpos");
    assert_eq!(s["site_url"], script_settings()["site_url"].as_str());
    let manifest = std::fs::read_to_string(site().join("MANIFEST")).unwrap();
    let core = manifest
        .lines()
        .find_map(|l| l.strip_prefix("wordpress "))
        .expect("MANIFEST names the WordPress version");
    assert_eq!(s["wp_version"], core, "from wp-includes/version.php");
    assert_eq!(s["wp_db_version"], 53496);

    let out = bin()
        .args([
            format!("--path={}", site().display()),
            "options".into(),
            "get".into(),
            "blogname".into(),
        ])
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Segmentflow Demo Store\n"),
        "{}",
        out.stderr
    );
    assert!(
        std::fs::read(database()).unwrap() == before,
        "reading the fixture must not change it"
    );
}

#[test]
fn the_demo_site_holds_the_generated_store() {
    let db = open();
    let want = generated();
    let settings = script_settings();
    assert_eq!(want.orders, settings["orders"].parse::<u64>().unwrap());
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM wp_wc_orders WHERE type = 'shop_order'"
        ),
        want.orders,
        "orders"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM wp_wc_orders WHERE type = 'shop_order_refund'"
        ),
        want.full_refunds + want.partial_refunds,
        "refunds"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM wp_wc_orders WHERE type = 'shop_order' AND customer_id = 0"
        ),
        want.guest_orders,
        "guest orders"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM wp_users WHERE ID > 1"),
        want.customers,
        "customers (user 1 is the admin)"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM wp_posts WHERE post_type = 'product'"
        ),
        want.products,
        "products"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM wp_posts WHERE post_type = 'product_variation'"
        ),
        want.variations,
        "variations"
    );
    assert!(want.orders >= 200 && want.customers >= 50 && want.products >= 30);

    // WooCommerce's tables hold exactly the generated rows; WordPress's own
    // tables hold those plus what wp_install() wrote.
    let have = table_counts(&db);
    for (table, rows) in &want.tables {
        let got = have
            .get(table)
            .copied()
            .unwrap_or_else(|| panic!("{table} missing"));
        let core = [
            "wp_options",
            "wp_posts",
            "wp_postmeta",
            "wp_users",
            "wp_usermeta",
            "wp_comments",
            "wp_terms",
            "wp_term_taxonomy",
            "wp_term_relationships",
        ];
        if core.contains(&table.as_str()) {
            assert!(got >= *rows, "{table}: {got} < generated {rows}");
        } else {
            assert_eq!(got, *rows, "{table}");
        }
    }

    // The Segmentflow plugin is active with its defaults, and disconnected.
    let option = |name: &str| -> String {
        db.query_row(
            "SELECT option_value FROM wp_options WHERE option_name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    assert!(option("active_plugins").contains("segmentflow-connect/segmentflow-connect.php"));
    assert!(option("active_plugins").contains("woocommerce/woocommerce.php"));
    assert_eq!(option("segmentflow_write_key"), "");
    assert_eq!(option("segmentflow_webhook_secret"), "");
    assert_eq!(option("segmentflow_api_host"), "https://api.segmentflow.ai");
    assert_eq!(option("segmentflow_wc_enabled"), "1");
}

#[test]
fn the_manifest_matches_the_database_and_the_script() {
    let manifest = std::fs::read_to_string(site().join("MANIFEST")).unwrap();
    let s = script_settings();
    let generator_line = format!(
        "generator seed={} orders={} storage={} now={}Z timezone={} site_url={}",
        s["seed"],
        s["orders"],
        s["storage"],
        s["now"].replace(' ', "T"),
        s["timezone"],
        s["site_url"]
    );
    assert!(
        manifest.lines().any(|l| l == generator_line),
        "MANIFEST was written with other settings than make-demo-site.sh has now \
         (rerun scripts/make-demo-site.sh): want {generator_line:?} in\n{manifest}"
    );
    let listed: BTreeMap<String, u64> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("table "))
        .map(|l| {
            let (t, n) = l.split_once(' ').unwrap();
            (t.to_owned(), n.parse().unwrap())
        })
        .collect();
    assert_eq!(listed, table_counts(&open()), "MANIFEST rows per table");
}

#[test]
fn the_demo_site_has_the_sqlite_integration_layout() {
    let dropin = std::fs::read_to_string(site().join("wp-content/db.php")).unwrap();
    assert!(dropin.contains("SQLITE_DB_DROPIN_VERSION"), "{dropin}");
    let config = std::fs::read_to_string(site().join("wp-config.php")).unwrap();
    for needle in [
        "define( 'DB_ENGINE', 'sqlite' );",
        "define( 'DB_FILE', '.ht.sqlite' );",
        "$table_prefix = 'wp_';",
        "FIXTURE",
    ] {
        assert!(config.contains(needle), "wp-config.php lacks {needle}");
    }
    // The plugin's translation: its type cache, {table}__{key} indexes,
    // case-insensitive text.
    let db = open();
    assert!(count(&db, "SELECT COUNT(*) FROM _mysql_data_types_cache") > 100);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'wp_options__option_name'"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM wp_options WHERE option_name = 'BLOGNAME'"
        ),
        1,
        "COLLATE NOCASE, as MySQL compares"
    );
    let size = std::fs::metadata(database()).unwrap().len();
    assert!(
        size < 8 << 20,
        "the demo database stays small: {size} bytes"
    );
}
